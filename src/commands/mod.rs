//! One module per subcommand, each turning parsed arguments into one library call.
mod doctor;
mod init;
mod openapi;
mod package;
mod recipes;
mod verify;

use crate::cli::{Cli, Command};
use cargo_powertools::errors::Error;
use cargo_powertools::shell::Shell;

pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Package(args) => package::exec(args),
        Command::Verify(args) => verify::exec(args),
        Command::Recipes(args) => recipes::exec(args),
        Command::Doctor(args) => doctor::exec(args),
        Command::Init(args) => init::exec(args),
        Command::Openapi(args) => openapi::exec(args),
    }
}

/// Ends a command's JSON stream with a failure line when it failed (the error itself goes to
/// stderr, printed by `main`).
fn finish<T>(shell: &Shell, result: Result<T, Error>) -> Result<(), Error> {
    if let Err(err) = &result {
        shell.json_line(&serde_json::json!({ "reason": "finished", "success": false, "error": err.to_string() }));
    }
    result.map(|_| ())
}
