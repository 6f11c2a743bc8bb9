//! `[tool.powertools]` in a project's own pyproject.toml, which `package --python PATH` reads, and
//! the strict reading of a settings table that it shares with powertools.toml: an unknown key is an
//! error naming the file, the table, the key and the keys allowed.
use super::PythonError;
use crate::model::Arch;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

/// The keys `[tool.powertools]` takes.
pub const TOOL_KEYS: &[&str] = &[
    "handler",
    "python",
    "architectures",
    "layer",
    "bytecode",
    "exclude",
];

/// `[tool.powertools]`: what one project says about its own packaging.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct ToolTable {
    pub handler: Option<String>,
    pub python: Option<String>,
    pub architectures: Option<Vec<Arch>>,
    #[serde(default)]
    pub layer: bool,
    pub bytecode: Option<bool>,
    /// Distributions to leave out (the runtime or a layer provides them).
    pub exclude: Option<Vec<String>>,
}

/// `[tool.powertools]` of `pyproject` (none when the file or the table is not there).
pub fn read(pyproject: &Path) -> Result<ToolTable, PythonError> {
    let Ok(text) = std::fs::read_to_string(pyproject) else {
        return Ok(ToolTable::default());
    };
    let document = parse_toml(&text, pyproject)?;
    match document.get("tool").and_then(|tool| tool.get("powertools")) {
        Some(value) => table(value, pyproject, "[tool.powertools]", TOOL_KEYS),
        None => Ok(ToolTable::default()),
    }
}

/// A TOML file as JSON values (what the strict table readers take).
pub fn parse_toml(text: &str, file: &Path) -> Result<serde_json::Value, PythonError> {
    toml_edit::de::from_str(text).map_err(|err| PythonError::BadValue {
        file: file.to_path_buf(),
        table: "the file".into(),
        key: "TOML".into(),
        message: err.message().trim().to_string(),
    })
}

/// Reads `value` (the table `table` of `file`) as `T`, refusing keys outside `allowed` by name.
pub fn table<T: DeserializeOwned>(
    value: &serde_json::Value,
    file: &Path,
    table: &str,
    allowed: &[&str],
) -> Result<T, PythonError> {
    let bad_value = |key: String, message: String| PythonError::BadValue {
        file: file.to_path_buf(),
        table: table.to_string(),
        key,
        message,
    };
    let Some(object) = value.as_object() else {
        return Err(bad_value(
            table.trim_matches(['[', ']']).to_string(),
            "expected a table".into(),
        ));
    };
    if let Some(key) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(PythonError::UnknownKey {
            file: file.to_path_buf(),
            table: table.to_string(),
            key: key.clone(),
            allowed: allowed.iter().map(ToString::to_string).collect(),
        });
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let key = err.path().to_string();
        let mut message = err.into_inner().to_string();
        // serde's own text repeats the key's whereabouts in TOML terms that mean nothing here.
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        bad_value(key, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<ToolTable, PythonError> {
        let dir = tempfile::tempdir().unwrap();
        let pyproject = dir.path().join("pyproject.toml");
        std::fs::write(&pyproject, text).unwrap();
        read(&pyproject)
    }

    #[test]
    fn the_tool_table_is_read_strictly() {
        let table = read_text(
            "[project]\nname = \"a\"\n[tool.powertools]\nhandler = \"app.handler\"\narchitectures = [\"arm64\"]\n",
        )
        .unwrap();
        assert_eq!(table.handler.as_deref(), Some("app.handler"));
        assert_eq!(table.architectures, Some(vec![Arch::Arm64]));
        assert_eq!(
            read_text("[project]\nname = \"a\"\n").unwrap(),
            ToolTable::default()
        );

        let err = read_text("[tool.powertools]\nhandlr = \"app.handler\"\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown key `handlr` in `[tool.powertools]` of "),
            "{err}"
        );
        assert_eq!(
            err.help().unwrap(),
            "the keys of `[tool.powertools]` are: handler, python, architectures, layer, bytecode, exclude"
        );
        let err = read_text("[tool.powertools]\narchitectures = [\"arm\"]\n").unwrap_err();
        assert!(
            err.to_string().contains("invalid `architectures[0]`"),
            "{err}"
        );
    }
}
