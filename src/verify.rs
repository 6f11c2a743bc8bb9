//! Static checks that an artifact will start on Lambda: the failures users otherwise meet only
//! after deploying (`exec format error`, `GLIBC_2.xx not found`, `permission denied`, size limits).
use crate::arch::{Arch, Runtime};
use crate::archive;
use crate::config::Kind;
use crate::elf;
use crate::manifest::{self, Manifest};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Lambda's limit for a zip uploaded directly (not through S3): 50 MB.
pub const DIRECT_UPLOAD_LIMIT: u64 = 52_428_800;
/// Lambda's limit for a function's unzipped code, layers included: 250 MB.
pub const UNZIPPED_LIMIT: u64 = 262_144_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One failed check: what is wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub file: PathBuf,
    /// The zip entry concerned, if the problem is in one.
    pub entry: Option<String>,
    pub problem: String,
    pub fix: String,
}

/// What an artifact is meant to be; `None` fields are inferred from the zip itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    pub arch: Option<Arch>,
    pub kind: Option<Kind>,
    pub runtime: Runtime,
    /// A Python function's `module.function`: its module must be in the zip.
    pub handler: Option<String>,
}

impl Expectation {
    /// What a manifest entry says its zip is.
    pub fn of(artifact: &manifest::Artifact) -> Expectation {
        Expectation {
            arch: Some(artifact.arch),
            kind: Some(artifact.kind),
            runtime: artifact.runtime,
            handler: artifact.handler.clone(),
        }
    }
}

/// Collects findings about one file.
struct Report<'a> {
    file: &'a Path,
    findings: Vec<Finding>,
}

impl Report<'_> {
    fn add(
        &mut self,
        severity: Severity,
        entry: Option<&str>,
        problem: String,
        fix: impl Into<String>,
    ) {
        self.findings.push(Finding {
            severity,
            file: self.file.to_path_buf(),
            entry: entry.map(String::from),
            problem,
            fix: fix.into(),
        });
    }

    fn error(&mut self, entry: Option<&str>, problem: String, fix: impl Into<String>) {
        self.add(Severity::Error, entry, problem, fix);
    }
}

/// One entry of the zip, as far as the checks need it.
struct EntryInfo {
    name: String,
    mode: Option<u32>,
    made_by_unix: bool,
    elf: Option<elf::ElfInfo>,
}

impl EntryInfo {
    fn executable(&self) -> bool {
        self.mode.is_some_and(|mode| mode & 0o111 != 0)
    }
}

/// Checks one zip against what it is meant to be.
pub fn check_zip(path: &Path, expect: &Expectation) -> Vec<Finding> {
    let mut report = Report {
        file: path,
        findings: Vec::new(),
    };
    let archive = std::fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|file| zip::ZipArchive::new(file).map_err(|e| e.to_string()));
    let mut archive = match archive {
        Ok(archive) => archive,
        Err(err) => {
            report.error(
                None,
                format!("not a readable zip: {err}"),
                "package it again with `cargo powertools package`",
            );
            return report.findings;
        }
    };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > DIRECT_UPLOAD_LIMIT {
        report.add(
            Severity::Warning,
            None,
            format!("the zip is {size} bytes, over the 52,428,800-byte (50 MB) limit for uploading a zip directly to Lambda"),
            "deploy it through S3 (SAM, CDK and Terraform's s3_bucket do), or make it smaller",
        );
    }
    let entries = read_entries(&mut archive, &mut report);
    let unzipped: u64 = (0..archive.len())
        .filter_map(|i| archive.by_index_raw(i).ok().map(|f| f.size()))
        .sum();
    if unzipped > UNZIPPED_LIMIT {
        report.error(
            None,
            format!("the zip unzips to {unzipped} bytes, over Lambda's 262,144,000-byte (250 MB) limit for unzipped code"),
            "shrink the binary (strip, opt-level = \"z\", lto), drop large files, or use a container image",
        );
    }
    check_layout(&entries, expect, &mut report);
    check_elves(&entries, expect, &mut report);
    report.findings
}

/// Reads each entry's name, mode and ELF facts, reporting unsafe names and unsupported compression.
fn read_entries<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    report: &mut Report,
) -> Vec<EntryInfo> {
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = match archive.by_index(index) {
            Ok(file) => file,
            Err(err) => {
                report.error(
                    None,
                    format!("entry {index} cannot be read: {err}"),
                    "package it again with `cargo powertools package`",
                );
                continue;
            }
        };
        let name = String::from_utf8_lossy(file.name_raw()).into_owned();
        if name.starts_with('/')
            || name.contains('\\')
            || Path::new(&name)
                .components()
                .any(|c| c == Component::ParentDir)
        {
            report.error(
                Some(&name),
                "the entry's name is absolute or climbs out of the zip with `..`".into(),
                "zip paths must be relative and stay inside the zip: re-zip it with `cargo powertools package`",
            );
        }
        if !seen.insert(name.clone()) {
            report.error(
                Some(&name),
                "the name appears twice in the zip".into(),
                "zip every file once: re-zip it with `cargo powertools package`",
            );
        }
        let method = file.compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            report.error(
                Some(&name),
                format!(
                    "compressed with {method:?}; Lambda unpacks only stored and deflated entries"
                ),
                "re-zip it with deflate (`cargo powertools package` does)",
            );
            continue;
        }
        if file.is_dir() {
            continue;
        }
        let mut head = [0u8; 4];
        let read = read_up_to(&mut file, &mut head);
        let elf = if elf::is_elf(&head[..read]) {
            let mut bytes = head[..read].to_vec();
            let _ = file.read_to_end(&mut bytes);
            elf::inspect(&bytes)
        } else {
            None
        };
        let made_by_unix = file.system() == zip::System::Unix;
        entries.push(EntryInfo {
            name,
            mode: file.unix_mode(),
            made_by_unix,
            elf,
        });
    }
    entries
}

fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}

/// A Python layer has everything under `python/`; a Python function has its handler's module.
fn check_python_layout(entries: &[EntryInfo], expect: &Expectation, report: &mut Report) {
    if expect.kind == Some(Kind::Layer) {
        if let Some(stray) = entries.iter().find(|e| !e.name.starts_with("python/")) {
            report.error(
                Some(&stray.name),
                "a Python layer's files belong under `python/`: Lambda adds /opt/python to the import path, not /opt".into(),
                "zip the layer with everything under `python/` (`layer = true` does)",
            );
        }
        return;
    }
    let Some(handler) = &expect.handler else {
        return;
    };
    let module = handler
        .rsplit_once('.')
        .map_or(handler.as_str(), |(module, _)| module)
        .replace('.', "/");
    let candidates = [format!("{module}.py"), format!("{module}/__init__.py")];
    if !entries.iter().any(|e| candidates.contains(&e.name)) {
        report.error(
            None,
            format!(
                "no `{}` for the handler `{handler}`: Lambda fails with Runtime.ImportModuleError",
                candidates[0]
            ),
            "put the handler's module at the root of the zip, or fix `handler` (module.function)",
        );
    }
}

/// `bootstrap` (function) or `extensions/*` (extension) present, executable and made by Unix.
fn check_layout(entries: &[EntryInfo], expect: &Expectation, report: &mut Report) {
    if expect.runtime.is_python() || expect.kind == Some(Kind::Layer) {
        return check_python_layout(entries, expect, report);
    }
    let bootstrap = entries.iter().find(|e| e.name == "bootstrap");
    let extensions: Vec<&EntryInfo> = entries
        .iter()
        .filter(|e| e.name.starts_with("extensions/"))
        .collect();
    let kind = expect
        .kind
        .unwrap_or(if bootstrap.is_some() || extensions.is_empty() {
            Kind::Function
        } else {
            Kind::Extension
        });
    let executables: Vec<&EntryInfo> = match kind {
        Kind::Function => match bootstrap {
            Some(entry) => vec![entry],
            None => {
                report.error(
                    None,
                    "no `bootstrap` at the root of the zip: an OS-only runtime (provided.al2023, provided.al2) starts nothing else".into(),
                    "name the function's executable `bootstrap` and put it at the root of the zip (`cargo powertools package` does)",
                );
                return;
            }
        },
        Kind::Extension | Kind::Layer => {
            if extensions.is_empty() {
                report.error(
                    None,
                    "no file under `extensions/`: Lambda starts extensions from /opt/extensions/".into(),
                    "put the extension's executable at `extensions/<name>` in the zip (`cargo powertools package` does)",
                );
            }
            extensions
        }
    };
    for entry in executables {
        if !entry.made_by_unix {
            report.error(
                Some(&entry.name),
                "the zip entry was not made on Unix, so it carries no Unix mode and Lambda cannot execute it (permission denied)".into(),
                "zip it on Linux or macOS, or with `cargo powertools package`, which stores mode 0755",
            );
        } else if !entry.executable() {
            report.error(
                Some(&entry.name),
                format!(
                    "not executable (mode {:o}): Lambda fails with `permission denied` / Runtime.InvalidEntrypoint",
                    entry.mode.unwrap_or(0) & 0o7777
                ),
                "`chmod 755` it before zipping, or package with `cargo powertools package`, which stores mode 0755",
            );
        }
    }
}

/// Every ELF file is for the artifact's architecture and needs no newer glibc than the runtime has.
fn check_elves(entries: &[EntryInfo], expect: &Expectation, report: &mut Report) {
    let main = entries
        .iter()
        .find(|e| e.name == "bootstrap")
        .or_else(|| entries.iter().find(|e| e.name.starts_with("extensions/")));
    let Some(arch) = expect
        .arch
        .or_else(|| main.and_then(|e| e.elf.as_ref()).and_then(|elf| elf.arch))
    else {
        return;
    };
    let (glibc_major, glibc_minor) = expect.runtime.glibc();
    for entry in entries {
        let Some(info) = &entry.elf else { continue };
        if info.arch != Some(arch) {
            let other = info
                .arch
                .map_or_else(|| info.machine.clone(), |a| a.to_string());
            report.error(
                Some(&entry.name),
                format!("an ELF for {} but the artifact is for {arch}: Lambda fails with `exec format error`", info.machine),
                format!("build it for {arch} (`cargo powertools package --arch {arch}`), or deploy the function with Architectures = [\"{other}\"]"),
            );
        }
        if let Some((major, minor)) = info
            .newest_glibc
            .filter(|&needed| needed > (glibc_major, glibc_minor))
        {
            report.error(
                Some(&entry.name),
                format!(
                    "needs GLIBC_{major}.{minor} but {} has glibc {glibc_major}.{glibc_minor}: it fails with \"version `GLIBC_{major}.{minor}' not found\"",
                    expect.runtime
                ),
                "deploy on provided.al2023 (glibc 2.34), build with a glibc-pinned target (`runtime = \"provided.al2\"` builds `<triple>.2.26`), or build for musl (`<arch>-unknown-linux-musl`)",
            );
        }
    }
}

/// Checks a manifest: each artifact's file exists with the recorded size and hashes, and passes
/// [`check_zip`] as the architecture, kind and runtime the manifest records. Returns the findings
/// and the manifest, when it could be read.
pub fn check_manifest(path: &Path) -> (Vec<Finding>, Option<Manifest>) {
    let mut report = Report {
        file: path,
        findings: Vec::new(),
    };
    let manifest: Manifest = match std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
    {
        Ok(manifest) => manifest,
        Err(err) => {
            report.error(
                None,
                format!("not a readable cargo-powertools manifest: {err}"),
                "run `cargo powertools package` to write it again",
            );
            return (report.findings, None);
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    for artifact in &manifest.artifacts {
        let zip = dir.join(&artifact.path);
        let Ok(sha256) = archive::sha256_file(&zip) else {
            report.error(
                None,
                format!("lists {} but that file cannot be read", artifact.path),
                "run `cargo powertools package` again",
            );
            continue;
        };
        let size = std::fs::metadata(&zip).map(|m| m.len()).unwrap_or(0);
        let recorded = [
            ("size", artifact.size.to_string(), size.to_string()),
            ("sha256", artifact.sha256.clone(), manifest::hex(&sha256)),
            (
                "code_sha256",
                artifact.code_sha256.clone(),
                manifest::base64(&sha256),
            ),
        ];
        for (field, listed, actual) in recorded {
            if listed != actual {
                report.error(
                    None,
                    format!("`{field}` of {} is {listed} in the manifest but {actual} for the file", artifact.path),
                    "the zip or the manifest changed after packaging: run `cargo powertools package` again rather than editing either",
                );
            }
        }
        report
            .findings
            .extend(check_zip(&zip, &Expectation::of(artifact)));
    }
    (report.findings, Some(manifest))
}
