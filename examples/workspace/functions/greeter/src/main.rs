//! A Lambda function that greets whoever the event names, with a greeting read from a file that
//! `cargo powertools package` zips beside `bootstrap` (see `include` in this package's Cargo.toml).
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::PathBuf;

#[derive(Deserialize)]
struct Request {
    name: Option<String>,
}

/// Lambda unpacks the zip into `LAMBDA_TASK_ROOT` (/var/task); locally, the current directory.
fn greeting_file() -> PathBuf {
    let root = std::env::var_os("LAMBDA_TASK_ROOT").map_or_else(|| PathBuf::from("."), PathBuf::from);
    root.join("assets/greeting.txt")
}

async fn handler(event: LambdaEvent<Request>) -> Result<Value, Error> {
    let greeting = std::fs::read_to_string(greeting_file())?;
    let name = event.payload.name.unwrap_or_else(|| "world".to_string());
    Ok(json!({ "message": format!("{}, {name}!", greeting.trim()) }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(handler)).await
}
