//! Finding the CPython of a Lambda runtime on this machine (`python3.X`), for `verify --invoke`
//! and for compiling bytecode: each candidate is run, since a pyenv shim on PATH exits 127 unless
//! its version is selected.
use crate::process::ProcessBuilder;
use std::path::{Path, PathBuf};

/// A CPython that ran and said which it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    /// The interpreter itself (`sys.executable`), never a shim.
    pub path: PathBuf,
    /// Its full version, `3.11.9`.
    pub version: String,
}

/// The CPython for `python3.{minor}`: each `python3.X` on PATH, else one that pyenv or uv installed,
/// the first that runs and is that version. A pyenv shim answers only where a `.python-version` (or
/// pyenv's global) selects its version, and the function runs in another folder: so what is kept is
/// the interpreter the candidate really ran (`sys.executable`), never the shim.
pub fn find(minor: u8) -> Option<Interpreter> {
    let name = format!("python3.{minor}");
    let on_path = which::which_all(&name).into_iter().flatten();
    on_path
        .chain(pyenv_installed(&name, minor))
        .chain(uv_installed(minor))
        .find_map(|candidate| running_interpreter(&candidate, minor))
}

/// The interpreter `candidate` runs when it is CPython 3.`minor`.
fn running_interpreter(candidate: &Path, minor: u8) -> Option<Interpreter> {
    let mut probe = ProcessBuilder::new(candidate);
    probe.args([
        "-I",
        "-S",
        "-c",
        "import platform, sys; print(*sys.version_info[:2]); print(sys.executable); print(platform.python_version())",
    ]);
    let answer = probe.output().ok()?;
    let mut lines = answer.lines();
    if lines.next()?.trim() != format!("3 {minor}") {
        return None;
    }
    let executable = PathBuf::from(lines.next()?.trim());
    let version = lines.next()?.trim().to_string();
    Some(Interpreter {
        path: if executable.is_file() {
            executable
        } else {
            candidate.to_path_buf()
        },
        version,
    })
}

/// `$PYENV_ROOT/versions/3.X.*/bin/python3.X` (`~/.pyenv` by default), newest first.
fn pyenv_installed(name: &str, minor: u8) -> Vec<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".pyenv")));
    let Some(versions) = root.map(|r| r.join("versions")) else {
        return Vec::new();
    };
    let prefix = format!("3.{minor}.");
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(versions)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().into_owned();
            let patch = version.strip_prefix(&prefix)?;
            let key = patch.split('.').map(|p| p.parse().unwrap_or(0)).collect();
            let python = entry.path().join("bin").join(name);
            python.is_file().then_some((key, python))
        })
        .collect();
    found.sort();
    found.into_iter().rev().map(|(_, python)| python).collect()
}

/// What `uv python find 3.X` names, when uv is on PATH.
fn uv_installed(minor: u8) -> Option<PathBuf> {
    let uv = which::which("uv").ok()?;
    let mut find = ProcessBuilder::new(uv);
    find.args(["python", "find", "--no-project", &format!("3.{minor}")]);
    let path = find.output().ok()?;
    Some(PathBuf::from(path.trim())).filter(|p| p.is_file())
}
