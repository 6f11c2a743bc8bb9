//! `powertools.toml`: the Python functions and layers of a repository, for teams without Rust.
//!
//! ```toml
//! [defaults]                 # any key of a function or layer table but `path`
//! python = "3.13"
//! [functions.products]
//! path = "services/products"
//! handler = "app.handler"
//! layers = ["shared"]
//! [layers.shared]
//! path = "layers/shared"
//! ```
//!
//! Every table is read strictly: an unknown key is an error naming the file, the table, the key and
//! the keys allowed. Output goes to `dist/powertools` beside the file.
use super::{ConfigFileError, LoadError};
use crate::config::{PYTHON_DEFAULT_KEYS, PYTHON_LAYER_KEYS, PythonConfig, PythonDefaults};
use crate::model::Name;
use crate::python::{self, PythonFunction};
use crate::recipe::Recipes;
use crate::workspace::{Workspace, WorkspaceError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "powertools.toml";
const TOP_KEYS: &[&str] = &["defaults", "functions", "layers"];
/// A function's keys here: those of a Cargo.toml Python table but `layer` (layers have their own
/// tables) and `openapi` (which only `cargo powertools openapi` reads, from Cargo.toml).
const FUNCTION_KEYS: &[&str] = &[
    "path",
    "handler",
    "python",
    "architectures",
    "recipe",
    "include",
    "exclude",
    "allow-secrets",
    "layers",
    "bytecode",
];

/// The file's top level: its three kinds of tables, each still to be read strictly.
#[derive(serde::Deserialize)]
struct TopLevel {
    defaults: Option<serde_json::Value>,
    #[serde(default)]
    functions: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    layers: BTreeMap<String, serde_json::Value>,
}

/// Reads `file` into a workspace of Python functions and layers rooted at its folder.
pub fn load(file: &Path) -> Result<Workspace, LoadError> {
    let file = std::path::absolute(file).unwrap_or(file.to_path_buf());
    let root = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    let text = std::fs::read_to_string(&file).map_err(|source| ConfigFileError::Read {
        path: file.clone(),
        source,
    })?;
    let document = python::parse_toml(&text, &file)?;
    let top: TopLevel = python::read_table(&document, &file, "the top level", TOP_KEYS)?;
    let defaults: PythonDefaults = match &top.defaults {
        Some(value) => python::read_table(value, &file, "[defaults]", PYTHON_DEFAULT_KEYS)?,
        None => PythonDefaults::default(),
    };
    let mut functions = Vec::new();
    for (kind, tables, keys) in [
        ("functions", &top.functions, FUNCTION_KEYS),
        ("layers", &top.layers, PYTHON_LAYER_KEYS),
    ] {
        for (name, value) in tables {
            let table = format!("[{kind}.{name}]");
            check_name(name, &table, &file)?;
            if value.is_object() && value.get("path").is_none() {
                return Err(ConfigFileError::MissingPath {
                    file: file.clone(),
                    table,
                }
                .into());
            }
            let mut config: PythonConfig = python::read_table(value, &file, &table, keys)?;
            config.layer = kind == "layers";
            let config = config.or(&defaults);
            functions.push(python::from_config(name, &config, &root, &file)?);
        }
    }
    check_unique(&functions, &file)?;
    python::check_layer_references(&functions)?;
    Ok(Workspace {
        manifest_path: file.clone(),
        target_dir: root.join("dist"),
        members: Vec::new(),
        binaries: Vec::new(),
        skipped: Vec::new(),
        recipes: Recipes::for_workspace(&root, None)?,
        python: functions,
        cache: None,
        sam: None,
        cargo: None,
        notes: Vec::new(),
        root,
    })
}

fn check_name(name: &str, table: &str, file: &Path) -> Result<(), WorkspaceError> {
    match Name::new(name).err() {
        None => Ok(()),
        Some(reason) => Err(WorkspaceError::BadName {
            key: format!("`{table}`"),
            manifest: file.to_path_buf(),
            name: name.to_string(),
            reason,
        }),
    }
}

fn check_unique(functions: &[PythonFunction], file: &Path) -> Result<(), ConfigFileError> {
    let mut seen = std::collections::BTreeSet::new();
    for function in functions {
        if !seen.insert(function.name.as_str()) {
            return Err(ConfigFileError::DuplicateName {
                file: PathBuf::from(file),
                name: function.name.clone(),
            });
        }
    }
    Ok(())
}
