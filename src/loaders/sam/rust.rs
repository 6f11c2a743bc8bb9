//! A template's Rust functions (`Metadata.BuildMethod: rust-cargolambda`, as `sam build` builds
//! them with cargo-lambda): each `CodeUri` names a folder with a Cargo.toml, and
//! `Metadata.BuildProperties.Binary` one of its binaries. They are read with `cargo metadata` as a
//! Cargo workspace's are, and built by the Rust path, one zip per function per architecture, each
//! named after its resource.
use super::SamError;
use crate::loaders::LoadError;
use crate::model::{Arch, BinaryKind, Name, OsRuntime};
use crate::workspace::{self, CargoBuild, LambdaBinary, LoadOptions, Workspace};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A Rust function as the template declares it.
pub(super) struct RustFunction {
    pub id: String,
    /// `<CodeUri>/Cargo.toml`.
    pub cargo_toml: PathBuf,
    /// `Metadata.BuildProperties.Binary`.
    pub binary: Option<String>,
    pub architectures: Vec<Arch>,
    pub runtime: OsRuntime,
    pub environment: BTreeMap<String, String>,
}

/// The binaries to build for `functions`, and the one Cargo workspace they build in.
pub(super) fn resolve(
    functions: &[RustFunction],
    template: &Path,
    load: &LoadOptions,
) -> Result<(Vec<LambdaBinary>, Option<CargoBuild>), LoadError> {
    let mut loaded: BTreeMap<&Path, Workspace> = BTreeMap::new();
    let mut build: Option<(&str, CargoBuild)> = None;
    let mut binaries = Vec::new();
    for function in functions {
        if !loaded.contains_key(function.cargo_toml.as_path()) {
            let options = LoadOptions {
                manifest_path: Some(function.cargo_toml.clone()),
                ..load.clone()
            };
            loaded.insert(&function.cargo_toml, workspace::load(&options)?);
        }
        let cargo = &loaded[function.cargo_toml.as_path()];
        let this = cargo.cargo_build();
        match &build {
            Some((first, build)) if build.root != this.root => {
                return Err(SamError::CargoWorkspaces {
                    template: template.to_path_buf(),
                    first: first.to_string(),
                    first_root: build.root.clone(),
                    second: function.id.clone(),
                    second_root: this.root.clone(),
                }
                .into());
            }
            Some(_) => {}
            None => build = Some((&function.id, this)),
        }
        binaries.push(binary_for(function, cargo, template)?);
    }
    Ok((binaries, build.map(|(_, build)| build)))
}

/// The Cargo binary `function` names, as the artifact of its resource.
fn binary_for(
    function: &RustFunction,
    cargo: &Workspace,
    template: &Path,
) -> Result<LambdaBinary, SamError> {
    let same = |a: &Path, b: &Path| a.canonicalize().ok() == b.canonicalize().ok();
    // A CodeUri at the workspace's root may name any member's binary; a member's, only its own.
    let at_root = same(&function.cargo_toml, &cargo.manifest_path);
    let candidates: Vec<&LambdaBinary> = cargo
        .binaries
        .iter()
        .filter(|b| b.kind == BinaryKind::Function)
        .filter(|b| at_root || same(&b.manifest_path, &function.cargo_toml))
        .collect();
    let known = || candidates.iter().map(|b| b.bin.clone()).collect();
    let Some(binary) = &function.binary else {
        return match candidates.as_slice() {
            [only] => as_resource(function, only, template),
            _ => Err(SamError::RustBinaryUnnamed {
                resource: function.id.clone(),
                cargo_toml: function.cargo_toml.clone(),
                known: known(),
            }),
        };
    };
    match candidates.iter().find(|b| b.bin == *binary) {
        Some(found) => as_resource(function, found, template),
        None => Err(SamError::RustBinary {
            resource: function.id.clone(),
            binary: binary.clone(),
            cargo_toml: function.cargo_toml.clone(),
            known: known(),
            skipped: cargo
                .skipped
                .iter()
                .find(|s| s.name == *binary)
                .map(|s| s.reason.clone()),
        }),
    }
}

/// `found` as the artifact of `function`'s resource, with the template's settings.
fn as_resource(
    function: &RustFunction,
    found: &LambdaBinary,
    template: &Path,
) -> Result<LambdaBinary, SamError> {
    let name = Name::new(&function.id).map_err(|reason| SamError::Name {
        template: template.to_path_buf(),
        resource: function.id.clone(),
        reason,
    })?;
    Ok(LambdaBinary {
        name,
        architectures: function.architectures.clone(),
        runtime: function.runtime,
        // `BuildMethod: rust-cargolambda`: the default recipe, or `--recipe`.
        recipe: None,
        environment: function.environment.clone(),
        ..found.clone()
    })
}
