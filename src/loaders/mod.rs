//! Where the functions to package are declared, and reading them: a `powertools.toml` (no cargo
//! needed), a Cargo workspace (`cargo metadata`, in [`crate::workspace`]), or a SAM template
//! ([`sam`]). [`load`] finds which one a command means, as cargo finds Cargo.toml: walking up from
//! the current directory; with neither file there, a `template.yaml` in the current directory.
pub mod powertools_toml;
pub mod sam;

use crate::python::PythonError;
use crate::recipe::RecipeError;
use crate::workspace::{self, LoadOptions, Workspace, WorkspaceError};
use std::path::{Path, PathBuf};

/// Everything reading the configuration can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Python(#[from] PythonError),
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    #[error(transparent)]
    File(#[from] ConfigFileError),
    /// Boxed: its variants name several paths, and every command's error carries this one.
    #[error(transparent)]
    Sam(Box<sam::SamError>),
}

impl From<sam::SamError> for LoadError {
    fn from(err: sam::SamError) -> LoadError {
        LoadError::Sam(Box::new(err))
    }
}

impl LoadError {
    pub fn help(&self) -> Option<String> {
        match self {
            LoadError::Workspace(err) => err.help(),
            LoadError::Python(err) => err.help(),
            LoadError::Recipe(err) => err.help(),
            LoadError::File(err) => Some(err.help()),
            LoadError::Sam(err) => err.help(),
        }
    }

    /// No configuration of any kind at or above the current directory.
    pub fn is_no_manifest(&self) -> bool {
        matches!(
            self,
            LoadError::Workspace(WorkspaceError::NoManifest { .. })
        )
    }
}

/// What is wrong with a configuration file as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("the configuration {} does not exist", .path.display())]
    Missing { path: PathBuf },
    #[error("could not read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("both {} and {} declare the Python functions of this repository", .powertools_toml.display(), .cargo_toml.display())]
    Both {
        powertools_toml: PathBuf,
        cargo_toml: PathBuf,
    },
    #[error("`{table}` in {} has no `path`", .file.display())]
    MissingPath { file: PathBuf, table: String },
    #[error("`{name}` is declared twice in {}, as a function and as a layer: their zips would collide", .file.display())]
    DuplicateName { file: PathBuf, name: String },
}

impl ConfigFileError {
    pub fn help(&self) -> String {
        match self {
            ConfigFileError::Missing { .. } => {
                "pass the path of an existing powertools.toml to `--config`".into()
            }
            ConfigFileError::Read { .. } => "check the file's permissions".into(),
            ConfigFileError::Both { .. } => "keep them in one file: move the `[workspace.metadata.powertools.python.<name>]` and `[workspace.metadata.powertools.defaults]` tables into powertools.toml (as `[functions.<name>]`, `[layers.<name>]` and `[defaults]`), or delete powertools.toml".into(),
            ConfigFileError::MissingPath { file, .. } => format!(
                "add `path = \"...\"`: the folder holding its pyproject.toml or requirements.txt, relative to {}",
                file.parent().unwrap_or(Path::new(".")).display()
            ),
            ConfigFileError::DuplicateName { .. } => {
                "rename one of them: each function and layer is zipped as <arch>/<name>.zip".into()
            }
        }
    }
}

/// Where the functions of a command are declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    PowertoolsToml(PathBuf),
    Cargo,
    Sam(PathBuf),
}

/// Reads the configuration `options` mean: `--config`, `--manifest-path`, or the nearest
/// powertools.toml or Cargo.toml at or above the current directory (powertools.toml first in the
/// same folder).
pub fn load(options: &LoadOptions) -> Result<Workspace, LoadError> {
    match locate(options)? {
        Source::PowertoolsToml(path) => powertools_toml::load(&path),
        Source::Cargo => Ok(workspace::load(options)?),
        Source::Sam(template) => sam::load(&template, options),
    }
}

pub fn locate(options: &LoadOptions) -> Result<Source, LoadError> {
    if let Some(template) = &options.sam_template {
        return Ok(Source::Sam(template.clone()));
    }
    if let Some(config) = &options.config {
        if !config.is_file() {
            return Err(ConfigFileError::Missing {
                path: config.clone(),
            }
            .into());
        }
        check_single_config(config)?;
        return Ok(Source::PowertoolsToml(config.clone()));
    }
    if options.manifest_path.is_some() {
        return Ok(Source::Cargo);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    for dir in cwd.ancestors() {
        let powertools_toml = dir.join(powertools_toml::FILE_NAME);
        if powertools_toml.is_file() {
            check_single_config(&powertools_toml)?;
            return Ok(Source::PowertoolsToml(powertools_toml));
        }
        if dir.join("Cargo.toml").is_file() {
            if let Some(above) = dir
                .ancestors()
                .map(|d| d.join(powertools_toml::FILE_NAME))
                .find(|p| p.is_file())
            {
                check_single_config(&above)?;
            }
            return Ok(Source::Cargo);
        }
    }
    // Neither: a SAM application's template in the current directory, as `sam build` finds it.
    match sam::DEFAULT_NAMES
        .iter()
        .map(|name| cwd.join(name))
        .find(|path| path.is_file())
    {
        Some(template) => Ok(Source::Sam(template)),
        None => Ok(Source::Cargo),
    }
}

/// A repository declares its Python functions in one file: a Cargo.toml beside `powertools_toml`
/// with Python tables is an error naming both. (A Cargo workspace further up is another project,
/// as a nested Cargo workspace is.)
fn check_single_config(powertools_toml: &Path) -> Result<(), ConfigFileError> {
    let absolute = std::path::absolute(powertools_toml).unwrap_or(powertools_toml.to_path_buf());
    let cargo_toml = absolute.with_file_name("Cargo.toml");
    if declares_python(&cargo_toml) {
        return Err(ConfigFileError::Both {
            powertools_toml: absolute,
            cargo_toml,
        });
    }
    Ok(())
}

/// Whether a Cargo.toml has `[workspace.metadata.powertools.python.*]` or `.defaults` tables
/// (read as text: cargo may not be installed).
fn declares_python(cargo_toml: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(cargo_toml) else {
        return false;
    };
    let Ok(document) = text.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    let powertools = document
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("powertools"));
    powertools.is_some_and(|p| p.get("python").is_some() || p.get("defaults").is_some())
}
