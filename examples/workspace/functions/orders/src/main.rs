//! A Lambda function that prices an order: the sum of quantity × unit price over its lines.
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Order {
    id: String,
    lines: Vec<Line>,
}

#[derive(Deserialize)]
struct Line {
    quantity: u32,
    unit_price_cents: u64,
}

#[derive(Serialize)]
struct Priced {
    id: String,
    total_cents: u64,
}

async fn handler(event: LambdaEvent<Order>) -> Result<Priced, Error> {
    let order = event.payload;
    // An order line without items is a bug upstream; crash loudly rather than bill nothing.
    assert!(order.lines.iter().all(|line| line.quantity > 0), "order {} has a line with quantity 0", order.id);
    let total_cents = order
        .lines
        .iter()
        .map(|line| u64::from(line.quantity) * line.unit_price_cents)
        .sum();
    Ok(Priced { id: order.id, total_cents })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(handler)).await
}
