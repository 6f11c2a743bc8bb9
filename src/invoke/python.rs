//! Running a Python function: the CPython of its runtime (`python3.X` on PATH), in isolated mode
//! and without site-packages (`-I -S`), runs the product's own runtime loop (`runtime_loop.py`,
//! standard library only) in the task root, which imports the handler and serves events.
use super::{Function, InvokeError, Launch, host_arch};
use crate::arch::Runtime;
use crate::process::ProcessBuilder;
use std::path::{Path, PathBuf};

/// The runtime loop, shipped inside the binary.
const RUNTIME_LOOP: &str = include_str!("runtime_loop.py");

/// The command that runs `function`'s handler with its runtime's CPython.
pub(super) fn command(function: &Function, work: &Path) -> Result<Launch, InvokeError> {
    let Runtime::Python(minor) = function.runtime else {
        unreachable!("only Python runtimes come here");
    };
    let host = host_arch();
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
    let interpreter = format!("python3.{minor}");
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
        .env("LANG", "en_US.UTF-8")
        .env("TZ", ":UTC");
    Ok(Launch {
        command,
        runner: format!("with {interpreter}"),
        emulator: None,
    })
}

/// `python3.X` from PATH, if it runs and is that version (a pyenv shim for a version that is not
/// installed is on PATH but does not run).
fn find_interpreter(name: &str, minor: u8) -> Option<PathBuf> {
    let path = which::which(name).ok()?;
    let mut probe = ProcessBuilder::new(&path);
    probe.args(["-I", "-S", "-c", "import sys; print(*sys.version_info[:2])"]);
    let version = probe.output().ok()?;
    (version.trim() == format!("3 {minor}")).then_some(path)
}
