use crate::cli::OpenApiArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::message::Outcome;
use cargo_powertools::ops::{self, OpenApiOptions};
use cargo_powertools::process::ProcessGroups;
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;
use std::time::Duration;

pub fn exec(args: OpenApiArgs, children: &ProcessGroups, shell: &Shell) -> Result<Outcome, Error> {
    let options = OpenApiOptions {
        load: LoadOptions::at(args.manifest_path),
        out_dir: args.out_dir,
        output: args.output,
        api: args.api,
        placeholders: args.placeholders,
        on_conflict: args.on_conflict,
        prefix_components: args.prefix_components,
        timeout: Duration::from_secs(args.timeout),
    };
    ops::openapi(&options, children, shell).map(|report| report.outcome())
}
