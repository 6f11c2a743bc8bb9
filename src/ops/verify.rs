//! `cargo powertools verify`: static checks of zips and manifests, and with `--invoke`, a real run
//! of each function against a Lambda Runtime API emulator.
use crate::errors::Error;
use crate::invoke::report::{self, Profile, ProfileFile, Report};
use crate::invoke::{Function, InvokeError, InvokeOptions, Session, memory};
use crate::loaders;
use crate::manifest::{self, Artifact};
use crate::message::{Message, Outcome};
use crate::model::{Arch, Kind, Runtime};
use crate::platform;
use crate::process::ProcessGroups;
use crate::shell::Shell;
use crate::verify::{self, Expectation, Finding, Severity};
use crate::workspace::LoadOptions;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Zips and manifests; empty means the workspace's last manifest.
    pub paths: Vec<PathBuf>,
    pub load: LoadOptions,
    /// For bare zips: the architecture they must be for (default: what their bootstrap is).
    pub arch: Option<Arch>,
    /// For bare zips: the runtime whose glibc they must fit.
    pub runtime: Runtime,
    /// For bare zips of Python functions: the handler whose module must be in the zip.
    pub handler: Option<String>,
    pub invoke: bool,
    /// Functions to invoke (by name; for a bare zip, its file name without `.zip`); empty means all.
    pub functions: Vec<String>,
    /// The event to send with `--invoke` (default `{}`).
    pub event: Option<PathBuf>,
    pub timeout: Duration,
    /// Events sent to each function's one process (one cold start, then warm ones).
    pub repeat: usize,
    /// Where to write the figures of each function and architecture (a profile file).
    pub profile_out: Option<PathBuf>,
    /// A profile file to compare with: growth beyond `max_regression` fails.
    pub baseline: Option<PathBuf>,
    /// `0.10` for 10 %.
    pub max_regression: f64,
    /// Succeed even when `--invoke` ran no function (every one skipped).
    pub allow_skipped: bool,
}

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub artifacts: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl VerifyReport {
    /// What the `finished` line says.
    pub fn outcome(&self) -> Outcome {
        Outcome::Verified {
            artifacts: self.artifacts,
            warnings: self.warnings,
        }
    }
}

/// An artifact to check and perhaps invoke.
struct Subject {
    zip: PathBuf,
    function: String,
    /// How messages name it.
    name: String,
    arch: Option<Arch>,
    kind: Option<Kind>,
    runtime: Runtime,
    handler: Option<String>,
    /// The zips of the layers it runs with (from the manifest).
    layers: Vec<PathBuf>,
    /// The environment variables it runs with (from the manifest).
    environment: BTreeMap<String, String>,
}

/// `children`: the run's process groups, through which `--invoke` starts the functions and the
/// emulator, so that an interruption stops them.
pub fn verify(
    options: &VerifyOptions,
    children: &ProcessGroups,
    shell: &Shell,
) -> Result<VerifyReport, Error> {
    if options.invoke {
        platform::require_linux("`verify --invoke`").map_err(InvokeError::from)?;
    }
    let paths = match options.paths.is_empty() {
        true => vec![default_manifest(&options.load)?],
        false => options.paths.clone(),
    };
    let mut report = VerifyReport::default();
    let mut subjects = Vec::new();
    for path in &paths {
        let (findings, found) = if is_manifest(path) {
            let (findings, manifest) = verify::check_manifest(path);
            let artifacts = manifest.map(|m| m.artifacts).unwrap_or_default();
            let count = artifacts.len();
            subjects.extend(manifest_subjects(path, artifacts));
            (findings, count)
        } else {
            let expect = Expectation {
                arch: options.arch,
                kind: None,
                runtime: options.runtime,
                handler: options.handler.clone(),
                provided: Vec::new(),
            };
            let function = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            subjects.push(Subject {
                zip: path.clone(),
                function,
                name: path.display().to_string(),
                arch: options.arch,
                kind: None,
                runtime: options.runtime,
                handler: options.handler.clone(),
                layers: Vec::new(),
                environment: BTreeMap::new(),
            });
            (verify::check_zip(path, &expect), 1)
        };
        report.artifacts += found;
        tally(&findings, &mut report, shell);
    }
    shell.status(
        "Verified",
        format!(
            "{} artifact(s): {} error(s), {} warning(s)",
            report.artifacts, report.errors, report.warnings
        ),
    );
    if report.errors > 0 {
        return Err(Error::Unverified {
            errors: report.errors,
            artifacts: report.artifacts,
        });
    }
    if options.invoke {
        invoke_all(&subjects, options, children, shell)?;
    }
    Ok(report)
}

fn is_manifest(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "json")
}

fn default_manifest(load: &LoadOptions) -> Result<PathBuf, Error> {
    let workspace = loaders::load(load)?;
    let path = workspace
        .target_dir
        .join("powertools")
        .join(manifest::FILE_NAME);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::NoManifest { path })
    }
}

fn manifest_subjects(path: &Path, artifacts: Vec<Artifact>) -> Vec<Subject> {
    let dir = path.parent().unwrap_or(Path::new("."));
    // A function's layers are the layer artifacts of its architecture with those names.
    let layer_zip = |name: &String, arch: Arch| {
        artifacts
            .iter()
            .find(|l| l.kind == Kind::Layer && l.function == *name && l.arch == arch)
            .map(|l| dir.join(&l.path))
    };
    artifacts
        .iter()
        .map(|a| Subject {
            zip: dir.join(&a.path),
            function: a.function.clone(),
            name: a.path.clone(),
            arch: Some(a.arch),
            kind: Some(a.kind),
            runtime: a.runtime,
            handler: a.handler.clone(),
            layers: a
                .layers
                .iter()
                .filter_map(|n| layer_zip(n, a.arch))
                .collect(),
            environment: a.environment.clone(),
        })
        .collect()
}

fn tally(findings: &[Finding], report: &mut VerifyReport, shell: &Shell) {
    for finding in findings {
        match finding.severity {
            Severity::Error => report.errors += 1,
            Severity::Warning => report.warnings += 1,
        }
        shell.finding(finding);
    }
}

fn invoke_all(
    subjects: &[Subject],
    options: &VerifyOptions,
    groups: &ProcessGroups,
    shell: &Shell,
) -> Result<(), Error> {
    let event = match &options.event {
        Some(path) => read_event(path)?,
        None => b"{}".to_vec(),
    };
    check_selected_functions(subjects, &options.functions)?;
    // Read before anything runs, so that a bad baseline fails at once.
    let baseline = options
        .baseline
        .as_deref()
        .map(read_profile_file)
        .transpose()?;
    let profiles = invoke_selected(subjects, &event, options, groups, shell)?;
    if profiles.is_empty() && !options.allow_skipped {
        return Err(Error::NothingInvoked);
    }
    if let Some(path) = &options.profile_out {
        write_profile_file(path, &ProfileFile::new(profiles.clone()))?;
        shell.status(
            "Wrote",
            format!(
                "the profile of {} function(s) to {}",
                profiles.len(),
                path.display()
            ),
        );
    }
    if let (Some(baseline), Some(path)) = (&baseline, &options.baseline) {
        let rows = report::compare(baseline, &profiles, options.max_regression);
        shell.status("Compared", format!("with the baseline {}", path.display()));
        shell.block(&report::table(&rows, options.max_regression));
        let regressed = rows.iter().filter(|r| r.regressed).count();
        shell.emit(&Message::Baseline {
            baseline: path,
            max_regression: options.max_regression,
            comparisons: &rows,
            regressed,
        });
        if regressed > 0 {
            return Err(InvokeError::Regressed {
                regressed,
                max_regression_percent: options.max_regression * 100.0,
                baseline: path.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// Lambda's limit for a synchronous invocation's payload.
const EVENT_LIMIT: u64 = 6 * 1024 * 1024;

/// The `--event` file, checked as Lambda would: JSON, at most [`EVENT_LIMIT`] bytes.
fn read_event(path: &Path) -> Result<Vec<u8>, Error> {
    let read_err = |source| Error::ReadEvent {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > EVENT_LIMIT {
        return Err(Error::EventTooLarge {
            path: path.to_path_buf(),
            size,
        });
    }
    let event = std::fs::read(path).map_err(read_err)?;
    if let Err(err) = serde_json::from_slice::<serde_json::Value>(&event) {
        return Err(Error::BadEvent {
            path: path.to_path_buf(),
            message: err.to_string(),
        });
    }
    Ok(event)
}

/// Every `--function` must name a function among the artifacts, so that a typo invokes nothing
/// silently never.
fn check_selected_functions(subjects: &[Subject], selected: &[String]) -> Result<(), Error> {
    for name in selected {
        if !subjects.iter().any(|s| &s.function == name) {
            let mut known: Vec<String> = subjects.iter().map(|s| s.function.clone()).collect();
            known.sort();
            known.dedup();
            return Err(Error::UnknownFunction {
                name: name.clone(),
                known,
            });
        }
    }
    Ok(())
}

/// Invokes every selected function in turn; the profiles of those that ran.
fn invoke_selected(
    subjects: &[Subject],
    event: &[u8],
    options: &VerifyOptions,
    groups: &ProcessGroups,
    shell: &Shell,
) -> Result<Vec<Profile>, Error> {
    let selected = subjects
        .iter()
        .filter(|s| options.functions.is_empty() || options.functions.contains(&s.function));
    let mut at_rest: HashMap<Arch, Option<u64>> = HashMap::new();
    let mut profiles = Vec::new();
    for subject in selected {
        if subject.kind == Some(Kind::Extension) {
            shell.status(
                "Skipping",
                format!(
                    "{}: an extension runs beside a function, it cannot be invoked alone",
                    subject.name
                ),
            );
            continue;
        }
        let arch = if subject.runtime.is_python() {
            subject.arch.unwrap_or_else(Arch::host)
        } else {
            match subject.arch.or_else(|| bootstrap_arch(&subject.zip)) {
                Some(arch) => arch,
                None => {
                    shell.status(
                        "Skipping",
                        format!("{}: no ELF bootstrap to run", subject.name),
                    );
                    continue;
                }
            }
        };
        let function = Function {
            name: subject.name.clone(),
            zip: subject.zip.clone(),
            arch,
            runtime: subject.runtime,
            handler: subject.handler.clone(),
            layers: subject.layers.clone(),
            environment: subject.environment.clone(),
        };
        if let Some(profile) = invoke_one(
            &function,
            &subject.function,
            event,
            options,
            groups,
            &mut at_rest,
            shell,
        )? {
            profiles.push(profile);
        }
    }
    Ok(profiles)
}

/// Starts one function, sends it the event `options.repeat` times, prints a REPORT for each and
/// returns its profile; `None` when it cannot run here (a skip, said why).
fn invoke_one(
    function: &Function,
    function_name: &str,
    event: &[u8],
    options: &VerifyOptions,
    groups: &ProcessGroups,
    at_rest: &mut HashMap<Arch, Option<u64>>,
    shell: &Shell,
) -> Result<Option<Profile>, Error> {
    shell.status(
        "Invoking",
        format!(
            "{} ({}, {})",
            function.name, function.arch, function.runtime
        ),
    );
    let invoke_options = InvokeOptions {
        timeout: options.timeout,
        ..InvokeOptions::default()
    };
    let mut session = match Session::start(function, &invoke_options, groups) {
        Ok(session) => session,
        Err(skip @ (InvokeError::NoInterpreter { .. } | InvokeError::ForeignPython { .. })) => {
            shell.status("Skipping", skip.to_string());
            if let Some(help) = skip.help() {
                shell.status("", format!("({help})"));
            }
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    let emulated = session.emulator().is_some();
    let rest_kib = match session.emulator() {
        Some(emulator) => *at_rest
            .entry(function.arch)
            .or_insert_with(|| memory::emulator_at_rest_kib(emulator, function.arch)),
        None => None,
    };
    let mut reports = Vec::new();
    for _ in 0..options.repeat.max(1) {
        let invoked = session.invoke(event)?;
        let report = Report::new(
            function_name,
            function.arch,
            function.runtime,
            invoke_options.memory_mb,
            rest_kib,
            emulated,
            &invoked,
        );
        if reports.is_empty() && invoked.failure.is_none() {
            let millis = (invoked.init_duration.unwrap_or_default() + invoked.duration).as_millis();
            shell.status(
                "Answered",
                format!(
                    "{} in {millis} ms ({}): {}",
                    function.name,
                    session.runner(),
                    invoked.response
                ),
            );
        }
        shell.status("REPORT", report.line().trim_start_matches("REPORT "));
        shell.emit(&Message::Invocation {
            report: &report,
            response: &invoked.response,
        });
        reports.push(report);
        if let Some(failure) = invoked.failure {
            return Err(InvokeError::FunctionError {
                function: function.name.clone(),
                failure: Box::new(failure),
                output: session.output(),
            }
            .into());
        }
    }
    let profile = Profile::of(&reports).expect("at least one invocation");
    if reports.len() > 1 {
        shell.status(
            "Profile",
            format!("{}: {}", function.name, profile.summary()),
        );
        shell.emit(&Message::Profile { profile: &profile });
    }
    Ok(Some(profile))
}

fn read_profile_file(path: &Path) -> Result<ProfileFile, Error> {
    let bad = |why: String| InvokeError::ProfileFile {
        path: path.to_path_buf(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let file: ProfileFile = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if file.version != report::PROFILE_FORMAT_VERSION {
        return Err(bad(format!(
            "its version is {}, this cargo-powertools reads version {}",
            file.version,
            report::PROFILE_FORMAT_VERSION
        ))
        .into());
    }
    Ok(file)
}

/// Writes through a temporary file and a rename: a reader sees the old file or the new one.
fn write_profile_file(path: &Path, file: &ProfileFile) -> Result<(), Error> {
    let output = |source: std::io::Error| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".profile-")
        .tempfile_in(dir)
        .map_err(output)?;
    serde_json::to_writer_pretty(&mut temporary, file).map_err(|e| output(e.into()))?;
    temporary.write_all(b"\n").map_err(output)?;
    temporary.persist(path).map_err(|e| output(e.error))?;
    Ok(())
}

/// The architecture of a bare zip's `bootstrap`, read from its ELF header.
fn bootstrap_arch(zip: &Path) -> Option<Arch> {
    verify::entry_elf(zip, "bootstrap")?.arch
}
