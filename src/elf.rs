//! What an ELF file says about where it can run: its machine and the newest glibc it needs.
//!
//! `verify` reads zip entries as streams and must not hold a whole binary in memory (a 400 MB
//! entry is allowed), so the facts are read from a few captured byte ranges: the start of the file
//! (the ELF header, and usually `.dynstr` and `.gnu.version_r`, which come before the code), the
//! section header table, and, when they lie further in, the two sections the glibc check needs.
//! [`ElfScan`] collects those ranges while the entry streams past and says when it needs a second
//! pass; every range is capped, so a hostile header cannot make it allocate more than a few MB.
use crate::model::Arch;
use object::elf;
use object::read::elf::{FileHeader, SectionHeader};
use object::{Endianness, ReadRef};
use std::ops::Range;

/// A glibc version, `(major, minor)`.
pub type GlibcVersion = (u32, u32);

/// How much of the start of an ELF file is kept while it streams past.
const PREFIX: u64 = 1 << 20;
/// The most one captured range may hold (section headers, `.gnu.version_r`, `.dynstr`).
pub const RANGE_LIMIT: u64 = 4 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfInfo {
    /// `None` for a machine Lambda does not run.
    pub arch: Option<Arch>,
    /// The machine as `object` names it (`X86_64`, `Aarch64`, `I386`, ...), for messages.
    pub machine: String,
    /// The highest `GLIBC_x.y` symbol version the file needs; `None` when it needs none (static,
    /// musl) or when the sections that say so cannot be read.
    pub newest_glibc: Option<GlibcVersion>,
}

pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// Reads an ELF file's machine and glibc needs; `None` when `bytes` is not an ELF file it can parse.
pub fn inspect(bytes: &[u8]) -> Option<ElfInfo> {
    if !is_elf(bytes) {
        return None;
    }
    match Layout::read(bytes)? {
        Layout {
            machine,
            glibc: Some(sections),
            ..
        } => Some(info(machine, sections.newest_glibc(bytes))),
        Layout { machine, .. } => Some(info(machine, None)),
    }
}

fn info(machine: elf::Machine, newest_glibc: Option<GlibcVersion>) -> ElfInfo {
    ElfInfo {
        arch: Arch::from_elf_machine(machine),
        machine: machine_name(machine),
        newest_glibc,
    }
}

/// The names `object::Architecture` gives the machines one meets, so messages read the same.
fn machine_name(machine: elf::Machine) -> String {
    match machine {
        elf::EM_X86_64 => "X86_64".into(),
        elf::EM_AARCH64 => "Aarch64".into(),
        elf::EM_386 => "I386".into(),
        elf::EM_ARM => "Arm".into(),
        elf::EM_RISCV => "Riscv64".into(),
        elf::EM_PPC64 => "PowerPc64".into(),
        elf::EM_S390 => "S390x".into(),
        elf::EM_MIPS => "Mips".into(),
        other => format!("ELF machine {}", other.0),
    }
}

/// Where the facts are: the machine from the header, the glibc needs from two sections.
struct Layout {
    machine: elf::Machine,
    /// The section header table's file range.
    section_headers: Option<Range<u64>>,
    /// `None` when the section headers cannot be read (yet) or there is no `.gnu.version_r`.
    glibc: Option<VersionSections>,
}

/// `.gnu.version_r` and the string table it links to, by file range; what `newest_glibc` reads.
#[derive(Clone, Debug)]
struct VersionSections {
    class64: bool,
    verneed: Range<u64>,
    strings: Range<u64>,
    big_endian: bool,
}

impl Layout {
    fn read<'a, R: ReadRef<'a>>(data: R) -> Option<Layout> {
        let ident = data.read_bytes_at(0, 16).ok()?;
        match ident.get(4).copied() {
            Some(class) if class == elf::ELFCLASS64.0 => {
                Self::read_class::<elf::FileHeader64<Endianness>, R>(data)
            }
            Some(class) if class == elf::ELFCLASS32.0 => {
                Self::read_class::<elf::FileHeader32<Endianness>, R>(data)
            }
            _ => None,
        }
    }

    fn read_class<'a, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'a>>(
        data: R,
    ) -> Option<Layout> {
        let header = Elf::parse(data).ok()?;
        let endian = header.endian().ok()?;
        let shoff: u64 = header.e_shoff(endian).into();
        let shnum = u64::from(header.e_shnum(endian));
        let entsize = u64::from(header.e_shentsize(endian));
        let section_headers =
            (shoff != 0).then(|| shoff..shoff.saturating_add(shnum.max(1).saturating_mul(entsize)));
        let glibc = header
            .section_headers(endian, data)
            .ok()
            .and_then(|sections| {
                let verneed = sections
                    .iter()
                    .find(|s| s.sh_type(endian) == elf::SHT_GNU_VERNEED)?;
                let strings = sections.get(verneed.sh_link(endian) as usize)?;
                Some(VersionSections {
                    class64: header.is_class_64(),
                    verneed: range_of(verneed.file_range(endian)?)?,
                    strings: range_of(strings.file_range(endian)?)?,
                    big_endian: header.is_big_endian(),
                })
            });
        Some(Layout {
            machine: header.e_machine(endian),
            section_headers,
            glibc,
        })
    }
}

fn range_of((offset, size): (u64, u64)) -> Option<Range<u64>> {
    Some(offset..offset.checked_add(size)?)
}

impl VersionSections {
    /// The highest `GLIBC_x.y` among the versions `.gnu.version_r` says the file needs.
    fn newest_glibc<'a, R: ReadRef<'a>>(&self, data: R) -> Option<GlibcVersion> {
        let endian = if self.big_endian {
            Endianness::Big
        } else {
            Endianness::Little
        };
        if self.class64 {
            self.newest_in::<elf::FileHeader64<Endianness>, R>(data, endian)
        } else {
            self.newest_in::<elf::FileHeader32<Endianness>, R>(data, endian)
        }
    }

    fn newest_in<'a, Elf: FileHeader<Endian = Endianness>, R: ReadRef<'a>>(
        &self,
        data: R,
        endian: Endianness,
    ) -> Option<GlibcVersion> {
        let header = Elf::parse(data).ok()?;
        let sections = header.section_headers(endian, data).ok()?;
        let verneed = sections
            .iter()
            .find(|s| s.sh_type(endian) == elf::SHT_GNU_VERNEED)?;
        let (mut needs, link) = verneed.gnu_verneed(endian, data).ok()??;
        let strings = sections.get(link.0)?.strings(endian, data).ok()??;
        let mut newest = None;
        while let Ok(Some((_, mut versions))) = needs.next() {
            while let Ok(Some(version)) = versions.next() {
                let Ok(name) = version.name(endian, strings) else {
                    continue;
                };
                if let Some(found) = parse_glibc(name) {
                    newest = newest.max(Some(found));
                }
            }
        }
        newest
    }
}

fn parse_glibc(name: &[u8]) -> Option<GlibcVersion> {
    let number = std::str::from_utf8(name).ok()?.strip_prefix("GLIBC_")?;
    let mut parts = number.split('.').map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => Some((major, minor)),
        (Some(Ok(major)), None) => Some((major, 0)),
        _ => None,
    }
}

/// Some byte ranges of a file, each with its bytes, read as the file streams past. Reads outside
/// them fail, as reads past the end of a short file would.
#[derive(Debug, Default)]
struct Captured {
    len: u64,
    spans: Vec<Span>,
}

#[derive(Debug)]
struct Span {
    start: u64,
    end: u64,
    bytes: Vec<u8>,
}

impl Captured {
    /// Asks for `range` (clipped to [`RANGE_LIMIT`] bytes) to be kept from the next pass on.
    fn want(&mut self, range: Range<u64>) {
        let end = range.end.min(range.start.saturating_add(RANGE_LIMIT));
        if range.start >= end || self.covers(&(range.start..end)) {
            return;
        }
        self.spans.push(Span {
            start: range.start,
            end,
            bytes: Vec::new(),
        });
    }

    fn covers(&self, range: &Range<u64>) -> bool {
        self.spans.iter().any(|s| {
            s.start <= range.start
                && range.end <= s.start + s.bytes.len() as u64
                && range.end <= s.end
        })
    }

    /// Keeps the parts of `chunk`, which starts at `offset` in the file, that a span wants.
    fn feed(&mut self, offset: u64, chunk: &[u8]) {
        let chunk_end = offset + chunk.len() as u64;
        for span in &mut self.spans {
            let have = span.start + span.bytes.len() as u64;
            let from = have.max(offset);
            let to = span.end.min(chunk_end);
            // Only contiguous growth: a span fills from its start as the stream passes it.
            if from < to && from == have {
                span.bytes
                    .extend_from_slice(&chunk[(from - offset) as usize..(to - offset) as usize]);
            }
        }
    }

    fn find(&self, offset: u64) -> Option<&Span> {
        self.spans
            .iter()
            .filter(|s| s.start <= offset && offset < s.start + s.bytes.len() as u64)
            .max_by_key(|s| s.start + s.bytes.len() as u64)
    }
}

impl<'a> ReadRef<'a> for &'a Captured {
    fn len(self) -> Result<u64, ()> {
        Ok(self.len)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'a [u8], ()> {
        if size == 0 {
            return Ok(&[]);
        }
        let span = self.find(offset).ok_or(())?;
        let from = (offset - span.start) as usize;
        let to = from
            .checked_add(usize::try_from(size).map_err(|_| ())?)
            .ok_or(())?;
        span.bytes.get(from..to).ok_or(())
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'a [u8], ()> {
        let span = self.find(range.start).ok_or(())?;
        let from = (range.start - span.start) as usize;
        let available = &span.bytes[from..];
        let limit = usize::try_from(range.end - range.start)
            .unwrap_or(usize::MAX)
            .min(available.len());
        let bytes = &available[..limit];
        let end = bytes.iter().position(|&b| b == delimiter).ok_or(())?;
        Ok(&bytes[..end])
    }
}

/// Reads an ELF file's facts from a stream in bounded memory: feed it the file's bytes in order,
/// then [`ElfScan::finish`]. When that asks for another pass, feed the file again from the start.
#[derive(Debug)]
pub struct ElfScan {
    data: Captured,
    offset: u64,
    /// Whether the section header table has been asked for (after the ELF header arrived).
    headers_wanted: bool,
    pass: u8,
}

/// What a finished pass found.
pub enum Scanned {
    /// `None`: not an ELF file it can parse.
    Done(Option<ElfInfo>),
    /// The sections it needs lie beyond what this pass kept: feed the file once more.
    AnotherPass,
}

impl Default for ElfScan {
    fn default() -> Self {
        let mut data = Captured::default();
        data.want(0..PREFIX);
        ElfScan {
            data,
            offset: 0,
            headers_wanted: false,
            pass: 1,
        }
    }
}

impl ElfScan {
    pub fn feed(&mut self, chunk: &[u8]) {
        self.data.feed(self.offset, chunk);
        self.offset += chunk.len() as u64;
        if !self.headers_wanted && self.offset >= 64 {
            self.headers_wanted = true;
            self.data.len = u64::MAX;
            if let Some(range) = Layout::read(&self.data).and_then(|l| l.section_headers) {
                self.data.want(range);
                // The table may start in this very chunk.
                let start = self.offset - chunk.len() as u64;
                self.data.feed(start, chunk);
            }
        }
    }

    /// Whether the bytes seen so far already show that this is not an ELF file.
    pub fn is_not_elf(&self) -> bool {
        self.offset >= 4
            && self
                .data
                .spans
                .first()
                .is_some_and(|prefix| !is_elf(&prefix.bytes))
    }

    /// Ends a pass over the whole file.
    pub fn finish(&mut self) -> Scanned {
        self.data.len = self.offset;
        let Some(layout) = Layout::read(&self.data) else {
            return Scanned::Done(None);
        };
        let Some(sections) = layout.glibc else {
            return Scanned::Done(Some(info(layout.machine, None)));
        };
        let wanted = [sections.verneed.clone(), sections.strings.clone()];
        if wanted.iter().all(|range| self.data.covers(range)) {
            let newest = sections.newest_glibc(&self.data);
            return Scanned::Done(Some(info(layout.machine, newest)));
        }
        let fits = wanted.iter().all(|r| r.end - r.start <= RANGE_LIMIT);
        if self.pass > 1 || !fits {
            // Too large to keep, or not there even on a second pass: the machine is still known.
            return Scanned::Done(Some(info(layout.machine, None)));
        }
        for range in wanted {
            self.data.want(range);
        }
        self.pass += 1;
        self.offset = 0;
        Scanned::AnotherPass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_version_names_parse() {
        assert_eq!(parse_glibc(b"GLIBC_2.34"), Some((2, 34)));
        assert_eq!(parse_glibc(b"GLIBC_2.2.5"), Some((2, 2)));
        assert_eq!(parse_glibc(b"GLIBC_PRIVATE"), None);
        assert_eq!(parse_glibc(b"GCC_3.0"), None);
    }

    fn this_binary() -> Vec<u8> {
        std::fs::read(std::env::current_exe().unwrap()).unwrap()
    }

    #[test]
    fn the_running_test_binary_is_an_elf_of_this_machine() {
        let info = inspect(&this_binary()).unwrap();
        let expected = if cfg!(target_arch = "x86_64") {
            Some(Arch::X86_64)
        } else {
            Some(Arch::Arm64)
        };
        assert_eq!(info.arch, expected);
        assert!(info.newest_glibc.is_some_and(|v| v >= (2, 2)));
        assert_eq!(inspect(b"#!/bin/sh\n"), None);
    }

    /// Streams `bytes` through a scan in `chunk`-sized pieces, as many passes as it asks for.
    fn scan(bytes: &[u8], chunk: usize) -> (Option<ElfInfo>, u8) {
        let mut scan = ElfScan::default();
        loop {
            for piece in bytes.chunks(chunk) {
                scan.feed(piece);
            }
            match scan.finish() {
                Scanned::Done(info) => return (info, scan.pass),
                Scanned::AnotherPass => {}
            }
        }
    }

    /// `bytes` with `gap` zero bytes inserted at `at` and every file offset past it moved on: the
    /// layout of a binary whose sections start far into the file.
    fn spread(bytes: &[u8], at: usize, gap: usize) -> Vec<u8> {
        let data: &[u8] = bytes;
        let header = elf::FileHeader64::<Endianness>::parse(data).unwrap();
        let endian = header.endian().unwrap();
        let mut out = bytes[..at].to_vec();
        out.resize(at + gap, 0);
        out.extend_from_slice(&bytes[at..]);
        let shoff = header.e_shoff(endian);
        let moved = |offset: u64| {
            if offset >= at as u64 {
                offset + gap as u64
            } else {
                offset
            }
        };
        let new_shoff = moved(shoff);
        out[0x28..0x30].copy_from_slice(&new_shoff.to_le_bytes());
        let sections = header.section_headers(endian, data).unwrap();
        for (index, section) in sections.iter().enumerate() {
            let field = new_shoff as usize + index * 64 + 0x18;
            let offset = section.sh_offset(endian);
            out[field..field + 8].copy_from_slice(&moved(offset).to_le_bytes());
        }
        out
    }

    #[test]
    fn a_stream_gives_what_the_whole_file_gives_in_one_pass_for_the_usual_layout() {
        let bytes = this_binary();
        let whole = inspect(&bytes);
        assert!(whole.as_ref().is_some_and(|i| i.newest_glibc.is_some()));
        for chunk in [1 << 16, 7, 1 << 20] {
            assert_eq!(scan(&bytes, chunk), (whole.clone(), 1), "chunk {chunk}");
        }
    }

    #[test]
    fn sections_far_into_the_file_take_a_second_pass_and_still_give_the_glibc_needs() {
        let bytes = this_binary();
        let whole = inspect(&bytes);
        // Put 3 MB before everything but the ELF header and program headers.
        let far = spread(&bytes, 0x40 + 56 * 20, 3 << 20);
        assert_eq!(inspect(&far), whole);
        assert_eq!(scan(&far, 1 << 16), (whole, 2));
    }

    #[test]
    fn a_truncated_or_hostile_header_gives_no_panic_and_no_big_allocation() {
        let bytes = this_binary();
        for cut in [4, 16, 63, 64, 200, 5000] {
            let _ = scan(&bytes[..cut], 13);
        }
        // Section headers claimed at the far end of a 64-bit offset, 65535 of them.
        let mut hostile = bytes[..4096].to_vec();
        hostile[0x28..0x30].copy_from_slice(&(u64::MAX - 10).to_le_bytes());
        hostile[0x3c..0x3e].copy_from_slice(&u16::MAX.to_le_bytes());
        let (info, _) = scan(&hostile, 1000);
        assert_eq!(info.map(|i| i.newest_glibc), Some(None));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// A small real ELF file (`/usr/bin/true`), or none on a machine without it.
        fn small_elf() -> Option<Vec<u8>> {
            std::fs::read("/usr/bin/true").ok().filter(|b| is_elf(b))
        }

        proptest! {
            #![proptest_config(crate::proptest_support::config())]

            /// Whatever a damaged ELF holds, the stream gives what parsing the whole file gives
            /// (files under the kept prefix), and never panics.
            #[test]
            fn a_damaged_elf_streams_as_it_parses(
                edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
                header_edits in prop::collection::vec((0usize..64, any::<u8>()), 0..4),
                keep in any::<prop::sample::Index>(),
                chunk in 1usize..5000,
            ) {
                let Some(mut bytes) = small_elf() else { return Ok(()) };
                for (at, value) in edits {
                    let at = at.index(bytes.len());
                    bytes[at] = value;
                }
                for (at, value) in header_edits {
                    bytes[at] = value;
                }
                let keep = keep.index(bytes.len() + 1);
                let bytes = &bytes[..keep];
                let (streamed, _) = scan(bytes, chunk);
                prop_assert_eq!(streamed, inspect(bytes));
            }
        }
    }
}
