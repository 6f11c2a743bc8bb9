//! A Python function or layer as configured: its project folder, Python version and Lambda
//! runtime, handler and architectures, from the workspace's metadata or `--python PATH`.
use super::{PythonError, detect, tool_table};
use crate::config::PythonConfig;
use crate::model::{Arch, Kind, PythonVersion, manylinux_tags};
use pep508_rs::pep440_rs::{Version, VersionSpecifiers};
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Clone, Debug, PartialEq)]
pub struct PythonFunction {
    pub name: String,
    /// The project folder.
    pub project: PathBuf,
    /// The project folder relative to the workspace root (for Pants addresses).
    pub project_rel: String,
    /// Configured recipe; `None` means uv (or `--recipe`).
    pub recipe: Option<String>,
    /// Its runtime is `python<python>`.
    pub python: PythonVersion,
    pub handler: Option<String>,
    pub architectures: Vec<Arch>,
    pub layer: bool,
    pub exclude: Vec<String>,
    /// `None`: the default own-code globs.
    pub include: Option<Vec<String>>,
    /// Credential-looking project files zipped after all, by path relative to the project.
    pub allow_secrets: Vec<String>,
    /// Where it is declared, for messages.
    pub declared_in: PathBuf,
    /// The layers it runs with, by name (Python layers of the same configuration).
    pub layers: Vec<String>,
    /// Why `recipe` and `python` are what they are when the project folder said so, not the
    /// configuration: `found uv.lock`, `from .python-version` (for the status line).
    pub recipe_found: Option<String>,
    pub python_found: Option<String>,
    /// Environment variables it runs with (a SAM template's literal `Environment.Variables`).
    pub environment: std::collections::BTreeMap<String, String>,
    /// Its `.py` files are zipped with their `.pyc`, compiled for its runtime's CPython.
    pub bytecode: bool,
}

impl PythonFunction {
    pub fn kind(&self) -> Kind {
        if self.layer {
            Kind::Layer
        } else {
            Kind::Function
        }
    }

    /// The range of wheel platform tags its dependencies are installed from for `arch`, as the
    /// manifest's `target` says it: `manylinux_2_5..manylinux_2_34_x86_64` (every manylinux tag whose
    /// glibc the runtime has).
    pub fn platform(&self, arch: Arch) -> String {
        let tags = manylinux_tags(self.python, arch);
        let newest = &tags[0];
        format!("manylinux_2_5..{newest}")
    }
}

/// A function declared in `[workspace.metadata.powertools.python.<name>]` or powertools.toml, with
/// its defaults already applied: what the table leaves unset of the recipe and the Python version
/// comes from the project folder ([`detect`]).
pub fn from_config(
    name: &str,
    config: &PythonConfig,
    root: &Path,
    declared_in: &Path,
) -> Result<PythonFunction, PythonError> {
    let project = root.join(&config.path);
    if !project.is_dir() {
        return Err(PythonError::MissingProject { path: project });
    }
    let (version, python_found) = match &config.python {
        Some(python) => (python.clone(), None),
        None => {
            let found = detect::python(&project).ok_or_else(|| PythonError::NoVersion {
                name: name.to_string(),
                project: project.clone(),
            })?;
            (found.value, Some(found.because))
        }
    };
    let python = version
        .parse::<PythonVersion>()
        .map_err(|_| PythonError::BadVersion {
            name: name.to_string(),
            value: version.clone(),
            declared_in: declared_in.to_path_buf(),
        })?;
    if config.handler.is_none() && !config.layer {
        return Err(PythonError::MissingHandler {
            name: name.to_string(),
            declared_in: declared_in.to_path_buf(),
        });
    }
    let (recipe, recipe_found) = match &config.recipe {
        Some(recipe) => (Some(recipe.clone()), None),
        None => match detect::recipe(&project) {
            Some(found) => (Some(found.value), Some(found.because)),
            None => (None, None),
        },
    };
    Ok(PythonFunction {
        name: name.to_string(),
        project,
        project_rel: config
            .path
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string(),
        recipe,
        python,
        handler: config.handler.clone(),
        architectures: config
            .architectures
            .clone()
            .unwrap_or_else(|| Arch::ALL.to_vec()),
        layer: config.layer,
        exclude: config.exclude.clone().unwrap_or_default(),
        include: config.include.clone(),
        allow_secrets: config.allow_secrets.clone().unwrap_or_default(),
        declared_in: declared_in.to_path_buf(),
        layers: config.layers.clone().unwrap_or_default(),
        recipe_found,
        python_found,
        environment: Default::default(),
        bytecode: config.bytecode.unwrap_or(false),
    })
}

/// What `--python PATH` packages, without a Cargo workspace.
#[derive(Clone, Debug, Default)]
pub struct StandaloneOptions {
    pub path: PathBuf,
    pub python: Option<String>,
    pub handler: Option<String>,
    pub layer: bool,
}

/// A project folder packaged on its own: named after the folder; the command line's settings
/// before its pyproject.toml's `[tool.powertools]`, then what the folder says ([`detect`]).
pub fn standalone(options: &StandaloneOptions) -> Result<PythonFunction, PythonError> {
    let project = options
        .path
        .canonicalize()
        .map_err(|_| PythonError::MissingProject {
            path: options.path.clone(),
        })?;
    if !project.join("pyproject.toml").is_file() && !project.join("requirements.txt").is_file() {
        return Err(PythonError::NotAProject { path: project });
    }
    let name = project
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let declared_in = project.join("pyproject.toml");
    let tool = tool_table::read(&declared_in)?;
    let config = PythonConfig {
        path: project.clone(),
        python: options.python.clone().or(tool.python),
        handler: options.handler.clone().or(tool.handler),
        architectures: tool.architectures,
        layer: options.layer || tool.layer,
        bytecode: tool.bytecode,
        exclude: tool.exclude,
        ..Default::default()
    };
    let mut function = from_config(&name, &config, Path::new("/"), &declared_in)?;
    function.project_rel = ".".into();
    Ok(function)
}

/// Whether `requires-python` (e.g. `>=3.10,<4`, PEP 440) allows Lambda's `3.<minor>`: some
/// `3.<minor>.<patch>` release satisfies it (Lambda runs a recent patch of its minor, which one
/// changes over time). `Err` with the parser's message when it is not a version specifier.
pub fn allows(requires: &str, minor: u8) -> Result<bool, String> {
    let specifiers = VersionSpecifiers::from_str(requires).map_err(|e| e.to_string())?;
    Ok((0..=LATEST_PATCH)
        .any(|patch| specifiers.contains(&Version::new([3, u64::from(minor), patch]))))
}

/// Patch releases of a Python minor looked at: CPython's have stayed below 30 (3.8.20).
const LATEST_PATCH: u64 = 50;

pub(super) fn check_requires_python(function: &PythonFunction) -> Result<(), PythonError> {
    let pyproject = function.project.join("pyproject.toml");
    let Ok(text) = std::fs::read_to_string(&pyproject) else {
        return Ok(());
    };
    let Ok(document) = text.parse::<toml_edit::DocumentMut>() else {
        return Ok(());
    };
    let Some(requires) = document
        .get("project")
        .and_then(|p| p.get("requires-python"))
        .and_then(|v| v.as_str())
    else {
        return Ok(());
    };
    let allowed = allows(requires, function.python.minor()).map_err(|message| {
        PythonError::RequiresPython {
            pyproject: pyproject.clone(),
            requires: requires.to_string(),
            message,
        }
    })?;
    if allowed {
        Ok(())
    } else {
        Err(PythonError::PythonVersion {
            pyproject,
            requires: requires.to_string(),
            python: function.python.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_python_is_a_pep_440_specifier_checked_against_the_runtimes_minor() {
        let allows = |requires: &str, minor: u8| allows(requires, minor).unwrap();
        assert!(allows(">=3.11", 11));
        assert!(allows(">=3.11", 13));
        assert!(!allows(">=3.11", 10));
        assert!(allows(">=3.9,<3.13", 12));
        assert!(!allows(">=3.9,<3.13", 13));
        assert!(allows("==3.12.*", 12));
        assert!(!allows("==3.12.*", 11));
        assert!(allows("~=3.10", 12));
        assert!(!allows("~=3.12.1", 13));
        assert!(allows("", 9));
        // A patch lower bound: Lambda's 3.11 is a recent 3.11.
        assert!(allows(">=3.11.4", 11));
        assert!(!allows("<3.11", 11));
        assert!(allows("> 3.10", 11));
        assert!(allows(">=3.9, <4", 13));
    }

    #[test]
    fn a_requires_python_that_is_no_specifier_is_an_error_not_a_pass() {
        for bad in ["=>3.11", "3.11", ">=three", ">=3.11;", "^3.11"] {
            assert!(allows(bad, 11).is_err(), "{bad}");
        }
    }
}
