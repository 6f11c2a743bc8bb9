//! `cargo powertools package` on the example workspace: what it writes, and that it is reproducible.
use crate::support::*;
use object::Object;
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The example's Rust artifacts: (function, kind, arch).
const ARTIFACTS: [(&str, &str, &str); 10] = [
    ("audit-log", "extension", "arm64"),
    ("audit-log", "extension", "x86_64"),
    ("catalog", "function", "arm64"),
    ("catalog", "function", "x86_64"),
    ("greeter", "function", "arm64"),
    ("greeter", "function", "x86_64"),
    ("hello", "function", "arm64"),
    ("hello", "function", "x86_64"),
    ("orders", "function", "arm64"),
    ("orders", "function", "x86_64"),
];

/// The example's Python function, packaged beside them.
const PYTHON_ARTIFACTS: [(&str, &str, &str); 4] = [
    ("orders-py", "function", "arm64"),
    ("orders-py", "function", "x86_64"),
    ("reviews-py", "function", "arm64"),
    ("reviews-py", "function", "x86_64"),
];

#[test]
fn the_manifest_lists_every_function_and_extension_for_both_architectures_and_not_the_tool() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let manifest = read_manifest(packaged.out.path());
    assert_eq!(manifest["version"], 1);
    let listed: BTreeSet<(String, String, String)> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["function"].as_str().unwrap().into(),
                a["kind"].as_str().unwrap().into(),
                a["arch"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = ARTIFACTS
        .iter()
        .chain(&PYTHON_ARTIFACTS)
        .map(|(f, k, a)| (f.to_string(), k.to_string(), a.to_string()))
        .collect();
    assert_eq!(listed, expected);
    for artifact in manifest["artifacts"].as_array().unwrap() {
        let arch = artifact["arch"].as_str().unwrap();
        let function = artifact["function"].as_str().unwrap();
        assert_eq!(artifact["path"], format!("{arch}/{function}.zip"));
        if artifact["language"] == "python" {
            let cpu = if arch == "arm64" { "aarch64" } else { "x86_64" };
            assert_eq!(artifact["recipe"], "uv");
            assert_eq!(artifact["runtime"], "python3.11");
            assert_eq!(artifact["handler"], "app.handler");
            assert_eq!(
                artifact["target"],
                format!("manylinux_2_5..manylinux_2_26_{cpu}")
            );
            continue;
        }
        assert_eq!(artifact["language"], "rust");
        assert!(artifact.get("handler").is_none());
        assert_eq!(artifact["recipe"], "cargo-lambda");
        assert_eq!(artifact["runtime"], "provided.al2023");
        let triple = if arch == "arm64" {
            "aarch64-unknown-linux-gnu"
        } else {
            "x86_64-unknown-linux-gnu"
        };
        assert_eq!(artifact["target"], triple);
    }
    let stderr = stderr(&packaged.output);
    assert!(
        stderr.contains("Skipping seed-data (seed-data): not Lambda code"),
        "{stderr}"
    );
}

#[test]
fn sizes_and_hashes_in_the_manifest_are_those_of_the_files() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    for artifact in read_manifest(packaged.out.path())["artifacts"]
        .as_array()
        .unwrap()
    {
        let zip = packaged.out.path().join(artifact["path"].as_str().unwrap());
        let bytes = std::fs::read(&zip).unwrap();
        let digest = sha2::Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let base64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest);
        assert_eq!(artifact["sha256"], hex);
        assert_eq!(
            artifact["code_sha256"],
            base64,
            "CodeSha256 of {}",
            zip.display()
        );
        assert_eq!(artifact["size"], bytes.len() as u64);
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let unzipped: u64 = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().size())
            .sum();
        assert_eq!(artifact["unzipped_size"], unzipped);
    }
}

/// (name, mode, made-by system) of every entry, in archive order.
fn entries(zip: &Path) -> Vec<(String, u32, zip::System)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let file = archive.by_index(i).unwrap();
            assert_eq!(
                file.compression(),
                zip::CompressionMethod::Deflated,
                "{}",
                zip.display()
            );
            assert!(
                file.extra_data().unwrap_or_default().is_empty(),
                "extra fields in {}",
                zip.display()
            );
            (
                file.name().unwrap().to_string(),
                file.unix_mode().unwrap(),
                file.system(),
            )
        })
        .collect()
}

#[test]
fn zips_hold_bootstrap_or_extensions_with_fixed_modes_made_by_unix() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let out = packaged.out.path();
    const UNIX: zip::System = zip::System::Unix;
    for arch in ["x86_64", "arm64"] {
        assert_eq!(
            entries(&out.join(format!("{arch}/greeter.zip"))),
            [
                ("assets/greeting.txt".to_string(), 0o100644, UNIX),
                ("bootstrap".to_string(), 0o100755, UNIX)
            ]
        );
        assert_eq!(
            entries(&out.join(format!("{arch}/orders.zip"))),
            [("bootstrap".to_string(), 0o100755, UNIX)]
        );
        assert_eq!(
            entries(&out.join(format!("{arch}/audit-log.zip"))),
            [("extensions/audit-log".to_string(), 0o100755, UNIX)]
        );
    }
}

#[test]
fn each_binary_is_an_elf_for_its_architecture() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let out = packaged.out.path();
    for (function, kind, arch) in ARTIFACTS {
        let name = if kind == "extension" {
            format!("extensions/{function}")
        } else {
            "bootstrap".to_string()
        };
        let bytes = zip_entry(&out.join(format!("{arch}/{function}.zip")), &name);
        let elf = object::File::parse(&*bytes).unwrap();
        let expected = if arch == "arm64" {
            object::Architecture::Aarch64
        } else {
            object::Architecture::X86_64
        };
        assert_eq!(elf.architecture(), expected, "{arch}/{function}.zip");
        assert_eq!(elf.format(), object::BinaryFormat::Elf);
    }
}

/// Again, and with the architectures built one after the other instead of side by side: the
/// same bytes (the zips and the manifest do not depend on which build finished first).
#[test]
fn packaging_again_gives_byte_identical_zips_and_manifest() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let packaged = packaged_example();
    let again = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(packaged.workspace.path())
        .args(["package", "--locked", "--sequential", "--out-dir"])
        .arg(again.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(snapshot(again.path()), snapshot(packaged.out.path()));
}

/// One function alone has one binary per architecture, so on a machine of two or more cores its
/// architectures build side by side (both builds start before either finishes); `--sequential`
/// builds one after the other. Both give the same bytes.
#[test]
fn a_lone_functions_architectures_build_side_by_side_with_the_same_bytes() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        eprintln!("skipped: one core, so the architectures build one after the other");
        return;
    }
    let build = |extra: &[&str]| {
        let (out, output) = output_into_new_dir(
            package_in(&packaged.workspace.path())
                .args(["--bin", "greeter"])
                .args(extra),
        );
        assert!(output.status.success(), "{}", stderr(&output));
        (out, stderr(&output))
    };
    // Where the second build starts: before the first build's cargo says `Finished`, or after.
    let second_starts_early = |log: &str| {
        let lines: Vec<&str> = log.lines().collect();
        let building: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].trim_start().starts_with("Building greeter for"))
            .collect();
        let first_finished = (0..lines.len())
            .find(|&i| lines[i].contains("Finished `release` profile"))
            .unwrap();
        assert_eq!(building.len(), 2, "{log}");
        building[1] < first_finished
    };
    let (side_by_side, log) = build(&[]);
    assert!(
        second_starts_early(&log),
        "expected both builds to start at once:\n{log}"
    );
    let (sequential, log) = build(&["--sequential"]);
    assert!(
        !second_starts_early(&log),
        "expected one build after the other:\n{log}"
    );
    assert_eq!(snapshot(side_by_side.path()), snapshot(sequential.path()));
}

#[test]
fn json_messages_describe_each_artifact_and_the_result() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let (out, output) =
        output_into_new_dir(powertools().current_dir(packaged.workspace.path()).args([
            "package",
            "--locked",
            "--bin",
            "orders",
            "--arch",
            "x86_64",
            "--message-format",
            "json",
        ]));
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("every stdout line is JSON"))
        .collect();
    let artifacts: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["reason"] == "artifact").collect();
    assert_eq!(artifacts.len(), 1);
    let manifest = read_manifest(out.path());
    assert_eq!(artifacts[0]["artifact"], manifest["artifacts"][0]);
    let finished = lines.last().unwrap();
    assert_eq!(finished["reason"], "finished");
    assert_eq!(finished["success"], true);
    let keys: Vec<&String> = finished.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "build_ms",
            "manifest",
            "reason",
            "success",
            "total_ms",
            "unchanged"
        ]
    );
    assert_eq!(
        finished["manifest"].as_str(),
        out.path().join("manifest.json").to_str()
    );
    let skipped: Vec<&str> = lines
        .iter()
        .filter(|l| l["reason"] == "skipped")
        .map(|l| l["bin"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["seed-data"]);
}

#[test]
fn source_date_epoch_sets_every_entry_time() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let out = packaged_into_new_dir(
        powertools()
            .current_dir(packaged.workspace.path())
            .env("SOURCE_DATE_EPOCH", "1700000000") // 2023-11-14T22:13:20Z
            .args(["package", "--locked", "--bin", "greeter", "--arch", "arm64"]),
    );
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(out.path().join("arm64/greeter.zip")).unwrap())
            .unwrap();
    for i in 0..archive.len() {
        let time = archive.by_index(i).unwrap().last_modified().unwrap();
        assert_eq!(
            (
                time.year(),
                time.month(),
                time.day(),
                time.hour(),
                time.minute(),
                time.second()
            ),
            (2023, 11, 14, 22, 13, 20)
        );
    }
}

#[test]
fn per_function_settings_choose_architectures_and_a_glibc_pinned_target_for_al2() {
    if !require_tools(&["cargo-lambda", "zig", "rust-std-aarch64"]) {
        return;
    }
    let workspace = example_copy();
    workspace.append_to_manifest(
        "functions/orders",
        "\n[package.metadata.powertools]\narchitectures = [\"x86_64\"]\nruntime = \"provided.al2\"\n",
    );
    let out = tempfile::tempdir().unwrap();
    // A target directory of its own: cargo counts the glibc-pinned build as the same unit as the
    // plain one and would rebuild the shared copy under the other tests' feet.
    let output = powertools()
        .current_dir(workspace.path())
        .env(
            "CARGO_TARGET_DIR",
            repo_root().join("target/integration-al2"),
        )
        .args(["package", "--locked", "--package", "orders", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let artifacts = read_manifest(out.path())["artifacts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(artifacts.len(), 1, "{artifacts:?}");
    assert_eq!(artifacts[0]["target"], "x86_64-unknown-linux-gnu.2.26");
    assert_eq!(artifacts[0]["runtime"], "provided.al2");
    // provided.al2 has glibc 2.26: the binary must not ask for anything newer.
    let bytes = zip_entry(&out.path().join("x86_64/orders.zip"), "bootstrap");
    let newest = newest_glibc(&bytes);
    assert!(
        newest <= (2, 26),
        "bootstrap needs GLIBC_{}.{}",
        newest.0,
        newest.1
    );
}

/// The highest `GLIBC_x.y` version an ELF file needs, read from its version-needed section.
fn newest_glibc(bytes: &[u8]) -> (u32, u32) {
    let elf = object::read::elf::ElfFile64::<object::Endianness>::parse(bytes).unwrap();
    let endian = elf.endian();
    let sections = elf.elf_section_table();
    let mut newest = (0, 0);
    let Some((mut needs, link)) = sections.gnu_verneed(endian, bytes).unwrap() else {
        return newest;
    };
    let strings = sections.strings(endian, bytes, link).unwrap();
    while let Some((_, mut versions)) = needs.next().unwrap() {
        while let Some(version) = versions.next().unwrap() {
            let name = String::from_utf8_lossy(version.name(endian, strings).unwrap()).into_owned();
            let Some(number) = name.strip_prefix("GLIBC_") else {
                continue;
            };
            let mut parts = number.split('.').map(|n| n.parse::<u32>());
            if let (Some(Ok(major)), Some(Ok(minor))) = (parts.next(), parts.next()) {
                newest = newest.max((major, minor));
            }
        }
    }
    newest
}

/// Asserts that `out` shows one complete set: every zip its manifest lists, with the manifest's
/// hash, and no other zip under its architecture folders. Returns the manifest's SHA-256.
fn assert_complete_set(out: &Path) -> String {
    let manifest_bytes = std::fs::read(out.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest_bytes).unwrap();
    let mut listed = BTreeSet::new();
    for artifact in manifest["artifacts"].as_array().unwrap() {
        let path = artifact["path"].as_str().unwrap();
        let bytes = std::fs::read(out.join(path))
            .unwrap_or_else(|e| panic!("{path} is listed but cannot be read: {e}"));
        let hex: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            artifact["sha256"], hex,
            "{path} is not the zip the manifest lists"
        );
        listed.insert(path.to_string());
    }
    let mut visible = BTreeSet::new();
    for arch in ["x86_64", "arm64"] {
        let Ok(entries) = std::fs::read_dir(out.join(arch)) else {
            continue;
        };
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            visible.insert(format!("{arch}/{name}"));
        }
    }
    assert_eq!(
        visible, listed,
        "the folders hold other zips than the manifest lists"
    );
    sha2::Sha256::digest(&manifest_bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_output_shows_the_current_generation_at_the_documented_paths() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let out = packaged.out.path();
    for name in ["manifest.json", "x86_64", "arm64"] {
        assert!(
            out.join(name).is_symlink(),
            "{name} is a link into .powertools/current"
        );
    }
    assert!(out.join("arm64/greeter.zip").is_file());
    assert_complete_set(out);
}

/// `package --bin greeter --bin orders` (both architectures) into `out` with entry times from
/// `epoch`, so that two epochs give two different sets of zips.
fn package_two(workspace: &Path, out: &Path, epoch: u64) -> assert_cmd::Command {
    let mut command = powertools();
    command
        .current_dir(workspace)
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .args([
            "package",
            "--locked",
            "--bin",
            "greeter",
            "--bin",
            "orders",
            "--message-format",
            "json",
            "--out-dir",
        ])
        .arg(out);
    command
}

fn finished_line(output: &std::process::Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.lines().last().expect("a finished line")).unwrap()
}

#[test]
fn a_second_identical_run_rewrites_nothing() {
    if !require_tools(&["cargo-lambda", "zig", "rust-std-aarch64"]) {
        return;
    }
    let workspace = example_copy();
    let out = tempfile::tempdir().unwrap();
    let first = package_two(&workspace.path(), out.path(), 1_700_000_000)
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let finished = finished_line(&first);
    assert_eq!(finished["unchanged"], false);
    assert!(finished["build_ms"].as_u64().unwrap() <= finished["total_ms"].as_u64().unwrap());
    let mtimes = |dir: &Path| -> Vec<(String, std::time::SystemTime)> {
        ["manifest.json", "x86_64/greeter.zip", "arm64/orders.zip"]
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    std::fs::metadata(dir.join(p)).unwrap().modified().unwrap(),
                )
            })
            .collect()
    };
    let before = (snapshot(out.path()), mtimes(out.path()));
    let second = package_two(&workspace.path(), out.path(), 1_700_000_000)
        .output()
        .unwrap();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(finished_line(&second)["unchanged"], true);
    assert_eq!((snapshot(out.path()), mtimes(out.path())), before);
}

#[test]
fn an_arm64_path_that_is_a_file_fails_before_building_and_changes_nothing() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let workspace = example_copy();
    let out = earlier_output();
    std::fs::remove_file(out.path().join("arm64")).unwrap();
    std::fs::write(out.path().join("arm64"), "not a folder").unwrap();
    let before = snapshot(out.path());
    let output = powertools()
        .current_dir(workspace.path())
        .args(["package", "--locked", "--bin", "greeter", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(
        stderr.contains(&format!(
            "error: {} is a file, where cargo-powertools puts the folder of arm64 zips",
            out.path().join("arm64").display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "help: move or delete it, or choose another output directory with `--out-dir`"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Building"),
        "it fails before building:\n{stderr}"
    );
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn an_out_dir_holding_the_users_own_files_is_refused_and_left_as_it_was() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let workspace = example_copy();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("x86_64")).unwrap();
    std::fs::create_dir_all(out.path().join("arm64")).unwrap();
    std::fs::write(out.path().join("x86_64/important.txt"), "notes").unwrap();
    std::fs::write(out.path().join("arm64/keep.txt"), "keep").unwrap();
    std::fs::write(out.path().join("manifest.json"), r#"{"app": "mine"}"#).unwrap();
    let before = snapshot(out.path());
    let output = powertools()
        .current_dir(workspace.path())
        .args(["package", "--locked", "--bin", "greeter", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "error: {} holds a file cargo-powertools did not write: manifest.json\n",
            out.path().display()
        )),
        "{message}"
    );
    assert!(
        message.contains("help: move them elsewhere or choose another output directory with `--out-dir`; `--force` replaces them, deleting them"),
        "{message}"
    );
    assert!(!message.contains("Building"), "{message}");
    let after = snapshot(out.path());
    let users_files = |files: &BTreeMap<PathBuf, Vec<u8>>| {
        files
            .iter()
            .filter(|(path, _)| !path.starts_with(".powertools"))
            .map(|(path, bytes)| (path.clone(), bytes.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(users_files(&after), users_files(&before));

    // With their own manifest.json moved away, the arch folders are still theirs.
    std::fs::remove_file(out.path().join("manifest.json")).unwrap();
    let output = powertools()
        .current_dir(workspace.path())
        .args(["package", "--locked", "--bin", "greeter", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "error: {} holds a file cargo-powertools did not write: x86_64/important.txt\n",
            out.path().join("x86_64").display()
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(out.path().join("arm64/keep.txt")).unwrap(),
        b"keep"
    );
    assert_eq!(
        std::fs::read(out.path().join("x86_64/important.txt")).unwrap(),
        b"notes"
    );
}

/// Runs `chattr` on `path` (root may write anywhere, but not into an immutable folder).
fn chattr(flag: &str, path: &Path) {
    let status = std::process::Command::new("chattr")
        .arg(flag)
        .arg(path)
        .status()
        .expect("chattr (e2fsprogs) runs");
    assert!(status.success(), "chattr {flag} {}", path.display());
}

#[test]
fn an_unwritable_output_directory_fails_and_keeps_the_earlier_set() {
    if !require_tools(&["cargo-lambda", "zig", "rust-std-aarch64", "chattr"]) {
        return;
    }
    let workspace = example_copy();
    let out = tempfile::tempdir().unwrap();
    // The earlier set: x86_64 only, so that the next run must add the arm64 folder's link.
    let first = package_two(&workspace.path(), out.path(), 1_700_000_000)
        .args(["--arch", "x86_64"])
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let earlier = assert_complete_set(out.path());
    let before = snapshot(out.path());

    // Immutable at the top: everything builds and zips, then adding `arm64` fails.
    chattr("+i", out.path());
    let late = package_two(&workspace.path(), out.path(), 1_700_003_600)
        .output()
        .unwrap();
    chattr("-i", out.path());
    assert_eq!(late.status.code(), Some(1), "{}", stderr(&late));
    let text = stderr(&late);
    assert!(
        text.contains(&format!(
            "error: could not write {}",
            out.path().join("arm64").display()
        )) && text.contains("Operation not permitted"),
        "{text}"
    );
    assert!(
        text.contains("help: check that the output directory (`--out-dir`) is writable"),
        "{text}"
    );
    assert_eq!(assert_complete_set(out.path()), earlier);
    assert_eq!(snapshot(out.path()), before);

    // Immutable generations folder: nothing can be staged, so it fails before building.
    let state = out.path().join(".powertools");
    chattr("+i", &state);
    let early = package_two(&workspace.path(), out.path(), 1_700_003_600)
        .output()
        .unwrap();
    chattr("-i", &state);
    assert_eq!(early.status.code(), Some(1), "{}", stderr(&early));
    assert!(
        stderr(&early).contains(&format!("error: could not write {}", state.display())),
        "{}",
        stderr(&early)
    );
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn kill_9_at_random_moments_leaves_the_earlier_or_the_new_set_never_a_mix() {
    if !require_tools(&["cargo-lambda", "zig", "rust-std-aarch64"]) {
        return;
    }
    use std::os::unix::process::CommandExt;
    let workspace = example_copy();
    let out = tempfile::tempdir().unwrap();
    // A target directory of its own: the shared one is locked by other tests' runs for minutes at a
    // time, which would make the moments below meaningless.
    let target_dir = repo_root().join("target/integration-kill");
    let first = package_two(&workspace.path(), out.path(), 1_700_000_000)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    // How long an uninterrupted (warm) run takes, and when its build ends.
    let timed = package_two(&workspace.path(), out.path(), 1_700_003_600)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .unwrap();
    assert!(timed.status.success(), "{}", stderr(&timed));
    let finished = finished_line(&timed);
    let total = finished["total_ms"].as_u64().unwrap();
    let build = finished["build_ms"].as_u64().unwrap();

    // A small xorshift generator: the moments differ from run to run, and are printed.
    let mut state = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut random = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below.max(1)
    };
    let (mut kept_earlier, mut got_new) = (0, 0);
    let mut seen = assert_complete_set(out.path());
    for round in 0..12u64 {
        // Rounds 0, 2, 4, ...: a moment anywhere in the run. Rounds 1, 5, 9: a moment up to 80 ms
        // after the first zip of the new generation appears (zips, verification, manifest).
        // Rounds 3 and 7: the moment the new generation is renamed into place, just before or
        // after the switch. The last round: late enough for the run to finish.
        let delay = match round {
            11 => total * 2 + 2000,
            _ if round % 2 == 0 => random(total + 200),
            3 | 7 => 0,
            _ => random(80),
        };
        let state = out.path().join(".powertools");
        let entries = |prefix: &str| -> Vec<PathBuf> {
            std::fs::read_dir(&state)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        };
        let generations_before = entries("g-");
        let zipping_started = || {
            entries("tmp-").iter().any(|dir| {
                walkdir::WalkDir::new(dir.join("generation"))
                    .into_iter()
                    .flatten()
                    .any(|f| f.file_type().is_file())
            })
        };
        let renamed = || {
            entries("g-")
                .iter()
                .any(|g| !generations_before.contains(g))
        };
        let mut command =
            std::process::Command::new(assert_cmd::cargo::cargo_bin("cargo-powertools"));
        command
            .current_dir(workspace.path())
            .env("PATH", path_with_tools())
            .env("CARGO_TARGET_DIR", &target_dir)
            // An hour apart: zip times have a resolution of two seconds.
            .env(
                "SOURCE_DATE_EPOCH",
                (1_700_007_200 + round * 3600).to_string(),
            )
            .args([
                "powertools",
                "package",
                "--locked",
                "--bin",
                "greeter",
                "--bin",
                "orders",
                "--out-dir",
            ])
            .arg(out.path());
        command.envs(fixture_build_env());
        let mut child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        if round % 2 == 1 {
            let reached = || {
                if delay == 0 {
                    renamed()
                } else {
                    zipping_started()
                }
            };
            let waiting = std::time::Instant::now();
            while !reached()
                && child.try_wait().unwrap().is_none()
                && waiting.elapsed().as_secs() < 600
            {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(delay));
        // The whole process group, as a CI runner cancelling a job would: the build tools too.
        let group = child.id() as i32;
        unsafe { libc::kill(-group, libc::SIGKILL) };
        let status = child.wait().unwrap();
        let now = assert_complete_set(out.path());
        eprintln!(
            "round {round}: killed {delay} ms after {} (run: {total} ms, build {build} ms), {status}, set {}",
            match round % 2 {
                0 => "the start",
                _ if delay == 0 && round != 11 => "the new generation was renamed in",
                _ => "the first zip appeared",
            },
            &now[..12]
        );
        if now == seen {
            kept_earlier += 1;
        } else {
            got_new += 1;
        }
        seen = now;
    }
    assert!(
        kept_earlier > 0 && got_new > 0,
        "earlier kept {kept_earlier}, new {got_new}"
    );
    // A run after all that succeeds, and cleans up what the killed runs left.
    let last = package_two(&workspace.path(), out.path(), 1_600_000_000)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .unwrap();
    assert!(last.status.success(), "{}", stderr(&last));
    assert_complete_set(out.path());
    let leftovers: Vec<String> = std::fs::read_dir(out.path().join(".powertools"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// What a user or a deployment tool reads from an output directory: the manifest and every zip
/// under the architecture folders, with their bytes.
fn visible_output(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![(
        "manifest.json".to_string(),
        std::fs::read(out.join("manifest.json")).unwrap(),
    )];
    for arch in ["arm64", "x86_64"] {
        let Ok(entries) = std::fs::read_dir(out.join(arch)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let path = format!("{arch}/{name}");
            files.push((path.clone(), std::fs::read(out.join(&path)).unwrap()));
        }
    }
    files
}

fn merge_into(out: &Path, shards: &[&Path]) -> std::process::Output {
    powertools()
        .args(["merge", "--out-dir"])
        .arg(out)
        .args(shards)
        .output()
        .unwrap()
}

#[test]
fn shards_by_arch_and_by_hash_merge_into_exactly_one_run_of_everything() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let whole = visible_output(packaged.out.path());
    let package_shard = |extra: &[&str]| {
        let out = tempfile::tempdir().unwrap();
        let output = powertools()
            .current_dir(packaged.workspace.path())
            .args(["package", "--locked"])
            .args(extra)
            .arg("--out-dir")
            .arg(out.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{extra:?}: {}", stderr(&output));
        out
    };
    for pair in [
        ["--arch=x86_64", "--arch=arm64"],
        ["--shard=1/2", "--shard=2/2"],
    ] {
        let first = package_shard(&[pair[0]]);
        let second = package_shard(&[pair[1]]);
        let first_listed = read_manifest(first.path())["artifacts"]
            .as_array()
            .unwrap()
            .len();
        let second_listed = read_manifest(second.path())["artifacts"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(
            first_listed + second_listed,
            whole.len() - 1,
            "{pair:?} split everything"
        );
        let merged = tempfile::tempdir().unwrap();
        // One shard named by its folder, the other by its manifest.
        let output = merge_into(
            merged.path(),
            &[first.path(), &second.path().join("manifest.json")],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        // Compared as text and hashes, so that a difference reads as one.
        let readable = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, String)> {
            files
                .into_iter()
                .map(|(name, bytes)| {
                    let shown = if name == "manifest.json" {
                        String::from_utf8(bytes).unwrap()
                    } else {
                        sha2::Sha256::digest(&bytes)
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect()
                    };
                    (name, shown)
                })
                .collect()
        };
        assert_eq!(
            readable(visible_output(merged.path())),
            readable(whole.clone()),
            "merging {pair:?} gives what one run gives, byte for byte"
        );
        assert_complete_set(merged.path());
    }
}

#[test]
fn merge_refuses_conflicting_and_damaged_shards_and_keeps_the_earlier_output() {
    let Some(packaged) = packaged_example_or_skip() else {
        return;
    };
    let shard = |epoch: &str| {
        packaged_into_new_dir(
            powertools()
                .current_dir(packaged.workspace.path())
                .env("SOURCE_DATE_EPOCH", epoch)
                .args(["package", "--locked", "--bin", "orders", "--arch", "x86_64"]),
        )
    };
    // Zip times have a resolution of two seconds: an hour apart, the zips differ.
    let first = shard("1700000000");
    let second = shard("1700003600");
    let out = earlier_output();
    let before = snapshot(out.path());

    let output = merge_into(out.path(), &[first.path(), second.path()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    let sha = |dir: &Path| {
        read_manifest(dir)["artifacts"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        text.contains(&format!(
            "error: `orders` for x86_64 is in two shards with different zips: {} (sha256 {}) and {} (sha256 {})",
            first.path().display(),
            sha(first.path()),
            second.path().display(),
            sha(second.path())
        )),
        "{text}"
    );
    assert!(
        text.contains("help: the same function was packaged twice"),
        "{text}"
    );
    assert_eq!(snapshot(out.path()), before);

    // A zip changed after packaging no longer matches its shard's manifest.
    let zip = first.path().join("x86_64/orders.zip");
    let mut bytes = std::fs::read(&zip).unwrap();
    bytes.push(0);
    std::fs::write(&zip, &bytes).unwrap();
    let output = merge_into(out.path(), &[first.path()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "error: {}: x86_64/orders.zip does not match its manifest: it",
            first.path().display()
        )),
        "{text}"
    );
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn the_ci_matrix_example_shards_both_architectures_merges_and_passes_actionlint() {
    if !require_tools(&["actionlint"]) {
        return;
    }
    let example = repo_root().join("examples/ci/github-actions-matrix.yml");
    let text = std::fs::read_to_string(&example).unwrap();
    for expected in [
        "runner: ubuntu-24.04-arm",
        "--shard ${{ matrix.shard }}/${{ env.SHARDS }}",
        "cargo powertools verify --invoke shard/manifest.json",
        "SCCACHE_GHA_ENABLED",
        "cargo powertools merge --out-dir dist shards/*",
    ] {
        assert!(text.contains(expected), "{expected}");
    }
    if let Err(findings) = actionlint(&example) {
        panic!("{findings}");
    }
    // actionlint is not blind: a matrix key that does not exist is reported.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yml");
    std::fs::write(&broken, text.replace("matrix.runner", "matrix.runners")).unwrap();
    assert!(actionlint(&broken).is_err());
}

/// A free TCP port on the loopback interface.
/// A process this test started, killed (by its id) when the test ends, however it ends.
struct Started(std::process::Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sccache_with_a_redis_backend_serves_the_second_build_in_a_fresh_target_dir() {
    if !require_tools(&[
        "cargo-lambda",
        "zig",
        "sccache",
        "redis-server",
        "redis-cli",
    ]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let redis_port = free_port();
    let _redis = Started(
        std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &redis_port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let ping = || {
        std::process::Command::new("redis-cli")
            .args(["-p", &redis_port.to_string(), "ping"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "PONG")
    };
    let started = std::time::Instant::now();
    while !ping() {
        assert!(
            started.elapsed().as_secs() < 20,
            "redis-server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The workspace asks for sccache; the backend comes from sccache's own environment.
    let workspace = example_copy();
    let manifest = workspace.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(
            "[workspace.metadata.powertools]\n",
            "[workspace.metadata.powertools]\ncache = \"sccache\"\n",
        ),
    )
    .unwrap();
    let sccache_port = free_port().to_string();
    let endpoint = format!("redis://127.0.0.1:{redis_port}");
    let sccache_dir = dir.path().join("sccache");
    let with_sccache_env = |command: &mut assert_cmd::Command| {
        command
            .env_remove("RUSTC_WRAPPER")
            .env("SCCACHE_REDIS_ENDPOINT", &endpoint)
            .env("SCCACHE_SERVER_PORT", &sccache_port)
            .env("SCCACHE_DIR", &sccache_dir)
            .env("SCCACHE_IDLE_TIMEOUT", "0");
    };
    let sccache = |args: &[&str]| {
        let mut command = assert_cmd::Command::new("sccache");
        command.env("PATH", path_with_tools()).args(args);
        with_sccache_env(&mut command);
        command.output().unwrap()
    };
    struct StopServer<'a>(&'a dyn Fn(&[&str]) -> std::process::Output);
    impl Drop for StopServer<'_> {
        fn drop(&mut self) {
            (self.0)(&["--stop-server"]);
        }
    }
    let _stop = StopServer(&sccache);

    // doctor names sccache and the Redis backend.
    let mut doctor = powertools();
    doctor.current_dir(workspace.path()).arg("doctor");
    with_sccache_env(&mut doctor);
    let output = doctor.output().unwrap();
    let text = stderr(&output) + &String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("sccache (compiler cache)"), "{text}");
    assert!(
        text.contains(&format!("backend: redis, name: {endpoint}")),
        "{text}"
    );

    // Two builds, each in a fresh target directory at the same path (as two CI runners have).
    let target = dir.path().join("target");
    let mut outs = Vec::new();
    let mut stats = Vec::new();
    for round in 0..2 {
        let _ = std::fs::remove_dir_all(&target);
        sccache(&["--zero-stats"]);
        let out = dir.path().join(format!("out-{round}"));
        let mut package = powertools();
        package
            .current_dir(workspace.path())
            .env("CARGO_TARGET_DIR", &target)
            .args([
                "package",
                "--locked",
                "--bin",
                "orders",
                "--arch",
                "x86_64",
                "--out-dir",
            ])
            .arg(&out);
        with_sccache_env(&mut package);
        let started = std::time::Instant::now();
        let output = package.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let json: serde_json::Value =
            serde_json::from_slice(&sccache(&["--show-stats", "--stats-format", "json"]).stdout)
                .unwrap();
        let count = |key: &str| -> u64 {
            json["stats"][key]["counts"]
                .as_object()
                .map_or(0, |m| m.values().map(|v| v.as_u64().unwrap_or(0)).sum())
        };
        eprintln!(
            "build {round}: {:.1} s, {} hits, {} misses",
            started.elapsed().as_secs_f64(),
            count("cache_hits"),
            count("cache_misses")
        );
        stats.push((count("cache_hits"), count("cache_misses")));
        outs.push(out);
    }
    assert!(
        stats[0].1 > 0,
        "the first build compiles through sccache: {stats:?}"
    );
    assert!(
        stats[1].0 >= stats[0].1 / 2 && stats[1].0 > 0,
        "the second build is served from Redis: {stats:?}"
    );
    let first = read_manifest(&outs[0]);
    assert!(
        first["artifacts"][0]["tools"]["sccache"].is_string(),
        "{first}"
    );
    // Through the cache or not, the same bytes.
    assert_eq!(visible_output(&outs[0]), visible_output(&outs[1]));
}

/// A workspace of `libs` dependency-free library crates and one function (marked with
/// `kind = "function"`, so that it needs no lambda_runtime) that uses them all: many small
/// compile jobs that a build may run at once, and quick to build cold.
fn many_crates_workspace(dir: &Path, libs: usize) {
    let names: Vec<String> = (1..=libs).map(|i| format!("lib-{i}")).collect();
    let members: Vec<String> = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .chain(["\"app\"".to_string()])
        .collect();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[workspace.metadata.powertools]\narchitectures = [\"x86_64\", \"arm64\"]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    for name in &names {
        std::fs::create_dir_all(dir.join(name).join("src")).unwrap();
        std::fs::write(
            dir.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n"),
        )
        .unwrap();
        std::fs::write(
            dir.join(name).join("src/lib.rs"),
            "pub fn answer() -> u32 { 42 }\n",
        )
        .unwrap();
    }
    let deps: String = names
        .iter()
        .map(|n| format!("{n} = {{ path = \"../{n}\" }}\n"))
        .collect();
    std::fs::create_dir_all(dir.join("app/src")).unwrap();
    std::fs::write(
        dir.join("app/Cargo.toml"),
        format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{deps}\n[package.metadata.powertools.bin.app]\nkind = \"function\"\n"),
    )
    .unwrap();
    let uses: String = names
        .iter()
        .map(|n| format!("{}::answer()", n.replace('-', "_")))
        .collect::<Vec<_>>()
        .join(" + ");
    std::fs::write(
        dir.join("app/src/main.rs"),
        format!("fn main() {{ println!(\"{{}}\", {uses}); }}\n"),
    )
    .unwrap();
}

/// The most compile jobs that ran at once, from the `start`/`end` lines `wrapper` logs, and
/// whether jobs of both targets ever ran at the same time.
fn jobs_at_once(log: &str) -> (usize, bool) {
    let mut running: Vec<String> = Vec::new();
    let (mut most, mut both) = (0, false);
    for line in log.lines() {
        match line.split_once(' ') {
            Some(("start", target)) => running.push(target.to_string()),
            Some(("end", target)) => {
                let at = running.iter().position(|t| t == target).unwrap();
                running.remove(at);
            }
            _ => panic!("unexpected log line {line:?}"),
        }
        most = most.max(running.len());
        both |= running.iter().any(|t| t.starts_with("x86_64"))
            && running.iter().any(|t| t.starts_with("aarch64"));
    }
    (most, both)
}

#[test]
fn the_architectures_building_side_by_side_share_the_jobs_of_dash_j() {
    if !require_tools(&["cargo-lambda", "zig"]) {
        return;
    }
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        eprintln!("skipped: one core, so one cargo alone runs one job at a time");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let workspace = tmp.path().join("workspace");
    std::fs::create_dir_all(&workspace).unwrap();
    many_crates_workspace(&workspace, 6);
    // A rustc wrapper that logs when each library's compile job starts and ends (and makes it last
    // a second, so that jobs that may overlap do): cargo runs it as the job, so it holds a token.
    let log = tmp.path().join("jobs.log");
    let wrapper = tmp.path().join("wrapper.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\ncase \"$*\" in *'--crate-name lib_'*) ;; *) exec \"$@\" ;; esac\ntarget=$(echo \"$*\" | sed -n 's/.*--target \\([^ ]*\\).*/\\1/p')\necho \"start $target\" >> {log}\nsleep 1\n\"$@\"; status=$?\necho \"end $target\" >> {log}\nexit $status\n",
            log = log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    for jobs in ["2", "1"] {
        let target = tmp.path().join(format!("target-{jobs}"));
        let _ = std::fs::remove_file(&log);
        succeeds(
            powertools()
                .current_dir(&workspace)
                .env("CARGO_TARGET_DIR", &target)
                .env("RUSTC_WRAPPER", &wrapper)
                .args(["package", "--jobs", jobs]),
        );
        let log = std::fs::read_to_string(&log).unwrap();
        assert_eq!(log.lines().count(), 2 * 2 * 6, "{log}");
        let (most, both) = jobs_at_once(&log);
        // Without a shared jobserver each architecture's cargo runs a job per core on its own.
        assert_eq!(most.to_string(), jobs, "{log}");
        assert_eq!(both, jobs == "2", "{log}");
    }
}

#[test]
fn an_interrupted_build_is_stopped_with_everything_it_started_and_exits_130() {
    if !require_tools(&["cargo-lambda", "zig"]) {
        return;
    }
    use std::io::BufRead;
    use std::time::{Duration, Instant};
    let workspace = example_copy();
    let out = earlier_output();
    let before = snapshot(out.path());
    // A cold target directory of its own: the build is still compiling when the signal comes.
    let target = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-powertools"));
    command
        .args(["powertools", "package", "--locked", "--bin", "greeter"])
        .args(["--arch", "x86_64", "--out-dir"])
        .arg(out.path())
        .current_dir(workspace.path())
        .env("PATH", path_with_tools())
        .env("CARGO_TARGET_DIR", target.path())
        .envs(fixture_build_env())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut lines = stderr.lines().map_while(Result::ok);
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        seen.push(line.clone());
        if line.contains("Running `") && line.contains("cargo lambda build") {
            break;
        }
    }
    // Until rustc runs under cargo, then the signal only the tool gets (as from a CI runner's
    // SIGTERM, or `kill -INT`): the build's programs must be stopped by the tool itself.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !processes_naming(target.path())
        .iter()
        .any(|p| p.contains("rustc"))
    {
        assert!(Instant::now() < deadline, "no rustc started: {seen:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: signals the child we started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let rest: Vec<String> = lines.collect();
    let status = child.wait().unwrap();
    let text = [seen, rest].concat().join("\n");
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(
        text.contains("error: interrupted: every program it started was stopped"),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        processes_naming(target.path()),
        Vec::<String>::new(),
        "an interrupted package left programs running"
    );
    assert_eq!(snapshot(out.path()), before, "the earlier output changed");
}
