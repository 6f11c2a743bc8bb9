//! `cargo powertools package`: workspace → plan → build → package → manifest.
use crate::archive::{self, Entry};
use crate::build::{self, BuildOptions};
use crate::cache::{self, CompilerCache};
use crate::errors::Error;
use crate::include;
use crate::loaders;
use crate::manifest::{self, Artifact, Manifest};
use crate::message::{Message, Outcome};
use crate::model::{Arch, BinaryKind, Day, Runtime, Stage};
use crate::ops::report;
use crate::output::{Committed, OutDir};
use crate::parallel;
use crate::plan::{self, BuildGroup, Plan, PythonJob, Selection};
use crate::process::ProcessGroups;
use crate::python::{self, StandaloneOptions};
use crate::recipe::{self, RecipeInfo, Recipes};
use crate::sam_template::{self, SamTemplate};
use crate::shell::Shell;
use crate::verify::{self, Expectation, Finding, Severity, UNZIPPED_LIMIT};
use crate::workspace::{LambdaBinary, LoadOptions, SkippedBinary, Workspace};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct PackageOptions {
    pub load: LoadOptions,
    pub selection: Selection,
    pub build: BuildOptions,
    /// Default: `<target-dir>/powertools` (`<project>/dist/powertools` for `--python`).
    pub out_dir: Option<PathBuf>,
    /// Skip the `verify` checks of each zip before it is moved into place.
    pub no_verify: bool,
    /// Take over an out-dir holding files this tool did not write.
    pub force: bool,
    /// Package for a runtime past Lambda's block-update date (with a warning).
    pub allow_deprecated: bool,
    /// `--python PATH`: package one Python project, without a Cargo workspace.
    pub python: Option<StandaloneOptions>,
}

#[derive(Debug)]
pub struct PackageReport {
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
    pub skipped: Vec<SkippedBinary>,
    /// The output directory was already what this run would write.
    pub unchanged: bool,
    /// How long the builds took, and the whole run.
    pub build_ms: u64,
    pub total_ms: u64,
}

impl PackageReport {
    /// What the `finished` line says.
    pub fn outcome(&self) -> Outcome {
        Outcome::Packaged {
            manifest: self.manifest_path.clone(),
            unchanged: self.unchanged,
            build_ms: self.build_ms,
            total_ms: self.total_ms,
        }
    }
}

/// The CPython that compiles the bytecode of `bytecode = true` functions, by runtime minor.
type Compilers = BTreeMap<u8, python::interpreter::Interpreter>;

/// A zip written to the staging directory, waiting to be moved into place.
struct StagedZip {
    staged: PathBuf,
    artifact: Artifact,
}

/// Packages the selected Lambda functions. Nothing in the output directory changes unless every
/// build and every zip succeeds: zips and manifest are written as a new generation, which then
/// replaces the output in one rename (see [`crate::output`]).
/// `children`: the process groups of the run ([`ProcessGroups`]), through which every build and
/// install starts, so that an interruption stops them.
pub fn package(
    options: &PackageOptions,
    children: &ProcessGroups,
    shell: &Shell,
) -> Result<PackageReport, Error> {
    let run_started = Instant::now();
    let workspace = match &options.python {
        Some(standalone) => python_project(standalone)?,
        None => loaders::load(&options.load)?,
    };
    let plan = plan::plan(&workspace, &options.selection)?;
    for note in &workspace.notes {
        shell.status("Note", note);
    }
    for skipped in &plan.skipped {
        shell.status(
            "Skipping",
            format!("{} ({}): {}", skipped.name, skipped.package, skipped.reason),
        );
        shell.emit(&Message::Skipped {
            package: &skipped.package,
            bin: &skipped.name,
            why: &skipped.reason,
        });
    }

    // Everything that can be checked without building is checked before the first build starts.
    check_runtimes(&plan, options.allow_deprecated, shell)?;
    let time = archive::entry_time(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    let includes = resolve_includes(&plan.groups, &workspace)?;
    let mut compilers = Compilers::new();
    for job in &plan.python {
        python::check_own_code(&job.function, &workspace.root)?;
        let minor = job.function.python.minor();
        if !compilers.contains_key(&minor)
            && let Some(compiler) = python::bytecode_compiler(&job.function)?
        {
            compilers.insert(minor, compiler);
        }
    }
    let cache = if plan.groups.is_empty() {
        None
    } else {
        cache::detect(workspace.cache)?
    };
    let tool_versions = preflight(&plan, &workspace, cache.as_ref())?;
    let mut build_options = options.build.clone();
    if let Some(cache) = cache.as_ref().filter(|c| c.set_wrapper) {
        build_options.rustc_wrapper = Some(cache.program.clone());
    }

    let out_dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| workspace.target_dir.join("powertools"));
    let out = OutDir::open(&out_dir, report::blocking(shell, "another packaging run"))?
        .forcing(options.force);
    out.check_layout(&planned_arches(&plan))?;
    let staging = out.stage()?;
    let work = staging.work();

    // Only Rust builds use the target directory: Python-only runs need not wait for its lock.
    let _lock = if plan.groups.is_empty() {
        None
    } else {
        Some(build::lock_target_dir(
            &workspace.cargo_build().target_dir,
            report::blocking(shell, "another packaging run"),
        )?)
    };
    let build_started = Instant::now();
    let built = build_all(
        &plan,
        &workspace,
        &build_options,
        &compilers,
        &work,
        children,
        shell,
    )?;
    let build_time = build_started.elapsed();
    let mut jobs = Vec::new();
    for (group, binaries) in plan.groups.iter().zip(&built.rust) {
        for binary in &group.binaries {
            let entries = zip_entries(
                binary,
                &binaries[binary.bin.as_str()],
                &includes[binary.name.as_str()],
            );
            let artifact = rust_artifact(binary, group, tool_versions[&group.recipe.name].clone());
            jobs.push((artifact, entries));
        }
    }
    let mut sizes = BTreeMap::new();
    for (job, installed) in plan.python.iter().zip(built.python) {
        let mut tools = tool_versions[&job.recipe.name].clone();
        if job.function.bytecode
            && let Some(compiler) = compilers.get(&job.function.python.minor())
        {
            tools.insert("cpython".into(), compiler.version.clone());
        }
        let artifact = python_artifact(job, tools);
        sizes.insert(artifact.path.clone(), (job, installed.owners));
        jobs.push((artifact, installed.entries));
    }

    // Zipping, hashing and verifying: a thread per core. A zip whose inputs are those of the last
    // run's zip at the same path is that zip, so it is linked, not written (nor verified) again.
    let generation = staging.generation();
    let verify = !options.no_verify;
    let last = LastRun::read(&out);
    let staged = parallel::map(jobs, |(artifact, entries)| {
        let inputs = manifest::hex(&archive::inputs_key(&entries, time)?);
        let described = serde_json::to_string(&artifact).unwrap_or_default();
        let (zip, verified) = match last.reuse(&artifact, &inputs, &generation) {
            Some((zip, verified_for)) => {
                let verified = verified_for.as_deref() == Some(described.as_str());
                (zip, verified)
            }
            None => (stage_zip(artifact, entries, &generation, time)?, false),
        };
        let findings = if verify && !verified {
            verify::check_zip(&zip.staged, &Expectation::of(&zip.artifact))
        } else {
            Vec::new()
        };
        let record = InputRecord {
            inputs,
            verified_for: (verified || (verify && findings.is_empty())).then_some(described),
        };
        Ok::<_, Error>((zip, findings, record))
    });
    let staged = staged.into_iter().collect::<Result<Vec<_>, _>>()?;
    let records: BTreeMap<&str, &InputRecord> = staged
        .iter()
        .map(|(zip, _, record)| (zip.artifact.path.as_str(), record))
        .collect();
    let records_path = generation.join(INPUTS_FILE);
    let records_json = serde_json::to_vec(&records).unwrap_or_default();
    std::fs::write(&records_path, records_json).map_err(|source| Error::Output {
        path: records_path.clone(),
        source,
    })?;
    let staged: Vec<(StagedZip, Vec<Finding>)> = staged
        .into_iter()
        .map(|(zip, findings, _)| (zip, findings))
        .collect();
    report_findings(&staged, shell)?;
    report_sizes(&staged, &sizes, shell);

    let mut manifest = Manifest::new(staged.into_iter().map(|(zip, _)| zip.artifact).collect());
    if let Some(template) = &workspace.sam {
        manifest.template = Some(write_template(template, &manifest, &generation, shell)?);
    }
    // The last moment to stop: after the switch, the new output is the output.
    if children.interrupted() {
        return Err(Error::Interrupted);
    }
    let committed = out.commit(staging, &manifest)?;
    let commit = report::Commit {
        out_dir: &out_dir,
        manifest: &manifest,
        committed,
        verb: if committed == Committed::Unchanged {
            "Fresh"
        } else {
            "Packaged"
        },
        from: None,
    };
    let manifest_path = report::finished(shell, &commit);
    Ok(PackageReport {
        manifest_path,
        manifest,
        skipped: plan.skipped,
        unchanged: committed == Committed::Unchanged,
        build_ms: build_time.as_millis() as u64,
        total_ms: run_started.elapsed().as_millis() as u64,
    })
}

/// Writes the SAM template into the new generation, each packaged resource's code location naming
/// its zip; a resource this run did not package (`--bin`, `--arch`, `--shard`) keeps its folder,
/// with a warning.
fn write_template(
    template: &SamTemplate,
    manifest: &Manifest,
    generation: &Path,
    shell: &Shell,
) -> Result<manifest::TemplateFile, Error> {
    let zip_of = |resource: &str| {
        manifest
            .artifacts
            .iter()
            .find(|a| a.function == resource)
            .map(|a| a.path.clone())
    };
    let (text, left) = template.rewrite(zip_of);
    for resource in left {
        shell.warning(
            format!(
                "{}: `{resource}` was not packaged in this run, so its code location still names its folder",
                sam_template::FILE_NAME
            ),
            Some("package without `--bin`, `--arch` or `--shard` for a template that names only zips"),
        );
    }
    let path = generation.join(sam_template::FILE_NAME);
    std::fs::write(&path, &text).map_err(|source| Error::Output {
        path: path.clone(),
        source,
    })?;
    Ok(manifest::TemplateFile {
        path: sam_template::FILE_NAME.to_string(),
        sha256: manifest::hex(&archive::sha256(text.as_bytes())),
    })
}

/// Every architecture the plan writes zips for.
fn planned_arches(plan: &Plan) -> Vec<Arch> {
    Arch::ALL
        .into_iter()
        .filter(|arch| {
            plan.groups.iter().any(|g| g.arch == *arch)
                || plan.python.iter().any(|j| j.arch == *arch)
        })
        .collect()
}

/// A Python project on its own, as a workspace of one function: output under `<project>/dist`.
fn python_project(options: &StandaloneOptions) -> Result<Workspace, Error> {
    let function = python::standalone(options)?;
    let root = function.project.clone();
    Ok(Workspace {
        manifest_path: root.join("pyproject.toml"),
        target_dir: root.join("dist"),
        members: Vec::new(),
        binaries: Vec::new(),
        skipped: Vec::new(),
        recipes: Recipes::for_workspace(&root, None)?,
        python: vec![function],
        cache: None,
        sam: None,
        cargo: None,
        notes: Vec::new(),
        root,
    })
}

/// What the builds produced, in plan order: each Rust group's collected binaries by name, and
/// each Python job's zip entries.
struct Built {
    rust: Vec<BTreeMap<String, PathBuf>>,
    python: Vec<python::Installed>,
}

/// One build of the plan: one run of a Rust recipe's build command (the indices of the groups it
/// builds, one per target) or one Python install (the indices of the jobs it serves, see
/// [`shared_installs`]).
enum Step {
    Rust(Vec<usize>),
    Python(Vec<usize>),
}

enum Output {
    Binaries(Vec<BTreeMap<String, PathBuf>>),
    Entries(python::Installed),
}

/// Runs every build of the plan, in lanes that run side by side: the Python installs of each
/// architecture, and for Rust one lane per architecture (each has its own target directory) when
/// [`Plan::rust_side_by_side`] says so, else one; a multi-target recipe's runs, which share one
/// directory, are one lane. The Rust builds share the job tokens of `--jobs` (see
/// [`build::JobTokens`]), so running side by side never runs more compiler jobs than one build
/// alone would. On failure, the first failed build in plan order.
fn build_all(
    plan: &Plan,
    workspace: &Workspace,
    build_options: &BuildOptions,
    compilers: &Compilers,
    staging: &Path,
    children: &ProcessGroups,
    shell: &Shell,
) -> Result<Built, Error> {
    let steps: Vec<Step> = plan
        .rust_runs(build_options.sequential)
        .into_iter()
        .map(Step::Rust)
        .chain(shared_installs(&plan.python).into_iter().map(Step::Python))
        .collect();
    let jobs = build_options.jobs.unwrap_or_else(parallel::cores);
    let tokens = build::JobTokens::new(jobs)?;
    let per_arch = plan.rust_side_by_side(jobs);
    // A multi-target recipe's runs share one target directory, so they share one lane too.
    let lane_of = |step: &Step| match step {
        Step::Rust(run) => {
            let lead = &plan.groups[run[0]];
            let own_lane = per_arch && !lead.recipe.build.multi_target;
            (false, own_lane.then_some(lead.arch))
        }
        Step::Python(jobs) => (true, Some(plan.python[jobs[0]].arch)),
    };
    let outputs = parallel::lanes(
        &steps,
        lane_of,
        build_options.sequential,
        |step| match step {
            Step::Rust(build) => {
                let groups: Vec<&BuildGroup> = build.iter().map(|&i| &plan.groups[i]).collect();
                build_groups(
                    &groups,
                    workspace,
                    build_options,
                    &tokens,
                    staging,
                    children,
                    shell,
                )
                .map(Output::Binaries)
            }
            Step::Python(jobs) => {
                let jobs: Vec<&PythonJob> = jobs.iter().map(|&i| &plan.python[i]).collect();
                build_python(&jobs, workspace, compilers, staging, children, shell)
                    .map(Output::Entries)
            }
        },
    );
    // A lane stops only at its error, so a step no lane reached comes with an error to return.
    let outputs = outputs
        .into_iter()
        .flatten()
        .collect::<Result<Vec<_>, _>>()?;
    let mut rust: Vec<Option<BTreeMap<String, PathBuf>>> =
        plan.groups.iter().map(|_| None).collect();
    let mut python: Vec<Option<python::Installed>> = plan.python.iter().map(|_| None).collect();
    for (step, output) in steps.iter().zip(outputs) {
        match (step, output) {
            (Step::Rust(build), Output::Binaries(binaries)) => {
                for (&index, binaries) in build.iter().zip(binaries) {
                    rust[index] = Some(binaries);
                }
            }
            (Step::Python(jobs), Output::Entries(entries)) => {
                for &index in jobs {
                    python[index] = Some(entries.clone());
                }
            }
            (Step::Rust(_), Output::Entries(_)) => {}
            (Step::Python(_), Output::Binaries(_)) => {}
        }
    }
    Ok(Built {
        rust: rust.into_iter().flatten().collect(),
        python: python.into_iter().flatten().collect(),
    })
}

/// Runs one Rust build command for `groups` (one per target) and returns where each group's
/// binaries were collected, in `groups` order.
fn build_groups(
    groups: &[&BuildGroup],
    workspace: &Workspace,
    build_options: &BuildOptions,
    tokens: &build::JobTokens,
    staging: &Path,
    children: &ProcessGroups,
    shell: &Shell,
) -> Result<Vec<BTreeMap<String, PathBuf>>, Error> {
    let _token = tokens.acquire()?;
    let lead = groups[0];
    let targets: Vec<String> = groups.iter().map(|g| g.target.build_target()).collect();
    let arches: Vec<String> = groups.iter().map(|g| g.arch.to_string()).collect();
    let lambda_dir = staging.join("lambda").join(&targets[0]);
    let cargo = workspace.cargo_build();
    let target_dir = if lead.recipe.build.multi_target {
        build::joint_target_dir(&cargo.target_dir)
    } else {
        build::arch_target_dir(&cargo.target_dir, lead.arch)
    };
    let dirs = build::BuildDirs {
        lambda_dir: &lambda_dir,
        target_dir: &target_dir,
    };
    let command = build::build_command(groups, &cargo.manifest_path, &dirs, build_options, tokens);
    let names: Vec<&str> = lead.binaries.iter().map(|b| b.name.as_str()).collect();
    shell.status(
        "Building",
        format!(
            "{} for {} ({}, recipe {})",
            names.join(", "),
            arches.join(" and "),
            targets.join(", "),
            lead.recipe.name
        ),
    );
    shell.running(&command);
    let progress = shell.child_output(format!("Building {}", arches.join("+")));
    let built = build::run_build(
        &command,
        children,
        groups,
        &dirs,
        build_options,
        &staging.join("bin"),
        |_, line| progress.line(line),
    );
    // On a terminal only a spinner showed the build's latest line, so the error repeats the end of
    // its stderr; elsewhere every line is above already.
    Ok(built.map_err(|err| {
        if progress.shown_in_full() {
            err.without_child_output()
        } else {
            err
        }
    })?)
}

/// The Python jobs that one install serves, as indices into `jobs`: functions of one folder with
/// the same recipe, runtime, architecture and zip settings get the same zip but for the handler, so
/// the folder is installed once for them all (as `sam build` builds a shared CodeUri once). A recipe
/// that builds the zip itself (pex, pants) builds it per function: its command names the function.
fn shared_installs(jobs: &[PythonJob]) -> Vec<Vec<usize>> {
    let mut installs: Vec<Vec<usize>> = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        let shares = |other: &PythonJob| {
            let (a, b) = (&job.function, &other.function);
            !matches!(job.recipe.python.step, recipe::PythonStep::Package { .. })
                && job.arch == other.arch
                && job.recipe.name == other.recipe.name
                && a.project == b.project
                && a.python == b.python
                && a.layer == b.layer
                && a.exclude == b.exclude
                && a.include == b.include
                && a.allow_secrets == b.allow_secrets
                && a.bytecode == b.bytecode
        };
        match installs.iter_mut().find(|i| shares(&jobs[i[0]])) {
            Some(install) => install.push(index),
            None => installs.push(vec![index]),
        }
    }
    installs
}

/// Installs the dependencies of Python functions that share one install (see [`shared_installs`])
/// for their architecture, once; checks each one's handler and returns the zip entries.
fn build_python(
    jobs: &[&PythonJob],
    workspace: &Workspace,
    compilers: &Compilers,
    staging: &Path,
    children: &ProcessGroups,
    shell: &Shell,
) -> Result<python::Installed, Error> {
    let job = jobs[0];
    let function = &job.function;
    let names: Vec<&str> = jobs.iter().map(|j| j.function.name.as_str()).collect();
    shell.status(
        "Building",
        format!(
            "{} for {} ({}, Python {}{}, recipe {}{})",
            names.join(", "),
            job.arch,
            function.platform(job.arch),
            function.python,
            because(function.python_found.as_deref()),
            job.recipe.name,
            because(
                function
                    .recipe_found
                    .as_deref()
                    .filter(|_| function.recipe.as_deref() == Some(job.recipe.name.as_str()))
            ),
        ),
    );
    let progress = shell.child_output(format!("Installing {}", job.arch));
    let work = staging
        .join("python")
        .join(&function.name)
        .join(job.arch.as_str());
    let installed = python::build(
        function,
        job.arch,
        &job.recipe,
        &workspace.root,
        &work,
        compilers.get(&function.python.minor()),
        python::Runner {
            children,
            on_run: |command: &_| shell.running(command),
            on_line: |_, line: &str| progress.line(line),
        },
    )?;
    for other in &jobs[1..] {
        if let Some(handler) = &other.function.handler {
            python::handler::check(handler, &installed.entries, &other.function)?;
        }
    }
    Ok(installed)
}

/// ` (why)` after a setting the project folder decided.
fn because(found: Option<&str>) -> String {
    found.map(|why| format!(" ({why})")).unwrap_or_default()
}

/// Checks, before anything is built, that each recipe's tools are here and that the toolchain has
/// the standard library of each Rust target; returns each recipe's tool versions (rustc's too).
fn preflight(
    plan: &Plan,
    workspace: &Workspace,
    cache: Option<&CompilerCache>,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, Error> {
    let uses: Vec<(&RecipeInfo, crate::model::Arch)> = plan
        .groups
        .iter()
        .map(|g| (&g.recipe.info, g.arch))
        .chain(plan.python.iter().map(|j| (&j.recipe.info, j.arch)))
        .collect();
    let rustc = if plan.groups.is_empty() {
        None
    } else {
        build::rustc_version(&workspace.cargo_build().root)
    };
    let mut versions: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (recipe, _) in &uses {
        if versions.contains_key(&recipe.name) {
            continue;
        }
        let arches: Vec<_> = uses
            .iter()
            .filter(|(r, _)| r.name == recipe.name)
            .map(|(_, a)| *a)
            .collect();
        let mut tools = build::preflight(recipe, &arches)?;
        if let Some(rustc) = &rustc
            && plan.groups.iter().any(|g| g.recipe.name == recipe.name)
        {
            tools.insert("rustc".to_string(), rustc.clone());
            if let Some(cache) = cache {
                tools.insert("sccache".to_string(), cache.version.clone());
            }
        }
        versions.insert(recipe.name.clone(), tools);
    }
    let mut checked = Vec::new();
    for group in plan.groups.iter().filter(|g| g.recipe.needs_target_std) {
        let triple = group.target.triple();
        if !checked.contains(&triple) {
            build::check_target_std(&workspace.cargo_build().root, &triple, group.arch)?;
            checked.push(triple);
        }
    }
    Ok(versions)
}

/// The `include` files of every planned binary, by binary name.
fn resolve_includes(
    groups: &[BuildGroup],
    workspace: &Workspace,
) -> Result<BTreeMap<String, Vec<Entry>>, Error> {
    let mut includes = BTreeMap::new();
    let cargo_root = workspace.cargo_build().root;
    for binary in groups.iter().flat_map(|g| &g.binaries) {
        if includes.contains_key(binary.name.as_str()) {
            continue;
        }
        let reserved = binary_entry_name(binary);
        let entries = include::resolve(
            &binary.include,
            &binary.package_dir,
            &cargo_root,
            &binary.manifest_path,
            &reserved,
            &include::Secrets::new(&binary.allow_secrets),
        )?;
        includes.insert(binary.name.to_string(), entries);
    }
    Ok(includes)
}

/// Where Lambda looks for the binary: `bootstrap` for a function, `extensions/<name>` for an extension.
fn binary_entry_name(binary: &LambdaBinary) -> String {
    match binary.kind {
        BinaryKind::Extension => format!("extensions/{}", binary.name),
        BinaryKind::Function => "bootstrap".to_string(),
    }
}

fn zip_entries(binary: &LambdaBinary, built: &Path, includes: &[Entry]) -> Vec<Entry> {
    let mut entries = vec![Entry {
        name: binary_entry_name(binary),
        source: built.to_path_buf(),
        mode: 0o755,
    }];
    entries.extend_from_slice(includes);
    entries
}

/// The manifest entry of a Rust binary, before its zip is written.
fn rust_artifact(
    binary: &LambdaBinary,
    group: &BuildGroup,
    tools: BTreeMap<String, String>,
) -> Artifact {
    Artifact {
        function: binary.name.to_string(),
        kind: binary.kind.into(),
        package: binary.package.clone(),
        arch: group.arch,
        language: "rust".into(),
        target: group.target.build_target(),
        runtime: Runtime::Os(binary.runtime),
        handler: None,
        excluded: Vec::new(),
        layers: Vec::new(),
        environment: binary.environment.clone(),
        recipe: group.recipe.name.clone(),
        tools,
        path: format!("{}/{}.zip", group.arch, binary.name),
        size: 0,
        unzipped_size: 0,
        sha256: String::new(),
        code_sha256: String::new(),
    }
}

/// The manifest entry of a Python function or layer, before its zip is written.
fn python_artifact(job: &PythonJob, tools: BTreeMap<String, String>) -> Artifact {
    let function = &job.function;
    Artifact {
        function: function.name.clone(),
        kind: function.kind(),
        package: function.project_rel.clone(),
        arch: job.arch,
        language: "python".into(),
        target: function.platform(job.arch),
        runtime: function.python.runtime(),
        handler: function.handler.clone().filter(|_| !function.layer),
        excluded: function.exclude.clone(),
        layers: function.layers.clone(),
        environment: function.environment.clone(),
        recipe: job.recipe.name.clone(),
        tools,
        path: format!("{}/{}.zip", job.arch, function.name),
        size: 0,
        unzipped_size: 0,
        sha256: String::new(),
        code_sha256: String::new(),
    }
}

/// The side file of a generation that records each zip's inputs (see [`archive::inputs_key`]).
const INPUTS_FILE: &str = ".inputs.json";

/// What a generation knows about how each of its zips was made.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct InputRecord {
    /// Hex [`archive::inputs_key`].
    inputs: String,
    /// The artifact (as JSON, without sizes and hashes) the zip was verified as, without findings.
    #[serde(default)]
    verified_for: Option<String>,
}

/// The current generation of the output directory, as far as it can be reused.
#[derive(Default)]
struct LastRun {
    dir: PathBuf,
    artifacts: BTreeMap<String, Artifact>,
    records: BTreeMap<String, InputRecord>,
}

impl LastRun {
    /// Reads the current generation's manifest and input records; anything unreadable means
    /// nothing is reused (it is only an optimisation).
    fn read(out: &OutDir) -> LastRun {
        let Some(dir) = out.current() else {
            return LastRun::default();
        };
        let manifest: Option<Manifest> = std::fs::read(dir.join(manifest::FILE_NAME))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let records: Option<BTreeMap<String, InputRecord>> = std::fs::read(dir.join(INPUTS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        match (manifest, records) {
            (Some(manifest), Some(records)) => LastRun {
                dir,
                artifacts: manifest
                    .artifacts
                    .into_iter()
                    .map(|a| (a.path.clone(), a))
                    .collect(),
                records,
            },
            _ => LastRun::default(),
        }
    }

    /// Links the last run's zip for `artifact` into the new generation when its inputs are
    /// `inputs`; returns it with what it was verified as.
    fn reuse(
        &self,
        artifact: &Artifact,
        inputs: &str,
        generation: &Path,
    ) -> Option<(StagedZip, Option<String>)> {
        let record = self.records.get(&artifact.path)?;
        let old = self.artifacts.get(&artifact.path)?;
        if record.inputs != inputs {
            return None;
        }
        let from = self.dir.join(&artifact.path);
        // Only a zip that is still what the manifest says (nobody edited it in place).
        let digest = archive::sha256_file(&from).ok()?;
        if manifest::hex(&digest) != old.sha256 {
            return None;
        }
        let staged = generation.join(&artifact.path);
        std::fs::create_dir_all(staged.parent()?).ok()?;
        std::fs::hard_link(&from, &staged)
            .or_else(|_| std::fs::copy(&from, &staged).map(|_| ()))
            .ok()?;
        let mut artifact = artifact.clone();
        artifact.size = old.size;
        artifact.unzipped_size = old.unzipped_size;
        artifact.sha256 = old.sha256.clone();
        artifact.code_sha256 = old.code_sha256.clone();
        Some((StagedZip { staged, artifact }, record.verified_for.clone()))
    }
}

/// Writes `entries` as the zip of `artifact` in the new generation and fills in its sizes and hashes.
fn stage_zip(
    mut artifact: Artifact,
    entries: Vec<Entry>,
    staging: &Path,
    time: zip::DateTime,
) -> Result<StagedZip, Error> {
    let unzipped_size = archive::unzipped_size(&entries)?;
    if unzipped_size > UNZIPPED_LIMIT {
        return Err(Error::TooLarge {
            function: artifact.function,
            arch: artifact.arch,
            unzipped_size,
        });
    }
    let staged = staging.join(&artifact.path);
    let parent = staged.parent().unwrap_or(staging);
    std::fs::create_dir_all(parent).map_err(|source| Error::Output {
        path: parent.to_path_buf(),
        source,
    })?;
    let summary = archive::write_zip(&staged, entries, time)?;
    artifact.size = summary.size;
    artifact.unzipped_size = summary.unzipped_size;
    artifact.sha256 = manifest::hex(&summary.sha256);
    artifact.code_sha256 = manifest::base64(&summary.sha256);
    Ok(StagedZip { staged, artifact })
}

/// After the Python zips are written, a line each with its size and largest distributions, and a
/// hint when much of it is what the runtime or the Powertools layer provides.
fn report_sizes(
    staged: &[(StagedZip, Vec<Finding>)],
    sizes: &BTreeMap<String, (&PythonJob, python::size::Owners)>,
    shell: &Shell,
) {
    let mut hinted = BTreeSet::new();
    for (zip, _) in staged {
        let Some((job, owners)) = sizes.get(&zip.artifact.path) else {
            continue;
        };
        let prefix = if job.function.layer { "python/" } else { "" };
        let Ok(breakdown) = python::size::Breakdown::of_zip(&zip.staged, owners, prefix) else {
            continue;
        };
        shell.status(
            "Size",
            format!("{} ({}): {}", job.function.name, job.arch, breakdown.line()),
        );
        // One hint per function, from its first architecture: the others hold the same.
        if !hinted.insert(job.function.name.as_str()) {
            continue;
        }
        if let Some((message, help)) = breakdown.hint(&job.function, job.arch) {
            shell.status("Note", format!("{message}\n{:>12}  help: {help}", ""));
        }
    }
}

/// Prints what `verify`'s checks found in the staged zips. Warnings are printed; any error fails
/// the run before the output directory changes.
fn report_findings(staged: &[(StagedZip, Vec<Finding>)], shell: &Shell) -> Result<(), Error> {
    let mut errors = 0;
    for (zip, findings) in staged {
        for finding in findings {
            let mut finding = finding.clone();
            // Name the zip by where it is going, not by the staging directory that is about to vanish.
            finding.file = PathBuf::from(&zip.artifact.path);
            errors += usize::from(finding.severity == Severity::Error);
            shell.finding(&finding);
        }
    }
    if errors == 0 {
        Ok(())
    } else {
        Err(Error::VerifyFailed { errors })
    }
}

/// The variable that sets the day runtimes are judged on (default: today, UTC): to see what a
/// later deploy would meet.
const TODAY_VARIABLE: &str = "CARGO_POWERTOOLS_TODAY";

/// Warns about each planned runtime Lambda has deprecated, with its dates; one past its
/// block-update date is an error unless `allow_deprecated`.
fn check_runtimes(plan: &Plan, allow_deprecated: bool, shell: &Shell) -> Result<(), Error> {
    let today = match std::env::var(TODAY_VARIABLE) {
        Ok(value) => Day::parse(&value).ok_or(Error::BadToday {
            variable: TODAY_VARIABLE,
            value,
        })?,
        Err(_) => Day::today(),
    };
    let mut on: BTreeMap<Runtime, BTreeSet<String>> = BTreeMap::new();
    for group in &plan.groups {
        for binary in &group.binaries {
            on.entry(Runtime::Os(binary.runtime))
                .or_default()
                .insert(binary.name.to_string());
        }
    }
    for job in &plan.python {
        on.entry(job.function.python.runtime())
            .or_default()
            .insert(job.function.name.to_string());
    }
    for (runtime, names) in on {
        let functions = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let lifecycle = match runtime.stage(today) {
            Stage::Supported => continue,
            Stage::UpdateBlocked(lifecycle) if !allow_deprecated => {
                return Err(Error::RuntimeBlocked {
                    runtime,
                    lifecycle,
                    functions,
                    today,
                });
            }
            Stage::Deprecated(lifecycle) | Stage::UpdateBlocked(lifecycle) => lifecycle,
        };
        shell.warning(
            format!(
                "{functions} runs on {runtime}, which Lambda {}",
                lifecycle.describe()
            ),
            Some(&format!(
                "move to {} before Lambda blocks updates (deprecated runtimes get no security patches)",
                runtime.successor()
            )),
        );
    }
    Ok(())
}
