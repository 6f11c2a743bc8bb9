//! An HTTP API function (API Gateway HTTP API, payload format 2.0, through lambda_http) that
//! describes itself: utoipa generates its OpenAPI document from the code below, and the function
//! serves it at `GET /openapi.json`, where `cargo powertools openapi` fetches it.
use lambda_http::{Body, Error, Request, RequestExt, Response, run, service_fn};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// Something the shop sells.
#[derive(Serialize, ToSchema)]
struct Item {
    id: String,
    name: String,
    price_cents: u32,
}

fn items() -> Vec<Item> {
    let item = |id: &str, name: &str, price_cents| Item {
        id: id.into(),
        name: name.into(),
        price_cents,
    };
    vec![item("tea", "Green tea", 450), item("mug", "Mug", 1200)]
}

/// Lists every item.
#[utoipa::path(get, path = "/items", operation_id = "listItems", tag = "catalog",
    responses((status = 200, description = "Every item", body = [Item])))]
fn list_items() -> Vec<Item> {
    items()
}

/// One item, by id.
#[utoipa::path(get, path = "/items/{id}", operation_id = "getItem", tag = "catalog",
    params(("id" = String, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item", body = Item),
        (status = 404, description = "No item has this id")
    ))]
fn get_item(id: &str) -> Option<Item> {
    items().into_iter().find(|item| item.id == id)
}

#[derive(OpenApi)]
#[openapi(
    paths(list_items, get_item),
    tags((name = "catalog", description = "What the shop sells"))
)]
struct ApiDoc;

fn json(status: u16, body: String) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body))?)
}

async fn handler(request: Request) -> Result<Response<Body>, Error> {
    let path = request.raw_http_path().to_string();
    match path.as_str() {
        "/openapi.json" => json(200, ApiDoc::openapi().to_json()?),
        "/items" => json(200, serde_json::to_string(&list_items())?),
        _ => match path.strip_prefix("/items/").and_then(get_item) {
            Some(item) => json(200, serde_json::to_string(&item)?),
            None => json(404, r#"{"message":"no such item"}"#.into()),
        },
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(handler)).await
}
