//! The output contract, as reviewed snapshots (tests/cli/snapshots/): what the manifest says of one
//! function, and the JSON line streams of `verify`, `merge`, `init` and of a usage error (every
//! message type has its line in src/snapshots/, from `message`'s unit test). Hashes, sizes, versions and paths are filtered
//! (see `support::assert_snapshot`); what is left is what CI and infrastructure tools read. Only
//! `greeter` is kept, so that adding a function to the example does not change these files.
use crate::support::*;

#[test]
fn the_manifest_entries_of_one_function() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let out = packaged.out.path();
    let mut manifest = read_manifest(out);
    let greeter: Vec<serde_json::Value> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["function"] == "greeter")
        .cloned()
        .collect();
    manifest["artifacts"] = greeter.into();
    let text = serde_json::to_string_pretty(&manifest).unwrap();
    assert_snapshot("example_manifest_greeter", &text, &[(out, "[OUT]")]);
}

#[test]
fn the_json_stream_of_verify() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let out = packaged.out.path();
    let output = run(powertools()
        .args(["verify", "--message-format", "json"])
        .arg(out.join("x86_64/greeter.zip"))
        .arg(out.join("arm64/greeter.zip")));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_snapshot("verify_json_stream", &stdout(&output), &[(out, "[OUT]")]);
}

#[test]
fn the_json_stream_of_merge_has_its_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("shard");
    // Its manifest names another generator: merge warns that its zips may differ.
    write_stand_in_output(&shard);
    let out = tmp.path().join("merged");
    let output = run(powertools()
        .args(["merge", "--message-format", "json", "--out-dir"])
        .arg(&out)
        .arg(&shard));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_snapshot(
        "merge_json_stream",
        &stdout(&output),
        &[(tmp.path(), "[DIR]")],
    );
    let warning = format!(
        "warning: {} was written by stand-in written by tests/cli/support.rs, this is cargo-powertools {}",
        shard.display(),
        env!("CARGO_PKG_VERSION")
    );
    assert!(stderr(&output).contains(&warning), "{}", stderr(&output));
}

#[test]
fn a_usage_error_with_json_messages_is_a_failed_finished_line_and_status_2() {
    let output = run(powertools().args(["merge", "--frob", "--message-format", "json"]));
    assert_eq!(output.status.code(), Some(2));
    assert_snapshot("usage_error_json_stream", &stdout(&output), &[]);
    assert!(
        stderr(&output).starts_with("error: unexpected argument '--frob' found"),
        "{}",
        stderr(&output)
    );
    // `--message-format=json` is the same; `--color always` colours the error as asked.
    let output = run(powertools().args([
        "merge",
        "--frob",
        "--message-format=json",
        "--color",
        "always",
    ]));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&output)).unwrap()["error"],
        "unexpected argument '--frob' found"
    );
    assert!(
        stderr(&output).starts_with("\u{1b}["),
        "{:?}",
        stderr(&output)
    );
    // Without JSON asked for, stdout stays empty.
    let output = run(powertools().args(["merge", "--frob"]));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
}

#[test]
fn the_json_stream_of_init() {
    let dir = empty_workspace();
    let output =
        run(powertools()
            .current_dir(dir.path())
            .args(["init", "--message-format", "json"]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_snapshot(
        "init_json_stream",
        &stdout(&output),
        &[(dir.path(), "[DIR]")],
    );
}

/// A workspace with no member, for `init` to write into.
fn empty_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[workspace]\nmembers = []\nresolver = \"2\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn quiet_verbose_and_color_work_as_cargos() {
    // `-q`: no status line and no warning on stderr; the JSON stream is the same.
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("shard");
    write_stand_in_output(&shard);
    let output = run(powertools()
        .args(["-q", "merge", "--message-format", "json", "--out-dir"])
        .arg(tmp.path().join("merged"))
        .arg(&shard));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let reasons: Vec<String> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["reason"].to_string())
        .collect();
    assert_eq!(
        reasons,
        [
            r#""warning""#,
            r#""artifact""#,
            r#""artifact""#,
            r#""finished""#
        ]
    );

    // After the subcommand too, as cargo takes them.
    let dir = empty_workspace();
    let output = run(powertools()
        .current_dir(dir.path())
        .args(["init", "--quiet"]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");

    // `--color always` colours stderr even in a pipe; by default a pipe gets plain text.
    let dir = empty_workspace();
    let output = run(powertools()
        .current_dir(dir.path())
        .args(["init", "--color", "always"]));
    assert!(
        stderr(&output).starts_with("\u{1b}[1m\u{1b}[32m     Updated\u{1b}[0m "),
        "{:?}",
        stderr(&output)
    );
    let output = run(powertools().current_dir(dir.path()).arg("init"));
    assert!(
        stderr(&output).starts_with("   Unchanged "),
        "{:?}",
        stderr(&output)
    );

    // `-q` and `-v` together are a usage error, as in cargo.
    let output = run(powertools().args(["-q", "-v", "recipes"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot be used with"),
        "{}",
        stderr(&output)
    );
}
