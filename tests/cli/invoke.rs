//! Packaged bootstraps answer real invocations: each zip is unpacked and its `bootstrap` started
//! (arm64 under qemu-user) against cargo-lambda's Lambda Runtime API emulator.
use crate::support::*;
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
        let mut command = Command::new("qemu-aarch64-static");
        command.args(["-L", "/usr/aarch64-linux-gnu", "./bootstrap"]);
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
