#!/usr/bin/env bash
# Compares, side by side in one run, what a warm rebuild of the example's Rust functions costs with
# `cargo powertools package` (both architectures, reproducible zips, manifest, verify) against the
# scripted alternative it replaces: `cargo lambda build --output-format zip` once per architecture.
# Prints the median wall time of each over N rounds (default 5) and their ratio. Warm means the
# dependencies are compiled: what is measured is the per-run overhead, not compilation.
set -euo pipefail
rounds="${1:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/.ci/setup" >/dev/null
# shellcheck source=/dev/null
source "$root/.tools/env"
cargo build --quiet --release --manifest-path "$root/Cargo.toml"
if [ -n "${POWERTOOLS_BUILD_TOOLCHAIN:-}" ]; then export RUSTUP_TOOLCHAIN="$POWERTOOLS_BUILD_TOOLCHAIN"; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/examples/workspace" "$work/ws"
rm -rf "$work/ws/target"
cd "$work/ws"
rust_only=(--bin greeter --bin orders --bin audit-log)

powertools() { "$root/target/release/cargo-powertools" package --locked "${rust_only[@]}" --out-dir "$work/out" >/dev/null 2>&1; }
cargo_lambda() {
  for arch in --x86-64 --arm64; do
    cargo lambda build --release --locked "$arch" --output-format zip >/dev/null 2>&1
  done
}
# Warm both up (compiles dependencies once for each target).
powertools
cargo_lambda

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); python3 -c "print(f'{$end - $start:.2f}')"; }
: >"$work/p"; : >"$work/c"
for _ in $(seq "$rounds"); do
  time_of powertools >>"$work/p"
  time_of cargo_lambda >>"$work/c"
done
p=$(median <"$work/p"); c=$(median <"$work/c")
printf '%-58s %8s s\n' "cargo powertools package (x86_64 + arm64, verified)" "$p"
printf '%-58s %8s s\n' "cargo lambda build --output-format zip, twice" "$c"
printf '%-58s %8s\n' "ratio (powertools / cargo-lambda)" "$(python3 -c "print(f'{$p / $c:.2f}')")"
