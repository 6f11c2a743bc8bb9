"""An HTTP API function on Powertools for AWS Lambda (Python): APIGatewayHttpResolver routes API
Gateway HTTP API (payload format 2.0) requests, and enable_swagger serves the OpenAPI document it
builds from the routes and their pydantic models at GET /swagger?format=json, where
`cargo powertools openapi` fetches it."""
from typing import Optional

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel, Field

app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(path="/swagger", title="Reviews")


class Review(BaseModel):
    id: str
    item: str
    stars: int = Field(ge=1, le=5)
    text: str


REVIEWS = [
    Review(id="1", item="tea", stars=5, text="Grassy and fresh."),
    Review(id="2", item="mug", stars=4, text="Keeps it warm."),
]


@app.get("/reviews", tags=["reviews"])
def list_reviews(item: Optional[str] = None) -> list[Review]:
    """Lists the reviews, of one item or of all."""
    return [r for r in REVIEWS if item is None or r.item == item]


@app.get("/reviews/<review_id>", tags=["reviews"])
def get_review(review_id: str) -> Review:
    """One review, by id."""
    for review in REVIEWS:
        if review.id == review_id:
            return review
    raise NotFoundError(f"no review {review_id}")


def handler(event, context):
    return app.resolve(event, context)
