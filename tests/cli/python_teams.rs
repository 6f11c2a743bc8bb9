//! Python teams without Rust (issue 21): a repository's Python functions and layers declared in a
//! powertools.toml and packaged with a PATH that holds no cargo or rustc at all (only links to the
//! tools each test needs, not /usr/bin, where Debian's cargo may sit); functions sharing one
//! folder installed once; and the errors of bad configurations, word for word.
use crate::support::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A folder holding links to exactly `programs` (python3 to the real interpreter, not a pyenv
/// shim, which needs a shell's tools), checked to hold no Rust tool: the only PATH of the tests.
pub struct RustFreePath {
    dir: tempfile::TempDir,
}

impl RustFreePath {
    pub fn with(programs: &[&str]) -> RustFreePath {
        let dir = tempfile::Builder::new()
            .prefix("powertools-path-")
            .tempdir()
            .unwrap();
        for program in programs {
            let found = if *program == "python3" {
                real_python3()
            } else {
                which::which_in(program, Some(path_with_tools()), ".")
                    .unwrap_or_else(|_| panic!("{program} is installed by .ci/setup"))
            };
            std::os::unix::fs::symlink(found, dir.path().join(program)).unwrap();
        }
        for rust_tool in ["cargo", "rustc", "rustup", "cargo-lambda"] {
            assert!(which::which_in(rust_tool, Some(dir.path()), ".").is_err());
        }
        RustFreePath { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `cargo-powertools ARGS` in `cwd` with only this folder on PATH.
    pub fn powertools(&self, cwd: &Path, args: &[&str]) -> Output {
        let output = Command::new(assert_cmd::cargo::cargo_bin("cargo-powertools"))
            .args(args)
            .current_dir(cwd)
            .env("PATH", self.path())
            .env_remove("CARGO")
            .env_remove("RUSTC")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert_no_panic(&output);
        output
    }
}

/// The interpreter `python3` runs here (through pyenv's shim, which only a full PATH can run).
fn real_python3() -> PathBuf {
    let output = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .env("PATH", path_with_tools())
        .output()
        .unwrap();
    PathBuf::from(succeeded(&output).trim())
}

/// A new repository holding copies of `tests/fixtures/python-teams` projects: (where, which).
pub fn python_repo(projects: &[(&str, &str)]) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    for (to, from) in projects {
        copy_tree(
            &repo_root().join("tests/fixtures/python-teams").join(from),
            &repo.path().join(to),
        );
    }
    repo
}

pub fn zip_names(zip: &Path) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

fn zip_mode(zip: &Path, name: &str) -> u32 {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let file = archive.by_name(name).unwrap();
    file.unix_mode().unwrap()
}

fn elf_machine(zip: &Path, name: &str) -> object::Architecture {
    use object::Object;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    object::File::parse(&*bytes).unwrap().architecture()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const TWO_FUNCTIONS_AND_A_LAYER: &str = r#"# The Python functions of this repository, for cargo-powertools.
[defaults]
python = "3.12"
architectures = ["x86_64", "arm64"]

[functions.products]
path = "services/products"
handler = "app.lambda_handler"

[functions.orders]
path = "services/orders"
handler = "app.lambda_handler"
layers = ["shared"]

[layers.shared]
path = "layers/shared"
"#;

/// The folders [`TWO_FUNCTIONS_AND_A_LAYER`] names: two functions and a layer.
fn two_functions_and_a_layer_repo() -> tempfile::TempDir {
    python_repo(&[
        ("services/products", "products"),
        ("services/orders", "orders"),
        ("layers/shared", "shared-layer"),
    ])
}

#[test]
fn a_powertools_toml_packages_two_functions_and_a_layer_for_both_architectures_without_rust() {
    if !require_tools(&["uv"]) {
        return;
    }
    let repo = two_functions_and_a_layer_repo();
    std::fs::write(
        repo.path().join("powertools.toml"),
        TWO_FUNCTIONS_AND_A_LAYER,
    )
    .unwrap();
    let path = RustFreePath::with(&["uv", "python3"]);
    // Found by walking up, as cargo finds Cargo.toml.
    let output = path.powertools(&repo.path().join("services/orders"), &["package"]);
    succeeded(&output);
    let log = stderr(&output);
    for line in [
        "Building products for x86_64 (manylinux_2_5..manylinux_2_34_x86_64, Python 3.12, recipe uv (found uv.lock))",
        "Building orders for arm64 (manylinux_2_5..manylinux_2_34_aarch64, Python 3.12, recipe pip (found requirements.txt))",
        "Building shared for arm64 (manylinux_2_5..manylinux_2_34_aarch64, Python 3.12, recipe pip (found requirements.txt))",
    ] {
        assert!(log.contains(line), "{line}\nin\n{log}");
    }

    let out = repo.path().join("dist/powertools");
    for (arch, machine) in [
        ("x86_64", object::Architecture::X86_64),
        ("arm64", object::Architecture::Aarch64),
    ] {
        assert_eq!(
            files_in(&out.join(arch)),
            ["orders.zip", "products.zip", "shared.zip"]
        );
        let products = out.join(arch).join("products.zip");
        let names = zip_names(&products);
        for name in [
            "app.py",
            "aws_lambda_powertools/__init__.py",
            "jmespath/__init__.py",
            "typing_extensions.py",
        ] {
            assert!(names.contains(&name.to_string()), "{name} in {names:?}");
        }
        // The project folder as `sam build` zips it (issue 22), but never a virtualenv or cache.
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with(".venv/") || n.contains("__pycache__"))
        );
        assert_eq!(zip_mode(&products, "app.py") & 0o777, 0o644);

        let orders = zip_names(&out.join(arch).join("orders.zip"));
        for name in [
            "app.py",
            "__init__.py",
            "requests/__init__.py",
            "urllib3/__init__.py",
        ] {
            assert!(orders.contains(&name.to_string()), "{name} in {orders:?}");
        }
        // The layer's distributions are the layer's: not in the function's zip.
        assert!(
            !orders.iter().any(|n| n.starts_with("pydantic")),
            "{orders:?}"
        );

        let shared = out.join(arch).join("shared.zip");
        let names = zip_names(&shared);
        assert!(names.iter().all(|n| n.starts_with("python/")), "{names:?}");
        assert!(names.contains(&"python/pydantic/__init__.py".to_string()));
        let core = names
            .iter()
            .find(|n| n.starts_with("python/pydantic_core/_pydantic_core.") && n.ends_with(".so"))
            .unwrap_or_else(|| panic!("pydantic-core's extension in {names:?}"));
        assert_eq!(elf_machine(&shared, core), machine, "{core} in {arch}");
    }

    let manifest = read_manifest(&out);
    let artifacts = manifest["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 6);
    for artifact in artifacts {
        assert_eq!(artifact["runtime"], "python3.12");
        let layers = artifact.get("layers").cloned().unwrap_or_default();
        match artifact["function"].as_str().unwrap() {
            "orders" => assert_eq!(layers, serde_json::json!(["shared"])),
            "shared" => assert_eq!(artifact["kind"], "layer"),
            _ => assert!(layers.is_null(), "{artifact}"),
        }
    }
    let verified = path.powertools(repo.path(), &["verify"]);
    assert!(
        stderr(&verified).contains("Verified 6 artifact(s): 0 error(s)"),
        "{}",
        stderr(&verified)
    );
    assert!(verified.status.success());

    the_python_cdk_app_deploys_the_zips_with_their_layers(&out);
}

/// examples/deploy/cdk-python synthesized (by aws-cdk-lib from PyPI) on the output of a
/// powertools.toml: each function's zip and the layers its manifest entry names, as they are.
fn the_python_cdk_app_deploys_the_zips_with_their_layers(out: &Path) {
    if !require_tools(&["aws-cdk-lib"]) {
        return;
    }
    let synthesized = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(tools_dir().join("deploy-venv/bin/python"))
        .arg("app.py")
        .current_dir(repo_root().join("examples/deploy/cdk-python"))
        .env("CDK_OUTDIR", synthesized.path())
        .env("POWERTOOLS_MANIFEST", out.join("manifest.json"))
        .env("POWERTOOLS_ARCH", "arm64")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let template: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            synthesized
                .path()
                .join("PowertoolsPythonExample.template.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let of_type = |kind: &str| -> Vec<(&String, &serde_json::Value)> {
        resources
            .iter()
            .filter(|(_, r)| r["Type"] == kind)
            .collect()
    };
    let layers = of_type("AWS::Lambda::LayerVersion");
    assert_eq!(layers.len(), 1, "the shared layer");
    let layer_ref = serde_json::json!([{ "Ref": layers[0].0 }]);
    let functions = of_type("AWS::Lambda::Function");
    assert_eq!(functions.len(), 2, "orders and products");
    for (id, function) in functions {
        let properties = &function["Properties"];
        assert_eq!(properties["Runtime"], "python3.12", "{id}");
        let from_manifest = read_manifest(out)["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["arch"] == "arm64" && id.starts_with(a["function"].as_str().unwrap()))
            .map(|a| a["handler"].clone());
        assert_eq!(Some(properties["Handler"].clone()), from_manifest, "{id}");
        assert_eq!(
            properties["Architectures"],
            serde_json::json!(["arm64"]),
            "{id}"
        );
        if id.starts_with("orders") {
            assert_eq!(properties["Layers"], layer_ref, "{id}");
        } else {
            assert!(properties.get("Layers").is_none(), "{id}: {properties}");
        }
    }
    // Each asset is the packaged zip itself, byte for byte.
    let assets: Vec<Vec<u8>> = std::fs::read_dir(synthesized.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(assets.len(), 3);
    for zip in ["orders", "products", "shared"] {
        let bytes = std::fs::read(out.join(format!("arm64/{zip}.zip"))).unwrap();
        assert!(
            assets.contains(&bytes),
            "arm64/{zip}.zip is an asset as it is"
        );
    }
}

#[test]
fn functions_sharing_one_folder_are_installed_once_per_architecture() {
    if !require_tools(&["uv"]) {
        return;
    }
    let repo = python_repo(&[("hello_world", "orders")]);
    std::fs::write(
        repo.path().join("hello_world/refunds.py"),
        "def lambda_handler(event, context):\n    return {\"statusCode\": 200}\n",
    )
    .unwrap();
    std::fs::write(
        repo.path().join("powertools.toml"),
        r#"[defaults]
python = "3.12"

[functions.orders]
path = "hello_world"
handler = "app.lambda_handler"

[functions.refunds]
path = "hello_world"
handler = "refunds.lambda_handler"
"#,
    )
    .unwrap();
    let path = RustFreePath::with(&["python3"]);
    let output = path.powertools(repo.path(), &["package"]);
    succeeded(&output);
    let log = stderr(&output);
    let installs = log
        .lines()
        .filter(|l| {
            l.trim_start()
                .starts_with("Running `python3 -m pip install")
        })
        .count();
    assert_eq!(installs, 2, "one install per architecture:\n{log}");
    for arch in ["x86_64", "arm64"] {
        assert!(
            log.contains(&format!("Building orders, refunds for {arch} (")),
            "{log}"
        );
        let out = repo.path().join("dist/powertools").join(arch);
        let orders = std::fs::read(out.join("orders.zip")).unwrap();
        let refunds = std::fs::read(out.join("refunds.zip")).unwrap();
        // One folder, one install: the same files, so the same bytes.
        assert_eq!(orders, refunds, "{arch}");
        let names = zip_names(&out.join("refunds.zip"));
        for name in ["app.py", "refunds.py", "requests/__init__.py"] {
            assert!(names.contains(&name.to_string()), "{name} in {names:?}");
        }
    }
    // Each function's handler is still checked on its own.
    std::fs::remove_file(repo.path().join("hello_world/refunds.py")).unwrap();
    let output = path.powertools(repo.path(), &["package"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no `refunds.py` for the handler `refunds.lambda_handler`"),
        "{}",
        stderr(&output)
    );
}

/// Runs `package` in `dir` (Rust-free) expecting failure; returns `$ package` and its stderr.
fn failure(path: &RustFreePath, dir: &Path, args: &[&str]) -> String {
    let output = path.powertools(dir, args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!dir.join("dist").exists(), "nothing written");
    format!(
        "$ cargo-powertools {}\n{}\n",
        args.join(" "),
        stderr(&output)
    )
}

#[test]
fn bad_python_configurations_say_the_file_the_table_the_key_and_the_fix() {
    let path = RustFreePath::with(&[]);
    let repo = python_repo(&[("services/orders", "orders")]);
    let config = repo.path().join("powertools.toml");
    let mut text = String::new();
    let mut case = |toml: &str, args: &[&str]| {
        std::fs::write(&config, toml).unwrap();
        text += &failure(&path, repo.path(), args);
    };
    let orders = "[functions.orders]\npath = \"services/orders\"\npython = \"3.12\"\n";
    case(
        &format!("{orders}handlr = \"app.lambda_handler\"\n"),
        &["package"],
    );
    case(
        &format!(
            "[defaults]\nruntime = \"python3.12\"\n{orders}handler = \"app.lambda_handler\"\n"
        ),
        &["package"],
    );
    case(
        "[function.orders]\npath = \"services/orders\"\n",
        &["package"],
    );
    case(
        "[functions.orders]\nhandler = \"app.lambda_handler\"\n",
        &["package"],
    );
    case(
        &format!("{orders}handler = \"app.lambda_handler\"\nlayers = [\"common\"]\n"),
        &["package"],
    );
    case(
        &format!("{orders}handler = \"app.lambda_handler\"\narchitectures = [\"graviton\"]\n"),
        &["package"],
    );
    case(
        "[functions.orders]\npath = \"services/orders\"\nhandler = \"app.lambda_handler\"\n",
        &["package"],
    );
    case(
        &format!("{orders}handler = \"app.lambda_handler\"\n"),
        &["package", "--config", "elsewhere/powertools.toml"],
    );
    // The same repository's Cargo.toml declaring Python functions too.
    std::fs::write(
        repo.path().join("Cargo.toml"),
        "[workspace]\n\n[workspace.metadata.powertools.python.orders]\npath = \"services/orders\"\nhandler = \"app.lambda_handler\"\n",
    )
    .unwrap();
    case(
        &format!("{orders}handler = \"app.lambda_handler\"\n"),
        &["package"],
    );
    std::fs::remove_file(repo.path().join("Cargo.toml")).unwrap();
    std::fs::remove_file(&config).unwrap();
    // A project's own `[tool.powertools]`.
    std::fs::write(
        repo.path().join("services/orders/pyproject.toml"),
        "[project]\nname = \"orders\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\n\n[tool.powertools]\nhandler = \"app.lambda_handler\"\nruntime = \"python3.12\"\n",
    )
    .unwrap();
    text += &failure(
        &path,
        repo.path(),
        &["package", "--python", "services/orders"],
    );
    assert_snapshot(
        "python_configuration_errors",
        &text,
        &[(repo.path(), "[REPO]")],
    );
}

#[test]
fn a_cargo_toml_python_table_takes_defaults_and_lists_python_keys() {
    if !require_tools(&["uv"]) {
        return;
    }
    let repo = python_repo(&[("services/orders", "orders")]);
    std::fs::write(
        repo.path().join("Cargo.toml"),
        "[workspace]\n\n[workspace.metadata.powertools]\narchitectures = [\"arm64\"]\n\n[workspace.metadata.powertools.defaults]\npython = \"3.12\"\n\n[workspace.metadata.powertools.python.orders]\npath = \"services/orders\"\nhandlr = \"app.lambda_handler\"\n",
    )
    .unwrap();
    let output = run(powertools().current_dir(repo.path()).arg("package"));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("help: edit `python.orders.handlr` in ")
            && err.contains("The keys of a Python table are: path, handler, python, architectures, recipe, include, exclude, allow-secrets, layers, bytecode, openapi, layer\n"),
        "{err}"
    );
    assert!(!err.contains("libc"), "{err}");

    replace_in_file(&repo.path().join("Cargo.toml"), "handlr", "handler");
    let out = packaged_into_new_dir(powertools().current_dir(repo.path()).arg("package"));
    // Workspace-level `architectures` and `[defaults]` python reach the Python table.
    let artifacts = artifacts(out.path());
    assert_eq!(artifacts.len(), 1, "{artifacts:?}");
    assert_eq!(artifacts[0]["arch"], "arm64");
    assert_eq!(artifacts[0]["runtime"], "python3.12");
    assert_eq!(artifacts[0]["recipe"], "pip");
}

#[test]
fn verify_invoke_puts_a_functions_layers_on_its_path_as_lambda_does() {
    if !require_tools(&["cargo-lambda", "uv", "python3.11"]) {
        return;
    }
    let repo = python_repo(&[
        ("services/orders", "orders"),
        ("layers/shared", "shared-layer"),
    ]);
    // pydantic comes from the layer only; Lambda finds it under /opt/python.
    std::fs::write(
        repo.path().join("services/orders/app.py"),
        "import pydantic\nimport requests\n\n\ndef lambda_handler(event, context):\n    return [pydantic.VERSION, requests.__version__]\n",
    )
    .unwrap();
    std::fs::write(
        repo.path().join("powertools.toml"),
        r#"[defaults]
python = "3.11"
architectures = ["x86_64"]

[functions.orders]
path = "services/orders"
handler = "app.lambda_handler"
layers = ["shared"]

[layers.shared]
path = "layers/shared"
"#,
    )
    .unwrap();
    succeeds(powertools().current_dir(repo.path()).arg("package"));
    let manifest = repo.path().join("dist/powertools/manifest.json");
    let tmp = tempfile::tempdir().unwrap();
    let text = succeeds(
        verify_invoke(tmp.path())
            .arg(&manifest)
            .args(["--function", "orders"]),
    );
    assert!(text.contains(r#"["2.10.6", "2.32.3"]"#), "{text}");

    // The same zip without its layer: what Lambda says when the layer is not attached.
    let text = fails(
        verify_invoke(tmp.path())
            .arg(repo.path().join("dist/powertools/x86_64/orders.zip"))
            .args(["--runtime", "python3.11", "--handler", "app.lambda_handler"]),
    );
    assert!(text.contains("No module named 'pydantic'"), "{text}");
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}

/// `bytecode = true` in `[defaults]`: each function and layer gets the `.pyc` of its modules for
/// its runtime's CPython (3.12 here, which only pyenv has: no `python3.12` on the PATH), and one
/// that says `bytecode = false` gets none.
#[test]
fn bytecode_from_defaults_compiles_with_the_runtimes_cpython_and_a_function_can_opt_out() {
    if !require_tools(&["uv", "pip"]) {
        return;
    }
    let repo = two_functions_and_a_layer_repo();
    std::fs::write(
        repo.path().join("powertools.toml"),
        TWO_FUNCTIONS_AND_A_LAYER
            .replace(
                "architectures = [\"x86_64\", \"arm64\"]",
                "architectures = [\"x86_64\"]\nbytecode = true",
            )
            .replace(
                "layers = [\"shared\"]",
                "layers = [\"shared\"]\nbytecode = false",
            ),
    )
    .unwrap();
    let path = RustFreePath::with(&["uv", "python3"]);
    assert!(which::which_in("python3.12", Some(path.path()), ".").is_err());
    succeeded(&path.powertools(repo.path(), &["package"]));
    let out = repo.path().join("dist/powertools/x86_64");
    let products = zip_names(&out.join("products.zip"));
    for name in [
        "__pycache__/app.cpython-312.pyc",
        "aws_lambda_powertools/__pycache__/__init__.cpython-312.pyc",
        "aws_lambda_powertools/logging/__pycache__/logger.cpython-312.pyc",
    ] {
        assert!(
            products.contains(&name.to_string()),
            "{name} in {products:?}"
        );
    }
    let shared = zip_names(&out.join("shared.zip"));
    assert!(
        shared.contains(&"python/pydantic/__pycache__/main.cpython-312.pyc".to_string()),
        "{shared:?}"
    );
    let orders = zip_names(&out.join("orders.zip"));
    assert!(
        !orders
            .iter()
            .any(|n| n.contains("__pycache__") || n.ends_with(".pyc")),
        "{orders:?}"
    );
    for artifact in read_manifest(&repo.path().join("dist/powertools"))["artifacts"]
        .as_array()
        .unwrap()
    {
        let cpython = &artifact["tools"]["cpython"];
        match artifact["function"].as_str().unwrap() {
            "orders" => assert!(cpython.is_null(), "{artifact}"),
            _ => assert!(cpython.as_str().unwrap().starts_with("3.12."), "{artifact}"),
        }
    }
}

/// `bytecode = true` where no CPython of the runtime's version runs (none on PATH, no pyenv or uv
/// Python in HOME): an error before anything is installed, naming the version and how to get it.
#[test]
fn bytecode_without_the_runtimes_cpython_names_the_version_to_install() {
    let repo = python_repo(&[("services/orders", "orders")]);
    std::fs::write(
        repo.path().join("powertools.toml"),
        "[defaults]\nbytecode = true\n\n[functions.orders]\npath = \"services/orders\"\npython = \"3.12\"\nhandler = \"app.lambda_handler\"\n",
    )
    .unwrap();
    let path = RustFreePath::with(&["python3"]);
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(assert_cmd::cargo::cargo_bin("cargo-powertools"))
        .arg("package")
        .current_dir(repo.path())
        .env("PATH", path.path())
        .env("HOME", home.path())
        .env_remove("PYENV_ROOT")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let config = repo.path().join("powertools.toml");
    assert_eq!(
        stderr(&output),
        format!(
            "error: `orders` has `bytecode = true`, and no CPython 3.12 runs on this machine to compile it for python3.12\n  help: install CPython 3.12 so that `python3.12` runs (`uv python install 3.12`, `pyenv install 3.12`, or your distribution's package): a .pyc is only imported by the Python version that wrote it; or set `bytecode = false` for `orders` in {}\n",
            config.display()
        )
    );
    assert!(!repo.path().join("dist").exists());
}
