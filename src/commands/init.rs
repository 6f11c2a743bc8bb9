use crate::cli::InitArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::message::Outcome;
use cargo_powertools::ops::{self, InitOptions};
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;

pub fn exec(args: InitArgs, shell: &Shell) -> Result<Outcome, Error> {
    let options = InitOptions {
        load: LoadOptions::at(args.manifest_path),
        recipe: args.recipe,
    };
    ops::init(&options, shell).map(|_| Outcome::Done {})
}
