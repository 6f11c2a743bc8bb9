//! `cargo powertools openapi`: one OpenAPI document across the workspace's Lambda functions.
//! Functions opt in ([`crate::openapi::Source`]); their fragments are fetched, merged, tied to
//! their functions, validated, and only then written (atomically) and listed in the manifest.
use crate::config;
use crate::errors::Error;
use crate::manifest::{self, Manifest, OpenApiDocument};
use crate::message::{Message, Outcome};
use crate::model::{BinaryKind, Kind};
use crate::openapi::fetch::{self, FetchContext, Participant};
use crate::openapi::merge::{self, Fragment, MergeOptions, OnConflict};
use crate::openapi::{self, Api, OpenApiError, Placeholders, validate};
use crate::output::OutDir;
use crate::platform;
use crate::process::ProcessGroups;
use crate::shell::Shell;
use crate::workspace::{self, LoadOptions, Workspace, WorkspaceError};
use cargo_metadata::MetadataCommand;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct OpenApiOptions {
    pub load: LoadOptions,
    /// Where `package` wrote its zips and manifest (default: `<target-dir>/powertools`); the
    /// document goes there too unless `output` says otherwise.
    pub out_dir: Option<PathBuf>,
    /// Default: `<out-dir>/openapi.json`.
    pub output: Option<PathBuf>,
    /// Add `x-amazon-apigateway-integration` for this kind of API.
    pub api: Option<Api>,
    pub placeholders: Placeholders,
    pub on_conflict: OnConflict,
    pub prefix_components: bool,
    /// For each `command` and `route` source.
    pub timeout: Duration,
}

impl Default for OpenApiOptions {
    fn default() -> Self {
        OpenApiOptions {
            load: LoadOptions::default(),
            out_dir: None,
            output: None,
            api: None,
            placeholders: Placeholders::default(),
            on_conflict: OnConflict::default(),
            prefix_components: false,
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug)]
pub struct OpenApiReport {
    pub path: PathBuf,
    pub document: Value,
    pub functions: Vec<String>,
    /// Per function, what the deployment tool must fill in (with `--api`).
    pub placeholders: std::collections::BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

impl OpenApiReport {
    /// What the `finished` line says.
    pub fn outcome(&self) -> Outcome {
        Outcome::Openapi {
            warnings: self.warnings.len(),
        }
    }
}

/// `groups`: the run's process groups, through which a `route` source's function is run, so
/// that an interruption stops it.
pub fn openapi(
    options: &OpenApiOptions,
    groups: &ProcessGroups,
    shell: &Shell,
) -> Result<OpenApiReport, Error> {
    let workspace = workspace::load(&options.load)?;
    let (participants, document_config) = participants(&workspace)?;
    if participants.is_empty() {
        return Err(OpenApiError::NoParticipants {
            manifest: workspace.manifest_path.clone(),
        }
        .into());
    }
    let out_dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| workspace.target_dir.join("powertools"));
    let manifest_path = out_dir.join(manifest::FILE_NAME);
    let manifest = read_manifest(&manifest_path);

    if participants
        .iter()
        .any(|p| matches!(p.source, openapi::Source::Route(_)))
    {
        platform::require_linux("`openapi` with a `route` source")
            .map_err(crate::invoke::InvokeError::from)?;
    }
    let context = FetchContext {
        timeout: options.timeout,
        manifest: manifest.as_ref(),
        manifest_path: &manifest_path,
        groups,
        api: options.api,
    };
    let fragments = fetch_all(&participants, &context, shell)?;

    let default_title = workspace
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "api".into());
    let merged = merge::merge(
        &fragments,
        &MergeOptions {
            on_conflict: options.on_conflict,
            prefix_components: options.prefix_components,
            document: document_config,
            default_title,
        },
    )?;
    let mut document = merged.document;
    let mut warnings = merged.warnings;
    validate::validate(&document)?;
    let mut placeholders = Default::default();
    if let Some(api) = options.api {
        let version = document["openapi"].as_str().unwrap_or_default().to_string();
        if api == Api::Rest && version.starts_with("3.1") {
            warnings.push(format!(
                "the document is OpenAPI {version}, and API Gateway's REST API import takes OpenAPI 2.0 and 3.0: import it into an HTTP API (`--api http`) or generate 3.0 fragments"
            ));
        }
        placeholders = openapi::integration::integrate(&mut document, api, options.placeholders);
    }
    for warning in &warnings {
        shell.warning(warning, None);
    }

    let path = options
        .output
        .clone()
        .unwrap_or_else(|| out_dir.join(openapi::FILE_NAME));
    let bytes = write_atomically(&path, &document)?;
    let functions = serving_functions(&document);
    if let Some((manifest_path, mut manifest)) = manifest {
        manifest.openapi = Some(OpenApiDocument {
            path: relative_to(&path, manifest_path.parent().unwrap_or(Path::new("."))),
            sha256: manifest::hex(&sha2::Digest::finalize(
                <sha2::Sha256 as sha2::Digest>::new_with_prefix(&bytes),
            )),
            functions: functions.clone(),
        });
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        write_manifest(dir, &manifest).map_err(|source| OpenApiError::Write {
            path: manifest_path.clone(),
            source,
        })?;
    }
    let operations = count_operations(&document);
    shell.status(
        "Wrote",
        format!(
            "{} ({operations} operation(s) from {} function(s))",
            path.display(),
            functions.len()
        ),
    );
    shell.emit(&Message::Openapi {
        path: &path,
        openapi: &document["openapi"],
        functions: &functions,
        operations,
        placeholders: &placeholders,
    });
    Ok(OpenApiReport {
        path,
        document,
        functions,
        placeholders,
        warnings,
    })
}

fn count_operations(document: &Value) -> usize {
    document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
        .map(|item| {
            merge::METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .count()
        })
        .sum()
}

/// The functions that serve at least one operation of the document, sorted.
fn serving_functions(document: &Value) -> Vec<String> {
    let functions: std::collections::BTreeSet<String> = document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
        .flat_map(|item| merge::METHODS.iter().filter_map(|m| item.get(*m)))
        .filter_map(|op| op.get(merge::FUNCTION_EXTENSION).and_then(Value::as_str))
        .map(String::from)
        .collect();
    functions.into_iter().collect()
}

/// The last `package` run's manifest, when there is one that parses.
fn read_manifest(path: &Path) -> Option<(PathBuf, Manifest)> {
    let bytes = std::fs::read(path).ok()?;
    let manifest = serde_json::from_slice(&bytes).ok()?;
    Some((path.to_path_buf(), manifest))
}

fn relative_to(path: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path, dir) = (absolute(path), absolute(dir));
    match path.strip_prefix(&dir) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.display().to_string(),
    }
}

/// Through a temporary file beside it and a rename: a reader sees the earlier document or the
/// new one, never part of one.
/// Replaces the manifest of the output directory `dir` (which holds the zips it lists), as one
/// atomic switch of the output's generation (see [`crate::output`]).
fn write_manifest(dir: &Path, manifest: &Manifest) -> std::io::Result<()> {
    let out = OutDir::open(dir, |_| {}).map_err(std::io::Error::other)?;
    out.replace_manifest(manifest)
        .map(|_| ())
        .map_err(std::io::Error::other)
}

fn write_atomically(path: &Path, document: &Value) -> Result<Vec<u8>, OpenApiError> {
    let write_err = |source| OpenApiError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(write_err)?;
    let mut bytes = serde_json::to_vec_pretty(document).expect("a JSON value serializes");
    bytes.push(b'\n');
    let mut file = tempfile::Builder::new()
        .prefix(".openapi-")
        .suffix(".json")
        .tempfile_in(dir)
        .map_err(write_err)?;
    file.write_all(&bytes).map_err(write_err)?;
    file.as_file().sync_all().map_err(write_err)?;
    file.persist(path).map_err(|e| write_err(e.error))?;
    Ok(bytes)
}

/// The functions that opted in, sorted by name, and the document-wide configuration. The
/// `openapi` keys are read from the same metadata `workspace::load` read and checked.
fn participants(
    workspace: &Workspace,
) -> Result<(Vec<Participant>, openapi::DocumentConfig), Error> {
    let metadata = MetadataCommand::new()
        .manifest_path(&workspace.manifest_path)
        .no_deps()
        .exec()
        .map_err(WorkspaceError::Metadata)?;
    let workspace_config =
        config::workspace_config(&metadata.workspace_metadata, &workspace.manifest_path)
            .map_err(WorkspaceError::from)?;
    let mut participants = Vec::new();
    for binary in workspace
        .binaries
        .iter()
        .filter(|b| b.kind == BinaryKind::Function)
    {
        let Some(package) = metadata
            .workspace_packages()
            .into_iter()
            .find(|p| *p.name == binary.package)
        else {
            continue;
        };
        let package_config = config::package_config(&package.metadata, &binary.manifest_path)
            .map_err(WorkspaceError::from)?;
        let source = package_config
            .bin
            .get(binary.name.as_str())
            .and_then(|b| b.openapi.clone())
            .or(package_config.openapi);
        if let Some(source) = source {
            participants.push(Participant {
                function: binary.name.to_string(),
                source,
                dir: binary.package_dir.clone(),
                declared_in: binary.manifest_path.clone(),
            });
        }
    }
    for function in workspace
        .python
        .iter()
        .filter(|f| f.kind() == Kind::Function)
    {
        let source = workspace_config
            .python
            .get(&function.name)
            .and_then(|c| c.openapi.clone());
        if let Some(source) = source {
            participants.push(Participant {
                function: function.name.clone(),
                source,
                dir: function.project.clone(),
                declared_in: workspace.manifest_path.clone(),
            });
        }
    }
    participants.sort_by(|a, b| a.function.cmp(&b.function));
    Ok((participants, workspace_config.openapi.unwrap_or_default()))
}

/// Each participant's fragment, fetched in turn.
fn fetch_all(
    participants: &[Participant],
    context: &FetchContext,
    shell: &Shell,
) -> Result<Vec<Fragment>, Error> {
    let mut fragments = Vec::new();
    for participant in participants {
        shell.status(
            "Fetching",
            format!("{} ({})", participant.function, participant.source),
        );
        if let Some(command) = fetch::command(participant) {
            shell.running(&command);
        }
        let document = fetch::fetch(participant, context)?;
        let operations = count_operations(&document);
        shell.emit(&Message::Fragment {
            function: &participant.function,
            source: participant.source.to_string(),
            operations,
        });
        fragments.push(Fragment {
            function: participant.function.clone(),
            document,
        });
    }
    Ok(fragments)
}
