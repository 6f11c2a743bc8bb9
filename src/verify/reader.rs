//! The hostile-zip reader: reads a zip trusting nothing it says about itself and collects the
//! facts the checks judge ([`ZipFacts`]). It decides nothing: what is wrong, and why, is the
//! checks' business ([`super::checks`]).
//!
//! Each entry is read as a stream, [`CHUNK`] bytes at a time, inflated here and counted: an entry
//! that inflates past the size its header records is stopped there, and reading stops for good
//! once the zip passes Lambda's unzipped limit.
use super::UNZIPPED_LIMIT;
use crate::elf;
use crate::python::closure::{self, Distribution};
use crate::python::wheels::{self, PlatformWheel};
use std::cell::OnceCell;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bytes read from an entry at a time: what verify holds of an entry's data, whatever its size
/// (an ELF file's headers are kept too, within [`elf::RANGE_LIMIT`] per range).
const CHUNK: usize = 64 * 1024;

/// Why a file could not be opened as a zip at all.
#[derive(Debug)]
pub enum Unreadable {
    /// The file itself cannot be read.
    File(std::io::Error),
    /// No end-of-central-directory record: not a zip, or a truncated one.
    NoCentralDirectory,
    /// What the zip library said of a zip it could not open.
    Corrupt(String),
}

/// What the reader found in a zip it could open.
#[derive(Debug)]
pub struct ZipFacts {
    path: PathBuf,
    /// The size of the zip file itself.
    pub file_size: u64,
    /// When the central directory names an entry more than once: each such name, once (empty
    /// when the names could not be read back from the central directory).
    pub duplicates: Option<Vec<String>>,
    /// Entries share compressed data, or overlap the central directory.
    pub overlapping: bool,
    /// Central directory records the zip library could not read: their index and its error.
    pub unreadable_entries: Vec<(usize, String)>,
    /// Every other entry, in central directory order.
    pub entries: Vec<Entry>,
    pub unzipped: Unzipped,
    wheels: OnceCell<Vec<PlatformWheel>>,
    distributions: OnceCell<Vec<Distribution>>,
}

/// How much the zip's entries inflate to, together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unzipped {
    /// The total, counting an entry whose data does not check out at its declared size (capped
    /// just past [`UNZIPPED_LIMIT`]).
    Bytes(u64),
    /// Reading stopped at [`UNZIPPED_LIMIT`]: inflating further would only spend time on a zip
    /// that is refused anyway.
    Stopped,
}

/// One entry of the central directory.
#[derive(Debug)]
pub struct Entry {
    /// Its name as shown: as it is when UTF-8, with `\xNN` for each byte that is not.
    pub name: String,
    pub utf8_name: bool,
    pub mode: Option<u32>,
    /// Whether its "made by" system is Unix, the only one whose modes Lambda reads.
    pub made_by_unix: bool,
    pub content: Content,
}

impl Entry {
    /// A file whose data checked out, or that was not read because the zip passed the unzipped
    /// limit: what Lambda would unpack.
    pub fn is_file(&self) -> bool {
        matches!(self.content, Content::File { .. } | Content::PastLimit)
    }

    pub fn is_executable(&self) -> bool {
        self.mode.is_some_and(|mode| mode & 0o111 != 0)
    }

    pub fn elf(&self) -> Option<&elf::ElfInfo> {
        match &self.content {
            Content::File { elf, .. } => elf.as_ref(),
            _ => None,
        }
    }
}

/// What an entry holds, as far as the reader went: it stops at the first of these that applies,
/// in this order.
#[derive(Debug)]
pub enum Content {
    Symlink,
    Encrypted,
    /// Compressed with a method other than stored or deflated (named as the zip library does).
    Unsupported(String),
    Directory,
    /// Its local header disagrees with the central directory: what differs.
    HeaderMismatch(String),
    /// Not read: the zip passed [`UNZIPPED_LIMIT`] before or inside it.
    PastLimit,
    /// Its data disagrees with its header.
    Fault(DataFault),
    /// Data that inflates to its declared size and CRC-32.
    File {
        elf: Option<elf::ElfInfo>,
    },
}

/// What reading an entry's data found wrong.
#[derive(Debug)]
pub enum DataFault {
    Read(std::io::Error),
    TooLong { declared: u64 },
    TooShort { declared: u64, actual: u64 },
    Crc { declared: u32, actual: u32 },
}

/// Why [`stream_entry`] stopped short of an entry's end.
enum Stop {
    /// The zip's running total passed [`UNZIPPED_LIMIT`] inside this entry.
    OverLimit,
    Fault(DataFault),
}

impl From<DataFault> for Stop {
    fn from(fault: DataFault) -> Self {
        Stop::Fault(fault)
    }
}

type Archive = zip::ZipArchive<std::fs::File>;

/// Reads the zip at `path`: every entry's name, mode and content, in bounded memory.
pub fn read(path: &Path) -> Result<ZipFacts, Unreadable> {
    let file = std::fs::File::open(path).map_err(Unreadable::File)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| unreadable(&e))?;
    let duplicates = archive
        .has_duplicate_names()
        .then(|| duplicate_names(path, &archive));
    let overlapping = archive.has_overlapping_files().unwrap_or(false);
    let mut facts = ZipFacts {
        path: path.to_path_buf(),
        file_size: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        duplicates,
        overlapping,
        unreadable_entries: Vec::new(),
        entries: Vec::new(),
        unzipped: Unzipped::Bytes(0),
        wheels: OnceCell::new(),
        distributions: OnceCell::new(),
    };
    for index in 0..archive.len() {
        match read_entry(&mut archive, index, facts.unzipped) {
            Ok((entry, unzipped)) => {
                facts.entries.push(entry);
                facts.unzipped = unzipped;
            }
            Err(err) => facts.unreadable_entries.push((index, err.to_string())),
        }
    }
    Ok(facts)
}

impl ZipFacts {
    /// The entries Lambda would unpack as files (see [`Entry::is_file`]).
    pub fn files(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.is_file())
    }

    /// Every wheel the zip was installed from whose tags name an architecture, as its
    /// `*.dist-info` says; read on first use, since only Python zips have any.
    pub fn platform_wheels(&self) -> &[PlatformWheel] {
        self.wheels
            .get_or_init(|| wheels::platform_wheels(&self.path).unwrap_or_default())
    }

    /// The Python distributions installed in the zip (their `METADATA`); read on first use.
    pub fn distributions(&self) -> &[Distribution] {
        self.distributions
            .get_or_init(|| closure::read_zip(&self.path).unwrap_or_default())
    }
}

fn unreadable(err: &zip::result::ZipError) -> Unreadable {
    match err.to_string() {
        text if text.contains("EOCD") => Unreadable::NoCentralDirectory,
        text => Unreadable::Corrupt(text),
    }
}

/// Reads entry `index`'s record and, when nothing stops it first, its data; returns the entry and
/// the zip's unzipped size after it.
fn read_entry(
    archive: &mut Archive,
    index: usize,
    unzipped: Unzipped,
) -> Result<(Entry, Unzipped), zip::result::ZipError> {
    let meta = archive.by_index_data(index)?;
    let raw_name = meta.name_raw().to_vec();
    let method = meta.compression();
    let (declared, declared_crc) = (meta.size(), meta.crc32());
    let content = if meta.is_symlink() {
        Some(Content::Symlink)
    } else if meta.encrypted() {
        Some(Content::Encrypted)
    } else if !matches!(
        method,
        zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
    ) {
        Some(Content::Unsupported(format!("{method:?}")))
    } else if meta.is_dir() {
        Some(Content::Directory)
    } else {
        None
    };
    let mut entry = Entry {
        name: display_name(&raw_name),
        utf8_name: std::str::from_utf8(&raw_name).is_ok(),
        mode: meta.unix_mode(),
        made_by_unix: meta.system() == zip::System::Unix,
        content: Content::Directory,
    };
    drop(meta);
    let (content, unzipped) = match content {
        Some(content) => (content, unzipped),
        None => match header_mismatch(archive, index) {
            Some(what) => (Content::HeaderMismatch(what), unzipped),
            None => read_data(archive, index, method, (declared, declared_crc), unzipped),
        },
    };
    entry.content = content;
    Ok((entry, unzipped))
}

/// What differs between entry `index`'s local header and the central directory, if anything.
/// Tools that read local headers (streaming unzippers) must see the same entry as the central
/// directory says: a different name or size there smuggles in a different file. (With duplicate
/// names the zip library refuses every entry this way; those names are facts of their own.)
fn header_mismatch(archive: &mut Archive, index: usize) -> Option<String> {
    if archive.has_duplicate_names() {
        return None;
    }
    let consistent = zip::read::ZipReadOptions::new().enforce_header_consistency(true);
    let err = archive.by_index_with_options(index, consistent).err()?;
    let text = err.to_string();
    let what = text
        .rsplit_once("detected: ")
        .map_or(text.as_str(), |(_, what)| what)
        .trim_end_matches(" (does not match central directory)");
    let mut chars = what.chars();
    Some(
        chars
            .next()
            .map(|first| first.to_lowercase().chain(chars).collect())
            .unwrap_or_default(),
    )
}

/// Reads a file entry's data within what is left of the unzipped limit.
fn read_data(
    archive: &mut Archive,
    index: usize,
    method: zip::CompressionMethod,
    (declared, declared_crc): (u64, u32),
    unzipped: Unzipped,
) -> (Content, Unzipped) {
    let Unzipped::Bytes(so_far) = unzipped else {
        return (Content::PastLimit, Unzipped::Stopped);
    };
    let budget = UNZIPPED_LIMIT.saturating_sub(so_far);
    match stream_entry(archive, index, method, declared, declared_crc, budget) {
        Ok((size, elf)) => (
            Content::File { elf },
            Unzipped::Bytes(so_far.saturating_add(size)),
        ),
        Err(Stop::OverLimit) => (Content::PastLimit, Unzipped::Stopped),
        Err(Stop::Fault(fault)) => (
            Content::Fault(fault),
            Unzipped::Bytes(so_far.saturating_add(declared).min(UNZIPPED_LIMIT + 1)),
        ),
    }
}

/// How a name is shown: as it is when it is UTF-8, with `\xNN` for each byte that is not.
fn display_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(name) => name.to_string(),
        Err(_) => raw.utf8_chunks().fold(String::new(), |mut out, chunk| {
            out.push_str(chunk.valid());
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
            out
        }),
    }
}

/// The zip library keeps one entry per name, so a name given twice hides an entry from every
/// reader but one: read the names from the central directory itself to say which.
fn duplicate_names(path: &Path, archive: &Archive) -> Vec<String> {
    let names = std::fs::File::open(path)
        .ok()
        .and_then(|file| {
            let start = archive.central_directory_start();
            central_directory_names(file, start).or_else(|| {
                central_directory_names(std::fs::File::open(path).ok()?, start + archive.offset())
            })
        })
        .unwrap_or_default();
    let mut seen = HashSet::new();
    let mut twice = Vec::new();
    for name in names {
        if !seen.insert(name.clone()) && !twice.contains(&name) {
            twice.push(name);
        }
    }
    twice.iter().map(|name| display_name(name)).collect()
}

/// Every name in the central directory starting at `start`, in order, duplicates included;
/// `None` when there is no central directory there.
fn central_directory_names(file: std::fs::File, start: u64) -> Option<Vec<Vec<u8>>> {
    use std::io::{BufReader, Seek, SeekFrom};
    const SIGNATURE: [u8; 4] = *b"PK\x01\x02";
    let mut reader = BufReader::new(file);
    reader.seek(SeekFrom::Start(start)).ok()?;
    let mut names = Vec::new();
    let mut header = [0u8; 46];
    while reader.read_exact(&mut header).is_ok() && header[..4] == SIGNATURE {
        let field = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
        let (name_len, extra_len, comment_len) = (field(28), field(30), field(32));
        let mut name = vec![0u8; usize::from(name_len)];
        reader.read_exact(&mut name).ok()?;
        reader
            .seek_relative(i64::from(extra_len) + i64::from(comment_len))
            .ok()?;
        names.push(name);
    }
    (!names.is_empty()).then_some(names)
}

/// An entry's data, inflated as it is read. The compressed bytes are bounded by the central
/// directory's compressed size; the inflated ones are counted by the caller, not trusted.
fn open_data<'a>(
    archive: &'a mut Archive,
    index: usize,
    method: zip::CompressionMethod,
) -> Result<Box<dyn Read + 'a>, DataFault> {
    let raw = archive
        .by_index_raw(index)
        .map_err(|e| DataFault::Read(std::io::Error::other(e)))?;
    Ok(match method {
        zip::CompressionMethod::Deflated => Box::new(flate2::read::DeflateDecoder::new(raw)),
        _ => Box::new(raw),
    })
}

/// Streams one entry's data in [`CHUNK`]s: checks its size and CRC-32 against the header and reads
/// its ELF facts, in bounded memory. Returns the inflated size and the ELF facts, if it is one.
fn stream_entry(
    archive: &mut Archive,
    index: usize,
    method: zip::CompressionMethod,
    declared: u64,
    declared_crc: u32,
    budget: u64,
) -> Result<(u64, Option<elf::ElfInfo>), Stop> {
    let mut buffer = vec![0u8; CHUNK];
    let mut reader = open_data(archive, index, method)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut scan = Some(elf::ElfScan::default());
    let mut total: u64 = 0;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(DataFault::Read(err).into()),
        };
        total += read as u64;
        if total > declared {
            return Err(DataFault::TooLong { declared }.into());
        }
        if total > budget {
            return Err(Stop::OverLimit);
        }
        let chunk = &buffer[..read];
        hasher.update(chunk);
        if let Some(elf) = &mut scan {
            elf.feed(chunk);
            if elf.is_not_elf() {
                scan = None;
            }
        }
    }
    if total < declared {
        return Err(DataFault::TooShort {
            declared,
            actual: total,
        }
        .into());
    }
    let actual = hasher.finalize();
    if actual != declared_crc {
        return Err(DataFault::Crc {
            declared: declared_crc,
            actual,
        }
        .into());
    }
    drop(reader);
    let Some(mut scan) = scan else {
        return Ok((total, None));
    };
    loop {
        match scan.finish() {
            elf::Scanned::Done(info) => return Ok((total, info)),
            elf::Scanned::AnotherPass => {
                // The data checked out above, so this pass reads the same `total` bytes.
                let mut reader = open_data(archive, index, method)?;
                loop {
                    match reader.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(read) => scan.feed(&buffer[..read]),
                        Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(err) => return Err(DataFault::Read(err).into()),
                    }
                }
            }
        }
    }
}

/// The ELF facts of the entry `name` of a zip, read as a stream in bounded memory; `None` when
/// there is no such entry, it is not an ELF file, or its data does not check out.
pub fn entry_elf(zip: &Path, name: &str) -> Option<elf::ElfInfo> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).ok()?).ok()?;
    let index = archive.index_for_name(name)?;
    let meta = archive.by_index_data(index).ok()?;
    let (method, size, crc) = (meta.compression(), meta.size(), meta.crc32());
    if meta.encrypted() {
        return None;
    }
    stream_entry(&mut archive, index, method, size, crc, UNZIPPED_LIMIT)
        .ok()?
        .1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_elf_of_one_entry_is_read_as_a_stream() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("f.zip");
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        writer.start_file("bootstrap", stored).unwrap();
        let this = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        writer.write_all(&this).unwrap();
        writer.start_file("README", stored).unwrap();
        writer.write_all(b"not an ELF").unwrap();
        writer.finish().unwrap();
        assert_eq!(entry_elf(&zip, "bootstrap"), elf::inspect(&this));
        assert!(entry_elf(&zip, "bootstrap").is_some());
        assert_eq!(entry_elf(&zip, "README"), None);
        assert_eq!(entry_elf(&zip, "missing"), None);
        let facts = read(&zip).unwrap();
        let bootstrap = facts.files().find(|e| e.name == "bootstrap").unwrap();
        assert_eq!(bootstrap.elf(), elf::inspect(&this).as_ref());
    }

    #[test]
    fn names_that_are_not_utf8_show_their_bytes() {
        assert_eq!(display_name(b"caf\xe9.py"), "caf\\xe9.py");
        assert_eq!(display_name("café.py".as_bytes()), "café.py");
    }
}
