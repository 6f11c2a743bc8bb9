//! Lambda runtimes: which glibc each has, and which manylinux wheels a Python runtime loads.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

/// The Python runtimes Lambda offers, with the Amazon Linux each runs on (AWS Lambda docs, "Lambda
/// runtimes": python3.9-3.11 on Amazon Linux 2, python3.12 and later on Amazon Linux 2023). The
/// glibc of each is [`Runtime::glibc`]; the wheels it loads are [`manylinux_tags`].
pub const PYTHON_RUNTIMES: [(u8, &str); 6] = [
    (9, "Amazon Linux 2"),
    (10, "Amazon Linux 2"),
    (11, "Amazon Linux 2"),
    (12, "Amazon Linux 2023"),
    (13, "Amazon Linux 2023"),
    (14, "Amazon Linux 2023"),
];

/// The oldest glibc a manylinux tag names (`manylinux_2_5`, alias `manylinux1`).
const OLDEST_MANYLINUX: u32 = 5;

/// Every manylinux platform tag a runtime loads on `cpu` (`x86_64` or `aarch64`), newest first:
/// `manylinux_2_<glibc>_<cpu>` down to `manylinux_2_5_<cpu>` (PEP 600: a wheel for glibc 2.x runs
/// on glibc 2.x and later), then the legacy aliases `manylinux2014` (2.17), `manylinux2010` (2.12)
/// and `manylinux1` (2.5). Installers given only `manylinux2014` miss wheels published for newer
/// glibc only (numpy 2.3 publishes `manylinux_2_28`), which Amazon Linux 2023 loads.
pub fn manylinux_tags(runtime: Runtime, cpu: &str) -> Vec<String> {
    let (_, newest) = runtime.glibc();
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
    fn manylinux_tags_follow_the_runtime_glibc() {
        let al2023 = manylinux_tags(Runtime::Python(12), "x86_64");
        assert_eq!(al2023.first().unwrap(), "manylinux_2_34_x86_64");
        assert!(al2023.contains(&"manylinux_2_28_x86_64".to_string()));
        assert!(al2023.contains(&"manylinux2014_x86_64".to_string()));
        assert_eq!(al2023.last().unwrap(), "manylinux1_x86_64");
        let al2 = manylinux_tags(Runtime::Python(11), "aarch64");
        assert_eq!(al2.first().unwrap(), "manylinux_2_26_aarch64");
        assert!(!al2.contains(&"manylinux_2_28_aarch64".to_string()));
        assert_eq!(manylinux_glibc("manylinux_2_28_x86_64"), Some(28));
        assert_eq!(manylinux_glibc("manylinux2014_aarch64"), Some(17));
        assert_eq!(manylinux_glibc("manylinux1_x86_64"), Some(5));
        assert_eq!(manylinux_glibc("musllinux_1_2_x86_64"), None);
        for (minor, _) in PYTHON_RUNTIMES {
            assert!(PYTHON_MINORS.contains(&minor));
        }
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
