//! The two Lambda architectures, every name each goes by, and the Rust targets that build for them.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Lambda instruction set architecture, spelled the way Lambda's API and the manifest spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Arch {
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
}

impl Arch {
    pub const ALL: [Arch; 2] = [Arch::X86_64, Arch::Arm64];

    /// The name Lambda's API, the manifest and the output folders use: `x86_64`, `arm64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The CPU name of Rust triples, Python's `platform.machine()`, wheel platform tags
    /// (`manylinux_2_28_aarch64`) and qemu-user: `x86_64`, `aarch64`.
    pub fn cpu(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "aarch64",
        }
    }

    /// The glibc Rust target triple for this architecture.
    pub fn triple(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-gnu",
            Arch::Arm64 => "aarch64-unknown-linux-gnu",
        }
    }

    /// Debian's name, as in `dpkg --add-architecture` and `libc6:<arch>`: `amd64`, `arm64`.
    pub fn debian(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The Debian multiarch tuple, which names the multiarch library directories, the cross
    /// sysroot and the cross compiler (`aarch64-linux-gnu-gcc`).
    pub fn multiarch(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-linux-gnu",
            Arch::Arm64 => "aarch64-linux-gnu",
        }
    }

    /// The qemu-user program that runs this architecture's binaries (`qemu-aarch64`; Debian's
    /// statically linked one adds `-static`).
    pub fn qemu(self) -> String {
        format!("qemu-{}", self.cpu())
    }

    /// glibc's standard dynamic loader, as a dynamically linked binary names it in `PT_INTERP`.
    pub fn glibc_loader(self) -> &'static str {
        match self {
            Arch::X86_64 => "/lib64/ld-linux-x86-64.so.2",
            Arch::Arm64 => "/lib/ld-linux-aarch64.so.1",
        }
    }

    /// The architecture of an ELF `e_machine`, if Lambda runs it.
    pub fn from_elf_machine(machine: object::elf::Machine) -> Option<Arch> {
        match machine {
            object::elf::EM_X86_64 => Some(Arch::X86_64),
            object::elf::EM_AARCH64 => Some(Arch::Arm64),
            _ => None,
        }
    }

    /// The architecture of the machine this program runs on (x86_64 unless it is aarch64).
    pub fn host() -> Arch {
        if cfg!(target_arch = "aarch64") {
            Arch::Arm64
        } else {
            Arch::X86_64
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Arch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "x86_64" => Ok(Arch::X86_64),
            "arm64" => Ok(Arch::Arm64),
            other => Err(format!(
                "unknown architecture `{other}`: expected `x86_64` or `arm64`"
            )),
        }
    }
}

/// Which C library a Rust binary links against.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Libc {
    #[default]
    Gnu,
    Musl,
}

/// What a build produces code for: an architecture, a C library and, for glibc, maybe a pinned version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub arch: Arch,
    pub libc: Libc,
    pub glibc_pin: Option<(u32, u32)>,
}

impl Target {
    /// The Rust target triple, e.g. `aarch64-unknown-linux-gnu`.
    pub fn triple(&self) -> String {
        let cpu = self.arch.cpu();
        let libc = match self.libc {
            Libc::Gnu => "gnu",
            Libc::Musl => "musl",
        };
        format!("{cpu}-unknown-linux-{libc}")
    }

    /// The target passed to the build: the triple, with `.<major>.<minor>` when glibc is pinned.
    pub fn build_target(&self) -> String {
        match self.glibc_pin {
            Some((major, minor)) => format!("{}.{major}.{minor}", self.triple()),
            None => self.triple(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OsRuntime;

    #[test]
    fn parses_the_names_lambda_uses() {
        assert_eq!("arm64".parse::<Arch>().unwrap(), Arch::Arm64);
        assert_eq!("x86_64".parse::<Arch>().unwrap(), Arch::X86_64);
        assert!(
            "aarch64"
                .parse::<Arch>()
                .unwrap_err()
                .contains("expected `x86_64` or `arm64`")
        );
    }

    #[test]
    fn targets_spell_triples_and_glibc_pins() {
        let al2 = Target {
            arch: Arch::Arm64,
            libc: Libc::Gnu,
            glibc_pin: OsRuntime::ProvidedAl2.glibc_pin(),
        };
        assert_eq!(al2.build_target(), "aarch64-unknown-linux-gnu.2.26");
        assert_eq!(al2.triple(), "aarch64-unknown-linux-gnu");
        let musl = Target {
            arch: Arch::X86_64,
            libc: Libc::Musl,
            glibc_pin: None,
        };
        assert_eq!(musl.build_target(), "x86_64-unknown-linux-musl");
        assert_eq!(OsRuntime::ProvidedAl2023.glibc_pin(), None);
    }
}
