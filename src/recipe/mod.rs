//! Recipes: build strategies as data. Each says which tools it needs (how to find them, their
//! version and how to install them), which architectures it builds, the build command it runs and
//! where that command leaves each binary. The built-in recipes are the files under `recipes/`,
//! compiled into the binary; a project adds or overrides recipes in its own `recipes/` folder or in
//! `[workspace.metadata.powertools.recipes.<name>]`.
use crate::model::{Arch, Libc, Name};
use crate::process::ProcessBuilder;
pub use template::{
    BuildArgs, BuildOutput, CommandTemplate, Placeholder, PythonValues, Template, Values,
};

pub mod template;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The recipe used when nothing names one.
pub const DEFAULT: &str = "cargo-lambda";

/// The recipe used for a Python function when nothing names one.
pub const DEFAULT_PYTHON: &str = "uv";

// `BUILT_IN`: every `recipes/*.toml` of this repository, by path, with its text (written by
// build.rs, so that adding a built-in recipe is adding its file).
include!(concat!(env!("OUT_DIR"), "/built_in_recipes.rs"));

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Rust,
    Python,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// The file format and the validated types below have alike fields: the first is what a file may
// say, the second what was checked; only `from_file` turns one into the other.
// --- The file format: what a recipe file (or a metadata table) may say. Serde checks the types and
// the keys; `Recipe::from_file` checks the rest and turns it into the validated types below. ------

// Each table of the file format is its own serde struct with `deny_unknown_fields`.
/// A recipe as written in `recipes/<name>.toml` or `[workspace.metadata.powertools.recipes.<name>]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RecipeFile {
    /// Defaults to the file's name (`recipes/<name>.toml`) or the metadata table's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub language: Language,
    pub summary: String,
    /// The cookbook page that teaches this recipe, relative to the repository.
    pub tutorial: String,
    pub architectures: Vec<Arch>,
    /// Rust only: whether it accepts cargo-zigbuild's `<triple>.<glibc>` targets (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc_pinning: Option<bool>,
    /// Rust only: the C libraries it builds against (default `["gnu"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libc: Option<Vec<Libc>>,
    /// Rust only: whether the build uses the host toolchain's standard library for the target
    /// (default true; false for recipes that build inside a container).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_target_std: Option<bool>,
    /// How a Rust recipe builds (`language = "rust"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildFile>,
    /// How a Python recipe installs dependencies (`language = "python"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonFile>,
    #[serde(default)]
    pub tools: Vec<ToolFile>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildFile {
    pub program: String,
    pub args: Vec<String>,
    pub output: String,
    #[serde(default)]
    pub env: BTreeMap<Arch, BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_target: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PythonFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Whether `install` resolves dependencies itself (default false: it installs exactly the
    /// exported lines, as `--no-deps` does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolves: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ToolFile {
    pub name: String,
    pub version: Vec<String>,
    #[serde(default)]
    pub alternatives: Vec<Vec<String>>,
    pub install: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_for: Option<Arch>,
    #[serde(default)]
    pub locate_only: bool,
}

// --- The validated recipe: each language's steps are there, every command has a program, every
// placeholder is one the step fills. ------------------------------------------------------------

/// A tool's command (run as written, no placeholders): a program and its arguments. Never empty,
/// its program never blank: only [`CommandLine::new`] makes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommandLine {
    words: Vec<String>,
}

impl CommandLine {
    /// `None` for an empty list or a blank program.
    pub fn new(words: &[String]) -> Option<CommandLine> {
        let program = words.first()?;
        (!program.trim().is_empty()).then(|| CommandLine {
            words: words.to_vec(),
        })
    }

    pub fn program(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }

    pub fn args(&self) -> &[String] {
        self.words.split_first().map_or(&[], |(_, args)| args)
    }

    /// The words, program first (at least one).
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// What every recipe has, whatever its language.
#[derive(Clone, Debug, PartialEq)]
pub struct RecipeInfo {
    /// Letters, digits, `-` and `_` (it names a directory under the output's work area).
    pub name: String,
    pub summary: String,
    pub tutorial: String,
    /// Never empty.
    pub architectures: Vec<Arch>,
    pub tools: Vec<ToolSpec>,
}

/// A recipe that builds Rust binaries.
#[derive(Clone, Debug, PartialEq)]
pub struct RustRecipe {
    pub info: RecipeInfo,
    /// Whether it accepts cargo-zigbuild's `<triple>.<glibc>` targets to pin the glibc a binary needs.
    pub glibc_pinning: bool,
    /// Never empty.
    pub libc: Vec<Libc>,
    /// Whether the build uses the host toolchain's standard library for the target (false for
    /// recipes that build inside a container).
    pub needs_target_std: bool,
    pub build: BuildSpec,
}

/// A recipe that installs a Python function's dependencies (or has a tool build its zip).
#[derive(Clone, Debug, PartialEq)]
pub struct PythonRecipe {
    pub info: RecipeInfo,
    pub python: PythonSpec,
}

// `recipe.name`, `recipe.architectures`, `recipe.tools` read the same on every kind of recipe.
impl std::ops::Deref for RustRecipe {
    type Target = RecipeInfo;
    fn deref(&self) -> &RecipeInfo {
        &self.info
    }
}

impl std::ops::Deref for PythonRecipe {
    type Target = RecipeInfo;
    fn deref(&self) -> &RecipeInfo {
        &self.info
    }
}

/// A recipe, of one language: the language decides which steps it has.
#[derive(Clone, Debug, PartialEq)]
pub enum Recipe {
    Rust(RustRecipe),
    Python(PythonRecipe),
}

impl Recipe {
    pub fn info(&self) -> &RecipeInfo {
        match self {
            Recipe::Rust(recipe) => &recipe.info,
            Recipe::Python(recipe) => &recipe.info,
        }
    }

    pub fn language(&self) -> Language {
        match self {
            Recipe::Rust(_) => Language::Rust,
            Recipe::Python(_) => Language::Python,
        }
    }

    /// This recipe as a Rust one, or the error for using it on `function`, a Rust function.
    pub fn as_rust(&self, function: &str) -> Result<&RustRecipe, RecipeError> {
        match self {
            Recipe::Rust(recipe) => Ok(recipe),
            Recipe::Python(_) => Err(self.wrong_language(function, Language::Rust)),
        }
    }

    /// This recipe as a Python one, or the error for using it on `function`, a Python function.
    pub fn as_python(&self, function: &str) -> Result<&PythonRecipe, RecipeError> {
        match self {
            Recipe::Python(recipe) => Ok(recipe),
            Recipe::Rust(_) => Err(self.wrong_language(function, Language::Python)),
        }
    }

    fn wrong_language(&self, function: &str, language: Language) -> RecipeError {
        RecipeError::Language {
            recipe: self.info().name.clone(),
            function: function.to_string(),
            language: language.to_string(),
        }
    }

    /// The command a recipe runs, in two words: `cargo lambda`, `uv export`, `pants package`.
    pub fn toolchain(&self) -> String {
        let first = match self {
            Recipe::Rust(recipe) => recipe.build.command.written(),
            Recipe::Python(recipe) => match &recipe.python.export {
                Some(export) => export.written(),
                None => recipe.python.step.command().written(),
            },
        };
        first.into_iter().take(2).collect::<Vec<_>>().join(" ")
    }

    /// Checks `file` and turns it into a recipe named `name` (the file's name or the table's key).
    /// The error names the field and says what is wrong.
    pub fn from_file(file: RecipeFile, name: &str) -> Result<Recipe, String> {
        check_name(name)?;
        if let Some(written) = file.name.as_deref().filter(|written| *written != name) {
            return Err(format!(
                "`name = \"{written}\"` differs from `{name}`, the name of its file or table; remove `name` or rename one to match"
            ));
        }
        if file.architectures.is_empty() {
            return Err(
                "`architectures` is empty: list what it builds, e.g. [\"x86_64\", \"arm64\"]"
                    .into(),
            );
        }
        let info = RecipeInfo {
            name: name.to_string(),
            summary: file.summary,
            tutorial: file.tutorial,
            architectures: file.architectures,
            tools: file
                .tools
                .iter()
                .enumerate()
                .map(|(i, tool)| ToolSpec::from_file(tool, i))
                .collect::<Result<_, _>>()?,
        };
        match file.language {
            Language::Rust => {
                if file.python.is_some() {
                    return Err("a rust recipe has a [build] table, not a [python] table".into());
                }
                let Some(build) = file.build else {
                    return Err(
                        "a rust recipe needs a [build] table: program, args and output".into(),
                    );
                };
                let libc = file.libc.unwrap_or_else(|| vec![Libc::Gnu]);
                if libc.is_empty() {
                    return Err(
                        "`libc` is empty: list what it builds against, e.g. [\"gnu\"]".into(),
                    );
                }
                Ok(Recipe::Rust(RustRecipe {
                    info,
                    glibc_pinning: file.glibc_pinning.unwrap_or(false),
                    libc,
                    needs_target_std: file.needs_target_std.unwrap_or(true),
                    build: BuildSpec::from_file(build)?,
                }))
            }
            Language::Python => {
                if file.build.is_some() {
                    return Err("a python recipe has a [python] table, not a [build] table".into());
                }
                for (key, given) in [
                    ("glibc-pinning", file.glibc_pinning.is_some()),
                    ("libc", file.libc.is_some()),
                    ("needs-target-std", file.needs_target_std.is_some()),
                ] {
                    if given {
                        return Err(format!("`{key}` is for rust recipes; remove it"));
                    }
                }
                let Some(python) = file.python else {
                    return Err(
                        "a python recipe needs a [python] table: `install`, or `package` with `output`"
                            .into(),
                    );
                };
                Ok(Recipe::Python(PythonRecipe {
                    info,
                    python: PythonSpec::from_file(python)?,
                }))
            }
        }
    }
}

/// Recipe names name directories and appear in commands, so they follow the rule of artifact
/// names ([`Name`]): letters, digits, `-` and `_`.
fn check_name(name: &str) -> Result<(), String> {
    Name::new(name).map(|_| ()).map_err(|_| {
        format!("`{name}` is not a recipe name: use 1 to 64 letters, digits, `-` and `_`")
    })
}

/// How a Python recipe installs: the lock it needs, how it exports it, and its one main step.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonSpec {
    /// The lock file the project must have, relative to its folder (none when the tool keeps its
    /// own, as Pants does).
    pub lock: Option<String>,
    /// Writes the lock's non-dev dependencies as pinned requirements to `{requirements}`; absent
    /// when the lock file is itself a requirements file.
    pub export: Option<CommandTemplate<PythonValues>>,
    pub step: PythonStep,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PythonStep {
    /// Installs `{requirements}` into `{site}` for the target: binary wheels only, no bytecode.
    /// Placeholders: `{python}` (3.12), `{python_nodot}` (312), `{cpu}` (x86_64 / aarch64),
    /// `{uv_platform}` (x86_64-manylinux_2_34), `{complete_platform}` (a pex complete-platform
    /// file), and `{manylinux}` (the argument is repeated once per accepted manylinux tag).
    Install {
        command: CommandTemplate<PythonValues>,
        /// The install resolves the dependencies itself (`python.resolves = true`: pip or pex
        /// given the requirements, not `--no-deps`): it can be asked again for what it left out,
        /// or to resolve again with a requirement added. Otherwise it installs exactly the lines
        /// it is given, and a gap in them is an error.
        resolves: bool,
    },
    /// A command that builds the Lambda zip itself (Pants), run in the workspace root; its entries
    /// are re-zipped reproducibly. `output`: where it leaves the zip, relative to the workspace root.
    Package {
        command: CommandTemplate<PythonValues>,
        output: Template<PythonValues>,
    },
}

impl PythonStep {
    /// The step's command: the install command, or the one that builds the zip.
    pub fn command(&self) -> &CommandTemplate<PythonValues> {
        match self {
            PythonStep::Install { command, .. } | PythonStep::Package { command, .. } => command,
        }
    }
}

/// Where a value that must be one text may not use the repeated `{manylinux}`.
fn single_python_values() -> Vec<Placeholder> {
    PythonValues::KNOWN
        .iter()
        .copied()
        .filter(|p| *p != Placeholder::Manylinux)
        .collect()
}

impl PythonSpec {
    fn from_file(file: PythonFile) -> Result<PythonSpec, String> {
        let program_known = single_python_values();
        let command = |words: &[String], field: &str| {
            CommandTemplate::<PythonValues>::parse(words, field, &program_known)
        };
        let export = file
            .export
            .as_deref()
            .map(|words| command(words, "python.export"))
            .transpose()?;
        let step = match (file.install, file.package, file.output) {
            (Some(install), None, None) => PythonStep::Install {
                command: command(&install, "python.install")?,
                resolves: file.resolves.unwrap_or(false),
            },
            (None, Some(package), Some(output)) => {
                if output.trim().is_empty() {
                    return Err(
                        "`python.output` is empty: say where `package` leaves its zip".into(),
                    );
                }
                if file.resolves.is_some() {
                    return Err("`python.resolves` is for an `install` step; remove it".into());
                }
                PythonStep::Package {
                    command: command(&package, "python.package")?,
                    output: Template::parse_known(&output, "python.output", &program_known)?,
                }
            }
            _ => {
                return Err(
                    "[python] has either `install`, or `package` with `output` (and not both)"
                        .into(),
                );
            }
        };
        if let Some(lock) = &file.lock
            && lock.trim().is_empty()
        {
            return Err("`python.lock` is empty: name the lock file, or remove the key".into());
        }
        Ok(PythonSpec {
            lock: file.lock,
            export,
            step,
        })
    }
}

/// How a Rust recipe builds.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildSpec {
    /// The program and its arguments. Placeholders: `{target}` (the build target, glibc suffix
    /// included) and `{lambda_dir}`. cargo-powertools appends the cargo selection flags
    /// (`--release`/`--profile`, `--manifest-path`, `--package`, `--bin`, `--locked`, `--offline`).
    pub command: CommandTemplate<BuildArgs>,
    /// Where a binary lands. Placeholders: `{lambda_dir}`, `{target_dir}`, `{triple}` (no glibc
    /// suffix), `{profile_dir}` and `{bin}`.
    pub output: Template<BuildOutput>,
    /// Environment by architecture, set when building for that architecture on a host of another.
    pub env: BTreeMap<Arch, BTreeMap<String, String>>,
    /// The program takes `--target` more than once (`multi-target = true`): both architectures
    /// build in one run, so cargo schedules them together and builds the host crates (proc macros,
    /// build scripts) once. The args hold `"--target", "{target}"`, which is repeated per target.
    pub multi_target: bool,
}

impl BuildSpec {
    fn from_file(file: BuildFile) -> Result<BuildSpec, String> {
        if file.program.trim().is_empty() {
            return Err(
                "`build.program` is empty: name the program that builds, e.g. \"cargo\"".into(),
            );
        }
        Template::<BuildArgs>::parse_known(&file.program, "build.program", &[])?;
        let words: Vec<String> = std::iter::once(file.program.clone())
            .chain(file.args.iter().cloned())
            .collect();
        let command = CommandTemplate::parse(&words, "build.args", &[])?;
        if file.output.trim().is_empty() {
            return Err("`build.output` is empty: say where a binary lands, e.g. \"{target_dir}/{triple}/{profile_dir}/{bin}\"".into());
        }
        let output = Template::parse(&file.output, "build.output")?;
        for (arch, vars) in &file.env {
            for (key, value) in vars {
                if key.is_empty() || key.contains(['=', '\0']) {
                    return Err(format!(
                        "`build.env.{arch}` has the variable name `{key}`, which is not one an environment can hold"
                    ));
                }
                Template::<BuildArgs>::parse_known(value, &format!("build.env.{arch}.{key}"), &[])?;
            }
        }
        if file.multi_target && !command.args().windows(2).any(is_target_pair) {
            return Err("`build.multi-target = true` needs the two args \"--target\", \"{target}\" in `build.args`, which are repeated once per target".into());
        }
        Ok(BuildSpec {
            command,
            output,
            env: file.env,
            multi_target: file.multi_target,
        })
    }

    /// The build command for `targets` (the build targets, glibc suffix included; more than one
    /// only for a `multi-target` recipe, whose `--target {target}` pair is repeated per target).
    pub fn process(&self, targets: &[String], lambda_dir: &str) -> ProcessBuilder {
        let values = BuildArgs {
            target: targets.first().cloned().unwrap_or_default(),
            lambda_dir: lambda_dir.to_string(),
        };
        let mut process = ProcessBuilder::new(self.command.program().fill(&values));
        let args = self.command.args();
        let mut next = 0;
        while let Some(arg) = args.get(next) {
            if self.multi_target && is_target_pair(&args[next..args.len().min(next + 2)]) {
                for target in targets {
                    process.args(["--target", target]);
                }
                next += 2;
            } else {
                process.args(arg.fill_each(&values));
                next += 1;
            }
        }
        process
    }
}

/// `"--target", "{target}"`: the pair a multi-target recipe repeats per target.
fn is_target_pair(pair: &[Template<BuildArgs>]) -> bool {
    matches!(pair, [flag, value] if flag.as_str() == "--target" && value.is_only(Placeholder::Target))
}

#[derive(Clone, Debug, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    /// A command that prints the tool's version and succeeds only when the tool is usable.
    pub version: CommandLine,
    /// Other commands to try, in order, when `version` fails.
    pub alternatives: Vec<CommandLine>,
    /// Ways to install it, best first. Never empty.
    pub install: Vec<String>,
    /// Needed only to build for this architecture on a host of another (a cross linker).
    pub cross_for: Option<Arch>,
    /// Only look the `version` command's program up on PATH, never run it: for tools whose every
    /// command has side effects (`cross --version` asks rustup to sync, and may update, the
    /// toolchain).
    pub locate_only: bool,
}

impl ToolSpec {
    fn from_file(file: &ToolFile, index: usize) -> Result<ToolSpec, String> {
        let field = |key: &str| format!("tools[{index}].{key}");
        if file.name.trim().is_empty() {
            return Err(format!("`{}` is empty: name the tool", field("name")));
        }
        // Tool commands are run as written: braces in them are literal (`docker info --format
        // '{{.ServerVersion}}'`), so no placeholder check.
        let version = CommandLine::new(&file.version).ok_or_else(|| {
            format!(
                "`{}` is empty: give a command that prints the tool's version",
                field("version")
            )
        })?;
        let alternatives = file
            .alternatives
            .iter()
            .map(|words| {
                CommandLine::new(words)
                    .ok_or_else(|| format!("`{}` holds an empty command", field("alternatives")))
            })
            .collect::<Result<_, _>>()?;
        if file.install.is_empty() {
            return Err(format!(
                "`{}` is empty: say how to install {}",
                field("install"),
                file.name
            ));
        }
        Ok(ToolSpec {
            name: file.name.clone(),
            version,
            alternatives,
            install: file.install.clone(),
            cross_for: file.cross_for,
            locate_only: file.locate_only,
        })
    }

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
            let program = self.version.program();
            return which::which(program)
                .map(|path| format!("installed at {}", path.display()))
                .map_err(|_| format!("`{program}` is not on PATH"));
        }
        let mut first_failure = None;
        for command in std::iter::once(&self.version).chain(&self.alternatives) {
            let program = command.program();
            match ProcessBuilder::new(program).args(command.args()).output() {
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
        crate::process::ProcessError::Interrupted { .. } => "interrupted".into(),
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
    #[error("`[workspace.metadata.powertools.recipes]` in {} is not a table of recipes", .manifest.display())]
    NotATable { manifest: PathBuf },
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
            RecipeError::Invalid { .. } => "fix the recipe; `cargo powertools recipes show cargo-lambda` (Rust) or `recipes show uv` (Python) prints a complete one to copy".into(),
            RecipeError::Read { .. } => "check that the project's `recipes/` folder and its files are readable".into(),
            RecipeError::NotATable { .. } => "write each recipe as `[workspace.metadata.powertools.recipes.<name>]`".into(),
            RecipeError::Unknown { known, .. } => format!("choose one of: {} (`cargo powertools recipes` lists them)", known.join(", ")),
            RecipeError::Language { language, .. } => format!("choose a {language} recipe (`cargo powertools recipes` lists each one's language)"),
            RecipeError::Architecture { .. } => "choose a recipe that builds it (`cargo powertools recipes`), or another `--arch`".into(),
            RecipeError::NoGlibcPinning { .. } => "use a recipe that pins glibc (cargo-lambda, cargo-zigbuild), or run the function on provided.al2023".into(),
            RecipeError::Libc { .. } => "use a recipe that supports it (cargo-lambda, cargo-zigbuild, cross), or `libc = \"gnu\"`".into(),
        })
    }
}

/// Parses and checks a recipe file's text; `name` is the file's name without `.toml`.
pub fn parse(text: &str, name: &str, origin: &Origin) -> Result<Recipe, RecipeError> {
    let invalid = |message: String| RecipeError::Invalid {
        origin: origin.to_string(),
        message,
    };
    let file: RecipeFile =
        toml_edit::de::from_str(text).map_err(|e| invalid(e.to_string().trim().to_string()))?;
    Recipe::from_file(file, name).map_err(invalid)
}

/// Every recipe: built in, then the project's `recipes/*.toml`, then its workspace metadata; a
/// later one replaces an earlier one of the same name. Each is checked as it is loaded
/// ([`Recipe::from_file`]), whatever its source.
#[derive(Clone, Debug, Default)]
pub struct Recipes {
    recipes: BTreeMap<String, LoadedRecipe>,
}

impl Recipes {
    /// The recipes compiled into the binary (a unit test loads each one).
    pub fn built_in() -> Result<Recipes, RecipeError> {
        let mut recipes = Recipes::default();
        for (path, text) in BUILT_IN {
            let name = Path::new(path)
                .file_stem()
                .and_then(|stem| stem.to_str())
                .unwrap_or_default();
            let origin = Origin::BuiltIn(path);
            recipes.insert(LoadedRecipe {
                recipe: parse(text, name, &origin)?,
                origin,
                source: text.to_string(),
            });
        }
        Ok(recipes)
    }

    /// Built-in recipes plus those of the workspace at `root` (its `recipes/` folder and the
    /// `recipes` table of its workspace metadata).
    pub fn for_workspace(
        root: &Path,
        metadata_recipes: Option<&serde_json::Value>,
    ) -> Result<Recipes, RecipeError> {
        let mut recipes = Recipes::built_in()?;
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
                let origin = Origin::File(path.clone());
                let name = path
                    .file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned())
                    .unwrap_or_default();
                recipes.insert(LoadedRecipe {
                    recipe: parse(&text, &name, &origin)?,
                    origin,
                    source: text,
                });
            }
        }
        let manifest = root.join("Cargo.toml");
        let tables = match metadata_recipes {
            None => None,
            Some(serde_json::Value::Object(tables)) => Some(tables),
            Some(_) => return Err(RecipeError::NotATable { manifest }),
        };
        for (name, value) in tables.into_iter().flatten() {
            let origin = Origin::WorkspaceMetadata(manifest.clone());
            let invalid = |message: String| RecipeError::Invalid {
                origin: format!("`{name}` ({origin})"),
                message,
            };
            let file: RecipeFile = serde_path_to_error::deserialize(value)
                .map_err(|e| invalid(format!("`{}`: {}", e.path(), e.inner())))?;
            let source = toml_edit::ser::to_string_pretty(&file).unwrap_or_default();
            recipes.insert(LoadedRecipe {
                recipe: Recipe::from_file(file, name).map_err(invalid)?,
                origin,
                source,
            });
        }
        Ok(recipes)
    }

    fn insert(&mut self, loaded: LoadedRecipe) {
        self.recipes
            .insert(loaded.recipe.info().name.clone(), loaded);
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
pub fn check_tools(recipe: &RecipeInfo, arches: &[Arch], host: Arch) -> Vec<ToolStatus> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_recipes_parse_and_name_their_files() {
        let recipes = Recipes::built_in().unwrap();
        let names: Vec<&str> = recipes
            .iter()
            .map(|r| r.recipe.info().name.as_str())
            .collect();
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
            let info = loaded.recipe.info();
            assert_eq!(path, format!("recipes/{}.toml", info.name));
            assert_eq!(info.tutorial, format!("docs/recipes/{}.md", info.name));
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
        let recipes = Recipes::built_in().unwrap();
        let cargo = recipes.get("cargo").unwrap().recipe.info();
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

    const RUST: &str =
        "language = \"rust\"\nsummary = \"s\"\ntutorial = \"t.md\"\narchitectures = [\"x86_64\"]\n";
    const PYTHON: &str = "language = \"python\"\nsummary = \"s\"\ntutorial = \"t.md\"\narchitectures = [\"x86_64\"]\n";
    const BUILD: &str = "[build]\nprogram = \"cargo\"\nargs = [\"build\", \"--target\", \"{target}\"]\noutput = \"{target_dir}/{triple}/{profile_dir}/{bin}\"\n";

    fn check(text: &str) -> Result<Recipe, String> {
        parse(text, "mine", &Origin::File("recipes/mine.toml".into())).map_err(|e| match e {
            RecipeError::Invalid { message, .. } => message,
            other => other.to_string(),
        })
    }

    #[test]
    fn a_recipe_takes_its_name_from_its_file_and_has_its_languages_steps() {
        let recipe = check(&format!("{RUST}{BUILD}")).unwrap();
        assert_eq!(recipe.info().name, "mine");
        let Recipe::Rust(rust) = recipe else { panic!() };
        assert_eq!(rust.libc, [Libc::Gnu]);
        assert!(rust.needs_target_std && !rust.glibc_pinning);
        assert_eq!(rust.build.command.program().as_str(), "cargo");
        let python = check(&format!(
            "{PYTHON}[python]\ninstall = [\"pip\", \"{{site}}\"]\n"
        ))
        .unwrap();
        assert_eq!(python.language(), Language::Python);
        assert_eq!(python.toolchain(), "pip {site}");
    }

    #[test]
    fn each_wrong_state_is_refused_naming_the_field() {
        for (text, message) in [
            (
                RUST.to_string(),
                "a rust recipe needs a [build] table: program, args and output",
            ),
            (
                format!("{RUST}{BUILD}[python]\ninstall = [\"pip\"]\n"),
                "a rust recipe has a [build] table, not a [python] table",
            ),
            (
                PYTHON.to_string(),
                "a python recipe needs a [python] table: `install`, or `package` with `output`",
            ),
            (
                format!("{PYTHON}[python]\ninstall = []\n"),
                "`python.install` is empty: give the program and its arguments, e.g. [\"program\", \"arg\"]",
            ),
            (
                format!("{PYTHON}[python]\ninstall = [\"\"]\n"),
                "`python.install` is empty",
            ),
            (
                format!("{PYTHON}[python]\npackage = [\"pants\"]\n"),
                "[python] has either `install`, or `package` with `output` (and not both)",
            ),
            (
                format!(
                    "{PYTHON}[python]\ninstall = [\"pip\"]\npackage = [\"pants\"]\noutput = \"x\"\n"
                ),
                "[python] has either",
            ),
            (
                format!("{PYTHON}libc = [\"gnu\"]\n[python]\ninstall = [\"pip\"]\n"),
                "`libc` is for rust recipes; remove it",
            ),
            (
                format!("{PYTHON}[python]\ninstall = [\"pip\", \"{{sites}}\"]\n"),
                "`python.install` uses the unknown placeholder `{sites}`; the known ones are {project}, {site}, {requirements}, {python}, {python_nodot}, {cpu}, {name}, {project_dots}",
            ),
            (
                format!(
                    "{RUST}[build]\nprogram = \"cargo\"\nargs = [\"{{bin}}\"]\noutput = \"x\"\n"
                ),
                "`build.args` uses the unknown placeholder `{bin}`; the known ones are {target}, {lambda_dir}",
            ),
            (
                format!("{RUST}[build]\nprogram = \"\"\nargs = []\noutput = \"x\"\n"),
                "`build.program` is empty",
            ),
            (
                format!(
                    "{RUST}[build]\nprogram = \"cargo\"\nargs = [\"build\", \"--target={{target}}\"]\noutput = \"x\"\nmulti-target = true\n"
                ),
                "`build.multi-target = true` needs the two args \"--target\", \"{target}\" in `build.args`",
            ),
            (
                format!("{RUST}[build]\nprogram = \"cargo\"\nargs = []\noutput = \"\"\n"),
                "`build.output` is empty",
            ),
            (format!("{RUST}libc = []\n{BUILD}"), "`libc` is empty"),
            (
                format!("{}{BUILD}", RUST.replace("[\"x86_64\"]", "[]")),
                "`architectures` is empty",
            ),
            (
                format!("name = \"other\"\n{RUST}{BUILD}"),
                "`name = \"other\"` differs from `mine`, the name of its file or table; remove `name` or rename one to match",
            ),
            (
                format!("{RUST}{BUILD}[[tools]]\nname = \"t\"\nversion = []\ninstall = [\"x\"]\n"),
                "`tools[0].version` is empty",
            ),
            (
                format!("{RUST}{BUILD}[[tools]]\nname = \"t\"\nversion = [\"t\"]\ninstall = []\n"),
                "`tools[0].install` is empty: say how to install t",
            ),
        ] {
            let err = check(&text).expect_err(&text);
            assert!(err.contains(message), "{message:?} in {err:?} for:\n{text}");
        }
        let err = parse(
            &format!("{RUST}{BUILD}"),
            "my recipe",
            &Origin::File("x".into()),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`my recipe` is not a recipe name"),
            "{err}"
        );
    }

    #[test]
    fn a_multi_target_recipe_repeats_its_target_pair_per_target() {
        let Recipe::Rust(rust) = check(&format!("{RUST}{BUILD}multi-target = true\n")).unwrap()
        else {
            panic!()
        };
        let targets = [
            "x86_64-unknown-linux-gnu".to_string(),
            "aarch64-unknown-linux-gnu".into(),
        ];
        assert_eq!(
            rust.build.process(&targets, "/l").to_string(),
            "cargo build --target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu"
        );
        let Recipe::Rust(single) = check(&format!("{RUST}{BUILD}")).unwrap() else {
            panic!()
        };
        assert!(!single.build.multi_target);
        assert_eq!(
            single.build.process(&targets[..1], "/l").to_string(),
            "cargo build --target x86_64-unknown-linux-gnu"
        );
    }

    #[test]
    fn only_pip_and_pex_resolve_and_resolves_is_for_an_install_step() {
        let recipes = Recipes::built_in().unwrap();
        let resolving: Vec<&str> = recipes
            .iter()
            .filter(|loaded| {
                matches!(&loaded.recipe, Recipe::Python(p) if matches!(p.python.step, PythonStep::Install { resolves: true, .. }))
            })
            .map(|loaded| loaded.recipe.info().name.as_str())
            .collect();
        assert_eq!(resolving, ["pex", "pip"]);
        assert_eq!(
            check(&format!(
                "{PYTHON}[python]\npackage = [\"pants\"]\noutput = \"x.zip\"\nresolves = true\n"
            ))
            .unwrap_err(),
            "`python.resolves` is for an `install` step; remove it"
        );
        assert!(
            check(&format!(
                "{PYTHON}[python]\npackage = [\"pants\"]\noutput = \"{{manylinux}}.zip\"\n"
            ))
            .unwrap_err()
            .starts_with("`python.output` uses the unknown placeholder `{manylinux}`")
        );
    }

    mod properties {
        use super::*;
        use crate::proptest_support::{config, json_near, near_string};
        use proptest::prelude::*;

        /// The keys of the recipe file format, placeholders and values it knows.
        const KEYS: &[&str] = &[
            "name",
            "language",
            "summary",
            "tutorial",
            "architectures",
            "glibc-pinning",
            "libc",
            "needs-target-std",
            "build",
            "python",
            "tools",
            "program",
            "args",
            "output",
            "env",
            "lock",
            "export",
            "install",
            "package",
            "version",
            "alternatives",
            "cross-for",
            "locate-only",
            "rust",
            "python",
            "x86_64",
            "arm64",
            "gnu",
            "musl",
            "{target}",
            "{bin}",
            "{site}",
            "{nope}",
            "cargo",
        ];

        /// What every loaded recipe guarantees, whatever its source.
        fn assert_invariants(recipe: &Recipe) {
            let info = recipe.info();
            assert!(check_name(&info.name).is_ok());
            assert!(!info.architectures.is_empty());
            for tool in &info.tools {
                assert!(!tool.version.program().trim().is_empty());
                assert!(!tool.install.is_empty());
            }
            let known_in = |command: &CommandTemplate<PythonValues>| {
                command
                    .words()
                    .iter()
                    .flat_map(Template::placeholders)
                    .all(|p| PythonValues::KNOWN.contains(&p))
            };
            match recipe {
                Recipe::Rust(rust) => {
                    assert!(!rust.libc.is_empty());
                    assert!(!rust.build.command.program().as_str().trim().is_empty());
                    assert_eq!(rust.build.command.program().placeholders().count(), 0);
                    assert!(
                        rust.build
                            .command
                            .args()
                            .iter()
                            .flat_map(Template::placeholders)
                            .all(|p| BuildArgs::KNOWN.contains(&p))
                    );
                    assert!(
                        rust.build
                            .output
                            .placeholders()
                            .all(|p| BuildOutput::KNOWN.contains(&p))
                    );
                }
                Recipe::Python(python) => {
                    assert!(known_in(python.python.step.command()));
                    if let Some(export) = &python.python.export {
                        assert!(known_in(export));
                    }
                }
            }
        }

        /// The metadata table of one recipe, as cargo metadata hands it over.
        fn load_metadata(name: &str, table: serde_json::Value) -> Result<Recipes, RecipeError> {
            let dir = std::env::temp_dir().join("powertools-proptest-no-such-workspace");
            let tables = serde_json::json!({ name: table });
            Recipes::for_workspace(&dir, Some(&tables))
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn any_text_as_a_recipe_file_is_a_recipe_or_an_error(text in any::<String>()) {
                if let Ok(recipe) = parse(&text, "mine", &Origin::File("recipes/mine.toml".into())) {
                    assert_invariants(&recipe);
                }
            }

            #[test]
            fn any_metadata_table_is_a_recipe_or_an_error_naming_it(
                name in near_string(KEYS),
                table in json_near(KEYS),
            ) {
                match load_metadata(&name, table) {
                    Ok(recipes) => {
                        let loaded = recipes.get(&name).unwrap();
                        prop_assert_eq!(&loaded.recipe.info().name, &name);
                        assert_invariants(&loaded.recipe);
                    }
                    Err(RecipeError::Invalid { origin, .. }) => {
                        prop_assert!(origin.starts_with(&format!("`{}`", name)), "{}", origin);
                    }
                    Err(other) => prop_assert!(false, "{}", other),
                }
            }

            #[test]
            fn a_built_in_recipe_with_one_key_replaced_loads_or_is_refused(
                which in any::<prop::sample::Index>(),
                key in near_string(KEYS),
                value in json_near(KEYS),
            ) {
                // Start from a valid recipe, so that the checks after serde's are reached.
                let recipes = Recipes::built_in().unwrap();
                let all: Vec<&LoadedRecipe> = recipes.iter().collect();
                let loaded = all[which.index(all.len())];
                let mut table: serde_json::Value = toml_edit::de::from_str(&loaded.source).unwrap();
                let mut target = &mut table;
                for part in key.split('.') {
                    if !target.is_object() {
                        break;
                    }
                    target = &mut target[part];
                }
                *target = value;
                if let Ok(recipes) = load_metadata("edited", table) {
                    assert_invariants(&recipes.get("edited").unwrap().recipe);
                }
            }

            #[test]
            fn any_text_is_a_template_or_an_error_and_fills_back_to_itself(text in any::<String>()) {
                // Filled with each placeholder's own written form, a template gives its text back.
                struct Written(Vec<String>);
                impl Values for Written {
                    const KNOWN: &'static [Placeholder] = &Placeholder::ALL;
                    fn value(&self, p: Placeholder) -> Option<template::Value<'_>> {
                        Some(template::Value::One(&self.0[Placeholder::ALL.iter().position(|q| *q == p)?]))
                    }
                }
                let written = Written(Placeholder::ALL.iter().map(ToString::to_string).collect());
                if let Ok(template) = Template::<Written>::parse(&text, "field") {
                    prop_assert_eq!(template.fill(&written), text.clone());
                    for p in template.placeholders() {
                        prop_assert!(text.contains(&p.to_string()));
                    }
                }
            }

            #[test]
            fn a_version_is_found_or_not_in_any_text(text in any::<String>()) {
                if let Some(version) = version_in(&text) {
                    prop_assert!(text.contains(&version));
                }
            }
        }
    }
}
