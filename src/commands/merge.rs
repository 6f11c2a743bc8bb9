use crate::cli::MergeArgs;
use cargo_powertools::errors::Error;
use cargo_powertools::message::Outcome;
use cargo_powertools::ops::{self, MergeOptions};
use cargo_powertools::shell::Shell;

pub fn exec(args: MergeArgs, shell: &Shell) -> Result<Outcome, Error> {
    let options = MergeOptions {
        out_dir: args.out_dir,
        shards: args.shards,
        force: args.force,
    };
    ops::merge(&options, shell).map(|report| report.outcome())
}
