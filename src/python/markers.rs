//! Environment markers evaluated for the Lambda target, not for the machine that packages.
//!
//! pip evaluates markers against the interpreter that runs it, even with `--platform` (pypa/pip#11664):
//! `foo ; platform_machine == "aarch64"` is left out of an arm64 zip built on x86_64. So the tool
//! evaluates every marker of the requirements it hands an installer itself, for the target, and
//! gives the installer only what applies, without markers.
use crate::model::{Arch, PythonVersion};
use pep508_rs::{ExtraName, MarkerEnvironment, MarkerEnvironmentBuilder, Requirement};
use std::str::FromStr;

/// The marker environment of CPython `python` on Lambda (Linux, glibc) for `arch`.
pub fn target_environment(python: PythonVersion, arch: Arch) -> MarkerEnvironment {
    let version = python.to_string();
    // The patch level Lambda runs moves with its updates; `.0` keeps `python_full_version` markers
    // about minor versions right.
    let full_version = format!("{python}.0");
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: &full_version,
        os_name: "posix",
        platform_machine: arch.cpu(),
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: "Linux",
        platform_version: "",
        python_full_version: &full_version,
        python_version: &version,
        sys_platform: "linux",
    })
    .expect("a CPython 3.x version is a valid marker version")
}

/// One line of a requirements file, as far as markers concern it.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// A requirement whose markers hold for the target (written without them), or a line the tool
    /// does not interpret (options, includes, URLs pip reads itself), kept as it is.
    Keep(String),
    /// A requirement whose markers exclude the target.
    Drop(String),
}

/// A requirement line, its marker evaluated for `env`: `Keep` without the marker, or `Drop`.
pub fn evaluate_line(line: &str, env: &MarkerEnvironment) -> Line {
    // pip's per-requirement options (`--hash=...`) follow the requirement.
    let (requirement, options) = match line.find(" --") {
        Some(at) => line.split_at(at),
        None => (line, ""),
    };
    let Ok(parsed) = Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) else {
        return Line::Keep(line.to_string());
    };
    if parsed.marker.is_true() {
        return Line::Keep(line.to_string());
    }
    if !parsed.evaluate_markers(env, &[]) {
        return Line::Drop(line.to_string());
    }
    let without_marker = requirement
        .rsplit_once(';')
        .map_or(requirement, |(before, _)| before)
        .trim_end();
    Line::Keep(format!("{without_marker}{options}"))
}

/// The lines of a requirements file as requirements: continuations joined, comments and blank
/// lines left out.
pub fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let without_comment = match raw.find('#') {
            Some(0) => "",
            Some(at) if raw[..at].ends_with(char::is_whitespace) => &raw[..at],
            _ => raw,
        };
        let trimmed = without_comment.trim();
        if let Some(continued) = trimmed.strip_suffix('\\') {
            current.push_str(continued.trim_end());
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let line = std::mem::take(&mut current).trim().to_string();
        if !line.is_empty() {
            lines.push(line);
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        lines.push(rest.to_string());
    }
    lines
}

/// A requirements file rewritten for the target: requirements whose markers exclude it removed,
/// the others without their markers. Returns the new text and the dropped lines.
pub fn for_target(text: &str, env: &MarkerEnvironment) -> (String, Vec<String>) {
    let mut kept = String::new();
    let mut dropped = Vec::new();
    for line in logical_lines(text) {
        match evaluate_line(&line, env) {
            Line::Keep(line) => {
                kept.push_str(&line);
                kept.push('\n');
            }
            Line::Drop(line) => dropped.push(line),
        }
    }
    (kept, dropped)
}

/// Whether a marker-carrying requirement applies, for closure checks (with the requirer's extras).
pub fn applies(requirement: &Requirement, env: &MarkerEnvironment, extras: &[ExtraName]) -> bool {
    requirement.evaluate_markers(env, extras)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_evaluated_for_the_target_not_this_machine() {
        let arm = target_environment(PythonVersion::new(12).unwrap(), Arch::Arm64);
        let x86 = target_environment(PythonVersion::new(11).unwrap(), Arch::X86_64);
        let gated = "orjson==3.11.0 ; platform_machine == 'aarch64'";
        assert_eq!(
            evaluate_line(gated, &arm),
            Line::Keep("orjson==3.11.0".into())
        );
        assert_eq!(evaluate_line(gated, &x86), Line::Drop(gated.into()));
        let version = "tomli==2.2.1 ; python_full_version < '3.11'";
        assert!(matches!(evaluate_line(version, &x86), Line::Drop(_)));
        let windows = "colorama==0.4.6 ; sys_platform == 'win32'";
        assert!(matches!(evaluate_line(windows, &arm), Line::Drop(_)));
        assert_eq!(
            evaluate_line("numpy==2.3.4 --hash=sha256:ab", &arm),
            Line::Keep("numpy==2.3.4 --hash=sha256:ab".into())
        );
        assert_eq!(
            evaluate_line("-r base.txt", &arm),
            Line::Keep("-r base.txt".into())
        );
    }

    #[test]
    fn requirements_files_are_rewritten_line_by_line() {
        let text = "# header\nannotated-types==0.7.0\n    # via pydantic\nuvloop==0.21.0 ; sys_platform != 'win32' \\\n    --hash=sha256:00\npywin32==308 ; sys_platform == 'win32'\n";
        let env = target_environment(PythonVersion::new(13).unwrap(), Arch::X86_64);
        let (kept, dropped) = for_target(text, &env);
        assert_eq!(
            kept,
            "annotated-types==0.7.0\nuvloop==0.21.0 --hash=sha256:00\n"
        );
        assert_eq!(dropped, vec!["pywin32==308 ; sys_platform == 'win32'"]);
    }
}
