//! The command line, as clap types.
use cargo_powertools::model::{Arch, Runtime};
use cargo_powertools::shell::{Color, MessageFormat, Verbosity};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-powertools",
    bin_name = "cargo powertools",
    version,
    about = "Package the AWS Lambda functions of a Cargo workspace: x86_64 and arm64, reproducible zips, one manifest"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Use verbose output: every line the programs run print, even on a terminal (-vv: the same)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Do not print status lines, warnings or the output of the programs run (errors and JSON
    /// messages still are)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Coloring: auto, always, never
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = Color::Auto, global = true)]
    pub color: Color,
}

impl Cli {
    pub fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, _) => Verbosity::Verbose,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every Lambda function and extension of the workspace and zip each one per architecture.
    Package(PackageArgs),
    /// Check zips (or the manifest of a `package` run) for what would stop them starting on Lambda.
    Verify(VerifyArgs),
    /// List the build recipes, and whether each can run here; `recipes show NAME` prints one.
    Recipes(RecipesArgs),
    /// Check that the tools, target standard libraries and emulators a recipe needs are here.
    Doctor(DoctorArgs),
    /// Write the powertools settings and a Lambda release profile into the workspace's Cargo.toml.
    Init(InitArgs),
    /// Merge the OpenAPI documents of the functions that opt in into one, each operation tied to
    /// its function (and with `--api`, to an API Gateway Lambda integration).
    Openapi(OpenApiArgs),
    /// Merge the output directories of several `package --shard`/`--arch` runs into one.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Where the merged zips and manifest.json go.
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// The shards: output directories of `cargo powertools package`, or their manifest.json.
    #[arg(value_name = "SHARD", required = true)]
    pub shards: Vec<PathBuf>,
    /// Replace folders and a manifest.json at the output's paths even when cargo-powertools did
    /// not write them (their files are deleted).
    #[arg(long)]
    pub force: bool,
    /// `json`: one JSON object per line on stdout (artifacts, warnings, the result).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Args)]
pub struct OpenApiArgs {
    /// Path to the workspace's Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Where `package` wrote the zips and manifest.json that `route` sources invoke (default:
    /// <target-dir>/powertools); the document goes there too.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Where to write the document (default: <out-dir>/openapi.json).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Add an `x-amazon-apigateway-integration` to every operation, for an API Gateway HTTP API
    /// (payload format 2.0) or REST API.
    #[arg(long, value_enum, value_name = "http|rest")]
    pub api: Option<cargo_powertools::openapi::Api>,
    /// With `--api`: what fills each function's ARN in: SAM/CloudFormation (`Fn::Sub`, with
    /// `AWS::Include`) or Terraform (`templatefile` variables).
    #[arg(long, value_enum, default_value = "sam", requires = "api")]
    pub placeholders: cargo_powertools::openapi::Placeholders,
    /// When two functions serve the same path and method: fail, or keep the first or last
    /// function's (by name).
    #[arg(long, value_enum, default_value = "error")]
    pub on_conflict: cargo_powertools::openapi::OnConflict,
    /// Rename components that differ under one name to <Function><Name>, rewriting every $ref.
    #[arg(long)]
    pub prefix_components: bool,
    /// Seconds each `command` or `route` source may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// `json`: one JSON object per line on stdout (fragments, warnings, the document, the result).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Args)]
pub struct RecipesArgs {
    #[command(subcommand)]
    pub command: Option<RecipesCommand>,
    /// Path to the workspace's Cargo.toml (its own recipes are listed too).
    #[arg(long, value_name = "PATH", global = true)]
    pub manifest_path: Option<PathBuf>,
    /// `json`: one JSON object per recipe on stdout.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, global = true)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Subcommand)]
pub enum RecipesCommand {
    /// Print one recipe: what it is, where it comes from, its tutorial and its definition.
    Show {
        /// The recipe's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Check this recipe instead of the ones the workspace uses.
    #[arg(long, value_name = "NAME")]
    pub recipe: Option<String>,
    /// Path to the workspace's Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// `json`: one JSON object per check on stdout.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

// The same three flags as `DoctorArgs`, on purpose: each command's `--help` says what the flag
// means for it, which one flattened struct could not.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The recipe to configure (default: cargo-lambda).
    #[arg(long, value_name = "NAME")]
    pub recipe: Option<String>,
    /// Path to the workspace's Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// `json`: what was written, as JSON lines on stdout.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Path to the workspace's Cargo.toml (default: the nearest one at or above the current directory).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package only this workspace member's functions (repeatable).
    #[arg(short, long = "package", value_name = "NAME")]
    pub packages: Vec<String>,
    /// Package only this function or extension (repeatable).
    #[arg(long = "bin", value_name = "NAME")]
    pub bins: Vec<String>,
    /// Architecture to package for; `all` means every architecture each function is configured for.
    #[arg(long, value_enum, default_value_t = ArchArg::All)]
    pub arch: ArchArg,
    /// Package only shard K of N (e.g. 2/4): each function falls in the shard its name hashes to.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<cargo_powertools::plan::Shard>,
    /// Build with this recipe (`cargo powertools recipes` lists them), whatever the metadata says.
    #[arg(long, value_name = "NAME")]
    pub recipe: Option<String>,
    /// Cargo profile to build with (default: release).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Where zips and manifest.json go (default: <target-dir>/powertools).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Require Cargo.lock to be up to date.
    #[arg(long)]
    pub locked: bool,
    /// Do not access the network.
    #[arg(long)]
    pub offline: bool,
    /// Write the zips without running `verify`'s checks on them first.
    #[arg(long)]
    pub no_verify: bool,
    /// Package for a runtime past Lambda's block-update date (deploying it then fails unless the
    /// function's runtime is changed).
    #[arg(long)]
    pub allow_deprecated: bool,
    /// Replace folders and a manifest.json at the output's paths even when cargo-powertools did
    /// not write them (their files are deleted).
    #[arg(long)]
    pub force: bool,
    /// Build the architectures one after another (default: side by side, each in its own target
    /// directory under <target-dir>/powertools-build and sharing the --jobs, while each has fewer
    /// binaries than --jobs; needs less memory at once).
    #[arg(long)]
    pub sequential: bool,
    /// How many compiler jobs the builds of all architectures may run at once, shared through
    /// one jobserver as cargo's `-j` (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// The powertools.toml declaring the Python functions and layers (default: the nearest one at
    /// or above the current directory, before a Cargo.toml in the same folder).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["manifest_path", "python"])]
    pub config: Option<PathBuf>,
    /// Package the Python functions and layers of this SAM template, as it is, and write it again
    /// as <out-dir>/template.yaml with each CodeUri/ContentUri naming its zip (default, with no
    /// powertools.toml or Cargo.toml found: template.yaml or template.yml in the current directory).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["manifest_path", "python", "config"])]
    pub sam_template: Option<PathBuf>,
    /// Package this Python project folder (pyproject.toml and its lock file, or requirements.txt;
    /// settings from its `[tool.powertools]`), without a Cargo workspace.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["manifest_path", "packages"])]
    pub python: Option<PathBuf>,
    /// With `--python`: the Python version Lambda runs (default: `python` in its `[tool.powertools]`,
    /// its .python-version, or the lowest Lambda runtime its requires-python allows).
    #[arg(long, value_name = "3.X", requires = "python")]
    pub python_version: Option<String>,
    /// With `--python`: the function's handler, `module.function` (e.g. app.handler).
    #[arg(long, value_name = "MODULE.FUNCTION", requires = "python")]
    pub handler: Option<String>,
    /// With `--python`: package it as a layer (everything under python/).
    #[arg(long, requires = "python")]
    pub layer: bool,
    /// `json`: one JSON object per line on stdout (artifacts, skipped binaries, warnings, the result).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Zips or manifest.json files to check (default: the workspace's last manifest).
    #[arg(value_name = "ZIP|MANIFEST")]
    pub paths: Vec<PathBuf>,
    /// Path to the workspace's Cargo.toml, to find the last manifest.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// For zips given directly: the architecture they must be built for (default: their bootstrap's).
    #[arg(long, value_enum)]
    pub arch: Option<SingleArch>,
    /// For zips given directly: the runtime whose glibc they must fit (provided.al2023,
    /// provided.al2, python3.X).
    #[arg(long, value_name = "RUNTIME", default_value = "provided.al2023")]
    pub runtime: Runtime,
    /// For zips of Python functions given directly: the handler whose module must be in the zip.
    #[arg(long, value_name = "MODULE.FUNCTION")]
    pub handler: Option<String>,
    /// Also run each function: unzip it, start it against a Lambda Runtime API emulator (arm64 under
    /// qemu on an x86_64 host), send an event and print the answer.
    #[arg(long)]
    pub invoke: bool,
    /// With `--invoke`: invoke only this function (repeatable; default: every function).
    #[arg(long = "function", value_name = "NAME", requires = "invoke")]
    pub functions: Vec<String>,
    /// The event to send with `--invoke` (a JSON file; default `{}`).
    #[arg(long, value_name = "FILE", requires = "invoke")]
    pub event: Option<PathBuf>,
    /// Seconds to wait for each function's answer with `--invoke` (1 to 900, Lambda's range).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=900))]
    pub timeout: u64,
    /// With `--invoke`: succeed even when every function was skipped (default: that is an error,
    /// so that a smoke test that ran nothing does not pass).
    #[arg(long, requires = "invoke")]
    pub allow_skipped: bool,
    /// With `--invoke`: send the event N times to one process (one cold start, N-1 warm) and print
    /// min/median/max.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "invoke", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    pub repeat: usize,
    /// With `--invoke`: write the figures of each function and architecture to FILE (JSON).
    #[arg(long, value_name = "FILE", requires = "invoke")]
    pub profile_out: Option<PathBuf>,
    /// With `--invoke`: compare with an earlier `--profile-out` FILE and fail when max memory used
    /// or the median warm duration grew by more than `--max-regression`.
    #[arg(long, value_name = "FILE", requires = "invoke")]
    pub baseline: Option<PathBuf>,
    /// The growth `--baseline` tolerates, e.g. `10%` (changes under 1 ms or 1 MB never count).
    #[arg(long, value_name = "PERCENT", default_value = "10%", requires = "baseline", value_parser = cargo_powertools::invoke::report::parse_percent)]
    pub max_regression: f64,
    /// `json`: one JSON object per line on stdout (findings, invocations, the result).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SingleArch {
    #[value(name = "x86_64")]
    X86_64,
    #[value(name = "arm64")]
    Arm64,
}

impl From<SingleArch> for Arch {
    fn from(arch: SingleArch) -> Arch {
        match arch {
            SingleArch::X86_64 => Arch::X86_64,
            SingleArch::Arm64 => Arch::Arm64,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ArchArg {
    #[value(name = "x86_64")]
    X86_64,
    #[value(name = "arm64")]
    Arm64,
    All,
}

impl ArchArg {
    pub fn only(self) -> Option<Arch> {
        match self {
            ArchArg::X86_64 => Some(Arch::X86_64),
            ArchArg::Arm64 => Some(Arch::Arm64),
            ArchArg::All => None,
        }
    }
}

/// Parses the command line, which names the program as it was run: `cargo powertools` when cargo
/// ran it, `cargo-powertools` when run directly (as the PyPI wheel's users, who may have no cargo,
/// do), in usage lines and help.
pub fn try_parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<OsString> = args.into_iter().collect();
    let via_cargo = args.get(1).is_some_and(|a| a == "powertools");
    let name = if via_cargo {
        "cargo powertools"
    } else {
        "cargo-powertools"
    };
    let matches = Cli::command()
        .bin_name(name)
        .try_get_matches_from(args_without_cargo_subcommand(args))?;
    Cli::from_arg_matches(&matches)
}

/// The `--message-format` and `--color` of a command line clap refused, as far as they can be
/// told from the arguments before any `--` (the last of each wins, as in clap): so that its usage
/// error ends a JSON stream, and is coloured as asked.
pub fn output_settings_in(args: &[OsString]) -> (MessageFormat, Color) {
    let args: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|a| a.to_str().unwrap_or_default())
        .take_while(|a| *a != "--")
        .collect();
    let format = match last_value(&args, "--message-format") {
        Some("json") => MessageFormat::Json,
        _ => MessageFormat::Human,
    };
    let color = match last_value(&args, "--color") {
        Some("always") => Color::Always,
        Some("never") => Color::Never,
        _ => Color::Auto,
    };
    (format, color)
}

/// The value of the last `--name VALUE` or `--name=VALUE` in `args`.
fn last_value<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    let mut value = None;
    for (i, arg) in args.iter().enumerate() {
        if *arg == name {
            value = args.get(i + 1).copied();
        } else if let Some(v) = arg.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
            value = Some(v);
        }
    }
    value
}

/// `cargo powertools ...` runs `cargo-powertools powertools ...`; drop that extra word so the
/// binary also works when called directly.
pub fn args_without_cargo_subcommand(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "powertools") {
        args.remove(1);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(args: &[&str]) -> (MessageFormat, Color) {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        output_settings_in(&args)
    }

    #[test]
    fn a_refused_command_line_still_tells_its_message_format_and_color() {
        assert_eq!(
            settings(&[
                "cargo-powertools",
                "merge",
                "--message-format",
                "json",
                "--frob"
            ]),
            (MessageFormat::Json, Color::Auto)
        );
        assert_eq!(
            settings(&["cargo-powertools", "--color=never", "--message-format=json"]),
            (MessageFormat::Json, Color::Never)
        );
        // The last one wins; after `--` nothing is an option.
        assert_eq!(
            settings(&[
                "cargo-powertools",
                "--color",
                "never",
                "--color",
                "always",
                "--",
                "--message-format=json"
            ]),
            (MessageFormat::Human, Color::Always)
        );
    }
}
