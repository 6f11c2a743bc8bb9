//! Files as zip entries: the installed dependencies, and the project's own code.
use super::{PythonError, PythonFunction};
use crate::archive::{self, Entry};
use crate::include::{self, IncludeError};
use std::path::Path;

/// Own-code globs when a function names none.
const DEFAULT_INCLUDE: [&str; 1] = ["**/*.py"];
/// Folders whose files are never the function's own code.
const NOT_OWN_CODE: [&str; 12] = [
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "tests",
    "test",
    ".git",
    "node_modules",
    "dist",
    "build",
    ".pytest_cache",
];

fn entry_for(path: &Path, name: String) -> Result<Entry, PythonError> {
    Entry::from_file(path.to_path_buf(), name).map_err(|source| PythonError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Every file under `dir`, named relative to `base` with `prefix` in front.
pub(super) fn files_as_entries(
    dir: &Path,
    base: &Path,
    prefix: &str,
) -> Result<Vec<Entry>, PythonError> {
    let mut entries = Vec::new();
    for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let item = item.map_err(|e| PythonError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        if item.file_type().is_file() {
            let relative = item.path().strip_prefix(base).unwrap_or(item.path());
            let name = archive::zip_name(relative);
            entries.push(entry_for(item.path(), format!("{prefix}{name}"))?);
        }
    }
    Ok(entries)
}

/// A Python `include` follows the Rust rules ([`include::resolve`]): globs relative to the project
/// folder, directories with everything under them, a pattern that matches nothing is an error, and
/// every file must lie inside the workspace (or inside the project folder, for a project kept
/// outside the Cargo workspace), symlinks resolved.
fn custom_include(
    function: &PythonFunction,
    patterns: &[String],
    workspace_root: &Path,
    secrets: &include::Secrets,
) -> Result<Vec<Entry>, IncludeError> {
    include::resolve(
        patterns,
        &function.project,
        &boundary(function, workspace_root),
        &function.declared_in,
        "",
        secrets,
    )
}

/// Checks a function's own files before anything is installed, so that a file outside the
/// workspace or a credential is refused at once: what [`own_code_entries`] would zip.
pub fn check_own_code(function: &PythonFunction, workspace_root: &Path) -> Result<(), PythonError> {
    if function.layer && function.include.is_none() {
        return Ok(());
    }
    own_code_entries(function, workspace_root, "").map(drop)
}

/// What a project's files must lie inside: the workspace, or the project folder when that lies
/// outside the workspace; canonical, so that symlinks are resolved before comparing.
fn boundary(function: &PythonFunction, workspace_root: &Path) -> std::path::PathBuf {
    let canonical = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let (project, root) = (canonical(&function.project), canonical(workspace_root));
    if project.starts_with(&root) {
        root
    } else {
        project
    }
}

/// The project's own files: its `include` globs, or every `*.py` outside virtualenvs, tests and caches.
/// Files that look like credentials are refused unless `allow-secrets` names them.
pub(super) fn own_code_entries(
    function: &PythonFunction,
    workspace_root: &Path,
    prefix: &str,
) -> Result<Vec<Entry>, PythonError> {
    let secrets = include::Secrets::new(&function.allow_secrets);
    if let Some(patterns) = &function.include {
        return Ok(
            custom_include(function, patterns, workspace_root, &secrets)?
                .into_iter()
                .map(|mut entry| {
                    entry.name = format!("{prefix}{}", entry.name);
                    entry
                })
                .collect(),
        );
    }
    let inside = boundary(function, workspace_root);
    let custom = function.include.clone();
    let patterns: Vec<String> = custom
        .clone()
        .unwrap_or_else(|| DEFAULT_INCLUDE.iter().map(|s| s.to_string()).collect());
    let mut entries = Vec::new();
    for pattern in &patterns {
        let full = function.project.join(pattern);
        for path in glob::glob(&full.to_string_lossy())
            .into_iter()
            .flatten()
            .flatten()
        {
            let relative = path
                .strip_prefix(&function.project)
                .unwrap_or(&path)
                .to_path_buf();
            let skipped = custom.is_none()
                && relative
                    .components()
                    .any(|c| NOT_OWN_CODE.contains(&c.as_os_str().to_string_lossy().as_ref()));
            if path.is_file() && !skipped {
                let name = archive::zip_name(&relative);
                // A symlinked `*.py` must not bring in a file from outside, as in a Rust include.
                let real = path.canonicalize().map_err(|source| PythonError::Io {
                    path: path.clone(),
                    source,
                })?;
                if !real.starts_with(&inside) {
                    return Err(IncludeError::OutsideWorkspace {
                        manifest: function.declared_in.clone(),
                        pattern: pattern.clone(),
                        path: real,
                        root: inside,
                    }
                    .into());
                }
                if let Some(looks_like) = secrets.refused(&name) {
                    return Err(include::IncludeError::Secret {
                        manifest: function.declared_in.clone(),
                        pattern: pattern.clone(),
                        name,
                        looks_like,
                    }
                    .into());
                }
                entries.push(entry_for(&path, format!("{prefix}{name}"))?);
            }
        }
    }
    entries.sort();
    entries.dedup();
    Ok(entries)
}
