//! Files as zip entries: the installed dependencies, and the project's own code.
use super::{PythonError, PythonFunction};
use crate::archive::{self, Entry};
use crate::include::{self, IncludeError};
use std::path::Path;

/// Names of folders and files that never belong in a function's zip, wherever they are in the
/// project: what SAM's Python builder leaves out (version control, caches, virtualenvs, editor
/// settings), plus tests and build output (Rust's `target`, `dist`, `build`, this tool's own
/// output). Everything else in the project folder is zipped, as `sam build` does, so data files
/// read at import (`products.json`) are there on Lambda.
const NEVER_ZIPPED: [&str; 29] = [
    ".git",
    ".hg",
    ".svn",
    ".gitignore",
    ".aws-sam",
    ".chalice",
    ".powertools",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".cache",
    "htmlcov",
    ".coverage",
    ".idea",
    ".vscode",
    ".python-version",
    ".DS_Store",
    "node_modules",
    "tests",
    "test",
    "dist",
    "build",
    "target",
    "cdk.out",
];
/// Endings of names never zipped: bytecode compiled for the build machine's Python, and metadata
/// of a project installed in development mode.
const NEVER_ZIPPED_ENDINGS: [&str; 3] = [".pyc", ".pyo", ".egg-info"];

/// Whether a folder or file of the project stays out of the zip by default: by its name, or,
/// for a folder, because it is an output directory of this tool (it holds `.powertools`, so
/// the zips of the previous run and the work files of this one are never zipped into the next)
/// or a virtualenv under any name (it holds `pyvenv.cfg`).
fn never_zipped(entry: &walkdir::DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    if NEVER_ZIPPED.contains(&name.as_ref())
        || NEVER_ZIPPED_ENDINGS.iter().any(|end| name.ends_with(end))
    {
        return true;
    }
    entry.file_type().is_dir()
        && (entry.path().join(crate::output::STATE_DIR).exists()
            || entry.path().join("pyvenv.cfg").is_file())
}

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

/// A walk error as the user can act on it: a link loop names the link.
fn walk_error(function: &PythonFunction, err: walkdir::Error) -> PythonError {
    let path = err.path().map(Path::to_path_buf).unwrap_or_default();
    if err.loop_ancestor().is_some() {
        return PythonError::LinkLoop {
            name: function.name.clone(),
            link: path,
        };
    }
    PythonError::Io {
        path,
        source: std::io::Error::other(err.to_string()),
    }
}

/// Checks a function's own files before anything is installed, so that a file outside the
/// workspace or a credential is refused at once: what [`own_code_entries`] would zip.
pub fn check_own_code(function: &PythonFunction, workspace_root: &Path) -> Result<(), PythonError> {
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

/// The project's own files: its `include` globs, or everything in the project folder except what
/// [`never_zipped`] leaves out and credential-looking files (unless `allow-secrets` names them).
/// Links are followed inside the workspace only, and a link loop is an error.
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
    let mut entries = Vec::new();
    let walk = walkdir::WalkDir::new(&function.project)
        .follow_links(true)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !never_zipped(entry));
    for item in walk {
        let item = item.map_err(|err| walk_error(function, err))?;
        if !item.file_type().is_file() {
            continue;
        }
        let path = item.path();
        let relative = path.strip_prefix(&function.project).unwrap_or(path);
        let name = archive::zip_name(relative);
        // A link must not bring in a file from outside, as in a Rust include.
        let real = path.canonicalize().map_err(|source| PythonError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if !real.starts_with(&inside) {
            return Err(PythonError::LinkOutside {
                name: function.name.clone(),
                link: path.to_path_buf(),
                target: real,
                boundary: inside,
            });
        }
        // Credential-looking files are left out unless `allow-secrets` names them; only an
        // explicit `include` that matches one is an error.
        if secrets.refused(&name, path).is_some() {
            continue;
        }
        entries.push(entry_for(path, format!("{prefix}{name}"))?);
    }
    entries.sort();
    entries.dedup();
    Ok(entries)
}
