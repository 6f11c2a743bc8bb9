//! The one error every operation returns: a variant per domain (each module's own error type) plus
//! the few errors of the operations themselves, each with a `help:` line for its fix, and the
//! process exit status derived from it. `main` prints it once (through [`crate::shell::Shell`]) and
//! returns the status; nothing in the library exits the process.
use crate::archive::ArchiveError;
use crate::build::BuildError;
use crate::include::IncludeError;
use crate::invoke::InvokeError;
use crate::model::{Arch, Day, Lifecycle, Runtime};
use crate::openapi::OpenApiError;
use crate::output::OutputError;
use crate::plan::PlanError;
use crate::python::PythonError;
use crate::recipe::RecipeError;
use crate::workspace::WorkspaceError;
use std::path::PathBuf;

// One transparent variant per domain's error type, so each keeps its own text and help.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Ctrl-C, SIGTERM or SIGHUP arrived: every program the command had started was stopped.
    #[error("interrupted: every program it started was stopped")]
    Interrupted,
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Load(#[from] crate::loaders::LoadError),
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Include(#[from] IncludeError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Python(#[from] PythonError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Invoke(#[from] InvokeError),
    #[error(transparent)]
    Init(#[from] InitError),
    #[error(transparent)]
    OpenApi(#[from] OpenApiError),
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
    OutDir(#[from] OutputError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    #[error(transparent)]
    Merge(Box<MergeError>),
    #[error("{recipe} cannot run here: {missing}")]
    DoctorFailed { recipe: String, missing: String },
    #[error("no manifest at {}", .path.display())]
    NoManifest { path: PathBuf },
    #[error("could not read the event file {}", .path.display())]
    ReadEvent {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the event file {} is not JSON: {message}", .path.display())]
    BadEvent { path: PathBuf, message: String },
    #[error("the event file {} holds {size} bytes, over Lambda's 6,291,456-byte (6 MB) limit for an invocation's payload", .path.display())]
    EventTooLarge { path: PathBuf, size: u64 },
    #[error("`--function {name}` names no function of the artifacts checked ({})", if .known.is_empty() { "there are none".to_string() } else { .known.join(", ") })]
    UnknownFunction { name: String, known: Vec<String> },
    #[error("`--invoke` ran no function: every one was skipped (see above)")]
    NothingInvoked,
    #[error("could not write {}", .path.display())]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{runtime} is past its block-update date ({}): Lambda refuses new code for {functions} (today is {today})",
        .lifecycle.describe()
    )]
    RuntimeBlocked {
        runtime: Runtime,
        lifecycle: Lifecycle,
        /// The artifacts on it, e.g. "`orders-py`".
        functions: String,
        today: Day,
    },
    #[error("`{variable}={value}` is not a day (YYYY-MM-DD)")]
    BadToday {
        variable: &'static str,
        value: String,
    },
}

/// `cargo powertools merge`'s own errors: a shard that cannot be read, was changed, or conflicts.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("could not read the shard manifest {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a manifest of `cargo powertools package`: {message}", .path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{}: {zip} does not match its manifest: {problem}", .shard.display())]
    Mismatch {
        shard: PathBuf,
        zip: String,
        problem: String,
    },
    /// `first` and `second`: each shard's path and the zip's SHA-256 in it.
    #[error("`{function}` for {arch} is in two shards with different zips: {first} and {second}")]
    Conflict {
        function: String,
        arch: String,
        first: String,
        second: String,
    },
}

impl MergeError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            MergeError::Read { .. } | MergeError::Parse { .. } => {
                "name each shard's output directory (or its manifest.json) as `package --out-dir` wrote it".into()
            }
            MergeError::Mismatch { .. } => {
                "the shard was changed or damaged after `package` wrote it: package that shard again".into()
            }
            MergeError::Conflict { .. } => {
                "the same function was packaged twice from different sources or settings: package both shards from the same commit, or give each shard its own `--shard K/N` or `--arch`".into()
            }
        })
    }
}

impl From<MergeError> for Error {
    fn from(err: MergeError) -> Error {
        Error::Merge(Box::new(err))
    }
}

/// `cargo powertools init`'s own errors: the workspace's Cargo.toml it edits. Its read and write
/// variants look like `Error::ReadEvent` and `Error::Output` but not their help: each says how to
/// fix its own cause.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("could not read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not parse {} as TOML: {message}", .path.display())]
    Parse { path: PathBuf, message: String },
    #[error("`{key}` in {} is not a table, so init cannot add settings under it", .path.display())]
    NotATable { path: PathBuf, key: String },
    #[error("could not write {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl InitError {
    pub fn help(&self) -> String {
        match self {
            InitError::Read { .. } => {
                "check that the workspace's Cargo.toml exists and is readable".into()
            }
            InitError::Parse { .. } => {
                "fix the TOML error, then run `cargo powertools init` again".into()
            }
            InitError::NotATable { key, .. } => format!(
                "make `{key}` a table (`[{key}]`), or add the settings by hand (docs/profile.md lists them)"
            ),
            InitError::Write { .. } => "check that Cargo.toml and its folder are writable".into(),
        }
    }
}

impl Error {
    /// One line on how to fix it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Interrupted => None,
            Error::Workspace(err) => err.help(),
            Error::Load(err) => err.help(),
            Error::Recipe(err) => err.help(),
            Error::Plan(err) => err.help(),
            Error::Include(err) => err.help(),
            Error::Build(err) => err.help(),
            Error::Python(err) => err.help(),
            Error::Archive(err) => err.help(),
            Error::Invoke(err) => err.help(),
            Error::Init(err) => Some(err.help()),
            Error::OpenApi(err) => err.help(),
            Error::TooLarge { .. } => Some(
                "shrink the binary (strip = true, opt-level = \"z\", lto = true in the release profile), drop large `include` files, or ship them as a layer or a container image".into(),
            ),
            Error::VerifyFailed { .. } => Some(
                "fix what is reported above; `--no-verify` writes the zips without these checks".into(),
            ),
            Error::Unverified { .. } => Some("fix what is reported above, then package and verify again".into()),
            Error::OutDir(err) => err.help(),
            Error::Cache(err) => err.help(),
            Error::Merge(err) => err.help(),
            Error::DoctorFailed { .. } => Some("run the `fix:` commands above, then `cargo powertools doctor` again".into()),
            Error::NoManifest { .. } => Some(
                "run `cargo powertools package` first, or name the zips or manifest to check: `cargo powertools verify PATH...`".into(),
            ),
            Error::ReadEvent { .. } => Some("`--event` takes a JSON file: check its path and that it is readable".into()),
            Error::BadEvent { .. } => Some("Lambda sends JSON events: fix the file (`python3 -m json.tool FILE` shows where), or pass another with `--event`".into()),
            Error::EventTooLarge { .. } => Some("Lambda refuses larger payloads (`RequestEntityTooLargeException`): send a smaller event, or put the data in S3 and send its key".into()),
            Error::UnknownFunction { .. } => Some("pass one of the names listed, or leave out `--function` to invoke every function".into()),
            Error::NothingInvoked => Some("a CI smoke test should run something: install what the skipped lines name, or pass `--allow-skipped` if skipping is expected".into()),
            Error::Output { .. } => Some("check that the output directory (`--out-dir`) is writable".into()),
            Error::RuntimeBlocked { runtime, .. } => Some(format!(
                "move to {} (set `runtime`, or `python` for a Python function), or pass `--allow-deprecated` to package for {runtime} anyway",
                runtime.successor()
            )),
            Error::BadToday { variable, .. } => Some(format!("set `{variable}` to a day such as 2026-12-07, or unset it")),
        }
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Interrupted | Error::Invoke(InvokeError::Interrupted) => ExitStatus::Interrupted,
            _ => ExitStatus::Failure,
        }
    }
}

/// The process exit status, as documented in the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done (and for `doctor`, everything needed is here).
    Success = 0,
    /// Bad input, a failed build or check, an unwritable output: nothing in the output directory
    /// changed.
    Failure = 1,
    /// The command line itself was wrong (reported by clap).
    Usage = 2,
    /// Stopped by Ctrl-C or SIGTERM, after stopping every process it had started.
    Interrupted = 130,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status as u8)
    }
}
