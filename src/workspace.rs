//! Reads a Cargo workspace with `cargo metadata` and finds its Lambda functions and extensions.
use crate::config::{self, ConfigError, TargetSettings, WorkspaceConfig};
use crate::model::{Arch, BinaryKind, Libc, Name, OsRuntime};
use crate::python::{self, PythonError, PythonFunction};
use crate::recipe::{RecipeError, Recipes};
use cargo_metadata::{DependencyKind, MetadataCommand, Package};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Dependencies that make a package's binaries Lambda functions.
const FUNCTION_CRATES: [&str; 2] = ["lambda_runtime", "lambda_http"];
/// Dependencies that make a package's binaries Lambda extensions.
const EXTENSION_CRATES: [&str; 2] = ["lambda-extension", "lambda_extension"];

/// One binary that will be zipped, with its settings resolved (binary > package > workspace > default).
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaBinary {
    /// The artifact's name (its zip is `<arch>/<name>.zip`): the binary's, or the logical id of the
    /// SAM resource it is built for.
    pub name: Name,
    /// The Cargo binary target it is built from.
    pub bin: String,
    pub package: String,
    pub kind: BinaryKind,
    pub package_dir: PathBuf,
    pub manifest_path: PathBuf,
    pub architectures: Vec<Arch>,
    pub runtime: OsRuntime,
    pub include: Vec<String>,
    /// Credential-looking files `include` may zip after all, by entry name.
    pub allow_secrets: Vec<String>,
    /// Environment variables it runs with (a SAM template's literal `Environment.Variables`).
    pub environment: BTreeMap<String, String>,
    /// The recipe configured for it; `None` means the default (or `--recipe`).
    pub recipe: Option<String>,
    pub libc: Libc,
}

/// A binary of the workspace that is not packaged, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SkippedBinary {
    pub package: String,
    #[serde(rename = "bin")]
    pub name: String,
    pub reason: String,
}

#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub manifest_path: PathBuf,
    pub target_dir: PathBuf,
    pub members: Vec<String>,
    pub binaries: Vec<LambdaBinary>,
    pub skipped: Vec<SkippedBinary>,
    pub recipes: Recipes,
    /// `[workspace.metadata.powertools.python.*]`.
    pub python: Vec<PythonFunction>,
    /// `cache = "sccache"` in `[workspace.metadata.powertools]`.
    pub cache: Option<crate::cache::Cache>,
    /// The SAM template the functions were read from, to write again with the zips' paths.
    pub sam: Option<crate::sam_template::SamTemplate>,
    /// The Cargo workspace the Rust binaries build in, when it is not this one (a SAM template's
    /// Rust functions); `None`: `root`, `manifest_path` and `target_dir`.
    pub cargo: Option<CargoBuild>,
    /// What loading noticed that changes nothing but is worth a line (`Note`) when packaging.
    pub notes: Vec<String>,
}

/// Where Rust binaries build: a Cargo workspace's root, its root manifest and its target directory.
#[derive(Clone, Debug, PartialEq)]
pub struct CargoBuild {
    pub root: PathBuf,
    pub manifest_path: PathBuf,
    pub target_dir: PathBuf,
}

impl Workspace {
    /// Where the Rust binaries build.
    pub fn cargo_build(&self) -> CargoBuild {
        self.cargo.clone().unwrap_or_else(|| CargoBuild {
            root: self.root.clone(),
            manifest_path: self.manifest_path.clone(),
            target_dir: self.target_dir.clone(),
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub manifest_path: Option<PathBuf>,
    /// `--config PATH`: a powertools.toml, instead of the one found from the current directory.
    pub config: Option<PathBuf>,
    /// `--sam-template PATH`: the functions and layers of a SAM template.
    pub sam_template: Option<PathBuf>,
    pub locked: bool,
    pub offline: bool,
}

impl LoadOptions {
    /// The workspace of `manifest_path` (`None`: found from the current directory up), as the
    /// commands without `--locked`/`--offline` load it.
    pub fn at(manifest_path: Option<PathBuf>) -> LoadOptions {
        LoadOptions {
            manifest_path,
            ..Default::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("could not find `Cargo.toml` in `{}` or any parent directory", .dir.display())]
    NoManifest { dir: PathBuf },
    #[error("the manifest `{}` does not exist", .path.display())]
    ManifestMissing { path: PathBuf },
    #[error("`cargo metadata` could not read the workspace")]
    Metadata(#[source] cargo_metadata::Error),
    #[error("{} is a Cargo workspace, and reading it needs `{cargo}`, which is not on PATH", .manifest.display())]
    CargoMissing { manifest: PathBuf, cargo: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    #[error(transparent)]
    Python(#[from] PythonError),
    #[error("`[package.metadata.powertools.bin.{bin}]` in {} names a binary that package `{package}` does not have", .manifest.display())]
    UnknownConfiguredBin {
        manifest: PathBuf,
        package: String,
        bin: String,
        known: Vec<String>,
    },
    #[error("`[workspace.metadata.powertools] skip` in {} names `{name}`, which is not a member of the workspace", .manifest.display())]
    UnknownSkippedMember {
        manifest: PathBuf,
        name: String,
        members: Vec<String>,
    },
    #[error("{key} in {} is `{name}`, which cannot name a Lambda artifact: {reason}", .manifest.display())]
    BadName {
        key: String,
        manifest: PathBuf,
        name: String,
        reason: &'static str,
    },
    #[error(
        "two Lambda binaries are named `{name}` (in packages `{first}` and `{second}`); their zips would collide"
    )]
    DuplicateName {
        name: String,
        first: String,
        second: String,
    },
}

impl WorkspaceError {
    pub fn help(&self) -> Option<String> {
        match self {
            WorkspaceError::NoManifest { .. } => Some(
                "run the command inside a Cargo workspace, or pass `--manifest-path path/to/Cargo.toml`".into(),
            ),
            WorkspaceError::ManifestMissing { .. } => {
                Some("pass the path of an existing Cargo.toml to `--manifest-path`".into())
            }
            WorkspaceError::Metadata(_) => Some("fix the problem cargo reports above, then run again".into()),
            WorkspaceError::CargoMissing { .. } => Some(
                "Rust functions need the Rust toolchain: install it from https://rustup.rs (then `rustup target add aarch64-unknown-linux-gnu` for arm64); a Python project packages without it: `cargo-powertools package --python path/to/project --handler app.handler`".into(),
            ),
            WorkspaceError::Config(err) => Some(err.help()),
            WorkspaceError::Recipe(err) => err.help(),
            WorkspaceError::Python(err) => err.help(),
            WorkspaceError::UnknownConfiguredBin { known, .. } => {
                Some(format!("use one of the package's binaries: {}", known.join(", ")))
            }
            WorkspaceError::UnknownSkippedMember { members, .. } => {
                Some(format!("use one of the workspace members: {}", members.join(", ")))
            }
            WorkspaceError::BadName { .. } => Some(
                "rename it with only letters, digits, `-` and `_`, at most 64 characters (Lambda's own rule for function names)".into(),
            ),
            WorkspaceError::DuplicateName { .. } => Some(
                "rename one of the binaries (`[[bin]] name = ...`), or skip one with `[package.metadata.powertools.bin.<name>] skip = true`".into(),
            ),
        }
    }
}

/// Reads the workspace and resolves every binary's settings.
pub fn load(options: &LoadOptions) -> Result<Workspace, WorkspaceError> {
    let manifest_path = locate_manifest(options.manifest_path.as_deref())?;
    check_cargo(&manifest_path)?;
    let mut command = MetadataCommand::new();
    command.manifest_path(&manifest_path).no_deps();
    let mut other = Vec::new();
    if options.locked {
        other.push("--locked".to_string());
    }
    if options.offline {
        other.push("--offline".to_string());
    }
    command.other_options(other);
    let metadata = command.exec().map_err(WorkspaceError::Metadata)?;

    let root: PathBuf = metadata.workspace_root.clone().into();
    let root_manifest = root.join("Cargo.toml");
    let workspace_config = config::workspace_config(&metadata.workspace_metadata, &root_manifest)?;

    let members: Vec<&Package> = metadata.workspace_packages();
    let member_names: Vec<String> = members.iter().map(|p| p.name.to_string()).collect();
    for name in &workspace_config.skip {
        if !member_names.contains(name) {
            return Err(WorkspaceError::UnknownSkippedMember {
                manifest: root_manifest,
                name: name.clone(),
                members: member_names,
            });
        }
    }

    let recipes = Recipes::for_workspace(&root, workspace_config.recipes.as_ref())?;
    let mut binaries = Vec::new();
    let mut skipped = Vec::new();
    for package in members {
        discover_package(package, &workspace_config, &mut binaries, &mut skipped)?;
    }
    binaries.sort_by(|a, b| a.name.cmp(&b.name));
    for name in workspace_config.python.keys() {
        check_name(
            name,
            &format!("`[workspace.metadata.powertools.python.{name:?}]`"),
            &root_manifest,
        )?;
    }
    let python =
        python::cargo_tables::functions(&workspace_config, &recipes, &root, &root_manifest)?;
    check_unique_names(&binaries, &python)?;

    Ok(Workspace {
        root,
        manifest_path: root_manifest,
        target_dir: metadata.target_directory.clone().into(),
        members: member_names,
        binaries,
        skipped,
        recipes,
        python,
        cache: workspace_config.cache,
        sam: None,
        cargo: None,
        notes: Vec::new(),
    })
}

/// Python teams run the wheel's binary without any Rust toolchain: say so instead of "cannot start
/// `cargo metadata`". `cargo metadata` runs `$CARGO` when set, as cargo_metadata does.
fn check_cargo(manifest: &Path) -> Result<(), WorkspaceError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    match which::which(&cargo) {
        Ok(_) => Ok(()),
        Err(_) => Err(WorkspaceError::CargoMissing {
            manifest: manifest.to_path_buf(),
            cargo: cargo.to_string_lossy().into_owned(),
        }),
    }
}

/// The manifest to read: the one given, or the nearest `Cargo.toml` at or above the current directory.
fn locate_manifest(given: Option<&Path>) -> Result<PathBuf, WorkspaceError> {
    if let Some(path) = given {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(WorkspaceError::ManifestMissing {
                path: path.to_path_buf(),
            })
        };
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|candidate| candidate.is_file())
        .ok_or(WorkspaceError::NoManifest { dir: cwd })
}

/// What a package's dependencies make its binaries, if anything.
fn lambda_kind(package: &Package) -> Option<BinaryKind> {
    let depends_on = |names: &[&str]| {
        package
            .dependencies
            .iter()
            .any(|dep| dep.kind == DependencyKind::Normal && names.contains(&dep.name.as_str()))
    };
    if depends_on(&EXTENSION_CRATES) {
        Some(BinaryKind::Extension)
    } else if depends_on(&FUNCTION_CRATES) {
        Some(BinaryKind::Function)
    } else {
        None
    }
}

fn discover_package(
    package: &Package,
    workspace_config: &WorkspaceConfig,
    binaries: &mut Vec<LambdaBinary>,
    skipped: &mut Vec<SkippedBinary>,
) -> Result<(), WorkspaceError> {
    let manifest_path: PathBuf = package.manifest_path.clone().into();
    let config = config::package_config(&package.metadata, &manifest_path)?;
    let bin_names: Vec<String> = package
        .targets
        .iter()
        .filter(|t| t.is_bin())
        .map(|t| t.name.clone())
        .collect();
    if let Some(unknown) = config.bin.keys().find(|name| !bin_names.contains(name)) {
        return Err(WorkspaceError::UnknownConfiguredBin {
            manifest: manifest_path,
            package: package.name.to_string(),
            bin: unknown.clone(),
            known: bin_names,
        });
    }

    let detected = lambda_kind(package);
    let package_settings = config.settings().or(&workspace_config.defaults());
    let package_dir = manifest_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for name in bin_names {
        let bin_config = config.bin.get(&name).cloned().unwrap_or_default();
        let skip = |reason: &str| SkippedBinary {
            package: package.name.to_string(),
            name: name.clone(),
            reason: reason.to_string(),
        };
        if workspace_config.skip.iter().any(|s| *s == *package.name) {
            skipped.push(skip("`skip` in [workspace.metadata.powertools]"));
            continue;
        }
        if config.skip {
            skipped.push(skip("`skip = true` in [package.metadata.powertools]"));
            continue;
        }
        if bin_config.skip {
            skipped.push(skip(&format!(
                "`skip = true` in [package.metadata.powertools.bin.{name}]"
            )));
            continue;
        }
        let Some(kind) = bin_config.kind.or(detected) else {
            skipped.push(skip("not Lambda code: the package depends on none of lambda_runtime, lambda_http, lambda-extension"));
            continue;
        };
        let name = check_name(
            &name,
            &format!("`[[bin]] name` of package `{}`", package.name),
            &manifest_path,
        )?;
        let settings: TargetSettings = bin_config.settings().or(&package_settings);
        binaries.push(LambdaBinary {
            bin: name.to_string(),
            name,
            package: package.name.to_string(),
            kind,
            package_dir: package_dir.clone(),
            manifest_path: manifest_path.clone(),
            architectures: settings.architectures.unwrap_or_else(|| Arch::ALL.to_vec()),
            runtime: settings.runtime.unwrap_or_default(),
            include: settings.include.unwrap_or_default(),
            allow_secrets: settings.allow_secrets.unwrap_or_default(),
            environment: BTreeMap::new(),
            recipe: settings.recipe,
            libc: settings.libc.unwrap_or_default(),
        });
    }
    Ok(())
}

/// `name` as an artifact's [`Name`], or the error naming the setting `key` that gave it.
fn check_name(name: &str, key: &str, manifest: &Path) -> Result<Name, WorkspaceError> {
    Name::new(name).map_err(|reason| WorkspaceError::BadName {
        key: key.to_string(),
        manifest: manifest.to_path_buf(),
        name: name.to_string(),
        reason,
    })
}

/// Zips are named after functions, so names must be unique across Rust binaries and Python functions.
fn check_unique_names(
    binaries: &[LambdaBinary],
    python: &[PythonFunction],
) -> Result<(), WorkspaceError> {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    let named = binaries
        .iter()
        .map(|b| (b.name.as_str(), b.package.clone()))
        .chain(
            python
                .iter()
                .map(|p| (p.name.as_str(), format!("python: {}", p.project_rel))),
        );
    for (name, origin) in named {
        if let Some(first) = seen.insert(name, origin.clone()) {
            return Err(WorkspaceError::DuplicateName {
                name: name.to_string(),
                first,
                second: origin,
            });
        }
    }
    Ok(())
}
