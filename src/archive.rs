//! A reproducible zip writer: the same files give the same bytes, whenever and wherever they are zipped.
//!
//! Entries are sorted by name, every entry gets the same timestamp (from `SOURCE_DATE_EPOCH`, else
//! 1980-01-01T00:00:00Z, the earliest a zip can hold), a fixed Unix mode (0755 or 0644), "made by"
//! Unix, Deflate at a fixed level and no extra fields (no extended timestamps, uid or gid).
use crate::platform;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Deflate level (zlib-rs); fixed so that output does not depend on a library's default. 9 rather
/// than 6: 4.5% smaller zips for 25 ms more per MB of binary (docs/profile.md has the table).
const DEFLATE_LEVEL: i64 = 9;

/// One file to put in a zip.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// Path inside the zip, `/`-separated, relative.
    pub name: String,
    pub source: PathBuf,
    pub mode: u32,
}

impl Entry {
    /// A file zipped as `name`, with the mode [`zip_mode`] gives it.
    pub fn from_file(source: PathBuf, name: String) -> std::io::Result<Entry> {
        let host_mode = platform::unix_mode(&std::fs::metadata(&source)?);
        let mode = zip_mode(&name, host_mode, || starts_like_a_program(&source))?;
        Ok(Entry { name, source, mode })
    }
}

/// The mode of the file zipped as `name`: 0755 or 0644, so that the owner's other bits, group and
/// world never make two builds differ. From the host's mode bits when it has them (any execute bit
/// gives 0755); on a host without them (a Windows checkout) from the rules Lambda runs files by:
/// `bootstrap` and `extensions/*` are executables, and so is any file `looks_executable` says
/// starts as a program does (ELF, `#!`).
pub fn zip_mode(
    name: &str,
    host_mode: Option<u32>,
    looks_executable: impl FnOnce() -> std::io::Result<bool>,
) -> std::io::Result<u32> {
    let executable = match host_mode {
        Some(mode) => mode & 0o111 != 0,
        None => name == "bootstrap" || name.starts_with("extensions/") || looks_executable()?,
    };
    Ok(if executable { 0o755 } else { 0o644 })
}

/// Whether the file starts as an ELF binary or a `#!` script does.
fn starts_like_a_program(path: &Path) -> std::io::Result<bool> {
    let mut head = Vec::with_capacity(4);
    File::open(path)?.take(4).read_to_end(&mut head)?;
    Ok(head.starts_with(b"\x7fELF") || head.starts_with(b"#!"))
}

/// The zip name of a relative path: its components joined with `/`, whatever the platform.
pub fn zip_name(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub size: u64,
    pub unzipped_size: u64,
    pub sha256: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("`SOURCE_DATE_EPOCH={value}` is not a time a zip can hold")]
    SourceDateEpoch { value: String },
    #[error("two files would be zipped as `{name}`: {} and {}", .first.display(), .second.display())]
    DuplicateName {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("could not read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write {}", .path.display())]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
}

impl ArchiveError {
    pub fn help(&self) -> Option<String> {
        match self {
            ArchiveError::SourceDateEpoch { .. } => Some(
                "set SOURCE_DATE_EPOCH to whole seconds since 1970 between 1980 and 2107 (e.g. `git log -1 --format=%ct`), or unset it".into(),
            ),
            ArchiveError::DuplicateName { .. } => Some("change an `include` glob so each name is zipped once".into()),
            _ => None,
        }
    }
}

/// The timestamp every entry gets: `SOURCE_DATE_EPOCH` when set (clamped up to 1980), else 1980-01-01.
pub fn entry_time(source_date_epoch: Option<&str>) -> Result<DateTime, ArchiveError> {
    let Some(value) = source_date_epoch else {
        return Ok(DateTime::default());
    };
    let invalid = || ArchiveError::SourceDateEpoch {
        value: value.to_string(),
    };
    let seconds: i64 = value.trim().parse().map_err(|_| invalid())?;
    let time = time::OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| invalid())?;
    if time.year() < 1980 {
        return Ok(DateTime::default());
    }
    DateTime::from_date_and_time(
        u16::try_from(time.year()).map_err(|_| invalid())?,
        time.month().into(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second(),
    )
    .map_err(|_| invalid())
}

/// Total size of the files `entries` would unzip to.
pub fn unzipped_size(entries: &[Entry]) -> Result<u64, ArchiveError> {
    entries.iter().try_fold(0u64, |total, entry| {
        let len = std::fs::metadata(&entry.source)
            .map_err(|source| ArchiveError::Read {
                path: entry.source.clone(),
                source,
            })?
            .len();
        Ok(total + len)
    })
}

/// Writes `entries` to `dest` as a reproducible zip and returns its size and SHA-256.
pub fn write_zip(
    dest: &Path,
    entries: Vec<Entry>,
    time: DateTime,
) -> Result<Summary, ArchiveError> {
    write_zip_at_level(dest, entries, time, DEFLATE_LEVEL)
}

/// [`write_zip`] at another Deflate level: 1-9, or 10 and up for zopfli with `level - 9`
/// iterations (for the size/time table of `benches/zip_levels.rs`).
pub fn write_zip_at_level(
    dest: &Path,
    mut entries: Vec<Entry>,
    time: DateTime,
    level: i64,
) -> Result<Summary, ArchiveError> {
    entries.sort();
    if let Some(pair) = entries.windows(2).find(|pair| pair[0].name == pair[1].name) {
        return Err(ArchiveError::DuplicateName {
            name: pair[0].name.clone(),
            first: pair[0].source.clone(),
            second: pair[1].source.clone(),
        });
    }
    let write_err = |source| ArchiveError::Write {
        path: dest.to_path_buf(),
        source,
    };
    let zip_err = |source| ArchiveError::Zip {
        path: dest.to_path_buf(),
        source,
    };
    // Built in memory, then written once: the zip is hashed from memory, never read back.
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut unzipped_size = 0;
    for entry in &entries {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(level))
            .last_modified_time(time)
            .unix_permissions(entry.mode)
            .system(zip::System::Unix)
            .large_file(false);
        let mut source = File::open(&entry.source)
            .map(BufReader::new)
            .map_err(|source| ArchiveError::Read {
                path: entry.source.clone(),
                source,
            })?;
        zip.start_file(entry.name.as_str(), options)
            .map_err(zip_err)?;
        unzipped_size +=
            std::io::copy(&mut source, &mut zip).map_err(|source| ArchiveError::Read {
                path: entry.source.clone(),
                source,
            })?;
    }
    let bytes = zip.finish().map_err(zip_err)?.into_inner();
    std::fs::write(dest, &bytes).map_err(write_err)?;
    Ok(Summary {
        size: bytes.len() as u64,
        unzipped_size,
        sha256: sha256(&bytes),
    })
}

/// A digest of everything a zip's bytes depend on: the format of this writer, its level, the entry
/// time, and each entry's name, mode and contents. Equal keys give byte-identical zips, so a zip
/// of the last run whose key is unchanged is reused instead of being written again.
pub fn inputs_key(entries: &[Entry], time: DateTime) -> Result<[u8; 32], ArchiveError> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    hasher
        .update(format!("cargo-powertools zip 1 level {DEFLATE_LEVEL} time {time:?}\n").as_bytes());
    for entry in sorted {
        hasher.update(format!("{}\0{:o}\0", entry.name, entry.mode).as_bytes());
        hasher.update(sha256_file(&entry.source)?);
    }
    Ok(hasher.finalize().into())
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn sha256_file(path: &Path) -> Result<[u8; 32], ArchiveError> {
    let read_err = |source| ArchiveError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut hasher = Sha256::new();
    let mut file = File::open(path).map_err(read_err)?;
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = file.read(&mut buffer).map_err(read_err)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dir: &Path, name: &str, body: &str, mode: u32) -> Entry {
        let source = dir.join(name.replace('/', "_"));
        std::fs::write(&source, body).unwrap();
        Entry {
            name: name.to_string(),
            source,
            mode,
        }
    }

    /// A folder holding an executable `bootstrap` and a text file, as two entries.
    fn bootstrap_and_asset() -> (tempfile::TempDir, Entry, Entry) {
        let dir = tempfile::tempdir().unwrap();
        let a = entry(dir.path(), "bootstrap", "binary", 0o755);
        let b = entry(dir.path(), "assets/x.txt", "text", 0o644);
        (dir, a, b)
    }

    #[test]
    fn same_files_give_same_bytes_in_any_order() {
        let (dir, a, b) = bootstrap_and_asset();
        let time = entry_time(None).unwrap();
        let first = write_zip(&dir.path().join("1.zip"), vec![a.clone(), b.clone()], time).unwrap();
        let second = write_zip(&dir.path().join("2.zip"), vec![b, a], time).unwrap();
        assert_eq!(first, second);
        assert_eq!(
            std::fs::read(dir.path().join("1.zip")).unwrap(),
            std::fs::read(dir.path().join("2.zip")).unwrap()
        );
        assert_eq!(first.unzipped_size, 10);
    }

    #[test]
    fn entries_are_sorted_with_fixed_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![
            entry(dir.path(), "z", "1", 0o755),
            entry(dir.path(), "a/b", "2", 0o644),
        ];
        let dest = dir.path().join("out.zip");
        write_zip(&dest, entries, entry_time(Some("1700000000")).unwrap()).unwrap();
        let mut archive = zip::ZipArchive::new(File::open(&dest).unwrap()).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(names, ["a/b", "z"]);
        let mut z = archive.by_name("z").unwrap();
        assert_eq!(z.unix_mode(), Some(0o100755));
        assert_eq!(z.compression(), CompressionMethod::Deflated);
        assert_eq!(z.extra_data().unwrap_or_default().len(), 0);
        let modified = z.last_modified().unwrap();
        assert_eq!(
            (modified.year(), modified.month(), modified.day()),
            (2023, 11, 14)
        );
        let mut body = String::new();
        z.read_to_string(&mut body).unwrap();
        assert_eq!(body, "1");
    }

    #[test]
    fn the_inputs_key_changes_with_contents_modes_names_and_time() {
        let (_dir, a, b) = bootstrap_and_asset();
        let time = entry_time(None).unwrap();
        let key = |entries: &[Entry], time| inputs_key(entries, time).unwrap();
        let base = key(&[a.clone(), b.clone()], time);
        assert_eq!(key(&[b.clone(), a.clone()], time), base);
        let other_mode = Entry {
            mode: 0o644,
            ..a.clone()
        };
        assert_ne!(key(&[other_mode, b.clone()], time), base);
        let other_name = Entry {
            name: "bootstrap2".into(),
            ..a.clone()
        };
        assert_ne!(key(&[other_name, b.clone()], time), base);
        assert_ne!(
            key(
                &[a.clone(), b.clone()],
                entry_time(Some("1700000000")).unwrap()
            ),
            base
        );
        std::fs::write(&a.source, "binary!").unwrap();
        assert_ne!(key(&[a, b], time), base);
    }

    #[test]
    fn duplicate_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![
            entry(dir.path(), "x", "1", 0o644),
            Entry {
                source: dir.path().join("y"),
                ..entry(dir.path(), "x", "2", 0o644)
            },
        ];
        std::fs::write(dir.path().join("y"), "2").unwrap();
        let err = write_zip(&dir.path().join("out.zip"), entries, DateTime::default()).unwrap_err();
        assert!(matches!(err, ArchiveError::DuplicateName { .. }));
    }

    #[test]
    fn source_date_epoch_is_validated_and_clamped() {
        assert_eq!(entry_time(Some("0")).unwrap(), DateTime::default());
        assert!(entry_time(Some("yesterday")).is_err());
        assert!(entry_time(Some("99999999999")).is_err());
    }

    #[test]
    fn a_checkout_without_mode_bits_gets_modes_from_the_rules() {
        // Windows: no mode bits, and a text `bootstrap` (a script) does not start as a program.
        let text = || Ok(false);
        assert_eq!(zip_mode("bootstrap", None, text).unwrap(), 0o755);
        assert_eq!(zip_mode("extensions/audit", None, text).unwrap(), 0o755);
        assert_eq!(zip_mode("assets/x.txt", None, text).unwrap(), 0o644);
        assert_eq!(zip_mode("python/lib.so", None, || Ok(true)).unwrap(), 0o755);
        // A host with mode bits keeps deciding by them, whatever the name.
        let unread = || -> std::io::Result<bool> { panic!("read although the host has modes") };
        assert_eq!(
            zip_mode("bootstrap", Some(0o100644), unread).unwrap(),
            0o644
        );
        assert_eq!(zip_mode("run.sh", Some(0o100700), unread).unwrap(), 0o755);
    }

    #[test]
    fn programs_are_told_by_their_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, body: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, body).unwrap();
            starts_like_a_program(&path).unwrap()
        };
        assert!(file("elf", b"\x7fELF\x02\x01"));
        assert!(file("script", b"#!/bin/sh\nexec ./app\n"));
        assert!(!file("text", b"hello"));
        assert!(!file("empty", b""));
    }
}
