#!/usr/bin/env bash
# Builds what PyPI serves for `pip install cargo-powertools`: a source distribution, and from it
# release wheels for x86_64 and arm64 Linux tagged manylinux_2_17 (manylinux2014), linked by zig
# against glibc 2.17 (maturin --zig: no container). Then auditwheel checks each wheel: the tag it
# finds for the binary must be the wheel's own, or the script fails and says what it found.
#
#   bash scripts/build-wheels.sh OUT_DIR
#   bash scripts/build-wheels.sh --check WHEEL...    only the check, of wheels built elsewhere
#
# OUT_DIR gets cargo_powertools-VERSION.tar.gz and the two .whl files. The wheels are built from the
# unpacked sdist, as pip builds one from PyPI's, so a file missing from the sdist fails here.
#
# Needs maturin, zig (PyPI's `ziglang`) and auditwheel on PATH: `.ci/setup` installs them into
# .tools/venv, and .tools/env (sourced here when it exists) puts that on PATH. Needs the Rust standard
# library for both targets: `rustup target add aarch64-unknown-linux-gnu`, or where rustup cannot
# download it, the Debian toolchain `.ci/setup` links (POWERTOOLS_BUILD_TOOLCHAIN in .tools/env).
# Cargo's environment applies: CARGO_TARGET_DIR (default: this checkout's target/) and
# CARGO_PROFILE_RELEASE_* (the tests build with CARGO_PROFILE_RELEASE_OPT_LEVEL=0).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

usage() { echo "usage: scripts/build-wheels.sh OUT_DIR | --check WHEEL..." >&2; exit 2; }

if [ -f "$root/.tools/env" ]; then
  # shellcheck source=/dev/null
  source "$root/.tools/env"
fi

# Checks that WHEEL is tagged manylinux_2_17 for an architecture and that auditwheel, which reads the
# binary (its highest glibc symbol version, its machine), finds the same tag; prints the
# architecture. Fails, saying what auditwheel found, otherwise.
check_wheel() {
  local wheel="$1" name platforms tagged shown
  name="$(basename "$wheel")"
  # The platform tags: the last field of the name, dot-separated (manylinux2014_x86_64 is an alias).
  platforms="${name%.whl}"
  platforms=".${platforms##*-}."
  [[ "$platforms" =~ \.manylinux_2_17_([a-z0-9_]+)\. ]] || die "$name is not tagged manylinux_2_17"
  tagged="manylinux_2_17_${BASH_REMATCH[1]}"
  command -v auditwheel >/dev/null || die "auditwheel is not on PATH (.ci/setup installs it)"
  shown="$(auditwheel show "$wheel" 2>&1)" || die "auditwheel show $name failed:
$shown"
  # auditwheel wraps its sentences across lines.
  if ! tr -s ' \n' '  ' <<<"$shown" | grep -qF "consistent with the following platform tag: \"$tagged\""; then
    die "$name is tagged $tagged, but auditwheel finds otherwise:
$shown"
  fi
  log "$name: auditwheel agrees ($tagged)"
  echo "${tagged#manylinux_2_17_}"
}

if [ "${1:-}" = --check ]; then
  shift
  [ "$#" -gt 0 ] || usage
  for wheel in "$@"; do check_wheel "$wheel" >/dev/null; done
  exit 0
fi
[ "$#" -eq 1 ] || usage
mkdir -p "$1"
out="$(cd "$1" && pwd)"
if [ -n "${POWERTOOLS_BUILD_TOOLCHAIN:-}" ]; then export RUSTUP_TOOLCHAIN="$POWERTOOLS_BUILD_TOOLCHAIN"; fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

for tool in maturin auditwheel cargo rustc; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (.ci/setup installs it)"
done
if ! command -v zig >/dev/null && ! python3 -m ziglang version >/dev/null 2>&1; then
  die "zig is not on PATH and python3 has no ziglang module (pip install ziglang; .ci/setup does)"
fi

# Rust target -> the architecture in its manylinux tag.
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu)
declare -A arch=([x86_64-unknown-linux-gnu]=x86_64 [aarch64-unknown-linux-gnu]=aarch64)
for target in "${targets[@]}"; do
  libdir="$(rustc --print target-libdir --target "$target")"
  if ! compgen -G "$libdir/libstd-*" >/dev/null; then
    if [ -n "${POWERTOOLS_BUILD_TOOLCHAIN:-}" ]; then
      # .ci/setup's fallback: Debian's rustc, linked as a rustup toolchain.
      fix="apt-get install libstd-rust-web-dev:${arch[$target]/aarch64/arm64} (Debian's rustc-web)"
    else
      fix="rustup target add $target"
    fi
    die "the Rust toolchain ($(rustc --version)) has no standard library for $target: $fix"
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log "source distribution"
maturin sdist --manifest-path "$root/Cargo.toml" --out "$work/sdist"
sdist=("$work"/sdist/*.tar.gz)
[ "${#sdist[@]}" -eq 1 ] || die "maturin sdist wrote ${#sdist[@]} archives: ${sdist[*]}"
# Extracted files get the time of extraction (the archive holds one fixed time): cargo then sees
# sources newer than what it built into CARGO_TARGET_DIR before, and rebuilds the crate.
tar -xzmf "${sdist[0]}" -C "$work"
source_dir="$work/$(basename "${sdist[0]}" .tar.gz)"
[ -f "$source_dir/pyproject.toml" ] || die "${sdist[0]} has no pyproject.toml at its top"

for target in "${targets[@]}"; do
  log "wheel for $target (manylinux2014, zig)"
  maturin build --release --locked --zig --compatibility manylinux2014 --target "$target" \
    --manifest-path "$source_dir/Cargo.toml" --out "$work/wheels/$target"
  wheels=("$work/wheels/$target"/*.whl)
  [ "${#wheels[@]}" -eq 1 ] || die "maturin wrote ${#wheels[@]} wheels for $target: ${wheels[*]}"
  found="$(check_wheel "${wheels[0]}")"
  [ "$found" = "${arch[$target]}" ] || die "${wheels[0]##*/} is for $found, not ${arch[$target]}"
done

built=("${sdist[0]}" "$work"/wheels/*/*.whl)
mv "${built[@]}" "$out"/
log "built into $out: ${built[*]##*/}"
