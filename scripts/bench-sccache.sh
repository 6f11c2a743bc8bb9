#!/usr/bin/env bash
# What a shared compiler cache saves: packages the example's `orders` function (x86_64) twice, each
# time in a fresh target directory at the same path (as two CI runners have), through sccache with a
# Redis backend (Debian's redis-server on loopback, started and stopped here), and prints each
# build's wall time, sccache's hits and misses, and the second build's time against the first.
# The same target path matters: sccache keys on absolute paths, so another path misses.
#
#   bash scripts/bench-sccache.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$root/.tools/env" ] || bash "$root/.ci/setup" >/dev/null
# shellcheck source=/dev/null
source "$root/.tools/env"
for tool in sccache redis-server redis-cli cargo-lambda; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not on PATH; run .ci/setup" >&2; exit 1; }
done
cargo build --quiet --release --manifest-path "$root/Cargo.toml"
if [ -n "${POWERTOOLS_BUILD_TOOLCHAIN:-}" ]; then export RUSTUP_TOOLCHAIN="$POWERTOOLS_BUILD_TOOLCHAIN"; fi
powertools_bin="$root/target/release/cargo-powertools"
work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port="$(free_port)"
export SCCACHE_SERVER_PORT="$(free_port)" SCCACHE_DIR="$work/sccache" SCCACHE_IDLE_TIMEOUT=0
export SCCACHE_REDIS_ENDPOINT="redis://127.0.0.1:$redis_port"
unset RUSTC_WRAPPER CARGO_TARGET_DIR SOURCE_DATE_EPOCH
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" >/dev/null &
redis_pid=$!
cleanup() { sccache --stop-server >/dev/null 2>&1 || true; kill "$redis_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
until redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done

cp -r "$root/examples/workspace" "$work/workspace"
rm -rf "$work/workspace/target"
sed -i 's/^\[workspace.metadata.powertools\]$/[workspace.metadata.powertools]\ncache = "sccache"/' \
  "$work/workspace/Cargo.toml"

counts() { # counts KEY: the sum of sccache's per-language counts for KEY
  sccache --show-stats --stats-format json |
    python3 -c "import json,sys; print(sum(json.load(sys.stdin)['stats']['$1']['counts'].values()))"
}
declare -a seconds
for round in 1 2; do
  rm -rf "$work/target"
  sccache --zero-stats >/dev/null
  start=$(date +%s.%N)
  (cd "$work/workspace" && CARGO_TARGET_DIR="$work/target" "$powertools_bin" powertools package \
    --locked --bin orders --arch x86_64 --out-dir "$work/out-$round" --message-format json >/dev/null)
  end=$(date +%s.%N)
  seconds[$round]=$(python3 -c "print(f'{$end - $start:.1f}')")
  printf 'build %s (fresh target dir): %6s s   sccache hits %s, misses %s\n' \
    "$round" "${seconds[$round]}" "$(counts cache_hits)" "$(counts cache_misses)"
done
python3 -c "print(f'second build / first build: {${seconds[2]} / ${seconds[1]}:.2f}')"
cmp -s "$work/out-1/x86_64/orders.zip" "$work/out-2/x86_64/orders.zip" &&
  echo "orders.zip is byte-identical through the cache"
