//! Python functions and layers: the project's locked dependencies installed for Lambda's platform
//! (manylinux2014 binary wheels for the target architecture and Python version, never the build
//! machine's), plus the project's own code, as zip entries.
use crate::arch::{Arch, PYTHON_MINORS, Runtime};
use crate::archive::{self, Entry};
use crate::config::{Kind, PythonConfig};
use crate::process::{ProcessBuilder, ProcessError, Stream};
use crate::recipe::{self, Recipe};
use std::path::{Path, PathBuf};

/// Own-code globs when a function names none.
const DEFAULT_INCLUDE: [&str; 1] = ["**/*.py"];
/// Folders whose files are never the function's own code.
const NOT_OWN_CODE: [&str; 12] = [
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "tests",
    "test",
    ".git",
    "node_modules",
    "dist",
    "build",
    ".pytest_cache",
];
/// What installers leave in `*.dist-info` that is about the build machine, not the package.
const INSTALL_RECORDS: [&str; 4] = ["RECORD", "INSTALLER", "REQUESTED", "direct_url.json"];

#[derive(Clone, Debug, PartialEq)]
pub struct PythonFunction {
    pub name: String,
    /// The project folder.
    pub project: PathBuf,
    /// The project folder relative to the workspace root (for Pants addresses).
    pub project_rel: String,
    /// Configured recipe; `None` means uv (or `--recipe`).
    pub recipe: Option<String>,
    /// `3.12`.
    pub python: String,
    pub runtime: Runtime,
    pub handler: Option<String>,
    pub architectures: Vec<Arch>,
    pub layer: bool,
    pub exclude: Vec<String>,
    /// `None`: the default own-code globs.
    pub include: Option<Vec<String>>,
    /// Where it is declared, for messages.
    pub declared_in: PathBuf,
}

impl PythonFunction {
    pub fn kind(&self) -> Kind {
        if self.layer {
            Kind::Layer
        } else {
            Kind::Function
        }
    }

    /// The platform tag its wheels are installed for.
    pub fn platform(arch: Arch) -> String {
        format!("manylinux2014_{}", cpu(arch))
    }
}

fn cpu(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86_64",
        Arch::Arm64 => "aarch64",
    }
}

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

/// A function declared in `[workspace.metadata.powertools.python.<name>]`.
pub fn from_config(
    name: &str,
    config: &PythonConfig,
    root: &Path,
    declared_in: &Path,
) -> Result<PythonFunction, PythonError> {
    let runtime = python_runtime(&config.python).ok_or_else(|| PythonError::BadVersion {
        name: name.to_string(),
        value: config.python.clone(),
        declared_in: declared_in.to_path_buf(),
    })?;
    if config.handler.is_none() && !config.layer {
        return Err(PythonError::MissingHandler {
            name: name.to_string(),
            declared_in: declared_in.to_path_buf(),
        });
    }
    let project = root.join(&config.path);
    if !project.is_dir() {
        return Err(PythonError::MissingProject { path: project });
    }
    Ok(PythonFunction {
        name: name.to_string(),
        project,
        project_rel: config
            .path
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string(),
        recipe: config.recipe.clone(),
        python: config.python.clone(),
        runtime,
        handler: config.handler.clone(),
        architectures: config
            .architectures
            .clone()
            .unwrap_or_else(|| Arch::ALL.to_vec()),
        layer: config.layer,
        exclude: config.exclude.clone(),
        include: config.include.clone(),
        declared_in: declared_in.to_path_buf(),
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

/// A project folder packaged on its own: named after the folder; Python version from
/// `--python-version` or the project's `.python-version` file.
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
    let python = match &options.python {
        Some(version) => version.clone(),
        None => std::fs::read_to_string(project.join(".python-version"))
            .ok()
            .and_then(|text| {
                text.lines().next().map(|l| {
                    l.trim()
                        .splitn(3, '.')
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(".")
                })
            })
            .ok_or_else(|| PythonError::NoVersion {
                name: name.clone(),
                project: project.clone(),
            })?,
    };
    let config = PythonConfig {
        path: project.clone(),
        recipe: None,
        python,
        handler: options.handler.clone(),
        architectures: None,
        layer: options.layer,
        exclude: Vec::new(),
        include: None,
    };
    let declared_in = project.join("pyproject.toml");
    let mut function = from_config(&name, &config, Path::new("/"), &declared_in)?;
    function.project_rel = ".".into();
    Ok(function)
}

/// `3.12` → python3.12, when Lambda has that runtime.
fn python_runtime(version: &str) -> Option<Runtime> {
    let minor: u8 = version.strip_prefix("3.")?.parse().ok()?;
    PYTHON_MINORS
        .contains(&minor)
        .then_some(Runtime::Python(minor))
}

/// Whether `requires-python` (e.g. `>=3.10,<4`) allows `3.<minor>`, comparing major.minor only.
pub fn allows(requires: &str, minor: u8) -> bool {
    let have = (3u32, u32::from(minor));
    requires
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .all(|clause| {
            let op_len = clause
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(clause.len());
            let (op, version) = clause.split_at(op_len);
            let mut parts = version
                .trim_end_matches(".*")
                .split('.')
                .map(|p| p.parse::<u32>().unwrap_or(0));
            let want = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
            match op.trim() {
                ">=" | "~=" => have >= want,
                ">" => have > want || (have == want && version.split('.').count() > 2),
                "<=" => have <= want,
                "<" => have < want,
                "==" | "===" => {
                    have == want || (version.split('.').count() == 1 && have.0 == want.0)
                }
                "!=" => have != want,
                _ => true,
            }
        })
}

fn check_requires_python(function: &PythonFunction) -> Result<(), PythonError> {
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
    let Runtime::Python(minor) = function.runtime else {
        return Ok(());
    };
    if allows(requires, minor) {
        Ok(())
    } else {
        Err(PythonError::PythonVersion {
            pyproject,
            requires: requires.to_string(),
            python: function.python.clone(),
        })
    }
}

/// Installs `function`'s dependencies for `arch` with `recipe` under `work`, and returns the zip
/// entries: dependencies and own code at the root for a function, under `python/` for a layer.
pub fn build(
    function: &PythonFunction,
    arch: Arch,
    recipe: &Recipe,
    workspace_root: &Path,
    work: &Path,
    mut on_line: impl FnMut(Stream, &str),
) -> Result<Vec<Entry>, PythonError> {
    let spec = recipe.python_spec();
    if let Some(lock) = &spec.lock
        && !function.project.join(lock).is_file()
    {
        return Err(PythonError::MissingLock {
            project: function.project.clone(),
            lock: lock.clone(),
            recipe: recipe.name.clone(),
        });
    }
    check_requires_python(function)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PythonError::Io { path, source }
    };
    let site = work.join("site");
    std::fs::create_dir_all(&site).map_err(io(&site))?;
    let requirements = work.join("requirements.txt");
    let project = function.project.to_string_lossy();
    let (python, python_nodot) = (function.python.clone(), function.python.replace('.', ""));
    let site_text = site.to_string_lossy();
    let requirements_text = requirements.to_string_lossy();
    let project_dots = function.project_rel.replace('/', ".");
    let values = [
        ("project", project.as_ref()),
        ("site", site_text.as_ref()),
        ("requirements", requirements_text.as_ref()),
        ("python", python.as_str()),
        ("python_nodot", python_nodot.as_str()),
        ("cpu", cpu(arch)),
        ("name", function.name.as_str()),
        ("project_dots", project_dots.as_str()),
    ];
    let command = |template: &[String]| {
        let mut process = ProcessBuilder::new(recipe::fill(&template[0], &values));
        process.args(template[1..].iter().map(|a| recipe::fill(a, &values)));
        process
    };
    let step_err = |step: &'static str| {
        let name = function.name.clone();
        move |source| PythonError::Step {
            step,
            name,
            arch,
            source,
        }
    };

    let own_code = if let (Some(package), Some(output)) = (&spec.package, &spec.output) {
        // The tool builds the Lambda zip itself (own code included); take its contents.
        let mut process = command(&package[..]);
        process.cwd(workspace_root);
        on_line(Stream::Stderr, &format!("Running `{process}`"));
        process
            .stream(&mut on_line)
            .map_err(step_err("packaging"))?;
        let zip = workspace_root.join(recipe::fill(output, &values));
        if !zip.is_file() {
            return Err(PythonError::MissingOutput {
                command: process.to_string(),
                output: zip,
            });
        }
        extract(&zip, &site)?;
        false
    } else {
        match &spec.export {
            Some(export) => {
                let process = command(export);
                on_line(Stream::Stderr, &format!("Running `{process}`"));
                process
                    .stream(&mut on_line)
                    .map_err(step_err("exporting the lock"))?;
            }
            None => {
                let lock = function
                    .project
                    .join(spec.lock.as_deref().unwrap_or("requirements.txt"));
                std::fs::copy(&lock, &requirements).map_err(io(&lock))?;
            }
        }
        let install = command(spec.install.as_deref().unwrap_or_default());
        on_line(Stream::Stderr, &format!("Running `{install}`"));
        if let Err(err) = install.stream(&mut on_line) {
            return Err(
                classify_install_failure(err, &requirements, arch, &function.python)
                    .unwrap_or_else(step_err("installing")),
            );
        }
        true
    };

    remove_excluded(&site, &function.exclude)?;
    prune(&site)?;
    let prefix = if function.layer { "python/" } else { "" };
    let mut entries = files_as_entries(&site, &site, prefix)?;
    if own_code && (!function.layer || function.include.is_some()) {
        entries.extend(own_code_entries(function, prefix)?);
    }
    Ok(entries)
}

/// Names the package when an install failed because it has no wheel for the target.
fn classify_install_failure(
    err: ProcessError,
    requirements: &Path,
    arch: Arch,
    python: &str,
) -> Result<PythonError, ProcessError> {
    let ProcessError::Failed { stderr, .. } = &err else {
        return Err(err);
    };
    const NO_WHEEL: [&str; 6] = [
        "from versions: none",
        "no matching distribution found",
        "has no wheels",
        "no wheels with a matching",
        "has no usable wheels",
        "no compatible wheel",
    ];
    let names: Vec<String> = std::fs::read_to_string(requirements)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('-'))
        .map(|l| {
            l.split(|c: char| "=<>!~;[ ".contains(c))
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let normalize = |s: &str| s.to_lowercase().replace(['_', '.'], "-");
    for line in stderr
        .lines()
        .filter(|l| NO_WHEEL.iter().any(|m| l.to_lowercase().contains(m)))
    {
        let line_normalized = normalize(line);
        let mut found: Vec<&String> = names
            .iter()
            .filter(|n| !n.is_empty() && line_normalized.contains(&normalize(n)))
            .collect();
        found.sort_by_key(|n| std::cmp::Reverse(n.len()));
        if let Some(package) = found.first() {
            return Ok(PythonError::SdistOnly {
                package: package.to_string(),
                platform: PythonFunction::platform(arch),
                python: python.to_string(),
            });
        }
    }
    Err(err)
}

/// Removes each excluded distribution: the files its RECORD lists, and its dist-info.
fn remove_excluded(site: &Path, exclude: &[String]) -> Result<(), PythonError> {
    let normalize = |s: &str| s.to_lowercase().replace(['-', '.'], "_");
    let wanted: Vec<String> = exclude.iter().map(|e| normalize(e)).collect();
    let Ok(entries) = std::fs::read_dir(site) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".dist-info") else {
            continue;
        };
        let distribution = normalize(stem.split('-').next().unwrap_or(stem));
        if !wanted.contains(&distribution) {
            continue;
        }
        let record = std::fs::read_to_string(entry.path().join("RECORD")).unwrap_or_default();
        for line in record.lines() {
            let file = line.split(',').next().unwrap_or("");
            if !file.is_empty() && !file.starts_with('/') && !file.contains("..") {
                let _ = std::fs::remove_file(site.join(file));
            }
        }
        std::fs::remove_dir_all(entry.path()).map_err(|source| PythonError::Io {
            path: entry.path(),
            source,
        })?;
    }
    remove_empty_dirs(site);
    Ok(())
}

fn remove_empty_dirs(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_empty_dirs(&entry.path());
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

/// Drops bytecode caches, the installer's records of this machine and its lock file.
fn prune(site: &Path) -> Result<(), PythonError> {
    // uv leaves a `.lock` in the directory it installed into.
    let mut doomed = vec![site.join(".lock")];
    for entry in walkdir::WalkDir::new(site).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        let in_dist_info = entry
            .path()
            .parent()
            .is_some_and(|p| p.to_string_lossy().ends_with(".dist-info"));
        if name == "__pycache__"
            || name.ends_with(".pyc")
            || (in_dist_info && INSTALL_RECORDS.contains(&name.as_ref()))
        {
            doomed.push(entry.into_path());
        }
    }
    for path in doomed {
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(source) = result
            && source.kind() != std::io::ErrorKind::NotFound
        {
            return Err(PythonError::Io { path, source });
        }
    }
    Ok(())
}

fn entry_for(path: &Path, name: String) -> Result<Entry, PythonError> {
    Entry::from_file(path.to_path_buf(), name).map_err(|source| PythonError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Every file under `dir`, named relative to `base` with `prefix` in front.
fn files_as_entries(dir: &Path, base: &Path, prefix: &str) -> Result<Vec<Entry>, PythonError> {
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

/// The project's own files: its `include` globs, or every `*.py` outside virtualenvs, tests and caches.
fn own_code_entries(function: &PythonFunction, prefix: &str) -> Result<Vec<Entry>, PythonError> {
    let custom = function.include.clone();
    let patterns: Vec<String> = custom
        .clone()
        .unwrap_or_else(|| DEFAULT_INCLUDE.iter().map(|s| s.to_string()).collect());
    let mut entries = Vec::new();
    for pattern in &patterns {
        let full = function.project.join(pattern);
        for path in glob::glob(&full.to_string_lossy())
            .into_iter()
            .flatten()
            .flatten()
        {
            let relative = path
                .strip_prefix(&function.project)
                .unwrap_or(&path)
                .to_path_buf();
            let skipped = custom.is_none()
                && relative
                    .components()
                    .any(|c| NOT_OWN_CODE.contains(&c.as_os_str().to_string_lossy().as_ref()));
            if path.is_file() && !skipped {
                let name = archive::zip_name(&relative);
                entries.push(entry_for(&path, format!("{prefix}{name}"))?);
            }
        }
    }
    entries.sort();
    entries.dedup();
    Ok(entries)
}

/// Unpacks a zip another tool made, so its contents can be pruned and re-zipped reproducibly.
fn extract(zip: &Path, dest: &Path) -> Result<(), PythonError> {
    let io = |source| PythonError::Io {
        path: zip.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(zip).map_err(io)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| io(std::io::Error::other(e)))?;
    archive
        .extract(dest)
        .map_err(|e| io(std::io::Error::other(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_python_is_checked_on_major_minor() {
        assert!(allows(">=3.11", 11));
        assert!(allows(">=3.11", 13));
        assert!(!allows(">=3.11", 10));
        assert!(allows(">=3.9,<3.13", 12));
        assert!(!allows(">=3.9,<3.13", 13));
        assert!(allows("==3.12.*", 12));
        assert!(!allows("==3.12.*", 11));
        assert!(allows("~=3.10", 12));
        assert!(allows("", 9));
    }

    #[test]
    fn python_versions_map_to_lambda_runtimes() {
        assert_eq!(python_runtime("3.12"), Some(Runtime::Python(12)));
        assert_eq!(python_runtime("3.2"), None);
        assert_eq!(python_runtime("2.7"), None);
        assert_eq!(python_runtime("three"), None);
    }

    #[test]
    fn an_install_failure_without_a_wheel_names_the_package() {
        let dir = tempfile::tempdir().unwrap();
        let requirements = dir.path().join("requirements.txt");
        std::fs::write(
            &requirements,
            "pydantic==2.11.0\npsycopg2==2.9.10\n    # via orders\n",
        )
        .unwrap();
        let failed = |stderr: &str| ProcessError::Failed {
            command: "pip install".into(),
            status: std::process::Command::new("false").status().unwrap(),
            stderr: stderr.into(),
        };
        let pip = "ERROR: Could not find a version that satisfies the requirement psycopg2==2.9.10 (from versions: none)";
        let err =
            classify_install_failure(failed(pip), &requirements, Arch::Arm64, "3.12").unwrap();
        assert!(
            matches!(err, PythonError::SdistOnly { ref package, ref platform, .. } if package == "psycopg2" && platform == "manylinux2014_aarch64")
        );
        let uv = "  ╰─▶ Because psycopg2==2.9.10 has no wheels with a matching platform tag (e.g., `manylinux_2_17_x86_64`)";
        assert!(classify_install_failure(failed(uv), &requirements, Arch::X86_64, "3.12").is_ok());
        assert!(
            classify_install_failure(failed("network down"), &requirements, Arch::X86_64, "3.12")
                .is_err()
        );
    }
}
