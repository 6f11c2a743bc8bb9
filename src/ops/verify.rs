//! `cargo powertools verify`: static checks of zips and manifests, and with `--invoke`, a real run
//! of each function against a Lambda Runtime API emulator.
use crate::arch::{Arch, Runtime};
use crate::config::Kind;
use crate::errors::Error;
use crate::invoke::{self, Invocation, ProcessGroups};
use crate::manifest::{self, Artifact};
use crate::shell::Shell;
use crate::verify::{self, Expectation, Finding, Severity};
use crate::workspace::{self, LoadOptions};
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
}

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub artifacts: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// An artifact to check and perhaps invoke.
struct Subject {
    zip: PathBuf,
    function: String,
    /// How messages name it.
    name: String,
    arch: Option<Arch>,
    kind: Option<Kind>,
    python: bool,
}

pub fn verify(options: &VerifyOptions, shell: &Shell) -> Result<VerifyReport, Error> {
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
                python: options.runtime.is_python(),
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
        invoke_all(&subjects, options, shell)?;
    }
    shell.json_line(&serde_json::json!({ "reason": "finished", "success": true, "artifacts": report.artifacts, "warnings": report.warnings }));
    Ok(report)
}

fn is_manifest(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "json")
}

fn default_manifest(load: &LoadOptions) -> Result<PathBuf, Error> {
    let workspace = workspace::load(load)?;
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
    artifacts
        .into_iter()
        .map(|a| Subject {
            zip: dir.join(&a.path),
            function: a.function,
            name: a.path,
            arch: Some(a.arch),
            kind: Some(a.kind),
            python: a.runtime.is_python(),
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

fn invoke_all(subjects: &[Subject], options: &VerifyOptions, shell: &Shell) -> Result<(), Error> {
    let event = match &options.event {
        Some(path) => std::fs::read(path).map_err(|source| Error::ReadEvent {
            path: path.clone(),
            source,
        })?,
        None => b"{}".to_vec(),
    };
    let groups = ProcessGroups::default();
    groups.stop_on_interrupt()?;
    let selected = subjects
        .iter()
        .filter(|s| options.functions.is_empty() || options.functions.contains(&s.function));
    for subject in selected {
        if subject.python {
            shell.status("Skipping", format!("{}: `--invoke` runs OS-only (Rust) functions; a Python one needs its Lambda runtime image", subject.name));
            continue;
        }
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
        let arch = match subject.arch.or_else(|| bootstrap_arch(&subject.zip)) {
            Some(arch) => arch,
            None => {
                shell.status(
                    "Skipping",
                    format!("{}: no ELF bootstrap to run", subject.name),
                );
                continue;
            }
        };
        shell.status("Invoking", format!("{} ({arch})", subject.name));
        let invocation = Invocation {
            name: subject.name.clone(),
            zip: &subject.zip,
            arch,
            event: &event,
            timeout: options.timeout,
        };
        let answer = invoke::invoke(&invocation, &groups)?;
        let millis = answer.first_response.as_millis();
        shell.status(
            "Answered",
            format!(
                "{} in {millis} ms ({}): {}",
                subject.name, answer.runner, answer.response
            ),
        );
        shell.json_line(&serde_json::json!({
            "reason": "invocation", "artifact": subject.name, "arch": arch,
            "response": answer.response, "first_response_ms": millis,
        }));
    }
    Ok(())
}

/// The architecture of a bare zip's `bootstrap`, read from its ELF header.
fn bootstrap_arch(zip: &Path) -> Option<Arch> {
    verify::entry_elf(zip, "bootstrap")?.arch
}
