use crate::cli::InitArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::ops::{self, InitOptions};
use cargo_powertools::shell::{MessageFormat, Shell};
use cargo_powertools::workspace::LoadOptions;

pub fn exec(args: InitArgs) -> Result<(), Error> {
    let shell = Shell::new(MessageFormat::Human);
    let options = InitOptions {
        load: LoadOptions {
            manifest_path: args.manifest_path,
            ..Default::default()
        },
        recipe: args.recipe,
    };
    ops::init(&options, &shell).map(|_| ())
}
