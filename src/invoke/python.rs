//! Running a Python function: the CPython of its runtime (`python3.X` on PATH), in isolated mode
//! and without site-packages (`-I -S`), runs the product's own runtime loop (`runtime_loop.py`,
//! standard library only) in the task root, which imports the handler and serves events.
use super::{Function, InvokeError, Launch};
use crate::model::{Arch, PythonVersion};
use crate::process::ProcessBuilder;
use crate::python::interpreter;
use std::path::Path;

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
    let python = interpreter::find(minor)
        .map(|found| found.path)
        .ok_or_else(|| InvokeError::NoInterpreter {
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
