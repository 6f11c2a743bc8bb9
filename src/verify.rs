//! Static checks that an artifact will start on Lambda: the failures users otherwise meet only
//! after deploying (`exec format error`, `GLIBC_2.xx not found`, `permission denied`, size limits).
use crate::archive;
use crate::elf;
use crate::manifest::{self, Manifest};
use crate::model::{Arch, Kind, PythonVersion, Runtime};
use crate::python::wheels::PlatformWheel;
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

impl crate::shell::Diagnostic for Finding {
    fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn headline(&self) -> String {
        let entry = self
            .entry
            .as_deref()
            .map(|e| format!("{e}: "))
            .unwrap_or_default();
        format!("{}: {entry}{}", self.file.display(), self.problem)
    }

    fn help(&self) -> String {
        self.fix.clone()
    }
}

/// What an artifact is meant to be; `None` fields are inferred from the zip itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    pub arch: Option<Arch>,
    pub kind: Option<Kind>,
    pub runtime: Runtime,
    /// A Python function's `module.function`: its module must be in the zip.
    pub handler: Option<String>,
    /// Python distributions the runtime or a layer provides (the manifest's `excluded`).
    pub provided: Vec<String>,
}

impl Expectation {
    /// What a manifest entry says its zip is.
    pub fn of(artifact: &manifest::Artifact) -> Expectation {
        Expectation {
            arch: Some(artifact.arch),
            kind: Some(artifact.kind),
            runtime: artifact.runtime,
            handler: artifact.handler.clone(),
            provided: artifact.excluded.clone(),
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

/// Bytes read from an entry at a time: what verify holds of an entry's data, whatever its size
/// (an ELF file's headers are kept too, within [`elf::RANGE_LIMIT`] per range).
const CHUNK: usize = 64 * 1024;

const REZIP: &str = "re-zip it with `cargo powertools package`";

/// Checks one zip against what it is meant to be. The zip is read as a stream, entry by entry,
/// and trusted in nothing: names, sizes and CRCs are checked against the data as it inflates.
pub fn check_zip(path: &Path, expect: &Expectation) -> Vec<Finding> {
    let mut report = Report {
        file: path,
        findings: Vec::new(),
    };
    let archive = std::fs::File::open(path)
        .map_err(|e| format!("not a readable zip: {e}"))
        .and_then(|file| zip::ZipArchive::new(file).map_err(|e| unreadable_zip(&e)));
    let mut archive = match archive {
        Ok(archive) => archive,
        Err(problem) => {
            report.error(
                None,
                problem,
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
    if archive.has_duplicate_names() {
        report_duplicates(path, &archive, &mut report);
    }
    if archive.has_overlapping_files().unwrap_or(false) {
        report.error(
            None,
            "entries overlap each other or the central directory: the shape of a zip bomb (many entries inflating the same data), or a corrupt zip".into(),
            format!("zip every file once: {REZIP}"),
        );
    }
    let (entries, unzipped) = read_entries(&mut archive, &mut report);
    if unzipped == STOPPED {
        report.error(
            None,
            "the zip unzips to more than Lambda's 262,144,000-byte (250 MB) limit for unzipped code (reading stopped there)".into(),
            "shrink the binary (strip, opt-level = \"z\", lto), drop large files, or use a container image",
        );
    } else if unzipped > UNZIPPED_LIMIT {
        report.error(
            None,
            format!("the zip unzips to {unzipped} bytes, over Lambda's 262,144,000-byte (250 MB) limit for unzipped code"),
            "shrink the binary (strip, opt-level = \"z\", lto), drop large files, or use a container image",
        );
    }
    check_layout(&entries, expect, &mut report);
    let wheels = if expect.runtime.is_python() || expect.kind == Some(Kind::Layer) {
        crate::python::wheels::platform_wheels(path).unwrap_or_default()
    } else {
        Vec::new()
    };
    check_wheel_arches(&wheels, expect, &mut report);
    check_elves(&entries, expect, &wheels, &mut report);
    if let Runtime::Python(python) = expect.runtime {
        check_python_closure(path, python, expect, &mut report);
    }
    report.findings
}

/// Every installed distribution's requirements are in the zip (see [`crate::python::closure`]).
fn check_python_closure(
    path: &Path,
    python: PythonVersion,
    expect: &Expectation,
    report: &mut Report,
) {
    let gaps = |arch| crate::python::closure::check_zip(path, &expect.provided, python, arch);
    let gaps = match expect.arch {
        Some(arch) => gaps(arch),
        // Without an architecture, what is missing for both.
        None => gaps(Arch::X86_64).and_then(|x86| {
            let arm = gaps(Arch::Arm64)?;
            Ok(x86.into_iter().filter(|g| arm.contains(g)).collect())
        }),
    };
    for gap in gaps.unwrap_or_default() {
        report.error(
            None,
            format!("{gap}: Lambda fails with Runtime.ImportModuleError when it is imported"),
            "package it again from a complete lock (`cargo powertools package` checks the closure), or add the missing distribution",
        );
    }
}

/// Why a file could not be opened as a zip, in words that point at the likely cause.
fn unreadable_zip(err: &zip::result::ZipError) -> String {
    match err.to_string() {
        text if text.contains("EOCD") => {
            "not a zip, or a truncated one: it has no end-of-central-directory record".into()
        }
        text => format!("not a readable zip (truncated or corrupt): {text}"),
    }
}

/// What the zip crate says differs between a local header and the central directory, shortly.
fn header_mismatch(err: &zip::result::ZipError) -> String {
    let text = err.to_string();
    let what = text
        .rsplit_once("detected: ")
        .map_or(text.as_str(), |(_, what)| what)
        .trim_end_matches(" (does not match central directory)");
    let mut chars = what.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// How a name is shown: as it is when it is UTF-8, with `\xNN` for each byte that is not.
fn display_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(name) => name.to_string(),
        Err(_) => raw.utf8_chunks().fold(String::new(), |mut out, chunk| {
            out.push_str(chunk.valid());
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
            out
        }),
    }
}

/// The zip crate keeps one entry per name, so a name given twice hides an entry from every
/// reader but one: read the names from the central directory itself to say which.
fn report_duplicates(path: &Path, archive: &zip::ZipArchive<std::fs::File>, report: &mut Report) {
    let names = std::fs::File::open(path)
        .ok()
        .and_then(|file| {
            let start = archive.central_directory_start();
            central_directory_names(file, start).or_else(|| {
                central_directory_names(std::fs::File::open(path).ok()?, start + archive.offset())
            })
        })
        .unwrap_or_default();
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    for name in names {
        if !seen.insert(name.clone()) && reported.insert(name.clone()) {
            report.error(
                Some(&display_name(&name)),
                "the name appears twice in the zip: unzip tools keep one of the two, and which one differs".into(),
                format!("zip every file once: {REZIP}"),
            );
        }
    }
    if reported.is_empty() {
        report.error(
            None,
            "two entries have the same name".into(),
            format!("zip every file once: {REZIP}"),
        );
    }
}

/// Every name in the central directory starting at `start`, in order, duplicates included;
/// `None` when there is no central directory there.
fn central_directory_names(file: std::fs::File, start: u64) -> Option<Vec<Vec<u8>>> {
    use std::io::{BufReader, Seek, SeekFrom};
    const SIGNATURE: [u8; 4] = *b"PK\x01\x02";
    let mut reader = BufReader::new(file);
    reader.seek(SeekFrom::Start(start)).ok()?;
    let mut names = Vec::new();
    let mut header = [0u8; 46];
    while reader.read_exact(&mut header).is_ok() && header[..4] == SIGNATURE {
        let field = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
        let (name_len, extra_len, comment_len) = (field(28), field(30), field(32));
        let mut name = vec![0u8; usize::from(name_len)];
        reader.read_exact(&mut name).ok()?;
        reader
            .seek_relative(i64::from(extra_len) + i64::from(comment_len))
            .ok()?;
        names.push(name);
    }
    (!names.is_empty()).then_some(names)
}

/// What [`read_entries`] returns as the unzipped size when it stopped reading at Lambda's limit:
/// inflating further would only spend time on a zip that is refused anyway.
const STOPPED: u64 = u64::MAX;

/// What reading an entry's data found wrong.
enum DataError {
    /// The zip's running total passed [`UNZIPPED_LIMIT`] inside this entry.
    OverLimit,
    Read(std::io::Error),
    TooLong {
        declared: u64,
    },
    TooShort {
        declared: u64,
        actual: u64,
    },
    Crc {
        declared: u32,
        actual: u32,
    },
}

impl DataError {
    fn problem(&self) -> String {
        match self {
            DataError::OverLimit => String::new(),
            DataError::Read(err) => {
                format!("the entry's data cannot be read (truncated or corrupt): {err}")
            }
            DataError::TooLong { declared } => format!(
                "inflates to more than the {declared} bytes its header records: a zip bomb, or a corrupt zip"
            ),
            DataError::TooShort { declared, actual } => format!(
                "inflates to {actual} bytes but its header records {declared}: a corrupt or tampered zip"
            ),
            DataError::Crc { declared, actual } => format!(
                "its data has CRC-32 {actual:08x} but its header records {declared:08x}: a corrupt or tampered zip"
            ),
        }
    }
}

/// An entry's data, inflated as it is read. The compressed bytes are bounded by the central
/// directory's compressed size; the inflated ones are counted by the caller, not trusted.
fn open_data<'a>(
    archive: &'a mut zip::ZipArchive<std::fs::File>,
    index: usize,
    method: zip::CompressionMethod,
) -> Result<Box<dyn Read + 'a>, DataError> {
    let raw = archive
        .by_index_raw(index)
        .map_err(|e| DataError::Read(std::io::Error::other(e)))?;
    Ok(match method {
        zip::CompressionMethod::Deflated => Box::new(flate2::read::DeflateDecoder::new(raw)),
        _ => Box::new(raw),
    })
}

/// Streams one entry's data in [`CHUNK`]s: checks its size and CRC-32 against the header and reads
/// its ELF facts, in bounded memory. Returns the inflated size and the ELF facts, if it is one.
fn stream_entry(
    archive: &mut zip::ZipArchive<std::fs::File>,
    index: usize,
    method: zip::CompressionMethod,
    declared: u64,
    declared_crc: u32,
    budget: u64,
) -> Result<(u64, Option<elf::ElfInfo>), DataError> {
    let mut buffer = vec![0u8; CHUNK];
    let mut reader = open_data(archive, index, method)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut scan = Some(elf::ElfScan::default());
    let mut total: u64 = 0;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(DataError::Read(err)),
        };
        total += read as u64;
        if total > declared {
            return Err(DataError::TooLong { declared });
        }
        if total > budget {
            return Err(DataError::OverLimit);
        }
        let chunk = &buffer[..read];
        hasher.update(chunk);
        if let Some(elf) = &mut scan {
            elf.feed(chunk);
            if elf.is_not_elf() {
                scan = None;
            }
        }
    }
    if total < declared {
        return Err(DataError::TooShort {
            declared,
            actual: total,
        });
    }
    let actual = hasher.finalize();
    if actual != declared_crc {
        return Err(DataError::Crc {
            declared: declared_crc,
            actual,
        });
    }
    drop(reader);
    let Some(mut scan) = scan else {
        return Ok((total, None));
    };
    loop {
        match scan.finish() {
            elf::Scanned::Done(info) => return Ok((total, info)),
            elf::Scanned::AnotherPass => {
                // The data checked out above, so this pass reads the same `total` bytes.
                let mut reader = open_data(archive, index, method)?;
                loop {
                    match reader.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(read) => scan.feed(&buffer[..read]),
                        Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(err) => return Err(DataError::Read(err)),
                    }
                }
            }
        }
    }
}

/// The ELF facts of the entry `name` of a zip, read as a stream in bounded memory; `None` when
/// there is no such entry, it is not an ELF file, or its data does not check out.
pub fn entry_elf(zip: &Path, name: &str) -> Option<elf::ElfInfo> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).ok()?).ok()?;
    let index = archive.index_for_name(name)?;
    let meta = archive.by_index_data(index).ok()?;
    let (method, size, crc) = (meta.compression(), meta.size(), meta.crc32());
    if meta.encrypted() {
        return None;
    }
    stream_entry(&mut archive, index, method, size, crc, UNZIPPED_LIMIT)
        .ok()?
        .1
}

/// Reads each entry's name, mode and ELF facts, reporting unsafe names, links, encryption,
/// unsupported compression and data that disagrees with its header. Returns the entries and the
/// unzipped size.
fn read_entries(
    archive: &mut zip::ZipArchive<std::fs::File>,
    report: &mut Report,
) -> (Vec<EntryInfo>, u64) {
    let mut entries = Vec::new();
    let mut unzipped: u64 = 0;
    for index in 0..archive.len() {
        let meta = match archive.by_index_data(index) {
            Ok(meta) => meta,
            Err(err) => {
                report.error(
                    None,
                    format!("entry {index} cannot be read: {err}"),
                    "package it again with `cargo powertools package`",
                );
                continue;
            }
        };
        let raw_name = meta.name_raw().to_vec();
        let name = display_name(&raw_name);
        let method = meta.compression();
        let (declared, declared_crc) = (meta.size(), meta.crc32());
        let (encrypted, symlink, dir) = (meta.encrypted(), meta.is_symlink(), meta.is_dir());
        let mode = meta.unix_mode();
        let made_by_unix = meta.system() == zip::System::Unix;
        if std::str::from_utf8(&raw_name).is_err() {
            report.error(
                Some(&name),
                "the entry's name is not UTF-8: unzip tools and Lambda may each read it as a different name".into(),
                format!("give the file a UTF-8 name and {REZIP}"),
            );
        }
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
        // One check an `if`, each with its own finding and fix.
        if symlink {
            report.error(
                Some(&name),
                "a symbolic link: it can point outside the function's directory, and verify cannot check what it points to".into(),
                format!("zip the file itself, not a link to it, and {REZIP} (it zips what links point to)"),
            );
            continue;
        }
        if encrypted {
            report.error(
                Some(&name),
                "the entry is encrypted: Lambda cannot unpack a password-protected entry".into(),
                format!("zip it without a password: {REZIP}"),
            );
            continue;
        }
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
        if dir {
            continue;
        }
        // Tools that read local headers (streaming unzippers) must see the same entry as the
        // central directory says: a different name or size there smuggles in a different file.
        // (With duplicate names the zip crate refuses every entry; those are reported above.)
        if !archive.has_duplicate_names() {
            let consistent = zip::read::ZipReadOptions::new().enforce_header_consistency(true);
            if let Err(err) = archive.by_index_with_options(index, consistent) {
                report.error(
                    Some(&name),
                    format!("its local header disagrees with the central directory ({}): unzip tools that read local headers see a different file", header_mismatch(&err)),
                    format!("the zip is damaged or was altered: {REZIP}"),
                );
                continue;
            }
        }
        if unzipped == STOPPED {
            entries.push(EntryInfo {
                name,
                mode,
                made_by_unix,
                elf: None,
            });
            continue;
        }
        let budget = UNZIPPED_LIMIT.saturating_sub(unzipped);
        match stream_entry(archive, index, method, declared, declared_crc, budget) {
            Err(DataError::OverLimit) => {
                unzipped = STOPPED;
                entries.push(EntryInfo {
                    name,
                    mode,
                    made_by_unix,
                    elf: None,
                });
            }
            Ok((size, elf)) => {
                unzipped = unzipped.saturating_add(size);
                entries.push(EntryInfo {
                    name,
                    mode,
                    made_by_unix,
                    elf,
                });
            }
            Err(err) => {
                unzipped = unzipped.saturating_add(declared).min(UNZIPPED_LIMIT + 1);
                report.error(
                    Some(&name),
                    err.problem(),
                    format!("the zip is damaged or was altered: {REZIP}"),
                );
            }
        }
    }
    (entries, unzipped)
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

/// The one architecture a Python zip's platform wheels are tagged for, if they agree.
fn wheels_arch(wheels: &[PlatformWheel]) -> Option<Arch> {
    let first = wheels.first()?.arch;
    wheels.iter().all(|w| w.arch == first).then_some(first)
}

/// Without an architecture given, a Python zip's platform wheels must agree on one.
fn check_wheel_arches(wheels: &[PlatformWheel], expect: &Expectation, report: &mut Report) {
    if expect.arch.is_some() || wheels.is_empty() || wheels_arch(wheels).is_some() {
        return;
    }
    let listed: Vec<String> = Arch::ALL
        .iter()
        .map(|arch| {
            let dists: Vec<&str> = wheels
                .iter()
                .filter(|w| w.arch == *arch)
                .map(|w| w.dist.as_str())
                .collect();
            format!("{arch} ({})", dists.join(", "))
        })
        .collect();
    report.error(
        None,
        format!(
            "the zip mixes wheels for two architectures, {}: the other architecture's compiled modules fail to import on Lambda",
            listed.join(" and ")
        ),
        "install every wheel for the function's architecture (`cargo powertools package --arch <arch>` does, for each architecture)",
    );
}

/// Every ELF file is for the artifact's architecture (for a Python zip without one given: the
/// architecture its wheels are tagged for, and each wheel's own files for that wheel's) and needs
/// no newer glibc than the runtime has.
fn check_elves(
    entries: &[EntryInfo],
    expect: &Expectation,
    wheels: &[PlatformWheel],
    report: &mut Report,
) {
    let main = entries
        .iter()
        .find(|e| e.name == "bootstrap")
        .or_else(|| entries.iter().find(|e| e.name.starts_with("extensions/")));
    let arch = expect
        .arch
        .or_else(|| main.and_then(|e| e.elf.as_ref()).and_then(|elf| elf.arch))
        .or_else(|| wheels_arch(wheels));
    let (glibc_major, glibc_minor) = expect.runtime.glibc();
    for entry in entries {
        let Some(info) = &entry.elf else { continue };
        let owner = wheels.iter().find(|w| w.owns(&entry.name));
        if let Some(wheel) = owner.filter(|w| info.arch != Some(w.arch)) {
            report.error(
                Some(&entry.name),
                format!(
                    "an ELF for {} in `{}`, whose wheel is tagged for {}: Python fails to import it on Lambda (ImportError)",
                    info.machine, wheel.dist, wheel.arch
                ),
                "install the distribution again from its wheel for one architecture (`cargo powertools package --arch <arch>`)",
            );
            continue;
        }
        let Some(arch) = arch else { continue };
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

/// Reads a manifest whose `version` this build knows; the problem and its fix otherwise.
fn read_manifest(path: &Path) -> Result<Manifest, (String, &'static str)> {
    let unreadable = |err: String| {
        (
            format!("not a readable cargo-powertools manifest: {err}"),
            "run `cargo powertools package` to write it again",
        )
    };
    let value: serde_json::Value = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
        .map_err(unreadable)?;
    match value.get("version") {
        Some(version) if version.as_u64() == Some(u64::from(manifest::FORMAT_VERSION)) => {}
        Some(version) => {
            return Err((
                format!(
                    "manifest `version` {version} is not one this cargo-powertools ({}) knows: it reads version {}",
                    env!("CARGO_PKG_VERSION"),
                    manifest::FORMAT_VERSION
                ),
                "verify it with the cargo-powertools its `generator` names, or package again with this one",
            ));
        }
        None => return Err(unreadable("missing field `version`".into())),
    }
    serde_json::from_value(value).map_err(|e| unreadable(e.to_string()))
}

/// A manifest path that names a file under the manifest's directory: relative, `/`-separated,
/// without `..`, and not empty.
fn is_contained(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && !path.as_os_str().to_string_lossy().contains('\\')
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Checks a manifest: each artifact's file exists with the recorded size and hashes, and passes
/// [`check_zip`] as the architecture, kind and runtime the manifest records. Returns the findings
/// and the manifest, when it could be read.
pub fn check_manifest(path: &Path) -> (Vec<Finding>, Option<Manifest>) {
    let mut report = Report {
        file: path,
        findings: Vec::new(),
    };
    let manifest = match read_manifest(path) {
        Ok(manifest) => manifest,
        Err((problem, fix)) => {
            report.error(None, problem, fix);
            return (report.findings, None);
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    for artifact in &manifest.artifacts {
        if !is_contained(&artifact.path) {
            report.error(
                None,
                format!(
                    "lists `{}` for `{}`: an absolute path, or one that climbs out of the manifest's directory with `..`; verify reads only files under the manifest's directory",
                    artifact.path, artifact.function
                ),
                "paths in a manifest are relative to its directory: run `cargo powertools package` again rather than editing it",
            );
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_stay_under_the_manifest_directory() {
        for good in ["x86_64/greeter.zip", "app.zip", "./arm64/a.zip"] {
            assert!(is_contained(good), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../app.zip",
            "x86_64/../../app.zip",
            "a/..",
            "..\\app.zip",
        ] {
            assert!(!is_contained(bad), "{bad}");
        }
    }

    #[test]
    fn the_elf_of_one_entry_is_read_as_a_stream() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("f.zip");
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        writer.start_file("bootstrap", stored).unwrap();
        let this = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        writer.write_all(&this).unwrap();
        writer.start_file("README", stored).unwrap();
        writer.write_all(b"not an ELF").unwrap();
        writer.finish().unwrap();
        assert_eq!(entry_elf(&zip, "bootstrap"), elf::inspect(&this));
        assert!(entry_elf(&zip, "bootstrap").is_some());
        assert_eq!(entry_elf(&zip, "README"), None);
        assert_eq!(entry_elf(&zip, "missing"), None);
    }

    #[test]
    fn names_that_are_not_utf8_show_their_bytes() {
        assert_eq!(display_name(b"caf\xe9.py"), "caf\\xe9.py");
        assert_eq!(display_name("café.py".as_bytes()), "café.py");
    }

    /// Property tests of the readers behind `verify`: whatever bytes a zip or manifest holds,
    /// the result is findings, never a panic; an honest zip has none; damaged data is caught.
    /// Bounded (a few dozen cases each) so that they run in the normal suite.
    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use std::io::Write;

        type Files = Vec<(String, Vec<u8>, bool)>;

        fn files() -> impl Strategy<Value = Files> {
            prop::collection::vec(
                (
                    "[a-z][a-z0-9_]{0,8}(/[a-z]{1,4}\\.py)?",
                    prop::collection::vec(any::<u8>(), 1..600),
                    any::<bool>(),
                ),
                1..5,
            )
        }

        /// A zip of `files` as the zip crate writes it (each name once; deflated when asked).
        fn zip_of(files: &Files) -> Vec<u8> {
            let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let mut seen = HashSet::new();
            for (name, data, deflate) in files {
                if !seen.insert(name.clone()) {
                    continue;
                }
                let method = if *deflate {
                    zip::CompressionMethod::Deflated
                } else {
                    zip::CompressionMethod::Stored
                };
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(method)
                    .unix_permissions(0o644);
                writer.start_file(name.as_str(), options).unwrap();
                writer.write_all(data).unwrap();
            }
            writer.finish().unwrap().into_inner()
        }

        fn python() -> Expectation {
            Expectation {
                runtime: Runtime::Python(PythonVersion::new(12).unwrap()),
                kind: Some(Kind::Function),
                ..Expectation::default()
            }
        }

        fn check_bytes(bytes: &[u8]) -> Vec<Finding> {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.zip");
            std::fs::write(&path, bytes).unwrap();
            check_zip(&path, &python())
        }

        /// 128 cases each in the normal suite; `PROPTEST_CASES=100000` for a longer fuzzing run.
        use crate::proptest_support::config;

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn an_honest_zip_has_no_findings(files in files()) {
                prop_assert_eq!(check_bytes(&zip_of(&files)), Vec::<Finding>::new());
            }

            #[test]
            fn a_flipped_byte_in_stored_data_is_caught(
                files in files(),
                which in any::<prop::sample::Index>(),
                at in any::<prop::sample::Index>(),
                flip in 1u8..,
            ) {
                let stored: Files = files.into_iter().map(|(n, d, _)| (n, d, false)).collect();
                let mut bytes = zip_of(&stored);
                let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
                let index = which.index(archive.len());
                let entry = archive.by_index(index).unwrap();
                let (start, size, name) = (entry.data_start().unwrap(), entry.size(), entry.name().unwrap().to_string());
                drop(entry);
                bytes[(start + at.index(size as usize) as u64) as usize] ^= flip;
                let findings = check_bytes(&bytes);
                prop_assert!(
                    findings.iter().any(|f| f.entry.as_deref() == Some(name.as_str()) && f.problem.contains("CRC-32")),
                    "{:?}", findings
                );
            }

            #[test]
            fn a_damaged_zip_gives_findings_not_a_panic(
                files in files(),
                edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
                keep in any::<prop::sample::Index>(),
            ) {
                let mut bytes = zip_of(&files);
                for (at, value) in edits {
                    let at = at.index(bytes.len());
                    bytes[at] = value;
                }
                let keep = keep.index(bytes.len() + 1);
                check_bytes(&bytes[..keep]);
            }

            #[test]
            fn arbitrary_bytes_are_not_a_zip(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
                prop_assert!(!check_bytes(&bytes).is_empty());
            }

            #[test]
            fn a_damaged_manifest_gives_findings_not_a_panic(
                edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
                keep in any::<prop::sample::Index>(),
                path in "[a-z./]{0,12}",
                version in 0u64..4,
            ) {
                let dir = tempfile::tempdir().unwrap();
                std::fs::write(dir.path().join("a.zip"), zip_of(&vec![("app.py".into(), b"x".to_vec(), false)])).unwrap();
                let manifest = serde_json::json!({
                    "version": version, "generator": "test",
                    "artifacts": [{
                        "function": "app", "kind": "function", "package": "app", "arch": "x86_64",
                        "language": "python", "target": "manylinux2014_x86_64", "runtime": "python3.12",
                        "handler": "app.handler", "recipe": "uv", "tools": {}, "path": path,
                        "size": 1, "unzipped_size": 1, "sha256": "00", "code_sha256": "AA==",
                    }],
                });
                let mut bytes = serde_json::to_vec(&manifest).unwrap();
                for (at, value) in edits {
                    let at = at.index(bytes.len());
                    bytes[at] = value;
                }
                let keep = keep.index(bytes.len() + 1);
                let path = dir.path().join("manifest.json");
                std::fs::write(&path, &bytes[..keep]).unwrap();
                let (findings, _) = check_manifest(&path);
                // Every manifest here is wrong somewhere (the hashes at least): it must say so.
                prop_assert!(!findings.is_empty());
            }
        }
    }
}
