//! What a Python project folder says about itself when its table does not: the recipe its lock file
//! calls for, and the Python version it runs with.
use crate::model::PYTHON_MINORS;
use std::path::Path;

/// A setting found in the project folder, and where it was found (for the status line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub value: String,
    pub because: String,
}

/// The recipe the folder's files call for: uv.lock → uv, poetry.lock → poetry, requirements.txt →
/// pip; `None` when it has none of them (the default recipe then applies).
pub fn recipe(project: &Path) -> Option<Found> {
    [
        ("uv.lock", "uv"),
        ("poetry.lock", "poetry"),
        ("requirements.txt", "pip"),
    ]
    .into_iter()
    .find(|(file, _)| project.join(file).is_file())
    .map(|(file, recipe)| Found {
        value: recipe.to_string(),
        because: format!("found {file}"),
    })
}

/// The Python version of the project: its `.python-version` (`3.12`, `3.12.4`, `cpython-3.12`), or
/// else the lowest version with a Lambda runtime that `requires-python` in its pyproject.toml
/// allows. `None` when neither says.
pub fn python(project: &Path) -> Option<Found> {
    from_python_version_file(project).or_else(|| from_requires_python(project))
}

fn from_python_version_file(project: &Path) -> Option<Found> {
    let text = std::fs::read_to_string(project.join(".python-version")).ok()?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let version = line.strip_prefix("cpython-").unwrap_or(line);
    let major_minor: Vec<&str> = version.splitn(3, '.').take(2).collect();
    Some(Found {
        value: major_minor.join("."),
        because: "from .python-version".into(),
    })
}

fn from_requires_python(project: &Path) -> Option<Found> {
    let text = std::fs::read_to_string(project.join("pyproject.toml")).ok()?;
    let document = text.parse::<toml_edit::DocumentMut>().ok()?;
    let requires = document
        .get("project")?
        .get("requires-python")?
        .as_str()?
        .to_string();
    let minor = PYTHON_MINORS
        .clone()
        // An unparsable one decides nothing here; packaging refuses it, naming the file.
        .find(|&minor| super::allows(&requires, minor) == Ok(true))?;
    Some(Found {
        value: format!("3.{minor}"),
        because: format!("the lowest Lambda runtime requires-python \"{requires}\" allows"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn the_lock_file_names_the_recipe() {
        let found = |files: &[(&str, &str)]| recipe(project(files).path()).map(|f| f.value);
        assert_eq!(
            found(&[("uv.lock", ""), ("requirements.txt", "")]),
            Some("uv".into())
        );
        assert_eq!(found(&[("poetry.lock", "")]), Some("poetry".into()));
        assert_eq!(found(&[("requirements.txt", "")]), Some("pip".into()));
        assert_eq!(found(&[("pyproject.toml", "")]), None);
    }

    #[test]
    fn python_version_file_then_requires_python() {
        let found = |files: &[(&str, &str)]| python(project(files).path()).map(|f| f.value);
        let pyproject = "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n";
        assert_eq!(
            found(&[(".python-version", "3.13.1\n")]),
            Some("3.13".into())
        );
        assert_eq!(
            found(&[(".python-version", "cpython-3.12\n")]),
            Some("3.12".into())
        );
        assert_eq!(
            found(&[(".python-version", "3.11\n"), ("pyproject.toml", pyproject)]),
            Some("3.11".into())
        );
        assert_eq!(found(&[("pyproject.toml", pyproject)]), Some("3.12".into()));
        assert_eq!(
            found(&[("pyproject.toml", "[project]\nrequires-python = \">=3.8\"\n")]),
            Some(format!("3.{}", PYTHON_MINORS.start()))
        );
        assert_eq!(found(&[("requirements.txt", "six\n")]), None);
    }
}
