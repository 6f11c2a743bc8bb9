//! Names and paths stay contained, and credentials stay out of zips: each bad input exits with
//! status 1, names the key (or file) and the fix, and leaves earlier output byte-identical.
use crate::support::*;
use assert_cmd::Command;
use std::path::Path;

fn has_line(stderr: &str, line: &str) {
    assert!(
        stderr.lines().any(|l| l == line),
        "expected the line\n{line}\nin:\n{stderr}"
    );
}

const NAME_HELP: &str = "  help: rename it with only letters, digits, `-` and `_`, at most 64 characters (Lambda's own rule for function names)";

#[test]
fn a_python_function_name_that_is_a_path() {
    let (example, stderr) = example_failing_with(
        "",
        "\n[workspace.metadata.powertools.python.\"../../x\"]\npath = \"python/orders-py\"\npython = \"3.11\"\nhandler = \"app.handler\"\n",
    );
    has_line(
        &stderr,
        &format!(
            "error: `[workspace.metadata.powertools.python.\"../../x\"]` in {} is `../../x`, which cannot name a Lambda artifact: only letters, digits, `-` and `_` are allowed, so that it stays one file name",
            example.path().join("Cargo.toml").display()
        ),
    );
    has_line(&stderr, NAME_HELP);
    // Again with an out-dir deep in a fresh folder: wherever the name would lead (`x.zip` up the
    // tree from `<out-dir>/<arch>/`), nothing named `x` is written.
    let root = tempfile::tempdir().unwrap();
    let output = run(package_in(&example.path())
        .arg("--out-dir")
        .arg(root.path().join("a/b/c/out")));
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        crate::support::stderr(&output)
    );
    let escaped: Vec<_> = walkdir::WalkDir::new(root.path())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_name() == "x" || e.file_name() == "x.zip")
        .map(|e| e.into_path())
        .collect();
    assert!(escaped.is_empty(), "{escaped:?}");
}

#[test]
fn a_layer_name_longer_than_lambda_allows() {
    let long = "l".repeat(65);
    let (example, stderr) = example_failing_with(
        "",
        &format!(
            "\n[workspace.metadata.powertools.python.{long}]\npath = \"python/orders-py\"\npython = \"3.11\"\nlayer = true\n"
        ),
    );
    has_line(
        &stderr,
        &format!(
            "error: `[workspace.metadata.powertools.python.\"{long}\"]` in {} is `{long}`, which cannot name a Lambda artifact: it is longer than 64 characters",
            example.path().join("Cargo.toml").display()
        ),
    );
}

#[test]
fn a_rust_binary_name_with_a_dot() {
    let (example, stderr) = example_failing_with(
        "functions/greeter",
        "\n[[bin]]\nname = \"greeter.v2\"\npath = \"src/main.rs\"\n",
    );
    has_line(
        &stderr,
        &format!(
            "error: `[[bin]] name` of package `greeter` in {} is `greeter.v2`, which cannot name a Lambda artifact: only letters, digits, `-` and `_` are allowed, so that it stays one file name",
            example
                .path()
                .join("functions/greeter/Cargo.toml")
                .display()
        ),
    );
    has_line(&stderr, NAME_HELP);
}

/// Points greeter's `include` at its whole `assets` folder (plus `extra` TOML lines).
fn include_assets_folder(example: &ExampleCopy, extra: &str) {
    replace_in_file(
        &example.path().join("functions/greeter/Cargo.toml"),
        "include = [\"assets/*.txt\"]",
        &format!("include = [\"assets\"]\n{extra}"),
    );
}

#[test]
fn a_credential_in_an_include_folder_is_refused_naming_the_file() {
    let example = example_copy();
    include_assets_folder(&example, "");
    let assets = example.path().join("functions/greeter/assets");
    std::fs::write(assets.join(".env"), "DATABASE_PASSWORD=hunter2\n").unwrap();
    let manifest = example.path().join("functions/greeter/Cargo.toml");
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    has_line(
        &stderr,
        &format!(
            "error: `include` pattern `assets` in {} matches `assets/.env`, which looks like a credential (`.env*`): such files are never zipped unless `allow-secrets` names them",
            manifest.display()
        ),
    );
    has_line(
        &stderr,
        "  help: narrow the pattern or move the file so that it is left out; if the function really needs it, add `allow-secrets = [\"assets/.env\"]` next to `include` (each file by its path in the zip)",
    );
    // A private key is refused the same way, and allowing another file does not let it through.
    std::fs::remove_file(assets.join(".env")).unwrap();
    std::fs::create_dir_all(assets.join("keys")).unwrap();
    std::fs::write(
        assets.join("keys/id_ed25519"),
        "-----BEGIN OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    replace_in_file(
        &manifest,
        "include = [\"assets\"]\n",
        "include = [\"assets\"]\nallow-secrets = [\"assets/ca.pem\"]\n",
    );
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    has_line(
        &stderr,
        &format!(
            "error: `include` pattern `assets` in {} matches `assets/keys/id_ed25519`, which looks like a credential (`id_ed25519*`): such files are never zipped unless `allow-secrets` names them",
            manifest.display()
        ),
    );
}

#[test]
fn a_credential_named_in_allow_secrets_is_zipped() {
    if !require_tools(&["cargo-lambda", "zig"]) {
        return;
    }
    let example = example_copy();
    include_assets_folder(&example, "allow-secrets = [\"assets/ca.pem\"]");
    let assets = example.path().join("functions/greeter/assets");
    std::fs::write(assets.join("ca.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = run(package_in(&example.path())
        .args(["--bin", "greeter", "--arch", "x86_64", "--out-dir"])
        .arg(out.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        zip_entry(&out.path().join("x86_64/greeter.zip"), "assets/ca.pem"),
        b"-----BEGIN CERTIFICATE-----\n"
    );
}

/// Adds `include` (and `extra`) to the example's `orders-py`.
fn python_include(example: &ExampleCopy, include: &str, extra: &str) {
    replace_in_file(
        &example.path().join("Cargo.toml"),
        "handler = \"app.handler\"\n",
        &format!("handler = \"app.handler\"\ninclude = {include}\n{extra}"),
    );
}

fn package_orders_py(dir: &Path) -> Command {
    let mut command = package_in(dir);
    command.args(["--bin", "orders-py", "--arch", "x86_64"]);
    command
}

#[test]
fn a_python_include_outside_the_workspace_is_refused() {
    // Checked before anything is installed: no tool needed.
    let example = example_copy();
    let secret = example.secret_outside();
    python_include(&example, "[\"*.py\", \"../../../secret.txt\"]", "");
    let stderr = fails_leaving_earlier_output(&mut package_orders_py(&example.path()));
    has_line(
        &stderr,
        &format!(
            "error: `include` pattern `../../../secret.txt` in {} matches {}, which is outside the workspace {}",
            example.path().join("Cargo.toml").display(),
            secret.display(),
            example.path().canonicalize().unwrap().display()
        ),
    );
}

#[test]
fn a_credential_in_a_python_project_is_refused() {
    // Checked before anything is installed: no tool needed.
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    std::fs::create_dir_all(project.join("settings")).unwrap();
    std::fs::write(project.join("settings/defaults.json"), "{}").unwrap();
    std::fs::write(project.join("settings/.env.production"), "API_KEY=x\n").unwrap();
    python_include(&example, "[\"*.py\", \"settings\"]", "");
    let stderr = fails_leaving_earlier_output(&mut package_orders_py(&example.path()));
    has_line(
        &stderr,
        &format!(
            "error: `include` pattern `settings` in {} matches `settings/.env.production`, which looks like a credential (`.env*`): such files are never zipped unless `allow-secrets` names them",
            example.path().join("Cargo.toml").display()
        ),
    );
}

#[test]
fn a_symlinked_python_file_pointing_outside_the_workspace_is_refused() {
    // Checked before anything is installed: no tool needed.
    let example = example_copy();
    let outside = example.outer.path().join("secret.py");
    std::fs::write(&outside, "TOKEN = 'not for Lambda'\n").unwrap();
    let project = example.path().join("python/orders-py");
    std::os::unix::fs::symlink(&outside, project.join("leak.py")).unwrap();
    let stderr = fails_leaving_earlier_output(&mut package_orders_py(&example.path()));
    has_line(
        &stderr,
        &format!(
            "error: {} in the project folder of `orders-py` is a link to {}, which is outside {}",
            project.join("leak.py").display(),
            outside.canonicalize().unwrap().display(),
            example.path().canonicalize().unwrap().display()
        ),
    );
}

#[test]
fn a_link_loop_in_a_python_project_is_refused_not_followed() {
    // Checked before anything is installed: no tool needed.
    let example = example_copy();
    let project = example.path().join("python/orders-py");
    std::fs::create_dir(project.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", project.join("loop/up")).unwrap();
    let stderr = fails_leaving_earlier_output(&mut package_orders_py(&example.path()));
    has_line(
        &stderr,
        &format!(
            "error: {} in the project folder of `orders-py` is a link into a folder that holds it (a loop)",
            project.join("loop/up").display()
        ),
    );
    has_line(
        &stderr,
        "  help: remove the link: following it would zip the same files again and again",
    );
}
