#!/usr/bin/env bash
# Sets up this machine (.ci/setup), then runs every check CI runs: formatting, clippy, all tests.
# Each phase says how long it took, so a slow run shows where its time went.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
timed() {
  local name="$1" start=$SECONDS
  shift
  "$@"
  printf '==> %s took %d s\n' "$name" "$((SECONDS - start))" >&2
}

# Setting up is mostly downloading (PyPI, npm, Debian); checking and compiling this crate needs none
# of those tools, so both go on side by side and the tests start once both are done.
bash .ci/setup &
setup=$!
trap 'kill "$setup" 2>/dev/null || true' EXIT
timed fmt cargo fmt --check
timed clippy cargo clippy --all-targets --locked -- -D warnings
timed "test build" cargo test --locked --no-run "$@"
timed "setup (waited for)" wait "$setup"
trap - EXIT
# shellcheck source=/dev/null
source "$root/.tools/env"

# The crate compiles, lint-free, for Windows and macOS (clippy checks; nothing is linked or run).
# It runs beside the tests, whose CPU is about a third idle (they wait on PyPI, emulators and each
# other's build locks); its output is printed when the tests are done.
cross_clippy() {
  local target
  for target in x86_64-pc-windows-msvc aarch64-apple-darwin; do
    if rustup target list --installed 2>/dev/null | grep -qx "$target"; then
      timed "clippy $target" cargo clippy --all-targets --locked --target "$target" -- -D warnings
    elif [ "${CI:-}" = true ]; then
      echo "error: the Rust standard library for $target is missing (rustup could not download it in .ci/setup); the Windows/macOS compile check cannot run" >&2
      return 1
    else
      echo "warning: skipped the compile check for $target: its standard library is missing (rustup target add $target)" >&2
    fi
  done
}
cross_log="$(mktemp)"
cross_clippy >"$cross_log" 2>&1 &
cross=$!
trap 'kill "$cross" 2>/dev/null || true; rm -f "$cross_log"' EXIT

# Every test runs here: a missing tool is a failure, never a skip (tests/cli/support.rs).
export POWERTOOLS_REQUIRE_TOOLS=1
# Most tests spend their time waiting (on a build another test holds the lock of, on PyPI, on an
# emulator), so more of them run at once than there are cores: with four, a clean run had three
# threads waiting on the example's one build while the cores were a third idle.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-6}"
timed tests cargo test --locked "$@"

cross_status=0
wait "$cross" || cross_status=$?
cat "$cross_log" >&2
if [ "$cross_status" != 0 ]; then
  echo "error: the Windows/macOS compile check failed (above)" >&2
  exit "$cross_status"
fi
printf '==> everything took %d s\n' "$SECONDS" >&2
