//! Static checks that an artifact will start on Lambda: the failures users otherwise meet only
//! after deploying (`exec format error`, `GLIBC_2.xx not found`, `permission denied`, size limits).
//!
//! [`reader`] reads a zip defensively into facts; [`checks::CHECKS`] is the registry of checks
//! over those facts, each with a stable code that every finding carries (listed with its fix in
//! docs/verification.md); [`manifest_checks`] checks a manifest and each zip it lists.
mod checks;
mod manifest_checks;
mod reader;

use crate::manifest;
use crate::model::{Arch, Kind, Runtime};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use manifest_checks::check_manifest;
pub use reader::entry_elf;

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

/// A kind of finding: its stable code (kebab-case; never reused for another meaning) and what it
/// means, in one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub summary: &'static str,
}

/// Every code a finding can carry: the zip checks', the unreadable zip's and the manifest's.
pub fn codes() -> impl Iterator<Item = &'static Code> {
    checks::CHECKS
        .iter()
        .map(|check| &check.code)
        .chain([&checks::ZIP_UNREADABLE])
        .chain(manifest_checks::MANIFEST_CODES)
}

/// One failed check: what is wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The check's stable code, e.g. `bootstrap-not-executable`.
    pub code: &'static str,
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

/// Collects the findings about one file.
struct Findings<'a> {
    file: &'a Path,
    list: Vec<Finding>,
}

impl<'a> Findings<'a> {
    fn new(file: &'a Path) -> Self {
        Findings {
            file,
            list: Vec::new(),
        }
    }

    /// Where the findings of `code` are reported.
    fn with(&mut self, code: &'static Code) -> Reporter<'_, 'a> {
        Reporter {
            code,
            findings: self,
        }
    }

    fn extend(&mut self, more: Vec<Finding>) {
        self.list.extend(more);
    }

    fn into_vec(self) -> Vec<Finding> {
        self.list
    }
}

/// Adds findings of one code: a check cannot report under another check's code.
struct Reporter<'r, 'a> {
    code: &'static Code,
    findings: &'r mut Findings<'a>,
}

impl Reporter<'_, '_> {
    fn add(
        &mut self,
        severity: Severity,
        entry: Option<&str>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.findings.list.push(Finding {
            severity,
            code: self.code.code,
            file: self.findings.file.to_path_buf(),
            entry: entry.map(String::from),
            problem: problem.into(),
            fix: fix.into(),
        });
    }

    fn error(&mut self, entry: Option<&str>, problem: impl Into<String>, fix: impl Into<String>) {
        self.add(Severity::Error, entry, problem, fix);
    }

    fn warning(&mut self, entry: Option<&str>, problem: impl Into<String>, fix: impl Into<String>) {
        self.add(Severity::Warning, entry, problem, fix);
    }
}

/// Checks one zip against what it is meant to be: the reader collects its facts, trusting
/// nothing the zip says (names, sizes and CRCs are checked against the data as it inflates),
/// then every check of the registry runs over them.
pub fn check_zip(path: &Path, expect: &Expectation) -> Vec<Finding> {
    let mut findings = Findings::new(path);
    match reader::read(path) {
        Ok(facts) => {
            for check in checks::CHECKS {
                (check.run)(&facts, expect, &mut findings.with(&check.code));
            }
        }
        Err(unreadable) => {
            checks::zip_unreadable(&unreadable, &mut findings.with(&checks::ZIP_UNREADABLE))
        }
    }
    findings.into_vec()
}

#[cfg(test)]
mod tests {
    /// Property tests of the readers behind `verify`: whatever bytes a zip or manifest holds,
    /// the result is findings, never a panic; an honest zip has none; damaged data is caught.
    /// Bounded (a few dozen cases each) so that they run in the normal suite.
    mod properties {
        use super::super::*;
        use crate::model::PythonVersion;
        use proptest::prelude::*;
        use std::collections::HashSet;
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
