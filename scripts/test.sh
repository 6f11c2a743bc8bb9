#!/usr/bin/env bash
# Sets up this machine (.ci/setup), then runs every check CI runs: formatting, clippy, all tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/.ci/setup"
# shellcheck source=/dev/null
source "$root/.tools/env"
cd "$root"
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# Every test runs here: a missing tool is a failure, never a skip (tests/cli/support.rs).
export POWERTOOLS_REQUIRE_TOOLS=1
cargo test --locked "$@"
