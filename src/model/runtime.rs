//! Lambda runtimes: an OS-only one for a Rust binary, a Python one for a Python function, which
//! glibc each has, and which manylinux wheels a Python runtime loads.
use super::Arch;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Lambda runtime, spelled as Lambda spells it (`provided.al2023`, `python3.12`); it decides the
/// highest glibc a binary may need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Runtime {
    /// What a Rust binary (a `bootstrap`) runs on.
    Os(OsRuntime),
    /// What a Python function or layer runs on.
    Python(PythonVersion),
}

/// An OS-only runtime, the runtime of a Rust binary.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum OsRuntime {
    #[default]
    ProvidedAl2023,
    ProvidedAl2,
}

/// A Python version Lambda has a runtime for: `3.<minor>` with the minor in [`PYTHON_MINORS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonVersion(u8);

/// The Python runtimes Lambda offers (AWS Lambda docs, "Lambda runtimes").
pub const PYTHON_MINORS: std::ops::RangeInclusive<u8> = 9..=14;

/// `provided.al2023`, what a bare `bootstrap` is taken to run on.
impl Default for Runtime {
    fn default() -> Runtime {
        Runtime::Os(OsRuntime::default())
    }
}

impl Runtime {
    pub fn is_python(self) -> bool {
        matches!(self, Runtime::Python(_))
    }

    /// The glibc each runtime's Amazon Linux ships: Amazon Linux 2023 has glibc 2.34 and Amazon
    /// Linux 2 has glibc 2.26 (AWS Lambda docs, "Lambda runtimes" and "Building Lambda functions
    /// with Rust"; the Amazon Linux 2023 and Amazon Linux 2 package lists). A binary that needs a
    /// newer `GLIBC_x.y` fails to start with "version `GLIBC_x.y' not found".
    pub fn glibc(self) -> (u32, u32) {
        match self {
            Runtime::Os(os) => os.glibc(),
            Runtime::Python(python) => python.glibc(),
        }
    }
}

impl OsRuntime {
    pub fn as_str(self) -> &'static str {
        match self {
            OsRuntime::ProvidedAl2023 => "provided.al2023",
            OsRuntime::ProvidedAl2 => "provided.al2",
        }
    }

    /// The glibc of its Amazon Linux (see [`Runtime::glibc`]).
    pub fn glibc(self) -> (u32, u32) {
        match self {
            OsRuntime::ProvidedAl2023 => (2, 34),
            OsRuntime::ProvidedAl2 => (2, 26),
        }
    }

    /// The glibc to pin a build to for this runtime, if any: Amazon Linux 2's glibc is older than
    /// what a default build links against, so its builds pin 2.26 (cargo-zigbuild's
    /// `<triple>.<glibc>` targets); Amazon Linux 2023 needs no pin.
    pub fn glibc_pin(self) -> Option<(u32, u32)> {
        match self {
            OsRuntime::ProvidedAl2 => Some(self.glibc()),
            OsRuntime::ProvidedAl2023 => None,
        }
    }
}

impl PythonVersion {
    /// `3.<minor>`, when Lambda has a runtime for it.
    pub fn new(minor: u8) -> Option<PythonVersion> {
        PYTHON_MINORS
            .contains(&minor)
            .then_some(PythonVersion(minor))
    }

    /// The version new functions should use: the newest whose wheels every popular package
    /// publishes (python3.14 is newer, and still missing wheels of some).
    pub const fn recommended() -> PythonVersion {
        PythonVersion(13)
    }

    pub fn minor(self) -> u8 {
        self.0
    }

    /// Every version Lambda has a runtime for, oldest first.
    pub fn all() -> impl Iterator<Item = PythonVersion> {
        PYTHON_MINORS.map(PythonVersion)
    }

    /// Its runtime, `python3.<minor>`.
    pub fn runtime(self) -> Runtime {
        Runtime::Python(self)
    }

    /// The glibc of the Amazon Linux it runs on: Python 3.12 and later run on Amazon Linux 2023,
    /// older ones on Amazon Linux 2 (see [`Runtime::glibc`]).
    pub fn glibc(self) -> (u32, u32) {
        self.amazon_linux().glibc()
    }

    /// The OS-only runtime of the same Amazon Linux (AWS Lambda docs, "Lambda runtimes").
    fn amazon_linux(self) -> OsRuntime {
        if self.0 >= 12 {
            OsRuntime::ProvidedAl2023
        } else {
            OsRuntime::ProvidedAl2
        }
    }
}

/// The oldest glibc a manylinux tag names (`manylinux_2_5`, alias `manylinux1`).
const OLDEST_MANYLINUX: u32 = 5;

/// Every manylinux platform tag a Python runtime loads on `arch`, newest first:
/// `manylinux_2_<glibc>_<cpu>` down to `manylinux_2_5_<cpu>` (PEP 600: a wheel for glibc 2.x runs
/// on glibc 2.x and later), then the legacy aliases `manylinux2014` (2.17), `manylinux2010` (2.12)
/// and `manylinux1` (2.5). Installers given only `manylinux2014` miss wheels published for newer
/// glibc only (numpy 2.3 publishes `manylinux_2_28`), which Amazon Linux 2023 loads.
pub fn manylinux_tags(python: PythonVersion, arch: Arch) -> Vec<String> {
    let (_, newest) = python.glibc();
    let cpu = arch.cpu();
    let mut tags: Vec<String> = (OLDEST_MANYLINUX..=newest)
        .rev()
        .map(|minor| format!("manylinux_2_{minor}_{cpu}"))
        .collect();
    for (alias, minor) in [
        ("manylinux2014", 17),
        ("manylinux2010", 12),
        ("manylinux1", 5),
    ] {
        if minor <= newest {
            tags.push(format!("{alias}_{cpu}"));
        }
    }
    tags
}

/// The glibc `(2, minor)` a manylinux platform tag needs (`manylinux_2_28_x86_64` → 28,
/// `manylinux2014_aarch64` → 17); `None` for other tags.
pub fn manylinux_glibc(tag: &str) -> Option<u32> {
    let rest = tag.strip_prefix("manylinux")?;
    for (alias, minor) in [("2014_", 17), ("2010_", 12), ("1_", 5)] {
        if rest.starts_with(alias) {
            return Some(minor);
        }
    }
    let rest = rest.strip_prefix("_2_")?;
    rest.split('_').next()?.parse().ok()
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Runtime::Os(os) => os.fmt(f),
            Runtime::Python(python) => write!(f, "python{python}"),
        }
    }
}

impl fmt::Display for OsRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `3.12`.
impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "3.{}", self.0)
    }
}

/// What a runtime name that is none of Lambda's gets: the same words from each parser.
fn unknown_runtime(name: &str) -> String {
    format!(
        "unknown variant `{name}`, expected `provided.al2023` or `provided.al2` (or python3.{}..python3.{} for Python)",
        PYTHON_MINORS.start(),
        PYTHON_MINORS.end()
    )
}

/// `python3.12` → 3.12, when Lambda has that runtime.
fn python_runtime(name: &str) -> Option<PythonVersion> {
    name.strip_prefix("python")?.parse().ok()
}

impl FromStr for Runtime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(python) = python_runtime(s) {
            return Ok(Runtime::Python(python));
        }
        s.parse().map(Runtime::Os)
    }
}

impl FromStr for OsRuntime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "provided.al2023" => Ok(OsRuntime::ProvidedAl2023),
            "provided.al2" => Ok(OsRuntime::ProvidedAl2),
            _ if python_runtime(s).is_some() => Err(format!(
                "`{s}` is a Python runtime; a Rust binary runs on `provided.al2023` or `provided.al2` (a Python function takes its version from `python = \"3.x\"` under [workspace.metadata.powertools.python.<name>])"
            )),
            _ => Err(unknown_runtime(s)),
        }
    }
}

/// `3.12`, with the minor of a Lambda runtime.
impl FromStr for PythonVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.strip_prefix("3.")
            .and_then(|minor| minor.parse::<u8>().ok())
            .and_then(PythonVersion::new)
            .ok_or_else(|| {
                format!(
                    "`{s}` is not a Python version Lambda has a runtime for (3.{}..3.{})",
                    PYTHON_MINORS.start(),
                    PYTHON_MINORS.end()
                )
            })
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
        runtime.to_string()
    }
}

impl TryFrom<String> for OsRuntime {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<OsRuntime> for String {
    fn from(runtime: OsRuntime) -> String {
        runtime.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python(minor: u8) -> PythonVersion {
        PythonVersion::new(minor).unwrap()
    }

    #[test]
    fn manylinux_tags_follow_the_runtime_glibc() {
        let al2023 = manylinux_tags(python(12), Arch::X86_64);
        assert_eq!(al2023.first().unwrap(), "manylinux_2_34_x86_64");
        assert!(al2023.contains(&"manylinux_2_28_x86_64".to_string()));
        assert!(al2023.contains(&"manylinux2014_x86_64".to_string()));
        assert_eq!(al2023.last().unwrap(), "manylinux1_x86_64");
        let al2 = manylinux_tags(python(11), Arch::Arm64);
        assert_eq!(al2.first().unwrap(), "manylinux_2_26_aarch64");
        assert!(!al2.contains(&"manylinux_2_28_aarch64".to_string()));
        assert_eq!(manylinux_glibc("manylinux_2_28_x86_64"), Some(28));
        assert_eq!(manylinux_glibc("manylinux2014_aarch64"), Some(17));
        assert_eq!(manylinux_glibc("manylinux1_x86_64"), Some(5));
        assert_eq!(manylinux_glibc("musllinux_1_2_x86_64"), None);
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
        assert_eq!(
            "provided.al3".parse::<OsRuntime>().unwrap_err(),
            "provided.al3".parse::<Runtime>().unwrap_err()
        );
        assert_eq!(
            PythonVersion::all()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
            ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
        );
    }

    #[test]
    fn a_rust_binary_cannot_take_a_python_runtime() {
        let err = "python3.12".parse::<OsRuntime>().unwrap_err();
        assert!(
            err.starts_with("`python3.12` is a Python runtime; a Rust binary runs on"),
            "{err}"
        );
        assert_eq!("provided.al2".parse(), Ok(OsRuntime::ProvidedAl2));
        assert_eq!(OsRuntime::ProvidedAl2.glibc_pin(), Some((2, 26)));
        assert_eq!(OsRuntime::ProvidedAl2023.glibc_pin(), None);
    }

    #[test]
    fn python_versions_are_those_lambda_runs() {
        assert_eq!("3.12".parse(), Ok(python(12)));
        assert_eq!(python(12).runtime().to_string(), "python3.12");
        assert_eq!(PythonVersion::new(8), None);
        for bad in ["3.2", "2.7", "three", "3.15", "3.12.1"] {
            assert!(bad.parse::<PythonVersion>().is_err(), "{bad}");
        }
    }
}
