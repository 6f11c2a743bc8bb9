#!/usr/bin/env bash
# A SAM application packaged by this tool and by SAM, side by side in one run on this machine: the
# shopping-cart fixture (tests/fixtures/sam-shopping-cart: three Python functions, two of them on
# one CodeUri, and a layer with BuildMethod python3.12, all arm64; its Node function left out, as
# this tool skips it and `sam build` would need Node 22 and npm for it), packaged by
#   - `cargo-powertools package --sam-template template.yaml` (zips, manifest and template.yaml),
#   - `sam build` and `sam build --parallel` (no container: SAM runs pip for the arm64 wheels),
# cold (a fresh copy of the application, no earlier output) and warm (again, nothing changed:
# the tool's no-op, `sam build --cached --parallel`). pip's cache, which both use, is filled by one
# run of each first, not counted, so that the network is not measured. Prints seconds (median of
# BENCH_ROUNDS runs, default 1) and the ratios of this tool's time to SAM's.
#
#   bash scripts/bench-sam.sh            BENCH_ROUNDS=3 bash scripts/bench-sam.sh
#
# SAM is `.tools/deploy-venv/bin/sam` (`.ci/setup` installs it), or $SAM. Speed is never asserted in
# a test: this prints figures for docs/python-teams.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$root/.tools/env" ] || bash "$root/.ci/setup" >/dev/null
# shellcheck source=/dev/null
source "$root/.tools/env"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --quiet --release --manifest-path "$root/Cargo.toml"
powertools_bin="$target/release/cargo-powertools"
sam="${SAM:-$root/.tools/deploy-venv/bin/sam}"
rounds="${BENCH_ROUNDS:-1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset CARGO_TARGET_DIR SOURCE_DATE_EPOCH
export SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1
# `sam build` without a container needs a python3.12 on PATH for the runtime; a pyenv shim is not
# one unless 3.12 is selected, so link pyenv's 3.12 itself (and nothing else) in front.
if ! python3.12 --version >/dev/null 2>&1; then
  for found in "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.12*/bin/python3.12; do
    [ -x "$found" ] && python312="$found"
  done
  [ -n "${python312:-}" ] || { echo "sam build needs python3.12 on PATH" >&2; exit 1; }
  mkdir -p "$work/bin" && ln -s "$python312" "$work/bin/python3.12"
  export PATH="$work/bin:$PATH"
fi

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}' if $2 > 0 else '-')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.1f}')" "$@"; }

# A fresh copy of the application at $work/NAME, without its Node function.
app() { # NAME
  local dir="$work/$1"
  rm -rf "$dir"
  cp -r "$root/tests/fixtures/sam-shopping-cart" "$dir"
  python3 - "$dir/template.yaml" <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r"\n  OrderNotificationsFunction:\n.*?\n\n", "\n", text, flags=re.S)
open(path, "w").write(text)
EOF
  echo "$dir"
}

# Wall seconds of one command in DIR; its output goes to the log.
timed() { # DIR COMMAND...
  local dir="$1" start end
  shift
  start=$(now)
  if ! (cd "$dir" && "$@" >>"$work/log" 2>&1); then
    tail -30 "$work/log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
  end=$(now)
  secs "$start" "$end"
}

powertools() { "$powertools_bin" package --sam-template template.yaml; }
sam_build() { "$sam" build "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tools: $("$powertools_bin" --version), $("$sam" --version), $(python3 -m pip --version | cut -d' ' -f1-2), $(date -u +%Y-%m-%d)"

# Fill pip's cache (not counted).
timed "$(app warm-pip-1)" powertools >/dev/null
timed "$(app warm-pip-2)" sam_build >/dev/null

declare -a pc pw sc spc sw
for _ in $(seq "$rounds"); do
  dir=$(app powertools)
  pc+=("$(timed "$dir" powertools)")
  pw+=("$(timed "$dir" powertools)")
  sc+=("$(timed "$(app sam)" sam_build)")
  dir=$(app sam-parallel)
  spc+=("$(timed "$dir" sam_build --parallel)")
  sw+=("$(timed "$dir" sam_build --cached --parallel)")
done
p_cold=$(median "${pc[@]}")
p_warm=$(median "${pw[@]}")
s_cold=$(median "${sc[@]}")
sp_cold=$(median "${spc[@]}")
s_warm=$(median "${sw[@]}")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); median of $rounds run(s)"
printf '\n%-6s %18s %12s %22s %12s %10s\n' step cargo-powertools "sam build" "sam build --parallel" ratio "ratio par."
printf '%-6s %17ss %11ss %21ss %12s %10s\n' cold "$p_cold" "$s_cold" "$sp_cold" "$(ratio "$p_cold" "$s_cold")" "$(ratio "$p_cold" "$sp_cold")"
printf '%-6s %17ss %11s %21ss %12s %10s\n' warm "$p_warm" "-" "$s_warm" "-" "$(ratio "$p_warm" "$s_warm")"
echo "(warm: this tool's run again with nothing changed; SAM's: sam build --cached --parallel)"
