//! Turns the workspace's Lambda binaries and the user's selection into build groups: one
//! `cargo lambda build` per target, each building every selected binary for that target.
use crate::arch::{Arch, Target};
use crate::python::PythonFunction;
use crate::recipe::{self, Language, PythonRecipe, RecipeError, RustRecipe};
use crate::workspace::{LambdaBinary, SkippedBinary, Workspace};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the user asked for on the command line; empty lists mean "everything".
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub packages: Vec<String>,
    pub bins: Vec<String>,
    /// `None`: every architecture each binary is configured for.
    pub arch: Option<Arch>,
    /// `--recipe`: overrides every binary's configured recipe.
    pub recipe: Option<String>,
}

/// Every binary built with one recipe for one target, in one invocation.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildGroup {
    pub arch: Arch,
    pub target: Target,
    pub recipe: RustRecipe,
    pub binaries: Vec<LambdaBinary>,
}

/// One Python function or layer, built with one recipe for one architecture.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonJob {
    pub arch: Arch,
    pub function: PythonFunction,
    pub recipe: PythonRecipe,
}

#[derive(Debug)]
pub struct Plan {
    pub groups: Vec<BuildGroup>,
    pub python: Vec<PythonJob>,
    pub skipped: Vec<SkippedBinary>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("no Lambda functions or extensions found in the workspace at {}", .root.display())]
    NoLambdas {
        root: PathBuf,
        skipped: Vec<SkippedBinary>,
    },
    #[error("package `{name}` is not a member of this workspace")]
    UnknownPackage { name: String, members: Vec<String> },
    #[error("package `{package}` has no Lambda functions or extensions")]
    NotLambdaPackage {
        package: String,
        skipped: Vec<SkippedBinary>,
    },
    #[error("no Lambda function or extension is named `{name}`{}", scope(.packages))]
    UnknownBin {
        name: String,
        packages: Vec<String>,
        available: Vec<String>,
    },
    #[error("binary `{name}` is not packaged: {reason}")]
    SkippedBin { name: String, reason: String },
    #[error("none of the selected functions is configured for {arch}")]
    NothingForArch { arch: Arch },
    #[error(transparent)]
    Recipe(#[from] RecipeError),
}

fn scope(packages: &[String]) -> String {
    if packages.is_empty() {
        String::new()
    } else {
        format!(" in package(s) {}", packages.join(", "))
    }
}

fn list_skipped(skipped: &[SkippedBinary]) -> String {
    skipped
        .iter()
        .map(|s| format!("\n    {} ({}): {}", s.name, s.package, s.reason))
        .collect()
}

impl PlanError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            PlanError::NoLambdas { skipped, .. } => format!(
                "a function is a binary of a member that depends on `lambda_runtime` or `lambda_http`; an extension, one that depends on `lambda-extension`. Add the dependency, or set `kind = \"function\"` in [package.metadata.powertools.bin.<name>].{}",
                if skipped.is_empty() { String::new() } else { format!(" Binaries seen:{}", list_skipped(skipped)) }
            ),
            PlanError::UnknownPackage { members, .. } => {
                format!("choose one of the workspace members: {}", members.join(", "))
            }
            PlanError::NotLambdaPackage { skipped, .. } => {
                format!("its binaries were skipped:{}", list_skipped(skipped))
            }
            PlanError::UnknownBin { available, .. } => {
                format!("choose one of: {}", available.join(", "))
            }
            PlanError::SkippedBin { .. } => {
                "remove the `skip` setting, or add a dependency on lambda_runtime / lambda_http / lambda-extension".into()
            }
            PlanError::NothingForArch { .. } => {
                "choose another `--arch`, or add it to `architectures` in [package.metadata.powertools]".into()
            }
            PlanError::Recipe(err) => return err.help(),
        })
    }
}

/// Selects binaries and groups them by build target.
pub fn plan(workspace: &Workspace, selection: &Selection) -> Result<Plan, PlanError> {
    if workspace.binaries.is_empty() && workspace.python.is_empty() {
        return Err(PlanError::NoLambdas {
            root: workspace.root.clone(),
            skipped: workspace.skipped.clone(),
        });
    }
    let mut skipped = workspace.skipped.clone();
    let selected = select(workspace, selection)?;

    let mut groups: BTreeMap<(Arch, String, Target), (RustRecipe, Vec<LambdaBinary>)> =
        BTreeMap::new();
    for binary in selected {
        let name = recipe_name(
            workspace,
            selection,
            binary.recipe.as_deref(),
            Language::Rust,
            recipe::DEFAULT,
        );
        let recipe = workspace.recipes.get(&name)?.recipe.as_rust(&binary.name)?;
        for &arch in &binary.architectures {
            if selection.arch.is_some_and(|wanted| wanted != arch) {
                continue;
            }
            let target = target_for(binary, arch, recipe)?;
            groups
                .entry((arch, name.clone(), target))
                .or_insert_with(|| (recipe.clone(), Vec::new()))
                .1
                .push(binary.clone());
        }
        if let Some(wanted) = selection.arch.filter(|a| !binary.architectures.contains(a)) {
            skipped.push(SkippedBinary {
                package: binary.package.clone(),
                name: binary.name.clone(),
                reason: format!("not configured for {wanted}"),
            });
        }
    }
    let python = plan_python(workspace, selection, &mut skipped)?;
    if groups.is_empty() && python.is_empty() {
        return Err(PlanError::NothingForArch {
            arch: selection.arch.unwrap_or(Arch::X86_64),
        });
    }
    let groups = groups
        .into_iter()
        .map(|((arch, _, target), (recipe, binaries))| BuildGroup {
            arch,
            target,
            recipe,
            binaries,
        })
        .collect();
    Ok(Plan {
        groups,
        python,
        skipped,
    })
}

/// The recipe a function uses: `--recipe` when it is of the function's language, else its own, else
/// the language's default.
fn recipe_name(
    workspace: &Workspace,
    selection: &Selection,
    configured: Option<&str>,
    language: Language,
    default: &str,
) -> String {
    let chosen = selection.recipe.as_deref().filter(|name| {
        workspace
            .recipes
            .get(name)
            .map_or(true, |r| r.recipe.language() == language)
    });
    chosen.or(configured).unwrap_or(default).to_string()
}

/// The Python functions selected (all of them when nothing is selected; by name with `--bin`),
/// one job per architecture.
fn plan_python(
    workspace: &Workspace,
    selection: &Selection,
    skipped: &mut Vec<SkippedBinary>,
) -> Result<Vec<PythonJob>, PlanError> {
    let mut jobs = Vec::new();
    let everything = selection.packages.is_empty() && selection.bins.is_empty();
    for function in workspace
        .python
        .iter()
        .filter(|f| everything || selection.bins.contains(&f.name))
    {
        let name = recipe_name(
            workspace,
            selection,
            function.recipe.as_deref(),
            Language::Python,
            recipe::DEFAULT_PYTHON,
        );
        let recipe = workspace
            .recipes
            .get(&name)?
            .recipe
            .as_python(&function.name)?;
        for &arch in &function.architectures {
            if selection.arch.is_some_and(|wanted| wanted != arch) {
                continue;
            }
            if !recipe.architectures.contains(&arch) {
                return Err(RecipeError::Architecture {
                    recipe: recipe.name.clone(),
                    arch,
                }
                .into());
            }
            jobs.push(PythonJob {
                arch,
                function: function.clone(),
                recipe: recipe.clone(),
            });
        }
        if let Some(wanted) = selection
            .arch
            .filter(|a| !function.architectures.contains(a))
        {
            skipped.push(SkippedBinary {
                package: "python".into(),
                name: function.name.clone(),
                reason: format!("not configured for {wanted}"),
            });
        }
    }
    Ok(jobs)
}

/// The target `binary` builds for on `arch` with `recipe`, or why the recipe cannot build it.
fn target_for(
    binary: &LambdaBinary,
    arch: Arch,
    recipe: &RustRecipe,
) -> Result<Target, RecipeError> {
    if !recipe.architectures.contains(&arch) {
        return Err(RecipeError::Architecture {
            recipe: recipe.name.clone(),
            arch,
        });
    }
    if !recipe.libc.contains(&binary.libc) {
        return Err(RecipeError::Libc {
            recipe: recipe.name.clone(),
            function: binary.name.clone(),
            libc: binary.libc,
        });
    }
    // musl binaries are static: there is no glibc to pin.
    let glibc_pin = match binary.libc {
        crate::arch::Libc::Gnu => binary.runtime.glibc_pin(),
        crate::arch::Libc::Musl => None,
    };
    if glibc_pin.is_some() && !recipe.glibc_pinning {
        return Err(RecipeError::NoGlibcPinning {
            recipe: recipe.name.clone(),
            function: binary.name.clone(),
            runtime: binary.runtime.to_string(),
        });
    }
    Ok(Target {
        arch,
        libc: binary.libc,
        glibc_pin,
    })
}

fn select<'w>(
    workspace: &'w Workspace,
    selection: &Selection,
) -> Result<Vec<&'w LambdaBinary>, PlanError> {
    for name in &selection.packages {
        if !workspace.members.contains(name) {
            return Err(PlanError::UnknownPackage {
                name: name.clone(),
                members: workspace.members.clone(),
            });
        }
        if !workspace.binaries.iter().any(|b| b.package == *name) {
            let skipped = workspace
                .skipped
                .iter()
                .filter(|s| s.package == *name)
                .cloned()
                .collect();
            return Err(PlanError::NotLambdaPackage {
                package: name.clone(),
                skipped,
            });
        }
    }
    let in_packages = |package: &str| {
        selection.packages.is_empty() || selection.packages.iter().any(|p| p == package)
    };
    let candidates: Vec<&LambdaBinary> = workspace
        .binaries
        .iter()
        .filter(|b| in_packages(&b.package))
        .collect();
    for name in &selection.bins {
        if candidates.iter().any(|b| b.name == *name)
            || workspace.python.iter().any(|p| p.name == *name)
        {
            continue;
        }
        if let Some(skip) = workspace
            .skipped
            .iter()
            .find(|s| s.name == *name && in_packages(&s.package))
        {
            return Err(PlanError::SkippedBin {
                name: name.clone(),
                reason: skip.reason.clone(),
            });
        }
        return Err(PlanError::UnknownBin {
            name: name.clone(),
            packages: selection.packages.clone(),
            available: candidates.iter().map(|b| b.name.clone()).collect(),
        });
    }
    Ok(candidates
        .into_iter()
        .filter(|b| selection.bins.is_empty() || selection.bins.contains(&b.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Runtime;
    use crate::config::Kind;

    fn binary(name: &str, package: &str, architectures: &[Arch], runtime: Runtime) -> LambdaBinary {
        LambdaBinary {
            name: name.into(),
            package: package.into(),
            kind: Kind::Function,
            package_dir: PathBuf::from(package),
            manifest_path: PathBuf::from(package).join("Cargo.toml"),
            architectures: architectures.to_vec(),
            runtime,
            include: vec![],
            allow_secrets: vec![],
            recipe: None,
            libc: Default::default(),
        }
    }

    fn workspace() -> Workspace {
        Workspace {
            root: PathBuf::from("/ws"),
            manifest_path: PathBuf::from("/ws/Cargo.toml"),
            target_dir: PathBuf::from("/ws/target"),
            members: vec!["a".into(), "b".into(), "tool".into()],
            binaries: vec![
                binary("a1", "a", &Arch::ALL, Runtime::ProvidedAl2023),
                binary("a2", "a", &[Arch::Arm64], Runtime::ProvidedAl2023),
                binary("b1", "b", &Arch::ALL, Runtime::ProvidedAl2),
            ],
            recipes: crate::recipe::Recipes::built_in().unwrap(),
            python: vec![],
            skipped: vec![SkippedBinary {
                package: "tool".into(),
                name: "tool".into(),
                reason: "not Lambda code".into(),
            }],
        }
    }

    fn names(group: &BuildGroup) -> Vec<&str> {
        group.binaries.iter().map(|b| b.name.as_str()).collect()
    }

    #[test]
    fn one_group_per_target_with_all_its_binaries() {
        let plan = plan(&workspace(), &Selection::default()).unwrap();
        let targets: Vec<String> = plan
            .groups
            .iter()
            .map(|g| g.target.build_target())
            .collect();
        assert_eq!(
            targets,
            [
                "x86_64-unknown-linux-gnu",
                "x86_64-unknown-linux-gnu.2.26",
                "aarch64-unknown-linux-gnu",
                "aarch64-unknown-linux-gnu.2.26"
            ]
        );
        assert_eq!(names(&plan.groups[0]), ["a1"]);
        assert_eq!(names(&plan.groups[2]), ["a1", "a2"]);
    }

    #[test]
    fn a_recipe_that_cannot_pin_glibc_refuses_an_al2_function() {
        let selection = Selection {
            recipe: Some("cargo".into()),
            ..Default::default()
        };
        let err = plan(&workspace(), &selection).unwrap_err();
        assert!(
            matches!(err, PlanError::Recipe(RecipeError::NoGlibcPinning { ref function, .. }) if function == "b1"),
            "{err}"
        );
        let only_a = Selection {
            recipe: Some("cargo".into()),
            packages: vec!["a".into()],
            ..Default::default()
        };
        let planned = plan(&workspace(), &only_a).unwrap();
        assert!(planned.groups.iter().all(|g| g.recipe.name == "cargo"));
        let unknown = Selection {
            recipe: Some("bazel".into()),
            ..Default::default()
        };
        assert!(matches!(
            plan(&workspace(), &unknown),
            Err(PlanError::Recipe(RecipeError::Unknown { .. }))
        ));
    }

    #[test]
    fn an_arch_filter_lists_what_it_leaves_out() {
        let selection = Selection {
            arch: Some(Arch::X86_64),
            ..Default::default()
        };
        let plan = plan(&workspace(), &selection).unwrap();
        assert!(plan.groups.iter().all(|g| g.arch == Arch::X86_64));
        assert!(
            plan.skipped
                .iter()
                .any(|s| s.name == "a2" && s.reason == "not configured for x86_64")
        );
    }

    #[test]
    fn unknown_and_skipped_selections_are_errors() {
        let unknown_package = Selection {
            packages: vec!["nope".into()],
            ..Default::default()
        };
        assert!(matches!(
            plan(&workspace(), &unknown_package),
            Err(PlanError::UnknownPackage { .. })
        ));
        let tool_package = Selection {
            packages: vec!["tool".into()],
            ..Default::default()
        };
        assert!(matches!(
            plan(&workspace(), &tool_package),
            Err(PlanError::NotLambdaPackage { .. })
        ));
        let skipped_bin = Selection {
            bins: vec!["tool".into()],
            ..Default::default()
        };
        assert!(matches!(
            plan(&workspace(), &skipped_bin),
            Err(PlanError::SkippedBin { .. })
        ));
        let bin_elsewhere = Selection {
            packages: vec!["a".into()],
            bins: vec!["b1".into()],
            ..Default::default()
        };
        assert!(matches!(
            plan(&workspace(), &bin_elsewhere),
            Err(PlanError::UnknownBin { .. })
        ));
    }
}
