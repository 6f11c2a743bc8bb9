//! Recipes as data: `recipes`, `recipes show`, `doctor`, `init`, and packaging the example with
//! every recipe that can run here.
use crate::support::*;
use object::Object;
use std::path::Path;

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    run(powertools().current_dir(dir).args(args))
}

#[test]
fn recipes_lists_every_recipe_and_whether_it_can_run_here() {
    if !require_tools(&[
        "cargo-lambda",
        "zig",
        "cargo-zigbuild",
        "aarch64-linux-gnu-gcc",
        "cross",
    ]) {
        return;
    }
    let example = example_copy();
    let output = run_in(&example.path(), &["recipes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in:\n{text}"))
            .to_string()
    };
    assert!(
        line("cargo-lambda").contains("cargo lambda") && line("cargo-lambda").ends_with("yes"),
        "{text}"
    );
    assert!(line("cargo-zigbuild").ends_with("yes"), "{text}");
    assert!(
        line("cargo").contains("x86_64, arm64") && line("cargo").ends_with("yes"),
        "{text}"
    );
    // This machine has a docker client but no daemon: cross cannot run here, and says why.
    assert!(
        line("cross").ends_with("no: missing container engine"),
        "{text}"
    );
}

#[test]
fn recipes_show_prints_the_recipe_file_and_its_tutorial() {
    let output = run_in(repo_root(), &["recipes", "show", "cargo-zigbuild"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("cargo-zigbuild: cargo zigbuild: zig as the linker"),
        "{text}"
    );
    assert!(
        text.contains("\ntutorial: docs/recipes/cargo-zigbuild.md\n"),
        "{text}"
    );
    assert!(repo_root().join("docs/recipes/cargo-zigbuild.md").is_file());
    let file = std::fs::read_to_string(repo_root().join("recipes/cargo-zigbuild.toml")).unwrap();
    assert!(text.ends_with(&file), "the recipe's own text is printed");

    let output = run_in(repo_root(), &["recipes", "show", "bazel"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(
        stderr.contains("error: no recipe is named `bazel`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: choose one of: cargo, cargo-lambda, cargo-zigbuild, cross"),
        "{stderr}"
    );
}

#[test]
fn a_project_recipe_from_workspace_metadata_is_listed_and_used() {
    let example = example_copy();
    example.append_to_manifest(
        "",
        r#"
[workspace.metadata.powertools.recipes.zig-arm-only]
language = "rust"
summary = "our own: cargo-zigbuild, arm64 only"
tutorial = "docs/recipes/cargo-zigbuild.md"
architectures = ["arm64"]
glibc-pinning = true
build = { program = "cargo", args = ["zigbuild", "--target", "{target}"], output = "{target_dir}/{triple}/{profile_dir}/{bin}" }
tools = [{ name = "cargo-zigbuild", version = ["cargo-zigbuild", "--version"], install = ["pip install cargo-zigbuild"] }]
"#,
    );
    let output = run_in(&example.path(), &["recipes", "show", "zig-arm-only"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("from: [workspace.metadata.powertools.recipes] in"),
        "{}",
        stdout(&output)
    );

    let output = run_in(
        &example.path(),
        &["package", "--recipe", "zig-arm-only", "--arch", "x86_64"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error: recipe `zig-arm-only` does not build for x86_64"),
        "{}",
        stderr(&output)
    );
}

/// Packages the example with `recipe` for both architectures, in a target directory of its own
/// (each recipe links differently, and cargo would otherwise rebuild the other tests' binaries).
fn package_with(recipe: &str) -> (tempfile::TempDir, String) {
    let example = example_copy();
    let out = tempfile::tempdir().unwrap();
    let output = powertools()
        .current_dir(example.path())
        .env(
            "CARGO_TARGET_DIR",
            repo_root().join(format!("target/integration-{recipe}")),
        )
        .args(["package", "--locked", "--recipe", recipe, "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    (out, stderr(&output))
}

/// The Rust build commands `package` printed (its ``Running `...` `` lines that set the target
/// directory).
fn build_commands(log: &str) -> Vec<&str> {
    log.lines()
        .filter_map(|l| l.trim_start().strip_prefix("Running `CARGO_TARGET_DIR="))
        .filter_map(|l| l.strip_suffix('`'))
        .collect()
}

fn assert_elves_and_recipe(out: &Path, recipe: &str, tool: &str) {
    let manifest = read_manifest(out);
    // `--recipe` names a Rust recipe: the Python function keeps its own (uv).
    let (rust, python): (Vec<_>, Vec<_>) = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|a| a["language"] == "rust");
    assert_eq!(
        rust.len(),
        10,
        "audit-log, catalog, greeter, hello, orders, both architectures"
    );
    assert!(
        python.iter().all(|a| a["recipe"] == "uv") && python.len() == 4,
        "{python:?}"
    );
    for artifact in rust {
        assert_eq!(artifact["recipe"], recipe);
        assert!(
            artifact["tools"][tool]
                .as_str()
                .is_some_and(|v| v.contains('.')),
            "{artifact}"
        );
        assert!(artifact["tools"]["rustc"].as_str().is_some(), "{artifact}");
        let name = if artifact["kind"] == "extension" {
            format!("extensions/{}", artifact["function"].as_str().unwrap())
        } else {
            "bootstrap".into()
        };
        let bytes = zip_entry(&out.join(artifact["path"].as_str().unwrap()), &name);
        let expected = if artifact["arch"] == "arm64" {
            object::Architecture::Aarch64
        } else {
            object::Architecture::X86_64
        };
        assert_eq!(
            object::File::parse(&*bytes).unwrap().architecture(),
            expected,
            "{artifact}"
        );
    }
}

#[test]
fn the_example_packages_with_cargo_zigbuild_for_both_architectures() {
    if !require_tools(&["cargo-zigbuild", "zig", "rust-std-aarch64", "uv"]) {
        return;
    }
    let (out, log) = package_with("cargo-zigbuild");
    assert_elves_and_recipe(out.path(), "cargo-zigbuild", "cargo-zigbuild");
    // One run per architecture (the recipe is not multi-target: see its comment).
    let commands = build_commands(&log);
    assert_eq!(commands.len(), 2, "{log}");
    assert!(
        commands.iter().all(|c| c.matches("--target").count() == 1),
        "{log}"
    );
}

#[test]
fn the_example_packages_with_plain_cargo_and_a_cross_linker_for_both_architectures() {
    if !require_tools(&["aarch64-linux-gnu-gcc", "rust-std-aarch64", "uv"]) {
        return;
    }
    let (out, log) = package_with("cargo");
    assert_elves_and_recipe(out.path(), "cargo", "aarch64-linux-gnu-gcc");
    // Plain cargo takes `--target` twice: one run builds both architectures.
    let commands = build_commands(&log);
    assert_eq!(commands.len(), 1, "{log}");
    assert!(
        commands[0].contains(
            "cargo build --target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu "
        ),
        "{log}"
    );
}

#[test]
fn the_default_recipe_records_its_tool_versions() {
    if !require_tools(PACKAGING_TOOLS) {
        return;
    }
    let manifest = read_manifest(packaged_example().out.path());
    for artifact in manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["language"] == "rust")
    {
        assert_eq!(artifact["recipe"], "cargo-lambda");
        assert!(
            artifact["tools"]["cargo-lambda"]
                .as_str()
                .is_some_and(|v| v.starts_with("1.")),
            "{artifact}"
        );
        assert!(artifact["tools"]["zig"].as_str().is_some(), "{artifact}");
    }
}

#[test]
fn cross_runs_up_to_the_container_engine_it_needs() {
    if !require_tools(&["cross"]) {
        return;
    }
    let example = example_copy();
    let output = run_in(&example.path(), &["doctor", "--recipe", "cross"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("ok  cross: installed at "),
        "cross itself is installed by .ci/setup:\n{text}"
    );
    assert!(
        text.contains(
            "MISSING  container engine: `docker info --format '{{.ServerVersion}}'` failed"
        ),
        "{text}"
    );
    assert!(text.contains("fix: install and start Docker"), "{text}");
    assert!(
        stderr(&output).contains("error: recipe `cross` cannot run here: missing container engine"),
        "{}",
        stderr(&output)
    );

    let out = earlier_output();
    let before = snapshot(out.path());
    let output = powertools()
        .current_dir(example.path())
        .args(["package", "--recipe", "cross", "--out-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("error: recipe `cross` needs container engine, which is not usable here"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn doctor_passes_for_the_default_recipe_here() {
    if !require_tools(&[
        "cargo-lambda",
        "zig",
        "rust-std-aarch64",
        "qemu-aarch64-static",
    ]) {
        return;
    }
    let example = example_copy();
    let output = run_in(&example.path(), &["doctor"]);
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    let text = stdout(&output);
    for line in [
        "ok  cargo-lambda: 1.",
        "ok  zig: ",
        "ok  Rust std for aarch64-unknown-linux-gnu: installed",
        "ok  arm64 emulator: ",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
}

#[test]
fn a_musl_function_needs_the_musl_standard_library() {
    if !require_tools(&["cargo-lambda", "zig"]) {
        return;
    }
    let example = example_copy();
    example.append_to_manifest(
        "functions/orders",
        "\n[package.metadata.powertools]\nlibc = \"musl\"\n",
    );
    let output = run_in(
        &example.path(),
        &["package", "--package", "orders", "--arch", "x86_64"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(stderr.contains("error: the Rust standard library for x86_64-unknown-linux-musl (x86_64) is not installed"), "{stderr}");
    assert!(
        stderr.contains("help: run `rustup target add x86_64-unknown-linux-musl`"),
        "{stderr}"
    );
}

const COMMENTED: &str = "# The team's Lambda workspace.\n[workspace]\nresolver = \"3\" # 2024 edition resolver\nmembers = [\"functions/greeter\", \"functions/orders\", \"extensions/audit-log\", \"tools/seed-data\"]\n\n[workspace.package]\nedition = \"2024\"\npublish = false\n\n# Keep debug builds quick.\n[profile.dev]\ndebug = 1\n";

#[test]
fn init_keeps_comments_byte_for_byte_and_a_second_run_changes_nothing() {
    let example = example_copy();
    let manifest = example.path().join("Cargo.toml");
    std::fs::write(&manifest, COMMENTED).unwrap();
    let output = run_in(&example.path(), &["init", "--recipe", "cargo-zigbuild"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let once = std::fs::read_to_string(&manifest).unwrap();
    assert!(
        once.starts_with(COMMENTED),
        "everything before the added tables is untouched:\n{once}"
    );
    assert_eq!(
        &once[COMMENTED.len()..],
        "\n[workspace.metadata.powertools]\narchitectures = [\"x86_64\", \"arm64\"]\nruntime = \"provided.al2023\"\nrecipe = \"cargo-zigbuild\"\n\n[profile.release]\nstrip = true\nlto = true\ncodegen-units = 1\nopt-level = \"s\"\npanic = \"abort\"\n"
    );
    let output = run_in(&example.path(), &["init", "--recipe", "cargo-zigbuild"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("Unchanged"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), once);
    // What init wrote is what package reads.
    let output = run_in(&example.path(), &["recipes", "show", "cargo-zigbuild"]);
    assert!(output.status.success());
}

#[test]
fn init_adds_only_missing_profile_keys_and_keeps_the_users() {
    let example = example_copy();
    let manifest = example.path().join("Cargo.toml");
    let original = format!(
        "{COMMENTED}\n[profile.release]\n# We measured: 3 is faster for us.\nopt-level = 3\n"
    );
    std::fs::write(&manifest, &original).unwrap();
    let output = run_in(&example.path(), &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("[profile.release]\n# We measured: 3 is faster for us.\nopt-level = 3\nstrip = true\nlto = true\ncodegen-units = 1\npanic = \"abort\"\n"), "{text}");
    let added = [
        "strip = true",
        "lto = true",
        "codegen-units = 1",
        "panic = \"abort\"",
    ];
    let without_added: String = text
        .lines()
        .filter(|l| !added.contains(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let powertools_table = "\n[workspace.metadata.powertools]\narchitectures = [\"x86_64\", \"arm64\"]\nruntime = \"provided.al2023\"\nrecipe = \"cargo-lambda\"\n";
    assert_eq!(without_added.replace(powertools_table, ""), original);

    let output = run_in(&example.path(), &["init", "--recipe", "bazel"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("error: no recipe is named `bazel`"));
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
}

fn assert_lines(haystack: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            haystack.lines().any(|l| l == *line),
            "expected the line {line:?} in:\n{haystack}"
        );
    }
}

#[test]
fn a_project_recipe_file_without_a_build_table_is_an_error_not_a_panic() {
    let example = example_copy();
    let folder = example.path().join("recipes");
    std::fs::create_dir_all(&folder).unwrap();
    // No `name`: it is the file's.
    std::fs::write(
        folder.join("our-zig.toml"),
        "language = \"rust\"\nsummary = \"ours\"\ntutorial = \"docs/ours.md\"\narchitectures = [\"x86_64\"]\n",
    )
    .unwrap();
    let expected = [
        &*format!(
            "error: invalid recipe {}: a rust recipe needs a [build] table: program, args and output",
            folder.join("our-zig.toml").display()
        ),
        "  help: fix the recipe; `cargo powertools recipes show cargo-lambda` (Rust) or `recipes show uv` (Python) prints a complete one to copy",
    ];
    let text = fails_leaving_earlier_output(
        powertools()
            .current_dir(example.path())
            .args(["package", "--recipe", "our-zig"]),
    );
    assert_lines(&text, &expected);
    assert_snapshot(
        "project_recipe_without_build",
        &text,
        &[(&example.path(), "[WORKSPACE]")],
    );
    // Every command that loads recipes says the same, whether or not it uses this one.
    for args in [&["recipes"][..], &["doctor"], &["init"]] {
        let output = run_in(&example.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_lines(&stderr(&output), &expected);
    }
}

#[test]
fn a_python_recipe_with_an_empty_install_command_is_an_error_not_a_panic() {
    let example = example_copy();
    example.append_to_manifest(
        "",
        "\n[workspace.metadata.powertools.recipes.empty-install]\nlanguage = \"python\"\nsummary = \"s\"\ntutorial = \"docs/s.md\"\narchitectures = [\"x86_64\", \"arm64\"]\npython = { lock = \"uv.lock\", install = [] }\n",
    );
    let stderr = fails_leaving_earlier_output(powertools().current_dir(example.path()).args([
        "package",
        "--bin",
        "orders-py",
        "--recipe",
        "empty-install",
    ]));
    assert_snapshot(
        "python_recipe_with_empty_install",
        &stderr,
        &[(&example.path(), "[WORKSPACE]")],
    );
    assert_lines(
        &stderr,
        &[&format!(
            "error: invalid recipe `empty-install` ([workspace.metadata.powertools.recipes] in {}): `python.install` is empty: give the program and its arguments, e.g. [\"program\", \"arg\"]",
            example.path().join("Cargo.toml").display()
        )],
    );
}

#[test]
fn an_unknown_placeholder_is_refused_with_the_known_ones() {
    let example = example_copy();
    example.append_to_manifest(
        "",
        "\n[workspace.metadata.powertools.recipes.typo]\nlanguage = \"rust\"\nsummary = \"s\"\ntutorial = \"docs/s.md\"\narchitectures = [\"x86_64\"]\nbuild = { program = \"cargo\", args = [\"build\", \"--target\", \"{traget}\"], output = \"{target_dir}/{triple}/{profile_dir}/{bin}\" }\n",
    );
    let output = run_in(&example.path(), &["recipes", "show", "typo"]);
    assert_eq!(output.status.code(), Some(1));
    assert_snapshot(
        "unknown_placeholder",
        &stderr(&output),
        &[(&example.path(), "[WORKSPACE]")],
    );
    assert_lines(
        &stderr(&output),
        &[&format!(
            "error: invalid recipe `typo` ([workspace.metadata.powertools.recipes] in {}): `build.args` uses the unknown placeholder `{{traget}}`; the known ones are {{target}}, {{lambda_dir}}",
            example.path().join("Cargo.toml").display()
        )],
    );
}

#[test]
fn init_adds_to_an_inline_release_profile_instead_of_panicking() {
    let example = example_copy();
    let manifest = example.path().join("Cargo.toml");
    let original = format!("{COMMENTED}\n[profile]\nrelease = {{ opt-level = 3 }}\n");
    std::fs::write(&manifest, &original).unwrap();
    let output = run_in(&example.path(), &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(
        text.contains("[profile]\nrelease = { opt-level = 3 , strip = true, lto = true, codegen-units = 1, panic = \"abort\" }\n"),
        "{text}"
    );
    // cargo reads what init wrote.
    let output = run_in(&example.path(), &["recipes"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn init_keeps_crlf_line_endings_the_file_mode_and_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let example = example_copy();
    // The workspace's Cargo.toml is a link to a file kept elsewhere, written with CRLF, mode 0664.
    let kept = example.outer.path().join("kept-Cargo.toml");
    std::fs::write(&kept, COMMENTED.replace('\n', "\r\n")).unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o664)).unwrap();
    let manifest = example.path().join("Cargo.toml");
    std::fs::remove_file(&manifest).unwrap();
    std::os::unix::fs::symlink(&kept, &manifest).unwrap();

    let output = run_in(&example.path(), &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(&manifest)
            .unwrap()
            .file_type()
            .is_symlink(),
        "Cargo.toml is still a link"
    );
    let text = std::fs::read_to_string(&kept).unwrap();
    assert!(
        text.starts_with(&COMMENTED.replace('\n', "\r\n")),
        "{text:?}"
    );
    assert!(
        text.contains("[profile.release]\r\nstrip = true\r\n"),
        "{text:?}"
    );
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "{text:?}"
    );
    assert_eq!(
        std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
        0o664
    );
}

/// Every line of stdout is a JSON object with a `reason`; the last says how the command finished.
fn json_lines(output: &std::process::Output) -> Vec<serde_json::Value> {
    let text = stdout(output);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: not JSON: {line:?}\n{text}"))
        })
        .collect();
    assert!(lines.iter().all(|l| l["reason"].is_string()), "{text}");
    let last = lines.last().unwrap_or_else(|| panic!("no JSON on stdout"));
    assert_eq!(last["reason"], "finished", "{text}");
    assert_eq!(
        last["success"],
        output.status.success(),
        "the finished line tells the exit status:\n{text}"
    );
    lines
}

#[test]
fn with_json_messages_recipes_show_doctor_and_init_print_only_json_on_stdout() {
    let example = example_copy();
    let json = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--message-format", "json"]);
        run_in(&example.path(), &all)
    };
    let output = json(&["recipes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Which recipes are usable depends on the machine: the snapshot keeps the rest.
    let stream = without_usability(&stdout(&output));
    assert_snapshot("recipes_json_stream", &stream, &[]);
    let lines = json_lines(&output);
    assert!(
        lines
            .iter()
            .any(|l| l["reason"] == "recipe" && l["name"] == "cargo-lambda"),
        "{lines:?}"
    );

    let output = json(&["recipes", "show", "uv"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines[0]["reason"], "recipe");
    assert_eq!(lines[0]["language"], "python");
    assert!(
        lines[0]["source"]
            .as_str()
            .is_some_and(|s| s.contains("[python]"))
    );

    // Whatever doctor decides here (it depends on the tools installed), stdout is JSON only and
    // its last line agrees with the exit status.
    let output = json(&["doctor"]);
    let lines = json_lines(&output);
    assert!(lines.iter().any(|l| l["reason"] == "check"), "{lines:?}");
    if !output.status.success() {
        assert!(lines.last().unwrap()["error"].is_string(), "{lines:?}");
    }

    let output = json(&["recipes", "show", "bazel"]);
    assert_eq!(output.status.code(), Some(1));
    assert_snapshot("unknown_recipe_json_stream", &stdout(&output), &[]);
    assert_snapshot("unknown_recipe", &stderr(&output), &[]);
    let lines = json_lines(&output);
    assert_eq!(lines.last().unwrap()["error"], "no recipe is named `bazel`");
    assert!(stderr(&output).contains("error: no recipe is named `bazel`"));

    let output = json(&["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines[0]["reason"], "init");
}

#[test]
fn help_and_version_succeed_on_stdout_and_a_wrong_command_line_is_status_2() {
    let output = run(powertools().arg("--help"));
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("Usage: cargo powertools"),
        "{}",
        stdout(&output)
    );
    let output = run(powertools().arg("--version"));
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).starts_with("cargo-powertools "),
        "{}",
        stdout(&output)
    );
    let output = run(powertools().arg("pakage"));
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("error: unrecognized subcommand 'pakage'"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    // `cargo powertools recipes | head -0`: the reader is gone before anything is written.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-powertools"))
        .arg("recipes")
        .current_dir(repo_root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// A `recipes` JSON stream without `usable` and `why_not`, which depend on the tools installed.
fn without_usability(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            if value["reason"] == "recipe" {
                value["usable"] = "[USABLE]".into();
                value["why_not"] = "[WHY_NOT]".into();
            }
            format!("{value}\n")
        })
        .collect()
}

#[test]
fn a_multi_target_recipe_without_a_target_pair_is_refused_and_leaves_earlier_output() {
    let example = example_copy();
    example.append_to_manifest(
        "",
        "\n[workspace.metadata.powertools.recipes.joined]\nlanguage = \"rust\"\nsummary = \"s\"\ntutorial = \"docs/s.md\"\narchitectures = [\"x86_64\", \"arm64\"]\nbuild = { program = \"cargo\", args = [\"build\", \"--target={target}\"], output = \"{target_dir}/{triple}/{profile_dir}/{bin}\", multi-target = true }\n",
    );
    let stderr =
        fails_leaving_earlier_output(package_in(&example.path()).args(["--recipe", "joined"]));
    assert_lines(
        &stderr,
        &[&format!(
            "error: invalid recipe `joined` ([workspace.metadata.powertools.recipes] in {}): `build.multi-target = true` needs the two args \"--target\", \"{{target}}\" in `build.args`, which are repeated once per target",
            example.path().join("Cargo.toml").display()
        )],
    );
}

#[test]
fn jobs_must_be_at_least_one() {
    let example = example_copy();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("out");
    let output = run(powertools()
        .current_dir(example.path())
        .args(["package", "--jobs", "0", "--out-dir"])
        .arg(&out_dir));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error: invalid value '0' for '--jobs <N>': 0 is not in 1.."),
        "{}",
        stderr(&output)
    );
    assert!(
        !out_dir.exists(),
        "a usage error wrote {}",
        out_dir.display()
    );
}
