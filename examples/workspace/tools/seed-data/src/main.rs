//! An ordinary command-line tool that lives in the same workspace as the Lambda functions: it
//! prints sample order events. `cargo powertools package` lists it as skipped, never zips it.
use serde_json::json;

fn main() {
    for id in 1..=3 {
        let event = json!({ "id": format!("order-{id}"), "lines": [{ "quantity": id, "unit_price_cents": 250 }] });
        println!("{event}");
    }
}
