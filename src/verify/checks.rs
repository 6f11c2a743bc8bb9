//! The registry of zip checks: each one a stable code, a one-line summary and a function over
//! the facts the reader collected ([`ZipFacts`]) and what the artifact is meant to be.
//!
//! To add a check: write its function, add it to [`CHECKS`], and give its code a row in the
//! table of docs/verification.md (a unit test keeps the two in step).
use super::reader::{Content, DataFault, Entry, Unreadable, Unzipped, ZipFacts};
use super::{Code, DIRECT_UPLOAD_LIMIT, Expectation, Reporter, UNZIPPED_LIMIT};
use crate::elf::ElfInfo;
use crate::model::{Arch, Kind, Runtime};
use crate::python::wheels::PlatformWheel;
use std::path::{Component, Path};

/// One check of a zip.
pub struct Check {
    pub code: Code,
    /// Adds a finding to the reporter, which carries this check's code, for each problem.
    pub run: fn(&ZipFacts, &Expectation, &mut Reporter),
}

const fn check(
    code: &'static str,
    summary: &'static str,
    run: fn(&ZipFacts, &Expectation, &mut Reporter),
) -> Check {
    Check {
        code: Code { code, summary },
        run,
    }
}

/// Every check of a zip the reader could open, in the order their findings are printed.
pub const CHECKS: &[Check] = &[
    check(
        "zip-over-upload-limit",
        "the zip is over Lambda's 50 MB limit for a direct upload (a warning)",
        zip_over_upload_limit,
    ),
    check(
        "duplicate-name",
        "two entries have the same name",
        duplicate_name,
    ),
    check(
        "overlapping-entries",
        "entries share compressed data or overlap the central directory",
        overlapping_entries,
    ),
    check(
        "entry-unreadable",
        "an entry's central directory record cannot be read",
        entry_unreadable,
    ),
    check(
        "name-not-utf8",
        "an entry's name is not UTF-8",
        name_not_utf8,
    ),
    check(
        "unsafe-name",
        "an entry's name is absolute or climbs out of the zip with `..`",
        unsafe_name,
    ),
    check(
        "symlink-entry",
        "an entry is a symbolic link",
        symlink_entry,
    ),
    check("encrypted-entry", "an entry is encrypted", encrypted_entry),
    check(
        "unsupported-compression",
        "an entry is neither stored nor deflated",
        unsupported_compression,
    ),
    check(
        "local-header-mismatch",
        "an entry's local header disagrees with the central directory",
        local_header_mismatch,
    ),
    check(
        "data-unreadable",
        "an entry's data cannot be read or inflated",
        data_unreadable,
    ),
    check(
        "size-mismatch",
        "an entry inflates to another size than its header records",
        size_mismatch,
    ),
    check(
        "crc-mismatch",
        "an entry's data has another CRC-32 than its header records",
        crc_mismatch,
    ),
    check(
        "unzipped-too-large",
        "the zip unzips to more than Lambda's 250 MB limit",
        unzipped_too_large,
    ),
    check(
        "bootstrap-missing",
        "a function's zip has no `bootstrap` at its root",
        bootstrap_missing,
    ),
    check(
        "extension-missing",
        "an extension's zip has nothing under `extensions/`",
        extension_missing,
    ),
    check(
        "no-unix-mode",
        "an executable was zipped on a system whose zips carry no Unix mode",
        no_unix_mode,
    ),
    check(
        "bootstrap-not-executable",
        "`bootstrap` has no execute bit",
        bootstrap_not_executable,
    ),
    check(
        "extension-not-executable",
        "an extension's executable has no execute bit",
        extension_not_executable,
    ),
    check(
        "layer-file-outside-python",
        "a Python layer has a file outside `python/`",
        layer_file_outside_python,
    ),
    check(
        "handler-module-missing",
        "a Python function's zip lacks its handler's module",
        handler_module_missing,
    ),
    check(
        "wheels-mixed-arches",
        "a Python zip holds wheels for both architectures",
        wheels_mixed_arches,
    ),
    check(
        "wheel-elf-arch-mismatch",
        "an ELF file is for another architecture than the wheel that installed it",
        wheel_elf_arch_mismatch,
    ),
    check(
        "elf-arch-mismatch",
        "an ELF file is for another architecture than the artifact",
        elf_arch_mismatch,
    ),
    check(
        "glibc-too-new",
        "an ELF file needs a newer glibc than the runtime has",
        glibc_too_new,
    ),
    check(
        "python-dependency-missing",
        "an installed Python distribution's requirement is not in the zip",
        python_dependency_missing,
    ),
];

/// The one finding of a file that cannot be opened as a zip: no check runs on it.
pub const ZIP_UNREADABLE: Code = Code {
    code: "zip-unreadable",
    summary: "the file is not a zip, or a truncated or corrupt one",
};

const REZIP: &str = "re-zip it with `cargo powertools package`";
const DAMAGED: &str =
    "the zip is damaged or was altered: re-zip it with `cargo powertools package`";
const ZIP_ONCE: &str = "zip every file once: re-zip it with `cargo powertools package`";
const SHRINK: &str =
    "shrink the binary (strip, opt-level = \"z\", lto), drop large files, or use a container image";

/// Reports why a file is not a readable zip.
pub fn zip_unreadable(unreadable: &Unreadable, out: &mut Reporter) {
    let problem = match unreadable {
        Unreadable::File(err) => format!("not a readable zip: {err}"),
        Unreadable::NoCentralDirectory => {
            "not a zip, or a truncated one: it has no end-of-central-directory record".into()
        }
        Unreadable::Corrupt(text) => format!("not a readable zip (truncated or corrupt): {text}"),
    };
    out.error(
        None,
        problem,
        "package it again with `cargo powertools package`",
    );
}

fn zip_over_upload_limit(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    let size = facts.file_size;
    if size > DIRECT_UPLOAD_LIMIT {
        out.warning(
            None,
            format!("the zip is {size} bytes, over the 52,428,800-byte (50 MB) limit for uploading a zip directly to Lambda"),
            "deploy it through S3 (SAM, CDK and Terraform's s3_bucket do), or make it smaller",
        );
    }
}

fn duplicate_name(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    let Some(names) = &facts.duplicates else {
        return;
    };
    for name in names {
        out.error(
            Some(name),
            "the name appears twice in the zip: unzip tools keep one of the two, and which one differs",
            ZIP_ONCE,
        );
    }
    if names.is_empty() {
        out.error(None, "two entries have the same name", ZIP_ONCE);
    }
}

fn overlapping_entries(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    if facts.overlapping {
        out.error(
            None,
            "entries overlap each other or the central directory: the shape of a zip bomb (many entries inflating the same data), or a corrupt zip",
            ZIP_ONCE,
        );
    }
}

fn entry_unreadable(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for (index, err) in &facts.unreadable_entries {
        out.error(
            None,
            format!("entry {index} cannot be read: {err}"),
            "package it again with `cargo powertools package`",
        );
    }
}

fn name_not_utf8(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in facts.entries.iter().filter(|e| !e.utf8_name) {
        out.error(
            Some(&entry.name),
            "the entry's name is not UTF-8: unzip tools and Lambda may each read it as a different name",
            format!("give the file a UTF-8 name and {REZIP}"),
        );
    }
}

fn unsafe_name(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    let escapes = |name: &str| {
        name.starts_with('/')
            || name.contains('\\')
            || Path::new(name)
                .components()
                .any(|c| c == Component::ParentDir)
    };
    for entry in facts.entries.iter().filter(|e| escapes(&e.name)) {
        out.error(
            Some(&entry.name),
            "the entry's name is absolute or climbs out of the zip with `..`",
            "zip paths must be relative and stay inside the zip: re-zip it with `cargo powertools package`",
        );
    }
}

fn symlink_entry(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in with_content(facts, |c| matches!(c, Content::Symlink)) {
        out.error(
            Some(&entry.name),
            "a symbolic link: it can point outside the function's directory, and verify cannot check what it points to",
            format!("zip the file itself, not a link to it, and {REZIP} (it zips what links point to)"),
        );
    }
}

fn encrypted_entry(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in with_content(facts, |c| matches!(c, Content::Encrypted)) {
        out.error(
            Some(&entry.name),
            "the entry is encrypted: Lambda cannot unpack a password-protected entry",
            format!("zip it without a password: {REZIP}"),
        );
    }
}

fn unsupported_compression(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in &facts.entries {
        if let Content::Unsupported(method) = &entry.content {
            out.error(
                Some(&entry.name),
                format!(
                    "compressed with {method}; Lambda unpacks only stored and deflated entries"
                ),
                "re-zip it with deflate (`cargo powertools package` does)",
            );
        }
    }
}

fn local_header_mismatch(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in &facts.entries {
        if let Content::HeaderMismatch(what) = &entry.content {
            out.error(
                Some(&entry.name),
                format!("its local header disagrees with the central directory ({what}): unzip tools that read local headers see a different file"),
                DAMAGED,
            );
        }
    }
}

fn data_unreadable(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in &facts.entries {
        if let Content::Fault(DataFault::Read(err)) = &entry.content {
            out.error(
                Some(&entry.name),
                format!("the entry's data cannot be read (truncated or corrupt): {err}"),
                DAMAGED,
            );
        }
    }
}

fn size_mismatch(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in &facts.entries {
        let problem = match &entry.content {
            Content::Fault(DataFault::TooLong { declared }) => format!(
                "inflates to more than the {declared} bytes its header records: a zip bomb, or a corrupt zip"
            ),
            Content::Fault(DataFault::TooShort { declared, actual }) => format!(
                "inflates to {actual} bytes but its header records {declared}: a corrupt or tampered zip"
            ),
            _ => continue,
        };
        out.error(Some(&entry.name), problem, DAMAGED);
    }
}

fn crc_mismatch(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    for entry in &facts.entries {
        if let Content::Fault(DataFault::Crc { declared, actual }) = &entry.content {
            out.error(
                Some(&entry.name),
                format!("its data has CRC-32 {actual:08x} but its header records {declared:08x}: a corrupt or tampered zip"),
                DAMAGED,
            );
        }
    }
}

fn unzipped_too_large(facts: &ZipFacts, _: &Expectation, out: &mut Reporter) {
    match facts.unzipped {
        Unzipped::Stopped => out.error(
            None,
            "the zip unzips to more than Lambda's 262,144,000-byte (250 MB) limit for unzipped code (reading stopped there)",
            SHRINK,
        ),
        Unzipped::Bytes(unzipped) if unzipped > UNZIPPED_LIMIT => out.error(
            None,
            format!("the zip unzips to {unzipped} bytes, over Lambda's 262,144,000-byte (250 MB) limit for unzipped code"),
            SHRINK,
        ),
        Unzipped::Bytes(_) => {}
    }
}

fn with_content(facts: &ZipFacts, is: fn(&Content) -> bool) -> impl Iterator<Item = &Entry> {
    facts.entries.iter().filter(move |e| is(&e.content))
}

/// What Lambda starts from an OS-only runtime's zip.
enum EntryPoints<'f> {
    /// A function's: `bootstrap`, if the zip has one.
    Bootstrap(Option<&'f Entry>),
    /// An extension's: its files under `extensions/`.
    Extensions(Vec<&'f Entry>),
}

impl<'f> EntryPoints<'f> {
    /// What the zip holds to start, as the kind expected says (else as the zip looks); `None` for
    /// a Python function or layer, which Lambda does not start from the zip.
    fn of(facts: &'f ZipFacts, expect: &Expectation) -> Option<Self> {
        if is_python(expect) {
            return None;
        }
        let bootstrap = facts.files().find(|e| e.name == "bootstrap");
        let extensions: Vec<&Entry> = facts
            .files()
            .filter(|e| e.name.starts_with("extensions/"))
            .collect();
        let inferred = if bootstrap.is_some() || extensions.is_empty() {
            Kind::Function
        } else {
            Kind::Extension
        };
        Some(match expect.kind.unwrap_or(inferred) {
            Kind::Function => EntryPoints::Bootstrap(bootstrap),
            Kind::Extension | Kind::Layer => EntryPoints::Extensions(extensions),
        })
    }

    fn entries(&self) -> Vec<&'f Entry> {
        match self {
            EntryPoints::Bootstrap(bootstrap) => bootstrap.iter().copied().collect(),
            EntryPoints::Extensions(extensions) => extensions.clone(),
        }
    }
}

fn is_python(expect: &Expectation) -> bool {
    expect.runtime.is_python() || expect.kind == Some(Kind::Layer)
}

fn bootstrap_missing(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    if let Some(EntryPoints::Bootstrap(None)) = EntryPoints::of(facts, expect) {
        out.error(
            None,
            "no `bootstrap` at the root of the zip: an OS-only runtime (provided.al2023, provided.al2) starts nothing else",
            "name the function's executable `bootstrap` and put it at the root of the zip (`cargo powertools package` does)",
        );
    }
}

fn extension_missing(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    if let Some(EntryPoints::Extensions(found)) = EntryPoints::of(facts, expect)
        && found.is_empty()
    {
        out.error(
            None,
            "no file under `extensions/`: Lambda starts extensions from /opt/extensions/",
            "put the extension's executable at `extensions/<name>` in the zip (`cargo powertools package` does)",
        );
    }
}

fn no_unix_mode(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    let Some(starts) = EntryPoints::of(facts, expect) else {
        return;
    };
    for entry in starts.entries().into_iter().filter(|e| !e.made_by_unix) {
        out.error(
            Some(&entry.name),
            "the zip entry was not made on Unix, so it carries no Unix mode and Lambda cannot execute it (permission denied)",
            "zip it on Linux or macOS, or with `cargo powertools package`, which stores mode 0755",
        );
    }
}

/// An executable Lambda starts that has a Unix mode without an execute bit.
fn report_not_executable(entries: Vec<&Entry>, out: &mut Reporter) {
    for entry in entries
        .into_iter()
        .filter(|e| e.made_by_unix && !e.is_executable())
    {
        out.error(
            Some(&entry.name),
            format!(
                "not executable (mode {:o}): Lambda fails with `permission denied` / Runtime.InvalidEntrypoint",
                entry.mode.unwrap_or(0) & 0o7777
            ),
            "`chmod 755` it before zipping, or package with `cargo powertools package`, which stores mode 0755",
        );
    }
}

fn bootstrap_not_executable(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    if let Some(starts @ EntryPoints::Bootstrap(_)) = EntryPoints::of(facts, expect) {
        report_not_executable(starts.entries(), out);
    }
}

fn extension_not_executable(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    if let Some(starts @ EntryPoints::Extensions(_)) = EntryPoints::of(facts, expect) {
        report_not_executable(starts.entries(), out);
    }
}

fn layer_file_outside_python(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    if expect.kind != Some(Kind::Layer) {
        return;
    }
    if let Some(stray) = facts.files().find(|e| !e.name.starts_with("python/")) {
        out.error(
            Some(&stray.name),
            "a Python layer's files belong under `python/`: Lambda adds /opt/python to the import path, not /opt",
            "zip the layer with everything under `python/` (`layer = true` does)",
        );
    }
}

fn handler_module_missing(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    if !is_python(expect) || expect.kind == Some(Kind::Layer) {
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
    if !facts.files().any(|e| candidates.contains(&e.name)) {
        out.error(
            None,
            format!(
                "no `{}` for the handler `{handler}`: Lambda fails with Runtime.ImportModuleError",
                candidates[0]
            ),
            "put the handler's module at the root of the zip, or fix `handler` (module.function)",
        );
    }
}

/// The platform wheels of a Python zip or layer; none for any other zip.
fn python_wheels<'f>(facts: &'f ZipFacts, expect: &Expectation) -> &'f [PlatformWheel] {
    if is_python(expect) {
        facts.platform_wheels()
    } else {
        &[]
    }
}

/// The one architecture a Python zip's platform wheels are tagged for, if they agree.
fn wheels_arch(wheels: &[PlatformWheel]) -> Option<Arch> {
    let first = wheels.first()?.arch;
    wheels.iter().all(|w| w.arch == first).then_some(first)
}

/// Without an architecture given, a Python zip's platform wheels must agree on one.
fn wheels_mixed_arches(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    let wheels = python_wheels(facts, expect);
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
    out.error(
        None,
        format!(
            "the zip mixes wheels for two architectures, {}: the other architecture's compiled modules fail to import on Lambda",
            listed.join(" and ")
        ),
        "install every wheel for the function's architecture (`cargo powertools package --arch <arch>` does, for each architecture)",
    );
}

/// The wheel that installed `entry` when it is tagged for another architecture than the ELF
/// file is for.
fn foreign_wheel<'w>(entry: &Entry, wheels: &'w [PlatformWheel]) -> Option<&'w PlatformWheel> {
    let elf = entry.elf()?;
    wheels
        .iter()
        .find(|w| w.owns(&entry.name))
        .filter(|w| elf.arch != Some(w.arch))
}

/// The ELF files checked against the artifact's architecture and runtime: all but those in a
/// wheel tagged for another architecture, which are reported as such.
fn artifact_elves<'f>(
    facts: &'f ZipFacts,
    wheels: &[PlatformWheel],
) -> impl Iterator<Item = (&'f Entry, &'f ElfInfo)> {
    facts
        .files()
        .filter(|e| foreign_wheel(e, wheels).is_none())
        .filter_map(|e| Some((e, e.elf()?)))
}

fn wheel_elf_arch_mismatch(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    let wheels = python_wheels(facts, expect);
    for entry in facts.files() {
        let (Some(wheel), Some(elf)) = (foreign_wheel(entry, wheels), entry.elf()) else {
            continue;
        };
        out.error(
            Some(&entry.name),
            format!(
                "an ELF for {} in `{}`, whose wheel is tagged for {}: Python fails to import it on Lambda (ImportError)",
                elf.machine, wheel.dist, wheel.arch
            ),
            "install the distribution again from its wheel for one architecture (`cargo powertools package --arch <arch>`)",
        );
    }
}

/// The artifact's architecture: the one expected, else its `bootstrap`'s (or first extension's),
/// else the one its platform wheels agree on.
fn artifact_arch(facts: &ZipFacts, expect: &Expectation, wheels: &[PlatformWheel]) -> Option<Arch> {
    let main = facts
        .files()
        .find(|e| e.name == "bootstrap")
        .or_else(|| facts.files().find(|e| e.name.starts_with("extensions/")));
    expect
        .arch
        .or_else(|| main.and_then(Entry::elf).and_then(|elf| elf.arch))
        .or_else(|| wheels_arch(wheels))
}

fn elf_arch_mismatch(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    let wheels = python_wheels(facts, expect);
    let Some(arch) = artifact_arch(facts, expect, wheels) else {
        return;
    };
    for (entry, elf) in artifact_elves(facts, wheels).filter(|(_, elf)| elf.arch != Some(arch)) {
        let other = elf
            .arch
            .map_or_else(|| elf.machine.clone(), |a| a.to_string());
        out.error(
            Some(&entry.name),
            format!("an ELF for {} but the artifact is for {arch}: Lambda fails with `exec format error`", elf.machine),
            format!("build it for {arch} (`cargo powertools package --arch {arch}`), or deploy the function with Architectures = [\"{other}\"]"),
        );
    }
}

fn glibc_too_new(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    let wheels = python_wheels(facts, expect);
    let (glibc_major, glibc_minor) = expect.runtime.glibc();
    for (entry, elf) in artifact_elves(facts, wheels) {
        let Some((major, minor)) = elf
            .newest_glibc
            .filter(|&needed| needed > (glibc_major, glibc_minor))
        else {
            continue;
        };
        out.error(
            Some(&entry.name),
            format!(
                "needs GLIBC_{major}.{minor} but {} has glibc {glibc_major}.{glibc_minor}: it fails with \"version `GLIBC_{major}.{minor}' not found\"",
                expect.runtime
            ),
            "deploy on provided.al2023 (glibc 2.34), build with a glibc-pinned target (`runtime = \"provided.al2\"` builds `<triple>.2.26`), or build for musl (`<arch>-unknown-linux-musl`)",
        );
    }
}

/// Every installed distribution's requirements are in the zip (see [`crate::python::closure`]).
fn python_dependency_missing(facts: &ZipFacts, expect: &Expectation, out: &mut Reporter) {
    let Runtime::Python(python) = expect.runtime else {
        return;
    };
    let distributions = facts.distributions();
    let gaps =
        |arch| crate::python::closure::check(distributions, &[], &expect.provided, python, arch);
    let gaps = match expect.arch {
        Some(arch) => gaps(arch),
        // Without an architecture, what is missing for both.
        None => {
            let arm = gaps(Arch::Arm64);
            gaps(Arch::X86_64)
                .into_iter()
                .filter(|g| arm.contains(g))
                .collect()
        }
    };
    for gap in gaps {
        out.error(
            None,
            format!("{gap}: Lambda fails with Runtime.ImportModuleError when it is imported"),
            "package it again from a complete lock (`cargo powertools package` checks the closure), or add the missing distribution",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::codes;
    use std::collections::BTreeSet;

    /// The codes in the first column of the table under `## Finding codes` in
    /// docs/verification.md.
    fn documented_codes() -> Vec<String> {
        let page =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/verification.md"))
                .unwrap();
        let section = page
            .split("\n## ")
            .find(|s| s.starts_with("Finding codes\n"))
            .expect("docs/verification.md has a `## Finding codes` section");
        section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split_once('`'))
            .map(|(code, _)| code.to_string())
            .collect()
    }

    #[test]
    fn every_code_is_documented_and_every_documented_code_exists() {
        let documented = documented_codes();
        let registered: Vec<&str> = codes().map(|c| c.code).collect();
        let missing: Vec<&&str> = registered
            .iter()
            .filter(|c| !documented.iter().any(|d| d == *c))
            .collect();
        assert!(
            missing.is_empty(),
            "codes missing from the table of docs/verification.md: {missing:?}"
        );
        let unknown: Vec<&String> = documented
            .iter()
            .filter(|d| !registered.contains(&d.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "docs/verification.md lists codes no check has: {unknown:?}"
        );
    }

    #[test]
    fn codes_are_unique_kebab_case_with_a_summary() {
        let mut seen = BTreeSet::new();
        for code in codes() {
            assert!(
                seen.insert(code.code),
                "`{}` is registered twice",
                code.code
            );
            assert!(
                !code.code.is_empty()
                    && code.code.split('-').all(|word| !word.is_empty()
                        && word
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "`{}` is not kebab-case",
                code.code
            );
            assert!(!code.summary.is_empty(), "`{}` has no summary", code.code);
        }
    }
}
