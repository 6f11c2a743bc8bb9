//! Installing cargo-powertools the way its users do: the binary works as `cargo-powertools` and as
//! `cargo powertools`; the Python path needs no Rust toolchain at all (a Python team installs the
//! wheel and has no cargo); `cargo package` ships what `cargo install` needs and nothing more.
use crate::support::*;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory of links to `programs` (found on the test PATH), for a PATH without cargo or rustc.
pub fn bin_dir_with(programs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("powertools-bin-")
        .tempdir()
        .unwrap();
    for program in programs {
        let found = which::which_in(program, Some(path_with_tools()), ".")
            .unwrap_or_else(|_| panic!("{program} is installed by .ci/setup"));
        std::os::unix::fs::symlink(found, dir.path().join(program)).unwrap();
    }
    dir
}

/// `dirs`, then the system's own directories (which have no cargo or rustc: rustup puts them in
/// ~/.cargo/bin), checked to have neither.
pub fn path_without_rust(dirs: &[&Path]) -> OsString {
    let mut all: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    all.extend(["/usr/sbin", "/usr/bin", "/sbin", "/bin"].map(PathBuf::from));
    let path = std::env::join_paths(all).unwrap();
    for rust_tool in ["cargo", "rustc", "rustup", "cargo-lambda"] {
        assert!(
            which::which_in(rust_tool, Some(&path), ".").is_err(),
            "{rust_tool} is on the Rust-free PATH {path:?}"
        );
    }
    path
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("cargo-powertools")
}

/// The example's Python function, on its own (no Cargo workspace around it).
fn python_project_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("orders-py");
    std::fs::create_dir(&project).unwrap();
    let source = repo_root().join("examples/workspace/python/orders-py");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), project.join(entry.file_name())).unwrap();
        }
    }
    (dir, project)
}

/// Packages `project` for both architectures with `program` (the binary, from wherever it was
/// installed) on `path`, checks the manifest names no Rust tool, and verifies it with the same
/// binary. Returns the manifest.
pub fn package_python_without_rust(
    program: &Path,
    project: &Path,
    path: &OsString,
) -> serde_json::Value {
    let output = Command::new(program)
        .args(["package", "--python"])
        .arg(project)
        .args(["--handler", "app.handler"])
        .env("PATH", path)
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "package --python:\n{}",
        stderr(&output)
    );
    let out = project.join("dist/powertools");
    let manifest = read_manifest(&out);
    let artifacts = manifest["artifacts"].as_array().unwrap();
    let arches: Vec<&str> = artifacts
        .iter()
        .map(|a| a["arch"].as_str().unwrap())
        .collect();
    assert_eq!(arches, ["x86_64", "arm64"], "{manifest:#}");
    for artifact in artifacts {
        assert_eq!(artifact["language"], "python");
        let tools: Vec<&String> = artifact["tools"].as_object().unwrap().keys().collect();
        assert_eq!(
            tools,
            ["uv"],
            "a Python-only run records only its own tools"
        );
    }
    let verified = Command::new(program)
        .arg("verify")
        .arg(out.join("manifest.json"))
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(verified.status.success(), "verify:\n{}", stderr(&verified));
    assert!(
        stderr(&verified).contains("Verified 2 artifact(s): 0 error(s)"),
        "{}",
        stderr(&verified)
    );
    manifest
}

#[test]
fn the_python_path_needs_no_rust_toolchain() {
    if !require_tools(&["uv"]) {
        return;
    }
    let tools = bin_dir_with(&["uv"]);
    let path = path_without_rust(&[tools.path()]);
    let (_dir, project) = python_project_copy();
    package_python_without_rust(&binary(), &project, &path);

    let run = |args: &[&str]| {
        Command::new(binary())
            .args(args)
            .current_dir(&project)
            .env("PATH", &path)
            .env_remove("CARGO")
            .output()
            .unwrap()
    };
    let recipes = run(&["recipes"]);
    assert!(recipes.status.success(), "{}", stderr(&recipes));
    let listed = stdout(&recipes);
    let line = |name: &str| {
        listed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} in\n{listed}"))
            .to_string()
    };
    assert!(line("uv").ends_with(" yes"), "{listed}");
    assert!(line("cargo").contains("no: missing cargo"), "{listed}");
    assert!(
        line("cargo-lambda").contains("no: missing cargo, cargo-lambda"),
        "{listed}"
    );

    let doctor = run(&["doctor", "--recipe", "uv"]);
    assert!(
        doctor.status.success(),
        "{}{}",
        stdout(&doctor),
        stderr(&doctor)
    );
    assert!(stdout(&doctor).contains("ok  uv: "), "{}", stdout(&doctor));
    assert!(!stdout(&doctor).contains("Rust std"), "{}", stdout(&doctor));

    let doctor = run(&["doctor", "--recipe", "cargo-lambda"]);
    assert_eq!(doctor.status.code(), Some(1), "{}", stdout(&doctor));
    assert!(
        stdout(&doctor).contains("MISSING  cargo: not found on PATH (recipe `cargo-lambda` builds Rust with it)\n          fix: install Rust from https://rustup.rs"),
        "{}",
        stdout(&doctor)
    );
}

#[test]
fn a_rust_workspace_without_cargo_says_what_is_missing() {
    let tools = bin_dir_with(&[]);
    let path = path_without_rust(&[tools.path()]);
    let example = example_copy();
    let output = Command::new(binary())
        .arg("package")
        .current_dir(example.path())
        .env("PATH", &path)
        .env_remove("CARGO")
        .output()
        .unwrap();
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let manifest = example.path().join("Cargo.toml");
    assert!(
        stderr.starts_with(&format!(
            "error: {} is a Cargo workspace, and reading it needs `cargo`, which is not on PATH\n",
            manifest.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "help: Rust functions need the Rust toolchain: install it from https://rustup.rs"
        ),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("`cargo-powertools package --python path/to/project --handler app.handler`"),
        "{stderr}"
    );
    assert!(!example.path().join("target").exists());
}

/// `cargo powertools X` runs `cargo-powertools powertools X`; people who installed the wheel run
/// `cargo-powertools X`. Both must mean the same.
#[test]
fn the_binary_works_as_cargo_powertools_and_as_a_cargo_subcommand() {
    let direct = Command::new(binary())
        .args(["recipes", "show", "uv"])
        .output()
        .unwrap();
    assert!(direct.status.success(), "{}", stderr(&direct));
    let as_cargo_runs_it = Command::new(binary())
        .args(["powertools", "recipes", "show", "uv"])
        .output()
        .unwrap();
    assert_eq!(stdout(&direct), stdout(&as_cargo_runs_it));
    assert!(stdout(&direct).starts_with("uv: "), "{}", stdout(&direct));

    // Through cargo itself, which finds `cargo-powertools` on PATH.
    let bin_dir = binary().parent().unwrap().to_path_buf();
    let mut dirs = vec![bin_dir];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let via_cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["powertools", "recipes", "show", "uv"])
        .env("PATH", std::env::join_paths(dirs).unwrap())
        .output()
        .unwrap();
    assert!(via_cargo.status.success(), "{}", stderr(&via_cargo));
    assert_eq!(stdout(&direct), stdout(&via_cargo));

    let version = Command::new(binary()).arg("--version").output().unwrap();
    let cargo_toml = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let expected = cargo_toml
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    assert_eq!(stdout(&version), format!("cargo-powertools {expected}\n"));
}

/// The files `cargo package` (so `cargo install` from crates.io, and maturin's sdist) ships.
fn packaged_files() -> Vec<String> {
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output).lines().map(String::from).collect()
}

#[test]
fn the_crate_ships_what_the_binary_needs_and_nothing_else() {
    let files = packaged_files();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "pyproject.toml",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(files.iter().any(|f| f == needed), "{needed} in {files:?}");
    }
    // Every file the sources embed (`include_str!`, `include_bytes!`): the built-in recipes.
    let mut embedded = Vec::new();
    for entry in walkdir::WalkDir::new(repo_root().join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            if text.contains("include_str!") || text.contains("include_bytes!") {
                embedded.push(entry.path().to_path_buf());
            }
        }
    }
    assert!(!embedded.is_empty(), "the built-in recipes are embedded");
    for recipe in std::fs::read_dir(repo_root().join("recipes")).unwrap() {
        let name = format!("recipes/{}", recipe.unwrap().file_name().to_string_lossy());
        assert!(files.contains(&name), "{name} in {files:?}");
    }
    for file in &files {
        for left_out in [
            "tests/",
            "docs/",
            "examples/",
            "scripts/",
            ".ci/",
            "target/",
        ] {
            assert!(!file.starts_with(left_out), "{file} is shipped");
        }
    }
}

#[test]
fn actionlint_checks_the_github_actions_example() {
    if !require_tools(&["actionlint"]) {
        return;
    }
    let example = repo_root().join("examples/ci/github-actions.yml");
    if let Err(findings) = actionlint(&example) {
        panic!("{findings}");
    }
    // And it finds what is wrong: an input actions/checkout does not have.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yml");
    let text = std::fs::read_to_string(&example).unwrap().replacen(
        "- uses: actions/checkout@v4",
        "- uses: actions/checkout@v4\n        with: { fetch-dept: 1 }",
        1,
    );
    std::fs::write(&broken, text).unwrap();
    let findings = actionlint(&broken).unwrap_err();
    assert!(
        findings.contains(r#"input "fetch-dept" is not defined in action "actions/checkout@v4""#),
        "{findings}"
    );
}
