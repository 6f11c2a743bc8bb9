//! `bytecode = true`: the `.pyc` of every `.py` in a zip, compiled by the CPython of the function's
//! runtime, so that Lambda imports them instead of compiling every module at each cold start (the
//! task root, `/var/task`, is read-only: what Python compiles there is never kept).
//!
//! The files are hash-based and unchecked (PEP 552), and name the source by the path Lambda sees
//! (`/var/task/app.py`, `/opt/python/...` in a layer), so their bytes depend on the sources and the
//! CPython release alone: not on timestamps, nor on where the project or the build's work folder is.
//! The compiler runs in a fresh interpreter per zip, isolated (`-I -S`: no site-packages of this
//! machine) and with `PYTHONHASHSEED=0`, over the files in name order.
use super::PythonError;
use super::interpreter::Interpreter;
use crate::archive::Entry;
use crate::model::PythonVersion;
use crate::process::{ProcessBuilder, ProcessGroups, Stream};
use std::path::Path;

/// The compiler script, shipped inside the binary.
const COMPILER: &str = include_str!("compile_bytecode.py");

/// Where Lambda unpacks a function's zip, and a layer's.
const TASK_ROOT: &str = "/var/task";
const LAYER_ROOT: &str = "/opt";

/// The name of the `.pyc` CPython `python` imports for the module zipped as `name` (`pkg/mod.py`):
/// `pkg/__pycache__/mod.cpython-311.pyc`. `None` for a file that is no module source.
pub fn pyc_name(name: &str, python: PythonVersion) -> Option<String> {
    let stem = name.strip_suffix(".py")?;
    let (dir, file) = match stem.rsplit_once('/') {
        Some((dir, file)) => (format!("{dir}/"), file),
        None => (String::new(), stem),
    };
    if file.is_empty() {
        return None;
    }
    Some(format!(
        "{dir}__pycache__/{file}.cpython-3{}.pyc",
        python.minor()
    ))
}

/// Compiles every `.py` of `entries` with `interpreter` into `work`, and returns the `.pyc` entries
/// to zip beside them. `layer`: the zip is unpacked in `/opt`, else in `/var/task`.
pub(super) fn compile(
    entries: &[Entry],
    python: PythonVersion,
    layer: bool,
    interpreter: &Interpreter,
    work: &Path,
    children: &ProcessGroups,
    on_run: impl Fn(&ProcessBuilder),
) -> Result<Vec<Entry>, PythonError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PythonError::Io { path, source }
    };
    let out = work.join("bytecode");
    std::fs::create_dir_all(&out).map_err(io(&out))?;
    let root = if layer { LAYER_ROOT } else { TASK_ROOT };
    let mut sources: Vec<(&Entry, String)> = entries
        .iter()
        .filter_map(|entry| Some((entry, pyc_name(&entry.name, python)?)))
        .collect();
    sources.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let jobs: Vec<[String; 3]> = sources
        .iter()
        .map(|(entry, pyc)| {
            [
                entry.source.to_string_lossy().into_owned(),
                out.join(pyc).to_string_lossy().into_owned(),
                format!("{root}/{}", entry.name),
            ]
        })
        .collect();
    let listing = work.join("bytecode.json");
    let json = serde_json::to_vec(&jobs).map_err(|e| io(&listing)(std::io::Error::other(e)))?;
    std::fs::write(&listing, json).map_err(io(&listing))?;
    let script = work.join("powertools_compile_bytecode.py");
    std::fs::write(&script, COMPILER).map_err(io(&script))?;
    let mut command = ProcessBuilder::new(&interpreter.path);
    command
        .args(["-I", "-S"])
        .arg(&script)
        .arg(&listing)
        .env("PYTHONHASHSEED", "0");
    on_run(&command);
    // What did not compile is imported from source.
    let mut failed = std::collections::BTreeSet::new();
    command
        .stream_in(children, |stream, line| {
            if stream == Stream::Stdout {
                failed.insert(line.trim().to_string());
            }
        })
        .map_err(|source| PythonError::Bytecode {
            python,
            interpreter: interpreter.path.clone(),
            source,
        })?;
    Ok(sources
        .into_iter()
        .filter(|(entry, _)| !failed.contains(&format!("{root}/{}", entry.name)))
        .map(|(_, pyc)| Entry {
            source: out.join(&pyc),
            name: pyc,
            mode: 0o644,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_s_pyc_is_in_the_pycache_beside_it_tagged_for_the_runtime() {
        let python: PythonVersion = "3.11".parse().unwrap();
        assert_eq!(
            pyc_name("app.py", python).as_deref(),
            Some("__pycache__/app.cpython-311.pyc")
        );
        assert_eq!(
            pyc_name("python/pydantic/main.py", "3.13".parse().unwrap()).as_deref(),
            Some("python/pydantic/__pycache__/main.cpython-313.pyc")
        );
        assert_eq!(pyc_name("data/products.json", python), None);
        assert_eq!(pyc_name("pkg/.py", python), None);
    }
}
