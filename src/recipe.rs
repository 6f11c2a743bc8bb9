//! Recipes: build strategies as data. Each says which tools it needs (how to find them, their
//! version and how to install them), which architectures it builds, the build command it runs and
//! where that command leaves each binary. The built-in recipes are the files under `recipes/`,
//! compiled into the binary; a project adds or overrides recipes in its own `recipes/` folder or in
//! `[workspace.metadata.powertools.recipes.<name>]`.
use crate::arch::{Arch, Libc};
use crate::process::ProcessBuilder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The recipe used when nothing names one.
pub const DEFAULT: &str = "cargo-lambda";

/// The recipe used for a Python function when nothing names one.
pub const DEFAULT_PYTHON: &str = "uv";

/// A built-in recipe: its path in this repository and its text.
macro_rules! built_in {
    ($($name:literal),* $(,)?) => {
        [$((concat!("recipes/", $name, ".toml"), include_str!(concat!("../recipes/", $name, ".toml")))),*]
    };
}

const BUILT_IN: [(&str, &str); 9] = built_in![
    "cargo-lambda",
    "cargo-zigbuild",
    "cross",
    "cargo",
    "uv",
    "poetry",
    "pip",
    "pex",
    "pants"
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Rust,
    Python,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Recipe {
    /// Defaults to the file's name (`recipes/<name>.toml`) or the metadata table's key.
    #[serde(default)]
    pub name: String,
    pub language: Language,
    pub summary: String,
    /// The cookbook page that teaches this recipe, relative to the repository.
    pub tutorial: String,
    pub architectures: Vec<Arch>,
    /// Whether it accepts cargo-zigbuild's `<triple>.<glibc>` targets to pin the glibc a binary needs.
    #[serde(default)]
    pub glibc_pinning: bool,
    #[serde(default = "gnu_only")]
    pub libc: Vec<Libc>,
    /// Whether the build uses the host toolchain's standard library for the target (false for
    /// recipes that build inside a container).
    #[serde(default = "yes")]
    pub needs_target_std: bool,
    /// How a Rust recipe builds (`language = "rust"`).
    pub build: Option<BuildSpec>,
    /// How a Python recipe installs dependencies (`language = "python"`).
    pub python: Option<PythonSpec>,
    #[serde(default)]
    pub tools: Vec<ToolSpec>,
}

impl Recipe {
    /// A recipe has the section its language needs.
    fn check(&self) -> Result<(), String> {
        match (self.language, &self.build, &self.python) {
            (Language::Rust, Some(_), None) => Ok(()),
            (Language::Python, None, Some(spec)) => {
                match (&spec.install, &spec.package, &spec.output) {
                    (Some(_), None, None) | (None, Some(_), Some(_)) => Ok(()),
                    _ => Err(
                        "a python recipe has either `install`, or `package` with `output`".into(),
                    ),
                }
            }
            (Language::Rust, _, _) => {
                Err("a rust recipe needs a [build] table and no [python] table".into())
            }
            (Language::Python, _, _) => {
                Err("a python recipe needs a [python] table and no [build] table".into())
            }
        }
    }

    /// The `[build]` table of a Rust recipe (checked when the recipe was loaded).
    pub fn rust_build(&self) -> &BuildSpec {
        self.build
            .as_ref()
            .expect("rust recipes have [build] (checked on load)")
    }

    /// The `[python]` table of a Python recipe (checked when the recipe was loaded).
    pub fn python_spec(&self) -> &PythonSpec {
        self.python
            .as_ref()
            .expect("python recipes have [python] (checked on load)")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PythonSpec {
    /// The lock file the project must have, relative to its folder (none when the tool keeps its
    /// own, as Pants does).
    #[serde(default)]
    pub lock: Option<String>,
    /// Writes the lock's non-dev dependencies as pinned requirements to `{requirements}`; absent
    /// when the lock file is itself a requirements file.
    #[serde(default)]
    pub export: Option<Vec<String>>,
    /// Installs `{requirements}` into `{site}` for the target: binary wheels only, no bytecode.
    /// Placeholders: `{python}` (3.12), `{python_nodot}` (312), `{cpu}` (x86_64 / aarch64).
    #[serde(default)]
    pub install: Option<Vec<String>>,
    /// Instead of `install`: a command that builds the Lambda zip itself (Pants), run in the
    /// workspace root; its entries are re-zipped reproducibly. Placeholders: `{project}` (relative
    /// to the workspace root), `{name}`.
    #[serde(default)]
    pub package: Option<Vec<String>>,
    /// Where `package` leaves its zip, relative to the workspace root.
    #[serde(default)]
    pub output: Option<String>,
}

fn yes() -> bool {
    true
}

fn gnu_only() -> Vec<Libc> {
    vec![Libc::Gnu]
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildSpec {
    pub program: String,
    /// Placeholders: `{target}` (the build target, glibc suffix included) and `{lambda_dir}`.
    /// cargo-powertools appends the cargo selection flags (`--release`/`--profile`,
    /// `--manifest-path`, `--package`, `--bin`, `--locked`, `--offline`).
    pub args: Vec<String>,
    /// Where a binary lands. Placeholders: `{lambda_dir}`, `{target_dir}`, `{triple}` (no glibc
    /// suffix), `{profile_dir}` and `{bin}`.
    pub output: String,
    /// Environment by architecture, set when building for that architecture on a host of another.
    #[serde(default)]
    pub env: BTreeMap<Arch, BTreeMap<String, String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ToolSpec {
    pub name: String,
    /// A command that prints the tool's version and succeeds only when the tool is usable.
    pub version: Vec<String>,
    /// Other commands to try, in order, when `version` fails.
    #[serde(default)]
    pub alternatives: Vec<Vec<String>>,
    /// Ways to install it, best first.
    pub install: Vec<String>,
    /// Needed only to build for this architecture on a host of another (a cross linker).
    #[serde(default)]
    pub cross_for: Option<Arch>,
    /// Only look the `version` command's program up on PATH, never run it: for tools whose every
    /// command has side effects (`cross --version` asks rustup to sync, and may update, the
    /// toolchain).
    #[serde(default)]
    pub locate_only: bool,
}

impl ToolSpec {
    /// Whether building `arches` on this host needs this tool.
    pub fn needed_for(&self, arches: &[Arch], host: Arch) -> bool {
        match self.cross_for {
            None => true,
            Some(arch) => arch != host && arches.contains(&arch),
        }
    }

    /// The tool's version, from the first of its commands that succeeds; otherwise why the first
    /// command failed (not found, or its error).
    pub fn detect(&self) -> Result<String, String> {
        if self.locate_only {
            let program = self
                .version
                .first()
                .map(String::as_str)
                .unwrap_or(&self.name);
            return which::which(program)
                .map(|path| format!("installed at {}", path.display()))
                .map_err(|_| format!("`{program}` is not on PATH"));
        }
        let mut first_failure = None;
        for command in std::iter::once(&self.version).chain(&self.alternatives) {
            let Some((program, args)) = command.split_first() else {
                continue;
            };
            match ProcessBuilder::new(program).args(args).output() {
                Ok(output) => {
                    return Ok(version_in(&output).unwrap_or_else(|| output.trim().to_string()));
                }
                Err(err) => {
                    first_failure.get_or_insert_with(|| failure_reason(program, &err));
                }
            }
        }
        Err(first_failure.unwrap_or_else(|| "no command to detect it".into()))
    }
}

fn failure_reason(program: &str, err: &crate::process::ProcessError) -> String {
    match err {
        crate::process::ProcessError::Spawn { .. } => format!("`{program}` is not on PATH"),
        crate::process::ProcessError::Failed {
            command, stderr, ..
        } => {
            let first_line = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no output");
            format!("`{command}` failed: {}", first_line.trim())
        }
    }
}

/// The first `x.y` or `x.y.z` in `text`.
pub fn version_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|word| word.trim_matches('.'))
        .find(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() >= 2 && parts.iter().all(|p| !p.is_empty())
        })
        .map(String::from)
}

/// Where a recipe came from, for `recipes show` and error messages.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    BuiltIn(&'static str),
    File(PathBuf),
    WorkspaceMetadata(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn(path) => write!(f, "built in ({path})"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::WorkspaceMetadata(path) => write!(
                f,
                "[workspace.metadata.powertools.recipes] in {}",
                path.display()
            ),
        }
    }
}

#[derive(Clone, Debug)]
pub struct LoadedRecipe {
    pub recipe: Recipe,
    pub origin: Origin,
    /// The recipe's text as written (TOML), for `recipes show`.
    pub source: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RecipeError {
    #[error("invalid recipe {origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("could not read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no recipe is named `{name}`")]
    Unknown { name: String, known: Vec<String> },
    #[error("recipe `{recipe}` is not for {language}, which `{function}` is")]
    Language {
        recipe: String,
        function: String,
        language: String,
    },
    #[error("recipe `{recipe}` does not build for {arch}")]
    Architecture { recipe: String, arch: Arch },
    #[error("recipe `{recipe}` cannot pin glibc, which `{function}` needs for {runtime}")]
    NoGlibcPinning {
        recipe: String,
        function: String,
        runtime: String,
    },
    #[error("recipe `{recipe}` does not build against {libc:?} libc, which `{function}` asks for")]
    Libc {
        recipe: String,
        function: String,
        libc: Libc,
    },
}

impl RecipeError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            RecipeError::Invalid { .. } => "fix the recipe; `cargo powertools recipes show cargo-lambda` prints a complete one to copy".into(),
            RecipeError::Read { .. } => return None,
            RecipeError::Unknown { known, .. } => format!("choose one of: {} (`cargo powertools recipes` lists them)", known.join(", ")),
            RecipeError::Language { language, .. } => format!("choose a {language} recipe (`cargo powertools recipes` lists each one's language)"),
            RecipeError::Architecture { .. } => "choose a recipe that builds it (`cargo powertools recipes`), or another `--arch`".into(),
            RecipeError::NoGlibcPinning { .. } => "use a recipe that pins glibc (cargo-lambda, cargo-zigbuild), or run the function on provided.al2023".into(),
            RecipeError::Libc { .. } => "use a recipe that supports it (cargo-lambda, cargo-zigbuild, cross), or `libc = \"gnu\"`".into(),
        })
    }
}

/// Every recipe: built in, then the project's `recipes/*.toml`, then its workspace metadata; a
/// later one replaces an earlier one of the same name.
#[derive(Clone, Debug, Default)]
pub struct Recipes {
    recipes: BTreeMap<String, LoadedRecipe>,
}

impl Recipes {
    pub fn built_in() -> Recipes {
        let mut recipes = Recipes::default();
        for (path, text) in BUILT_IN {
            let recipe: Recipe =
                toml_edit::de::from_str(text).expect("built-in recipes are valid (tested)");
            recipes.insert(LoadedRecipe {
                recipe,
                origin: Origin::BuiltIn(path),
                source: text.to_string(),
            });
        }
        recipes
    }

    /// Built-in recipes plus those of the workspace at `root` (its `recipes/` folder and the
    /// `recipes` table of its workspace metadata).
    pub fn for_workspace(
        root: &Path,
        metadata_recipes: Option<&serde_json::Value>,
    ) -> Result<Recipes, RecipeError> {
        let mut recipes = Recipes::built_in();
        let folder = root.join("recipes");
        if folder.is_dir() {
            let read_err = |source| RecipeError::Read {
                path: folder.clone(),
                source,
            };
            let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
                .map_err(read_err)?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            for path in files {
                let text = std::fs::read_to_string(&path).map_err(|source| RecipeError::Read {
                    path: path.clone(),
                    source,
                })?;
                let recipe: Recipe =
                    toml_edit::de::from_str(&text).map_err(|e| RecipeError::Invalid {
                        origin: path.display().to_string(),
                        message: e.to_string().trim().to_string(),
                    })?;
                recipes.insert(LoadedRecipe {
                    recipe,
                    origin: Origin::File(path),
                    source: text,
                });
            }
        }
        if let Some(tables) = metadata_recipes.and_then(|v| v.as_object()) {
            let manifest = root.join("Cargo.toml");
            for (name, value) in tables {
                let origin = Origin::WorkspaceMetadata(manifest.clone());
                let mut recipe: Recipe =
                    serde_path_to_error::deserialize(value).map_err(|e| RecipeError::Invalid {
                        origin: format!("`{name}` ({origin})"),
                        message: format!("`{}`: {}", e.path(), e.inner()),
                    })?;
                recipe.name = name.clone();
                recipe.check().map_err(|message| RecipeError::Invalid {
                    origin: format!("`{name}` ({origin})"),
                    message,
                })?;
                let source = toml_edit::ser::to_string_pretty(&recipe).unwrap_or_default();
                recipes.insert(LoadedRecipe {
                    recipe,
                    origin,
                    source,
                });
            }
        }
        Ok(recipes)
    }

    fn insert(&mut self, loaded: LoadedRecipe) {
        self.recipes.insert(loaded.recipe.name.clone(), loaded);
    }

    pub fn get(&self, name: &str) -> Result<&LoadedRecipe, RecipeError> {
        self.recipes.get(name).ok_or_else(|| RecipeError::Unknown {
            name: name.to_string(),
            known: self.recipes.keys().cloned().collect(),
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = &LoadedRecipe> {
        self.recipes.values()
    }
}

/// What one tool of a recipe looks like on this machine.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolStatus {
    pub name: String,
    /// The version, or why no command of the tool worked.
    pub version: Result<String, String>,
    pub install: Vec<String>,
}

/// The status of each tool `recipe` needs to build `arches` on this host.
pub fn check_tools(recipe: &Recipe, arches: &[Arch], host: Arch) -> Vec<ToolStatus> {
    recipe
        .tools
        .iter()
        .filter(|tool| tool.needed_for(arches, host))
        .map(|tool| ToolStatus {
            name: tool.name.clone(),
            version: tool.detect(),
            install: tool.install.clone(),
        })
        .collect()
}

/// Fills `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_recipes_parse_and_name_their_files() {
        let recipes = Recipes::built_in();
        let names: Vec<&str> = recipes.iter().map(|r| r.recipe.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cargo",
                "cargo-lambda",
                "cargo-zigbuild",
                "cross",
                "pants",
                "pex",
                "pip",
                "poetry",
                "uv"
            ]
        );
        for loaded in recipes.iter() {
            let Origin::BuiltIn(path) = loaded.origin else {
                panic!()
            };
            assert_eq!(path, format!("recipes/{}.toml", loaded.recipe.name));
            assert_eq!(
                loaded.recipe.tutorial,
                format!("docs/recipes/{}.md", loaded.recipe.name)
            );
        }
        assert!(recipes.get(DEFAULT).is_ok());
    }

    #[test]
    fn versions_are_found_in_tool_output() {
        assert_eq!(
            version_in("cargo-lambda 1.9.2 (67129fc 2026-08-21Z)").as_deref(),
            Some("1.9.2")
        );
        assert_eq!(version_in("0.13.0\n").as_deref(), Some("0.13.0"));
        assert_eq!(
            version_in("cross 0.2.5\ncargo 1.95.0").as_deref(),
            Some("0.2.5")
        );
        assert_eq!(version_in("no version"), None);
    }

    #[test]
    fn cross_linkers_are_needed_only_across_architectures() {
        let recipes = Recipes::built_in();
        let cargo = &recipes.get("cargo").unwrap().recipe;
        let needed = |arches: &[Arch], host| -> Vec<String> {
            cargo
                .tools
                .iter()
                .filter(|t| t.needed_for(arches, host))
                .map(|t| t.name.clone())
                .collect()
        };
        assert_eq!(needed(&Arch::ALL, Arch::X86_64), ["aarch64-linux-gnu-gcc"]);
        assert_eq!(needed(&[Arch::X86_64], Arch::X86_64), Vec::<String>::new());
        assert_eq!(needed(&Arch::ALL, Arch::Arm64), ["x86_64-linux-gnu-gcc"]);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(
                "{lambda_dir}/{bin}/bootstrap",
                &[("lambda_dir", "/l"), ("bin", "f")]
            ),
            "/l/f/bootstrap"
        );
    }
}
