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
    let lint = std::process::Command::new(tools_dir().join("deploy-venv/bin/sam"))
        .args(["validate", "--lint", "--template"])
        .arg(out.join("template.yaml"))
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("SAM_CLI_TELEMETRY", "0")
        .current_dir(app.path())
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "sam validate --lint:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

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

  RustFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./rust_app
      Handler: bootstrap
      Runtime: provided.al2023
    Metadata:
      BuildMethod: rust-cargolambda
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
        "Skipping RustFunction (template): Metadata.BuildMethod rust-cargolambda: a Rust function, packaged from its Cargo workspace (`cargo-powertools package` there), not from the template",
        "Skipping OrderNotificationsFunction (template): Runtime nodejs22.x",
    ] {
        assert!(log.contains(line), "{line}\nin\n{log}");
    }
}
