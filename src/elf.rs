//! What an ELF file says about where it can run: its machine and the newest glibc it needs.
use crate::arch::Arch;
use object::Object;
use object::read::elf::ElfFile64;

/// A glibc version, `(major, minor)`.
pub type GlibcVersion = (u32, u32);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfInfo {
    /// `None` for a machine Lambda does not run.
    pub arch: Option<Arch>,
    /// The machine as `object` names it (`X86_64`, `Aarch64`, `I386`, ...), for messages.
    pub machine: String,
    /// The highest `GLIBC_x.y` symbol version the file needs; `None` when it needs none (static, musl).
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
    let file = object::File::parse(bytes).ok()?;
    let arch = match file.architecture() {
        object::Architecture::X86_64 => Some(Arch::X86_64),
        object::Architecture::Aarch64 => Some(Arch::Arm64),
        _ => None,
    };
    Some(ElfInfo {
        arch,
        machine: format!("{:?}", file.architecture()),
        newest_glibc: newest_glibc(bytes),
    })
}

/// The highest `GLIBC_x.y` among the versions the file's `.gnu.version_r` section says it needs.
fn newest_glibc(bytes: &[u8]) -> Option<GlibcVersion> {
    let elf = ElfFile64::<object::Endianness>::parse(bytes).ok()?;
    let endian = elf.endian();
    let sections = elf.elf_section_table();
    let (mut needs, link) = sections.gnu_verneed(endian, bytes).ok()??;
    let strings = sections.strings(endian, bytes, link).ok()?;
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

fn parse_glibc(name: &[u8]) -> Option<GlibcVersion> {
    let number = std::str::from_utf8(name).ok()?.strip_prefix("GLIBC_")?;
    let mut parts = number.split('.').map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => Some((major, minor)),
        (Some(Ok(major)), None) => Some((major, 0)),
        _ => None,
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

    #[test]
    fn the_running_test_binary_is_an_elf_of_this_machine() {
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let info = inspect(&bytes).unwrap();
        let expected = if cfg!(target_arch = "x86_64") {
            Some(Arch::X86_64)
        } else {
            Some(Arch::Arm64)
        };
        assert_eq!(info.arch, expected);
        assert!(info.newest_glibc.is_some_and(|v| v >= (2, 2)));
        assert_eq!(inspect(b"#!/bin/sh\n"), None);
    }
}
