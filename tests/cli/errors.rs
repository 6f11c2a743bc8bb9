//! Bad input: each case exits with status 1, prints an error naming the cause and a `help:` with
//! the fix, and leaves the earlier zips and manifest in the output directory byte-for-byte as they were.
use crate::support::*;
use std::path::{Path, PathBuf};

fn assert_contains(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            haystack.contains(needle),
            "expected {needle:?} in:\n{haystack}"
        );
    }
}

#[test]
fn no_workspace() {
    let empty = tempfile::tempdir().unwrap();
    let stderr = fails_leaving_earlier_output(&mut package_in(empty.path()));
    assert_contains(
        &stderr,
        &[
            &format!(
                "error: could not find `Cargo.toml` in `{}` or any parent directory",
                empty.path().display()
            ),
            "help: run the command inside a Cargo workspace, or pass `--manifest-path path/to/Cargo.toml`",
        ],
    );
    assert_snapshot("no_workspace", &stderr, &[(empty.path(), "[EMPTY]")]);
    let missing = empty.path().join("nope/Cargo.toml");
    let stderr = fails_leaving_earlier_output(
        package_in(empty.path())
            .arg("--manifest-path")
            .arg(&missing),
    );
    assert_contains(
        &stderr,
        &[&format!(
            "error: the manifest `{}` does not exist",
            missing.display()
        )],
    );
    assert_snapshot(
        "no_manifest_at_manifest_path",
        &stderr,
        &[(empty.path(), "[EMPTY]")],
    );
}

#[test]
fn a_workspace_without_lambda_functions() {
    let example = example_copy();
    std::fs::write(
        example.path().join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"tools/seed-data\"]\n[workspace.package]\nedition = \"2024\"\npublish = false\n",
    )
    .unwrap();
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    assert_contains(
        &stderr,
        &[
            &format!(
                "error: no Lambda functions or extensions found in the workspace at {}",
                example.path().display()
            ),
            "depends on `lambda_runtime` or `lambda_http`",
            "seed-data (seed-data): not Lambda code",
        ],
    );
    assert_snapshot(
        "a_workspace_without_lambda_functions",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
}

#[test]
fn an_unknown_package_or_binary() {
    let example = example_copy();
    let stderr =
        fails_leaving_earlier_output(package_in(&example.path()).args(["--package", "payments"]));
    assert_contains(
        &stderr,
        &[
            "error: package `payments` is not a member of this workspace",
            "help: choose one of the workspace members: greeter, orders, hello, catalog, audit-log, seed-data",
        ],
    );
    assert_snapshot(
        "unknown_package",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
    let stderr =
        fails_leaving_earlier_output(package_in(&example.path()).args(["--bin", "payments"]));
    assert_contains(
        &stderr,
        &[
            "error: no Lambda function or extension is named `payments`",
            "help: choose one of: audit-log, catalog, greeter, hello, orders",
        ],
    );
    assert_snapshot("unknown_bin", &stderr, &[(&example.path(), "[WORKSPACE]")]);
    let stderr =
        fails_leaving_earlier_output(package_in(&example.path()).args(["--bin", "seed-data"]));
    assert_contains(
        &stderr,
        &["error: binary `seed-data` is not packaged: not Lambda code"],
    );
    assert_snapshot("skipped_bin", &stderr, &[(&example.path(), "[WORKSPACE]")]);
    let stderr =
        fails_leaving_earlier_output(package_in(&example.path()).args(["--package", "seed-data"]));
    assert_contains(
        &stderr,
        &["error: package `seed-data` has no Lambda functions or extensions"],
    );
    assert_snapshot(
        "not_a_lambda_package",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
}

#[test]
fn an_unknown_key_in_package_metadata() {
    let (example, stderr) = example_failing_with(
        "functions/orders",
        "\n[package.metadata.powertools]\narchitecture = [\"arm64\"]\n",
    );
    let manifest = example.path().join("functions/orders/Cargo.toml");
    assert_contains(
        &stderr,
        &[
            &format!(
                "error: invalid `[package.metadata.powertools]` in {}: `architecture`: unknown field `architecture`, expected one of",
                manifest.display()
            ),
            "help: edit `architecture` in",
            "architectures = [\"x86_64\", \"arm64\"]",
        ],
    );
    assert_snapshot(
        "unknown_key_in_package_metadata",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
}

#[test]
fn a_rust_binary_declared_a_layer() {
    let (example, stderr) = example_failing_with(
        "functions/orders",
        "\n[package.metadata.powertools.bin.orders]\nkind = \"layer\"\n",
    );
    let manifest = example.path().join("functions/orders/Cargo.toml");
    assert_contains(
        &stderr,
        &[
            &format!(
                "error: invalid `[package.metadata.powertools]` in {}: `bin.orders.kind`: unknown variant `layer`, expected `function` or `extension`",
                manifest.display()
            ),
            "help: edit `bin.orders.kind` in",
        ],
    );
    assert_snapshot(
        "rust_binary_declared_a_layer",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
}

#[test]
fn a_wrong_type_or_value_in_workspace_metadata() {
    let example = example_copy();
    let root_manifest = example.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&root_manifest).unwrap();
    std::fs::write(
        &root_manifest,
        text.replace(
            "architectures = [\"x86_64\", \"arm64\"]",
            "architectures = \"arm64\"",
        ),
    )
    .unwrap();
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    assert_contains(
        &stderr,
        &[&format!(
            "error: invalid `[workspace.metadata.powertools]` in {}: `architectures`: invalid type: string \"arm64\", expected a sequence",
            root_manifest.display()
        )],
    );
    assert_snapshot(
        "wrong_type_in_workspace_metadata",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
    std::fs::write(
        &root_manifest,
        text.replace(
            "runtime = \"provided.al2023\"",
            "runtime = \"provided.al3\"",
        ),
    )
    .unwrap();
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    assert_contains(
        &stderr,
        &[
            "`runtime`: unknown variant `provided.al3`, expected `provided.al2023` or `provided.al2`",
        ],
    );
    assert_snapshot(
        "unknown_runtime",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
}

#[test]
fn an_include_glob_escaping_the_workspace() {
    let example = example_copy();
    let secret = example.secret_outside();
    let greeter = example.path().join("functions/greeter");
    replace_in_file(
        &greeter.join("Cargo.toml"),
        "\"assets/*.txt\"",
        "\"assets/*.txt\", \"../../../secret.txt\"",
    );
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    assert_contains(
        &stderr,
        &[
            &format!(
                "error: `include` pattern `../../../secret.txt` in {} matches {}, which is outside the workspace",
                greeter.join("Cargo.toml").display(),
                secret.display()
            ),
            "help: include only files inside the workspace",
        ],
    );
    assert_snapshot(
        "include_escaping_the_workspace",
        &stderr,
        &[
            (&example.path(), "[WORKSPACE]"),
            (example.outer.path(), "[OUTSIDE]"),
        ],
    );

    // A symlink inside the package that points outside is refused too.
    replace_in_file(&greeter.join("Cargo.toml"), ", \"../../../secret.txt\"", "");
    std::os::unix::fs::symlink(&secret, greeter.join("assets/leak.txt")).unwrap();
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    assert_contains(
        &stderr,
        &[
            "error: `include` pattern `assets/*.txt`",
            "which is outside the workspace",
        ],
    );
    assert_snapshot(
        "include_symlink_escaping_the_workspace",
        &stderr,
        &[
            (&example.path(), "[WORKSPACE]"),
            (example.outer.path(), "[OUTSIDE]"),
        ],
    );
}

/// A directory holding only `cargo` and `rustc` (the rustup proxies): a PATH without cargo-lambda.
fn path_without_cargo_lambda() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for tool in ["cargo", "rustc", "rustup"] {
        let found = which::which(tool).unwrap();
        std::os::unix::fs::symlink(found, dir.path().join(tool)).unwrap();
    }
    dir
}

#[test]
fn cargo_lambda_missing() {
    let example = example_copy();
    let bin = path_without_cargo_lambda();
    let stderr = fails_leaving_earlier_output(package_in(&example.path()).env("PATH", bin.path()));
    assert_contains(
        &stderr,
        &[
            "error: recipe `cargo-lambda` needs cargo-lambda, which is not usable here: `cargo-lambda` is not on PATH",
            "help: install it with one of:",
            "pip install cargo-lambda",
            "cargo install --locked cargo-lambda",
        ],
    );
    assert_snapshot(
        "cargo_lambda_missing",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
}

/// A real Rust toolchain without the arm64 standard library, as a user has before
/// `rustup target add aarch64-unknown-linux-gnu`: the default toolchain's rustc and libraries
/// hard-linked (rustc finds its sysroot from where they are) with only the x86_64 std beside them.
fn toolchain_without_arm64_std() -> tempfile::TempDir {
    let sysroot = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .current_dir(repo_root())
        .output()
        .unwrap();
    let sysroot = PathBuf::from(String::from_utf8(sysroot.stdout).unwrap().trim());
    let dir = tempfile::tempdir_in(repo_root().join("target")).unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("lib/rustlib")).unwrap();
    let link = |from: &Path, to: &Path| {
        if std::fs::hard_link(from, to).is_err() {
            std::fs::copy(from, to).unwrap();
        }
    };
    link(&sysroot.join("bin/rustc"), &root.join("bin/rustc"));
    std::os::unix::fs::symlink(sysroot.join("bin/cargo"), root.join("bin/cargo")).unwrap();
    for entry in std::fs::read_dir(sysroot.join("lib")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            link(&entry.path(), &root.join("lib").join(entry.file_name()));
        }
    }
    std::os::unix::fs::symlink(
        sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu"),
        root.join("lib/rustlib/x86_64-unknown-linux-gnu"),
    )
    .unwrap();
    dir
}

#[test]
fn a_missing_target_std() {
    if !require_tools(&["cargo-lambda", "zig"]) {
        return;
    }
    let example = example_copy();
    let toolchain = toolchain_without_arm64_std();
    let mut dirs = vec![toolchain.path().join("bin")];
    dirs.extend(std::env::split_paths(&path_with_tools()));
    let path = std::env::join_paths(dirs).unwrap();
    let mut command = package_in(&example.path());
    // `cargo test` puts the toolchain's own lib directory on LD_LIBRARY_PATH, which would make the
    // linked rustc load the original driver and find the original sysroot.
    command
        .env("PATH", path)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("LD_LIBRARY_PATH");
    let stderr = fails_leaving_earlier_output(&mut command);
    assert_contains(
        &stderr,
        &[
            "error: the Rust standard library for aarch64-unknown-linux-gnu (arm64) is not installed",
            "help: run `rustup target add aarch64-unknown-linux-gnu`",
            "Debian: `apt-get install libstd-rust-dev:arm64`",
            "package only x86_64 with `--arch x86_64`",
        ],
    );
}

#[test]
fn a_compile_error_in_one_function() {
    if !require_tools(&["cargo-lambda", "zig"]) {
        return;
    }
    // A new member, not an edit of an existing one: the shared target directory identifies path
    // packages by their place in the workspace, so an edited copy of `orders` could count as fresh.
    let example = example_copy();
    let payments = example.path().join("functions/payments");
    std::fs::create_dir_all(payments.join("src")).unwrap();
    std::fs::write(
        payments.join("Cargo.toml"),
        "[package]\nname = \"payments\"\nversion = \"0.1.0\"\nedition = \"2024\"\n[dependencies]\nlambda_runtime = \"1\"\n",
    )
    .unwrap();
    std::fs::write(
        payments.join("src/main.rs"),
        "compile_error!(\"payments is broken on purpose\");\nfn main() {}\n",
    )
    .unwrap();
    replace_in_file(
        &example.path().join("Cargo.toml"),
        "\"tools/seed-data\"]",
        "\"tools/seed-data\", \"functions/payments\"]",
    );

    let mut command = powertools();
    command
        .current_dir(example.path())
        .args(["package", "--offline", "--arch", "x86_64"]);
    let stderr = fails_leaving_earlier_output(&mut command);
    assert_contains(
        &stderr,
        &[
            "error: building for x86_64-unknown-linux-gnu with recipe `cargo-lambda` failed",
            "payments is broken on purpose",
            "help: fix the error the build printed above",
        ],
    );
    // Not a terminal: the build's lines were printed as they came, and the error does not repeat them.
    assert_eq!(
        stderr
            .matches("error: payments is broken on purpose")
            .count(),
        1,
        "{stderr}"
    );
}

#[test]
fn an_invalid_source_date_epoch() {
    let example = example_copy();
    let stderr = fails_leaving_earlier_output(
        package_in(&example.path()).env("SOURCE_DATE_EPOCH", "last tuesday"),
    );
    assert_contains(
        &stderr,
        &[
            "error: `SOURCE_DATE_EPOCH=last tuesday` is not a time a zip can hold",
            "help: set SOURCE_DATE_EPOCH to whole seconds",
        ],
    );
    assert_snapshot(
        "invalid_source_date_epoch",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
}

#[test]
fn an_unknown_architecture_is_a_usage_error() {
    let example = example_copy();
    let output = run(powertools()
        .current_dir(example.path())
        .args(["package", "--arch", "arm"]));
    assert_eq!(output.status.code(), Some(2));
    assert_contains(
        &stderr(&output),
        &[
            "invalid value 'arm' for '--arch <ARCH>'",
            "[possible values: x86_64, arm64, all]",
        ],
    );
    assert_snapshot(
        "unknown_architecture",
        &stderr(&output),
        &[(&example.path(), "[WORKSPACE]")],
    );
}

/// Lambda's size limits: a warning past 50 MB zipped, an error past 250 MB unzipped.
#[test]
fn size_limits() {
    if !require_tools(&["cargo-lambda", "zig"]) {
        return;
    }
    let example = example_copy();
    let big = example.path().join("functions/greeter/big");
    std::fs::create_dir_all(&big).unwrap();
    let greeter_manifest = example.path().join("functions/greeter/Cargo.toml");
    replace_in_file(
        &greeter_manifest,
        "\"assets/*.txt\"",
        "\"assets/*.txt\", \"big\"",
    );

    // 51 MiB that deflate cannot shrink: a zip over the direct-upload limit.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..51 * 1024 * 1024 / 8)
        .flat_map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()
        })
        .collect();
    std::fs::write(big.join("noise.bin"), noise).unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = package_in(&example.path())
        .args(["--bin", "greeter", "--arch", "x86_64", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_contains(
        &stderr(&output),
        &[
            "warning[zip-over-upload-limit]: x86_64/greeter.zip: the zip is",
            "over the 52,428,800-byte (50 MB) limit for uploading a zip directly",
        ],
    );

    // Past 250 MB unzipped (a sparse file: it takes no disk) is an error, and the zip above stays.
    std::fs::File::create(big.join("sparse.bin"))
        .unwrap()
        .set_len(262_144_000)
        .unwrap();
    let before = snapshot(out.path());
    let output = package_in(&example.path())
        .args(["--bin", "greeter", "--arch", "x86_64", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_contains(
        &stderr(&output),
        &[
            "error: `greeter` for x86_64 unzips to",
            "over Lambda's 262,144,000-byte (250 MB) limit for unzipped code",
        ],
    );
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn an_unreadable_event_file_gets_help_about_the_event_not_the_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    // A Python function's zip passes the static checks without any tool; then the event is read.
    let zip = echo_function_zip(dir.path());
    // A directory where the event file should be: reading it fails.
    let output = verify_invoke_python(&zip, &["--event", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert_contains(
        &stderr,
        &[
            &format!(
                "error: could not read the event file {}",
                dir.path().display()
            ),
            "help: `--event` takes a JSON file: check its path and that it is readable",
        ],
    );
    assert!(!stderr.contains("--out-dir"), "{stderr}");
    assert_snapshot("unreadable_event_file", &stderr, &[(dir.path(), "[DIR]")]);
}

/// A zip holding `app.py` (a Python function that echoes its event), which passes the static
/// checks without any tool, so `verify --invoke` reaches its own checks of the options.
fn echo_function_zip(dir: &Path) -> PathBuf {
    let zip = dir.join("f.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    writer
        .start_file(
            "app.py",
            zip::write::SimpleFileOptions::default().unix_permissions(0o644),
        )
        .unwrap();
    std::io::Write::write_all(
        &mut writer,
        b"def handler(event, context):\n    return event\n",
    )
    .unwrap();
    writer.finish().unwrap();
    zip
}

fn verify_invoke_python(zip: &Path, args: &[&str]) -> std::process::Output {
    run(powertools()
        .args([
            "verify",
            "--runtime",
            "python3.11",
            "--handler",
            "app.handler",
        ])
        .args(["--invoke"])
        .args(args)
        .arg(zip))
}

#[test]
fn an_event_lambda_would_refuse_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let zip = echo_function_zip(dir.path());
    let event = dir.path().join("event.json");
    std::fs::write(&event, "{\"id\": 1,}").unwrap();
    let output = verify_invoke_python(&zip, &["--event", event.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_contains(
        &stderr(&output),
        &[
            &format!(
                "error: the event file {} is not JSON: trailing comma at line 1 column 10\n",
                event.display()
            ),
            "help: Lambda sends JSON events: fix the file (`python3 -m json.tool FILE` shows where), or pass another with `--event`",
        ],
    );

    // 8 MB of valid JSON: over Lambda's 6 MB payload limit.
    let large = format!("{{\"data\": \"{}\"}}", "x".repeat(8 * 1024 * 1024));
    std::fs::write(&event, &large).unwrap();
    let output = verify_invoke_python(&zip, &["--event", event.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_contains(
        &stderr(&output),
        &[
            &format!(
                "error: the event file {} holds {} bytes, over Lambda's 6,291,456-byte (6 MB) limit for an invocation's payload\n",
                event.display(),
                large.len()
            ),
            "help: Lambda refuses larger payloads (`RequestEntityTooLargeException`)",
        ],
    );
}

#[test]
fn a_function_name_that_matches_nothing_is_an_error_not_a_silent_success() {
    let dir = tempfile::tempdir().unwrap();
    let zip = echo_function_zip(dir.path());
    let output = verify_invoke_python(&zip, &["--function", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    assert_contains(
        &stderr(&output),
        &[
            "error: `--function nope` names no function of the artifacts checked (f)\n",
            "help: pass one of the names listed, or leave out `--function` to invoke every function",
        ],
    );
}

#[test]
fn invoke_options_out_of_range_or_without_their_partner_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let zip = echo_function_zip(dir.path());
    let output = verify_invoke_python(&zip, &["--timeout", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert_contains(
        &stderr(&output),
        &["error: invalid value '0' for '--timeout <SECONDS>': 0 is not in 1..=900"],
    );
    let output = verify_invoke_python(&zip, &["--max-regression", "5%"]);
    assert_eq!(output.status.code(), Some(2));
    assert_contains(
        &stderr(&output),
        &["error: the following required arguments were not provided:\n  --baseline <FILE>"],
    );
}

#[test]
fn an_invoke_that_runs_nothing_fails_unless_skipping_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    // A shell-script bootstrap: a valid custom runtime, but no ELF binary to run under the
    // emulator, so `--invoke` skips it.
    let zip = dir.path().join("script.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    writer
        .start_file(
            "bootstrap",
            zip::write::SimpleFileOptions::default().unix_permissions(0o755),
        )
        .unwrap();
    std::io::Write::write_all(&mut writer, b"#!/bin/sh\nexec ./handler\n").unwrap();
    writer.finish().unwrap();
    let output = run(powertools().args(["verify", "--invoke"]).arg(&zip));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_contains(
        &stderr(&output),
        &[
            &format!("Skipping {}: no ELF bootstrap to run", zip.display()),
            "error: `--invoke` ran no function: every one was skipped (see above)\n",
            "help: a CI smoke test should run something: install what the skipped lines name, or pass `--allow-skipped` if skipping is expected",
        ],
    );
    let output = run(powertools()
        .args(["verify", "--invoke", "--allow-skipped"])
        .arg(&zip));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
