//! The output contract, as reviewed snapshots (tests/cli/snapshots/): what the manifest says of one
//! function, and the JSON line stream of `verify`. Hashes, sizes, versions and paths are filtered
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
