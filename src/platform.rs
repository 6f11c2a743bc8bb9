//! What differs between the hosts cargo-powertools runs on, in one place: process groups and
//! killing them, file modes, symbolic links, swapping two directory entries, a child's peak
//! memory, and which features need Linux. The rest of the crate is the same on Linux, macOS and
//! Windows.
//!
//! Running a packaged function (`verify --invoke`, `openapi` `route` sources) needs Linux: it
//! executes Linux binaries, under qemu-user for the other architecture, and measures them through
//! `/proc`. Elsewhere [`require_linux`] refuses it with [`LinuxOnly`] before anything starts.
use std::fs::Metadata;
use std::io;
use std::path::Path;
use std::process::{Child, Command};

/// A feature that runs Lambda's Linux binaries, asked for on another operating system.
#[derive(Debug, thiserror::Error)]
#[error("{feature} runs functions on Linux only; run it in a Linux container or CI job")]
pub struct LinuxOnly {
    /// What was asked for, as the user wrote it, e.g. "`verify --invoke`".
    pub feature: &'static str,
}

/// `Ok` on Linux; elsewhere the error saying that `feature` needs Linux.
pub fn require_linux(feature: &'static str) -> Result<(), LinuxOnly> {
    if cfg!(target_os = "linux") {
        Ok(())
    } else {
        Err(LinuxOnly { feature })
    }
}

/// Makes `command` start a process group of its own, led by the child, so that it and whatever it
/// starts can be killed together ([`kill_group`]). Windows has no such groups in std: there the
/// child shares our console, so Ctrl-C reaches it as it reaches us.
pub fn own_process_group(command: &mut Command) -> &mut Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command
}

/// Kills `leader` and, on Unix, every process of the group it leads (see [`own_process_group`]).
pub fn kill_group(leader: &mut Child) {
    #[cfg(unix)]
    kill_group_id(leader.id());
    #[cfg(not(unix))]
    {
        // Already exited is the only failure, and that is what was wanted.
        let _ = leader.kill();
    }
}

/// Sends SIGKILL to the process group `pgid`, for a caller holding only its id (a Ctrl-C handler).
/// On Windows, where std kills a process only through its [`Child`], this does nothing: the
/// console's Ctrl-C has reached the children too, and their owners then [`kill_group`] them.
pub fn kill_group_id(pgid: u32) {
    #[cfg(unix)]
    if let Some(pgid) = signalable_group(pgid) {
        let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

/// Whether any process of the group `pgid` is still alive.
#[cfg(unix)]
pub fn group_alive(pgid: u32) -> bool {
    signalable_group(pgid).is_some_and(|pgid| nix::sys::signal::killpg(pgid, None).is_ok())
}

/// Group 0 is our own and 1 is init's (and -1 would mean every process we may signal): never those.
#[cfg(unix)]
fn signalable_group(pgid: u32) -> Option<nix::unistd::Pid> {
    let pgid = i32::try_from(pgid).ok()?;
    (pgid > 1).then(|| nix::unistd::Pid::from_raw(pgid))
}

/// The file's Unix mode bits, or `None` on a host whose file system has none (Windows): then the
/// packaging rules decide ([`crate::archive::zip_mode`]).
pub fn unix_mode(metadata: &Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(metadata.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// Marks `path` executable (0755). Windows has no execute bit; there this does nothing.
pub fn make_executable(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Creates the symbolic link `link` pointing at `target` (relative to the link's folder). Windows
/// needs to know whether the target is a directory, and the right to create links (Developer Mode
/// or an administrator).
pub fn symlink(target: &Path, link: &Path, target_is_dir: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        let _ = target_is_dir;
        std::os::unix::fs::symlink(target, link)
    }
    #[cfg(windows)]
    {
        if target_is_dir {
            std::os::windows::fs::symlink_dir(target, link)
        } else {
            std::os::windows::fs::symlink_file(target, link)
        }
    }
}

/// Whether `err` is Windows refusing a symbolic link to a user without the right to create one.
pub fn is_link_privilege_error(err: &io::Error) -> bool {
    const ERROR_PRIVILEGE_NOT_HELD: i32 = 1314;
    cfg!(windows) && err.raw_os_error() == Some(ERROR_PRIVILEGE_NOT_HELD)
}

/// Swaps the directory entries `a` and `b` in one step (Linux `renameat2(RENAME_EXCHANGE)`). Where
/// the host or its filesystem cannot, `b` is moved aside and `a` renamed to it: for a moment `b`
/// is absent.
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if exchange_atomically(a, b)? {
        return Ok(());
    }
    let aside = b.with_extension("powertools-aside");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

/// `Ok(false)` when the filesystem cannot exchange.
#[cfg(target_os = "linux")]
fn exchange_atomically(a: &Path, b: &Path) -> io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let a_c = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b_c = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated C strings that live across the call.
    let result = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a_c.as_ptr(),
            libc::AT_FDCWD,
            b_c.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

/// Waits for `child` and returns its peak resident memory in KiB, if it exited with 0. Linux only
/// (`wait4`'s `ru_maxrss` is in KiB there; macOS counts bytes): elsewhere `None`.
pub fn wait_peak_rss_kib(child: Child) -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let pid = libc::pid_t::try_from(child.id()).ok()?;
        let mut status = 0;
        // SAFETY: zeroed rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child, whose pid we hold; std's Child is not waited on again.
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let exited_cleanly =
            waited == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
        (exited_cleanly && usage.ru_maxrss > 0).then_some(usage.ru_maxrss as u64)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let mut child = child;
        let _ = child.wait();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_only_features_say_so_elsewhere() {
        let result = require_linux("`verify --invoke`");
        if cfg!(target_os = "linux") {
            assert!(result.is_ok());
        } else {
            assert_eq!(
                result.unwrap_err().to_string(),
                "`verify --invoke` runs functions on Linux only; run it in a Linux container or CI job"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_killed_group_is_gone() {
        let mut command = Command::new("sleep");
        command.arg("30");
        let mut child = own_process_group(&mut command).spawn().unwrap();
        assert!(group_alive(child.id()));
        kill_group(&mut child);
        child.wait().unwrap();
        assert!(!group_alive(child.id()));
    }
}
