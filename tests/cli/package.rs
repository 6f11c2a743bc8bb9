//! `cargo powertools package` on the example workspace: what it writes, and that it is reproducible.
use crate::support::*;
use object::Object;
use sha2::Digest;
use std::collections::BTreeSet;
use std::path::Path;

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
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let packaged = packaged_example();
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
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let packaged = packaged_example();
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
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let out = packaged_example().out.path();
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
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let out = packaged_example().out.path();
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

#[test]
fn packaging_again_gives_byte_identical_zips_and_manifest() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let packaged = packaged_example();
    let again = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(packaged.workspace.path())
        .args(["package", "--locked", "--out-dir"])
        .arg(again.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(snapshot(again.path()), snapshot(packaged.out.path()));
}

#[test]
fn json_messages_describe_each_artifact_and_the_result() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let packaged = packaged_example();
    let out = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(packaged.workspace.path())
        .args([
            "package",
            "--locked",
            "--bin",
            "orders",
            "--arch",
            "x86_64",
            "--message-format",
            "json",
            "--out-dir",
        ])
        .arg(out.path())
        .output()
        .unwrap();
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
    let skipped: Vec<&str> = lines
        .iter()
        .filter(|l| l["reason"] == "skipped")
        .map(|l| l["bin"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["seed-data"]);
}

#[test]
fn source_date_epoch_sets_every_entry_time() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let packaged = packaged_example();
    let out = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(packaged.workspace.path())
        .env("SOURCE_DATE_EPOCH", "1700000000") // 2023-11-14T22:13:20Z
        .args([
            "package",
            "--locked",
            "--bin",
            "greeter",
            "--arch",
            "arm64",
            "--out-dir",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
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
