//! One module per subcommand, each turning parsed arguments into one library call.
mod package;

use crate::cli::{Cli, Command};
use cargo_powertools::errors::Error;

pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Package(args) => package::exec(args),
    }
}
