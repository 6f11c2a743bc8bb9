//! Errors from packaging a Python function, with the fix for each.
use crate::arch::{Arch, PYTHON_MINORS};
use crate::process::ProcessError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PythonError {
    #[error("`python = \"{value}\"` for `{name}` in {} is not a Python version Lambda runs", .declared_in.display())]
    BadVersion {
        name: String,
        value: String,
        declared_in: PathBuf,
    },
    #[error("`{name}` in {} has no `handler`", .declared_in.display())]
    MissingHandler { name: String, declared_in: PathBuf },
    #[error("the Python project {} does not exist", .path.display())]
    MissingProject { path: PathBuf },
    #[error("{} has no {lock}, which recipe `{recipe}` installs from", .project.display())]
    MissingLock {
        project: PathBuf,
        lock: String,
        recipe: String,
    },
    #[error("`requires-python = \"{requires}\"` in {} does not allow Python {python}", .pyproject.display())]
    PythonVersion {
        pyproject: PathBuf,
        requires: String,
        python: String,
    },
    #[error(
        "`{package}` has no binary wheel for {platform} and Python {python}: only a source distribution, which would be built for this machine instead of Lambda's"
    )]
    SdistOnly {
        package: String,
        platform: String,
        python: String,
    },
    #[error("{step} for `{name}` ({arch}) failed")]
    Step {
        step: &'static str,
        name: String,
        arch: Arch,
        #[source]
        source: ProcessError,
    },
    #[error("`{name}` has no Python version: pass `--python-version 3.x` or write it to {}", .project.join(".python-version").display())]
    NoVersion { name: String, project: PathBuf },
    #[error("{} is not a Python project folder (no pyproject.toml or requirements.txt)", .path.display())]
    NotAProject { path: PathBuf },
    #[error("`{output}` was not written by `{command}`")]
    MissingOutput { command: String, output: PathBuf },
    #[error(transparent)]
    Include(#[from] crate::include::IncludeError),
    #[error("could not read or write {}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl PythonError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            PythonError::Include(err) => return err.help(),
            PythonError::BadVersion { .. } => format!(
                "write a version Lambda has a runtime for, python = \"3.{}\" to \"3.{}\"",
                PYTHON_MINORS.start(),
                PYTHON_MINORS.end()
            ),
            PythonError::MissingHandler { .. } => {
                "add `handler = \"module.function\"` (e.g. \"app.handler\"), or `layer = true` for a layer".into()
            }
            PythonError::MissingProject { .. } | PythonError::NotAProject { .. } => {
                "point `path` (or `--python`) at the folder holding pyproject.toml and its lock file".into()
            }
            PythonError::MissingLock { lock, .. } => format!(
                "create the lock file: {} (the recipe installs exactly what it pins)",
                match lock.as_str() {
                    "uv.lock" => "`uv lock`",
                    "poetry.lock" => "`poetry lock`",
                    _ => "`uv pip compile pyproject.toml -o requirements.txt` (or pip-compile)",
                }
            ),
            PythonError::PythonVersion { .. } => {
                "package for a Python version the project allows, or widen `requires-python` and lock again".into()
            }
            PythonError::SdistOnly { package, .. } => format!(
                "pin a version of `{package}` that publishes manylinux2014 wheels (or a `-binary` variant, e.g. psycopg2-binary), choose a Python version it has wheels for, or build the wheel for Lambda yourself and install it from a local index"
            ),
            PythonError::Step { .. } => "fix the problem the tool printed above".into(),
            PythonError::NoVersion { .. } => "e.g. `cargo powertools package --python path --python-version 3.12`".into(),
            PythonError::MissingOutput { .. } | PythonError::Io { .. } => return None,
        })
    }
}
