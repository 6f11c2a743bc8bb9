//! Running a Python function: the CPython of its runtime (`python3.X` on PATH), in isolated mode
//! and without site-packages (`-I -S`), runs the product's own runtime loop (`runtime_loop.py`,
//! standard library only) in the task root, which imports the handler and serves events.
use super::{Function, InvokeError, Launch};
use crate::model::{Arch, PythonVersion};
use crate::process::ProcessBuilder;
use std::path::{Path, PathBuf};

/// The runtime loop, shipped inside the binary.
const RUNTIME_LOOP: &str = include_str!("runtime_loop.py");

/// The command that runs `function`'s handler with CPython `python`, its runtime's, with the
/// layers unpacked in `opt` on its path.
pub(super) fn command(
    function: &Function,
    python: PythonVersion,
    work: &Path,
    opt: &Path,
) -> Result<Launch, InvokeError> {
    let minor = python.minor();
    let host = Arch::host();
    if function.arch != host {
        return Err(InvokeError::ForeignPython {
            function: function.name.clone(),
            arch: function.arch,
            host,
        });
    }
    let handler = function
        .handler
        .clone()
        .ok_or_else(|| InvokeError::NoHandler {
            function: function.name.clone(),
        })?;
    let interpreter = format!("python{python}");
    let python =
        find_interpreter(&interpreter, minor).ok_or_else(|| InvokeError::NoInterpreter {
            function: function.name.clone(),
            interpreter: interpreter.clone(),
            runtime: function.runtime,
        })?;
    let script = work.join("powertools_runtime_loop.py");
    std::fs::write(&script, RUNTIME_LOOP)?;
    let mut command = ProcessBuilder::new(&python);
    command
        .args(["-I", "-S", "-u"])
        .arg(&script)
        .env("_HANDLER", &handler)
        .env("AWS_EXECUTION_ENV", format!("AWS_Lambda_python3.{minor}"))
        .env("LAMBDA_RUNTIME_DIR", work)
        .env("POWERTOOLS_LAYER_PATHS", layer_paths(opt, minor))
        .env("LANG", "en_US.UTF-8")
        .env("TZ", ":UTC");
    Ok(Launch {
        command,
        runner: format!("with {}", python.display()),
        emulator: None,
    })
}

/// Where Lambda's Python runtime looks in `/opt` (the layers, unpacked there) after the task root:
/// `python/lib/python3.X/site-packages`, then `python/`.
fn layer_paths(opt: &Path, minor: u8) -> std::ffi::OsString {
    let python = opt.join("python");
    let site = python.join(format!("lib/python3.{minor}/site-packages"));
    std::env::join_paths([site, python]).unwrap_or_default()
}

/// The CPython for `python3.{minor}`: each `python3.X` on PATH, else one that pyenv or uv installed,
/// the first that runs and is that version. A pyenv shim answers only where a `.python-version` (or
/// pyenv's global) selects its version, and the function runs in another folder: so what is kept is
/// the interpreter the candidate really ran (`sys.executable`), never the shim.
fn find_interpreter(name: &str, minor: u8) -> Option<PathBuf> {
    let on_path = which::which_all(name).into_iter().flatten();
    on_path
        .chain(pyenv_installed(name, minor))
        .chain(uv_installed(minor))
        .find_map(|candidate| running_interpreter(&candidate, minor))
}

/// The interpreter `candidate` runs when it is CPython 3.`minor`.
fn running_interpreter(candidate: &Path, minor: u8) -> Option<PathBuf> {
    let mut probe = ProcessBuilder::new(candidate);
    probe.args([
        "-I",
        "-S",
        "-c",
        "import sys; print(*sys.version_info[:2]); print(sys.executable)",
    ]);
    let answer = probe.output().ok()?;
    let mut lines = answer.lines();
    if lines.next()?.trim() != format!("3 {minor}") {
        return None;
    }
    let executable = PathBuf::from(lines.next()?.trim());
    Some(if executable.is_file() {
        executable
    } else {
        candidate.to_path_buf()
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
