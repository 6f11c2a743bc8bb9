//! The `cargo-powertools` binary: parses the command line, runs one library operation, prints any
//! error once (with its causes and a fix), and returns a defined exit status
//! ([`cargo_powertools::errors::ExitStatus`]).
// As in lib.rs: Windows paths put the errors just over the lint's size there.
#![cfg_attr(windows, allow(clippy::result_large_err))]
mod cli;
mod commands;

use cargo_powertools::errors::ExitStatus;
use cargo_powertools::shell::{Shell, Verbosity};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    match cli::try_parse(args.clone()) {
        Ok(cli) => commands::run(cli).into(),
        Err(err) => {
            // Help and version are not errors; anything else clap refuses is a usage error, which
            // ends a JSON stream as any failure does when `--message-format json` was asked for.
            let (format, color) = cli::output_settings_in(&args);
            let shell = Shell::new(format, Verbosity::Normal, color);
            shell.clap(&err);
            match err.use_stderr() {
                true => ExitStatus::Usage.into(),
                false => ExitStatus::Success.into(),
            }
        }
    }
}
