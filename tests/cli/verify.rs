//! `cargo powertools verify`: broken artifacts are reported with their fix, good ones pass, and
//! `--invoke` runs the example's functions (arm64 under qemu) against a Lambda Runtime API emulator.
use crate::support::*;
use std::io::Write;
use std::path::{Path, PathBuf};

fn verify() -> assert_cmd::Command {
    let mut command = powertools();
    command.arg("verify");
    command
}

/// Writes a zip whose entries are `(name, bytes, mode, made-by system)`.
fn craft_zip(path: &Path, entries: &[(&str, &[u8], u32, zip::System)]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes, mode, system) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .unix_permissions(*mode)
            .system(*system);
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

fn bootstrap_of(arch: &str) -> Vec<u8> {
    zip_entry(
        &packaged_example()
            .out
            .path()
            .join(format!("{arch}/greeter.zip")),
        "bootstrap",
    )
}

/// Runs `verify` and checks that it failed with each of `expected` in stderr.
fn reports(command: &mut assert_cmd::Command, expected: &[&str]) -> String {
    let output = command.output().unwrap();
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needle in expected {
        assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
    }
    stderr
}

const UNIX: zip::System = zip::System::Unix;

#[test]
fn the_example_artifacts_pass() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let out = packaged.out.path();
    let artifacts = read_manifest(out)["artifacts"].as_array().unwrap().len();
    assert!(
        artifacts >= 10,
        "the example's functions for both architectures"
    );
    let output = verify().arg(out.join("manifest.json")).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "Verified {artifacts} artifact(s): 0 error(s), 0 warning(s)"
        )),
        "{}",
        stderr(&output)
    );
    // `package` ran the same checks before writing: its output says so by not failing, and a bare
    // zip passes too, its architecture read from its bootstrap.
    let output = verify()
        .arg(out.join("arm64/greeter.zip"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn an_arm64_binary_in_an_x86_64_slot() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("greeter.zip");
    craft_zip(&zip, &[("bootstrap", &bootstrap_of("arm64"), 0o755, UNIX)]);
    reports(
        verify().args(["--arch", "x86_64"]).arg(&zip),
        &[
            &format!(
                "error[elf-arch-mismatch]: {}: bootstrap: an ELF for Aarch64 but the artifact is for x86_64: Lambda fails with `exec format error`",
                zip.display()
            ),
            "help: build it for x86_64 (`cargo powertools package --arch x86_64`), or deploy the function with Architectures = [\"arm64\"]",
        ],
    );
}

#[test]
fn a_binary_needing_a_newer_glibc_than_provided_al2() {
    // This test binary's own executable was linked against the build machine's glibc (2.36 on
    // Debian 12), far newer than Amazon Linux 2's 2.26.
    let host_binary = std::fs::read(env!("CARGO_BIN_EXE_cargo-powertools")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("tool.zip");
    craft_zip(&zip, &[("bootstrap", &host_binary, 0o755, UNIX)]);
    reports(
        verify().args(["--runtime", "provided.al2"]).arg(&zip),
        &[
            "bootstrap: needs GLIBC_2.",
            "but provided.al2 has glibc 2.26: it fails with \"version `GLIBC_2.",
            "help: deploy on provided.al2023 (glibc 2.34), build with a glibc-pinned target",
            "or build for musl",
        ],
    );
}

#[test]
fn a_bootstrap_without_its_execute_bit_or_zipped_off_unix() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("greeter.zip");
    craft_zip(&zip, &[("bootstrap", &bootstrap_of("x86_64"), 0o644, UNIX)]);
    reports(
        verify().arg(&zip),
        &[
            "bootstrap: not executable (mode 644): Lambda fails with `permission denied`",
            "help: `chmod 755` it before zipping",
        ],
    );
    craft_zip(
        &zip,
        &[(
            "bootstrap",
            &bootstrap_of("x86_64"),
            0o755,
            zip::System::Dos,
        )],
    );
    reports(
        verify().arg(&zip),
        &["bootstrap: the zip entry was not made on Unix"],
    );
    craft_zip(&zip, &[("main", &bootstrap_of("x86_64"), 0o755, UNIX)]);
    reports(
        verify().arg(&zip),
        &[
            "no `bootstrap` at the root of the zip",
            "help: name the function's executable `bootstrap`",
        ],
    );
}

/// Every finding names its check's stable code: `error[code]:` for people, `"code"` in JSON.
#[test]
fn a_finding_carries_its_code_in_human_and_json_output() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("app.zip");
    craft_zip(&zip, &[("bootstrap", b"#!/bin/sh\n", 0o644, UNIX)]);
    let human = reports(verify().arg(&zip), &["error[bootstrap-not-executable]: "]);
    assert_snapshot("finding_human", &human, &[(dir.path(), "[DIR]")]);
    let output = verify()
        .args(["--message-format", "json"])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_snapshot(
        "finding_json_stream",
        &stdout(&output),
        &[(dir.path(), "[DIR]")],
    );
}

#[test]
fn a_zip_with_parent_directory_names_or_duplicates() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("evil.zip");
    let bootstrap = bootstrap_of("x86_64");
    craft_zip(
        &zip,
        &[
            ("bootstrap", &bootstrap, 0o755, UNIX),
            ("../etc/cron.d/evil", b"* * * * * root true\n", 0o644, UNIX),
        ],
    );
    reports(
        verify().arg(&zip),
        &[
            "../etc/cron.d/evil: the entry's name is absolute or climbs out of the zip with `..`",
            "help: zip paths must be relative",
        ],
    );
}

#[test]
fn a_manifest_whose_hash_is_off() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let out = earlier_output();
    let manifest_path = out.path().join("manifest.json");
    let mut manifest = read_manifest(out.path());
    let artifact = &mut manifest["artifacts"][0];
    let path = artifact["path"].as_str().unwrap().to_string();
    artifact["sha256"] = serde_json::Value::String("0".repeat(64));
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    reports(
        verify().arg(&manifest_path),
        &[
            &format!(
                "`sha256` of {path} is {} in the manifest but",
                "0".repeat(64)
            ),
            "help: the zip or the manifest changed after packaging",
            &format!(
                "Verified {} artifact(s): 1 error(s), 0 warning(s)",
                manifest["artifacts"].as_array().unwrap().len()
            ),
        ],
    );
}

#[test]
fn without_arguments_it_checks_the_last_manifest_of_the_workspace() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let example = &packaged_example().workspace;
    // Only this test packages into the default place: <target-dir>/powertools.
    let output = powertools()
        .current_dir(example.path())
        .args(["package", "--locked", "--bin", "orders", "--arch", "x86_64"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        shared_target_dir()
            .join("powertools/x86_64/orders.zip")
            .is_file()
    );
    let output = verify().current_dir(example.path()).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Verified 1 artifact(s): 0 error(s), 0 warning(s)"),
        "{}",
        stderr(&output)
    );
}

fn assert_nothing_left_running(dir: &Path) {
    assert_eq!(
        processes_in(dir),
        Vec::<String>::new(),
        "verify left processes running"
    );
}

fn events() -> PathBuf {
    packaged_example().workspace.path().join("events")
}

#[test]
fn invoke_answers_for_the_example_functions_on_both_architectures() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static"]].concat()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let manifest = packaged_example().out.path().join("manifest.json");
    for (function, event, answer) in [
        ("greeter", "greeter.json", r#"{"message":"Hello, Ada!"}"#),
        ("orders", "orders.json", r#"{"id":"o-1","total_cents":750}"#),
    ] {
        let output = verify_invoke(tmp.path())
            .args(["--function", function, "--event"])
            .arg(events().join(event))
            .arg(&manifest)
            .output()
            .unwrap();
        let stderr = stderr(&output);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("Answered x86_64/{function}.zip in ")),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("ms (natively): {answer}")),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("Answered arm64/{function}.zip in ")),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("ms (under qemu-aarch64-static): {answer}")),
            "{stderr}"
        );
        assert_nothing_left_running(tmp.path());
    }
}

#[test]
fn invoke_reports_a_panicking_function_with_its_panic_text() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static"]].concat()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let zip = packaged_example().out.path().join("arm64/orders.zip");
    let output = verify_invoke(tmp.path())
        .arg("--event")
        .arg(events().join("orders-empty-line.json"))
        .arg(&zip)
        .output()
        .unwrap();
    // The function's own panic is shown (that is the point), so not `stderr()`, whose no-panic
    // check would take it for the tool's: the tool exits 1, not 101.
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the bootstrap exited"), "{stderr}");
    assert!(
        stderr.contains("order o-0 has a line with quantity 0"),
        "{stderr}"
    );
    assert_nothing_left_running(tmp.path());
}

#[test]
fn an_interrupted_invoke_stops_what_it_started() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let zip = packaged_example().out.path().join("x86_64/greeter.zip");
    // Interrupted as soon as the emulator it starts is running.
    interrupt_verify_invoke(
        tmp.path(),
        &["--timeout", "600"],
        &zip,
        |_| true,
        std::time::Duration::ZERO,
    );
    // The library returns the interruption instead of exiting, so its temporary files are removed.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with("powertools-invoke-"))
        .collect();
    assert_eq!(
        left,
        Vec::<std::ffi::OsString>::new(),
        "an interrupted verify left its work directory"
    );
}
