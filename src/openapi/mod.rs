//! `cargo powertools openapi`: one OpenAPI document for many Lambda functions. Each function that
//! opts in gives a fragment ([`fetch`]: a file, a command, or its own spec route, invoked), the
//! fragments are merged on JSON values ([`merge`]), every operation is tied to its function
//! ([`integration`]) and the result is checked ([`validate`]) before it is written.
pub mod fetch;
pub mod integration;
pub mod merge;
pub mod validate;

pub use crate::config::openapi::{DocumentConfig, Source};
pub use integration::{Api, Placeholders};
pub use merge::{Fragment, MergeOptions, OnConflict};

use crate::invoke::InvokeError;
use crate::process::ProcessError;
use std::path::PathBuf;
use std::time::Duration;

/// The default file name, in `<target-dir>/powertools/`.
pub const FILE_NAME: &str = "openapi.json";

#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    #[error("no function takes part in the OpenAPI document")]
    NoParticipants { manifest: PathBuf },
    #[error("no OpenAPI fragments to merge")]
    NoFragments,
    #[error("`{function}`: not an OpenAPI document: {why}")]
    NotADocument { function: String, why: String },
    #[error(
        "cannot merge OpenAPI {first_version} (from `{first}`) with OpenAPI {second_version} (from `{second}`)"
    )]
    MixedVersions {
        first: String,
        first_version: String,
        second: String,
        second_version: String,
    },
    #[error("{method} {path} is served by two functions, `{first}` and `{second}`")]
    PathConflict {
        path: String,
        method: String,
        first: String,
        second: String,
    },
    #[error("component {component} differs between functions `{first}` and `{second}`")]
    ComponentClash {
        component: String,
        first: String,
        second: String,
    },
    #[error(
        "`{function}`: renaming {component} to {renamed} (--prefix-components) would replace a component of that name"
    )]
    PrefixTaken {
        component: String,
        renamed: String,
        function: String,
    },
    #[error("`{function}`: $ref {reference:?} at {at} points at nothing")]
    UnresolvedRef {
        function: String,
        reference: String,
        at: String,
    },
    #[error("`{function}`: $ref {reference:?} at {at} points outside the document")]
    ExternalRef {
        function: String,
        reference: String,
        at: String,
    },
    #[error("{method} {path} (function `{function}`): {problem}")]
    PathParameters {
        method: String,
        path: String,
        function: String,
        problem: String,
    },
    #[error("operationId `{id}` is used twice: {first} and {second}")]
    DuplicateOperationId {
        id: String,
        first: String,
        second: String,
    },
    #[error("`{function}`: could not read its OpenAPI file {}", .path.display())]
    ReadFile {
        function: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{function}`: its OpenAPI command failed")]
    Command {
        function: String,
        #[source]
        source: ProcessError,
    },
    #[error("`{function}`: `{command}` gave no answer within {} s", .timeout.as_secs_f64())]
    CommandTimeout {
        function: String,
        command: String,
        timeout: Duration,
    },
    #[error("`{function}`: its OpenAPI route needs the packaged function, and there is no manifest at {}", .path.display())]
    NoManifest { function: String, path: PathBuf },
    #[error("`{function}`: its OpenAPI route needs the packaged function, and {} lists no artifact of it", .manifest.display())]
    NotPackaged { function: String, manifest: PathBuf },
    #[error("`{function}`: invoking its OpenAPI route failed")]
    Invoke {
        function: String,
        #[source]
        source: InvokeError,
    },
    #[error("`{function}`: GET {route} did not give the document: {why}")]
    RouteAnswer {
        function: String,
        route: String,
        why: String,
    },
    #[error("could not write {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not use a temporary file")]
    Temp(#[source] std::io::Error),
}

impl OpenApiError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            OpenApiError::NoParticipants { manifest } => format!(
                "opt functions in, in {}: `openapi = {{ route = \"/openapi.json\" }}` (or `file = \"openapi.json\"`, or `command = [\"...\"]`) under [package.metadata.powertools] or [package.metadata.powertools.bin.<name>], or under [workspace.metadata.powertools.python.<name>] for a Python function",
                manifest.display()
            ),
            OpenApiError::NotADocument { .. } => {
                "the source must give one OpenAPI 3.0 or 3.1 document as JSON (an object with an `openapi` field)".into()
            }
            OpenApiError::MixedVersions { .. } => {
                "generate every fragment as the same OpenAPI minor version (utoipa: 3.1; Powertools for Python: 3.1; many others: 3.0)".into()
            }
            OpenApiError::PathConflict { .. } => {
                "serve each path and method from one function, or pick one with `--on-conflict first` or `--on-conflict last`".into()
            }
            OpenApiError::ComponentClash { .. } => {
                "give the two components different names, make them equal, or pass `--prefix-components` to rename each after its function".into()
            }
            OpenApiError::PrefixTaken { .. } => "rename one of the two components in its function's code".into(),
            OpenApiError::UnresolvedRef { .. } => {
                "define the component the $ref names in that function's document, or fix the $ref".into()
            }
            OpenApiError::ExternalRef { .. } => {
                "bundle the document first (every $ref local, `#/components/...`), e.g. with `redocly bundle`".into()
            }
            OpenApiError::PathParameters { .. } => {
                "declare one `in: path` parameter for each `{name}` of the path, with the same name".into()
            }
            OpenApiError::DuplicateOperationId { .. } => {
                "give one of the operations another operationId in its function's code".into()
            }
            OpenApiError::ReadFile { .. } => {
                "`file` is relative to the package's directory (a Python function's project folder)".into()
            }
            OpenApiError::Command { .. } => {
                "the command runs in the package's directory and must print the document on stdout".into()
            }
            OpenApiError::CommandTimeout { .. } => "make the command faster, or raise `--timeout`".into(),
            OpenApiError::NoManifest { .. } | OpenApiError::NotPackaged { .. } => {
                "run `cargo powertools package` first (or use a `file` or `command` source)".into()
            }
            OpenApiError::Invoke { source, .. } => return source.help(),
            OpenApiError::RouteAnswer { .. } => {
                "the route must answer a GET with status 200 and the document as a JSON body".into()
            }
            OpenApiError::Write { .. } => "check that the output's directory is writable".into(),
            OpenApiError::NoFragments | OpenApiError::Temp(_) => return None,
        })
    }
}
