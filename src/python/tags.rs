//! Which wheels a Lambda Python runtime loads, spelled for each installer: uv's
//! `--python-platform`, pip's repeated `--platform` (see [`crate::model::manylinux_tags`]) and pex's
//! complete platform (marker environment and every compatible tag).
use super::markers::target_environment;
use crate::model::{Arch, PythonVersion, manylinux_glibc, manylinux_tags};
use crate::process::ProcessBuilder;

/// The glibc versions uv names in `--python-platform <cpu>-manylinux_2_<minor>` (uv 0.13).
const UV_MANYLINUX: [u32; 13] = [17, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41];
/// The newest glibc a probe for newer-only wheels asks about.
const NEWEST_GLIBC_PROBED: u32 = 41;

/// uv's `--python-platform` for the runtime: the newest manylinux uv names that the runtime's
/// glibc loads (`x86_64-manylinux_2_34` on Amazon Linux 2023; `manylinux_2_17` on Amazon Linux 2,
/// since uv has no `manylinux_2_26`).
pub fn uv_platform(python: PythonVersion, arch: Arch) -> String {
    let glibc = python.glibc().1;
    let minor = UV_MANYLINUX
        .iter()
        .copied()
        .filter(|m| *m <= glibc)
        .max()
        .unwrap_or(17);
    format!("{}-manylinux_2_{minor}", arch.cpu())
}

/// The tags CPython `3.<minor>` on Lambda accepts, most specific first, as `packaging.tags` lists
/// them for an interpreter: `cp3X-cp3X-<platform>`, `abi3` of every earlier 3.x, then pure-Python.
pub fn compatible_tags(python: PythonVersion, arch: Arch) -> Vec<String> {
    let minor = python.minor();
    let platforms = manylinux_tags(python, arch);
    let cp = format!("cp3{minor}");
    let mut tags = Vec::new();
    for abi in [cp.as_str(), "abi3", "none"] {
        tags.extend(platforms.iter().map(|p| format!("{cp}-{abi}-{p}")));
    }
    for older in (2..minor).rev() {
        tags.extend(platforms.iter().map(|p| format!("cp3{older}-abi3-{p}")));
    }
    let py: Vec<String> = std::iter::once(format!("py3{minor}"))
        .chain(std::iter::once("py3".to_string()))
        .chain((0..minor).rev().map(|m| format!("py3{m}")))
        .collect();
    for interpreter in &py {
        tags.extend(platforms.iter().map(|p| format!("{interpreter}-none-{p}")));
    }
    tags.push(format!("{cp}-none-any"));
    tags.extend(py.iter().map(|i| format!("{i}-none-any")));
    tags
}

/// A pex / Pants complete platform (JSON): the target's marker environment and compatible tags.
pub fn complete_platform(python: PythonVersion, arch: Arch) -> String {
    let env = target_environment(python, arch);
    let marker_environment = serde_json::json!({
        "implementation_name": "cpython",
        "implementation_version": format!("{python}.0"),
        "os_name": "posix",
        "platform_machine": env.platform_machine(),
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": format!("{python}.0"),
        "python_version": python.to_string(),
        "sys_platform": "linux",
    });
    let document = serde_json::json!({
        "marker_environment": marker_environment,
        "compatible_tags": compatible_tags(python, arch),
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// A wheel of a package that only a newer glibc than the runtime's loads.
#[derive(Debug, PartialEq)]
pub struct NewerWheel {
    pub version: String,
    /// Its platform tags, e.g. `manylinux_2_27_x86_64.manylinux_2_28_x86_64`.
    pub tags: String,
    /// The oldest glibc minor any of its tags needs (27).
    pub glibc: u32,
}

/// Asks the index (through pip, without installing) whether `requirement` has a wheel for the
/// runtime's Python on a newer glibc than manylinux2014's 2.17 (the newest installers fall back to);
/// `None` when not, or when pip cannot say.
pub fn newer_wheel(requirement: &str, python: PythonVersion, arch: Arch) -> Option<NewerWheel> {
    let scratch = tempfile::tempdir().ok()?;
    let mut probe = ProcessBuilder::new("python3");
    probe.args([
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--no-deps",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--disable-pip-version-check",
        "--quiet",
        "--report",
        "-",
    ]);
    probe.arg("--python-version").arg(python.to_string());
    probe.arg("--target").arg(scratch.path());
    for glibc in (18..=NEWEST_GLIBC_PROBED).rev() {
        probe.arg(format!("--platform=manylinux_2_{glibc}_{}", arch.cpu()));
    }
    probe.arg(requirement);
    let report: serde_json::Value = serde_json::from_str(&probe.output().ok()?).ok()?;
    let url = report["install"][0]["download_info"]["url"].as_str()?;
    let version = report["install"][0]["metadata"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    wheel_platform(url).map(|(tags, glibc)| NewerWheel {
        version,
        tags,
        glibc,
    })
}

/// The platform tags of a wheel file name and the oldest glibc they need.
fn wheel_platform(url: &str) -> Option<(String, u32)> {
    let file = url.rsplit('/').next()?.split('#').next()?;
    let stem = file.strip_suffix(".whl")?;
    let platforms = stem.rsplit('-').next()?;
    let glibc = platforms.split('.').filter_map(manylinux_glibc).min()?;
    Some((platforms.to_string(), glibc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_gets_the_newest_platform_it_names() {
        assert_eq!(
            uv_platform(PythonVersion::new(12).unwrap(), Arch::X86_64),
            "x86_64-manylinux_2_34"
        );
        assert_eq!(
            uv_platform(PythonVersion::new(9).unwrap(), Arch::Arm64),
            "aarch64-manylinux_2_17"
        );
    }

    #[test]
    fn complete_platforms_list_tags_as_packaging_does() {
        let tags = compatible_tags(PythonVersion::new(12).unwrap(), Arch::Arm64);
        assert_eq!(tags[0], "cp312-cp312-manylinux_2_34_aarch64");
        assert!(tags.contains(&"cp312-abi3-manylinux_2_28_aarch64".to_string()));
        assert!(tags.contains(&"cp38-abi3-manylinux2014_aarch64".to_string()));
        assert!(tags.contains(&"py3-none-any".to_string()));
        assert!(!tags.iter().any(|t| t.contains("x86_64")));
        let json: serde_json::Value = serde_json::from_str(&complete_platform(
            PythonVersion::new(11).unwrap(),
            Arch::X86_64,
        ))
        .unwrap();
        assert_eq!(json["marker_environment"]["platform_machine"], "x86_64");
        assert_eq!(json["marker_environment"]["python_version"], "3.11");
        assert_eq!(
            json["compatible_tags"][0],
            "cp311-cp311-manylinux_2_26_x86_64"
        );
    }

    #[test]
    fn wheel_file_names_give_their_glibc() {
        assert_eq!(
            wheel_platform(
                "https://x/numpy-2.3.4-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl#sha256=00"
            ),
            Some(("manylinux_2_27_x86_64.manylinux_2_28_x86_64".into(), 27))
        );
        assert_eq!(wheel_platform("numpy-2.3.4.tar.gz"), None);
    }
}
