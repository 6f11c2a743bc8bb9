"""A Lambda function that prices an order, validated with pydantic (whose core is compiled code:
the wheel must be the one for Lambda's platform and architecture)."""
from pydantic import BaseModel, Field


class Line(BaseModel):
    quantity: int = Field(gt=0)
    unit_price_cents: int = Field(ge=0)


class Order(BaseModel):
    id: str
    lines: list[Line]


def handler(event, context):
    order = Order.model_validate(event)
    total = sum(line.quantity * line.unit_price_cents for line in order.lines)
    return {"id": order.id, "total_cents": total}
