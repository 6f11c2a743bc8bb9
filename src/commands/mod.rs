//! One module per subcommand, each turning parsed arguments into one library call. `run` makes the
//! one [`Shell`] every byte of output goes through, and turns the call's result into the exit
//! status `main` returns.
//!
//! The command files look alike on purpose: each only moves parsed arguments into its
//! operation's options, field by field, so that `ops` never sees clap.
mod doctor;
mod init;
mod merge;
mod openapi;
mod package;
mod recipes;
mod verify;

use crate::cli::{Cli, Command};
use cargo_powertools::errors::{Error, ExitStatus};
use cargo_powertools::shell::{MessageFormat, Shell};

pub fn run(cli: Cli) -> ExitStatus {
    let shell = Shell::new(message_format(&cli.command));
    let result = match cli.command {
        Command::Package(args) => package::exec(args, &shell),
        Command::Verify(args) => verify::exec(args, &shell),
        Command::Recipes(args) => recipes::exec(args, &shell),
        Command::Doctor(args) => doctor::exec(args, &shell),
        Command::Init(args) => init::exec(args, &shell),
        Command::Openapi(args) => openapi::exec(args, &shell),
        Command::Merge(args) => merge::exec(args, &shell),
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(err) => {
            // The error once, on stderr; with JSON, also the stream's failed `finished` line.
            shell.error(&err, err.help().as_deref());
            err.exit_status()
        }
    }
}

fn message_format(command: &Command) -> MessageFormat {
    match command {
        Command::Package(args) => args.message_format,
        Command::Verify(args) => args.message_format,
        Command::Recipes(args) => args.message_format,
        Command::Doctor(args) => args.message_format,
        Command::Init(args) => args.message_format,
        Command::Openapi(args) => args.message_format,
        Command::Merge(args) => args.message_format,
    }
}

/// Ends the JSON stream of a command whose operation does not end it itself.
fn finished(shell: &Shell, result: Result<(), Error>) -> Result<(), Error> {
    if result.is_ok() {
        shell.json_line(&serde_json::json!({ "reason": "finished", "success": true }));
    }
    result
}
