//! Shared set-up for the integration tests: a copy of the example workspace, the real tools on PATH
//! (cargo-lambda and zig from `.ci/setup`), one cargo target directory for every build so that each
//! dependency compiles once, and the example packaged once for all tests that only read its output.
use assert_cmd::Command;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory every test build shares.
pub fn shared_target_dir() -> PathBuf {
    repo_root().join("target").join("integration")
}

/// PATH with `.ci/setup`'s tools in front: its virtualenv (cargo-lambda, cargo-zigbuild, zig) and
/// its cargo root (cross).
pub fn path_with_tools() -> OsString {
    let mut dirs = vec![
        repo_root().join(".tools/venv/bin"),
        repo_root().join(".tools/cargo/bin"),
    ];
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
    // `.ci/setup` picks Debian's rustc (which has the arm64 std) where rustup cannot add the target.
    if let Some(toolchain) = std::env::var_os("POWERTOOLS_BUILD_TOOLCHAIN") {
        command.env("RUSTUP_TOOLCHAIN", toolchain);
    }
    command
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

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| e.file_name() != "target")
    {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
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

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
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

/// A directory holding a copy of the example's packaged output: "earlier artifacts" for error tests.
pub fn earlier_output() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(packaged_example().out.path(), dir.path());
    dir
}

pub fn read_manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
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

/// Runs `command` with `--out-dir` set to a copy of earlier output, checks the failure contract and
/// returns stderr.
pub fn fails_leaving_earlier_output(command: &mut Command) -> String {
    let out = earlier_output();
    let before = snapshot(out.path());
    let output = command.arg("--out-dir").arg(out.path()).output().unwrap();
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("error: "), "{stderr}");
    assert!(
        stderr.lines().count() < 40,
        "the error should fit on one screen:\n{stderr}"
    );
    assert_eq!(snapshot(out.path()), before, "the earlier output changed");
    stderr
}
