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

/// A Lambda runtime: an OS-only one (for Rust) or a Python one. Spelled as Lambda spells it
/// (`provided.al2023`, `python3.12`); it decides the highest glibc a binary may need.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum Runtime {
    #[default]
    ProvidedAl2023,
    ProvidedAl2,
    /// `python3.<minor>`.
    Python(u8),
}

/// The Python runtimes Lambda offers (AWS Lambda docs, "Lambda runtimes").
pub const PYTHON_MINORS: std::ops::RangeInclusive<u8> = 9..=14;

impl Runtime {
    pub fn as_string(self) -> String {
        match self {
            Runtime::ProvidedAl2023 => "provided.al2023".into(),
            Runtime::ProvidedAl2 => "provided.al2".into(),
            Runtime::Python(minor) => format!("python3.{minor}"),
        }
    }

    pub fn is_python(self) -> bool {
        matches!(self, Runtime::Python(_))
    }

    /// The glibc each runtime's Amazon Linux ships: Amazon Linux 2023 has glibc 2.34 and Amazon
    /// Linux 2 has glibc 2.26 (AWS Lambda docs, "Lambda runtimes" and "Building Lambda functions
    /// with Rust"; the Amazon Linux 2023 and Amazon Linux 2 package lists). A binary that needs a
    /// newer `GLIBC_x.y` fails to start with "version `GLIBC_x.y' not found".
    /// Python 3.12 and later run on Amazon Linux 2023, older ones on Amazon Linux 2.
    pub fn glibc(self) -> (u32, u32) {
        match self {
            Runtime::ProvidedAl2023 => (2, 34),
            Runtime::ProvidedAl2 => (2, 26),
            Runtime::Python(minor) if minor >= 12 => (2, 34),
            Runtime::Python(_) => (2, 26),
        }
    }

    /// The glibc to pin a build to for this runtime, if any: Amazon Linux 2's glibc is older than
    /// what a default build links against, so its builds pin 2.26 (cargo-zigbuild's
    /// `<triple>.<glibc>` targets); Amazon Linux 2023 needs no pin.
    pub fn glibc_pin(self) -> Option<(u32, u32)> {
        match self {
            Runtime::ProvidedAl2 => Some(self.glibc()),
            Runtime::ProvidedAl2023 | Runtime::Python(_) => None,
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
        f.write_str(&self.as_string())
    }
}

impl FromStr for Runtime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let python = s
            .strip_prefix("python3.")
            .and_then(|minor| minor.parse::<u8>().ok());
        match (s, python) {
            ("provided.al2023", _) => Ok(Runtime::ProvidedAl2023),
            ("provided.al2", _) => Ok(Runtime::ProvidedAl2),
            (_, Some(minor)) if PYTHON_MINORS.contains(&minor) => Ok(Runtime::Python(minor)),
            _ => Err(format!(
                "unknown variant `{s}`, expected `provided.al2023` or `provided.al2` (or python3.{}..python3.{} for Python)",
                PYTHON_MINORS.start(),
                PYTHON_MINORS.end()
            )),
        }
    }
}

impl TryFrom<String> for Runtime {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Runtime> for String {
    fn from(runtime: Runtime) -> String {
        runtime.as_string()
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

    #[test]
    fn runtimes_round_trip_and_know_their_glibc() {
        for name in [
            "provided.al2023",
            "provided.al2",
            "python3.11",
            "python3.13",
        ] {
            assert_eq!(name.parse::<Runtime>().unwrap().to_string(), name);
        }
        assert_eq!("python3.11".parse::<Runtime>().unwrap().glibc(), (2, 26));
        assert_eq!("python3.12".parse::<Runtime>().unwrap().glibc(), (2, 34));
        assert!("python3.2".parse::<Runtime>().is_err());
        assert!(
            "provided.al3"
                .parse::<Runtime>()
                .unwrap_err()
                .contains("expected `provided.al2023` or `provided.al2`")
        );
    }
}
