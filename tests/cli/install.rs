//! Installing cargo-powertools the way its users do: the binary works as `cargo-powertools` and as
//! `cargo powertools`; the Python path needs no Rust toolchain at all (a Python team installs the
//! wheel and has no cargo); `cargo package` ships what `cargo install` needs and nothing more.
use crate::support::*;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Packages `project` for both architectures with `program` (a command that runs the binary, from
/// wherever it was installed, under qemu for arm64) on `path`, checks the manifest names no Rust
/// tool, and verifies it with the same binary. Returns the manifest.
pub fn package_python_without_rust(
    program: &dyn Fn() -> Command,
    project: &Path,
    path: &OsString,
) -> serde_json::Value {
    let output = program()
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
    let verified = program()
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
    package_python_without_rust(&|| Command::new(binary()), &project, &path);

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

    // Help and usage errors name the program as it was run: a wheel user may have no cargo.
    let usage = |args: &[&str]| {
        let output = Command::new(binary()).args(args).output().unwrap();
        stdout(&output) + &stderr(&output)
    };
    assert!(usage(&["package", "--help"]).contains("Usage: cargo-powertools package [OPTIONS]"));
    assert!(
        usage(&["powertools", "package", "--help"])
            .contains("Usage: cargo powertools package [OPTIONS]")
    );
    assert!(usage(&["packag"]).contains("Usage: cargo-powertools [OPTIONS] <COMMAND>"));

    let version = Command::new(binary()).arg("--version").output().unwrap();
    assert_eq!(
        stdout(&version),
        format!("cargo-powertools {}\n", cargo_toml_version())
    );
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
        // It compiles in every recipes/*.toml.
        "build.rs",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(files.iter().any(|f| f == needed), "{needed} in {files:?}");
    }
    // Every file under src/ ships: the sources and what they embed beside them (`include_str!`
    // of the Python runtime loop, for one), or the packaged crate does not build.
    for entry in walkdir::WalkDir::new(repo_root().join("src")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(repo_root()).unwrap();
            let name = relative.to_string_lossy().replace('\\', "/");
            assert!(files.contains(&name), "{name} in {files:?}");
        }
    }
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

/// The entries of a job's `strategy.matrix.include`, each as its keys and values.
fn matrix(job: &Yaml) -> Vec<std::collections::BTreeMap<String, String>> {
    job["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("a matrix of `include` entries")
        .iter()
        .map(|entry| {
            entries(entry)
                .into_iter()
                .map(|(k, v)| (k, scalar(&v).unwrap()))
                .collect()
        })
        .collect()
}

/// `text` with each `${{ matrix.KEY }}` replaced by the entry's value.
fn fill_matrix(text: &str, entry: &std::collections::BTreeMap<String, String>) -> String {
    let mut filled = text.to_string();
    for (key, value) in entry {
        filled = filled.replace(&format!("${{{{ matrix.{key} }}}}"), value);
    }
    assert!(!filled.contains("${{"), "{filled}: an expression is left");
    filled
}

/// What a user checks before trusting a release workflow they cannot run here: actionlint finds
/// nothing in it; it builds a wheel for every platform issue 23 names (Linux x86_64 and arm64 with
/// scripts/build-wheels.sh, macOS x86_64 and arm64, Windows x64) and runs each on its own platform;
/// the standalone binaries it attaches to the GitHub release are the files Cargo.toml's
/// `[package.metadata.binstall]` sends `cargo binstall` to; and nothing is published before the
/// wheels have run, to PyPI by trusted publishing (no token) and to crates.io with the
/// CARGO_REGISTRY_TOKEN secret.
#[test]
fn the_release_workflow_builds_every_platform_and_uploads_what_cargo_binstall_downloads() {
    if !require_tools(&["actionlint"]) {
        return;
    }
    let path = repo_root().join(".github/workflows/release.yml");
    if let Err(findings) = actionlint(&path) {
        panic!("{findings}");
    }
    let workflow = load_yaml(&path);
    let jobs = &workflow["jobs"];
    let steps = |job: &str| jobs[job]["steps"].as_vec().unwrap().clone();
    let runs = |job: &str| -> Vec<String> {
        steps(job)
            .iter()
            .filter_map(|s| s["run"].as_str().map(String::from))
            .collect()
    };
    let uses = |job: &str, action: &str| -> Yaml {
        steps(job)
            .into_iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
            .unwrap_or_else(|| panic!("job {job} uses {action}"))
    };
    let needs = |job: &str| -> Vec<String> {
        match &jobs[job]["needs"] {
            Yaml::Array(jobs) => jobs.iter().map(|j| scalar(j).unwrap()).collect(),
            single => vec![scalar(single).unwrap()],
        }
    };
    assert_eq!(
        workflow["on"]["push"]["tags"].as_vec().unwrap(),
        &vec![Yaml::String("v*".into())],
        "a release runs on a tag v<version>"
    );

    // The wheels: both Linux targets from scripts/build-wheels.sh, the others natively.
    assert!(
        runs("linux-wheels")
            .iter()
            .any(|r| r.trim() == "bash scripts/build-wheels.sh dist"),
        "{:?}",
        runs("linux-wheels")
    );
    let script = std::fs::read_to_string(repo_root().join("scripts/build-wheels.sh")).unwrap();
    assert!(script.contains("targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu)"));
    let pairs = |job: &str| -> Vec<(String, String)> {
        matrix(&jobs[job])
            .into_iter()
            .map(|e| (e["os"].clone(), e["target"].clone()))
            .collect()
    };
    let native = [
        ("macos-13", "x86_64-apple-darwin"),
        ("macos-14", "aarch64-apple-darwin"),
        ("windows-latest", "x86_64-pc-windows-msvc"),
    ];
    let owned = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(os, target)| (os.to_string(), target.to_string()))
            .collect()
    };
    assert_eq!(pairs("native-wheels"), owned(&native));
    assert!(
        runs("native-wheels").iter().any(
            |r| r.contains(r#"maturin build --release --locked --target "$TARGET" --out dist"#)
        )
    );

    // Each wheel installed and run on a runner of its own platform, arm64 Linux on an arm64 one.
    let mut smoked = vec![
        ("ubuntu-24.04", "x86_64-unknown-linux-gnu"),
        ("ubuntu-24.04-arm", "aarch64-unknown-linux-gnu"),
    ];
    smoked.extend(native);
    assert_eq!(pairs("smoke"), owned(&smoked));
    assert_eq!(needs("smoke"), ["linux-wheels", "native-wheels"]);
    // Each picks its own wheel out of all of them (the names maturin and auditwheel give).
    let version = cargo_toml_version();
    let wheel_names: Vec<String> = [
        "manylinux2014_x86_64.manylinux_2_17_x86_64",
        "manylinux2014_aarch64.manylinux_2_17_aarch64",
        "macosx_10_12_x86_64",
        "macosx_11_0_arm64",
        "win_amd64",
    ]
    .iter()
    .map(|platform| format!("cargo_powertools-{version}-py3-none-{platform}.whl"))
    .collect();
    for (entry, own) in matrix(&jobs["smoke"]).iter().zip(&wheel_names) {
        let glob = globset::Glob::new(&entry["wheel"])
            .unwrap()
            .compile_matcher();
        let picked: Vec<&String> = wheel_names.iter().filter(|n| glob.is_match(n)).collect();
        assert_eq!(picked, [own], "{}: {}", entry["target"], entry["wheel"]);
    }
    let smoke_runs = runs("smoke").join("\n");
    for command in [
        "cargo-powertools --version",
        "cargo-powertools recipes",
        "cargo-powertools package --python examples/workspace/python/orders-py --handler app.handler",
        "cargo-powertools verify",
    ] {
        assert!(
            smoke_runs.contains(command),
            "the smoke test runs {command}"
        );
    }

    // The release assets, one per target: what cargo binstall downloads.
    let cargo_toml: toml_edit::DocumentMut =
        std::fs::read_to_string(repo_root().join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let package = &cargo_toml["package"];
    let repository = package["repository"].as_str().expect("a repository URL");
    let binstall = &package["metadata"]["binstall"];
    assert_eq!(binstall["bin-dir"].as_str(), Some("{ bin }{ binary-ext }"));
    let asset_template = jobs["smoke"]["env"]["ASSET"].as_str().unwrap();
    let upload = uses("smoke", "actions/upload-artifact@");
    assert_eq!(upload["with"]["path"].as_str(), Some("${{ env.ASSET }}"));
    assert_eq!(
        upload["with"]["name"].as_str(),
        Some("binary-${{ matrix.target }}")
    );
    for entry in matrix(&jobs["smoke"]) {
        let target = &entry["target"];
        let asset = fill_matrix(asset_template, &entry);
        let overridden = binstall
            .get("overrides")
            .and_then(|o| o.get(target.as_str()));
        let key = |key: &str| {
            overridden
                .and_then(|o| o.get(key))
                .or_else(|| binstall.get(key))
                .and_then(|v| v.as_str())
                .unwrap_or_else(|| panic!("binstall {key} for {target}"))
                .to_string()
        };
        let url = key("pkg-url")
            .replace("{ repo }", repository)
            .replace("{ version }", &version)
            .replace("{ name }", package["name"].as_str().unwrap())
            .replace("{ target }", target);
        assert_eq!(
            url,
            format!("{repository}/releases/download/v{version}/{asset}"),
            "{target}"
        );
        let format = match entry["archive"].as_str() {
            "tar.gz" => "tgz",
            "zip" => "zip",
            other => panic!("{target}: archive {other}"),
        };
        assert_eq!(key("pkg-fmt"), format, "{target}");
    }
    // The release gets every binary-* artifact: the assets above.
    assert_eq!(needs("github-release"), ["smoke"]);
    let download = steps("github-release")
        .into_iter()
        .find(|s| s["with"]["pattern"].as_str() == Some("binary-*"))
        .expect("the release downloads the binaries");
    let folder = download["with"]["path"].as_str().unwrap();
    assert!(
        runs("github-release")
            .iter()
            .any(|r| r.contains(&format!("cd {folder}\n"))
                && r.contains(r#"gh release create "$TAG" --verify-tag"#)
                && r.trim_end().ends_with("-- *")),
        "{:?}",
        runs("github-release")
    );
    assert_eq!(
        jobs["github-release"]["permissions"]["contents"].as_str(),
        Some("write")
    );

    // Published after the release, never before the wheels ran: PyPI by trusted publishing.
    assert_eq!(needs("pypi"), ["github-release"]);
    assert_eq!(
        jobs["pypi"]["permissions"]["id-token"].as_str(),
        Some("write")
    );
    let publish = uses("pypi", "pypa/gh-action-pypi-publish@");
    for token in ["password", "user"] {
        assert!(
            publish["with"][token].is_badvalue(),
            "trusted publishing needs no {token}"
        );
    }
    assert_eq!(needs("crates-io"), ["github-release"]);
    let cargo_publish = steps("crates-io")
        .into_iter()
        .find(|s| s["run"].as_str() == Some("cargo publish --locked"))
        .expect("cargo publish --locked");
    assert_eq!(
        cargo_publish["env"]["CARGO_REGISTRY_TOKEN"].as_str(),
        Some("${{ secrets.CARGO_REGISTRY_TOKEN }}")
    );
}

/// What [`wheels`] needs: `scripts/build-wheels.sh`'s maturin with zig, auditwheel, and the arm64
/// Rust standard library. Every test that calls [`wheels`] or [`wheel`] requires them.
pub const WHEEL_TOOLS: &[&str] = &["maturin", "zig", "auditwheel", "rust-std-aarch64"];

/// What `scripts/build-wheels.sh` builds for PyPI: the sdist, and from it the manylinux_2_17 wheels.
pub struct Wheels {
    pub x86_64: PathBuf,
    pub aarch64: PathBuf,
    pub sdist: PathBuf,
}

impl Wheels {
    fn in_dir(dir: &Path) -> Option<Wheels> {
        let files: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .map(|e| e.unwrap().path())
            .collect();
        let ending = |suffix: &str| {
            files
                .iter()
                .find(|p| p.to_string_lossy().ends_with(suffix))
                .cloned()
        };
        Some(Wheels {
            x86_64: ending("_x86_64.whl")?,
            aarch64: ending("_aarch64.whl")?,
            sdist: ending(".tar.gz")?,
        })
    }
}

/// The release wheels and sdist, built by `scripts/build-wheels.sh` (the script a release runs)
/// once per content of the crate and kept under the shared target directory (`wheels/<hash>/`), so
/// the suite builds them at most once and a rerun of unchanged sources not at all. The wheels are
/// built from the unpacked sdist, so this also proves the sdist builds. The build's target directory
/// is shared too (`wheel-build/`), and unoptimised: the tests check what the wheels hold and that
/// their programs work, not how fast they run, and optimising the crate and its dependencies for
/// two targets takes minutes of a clean run.
pub fn wheels() -> &'static Wheels {
    static WHEELS: std::sync::OnceLock<Wheels> = std::sync::OnceLock::new();
    WHEELS.get_or_init(|| {
        let cache = shared_target_dir().join("wheels").join(crate_hash());
        if let Some(wheels) = Wheels::in_dir(&cache) {
            return wheels;
        }
        let parent = cache.parent().unwrap();
        std::fs::create_dir_all(parent).unwrap();
        // Beside the cache: the finished directory moves into place in one rename, so a concurrent
        // run sees all of it or none.
        let work = tempfile::Builder::new()
            .prefix("building-")
            .tempdir_in(parent)
            .unwrap();
        let built = work.path().join("out");
        let started = std::time::Instant::now();
        let output = Command::new("bash")
            .arg(repo_root().join("scripts/build-wheels.sh"))
            .arg(&built)
            // What cargo test sets for this process, not for a build of its own.
            .env_remove("CARGO")
            .env_remove("RUSTC")
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("LD_LIBRARY_PATH")
            .env("PATH", path_with_tools())
            .env("CARGO_TARGET_DIR", shared_target_dir().join("wheel-build"))
            // Unoptimised, without LTO (and with POWERTOOLS_BUILD_TOOLCHAIN's toolchain).
            .envs(fixture_build_env())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "scripts/build-wheels.sh:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        // Straight to the process's stderr (libtest captures `eprintln!`): what the build costs.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "scripts/build-wheels.sh built the wheels and sdist in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        if std::fs::rename(&built, &cache).is_err() {
            assert!(
                Wheels::in_dir(&cache).is_some(),
                "{} has not the wheels and sdist",
                cache.display()
            );
        }
        Wheels::in_dir(&cache).unwrap()
    })
}

/// The x86_64 wheel `pip install cargo-powertools` installs on this machine (of [`wheels`]).
pub fn wheel() -> &'static Path {
    &wheels().x86_64
}

/// SHA-256 of the names and contents of the files the crate ships, and of the script that builds
/// the wheels, in hex (16 digits).
fn crate_hash() -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut files = packaged_files();
    files.push("scripts/build-wheels.sh".into());
    for file in files {
        let path = repo_root().join(&file);
        // cargo writes .cargo_vcs_info.json and Cargo.toml.orig itself.
        if let Ok(bytes) = std::fs::read(&path) {
            hasher.update(file.as_bytes());
            hasher.update([0]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `auditwheel show` says of `wheel`, on one line.
fn auditwheel_show(wheel: &Path) -> String {
    let output = Command::new("auditwheel")
        .arg("show")
        .arg(wheel)
        .env("PATH", path_with_tools())
        .output()
        .unwrap();
    let text = succeeded(&output);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a release uploads, and PyPI accepts: one wheel per architecture tagged manylinux_2_17 (glibc
/// 2.17, which auditwheel confirms from the binary) and a source distribution holding everything the
/// crate needs to build.
#[test]
fn the_release_build_gives_a_manylinux_wheel_per_architecture_and_an_sdist() {
    if !require_tools(WHEEL_TOOLS) {
        return;
    }
    let wheels = wheels();
    let version = cargo_toml_version();
    let name = |path: &Path| path.file_name().unwrap().to_string_lossy().into_owned();
    for (wheel, arch) in [(&wheels.x86_64, "x86_64"), (&wheels.aarch64, "aarch64")] {
        assert_eq!(
            name(wheel),
            format!(
                "cargo_powertools-{version}-py3-none-manylinux2014_{arch}.manylinux_2_17_{arch}.whl"
            )
        );
        let shown = auditwheel_show(wheel);
        assert!(
            shown.contains(&format!(
                "is consistent with the following platform tag: \"manylinux_2_17_{arch}\""
            )),
            "{shown}"
        );
    }
    assert_eq!(
        name(&wheels.sdist),
        format!("cargo_powertools-{version}.tar.gz")
    );
    let listed = Command::new("tar")
        .arg("tzf")
        .arg(&wheels.sdist)
        .output()
        .unwrap();
    let prefix = format!("cargo_powertools-{version}/");
    let in_sdist: Vec<String> = succeeded(&listed)
        .lines()
        .map(|l| {
            l.strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{l}"))
                .to_string()
        })
        .collect();
    for file in packaged_files() {
        if file == ".cargo_vcs_info.json" || file == "Cargo.toml.orig" {
            continue;
        }
        assert!(
            in_sdist.contains(&file),
            "{file} in the sdist: {in_sdist:?}"
        );
    }
}

/// The program inside a wheel (`<name>.data/scripts/`), written executable into `dir`.
fn program_in_wheel(wheel: &Path, dir: &Path) -> PathBuf {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(wheel).unwrap()).unwrap();
    let entry = format!(
        "cargo_powertools-{}.data/scripts/cargo-powertools",
        cargo_toml_version()
    );
    let mut file = archive
        .by_name(&entry)
        .unwrap_or_else(|e| panic!("{entry} in {}: {e}", wheel.display()));
    let program = dir.join("cargo-powertools");
    let mut out = std::fs::File::create(&program).unwrap();
    std::io::copy(&mut file, &mut out).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    program
}

/// A copy of `wheel` at `to` whose program is `program` instead (the RECORD left as it was).
fn wheel_with_program(wheel: &Path, program: &Path, to: &Path) {
    use std::io::Write as _;
    let entry = format!(
        "cargo_powertools-{}.data/scripts/cargo-powertools",
        cargo_toml_version()
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(wheel).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).unwrap();
        if file.name().unwrap() != entry.as_str() {
            writer.raw_copy_file(file).unwrap();
        }
    }
    writer
        .start_file(
            entry,
            // Stored: the test's own program is large (debug information), and this test is
            // about the binary's glibc, not compression.
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .unix_permissions(0o755),
        )
        .unwrap();
    writer.write_all(&std::fs::read(program).unwrap()).unwrap();
    writer.finish().unwrap();
}

/// The check every wheel build ends with (`scripts/build-wheels.sh --check`) passes the wheels it
/// built and refuses a wheel whose binary its tag does not fit, with what auditwheel says of it: the
/// x86_64 wheel holding a program linked against this machine's newer glibc (what `pip wheel .`
/// builds here), or holding the arm64 program.
#[test]
fn the_wheel_check_refuses_a_binary_its_manylinux_tag_does_not_fit() {
    if !require_tools(WHEEL_TOOLS) {
        return;
    }
    let wheels = wheels();
    let check = |wheels: &[&Path]| {
        Command::new("bash")
            .arg(repo_root().join("scripts/build-wheels.sh"))
            .arg("--check")
            .args(wheels)
            .env("PATH", path_with_tools())
            .output()
            .unwrap()
    };
    succeeded(&check(&[&wheels.x86_64, &wheels.aarch64]));

    let dir = tempfile::tempdir().unwrap();
    let name = wheels.x86_64.file_name().unwrap().to_string_lossy();
    let refused = |program: &Path, what: &str| {
        std::fs::create_dir(dir.path().join(what)).unwrap();
        let doctored = dir.path().join(what).join(&*name);
        wheel_with_program(&wheels.x86_64, program, &doctored);
        let output = check(&[&doctored]);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{what}: {text}");
        text
    };

    let text = refused(&binary(), "newer-glibc");
    assert!(
        text.starts_with(&format!(
            "error: {name} is tagged manylinux_2_17_x86_64, but auditwheel finds otherwise:\n"
        )),
        "{text}"
    );
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let found = one_line
        .split("is consistent with the following platform tag: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        found.ends_with("_x86_64") && found != "manylinux_2_17_x86_64",
        "{text}"
    );

    // auditwheel finds no x86_64 binary at all, and says it ignored an aarch64 one.
    let arm64_program = program_in_wheel(&wheels.aarch64, dir.path());
    let text = refused(&arm64_program, "arm64");
    assert!(
        text.starts_with(&format!("error: auditwheel show {name} failed:\n")),
        "{text}"
    );
    assert!(text.contains("aarch64"), "{text}");
}

/// What a Python team does: install the wheel into a fresh virtualenv, on a machine without any
/// Rust toolchain, and package a Python function for both architectures with it. The x86_64 wheel
/// installs and runs here; the arm64 wheel's program (as on a Graviton runner) runs under qemu and
/// writes the same zips.
#[test]
fn the_wheels_install_and_package_python_without_rust_x86_64_natively_and_arm64_under_qemu() {
    if !require_tools(&[WHEEL_TOOLS, &["uv", "qemu-aarch64-static"]].concat()) {
        return;
    }
    let wheel = wheel();
    let version = cargo_toml_version();

    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let created = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", stderr(&created));
    let installed = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--no-index", "--no-deps"])
        .arg(wheel)
        .output()
        .unwrap();
    assert!(installed.status.success(), "{}", stderr(&installed));
    let program = venv.join("bin/cargo-powertools");
    assert!(
        program.is_file(),
        "the wheel installs the cargo-powertools executable"
    );

    let tools = bin_dir_with(&["uv"]);
    let path = path_without_rust(&[&venv.join("bin"), tools.path()]);
    let reported = Command::new(&program)
        .arg("--version")
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(stdout(&reported), format!("cargo-powertools {version}\n"));
    let (_project_dir, project) = python_project_copy();
    let x86_64_manifest = package_python_without_rust(&|| Command::new(&program), &project, &path);

    // `uvx --from <wheel>`, as a Python team runs a tool without installing it.
    let uvx = Command::new("uv")
        .args(["tool", "run", "--offline", "--from"])
        .arg(wheel)
        .args(["cargo-powertools", "--version"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(uvx.status.success(), "{}", stderr(&uvx));
    assert_eq!(stdout(&uvx), format!("cargo-powertools {version}\n"));

    // The arm64 wheel's program, under qemu with the multiarch libc6:arm64 and its own loader. No
    // `-L /usr/aarch64-linux-gnu`: with the cross libc there too (gcc-aarch64-linux-gnu), qemu would
    // take the loader from one and libc.so.6 from the other, and glibc hangs in its first thread.
    let arm64_dir = tempfile::tempdir().unwrap();
    let arm64_program = program_in_wheel(&wheels().aarch64, arm64_dir.path());
    let qemu = which::which_in("qemu-aarch64-static", Some(path_with_tools()), ".").unwrap();
    let under_qemu = || {
        let mut command = Command::new(&qemu);
        command.arg(&arm64_program).env_remove("QEMU_LD_PREFIX");
        command
    };
    let reported = under_qemu()
        .arg("--version")
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(
        stdout(&reported),
        format!("cargo-powertools {version}\n"),
        "{}",
        stderr(&reported)
    );
    let (_arm64_project_dir, arm64_project) = python_project_copy();
    let arm64_manifest = package_python_without_rust(&under_qemu, &arm64_project, &path);
    // The same zips, byte for byte: packaging is reproducible whichever build of the program runs.
    assert_eq!(arm64_manifest, x86_64_manifest);
    for artifact in x86_64_manifest["artifacts"].as_array().unwrap() {
        let zip = Path::new(artifact["path"].as_str().unwrap());
        let read =
            |project: &Path| std::fs::read(project.join("dist/powertools").join(zip)).unwrap();
        assert!(read(&project) == read(&arm64_project), "{}", zip.display());
    }
}

fn cargo_toml_version() -> String {
    let cargo_toml = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    cargo_toml
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap()
        .to_string()
}

// --- the GitHub Action (action.yml) ---------------------------------------------------------------

use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

fn load_yaml(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .remove(0)
}

fn action() -> Yaml {
    load_yaml(&repo_root().join("action.yml"))
}

fn entries(yaml: &Yaml) -> Vec<(String, Yaml)> {
    yaml.as_hash()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Text of a scalar (GitHub reads `true` and `"true"` alike).
fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

/// Every `${{ ... }}` expression in `text`.
fn expressions(text: &str) -> Vec<String> {
    text.split("${{")
        .skip(1)
        .map(|rest| rest.split("}}").next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn the_action_declares_what_it_uses_and_each_run_step_names_its_shell() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let declared: Vec<String> = entries(&action["inputs"])
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for (name, input) in entries(&action["inputs"]) {
        assert!(
            input["description"].as_str().is_some(),
            "input {name} has a description"
        );
    }
    for wanted in [
        "arch",
        "recipe",
        "manifest-path",
        "args",
        "qemu",
        "verify-args",
    ] {
        assert!(declared.contains(&wanted.to_string()), "input {wanted}");
    }
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    for expression in expressions(&text) {
        for word in expression.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
            if let Some(input) = word.strip_prefix("inputs.") {
                assert!(
                    declared.contains(&input.to_string()),
                    "`{expression}`: input {input} is not declared"
                );
            }
        }
    }
    let steps = action["runs"]["steps"].as_vec().unwrap();
    for step in steps {
        if step["run"].as_str().is_some() {
            // A composite action's run step must say its shell (GitHub refuses the action otherwise).
            assert_eq!(step["shell"].as_str(), Some("bash"), "{:?}", step["name"]);
        }
    }
    assert_eq!(
        action["outputs"]["manifest"]["value"].as_str(),
        Some("${{ steps.package.outputs.manifest }}")
    );
    assert!(steps.iter().any(|s| s["id"].as_str() == Some("package")));
}

/// actionlint reads workflows, not action metadata: the action's steps become the job of a workflow
/// whose `workflow_call` inputs are the action's, so that actionlint checks every step, expression
/// and context the action uses.
#[test]
fn actionlint_checks_the_action_as_a_workflow() {
    if !require_tools(&["actionlint"]) {
        return;
    }
    let action = action();
    let mut inputs = yaml_rust2::yaml::Hash::new();
    for (name, input) in entries(&action["inputs"]) {
        let mut spec = yaml_rust2::yaml::Hash::new();
        spec.insert(Yaml::from_str("type"), Yaml::String("string".into()));
        spec.insert(Yaml::from_str("required"), Yaml::Boolean(false));
        spec.insert(
            Yaml::from_str("default"),
            Yaml::String(scalar(&input["default"]).unwrap_or_default()),
        );
        spec.insert(Yaml::from_str("description"), input["description"].clone());
        inputs.insert(Yaml::String(name), Yaml::Hash(spec));
    }
    let map = |pairs: Vec<(&str, Yaml)>| {
        Yaml::Hash(
            pairs
                .into_iter()
                .map(|(k, v)| (Yaml::String(k.into()), v))
                .collect(),
        )
    };
    let workflow = map(vec![
        (
            "on",
            map(vec![(
                "workflow_call",
                map(vec![("inputs", Yaml::Hash(inputs))]),
            )]),
        ),
        (
            "jobs",
            map(vec![(
                "action",
                map(vec![
                    ("runs-on", Yaml::String("ubuntu-24.04".into())),
                    ("steps", action["runs"]["steps"].clone()),
                ]),
            )]),
        ),
    ]);
    let mut workflow_text = String::new();
    YamlEmitter::new(&mut workflow_text)
        .dump(&workflow)
        .unwrap();
    let workflow = workflow_text;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("action-as-workflow.yml");
    std::fs::write(&file, &workflow).unwrap();
    if let Err(findings) = actionlint(&file) {
        panic!("{findings}\n{workflow}");
    }
}

/// Runs action.yml's steps the way GitHub's runner does, on this machine: each `run` in
/// `bash --noprofile --norc -eo pipefail`, in its `working-directory`, with its `env`, skipping
/// steps whose `if` is false; `$GITHUB_PATH` lines go in front of PATH for later steps and
/// `$GITHUB_OUTPUT` lines become the step's outputs. Expressions are the few the action uses
/// (`inputs.X`, `steps.ID.outputs.X`, `X == 'literal'`); anything else fails the test, so the
/// action stays within what this runs. Returns the action's outputs.
struct LocalRunner {
    inputs: std::collections::BTreeMap<String, String>,
    outputs: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    workspace: PathBuf,
    temp: tempfile::TempDir,
    path: Vec<PathBuf>,
    /// Set for every step (what the job would set).
    env: Vec<(String, OsString)>,
}

impl LocalRunner {
    fn evaluate(&self, expression: &str) -> String {
        let expression = expression.trim();
        for op in ["==", "!="] {
            if let Some((left, right)) = expression.split_once(op) {
                let literal = right.trim().trim_matches('\'');
                let equal = self.evaluate(left) == literal;
                return (equal == (op == "==")).to_string();
            }
        }
        let parts: Vec<&str> = expression.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .unwrap_or_else(|| panic!("input {name} is not declared"))
                .clone(),
            ["steps", id, "outputs", name] => self
                .outputs
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("the local runner does not know `{expression}`"),
        }
    }

    fn substitute(&self, text: &str) -> String {
        let mut result = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            result.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            result.push_str(&self.evaluate(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        result + rest
    }

    fn run_step(&mut self, step: &Yaml, index: usize) {
        let name = step["name"].as_str().unwrap_or("step").to_string();
        if let Some(condition) = scalar(&step["if"]) {
            let condition = condition
                .trim()
                .trim_start_matches("${{")
                .trim_end_matches("}}");
            if self.evaluate(condition) != "true" {
                return;
            }
        }
        let script = step["run"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: only run steps"));
        let dir = self.temp.path().join(format!("step-{index}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (path_file, output_file) = (dir.join("path"), dir.join("output"));
        std::fs::write(&path_file, "").unwrap();
        std::fs::write(&output_file, "").unwrap();
        std::fs::write(dir.join("script.sh"), script).unwrap();
        let working = scalar(&step["working-directory"])
            .map(|d| self.workspace.join(self.substitute(&d)))
            .unwrap_or_else(|| self.workspace.clone());
        let mut command = Command::new("bash");
        // The test's own environment, less what cargo test and a sourced .tools/env add.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CARGO")
                || key.starts_with("RUSTUP")
                || key == "LD_LIBRARY_PATH"
                || key == "VIRTUAL_ENV"
            {
                command.env_remove(&*key);
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(dir.join("script.sh"))
            .current_dir(working)
            .env("PATH", std::env::join_paths(&self.path).unwrap())
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_ACTION_PATH", repo_root())
            .env("RUNNER_TEMP", self.temp.path())
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_OUTPUT", &output_file);
        for (key, value) in entries(&step["env"]) {
            command.env(key, self.substitute(&scalar(&value).unwrap_or_default()));
        }
        let started = std::time::Instant::now();
        let output = command.output().unwrap();
        eprintln!("step `{name}`: {:.1} s", started.elapsed().as_secs_f64());
        assert!(
            output.status.success(),
            "step `{name}` failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for line in std::fs::read_to_string(&path_file).unwrap().lines() {
            self.path.insert(0, PathBuf::from(line));
        }
        if let Some(id) = step["id"].as_str() {
            let outputs = std::fs::read_to_string(&output_file)
                .unwrap()
                .lines()
                .map(|l| {
                    let (k, v) = l
                        .split_once('=')
                        .unwrap_or_else(|| panic!("`{l}`: key=value"));
                    (k.to_string(), v.to_string())
                })
                .collect();
            self.outputs.insert(id.to_string(), outputs);
        }
    }
}

/// examples/ci/github-actions.yml's step that uses the action: its `with` inputs.
fn example_action_inputs() -> Vec<(String, String)> {
    let workflow = load_yaml(&repo_root().join("examples/ci/github-actions.yml"));
    let steps = workflow["jobs"]["package"]["steps"].as_vec().unwrap();
    let step = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("/cargo-powertools@"))
        })
        .expect("the example uses the action");
    entries(&step["with"])
        .into_iter()
        .map(|(k, v)| (k, scalar(&v).unwrap()))
        .collect()
}

/// The example workflow's action step, run locally on a copy of the example workspace with the
/// wheel built from this checkout: it installs cargo-powertools, cargo-lambda, zig and uv into a
/// fresh virtualenv (PyPI), packages every function for both architectures, verifies the zips and
/// runs the greeter on both (arm64 under qemu), and outputs the manifest's path.
#[test]
fn the_action_runs_on_the_example_as_the_ci_example_configures_it() {
    if !require_tools(&[WHEEL_TOOLS, &["qemu-aarch64-static"]].concat()) {
        return;
    }
    let action = action();
    let mut inputs: std::collections::BTreeMap<String, String> = entries(&action["inputs"])
        .into_iter()
        .map(|(k, v)| (k, scalar(&v["default"]).unwrap_or_default()))
        .collect();
    for (name, value) in example_action_inputs() {
        assert!(
            inputs.contains_key(&name),
            "the example passes an unknown input {name}"
        );
        inputs.insert(name, value);
    }
    // This machine has qemu already (.ci/setup) and installs nothing with sudo in a test; the
    // cargo-powertools to install is this checkout's.
    assert_eq!(inputs["qemu"], "true");
    inputs.insert("qemu".into(), "false".into());
    inputs.insert("version".into(), wheel().display().to_string());
    // The job caches `target`: the shared target directory stands in for a warm cache, and the
    // zips go to a directory of their own.
    let out = tempfile::tempdir().unwrap();
    let args = format!("{} --out-dir {}", inputs["args"], out.path().display());
    inputs.insert("args".into(), args);
    let mut env = vec![(
        "CARGO_TARGET_DIR".to_string(),
        shared_target_dir().into_os_string(),
    )];
    env.extend(
        fixture_build_env()
            .into_iter()
            .map(|(name, value)| (name.to_string_lossy().into_owned(), value)),
    );

    // A runner's PATH: the system and the Rust toolchain, none of the tools the action installs.
    let cargo = which::which("cargo").unwrap();
    let mut path = vec![cargo.parent().unwrap().to_path_buf()];
    path.extend(["/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].map(PathBuf::from));
    for installed in ["cargo-powertools", "cargo-lambda", "uv", "zig"] {
        assert!(
            which::which_in(installed, Some(std::env::join_paths(&path).unwrap()), ".").is_err(),
            "{installed} is on the runner's PATH before the action installs it"
        );
    }
    let example = example_copy();
    let mut runner = LocalRunner {
        inputs,
        outputs: Default::default(),
        workspace: example.path(),
        temp: tempfile::tempdir().unwrap(),
        path,
        env,
    };
    for (index, step) in action["runs"]["steps"].as_vec().unwrap().iter().enumerate() {
        runner.run_step(step, index);
    }
    let manifest = runner.substitute(action["outputs"]["manifest"]["value"].as_str().unwrap());
    assert_eq!(PathBuf::from(&manifest), out.path().join("manifest.json"));
    let manifest = read_manifest(Path::new(&manifest).parent().unwrap());
    let mut by_function: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for artifact in manifest["artifacts"].as_array().unwrap() {
        by_function
            .entry(artifact["function"].as_str().unwrap())
            .or_default()
            .push(artifact["arch"].as_str().unwrap());
    }
    // Every function and extension of the example (Rust and Python), for both architectures; the
    // command-line tool is not one.
    for name in [
        "greeter",
        "orders",
        "hello",
        "catalog",
        "audit-log",
        "orders-py",
        "reviews-py",
    ] {
        assert!(by_function.contains_key(name), "{name} in {by_function:?}");
    }
    assert!(!by_function.contains_key("seed-data"), "{by_function:?}");
    for (name, arches) in &by_function {
        assert_eq!(arches, &["x86_64", "arm64"], "{name}");
    }
}
