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
use cargo_powertools::message::{Message, Outcome};
use cargo_powertools::process::ProcessGroups;
use cargo_powertools::shell::{MessageFormat, Shell};

pub fn run(cli: Cli) -> ExitStatus {
    let shell = Shell::new(message_format(&cli.command), cli.verbosity(), cli.color);
    // The one interrupt path: the handler stops the programs the command started through
    // `children`, the command unwinds, and whatever error that caused is the interruption (130).
    let children = ProcessGroups::default();
    if let Err(err) = children.stop_on_interrupt() {
        shell.warning(
            format!("Ctrl-C will not stop the programs this command starts: {err}"),
            None,
        );
    }
    let result = match cli.command {
        Command::Package(args) => package::exec(args, &children, &shell),
        Command::Verify(args) => verify::exec(args, &children, &shell),
        Command::Recipes(args) => recipes::exec(args, &shell),
        Command::Doctor(args) => doctor::exec(args, &shell),
        Command::Init(args) => init::exec(args, &shell),
        Command::Openapi(args) => openapi::exec(args, &children, &shell),
        Command::Merge(args) => merge::exec(args, &shell),
    };
    let result = match result {
        Err(_) if children.interrupted() => Err(Error::Interrupted),
        result => result,
    };
    // The one `finished` line of every command, whatever its outcome.
    let (outcome, status) = match result {
        Ok(outcome) => (outcome, ExitStatus::Success),
        Err(err) => {
            let help = err.help();
            shell.error(&err, help.as_deref());
            let failed = Outcome::Failed {
                error: err.to_string(),
                help,
            };
            (failed, err.exit_status())
        }
    };
    shell.emit(&Message::finished(&outcome));
    status
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
