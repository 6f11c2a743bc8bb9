//! `cargo powertools doctor`: is everything the chosen recipe needs here, and if not, what to run.
use crate::build;
use crate::errors::Error;
use crate::loaders;
use crate::message::Message;
use crate::model::{Arch, Target};
use crate::plan::{self, Selection};
use crate::platform;
use crate::recipe::{self, Recipe};
use crate::shell::Shell;
use crate::workspace::{self, LoadOptions};
use std::path::PathBuf;

/// A recipe, and the architectures it is used to build.
type RecipeUse = (Recipe, Vec<Arch>);

pub use crate::message::Check;

#[derive(Clone, Debug, Default)]
pub struct DoctorOptions {
    pub load: LoadOptions,
    pub recipe: Option<String>,
}

/// Checks and reports everything the chosen recipes need. The verdict: `Ok` with the checks when
/// every required one passed, else [`Error::DoctorFailed`] naming what is missing (after every
/// check was reported with its fix).
pub fn doctor(options: &DoctorOptions, shell: &Shell) -> Result<Vec<Check>, Error> {
    let (root, recipes_and_arches) = chosen_recipes(options)?;
    let mut checks = Vec::new();
    let mut all_arches: Vec<Arch> = Vec::new();
    for (recipe, arches) in &recipes_and_arches {
        shell.status(
            "Checking",
            format!("recipe `{}` for {}", recipe.info().name, list(arches)),
        );
        if let Recipe::Rust(rust) = recipe {
            checks.push(cargo_check(&rust.name));
        }
        for status in recipe::check_tools(recipe.info(), arches, Arch::host()) {
            let install = status.install.join("  |  ");
            checks.push(match status.version {
                Ok(version) => Check {
                    what: status.name,
                    ok: true,
                    detail: version,
                    fix: None,
                    required: true,
                },
                Err(why) => Check {
                    what: status.name,
                    ok: false,
                    detail: format!("{why} (recipe `{}` needs it)", recipe.info().name),
                    fix: Some(install),
                    required: true,
                },
            });
        }
        // Python recipes never touch a Rust toolchain: a Python team's machine may have none.
        if let Recipe::Rust(rust) = recipe
            && rust.needs_target_std
        {
            for &arch in arches {
                let triple = Target {
                    arch,
                    libc: Default::default(),
                    glibc_pin: None,
                }
                .triple();
                checks.push(match build::check_target_std(&root, &triple, arch) {
                    Ok(()) => Check {
                        what: format!("Rust std for {triple}"),
                        ok: true,
                        detail: "installed".into(),
                        fix: None,
                        required: true,
                    },
                    Err(err) => Check {
                        what: format!("Rust std for {triple}"),
                        ok: false,
                        detail: err.to_string(),
                        fix: err.help(),
                        required: true,
                    },
                });
            }
        }
        all_arches.extend(arches);
    }
    all_arches.sort();
    all_arches.dedup();
    checks.extend(invoke_checks(&all_arches));
    checks.extend(cache_check(options));
    for check in &checks {
        report(check, shell);
    }
    let missing: Vec<&str> = checks
        .iter()
        .filter(|c| c.required && !c.ok)
        .map(|c| c.what.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::DoctorFailed {
            recipe: options.recipe.as_ref().map_or_else(
                || "the workspace's recipe".into(),
                |r| format!("recipe `{r}`"),
            ),
            missing: format!("missing {}", missing.join(", ")),
        });
    }
    Ok(checks)
}

/// sccache, when the builds go through it (`RUSTC_WRAPPER`, or `cache = "sccache"` in the
/// workspace): its version and the backend it uses (local disk, S3, Redis, the GitHub Actions cache).
fn cache_check(options: &DoctorOptions) -> Option<Check> {
    let setting = workspace::load(&options.load).ok().and_then(|w| w.cache);
    let what = "sccache (compiler cache)".to_string();
    match crate::cache::detect(setting) {
        Ok(None) => None,
        Ok(Some(cache)) => Some(match crate::cache::backend(&cache.program) {
            Ok(backend) => Check {
                what,
                ok: true,
                detail: format!("{}, backend: {backend}", cache.version),
                fix: None,
                required: true,
            },
            Err(why) => Check {
                what,
                ok: false,
                detail: format!("{}: {why}", cache.version),
                fix: Some(
                    "check sccache's SCCACHE_* settings: `sccache --show-stats` must answer".into(),
                ),
                required: true,
            },
        }),
        Err(err) => Some(Check {
            what,
            ok: false,
            detail: err.to_string(),
            fix: err.help(),
            required: true,
        }),
    }
}

/// The workspace root (or the current directory outside a workspace) and the recipes its functions
/// use (or `--recipe`), each with the architectures it builds.
fn chosen_recipes(options: &DoctorOptions) -> Result<(PathBuf, Vec<RecipeUse>), Error> {
    let workspace = match loaders::load(&options.load) {
        Ok(workspace) => Some(workspace),
        Err(err) if err.is_no_manifest() => None,
        Err(err) => return Err(err.into()),
    };
    let Some(workspace) = workspace.filter(|w| !w.binaries.is_empty()) else {
        let recipes = recipe::Recipes::built_in()?;
        let name = options.recipe.as_deref().unwrap_or(recipe::DEFAULT);
        let recipe = recipes.get(name)?.recipe.clone();
        let arches = recipe.info().architectures.clone();
        return Ok((PathBuf::from("."), vec![(recipe, arches)]));
    };
    let selection = Selection {
        recipe: options.recipe.clone(),
        ..Default::default()
    };
    let plan = plan::plan(&workspace, &selection)?;
    let mut chosen: Vec<RecipeUse> = Vec::new();
    let uses = plan
        .groups
        .into_iter()
        .map(|g| (Recipe::Rust(g.recipe), g.arch))
        .chain(
            plan.python
                .into_iter()
                .map(|j| (Recipe::Python(j.recipe), j.arch)),
        );
    for (recipe, arch) in uses {
        match chosen
            .iter_mut()
            .find(|(r, _)| r.info().name == recipe.info().name)
        {
            Some((_, arches)) if !arches.contains(&arch) => arches.push(arch),
            Some(_) => {}
            None => chosen.push((recipe, vec![arch])),
        }
    }
    Ok((workspace.root, chosen))
}

impl Check {
    /// A program found on PATH (at `path`), or missing with `why` and its `fix`.
    fn program(
        what: String,
        found: Result<PathBuf, which::Error>,
        why: String,
        fix: String,
        required: bool,
    ) -> Check {
        let ok = found.is_ok();
        Check {
            what,
            ok,
            detail: found.map_or(why, |path| path.display().to_string()),
            fix: (!ok).then_some(fix),
            required,
        }
    }
}

/// Rust recipes run cargo (the `cargo-powertools` wheel installs without it).
fn cargo_check(recipe: &str) -> Check {
    Check::program(
        "cargo".into(),
        which::which(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())),
        format!("not found on PATH (recipe `{recipe}` builds Rust with it)"),
        "install Rust from https://rustup.rs".into(),
        true,
    )
}

/// Where qemu-user would take the loader and libc of an emulated bootstrap from: one glibc build,
/// or `verify --invoke` refuses to run it (two mixed builds hang in the first thread start).
fn qemu_library_check(arch: Arch) -> Check {
    let what = format!("{arch} C library for qemu");
    match crate::invoke::qemu_library_root(arch) {
        Ok(root) => {
            let place = match &root.prefix {
                None => "the host's multiarch libraries (no -L)".to_string(),
                Some(prefix) => format!("-L {}", prefix.display()),
            };
            let build = root.libc.and_then(|r| r.build).unwrap_or_default();
            Check {
                what,
                ok: true,
                detail: format!("{place}: {build}"),
                fix: None,
                required: false,
            }
        }
        Err(unfit) => Check {
            what,
            ok: false,
            detail: unfit
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            fix: Some(format!(
                "{}apt-get install libc6:{} (see docs/troubleshooting.md)",
                match std::env::var_os("QEMU_LD_PREFIX") {
                    Some(_) => "unset QEMU_LD_PREFIX, or ",
                    None => "",
                },
                arch.debian()
            )),
            required: false,
        },
    }
}

/// What `verify --invoke` needs: cargo-lambda's emulator, and qemu-user for a foreign architecture.
fn invoke_checks(arches: &[Arch]) -> Vec<Check> {
    if let Err(linux_only) = platform::require_linux("`verify --invoke`") {
        return vec![Check {
            what: "running functions (`verify --invoke`)".into(),
            ok: false,
            detail: linux_only.to_string(),
            fix: None,
            required: false,
        }];
    }
    let mut checks = vec![Check::program(
        "Runtime API emulator (cargo lambda watch)".into(),
        which::which("cargo-lambda"),
        "cargo-lambda not found: `verify --invoke` cannot run".into(),
        "pip install cargo-lambda".into(),
        false,
    )];
    for &arch in arches.iter().filter(|&&a| a != Arch::host()) {
        let (qemu, libc) = (arch.qemu(), arch.debian());
        let found = which::which(format!("{qemu}-static")).or_else(|_| which::which(&qemu));
        let has_qemu = found.is_ok();
        checks.push(Check::program(
            format!("{arch} emulator"),
            found,
            format!("{qemu}-static not found: `verify --invoke` cannot run {arch} bootstraps here"),
            format!("apt-get install qemu-user-static libc6:{libc}"),
            false,
        ));
        if has_qemu {
            checks.push(qemu_library_check(arch));
        }
    }
    checks
}

fn list(arches: &[Arch]) -> String {
    arches
        .iter()
        .copied()
        .map(Arch::as_str)
        .collect::<Vec<_>>()
        .join(" and ")
}

fn report(check: &Check, shell: &Shell) {
    let mark = match (check.ok, check.required) {
        (true, _) => "ok",
        (false, true) => "MISSING",
        (false, false) => "missing",
    };
    shell.report(format_args!("{mark:>8}  {}: {}", check.what, check.detail));
    if let Some(fix) = &check.fix {
        shell.report(format_args!("{:>8}  fix: {fix}", ""));
    }
    shell.emit(&Message::Check { check });
}
