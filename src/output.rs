//! The output directory, replaced all at once: after any failure at any point (a full disk, a file in
//! the way, `kill -9`), it shows the complete earlier set of zips and manifest or the complete new one.
//!
//! Each run writes a new *generation* (zips and manifest) in a hidden folder, and switches to it by
//! renaming one symbolic link, which the kernel does atomically. The paths users and tools read stay
//! `<out>/<arch>/<name>.zip` and `<out>/manifest.json`, through fixed links:
//!
//! ```text
//! <out>/manifest.json -> .powertools/current/manifest.json
//! <out>/<arch>        -> .powertools/current/<arch>
//! <out>/.powertools/current -> g-<hash>       the one thing a run replaces
//! <out>/.powertools/g-<hash>/                 a complete generation, named by its manifest's hash
//! <out>/.powertools/tmp-*/                    a run in progress (the next run removes what is left)
//! <out>/.powertools/lock                      held by the run writing this directory
//! ```
//!
//! The current generation and the one before it are kept, so that a reader which resolved the old
//! one just before the switch can finish reading it.
use crate::manifest::{self, Manifest};
use crate::model::Arch;
use crate::platform;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The hidden folder holding the generations, inside the output directory.
pub const STATE_DIR: &str = ".powertools";
const CURRENT: &str = "current";
/// The SAM template written beside the zips (`package --sam-template`), when there is one.
const TEMPLATE: &str = crate::sam_template::FILE_NAME;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("could not write {}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is {found}, where cargo-powertools puts {what}", .path.display())]
    Occupied {
        path: PathBuf,
        found: String,
        what: String,
    },
    #[error("{} holds {}cargo-powertools did not write: {}", .path.display(), if .files.len() == 1 { "a file " } else { "files " }, .files.join(", "))]
    NotOurs { path: PathBuf, files: Vec<String> },
    #[error("could not lock the output directory {}", .path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl OutputError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            OutputError::Io { source, .. } if platform::is_link_privilege_error(source) => {
                "creating symbolic links on Windows needs Developer Mode (Settings > System > For developers) or an administrator's shell".into()
            }
            OutputError::Io { .. } | OutputError::Lock { .. } => {
                "check that the output directory (`--out-dir`) is writable (and not immutable: `lsattr -d DIR`) and that its disk has room".into()
            }
            OutputError::Occupied { .. } => {
                "move or delete it, or choose another output directory with `--out-dir`".into()
            }
            OutputError::NotOurs { .. } => {
                "move them elsewhere or choose another output directory with `--out-dir`; `--force` replaces them, deleting them".into()
            }
        })
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn symlink(target: &Path, link: &Path, target_is_dir: bool) -> Result<(), OutputError> {
    platform::symlink(target, link, target_is_dir).map_err(io_err(link))
}

/// An output directory, locked for this process.
#[derive(Debug)]
pub struct OutDir {
    root: PathBuf,
    state: PathBuf,
    /// Take over real folders and a manifest at the top level even when they hold files this
    /// tool did not write (`--force`).
    force: bool,
    _lock: File,
}

/// A generation being written: zips go under [`Staging::generation`], scratch files (builds,
/// installs) under [`Staging::work`]. Dropped without [`OutDir::commit`], it vanishes.
#[derive(Debug)]
pub struct Staging {
    dir: tempfile::TempDir,
}

impl Staging {
    /// Where the new generation's files go, by their manifest `path`.
    pub fn generation(&self) -> PathBuf {
        self.dir.path().join("generation")
    }

    /// Scratch space for this run, on the same filesystem as the output.
    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }
}

/// What [`OutDir::commit`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Committed {
    /// The new generation is the current one already: nothing was touched.
    Unchanged,
    /// The output now shows the new generation.
    Replaced,
}

impl OutDir {
    /// Creates (if needed) and locks the output directory, waiting for another run that holds it
    /// (`on_wait` is told first), then removes what interrupted runs left behind.
    pub fn open(root: &Path, on_wait: impl FnOnce(&Path)) -> Result<OutDir, OutputError> {
        let state = root.join(STATE_DIR);
        std::fs::create_dir_all(&state).map_err(io_err(&state))?;
        let lock_path = state.join("lock");
        let lock_err = |source| OutputError::Lock {
            path: root.to_path_buf(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                on_wait(root);
                file.lock().map_err(lock_err)?;
            }
            Err(std::fs::TryLockError::Error(err)) => return Err(lock_err(err)),
        }
        let out = OutDir {
            root: root.to_path_buf(),
            state,
            force: false,
            _lock: file,
        };
        out.remove_leftovers();
        Ok(out)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `--force`: replace what is at the output's paths even if this tool did not write it.
    pub fn forcing(mut self, force: bool) -> OutDir {
        self.force = force;
        self
    }

    /// Removes the staging folders of interrupted runs. Best effort: they are invisible anyway.
    fn remove_leftovers(&self) {
        let Ok(entries) = std::fs::read_dir(&self.state) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with("tmp-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }

    /// Checks, before anything is built, that the paths the output for `arches` will be read at
    /// can be ours: absent, our links, or an earlier version's real folders and manifest.
    pub fn check_layout(&self, arches: &[Arch]) -> Result<(), OutputError> {
        self.top_level(manifest::FILE_NAME, false)?;
        // No earlier version wrote a template: a real file there is the user's (their own
        // template, when the out-dir is the application's folder).
        if self.top_level(TEMPLATE, false)? == TopLevel::Legacy {
            return Err(OutputError::Occupied {
                path: self.root.join(TEMPLATE),
                found: "a file".into(),
                what: "the SAM template of the zips".into(),
            });
        }
        for arch in arches {
            self.top_level(arch.as_str(), true)?;
        }
        if !self.force {
            self.check_legacy_is_ours()?;
        }
        Ok(())
    }

    /// Real folders and a manifest at the top level are taken over (and so, in time, deleted) only
    /// when they are what an earlier version of this tool wrote: a manifest it generated, and in
    /// the arch folders only the zips that manifest lists. Anything else is the user's.
    fn check_legacy_is_ours(&self) -> Result<(), OutputError> {
        let manifest_path = self.root.join(manifest::FILE_NAME);
        let mut listed = std::collections::BTreeSet::new();
        if self.top_level(manifest::FILE_NAME, false)? == TopLevel::Legacy {
            let ours = std::fs::read(&manifest_path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
                .filter(|m| m.generator.starts_with("cargo-powertools "));
            let Some(manifest) = ours else {
                return Err(OutputError::NotOurs {
                    path: self.root.clone(),
                    files: vec![manifest::FILE_NAME.to_string()],
                });
            };
            listed.extend(manifest.artifacts.into_iter().map(|a| a.path));
        }
        for arch in Arch::ALL {
            if self.top_level(arch.as_str(), true)? != TopLevel::Legacy {
                continue;
            }
            let folder = self.root.join(arch.as_str());
            let foreign: Vec<String> = walkdir::WalkDir::new(&folder)
                .min_depth(1)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|entry| !entry.file_type().is_dir())
                .filter_map(|entry| {
                    let relative = entry.path().strip_prefix(&self.root).ok()?;
                    let relative = relative.to_string_lossy().replace('\\', "/");
                    (!listed.contains(&relative)).then_some(relative)
                })
                .collect();
            if !foreign.is_empty() {
                return Err(OutputError::NotOurs {
                    path: folder,
                    files: foreign,
                });
            }
        }
        Ok(())
    }

    /// What is at `<out>/<name>` now.
    fn top_level(&self, name: &str, is_dir: bool) -> Result<TopLevel, OutputError> {
        let path = self.root.join(name);
        let what = if is_dir {
            format!("the folder of {name} zips")
        } else if name == TEMPLATE {
            "the SAM template of the zips".to_string()
        } else {
            "the manifest".to_string()
        };
        let occupied = |found: String| OutputError::Occupied {
            path: path.clone(),
            found,
            what: what.clone(),
        };
        let metadata = match std::fs::symlink_metadata(&path) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(TopLevel::Absent),
            Err(err) => return Err(io_err(&path)(err)),
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            let target = std::fs::read_link(&path).map_err(io_err(&path))?;
            if target == link_target(name) {
                return Ok(TopLevel::Ours);
            }
            return Err(occupied(format!("a symbolic link to {}", target.display())));
        }
        match (is_dir, kind.is_dir(), kind.is_file()) {
            (true, true, _) | (false, _, true) => Ok(TopLevel::Legacy),
            (_, true, _) => Err(occupied("a folder".into())),
            (_, _, true) => Err(occupied("a file".into())),
            _ => Err(occupied("neither a file nor a folder".into())),
        }
    }

    /// A new, empty generation to write into.
    pub fn stage(&self) -> Result<Staging, OutputError> {
        let dir = tempfile::Builder::new()
            .prefix("tmp-")
            .tempdir_in(&self.state)
            .map_err(io_err(&self.state))?;
        let staging = Staging { dir };
        for sub in [staging.generation(), staging.work()] {
            std::fs::create_dir_all(&sub).map_err(io_err(&sub))?;
        }
        Ok(staging)
    }

    /// The folder of the generation the output shows now, if it is one of ours.
    pub fn current(&self) -> Option<PathBuf> {
        let target = std::fs::read_link(self.state.join(CURRENT)).ok()?;
        let dir = self.state.join(target);
        dir.is_dir().then_some(dir)
    }

    /// Makes `staging`, completed by `manifest` (whose paths its files are at), the output.
    /// The switch is one rename; everything before it is invisible, everything after it tidies up.
    pub fn commit(&self, staging: Staging, manifest: &Manifest) -> Result<Committed, OutputError> {
        let bytes = manifest.to_bytes();
        let name = format!(
            "g-{}",
            &manifest::hex(&crate::archive::sha256(&bytes))[..16]
        );
        let current = self.current();
        let arches: Vec<Arch> = Arch::ALL
            .into_iter()
            .filter(|arch| manifest.artifacts.iter().any(|a| a.arch == *arch))
            .collect();
        // Checked again: the user may have put something in the way while we were building.
        self.check_layout(&arches)?;
        let legacy = self.has_legacy()?;
        let files: Vec<&str> = std::iter::once(manifest::FILE_NAME)
            .chain(manifest.template.as_ref().map(|_| TEMPLATE))
            .collect();
        if !legacy && current.as_deref() == Some(self.state.join(&name).as_path()) {
            // Links someone removed come back; nothing else is touched.
            for arch in &arches {
                self.link_top_level(arch.as_str())?;
            }
            for file in &files {
                self.link_top_level(file)?;
            }
            return Ok(Committed::Unchanged);
        }

        // The fixed links first: until the switch they show the current generation (or nothing),
        // and a folder that cannot take them fails the run before anything else is written.
        for arch in &arches {
            self.link_top_level(arch.as_str())?;
        }
        for file in &files {
            self.link_top_level(file)?;
        }
        let generation = self.state.join(&name);
        let created = !generation.is_dir();
        if created {
            let staged = staging.generation();
            let manifest_path = staged.join(manifest::FILE_NAME);
            write_synced(&manifest_path, &bytes).map_err(io_err(&manifest_path))?;
            std::fs::rename(&staged, &generation).map_err(io_err(&generation))?;
        }
        let previous = self.current();
        let switched = (if legacy { self.adopt_legacy() } else { Ok(()) })
            .and_then(|()| self.switch_to(&name));
        if let Err(err) = switched {
            // Not switched to: the new generation goes, so the folder is as it was.
            if created && self.current().as_deref() != Some(generation.as_path()) {
                let _ = std::fs::remove_dir_all(&generation);
            }
            return Err(err);
        }

        // Tidy up; a failure here leaves a consistent output, so it is not an error.
        for arch in Arch::ALL.into_iter().filter(|a| !arches.contains(a)) {
            let path = self.root.join(arch.as_str());
            if matches!(self.top_level(arch.as_str(), true), Ok(TopLevel::Ours)) {
                let _ = std::fs::remove_file(path);
            }
        }
        if manifest.template.is_none()
            && matches!(self.top_level(TEMPLATE, false), Ok(TopLevel::Ours))
        {
            let _ = std::fs::remove_file(self.root.join(TEMPLATE));
        }
        self.remove_old_generations(&name, previous.as_deref());
        Ok(Committed::Replaced)
    }

    /// Replaces only the manifest (as `openapi` does to record its document): a new generation of
    /// the current one's zips, hard-linked, with `manifest`, switched to like any other.
    pub fn replace_manifest(&self, manifest: &Manifest) -> Result<Committed, OutputError> {
        let staging = self.stage()?;
        let generation = staging.generation();
        let from = self.current().or_else(|| {
            // An earlier version's layout: its arch folders are the zips.
            Some(self.root.clone())
        });
        if let Some(from) = from {
            for artifact in &manifest.artifacts {
                let source = from.join(&artifact.path);
                let dest = generation.join(&artifact.path);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(io_err(parent))?;
                }
                if source.is_file() {
                    link_or_copy(&source, &dest)?;
                }
            }
            if let Some(template) = &manifest.template {
                let source = from.join(&template.path);
                if source.is_file() {
                    link_or_copy(&source, &generation.join(&template.path))?;
                }
            }
            let inputs = from.join(".inputs.json");
            if inputs.is_file() {
                link_or_copy(&inputs, &generation.join(".inputs.json"))?;
            }
        }
        self.commit(staging, manifest)
    }

    /// Whether an earlier version's real manifest or arch folders are at the top level.
    fn has_legacy(&self) -> Result<bool, OutputError> {
        if self.top_level(manifest::FILE_NAME, false)? == TopLevel::Legacy {
            return Ok(true);
        }
        for arch in Arch::ALL {
            if self.top_level(arch.as_str(), true)? == TopLevel::Legacy {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Turns an earlier version's layout (real folders and manifest at the top level) into a
    /// generation without changing what any path shows at any moment: its files are hard-linked
    /// into a generation, `current` points at it, then each top-level entry is *exchanged* with
    /// its link in one step.
    fn adopt_legacy(&self) -> Result<(), OutputError> {
        let scratch = tempfile::Builder::new()
            .prefix("tmp-legacy-")
            .tempdir_in(&self.state)
            .map_err(io_err(&self.state))?;
        let mut names = Vec::new();
        if self.top_level(manifest::FILE_NAME, false)? == TopLevel::Legacy {
            let dest = scratch.path().join(manifest::FILE_NAME);
            link_or_copy(&self.root.join(manifest::FILE_NAME), &dest)?;
            names.push(manifest::FILE_NAME);
        }
        for arch in Arch::ALL {
            if self.top_level(arch.as_str(), true)? == TopLevel::Legacy {
                let from = self.root.join(arch.as_str());
                for entry in walkdir::WalkDir::new(&from).min_depth(1) {
                    let entry = entry.map_err(|e| io_err(&from)(e.into()))?;
                    let dest = scratch
                        .path()
                        .join(arch.as_str())
                        .join(entry.path().strip_prefix(&from).unwrap_or(entry.path()));
                    if entry.file_type().is_dir() {
                        std::fs::create_dir_all(&dest).map_err(io_err(&dest))?;
                    } else if entry.file_type().is_file() {
                        if let Some(parent) = dest.parent() {
                            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
                        }
                        link_or_copy(entry.path(), &dest)?;
                    }
                }
                std::fs::create_dir_all(scratch.path().join(arch.as_str()))
                    .map_err(io_err(scratch.path()))?;
                names.push(arch.as_str());
            }
        }
        let name = format!(
            "g-legacy-{}",
            scratch
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().replace("tmp-legacy-", ""))
                .unwrap_or_default()
        );
        let generation = self.state.join(&name);
        std::fs::rename(scratch.keep(), &generation).map_err(io_err(&generation))?;
        self.switch_to(&name)?;
        for name in names {
            let path = self.root.join(name);
            let link = self.root.join(format!(".{name}.powertools-link"));
            let _ = std::fs::remove_file(&link);
            symlink(&link_target(name), &link, name != manifest::FILE_NAME)?;
            platform::exchange(&link, &path).map_err(io_err(&path))?;
            // `link` now names the earlier real entry, whose files live on in the generation.
            let removed = if link.is_dir() && !link.is_symlink() {
                std::fs::remove_dir_all(&link)
            } else {
                std::fs::remove_file(&link)
            };
            removed.map_err(io_err(&link))?;
        }
        Ok(())
    }

    /// Creates `<out>/<name>` as the fixed link into `current`, if it is not there yet.
    fn link_top_level(&self, name: &str) -> Result<(), OutputError> {
        let is_dir = Arch::ALL.iter().any(|arch| arch.as_str() == name);
        if self.top_level(name, is_dir)? == TopLevel::Absent {
            let path = self.root.join(name);
            symlink(&link_target(name), &path, is_dir)?;
        }
        Ok(())
    }

    /// Points `current` at generation `name`: a new link renamed over the old one, atomically.
    fn switch_to(&self, name: &str) -> Result<(), OutputError> {
        let next = self.state.join(format!("{CURRENT}.next"));
        let _ = std::fs::remove_file(&next);
        symlink(Path::new(name), &next, true)?;
        let current = self.state.join(CURRENT);
        std::fs::rename(&next, &current).map_err(io_err(&current))?;
        if let Ok(dir) = File::open(&self.state) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Removes generations other than the current one and the one just before it.
    fn remove_old_generations(&self, current: &str, previous: Option<&Path>) {
        let Ok(entries) = std::fs::read_dir(&self.state) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("g-") && name != current && Some(path.as_path()) != previous {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TopLevel {
    Absent,
    Ours,
    Legacy,
}

/// What `<out>/<name>` links to.
fn link_target(name: &str) -> PathBuf {
    Path::new(STATE_DIR).join(CURRENT).join(name)
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn link_or_copy(from: &Path, to: &Path) -> Result<(), OutputError> {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(io_err(from))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Artifact;

    fn artifact(arch: Arch, body: &[u8]) -> Artifact {
        let digest = crate::archive::sha256(body);
        Artifact {
            function: "f".into(),
            kind: crate::model::Kind::Function,
            package: "f".into(),
            arch,
            language: "rust".into(),
            target: "t".into(),
            runtime: crate::model::Runtime::default(),
            handler: None,
            recipe: "r".into(),
            tools: Default::default(),
            path: format!("{arch}/f.zip"),
            size: body.len() as u64,
            unzipped_size: 0,
            sha256: manifest::hex(&digest),
            code_sha256: manifest::base64(&digest),
            excluded: Vec::new(),
            layers: Vec::new(),
            environment: Default::default(),
        }
    }

    fn run(out: &Path, files: &[(Arch, &[u8])]) -> Committed {
        let dir = OutDir::open(out, |_| {}).unwrap();
        let staging = dir.stage().unwrap();
        let mut artifacts = Vec::new();
        for (arch, body) in files {
            let path = staging.generation().join(arch.as_str());
            std::fs::create_dir_all(&path).unwrap();
            std::fs::write(path.join("f.zip"), body).unwrap();
            artifacts.push(artifact(*arch, body));
        }
        dir.commit(staging, &Manifest::new(artifacts)).unwrap()
    }

    #[test]
    fn generations_replace_each_other_behind_stable_paths() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path();
        assert_eq!(
            run(out, &[(Arch::X86_64, b"one"), (Arch::Arm64, b"two")]),
            Committed::Replaced
        );
        assert_eq!(std::fs::read(out.join("x86_64/f.zip")).unwrap(), b"one");
        assert_eq!(std::fs::read(out.join("arm64/f.zip")).unwrap(), b"two");
        let manifest_mtime = std::fs::metadata(out.join("manifest.json"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(
            run(out, &[(Arch::X86_64, b"one"), (Arch::Arm64, b"two")]),
            Committed::Unchanged
        );
        assert_eq!(
            std::fs::metadata(out.join("manifest.json"))
                .unwrap()
                .modified()
                .unwrap(),
            manifest_mtime
        );
        assert_eq!(run(out, &[(Arch::X86_64, b"three")]), Committed::Replaced);
        assert_eq!(std::fs::read(out.join("x86_64/f.zip")).unwrap(), b"three");
        assert!(!out.join("arm64").exists() && !out.join("arm64").is_symlink());
        let generations = std::fs::read_dir(out.join(STATE_DIR))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("g-"))
            .count();
        assert_eq!(generations, 2, "the current and the previous generation");
    }

    #[test]
    fn replacing_only_the_manifest_keeps_the_zips() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path();
        run(out, &[(Arch::Arm64, b"zip")]);
        let mut manifest: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        manifest.generator = "edited".into();
        let dir = OutDir::open(out, |_| {}).unwrap();
        assert_eq!(
            dir.replace_manifest(&manifest).unwrap(),
            Committed::Replaced
        );
        assert_eq!(std::fs::read(out.join("arm64/f.zip")).unwrap(), b"zip");
        let written: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(written.generator, "edited");
    }

    #[test]
    fn an_earlier_layout_is_adopted() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path();
        write_earlier_version(out);
        assert_eq!(run(out, &[(Arch::X86_64, b"new")]), Committed::Replaced);
        assert_eq!(std::fs::read(out.join("x86_64/f.zip")).unwrap(), b"new");
        assert!(out.join("manifest.json").is_symlink());
        assert!(!out.join("arm64").exists());
    }

    #[test]
    fn a_file_where_an_arch_folder_goes_is_refused_before_anything_changes() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("arm64"), b"in the way").unwrap();
        let dir = OutDir::open(out.path(), |_| {}).unwrap();
        let err = dir.check_layout(&[Arch::Arm64]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a file, where cargo-powertools puts the folder of arm64 zips",
                out.path().join("arm64").display()
            )
        );
    }

    /// What an earlier version wrote: real arch folders and the manifest listing their zips.
    fn write_earlier_version(out: &Path) {
        std::fs::create_dir_all(out.join("arm64")).unwrap();
        std::fs::write(out.join("arm64/f.zip"), b"old").unwrap();
        let manifest = Manifest::new(vec![artifact(Arch::Arm64, b"old")]);
        std::fs::write(out.join("manifest.json"), manifest.to_bytes()).unwrap();
    }

    /// Every file under `dir`, with its bytes.
    fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect()
    }

    #[test]
    fn a_users_files_in_an_arch_folder_are_never_taken_over() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path();
        write_earlier_version(out);
        std::fs::write(out.join("arm64/important.txt"), b"mine").unwrap();
        let before = contents(&out.join("arm64"));
        let dir = OutDir::open(out, |_| {}).unwrap();
        let err = dir.check_layout(&[Arch::Arm64]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} holds a file cargo-powertools did not write: arm64/important.txt",
                out.join("arm64").display()
            )
        );
        assert!(err.help().unwrap().contains("`--force`"));
        let staging = dir.stage().unwrap();
        assert!(dir.commit(staging, &Manifest::new(Vec::new())).is_err());
        assert_eq!(contents(&out.join("arm64")), before);
    }

    #[test]
    fn a_manifest_json_this_tool_did_not_write_is_never_taken_over() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path();
        std::fs::write(out.join("manifest.json"), br#"{"name": "my-app"}"#).unwrap();
        std::fs::create_dir_all(out.join("x86_64")).unwrap();
        std::fs::write(out.join("x86_64/keep.txt"), b"mine").unwrap();
        let dir = OutDir::open(out, |_| {}).unwrap();
        let err = dir.check_layout(&[Arch::X86_64]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} holds a file cargo-powertools did not write: manifest.json",
                out.display()
            )
        );
        assert_eq!(
            std::fs::read(out.join("manifest.json")).unwrap(),
            br#"{"name": "my-app"}"#
        );
    }

    #[test]
    fn forcing_takes_over_a_folder_with_other_files() {
        let out = tempfile::tempdir().unwrap();
        let out = out.path();
        std::fs::create_dir_all(out.join("x86_64")).unwrap();
        std::fs::write(out.join("x86_64/keep.txt"), b"mine").unwrap();
        let dir = OutDir::open(out, |_| {}).unwrap().forcing(true);
        dir.check_layout(&[Arch::X86_64]).unwrap();
        let staging = dir.stage().unwrap();
        let path = staging.generation().join("x86_64");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("f.zip"), b"new").unwrap();
        let manifest = Manifest::new(vec![artifact(Arch::X86_64, b"new")]);
        assert_eq!(dir.commit(staging, &manifest).unwrap(), Committed::Replaced);
        assert_eq!(std::fs::read(out.join("x86_64/f.zip")).unwrap(), b"new");
        assert!(!out.join("x86_64/keep.txt").exists());
    }
}
