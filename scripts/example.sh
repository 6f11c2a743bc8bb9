#!/usr/bin/env bash
# Installs only what packaging needs (.ci/setup example: the arm64 Rust standard library, cargo-lambda
# with zig, and uv), then packages the bundled example workspace for x86_64 and arm64.
# Output: examples/workspace/target/powertools/{x86_64,arm64}/*.zip and manifest.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/.ci/setup" example
# shellcheck source=/dev/null
source "$root/.tools/env"
cargo build --quiet --manifest-path "$root/Cargo.toml"
if [ -n "${POWERTOOLS_BUILD_TOOLCHAIN:-}" ]; then export RUSTUP_TOOLCHAIN="$POWERTOOLS_BUILD_TOOLCHAIN"; fi
cd "$root/examples/workspace"
exec "$root/target/debug/cargo-powertools" powertools package --locked "$@"
