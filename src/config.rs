//! `[workspace.metadata.powertools]` and `[package.metadata.powertools]`: the user's settings,
//! parsed strictly so that a typo is an error that names the file and the field, not a silent no-op.
pub mod openapi;

use crate::model::{Arch, BinaryKind, Libc, OsRuntime};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Settings that can be given for a whole workspace, a package or one binary; the narrowest wins.
/// (Spelled out in each table rather than `#[serde(flatten)]`ed, which would defeat
/// `deny_unknown_fields`.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetSettings {
    /// Architectures to package for. Default: both.
    pub architectures: Option<Vec<Arch>>,
    /// The OS-only runtime the function runs on. Default: provided.al2023.
    pub runtime: Option<OsRuntime>,
    /// Globs, relative to the package directory, of extra files to put in the zip.
    pub include: Option<Vec<String>>,
    /// Files that look like credentials (`.env`, `*.pem`, ...) which `include` may zip after all,
    /// each by its path in the zip.
    pub allow_secrets: Option<Vec<String>>,
    /// The build recipe (`cargo powertools recipes`). Default: cargo-lambda.
    pub recipe: Option<String>,
    /// The C library to link against. Default: gnu (glibc).
    pub libc: Option<Libc>,
}

impl TargetSettings {
    /// `self` with every unset field taken from `fallback`.
    pub fn or(&self, fallback: &TargetSettings) -> TargetSettings {
        TargetSettings {
            architectures: self
                .architectures
                .clone()
                .or_else(|| fallback.architectures.clone()),
            runtime: self.runtime.or(fallback.runtime),
            include: self.include.clone().or_else(|| fallback.include.clone()),
            allow_secrets: self
                .allow_secrets
                .clone()
                .or_else(|| fallback.allow_secrets.clone()),
            recipe: self.recipe.clone().or_else(|| fallback.recipe.clone()),
            libc: self.libc.or(fallback.libc),
        }
    }
}

/// `[workspace.metadata.powertools]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WorkspaceConfig {
    pub architectures: Option<Vec<Arch>>,
    pub runtime: Option<OsRuntime>,
    pub recipe: Option<String>,
    pub libc: Option<Libc>,
    /// Project recipes, `[workspace.metadata.powertools.recipes.<name>]`, in the recipe file format.
    pub recipes: Option<serde_json::Value>,
    /// Python functions and layers, `[workspace.metadata.powertools.python.<name>]`.
    #[serde(default)]
    pub python: BTreeMap<String, PythonConfig>,
    /// `[workspace.metadata.powertools.defaults]`: what every Python table takes unless it says.
    pub defaults: Option<PythonDefaults>,
    /// Workspace members never to package.
    #[serde(default)]
    pub skip: Vec<String>,
    /// `[workspace.metadata.powertools.openapi]`: the merged OpenAPI document's own fields.
    pub openapi: Option<openapi::DocumentConfig>,
    /// `cache = "sccache"`: compile through sccache (see [`crate::cache`]).
    pub cache: Option<crate::cache::Cache>,
}

impl WorkspaceConfig {
    pub fn defaults(&self) -> TargetSettings {
        TargetSettings {
            architectures: self.architectures.clone(),
            runtime: self.runtime,
            include: None,
            allow_secrets: None,
            recipe: self.recipe.clone(),
            libc: self.libc,
        }
    }
}

/// `[package.metadata.powertools]`, with `[package.metadata.powertools.bin.<name>]` per binary.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageConfig {
    #[serde(default)]
    pub skip: bool,
    pub architectures: Option<Vec<Arch>>,
    pub runtime: Option<OsRuntime>,
    pub include: Option<Vec<String>>,
    pub allow_secrets: Option<Vec<String>>,
    pub recipe: Option<String>,
    pub libc: Option<Libc>,
    /// Where the OpenAPI fragment of each of the package's functions comes from (opt-in).
    pub openapi: Option<openapi::Source>,
    #[serde(default)]
    pub bin: BTreeMap<String, BinConfig>,
}

impl PackageConfig {
    pub fn settings(&self) -> TargetSettings {
        TargetSettings {
            architectures: self.architectures.clone(),
            runtime: self.runtime,
            include: self.include.clone(),
            allow_secrets: self.allow_secrets.clone(),
            recipe: self.recipe.clone(),
            libc: self.libc,
        }
    }
}

/// `[package.metadata.powertools.bin.<name>]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BinConfig {
    #[serde(default)]
    pub skip: bool,
    /// Overrides what the dependencies say this binary is.
    pub kind: Option<BinaryKind>,
    pub architectures: Option<Vec<Arch>>,
    pub runtime: Option<OsRuntime>,
    pub include: Option<Vec<String>>,
    pub allow_secrets: Option<Vec<String>>,
    pub recipe: Option<String>,
    pub libc: Option<Libc>,
    /// Where this function's OpenAPI fragment comes from (opt-in; overrides the package's).
    pub openapi: Option<openapi::Source>,
}

impl BinConfig {
    pub fn settings(&self) -> TargetSettings {
        TargetSettings {
            architectures: self.architectures.clone(),
            runtime: self.runtime,
            include: self.include.clone(),
            allow_secrets: self.allow_secrets.clone(),
            recipe: self.recipe.clone(),
            libc: self.libc,
        }
    }
}

/// `[workspace.metadata.powertools.python.<name>]` (or `[functions.<name>]` / `[layers.<name>]`
/// of powertools.toml): a Python function (or layer) of the repository.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PythonConfig {
    /// The project folder (pyproject.toml and its lock file), relative to the workspace root.
    pub path: std::path::PathBuf,
    /// `uv`, `poetry`, `pip`, `pex` or `pants`. Default: what the folder holds (uv.lock: uv,
    /// poetry.lock: poetry, requirements.txt: pip), else uv.
    pub recipe: Option<String>,
    /// The Python version Lambda runs it with, e.g. "3.12". Default: the project's
    /// `.python-version`, else the lowest Lambda runtime its `requires-python` allows.
    pub python: Option<String>,
    /// `module.function`, e.g. "app.handler"; required for a function, not for a layer.
    pub handler: Option<String>,
    pub architectures: Option<Vec<Arch>>,
    /// A layer: everything under `python/` in the zip.
    #[serde(default)]
    pub layer: bool,
    /// Distributions to leave out, e.g. ["boto3", "botocore"], which the runtime already has.
    pub exclude: Option<Vec<String>>,
    /// Globs of the project's own files to zip, relative to its folder. Default: the whole folder
    /// as `sam build` zips it, minus what never belongs in a function (tests, virtualenvs, caches,
    /// `.git`, build and output folders: `python::files`).
    pub include: Option<Vec<String>>,
    /// Where this function's OpenAPI fragment comes from (opt-in).
    pub openapi: Option<openapi::Source>,
    /// Files of the project that look like credentials (`.env`, `*.pem`, ...) but are zipped
    /// after all, each by its path relative to the project folder.
    pub allow_secrets: Option<Vec<String>>,
    /// The layers (Python tables with `layer = true`, or `[layers.<name>]`) the function runs with.
    pub layers: Option<Vec<String>>,
    /// Zip the `.pyc` of every module, compiled for the runtime's CPython (default: false), so a
    /// cold start does not compile them.
    pub bytecode: Option<bool>,
}

/// The keys of a Python function's table, for the help of an unknown key.
pub const PYTHON_FUNCTION_KEYS: &[&str] = &[
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
    "openapi",
];
/// The keys of a Python layer's table (`[layers.<name>]`).
pub const PYTHON_LAYER_KEYS: &[&str] = &[
    "path",
    "python",
    "architectures",
    "recipe",
    "include",
    "exclude",
    "allow-secrets",
    "bytecode",
];
/// The keys of `[defaults]` (`[workspace.metadata.powertools.defaults]`): any of a function's or a
/// layer's but its folder.
pub const PYTHON_DEFAULT_KEYS: &[&str] = &[
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

/// `[defaults]` of powertools.toml, `[workspace.metadata.powertools.defaults]` of Cargo.toml: what
/// every Python function and layer table takes when it does not say.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PythonDefaults {
    pub handler: Option<String>,
    pub python: Option<String>,
    pub architectures: Option<Vec<Arch>>,
    pub recipe: Option<String>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub allow_secrets: Option<Vec<String>>,
    pub layers: Option<Vec<String>>,
    pub bytecode: Option<bool>,
}

impl PythonConfig {
    /// `self` with every unset setting taken from `defaults` (a layer takes no handler or layers).
    pub fn or(&self, defaults: &PythonDefaults) -> PythonConfig {
        fn unless<T: Clone>(layer: bool, value: &Option<T>) -> Option<T> {
            if layer { None } else { value.clone() }
        }
        PythonConfig {
            path: self.path.clone(),
            recipe: self.recipe.clone().or_else(|| defaults.recipe.clone()),
            python: self.python.clone().or_else(|| defaults.python.clone()),
            handler: self
                .handler
                .clone()
                .or_else(|| unless(self.layer, &defaults.handler)),
            architectures: self
                .architectures
                .clone()
                .or_else(|| defaults.architectures.clone()),
            layer: self.layer,
            exclude: self.exclude.clone().or_else(|| defaults.exclude.clone()),
            include: self.include.clone().or_else(|| defaults.include.clone()),
            openapi: self.openapi.clone(),
            allow_secrets: self
                .allow_secrets
                .clone()
                .or_else(|| defaults.allow_secrets.clone()),
            layers: self
                .layers
                .clone()
                .or_else(|| unless(self.layer, &defaults.layers)),
            bytecode: self.bytecode.or(defaults.bytecode),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid `{table}` in {}: `{field}`: {message}", manifest.display())]
pub struct ConfigError {
    pub manifest: PathBuf,
    pub table: String,
    pub field: String,
    pub message: String,
}

impl ConfigError {
    pub fn help(&self) -> String {
        let python_keys = |kind: &str, keys: &[&str]| {
            format!(
                "edit `{}` in {}. The keys of {kind} are: {}",
                self.field,
                self.manifest.display(),
                keys.join(", ")
            )
        };
        if self.field.starts_with("python.") {
            return python_keys(
                "a Python table",
                &[PYTHON_FUNCTION_KEYS, &["layer"]].concat(),
            );
        }
        if self.field.starts_with("defaults") {
            return python_keys("`defaults`", PYTHON_DEFAULT_KEYS);
        }
        format!(
            "edit `{}` in {}. Known keys: architectures = [\"x86_64\", \"arm64\"], runtime = \"provided.al2023\" | \"provided.al2\", recipe = \"cargo-lambda\", libc = \"gnu\" | \"musl\", include = [\"glob\", ...], allow-secrets = [\"path/in/zip\", ...], skip = true, openapi = {{ route = \"/openapi.json\" }} | {{ file = \"...\" }} | {{ command = [\"...\"] }}; per binary under `bin.<name>` (also kind = \"function\" | \"extension\"); `skip = [\"member\", ...]` and `recipes.<name>` at workspace level",
            self.field,
            self.manifest.display()
        )
    }
}

/// `[workspace.metadata.powertools]` of `metadata` (the workspace root's), or the defaults.
pub fn workspace_config(
    metadata: &serde_json::Value,
    manifest: &Path,
) -> Result<WorkspaceConfig, ConfigError> {
    parse(metadata, manifest, "[workspace.metadata.powertools]").map(Option::unwrap_or_default)
}

/// `[package.metadata.powertools]` of `metadata` (a package's), or the defaults.
pub fn package_config(
    metadata: &serde_json::Value,
    manifest: &Path,
) -> Result<PackageConfig, ConfigError> {
    parse(metadata, manifest, "[package.metadata.powertools]").map(Option::unwrap_or_default)
}

/// Reads the `powertools` key of a `metadata` table; `Ok(None)` when there is none.
pub fn parse<T: DeserializeOwned>(
    metadata: &serde_json::Value,
    manifest: &Path,
    table: &str,
) -> Result<Option<T>, ConfigError> {
    let Some(value) = metadata.get("powertools") else {
        return Ok(None);
    };
    serde_path_to_error::deserialize(value)
        .map(Some)
        .map_err(|err| {
            let field = err.path().to_string();
            ConfigError {
                manifest: manifest.to_path_buf(),
                table: table.to_string(),
                field: match field.as_str() {
                    "." => "powertools".to_string(),
                    // A key that is the empty string (`"" = 1`), found by the property test.
                    "" => "\"\"".to_string(),
                    _ => field,
                },
                message: err.into_inner().to_string(),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_package(value: serde_json::Value) -> Result<Option<PackageConfig>, ConfigError> {
        parse(
            &json!({ "powertools": value }),
            Path::new("a/Cargo.toml"),
            "[package.metadata.powertools]",
        )
    }

    #[test]
    fn bin_settings_fall_back_to_the_package_then_the_workspace() {
        let config = parse_package(json!({
            "runtime": "provided.al2",
            "include": ["x"],
            "bin": { "f": { "architectures": ["arm64"] } }
        }))
        .unwrap()
        .unwrap();
        let workspace = WorkspaceConfig {
            architectures: Some(vec![Arch::X86_64]),
            ..Default::default()
        };
        let bin = config.bin["f"]
            .settings()
            .or(&config.settings())
            .or(&workspace.defaults());
        assert_eq!(bin.architectures, Some(vec![Arch::Arm64]));
        assert_eq!(bin.runtime, Some(OsRuntime::ProvidedAl2));
        assert_eq!(bin.include, Some(vec!["x".to_string()]));
    }

    #[test]
    fn an_unknown_key_names_its_path() {
        let err =
            parse_package(json!({ "bin": { "f": { "architecture": ["arm64"] } } })).unwrap_err();
        assert_eq!(err.field, "bin.f.architecture");
        assert!(
            err.message.contains("unknown field `architecture`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_wrong_type_names_its_path() {
        let err = parse_package(json!({ "architectures": "arm64" })).unwrap_err();
        assert_eq!(err.field, "architectures");
        assert!(
            err.message.contains("expected a sequence"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_rust_binary_cannot_take_a_python_runtime() {
        let err =
            parse_package(json!({ "bin": { "f": { "runtime": "python3.12" } } })).unwrap_err();
        assert_eq!(err.field, "bin.f.runtime");
        assert!(
            err.message.contains(
                "`python3.12` is a Python runtime; a Rust binary runs on `provided.al2023` or `provided.al2`"
            ),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_rust_binary_cannot_be_a_layer() {
        let err = parse_package(json!({ "bin": { "f": { "kind": "layer" } } })).unwrap_err();
        assert_eq!(err.field, "bin.f.kind");
        assert_eq!(
            err.message,
            "unknown variant `layer`, expected `function` or `extension`"
        );
    }

    #[test]
    fn no_table_is_no_config() {
        let missing: Option<PackageConfig> = parse(
            &serde_json::Value::Null,
            Path::new("Cargo.toml"),
            "[package.metadata.powertools]",
        )
        .unwrap();
        assert_eq!(missing, None);
        let none: Option<PackageConfig> = parse(
            &json!({ "other": 1 }),
            Path::new("Cargo.toml"),
            "[package.metadata.powertools]",
        )
        .unwrap();
        assert_eq!(none, None);
    }

    mod properties {
        use super::*;
        use crate::proptest_support::{config, json_near};
        use proptest::prelude::*;

        const KEYS: &[&str] = &[
            "architectures",
            "runtime",
            "recipe",
            "libc",
            "include",
            "skip",
            "bin",
            "kind",
            "python",
            "path",
            "handler",
            "layer",
            "exclude",
            "recipes",
            "openapi",
            "route",
            "allow-secrets",
            "x86_64",
            "arm64",
            "provided.al2",
            "provided.al2023",
            "gnu",
            "musl",
            "function",
            "extension",
            "3.12",
            "app.handler",
        ];

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn any_metadata_is_settings_or_an_error_naming_its_field(value in json_near(KEYS)) {
                let metadata = json!({ "powertools": value });
                let manifest = Path::new("a/Cargo.toml");
                if let Err(err) = parse::<WorkspaceConfig>(&metadata, manifest, "[workspace.metadata.powertools]") {
                    prop_assert!(!err.field.is_empty());
                    prop_assert!(err.help().contains(&err.field));
                }
                if let Err(err) = parse::<PackageConfig>(&metadata, manifest, "[package.metadata.powertools]") {
                    prop_assert!(!err.field.is_empty());
                }
            }
        }
    }
}
