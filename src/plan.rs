//! Turns the workspace's Lambda binaries and the user's selection into build groups: one
//! `cargo lambda build` per target, each building every selected binary for that target.
use crate::model::{Arch, Target};
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
    /// `--shard K/N`: only the functions that fall in shard K of N.
    pub shard: Option<Shard>,
}

/// One of N deterministic parts of a workspace's functions: a function is in the shard its name
/// hashes to, so adding or removing another function never moves it (for CI job matrices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The shard a function or extension named `name` belongs to (1-based).
    pub fn of(name: &str, count: u32) -> u32 {
        let digest = crate::archive::sha256(name.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32 + 1
    }

    pub fn contains(&self, name: &str) -> bool {
        Shard::of(name, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 <= K <= N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let invalid = || format!("`{text}` is not a shard: write K/N with 1 <= K <= N, e.g. 1/4");
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let index: u32 = index.trim().parse().map_err(|_| invalid())?;
        let count: u32 = count.trim().parse().map_err(|_| invalid())?;
        if index == 0 || count == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

/// Every binary built with one recipe for one target, in one invocation.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildGroup {
    pub arch: Arch,
    pub target: Target,
    pub recipe: RustRecipe,
    pub binaries: Vec<LambdaBinary>,
    /// The packages cargo is asked for (`--package`), sorted: those of `binaries`, and with
    /// `--shard` also those of the binaries other shards build for this target. cargo unifies
    /// dependency features over the packages it is asked for, so a shard asks for all of them to
    /// build the same binaries a run without shards builds.
    pub packages: Vec<String>,
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

impl Plan {
    /// Whether the architectures' Rust builds run side by side (each in its own target directory,
    /// sharing the `jobs` job tokens) rather than one after the other: only while one build
    /// cannot fill the jobs on its own. The last step of a release build, one (LTO) link per
    /// binary, takes a thread each, so an architecture with fewer binaries than jobs leaves cores
    /// idle through its links, and two architectures at once shorten a rebuild; with as many
    /// binaries as jobs, cargo already keeps them busy. Measured with scripts/bench-scale.sh on 2
    /// cores, as ratios to cargo-lambda run once per architecture: with 1 function, side by side
    /// took 0.82x (cold) and 0.54x (edit of a shared crate), one after the other 0.98x and 1.02x;
    /// with 10 functions side by side was 5-7% slower than one after the other, even sharing the
    /// job tokens.
    pub fn rust_side_by_side(&self, jobs: usize) -> bool {
        let binaries_for = |arch: Arch| -> usize {
            self.groups
                .iter()
                .filter(|g| g.arch == arch)
                .map(|g| g.binaries.len())
                .sum()
        };
        Arch::ALL.into_iter().map(binaries_for).max().unwrap_or(0) < jobs
    }

    /// The runs of the Rust build commands, as indices into `groups`: one per group, except that
    /// the groups of a multi-target recipe that build the same binaries for different targets
    /// build in one run (unless `sequential`, which builds one architecture after the other).
    pub fn rust_runs(&self, sequential: bool) -> Vec<Vec<usize>> {
        let names = |group: &BuildGroup| -> Vec<String> {
            group.binaries.iter().map(|b| b.name.to_string()).collect()
        };
        let mut runs: Vec<Vec<usize>> = Vec::new();
        for (index, group) in self.groups.iter().enumerate() {
            let joins = |run: &Vec<usize>| {
                let lead = &self.groups[run[0]];
                !sequential
                    && group.recipe.build.multi_target
                    && lead.recipe.name == group.recipe.name
                    && lead.packages == group.packages
                    && names(lead) == names(group)
            };
            match runs.iter_mut().find(|run| joins(run)) {
                Some(run) => run.push(index),
                None => runs.push(vec![index]),
            }
        }
        runs
    }
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

    type Group = (
        RustRecipe,
        Vec<LambdaBinary>,
        std::collections::BTreeSet<String>,
    );
    let mut groups: BTreeMap<(Arch, String, Target), Group> = BTreeMap::new();
    for binary in selected {
        let in_shard = selection.shard.is_none_or(|s| s.contains(&binary.name));
        if let Some(shard) = selection.shard.filter(|_| !in_shard) {
            skipped.push(in_other_shard(&binary.package, &binary.name, shard));
        }
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
            let group = groups
                .entry((arch, name.clone(), target))
                .or_insert_with(|| (recipe.clone(), Vec::new(), Default::default()));
            group.2.insert(binary.package.clone());
            if in_shard {
                group.1.push(binary.clone());
            }
        }
        if let Some(wanted) = selection
            .arch
            .filter(|a| in_shard && !binary.architectures.contains(a))
        {
            skipped.push(SkippedBinary {
                package: binary.package.clone(),
                name: binary.name.to_string(),
                reason: format!("not configured for {wanted}"),
            });
        }
    }
    groups.retain(|_, (_, binaries, _)| !binaries.is_empty());
    let python = plan_python(workspace, selection, &mut skipped)?;
    // A shard may be empty (more shards than functions): it packages nothing, and merges as such.
    if groups.is_empty() && python.is_empty() && selection.shard.is_none() {
        return Err(PlanError::NothingForArch {
            arch: selection.arch.unwrap_or(Arch::X86_64),
        });
    }
    let groups = groups
        .into_iter()
        .map(
            |((arch, _, target), (recipe, binaries, packages))| BuildGroup {
                arch,
                target,
                recipe,
                binaries,
                packages: packages.into_iter().collect(),
            },
        )
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

/// How `skipped` lists a function that `shard` leaves to another shard.
fn in_other_shard(package: &str, name: &str, shard: Shard) -> SkippedBinary {
    SkippedBinary {
        package: package.to_string(),
        name: name.to_string(),
        reason: format!(
            "in shard {} of {}",
            Shard::of(name, shard.count),
            shard.count
        ),
    }
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
        // Walks like the Rust loop of `plan`, but a function of another shard is dropped here,
        // where a Rust binary's package is still asked for.
        if let Some(shard) = selection.shard.filter(|s| !s.contains(&function.name)) {
            skipped.push(in_other_shard("python", &function.name, shard));
            continue;
        }
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
            function: binary.name.to_string(),
            libc: binary.libc,
        });
    }
    // musl binaries are static: there is no glibc to pin.
    let glibc_pin = match binary.libc {
        crate::model::Libc::Gnu => binary.runtime.glibc_pin(),
        crate::model::Libc::Musl => None,
    };
    if glibc_pin.is_some() && !recipe.glibc_pinning {
        return Err(RecipeError::NoGlibcPinning {
            recipe: recipe.name.clone(),
            function: binary.name.to_string(),
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
            available: candidates.iter().map(|b| b.name.to_string()).collect(),
        });
    }
    Ok(candidates
        .into_iter()
        .filter(|b| selection.bins.is_empty() || selection.bins.iter().any(|bin| b.name == *bin))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BinaryKind, Name, OsRuntime};

    fn binary(
        name: &str,
        package: &str,
        architectures: &[Arch],
        runtime: OsRuntime,
    ) -> LambdaBinary {
        LambdaBinary {
            name: Name::new(name).unwrap(),
            bin: name.into(),
            package: package.into(),
            kind: BinaryKind::Function,
            package_dir: PathBuf::from(package),
            manifest_path: PathBuf::from(package).join("Cargo.toml"),
            architectures: architectures.to_vec(),
            runtime,
            include: vec![],
            allow_secrets: vec![],
            environment: Default::default(),
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
                binary("a1", "a", &Arch::ALL, OsRuntime::ProvidedAl2023),
                binary("a2", "a", &[Arch::Arm64], OsRuntime::ProvidedAl2023),
                binary("b1", "b", &Arch::ALL, OsRuntime::ProvidedAl2),
            ],
            recipes: crate::recipe::Recipes::built_in().unwrap(),
            python: vec![],
            cache: None,
            sam: None,
            cargo: None,
            notes: Vec::new(),
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
    fn architectures_build_side_by_side_only_while_one_build_leaves_jobs_idle() {
        // arm64 has the most binaries: a1, a2 and b1.
        let plan = plan(&workspace(), &Selection::default()).unwrap();
        assert!(plan.rust_side_by_side(4));
        assert!(!plan.rust_side_by_side(3));
        assert!(!plan.rust_side_by_side(2));
        let one = Selection {
            bins: vec!["a1".into()],
            ..Default::default()
        };
        let plan = super::plan(&workspace(), &one).unwrap();
        assert!(plan.rust_side_by_side(2));
        assert!(!plan.rust_side_by_side(1));
    }

    #[test]
    fn a_multi_target_recipe_builds_the_targets_with_the_same_binaries_in_one_run() {
        let runs = |recipe: &str, bins: &[&str], sequential| -> Vec<Vec<String>> {
            let selection = Selection {
                recipe: Some(recipe.into()),
                bins: bins.iter().map(|b| b.to_string()).collect(),
                ..Default::default()
            };
            let plan = super::plan(&workspace(), &selection).unwrap();
            plan.rust_runs(sequential)
                .iter()
                .map(|run| {
                    run.iter()
                        .map(|&i| plan.groups[i].target.build_target())
                        .collect()
                })
                .collect()
        };
        // Plain cargo takes `--target` more than once.
        assert_eq!(
            runs("cargo", &["a1"], false),
            [vec![
                "x86_64-unknown-linux-gnu",
                "aarch64-unknown-linux-gnu"
            ]]
        );
        assert_eq!(runs("cargo", &["a1"], true).len(), 2);
        // a1 alone for x86_64, a1 and a2 for arm64: those differ, so they stay two runs.
        assert_eq!(runs("cargo", &["a1", "a2"], false).len(), 2);
        assert_eq!(runs("cargo-lambda", &["a1"], false).len(), 2);
        assert_eq!(runs("cargo-zigbuild", &["a1"], false).len(), 2);
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
    fn shards_split_the_functions_deterministically_and_completely() {
        let mut seen = Vec::new();
        let whole = plan(&workspace(), &Selection::default()).unwrap();
        for index in 1..=2 {
            let selection = Selection {
                shard: Some(Shard { index, count: 2 }),
                ..Default::default()
            };
            let plan = plan(&workspace(), &selection).unwrap();
            // Each shard asks cargo for the packages a run without shards asks for (same features).
            for group in &plan.groups {
                let same = whole
                    .groups
                    .iter()
                    .find(|g| g.target == group.target)
                    .unwrap();
                assert_eq!(group.packages, same.packages);
            }
            let mut names: Vec<String> = plan
                .groups
                .iter()
                .flat_map(|g| g.binaries.iter().map(|b| b.name.to_string()))
                .collect();
            names.sort();
            names.dedup();
            for name in &names {
                assert_eq!(Shard::of(name, 2), index);
            }
            seen.extend(names);
        }
        seen.sort();
        assert_eq!(seen, ["a1", "a2", "b1"]);
        // A function's shard depends on its name only.
        assert_eq!(Shard::of("greeter", 4), Shard::of("greeter", 4));
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/2", "3/2", "1", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_and_skipped_selections_are_errors() {
        let error = |packages: &[&str], bins: &[&str]| {
            let selection = Selection {
                packages: packages.iter().map(|p| p.to_string()).collect(),
                bins: bins.iter().map(|b| b.to_string()).collect(),
                ..Default::default()
            };
            plan(&workspace(), &selection).unwrap_err()
        };
        assert!(matches!(
            error(&["nope"], &[]),
            PlanError::UnknownPackage { .. }
        ));
        assert!(matches!(
            error(&["tool"], &[]),
            PlanError::NotLambdaPackage { .. }
        ));
        assert!(matches!(
            error(&[], &["tool"]),
            PlanError::SkippedBin { .. }
        ));
        assert!(matches!(
            error(&["a"], &["b1"]),
            PlanError::UnknownBin { .. }
        ));
    }
}
