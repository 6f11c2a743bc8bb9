use crate::cli::PackageArgs;
use cargo_powertools::build::BuildOptions;
use cargo_powertools::errors::Error;
use cargo_powertools::message::Outcome;
use cargo_powertools::ops::{self, PackageOptions};
use cargo_powertools::plan::Selection;
use cargo_powertools::process::ProcessGroups;
use cargo_powertools::python::StandaloneOptions;
use cargo_powertools::shell::Shell;
use cargo_powertools::workspace::LoadOptions;

pub fn exec(args: PackageArgs, children: &ProcessGroups, shell: &Shell) -> Result<Outcome, Error> {
    let options = PackageOptions {
        load: LoadOptions {
            manifest_path: args.manifest_path,
            config: args.config,
            sam_template: args.sam_template,
            locked: args.locked,
            offline: args.offline,
        },
        selection: Selection {
            packages: args.packages,
            bins: args.bins,
            arch: args.arch.only(),
            recipe: args.recipe,
            shard: args.shard,
        },
        build: BuildOptions {
            profile: args.profile,
            locked: args.locked,
            offline: args.offline,
            rustc_wrapper: None,
            sequential: args.sequential,
            jobs: args.jobs.map(|jobs| jobs as usize),
        },
        out_dir: args.out_dir,
        no_verify: args.no_verify,
        allow_deprecated: args.allow_deprecated,
        force: args.force,
        python: args.python.map(|path| StandaloneOptions {
            path,
            python: args.python_version,
            handler: args.handler,
            layer: args.layer,
        }),
    };
    ops::package(&options, children, shell).map(|report| report.outcome())
}
