use crate::cli::DoctorArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::ops::{self, DoctorOptions};
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;

pub fn exec(args: DoctorArgs) -> Result<(), Error> {
    let shell = Shell::new(args.message_format);
    let options = DoctorOptions {
        load: LoadOptions {
            manifest_path: args.manifest_path,
            ..Default::default()
        },
        recipe: args.recipe,
    };
    let result = ops::doctor(&options, &shell).and_then(|checks| {
        let missing: Vec<String> = checks
            .into_iter()
            .filter(|c| c.required && !c.ok)
            .map(|c| c.what)
            .collect();
        match missing.is_empty() {
            true => Ok(()),
            false => Err(Error::DoctorFailed {
                recipe: options.recipe.as_ref().map_or_else(
                    || "the workspace's recipe".into(),
                    |r| format!("recipe `{r}`"),
                ),
                missing: format!("missing {}", missing.join(", ")),
            }),
        }
    });
    super::finish(&shell, result)
}
