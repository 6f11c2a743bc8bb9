//! The command line, as clap types.
use cargo_powertools::arch::Arch;
use cargo_powertools::shell::MessageFormat;
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every Lambda function and extension of the workspace and zip each one per architecture.
    Package(PackageArgs),
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
    /// `json`: one JSON object per line on stdout (artifacts, skipped binaries, warnings, the result).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
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

/// `cargo powertools ...` runs `cargo-powertools powertools ...`; drop that extra word so the
/// binary also works when called directly.
pub fn args_without_cargo_subcommand(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "powertools") {
        args.remove(1);
    }
    args
}
