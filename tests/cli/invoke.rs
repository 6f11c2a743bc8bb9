//! Packaged bootstraps answer real invocations: each zip is unpacked and its `bootstrap` started
//! (arm64 under qemu-user) against cargo-lambda's Lambda Runtime API emulator, by hand and through
//! `cargo powertools verify --invoke`.
use crate::support::*;
use cargo_powertools::invoke::glibc_build;
use cargo_powertools::platform::{self, group_alive};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process that is killed, with its process group, when dropped.
struct Running(Child);

impl Running {
    /// Starts `command` leading a process group of its own, so its id is the group's id.
    fn spawn(command: &mut Command) -> Running {
        Running(
            platform::own_process_group(command)
                .stdin(Stdio::null())
                .spawn()
                .unwrap(),
        )
    }

    fn group(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        platform::kill_group(&mut self.0);
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the runtime API emulator did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Unzips `arch/function.zip`, runs its bootstrap against the emulator and returns the answer to `event`.
fn invoke(function: &str, arch: &str, event: &str) -> String {
    let packaged = packaged_example();
    let unpacked = unzip(&packaged.out.path().join(format!("{arch}/{function}.zip")));
    let port = free_port();
    let emulator = Running::spawn(
        Command::new("cargo")
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-port",
                &port.to_string(),
            ])
            .current_dir(packaged.workspace.path())
            .env("PATH", path_with_tools())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    wait_for_port(port);

    let mut bootstrap = if arch == "arm64" {
        // No `-L`: qemu takes the loader and libc both from the multiarch libc6:arm64 (`-L
        // /usr/aarch64-linux-gnu` would mix in the cross package's loader, which hangs threads).
        let mut command = Command::new("qemu-aarch64-static");
        command.arg("./bootstrap");
        command
    } else {
        Command::new("./bootstrap")
    };
    bootstrap
        .current_dir(unpacked.path())
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{port}/.rt"),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", "_")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let function = Running::spawn(&mut bootstrap);

    let output = assert_cmd::Command::new("cargo")
        .args([
            "lambda",
            "invoke",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
            &port.to_string(),
            "--data-ascii",
            event,
            "_",
        ])
        .env("PATH", path_with_tools())
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "invoke failed: {}",
        stderr(&output)
    );

    let groups = [emulator.group(), function.group()];
    drop((emulator, function));
    for pgid in groups {
        assert!(!group_alive(pgid), "process group {pgid} outlived the test");
    }
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_x86_64_greeter_answers_natively() {
    if !require_tools(&[PACKAGING_TOOLS, &["unzip"]].concat()) {
        return;
    }
    let answer = invoke("greeter", "x86_64", r#"{"name":"Ada"}"#);
    assert_eq!(answer.trim(), r#"{"message":"Hello, Ada!"}"#);
}

#[test]
fn the_arm64_greeter_answers_under_qemu() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static", "unzip"]].concat()) {
        return;
    }
    let answer = invoke("greeter", "arm64", r#"{"name":"Grace"}"#);
    assert_eq!(answer.trim(), r#"{"message":"Hello, Grace!"}"#);
}

#[test]
fn the_arm64_orders_function_answers_under_qemu() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static", "unzip"]].concat()) {
        return;
    }
    let answer = invoke(
        "orders",
        "arm64",
        r#"{"id":"o-1","lines":[{"quantity":3,"unit_price_cents":250}]}"#,
    );
    assert_eq!(answer.trim(), r#"{"id":"o-1","total_cents":750}"#);
}

/// `cargo lambda new`'s function: the default multi-thread `#[tokio::main]`, which hung under qemu
/// when the loader and libc came from two glibc builds.
#[test]
fn the_arm64_default_multi_thread_function_answers_under_qemu() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static", "unzip"]].concat()) {
        return;
    }
    let answer = invoke("hello", "arm64", r#"{"command":"hi"}"#);
    assert!(answer.contains(r#""msg":"Command hi.""#), "{answer}");
}

#[test]
fn verify_invokes_the_default_multi_thread_function_on_both_architectures() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static"]].concat()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let packaged = packaged_example();
    let output = verify_invoke(tmp.path())
        .args(["--timeout", "60", "--function", "hello", "--event"])
        .arg(packaged.workspace.path().join("events/hello.json"))
        .arg(packaged.out.path().join("manifest.json"))
        .output()
        .unwrap();
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");
    for (arch, runner) in [
        ("x86_64", "natively"),
        ("arm64", "under qemu-aarch64-static"),
    ] {
        let answered = stderr
            .lines()
            .find(|l| l.contains(&format!("Answered {arch}/hello.zip in ")))
            .unwrap_or_else(|| panic!("no answer from {arch}/hello.zip:\n{stderr}"));
        assert!(
            answered.contains(&format!("({runner}): {{\"req_id\":\"")),
            "{answered}"
        );
        assert!(answered.ends_with(r#","msg":"Command hi."}"#), "{answered}");
    }
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}

/// The mix that hangs, forced through qemu's own variable: refused with both builds named, at once.
#[test]
fn a_loader_and_libc_of_two_glibc_builds_are_refused_before_running() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static"]].concat()) {
        return;
    }
    let sysroot = std::path::Path::new("/usr/aarch64-linux-gnu");
    let multiarch_libc = std::path::Path::new("/usr/lib/aarch64-linux-gnu/libc.so.6");
    let builds = (
        glibc_build(&sysroot.join("lib/ld-linux-aarch64.so.1")),
        glibc_build(multiarch_libc),
    );
    let (Some(cross), Some(multiarch)) = builds else {
        eprintln!("skipped: needs both libc6-arm64-cross and libc6:arm64 installed");
        return;
    };
    if cross == multiarch {
        eprintln!("skipped: libc6-arm64-cross and libc6:arm64 are one glibc build here ({cross})");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let zip = packaged_example().out.path().join("arm64/hello.zip");
    let stderr = fails(
        verify_invoke(tmp.path())
            .env("QEMU_LD_PREFIX", sysroot)
            .arg(&zip)
            .timeout(Duration::from_secs(60)),
    );
    assert!(stderr.contains("error: cannot run the arm64 bootstrap under qemu: no C library root has its loader and libc from one glibc build:\n  - -L /usr/aarch64-linux-gnu: the loader /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 is Debian GLIBC "), "{stderr}");
    assert!(
        stderr.contains(" but libc /usr/lib/aarch64-linux-gnu/libc.so.6 is Debian GLIBC "),
        "{stderr}"
    );
    assert!(stderr.contains("help: unset QEMU_LD_PREFIX"), "{stderr}");
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}

/// The library call other code uses (e.g. `openapi`): a packaged function's answer to an event,
/// and the error it reports for a bad one, with Lambda's REPORT figures.
#[test]
fn the_library_invokes_a_packaged_function_and_reports_its_errors() {
    if !require_tools(&[PACKAGING_TOOLS, &["qemu-aarch64-static"]].concat()) {
        return;
    }
    use cargo_powertools::invoke::{self, Function, InvokeOptions};
    use cargo_powertools::process::ProcessGroups;
    let manifest = packaged_example().out.path().join("manifest.json");
    let manifest: cargo_powertools::manifest::Manifest =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let groups = ProcessGroups::default();
    for artifact in manifest.artifacts.iter().filter(|a| a.function == "hello") {
        let function = Function::from_artifact(packaged_example().out.path(), artifact);
        let mut session =
            invoke::Session::start(&function, &InvokeOptions::default(), &groups).unwrap();
        let answer = session.invoke(br#"{"command":"hi"}"#).unwrap();
        assert_eq!(answer.failure, None, "{answer:?}");
        let response: serde_json::Value = serde_json::from_str(&answer.response).unwrap();
        assert_eq!(response["msg"], "Command hi.");
        assert_eq!(response["req_id"], answer.request_id.as_str());
        assert!(
            answer.init_duration.is_some(),
            "a cold start has an init duration"
        );
        assert!(answer.max_memory_kib.unwrap() > 0);

        // The same process, warm: no init duration; an event it cannot read is its error.
        let failed = session.invoke(b"{}").unwrap();
        assert_eq!(failed.init_duration, None);
        let failure = failed.failure.expect("a failure");
        assert!(
            failure.message.contains("missing field `command`"),
            "{failure:?}"
        );
        assert_ne!(failed.request_id, answer.request_id);
    }
}

/// `tests/fixtures/memory` (one function that holds as much memory as its event asks for),
/// packaged once for both architectures; its dependencies build once, shared with the example's.
fn packaged_memory_fixture() -> &'static std::path::Path {
    static PACKAGED: std::sync::OnceLock<(tempfile::TempDir, tempfile::TempDir)> =
        std::sync::OnceLock::new();
    let (_, out) = PACKAGED.get_or_init(|| {
        let workspace = tempfile::tempdir().unwrap();
        copy_tree(&repo_root().join("tests/fixtures/memory"), workspace.path());
        let out = packaged_into_new_dir(
            powertools()
                .current_dir(workspace.path())
                .args(["package", "--locked"]),
        );
        (workspace, out)
    });
    out.path()
}

fn event_file(dir: &std::path::Path, json: &str) -> std::path::PathBuf {
    let path = dir.join(format!("event-{}.json", json.len()));
    std::fs::write(&path, json).unwrap();
    path
}

/// The `reason: invocation` objects of a `--message-format json` run.
fn invocations(output: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["reason"] == "invocation")
        .collect()
}

#[test]
fn max_memory_used_covers_what_a_function_holds_on_both_architectures() {
    if !require_tools(&[
        "cargo-lambda",
        "zig",
        "rust-std-aarch64",
        "qemu-aarch64-static",
    ]) {
        return;
    }
    let out = packaged_memory_fixture();
    let tmp = tempfile::tempdir().unwrap();
    let run = |hold_mib: u64| {
        let output = verify_invoke(tmp.path())
            .args(["--message-format", "json", "--event"])
            .arg(event_file(
                tmp.path(),
                &format!(r#"{{"hold_mib":{hold_mib}}}"#),
            ))
            .arg(out.join("manifest.json"))
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let found = invocations(&output);
        assert_eq!(found.len(), 2, "one invocation per architecture: {found:?}");
        found
    };
    for invocation in run(96) {
        let used = invocation["max_memory_used_mb"].as_u64().unwrap();
        assert!(
            used >= 96,
            "holding 96 MiB, reported {used} MB: {invocation}"
        );
        assert!(
            used < 96 + 64,
            "holding 96 MiB, reported {used} MB: {invocation}"
        );
        assert_eq!(invocation["function"], "hold-memory");
        assert_eq!(invocation["runtime"], "provided.al2023");
        assert_eq!(invocation["status"], "ok");
        assert_eq!(invocation["response"], r#"{"held_mib":96}"#);
        assert_eq!(
            invocation["emulated"],
            invocation["arch"] == "arm64",
            "{invocation}"
        );
        assert!(invocation["init_duration_ms"].as_f64().unwrap() > 0.0);
        let duration = invocation["duration_ms"].as_f64().unwrap();
        let billed = invocation["billed_duration_ms"].as_u64().unwrap();
        assert!(billed as f64 >= duration, "{invocation}");
    }
    for invocation in run(0) {
        let used = invocation["max_memory_used_mb"].as_u64().unwrap();
        // Under qemu the figure includes the emulator, whose share at rest is reported beside it.
        assert!(
            used < 48,
            "holding nothing, reported {used} MB: {invocation}"
        );
        if invocation["arch"] == "arm64" {
            let at_rest = invocation["emulator_at_rest_mb"].as_u64().unwrap();
            assert!(at_rest > 0 && at_rest <= used, "{invocation}");
        }
    }
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_baseline_fails_a_function_that_got_heavier_and_passes_one_that_did_not() {
    if !require_tools(&["cargo-lambda", "zig", "rust-std-aarch64"]) {
        return;
    }
    let zip = packaged_memory_fixture().join("x86_64/hold-memory.zip");
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline.json");
    let light = event_file(tmp.path(), r#"{"hold_mib":0}"#);
    let heavy = event_file(tmp.path(), r#"{"hold_mib":64}"#);
    let text = succeeds(
        verify_invoke(tmp.path())
            .args(["--repeat", "5", "--event"])
            .arg(&light)
            .arg("--profile-out")
            .arg(&baseline)
            .arg(&zip),
    );
    assert_eq!(text.matches("REPORT RequestId: ").count(), 5, "{text}");
    assert_eq!(text.matches("\tInit Duration: ").count(), 1, "{text}");
    assert!(
        text.contains("Profile x86_64/hold-memory.zip: 5 invocation(s), init ")
            || text.contains("hold-memory.zip: 5 invocation(s), init "),
        "{text}"
    );
    assert!(text.contains(", warm duration min "), "{text}");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    assert_eq!(written["profiles"][0]["function"], "hold-memory");
    assert_eq!(written["profiles"][0]["invocations"], 5);

    // The same function, the same event: its memory as before. Its warm duration is a time on a
    // shared machine (0.50 ms against 3.79 ms was seen with the suite running beside it): shown,
    // and it decides the exit status, but what it is is not this test's to judge.
    let output = run(verify_invoke(tmp.path())
        .args(["--repeat", "15", "--event"])
        .arg(&light)
        .arg("--baseline")
        .arg(&baseline)
        .arg(&zip));
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(text.contains("function     arch    metric"), "{text}");
    let row = |metric: &str| {
        text.lines()
            .find(|l| l.starts_with("hold-memory ") && l.contains(metric))
            .unwrap_or_else(|| panic!("no {metric} row:\n{text}"))
            .to_string()
    };
    assert!(!row("max memory used").contains("REGRESSED"), "{text}");
    let duration_regressed = row("median warm duration").contains("REGRESSED");
    assert_eq!(
        output.status.code(),
        Some(if duration_regressed { 1 } else { 0 }),
        "{text}"
    );

    // Holding 64 MiB more: the memory regression fails the run, with the table.
    let text = fails(
        verify_invoke(tmp.path())
            .args(["--repeat", "5", "--event"])
            .arg(&heavy)
            .arg("--baseline")
            .arg(&baseline)
            .arg(&zip),
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("hold-memory ") && l.contains("max memory used"))
        .unwrap_or_else(|| panic!("no memory row:\n{text}"));
    assert!(
        row.starts_with("hold-memory  x86_64  max memory used"),
        "{row}"
    );
    assert!(row.contains("REGRESSED (limit +10%)"), "{row}");
    // One figure, or two when the warm duration grew too on this busy machine.
    assert!(
        text.contains("error: 1 figure(s) grew by more than 10% against the baseline")
            || text.contains("error: 2 figure(s) grew by more than 10% against the baseline"),
        "{text}"
    );
    assert!(
        text.contains("help: make the function lighter again"),
        "{text}"
    );
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}

/// The example packaged again with its Python function on another CPython version.
fn orders_py_for(minor: u8) -> tempfile::TempDir {
    let example = example_copy();
    replace_in_file(
        &example.path().join("Cargo.toml"),
        "python = \"3.11\"",
        &format!("python = \"3.{minor}\""),
    );
    packaged_into_new_dir(powertools().current_dir(example.path()).args([
        "package",
        "--bin",
        "orders-py",
        "--arch",
        "x86_64",
    ]))
}

#[test]
fn python_functions_answer_with_the_cpython_of_their_runtime() {
    if !require_tools(&[PACKAGING_TOOLS, &["python3.11", "python3.12"]].concat()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let event = packaged_example()
        .workspace
        .path()
        .join("events/orders.json");
    let python312 = orders_py_for(12);
    for (minor, out) in [(11, packaged_example().out.path()), (12, python312.path())] {
        let output = verify_invoke(tmp.path())
            .args(["--function", "orders-py", "--repeat", "2", "--event"])
            .arg(&event)
            .arg(out.join("manifest.json"))
            .output()
            .unwrap();
        let text = stderr(&output);
        assert!(output.status.success(), "{text}");
        assert!(
            text.contains(&format!(
                "Invoking x86_64/orders-py.zip (x86_64, python3.{minor})"
            )),
            "{text}"
        );
        let answered = text
            .lines()
            .find(|l| l.contains("Answered x86_64/orders-py.zip in "))
            .unwrap_or_else(|| panic!("no answer:\n{text}"));
        assert!(
            answered.ends_with(&format!(
                "python3.{minor}): {{\"id\": \"o-1\", \"total_cents\": 750}}"
            )),
            "{answered}"
        );
        assert_eq!(text.matches("REPORT RequestId: ").count(), 2, "{text}");
        if out == packaged_example().out.path() {
            assert!(
                text.contains("Skipping arm64/orders-py.zip: a Python function for arm64 runs only on an arm64 machine"),
                "{text}"
            );
        }
    }
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}

/// A Python zip of one `app.py`, for failures that need a handler written for them.
fn python_zip(dir: &std::path::Path, source: &str) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("app.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o644);
    writer.start_file("app.py", options).unwrap();
    writer.write_all(source.as_bytes()).unwrap();
    writer.finish().unwrap();
    path
}

fn verify_python_zip(tmp: &std::path::Path, zip: &std::path::Path) -> assert_cmd::Command {
    let mut command = verify_invoke(tmp);
    command
        .args([
            "--runtime",
            "python3.11",
            "--handler",
            "app.handler",
            "--timeout",
            "3",
        ])
        .arg(zip);
    command
}

#[test]
fn python_failures_carry_lambdas_error_types() {
    if !require_tools(&[PACKAGING_TOOLS, &["python3.11"]].concat()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();

    // The handler raises (pydantic rejects the order): the invocation's error, with its REPORT.
    let output = verify_invoke(tmp.path())
        .arg("--event")
        .arg(
            packaged_example()
                .workspace
                .path()
                .join("events/orders-empty-line.json"),
        )
        .arg(packaged_example().out.path().join("x86_64/orders-py.zip"))
        .args(["--runtime", "python3.11", "--handler", "app.handler"])
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("\tStatus: error"), "{text}");
    assert!(
        text.contains(
            "orders-py.zip: the invocation failed: ValidationError: 1 validation error for Order"
        ),
        "{text}"
    );

    // A dependency missing from the zip: nothing of this machine's site-packages leaks in.
    let invoke_app = |source: &str| verify_python_zip(tmp.path(), &python_zip(tmp.path(), source));
    let text = fails(&mut invoke_app(
        "import requests\n\ndef handler(event, context):\n    return 1\n",
    ));
    assert!(
        text.contains("app.zip: init failed: Runtime.ImportModuleError: Unable to import module 'app': No module named 'requests'"),
        "{text}"
    );
    assert!(
        text.contains("help: a module the handler imports is not in the zip"),
        "{text}"
    );

    // Slower than the function's timeout.
    let text = fails(&mut invoke_app(
        "import time\n\ndef handler(event, context):\n    time.sleep(60)\n",
    ));
    assert!(
        text.contains(
            "app.zip: no answer within 3 s (Sandbox.Timedout: Task timed out after 3.00 seconds)"
        ),
        "{text}"
    );

    // The context object Lambda's runtime passes, and Lambda's layout: the task root is the working
    // directory and first on sys.path, and no site-packages of this machine is on it (only the
    // layers' /opt/python/lib/python3.X/site-packages, as on Lambda).
    let text = succeeds(&mut invoke_app(
        "import os, sys\n\ndef handler(event, context):\n    root = os.environ['LAMBDA_TASK_ROOT']\n    return [context.function_name, context.memory_limit_in_mb, len(context.aws_request_id), 0 < context.get_remaining_time_in_millis() <= 3000, os.getcwd() == root == sys.path[0], [p for p in sys.path if 'site-packages' in p and not p.endswith('/opt/python/lib/python3.11/site-packages')]]\n",
    ));
    assert!(
        text.contains(r#"python3.11): ["app", "128", 36, true, true, []]"#),
        "{text}"
    );
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}

#[test]
fn an_interrupted_python_invocation_stops_what_it_started() {
    if !require_tools(&["cargo-lambda", "python3.11"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let zip = python_zip(
        tmp.path(),
        "import time\n\ndef handler(event, context):\n    time.sleep(600)\n",
    );
    // Interrupted once the function's interpreter runs (in the unpacked task root).
    interrupt_verify_invoke(
        tmp.path(),
        &[
            "--repeat",
            "3",
            "--timeout",
            "600",
            "--runtime",
            "python3.11",
            "--handler",
            "app.handler",
        ],
        &zip,
        |p| p.contains("runtime_loop.py"),
        Duration::from_millis(500),
    );
}

/// `doctor` says where qemu would take an arm64 loader and libc from, and names a mix.
#[test]
fn doctor_reports_the_c_library_qemu_would_use() {
    if !require_tools(&["qemu-aarch64-static"]) {
        return;
    }
    let example = example_copy();
    let output = powertools()
        .current_dir(example.path())
        .arg("doctor")
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&output), stderr(&output));
    let line = text
        .lines()
        .find(|l| l.contains("arm64 C library for qemu: "))
        .unwrap_or_else(|| panic!("no C library line:\n{text}"));
    assert!(line.trim_start().starts_with("ok  "), "{line}");
    assert!(line.contains("GLIBC"), "{line}");

    let sysroot = std::path::Path::new("/usr/aarch64-linux-gnu");
    let cross = glibc_build(&sysroot.join("lib/ld-linux-aarch64.so.1"));
    let multiarch = glibc_build(std::path::Path::new("/usr/lib/aarch64-linux-gnu/libc.so.6"));
    if cross.is_none() || multiarch.is_none() || cross == multiarch {
        eprintln!("skipped the mix: needs libc6-arm64-cross and libc6:arm64 of two glibc builds");
        return;
    }
    let output = powertools()
        .current_dir(example.path())
        .arg("doctor")
        .env("QEMU_LD_PREFIX", sysroot)
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        text.contains("missing  arm64 C library for qemu: -L /usr/aarch64-linux-gnu: the loader /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 is Debian GLIBC"),
        "{text}"
    );
    assert!(
        text.contains("fix: unset QEMU_LD_PREFIX, or apt-get install libc6:arm64"),
        "{text}"
    );
}

/// This machine's real `python3.12` under pyenv's versions folder.
fn pyenv_python312() -> Option<std::path::PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pyenv")))?;
    std::fs::read_dir(root.join("versions"))
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("3.12."))
        .map(|e| e.path().join("bin/python3.12"))
        .find(|p| p.is_file())
}

/// pyenv's shim `python3.12` first on PATH runs only where a `.python-version` selects 3.12 and
/// exits 127 elsewhere ("pyenv: python3.12: command not found"). Run from a project that selects
/// it, the shim answered the version probe and was then started in the task root, where it exited
/// 127. Now the interpreter the shim really ran is kept, whatever the current directory.
#[test]
fn a_pyenv_shim_first_on_path_does_not_decide_the_interpreter() {
    if !require_tools(&["cargo-lambda", "python3.12"]) {
        return;
    }
    let Some(real) = pyenv_python312() else {
        assert!(!tools_required(), "no python3.12 under pyenv's versions");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let shims = tempfile::tempdir().unwrap();
    let shim = shims.path().join("python3.12");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\nif [ \"$(cat .python-version 2>/dev/null)\" = 3.12 ]; then exec {} \"$@\"; fi\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n",
            real.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join(".python-version"), "3.12\n").unwrap();
    let zip = python_zip(
        tmp.path(),
        "import sys\n\ndef handler(event, context):\n    return {\"python\": \"%d.%d\" % sys.version_info[:2]}\n",
    );
    let mut path = vec![shims.path().to_path_buf()];
    path.extend(std::env::split_paths(&path_with_tools()));
    for cwd in [project.path(), tmp.path()] {
        let output = verify_invoke(tmp.path())
            .current_dir(cwd)
            .env("PATH", std::env::join_paths(&path).unwrap())
            .args(["--runtime", "python3.12", "--handler", "app.handler"])
            .arg(&zip)
            .output()
            .unwrap();
        let text = stderr(&output);
        assert!(output.status.success(), "from {}: {text}", cwd.display());
        assert!(
            text.contains(&format!("with {}", real.display())),
            "from {}: {text}",
            cwd.display()
        );
        assert!(text.contains(r#"{"python": "3.12"}"#), "{text}");
    }
    assert_eq!(processes_in(tmp.path()), Vec::<String>::new());
}
