//! Names and paths stay contained, and credentials stay out of zips: each bad input exits with
//! status 1, names the key (or file) and the fix, and leaves earlier output byte-identical.
use crate::support::*;
use assert_cmd::Command;
use std::path::Path;

fn package_in(dir: &Path) -> Command {
    let mut command = powertools();
    command.current_dir(dir).args(["package", "--locked"]);
    command
}

fn has_line(stderr: &str, line: &str) {
    assert!(
        stderr.lines().any(|l| l == line),
        "expected the line\n{line}\nin:\n{stderr}"
    );
}

const NAME_HELP: &str = "  help: rename it with only letters, digits, `-` and `_`, at most 64 characters (Lambda's own rule for function names)";

#[test]
fn a_python_function_name_that_is_a_path() {
    let example = example_copy();
    example.append_to_manifest(
        "",
        "\n[workspace.metadata.powertools.python.\"../../x\"]\npath = \"python/orders-py\"\npython = \"3.11\"\nhandler = \"app.handler\"\n",
    );
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    has_line(
        &stderr,
        &format!(
            "error: `[workspace.metadata.powertools.python.\"../../x\"]` in {} is `../../x`, which cannot name a Lambda artifact: only letters, digits, `-` and `_` are allowed, so that it stays one file name",
            example.path().join("Cargo.toml").display()
        ),
    );
    has_line(&stderr, NAME_HELP);
    assert!(!example.outer.path().join("x").exists());
}

#[test]
fn a_layer_name_longer_than_lambda_allows() {
    let example = example_copy();
    let long = "l".repeat(65);
    example.append_to_manifest(
        "",
        &format!("\n[workspace.metadata.powertools.python.{long}]\npath = \"python/orders-py\"\npython = \"3.11\"\nlayer = true\n"),
    );
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
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
    let example = example_copy();
    example.append_to_manifest(
        "functions/greeter",
        "\n[[bin]]\nname = \"greeter.v2\"\npath = \"src/main.rs\"\n",
    );
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
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
