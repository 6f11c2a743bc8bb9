//! `cargo powertools package`: workspace → plan → build → package → manifest.
use crate::archive::{self, Entry};
use crate::build::{self, BuildOptions};
use crate::config::Kind;
use crate::errors::Error;
use crate::include;
use crate::manifest::{self, Artifact, Manifest};
use crate::plan::{self, BuildGroup, Plan, PythonJob, Selection};
use crate::python::{self, StandaloneOptions};
use crate::recipe::{RecipeInfo, Recipes};
use crate::shell::Shell;
use crate::verify::{self, Expectation, Severity, UNZIPPED_LIMIT};
use crate::workspace::{self, LambdaBinary, LoadOptions, SkippedBinary, Workspace};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct PackageOptions {
    pub load: LoadOptions,
    pub selection: Selection,
    pub build: BuildOptions,
    /// Default: `<target-dir>/powertools` (`<project>/dist/powertools` for `--python`).
    pub out_dir: Option<PathBuf>,
    /// Skip the `verify` checks of each zip before it is moved into place.
    pub no_verify: bool,
    /// `--python PATH`: package one Python project, without a Cargo workspace.
    pub python: Option<StandaloneOptions>,
}

#[derive(Debug)]
pub struct PackageReport {
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
    pub skipped: Vec<SkippedBinary>,
}

/// A zip written to the staging directory, waiting to be moved into place.
struct StagedZip {
    staged: PathBuf,
    artifact: Artifact,
}

/// Packages the selected Lambda functions. Nothing in the output directory changes unless every
/// build and every zip succeeds: zips are staged, then renamed into place, then the manifest is
/// replaced atomically.
pub fn package(options: &PackageOptions, shell: &Shell) -> Result<PackageReport, Error> {
    let workspace = match &options.python {
        Some(standalone) => python_project(standalone)?,
        None => workspace::load(&options.load)?,
    };
    let plan = plan::plan(&workspace, &options.selection)?;
    for skipped in &plan.skipped {
        shell.status(
            "Skipping",
            format!("{} ({}): {}", skipped.name, skipped.package, skipped.reason),
        );
        shell.json_line(&serde_json::json!({ "reason": "skipped", "package": skipped.package, "bin": skipped.name, "why": skipped.reason }));
    }

    // Everything that can be checked without building is checked before the first build starts.
    let time = archive::entry_time(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    let includes = resolve_includes(&plan.groups, &workspace)?;
    for job in &plan.python {
        python::check_own_code(&job.function, &workspace.root)?;
    }
    let tool_versions = preflight(&plan, &workspace)?;

    let out_dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| workspace.target_dir.join("powertools"));
    let output_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Output { path, source }
    };
    std::fs::create_dir_all(&out_dir).map_err(output_err(&out_dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(&out_dir)
        .map_err(output_err(&out_dir))?;

    // Only Rust builds use the target directory: Python-only runs need not wait for its lock.
    let _lock = if plan.groups.is_empty() {
        None
    } else {
        Some(build::lock_target_dir(&workspace.target_dir, |path| {
            shell.status(
                "Blocking",
                format!(
                    "waiting for another packaging run to release {}",
                    path.display()
                ),
            )
        })?)
    };
    let mut staged = Vec::new();
    for group in &plan.groups {
        let binaries = build_group(group, &workspace, options, staging.path(), shell)?;
        for binary in &group.binaries {
            let entries = zip_entries(binary, &binaries[&binary.name], &includes[&binary.name]);
            let artifact = rust_artifact(binary, group, tool_versions[&group.recipe.name].clone());
            staged.push(stage_zip(artifact, entries, staging.path(), time)?);
        }
    }
    for job in &plan.python {
        let entries = build_python(job, &workspace, staging.path(), shell)?;
        let artifact = python_artifact(job, tool_versions[&job.recipe.name].clone());
        staged.push(stage_zip(artifact, entries, staging.path(), time)?);
    }
    if !options.no_verify {
        verify_staged(&staged, shell)?;
    }

    let mut artifacts = Vec::new();
    for zip in staged {
        let dest = out_dir.join(&zip.artifact.path);
        let parent = dest.parent().unwrap_or(&out_dir);
        std::fs::create_dir_all(parent).map_err(output_err(parent))?;
        std::fs::rename(&zip.staged, &dest).map_err(output_err(&dest))?;
        shell.status(
            "Packaged",
            format!("{} ({} bytes)", dest.display(), zip.artifact.size),
        );
        shell.json_line(&serde_json::json!({ "reason": "artifact", "artifact": zip.artifact }));
        artifacts.push(zip.artifact);
    }
    let manifest = Manifest::new(artifacts);
    manifest
        .write_atomically(&out_dir)
        .map_err(output_err(&out_dir.join(manifest::FILE_NAME)))?;
    let manifest_path = out_dir.join(manifest::FILE_NAME);
    shell.status(
        "Finished",
        format!(
            "{} artifact(s), manifest at {}",
            manifest.artifacts.len(),
            manifest_path.display()
        ),
    );
    shell.json_line(
        &serde_json::json!({ "reason": "finished", "success": true, "manifest": manifest_path }),
    );
    Ok(PackageReport {
        manifest_path,
        manifest,
        skipped: plan.skipped,
    })
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
        root,
    })
}

/// Runs one Rust build group and returns where each of its binaries was collected.
fn build_group(
    group: &BuildGroup,
    workspace: &Workspace,
    options: &PackageOptions,
    staging: &Path,
    shell: &Shell,
) -> Result<BTreeMap<String, PathBuf>, Error> {
    let build_target = group.target.build_target();
    let lambda_dir = staging.join("lambda").join(&build_target);
    let dirs = build::BuildDirs {
        lambda_dir: &lambda_dir,
        target_dir: &workspace.target_dir,
    };
    let command = build::build_command(group, &workspace.manifest_path, &dirs, &options.build);
    let names: Vec<&str> = group.binaries.iter().map(|b| b.name.as_str()).collect();
    shell.status(
        "Building",
        format!(
            "{} for {} ({}, recipe {})",
            names.join(", "),
            group.arch,
            build_target,
            group.recipe.name
        ),
    );
    shell.status("Running", &command);
    let progress = shell.child_output(format!("Building {}", group.arch));
    let collect_dir = staging
        .join("bin")
        .join(&group.recipe.name)
        .join(&build_target);
    Ok(build::run_build(
        &command,
        group,
        &dirs,
        &options.build,
        &collect_dir,
        |_, line| progress.line(line),
    )?)
}

/// Installs one Python function's dependencies for its architecture; returns its zip entries.
fn build_python(
    job: &PythonJob,
    workspace: &Workspace,
    staging: &Path,
    shell: &Shell,
) -> Result<Vec<Entry>, Error> {
    let function = &job.function;
    shell.status(
        "Building",
        format!(
            "{} for {} ({}, Python {}, recipe {})",
            function.name,
            job.arch,
            function.platform(job.arch),
            function.python,
            job.recipe.name
        ),
    );
    let progress = shell.child_output(format!("Installing {}", job.arch));
    let work = staging
        .join("python")
        .join(&function.name)
        .join(job.arch.as_str());
    Ok(python::build(
        function,
        job.arch,
        &job.recipe,
        &workspace.root,
        &work,
        |_, line| progress.line(line),
    )?)
}

/// Checks, before anything is built, that each recipe's tools are here and that the toolchain has
/// the standard library of each Rust target; returns each recipe's tool versions (rustc's too).
fn preflight(
    plan: &Plan,
    workspace: &Workspace,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, Error> {
    let uses: Vec<(&RecipeInfo, crate::arch::Arch)> = plan
        .groups
        .iter()
        .map(|g| (&g.recipe.info, g.arch))
        .chain(plan.python.iter().map(|j| (&j.recipe.info, j.arch)))
        .collect();
    let rustc = if plan.groups.is_empty() {
        None
    } else {
        build::rustc_version(&workspace.root)
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
        }
        versions.insert(recipe.name.clone(), tools);
    }
    let mut checked = Vec::new();
    for group in plan.groups.iter().filter(|g| g.recipe.needs_target_std) {
        let triple = group.target.triple();
        if !checked.contains(&triple) {
            build::check_target_std(&workspace.root, &triple, group.arch)?;
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
    for binary in groups.iter().flat_map(|g| &g.binaries) {
        if includes.contains_key(&binary.name) {
            continue;
        }
        let reserved = binary_entry_name(binary);
        let entries = include::resolve(
            &binary.include,
            &binary.package_dir,
            &workspace.root,
            &binary.manifest_path,
            &reserved,
            &include::Secrets::new(&binary.allow_secrets),
        )?;
        includes.insert(binary.name.clone(), entries);
    }
    Ok(includes)
}

/// Where Lambda looks for the binary: `bootstrap` for a function, `extensions/<name>` for an extension.
fn binary_entry_name(binary: &LambdaBinary) -> String {
    match binary.kind {
        Kind::Extension => format!("extensions/{}", binary.name),
        Kind::Function | Kind::Layer => "bootstrap".to_string(),
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
        function: binary.name.clone(),
        kind: binary.kind,
        package: binary.package.clone(),
        arch: group.arch,
        language: "rust".into(),
        target: group.target.build_target(),
        runtime: binary.runtime,
        handler: None,
        excluded: Vec::new(),
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
        runtime: function.runtime,
        handler: function.handler.clone().filter(|_| !function.layer),
        excluded: function.exclude.clone(),
        recipe: job.recipe.name.clone(),
        tools,
        path: format!("{}/{}.zip", job.arch, function.name),
        size: 0,
        unzipped_size: 0,
        sha256: String::new(),
        code_sha256: String::new(),
    }
}

/// Writes `entries` as the zip of `artifact` in the staging directory and fills in its sizes and hashes.
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
    let staged = staging.join("zips").join(&artifact.path);
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

/// Runs `verify`'s checks on every staged zip, as the artifact it is meant to be. Warnings are
/// printed; any error fails the run before anything is moved into the output directory.
fn verify_staged(staged: &[StagedZip], shell: &Shell) -> Result<(), Error> {
    let mut errors = 0;
    for zip in staged {
        for mut finding in verify::check_zip(&zip.staged, &Expectation::of(&zip.artifact)) {
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
