//! Python functions and layers: the example's `orders-py` (pydantic, whose core is compiled code)
//! packaged with uv, poetry, pip and pex for both architectures; its x86_64 zip imported and run;
//! rebuilds byte-identical; and the failures Python users meet, each with a clear error.
use crate::support::*;
use object::Object;
use std::path::Path;
use std::process::Command;

/// Packages only `orders-py`, from `workspace`, with `extra` arguments, into a new directory.
fn package_python(workspace: &Path, extra: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    output_into_new_dir(
        powertools()
            .current_dir(workspace)
            .args(["package", "--bin", "orders-py"])
            .args(extra),
    )
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
    run_python_in_zip(
        &out.join("x86_64/orders-py.zip"),
        "python3",
        "import json, sys; sys.path.insert(0, '.'); import app; print(json.dumps(app.handler({'id': 'o-1', 'lines': [{'quantity': 3, 'unit_price_cents': 250}]}, None)))",
    )
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
    assert!(
        artifacts(out.path())
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
    let (out, output) = output_into_new_dir(powertools().current_dir(example.path()).args([
        "package",
        "--bin",
        "orders-deps",
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    for arch in ["x86_64", "arm64"] {
        std::fs::rename(
            out.path().join(format!("{arch}/orders-deps.zip")),
            out.path().join(format!("{arch}/orders-py.zip")),
        )
        .unwrap();
        assert_python_zip(out.path(), arch, "python/");
    }
    assert!(
        artifacts(out.path())
            .iter()
            .all(|a| a["kind"] == "layer" && a.get("handler").is_none())
    );
    // A layer has its folder's own modules beside the dependencies, as SAM's layers do.
    assert!(names(&out.path().join("x86_64/orders-py.zip")).contains(&"python/app.py".to_string()));
}

#[test]
fn a_folder_without_a_cargo_workspace_packages_with_python() {
    if !require_tools(&["uv", "unzip"]) {
        return;
    }
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    let (out, output) = output_into_new_dir(
        powertools()
            .current_dir(example.outer.path())
            .args(["package", "--python"])
            .arg(&project)
            .args(["--handler", "app.handler", "--arch", "x86_64"]),
    );
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
    let output = run(verify_python("app.handler").arg(&zip));
    assert!(output.status.success(), "{}", stderr(&output));
    let output = run(verify_python("main.handler").arg(&zip));
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
    // psycopg2 publishes only an sdist (its wheels are psycopg2-binary's).
    replace_in_file(
        &project.join("pyproject.toml"),
        "\"pydantic>=2.7\"",
        "\"pydantic>=2.7\", \"psycopg2==2.9.10\"",
    );
    run_in(&project, "uv", &["lock"]);
    let stderr = python_fails_leaving_earlier_output(&example.path(), &["--arch", "x86_64"]);
    assert!(
        stderr.contains("error: `psycopg2` has no binary wheel for x86_64 (up to manylinux_2_26_x86_64) and Python 3.11: only a source distribution"),
        "{stderr}"
    );
    assert!(stderr.contains("help: pin a version of `psycopg2` that publishes manylinux wheels (or a `-binary` variant, e.g. psycopg2-binary)"), "{stderr}");
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
    replace_in_file(
        &example.path().join("Cargo.toml"),
        "python = \"3.11\"",
        "python = \"3.9\"",
    );
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
fn a_requires_python_that_is_no_version_specifier_is_refused_naming_it() {
    if !require_tools(&["uv"]) {
        return;
    }
    // Poetry's caret, written where PEP 440 is read: once let through (an unknown operator passed).
    let example = example_copy();
    let pyproject = example.path().join("python/orders-py/pyproject.toml");
    replace_in_file(
        &pyproject,
        "requires-python = \">=3.11\"",
        "requires-python = \"^3.11\"",
    );
    let stderr = python_fails_leaving_earlier_output(&example.path(), &[]);
    assert!(
        stderr.contains(&format!(
            "error: `requires-python = \"^3.11\"` in {} is not a PEP 440 version specifier: ",
            pyproject.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "help: write it as comma-separated clauses such as `>=3.11,<3.14` or `~=3.12`"
        ),
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

    replace_in_file(
        &example.path().join("Cargo.toml"),
        "handler = \"app.handler\"",
        "handler = \"app.handler\"\nexclude = [\"annotated-types\"]",
    );
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

/// A project as `uv init --app --no-package` makes it (a `main.py` beside pyproject.toml; this uv
/// makes a src-layout package without `--no-package`), for Python `python`, with `dependencies` added by
/// `uv add` (which locks), and a Lambda handler appended to the `main.py` uv wrote.
/// The project is the folder `fn-py`, so its zips are `<arch>/fn-py.zip`.
fn uv_project(python: &str, dependencies: &[&str], handler_body: &str) -> Project {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("fn-py");
    std::fs::create_dir(&dir).unwrap();
    let project = Project { _outer: outer, dir };
    let dir = &project;
    run_in(
        dir.path(),
        "uv",
        &[
            "init",
            "--app",
            "--no-package",
            "--vcs",
            "none",
            "--no-workspace",
            "--name",
            "fn-py",
            "--python",
            python,
            ".",
        ],
    );
    let mut add = vec!["add", "--no-sync"];
    add.extend(dependencies);
    run_in(dir.path(), "uv", &add);
    let main = dir.path().join("main.py");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        format!("{text}\n\ndef handler(event, context):\n{handler_body}\n"),
    )
    .unwrap();
    project
}

/// A project folder inside a temporary directory that lives as long as it.
struct Project {
    _outer: tempfile::TempDir,
    dir: std::path::PathBuf,
}

impl Project {
    fn path(&self) -> &Path {
        &self.dir
    }
}

/// Packages the project folder with `--python`, `recipe` and `extra` arguments.
fn package_folder(
    project: &Path,
    recipe: &str,
    extra: &[&str],
) -> (tempfile::TempDir, std::process::Output) {
    output_into_new_dir(
        powertools()
            .args(["package", "--python"])
            .arg(project)
            .args(["--handler", "main.handler", "--recipe", recipe])
            .args(extra),
    )
}

/// This machine's `python3.<minor>`: on PATH, or a pyenv version (pyenv's shims answer only for
/// the versions pyenv has selected).
fn interpreter(version: &str) -> std::path::PathBuf {
    let name = format!("python{version}");
    if Command::new(&name)
        .args(["-c", ""])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return name.into();
    }
    let root = std::env::var_os("PYENV_ROOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap()).join(".pyenv")
        });
    std::fs::read_dir(root.join("versions"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin").join(&name))
        .find(|path| {
            path.parent()
                .unwrap()
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{version}."))
                && path.is_file()
        })
        .unwrap_or_else(|| panic!("no {name} on this machine (see ../shared/ENVIRONMENT.md)"))
}

/// Unzips the x86_64 zip and calls `main.handler` with `python3.<minor>`, nothing else on its path.
fn run_main_handler(zip: &Path, python: &str) -> String {
    run_python_in_zip(
        zip,
        interpreter(python),
        "import json, sys; sys.path.insert(0, '.'); import main; print(json.dumps(main.handler({}, None)))",
    )
}

const NUMPY_HANDLER: &str = "    import numpy\n    return {\"numpy\": numpy.__version__, \"sum\": int(numpy.arange(5).sum())}";

/// numpy 2.3 publishes only manylinux_2_28 wheels: python3.12 (Amazon Linux 2023, glibc 2.34)
/// takes them, for both architectures, with uv and with pip.
#[test]
fn numpy_2_3_packages_for_python3_12_with_uv_and_pip() {
    if !require_tools(&["uv", "pip", "unzip"]) {
        return;
    }
    let project = uv_project("3.11", &["numpy==2.3.4"], NUMPY_HANDLER);
    std::fs::write(project.path().join("requirements.txt"), "numpy==2.3.4\n").unwrap();
    for recipe in ["uv", "pip"] {
        let (out, output) = package_folder(project.path(), recipe, &["--python-version", "3.12"]);
        assert!(output.status.success(), "{recipe}: {}", stderr(&output));
        for (arch, cpu, machine) in [
            ("x86_64", "x86_64", object::Architecture::X86_64),
            ("arm64", "aarch64", object::Architecture::Aarch64),
        ] {
            let zip = out.path().join(format!("{arch}/fn-py.zip"));
            let module = format!("numpy/_core/_multiarray_umath.cpython-312-{cpu}-linux-gnu.so");
            let elf = zip_entry(&zip, &module);
            assert_eq!(
                object::File::parse(&*elf).unwrap().architecture(),
                machine,
                "{recipe}: {module} in {arch}"
            );
        }
        assert_eq!(
            run_main_handler(&out.path().join("x86_64/fn-py.zip"), "3.12"),
            r#"{"numpy": "2.3.4", "sum": 10}"#,
            "{recipe}"
        );
        let manifest = read_manifest(out.path());
        assert_eq!(
            manifest["artifacts"][0]["target"], "manylinux_2_5..manylinux_2_34_x86_64",
            "{recipe}"
        );
    }
}

/// The same numpy for python3.11 (Amazon Linux 2, glibc 2.26) is refused, naming the wheel's tags
/// and the runtime that takes them, with nothing written.
#[test]
fn numpy_2_3_is_refused_for_python3_11() {
    if !require_tools(&["uv", "pip"]) {
        return;
    }
    let project = uv_project("3.11", &["numpy==2.3.4"], NUMPY_HANDLER);
    let (out, output) = package_folder(
        project.path(),
        "uv",
        &["--python-version", "3.11", "--arch", "x86_64"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(
        stderr.contains("error: `numpy` 2.3.4 has wheels for Python 3.11 only for a newer glibc than python3.11's: it publishes `manylinux_2_27_x86_64.manylinux_2_28_x86_64` (glibc 2.27 or later), and python3.11 runs on glibc 2.26"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: use python3.12 or later (glibc 2.34, which loads these wheels), or pin an older `numpy`"),
        "{stderr}"
    );
    assert!(!out.path().join("x86_64").exists(), "nothing written");
}

/// Markers are evaluated for the target: a dependency gated on `platform_machine == 'aarch64'` is
/// in the arm64 zips only, one gated on `python_version < '3.12'` in the python3.11 zips only,
/// whichever recipe and whatever machine packages.
#[test]
fn marker_gated_dependencies_follow_the_target() {
    if !require_tools(&["uv", "pip"]) {
        return;
    }
    let requirements =
        "idna==3.10 ; platform_machine == 'aarch64'\ncertifi==2025.8.3 ; python_version < '3.12'\n";
    let project = uv_project(
        "3.11",
        &[
            "idna==3.10 ; platform_machine == 'aarch64'",
            "certifi==2025.8.3 ; python_version < '3.12'",
        ],
        "    return {}",
    );
    std::fs::write(project.path().join("requirements.txt"), requirements).unwrap();
    for recipe in ["uv", "pip"] {
        for python in ["3.11", "3.12"] {
            let (out, output) =
                package_folder(project.path(), recipe, &["--python-version", python]);
            assert!(
                output.status.success(),
                "{recipe} {python}: {}",
                stderr(&output)
            );
            for arch in ["x86_64", "arm64"] {
                let names = names(&out.path().join(format!("{arch}/fn-py.zip")));
                let has =
                    |package: &str| names.iter().any(|n| n.starts_with(&format!("{package}/")));
                assert_eq!(
                    has("idna"),
                    arch == "arm64",
                    "{recipe} {python} {arch}: {names:?}"
                );
                assert_eq!(
                    has("certifi"),
                    python == "3.11",
                    "{recipe} {python} {arch}: {names:?}"
                );
            }
        }
    }
}

/// A plain, unpinned `pydantic>=2.7` line (as the Powertools pip tutorial has): pip resolves the
/// whole closure for the target, and the function runs.
#[test]
fn pip_resolves_the_closure_of_unpinned_requirements() {
    if !require_tools(&["pip", "unzip"]) {
        return;
    }
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    std::fs::write(project.join("requirements.txt"), "pydantic>=2.7\n").unwrap();
    let (out, output) = package_python(&example.path(), &["--recipe", "pip"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for arch in ["x86_64", "arm64"] {
        assert_python_zip(out.path(), arch, "");
        let names = names(&out.path().join(format!("{arch}/orders-py.zip")));
        for package in [
            "pydantic/",
            "typing_extensions.py",
            "annotated_types/",
            "typing_inspection/",
        ] {
            assert!(
                names.iter().any(|n| n.starts_with(package)),
                "{package} in {arch}: {names:?}"
            );
        }
    }
    assert_eq!(
        run_handler(out.path()),
        r#"{"id": "o-1", "total_cents": 750}"#
    );
}

/// A zip with one dependency taken out (annotated-types, which pydantic requires) is rejected by
/// verify, naming the requirer and the requirement.
#[test]
fn verify_rejects_a_python_zip_missing_a_dependency() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let zip = packaged.out.path().join("x86_64/orders-py.zip");
    let broken_dir = tempfile::tempdir().unwrap();
    let broken = broken_dir.path().join("orders-py.zip");
    {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&broken).unwrap());
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).unwrap();
            if !entry.name().unwrap().starts_with("annotated_types") {
                writer.raw_copy_file(entry).unwrap();
            }
        }
        writer.finish().unwrap();
    }
    let verify = |zip: &Path| run(verify_python("app.handler").arg(zip));
    let output = verify(&zip);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = verify(&broken);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(
        stderr.contains("pydantic 2.14.4 requires `annotated-types>=0.6.0`, which is not installed: Lambda fails with Runtime.ImportModuleError"),
        "{stderr}"
    );
}

/// The handler is checked before anything is written: its module, then its function.
#[test]
fn a_handler_that_does_not_exist_is_refused() {
    if !require_tools(&["uv"]) {
        return;
    }
    let example = example_copy();
    let manifest = example.path().join("Cargo.toml");
    replace_in_file(
        &manifest,
        "handler = \"app.handler\"",
        "handler = \"app.lambda_handler\"",
    );
    let stderr = python_fails_leaving_earlier_output(&example.path(), &["--arch", "x86_64"]);
    let app = example.path().join("python/orders-py/app.py");
    assert!(
        stderr.contains(&format!("error: {} defines no `lambda_handler` for the handler `app.lambda_handler`: Lambda would fail with Runtime.HandlerNotFound", app.display())),
        "{stderr}"
    );
    replace_in_file(
        &manifest,
        "handler = \"app.lambda_handler\"",
        "handler = \"main.handler\"",
    );
    let stderr = python_fails_leaving_earlier_output(&example.path(), &["--arch", "x86_64"]);
    assert!(
        stderr.contains("error: no `main.py` for the handler `main.handler` in"),
        "{stderr}"
    );
}

/// Pants cannot run here (see ../shared/ENVIRONMENT.md), so its recipe is checked against the BUILD
/// example its tutorial teaches, per Pants' reference: one target per architecture, named as the
/// recipe packages it, each with `runtime` and `architecture` and never `complete_platforms` beside
/// `runtime` (Pants refuses the two together); the zip it writes is the one the recipe reads.
#[test]
fn the_pants_recipe_packages_the_per_architecture_targets_its_tutorial_defines() {
    let recipe = std::fs::read_to_string(repo_root().join("recipes/pants.toml")).unwrap();
    assert!(
        recipe.contains(r#"package = ["pants", "package", "{project}:lambda-{arch}"]"#),
        "{recipe}"
    );
    assert!(
        recipe.contains(r#"output = "dist/{project_dots}/lambda-{arch}.zip""#),
        "{recipe}"
    );
    let page = std::fs::read_to_string(repo_root().join("docs/recipes/pants.md")).unwrap();
    let build = page
        .split("```text\n# python/orders-py/BUILD\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the BUILD example");
    let targets: Vec<&str> = build.split("python_aws_lambda_function(").skip(1).collect();
    assert_eq!(targets.len(), 2, "{build}");
    for (target, arch) in targets.iter().zip(["x86_64", "arm64"]) {
        assert!(
            target.contains(&format!("name=\"lambda-{arch}\"")),
            "{target}"
        );
        assert!(
            target.contains(&format!("architecture=\"{arch}\"")),
            "{target}"
        );
        assert!(target.contains("handler=\"app.py:handler\""), "{target}");
        assert!(
            !(target.contains("runtime=") && target.contains("complete_platforms=")),
            "{target}"
        );
    }
}

/// The compatibility matrix script, on one package and runtime (the full table is in the README).
#[test]
fn the_python_matrix_script_reports_a_cell_per_architecture() {
    if !require_tools(&["pip", "uv"]) {
        return;
    }
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/python-matrix.sh"))
        .args([
            "--packages",
            "orjson:orjson==3.11.3",
            "--pythons",
            "3.12",
            "--recipe",
            "pip",
        ])
        .env("POWERTOOLS_BIN", env!("CARGO_BIN_EXE_cargo-powertools"))
        .env("PATH", path_with_tools())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("| orjson==3.11.3 | python3.12 | ok 3.11.3 | ok 3.11.3 |"),
        "{stdout}"
    );
}

/// pandas 2.3.3 publishes its Python 3.10 wheels for `manylinux_2_24` (and 2_28): python3.10's
/// Amazon Linux 2 (glibc 2.26) loads them, but uv names no platform between manylinux_2_17 and
/// manylinux_2_28, so the uv recipe cannot ask for them: it says so and names the recipe that can;
/// pip (every tag up to manylinux_2_26) packages it.
#[test]
fn a_wheel_the_runtime_loads_but_uv_cannot_ask_for_is_named() {
    if !require_tools(&["uv", "pip"]) {
        return;
    }
    let project = uv_project(
        "3.10",
        &["pandas==2.3.3"],
        "    import pandas\n    return {\"pandas\": pandas.__version__}",
    );
    let (_, output) = package_folder(project.path(), "uv", &["--arch", "x86_64"]);
    assert_eq!(output.status.code(), Some(1));
    let refused = stderr(&output);
    assert!(
        refused.contains("error: `pandas` 2.3.3 has wheels for Python 3.10 only for `manylinux_2_24_x86_64.manylinux_2_28_x86_64` (glibc 2.24), which python3.10 loads (glibc 2.26) but recipe `uv` cannot ask for"),
        "{refused}"
    );
    assert!(
        refused.contains("help: package it with `--recipe pip`"),
        "{refused}"
    );
    std::fs::write(project.path().join("requirements.txt"), "pandas==2.3.3\n").unwrap();
    let (out, output) = package_folder(project.path(), "pip", &["--arch", "x86_64"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        run_main_handler(&out.path().join("x86_64/fn-py.zip"), "3.10"),
        r#"{"pandas": "2.3.3"}"#
    );
}

/// A SAM-shaped repository (as `sam init` lays it out, one folder per function) whose
/// `orders/requirements.txt` includes `-r ../common/base.txt`, shared with other functions.
fn sam_repo_with_shared_requirements() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let orders = repo.path().join("orders");
    std::fs::create_dir_all(&orders).unwrap();
    std::fs::create_dir_all(repo.path().join("common")).unwrap();
    std::fs::write(
        repo.path().join("template.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: orders/\n      Handler: app.lambda_handler\n      Runtime: python3.13\n",
    )
    .unwrap();
    std::fs::write(
        orders.join("app.py"),
        "import json\n\nimport requests\nfrom aws_lambda_powertools import Logger\n\nlogger = Logger()\n\n\ndef lambda_handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"requests\": requests.__version__})}\n",
    )
    .unwrap();
    std::fs::write(
        orders.join("requirements.txt"),
        "-r ../common/base.txt\naws-lambda-powertools==3.23.0\n",
    )
    .unwrap();
    std::fs::write(repo.path().join("common/base.txt"), "requests==2.32.5\n").unwrap();
    repo
}

/// pip reads `-r` relative to the file that names it: the same package works from the repository
/// root and from the function's folder (before, the include was looked up in the tool's temporary
/// work folder and both failed).
#[test]
fn requirements_includes_resolve_from_the_file_that_names_them() {
    if !require_tools(&["pip", "unzip"]) {
        return;
    }
    let repo = sam_repo_with_shared_requirements();
    let orders = repo.path().join("orders");
    for (cwd, folder) in [(repo.path(), "orders"), (orders.as_path(), ".")] {
        let (out, output) = output_into_new_dir(
            powertools()
                .current_dir(cwd)
                .args(["package", "--python", folder])
                .args(["--handler", "app.lambda_handler", "--recipe", "pip"])
                .args(["--python-version", "3.13", "--arch", "x86_64"]),
        );
        assert!(
            output.status.success(),
            "from {folder}: {}",
            stderr(&output)
        );
        let names = names(&out.path().join("x86_64/orders.zip"));
        for dist in [
            "requests-2.32.5.dist-info/METADATA",
            "aws_lambda_powertools-3.23.0.dist-info/METADATA",
            "app.py",
        ] {
            assert!(
                names.iter().any(|n| n == dist),
                "{dist} from {folder}: {names:?}"
            );
        }
    }
}

/// A missing include names the file, the line and what it resolved to, before anything runs.
#[test]
fn a_missing_requirements_include_is_named() {
    let repo = sam_repo_with_shared_requirements();
    std::fs::remove_file(repo.path().join("common/base.txt")).unwrap();
    let orders = repo.path().join("orders");
    let (out, output) = output_into_new_dir(
        powertools()
            .current_dir(repo.path())
            .args(["package", "--python", "orders"])
            .args(["--handler", "app.lambda_handler", "--recipe", "pip"])
            .args(["--python-version", "3.13", "--arch", "x86_64"]),
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(
        stderr.contains(&format!(
            "error: {} names `{}`, which does not exist (`-r ../common/base.txt`)",
            orders.join("requirements.txt").display(),
            repo.path().join("common/base.txt").display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: a path after `-r` is relative to the file that names it"),
        "{stderr}"
    );
    assert!(!out.path().join("x86_64").exists(), "nothing written");
}

/// An empty function folder `fn-py` (so its zips are `<arch>/fn-py.zip`).
fn function_folder() -> Project {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("fn-py");
    std::fs::create_dir(&dir).unwrap();
    Project { _outer: outer, dir }
}

/// The version of a dist-info folder in a zip, e.g. `urllib3` -> `1.26.20`.
fn shipped_version(zip: &Path, dist: &str) -> String {
    names(zip)
        .iter()
        .find_map(|n| {
            n.strip_prefix(&format!("{dist}-"))?
                .strip_suffix(".dist-info/METADATA")
                .map(String::from)
        })
        .unwrap_or_else(|| panic!("no {dist} in {}", zip.display()))
}

/// botocore 1.42.97 requires `urllib3<1.27` for `python_version < "3.10"`: pip evaluated that
/// marker for its own Python 3.11 and shipped urllib3 2.x in a python3.9 zip, which shadows the
/// runtime's and breaks botocore. Now the pip recipe resolves again for the target, and the zip
/// imports botocore with python3.9.
#[test]
fn pip_resolves_transitive_markers_for_the_target_python() {
    if !require_tools(&["pip", "unzip"]) {
        return;
    }
    let project = function_folder();
    std::fs::write(
        project.path().join("requirements.txt"),
        "botocore==1.42.97\n",
    )
    .unwrap();
    std::fs::write(
        project.path().join("main.py"),
        "import botocore\nimport urllib3\n\n\ndef handler(event, context):\n    return {\"botocore\": botocore.__version__, \"urllib3\": urllib3.__version__.split(\".\")[0]}\n",
    )
    .unwrap();
    let (out, output) = package_folder(
        project.path(),
        "pip",
        &["--python-version", "3.9", "--arch", "x86_64"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let zip = out.path().join("x86_64/fn-py.zip");
    let urllib3 = shipped_version(&zip, "urllib3");
    assert!(urllib3.starts_with("1.26."), "urllib3 {urllib3}");
    assert_eq!(
        run_main_handler(&zip, "3.9"),
        r#"{"botocore": "1.42.97", "urllib3": "1"}"#
    );
}

/// Three different mistakes, three different messages (each said "has no binary wheel ... only a
/// source distribution" before): a version that does not exist, a package that does not exist, a
/// line that is not a requirement.
#[test]
fn missing_versions_packages_and_bad_lines_each_get_their_own_error() {
    if !require_tools(&["pip"]) {
        return;
    }
    let project = function_folder();
    std::fs::write(
        project.path().join("main.py"),
        "def handler(event, context):\n    return {}\n",
    )
    .unwrap();
    let requirements = project.path().join("requirements.txt");
    let package = |text: &str| {
        std::fs::write(&requirements, text).unwrap();
        let (out, output) = package_folder(
            project.path(),
            "pip",
            &["--arch", "x86_64", "--python-version", "3.13"],
        );
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(!out.path().join("x86_64").exists(), "nothing written");
        stderr(&output)
    };
    let stderr = package("requests==2.32.5\nsix==999.0\n");
    assert!(
        stderr.contains("error: `six==999.0`: `six` has no such version (the index has 1.17.0, 1.16.0, 1.15.0, 1.14.0, 1.13.0)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: pin a version `six` publishes, e.g. `six==1.17.0`"),
        "{stderr}"
    );
    assert!(!stderr.contains("source distribution"), "{stderr}");

    let stderr = package("requests==2.32.5\naws-lambda-powertoolz==3.23.0\n");
    assert!(
        stderr.contains("error: `aws-lambda-powertoolz` is not a package on the index (`aws-lambda-powertoolz==3.23.0`)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: check the name's spelling"),
        "{stderr}"
    );

    let stderr = package("requests==2.32.5\nboto3 = 1.40.0\n");
    assert!(
        stderr.contains(&format!(
            "error: {} has a line that is not a requirement: `boto3 = 1.40.0`",
            requirements.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: write a requirement as pip reads it"),
        "{stderr}"
    );
}

/// What `sam build` zips from a CodeUri is the whole folder, so code that reads a data file at
/// import (`products.json`) works on Lambda; an out-dir inside the project (`--out-dir out`) must
/// never end up in the next run's zip, nor anything else that is not the function's.
#[test]
fn a_project_zips_like_sam_with_its_data_files_and_without_its_own_out_dir() {
    if !require_tools(&["uv", "unzip"]) {
        return;
    }
    let project = uv_project(
        "3.11",
        &["requests"],
        "    return {\"products\": len(PRODUCTS)}",
    );
    let dir = project.path();
    let main = dir.join("main.py");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        format!("import json, pathlib\nPRODUCTS = json.loads((pathlib.Path(__file__).parent / \"products.json\").read_text())\n{text}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("products.json"),
        r#"[{"id": "p-1"}, {"id": "p-2"}]"#,
    )
    .unwrap();
    std::fs::create_dir(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/test_main.py"), "def test_it():\n    pass\n").unwrap();
    // A virtualenv under a name of its own, as `python3 -m venv env-dev` makes.
    std::fs::create_dir_all(dir.join("env-dev/lib")).unwrap();
    std::fs::write(dir.join("env-dev/pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    std::fs::write(dir.join("env-dev/lib/site.py"), "").unwrap();

    let package = || {
        run(powertools().current_dir(dir).args([
            "package",
            "--python",
            ".",
            "--handler",
            "main.handler",
            "--recipe",
            "uv",
            "--arch",
            "x86_64",
            "--out-dir",
            "out",
        ]))
    };
    let zip = dir.join("out/x86_64/fn-py.zip");
    let first = package();
    assert!(first.status.success(), "{}", stderr(&first));
    let first_bytes = std::fs::read(&zip).unwrap();
    let second = package();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        std::fs::read(&zip).unwrap(),
        first_bytes,
        "the second run zipped something the first run wrote"
    );

    let names = names(&zip);
    for expected in [
        "main.py",
        "products.json",
        "pyproject.toml",
        "README.md",
        "requests/__init__.py",
    ] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} in {names:?}"
        );
    }
    for name in &names {
        // bin/: console scripts (charset-normalizer's `normalizer`) whose `#!` names this machine's
        // interpreter.
        for left_out in [
            "out/",
            "tests/",
            "env-dev/",
            ".python-version",
            ".venv/",
            "bin/",
        ] {
            assert!(!name.starts_with(left_out), "{name} in the zip");
        }
    }
    assert_eq!(run_main_handler(&zip, "3.11"), "{\"products\": 2}");
}

/// A layer folder with its own module beside requirements.txt: the module goes under `python/`
/// with the dependencies, so every function that imports it finds it on Lambda.
#[test]
fn a_layer_folder_carries_its_own_modules() {
    if !require_tools(&["pip", "unzip"]) {
        return;
    }
    let outer = tempfile::tempdir().unwrap();
    let layer = outer.path().join("shared");
    std::fs::create_dir(&layer).unwrap();
    std::fs::write(
        layer.join("shared.py"),
        "import requests\n\n\ndef user_agent():\n    return requests.utils.default_user_agent()\n",
    )
    .unwrap();
    std::fs::write(layer.join("requirements.txt"), "requests\n").unwrap();
    let (out, output) = output_into_new_dir(
        powertools()
            .args(["package", "--python"])
            .arg(&layer)
            .args([
                "--layer",
                "--recipe",
                "pip",
                "--python-version",
                "3.11",
                "--arch",
                "x86_64",
            ]),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let zip = out.path().join("x86_64/shared.zip");
    let names = names(&zip);
    for expected in ["python/shared.py", "python/requests/__init__.py"] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} in {names:?}"
        );
    }
    let agent = run_python_in_zip(
        &zip,
        interpreter("3.11"),
        "import sys; sys.path.insert(0, 'python'); import shared; print(shared.user_agent())",
    );
    assert!(agent.starts_with("python-requests/"), "{agent}");
}

/// Every entry of a zip, by name.
fn zip_entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o644);
    for (name, bytes) in entries {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

/// `verify ZIP` of a Python zip, without `--arch`, checks each compiled module against the
/// architecture its wheel is tagged for: a zip with x86_64 pydantic-core beside aarch64 orjson (one
/// wheel taken from the other architecture's zip), and one whose orjson module was swapped for
/// the aarch64 build, both fail; each architecture's own zip passes. Before, both passed.
#[test]
fn verify_checks_python_extension_modules_against_their_wheels() {
    if !require_tools(&["uv"]) {
        return;
    }
    let project = uv_project(
        "3.12",
        &["pydantic==2.12.5", "orjson==3.11.3"],
        "    import orjson, pydantic\n    return {}",
    );
    let (out, output) = package_folder(project.path(), "uv", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let x86 = zip_entries(&out.path().join("x86_64/fn-py.zip"));
    let arm = zip_entries(&out.path().join("arm64/fn-py.zip"));
    let verify = |zip: &Path| {
        run(powertools()
            .args([
                "verify",
                "--runtime",
                "python3.12",
                "--handler",
                "main.handler",
            ])
            .arg(zip))
    };
    for arch in ["x86_64", "arm64"] {
        let output = verify(&out.path().join(format!("{arch}/fn-py.zip")));
        assert!(output.status.success(), "{arch}: {}", stderr(&output));
    }
    let is_orjson = |name: &str| name.starts_with("orjson");
    let dir = tempfile::tempdir().unwrap();

    let mixed = dir.path().join("mixed.zip");
    let entries: Vec<_> = x86
        .iter()
        .filter(|(n, _)| !is_orjson(n))
        .chain(arm.iter().filter(|(n, _)| is_orjson(n)))
        .cloned()
        .collect();
    write_zip(&mixed, &entries);
    let output = verify(&mixed);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("the zip mixes wheels for two architectures, x86_64 (pydantic_core-")
            && text.contains(") and arm64 (orjson-3.11.3): the other architecture's compiled modules fail to import on Lambda"),
        "{text}"
    );

    let swapped = dir.path().join("swapped.zip");
    let module = |entries: &[(String, Vec<u8>)]| {
        entries
            .iter()
            .find(|(n, _)| is_orjson(n) && n.ends_with(".so"))
            .cloned()
            .unwrap()
    };
    let (x86_name, _) = module(&x86);
    let (_, arm_bytes) = module(&arm);
    let entries: Vec<_> = x86
        .iter()
        .map(|(n, b)| {
            if *n == x86_name {
                (n.clone(), arm_bytes.clone())
            } else {
                (n.clone(), b.clone())
            }
        })
        .collect();
    write_zip(&swapped, &entries);
    let output = verify(&swapped);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains(&format!("{x86_name}: an ELF for Aarch64 in `orjson-3.11.3`, whose wheel is tagged for x86_64: Python fails to import it on Lambda (ImportError)")),
        "{text}"
    );
}

/// Lambda's lifecycle, judged on today's date (2026-12-07 when this was written, or
/// `CARGO_POWERTOOLS_TODAY`): python3.10 is deprecated, so packaging warns with its dates and
/// succeeds; python3.9 past its block-update date (2027-03-03) is an error, naming the runtime, the
/// dates and the fix, unless `--allow-deprecated`; python3.13 gets no word.
#[test]
fn deprecated_runtimes_warn_and_blocked_ones_need_allow_deprecated() {
    if !require_tools(&["pip"]) {
        return;
    }
    let project = function_folder();
    std::fs::write(project.path().join("requirements.txt"), "six==1.17.0\n").unwrap();
    std::fs::write(
        project.path().join("main.py"),
        "import six\n\n\ndef handler(event, context):\n    return {}\n",
    )
    .unwrap();
    let package = |python: &str, today: &str, extra: &[&str]| {
        let mut args = vec!["--python-version", python, "--arch", "x86_64"];
        args.extend(extra);
        output_into_new_dir(
            powertools()
                .env("CARGO_POWERTOOLS_TODAY", today)
                .args(["package", "--python"])
                .arg(project.path())
                .args(["--handler", "main.handler", "--recipe", "pip"])
                .args(&args),
        )
    };
    let (_, output) = package("3.10", "2026-12-07", &["--message-format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    let warning = "`fn-py` runs on python3.10, which Lambda deprecated on 2026-10-31, creating functions blocked from 2026-11-30";
    assert!(text.contains(&format!("warning: {warning}")), "{text}");
    assert!(text.contains("help: move to python3.13"), "{text}");
    // The same warning, as `package --help` says, in the JSON stream.
    let json: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|l: &serde_json::Value| l["reason"] == "warning")
        .collect();
    assert_eq!(json.len(), 1, "{}", stdout(&output));
    assert!(
        json[0]["message"].as_str().unwrap().starts_with(warning),
        "{json:?}"
    );
    assert!(
        json[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("move to python3.13"),
        "{json:?}"
    );

    let (_, output) = package("3.13", "2026-12-07", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning:"), "{}", stderr(&output));

    let (out, output) = package("3.9", "2027-03-03", &[]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("error: python3.9 is past its block-update date (deprecated on 2025-12-15, creating functions blocked from 2027-02-01, updating them from 2027-03-03): Lambda refuses new code for `fn-py` (today is 2027-03-03)"),
        "{text}"
    );
    assert!(
        text.contains("help: move to python3.13 (set `runtime`, or `python` for a Python function), or pass `--allow-deprecated`"),
        "{text}"
    );
    assert!(!out.path().join("x86_64").exists(), "nothing written");

    let (out, output) = package("3.9", "2027-03-03", &["--allow-deprecated"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("warning: `fn-py` runs on python3.9, which Lambda deprecated on 2025-12-15"),
        "{}",
        stderr(&output)
    );
    assert!(out.path().join("x86_64/fn-py.zip").is_file());

    let (_, output) = package("3.13", "07/12/2026", &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("error: `CARGO_POWERTOOLS_TODAY=07/12/2026` is not a day (YYYY-MM-DD)"),
        "{}",
        stderr(&output)
    );
}

/// What `python` imports `module` from in the unpacked zip `dir`, by `-v`'s `code object from`
/// lines: the `.pyc` or the `.py` of each of its modules imported from `dir`.
fn code_objects_from(dir: &Path, python: &Path, code: &str) -> (String, Vec<String>) {
    let output = Command::new(python)
        .args(["-v", "-I", "-c", code])
        .current_dir(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{err}");
    let prefix = format!("# code object from '{}/", dir.display());
    let sources = err
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|l| l.trim_end_matches('\'').to_string())
        .collect();
    (stdout(&output).trim().to_string(), sources)
}

/// `bytecode = true`: every module of the zip has its `.pyc` for the runtime's CPython (3.11 here:
/// `cpython-311`), hash-based and unchecked, naming its source as Lambda sees it (`/var/task/...`);
/// the function runs from the unpacked zip importing every module from its `.pyc` and writing
/// nothing (Lambda's `/var/task` is read-only); a layer's name `/opt/python/...`; and the zips are
/// the same bytes when packaged again from another copy of the project. Without it, no `.pyc`.
#[test]
fn bytecode_true_zips_the_pyc_lambda_imports_and_rebuilds_byte_identical() {
    if !require_tools(&["uv", "unzip"]) {
        return;
    }
    let with_bytecode = |example: &ExampleCopy| {
        replace_in_file(
            &example.path().join("Cargo.toml"),
            "path = \"python/orders-py\"\n",
            "path = \"python/orders-py\"\nbytecode = true\n",
        );
        example.append_to_manifest(
            ".",
            "\n[workspace.metadata.powertools.python.orders-deps]\npath = \"python/orders-py\"\npython = \"3.11\"\nlayer = true\nbytecode = true\narchitectures = [\"x86_64\"]\n",
        );
    };
    let example = example_copy();
    with_bytecode(&example);
    let package = |example: &ExampleCopy| {
        packaged_into_new_dir(powertools().current_dir(example.path()).args([
            "package",
            "--bin",
            "orders-py",
            "--bin",
            "orders-deps",
        ]))
    };
    let out = package(&example);
    let python = interpreter("3.11");
    for arch in ["x86_64", "arm64"] {
        let zip = out.path().join(arch).join("orders-py.zip");
        let names = names(&zip);
        let sources: Vec<&String> = names.iter().filter(|n| n.ends_with(".py")).collect();
        for source in &sources {
            let (dir, file) = source.rsplit_once('/').unwrap_or(("", source));
            let dir = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let pyc = format!(
                "{dir}__pycache__/{}.cpython-311.pyc",
                &file[..file.len() - 3]
            );
            assert!(names.contains(&pyc), "{pyc} for {source} in {arch}");
        }
        let pycs: Vec<&String> = names.iter().filter(|n| n.ends_with(".pyc")).collect();
        assert_eq!(pycs.len(), sources.len(), "{pycs:?}");
        assert!(pycs.iter().all(|n| n.ends_with(".cpython-311.pyc")));
        // PEP 552 flags: hash-based (bit 0), not checked against the source (bit 1 clear).
        let header = zip_entry(&zip, "pydantic/__pycache__/main.cpython-311.pyc");
        assert_eq!(header[4..8], [1, 0, 0, 0], "{arch}");
    }
    for artifact in artifacts(out.path()) {
        let cpython = artifact["tools"]["cpython"].as_str().unwrap_or_default();
        assert!(cpython.starts_with("3.11."), "{artifact}");
    }

    // Lambda's view: the zip unpacked where nothing may be written, every module from its .pyc.
    let unpacked = unzip(&out.path().join("x86_64/orders-py.zip"));
    let before = snapshot(unpacked.path());
    let (printed, imported) = code_objects_from(
        unpacked.path(),
        &python,
        "import json, sys; sys.path.insert(0, '.'); import app; print(json.dumps(app.handler({'id': 'o-1', 'lines': [{'quantity': 3, 'unit_price_cents': 250}]}, None)))",
    );
    assert_eq!(printed, "{\"id\": \"o-1\", \"total_cents\": 750}");
    for module in [
        "__pycache__/app.cpython-311.pyc",
        "pydantic/__pycache__/main.cpython-311.pyc",
        "pydantic_core/__pycache__/__init__.cpython-311.pyc",
    ] {
        assert!(imported.contains(&module.to_string()), "{imported:?}");
    }
    let from_source: Vec<&String> = imported.iter().filter(|m| !m.ends_with(".pyc")).collect();
    assert!(
        from_source.is_empty(),
        "compiled at import: {from_source:?}"
    );
    assert_eq!(snapshot(unpacked.path()), before, "import wrote files");

    // The code objects name their source where Lambda has it (the import system puts the real
    // path in at import): /var/task for a function, /opt for a layer.
    let layer = unzip(&out.path().join("x86_64/orders-deps.zip"));
    for (dir, pyc, source) in [
        (
            unpacked.path(),
            "__pycache__/app.cpython-311.pyc",
            "/var/task/app.py",
        ),
        (
            layer.path(),
            "python/pydantic/__pycache__/main.cpython-311.pyc",
            "/opt/python/pydantic/main.py",
        ),
    ] {
        let code = format!(
            "import marshal; f = open({pyc:?}, 'rb'); f.read(16); print(marshal.load(f).co_filename)"
        );
        assert_eq!(code_objects_from(dir, &python, &code).0, source);
    }

    // Another copy of the project (another path), packaged again: the same bytes.
    let elsewhere = example_copy();
    with_bytecode(&elsewhere);
    assert_ne!(elsewhere.path(), example.path());
    let again = package(&elsewhere);
    assert_eq!(snapshot(again.path()), snapshot(out.path()));
}

/// The exclude line a size hint of `log` suggests: what follows "write `" up to "` in".
fn suggested_exclude(log: &str) -> String {
    let start = log
        .find("write `exclude = ")
        .unwrap_or_else(|| panic!("no hint in\n{log}"));
    let rest = &log[start + "write `".len()..];
    rest[..rest.find("` in ").unwrap()].to_string()
}

/// After packaging, a size line per zip naming its largest distributions; when what the runtime
/// already has is most of it (`aws-lambda-powertools[tracer]` brings botocore, 17 of its 19 MB),
/// a note with the `exclude` line that leaves it out, in the table it goes in. Written there, that
/// line gives a zip without them, a fraction of the size, and the next note is for Powertools
/// itself (its public layer).
#[test]
fn a_size_line_names_the_largest_distributions_and_a_hint_the_exclude_that_drops_botocore() {
    if !require_tools(&["uv"]) {
        return;
    }
    let project = uv_project(
        "3.12",
        &["aws-lambda-powertools[tracer]"],
        "    from aws_lambda_powertools import Tracer\n    return {\"tracer\": Tracer.__name__}",
    );
    let (out, output) = package_folder(project.path(), "uv", &["--arch", "x86_64"]);
    let log = succeeded(&output) + &stderr(&output);
    let size_line = log
        .lines()
        .find(|l| l.trim_start().starts_with("Size fn-py (x86_64): "))
        .unwrap_or_else(|| panic!("no size line in\n{log}"));
    assert!(size_line.contains(" MB zipped: botocore "), "{size_line}");
    assert!(size_line.contains("aws-lambda-powertools "), "{size_line}");
    let pyproject = project.path().join("pyproject.toml");
    assert!(
        log.contains(&format!(
            "help: to leave them out, write `exclude = [\"botocore\", \"jmespath\", \"python-dateutil\", \"six\", \"urllib3\"]` in `[tool.powertools]` of {} (their versions are then the runtime's or the layer's, not your lock's)\n",
            pyproject.display()
        )),
        "{log}"
    );
    assert!(log.contains("in the python3.12 runtime already"), "{log}");
    let before = std::fs::metadata(out.path().join("x86_64/fn-py.zip"))
        .unwrap()
        .len();

    let exclude = suggested_exclude(&log);
    let text = std::fs::read_to_string(&pyproject).unwrap();
    std::fs::write(
        &pyproject,
        format!("{text}\n[tool.powertools]\n{exclude}\n"),
    )
    .unwrap();
    let (out, output) = package_folder(project.path(), "uv", &["--arch", "x86_64"]);
    let log = succeeded(&output) + &stderr(&output);
    let zip = out.path().join("x86_64/fn-py.zip");
    let names = names(&zip);
    assert!(
        !names.iter().any(|n| n.starts_with("botocore")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("aws_lambda_powertools/"))
    );
    let after = std::fs::metadata(&zip).unwrap().len();
    assert!(after * 4 < before, "{after} bytes, from {before}");
    assert!(!log.contains("runtime already"), "{log}");
    assert!(
        log.contains("is in the public Powertools layer (AWSLambdaPowertoolsPythonV3-python312-x86_64, attach it to the function)"),
        "{log}"
    );
    assert_eq!(
        suggested_exclude(&log),
        "exclude = [\"aws-lambda-powertools\", \"botocore\", \"jmespath\", \"python-dateutil\", \"six\", \"urllib3\"]"
    );
}
