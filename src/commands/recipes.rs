use crate::cli::{RecipesArgs, RecipesCommand};
use cargo_powertools::errors::Error;
use cargo_powertools::message::Outcome;
use cargo_powertools::ops::recipes;
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;

pub fn exec(args: RecipesArgs, shell: &Shell) -> Result<Outcome, Error> {
    let load = LoadOptions::at(args.manifest_path);
    let result = match args.command {
        None => recipes::list(&load, shell),
        Some(RecipesCommand::Show { name }) => recipes::show(&load, &name, shell),
    };
    result.map(|()| Outcome::Done {})
}
