//! The dependency closure of installed distributions, checked: every `Requires-Dist` of every
//! `*.dist-info/METADATA` (markers evaluated for the target, requested extras honoured) must be
//! installed at a version that satisfies it. An installer that exits 0 can still leave a gap (a
//! `--no-deps` install of an incomplete lock, a marker evaluated for the wrong machine), which
//! Lambda reports only at the first import, as `Runtime.ImportModuleError`.
use super::markers;
use crate::model::{Arch, PythonVersion};
use pep508_rs::pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement, VersionOrUrl};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

/// Distributions the Lambda Python runtime already has (boto3 and what it needs): a zip may rely
/// on them without shipping them.
pub const RUNTIME_PROVIDED: [&str; 7] = [
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
];

/// The most of one `METADATA` file read from a zip.
const METADATA_LIMIT: u64 = 4 * 1024 * 1024;

/// One installed distribution, from its `METADATA`.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    pub name: PackageName,
    pub version: String,
    /// `Requires-Dist` values, as written.
    pub requires: Vec<String>,
}

/// Reads `Name`, `Version` and every `Requires-Dist` from a `METADATA` file's headers.
pub fn parse_metadata(text: &str) -> Option<Distribution> {
    let (mut name, mut version, mut requires) = (None, None, Vec::new());
    for line in text.lines() {
        if line.is_empty() {
            break; // the headers end; the description follows
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            match key {
                "Name" => name = PackageName::from_str(value).ok(),
                "Version" => version = Some(value.to_string()),
                "Requires-Dist" => requires.push(value.to_string()),
                _ => {}
            }
        }
    }
    Some(Distribution {
        name: name?,
        version: version?,
        requires,
    })
}

/// A requirement the installed set does not satisfy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gap {
    /// `pydantic 2.11.0`, or `the project` for a line of its requirements.
    pub requirer: String,
    /// The requirement as written, e.g. `pydantic-core==2.33.2`.
    pub requirement: String,
    /// The normalized name of the required distribution.
    pub name: String,
    /// The installed version, when one is there but does not satisfy the requirement.
    pub installed: Option<String>,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.installed {
            None => write!(
                f,
                "{} requires `{}`, which is not installed",
                self.requirer, self.requirement
            ),
            Some(version) => write!(
                f,
                "{} requires `{}`, but {} {version} is installed",
                self.requirer, self.requirement, self.name
            ),
        }
    }
}

/// Checks that `distributions` hold every requirement of each other and of `roots` (top-level
/// requirements, whose extras are requested), for CPython `python` on `arch`. Names in
/// `provided` (left out on purpose, or in the runtime) count as installed when the zip has none;
/// a version the zip ships must satisfy its requirers.
pub fn check(
    distributions: &[Distribution],
    roots: &[String],
    provided: &[String],
    python: PythonVersion,
    arch: Arch,
) -> Vec<Gap> {
    let env = markers::target_environment(python, arch);
    let installed: BTreeMap<&PackageName, &Distribution> =
        distributions.iter().map(|d| (&d.name, d)).collect();
    let provided: BTreeSet<PackageName> = provided
        .iter()
        .chain(
            RUNTIME_PROVIDED
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .iter(),
        )
        .filter_map(|name| PackageName::from_str(name).ok())
        .collect();
    let parse = |text: &str| Requirement::<pep508_rs::VerbatimUrl>::from_str(text).ok();
    let root_requirements: Vec<(String, Requirement)> = roots
        .iter()
        .filter_map(|line| parse(line).map(|r| (line.clone(), r)))
        .filter(|(_, r)| markers::applies(r, &env, &[]))
        .collect();

    // Extras requested of each distribution, by the roots and by the distributions that apply.
    let mut extras: BTreeMap<PackageName, BTreeSet<ExtraName>> = BTreeMap::new();
    for (_, requirement) in &root_requirements {
        extras
            .entry(requirement.name.clone())
            .or_default()
            .extend(requirement.extras.iter().cloned());
    }
    loop {
        let mut changed = false;
        for distribution in distributions {
            let own: Vec<ExtraName> = extras
                .get(&distribution.name)
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default();
            for requirement in distribution.requires.iter().filter_map(|r| parse(r)) {
                if !requirement.extras.is_empty() && markers::applies(&requirement, &env, &own) {
                    let set = extras.entry(requirement.name.clone()).or_default();
                    for extra in &requirement.extras {
                        changed |= set.insert(extra.clone());
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }

    let mut gaps = BTreeSet::new();
    let mut needs = |requirer: String, written: &str, requirement: &Requirement| {
        let installed_version = installed.get(&requirement.name).map(|d| d.version.as_str());
        // The runtime's copy counts only when the zip ships none: a shipped one shadows it.
        if installed_version.is_none() && provided.contains(&requirement.name) {
            return;
        }
        let satisfied = match (installed_version, &requirement.version_or_url) {
            (None, _) => false,
            (Some(version), Some(VersionOrUrl::VersionSpecifier(specifiers))) => {
                Version::from_str(version).is_ok_and(|v| specifiers.contains(&v))
            }
            (Some(_), _) => true,
        };
        if !satisfied {
            gaps.insert(Gap {
                requirer,
                requirement: written.to_string(),
                name: requirement.name.to_string(),
                installed: installed_version.map(String::from),
            });
        }
    };
    for (written, requirement) in &root_requirements {
        let written = written.split(';').next().unwrap_or(written).trim();
        needs("the project".into(), written, requirement);
    }
    for distribution in distributions {
        let own: Vec<ExtraName> = extras
            .get(&distribution.name)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default();
        for written in &distribution.requires {
            let Some(requirement) = parse(written) else {
                continue;
            };
            if markers::applies(&requirement, &env, &own) {
                let written = written.split(';').next().unwrap_or(written).trim();
                needs(
                    format!("{} {}", distribution.name, distribution.version),
                    written,
                    &requirement,
                );
            }
        }
    }
    gaps.into_iter().collect()
}

/// The distributions installed in a site-packages folder.
pub fn read_site(site: &Path) -> std::io::Result<Vec<Distribution>> {
    let mut distributions = Vec::new();
    for entry in std::fs::read_dir(site)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "dist-info")
            && let Ok(text) = std::fs::read_to_string(path.join("METADATA"))
            && let Some(distribution) = parse_metadata(&text)
        {
            distributions.push(distribution);
        }
    }
    Ok(distributions)
}

/// The distributions in a Python zip: `*.dist-info/METADATA` at its root (a function) or under
/// `python/` (a layer).
pub fn read_zip(zip: &Path) -> std::io::Result<Vec<Distribution>> {
    let file = std::fs::File::open(zip)?;
    let mut archive = zip::ZipArchive::new(file).map_err(std::io::Error::other)?;
    let mut distributions = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(std::io::Error::other)?;
        let name = entry.name().unwrap_or_default().to_string();
        let name = name.strip_prefix("python/").unwrap_or(&name);
        let is_metadata = name
            .strip_suffix("/METADATA")
            .is_some_and(|dir| dir.ends_with(".dist-info") && !dir.contains('/'));
        // METADATA is small; a hostile zip (a size that lies, a bomb) must not make this read
        // without end.
        if is_metadata && entry.size() < METADATA_LIMIT {
            let mut text = String::new();
            if (&mut entry)
                .take(METADATA_LIMIT)
                .read_to_string(&mut text)
                .is_ok()
                && let Some(distribution) = parse_metadata(&text)
            {
                distributions.push(distribution);
            }
        }
    }
    Ok(distributions)
}

/// The closure check `verify` runs on a Python zip: one line per gap (empty when complete).
/// Distributions the runtime provides, and those in `provided`, count as installed.
pub fn check_zip(
    zip: &Path,
    provided: &[String],
    python: PythonVersion,
    arch: Arch,
) -> std::io::Result<Vec<Gap>> {
    let distributions = read_zip(zip)?;
    Ok(check(&distributions, &[], provided, python, arch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(name: &str, version: &str, requires: &[&str]) -> Distribution {
        Distribution {
            name: PackageName::from_str(name).unwrap(),
            version: version.into(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn metadata_headers_are_read_up_to_the_description() {
        let text = "Metadata-Version: 2.4\nName: pydantic\nVersion: 2.14.4\nRequires-Dist: annotated-types>=0.6.0\nRequires-Dist: pydantic-core==2.50.5\nRequires-Dist: email-validator>=2.0.0; extra == 'email'\n\nRequires-Dist: not a header\n";
        let parsed = parse_metadata(text).unwrap();
        assert_eq!(parsed.name.to_string(), "pydantic");
        assert_eq!(parsed.version, "2.14.4");
        assert_eq!(parsed.requires.len(), 3);
    }

    #[test]
    fn a_missing_or_unsatisfying_dependency_is_a_gap() {
        let pydantic = dist(
            "pydantic",
            "2.14.4",
            &[
                "pydantic-core==2.50.5",
                "typing-extensions>=4.14",
                "email-validator>=2.0.0; extra == 'email'",
                "boto3",
            ],
        );
        let core = dist("pydantic_core", "2.40.0", &["typing-extensions>=4.14"]);
        let typing = dist("typing-extensions", "4.16.0", &[]);
        let gaps = check(
            &[pydantic.clone(), core, typing.clone()],
            &[],
            &[],
            PythonVersion::new(12).unwrap(),
            Arch::X86_64,
        );
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(
            gaps[0].to_string(),
            "pydantic 2.14.4 requires `pydantic-core==2.50.5`, but pydantic-core 2.40.0 is installed"
        );
        let gaps = check(
            &[pydantic.clone(), typing.clone()],
            &["pydantic[email]>=2".into()],
            &[],
            PythonVersion::new(12).unwrap(),
            Arch::X86_64,
        );
        let shown: Vec<String> = gaps.iter().map(Gap::to_string).collect();
        assert_eq!(
            shown,
            [
                "pydantic 2.14.4 requires `email-validator>=2.0.0`, which is not installed",
                "pydantic 2.14.4 requires `pydantic-core==2.50.5`, which is not installed",
            ]
        );
        // Left out on purpose: not a gap.
        let gaps = check(
            &[pydantic, typing],
            &[],
            &["pydantic-core".into()],
            PythonVersion::new(12).unwrap(),
            Arch::X86_64,
        );
        assert!(gaps.is_empty(), "{gaps:?}");
    }

    /// botocore 1.42 requires urllib3<1.27 on python3.9: a urllib3 2.x in the zip shadows the
    /// runtime's and breaks botocore, so a runtime-provided name counts only when not shipped.
    #[test]
    fn a_shipped_runtime_provided_distribution_must_satisfy_its_requirers() {
        let botocore = dist(
            "botocore",
            "1.42.97",
            &[
                "urllib3<1.27,>=1.25.4; python_version < \"3.10\"",
                "urllib3!=2.2.0,<3,>=1.25.4; python_version >= \"3.10\"",
            ],
        );
        let urllib3 = dist("urllib3", "2.6.3", &[]);
        let py39 = PythonVersion::new(9).unwrap();
        let shipped = check(
            &[botocore.clone(), urllib3.clone()],
            &[],
            &[],
            py39,
            Arch::X86_64,
        );
        let shown: Vec<String> = shipped.iter().map(Gap::to_string).collect();
        assert_eq!(
            shown,
            ["botocore 1.42.97 requires `urllib3<1.27,>=1.25.4`, but urllib3 2.6.3 is installed"]
        );
        assert!(
            check(
                std::slice::from_ref(&botocore),
                &[],
                &[],
                py39,
                Arch::X86_64
            )
            .is_empty()
        );
        let py312 = PythonVersion::new(12).unwrap();
        assert!(check(&[botocore, urllib3], &[], &[], py312, Arch::X86_64).is_empty());
    }

    #[test]
    fn markers_of_requirements_are_evaluated_for_the_target() {
        let app = dist(
            "app-lib",
            "1.0",
            &[
                "arm-only ; platform_machine == 'aarch64'",
                "tomli ; python_version < '3.11'",
            ],
        );
        assert!(
            check(
                std::slice::from_ref(&app),
                &[],
                &[],
                PythonVersion::new(12).unwrap(),
                Arch::X86_64
            )
            .is_empty()
        );
        let gaps = check(
            std::slice::from_ref(&app),
            &[],
            &[],
            PythonVersion::new(12).unwrap(),
            Arch::Arm64,
        );
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].name, "arm-only");
        let gaps = check(
            &[app],
            &[],
            &[],
            PythonVersion::new(10).unwrap(),
            Arch::X86_64,
        );
        assert_eq!(gaps[0].name, "tomli");
    }
}
