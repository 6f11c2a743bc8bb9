//! The installed site-packages folder: excluded distributions removed, and what installers leave
//! behind about the build machine pruned.
use super::PythonError;
use std::path::Path;

/// What installers leave in `*.dist-info` that is about the build machine, not the package.
const INSTALL_RECORDS: [&str; 4] = ["RECORD", "INSTALLER", "REQUESTED", "direct_url.json"];

/// Removes each excluded distribution: the files its RECORD lists, and its dist-info.
pub(super) fn remove_excluded(site: &Path, exclude: &[String]) -> Result<(), PythonError> {
    let normalize = |s: &str| s.to_lowercase().replace(['-', '.'], "_");
    let wanted: Vec<String> = exclude.iter().map(|e| normalize(e)).collect();
    let Ok(entries) = std::fs::read_dir(site) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".dist-info") else {
            continue;
        };
        let distribution = normalize(stem.split('-').next().unwrap_or(stem));
        if !wanted.contains(&distribution) {
            continue;
        }
        let record = std::fs::read_to_string(entry.path().join("RECORD")).unwrap_or_default();
        for line in record.lines() {
            let file = line.split(',').next().unwrap_or("");
            if !file.is_empty() && !file.starts_with('/') && !file.contains("..") {
                let _ = std::fs::remove_file(site.join(file));
            }
        }
        std::fs::remove_dir_all(entry.path()).map_err(|source| PythonError::Io {
            path: entry.path(),
            source,
        })?;
    }
    remove_empty_dirs(site);
    Ok(())
}

fn remove_empty_dirs(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_empty_dirs(&entry.path());
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

/// Drops bytecode caches, the installer's records of this machine, its lock file and the console
/// scripts in `bin/`, whose `#!` line names the build machine's interpreter
/// (`#!/root/.pyenv/versions/3.12.1/bin/python`): useless on Lambda, and they made the same lock
/// give different zips on two machines.
pub(super) fn prune(site: &Path) -> Result<(), PythonError> {
    // uv leaves a `.lock` in the directory it installed into.
    let mut doomed = vec![site.join(".lock"), site.join("bin")];
    for entry in walkdir::WalkDir::new(site).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        let in_dist_info = entry
            .path()
            .parent()
            .is_some_and(|p| p.to_string_lossy().ends_with(".dist-info"));
        if name == "__pycache__"
            || name.ends_with(".pyc")
            || (in_dist_info && INSTALL_RECORDS.contains(&name.as_ref()))
        {
            doomed.push(entry.into_path());
        }
    }
    for path in doomed {
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(source) = result
            && source.kind() != std::io::ErrorKind::NotFound
        {
            return Err(PythonError::Io { path, source });
        }
    }
    Ok(())
}
