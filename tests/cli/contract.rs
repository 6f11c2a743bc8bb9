//! The output contract, as reviewed snapshots (tests/cli/snapshots/): the manifest `package`
//! writes and the JSON line stream of `verify`. Hashes, sizes, versions and paths are filtered
//! (see `support::assert_snapshot`); what is left is what CI and infrastructure tools read.
use crate::support::*;

#[test]
fn the_manifest_of_the_example() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let out = packaged_example().out.path();
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert_snapshot("example_manifest", &text, &[(out, "[OUT]")]);
}

#[test]
fn the_json_stream_of_verify_on_the_example() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let out = packaged_example().out.path();
    let output = run(powertools()
        .args(["verify", "--message-format", "json"])
        .arg(out.join("manifest.json")));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_snapshot("verify_json_stream", &stdout(&output), &[(out, "[OUT]")]);
}
