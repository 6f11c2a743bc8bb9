//! `manifest.json`: what `package` produced, for CI and infrastructure tools (Terraform, CDK, SAM).
use crate::model::{Arch, Kind, Runtime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FILE_NAME: &str = "manifest.json";
/// Bumped when a field changes meaning or goes away; new fields may appear without a bump.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub generator: String,
    pub artifacts: Vec<Artifact>,
    /// The OpenAPI document `cargo powertools openapi` last wrote from these artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openapi: Option<OpenApiDocument>,
    /// The SAM template written beside the zips, its code locations naming them
    /// (`package --sam-template`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateFile>,
}

/// `manifest.json`'s `template` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateFile {
    /// Relative to the manifest's directory: `template.yaml`.
    pub path: String,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
}

/// `manifest.json`'s `openapi` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenApiDocument {
    /// Relative to the manifest's directory when inside it, `/`-separated; else absolute.
    pub path: String,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
    /// The functions whose operations it holds.
    pub functions: Vec<String>,
}

/// One zip: one function or extension, built for one architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub function: String,
    pub kind: Kind,
    pub package: String,
    pub arch: Arch,
    /// `rust` or `python`.
    #[serde(default = "rust")]
    pub language: String,
    /// The Rust target triple, or the range of wheel platform tags a Python function's dependencies
    /// were installed from (`manylinux_2_5..manylinux_2_34_aarch64`).
    pub target: String,
    pub runtime: Runtime,
    /// A Python function's `module.function`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// Python distributions left out of the zip on purpose (`exclude`): the runtime or a layer
    /// must provide them, and `verify`'s closure check counts them as installed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<String>,
    /// The Python layers (artifacts of this manifest, by `function` name) a Python function runs
    /// with: `verify --invoke` puts their `python/` on its path as Lambda does (`/opt/python`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    /// The environment variables it runs with (a SAM template's literal `Environment.Variables`):
    /// `verify --invoke` sets them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    pub recipe: String,
    /// The versions of the tools the recipe ran (and of rustc), by name.
    #[serde(default)]
    pub tools: BTreeMap<String, String>,
    /// Relative to the manifest's directory, `/`-separated.
    pub path: String,
    pub size: u64,
    pub unzipped_size: u64,
    /// Lower-case hex SHA-256 of the zip.
    pub sha256: String,
    /// Base64 of the raw SHA-256 of the zip: what Lambda reports as `CodeSha256`, and what
    /// Terraform's `source_code_hash` expects.
    pub code_sha256: String,
}

fn rust() -> String {
    "rust".to_string()
}

impl Manifest {
    pub fn new(mut artifacts: Vec<Artifact>) -> Self {
        artifacts.sort_by(|a, b| (&a.function, a.arch).cmp(&(&b.function, b.arch)));
        Manifest {
            version: FORMAT_VERSION,
            generator: format!("cargo-powertools {}", env!("CARGO_PKG_VERSION")),
            artifacts,
            openapi: None,
            template: None,
        }
    }

    /// The manifest as it is written: pretty JSON and a final newline. The same artifacts give the
    /// same bytes, which name the output generation (see [`crate::output`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        bytes.push(b'\n');
        bytes
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_spelled_as_lambda_and_sha256sum_spell_them() {
        // SHA-256 of the empty string.
        let digest: [u8; 32] = sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new()).into();
        assert_eq!(
            hex(&digest),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            base64(&digest),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
