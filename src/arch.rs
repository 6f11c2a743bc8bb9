//! The two Lambda architectures, the Rust targets that build for them and the runtimes they run on.
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

    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The glibc Rust target triple for this architecture.
    pub fn triple(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-gnu",
            Arch::Arm64 => "aarch64-unknown-linux-gnu",
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

/// The OS-only Lambda runtime a Rust function runs on. It decides the highest glibc a binary may need.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub enum Runtime {
    #[default]
    #[serde(rename = "provided.al2023")]
    ProvidedAl2023,
    #[serde(rename = "provided.al2")]
    ProvidedAl2,
}

impl Runtime {
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::ProvidedAl2023 => "provided.al2023",
            Runtime::ProvidedAl2 => "provided.al2",
        }
    }

    /// The glibc each runtime's Amazon Linux ships: Amazon Linux 2023 has glibc 2.34 and Amazon
    /// Linux 2 has glibc 2.26 (AWS Lambda docs, "Lambda runtimes" and "Building Lambda functions
    /// with Rust"; the Amazon Linux 2023 and Amazon Linux 2 package lists). A binary that needs a
    /// newer `GLIBC_x.y` fails to start with "version `GLIBC_x.y' not found".
    pub fn glibc(self) -> (u32, u32) {
        match self {
            Runtime::ProvidedAl2023 => (2, 34),
            Runtime::ProvidedAl2 => (2, 26),
        }
    }

    /// The glibc to pin a build to for this runtime, if any: Amazon Linux 2's glibc is older than
    /// what a default build links against, so its builds pin 2.26 (cargo-zigbuild's
    /// `<triple>.<glibc>` targets); Amazon Linux 2023 needs no pin.
    pub fn glibc_pin(self) -> Option<(u32, u32)> {
        match self {
            Runtime::ProvidedAl2023 => None,
            Runtime::ProvidedAl2 => Some(self.glibc()),
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
        let cpu = match self.arch {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "aarch64",
        };
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

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            glibc_pin: Runtime::ProvidedAl2.glibc_pin(),
        };
        assert_eq!(al2.build_target(), "aarch64-unknown-linux-gnu.2.26");
        assert_eq!(al2.triple(), "aarch64-unknown-linux-gnu");
        let musl = Target {
            arch: Arch::X86_64,
            libc: Libc::Musl,
            glibc_pin: None,
        };
        assert_eq!(musl.build_target(), "x86_64-unknown-linux-musl");
        assert_eq!(Runtime::ProvidedAl2023.glibc_pin(), None);
    }
}
