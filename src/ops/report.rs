//! The output of the subcommands that write an output directory (`package`, `merge`): the status
//! while another run holds a lock, and the lines that end a committed run (each artifact, then
//! `Finished`; the JSON `finished` line is `commands::run`'s, from the run's outcome).
use crate::manifest::{self, Manifest};
use crate::message::Message;
use crate::output::Committed;
use crate::shell::Shell;
use std::path::{Path, PathBuf};

/// The `on_wait` of a lock (see [`crate::output::OutDir::open`]): tells that this run waits for
/// `holder` ("another packaging run") to release the locked path.
pub(crate) fn blocking<'a>(shell: &'a Shell, holder: &'a str) -> impl FnOnce(&Path) + 'a {
    move |path| {
        shell.status(
            "Blocking",
            format!("waiting for {holder} to release {}", path.display()),
        )
    }
}

/// What a run committed to its output directory, and how to word it.
pub(crate) struct Commit<'a> {
    pub out_dir: &'a Path,
    pub manifest: &'a Manifest,
    pub committed: Committed,
    /// The status verb of each artifact (`Packaged`, `Merged`).
    pub verb: &'a str,
    /// Where the artifacts came from, after their count (`from 2 shard(s)`), if worth saying.
    pub from: Option<String>,
}

/// Prints each artifact (status and JSON `artifact` line), then `Finished`. Returns the manifest's
/// path.
pub(crate) fn finished(shell: &Shell, commit: &Commit) -> PathBuf {
    for artifact in &commit.manifest.artifacts {
        shell.status(
            commit.verb,
            format!(
                "{} ({} bytes)",
                commit.out_dir.join(&artifact.path).display(),
                artifact.size
            ),
        );
        shell.emit(&Message::Artifact { artifact });
    }
    let manifest_path = commit.out_dir.join(manifest::FILE_NAME);
    let unchanged = commit.committed == Committed::Unchanged;
    shell.status(
        "Finished",
        format!(
            "{} artifact(s){}, manifest at {}{}",
            commit.manifest.artifacts.len(),
            commit
                .from
                .as_ref()
                .map(|from| format!(" {from}"))
                .unwrap_or_default(),
            manifest_path.display(),
            if unchanged { " (unchanged)" } else { "" }
        ),
    );
    manifest_path
}
