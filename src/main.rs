//! The `cargo-powertools` binary: parses the command line, runs one library operation, and prints
//! any error once, with its causes and a fix, before exiting with a defined status.
mod cli;
mod commands;

use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use cargo_powertools::errors::{Error, ExitStatus};
use clap::Parser;
use std::error::Error as _;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

fn main() {
    let cli = cli::Cli::parse_from(cli::args_without_cargo_subcommand(std::env::args_os()));
    let status = match commands::run(cli) {
        Ok(()) => ExitStatus::Success,
        Err(err) => {
            report(&err);
            err.exit_status()
        }
    };
    std::process::exit(status as i32);
}

/// `error: <what>`, then each cause indented, then `help: <fix>`.
fn report(err: &Error) {
    eprintln!("{ERROR}error{ERROR:#}: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string().replace('\n', "\n    ");
        eprintln!("  caused by: {text}");
        source = cause.source();
    }
    if let Some(help) = err.help() {
        eprintln!("  {HELP}help{HELP:#}: {help}");
    }
}
