//! SAM templates read as they are (issue 21): a shopping-cart-shaped application (Globals, two
//! functions on one CodeUri, one with its own, a layer built with `BuildMethod: python3.12`, a
//! Node function, `!Ref`/`!GetAtt`/`!Sub` throughout) packaged with no Rust tool on PATH, and the
//! template written beside the zips: only its code locations changed, each naming a verified zip,
//! accepted by `sam validate --lint`.
use crate::python_teams::{RustFreePath, zip_names};
use crate::support::*;
use std::collections::BTreeMap;

/// A new copy of `tests/fixtures/sam-shopping-cart`.
fn shopping_cart() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &repo_root().join("tests/fixtures/sam-shopping-cart"),
        dir.path(),
    );
    dir
}

/// The value of each `CodeUri:` / `ContentUri:` line, by line number.
fn code_locations(text: &str) -> BTreeMap<usize, String> {
    text.lines()
        .enumerate()
        .filter_map(|(number, line)| {
            let trimmed = line.trim_start();
            ["CodeUri: ", "ContentUri: "]
                .iter()
                .find_map(|key| trimmed.strip_prefix(key))
                .map(|value| (number, value.trim_matches('"').to_string()))
        })
        .collect()
}

#[test]
fn a_sam_application_packages_as_it_is_and_its_template_names_the_verified_zips() {
    if !require_tools(&["sam"]) {
        return;
    }
    let app = shopping_cart();
    let path = RustFreePath::with(&["python3"]);
    let output = path.powertools(app.path(), &["package", "--sam-template", "template.yaml"]);
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    // One install for the folder two functions share; one for the other function, one for the layer.
    let installs: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("    Building "))
        .collect();
    assert_eq!(
        installs,
        [
            "    Building AddToCartFunction, ListCartFunction for arm64 (manylinux_2_5..manylinux_2_34_aarch64, Python 3.12, recipe pip (found requirements.txt))",
            "    Building ProductFunction for arm64 (manylinux_2_5..manylinux_2_34_aarch64, Python 3.12, recipe pip (found requirements.txt))",
            "    Building SharedLayer for arm64 (manylinux_2_5..manylinux_2_34_aarch64, Python 3.12, recipe pip (found requirements.txt))",
        ],
        "{log}"
    );
    assert_eq!(
        log.matches("Running `python3 -m pip install").count(),
        3,
        "{log}"
    );
    assert!(
        log.contains("    Skipping OrderNotificationsFunction (template): Runtime nodejs22.x: cargo-powertools packages Python functions from a SAM template"),
        "{log}"
    );

    let out = app.path().join("dist/powertools");
    let input = std::fs::read_to_string(app.path().join("template.yaml")).unwrap();
    let written = std::fs::read_to_string(out.join("template.yaml")).unwrap();
    // Everything but the code locations is the input's, byte for byte.
    let (before, after) = (code_locations(&input), code_locations(&written));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let changed: BTreeMap<usize, &str> = [
        ("AddToCartFunction", "arm64/AddToCartFunction.zip"),
        ("ListCartFunction", "arm64/ListCartFunction.zip"),
        ("ProductFunction", "arm64/ProductFunction.zip"),
        ("SharedLayer", "arm64/SharedLayer.zip"),
    ]
    .iter()
    .map(|(resource, zip)| {
        let line = input
            .lines()
            .position(|l| l == format!("  {resource}:"))
            .unwrap();
        let location = *before.keys().find(|&&n| n > line).unwrap();
        (location, *zip)
    })
    .collect();
    let input_lines: Vec<&str> = input.lines().collect();
    let written_lines: Vec<&str> = written.lines().collect();
    assert_eq!(input_lines.len(), written_lines.len());
    for (number, (was, is)) in input_lines.iter().zip(&written_lines).enumerate() {
        match changed.get(&number) {
            Some(zip) => {
                let key_end = was.find(": ").unwrap() + 2;
                assert_eq!(is, &format!("{}{zip}", &was[..key_end]), "line {number}");
            }
            None => assert_eq!(was, is, "line {number}"),
        }
    }
    assert_eq!(input.ends_with('\n'), written.ends_with('\n'));
    assert!(
        written.contains("CodeUri: notifications/"),
        "skipped: untouched"
    );
    for tag in [
        "!Ref SharedLayer",
        "!GetAtt AddToCartFunction.Arn",
        "!Sub \"https://",
    ] {
        assert!(written.contains(tag), "{tag}");
    }

    // Every code location names a zip of the manifest, and the manifest verifies.
    let manifest = read_manifest(&out);
    let paths: Vec<&str> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    for zip in changed.values() {
        assert!(paths.contains(zip), "{zip} in {paths:?}");
        assert!(out.join(zip).is_file(), "{zip}");
    }
    assert_eq!(manifest["template"]["path"], "template.yaml");
    for artifact in manifest["artifacts"].as_array().unwrap() {
        if artifact["kind"] == "function" {
            assert_eq!(
                artifact["layers"],
                serde_json::json!(["SharedLayer"]),
                "{artifact}"
            );
        }
    }
    let cart = zip_names(&out.join("arm64/AddToCartFunction.zip"));
    for name in ["add_to_cart.py", "list_cart.py", "requests/__init__.py"] {
        assert!(cart.contains(&name.to_string()), "{name} in {cart:?}");
    }
    assert_eq!(
        std::fs::read(out.join("arm64/AddToCartFunction.zip")).unwrap(),
        std::fs::read(out.join("arm64/ListCartFunction.zip")).unwrap(),
        "one folder, one install, the same files"
    );
    let layer = zip_names(&out.join("arm64/SharedLayer.zip"));
    assert!(layer.contains(&"python/aws_lambda_powertools/__init__.py".to_string()));
    assert!(layer.iter().all(|n| n.starts_with("python/")));
    let verified = path.powertools(app.path(), &["verify", "dist/powertools/manifest.json"]);
    assert!(
        verified.status.success()
            && stderr(&verified).contains("Verified 4 artifact(s): 0 error(s)"),
        "{}",
        stderr(&verified)
    );

    // sam's own linter accepts the written template.
    sam_lint_accepts(&out.join("template.yaml"), app.path());

    // With no Cargo.toml or powertools.toml, `package` finds template.yaml itself; the same
    // inputs give the same output, untouched.
    let again = path.powertools(app.path(), &["package"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("(unchanged)"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(out.join("template.yaml")).unwrap(),
        written
    );
}

/// Writes `template.yaml` into a copy of the shopping cart with `edit` applied; returns the
/// error `package` prints.
fn sam_failure(path: &RustFreePath, from: &str, to: &str) -> String {
    let app = shopping_cart();
    replace_in_file(&app.path().join("template.yaml"), from, to);
    let output = path.powertools(app.path(), &["package"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!app.path().join("dist").exists(), "nothing written");
    let text = stderr(&output).replace(&app.path().display().to_string(), "[APP]");
    let edit: Vec<&str> = to.lines().map(str::trim).collect();
    format!("$ cargo-powertools package  # {}\n{text}\n", edit.join(" "))
}

#[test]
fn bad_sam_templates_name_the_resource_and_the_fix() {
    let path = RustFreePath::with(&[]);
    let mut text = String::new();
    text += &sam_failure(&path, "CodeUri: \"product_service/\"", "CodeUri: ../");
    text += &sam_failure(
        &path,
        "Handler: list_cart.lambda_handler",
        "Handler: list_carts.lambda_handler",
    );
    text += &sam_failure(
        &path,
        "    Layers:\n      - !Ref SharedLayer",
        "    Layers:\n      - !Ref CommonLayer",
    );
    text += &sam_failure(
        &path,
        "CodeUri: cart_service/\n      Handler: add",
        "CodeUri: carts/\n      Handler: add",
    );
    assert_snapshot("sam_template_errors", &text, &[]);
}

#[test]
fn resources_this_tool_does_not_build_are_listed_as_skipped() {
    let path = RustFreePath::with(&[]);
    let app = shopping_cart();
    let template = app.path().join("template.yaml");
    let extra = r#"
  ImageFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
    Metadata:
      Dockerfile: Dockerfile
      DockerContext: ./image

  MakefileFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: cart_service/
      Handler: add_to_cart.lambda_handler
    Metadata:
      BuildMethod: makefile

"#;
    replace_in_file(
        &template,
        "\n  CartTable:",
        &format!("{extra}\n  CartTable:"),
    );
    // Fails at the first install (no python3 on this PATH), after the plan is printed.
    let output = path.powertools(app.path(), &["package"]);
    let log = stderr(&output);
    for line in [
        "Skipping ImageFunction (template): PackageType: Image is a container image, not a zip",
        "Skipping MakefileFunction (template): Metadata.BuildMethod makefile: built by its own Makefile",
        "Skipping OrderNotificationsFunction (template): Runtime nodejs22.x",
    ] {
        assert!(log.contains(line), "{line}\nin\n{log}");
    }
}

/// A Rust function as the AWS SAM docs declare one ("Building Rust Lambda functions with Cargo
/// Lambda in AWS SAM"): its crate's folder as CodeUri, `BuildMethod: rust-cargolambda` and the
/// binary. The crate is the example workspace's `hello` (as `cargo lambda new` writes it), in a
/// copy of the workspace, so it builds in the suite's target directory.
const RUST_FUNCTION: &str = r#"
  PriceFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: rust_app/functions/hello
      Handler: bootstrap
      Runtime: provided.al2023
      Layers: []
      Environment:
        Variables:
          PRICE_CURRENCY: EUR
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: hello
"#;

/// The shopping cart with the example workspace at `rust_app/` and `RUST_FUNCTION` in its template.
fn shopping_cart_with_rust() -> tempfile::TempDir {
    let app = shopping_cart();
    copy_tree(
        &repo_root().join("examples/workspace"),
        &app.path().join("rust_app"),
    );
    replace_in_file(
        &app.path().join("template.yaml"),
        "\n  CartTable:",
        &format!("{RUST_FUNCTION}\n  CartTable:"),
    );
    app
}

#[test]
fn a_rust_function_of_a_template_is_built_by_the_rust_path_beside_the_python_ones() {
    if !require_tools(&["sam", "cargo-lambda", "zig", "python3"]) {
        return;
    }
    let app = shopping_cart_with_rust();
    let log = succeeds(powertools().current_dir(app.path()).args([
        "package",
        "--sam-template",
        "template.yaml",
    ]));
    // Globals.Function's architecture, by cargo-lambda, for the binary the template names.
    assert!(
        log.contains(
            "    Building PriceFunction for arm64 (aarch64-unknown-linux-gnu, recipe cargo-lambda)"
        ),
        "{log}"
    );
    assert!(log.contains("--bin hello"), "{log}");
    let out = app.path().join("dist/powertools");
    let written = std::fs::read_to_string(out.join("template.yaml")).unwrap();
    assert!(
        written.contains("      CodeUri: arm64/PriceFunction.zip\n      Handler: bootstrap"),
        "{written}"
    );
    assert!(written.contains("      CodeUri: arm64/AddToCartFunction.zip\n"));
    let price = artifacts(&out)
        .into_iter()
        .find(|a| a["function"] == "PriceFunction")
        .unwrap();
    assert_eq!(price["language"], "rust");
    assert_eq!(price["runtime"], "provided.al2023");
    assert_eq!(price["package"], "hello");
    // Globals' literal variables and its own; TABLE_NAME (`!Ref CartTable`) is CloudFormation's.
    assert_eq!(
        price["environment"],
        serde_json::json!({"POWERTOOLS_LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": "shopping-cart", "PRICE_CURRENCY": "EUR"})
    );
    assert!(
        log.contains("Note PriceFunction: `verify --invoke` runs without TABLE_NAME, which an intrinsic function sets when CloudFormation deploys the template"),
        "{log}"
    );
    assert_eq!(
        zip_names(&out.join("arm64/PriceFunction.zip")),
        ["bootstrap"]
    );
    let verified = succeeds(
        powertools()
            .current_dir(app.path())
            .args(["verify", "dist/powertools/manifest.json"]),
    );
    assert!(
        verified.contains("Verified 5 artifact(s): 0 error(s)"),
        "{verified}"
    );
    sam_lint_accepts(&out.join("template.yaml"), app.path());
}

#[test]
fn bad_rust_functions_in_a_template_name_the_resource_and_the_fix() {
    if !require_tools(&["cargo"]) {
        return;
    }
    let mut text = String::new();
    let binary = "      BuildProperties:\n        Binary: hello\n";
    let edits: [&[(&str, &str)]; 5] = [
        &[("Binary: hello", "Binary: helo")],
        &[
            (
                "CodeUri: rust_app/functions/hello",
                "CodeUri: rust_app/tools/seed-data",
            ),
            ("Binary: hello", "Binary: seed-data"),
        ],
        &[(
            "CodeUri: rust_app/functions/hello",
            "CodeUri: rust_app/events",
        )],
        // The workspace's root: any member's function, so the binary must be named.
        &[
            ("CodeUri: rust_app/functions/hello", "CodeUri: rust_app"),
            (binary, ""),
        ],
        &[("Runtime: provided.al2023", "Runtime: python3.12")],
    ];
    for edit in edits {
        let app = shopping_cart_with_rust();
        for (from, to) in edit {
            replace_in_file(&app.path().join("template.yaml"), from, to);
        }
        let error = fails(powertools().current_dir(app.path()).arg("package"));
        assert!(!app.path().join("dist").exists(), "nothing written");
        let error = error.replace(&app.path().display().to_string(), "[APP]");
        let said: Vec<&str> = edit
            .iter()
            .map(|(_, to)| {
                if to.is_empty() {
                    "no Binary"
                } else {
                    to.trim()
                }
            })
            .collect();
        text += &format!(
            "$ cargo-powertools package  # {}\n{error}\n",
            said.join("; ")
        );
    }
    assert_snapshot("sam_template_rust_errors", &text, &[]);
}

#[test]
fn verify_invoke_runs_a_function_with_its_templates_literal_environment() {
    if !require_tools(&["cargo-lambda", "python3.11"]) {
        return;
    }
    let app = tempfile::tempdir().unwrap();
    std::fs::create_dir(app.path().join("env_app")).unwrap();
    std::fs::write(app.path().join("env_app/requirements.txt"), "").unwrap();
    std::fs::write(
        app.path().join("env_app/app.py"),
        "import os\n\n\ndef lambda_handler(event, context):\n    return [os.environ.get(k, '-') for k in ('GREETING', 'LEVEL', 'TABLE_NAME')]\n",
    )
    .unwrap();
    std::fs::write(
        app.path().join("template.yaml"),
        r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Environment:
      Variables:
        LEVEL: INFO
        GREETING: hello
Resources:
  EnvFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: env_app/
      Handler: app.lambda_handler
      Environment:
        Variables:
          GREETING: bonjour
          TABLE_NAME: !Ref Table
  Table:
    Type: AWS::Serverless::SimpleTable
"#,
    )
    .unwrap();
    let log = succeeds(powertools().current_dir(app.path()).arg("package"));
    assert!(
        log.contains("Note EnvFunction: `verify --invoke` runs without TABLE_NAME"),
        "{log}"
    );
    let out = app.path().join("dist/powertools");
    assert_eq!(
        artifacts(&out)[0]["environment"],
        serde_json::json!({"GREETING": "bonjour", "LEVEL": "INFO"})
    );
    let tmp = tempfile::tempdir().unwrap();
    let text = succeeds(verify_invoke(tmp.path()).arg(out.join("manifest.json")));
    assert!(text.contains(r#"["bonjour", "INFO", "-"]"#), "{text}");
}

/// `sam validate --lint` (the SAM CLI from `.ci/setup`'s deploy virtualenv) accepts `template`.
fn sam_lint_accepts(template: &std::path::Path, dir: &std::path::Path) {
    let lint = std::process::Command::new(tools_dir().join("deploy-venv/bin/sam"))
        .args(["validate", "--lint", "--template"])
        .arg(template)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("SAM_CLI_TELEMETRY", "0")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "sam validate --lint:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}
