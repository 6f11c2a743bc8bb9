//! A requirements file read as pip reads it, for an installer that runs in another folder: `-r`
//! includes inlined (each resolved from the file that names it), `-c` constraint files and local
//! paths (`./libs/foo`, `file:` URLs, `-e`, `--find-links`) made absolute from the file that names
//! them, and every other line checked to be a requirement before any tool runs.
use super::PythonError;
use super::markers::logical_lines;
use pep508_rs::Requirement;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The options whose value is a requirements file to read in place of the line.
const INCLUDE: [&str; 2] = ["-r", "--requirement"];
/// The options whose value is a local path (or a URL, kept as it is).
const PATH_OPTIONS: [&str; 6] = [
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-f",
    "--find-links",
];

/// The requirements of `file` and every file it includes, one per line, with every local path
/// absolute.
pub fn read(file: &Path) -> Result<String, PythonError> {
    let mut out = String::new();
    let mut reading = Vec::new();
    read_into(file, &mut reading, &mut out)?;
    Ok(out)
}

fn read_into(file: &Path, reading: &mut Vec<PathBuf>, out: &mut String) -> Result<(), PythonError> {
    let text = std::fs::read_to_string(file).map_err(|source| PythonError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let canonical = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    if reading.contains(&canonical) {
        // pip would read the file again and again; once is what was meant.
        return Ok(());
    }
    reading.push(canonical);
    let base = file.parent().unwrap_or(Path::new("."));
    for line in logical_lines(&text) {
        if let Some((option, value)) = split_option(&line, &INCLUDE) {
            let included = clean(&base.join(value));
            if !included.is_file() {
                return Err(missing_file(file, &line, option, included));
            }
            read_into(&included, reading, out)?;
            continue;
        }
        let line = match split_option(&line, &PATH_OPTIONS) {
            Some((option, value)) => {
                let value = absolute_location(base, value);
                if matches!(option, "-c" | "--constraint")
                    && !value.contains("://")
                    && !Path::new(&value).is_file()
                {
                    return Err(missing_file(file, &line, option, PathBuf::from(value)));
                }
                format!("{option} {value}")
            }
            None if line.starts_with('-') => line,
            None => requirement_line(file, base, &line)?,
        };
        out.push_str(&line);
        out.push('\n');
    }
    reading.pop();
    Ok(())
}

/// `-r base.txt`, `-rbase.txt`, `--requirement=base.txt`: the option as named in `options` and its
/// value.
fn split_option<'a>(line: &'a str, options: &[&'static str]) -> Option<(&'static str, &'a str)> {
    options.iter().find_map(|option| {
        let rest = line.strip_prefix(option)?;
        let value = if option.starts_with("--") {
            rest.strip_prefix('=')
                .or_else(|| rest.strip_prefix(char::is_whitespace))?
        } else {
            rest
        };
        let value = value.trim();
        (!value.is_empty()).then_some((*option, value))
    })
}

/// A requirement, a URL, or a local path (made absolute); anything else is refused.
fn requirement_line(file: &Path, base: &Path, line: &str) -> Result<String, PythonError> {
    // pip's per-requirement options (`--hash=...`) follow the requirement.
    let (requirement, options) = line.split_at(line.find(" --").unwrap_or(line.len()));
    if looks_like_path(requirement) {
        return Ok(format!("{}{options}", absolute_location(base, requirement)));
    }
    // `name @ file:../libs/name`: the URL is relative to this file too.
    let requirement = match requirement.split_once(" @ ") {
        Some((name, url)) if url.trim().starts_with("file:") => {
            format!("{name} @ {}", absolute_location(base, url.trim()))
        }
        _ => requirement.to_string(),
    };
    match Requirement::<pep508_rs::VerbatimUrl>::from_str(&requirement) {
        Ok(_) => Ok(format!("{requirement}{options}")),
        Err(_) if requirement.contains("://") => Ok(format!("{requirement}{options}")),
        Err(err) => Err(PythonError::BadRequirement {
            file: file.to_path_buf(),
            line: line.to_string(),
            problem: err.message.to_string(),
        }),
    }
}

/// A line pip reads as a local file or folder rather than a requirement.
fn looks_like_path(text: &str) -> bool {
    text.starts_with(['.', '/', '~'])
        || text.starts_with("file:")
        || (text.contains('/') && !text.contains("://") && !text.contains(" @ "))
        || [".whl", ".tar.gz", ".zip"]
            .iter()
            .any(|e| text.ends_with(e))
}

/// `value` made absolute from `base` when it is a relative path or a relative `file:` URL; URLs and
/// absolute paths as they are.
fn absolute_location(base: &Path, value: &str) -> String {
    if let Some(path) = value.strip_prefix("file:") {
        if path.starts_with('/') {
            return value.to_string();
        }
        return format!("file://{}", clean(&base.join(path)).display());
    }
    if value.contains("://") || value.starts_with('/') || value.starts_with('~') {
        return value.to_string();
    }
    clean(&base.join(value)).display().to_string()
}

/// `base/./libs/../x` as `base/x`, without touching the file system.
fn clean(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn missing_file(file: &Path, line: &str, option: &str, missing: PathBuf) -> PythonError {
    PythonError::MissingRequirementsFile {
        file: file.to_path_buf(),
        line: line.to_string(),
        option: option.to_string(),
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_and_paths_are_resolved_from_the_file_that_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("orders")).unwrap();
        std::fs::create_dir_all(root.join("common")).unwrap();
        std::fs::write(
            root.join("orders/requirements.txt"),
            "-r ../common/base.txt\n--constraint=../common/pins.txt\nrequests==2.32.5 ; python_version >= '3.9' \\\n    --hash=sha256:ab\n./libs/orders_core\n",
        )
        .unwrap();
        std::fs::write(
            root.join("common/base.txt"),
            "# shared\naws-lambda-powertools==3.23.0\nshared @ file:./shared\n-e ../vendored/tool\n--find-links wheels\n--index-url https://pypi.org/simple\n",
        )
        .unwrap();
        std::fs::write(root.join("common/pins.txt"), "urllib3<2\n").unwrap();
        let text = read(&root.join("orders/requirements.txt")).unwrap();
        let r = root.display();
        assert_eq!(
            text,
            format!(
                "aws-lambda-powertools==3.23.0\nshared @ file://{r}/common/shared\n-e {r}/vendored/tool\n--find-links {r}/common/wheels\n--index-url https://pypi.org/simple\n--constraint {r}/common/pins.txt\nrequests==2.32.5 ; python_version >= '3.9' --hash=sha256:ab\n{r}/orders/libs/orders_core\n"
            )
        );
    }

    #[test]
    fn a_missing_include_and_a_bad_line_name_the_file_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("requirements.txt");
        std::fs::write(&file, "-r ../common/base.txt\n").unwrap();
        assert!(matches!(
            read(&file),
            Err(PythonError::MissingRequirementsFile { line, .. }) if line == "-r ../common/base.txt"
        ));
        std::fs::write(&file, "pydantic>=2.7\nboto3 = 1.40\n").unwrap();
        assert!(matches!(
            read(&file),
            Err(PythonError::BadRequirement { line, .. }) if line == "boto3 = 1.40"
        ));
    }

    #[test]
    fn a_file_that_includes_itself_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("requirements.txt");
        std::fs::write(&file, "six==1.17.0\n-r requirements.txt\n").unwrap();
        assert_eq!(read(&file).unwrap(), "six==1.17.0\n");
    }
}
