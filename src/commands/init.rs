use crate::cli::InitArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::ops::{self, InitOptions};
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;

pub fn exec(args: InitArgs, shell: &Shell) -> Result<(), Error> {
    let options = InitOptions {
        load: LoadOptions::at(args.manifest_path),
        recipe: args.recipe,
    };
    let result = ops::init(&options, shell).map(|report| {
        shell.json_line(&serde_json::json!({
            "reason": "init", "manifest": report.manifest, "written": report.written,
        }));
    });
    super::finished(shell, result)
}
