#!/usr/bin/env bash
# Measures what each release-profile key that `cargo powertools init` writes does to a Lambda
# zip: the example's `greeter` is packaged for x86_64 with each profile (cargo-zigbuild, which adds
# no settings of its own) and the zip and unzipped sizes are printed beside cargo's defaults, as
# ratios. Numbers for docs/profile.md. Takes a few minutes: every variant is a full LTO build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/.ci/setup" >/dev/null
# shellcheck source=/dev/null
source "$root/.tools/env"
cargo build --quiet --manifest-path "$root/Cargo.toml"
if [ -n "${POWERTOOLS_BUILD_TOOLCHAIN:-}" ]; then export RUSTUP_TOOLCHAIN="$POWERTOOLS_BUILD_TOOLCHAIN"; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$root/target/bench-profile"

# name | strip | lto | codegen-units | opt-level | panic
variants=(
  "cargo defaults|none|false|16|3|unwind"
  "+ strip|symbols|false|16|3|unwind"
  "+ lto|symbols|true|16|3|unwind"
  "+ codegen-units = 1|symbols|true|1|3|unwind"
  "+ panic = abort|symbols|true|1|3|abort"
  "+ opt-level = s (init's profile)|symbols|true|1|s|abort"
  "  opt-level = z instead|symbols|true|1|z|abort"
)
base_zip=""
printf '%-34s %12s %8s %14s\n' "profile" "zip bytes" "ratio" "unzipped bytes"
for variant in "${variants[@]}"; do
  IFS='|' read -r name strip lto cgu opt panic <<<"$variant"
  out="$work/out"
  rm -rf "$out"
  CARGO_PROFILE_RELEASE_STRIP=$strip CARGO_PROFILE_RELEASE_LTO=$lto CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$cgu \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_PROFILE_RELEASE_PANIC=$panic \
    "$root/target/debug/cargo-powertools" package --manifest-path "$root/examples/workspace/Cargo.toml" \
      --recipe cargo-zigbuild --bin greeter --arch x86_64 --out-dir "$out" --message-format json >"$work/log" 2>&1
  read -r size unzipped < <(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["artifacts"][0]; print(a["size"], a["unzipped_size"])' "$out/manifest.json")
  [ -n "$base_zip" ] || base_zip=$size
  ratio=$(python3 -c "print(f'{$size/$base_zip:.2f}')")
  printf '%-34s %12s %8s %14s\n' "$name" "$size" "$ratio" "$unzipped"
done
