//! Compiles Lambda binaries by running cargo-lambda, once per build target.
use crate::arch::Arch;
use crate::plan::BuildGroup;
use crate::process::{ProcessBuilder, ProcessError, Stream};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Name of the build strategy recorded in the manifest.
pub const RECIPE: &str = "cargo-lambda";

/// Install commands printed when cargo-lambda is missing (from cargo-lambda's install docs).
const CARGO_LAMBDA_INSTALL: &str = "install cargo-lambda with one of:\n    pip install cargo-lambda                          (also brings zig)\n    brew install cargo-lambda/tap/cargo-lambda\n    cargo install --locked cargo-lambda               (then install zig: https://ziglang.org/download/)";

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Cargo profile; `None` means `--release`.
    pub profile: Option<String>,
    pub locked: bool,
    pub offline: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cargo-lambda was not found on PATH")]
    CargoLambdaMissing,
    #[error("could not ask rustc where the target standard libraries live")]
    Rustc(#[source] ProcessError),
    #[error("the Rust standard library for {target} ({arch}) is not installed (looked in {})", .libdir.display())]
    MissingTargetStd {
        target: String,
        arch: Arch,
        libdir: PathBuf,
    },
    #[error("building for {target} failed")]
    Failed {
        target: String,
        #[source]
        source: ProcessError,
    },
    #[error("cargo-lambda reported success but did not write {}", .path.display())]
    MissingOutput { path: PathBuf },
    #[error("could not lock {}", .path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl BuildError {
    pub fn help(&self) -> Option<String> {
        match self {
            BuildError::CargoLambdaMissing => Some(CARGO_LAMBDA_INSTALL.into()),
            BuildError::Rustc(_) => Some("check that `rustc --version` works in the workspace directory".into()),
            BuildError::MissingTargetStd { target, arch, .. } => {
                let other = Arch::ALL.into_iter().find(|a| a != arch).unwrap_or(*arch);
                Some(format!(
                    "run `rustup target add {target}`; without rustup, install your distribution's Rust standard library for it (Debian: `apt-get install libstd-rust-dev:{}`); or package only {other} with `--arch {other}`",
                    debian_arch(*arch)
                ))
            }
            BuildError::Failed { .. } => Some(
                "fix the error the build printed above; to package the other functions meanwhile, select them with `--package`/`--bin` or set `skip = true` in the broken one's [package.metadata.powertools]".into(),
            ),
            BuildError::MissingOutput { .. } | BuildError::Lock { .. } => None,
        }
    }
}

fn debian_arch(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "amd64",
        Arch::Arm64 => "arm64",
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

/// The cargo-lambda executable on PATH.
pub fn find_cargo_lambda() -> Result<PathBuf, BuildError> {
    which::which("cargo-lambda").map_err(|_| BuildError::CargoLambdaMissing)
}

/// Fails with install instructions when the active toolchain lacks the standard library for `arch`.
/// Runs rustc in the workspace so a `rust-toolchain.toml` there picks the same toolchain cargo will.
pub fn check_target_std(workspace_root: &Path, arch: Arch) -> Result<(), BuildError> {
    let target = arch.triple();
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

/// The `cargo lambda build` invocation that builds every binary of `group` into `lambda_dir`.
pub fn build_command(
    cargo_lambda: &Path,
    workspace_manifest: &Path,
    group: &BuildGroup,
    lambda_dir: &Path,
    options: &BuildOptions,
) -> ProcessBuilder {
    let mut process = ProcessBuilder::new(cargo_lambda);
    process.args(["lambda", "build"]);
    match &options.profile {
        Some(profile) => process.args(["--profile", profile]),
        None => process.arg("--release"),
    };
    process
        .args(["--target", &group.target])
        // We checked the target's std ourselves; cargo-lambda's own check would try to download it.
        .arg("--skip-target-check")
        .arg("--lambda-dir")
        .arg(lambda_dir)
        .arg("--manifest-path")
        .arg(workspace_manifest);
    let mut packages: Vec<&str> = group.binaries.iter().map(|b| b.package.as_str()).collect();
    packages.sort_unstable();
    packages.dedup();
    for package in packages {
        process.args(["--package", package]);
    }
    for binary in &group.binaries {
        process.args(["--bin", &binary.name]);
    }
    if options.locked {
        process.arg("--locked");
    }
    if options.offline {
        process.arg("--offline");
    }
    process
}

/// Runs `command` (from [`build_command`]) and returns where each binary of `group` landed.
pub fn run_build(
    command: &ProcessBuilder,
    group: &BuildGroup,
    lambda_dir: &Path,
    on_line: impl FnMut(Stream, &str),
) -> Result<BTreeMap<String, PathBuf>, BuildError> {
    command
        .stream(on_line)
        .map_err(|source| BuildError::Failed {
            target: group.target.clone(),
            source,
        })?;
    group
        .binaries
        .iter()
        .map(|binary| {
            let path = lambda_dir.join(&binary.name).join("bootstrap");
            if path.is_file() {
                Ok((binary.name.clone(), path))
            } else {
                Err(BuildError::MissingOutput { path })
            }
        })
        .collect()
}
