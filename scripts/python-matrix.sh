#!/usr/bin/env bash
# Compatibility matrix: packages widely used packages with compiled code for every Lambda Python
# runtime this machine has a CPython for, and both architectures, then prints a table
# (package x runtime x arch: ok / refused: reason / broken: reason).
#
# Each cell: `cargo powertools package --python <project> --recipe <recipe>` (which checks the
# closure and the handler, and refuses wheels the runtime's glibc cannot load), `cargo powertools
# verify` on its manifest (ELF machine and glibc of every .so), and for x86_64 an import of the
# package from the unzipped zip with the matching python3.X of this machine.
#
#   bash scripts/python-matrix.sh                       # the full table (slow: downloads)
#   bash scripts/python-matrix.sh --packages "orjson:orjson==3.11.3" --pythons "3.12" --recipe pip
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# module:requirement (the module the package is imported as, and the requirements line)
packages="numpy:numpy pandas:pandas pydantic:pydantic cryptography:cryptography orjson:orjson lxml:lxml psycopg:psycopg[binary] PIL:pillow regex:regex rpds:rpds-py grpc:grpcio"
pythons="3.9 3.10 3.11 3.12 3.13"
recipe="uv"
while [ $# -gt 0 ]; do
  case "$1" in
    --packages) packages="$2"; shift 2 ;;
    --pythons) pythons="$2"; shift 2 ;;
    --recipe) recipe="$2"; shift 2 ;;
    *) echo "usage: $0 [--packages 'module:requirement ...'] [--pythons '3.11 3.12'] [--recipe uv|pip]" >&2; exit 2 ;;
  esac
done
if [ -f "$root/.tools/env" ]; then
  # shellcheck source=/dev/null
  source "$root/.tools/env"
fi
bin="${POWERTOOLS_BIN:-$root/target/debug/cargo-powertools}"
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --quiet --locked)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The python3.X of this machine: on PATH, or a pyenv version (pyenv's shims answer only for the
# versions pyenv has selected).
interpreter() {
  local found
  if "python$1" -c '' 2> /dev/null; then
    echo "python$1"
    return
  fi
  for found in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/"python$1"; do
    if [ -x "$found" ]; then
      echo "$found"
      return
    fi
  done
}

# One cell's verdict for `$1` (requirement) `$2` (module) `$3` (python) `$4` (arch).
cell() {
  local requirement="$1" module="$2" python="$3" arch="$4"
  local project="$work/p-${module}-${python}-${arch}" out
  out="$project/out"
  mkdir -p "$project"
  printf '%s\n' "$requirement" > "$project/requirements.txt"
  printf '[project]\nname = "matrix"\nversion = "0"\nrequires-python = ">=%s"\ndependencies = ["%s"]\n' "$python" "$requirement" > "$project/pyproject.toml"
  printf 'import %s\n\ndef handler(event, context):\n    return {}\n' "$module" > "$project/main.py"
  # uv locks with an interpreter of the cell's version (a pyenv shim that does not answer would make
  # it try to download one).
  if [ "$recipe" = uv ] && ! (cd "$project" && uv lock --quiet --python "$(interpreter "$python")" 2> "$project/lock.err"); then
    echo "refused: $(grep -m1 -E 'Because|error' "$project/lock.err" | sed 's/^[^A-Za-z]*//' | cut -c1-140)"
    return
  fi
  if ! "$bin" powertools package --python "$project" --python-version "$python" --handler main.handler \
      --recipe "$recipe" --arch "$arch" --out-dir "$out" --message-format json > /dev/null 2> "$project/err"; then
    echo "refused: $(grep '^error' "$project/err" | tail -n1 | cut -c8-130)"
    return
  fi
  if ! "$bin" powertools verify "$out/manifest.json" > /dev/null 2> "$project/verify.err"; then
    echo "broken: $(grep -m1 -i 'error' "$project/verify.err" | cut -c1-120)"
    return
  fi
  local zip="$out/$arch/$(basename "$project").zip" version name="${requirement%%[^A-Za-z0-9._-]*}"
  version="$(python3 -c 'import sys, zipfile; names = {n.split("/")[0] for n in zipfile.ZipFile(sys.argv[1]).namelist()}; want = sys.argv[2].lower().replace("-", "_"); print(next((n[len(want) + 1:-len(".dist-info")] for n in names if n.lower().startswith(want + "-") and n.endswith(".dist-info")), "?"))' "$zip" "$name")"
  if [ "$arch" = x86_64 ]; then
    local python_bin
    python_bin="$(interpreter "$python")"
    if [ -z "$python_bin" ]; then
      echo "ok $version (not imported: no python$python here)"
      return
    fi
    mkdir -p "$project/run"
    (cd "$project/run" && python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(".")' "$zip")
    if ! (cd "$project/run" && PYTHONDONTWRITEBYTECODE=1 "$python_bin" -I -c "import sys; sys.path.insert(0, '.'); import main" 2> "$project/import.err"); then
      echo "broken: $(tail -n1 "$project/import.err" | cut -c1-120)"
      return
    fi
  fi
  echo "ok $version"
}

# A cell again after a network failure (the index answered with an error, or not at all): the
# table is about packages, not about this machine's connection.
cell_retried() {
  local verdict attempt
  for attempt in 1 2 3; do
    verdict="$(cell "$@")"
    case "$verdict" in
      *"Request failed"* | *"Failed to fetch"* | *"Connection"* | *"timed out"*) sleep $((attempt * 5)) ;;
      *) break ;;
    esac
    rm -rf "$work/p-$2-$3-$4"
  done
  echo "$verdict"
}

echo "| package | runtime | x86_64 | arm64 |"
echo "|---|---|---|---|"
for entry in $packages; do
  module="${entry%%:*}"
  requirement="${entry#*:}"
  for python in $pythons; do
    if [ -z "$(interpreter "$python")" ]; then
      continue
    fi
    x86="$(cell_retried "$requirement" "$module" "$python" x86_64)"
    arm="$(cell_retried "$requirement" "$module" "$python" arm64)"
    echo "| $requirement | python$python | $x86 | $arm |"
  done
done
