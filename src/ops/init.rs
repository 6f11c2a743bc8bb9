//! `cargo powertools init`: writes the powertools metadata table and a Lambda release profile into
//! the workspace's Cargo.toml with toml_edit, so that every comment and blank line stays as it was.
//! Keys that are already there are left alone: running it twice changes nothing the second time.
use crate::errors::{Error, InitError};
use crate::message::Message;
use crate::model::{Arch, OsRuntime};
use crate::recipe::{self, Recipes};
use crate::shell::Shell;
use crate::workspace::{self, LoadOptions};
use std::path::{Path, PathBuf};
use toml_edit::{Array, DocumentMut, Item, Table, TableLike, value};

/// The release profile for Lambda binaries; `docs/profile.md` shows the sizes that justify each key
/// (measured with `scripts/bench-profile.sh`).
pub const RELEASE_PROFILE: [(&str, ProfileValue); 5] = [
    ("strip", ProfileValue::Bool(true)),
    ("lto", ProfileValue::Bool(true)),
    ("codegen-units", ProfileValue::Int(1)),
    ("opt-level", ProfileValue::Str("s")),
    ("panic", ProfileValue::Str("abort")),
];

#[derive(Clone, Copy, Debug)]
pub enum ProfileValue {
    Bool(bool),
    Int(i64),
    Str(&'static str),
}

impl ProfileValue {
    fn item(self) -> Item {
        match self {
            ProfileValue::Bool(b) => value(b),
            ProfileValue::Int(i) => value(i),
            ProfileValue::Str(s) => value(s),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct InitOptions {
    pub load: LoadOptions,
    pub recipe: Option<String>,
}

#[derive(Debug)]
pub struct InitReport {
    pub manifest: PathBuf,
    /// `table.key` for every key written.
    pub written: Vec<String>,
}

pub fn init(options: &InitOptions, shell: &Shell) -> Result<InitReport, Error> {
    let workspace = workspace::load(&options.load)?;
    if let Some(name) = &options.recipe {
        // Only a recipe that exists may be written.
        workspace.recipes.get(name)?;
    }
    let manifest = workspace.manifest_path.clone();
    let text = std::fs::read_to_string(&manifest).map_err(|source| InitError::Read {
        path: manifest.clone(),
        source,
    })?;
    let mut document: DocumentMut =
        text.parse()
            .map_err(|err: toml_edit::TomlError| InitError::Parse {
                path: manifest.clone(),
                message: err.to_string(),
            })?;
    let written =
        edit(&mut document, options.recipe.as_deref(), &workspace.recipes).map_err(|key| {
            InitError::NotATable {
                path: manifest.clone(),
                key,
            }
        })?;
    if written.is_empty() {
        shell.status(
            "Unchanged",
            format!("{} already has every setting", manifest.display()),
        );
    } else {
        let new_text = with_line_endings_of(&text, document.to_string());
        replace_keeping_file(&manifest, new_text.as_bytes())?;
        shell.status(
            "Updated",
            format!("{}: {}", manifest.display(), written.join(", ")),
        );
    }
    shell.emit(&Message::Init {
        manifest: &manifest,
        written: &written,
    });
    Ok(InitReport { manifest, written })
}

/// toml_edit writes `\n`; a file written with `\r\n` keeps them.
fn with_line_endings_of(original: &str, new_text: String) -> String {
    let crlf = original.matches("\r\n").count();
    let lf = original.matches('\n').count();
    if crlf > 0 && crlf * 2 >= lf {
        new_text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        new_text
    }
}

/// Writes `bytes` over `path` in one rename, as the file it replaces was: through a symlink to its
/// target (the link stays a link), with the same permissions.
fn replace_keeping_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let write_err = |source| InitError::Write {
        path: path.to_path_buf(),
        source,
    };
    let target = std::fs::canonicalize(path).map_err(write_err)?;
    let permissions = std::fs::metadata(&target).map_err(write_err)?.permissions();
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
    std::io::Write::write_all(&mut file, bytes).map_err(write_err)?;
    std::fs::set_permissions(file.path(), permissions).map_err(write_err)?;
    file.persist(&target).map_err(|e| write_err(e.error))?;
    Ok(())
}

/// Adds what is missing; returns the keys written, or the dotted key of a value that is in the way
/// where a table must be.
fn edit(
    document: &mut DocumentMut,
    recipe: Option<&str>,
    recipes: &Recipes,
) -> Result<Vec<String>, String> {
    let mut written = Vec::new();
    let (root_key, table_name) = if document.contains_key("workspace") {
        ("workspace", "workspace")
    } else {
        ("package", "package")
    };
    let powertools = implicit_table(
        document.as_table_mut(),
        &[root_key, "metadata", "powertools"],
    )?;
    let name = format!("[{table_name}.metadata.powertools]");
    let set = |table: &mut dyn TableLike, key: &str, item: Item, written: &mut Vec<String>| {
        if !table.contains_key(key) {
            table.insert(key, item);
            written.push(format!("{name} {key}"));
        }
    };
    let architectures: Array = Arch::ALL.iter().map(|arch| arch.as_str()).collect();
    set(
        powertools,
        "architectures",
        value(architectures),
        &mut written,
    );
    set(
        powertools,
        "runtime",
        value(OsRuntime::default().as_str()),
        &mut written,
    );
    let wanted = recipe.unwrap_or(recipe::DEFAULT);
    let current = powertools
        .get("recipe")
        .and_then(Item::as_str)
        .map(String::from);
    match current {
        None => set(powertools, "recipe", value(wanted), &mut written),
        Some(current) if recipe.is_some() && current != wanted && recipes.get(wanted).is_ok() => {
            powertools.insert("recipe", value(wanted));
            written.push(format!("{name} recipe"));
        }
        Some(_) => {}
    }
    let profile = implicit_table(document.as_table_mut(), &["profile", "release"])?;
    for (key, setting) in RELEASE_PROFILE {
        if !profile.contains_key(key) {
            profile.insert(key, setting.item());
            written.push(format!("[profile.release] {key}"));
        }
    }
    Ok(written)
}

/// The table at `path` (a `[table]` or an inline `{ ... }` one), created where missing;
/// intermediate tables are implicit, so that only the innermost gets a `[header]`. Err: the dotted
/// key of a value that is not a table.
fn implicit_table<'a>(root: &'a mut Table, path: &[&str]) -> Result<&'a mut dyn TableLike, String> {
    // A new table goes after every table already there, so that no existing line moves.
    let end = last_position(root) + 1;
    let mut table: &mut dyn TableLike = root;
    let mut dotted = Vec::new();
    for (depth, key) in path.iter().enumerate() {
        dotted.push(*key);
        if !table.contains_key(key) {
            let mut new = Table::new();
            new.set_implicit(depth + 1 != path.len());
            new.set_position(Some(end));
            table.insert(key, Item::Table(new));
        }
        table = table
            .get_mut(key)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| dotted.join("."))?;
    }
    Ok(table)
}

/// The highest document position of any table under `table`.
fn last_position(table: &Table) -> isize {
    table
        .iter()
        .filter_map(|(_, item)| item.as_table())
        .map(|child| child.position().unwrap_or(0).max(last_position(child)))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_it_does_not_add_and_is_idempotent() {
        let original = "# my workspace\n[workspace]\nmembers = [\"a\"] # the one\n\n# fast builds please\n[profile.release]\nopt-level = 3 # keep\n\n[workspace.metadata.other]\nx = 1\n";
        let mut document: DocumentMut = original.parse().unwrap();
        let written = edit(&mut document, None, &Recipes::built_in().unwrap()).unwrap();
        let once = document.to_string();
        assert!(once.starts_with("# my workspace\n[workspace]\nmembers = [\"a\"] # the one\n\n# fast builds please\n[profile.release]\nopt-level = 3 # keep\n"), "{once}");
        assert!(
            once.contains("[workspace.metadata.other]\nx = 1\n"),
            "{once}"
        );
        assert!(once.contains("[workspace.metadata.powertools]\narchitectures = [\"x86_64\", \"arm64\"]\nruntime = \"provided.al2023\"\nrecipe = \"cargo-lambda\"\n"), "{once}");
        assert!(!written.iter().any(|w| w.contains("opt-level")));
        let mut again: DocumentMut = once.parse().unwrap();
        assert!(
            edit(&mut again, None, &Recipes::built_in().unwrap())
                .unwrap()
                .is_empty()
        );
        assert_eq!(again.to_string(), once);
    }

    #[test]
    fn a_package_without_a_workspace_gets_package_metadata() {
        let mut document: DocumentMut = "[package]\nname = \"f\"\n".parse().unwrap();
        edit(
            &mut document,
            Some("cargo-zigbuild"),
            &Recipes::built_in().unwrap(),
        )
        .unwrap();
        assert!(
            document
                .to_string()
                .contains("[package.metadata.powertools]"),
            "{document}"
        );
        assert!(document.to_string().contains("recipe = \"cargo-zigbuild\""));
    }

    #[test]
    fn an_inline_release_profile_is_added_to_and_a_value_in_the_way_is_named() {
        let mut document: DocumentMut =
            "[workspace]\nmembers = []\n[profile]\nrelease = { opt-level = 3 }\n"
                .parse()
                .unwrap();
        edit(&mut document, None, &Recipes::built_in().unwrap()).unwrap();
        let text = document.to_string();
        assert!(text.contains("release = { opt-level = 3 , strip = true, lto = true, codegen-units = 1, panic = \"abort\" }"), "{text}");
        let mut document: DocumentMut = "[workspace]\nmetadata = 5\n".parse().unwrap();
        assert_eq!(
            edit(&mut document, None, &Recipes::built_in().unwrap()),
            Err("workspace.metadata".to_string())
        );
    }

    mod properties {
        use super::*;
        use crate::proptest_support::config;
        use proptest::prelude::*;

        /// Lines of the Cargo.toml files init meets, good and odd.
        const LINES: &[&str] = &[
            "[workspace]",
            "members = [\"a\"]",
            "[package]",
            "name = \"f\"",
            "[profile]",
            "release = { opt-level = 3 }",
            "release = \"fast\"",
            "[profile.release]",
            "opt-level = 3",
            "strip = false",
            "[profile.release.package.foo]",
            "[workspace.metadata]",
            "powertools = { recipe = 1 }",
            "metadata = 5",
            "[workspace.metadata.powertools]",
            "recipe = \"cargo-zigbuild\"",
            "architectures = \"arm64\"",
            "# a comment",
            "",
            "[package.metadata.powertools]",
            "profile = 1",
            "[[bin]]",
            "dev = { debug = 1 }",
            "workspace = { members = [] }",
            "[profile.dev]",
        ];

        fn documents() -> impl Strategy<Value = String> {
            (
                prop::collection::vec(prop::sample::select(LINES), 0..12),
                any::<bool>(),
            )
                .prop_map(|(lines, crlf)| {
                    let end = if crlf { "\r\n" } else { "\n" };
                    lines.iter().map(|l| format!("{l}{end}")).collect()
                })
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn init_adds_once_or_names_what_is_in_the_way(text in documents()) {
                let Ok(mut document) = text.parse::<DocumentMut>() else {
                    return Ok(());
                };
                let recipes = Recipes::built_in().unwrap();
                let Ok(written) = edit(&mut document, None, &recipes) else {
                    return Ok(());
                };
                let once = with_line_endings_of(&text, document.to_string());
                let mut again: DocumentMut = once.parse().expect("what init writes parses");
                prop_assert_eq!(edit(&mut again, None, &recipes), Ok(Vec::new()), "{}", once);
                if text.contains('\r') {
                    prop_assert_eq!(once.matches('\n').count(), once.matches("\r\n").count());
                }
                if written.is_empty() {
                    prop_assert_eq!(once.replace("\r\n", "\n"), text.replace("\r\n", "\n"));
                }
            }
        }
    }
}
