use lambda_runtime::{tracing, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

/// A made-up request: events arrive as JSON, deserialized into any `serde::Deserialize` type.
#[derive(Deserialize)]
pub(crate) struct IncomingMessage {
    command: String,
}

/// A made-up response: whatever the handler returns is serialized to JSON for the caller.
#[derive(Serialize)]
pub(crate) struct OutgoingMessage {
    req_id: String,
    msg: String,
}

/// The body of the function.
pub(crate) async fn function_handler(
    event: LambdaEvent<IncomingMessage>,
) -> Result<OutgoingMessage, Error> {
    let command = event.payload.command;
    tracing::info!(command, "handling a command");

    Ok(OutgoingMessage {
        req_id: event.context.request_id,
        msg: format!("Command {}.", command),
    })
}
