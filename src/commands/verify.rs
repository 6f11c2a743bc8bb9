use crate::cli::VerifyArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::message::Outcome;
use cargo_powertools::ops::{self, VerifyOptions};
use cargo_powertools::process::ProcessGroups;
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;
use std::time::Duration;

pub fn exec(args: VerifyArgs, children: &ProcessGroups, shell: &Shell) -> Result<Outcome, Error> {
    let options = VerifyOptions {
        paths: args.paths,
        load: LoadOptions::at(args.manifest_path),
        arch: args.arch.map(Into::into),
        runtime: args.runtime,
        handler: args.handler,
        invoke: args.invoke,
        functions: args.functions,
        event: args.event,
        timeout: Duration::from_secs(args.timeout),
        repeat: args.repeat,
        profile_out: args.profile_out,
        baseline: args.baseline,
        max_regression: args.max_regression,
        allow_skipped: args.allow_skipped,
    };
    ops::verify(&options, children, shell).map(|report| report.outcome())
}
