//! Packaged bootstraps answer real invocations: each zip is unpacked and its `bootstrap` started
//! (arm64 under qemu-user) against cargo-lambda's Lambda Runtime API emulator, by hand and through
//! `cargo powertools verify --invoke`.
use crate::support::*;
use cargo_powertools::invoke::glibc_build;
use cargo_powertools::process::{self, group_alive};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process that is killed, with its process group, when dropped.
struct Running(Child);

impl Running {
    /// Starts `command` leading a process group of its own, so its id is the group's id.
    fn spawn(command: &mut Command) -> Running {
        use std::os::unix::process::CommandExt;
        Running(
            command
                .process_group(0)
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
        process::kill_group(self.group());
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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

/// Processes whose working directory is under `dir`: what `verify --invoke` started there.
fn processes_in(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) else {
            continue;
        };
        if cwd.starts_with(dir) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    found
}

/// `verify --invoke` with a private TMPDIR, so that the processes it starts can be found.
fn verify_invoke(tmp: &std::path::Path) -> assert_cmd::Command {
    let mut command = powertools();
    command.env("TMPDIR", tmp).args(["verify", "--invoke"]);
    command
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
    let output = verify_invoke(tmp.path())
        .env("QEMU_LD_PREFIX", sysroot)
        .arg(&zip)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
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
    use cargo_powertools::invoke::{self, Function, InvokeOptions, ProcessGroups};
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
