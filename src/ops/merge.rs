//! `cargo powertools merge`: the output directories of several `package` runs (shards by
//! `--shard` or `--arch`, built on as many machines) into the one output a single run would have
//! written: same paths, same order, same bytes. Zips are byte-reproducible, so this is exact.
use crate::archive;
use crate::errors::{Error, MergeError};
use crate::manifest::{self, Artifact, Manifest};
use crate::message::Outcome;
use crate::ops::report;
use crate::output::{Committed, OutDir};
use crate::parallel;
use crate::shell::Shell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct MergeOptions {
    pub out_dir: PathBuf,
    /// Output directories or their manifest.json.
    pub shards: Vec<PathBuf>,
    /// Take over an out-dir holding files this tool did not write.
    pub force: bool,
}

#[derive(Debug)]
pub struct MergeReport {
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
    /// The output directory was already what the merge would write.
    pub unchanged: bool,
}

impl MergeReport {
    /// What the `finished` line says.
    pub fn outcome(&self) -> Outcome {
        Outcome::Merged {
            manifest: self.manifest_path.clone(),
            unchanged: self.unchanged,
        }
    }
}

/// One shard: where its manifest is, what it lists.
struct Shard {
    path: PathBuf,
    dir: PathBuf,
    manifest: Manifest,
}

fn read_shard(path: &Path) -> Result<Shard, MergeError> {
    let manifest_path = if path.is_dir() {
        path.join(manifest::FILE_NAME)
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&manifest_path).map_err(|source| MergeError::Read {
        path: manifest_path.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|err| MergeError::Parse {
        path: manifest_path.clone(),
        message: err.to_string(),
    })?;
    if manifest.version != manifest::FORMAT_VERSION {
        return Err(MergeError::Parse {
            path: manifest_path,
            message: format!(
                "its version is {}, this cargo-powertools writes {}",
                manifest.version,
                manifest::FORMAT_VERSION
            ),
        });
    }
    let dir = manifest_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(Shard {
        path: path.to_path_buf(),
        dir,
        manifest,
    })
}

/// Checks a shard's zip against its manifest entry (size and SHA-256, streaming, read once).
fn check_zip(shard: &Shard, artifact: &Artifact) -> Result<PathBuf, MergeError> {
    let mismatch = |problem: String| MergeError::Mismatch {
        shard: shard.path.clone(),
        zip: artifact.path.clone(),
        problem,
    };
    let relative = Path::new(&artifact.path);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(mismatch("its path is not inside the shard".into()));
    }
    let zip = shard.dir.join(relative);
    let digest = archive::sha256_file(&zip).map_err(|err| mismatch(format!("{err}")))?;
    let size = std::fs::metadata(&zip).map(|m| m.len()).unwrap_or(0);
    if manifest::hex(&digest) != artifact.sha256 {
        return Err(mismatch(format!(
            "its sha256 is {}, the manifest says {}",
            manifest::hex(&digest),
            artifact.sha256
        )));
    }
    if size != artifact.size {
        return Err(mismatch(format!(
            "it is {size} bytes, the manifest says {}",
            artifact.size
        )));
    }
    Ok(zip)
}

/// Merges the shards into `out_dir`, atomically like `package`.
pub fn merge(options: &MergeOptions, shell: &Shell) -> Result<MergeReport, Error> {
    let shards = options
        .shards
        .iter()
        .map(|path| read_shard(path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::from)?;
    warn_about_differences(&shards, shell);

    // Every zip checked against its shard's manifest (a thread per core), then the union.
    let listed: Vec<(usize, &Artifact)> = shards
        .iter()
        .enumerate()
        .flat_map(|(index, shard)| shard.manifest.artifacts.iter().map(move |a| (index, a)))
        .collect();
    let checked = parallel::map(listed, |(index, artifact)| {
        check_zip(&shards[index], artifact).map(|zip| (index, artifact, zip))
    });
    let mut union: BTreeMap<String, (usize, &Artifact, PathBuf)> = BTreeMap::new();
    for entry in checked {
        let (index, artifact, zip) = entry.map_err(Error::from)?;
        if let Some((first, existing, _)) = union.get(&artifact.path) {
            if existing.sha256 != artifact.sha256 || *existing != artifact {
                return Err(MergeError::Conflict {
                    function: artifact.function.clone(),
                    arch: artifact.arch.to_string(),
                    first: format!(
                        "{} (sha256 {})",
                        shards[*first].path.display(),
                        existing.sha256
                    ),
                    second: format!(
                        "{} (sha256 {})",
                        shards[index].path.display(),
                        artifact.sha256
                    ),
                }
                .into());
            }
            continue;
        }
        union.insert(artifact.path.clone(), (index, artifact, zip));
    }

    let out = OutDir::open(&options.out_dir, report::blocking(shell, "another run"))?
        .forcing(options.force);
    let arches: Vec<_> = crate::model::Arch::ALL
        .into_iter()
        .filter(|arch| union.values().any(|(_, a, _)| a.arch == *arch))
        .collect();
    out.check_layout(&arches)?;
    let staging = out.stage()?;
    let generation = staging.generation();
    for (_, artifact, zip) in union.values() {
        let dest = generation.join(&artifact.path);
        let output_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Output { path, source }
        };
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(output_err(parent))?;
        }
        if std::fs::hard_link(zip, &dest).is_err() {
            std::fs::copy(zip, &dest).map_err(output_err(&dest))?;
        }
    }
    let manifest = Manifest::new(union.into_values().map(|(_, a, _)| a.clone()).collect());
    let committed = out.commit(staging, &manifest)?;
    let commit = report::Commit {
        out_dir: &options.out_dir,
        manifest: &manifest,
        committed,
        verb: "Merged",
        from: Some(format!("from {} shard(s)", shards.len())),
    };
    let manifest_path = report::finished(shell, &commit);
    Ok(MergeReport {
        manifest_path,
        manifest,
        unchanged: committed == Committed::Unchanged,
    })
}

/// A shard written by another cargo-powertools version, or whose recipes ran other tool versions
/// than another shard's, is named in a warning: its zips may differ from what one run would give.
fn warn_about_differences(shards: &[Shard], shell: &Shell) {
    let own = format!("cargo-powertools {}", env!("CARGO_PKG_VERSION"));
    for shard in shards {
        if shard.manifest.generator != own {
            shell.warning(
                format!(
                    "{} was written by {}, this is {own}",
                    shard.path.display(),
                    shard.manifest.generator
                ),
                None,
            );
        }
    }
    // The tools each recipe ran, per shard: the first shard that used a recipe sets the reference.
    type Tools = BTreeMap<String, String>;
    let mut seen: BTreeMap<(String, String), (&Path, &Tools)> = BTreeMap::new();
    for shard in shards {
        for artifact in &shard.manifest.artifacts {
            let key = (artifact.recipe.clone(), artifact.target.clone());
            match seen.get(&key) {
                None => {
                    seen.insert(key, (&shard.path, &artifact.tools));
                }
                Some((first, tools)) if *tools != &artifact.tools && *first != shard.path => {
                    shell.warning(
                        format!(
                            "{} built `{}` with recipe {} and tools {}, but {} used {}",
                            shard.path.display(),
                            artifact.function,
                            artifact.recipe,
                            describe(&artifact.tools),
                            first.display(),
                            describe(tools)
                        ),
                        None,
                    );
                }
                Some(_) => {}
            }
        }
    }
}

fn describe(tools: &BTreeMap<String, String>) -> String {
    tools
        .iter()
        .map(|(name, version)| format!("{name} {version}"))
        .collect::<Vec<_>>()
        .join(", ")
}
