#!/usr/bin/env bash
# What building both architectures in one cargo run gains, for recipes whose tool takes `--target`
# more than once (cargo-zigbuild, cargo). For each N (default: 1 10) it generates the bench-scale
# workspace of N functions and, for each recipe, puts two copies of it in the workspace's
# `recipes/` folder and measures them side by side in one run, interleaved so that the machine's
# noise hits both alike:
#   - "one run":  `multi-target = true`, both targets in one cargo run,
#   - "per arch": without it, one cargo run per architecture (side by side while each has fewer
#                 binaries than cores, sharing the job tokens of `--jobs`; else one after the other),
# cold (fresh target directories), no-op, and after an edit of the shared crate; then whether the
# two arm64 zips of fn-001 have the same bytes. The ratio is one run / per arch: below 1.00, one
# run is the faster. The shipped recipes are multi-target where this showed a gain (cargo), not
# where it did not (cargo-zigbuild: see its comment).
#
#   bash scripts/bench-multi-target.sh [N...]        BENCH_RECIPES="cargo-zigbuild cargo" by default
set -euo pipefail
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/bench-workspace.sh
source "$root/scripts/bench-workspace.sh"
read -r -a recipes <<<"${BENCH_RECIPES:-cargo-zigbuild cargo}"

# package with RECIPE into a target directory; prints wall seconds.
run_package() { # DIR TARGET RECIPE
  local start end
  start=$(now)
  (cd "$1" && CARGO_TARGET_DIR="$2" "$powertools_bin" powertools package --message-format json --recipe "$3" --out-dir "$2/out" >/dev/null 2>>"$work/log")
  end=$(now)
  secs "$start" "$end"
}

printf '%s\n' "machine: $(machine_line)"
printf '%s\n' "tools: $(tools_line), cargo-zigbuild $(pip show cargo-zigbuild 2>/dev/null | awk '/^Version/ {print $2}')"
printf '\n%-4s %-15s %-22s %10s %10s %7s\n' N recipe step "one run" "per arch" ratio
for n in "${sizes[@]}"; do
  ws="$work/ws-$n"
  rm -rf "$ws"
  generate "$ws" "$n"
  mkdir -p "$ws/recipes"
  for recipe in "${recipes[@]}"; do
    # The same recipe twice, renamed (its first `name`, not its tools'): with `multi-target = true` (after `output`) and without.
    sed -e "0,/^name = \"$recipe\"/s//name = \"$recipe-per-arch\"/" -e '/^multi-target = /d' \
      "$root/recipes/$recipe.toml" >"$ws/recipes/$recipe-per-arch.toml"
    sed -e "0,/^name = \"$recipe-per-arch\"/s//name = \"$recipe-one-run\"/" -e '/^output = /a multi-target = true' \
      "$ws/recipes/$recipe-per-arch.toml" >"$ws/recipes/$recipe-one-run.toml"
    one="$work/target-one-$n-$recipe"; per="$work/target-per-$n-$recipe"
    rm -rf "$one" "$per"
    for step in "cold, both archs" "no-op" "edit of shared crate"; do
      [ "$step" != "edit of shared crate" ] || edit_shared "$ws" "$n-$recipe"
      a=$(run_package "$ws" "$one" "$recipe-one-run")
      b=$(run_package "$ws" "$per" "$recipe-per-arch")
      printf '%-4s %-15s %-22s %9ss %9ss %7s\n' "$n" "$recipe" "$step" "$a" "$b" "$(ratio "$a" "$b")"
    done
    cmp -s "$one/out/arm64/fn-001.zip" "$per/out/arm64/fn-001.zip" && same=same || same=different
    printf '%-4s %-15s %-22s %s\n' "$n" "$recipe" "arm64 zip of fn-001" "$same bytes"
    rm -rf "$one" "$per"
  done
done
