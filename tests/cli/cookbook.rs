//! The cookbook is tested: every `sh` block of every page under docs/ runs (in order, in a fresh
//! copy of the example workspace) and must succeed, `sh fails-here` blocks must fail with the
//! error the page shows, install blocks must equal the recipe files, the CI examples' commands run,
//! and the deployment examples are checked with the tools that install here (SAM CLI, AWS CDK).
use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fenced code block of a Markdown page.
#[derive(Debug)]
struct Block {
    info: String,
    body: String,
    /// 1-based line of the opening fence.
    line: usize,
    /// `NAME` of an `<!-- install: NAME -->` comment right before the block.
    install: Option<String>,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = markdown.lines().enumerate();
    let mut previous = "";
    while let Some((index, line)) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            for (_, inner) in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            let install = previous
                .strip_prefix("<!-- install: ")
                .and_then(|r| r.strip_suffix(" -->"))
                .map(String::from);
            found.push(Block {
                info: info.trim().to_string(),
                body,
                line: index + 1,
                install,
            });
        }
        if !line.trim().is_empty() {
            previous = line;
        }
    }
    found
}

fn doc_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(repo_root().join("docs"))
        .into_iter()
        .map(Result::unwrap)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}

/// The cargo target directory whose builds a page shares: a recipe page its recipe's, with the
/// recipe tests; every other page the one the rest of the suite builds the example in.
fn shared_builds_for(page: &Path) -> PathBuf {
    let recipe = page
        .parent()
        .filter(|d| d.ends_with("recipes"))
        .and(page.file_stem());
    match recipe {
        Some(name) if name != "cargo-lambda" => {
            repo_root().join(format!("target/integration-{}", name.to_string_lossy()))
        }
        _ => shared_target_dir(),
    }
}

/// A page's own cargo target directory, made afresh: pages run side by side (one test each), so
/// each has its own `target/powertools` output, while its `powertools-build` (the compiled
/// crates) and the build lock are links into the shared directory of [`shared_builds_for`]. Runs
/// that build take turns on that lock as they would in one target directory.
fn target_dir_for(page: &Path) -> PathBuf {
    let slug = page
        .strip_prefix(repo_root().join("docs"))
        .unwrap()
        .with_extension("")
        .to_string_lossy()
        .replace('/', "-");
    own_target_dir(&slug, &shared_builds_for(page))
}

fn own_target_dir(name: &str, shared: &Path) -> PathBuf {
    let dir = repo_root().join("target/integration-pages").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(shared.join("powertools-build")).unwrap();
    let lock = shared.join(".powertools-build.lock");
    if !lock.exists() {
        let _ = std::fs::File::create(&lock);
    }
    std::os::unix::fs::symlink(
        shared.join("powertools-build"),
        dir.join("powertools-build"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&lock, dir.join(".powertools-build.lock")).unwrap();
    dir
}

/// bash, in `dir`, with `cargo powertools` and the recipes' tools on PATH. `dir/target` is a link
/// to `target_dir`, so that the pages' `target/powertools/...` paths are where output lands while
/// compiled dependencies are shared between pages.
fn shell(dir: &Path, target_dir: &Path, script: &str) -> std::process::Output {
    let link = dir.join("target");
    if std::fs::symlink_metadata(&link).is_err() {
        std::fs::create_dir_all(target_dir).unwrap();
        std::os::unix::fs::symlink(target_dir, &link).unwrap();
    }
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_cargo-powertools"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut dirs = vec![binary_dir];
    dirs.extend(std::env::split_paths(&path_with_tools()));
    let mut command = Command::new("bash");
    command
        .args(["-c", &format!("set -euo pipefail\n{script}")])
        .current_dir(dir)
        .env("PATH", std::env::join_paths(dirs).unwrap())
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("SOURCE_DATE_EPOCH")
        .envs(fixture_build_env());
    command.output().unwrap()
}

fn combined(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The install lines a recipe page must show: `tool: command`, from the recipe file.
fn install_lines(recipe: &str) -> String {
    let text = std::fs::read_to_string(repo_root().join(format!("recipes/{recipe}.toml"))).unwrap();
    let recipe: cargo_powertools::recipe::RecipeFile = toml_edit::de::from_str(&text).unwrap();
    recipe
        .tools
        .iter()
        .flat_map(|t| t.install.iter().map(move |i| format!("{}: {i}\n", t.name)))
        .collect()
}

fn run_page(page: &Path) {
    let name = page
        .strip_prefix(repo_root())
        .unwrap()
        .display()
        .to_string();
    let markdown = std::fs::read_to_string(page).unwrap();
    let blocks = blocks(&markdown);
    let example = example_copy();
    let target_dir = target_dir_for(page);
    if name == "docs/recipes/poetry.md" {
        // This machine reaches the package index's simple API only; Poetry asks its JSON API by
        // default (see ../shared/ENVIRONMENT.md). Set-up for the test, not part of the page.
        let index = Command::new("python3")
            .args([
                "-c",
                "from pip._internal.models.index import PyPI; print(PyPI.simple_url)",
            ])
            .output()
            .unwrap();
        let index = String::from_utf8(index.stdout).unwrap();
        let output = shell(
            &example.path(),
            &target_dir,
            &format!(
                "cd python/orders-py && poetry source add --priority=primary simple {}",
                index.trim()
            ),
        );
        assert!(output.status.success(), "{}", combined(&output));
    }
    // A page that installs cargo-powertools from PyPI (uvx, pip) gets the wheel built from this
    // checkout, as the one package index entry for it. Set-up for the test, not part of the page.
    let find_wheel = if markdown.contains("uvx cargo-powertools") {
        let dir = crate::install::wheel()
            .parent()
            .unwrap()
            .display()
            .to_string();
        format!("export UV_FIND_LINKS='{dir}' PIP_FIND_LINKS='{dir}'\n")
    } else {
        String::new()
    };
    for (index, block) in blocks.iter().enumerate() {
        if let Some(recipe) = &block.install {
            assert_eq!(
                block.body,
                install_lines(recipe),
                "{name}:{}: the install block differs from recipes/{recipe}.toml",
                block.line
            );
        }
        match block.info.as_str() {
            "sh" => {
                let script = format!("{find_wheel}{}", block.body);
                let output = shell(&example.path(), &target_dir, &script);
                assert!(
                    output.status.success(),
                    "{name}:{}: this block failed:\n{}\n{}",
                    block.line,
                    block.body,
                    combined(&output)
                );
            }
            "sh fails-here" => {
                let output = shell(&example.path(), &target_dir, &block.body);
                assert!(
                    !output.status.success(),
                    "{name}:{}: expected this block to fail here:\n{}",
                    block.line,
                    block.body
                );
                let shown = blocks[index + 1..]
                    .iter()
                    .find(|b| b.info == "text")
                    .expect("a text block with the error");
                let error = shown
                    .body
                    .lines()
                    .find(|l| l.starts_with("error: "))
                    .expect("an error line");
                let error = error.trim_end_matches(" ...");
                assert!(
                    combined(&output).contains(error),
                    "{name}:{}: expected {error:?} in:\n{}",
                    block.line,
                    combined(&output)
                );
            }
            // Shown, not run: output, files, and commands for another system (Windows).
            "text" | "toml" | "json" | "yaml" | "powershell" | "" => {}
            other => panic!(
                "{name}:{}: unknown block kind `{other}`: use sh, sh fails-here, text or powershell",
                block.line
            ),
        }
    }
}

/// Each line of a CI example that runs `cargo powertools`, as a command.
fn powertools_commands(ci_file: &str) -> Vec<String> {
    ci_file
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ")
                .trim()
        })
        .filter(|l| l.starts_with("cargo powertools"))
        .map(String::from)
        .collect()
}

/// The tools the pages use, all of them needed.
fn page_tools() -> Vec<&'static str> {
    [
        PACKAGING_TOOLS,
        &[
            "cargo-zigbuild",
            "aarch64-linux-gnu-gcc",
            "qemu-aarch64-static",
            "poetry",
            "pex",
            "unzip",
            "maturin",
            "auditwheel",
        ],
    ]
    .concat()
}

/// One test per page (`docs/<page>.md`), so that pages run side by side and one failure hides
/// no other; [`every_page_has_its_test`] keeps the list complete.
macro_rules! page_tests {
    ($($test:ident => $page:literal,)*) => {
        const PAGES: &[&str] = &[$($page),*];
        $(
            #[test]
            fn $test() {
                if !require_tools(&page_tools()) {
                    return;
                }
                run_page(&repo_root().join("docs").join($page));
            }
        )*
    };
}

page_tests! {
    page_architecture => "architecture.md",
    page_ci => "ci.md",
    page_deploy_python => "deploy-python.md",
    page_deploy => "deploy.md",
    page_getting_started => "getting-started.md",
    page_index => "README.md",
    page_install => "install.md",
    page_openapi => "openapi.md",
    page_profile => "profile.md",
    page_profiling => "profiling.md",
    page_python_cold_start => "python-cold-start.md",
    page_python_teams => "python-teams.md",
    page_recipe_cargo_lambda => "recipes/cargo-lambda.md",
    page_recipe_cargo_zigbuild => "recipes/cargo-zigbuild.md",
    page_recipe_cargo => "recipes/cargo.md",
    page_recipe_cross => "recipes/cross.md",
    page_recipe_pants => "recipes/pants.md",
    page_recipe_pex => "recipes/pex.md",
    page_recipe_pip => "recipes/pip.md",
    page_recipe_poetry => "recipes/poetry.md",
    page_recipe_uv => "recipes/uv.md",
    page_runtimes_and_architectures => "runtimes-and-architectures.md",
    page_scale_out => "scale-out.md",
    page_troubleshooting => "troubleshooting.md",
    page_verification => "verification.md",
}

#[test]
fn every_page_has_its_test() {
    let listed: Vec<PathBuf> = PAGES
        .iter()
        .map(|p| repo_root().join("docs").join(p))
        .collect();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(
        listed_sorted,
        doc_pages(),
        "each page under docs/ has a line in `page_tests!` (tests/cli/cookbook.rs)"
    );
}

#[test]
fn the_gitlab_ci_example_runs() {
    if !require_tools(&page_tools()) {
        return;
    }
    // The GitHub Actions example runs the action (action.yml), whose steps tests/cli/install.rs
    // runs on the example.
    let file = "examples/ci/gitlab-ci.yml";
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    let commands = powertools_commands(&text);
    assert_eq!(commands.len(), 3, "{file}: doctor, package, verify");
    let example = example_copy();
    let output = shell(
        &example.path(),
        &own_target_dir("gitlab-ci", &shared_target_dir()),
        &commands.join("\n"),
    );
    assert!(output.status.success(), "{file}:\n{}", combined(&output));
}

#[test]
fn every_recipe_has_a_tutorial_linked_from_the_cookbook_and_the_readme() {
    let index = std::fs::read_to_string(repo_root().join("docs/README.md")).unwrap();
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for loaded in cargo_powertools::recipe::Recipes::built_in()
        .unwrap()
        .iter()
    {
        let tutorial = &loaded.recipe.info().tutorial;
        assert!(repo_root().join(tutorial).is_file(), "{tutorial} exists");
        let link = format!("({})", tutorial.trim_start_matches("docs/"));
        assert!(index.contains(&link), "docs/README.md links {tutorial}");
    }
    for page in doc_pages() {
        let relative = page
            .strip_prefix(repo_root().join("docs"))
            .unwrap()
            .display()
            .to_string();
        assert!(
            relative == "README.md" || index.contains(&format!("({relative})")),
            "docs/README.md links {relative}"
        );
    }
    assert!(
        readme.contains("(docs/README.md)"),
        "the README links the cookbook"
    );
}

/// The deployment examples next to a packaged copy of the example's output, as their relative
/// paths (`../../workspace/target/powertools`) expect.
fn deploy_examples() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(repo_root().join("examples/deploy"))
        .into_iter()
        .filter_entry(|e| e.file_name() != "node_modules" && e.file_name() != "cdk.out")
    {
        let entry = entry.unwrap();
        let dest = dir.path().join("examples/deploy").join(
            entry
                .path()
                .strip_prefix(repo_root().join("examples/deploy"))
                .unwrap(),
        );
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    let out = dir.path().join("examples/workspace/target/powertools");
    std::fs::create_dir_all(&out).unwrap();
    copy_tree(packaged_example().out.path(), &out);
    dir
}

fn deploy_tool(name: &str) -> PathBuf {
    let path = repo_root().join(".tools/deploy-venv/bin").join(name);
    assert!(
        path.is_file(),
        "{} is installed by .ci/setup",
        path.display()
    );
    path
}

#[test]
fn the_sam_template_passes_sam_validate_lint_and_a_malformed_architecture_does_not() {
    if !require_tools(&[PACKAGING_TOOLS, &["sam"]].concat()) {
        return;
    }
    let dir = deploy_examples();
    let sam_dir = dir.path().join("examples/deploy/sam");
    let validate = |dir: &Path| {
        Command::new(deploy_tool("sam"))
            .args([
                "validate",
                "--lint",
                "--template",
                "template.yaml",
                "--region",
                "us-east-1",
            ])
            .current_dir(dir)
            .env("SAM_CLI_TELEMETRY", "0")
            .output()
            .unwrap()
    };
    let output = validate(&sam_dir);
    assert!(output.status.success(), "{}", combined(&output));
    assert!(
        combined(&output).contains("is a valid SAM Template"),
        "{}",
        combined(&output)
    );
    for zip in ["greeter", "orders", "hello", "catalog", "audit-log"] {
        let uri = format!("../../workspace/target/powertools/arm64/{zip}.zip");
        assert!(
            std::fs::read_to_string(sam_dir.join("template.yaml"))
                .unwrap()
                .contains(&uri)
        );
        assert!(
            sam_dir.join(&uri).is_file(),
            "{uri} exists next to the template"
        );
    }
    let template = std::fs::read_to_string(sam_dir.join("template.yaml")).unwrap();
    // A common slip: Architectures as a string, not a list.
    std::fs::write(
        sam_dir.join("template.yaml"),
        template.replace("Architectures: [arm64]", "Architectures: arm64"),
    )
    .unwrap();
    let output = validate(&sam_dir);
    assert!(
        !output.status.success(),
        "lint must reject Architectures that is not a list:\n{}",
        combined(&output)
    );
}

#[test]
fn the_cdk_app_synthesizes_functions_and_a_layer_from_the_manifest() {
    if !require_tools(&[PACKAGING_TOOLS, &["cdk"]].concat()) {
        return;
    }
    let cdk = repo_root().join("examples/deploy/cdk");
    assert!(
        cdk.join("node_modules/.bin/cdk").is_file(),
        "the CDK is installed by .ci/setup"
    );
    let out = tempfile::tempdir().unwrap();
    let manifest_path = packaged_example().out.path().join("manifest.json");
    let output = Command::new(cdk.join("node_modules/.bin/cdk"))
        .args(["synth", "--quiet", "--output"])
        .arg(out.path())
        .current_dir(&cdk)
        .env("POWERTOOLS_MANIFEST", &manifest_path)
        .env("POWERTOOLS_ARCH", "arm64")
        .env("CDK_DISABLE_VERSION_CHECK", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", combined(&output));
    let template: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.path().join("PowertoolsExample.template.json")).unwrap(),
    )
    .unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let functions: Vec<&serde_json::Value> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::Lambda::Function")
        .collect();
    assert_eq!(
        functions.len(),
        6,
        "greeter, orders, hello, catalog, orders-py and reviews-py"
    );
    for function in &functions {
        assert_eq!(
            function["Properties"]["Architectures"],
            serde_json::json!(["arm64"])
        );
    }
    let runtimes: std::collections::BTreeSet<(String, String)> = functions
        .iter()
        .map(|f| {
            let properties = &f["Properties"];
            (
                properties["Runtime"].as_str().unwrap().to_string(),
                properties["Handler"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: std::collections::BTreeSet<(String, String)> = [
        ("provided.al2023", "bootstrap"),
        ("python3.11", "app.handler"),
    ]
    .iter()
    .map(|(r, h)| (r.to_string(), h.to_string()))
    .collect();
    assert_eq!(runtimes, expected);
    assert_eq!(
        resources
            .values()
            .filter(|r| r["Type"] == "AWS::Lambda::LayerVersion")
            .count(),
        1
    );
    // Each asset is the packaged zip itself, byte for byte.
    let assets: Vec<Vec<u8>> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(assets.len(), 7);
    for zip in [
        "greeter",
        "orders",
        "hello",
        "catalog",
        "audit-log",
        "orders-py",
        "reviews-py",
    ] {
        let bytes = std::fs::read(
            packaged_example()
                .out
                .path()
                .join(format!("arm64/{zip}.zip")),
        )
        .unwrap();
        assert!(
            assets.contains(&bytes),
            "arm64/{zip}.zip is an asset as it is"
        );
    }
}

#[test]
fn the_terraform_configuration_takes_filename_and_source_code_hash_from_the_manifest() {
    if !require_tools(&["python-hcl2"]) {
        return;
    }
    let resources = terraform_file(&repo_root().join("examples/deploy/terraform/main.tf"));
    for kind in [
        "aws_lambda_function.function",
        "aws_lambda_layer_version.extension",
    ] {
        let resource = &resources[kind];
        assert_eq!(
            resource["source_code_hash"], "${each.value.code_sha256}",
            "{kind}"
        );
        assert_eq!(
            resource["filename"], "\"${local.manifest_dir}/${each.value.path}\"",
            "{kind}"
        );
    }
    let function = &resources["aws_lambda_function.function"];
    assert_eq!(function["runtime"], "${each.value.runtime}");
    assert_eq!(
        function["architectures"],
        serde_json::json!(["${each.value.arch}"])
    );
    assert_eq!(
        function["handler"],
        "${try(each.value.handler, \"bootstrap\")}"
    );
}
