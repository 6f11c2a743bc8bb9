//! The wheels a Python zip was installed from, as their `*.dist-info` folders say: the
//! architecture of each (its `WHEEL` file's `Tag:` lines) and the files it installed (`RECORD`,
//! else its top-level packages: `package` drops RECORD files, which hold the build machine's
//! paths and hashes of files pruned since).
use crate::model::Arch;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

/// The most of one `WHEEL` or `RECORD` file read from a zip.
const DIST_INFO_LIMIT: u64 = 16 * 1024 * 1024;

/// A platform wheel in a zip.
#[derive(Debug, PartialEq)]
pub struct PlatformWheel {
    /// Its dist-info folder without the suffix, e.g. `pydantic_core-2.41.5`.
    pub dist: String,
    pub arch: Arch,
    /// The zip entries it installed (with the zip's `python/` prefix, for a layer).
    pub files: BTreeSet<String>,
    /// Its top-level packages, as `<prefix><name>/` (`top_level.txt`, else its own name).
    pub folders: Vec<String>,
}

impl PlatformWheel {
    /// Whether the zip entry `name` came from this wheel.
    pub fn owns(&self, name: &str) -> bool {
        self.files.contains(name) || self.folders.iter().any(|f| name.starts_with(f.as_str()))
    }
}

/// The architecture a wheel's platform tag names (`manylinux_2_17_x86_64`), if one of Lambda's.
fn platform_arch(tag: &str) -> Option<Arch> {
    let platform = tag.rsplit('-').next()?;
    Arch::ALL
        .into_iter()
        .find(|arch| platform.ends_with(&format!("_{}", arch.cpu())))
}

/// Every wheel in `zip` whose tags name an architecture (pure-Python wheels are left out).
pub fn platform_wheels(zip: &Path) -> std::io::Result<Vec<PlatformWheel>> {
    let file = std::fs::File::open(zip)?;
    let mut archive = zip::ZipArchive::new(file).map_err(std::io::Error::other)?;
    // dist-info folder (as named in the zip) -> (WHEEL, RECORD, top_level.txt)
    let mut found: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(std::io::Error::other)?;
        let name = entry.name().unwrap_or_default().to_string();
        let Some((dir, file)) = name.rsplit_once('/') else {
            continue;
        };
        let top = dir.strip_prefix("python/").unwrap_or(dir);
        if !top.ends_with(".dist-info")
            || top.contains('/')
            || !["WHEEL", "RECORD", "top_level.txt"].contains(&file)
        {
            continue;
        }
        let mut text = String::new();
        if (&mut entry)
            .take(DIST_INFO_LIMIT)
            .read_to_string(&mut text)
            .is_err()
        {
            continue;
        }
        let slot = found.entry(dir.to_string()).or_default();
        match file {
            "WHEEL" => slot.0 = text,
            "RECORD" => slot.1 = text,
            _ => slot.2 = text,
        }
    }
    Ok(found
        .into_iter()
        .filter_map(|(dir, (wheel, record, top_level))| {
            let arch = wheel
                .lines()
                .filter_map(|l| l.strip_prefix("Tag:"))
                .find_map(|tag| platform_arch(tag.trim()))?;
            let prefix = if dir.starts_with("python/") {
                "python/"
            } else {
                ""
            };
            let files = record
                .lines()
                .filter_map(|l| l.split(',').next())
                .filter(|p| !p.is_empty())
                .map(|p| format!("{prefix}{p}"))
                .collect();
            let dist = dir
                .trim_start_matches("python/")
                .trim_end_matches(".dist-info");
            let mut tops: Vec<String> = top_level
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            if tops.is_empty() {
                let name = dist.split('-').next().unwrap_or(dist);
                tops.push(name.to_lowercase().replace(['-', '.'], "_"));
            }
            Some(PlatformWheel {
                dist: dist.to_string(),
                arch,
                files,
                folders: tops.iter().map(|t| format!("{prefix}{t}/")).collect(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_tags_name_the_architecture() {
        assert_eq!(
            platform_arch("cp312-cp312-manylinux_2_17_x86_64"),
            Some(Arch::X86_64)
        );
        assert_eq!(
            platform_arch("cp311-cp311-manylinux_2_28_aarch64"),
            Some(Arch::Arm64)
        );
        assert_eq!(platform_arch("py3-none-any"), None);
        assert_eq!(platform_arch("cp312-cp312-macosx_11_0_arm64"), None);
    }
}
