//! Python functions and layers: the example's `orders-py` (pydantic, whose core is compiled code)
//! packaged with uv, poetry, pip and pex for both architectures; its x86_64 zip imported and run;
//! rebuilds byte-identical; and the failures Python users meet, each with a clear error.
use crate::support::*;
use object::Object;
use std::path::Path;
use std::process::Command;

/// Packages only `orders-py`, from `workspace`, with `extra` arguments, into a new directory.
fn package_python(workspace: &Path, extra: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let out = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(workspace)
        .args(["package", "--bin", "orders-py"])
        .args(extra)
        .arg("--out-dir")
        .arg(out.path())
        .output()
        .unwrap();
    (out, output)
}

fn names(zip: &Path) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

/// What every Python zip must hold, and must not.
fn assert_python_zip(out: &Path, arch: &str, prefix: &str) {
    let zip = out.join(format!("{arch}/orders-py.zip"));
    let names = names(&zip);
    let core = names
        .iter()
        .find(|n| {
            n.starts_with(&format!("{prefix}pydantic_core/_pydantic_core.")) && n.ends_with(".so")
        })
        .unwrap_or_else(|| panic!("pydantic-core's extension module in {names:?}"));
    let elf = zip_entry(&zip, core);
    let expected = if arch == "arm64" {
        object::Architecture::Aarch64
    } else {
        object::Architecture::X86_64
    };
    assert_eq!(
        object::File::parse(&*elf).unwrap().architecture(),
        expected,
        "{core} in {arch}/orders-py.zip"
    );
    for name in &names {
        assert!(name.starts_with(prefix), "{name} outside {prefix:?}");
        assert!(
            !name.contains("__pycache__") && !name.ends_with(".pyc"),
            "{name}"
        );
        for record in ["/RECORD", "/INSTALLER", "/REQUESTED", "/direct_url.json"] {
            assert!(
                !(name.contains(".dist-info") && name.ends_with(record)),
                "{name}"
            );
        }
        assert!(
            !name.starts_with(&format!("{prefix}pytest"))
                && !name.starts_with(&format!("{prefix}_pytest")),
            "dev dependency {name}"
        );
        assert!(!name.ends_with("/.lock") && name != ".lock", "{name}");
    }
}

/// Unzips the x86_64 zip and calls the handler with a sample event, with this machine's Python
/// (3.11, the example's runtime version) and nothing else on its path.
fn run_handler(out: &Path) -> String {
    let unpacked = unzip(&out.join("x86_64/orders-py.zip"));
    let output = Command::new("python3")
        .args([
            "-I",
            "-c",
            "import json, sys; sys.path.insert(0, '.'); import app; print(json.dumps(app.handler({'id': 'o-1', 'lines': [{'quantity': 3, 'unit_price_cents': 250}]}, None)))",
        ])
        .current_dir(unpacked.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// Packages with `recipe` twice and checks the zips, the handler and the identical rebuild.
fn check_recipe(workspace: &Path, recipe: &str) {
    let (out, output) = package_python(workspace, &["--recipe", recipe]);
    assert!(output.status.success(), "{}", stderr(&output));
    for arch in ["x86_64", "arm64"] {
        assert_python_zip(out.path(), arch, "");
    }
    assert_eq!(
        run_handler(out.path()),
        r#"{"id": "o-1", "total_cents": 750}"#
    );
    let manifest = read_manifest(out.path());
    assert!(
        manifest["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["recipe"] == recipe && a["language"] == "python")
    );
    let (again, output) = package_python(workspace, &["--recipe", recipe]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        snapshot(again.path()),
        snapshot(out.path()),
        "rebuilding with {recipe} changed bytes"
    );
}

#[test]
fn uv_packages_the_python_function_for_both_architectures() {
    if !require_tools(&["uv", "unzip"]) {
        return;
    }
    let example = example_copy();
    check_recipe(&example.path(), "uv");
}

#[test]
fn pip_packages_the_python_function_for_both_architectures() {
    if !require_tools(&["pip", "unzip"]) {
        return;
    }
    let example = example_copy();
    check_recipe(&example.path(), "pip");
}

#[test]
fn pex_builds_the_layout_pants_builds_for_both_architectures() {
    if !require_tools(&["pex", "uv", "unzip"]) {
        return;
    }
    let example = example_copy();
    check_recipe(&example.path(), "pex");
}

/// Runs one of the Python tools `.ci/setup` installs, in `project`, and requires it to succeed.
fn run_in(project: &Path, program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(project)
        .env("PATH", path_with_tools())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The index URL this machine's pip uses: poetry's default source asks PyPI's JSON API, which this
/// project's CI machines cannot reach, so the test gives the project a primary source on the
/// simple API (test set-up, not the tool's business: see ../shared/ENVIRONMENT.md).
fn simple_index() -> String {
    let output = Command::new("python3")
        .args([
            "-c",
            "from pip._internal.models.index import PyPI; print(PyPI.simple_url)",
        ])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn poetry_packages_the_python_function_for_both_architectures() {
    if !require_tools(&["poetry", "unzip"]) {
        return;
    }
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    run_in(
        &project,
        "poetry",
        &[
            "source",
            "add",
            "--priority=primary",
            "simple",
            &simple_index(),
        ],
    );
    run_in(&project, "poetry", &["lock"]);
    check_recipe(&example.path(), "poetry");
}

#[test]
fn a_layer_has_everything_under_python() {
    if !require_tools(&["uv"]) {
        return;
    }
    let example = example_copy();
    example.append_to_manifest(
        "",
        "\n[workspace.metadata.powertools.python.orders-deps]\npath = \"python/orders-py\"\npython = \"3.11\"\nlayer = true\n",
    );
    let out = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(example.path())
        .args(["package", "--bin", "orders-deps", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    for arch in ["x86_64", "arm64"] {
        std::fs::rename(
            out.path().join(format!("{arch}/orders-deps.zip")),
            out.path().join(format!("{arch}/orders-py.zip")),
        )
        .unwrap();
        assert_python_zip(out.path(), arch, "python/");
    }
    let manifest = read_manifest(out.path());
    assert!(
        manifest["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] == "layer" && a.get("handler").is_none())
    );
    // A layer has the dependencies, not the function's own code.
    assert!(
        !names(&out.path().join("x86_64/orders-py.zip")).contains(&"python/app.py".to_string())
    );
}

#[test]
fn a_folder_without_a_cargo_workspace_packages_with_python() {
    if !require_tools(&["uv", "unzip"]) {
        return;
    }
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    let out = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(example.outer.path())
        .args(["package", "--python"])
        .arg(&project)
        .args(["--handler", "app.handler", "--arch", "x86_64", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest = read_manifest(out.path());
    let artifact = &manifest["artifacts"][0];
    assert_eq!(artifact["function"], "orders-py");
    assert_eq!(
        artifact["runtime"], "python3.11",
        "from the project's .python-version"
    );
    assert_eq!(
        run_handler(out.path()),
        r#"{"id": "o-1", "total_cents": 750}"#
    );

    // verify checks a Python zip for its handler's module.
    let zip = out.path().join("x86_64/orders-py.zip");
    let output = powertools()
        .args([
            "verify",
            "--runtime",
            "python3.11",
            "--handler",
            "app.handler",
        ])
        .arg(&zip)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let output = powertools()
        .args([
            "verify",
            "--runtime",
            "python3.11",
            "--handler",
            "main.handler",
        ])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no `main.py` for the handler `main.handler`: Lambda fails with Runtime.ImportModuleError"), "{}", stderr(&output));
}

/// Runs a failing `package` of `orders-py` over a copy of earlier output (see
/// [`fails_leaving_earlier_output`]); returns stderr.
fn python_fails_leaving_earlier_output(workspace: &Path, extra: &[&str]) -> String {
    let mut command = powertools();
    command
        .current_dir(workspace)
        .args(["package", "--bin", "orders-py"])
        .args(extra);
    fails_leaving_earlier_output(&mut command)
}

#[test]
fn a_package_with_only_a_source_distribution_is_named() {
    if !require_tools(&["uv"]) {
        return;
    }
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    let pyproject = std::fs::read_to_string(project.join("pyproject.toml")).unwrap();
    // psycopg2 publishes only an sdist (its wheels are psycopg2-binary's).
    std::fs::write(
        project.join("pyproject.toml"),
        pyproject.replace(
            "\"pydantic>=2.7\"",
            "\"pydantic>=2.7\", \"psycopg2==2.9.10\"",
        ),
    )
    .unwrap();
    run_in(&project, "uv", &["lock"]);
    let stderr = python_fails_leaving_earlier_output(&example.path(), &["--arch", "x86_64"]);
    assert!(
        stderr.contains("error: `psycopg2` has no binary wheel for manylinux2014_x86_64 and Python 3.11: only a source distribution"),
        "{stderr}"
    );
    assert!(stderr.contains("help: pin a version of `psycopg2` that publishes manylinux2014 wheels (or a `-binary` variant, e.g. psycopg2-binary)"), "{stderr}");
}

#[test]
fn a_missing_lock_file() {
    if !require_tools(&["uv"]) {
        return;
    }
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    std::fs::remove_file(project.join("uv.lock")).unwrap();
    let stderr = python_fails_leaving_earlier_output(&example.path(), &[]);
    assert!(
        stderr.contains(&format!(
            "error: {} has no uv.lock, which recipe `uv` installs from",
            project.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: create the lock file: `uv lock`"),
        "{stderr}"
    );
}

#[test]
fn a_python_version_the_lock_cannot_satisfy() {
    if !require_tools(&["uv"]) {
        return;
    }
    let example = example_copy();
    let manifest = example.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("python = \"3.11\"", "python = \"3.9\""),
    )
    .unwrap();
    let stderr = python_fails_leaving_earlier_output(&example.path(), &[]);
    let pyproject = example.path().join("python/orders-py/pyproject.toml");
    assert!(
        stderr.contains(&format!(
            "error: `requires-python = \">=3.11\"` in {} does not allow Python 3.9",
            pyproject.display()
        )),
        "{stderr}"
    );
}

#[test]
fn pants_is_reported_missing_by_doctor_and_package() {
    let example = example_copy();
    let output = powertools()
        .current_dir(example.path())
        .args(["doctor", "--recipe", "pants"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("MISSING  pants: `pants` is not on PATH (recipe `pants` needs it)"),
        "{text}"
    );
    assert!(text.contains("fix: curl --proto '=https' --tlsv1.2 -fsSL https://static.pantsbuild.org/setup/get-pants.sh | bash"), "{text}");
    let stderr = python_fails_leaving_earlier_output(&example.path(), &["--recipe", "pants"]);
    assert!(
        stderr.contains(
            "error: recipe `pants` needs pants, which is not usable here: `pants` is not on PATH"
        ),
        "{stderr}"
    );
}

#[test]
fn excluded_distributions_are_left_out_only_when_asked() {
    if !require_tools(&["uv"]) {
        return;
    }
    // The mechanism that leaves out boto3/botocore (which the runtime has) on request, shown with a
    // distribution the example already locks, so the test downloads nothing new.
    let example = example_copy();
    let (out, output) = package_python(&example.path(), &["--arch", "x86_64"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let before = names(&out.path().join("x86_64/orders-py.zip"));
    assert!(
        before.iter().any(|n| n.starts_with("annotated_types/")),
        "kept unless excluded"
    );

    let manifest = example.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(
            "handler = \"app.handler\"",
            "handler = \"app.handler\"\nexclude = [\"annotated-types\"]",
        ),
    )
    .unwrap();
    let (out, output) = package_python(&example.path(), &["--arch", "x86_64"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let after = names(&out.path().join("x86_64/orders-py.zip"));
    assert!(
        !after.iter().any(|n| n.starts_with("annotated_types")),
        "{after:?}"
    );
    assert!(
        after.iter().any(|n| n.starts_with("pydantic/")),
        "the rest stays"
    );
}
