//! Memory as Lambda's REPORT counts it: the peak resident memory of the function's processes.
//!
//! Each process's peak (`VmHWM` in `/proc/<pid>/status`) is summed over the live processes of the
//! function's process group. For a function that is one process (the usual case), that is exactly
//! its peak; for several it is an upper bound of their peak together.
//! Under qemu-user the emulator and the function are one process, so the figure includes qemu;
//! [`emulator_at_rest_kib`] measures qemu alone once, running a program that only exits.
use crate::model::Arch;
use crate::platform;
use std::path::Path;

/// The summed peak resident memory of the live processes of group `pgid`, in KiB.
pub fn group_peak_kib(pgid: u32) -> Option<u64> {
    let mut total = None;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if process_group(&entry.path()) != Some(pgid) {
            continue;
        }
        if let Some(kib) = peak_kib(&entry.path()) {
            total = Some(total.unwrap_or(0) + kib);
        }
    }
    total
}

/// The process group of `/proc/<pid>`: the fifth field of `stat`, after the parenthesised name
/// (which may itself hold spaces and parentheses, hence the last `)`).
fn process_group(proc_dir: &Path) -> Option<u32> {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(2)?.parse().ok()
}

fn peak_kib(proc_dir: &Path) -> Option<u64> {
    let status = std::fs::read_to_string(proc_dir.join("status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Mebibytes as Lambda's REPORT prints them ("MB"), rounded up.
pub fn kib_to_mb(kib: u64) -> u64 {
    kib.div_ceil(1024)
}

/// A static ELF executable for `arch` that only calls `exit(0)`: 64-byte header, one loadable
/// segment, a few instructions.
fn exit_only_elf(arch: Arch) -> Vec<u8> {
    const BASE: u64 = 0x40_0000;
    const CODE_AT: u64 = 64 + 56;
    let (machine, code): (u16, &[u8]) = match arch {
        // mov x0, #0; mov x8, #93 (exit); svc #0
        Arch::Arm64 => (
            183,
            &[
                0x00, 0x00, 0x80, 0xd2, 0xa8, 0x0b, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4,
            ],
        ),
        // mov eax, 60 (exit); xor edi, edi; syscall
        Arch::X86_64 => (62, &[0xb8, 0x3c, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05]),
    };
    let size = CODE_AT + code.len() as u64;
    let mut elf = Vec::with_capacity(size as usize);
    elf.extend_from_slice(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    elf.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    elf.extend_from_slice(&machine.to_le_bytes());
    elf.extend_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    elf.extend_from_slice(&(BASE + CODE_AT).to_le_bytes()); // entry
    elf.extend_from_slice(&64u64.to_le_bytes()); // program headers
    elf.extend_from_slice(&0u64.to_le_bytes()); // no section headers
    elf.extend_from_slice(&0u32.to_le_bytes()); // flags
    for half in [64u16, 56, 1, 64, 0, 0] {
        elf.extend_from_slice(&half.to_le_bytes());
    }
    elf.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    elf.extend_from_slice(&5u32.to_le_bytes()); // R + X
    for word in [0, BASE, BASE, size, size, 0x1000u64] {
        elf.extend_from_slice(&word.to_le_bytes());
    }
    elf.extend_from_slice(code);
    elf
}

/// The peak resident memory of `emulator` (qemu-user) running a program that only exits: what
/// the emulator itself adds to a function's figure, at least. `None` if it cannot be measured.
pub fn emulator_at_rest_kib(emulator: &Path, arch: Arch) -> Option<u64> {
    let dir = tempfile::tempdir().ok()?;
    let program = dir.path().join("exit");
    std::fs::write(&program, exit_only_elf(arch)).ok()?;
    platform::make_executable(&program).ok()?;
    let child = std::process::Command::new(emulator)
        .arg(&program)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    platform::wait_peak_rss_kib(child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_exit_only_program_runs_and_exits_cleanly_on_this_host() {
        let arch = Arch::host();
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("exit");
        std::fs::write(&program, exit_only_elf(arch)).unwrap();
        platform::make_executable(&program).unwrap();
        let status = std::process::Command::new(&program).status().unwrap();
        assert!(status.success(), "{status}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn finds_our_own_process_group_and_its_peak() {
        let pgid = nix::unistd::getpgrp().as_raw() as u32;
        let kib = group_peak_kib(pgid).unwrap();
        assert!(kib > 1024, "{kib} KiB");
    }

    #[test]
    fn kib_round_up_to_mb() {
        assert_eq!(kib_to_mb(1), 1);
        assert_eq!(kib_to_mb(1024), 1);
        assert_eq!(kib_to_mb(1025), 2);
    }
}
