//! Resolves `include` globs into zip entries, refusing anything outside the workspace and any file
//! that looks like a credential unless it is allowed by name.
use crate::archive::{self, Entry};
use std::path::{Component, Path, PathBuf};

/// Files that look like credentials, as globs over a zip entry's path (matched without regard to
/// case: `ID_RSA` is a key too). They are never zipped from an `include` folder or a Python project
/// unless `allow-secrets` names them one by one.
pub const SECRET_PATTERNS: [&str; 16] = [
    "**/.env*",
    // SSH private keys, every algorithm ssh-keygen writes (and their `-cert`/`.pub` neighbours).
    "**/id_rsa*",
    "**/id_dsa*",
    "**/id_ecdsa*",
    "**/id_ed25519*",
    "**/*.pem",
    "**/*.key",
    "**/*.p12",
    "**/.aws/credentials",
    "**/.npmrc",
    "**/.yarnrc*",
    "**/.pypirc",
    "**/.netrc",
    "**/.git-credentials",
    "**/.git",
    "**/.git/**",
];

/// What a cloud service-account key file says of itself (a Google Cloud one, as `gcloud iam
/// service-accounts keys create` writes it), whatever its name.
const SERVICE_ACCOUNT: &str = "\"type\": \"service_account\"";

/// JSON files larger than this are not read for a service-account key (those are about 2 KB).
const CONTENT_CHECKED_BELOW: u64 = 64 * 1024;

/// Tells credential-looking files from the rest; `allowed` are entry names let through.
#[derive(Clone, Debug)]
pub struct Secrets {
    patterns: globset::GlobSet,
    allowed: Vec<String>,
}

impl Secrets {
    pub fn new(allowed: &[String]) -> Secrets {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in SECRET_PATTERNS {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .case_insensitive(true)
                .build()
                .expect("the built-in secret patterns are valid globs");
            builder.add(glob);
        }
        Secrets {
            patterns: builder
                .build()
                .expect("the built-in secret patterns are valid globs"),
            allowed: allowed.to_vec(),
        }
    }

    /// What makes the file `source`, zipped as `name`, look like a credential (the pattern without
    /// its leading `**/`, or what its content says), unless `name` is allowed.
    pub fn refused(&self, name: &str, source: &Path) -> Option<&'static str> {
        if self.allowed.iter().any(|allowed| allowed == name) {
            return None;
        }
        if let Some(&index) = self.patterns.matches(name).first() {
            return Some(SECRET_PATTERNS[index].trim_start_matches("**/"));
        }
        is_service_account_key(name, source).then_some(SERVICE_ACCOUNT)
    }
}

/// A small `.json` file whose object says `"type": "service_account"` and holds a `private_key`.
fn is_service_account_key(name: &str, source: &Path) -> bool {
    let small_json = name.to_ascii_lowercase().ends_with(".json")
        && std::fs::metadata(source).is_ok_and(|m| m.len() < CONTENT_CHECKED_BELOW);
    if !small_json {
        return false;
    }
    let Ok(bytes) = std::fs::read(source) else {
        return false;
    };
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(&bytes) else {
        return false;
    };
    object.get("type").and_then(|t| t.as_str()) == Some("service_account")
        && object.contains_key("private_key")
}

#[derive(Debug, thiserror::Error)]
pub enum IncludeError {
    #[error("`include` pattern `{pattern}` in {} is not a valid glob: {message}", .manifest.display())]
    BadPattern {
        manifest: PathBuf,
        pattern: String,
        message: String,
    },
    #[error("`include` pattern `{pattern}` in {} matches {}, which is outside the workspace {}", .manifest.display(), .path.display(), .root.display())]
    OutsideWorkspace {
        manifest: PathBuf,
        pattern: String,
        path: PathBuf,
        root: PathBuf,
    },
    #[error("`include` pattern `{pattern}` in {} matches no files", .manifest.display())]
    NoMatch { manifest: PathBuf, pattern: String },
    #[error("`include` pattern `{pattern}` in {} matches `{name}`, which would replace the Lambda binary", .manifest.display())]
    ReservedName {
        manifest: PathBuf,
        pattern: String,
        name: String,
    },
    #[error("`include` pattern `{pattern}` in {} matches `{name}`, which looks like a credential (`{looks_like}`): such files are never zipped unless `allow-secrets` names them", .manifest.display())]
    Secret {
        manifest: PathBuf,
        pattern: String,
        name: String,
        looks_like: &'static str,
    },
    #[error("could not read {} (matched by `include` pattern `{pattern}`)", .path.display())]
    Read {
        pattern: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl IncludeError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            IncludeError::BadPattern { .. } => "write the pattern as a glob relative to the package, e.g. `assets/**/*.json`".into(),
            IncludeError::OutsideWorkspace { .. } => "include only files inside the workspace: move or copy the file into it, and use a pattern relative to the package directory".into(),
            IncludeError::NoMatch { .. } => "fix the pattern (it is relative to the package directory) or remove it".into(),
            IncludeError::ReservedName { .. } => "rename the file or narrow the pattern".into(),
            IncludeError::Secret { name, .. } => format!("narrow the pattern or move the file so that it is left out; if the function really needs it, add `allow-secrets = [\"{name}\"]` next to `include` (each file by its path in the zip)"),
            IncludeError::Read { .. } => return None,
        })
    }
}

/// Every file that `patterns` (relative to `package_dir`) select, as zip entries. A file inside the
/// package keeps its path relative to the package; one elsewhere in the workspace, its path relative
/// to the workspace root. Directories are included with everything under them.
pub fn resolve(
    patterns: &[String],
    package_dir: &Path,
    workspace_root: &Path,
    manifest: &Path,
    reserved: &str,
    secrets: &Secrets,
) -> Result<Vec<Entry>, IncludeError> {
    let root = workspace_root
        .canonicalize()
        .unwrap_or_else(|_| workspace_root.to_path_buf());
    let mut entries: Vec<Entry> = Vec::new();
    for pattern in patterns {
        let bad = |message: String| IncludeError::BadPattern {
            manifest: manifest.to_path_buf(),
            pattern: pattern.clone(),
            message,
        };
        if Path::new(pattern).is_absolute() {
            return Err(IncludeError::OutsideWorkspace {
                manifest: manifest.to_path_buf(),
                pattern: pattern.clone(),
                path: PathBuf::from(pattern),
                root,
            });
        }
        let before = entries.len();
        for path in matching_paths(pattern, package_dir).map_err(|e| match e {
            MatchError::Glob(message) => bad(message),
            MatchError::Walk(e) => walk_error(e, pattern, package_dir),
        })? {
            for file in files_under(&path, pattern)? {
                entries.push(entry_for(
                    &file,
                    pattern,
                    package_dir,
                    workspace_root,
                    &root,
                    manifest,
                )?);
            }
        }
        if let Some((name, looks_like)) = entries[before..]
            .iter()
            .find_map(|e| Some((&e.name, secrets.refused(&e.name, &e.source)?)))
        {
            return Err(IncludeError::Secret {
                manifest: manifest.to_path_buf(),
                pattern: pattern.clone(),
                name: name.clone(),
                looks_like,
            });
        }
        if entries.len() == before {
            return Err(IncludeError::NoMatch {
                manifest: manifest.to_path_buf(),
                pattern: pattern.clone(),
            });
        }
        if let Some(clash) = entries[before..].iter().find(|e| e.name == reserved) {
            return Err(IncludeError::ReservedName {
                manifest: manifest.to_path_buf(),
                pattern: pattern.clone(),
                name: clash.name.clone(),
            });
        }
    }
    entries.sort();
    entries.dedup();
    Ok(entries)
}

enum MatchError {
    Glob(String),
    Walk(walkdir::Error),
}

/// The paths `pattern` (relative to `package_dir`) selects, in order. Its leading components
/// without glob characters (`*?[{`) are a plain path, so brackets or stars in the package's own
/// path (or in `..` steps) are never read as a pattern; the rest is a glob (globset, `*` within one
/// component, `**` across them) over what lies below that path.
fn matching_paths(pattern: &str, package_dir: &Path) -> Result<Vec<PathBuf>, MatchError> {
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let literal = components
        .iter()
        .take_while(|c| !c.contains(['*', '?', '[', '{']))
        .count();
    let base = components[..literal]
        .iter()
        .fold(package_dir.to_path_buf(), |path, c| path.join(c));
    let rest = &components[literal..];
    if rest.is_empty() {
        return Ok(std::fs::symlink_metadata(&base)
            .is_ok()
            .then_some(base)
            .into_iter()
            .collect());
    }
    let glob = globset::GlobBuilder::new(&rest.join("/"))
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| MatchError::Glob(e.kind().to_string()))?
        .compile_matcher();
    if !base.is_dir() {
        return Ok(Vec::new());
    }
    // Without `**`, nothing deeper than the pattern's own components can match.
    let depth = if rest.iter().any(|c| c.contains("**")) {
        usize::MAX
    } else {
        rest.len()
    };
    let mut found = Vec::new();
    for item in walkdir::WalkDir::new(&base)
        .min_depth(1)
        .max_depth(depth)
        .follow_links(true)
        .sort_by_file_name()
    {
        let item = item.map_err(MatchError::Walk)?;
        let relative = item.path().strip_prefix(&base).unwrap_or(item.path());
        if glob.is_match(archive::zip_name(relative)) {
            found.push(item.into_path());
        }
    }
    Ok(found)
}

fn walk_error(e: walkdir::Error, pattern: &str, fallback: &Path) -> IncludeError {
    IncludeError::Read {
        pattern: pattern.to_string(),
        path: e
            .path()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| fallback.to_path_buf()),
        source: std::io::Error::other(e.to_string()),
    }
}

/// `path` itself when it is a file, every file below it when it is a directory.
fn files_under(path: &Path, pattern: &str) -> Result<Vec<PathBuf>, IncludeError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for item in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
    {
        let item = item.map_err(|e| walk_error(e, pattern, path))?;
        if item.file_type().is_file() {
            files.push(item.into_path());
        }
    }
    Ok(files)
}

fn entry_for(
    file: &Path,
    pattern: &str,
    package_dir: &Path,
    workspace_root: &Path,
    canonical_root: &Path,
    manifest: &Path,
) -> Result<Entry, IncludeError> {
    let read_err = |source| IncludeError::Read {
        pattern: pattern.to_string(),
        path: file.to_path_buf(),
        source,
    };
    // The real location decides whether a file is inside the workspace, so that neither `..` nor a
    // symlink can smuggle in a file from elsewhere.
    let real = file.canonicalize().map_err(read_err)?;
    if !real.starts_with(canonical_root) {
        return Err(IncludeError::OutsideWorkspace {
            manifest: manifest.to_path_buf(),
            pattern: pattern.to_string(),
            path: real,
            root: canonical_root.to_path_buf(),
        });
    }
    let lexical = normalize(file);
    let relative = lexical
        .strip_prefix(normalize(package_dir))
        .or_else(|_| lexical.strip_prefix(normalize(workspace_root)))
        .unwrap_or_else(|_| real.strip_prefix(canonical_root).unwrap_or(&real));
    let name = archive::zip_name(relative);
    Entry::from_file(real, name).map_err(read_err)
}

/// Removes `.` and folds `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("ws/pkg/assets/deep")).unwrap();
        std::fs::create_dir_all(root.join("ws/shared")).unwrap();
        std::fs::write(root.join("ws/pkg/assets/a.txt"), "a").unwrap();
        std::fs::write(root.join("ws/pkg/assets/deep/b.json"), "b").unwrap();
        std::fs::write(root.join("ws/shared/c.txt"), "c").unwrap();
        std::fs::write(root.join("secret.txt"), "s").unwrap();
        dir
    }

    fn names(patterns: &[&str], dir: &Path) -> Result<Vec<String>, IncludeError> {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        let ws = dir.join("ws");
        resolve(
            &patterns,
            &ws.join("pkg"),
            &ws,
            &ws.join("pkg/Cargo.toml"),
            "bootstrap",
            &Secrets::new(&["assets/ok.pem".to_string()]),
        )
        .map(|entries| entries.into_iter().map(|e| e.name).collect())
    }

    #[test]
    fn directories_and_globs_keep_their_package_relative_paths() {
        let dir = workspace();
        assert_eq!(
            names(&["assets"], dir.path()).unwrap(),
            ["assets/a.txt", "assets/deep/b.json"]
        );
        assert_eq!(
            names(&["assets/**/*.json", "assets/*.txt"], dir.path()).unwrap(),
            ["assets/a.txt", "assets/deep/b.json"]
        );
        assert_eq!(
            names(&["../shared/*.txt"], dir.path()).unwrap(),
            ["shared/c.txt"]
        );
    }

    #[test]
    fn credentials_are_told_by_name_whatever_the_case_and_service_account_keys_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Secrets::new(&["certs/allowed.pem".to_string()]);
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name.replace('/', "_"));
            std::fs::write(&path, text).unwrap();
            path
        };
        for (name, looks_like) in [
            ("keys/ID_RSA", "id_rsa*"),
            ("keys/id_ecdsa", "id_ecdsa*"),
            ("keys/id_dsa.pub", "id_dsa*"),
            (".netrc", ".netrc"),
            ("home/.git-credentials", ".git-credentials"),
            (".yarnrc.yml", ".yarnrc*"),
            ("config/.ENV.production", ".env*"),
        ] {
            assert_eq!(
                secrets.refused(name, &file(name, "x")),
                Some(looks_like),
                "{name}"
            );
        }
        let key = r#"{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN PRIVATE KEY-----\n"}"#;
        assert_eq!(
            secrets.refused("config/deploy.json", &file("deploy.json", key)),
            Some("\"type\": \"service_account\"")
        );
        // Data that only looks alike is zipped.
        for (name, text) in [
            ("data/id_map.csv", "id,name\n"),
            ("data/identity.json", r#"{"type": "service_account"}"#),
            ("data/list.json", "[1, 2]"),
            ("certs/allowed.pem", "x"),
        ] {
            assert_eq!(secrets.refused(name, &file(name, text)), None, "{name}");
        }
    }

    #[test]
    fn glob_characters_in_the_packages_own_path_are_not_a_pattern() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws [draft]*");
        std::fs::create_dir_all(ws.join("pkg/assets/deep")).unwrap();
        std::fs::write(ws.join("pkg/assets/a.txt"), "a").unwrap();
        std::fs::write(ws.join("pkg/assets/deep/b.txt"), "b").unwrap();
        let patterns = ["assets/*.txt".to_string()];
        let names = |patterns: &[String]| {
            resolve(
                patterns,
                &ws.join("pkg"),
                &ws,
                &ws.join("pkg/Cargo.toml"),
                "bootstrap",
                &Secrets::new(&[]),
            )
            .map(|entries| entries.into_iter().map(|e| e.name).collect::<Vec<_>>())
        };
        // `*` stays within one folder.
        assert_eq!(names(&patterns).unwrap(), ["assets/a.txt"]);
        assert_eq!(
            names(&["assets/**/*.txt".to_string()]).unwrap(),
            ["assets/a.txt", "assets/deep/b.txt"]
        );
    }

    #[test]
    fn a_bad_pattern_is_refused_naming_what_is_wrong() {
        let dir = workspace();
        match names(&["assets/[a.txt"], dir.path()) {
            Err(IncludeError::BadPattern { message, .. }) => {
                assert_eq!(message, "unclosed character class; missing ']'")
            }
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn escaping_the_workspace_is_refused() {
        let dir = workspace();
        assert!(matches!(
            names(&["../../secret.txt"], dir.path()),
            Err(IncludeError::OutsideWorkspace { .. })
        ));
        assert!(matches!(
            names(&["/etc/hostname"], dir.path()),
            Err(IncludeError::OutsideWorkspace { .. })
        ));
        std::os::unix::fs::symlink(
            dir.path().join("secret.txt"),
            dir.path().join("ws/pkg/link.txt"),
        )
        .unwrap();
        assert!(matches!(
            names(&["link.txt"], dir.path()),
            Err(IncludeError::OutsideWorkspace { .. })
        ));
    }

    // Built like the test above, but another refusal: kept apart so that a failure names the
    // rule that broke.
    #[test]
    fn a_pattern_matching_nothing_is_an_error() {
        let dir = workspace();
        assert!(matches!(
            names(&["nope/*.txt"], dir.path()),
            Err(IncludeError::NoMatch { .. })
        ));
    }

    #[test]
    fn files_that_look_like_credentials_are_refused_unless_allowed_by_name() {
        let secrets = Secrets::new(&["assets/ca.pem".to_string()]);
        for (name, pattern) in [
            (".env", ".env*"),
            ("assets/.env.production", ".env*"),
            ("keys/id_rsa", "id_rsa*"),
            ("id_ed25519.pub", "id_ed25519*"),
            ("certs/server.pem", "*.pem"),
            ("tls.key", "*.key"),
            ("a/b/cert.p12", "*.p12"),
            ("home/.aws/credentials", ".aws/credentials"),
            (".npmrc", ".npmrc"),
            ("cfg/.pypirc", ".pypirc"),
            ("vendor/lib/.git/config", ".git/**"),
            ("vendor/lib/.git", ".git"),
        ] {
            assert_eq!(
                secrets.refused(name, Path::new("/nonexistent")),
                Some(pattern),
                "{name}"
            );
        }
        for name in [
            "assets/ca.pem",
            "assets/env.txt",
            "app.py",
            ".venv-notes.md",
            "keys.json",
            "docs/.gitignore",
            "monkey.py",
        ] {
            assert_eq!(
                secrets.refused(name, Path::new("/nonexistent")),
                None,
                "{name}"
            );
        }
    }

    #[test]
    fn an_include_folder_holding_a_credential_is_refused_naming_the_file() {
        let dir = workspace();
        std::fs::write(dir.path().join("ws/pkg/assets/.env"), "TOKEN=x").unwrap();
        let err = names(&["assets"], dir.path()).unwrap_err();
        assert!(
            matches!(&err, IncludeError::Secret { name, looks_like: ".env*", .. } if name == "assets/.env"),
            "{err:?}"
        );
        std::fs::remove_file(dir.path().join("ws/pkg/assets/.env")).unwrap();
        std::fs::write(dir.path().join("ws/pkg/assets/ok.pem"), "CA").unwrap();
        assert_eq!(
            names(&["assets"], dir.path()).unwrap(),
            ["assets/a.txt", "assets/deep/b.json", "assets/ok.pem"]
        );
    }
}
