//! `verify` against hostile zips: each is built byte by byte here (the zip crate will not write a
//! lying header), and each gives a clear error naming the entry, exit status 1, no panic, and
//! leaves the files it read byte-identical. None needs an external tool: the fast tier.
use crate::support::*;
use std::path::{Path, PathBuf};

const UNIX_FILE: u32 = 0o100_644;
const UNIX_LINK: u32 = 0o120_777;
/// Version made by: Unix (3), spec 2.0.
const MADE_BY_UNIX: u16 = 3 << 8 | 20;

/// One entry written byte by byte, so that a test can make any field lie.
#[derive(Clone)]
pub struct RawEntry {
    pub name: Vec<u8>,
    /// The bytes as stored: already deflated when `method` is 8.
    pub data: Vec<u8>,
    pub method: u16,
    pub crc: u32,
    /// The uncompressed size the headers record.
    pub size: u32,
    pub flags: u16,
    /// The Unix mode, stored in the high half of the external attributes.
    pub mode: u32,
}

impl RawEntry {
    /// A stored entry whose headers tell the truth.
    pub fn stored(name: &str, data: &[u8]) -> RawEntry {
        RawEntry {
            name: name.as_bytes().to_vec(),
            data: data.to_vec(),
            method: 0,
            crc: crc32fast::hash(data),
            size: data.len() as u32,
            flags: 0,
            mode: UNIX_FILE,
        }
    }
}

fn u16le(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// A zip of `entries`: local headers and data, central directory, end record; no zip64.
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for entry in entries {
        offsets.push(out.len() as u32);
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 20);
        u16le(&mut out, entry.flags);
        u16le(&mut out, entry.method);
        u16le(&mut out, 0); // time
        u16le(&mut out, 0x21); // date: 1980-01-01
        u32le(&mut out, entry.crc);
        u32le(&mut out, entry.data.len() as u32);
        u32le(&mut out, entry.size);
        u16le(&mut out, entry.name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(&entry.name);
        out.extend_from_slice(&entry.data);
    }
    let directory = out.len() as u32;
    for (entry, offset) in entries.iter().zip(offsets) {
        u32le(&mut out, 0x0201_4b50);
        u16le(&mut out, MADE_BY_UNIX);
        u16le(&mut out, 20);
        u16le(&mut out, entry.flags);
        u16le(&mut out, entry.method);
        u16le(&mut out, 0);
        u16le(&mut out, 0x21);
        u32le(&mut out, entry.crc);
        u32le(&mut out, entry.data.len() as u32);
        u32le(&mut out, entry.size);
        u16le(&mut out, entry.name.len() as u16);
        u16le(&mut out, 0); // extra
        u16le(&mut out, 0); // comment
        u16le(&mut out, 0); // disk
        u16le(&mut out, 0); // internal attributes
        u32le(&mut out, entry.mode << 16);
        u32le(&mut out, offset);
        out.extend_from_slice(&entry.name);
    }
    let directory_size = out.len() as u32 - directory;
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, entries.len() as u16);
    u16le(&mut out, entries.len() as u16);
    u32le(&mut out, directory_size);
    u32le(&mut out, directory);
    u16le(&mut out, 0);
    out
}

/// Writes bits least-significant first, as deflate packs them.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    current: u32,
    count: u32,
}

impl Bits {
    fn push(&mut self, value: u32, width: u32) {
        for bit in 0..width {
            self.current |= ((value >> bit) & 1) << self.count;
            self.count += 1;
            if self.count == 8 {
                self.out.push(self.current as u8);
                self.current = 0;
                self.count = 0;
            }
        }
    }

    /// A Huffman code goes in most-significant bit first.
    fn code(&mut self, code: u32, width: u32) {
        for bit in (0..width).rev() {
            self.push((code >> bit) & 1, 1);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.current as u8);
        }
        self.out
    }
}

/// A raw deflate stream of `len` zero bytes, written directly (one fixed-Huffman block of
/// 258-byte back-references): 300 MB of zeros in about 2 MB, without deflating 300 MB in a test.
pub fn deflated_zeros(len: u64) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.push(1, 1); // last block
    bits.push(1, 2); // fixed Huffman codes
    let literal_zero = |bits: &mut Bits| bits.code(0x30, 8);
    let mut written = 0;
    if len > 0 {
        literal_zero(&mut bits);
        written = 1;
    }
    while len - written >= 258 {
        bits.code(0xc5, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: 1 byte back
        written += 258;
    }
    while written < len {
        literal_zero(&mut bits);
        written += 1;
    }
    bits.code(0, 7); // end of block
    bits.finish()
}

fn verify() -> assert_cmd::Command {
    let mut command = powertools();
    command.arg("verify");
    command
}

/// A Python function's zip (no ELF, no tool needed): `app.py` with its handler, plus `extra`.
fn python_zip(dir: &Path, extra: &[RawEntry]) -> PathBuf {
    let mut entries = vec![RawEntry::stored(
        "app.py",
        b"def handler(event, context):\n    return event\n",
    )];
    entries.extend_from_slice(extra);
    let zip = dir.join("app.zip");
    std::fs::write(&zip, raw_zip(&entries)).unwrap();
    zip
}

/// `verify` as for a python3.12 function with handler `app.handler`.
fn verify_python(zip: &Path) -> assert_cmd::Command {
    let mut command = verify();
    command
        .args(["--runtime", "python3.12", "--handler", "app.handler"])
        .arg(zip);
    command
}

/// Runs `command`, which reads files in `dir`, and checks the failure contract: exit status 1, no
/// panic, each of `lines` exactly as a line of stderr, and every file in `dir` byte-identical.
fn refuses(dir: &Path, command: &mut assert_cmd::Command, lines: &[String]) -> String {
    let before = snapshot(dir);
    let output = run(command);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for line in lines {
        assert!(
            stderr.lines().any(|l| l == line),
            "expected the line\n{line}\nin:\n{stderr}"
        );
    }
    assert_eq!(snapshot(dir), before, "verify changed the files it read");
    stderr
}

const REZIP: &str = "re-zip it with `cargo powertools package`";

fn damaged_help() -> String {
    format!("  help: the zip is damaged or was altered: {REZIP}")
}

#[test]
fn hostile_zips_start_from_one_that_passes() {
    // The byte-level writer makes zips that verify accepts: the tests below change one thing.
    let dir = tempfile::tempdir().unwrap();
    let zeros = RawEntry {
        method: 8,
        data: deflated_zeros(1 << 20),
        crc: crc32fast::hash(&vec![0u8; 1 << 20]),
        size: 1 << 20,
        ..RawEntry::stored("zeros.bin", b"")
    };
    let zip = python_zip(dir.path(), &[zeros]);
    let output = run(&mut verify_python(&zip));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Verified 1 artifact(s): 0 error(s), 0 warning(s)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn hostile_zip_with_a_name_twice() {
    let dir = tempfile::tempdir().unwrap();
    let zip = python_zip(
        dir.path(),
        &[RawEntry::stored(
            "app.py",
            b"import os\nos.system('curl evil')\n",
        )],
    );
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[duplicate-name]: {}: app.py: the name appears twice in the zip: unzip tools keep one of the two, and which one differs",
                zip.display()
            ),
            format!("  help: zip every file once: {REZIP}"),
        ],
    );
}

#[test]
fn hostile_zip_with_a_symlink_entry() {
    let dir = tempfile::tempdir().unwrap();
    let link = RawEntry {
        mode: UNIX_LINK,
        ..RawEntry::stored("config.json", b"/proc/self/environ")
    };
    let zip = python_zip(dir.path(), &[link]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[symlink-entry]: {}: config.json: a symbolic link: it can point outside the function's directory, and verify cannot check what it points to",
                zip.display()
            ),
            format!(
                "  help: zip the file itself, not a link to it, and {REZIP} (it zips what links point to)"
            ),
        ],
    );
}

#[test]
fn hostile_zip_whose_10_byte_header_inflates_to_300_mb() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = RawEntry {
        method: 8,
        data: deflated_zeros(300_000_000),
        crc: crc32fast::hash(&[0u8; 10]),
        size: 10,
        ..RawEntry::stored("data.bin", b"")
    };
    let zip = python_zip(dir.path(), &[bomb]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[size-mismatch]: {}: data.bin: inflates to more than the 10 bytes its header records: a zip bomb, or a corrupt zip",
                zip.display()
            ),
            damaged_help(),
        ],
    );
}

#[test]
fn hostile_zip_whose_sizes_or_crc_disagree_with_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let short = RawEntry {
        size: 1000,
        ..RawEntry::stored("short.txt", b"ten bytes!")
    };
    let zip = python_zip(dir.path(), &[short]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[format!(
            "error[size-mismatch]: {}: short.txt: inflates to 10 bytes but its header records 1000: a corrupt or tampered zip",
            zip.display()
        )],
    );
    let tampered = RawEntry {
        crc: 0x1234_5678,
        ..RawEntry::stored("app_extra.py", b"print('changed after zipping')\n")
    };
    let actual = crc32fast::hash(b"print('changed after zipping')\n");
    let zip = python_zip(dir.path(), &[tampered]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[crc-mismatch]: {}: app_extra.py: its data has CRC-32 {actual:08x} but its header records 12345678: a corrupt or tampered zip",
                zip.display()
            ),
            damaged_help(),
        ],
    );
}

#[test]
fn hostile_zip_with_an_encrypted_entry() {
    let dir = tempfile::tempdir().unwrap();
    let encrypted = RawEntry {
        flags: 1,
        ..RawEntry::stored("secret.py", &[0x5a; 40])
    };
    let zip = python_zip(dir.path(), &[encrypted]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[encrypted-entry]: {}: secret.py: the entry is encrypted: Lambda cannot unpack a password-protected entry",
                zip.display()
            ),
            format!("  help: zip it without a password: {REZIP}"),
        ],
    );
}

#[test]
fn hostile_zip_with_a_name_that_is_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let latin1 = RawEntry {
        name: b"caf\xe9.py".to_vec(),
        ..RawEntry::stored("", b"x = 1\n")
    };
    let zip = python_zip(dir.path(), &[latin1]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[name-not-utf8]: {}: caf\\xe9.py: the entry's name is not UTF-8: unzip tools and Lambda may each read it as a different name",
                zip.display()
            ),
            format!("  help: give the file a UTF-8 name and {REZIP}"),
        ],
    );
}

#[test]
fn hostile_zip_truncated_or_not_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let zip = python_zip(dir.path(), &[]);
    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let lines = [
        format!(
            "error[zip-unreadable]: {}: not a zip, or a truncated one: it has no end-of-central-directory record",
            zip.display()
        ),
        "  help: package it again with `cargo powertools package`".to_string(),
    ];
    refuses(dir.path(), &mut verify_python(&zip), &lines);
    std::fs::write(&zip, "def handler(event, context):\n    pass\n").unwrap();
    refuses(dir.path(), &mut verify_python(&zip), &lines);
}

#[test]
fn hostile_zip_whose_deflate_stream_is_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let full = deflated_zeros(1 << 20);
    let cut = RawEntry {
        method: 8,
        data: full[..full.len() / 2].to_vec(),
        crc: crc32fast::hash(&vec![0u8; 1 << 20]),
        size: 1 << 20,
        ..RawEntry::stored("zeros.bin", b"")
    };
    let zip = python_zip(dir.path(), &[cut]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[data-unreadable]: {}: zeros.bin: the entry's data cannot be read (truncated or corrupt): incomplete deflate stream",
                zip.display()
            ),
            damaged_help(),
        ],
    );
}

/// A manifest beside `zip` listing it as a python3.12 function at `path`, with its real size and
/// hashes: what `package` writes, so that only the field a test changes is wrong.
fn manifest_for(zip: &Path, path: &str) -> serde_json::Value {
    use base64::Engine;
    use sha2::Digest;
    let bytes = std::fs::read(zip).unwrap();
    let digest = sha2::Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    serde_json::json!({
        "version": 1,
        "generator": "cargo-powertools test",
        "artifacts": [{
            "function": "app", "kind": "function", "package": "app", "arch": "x86_64",
            "language": "python", "target": "manylinux2014_x86_64", "runtime": "python3.12",
            "handler": "app.handler", "recipe": "uv", "tools": {},
            "path": path, "size": bytes.len(), "unzipped_size": 0,
            "sha256": hex,
            "code_sha256": base64::engine::general_purpose::STANDARD.encode(digest),
        }],
    })
}

fn write_json(path: &Path, value: &serde_json::Value) {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

#[test]
fn hostile_manifest_paths_outside_its_directory() {
    let outer = tempfile::tempdir().unwrap();
    let out = outer.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // A zip that passes, outside the manifest's directory.
    let zip = python_zip(outer.path(), &[]);
    let manifest = out.join("manifest.json");
    write_json(&manifest, &manifest_for(&zip, "../app.zip"));
    refuses(
        outer.path(),
        verify().arg(&manifest),
        &[
            format!("error[manifest-path-escapes]: {}: lists `../app.zip` for `app`: an absolute path, or one that climbs out of the manifest's directory with `..`; verify reads only files under the manifest's directory", manifest.display()),
            "  help: paths in a manifest are relative to its directory: run `cargo powertools package` again rather than editing it".to_string(),
        ],
    );
    let absolute = zip.display().to_string();
    write_json(&manifest, &manifest_for(&zip, &absolute));
    refuses(
        outer.path(),
        verify().arg(&manifest),
        &[format!(
            "error[manifest-path-escapes]: {}: lists `{absolute}` for `app`: an absolute path, or one that climbs out of the manifest's directory with `..`; verify reads only files under the manifest's directory",
            manifest.display()
        )],
    );
    // The same zip beside the manifest passes: only the path was wrong.
    std::fs::copy(&zip, out.join("app.zip")).unwrap();
    write_json(&manifest, &manifest_for(&zip, "app.zip"));
    let output = run(verify().arg(&manifest));
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn hostile_manifest_of_an_unknown_version() {
    let dir = tempfile::tempdir().unwrap();
    let zip = python_zip(dir.path(), &[]);
    let manifest = dir.path().join("manifest.json");
    let mut value = manifest_for(&zip, "app.zip");
    value["version"] = serde_json::json!(2);
    write_json(&manifest, &value);
    refuses(
        dir.path(),
        verify().arg(&manifest),
        &[
            format!(
                "error[manifest-version-unknown]: {}: manifest `version` 2 is not one this cargo-powertools ({}) knows: it reads version 1",
                manifest.display(),
                env!("CARGO_PKG_VERSION")
            ),
            "  help: verify it with the cargo-powertools its `generator` names, or package again with this one".to_string(),
        ],
    );
}

#[test]
fn hostile_zip_whose_entries_share_their_data() {
    // One local header and its data, and many central-directory entries pointing at it: each
    // entry is honest about its size, together they inflate many times the zip's size.
    let dir = tempfile::tempdir().unwrap();
    let data = deflated_zeros(1 << 20);
    let crc = crc32fast::hash(&vec![0u8; 1 << 20]);
    let one = RawEntry {
        method: 8,
        data,
        crc,
        size: 1 << 20,
        ..RawEntry::stored("z", b"")
    };
    let mut bytes = raw_zip(&[one]);
    // Rewrite the central directory with 50 copies of the entry, all at offset 0.
    let directory =
        u32::from_le_bytes(bytes[bytes.len() - 6..bytes.len() - 2].try_into().unwrap()) as usize;
    let record = bytes[directory..bytes.len() - 22].to_vec();
    bytes.truncate(directory);
    let count: u16 = 50;
    for index in 0..count {
        let mut copy = record.clone();
        // Its one-byte name: a different letter each.
        copy[46] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[usize::from(index)];
        bytes.extend_from_slice(&copy);
    }
    let size = (record.len() * count as usize) as u32;
    u32le(&mut bytes, 0x0605_4b50);
    u16le(&mut bytes, 0);
    u16le(&mut bytes, 0);
    u16le(&mut bytes, count);
    u16le(&mut bytes, count);
    u32le(&mut bytes, size);
    u32le(&mut bytes, directory as u32);
    u16le(&mut bytes, 0);
    let zip = dir.path().join("app.zip");
    std::fs::write(&zip, &bytes).unwrap();
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[overlapping-entries]: {}: entries overlap each other or the central directory: the shape of a zip bomb (many entries inflating the same data), or a corrupt zip",
                zip.display()
            ),
            format!("  help: zip every file once: {REZIP}"),
        ],
    );
}

#[test]
fn hostile_zip_honest_about_a_size_over_lambdas_limit_is_not_inflated_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = RawEntry {
        method: 8,
        data: deflated_zeros(300_000_000),
        crc: 0, // never reached: reading stops at the limit
        size: 300_000_000,
        ..RawEntry::stored("data.bin", b"")
    };
    let zip = python_zip(dir.path(), &[big]);
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!("error[unzipped-too-large]: {}: the zip unzips to more than Lambda's 262,144,000-byte (250 MB) limit for unzipped code (reading stopped there)", zip.display()),
            "  help: shrink the binary (strip, opt-level = \"z\", lto), drop large files, or use a container image".to_string(),
        ],
    );
}

#[test]
fn hostile_zip_whose_local_header_names_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let zip = python_zip(dir.path(), &[RawEntry::stored("aaa.py", b"x = 1\n")]);
    let mut bytes = std::fs::read(&zip).unwrap();
    // The first `aaa.py` is the local header's name (the central directory comes after the data).
    let at = bytes.windows(6).position(|w| w == b"aaa.py").unwrap();
    bytes[at..at + 6].copy_from_slice(b"bbb.py");
    std::fs::write(&zip, &bytes).unwrap();
    refuses(
        dir.path(),
        &mut verify_python(&zip),
        &[
            format!(
                "error[local-header-mismatch]: {}: aaa.py: its local header disagrees with the central directory (local file header filename mismatch): unzip tools that read local headers see a different file",
                zip.display()
            ),
            damaged_help(),
        ],
    );
}
