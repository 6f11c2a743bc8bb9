#!/usr/bin/env bash
# How packaging cost grows with the number of functions. For each N (default: 1 10 50) it generates a
# workspace of N functions (lambda_runtime, tokio, serde, and one shared library crate they all use,
# with the release profile `cargo powertools init` writes) and measures, side by side in one run,
# interleaved so that the shared machine's noise hits both alike:
#   - a cold package of both architectures (fresh target directories),
#   - a no-op (nothing changed),
#   - a rebuild after an edit of the shared crate,
# for `cargo powertools package` (its architectures side by side, the default, and with
# `--sequential`) and for `cargo lambda build --output-format zip` run once per architecture; for the smallest N also one cold build per function per architecture (as SAM does),
# extrapolated to the other N with the formula printed. It prints the tool's own share (total_ms -
# build_ms of its `finished` line) and the size of one function's arm64 zip from each tool.
#
#   bash scripts/bench-scale.sh [N...]          e.g. bash scripts/bench-scale.sh 1 10
#
# Cold builds of N=50 take long on a small machine (about 50 LTO links per architecture): run the
# sizes you have time for. Figures are ratios of the two tools measured in the same run.
set -euo pipefail
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 50)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/bench-workspace.sh
source "$root/scripts/bench-workspace.sh"


# cargo powertools package, both architectures; prints "wall_s own_s".
run_powertools() { # DIR TARGET OUT [FLAG...]
  local start end line build total dir="$1" target="$2" out="$3"
  shift 3
  start=$(now)
  line=$(cd "$dir" && CARGO_TARGET_DIR="$target" "$powertools_bin" powertools package --message-format json --out-dir "$out" "$@" 2>>"$work/log" | tail -1)
  end=$(now)
  build=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['build_ms'])" "$line")
  total=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['total_ms'])" "$line")
  echo "$(secs "$start" "$end") $(python3 -c "print(f'{($total - $build) / 1000:.2f}')")"
}

# cargo lambda build --output-format zip, once per architecture; prints wall seconds.
run_cargo_lambda() { # DIR TARGET
  local start end
  start=$(now)
  for arch in --x86-64 --arm64; do
    (cd "$1" && CARGO_TARGET_DIR="$2" cargo lambda build --release "$arch" --output-format zip >>"$work/log" 2>&1)
  done
  end=$(now)
  secs "$start" "$end"
}

# One cold build per function per architecture, each in a fresh target directory (as SAM does).
run_per_function() { # DIR N
  local start end i arch t
  start=$(now)
  for i in $(seq -f '%03g' 1 "$2"); do
    for arch in --x86-64 --arm64; do
      t="$work/per-fn-target"
      rm -rf "$t"
      (cd "$1" && CARGO_TARGET_DIR="$t" cargo lambda build --release "$arch" --output-format zip --package "fn-$i" >>"$work/log" 2>&1)
    done
  done
  end=$(now)
  rm -rf "$work/per-fn-target"
  secs "$start" "$end"
}

printf '%s\n' "machine: $(machine_line)"
printf '%s\n' "tools: $(tools_line)"
printf '\n%-4s %-22s %10s %12s %13s %7s %9s %10s\n' N step powertools --sequential cargo-lambda ratio "seq ratio" "own share"
# --sequential too, up to N=$BENCH_SEQUENTIAL_MAX_N (default 10): it only shows what the side-by-side
# default gains, and a cold N=50 takes long. Sets q (wall seconds, or "-").
sequential() { # DIR TARGET OUT N
  if [ "$4" -le "${BENCH_SEQUENTIAL_MAX_N:-10}" ]; then
    read -r q _ < <(run_powertools "$1" "$2" "$3" --sequential)
  else
    q="-"
  fi
}
row() { # N STEP POWERTOOLS SEQUENTIAL CARGO_LAMBDA OWN
  local seq="$4"
  [ "$seq" = "-" ] || seq="${seq}s"
  printf '%-4s %-22s %9ss %12s %12ss %7s %9s %9ss\n' "$1" "$2" "$3" "$seq" "$5" "$(ratio "$3" "$5")" "$(ratio "$4" "$5")" "$6"
}
smallest="${sizes[0]}"
for n in "${sizes[@]}"; do [ "$n" -lt "$smallest" ] && smallest="$n"; done
per_function_one=""
for n in "${sizes[@]}"; do
  ws="$work/ws-$n"
  rm -rf "$ws"
  generate "$ws" "$n"
  tp="$work/target-pt-$n"; ts="$work/target-seq-$n"; tc="$work/target-cl-$n"
  out="$work/out-$n"; outs="$work/out-seq-$n"
  rm -rf "$tp" "$ts" "$tc" "$out" "$outs"
  # Cold, then no-op, then edit: each step runs the three back to back.
  read -r p own < <(run_powertools "$ws" "$tp" "$out")
  sequential "$ws" "$ts" "$outs" "$n"
  c=$(run_cargo_lambda "$ws" "$tc")
  cold="$p"
  row "$n" "cold, both archs" "$p" "$q" "$c" "$own"
  read -r p own < <(run_powertools "$ws" "$tp" "$out")
  sequential "$ws" "$ts" "$outs" "$n"
  c=$(run_cargo_lambda "$ws" "$tc")
  row "$n" "no-op" "$p" "$q" "$c" "$own"
  edit_shared "$ws" "$n"
  read -r p own < <(run_powertools "$ws" "$tp" "$out")
  sequential "$ws" "$ts" "$outs" "$n"
  c=$(run_cargo_lambda "$ws" "$tc")
  row "$n" "edit of shared crate" "$p" "$q" "$c" "$own"
  zp=$(stat -c %s "$out/arm64/fn-001.zip")
  zc=$(stat -c %s "$tc/lambda/fn-001/bootstrap.zip")
  printf '%-4s %-22s %9sB %11s  %12sB %7s\n' "$n" "arm64 zip of fn-001" "$zp" "" "$zc" "$(ratio "$zp" "$zc")"
  if [ "$n" = "$smallest" ]; then
    f=$(run_per_function "$ws" "$n")
    per_function_one=$(python3 -c "print($f / $n)")
    printf '%-4s %-22s %9ss %11s  %12ss %7s   (right: one cold build per function per arch)\n' "$n" "cold vs per-function" "$cold" "" "$f" "$(ratio "$cold" "$f")"
  fi
  rm -rf "$tp" "$ts" "$tc"
done
if [ -n "$per_function_one" ]; then
  printf '\nper-function builds extrapolated: T(N) = N x %.0f s (measured at N=%s: one cold build per function per architecture)\n' "$per_function_one" "$smallest"
  for n in "${sizes[@]}"; do
    printf '  N=%-3s %8.0f s\n' "$n" "$(python3 -c "print($n * $per_function_one)")"
  done
fi
