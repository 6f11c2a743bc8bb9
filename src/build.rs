//! Compiles Lambda binaries by running a recipe's build command, once per build group.
use crate::model::Arch;
use crate::plan::BuildGroup;
use crate::process::{ProcessBuilder, ProcessError, ProcessGroups, Stream};
use crate::recipe::{self, BuildOutput, RecipeInfo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Cargo profile; `None` means `--release`.
    pub profile: Option<String>,
    pub locked: bool,
    pub offline: bool,
    /// `RUSTC_WRAPPER` for the builds (sccache, when the workspace asks for it).
    pub rustc_wrapper: Option<PathBuf>,
    /// Build the architectures one after another instead of side by side.
    pub sequential: bool,
    /// How many compiler jobs all builds together may run at once (`--jobs`); `None`: one per core.
    pub jobs: Option<usize>,
}

/// The job tokens all Rust builds of a run share: a jobserver, as make and cargo speak it. The
/// architectures build side by side, yet together run no more compiler jobs than there are
/// tokens, so one architecture's idle cores go to the other instead of four jobs fighting over two
/// cores. Each build takes a token before it starts (the one its cargo counts as its own) and
/// its cargo asks the jobserver for every further job.
pub struct JobTokens {
    client: jobserver::Client,
}

impl JobTokens {
    pub fn new(jobs: usize) -> Result<Self, BuildError> {
        let client = jobserver::Client::new(jobs.max(1)).map_err(BuildError::Jobserver)?;
        Ok(JobTokens { client })
    }

    /// Waits until a token is free; the build holds it until the returned guard drops.
    pub fn acquire(&self) -> Result<jobserver::Acquired, BuildError> {
        self.client.acquire().map_err(BuildError::Jobserver)
    }
}

/// The cargo target directory the builds for `arch` use: `<target-dir>/powertools-build/<arch>`.
/// Each architecture has its own, because cargo locks a target directory for the whole of a build:
/// two architectures sharing one would build one after the other. The cost is that the crates
/// built for the host (build scripts, proc macros) are built once per architecture.
pub fn arch_target_dir(workspace_target_dir: &Path, arch: Arch) -> PathBuf {
    workspace_target_dir
        .join("powertools-build")
        .join(arch.as_str())
}

/// The cargo target directory of a multi-target recipe's builds, whichever targets each run
/// builds: `<target-dir>/powertools-build/all-targets`. One directory for all of them, so that a
/// run for one architecture reuses what a run for both built.
pub fn joint_target_dir(workspace_target_dir: &Path) -> PathBuf {
    workspace_target_dir
        .join("powertools-build")
        .join("all-targets")
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("recipe `{recipe}` needs {tool}, which is not usable here: {why}")]
    ToolMissing {
        recipe: String,
        tool: String,
        why: String,
        install: Vec<String>,
    },
    #[error("could not ask rustc where the target standard libraries live")]
    Rustc(#[source] ProcessError),
    #[error("the Rust standard library for {target} ({arch}) is not installed (looked in {})", .libdir.display())]
    MissingTargetStd {
        target: String,
        arch: Arch,
        libdir: PathBuf,
    },
    #[error("building for {target} with recipe `{recipe}` failed")]
    Failed {
        recipe: String,
        target: String,
        #[source]
        source: ProcessError,
    },
    #[error("recipe `{recipe}` reported success but did not write {}", .path.display())]
    MissingOutput { recipe: String, path: PathBuf },
    #[error("could not copy the built binary {}", .path.display())]
    Copy {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not set up the jobserver that shares the cores among the builds")]
    Jobserver(#[source] std::io::Error),
    #[error("could not lock {}", .path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl BuildError {
    /// The same error without the build's stderr, when its output was already shown line by line.
    pub fn without_child_output(self) -> Self {
        match self {
            BuildError::Failed {
                recipe,
                target,
                source,
            } => BuildError::Failed {
                recipe,
                target,
                source: source.without_stderr(),
            },
            other => other,
        }
    }

    pub fn help(&self) -> Option<String> {
        match self {
            BuildError::ToolMissing { install, .. } => Some(format!(
                "install it with one of:{}\n  or choose another recipe (`cargo powertools recipes` lists them; `cargo powertools doctor` checks one)",
                install.iter().map(|i| format!("\n    {i}")).collect::<String>()
            )),
            BuildError::Rustc(_) => Some("check that `rustc --version` works in the workspace directory".into()),
            BuildError::MissingTargetStd { target, arch, .. } => {
                let other = Arch::ALL.into_iter().find(|a| a != arch).unwrap_or(*arch);
                Some(format!(
                    "run `rustup target add {target}`; without rustup, install your distribution's Rust standard library for it (Debian: `apt-get install libstd-rust-dev:{}`); or package only {other} with `--arch {other}`",
                    arch.debian()
                ))
            }
            BuildError::Failed { .. } => Some(
                "fix the error the build printed above; to package the other functions meanwhile, select them with `--package`/`--bin` or set `skip = true` in the broken one's [package.metadata.powertools]".into(),
            ),
            BuildError::Jobserver(_) | BuildError::MissingOutput { .. } | BuildError::Lock { .. } | BuildError::Copy { .. } => None,
        }
    }
}

/// Takes the build lock of a cargo target directory, waiting for it (and saying so) when another
/// `cargo powertools package` holds it. cargo-lambda *moves* each binary out of the target
/// directory once cargo has built it, so two runs sharing a target directory must not overlap:
/// one would take the binaries the other just built.
pub fn lock_target_dir(
    target_dir: &Path,
    on_wait: impl FnOnce(&Path),
) -> Result<std::fs::File, BuildError> {
    let path = target_dir.join(".powertools-build.lock");
    let lock_err = |source| BuildError::Lock {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(target_dir).map_err(lock_err)?;
    let file = std::fs::File::create(&path).map_err(lock_err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            on_wait(&path);
            file.lock().map_err(lock_err)?;
        }
        Err(std::fs::TryLockError::Error(err)) => return Err(lock_err(err)),
    }
    Ok(file)
}

/// Checks that every tool `recipe` needs to build `arches` here is present, and returns their
/// versions (for the manifest).
pub fn preflight(
    recipe: &RecipeInfo,
    arches: &[Arch],
) -> Result<BTreeMap<String, String>, BuildError> {
    let mut versions = BTreeMap::new();
    for status in recipe::check_tools(recipe, arches, Arch::host()) {
        match status.version {
            Ok(version) => versions.insert(status.name, version),
            Err(why) => {
                return Err(BuildError::ToolMissing {
                    recipe: recipe.name.clone(),
                    tool: status.name,
                    why,
                    install: status.install,
                });
            }
        };
    }
    Ok(versions)
}

/// The version of the rustc that builds in `workspace_root` (which a rust-toolchain.toml there may pick).
pub fn rustc_version(workspace_root: &Path) -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = ProcessBuilder::new(rustc)
        .arg("--version")
        .cwd(workspace_root)
        .output()
        .ok()?;
    recipe::version_in(&output)
}

/// Fails with install instructions when the active toolchain lacks the standard library for `arch`.
/// Runs rustc in the workspace so a `rust-toolchain.toml` there picks the same toolchain cargo will.
pub fn check_target_std(workspace_root: &Path, target: &str, arch: Arch) -> Result<(), BuildError> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let libdir = ProcessBuilder::new(rustc)
        .args(["--print", "target-libdir", "--target", target])
        .cwd(workspace_root)
        .output()
        .map_err(BuildError::Rustc)?;
    let libdir = PathBuf::from(libdir.trim());
    let has_std = std::fs::read_dir(&libdir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
        })
        .unwrap_or(false);
    if has_std {
        Ok(())
    } else {
        Err(BuildError::MissingTargetStd {
            target: target.to_string(),
            arch,
            libdir,
        })
    }
}

/// The directory cargo puts a profile's outputs in.
fn profile_dir(profile: Option<&str>) -> &str {
    match profile {
        None | Some("release") | Some("bench") => "release",
        Some("dev") | Some("test") => "debug",
        Some(other) => other,
    }
}

/// Where a build's files go: cargo-lambda's output directory and cargo's target directory.
pub struct BuildDirs<'a> {
    pub lambda_dir: &'a Path,
    pub target_dir: &'a Path,
}

/// The build command of `groups`: one per target, with the same recipe and binaries (several only
/// for a multi-target recipe, see [`crate::recipe::BuildSpec::multi_target`]), and the cargo
/// selection flags for every binary.
pub fn build_command(
    groups: &[&BuildGroup],
    workspace_manifest: &Path,
    dirs: &BuildDirs,
    options: &BuildOptions,
    tokens: &JobTokens,
) -> ProcessBuilder {
    let lead = groups[0];
    let targets: Vec<String> = groups.iter().map(|g| g.target.build_target()).collect();
    let spec = &lead.recipe.build;
    let mut process = spec.process(&targets, &dirs.lambda_dir.to_string_lossy());
    match &options.profile {
        Some(profile) => process.args(["--profile", profile]),
        None => process.arg("--release"),
    };
    process.arg("--manifest-path").arg(workspace_manifest);
    process.env("CARGO_TARGET_DIR", dirs.target_dir);
    process.jobserver(&tokens.client);
    for package in &lead.packages {
        process.args(["--package", package]);
    }
    // Two SAM functions may be built from one binary.
    let bins: std::collections::BTreeSet<&str> =
        lead.binaries.iter().map(|b| b.bin.as_str()).collect();
    for bin in bins {
        process.args(["--bin", bin]);
    }
    if options.locked {
        process.arg("--locked");
    }
    if options.offline {
        process.arg("--offline");
    }
    if let Some(wrapper) = &options.rustc_wrapper {
        process.env("RUSTC_WRAPPER", wrapper);
    }
    for group in groups.iter().filter(|g| g.arch != Arch::host()) {
        for (key, value) in spec.env.get(&group.arch).into_iter().flatten() {
            process.env(key, value);
        }
    }
    process
}

/// Runs `command` (from [`build_command`]) and copies each binary of each of `groups` from where
/// the recipe leaves it into `<collect_root>/<recipe>/<target>`, before a later build for
/// another target can replace it; returns where each group's binaries went (by Cargo binary name),
/// in `groups` order.
pub fn run_build(
    command: &ProcessBuilder,
    children: &ProcessGroups,
    groups: &[&BuildGroup],
    dirs: &BuildDirs,
    options: &BuildOptions,
    collect_root: &Path,
    on_line: impl FnMut(Stream, &str),
) -> Result<Vec<BTreeMap<String, PathBuf>>, BuildError> {
    let lead = groups[0];
    command
        .stream_in(children, on_line)
        .map_err(|source| BuildError::Failed {
            recipe: lead.recipe.name.clone(),
            target: groups
                .iter()
                .map(|g| g.target.build_target())
                .collect::<Vec<_>>()
                .join(" and "),
            source,
        })?;
    groups
        .iter()
        .map(|group| collect(group, dirs, options, collect_root))
        .collect()
}

/// Copies each binary of `group` from where its recipe left it into `<collect_root>/<recipe>/<target>`.
fn collect(
    group: &BuildGroup,
    dirs: &BuildDirs,
    options: &BuildOptions,
    collect_root: &Path,
) -> Result<BTreeMap<String, PathBuf>, BuildError> {
    let collect_dir = collect_root
        .join(&group.recipe.name)
        .join(group.target.build_target());
    let triple = group.target.triple();
    let lambda_dir = dirs.lambda_dir.to_string_lossy().into_owned();
    let target_dir = dirs.target_dir.to_string_lossy().into_owned();
    std::fs::create_dir_all(&collect_dir).map_err(|source| BuildError::Copy {
        path: collect_dir.clone(),
        source,
    })?;
    group
        .binaries
        .iter()
        .map(|binary| {
            let values = BuildOutput {
                lambda_dir: lambda_dir.clone(),
                target_dir: target_dir.clone(),
                triple: triple.clone(),
                profile_dir: profile_dir(options.profile.as_deref()).to_string(),
                bin: binary.bin.clone(),
            };
            let built = PathBuf::from(group.recipe.build.output.fill(&values));
            if !built.is_file() {
                return Err(BuildError::MissingOutput {
                    recipe: group.recipe.name.clone(),
                    path: built,
                });
            }
            let collected = collect_dir.join(&binary.bin);
            std::fs::copy(&built, &collected).map_err(|source| BuildError::Copy {
                path: built.clone(),
                source,
            })?;
            Ok((binary.bin.clone(), collected))
        })
        .collect()
}
