# Shared by the bench-*.sh scripts that measure generated workspaces (sourced, with `root` set to
# the repository): sets up the tools, builds cargo-powertools (`$powertools_bin`), makes the work
# directory (`$work`: BENCH_WORK, else a temporary one removed at exit), and defines `generate DIR
# N` (a workspace of N functions: lambda_runtime, tokio, serde, and one shared library crate they
# all use, with the release profile `cargo powertools init` writes), `edit_shared DIR ROUND`, and
# the timing helpers `now`, `secs`, `ratio`, `machine_line` and `tools_line`.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$root/.tools/env" ] || bash "$root/.ci/setup" >/dev/null
# shellcheck source=/dev/null
source "$root/.tools/env"
cargo build --quiet --release --manifest-path "$root/Cargo.toml"
if [ -n "${POWERTOOLS_BUILD_TOOLCHAIN:-}" ]; then export RUSTUP_TOOLCHAIN="$POWERTOOLS_BUILD_TOOLCHAIN"; fi
powertools_bin="$root/target/release/cargo-powertools"
work="${BENCH_WORK:-$(mktemp -d)}"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
unset CARGO_TARGET_DIR SOURCE_DATE_EPOCH

generate() { # generate DIR N
  local dir="$1" n="$2" i name
  mkdir -p "$dir/shared/src"
  local members='"shared"'
  for i in $(seq -f '%03g' 1 "$n"); do members="$members, \"functions/fn-$i\""; done
  cat >"$dir/Cargo.toml" <<EOF
[workspace]
resolver = "3"
members = [$members]

[workspace.package]
edition = "2024"
publish = false

[workspace.dependencies]
lambda_runtime = "1.5.0"
serde = { version = "1.0.229", features = ["derive"] }
serde_json = "1.0.154"
tokio = { version = "1.54.1", features = ["macros", "rt"] }
shared = { path = "shared" }

[workspace.metadata.powertools]
architectures = ["x86_64", "arm64"]
runtime = "provided.al2023"

[profile.release]
strip = true
lto = true
codegen-units = 1
opt-level = "s"
panic = "abort"
EOF
  cat >"$dir/shared/Cargo.toml" <<'EOF'
[package]
name = "shared"
version = "0.1.0"
edition.workspace = true
publish.workspace = true

[dependencies]
serde.workspace = true
serde_json.workspace = true
EOF
  cat >"$dir/shared/src/lib.rs" <<'EOF'
//! What every function shares: the response shape and its greeting.
use serde::Serialize;

pub const GREETING: &str = "hello";

#[derive(Serialize)]
pub struct Reply {
    pub function: &'static str,
    pub message: String,
}

pub fn reply(function: &'static str, name: &str) -> serde_json::Value {
    serde_json::to_value(Reply { function, message: format!("{GREETING}, {name}") }).unwrap_or_default()
}
EOF
  for i in $(seq -f '%03g' 1 "$n"); do
    name="fn-$i"
    mkdir -p "$dir/functions/$name/src"
    cat >"$dir/functions/$name/Cargo.toml" <<EOF
[package]
name = "$name"
version = "0.1.0"
edition.workspace = true
publish.workspace = true

[dependencies]
lambda_runtime.workspace = true
serde.workspace = true
serde_json.workspace = true
tokio.workspace = true
shared.workspace = true
EOF
    cat >"$dir/functions/$name/src/main.rs" <<EOF
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde::Deserialize;

#[derive(Deserialize)]
struct Request {
    name: String,
}

async fn handler(event: LambdaEvent<Request>) -> Result<serde_json::Value, Error> {
    Ok(shared::reply("$name", &event.payload.name))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(handler)).await
}
EOF
  done
  # The example's lock file pins the shared dependencies; cargo adds the generated members.
  cp "$root/examples/workspace/Cargo.lock" "$dir/Cargo.lock"
  (cd "$dir" && cargo metadata --format-version 1 >/dev/null)
}


now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }
ratio() { if [ "$1" = "-" ]; then echo "-"; else python3 -c "print(f'{$1 / $2:.2f}' if $2 > 0 else '-')"; fi; }

edit_shared() { # DIR ROUND
  sed -i "s/^pub const GREETING: &str = .*/pub const GREETING: \&str = \"hello $2\";/" "$1/shared/src/lib.rs"
}

machine_line() {
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

tools_line() {
  echo "$("$powertools_bin" --version), $(cargo lambda --version 2>/dev/null | head -1), $(rustc --version)"
}
