//! Errors from packaging a Python function, with the fix for each.
use crate::model::{Arch, PYTHON_MINORS, PythonVersion};
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
    #[error("{} in the project folder of `{name}` is a link to {}, which is outside {}", .link.display(), .target.display(), .boundary.display())]
    LinkOutside {
        name: String,
        link: PathBuf,
        target: PathBuf,
        boundary: PathBuf,
    },
    #[error("{} in the project folder of `{name}` is a link into a folder that holds it (a loop)", .link.display())]
    LinkLoop { name: String, link: PathBuf },
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
    #[error("`requires-python = \"{requires}\"` in {} is not a PEP 440 version specifier: {message}", .pyproject.display())]
    RequiresPython {
        pyproject: PathBuf,
        requires: String,
        message: String,
    },
    #[error(
        "`{package}` has no binary wheel for {platform} and Python {python}: only a source distribution, which would be built for this machine instead of Lambda's"
    )]
    SdistOnly {
        package: String,
        platform: String,
        python: String,
    },
    #[error("{} names `{missing_display}`, which does not exist (`{line}`)", .file.display(), missing_display = .missing.display())]
    MissingRequirementsFile {
        file: PathBuf,
        line: String,
        option: String,
        missing: PathBuf,
    },
    #[error("{} has a line that is not a requirement: `{line}` ({problem})", .file.display())]
    BadRequirement {
        file: PathBuf,
        line: String,
        problem: String,
    },
    #[error("`{requirement}`: `{package}` has no such version (the index has {})", .latest.join(", "))]
    NoSuchVersion {
        requirement: String,
        package: String,
        /// The newest versions the index has, newest first.
        latest: Vec<String>,
    },
    #[error("`{package}` is not a package on the index (`{requirement}`)")]
    NoSuchPackage {
        requirement: String,
        package: String,
    },
    #[error(
        "`{package}` {version} has wheels for Python {python} only for a newer glibc than python{python}'s: it publishes `{tags}` (glibc 2.{glibc} or later), and python{python} runs on glibc {}.{}",
        .python.glibc().0, .python.glibc().1
    )]
    NewerGlibc {
        package: String,
        version: String,
        tags: String,
        glibc: u32,
        python: PythonVersion,
        /// The oldest Python runtime whose glibc loads the wheel.
        taker: Option<PythonVersion>,
    },
    #[error(
        "`{package}` {version} has wheels for Python {python} only for `{tags}` (glibc 2.{glibc}), which python{python} loads (glibc {}.{}) but recipe `{recipe}` cannot ask for",
        .python.glibc().0, .python.glibc().1
    )]
    InstallerPlatform {
        package: String,
        version: String,
        tags: String,
        glibc: u32,
        python: PythonVersion,
        recipe: String,
    },
    #[error("the dependencies installed for `{name}` ({arch}) by recipe `{recipe}` are incomplete: Lambda would fail with Runtime.ImportModuleError\n  {}", .gaps.join("\n  "))]
    IncompleteClosure {
        name: String,
        arch: Arch,
        recipe: String,
        gaps: Vec<String>,
    },
    #[error("`handler = \"{handler}\"` for `{name}` in {} is not `module.function`", .declared_in.display())]
    BadHandler {
        name: String,
        handler: String,
        declared_in: PathBuf,
    },
    #[error("no `{module}` for the handler `{handler}` in {}: Lambda would fail with Runtime.ImportModuleError", .project.display())]
    HandlerModule {
        handler: String,
        module: String,
        project: PathBuf,
    },
    #[error("{} defines no `{function}` for the handler `{handler}`: Lambda would fail with Runtime.HandlerNotFound", .file.display())]
    HandlerFunction {
        handler: String,
        function: String,
        file: PathBuf,
    },
    #[error("{step} for `{name}` ({arch}) failed")]
    Step {
        step: &'static str,
        name: String,
        arch: Arch,
        #[source]
        source: ProcessError,
    },
    #[error("`{name}` has no Python version: {} has no .python-version, and no pyproject.toml with `requires-python`", .project.display())]
    NoVersion { name: String, project: PathBuf },
    #[error("`{name}` in {} runs with the layer `{layer}`, which is not a Python layer declared there", .declared_in.display())]
    UnknownLayer {
        name: String,
        layer: String,
        declared_in: PathBuf,
        known: Vec<String>,
    },
    #[error("`{name}` in {} runs on {arch} with the layer `{layer}`, which is not packaged for {arch}", .declared_in.display())]
    LayerArchitecture {
        name: String,
        layer: String,
        arch: Arch,
        declared_in: PathBuf,
    },
    #[error("unknown key `{key}` in {} of {}", shown(.table), .file.display())]
    UnknownKey {
        file: PathBuf,
        table: String,
        key: String,
        allowed: Vec<String>,
    },
    #[error("invalid `{key}` in {} of {}: {message}", shown(.table), .file.display())]
    BadValue {
        file: PathBuf,
        table: String,
        key: String,
        message: String,
    },
    #[error("{} is not a Python project folder (no pyproject.toml or requirements.txt)", .path.display())]
    NotAProject { path: PathBuf },
    #[error("`{output}` was not written by `{command}`")]
    MissingOutput { command: String, output: PathBuf },
    #[error(transparent)]
    Include(#[from] crate::include::IncludeError),
    #[error("`{name}` has `bytecode = true`, and no CPython {python} runs on this machine to compile it for {}", .python.runtime())]
    NoBytecodeCompiler {
        name: String,
        python: PythonVersion,
        declared_in: PathBuf,
    },
    #[error("compiling bytecode with {} failed", .interpreter.display())]
    Bytecode {
        python: PythonVersion,
        interpreter: PathBuf,
        #[source]
        source: ProcessError,
    },
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
            PythonError::LinkOutside { .. } => {
                "copy the file into the project instead of linking to it, or remove the link; files outside the workspace are never zipped".into()
            }
            PythonError::LinkLoop { .. } => {
                "remove the link: following it would zip the same files again and again".into()
            }
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
            PythonError::RequiresPython { .. } => {
                "write it as comma-separated clauses such as `>=3.11,<3.14` or `~=3.12`".into()
            }
            PythonError::NewerGlibc { package, taker, .. } => match taker {
                Some(taker) => format!(
                    "use python{taker} or later (glibc {}.{}, which loads these wheels), or pin an older `{package}` that publishes wheels for an older manylinux",
                    taker.glibc().0,
                    taker.glibc().1
                ),
                None => format!("pin an older `{package}` that publishes wheels for an older manylinux"),
            },
            PythonError::InstallerPlatform { python, .. } => format!(
                "package it with `--recipe pip` (or poetry), which asks for every manylinux tag up to python{python}'s glibc (uv names no platform between manylinux_2_17 and manylinux_2_28), or use python3.12 or later"
            ),
            PythonError::IncompleteClosure { .. } => {
                "lock again so the lock holds every dependency (`uv lock`, `poetry lock`, `uv pip compile`), or use a recipe that resolves; a distribution the runtime or a layer provides can be listed in `exclude`".into()
            }
            PythonError::BadHandler { .. } => {
                "write `handler = \"module.function\"`, e.g. \"app.handler\"".into()
            }
            PythonError::HandlerModule { .. } => {
                "put the module in the project folder (everything in it is zipped except tests, virtualenvs, caches and build output, or what `include` names), or fix `handler`".into()
            }
            PythonError::HandlerFunction { .. } => {
                "define the function at the module's top level (`def handler(event, context):`), or fix `handler`".into()
            }
            PythonError::MissingRequirementsFile { option, .. } => format!(
                "a path after `{option}` is relative to the file that names it: fix the path, or create the file"
            ),
            PythonError::BadRequirement { .. } => {
                "write a requirement as pip reads it: `name==1.2.3`, `name>=1,<2 ; python_version < \"3.12\"`, an option such as `-r other.txt`, or a path such as `./libs/name`".into()
            }
            PythonError::NoSuchVersion { package, latest, .. } => format!(
                "pin a version `{package}` publishes{}",
                latest.first().map(|v| format!(", e.g. `{package}=={v}`")).unwrap_or_default()
            ),
            PythonError::NoSuchPackage { .. } => {
                "check the name's spelling on the index (https://pypi.org), or add the index that hosts it (`--extra-index-url` in the requirements file)".into()
            }
            PythonError::SdistOnly { package, .. } => format!(
                "pin a version of `{package}` that publishes manylinux wheels (or a `-binary` variant, e.g. psycopg2-binary), choose a Python version it has wheels for, or build the wheel for Lambda yourself and install it from a local index"
            ),
            PythonError::Step { .. } => "fix the problem the tool printed above".into(),
            PythonError::NoVersion { .. } => format!(
                "say which Python Lambda runs it with: `python = \"3.{}\"` in its table (or `[defaults]`), `--python-version 3.{}` with `--python`, or `uv python pin 3.{}` in the project",
                PYTHON_MINORS.end() - 1,
                PYTHON_MINORS.end() - 1,
                PYTHON_MINORS.end() - 1
            ),
            PythonError::UnknownLayer { layer, known, .. } => format!(
                "declare it beside the function (`[layers.{layer}]` with its `path` in powertools.toml, a Python table with `layer = true` in Cargo.toml){}",
                if known.is_empty() {
                    String::new()
                } else {
                    format!(", or name one of its layers: {}", known.join(", "))
                }
            ),
            PythonError::LayerArchitecture { arch, .. } => format!(
                "add {arch} to the layer's `architectures`, or take it out of the function's"
            ),
            PythonError::UnknownKey { table, allowed, .. } => {
                format!("the keys of {} are: {}", shown(table), allowed.join(", "))
            }
            PythonError::BadValue { key, table, .. } => {
                format!("fix `{key}` in {} (e.g. python = \"3.13\", architectures = [\"x86_64\", \"arm64\"], handler = \"app.handler\")", shown(table))
            }
            PythonError::NoBytecodeCompiler {
                name,
                python,
                declared_in,
            } => format!(
                "install CPython {python} so that `python{python}` runs (`uv python install {python}`, `pyenv install {python}`, or your distribution's package): a .pyc is only imported by the Python version that wrote it; or set `bytecode = false` for `{name}` in {}",
                declared_in.display()
            ),
            PythonError::Bytecode { python, .. } => format!(
                "the CPython {python} found could not run the compiler (the output above says why); install a working one, or set `bytecode = false`"
            ),
            PythonError::MissingOutput { .. } | PythonError::Io { .. } => return None,
        })
    }
}

/// A table's name in a message: `[functions.orders]` in backticks, a phrase ("the top level") as is.
fn shown(table: &str) -> String {
    if table.starts_with('[') {
        format!("`{table}`")
    } else {
        table.to_string()
    }
}
