//! A SAM template read as it is (`package --sam-template template.yaml`): every
//! `AWS::Serverless::Function` with a Python runtime and every `AWS::Serverless::LayerVersion` built
//! with `Metadata.BuildMethod: python3.x` becomes a Python function or layer, every function built
//! with `Metadata.BuildMethod: rust-cargolambda` a Rust binary of its Cargo project ([`rust`]),
//! with `Globals.Function` applied as SAM applies it; what this tool cannot build is listed as
//! skipped, with the reason.
//! The template is kept with the spans of the code locations, for the template written beside the
//! zips ([`crate::sam_template`]).
mod rust;
pub mod yaml;

use super::LoadError;
use crate::config::PythonConfig;
use crate::model::{Arch, OsRuntime};
use crate::python::{self, PythonFunction};
use crate::recipe::Recipes;
use crate::sam_template::SamTemplate;
use crate::workspace::{LoadOptions, SkippedBinary, Workspace};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use yaml::Node;

/// The names a template in the current directory may have, as `sam build` looks for them.
pub const DEFAULT_NAMES: [&str; 2] = ["template.yaml", "template.yml"];

#[derive(Debug, thiserror::Error)]
pub enum SamError {
    #[error("the SAM template {} does not exist", .path.display())]
    Missing { path: PathBuf },
    #[error("could not read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not valid YAML: {message}", .template.display())]
    Yaml { template: PathBuf, message: String },
    #[error("{} has no `Resources` mapping", .template.display())]
    NoResources { template: PathBuf },
    #[error("`{resource}` in {} has no `{key}` (nor `Globals.Function.{key}`)", .template.display())]
    MissingKey {
        template: PathBuf,
        resource: String,
        key: &'static str,
    },
    #[error("`{resource}` in {} has `{key}: {value}`, which is outside the template's folder", .template.display())]
    Outside {
        template: PathBuf,
        resource: String,
        key: &'static str,
        value: String,
    },
    #[error("`{resource}` in {} has `{key}: {value}`, which is not a folder", .template.display())]
    NotAFolder {
        template: PathBuf,
        resource: String,
        key: &'static str,
        value: String,
    },
    #[error("`{resource}` in {} takes its `CodeUri` from `Globals.Function`", .template.display())]
    GlobalCodeUri { template: PathBuf, resource: String },
    #[error("`{resource}` in {} writes its `{key}` over more than one line", .template.display())]
    MultiLine {
        template: PathBuf,
        resource: String,
        key: &'static str,
    },
    #[error("`{resource}` in {} has `Handler: {handler}`, and its CodeUri {} has no `{module}`: Lambda would fail with Runtime.ImportModuleError", .template.display(), .folder.display())]
    HandlerModule {
        template: PathBuf,
        resource: String,
        handler: String,
        module: String,
        folder: PathBuf,
    },
    #[error("`{resource}` in {} has `Layers: - !Ref {layer}`, and `{layer}` is neither a resource nor a parameter of the template", .template.display())]
    UnknownLayer {
        template: PathBuf,
        resource: String,
        layer: String,
    },
    #[error("`{resource}` in {} has the architecture `{value}`", .template.display())]
    Architecture {
        template: PathBuf,
        resource: String,
        value: String,
    },
    #[error("`{resource}` in {} is built with `BuildMethod: rust-cargolambda`, and its CodeUri {} has no Cargo.toml", .template.display(), .folder.display())]
    NoCargoToml {
        template: PathBuf,
        resource: String,
        folder: PathBuf,
    },
    #[error("`{resource}` in {} is built with `BuildMethod: rust-cargolambda`, and has `Runtime: {value}`", .template.display())]
    RustRuntime {
        template: PathBuf,
        resource: String,
        value: String,
    },
    /// (Without the template's path, which the Cargo.toml's is enough beside, to keep errors small.)
    #[error("the Rust function `{resource}` names the binary `{binary}`, which is not a Lambda function of {}", .cargo_toml.display())]
    RustBinary {
        resource: String,
        binary: String,
        cargo_toml: PathBuf,
        /// The Lambda functions that Cargo project has.
        known: Vec<String>,
        /// Why the binary named is not packaged, when the project has it.
        skipped: Option<String>,
    },
    #[error("the Rust function `{resource}` names no binary (`Metadata.BuildProperties.Binary`), and {} has {} Lambda functions", .cargo_toml.display(), .known.len())]
    RustBinaryUnnamed {
        resource: String,
        cargo_toml: PathBuf,
        known: Vec<String>,
    },
    #[error("`{first}` and `{second}` in {} are Rust functions of two Cargo workspaces, {} and {}", .template.display(), .first_root.display(), .second_root.display())]
    CargoWorkspaces {
        template: PathBuf,
        first: String,
        first_root: PathBuf,
        second: String,
        second_root: PathBuf,
    },
    #[error("`{resource}` in {} cannot name a Lambda artifact: {reason}", .template.display())]
    Name {
        template: PathBuf,
        resource: String,
        reason: &'static str,
    },
}

impl SamError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            SamError::Missing { .. } => "pass the path of an existing template to `--sam-template`".into(),
            SamError::Read { .. } => return None,
            SamError::Yaml { .. } => "fix the YAML (`sam validate --lint` says more)".into(),
            SamError::NoResources { .. } => "point `--sam-template` at the application's SAM template".into(),
            SamError::MissingKey { key, .. } => match *key {
                "Handler" => "add `Handler: app.lambda_handler` (module.function) to its Properties or to Globals.Function".into(),
                "CodeUri" => "add `CodeUri: <folder>/`, the folder of its code and requirements.txt, relative to the template".into(),
                _ => format!("add `{key}` to its Properties"),
            },
            SamError::Outside { key, .. } => format!(
                "move the code into the template's folder and point `{key}` at it relative to the template (the written template names zips in the output folder, and only code inside the template's folder is packaged)"
            ),
            SamError::NotAFolder { key, .. } => format!(
                "point `{key}` at the folder of the code (and its requirements.txt), relative to the template"
            ),
            SamError::GlobalCodeUri { .. } => "give each function its own `CodeUri` in its Properties: the written template points each at its own zip".into(),
            SamError::MultiLine { key, .. } => format!("write `{key}` on one line"),
            SamError::HandlerModule { module, folder, .. } => format!(
                "put `{module}` in {}, or fix `Handler` (module.function, e.g. app.lambda_handler)",
                folder.display()
            ),
            SamError::UnknownLayer { layer, .. } => format!(
                "declare `{layer}` in Resources (an `AWS::Serverless::LayerVersion` with `Metadata: BuildMethod: python3.x`) or in Parameters, or fix the reference"
            ),
            SamError::Architecture { .. } => "use `x86_64` or `arm64`".into(),
            SamError::NoCargoToml { .. } => "point `CodeUri` at the folder of the function's Cargo.toml (the crate `cargo lambda new` writes), relative to the template".into(),
            SamError::RustRuntime { .. } => "use `Runtime: provided.al2023` (or `provided.al2`): a Rust function is its own `bootstrap`".into(),
            SamError::RustBinary { known, skipped: Some(reason), .. } if known.is_empty() => format!("it is skipped ({reason}): point `CodeUri` at the folder of a crate that depends on `lambda_runtime` or `lambda_http`"),
            SamError::RustBinary { skipped: Some(reason), known, .. } => format!(
                "it is skipped ({reason}); name one of its Lambda functions in `Metadata: BuildProperties: Binary:`: {}",
                known.join(", ")
            ),
            SamError::RustBinary { known, .. } | SamError::RustBinaryUnnamed { known, .. } if known.is_empty() => "point `CodeUri` at the folder of a crate that depends on `lambda_runtime` or `lambda_http`".into(),
            SamError::RustBinary { known, .. } | SamError::RustBinaryUnnamed { known, .. } => format!(
                "name one of its Lambda functions in `Metadata: BuildProperties: Binary:`: {}",
                known.join(", ")
            ),
            SamError::CargoWorkspaces { .. } => "put the crates of the template's Rust functions in one Cargo workspace (`[workspace] members = [...]` in a Cargo.toml above them): they build in one run".into(),
            SamError::Name { .. } => "shorten the logical id to at most 64 characters: the zip is named after it".into(),
        })
    }
}

/// A template's functions and layers as a workspace rooted at its folder, with the output under
/// `dist/powertools` there; its Rust functions build in their Cargo workspace (`options`:
/// `--locked`, `--offline`).
pub fn load(template: &Path, options: &LoadOptions) -> Result<Workspace, LoadError> {
    if !template.is_file() {
        return Err(SamError::Missing {
            path: template.to_path_buf(),
        }
        .into());
    }
    let template = std::path::absolute(template).unwrap_or(template.to_path_buf());
    let root = template.parent().unwrap_or(Path::new("/")).to_path_buf();
    let text = std::fs::read_to_string(&template).map_err(|source| SamError::Read {
        path: template.clone(),
        source,
    })?;
    let document = yaml::parse(&text).map_err(|err| SamError::Yaml {
        template: template.clone(),
        message: err.0,
    })?;
    let reader = Reader {
        template: &template,
        root: &root,
        text: &text,
        document: &document,
        notes: Default::default(),
    };
    let read = reader.read()?;
    python::check_layer_references(&read.functions)?;
    let (binaries, cargo) = rust::resolve(&read.rust, &template, options)?;
    Ok(Workspace {
        manifest_path: template.clone(),
        target_dir: root.join("dist"),
        members: Vec::new(),
        binaries,
        cargo,
        skipped: read.skipped,
        recipes: Recipes::for_workspace(&root, None)?,
        python: read.functions,
        cache: None,
        notes: reader.notes.take(),
        sam: Some(SamTemplate {
            source: template.clone(),
            text: text.clone(),
            code_locations: read.code_locations,
        }),
        root,
    })
}

/// The `Metadata.BuildMethod` of a function `sam build` builds with cargo-lambda.
const RUST: &str = "rust-cargolambda";

fn build_method(resource: &Node) -> Option<&str> {
    resource.get("Metadata")?.get("BuildMethod")?.as_str()
}

struct Reader<'a> {
    template: &'a Path,
    root: &'a Path,
    text: &'a str,
    document: &'a Node,
    /// What reading noticed and `package` says (see [`Workspace::notes`]).
    notes: std::cell::RefCell<Vec<String>>,
}

#[derive(Default)]
struct Read {
    functions: Vec<PythonFunction>,
    rust: Vec<rust::RustFunction>,
    skipped: Vec<SkippedBinary>,
    code_locations: Vec<(String, std::ops::Range<usize>)>,
}

/// A resource this tool packages: its settings and where its code location is in the text.
struct Packaged {
    config: PythonConfig,
    environment: BTreeMap<String, String>,
    location: std::ops::Range<usize>,
}

impl Reader<'_> {
    fn read(&self) -> Result<Read, LoadError> {
        let Some(resources) = self
            .document
            .get("Resources")
            .filter(|r| !r.entries().is_empty())
        else {
            return Err(SamError::NoResources {
                template: self.template.to_path_buf(),
            }
            .into());
        };
        let mut read = Read::default();
        for (id, resource) in resources.entries() {
            let outcome = match resource.get("Type").and_then(Node::as_str) {
                Some("AWS::Serverless::Function") if build_method(resource) == Some(RUST) => {
                    let (function, location) = self.rust_function(id, resource)?;
                    read.rust.push(function);
                    read.code_locations.push((id.clone(), location));
                    continue;
                }
                Some("AWS::Serverless::Function") => self.function(id, resource)?,
                Some("AWS::Serverless::LayerVersion") => self.layer(id, resource)?,
                _ => continue,
            };
            match outcome {
                Ok(packaged) => {
                    let mut function =
                        python::from_config(id, &packaged.config, self.root, self.template)?;
                    function.environment = packaged.environment;
                    read.functions.push(function);
                    read.code_locations.push((id.clone(), packaged.location));
                }
                Err(reason) => read.skipped.push(SkippedBinary {
                    package: "template".into(),
                    name: id.clone(),
                    reason,
                }),
            }
        }
        Ok(read)
    }

    fn variables(node: Option<&Node>) -> &[(String, Node)] {
        node.and_then(|n| n.get("Environment"))
            .and_then(|e| e.get("Variables"))
            .map(Node::entries)
            .unwrap_or_default()
    }

    fn globals_function(&self) -> Option<&Node> {
        self.document.get("Globals")?.get("Function")
    }

    fn globals(&self, key: &str) -> Option<&Node> {
        self.globals_function()?.get(key)
    }

    /// A function's own `CodeUri`: one in `Globals.Function` alone names no function's folder.
    fn code_uri<'n>(
        &'n self,
        id: &str,
        properties: Option<&'n Node>,
    ) -> Result<&'n Node, SamError> {
        match properties.and_then(|p| p.get("CodeUri")) {
            Some(node) => Ok(node),
            None if self.globals("CodeUri").is_some() => Err(SamError::GlobalCodeUri {
                template: self.template.to_path_buf(),
                resource: id.to_string(),
            }),
            None => Err(SamError::MissingKey {
                template: self.template.to_path_buf(),
                resource: id.to_string(),
                key: "CodeUri",
            }),
        }
    }

    /// A function: `Ok(Ok(..))` to package, `Ok(Err(reason))` to skip.
    fn function(&self, id: &str, resource: &Node) -> Result<Result<Packaged, String>, SamError> {
        let properties = resource.get("Properties");
        let own = |key: &str| properties.and_then(|p| p.get(key));
        let setting = |key: &str| own(key).or_else(|| self.globals(key));
        if let Some(reason) = self.unbuildable(resource) {
            return Ok(Err(reason));
        }
        if setting("PackageType").and_then(Node::as_str) == Some("Image") {
            return Ok(Err(
                "PackageType: Image is a container image, not a zip".into()
            ));
        }
        if own("InlineCode").is_some() {
            return Ok(Err("InlineCode: the code is in the template".into()));
        }
        let runtime = setting("Runtime").and_then(Node::as_str).unwrap_or("");
        let Some(python) = runtime.strip_prefix("python") else {
            return Ok(Err(if runtime.is_empty() {
                "no Runtime: not a Python function".into()
            } else {
                format!(
                    "Runtime {runtime}: cargo-powertools packages Python functions from a SAM template"
                )
            }));
        };
        let missing = |key| SamError::MissingKey {
            template: self.template.to_path_buf(),
            resource: id.to_string(),
            key,
        };
        let handler = setting("Handler")
            .and_then(Node::as_str)
            .ok_or_else(|| missing("Handler"))?;
        let code_uri = self.code_uri(id, properties)?;
        let Some(code_uri_text) = code_uri.as_str() else {
            return Ok(Err(
                "CodeUri is not a local folder (an S3 location or an intrinsic function)".into(),
            ));
        };
        if code_uri_text.starts_with("s3://") {
            return Ok(Err("CodeUri is already in S3".into()));
        }
        let folder = self.folder(id, "CodeUri", code_uri_text)?;
        self.check_handler_module(id, handler, &folder)?;
        let architectures = self.architectures(id, setting("Architectures"))?;
        let mut layers = Vec::new();
        for node in self
            .globals("Layers")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .chain(own("Layers").map(Node::items).unwrap_or_default())
        {
            if let Some(layer) = self.layer_reference(id, node)? {
                layers.push(layer);
            }
        }
        Ok(Ok(Packaged {
            config: PythonConfig {
                path: PathBuf::from(code_uri_text),
                python: Some(python.to_string()),
                handler: Some(handler.to_string()),
                architectures: Some(architectures),
                layers: Some(layers),
                ..Default::default()
            },
            environment: self.environment(id, properties),
            location: self.location(id, "CodeUri", code_uri)?,
        }))
    }

    /// A layer built with `BuildMethod: python3.x`, for its one build architecture (SAM builds a
    /// layer once: `Metadata.BuildArchitecture`, else its only compatible architecture, else x86_64).
    fn layer(&self, id: &str, resource: &Node) -> Result<Result<Packaged, String>, SamError> {
        let build_method = resource
            .get("Metadata")
            .and_then(|m| m.get("BuildMethod"))
            .and_then(Node::as_str);
        let Some(python) = build_method.and_then(|m| m.strip_prefix("python")) else {
            return Ok(Err(match build_method {
                Some(method) => format!("Metadata.BuildMethod {method}: not a Python layer"),
                None => "no Metadata.BuildMethod: SAM zips the folder as it is".into(),
            }));
        };
        let properties = resource.get("Properties");
        let Some(content_uri) = properties.and_then(|p| p.get("ContentUri")) else {
            return Err(SamError::MissingKey {
                template: self.template.to_path_buf(),
                resource: id.to_string(),
                key: "ContentUri",
            });
        };
        let Some(content_uri_text) = content_uri.as_str() else {
            return Ok(Err("ContentUri is not a local folder".into()));
        };
        self.folder(id, "ContentUri", content_uri_text)?;
        let build_architecture = resource
            .get("Metadata")
            .and_then(|m| m.get("BuildArchitecture"));
        let compatible = self.architectures(
            id,
            properties.and_then(|p| p.get("CompatibleArchitectures")),
        )?;
        let arch = match build_architecture {
            Some(node) => self.architectures(id, Some(node))?[0],
            None if compatible.len() == 1 => compatible[0],
            None => Arch::X86_64,
        };
        Ok(Ok(Packaged {
            config: PythonConfig {
                path: PathBuf::from(content_uri_text),
                python: Some(python.to_string()),
                architectures: Some(vec![arch]),
                layer: true,
                ..Default::default()
            },
            environment: BTreeMap::new(),
            location: self.location(id, "ContentUri", content_uri)?,
        }))
    }

    /// A function built with `BuildMethod: rust-cargolambda`, and where its CodeUri is in the text.
    fn rust_function(
        &self,
        id: &str,
        resource: &Node,
    ) -> Result<(rust::RustFunction, std::ops::Range<usize>), SamError> {
        let properties = resource.get("Properties");
        let own = |key: &str| properties.and_then(|p| p.get(key));
        let setting = |key: &str| own(key).or_else(|| self.globals(key));
        let missing = |key| SamError::MissingKey {
            template: self.template.to_path_buf(),
            resource: id.to_string(),
            key,
        };
        let runtime = setting("Runtime")
            .and_then(Node::as_str)
            .ok_or_else(|| missing("Runtime"))?;
        let runtime = runtime
            .parse::<OsRuntime>()
            .map_err(|_| SamError::RustRuntime {
                template: self.template.to_path_buf(),
                resource: id.to_string(),
                value: runtime.to_string(),
            })?;
        let code_uri = self.code_uri(id, properties)?;
        let not_a_folder = || SamError::NotAFolder {
            template: self.template.to_path_buf(),
            resource: id.to_string(),
            key: "CodeUri",
            value: code_uri.as_str().unwrap_or("(not a string)").to_string(),
        };
        let code_uri_text = code_uri
            .as_str()
            .filter(|uri| !uri.starts_with("s3://"))
            .ok_or_else(not_a_folder)?;
        let folder = self.folder(id, "CodeUri", code_uri_text)?;
        let cargo_toml = folder.join("Cargo.toml");
        if !cargo_toml.is_file() {
            return Err(SamError::NoCargoToml {
                template: self.template.to_path_buf(),
                resource: id.to_string(),
                folder,
            });
        }
        let binary = resource
            .get("Metadata")
            .and_then(|m| m.get("BuildProperties"))
            .and_then(|p| p.get("Binary"))
            .and_then(Node::as_str)
            .map(str::to_string);
        let function = rust::RustFunction {
            id: id.to_string(),
            cargo_toml,
            binary,
            architectures: self.architectures(id, setting("Architectures"))?,
            runtime,
            environment: self.environment(id, properties),
        };
        Ok((function, self.location(id, "CodeUri", code_uri)?))
    }

    /// `Environment.Variables` of `Globals.Function` and then of the function's `properties`, with
    /// literal values only: a value given by an intrinsic function (`!Ref`, `!Sub`, ...) is only
    /// known once CloudFormation deploys the template, so it is left out with a note.
    fn environment(&self, id: &str, properties: Option<&Node>) -> BTreeMap<String, String> {
        let globals = self.globals_function();
        let mut merged: BTreeMap<&str, &Node> = BTreeMap::new();
        for (key, value) in Self::variables(globals)
            .iter()
            .chain(Self::variables(properties))
        {
            merged.insert(key, value);
        }
        let mut literal = BTreeMap::new();
        let mut deployed = Vec::new();
        for (key, value) in merged {
            match value.as_str() {
                Some(text) => {
                    literal.insert(key.to_string(), text.to_string());
                }
                None => deployed.push(key),
            }
        }
        if !deployed.is_empty() {
            self.notes.borrow_mut().push(format!(
                "{id}: `verify --invoke` runs without {}, which an intrinsic function sets when CloudFormation deploys the template",
                deployed.join(", ")
            ));
        }
        literal
    }

    /// Why a function cannot be built here, from its `Metadata.BuildMethod`.
    fn unbuildable(&self, resource: &Node) -> Option<String> {
        let method = build_method(resource)?;
        match method {
            m if m.starts_with("python") => None,
            "makefile" => Some("Metadata.BuildMethod makefile: built by its own Makefile".into()),
            other => Some(format!("Metadata.BuildMethod {other}: not a Python build")),
        }
    }

    /// The folder a code location names, checked to be inside the template's folder.
    fn folder(&self, id: &str, key: &'static str, value: &str) -> Result<PathBuf, SamError> {
        let folder = self.root.join(value);
        let error = |outside: bool| {
            let (template, resource, value) = (
                self.template.to_path_buf(),
                id.to_string(),
                value.to_string(),
            );
            if outside {
                SamError::Outside {
                    template,
                    resource,
                    key,
                    value,
                }
            } else {
                SamError::NotAFolder {
                    template,
                    resource,
                    key,
                    value,
                }
            }
        };
        let canonical = folder.canonicalize().map_err(|_| error(false))?;
        let root = self.root.canonicalize().unwrap_or(self.root.to_path_buf());
        if !canonical.starts_with(&root) {
            return Err(error(true));
        }
        if !canonical.is_dir() {
            return Err(error(false));
        }
        Ok(folder)
    }

    fn check_handler_module(&self, id: &str, handler: &str, folder: &Path) -> Result<(), SamError> {
        let module = handler.rsplit_once('.').map_or(handler, |(m, _)| m);
        let path = module.replace('.', "/");
        let file = format!("{path}.py");
        if folder.join(&file).is_file() || folder.join(&path).join("__init__.py").is_file() {
            return Ok(());
        }
        Err(SamError::HandlerModule {
            template: self.template.to_path_buf(),
            resource: id.to_string(),
            handler: handler.to_string(),
            module: file,
            folder: folder.to_path_buf(),
        })
    }

    /// `Architectures: [arm64]` (default x86_64, as Lambda's).
    fn architectures(&self, id: &str, node: Option<&Node>) -> Result<Vec<Arch>, SamError> {
        let Some(node) = node else {
            return Ok(vec![Arch::X86_64]);
        };
        let values: Vec<&Node> = match node {
            Node::Sequence(items, _) => items.iter().collect(),
            other => vec![other],
        };
        let mut arches = Vec::new();
        for value in values {
            let text = value.as_str().unwrap_or("");
            let arch = text.parse::<Arch>().map_err(|_| SamError::Architecture {
                template: self.template.to_path_buf(),
                resource: id.to_string(),
                value: text.to_string(),
            })?;
            arches.push(arch);
        }
        if arches.is_empty() {
            arches.push(Arch::X86_64);
        }
        Ok(arches)
    }

    /// The layer of this template that `node` (`!Ref Name`) names, if it is one this tool packages;
    /// a layer given by ARN or parameter is Lambda's to attach.
    fn layer_reference(&self, id: &str, node: &Node) -> Result<Option<String>, SamError> {
        let Node::Scalar { value, tag, .. } = node else {
            return Ok(None);
        };
        if tag.as_deref() != Some("!Ref") {
            return Ok(None);
        }
        let resource = self.document.get("Resources").and_then(|r| r.get(value));
        let parameter = self.document.get("Parameters").and_then(|p| p.get(value));
        match (resource, parameter) {
            (Some(resource), _) => {
                let is_python_layer = resource.get("Type").and_then(Node::as_str)
                    == Some("AWS::Serverless::LayerVersion")
                    && resource
                        .get("Metadata")
                        .and_then(|m| m.get("BuildMethod"))
                        .and_then(Node::as_str)
                        .is_some_and(|m| m.starts_with("python"));
                Ok(is_python_layer.then(|| value.clone()))
            }
            (None, Some(_)) => Ok(None),
            (None, None) => Err(SamError::UnknownLayer {
                template: self.template.to_path_buf(),
                resource: id.to_string(),
                layer: value.clone(),
            }),
        }
    }

    fn location(
        &self,
        id: &str,
        key: &'static str,
        node: &Node,
    ) -> Result<std::ops::Range<usize>, SamError> {
        node.span(self.text).ok_or_else(|| SamError::MultiLine {
            template: self.template.to_path_buf(),
            resource: id.to_string(),
            key,
        })
    }
}
