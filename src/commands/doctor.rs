use crate::cli::DoctorArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::message::Outcome;
use cargo_powertools::ops::{self, DoctorOptions};
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;

pub fn exec(args: DoctorArgs, shell: &Shell) -> Result<Outcome, Error> {
    let options = DoctorOptions {
        load: LoadOptions::at(args.manifest_path),
        recipe: args.recipe,
    };
    ops::doctor(&options, shell).map(|_| Outcome::Done {})
}
