//! One module per subcommand, each turning parsed arguments into one library call.
mod package;
mod verify;

use crate::cli::{Cli, Command};
use cargo_powertools::errors::Error;

pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Package(args) => package::exec(args),
        Command::Verify(args) => verify::exec(args),
    }
}
