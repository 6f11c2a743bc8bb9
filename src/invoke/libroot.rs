//! Which C library qemu-user gives an emulated bootstrap.
//!
//! A dynamically linked bootstrap names its loader (`PT_INTERP`, e.g. `/lib/ld-linux-aarch64.so.1`)
//! and the loader then finds `libc.so.6`. qemu-user's `-L ROOT` (or `QEMU_LD_PREFIX`) makes every
//! path the guest opens look under ROOT first and fall back to the host's own path when ROOT lacks
//! it. So with Debian's cross sysroot (`libc6-arm64-cross`, `/usr/aarch64-linux-gnu`) and the
//! multiarch `libc6:arm64` both installed, `-L /usr/aarch64-linux-gnu` takes the loader from the
//! sysroot but `libc.so.6` from the multiarch directory (the sysroot has no `lib/aarch64-linux-gnu`,
//! the first place the loader looks). Two glibc builds mixed like that loop forever in the first
//! `pthread_create`: every multi-thread tokio runtime hangs at 100% CPU.
//!
//! So the root is chosen by where the loader and libc would really come from, and both must be one
//! glibc build: the host's multiarch libraries without `-L` first, a sysroot only when it is
//! complete on its own, and a clear error when neither is.
use crate::model::Arch;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a bootstrap's loader and libc come from under qemu-user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryRoot {
    /// The `-L` root; `None` for the host's own (multiarch) paths, or a static bootstrap.
    pub prefix: Option<PathBuf>,
    /// The loader and libc it resolves to, with their glibc build; `None` for a static bootstrap.
    pub libc: Option<Resolved>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub loader: PathBuf,
    pub libc: PathBuf,
    /// E.g. `Debian GLIBC 2.36-9+deb12u14, version 2.36`; `None` if the files do not say.
    pub build: Option<String>,
}

/// Why no library root fits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unfit {
    /// A root whose loader and libc come from two different glibc builds.
    Mismatch {
        root: Option<PathBuf>,
        loader: (PathBuf, String),
        libc: (PathBuf, String),
    },
    /// A root without the loader or without a libc.
    Missing { root: Option<PathBuf>, what: String },
}

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unfit::Mismatch { root, loader, libc } => write!(
                f,
                "{}: the loader {} is {} but libc {} is {}",
                describe_root(root.as_deref()),
                loader.0.display(),
                loader.1,
                libc.0.display(),
                libc.1
            ),
            Unfit::Missing { root, what } => {
                write!(f, "{}: no {what}", describe_root(root.as_deref()))
            }
        }
    }
}

fn describe_root(root: Option<&Path>) -> String {
    match root {
        None => "the host's multiarch libraries (no -L)".to_string(),
        Some(root) => format!("-L {}", root.display()),
    }
}

/// The loader a bootstrap names in its `PT_INTERP`; `None` for a static one.
pub fn interpreter(bootstrap: &[u8]) -> Option<PathBuf> {
    use object::read::elf::{FileHeader, ProgramHeader};
    let header = object::elf::FileHeader64::<object::Endianness>::parse(bootstrap).ok()?;
    let endian = header.endian().ok()?;
    for segment in header.program_headers(endian, bootstrap).ok()? {
        if let Ok(Some(bytes)) = segment.interpreter(endian, bootstrap) {
            let text = std::str::from_utf8(bytes).ok()?;
            return Some(PathBuf::from(text.trim_end_matches('\0')));
        }
    }
    None
}

/// Chooses the library root for a bootstrap of `arch` whose loader is `interp`.
///
/// `explicit` is a root the user chose (`QEMU_LD_PREFIX`): it is the only candidate, and must fit.
/// Otherwise the host's multiarch paths come first and Debian's cross sysroot second.
pub fn choose(
    arch: Arch,
    interp: Option<&Path>,
    explicit: Option<&Path>,
) -> Result<LibraryRoot, Vec<Unfit>> {
    choose_on(Path::new("/"), arch, interp, explicit)
}

/// [`choose`] on a host whose file system starts at `host` (a test's temporary directory).
fn choose_on(
    host: &Path,
    arch: Arch,
    interp: Option<&Path>,
    explicit: Option<&Path>,
) -> Result<LibraryRoot, Vec<Unfit>> {
    let Some(interp) = interp else {
        return Ok(LibraryRoot {
            prefix: explicit.map(Path::to_path_buf),
            libc: None,
        });
    };
    let candidates: Vec<Option<PathBuf>> = match explicit {
        Some(root) => vec![Some(root.to_path_buf())],
        None => vec![None, Some(host.join("usr").join(arch.multiarch()))],
    };
    let mut unfit = Vec::new();
    for root in candidates {
        match check(host, arch, interp, root.as_deref()) {
            Ok(resolved) => {
                return Ok(LibraryRoot {
                    prefix: root,
                    libc: Some(resolved),
                });
            }
            Err(why) => unfit.push(why),
        }
    }
    Err(unfit)
}

/// Where the loader and libc of a bootstrap come from with `root`, and whether they are one build.
fn check(host: &Path, arch: Arch, interp: &Path, root: Option<&Path>) -> Result<Resolved, Unfit> {
    let missing = |what: String| Unfit::Missing {
        root: root.map(Path::to_path_buf),
        what,
    };
    let loader = guest_path(host, root, interp)
        .ok_or_else(|| missing(format!("loader {}", interp.display())))?;
    let tuple = arch.multiarch();
    // The directories glibc's loader searches, in its order (Debian's multiarch build).
    let dirs = [
        format!("/lib/{tuple}"),
        format!("/usr/lib/{tuple}"),
        "/lib".to_string(),
        "/usr/lib".to_string(),
    ];
    let libc = dirs
        .iter()
        .find_map(|dir| guest_path(host, root, &Path::new(dir).join("libc.so.6")))
        .ok_or_else(|| missing(format!("libc.so.6 for {arch}")))?;
    let loader_build = glibc_build(&loader);
    let libc_build = glibc_build(&libc);
    match (loader_build, libc_build) {
        (Some(a), Some(b)) if a != b => Err(Unfit::Mismatch {
            root: root.map(Path::to_path_buf),
            loader: (loader, a),
            libc: (libc, b),
        }),
        (a, b) => Ok(Resolved {
            loader,
            libc,
            build: a.or(b),
        }),
    }
}

/// The host file the guest gets when it opens `path`: qemu-user looks under `root` first and falls
/// back to the host's path; symbolic links are followed as the kernel follows them.
fn guest_path(host: &Path, root: Option<&Path>, path: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix("/").unwrap_or(path);
    let under_root = root.map(|root| root.join(relative));
    [under_root, Some(host.join(relative))]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
}

/// The glibc build a loader or libc belongs to, from the banner both carry:
/// `... (Debian GLIBC 2.36-8) stable release version 2.36.` → `Debian GLIBC 2.36-8, version 2.36`.
pub fn glibc_build(file: &Path) -> Option<String> {
    let bytes = std::fs::read(file).ok()?;
    banner_build(&bytes)
}

fn banner_build(bytes: &[u8]) -> Option<String> {
    const MARKER: &[u8] = b") stable release version ";
    let at = bytes.windows(MARKER.len()).position(|w| w == MARKER)?;
    let open = bytes[at.saturating_sub(120)..at]
        .iter()
        .rposition(|&b| b == b'(')
        .map(|i| at.saturating_sub(120) + i + 1)?;
    let version_start = at + MARKER.len();
    let version_len = bytes[version_start..]
        .iter()
        .take(32)
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    let version = String::from_utf8_lossy(&bytes[version_start..version_start + version_len]);
    let build = String::from_utf8_lossy(&bytes[open..at]);
    Some(format!(
        "{build}, version {}",
        version.trim_end_matches('.')
    ))
}

// Unix: the fake hosts hold symbolic links, as Debian's do.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn reads_the_glibc_build_from_a_banner() {
        let libc = b"\0junk\0GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\nCopyright";
        assert_eq!(
            banner_build(libc).as_deref(),
            Some("Debian GLIBC 2.36-9+deb12u14, version 2.36")
        );
        let loader = b"ld.so (Debian GLIBC 2.36-8) stable release version 2.36.\0";
        assert_eq!(
            banner_build(loader).as_deref(),
            Some("Debian GLIBC 2.36-8, version 2.36")
        );
        assert_eq!(banner_build(b"musl libc"), None);
    }

    /// Writes a fake loader or libc carrying a glibc banner.
    fn lib(path: &Path, build: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let banner = format!("\0GNU C Library ({build}) stable release version 2.36.\n");
        std::fs::write(path, banner).unwrap();
    }

    const INTERP: &str = "/lib/ld-linux-aarch64.so.1";
    const CROSS: &str = "Debian GLIBC 2.36-8";
    const MULTIARCH: &str = "Debian GLIBC 2.36-9+deb12u14";

    /// A host with Debian's cross sysroot (loader and libc in `usr/aarch64-linux-gnu/lib`).
    fn host_with_cross_sysroot() -> tempfile::TempDir {
        let host = tempfile::tempdir().unwrap();
        let sysroot = host.path().join("usr/aarch64-linux-gnu/lib");
        lib(&sysroot.join("ld-linux-aarch64.so.1"), CROSS);
        lib(&sysroot.join("libc.so.6"), CROSS);
        host
    }

    fn add_multiarch(host: &Path) {
        lib(
            &host.join("lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"),
            MULTIARCH,
        );
        lib(&host.join("usr/lib/aarch64-linux-gnu/libc.so.6"), MULTIARCH);
        std::os::unix::fs::symlink(
            "aarch64-linux-gnu/ld-linux-aarch64.so.1",
            host.join("lib/ld-linux-aarch64.so.1"),
        )
        .unwrap();
    }

    #[test]
    fn the_multiarch_libc_comes_first_and_needs_no_root() {
        let host = host_with_cross_sysroot();
        add_multiarch(host.path());
        let chosen = choose_on(host.path(), Arch::Arm64, Some(Path::new(INTERP)), None).unwrap();
        assert_eq!(chosen.prefix, None);
        let resolved = chosen.libc.unwrap();
        assert_eq!(
            resolved.loader,
            host.path()
                .join("lib/aarch64-linux-gnu/ld-linux-aarch64.so.1")
        );
        assert_eq!(
            resolved.libc,
            host.path().join("usr/lib/aarch64-linux-gnu/libc.so.6")
        );
        assert_eq!(
            resolved.build.as_deref(),
            Some("Debian GLIBC 2.36-9+deb12u14, version 2.36")
        );
    }

    #[test]
    fn a_cross_sysroot_complete_on_its_own_is_used_without_multiarch() {
        let host = host_with_cross_sysroot();
        let chosen = choose_on(host.path(), Arch::Arm64, Some(Path::new(INTERP)), None).unwrap();
        let sysroot = host.path().join("usr/aarch64-linux-gnu");
        assert_eq!(chosen.prefix.as_deref(), Some(sysroot.as_path()));
        let resolved = chosen.libc.unwrap();
        assert_eq!(resolved.loader, sysroot.join("lib/ld-linux-aarch64.so.1"));
        assert_eq!(resolved.libc, sysroot.join("lib/libc.so.6"));
    }

    #[test]
    fn a_sysroot_beside_multiarch_mixes_two_glibc_builds_and_is_refused() {
        // The user insists on the cross sysroot (QEMU_LD_PREFIX) while libc6:arm64 is installed:
        // its loader, but the multiarch directory's libc (searched first): the mix that hangs.
        let host = host_with_cross_sysroot();
        add_multiarch(host.path());
        let sysroot = host.path().join("usr/aarch64-linux-gnu");
        let unfit = choose_on(
            host.path(),
            Arch::Arm64,
            Some(Path::new(INTERP)),
            Some(&sysroot),
        )
        .unwrap_err();
        assert_eq!(unfit.len(), 1);
        assert_eq!(
            unfit[0].to_string(),
            format!(
                "-L {}: the loader {} is Debian GLIBC 2.36-8, version 2.36 but libc {} is Debian GLIBC 2.36-9+deb12u14, version 2.36",
                sysroot.display(),
                sysroot.join("lib/ld-linux-aarch64.so.1").display(),
                host.path()
                    .join("usr/lib/aarch64-linux-gnu/libc.so.6")
                    .display(),
            )
        );
    }

    #[test]
    fn no_arm64_libc_at_all_names_what_is_missing() {
        let host = tempfile::tempdir().unwrap();
        let unfit = choose_on(host.path(), Arch::Arm64, Some(Path::new(INTERP)), None).unwrap_err();
        let messages: Vec<String> = unfit.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "the host's multiarch libraries (no -L): no loader /lib/ld-linux-aarch64.so.1"
                    .to_string(),
                format!(
                    "-L {}: no loader /lib/ld-linux-aarch64.so.1",
                    host.path().join("usr/aarch64-linux-gnu").display()
                ),
            ]
        );
    }

    #[test]
    fn reads_the_loader_of_a_real_bootstrap() {
        // This test binary is itself dynamically linked on the platforms CI uses.
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let interp = interpreter(&me).expect("a PT_INTERP");
        assert!(interp.to_string_lossy().contains("ld-linux"), "{interp:?}");
    }

    #[test]
    fn a_static_bootstrap_needs_no_root() {
        let chosen = choose(Arch::Arm64, None, None).unwrap();
        assert_eq!(chosen.prefix, None);
        assert_eq!(chosen.libc, None);
    }
}
