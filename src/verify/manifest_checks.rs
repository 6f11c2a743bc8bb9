//! Checks of a manifest: it is one this build reads, its paths stay under its directory, and each
//! artifact's file has the recorded size and hashes and passes the zip checks.
use super::{Code, Expectation, Finding, Findings, check_zip};
use crate::archive;
use crate::manifest::{self, Manifest};
use std::path::{Component, Path};

pub const MANIFEST_UNREADABLE: Code = Code {
    code: "manifest-unreadable",
    summary: "the manifest is not JSON, or not a cargo-powertools manifest",
};
pub const MANIFEST_VERSION_UNKNOWN: Code = Code {
    code: "manifest-version-unknown",
    summary: "the manifest's `version` is not one this build reads",
};
pub const MANIFEST_PATH_ESCAPES: Code = Code {
    code: "manifest-path-escapes",
    summary: "an artifact's path is absolute or climbs out of the manifest's directory",
};
pub const MANIFEST_FILE_UNREADABLE: Code = Code {
    code: "manifest-file-unreadable",
    summary: "a file the manifest lists cannot be read",
};
pub const MANIFEST_MISMATCH: Code = Code {
    code: "manifest-mismatch",
    summary: "a file's size or hash differs from what the manifest records",
};

/// Every code of a manifest check.
pub const MANIFEST_CODES: &[Code] = &[
    MANIFEST_UNREADABLE,
    MANIFEST_VERSION_UNKNOWN,
    MANIFEST_PATH_ESCAPES,
    MANIFEST_FILE_UNREADABLE,
    MANIFEST_MISMATCH,
];

/// Why a manifest could not be read: its code, the problem and its fix.
type Refusal = (&'static Code, String, &'static str);

/// Reads a manifest whose `version` this build knows.
fn read_manifest(path: &Path) -> Result<Manifest, Refusal> {
    let unreadable = |err: String| {
        (
            &MANIFEST_UNREADABLE,
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
                &MANIFEST_VERSION_UNKNOWN,
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
    let mut findings = Findings::new(path);
    let manifest = match read_manifest(path) {
        Ok(manifest) => manifest,
        Err((code, problem, fix)) => {
            findings.with(code).error(None, problem, fix);
            return (findings.into_vec(), None);
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    for artifact in &manifest.artifacts {
        if !is_contained(&artifact.path) {
            findings.with(&MANIFEST_PATH_ESCAPES).error(
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
            findings.with(&MANIFEST_FILE_UNREADABLE).error(
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
                findings.with(&MANIFEST_MISMATCH).error(
                    None,
                    format!("`{field}` of {} is {listed} in the manifest but {actual} for the file", artifact.path),
                    "the zip or the manifest changed after packaging: run `cargo powertools package` again rather than editing either",
                );
            }
        }
        findings.extend(check_zip(&zip, &Expectation::of(artifact)));
    }
    (findings.into_vec(), Some(manifest))
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
}
