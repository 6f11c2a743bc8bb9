//! The error every operation returns, with a "help" line for the fix and a defined exit status.
use crate::arch::Arch;
use crate::archive::ArchiveError;
use crate::build::BuildError;
use crate::include::IncludeError;
use crate::invoke::InvokeError;
use crate::openapi::OpenApiError;
use crate::plan::PlanError;
use crate::workspace::WorkspaceError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Include(#[from] IncludeError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(
        "`{function}` for {arch} unzips to {unzipped_size} bytes, over Lambda's 262,144,000-byte (250 MB) limit for unzipped code"
    )]
    TooLarge {
        function: String,
        arch: Arch,
        unzipped_size: u64,
    },
    #[error(
        "verification found {errors} problem(s) in the packaged zip(s); the output directory was left as it was"
    )]
    VerifyFailed { errors: usize },
    #[error("verification found {errors} problem(s) in {artifacts} artifact(s)")]
    Unverified { errors: usize, artifacts: usize },
    #[error(transparent)]
    Invoke(#[from] InvokeError),
    #[error("could not parse {} as TOML: {message}", .path.display())]
    Init { path: PathBuf, message: String },
    #[error("`{key}` in {} is not a table, so init cannot add settings under it", .path.display())]
    InitNotATable { path: PathBuf, key: String },
    #[error("{recipe} cannot run here: {missing}")]
    DoctorFailed { recipe: String, missing: String },
    #[error("no manifest at {}", .path.display())]
    NoManifest { path: PathBuf },
    #[error(transparent)]
    OpenApi(#[from] OpenApiError),
    #[error("could not read {}", .path.display())]
    ReadManifest {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write {}", .path.display())]
    WriteManifest {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not read the event file {}", .path.display())]
    ReadEvent {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write {}", .path.display())]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// One line on how to fix it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Workspace(err) => err.help(),
            Error::Plan(err) => err.help(),
            Error::Include(err) => err.help(),
            Error::Build(err) => err.help(),
            Error::Archive(err) => err.help(),
            Error::TooLarge { .. } => Some(
                "shrink the binary (strip = true, opt-level = \"z\", lto = true in the release profile), drop large `include` files, or ship them as a layer or a container image".into(),
            ),
            Error::VerifyFailed { .. } => Some(
                "fix what is reported above; `--no-verify` writes the zips without these checks".into(),
            ),
            Error::Unverified { .. } => Some("fix what is reported above, then package and verify again".into()),
            Error::Invoke(err) => err.help(),
            Error::Init { .. } => Some("fix the TOML error, then run `cargo powertools init` again".into()),
            Error::InitNotATable { key, .. } => Some(format!(
                "make `{key}` a table (`[{key}]`), or add the settings by hand (docs/profile.md lists them)"
            )),
            Error::DoctorFailed { .. } => Some("run the `fix:` commands above, then `cargo powertools doctor` again".into()),
            Error::NoManifest { .. } => Some(
                "run `cargo powertools package` first, or name the zips or manifest to check: `cargo powertools verify PATH...`".into(),
            ),
            Error::OpenApi(err) => err.help(),
            Error::ReadManifest { .. } => Some("check that the workspace's Cargo.toml exists and is readable".into()),
            Error::WriteManifest { .. } => Some("check that Cargo.toml and its folder are writable".into()),
            Error::ReadEvent { .. } => Some("`--event` takes a JSON file: check its path and that it is readable".into()),
            Error::Output { .. } => Some("check that the output directory (`--out-dir`) is writable".into()),
        }
    }

    pub fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failure
    }
}

/// The process exit status, as documented in the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was packaged.
    Success = 0,
    /// Bad input, a failed build or an unwritable output: nothing in the output directory changed.
    Failure = 1,
    /// The command line itself was wrong (reported by clap).
    Usage = 2,
}
