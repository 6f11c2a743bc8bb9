//! `verify --invoke`: runs a packaged function the way Lambda would. The zip is unpacked into a
//! temporary directory, cargo-lambda's Lambda Runtime API emulator (`cargo lambda watch
//! --only-lambda-apis`) is started, the `bootstrap` is started against it (under qemu-user when the
//! artifact's architecture is not the host's) and one event is sent with `cargo lambda invoke`.
//! Every process started is stopped afterwards, by process group, also on Ctrl-C or SIGTERM.
mod libroot;

pub use libroot::{LibraryRoot, Unfit, glibc_build, interpreter};

use crate::arch::Arch;
use crate::process::{self, ProcessBuilder, ProcessError};
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the emulator may take to start listening.
const EMULATOR_START: Duration = Duration::from_secs(60);
/// Lines of the function's own output shown when it fails.
const OUTPUT_TAIL_LINES: usize = 25;

#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    #[error(
        "cargo-lambda was not found on PATH; `verify --invoke` uses its Lambda Runtime API emulator"
    )]
    CargoLambdaMissing,
    #[error(
        "cannot run a {arch} bootstrap on this {host} machine: neither qemu-{qemu}-static nor qemu-{qemu} is on PATH"
    )]
    NoEmulator {
        arch: Arch,
        host: Arch,
        qemu: &'static str,
    },
    #[error(
        "cannot run the {arch} bootstrap under qemu: no C library root has its loader and libc from one glibc build:\n{}",
        .unfit.iter().map(|u| format!("  - {u}")).collect::<Vec<_>>().join("\n")
    )]
    NoLibraryRoot { arch: Arch, unfit: Vec<Unfit> },
    #[error("could not unpack {}", .zip.display())]
    Unzip {
        zip: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Process(#[from] ProcessError),
    #[error("the Lambda Runtime API emulator did not start listening on port {port} within {} s:\n{log}", EMULATOR_START.as_secs())]
    EmulatorStart { port: u16, log: String },
    #[error("{function}: the bootstrap exited ({status}) before answering:\n{output}")]
    BootstrapExited {
        function: String,
        status: ExitStatus,
        output: String,
    },
    #[error("{function}: no answer within {} s:\n{output}", .timeout.as_secs())]
    Timeout {
        function: String,
        timeout: Duration,
        output: String,
    },
    #[error("{function}: the invocation failed:\n{response}\n{output}")]
    FunctionError {
        function: String,
        response: String,
        output: String,
    },
    #[error("could not install the Ctrl-C handler that stops started processes")]
    Signals(#[source] ctrlc::Error),
    #[error("could not prepare the invocation in a temporary directory")]
    Io(#[from] std::io::Error),
}

impl InvokeError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            InvokeError::CargoLambdaMissing => "install it: `pip install cargo-lambda` (or brew / cargo install, see https://www.cargo-lambda.info)".into(),
            InvokeError::NoEmulator { .. } => "install qemu-user: `apt-get install qemu-user-static libc6:arm64` on Debian/Ubuntu (plus `libc6:amd64` on an arm64 host)".into(),
            InvokeError::NoLibraryRoot { arch, unfit } => {
                let tuple = match arch { Arch::Arm64 => "arm64", Arch::X86_64 => "amd64" };
                let install = format!("install the multiarch C library, whose loader and libc come together: `dpkg --add-architecture {tuple} && apt-get update && apt-get install libc6:{tuple}`");
                let mismatch = unfit.iter().any(|u| matches!(u, Unfit::Mismatch { .. }));
                match (std::env::var_os("QEMU_LD_PREFIX").is_some(), mismatch) {
                    (true, _) => format!("unset QEMU_LD_PREFIX to let the tool choose, or point it at a sysroot complete on its own (a loader and a libc of two glibc builds hang in the first thread start, see docs/troubleshooting.md); or {install}"),
                    (false, true) => format!("{install}; a loader and a libc of two glibc builds hang in the first thread start (see docs/troubleshooting.md)"),
                    (false, false) => install,
                }
            }
            InvokeError::BootstrapExited { .. } => "the function crashed on start-up or while handling the event; its output above shows why".into(),
            InvokeError::Timeout { .. } => "the function did not answer: check that it calls the Runtime API (lambda_runtime::run), or raise `--timeout`".into(),
            InvokeError::FunctionError { .. } => "the handler returned an error for this event; its output above shows why".into(),
            _ => return None,
        })
    }
}

/// Process groups started for invocations; killed on interruption.
#[derive(Clone, Default)]
pub struct ProcessGroups(Arc<Mutex<Vec<u32>>>);

impl ProcessGroups {
    /// On Ctrl-C or SIGTERM, kill every registered group and exit with 130.
    pub fn stop_on_interrupt(&self) -> Result<(), InvokeError> {
        let groups = self.clone();
        ctrlc::set_handler(move || {
            groups.kill_all();
            std::process::exit(130);
        })
        .map_err(InvokeError::Signals)
    }

    fn kill_all(&self) {
        for pgid in self.0.lock().map(|g| g.clone()).unwrap_or_default() {
            process::kill_group(pgid);
        }
    }

    fn spawn(
        &self,
        command: &ProcessBuilder,
        stdout: Stdio,
        stderr: Stdio,
    ) -> Result<Started, InvokeError> {
        let child = command.spawn_group(stdout, stderr)?;
        if let Ok(mut groups) = self.0.lock() {
            groups.push(child.id());
        }
        Ok(Started {
            child,
            groups: self.clone(),
        })
    }
}

/// A started process group, killed and reaped when dropped.
struct Started {
    child: Child,
    groups: ProcessGroups,
}

impl Drop for Started {
    fn drop(&mut self) {
        process::kill_group(self.child.id());
        let _ = self.child.wait();
        if let Ok(mut groups) = self.groups.0.lock() {
            groups.retain(|&pgid| pgid != self.child.id());
        }
    }
}

pub struct Invocation<'a> {
    /// Shown in messages, e.g. `arm64/greeter.zip`.
    pub name: String,
    pub zip: &'a Path,
    pub arch: Arch,
    pub event: &'a [u8],
    pub timeout: Duration,
}

#[derive(Debug)]
pub struct Answer {
    pub response: String,
    /// From starting the bootstrap to receiving the response: cold start plus one invocation.
    pub first_response: Duration,
    /// How the bootstrap ran: `natively`, or under which qemu.
    pub runner: String,
}

pub fn host_arch() -> Arch {
    if cfg!(target_arch = "aarch64") {
        Arch::Arm64
    } else {
        Arch::X86_64
    }
}

/// The command that runs `./bootstrap` (unpacked in `task_root`) for `arch` on this host
/// (directly, or under qemu-user), and a few words saying which.
fn bootstrap_command(
    arch: Arch,
    task_root: &Path,
) -> Result<(ProcessBuilder, String), InvokeError> {
    let host = host_arch();
    if arch == host {
        return Ok((ProcessBuilder::new("./bootstrap"), "natively".to_string()));
    }
    let qemu = match arch {
        Arch::Arm64 => "aarch64",
        Arch::X86_64 => "x86_64",
    };
    let emulator = which::which(format!("qemu-{qemu}-static"))
        .or_else(|_| which::which(format!("qemu-{qemu}")))
        .map_err(|_| InvokeError::NoEmulator { arch, host, qemu })?;
    let runner = format!(
        "under {}",
        emulator.file_name().unwrap_or_default().to_string_lossy()
    );
    let bootstrap = std::fs::read(task_root.join("bootstrap"))?;
    let explicit = std::env::var_os("QEMU_LD_PREFIX").map(PathBuf::from);
    let root = libroot::choose(
        arch,
        interpreter(&bootstrap).as_deref(),
        explicit.as_deref(),
    )
    .map_err(|unfit| InvokeError::NoLibraryRoot { arch, unfit })?;
    let mut command = ProcessBuilder::new(emulator);
    if let Some(prefix) = &root.prefix {
        command.arg("-L").arg(prefix);
    }
    command.arg("./bootstrap");
    Ok((command, runner))
}

/// Unpacks the zip, runs its bootstrap against the emulator and sends one event.
pub fn invoke(invocation: &Invocation, groups: &ProcessGroups) -> Result<Answer, InvokeError> {
    let cargo_lambda = which::which("cargo-lambda").map_err(|_| InvokeError::CargoLambdaMissing)?;
    let work = tempfile::Builder::new()
        .prefix("powertools-invoke-")
        .tempdir()?;
    let task_root = work.path().join("task");
    unzip(invocation.zip, &task_root)?;
    let (mut bootstrap, runner) = bootstrap_command(invocation.arch, &task_root)?;
    let emulator_home = write_emulator_project(work.path())?;
    let event_file = work.path().join("event.json");
    std::fs::write(&event_file, invocation.event)?;

    let port = free_port()?;
    let mut watch = ProcessBuilder::new(&cargo_lambda);
    watch
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "--invoke-port",
            &port.to_string(),
        ])
        .cwd(&emulator_home);
    let watch_log = work.path().join("emulator.log");
    let _emulator = groups.spawn(&watch, log_to(&watch_log)?, log_to(&watch_log)?)?;
    wait_for_port(port, &watch_log)?;

    let output_log = work.path().join("bootstrap.log");
    bootstrap
        .cwd(&task_root)
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{port}/.rt"),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", "_")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("LAMBDA_TASK_ROOT", &task_root);
    let started_at = Instant::now();
    let mut function = groups.spawn(&bootstrap, log_to(&output_log)?, log_to(&output_log)?)?;

    let mut send = ProcessBuilder::new(&cargo_lambda);
    send.args([
        "lambda",
        "invoke",
        "--invoke-address",
        "127.0.0.1",
        "--invoke-port",
        &port.to_string(),
        "--data-file",
    ])
    .arg(&event_file)
    .arg("_");
    let response_log = work.path().join("response.log");
    let mut request = groups.spawn(&send, log_to(&response_log)?, log_to(&response_log)?)?;

    let name = invocation.name.clone();
    let output = || tail_of(&output_log);
    loop {
        if let Some(status) = request.child.try_wait()? {
            let response = std::fs::read_to_string(&response_log)
                .unwrap_or_default()
                .trim()
                .to_string();
            if !status.success() {
                return Err(InvokeError::FunctionError {
                    function: name,
                    response,
                    output: output(),
                });
            }
            return Ok(Answer {
                response,
                first_response: started_at.elapsed(),
                runner,
            });
        }
        if let Some(status) = function.child.try_wait()? {
            return Err(InvokeError::BootstrapExited {
                function: name,
                status,
                output: output(),
            });
        }
        if started_at.elapsed() > invocation.timeout {
            return Err(InvokeError::Timeout {
                function: name,
                timeout: invocation.timeout,
                output: output(),
            });
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn log_to(path: &Path) -> std::io::Result<Stdio> {
    Ok(File::options().create(true).append(true).open(path)?.into())
}

fn tail_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(OUTPUT_TAIL_LINES)..].join("\n")
}

/// Unpacks with the zip's Unix modes, so a bootstrap zipped without its execute bit fails here as
/// it would on Lambda.
fn unzip(zip: &Path, dest: &Path) -> Result<(), InvokeError> {
    let unzip_err = |source| InvokeError::Unzip {
        zip: zip.to_path_buf(),
        source,
    };
    let file = File::open(zip).map_err(unzip_err)?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| unzip_err(std::io::Error::other(e)))?;
    archive
        .extract(dest)
        .map_err(|e| unzip_err(std::io::Error::other(e)))
}

/// `cargo lambda watch` reads a Cargo manifest even when it only serves the Runtime API; give it a
/// minimal one of its own, so that verifying a zip needs no workspace.
fn write_emulator_project(dir: &Path) -> std::io::Result<PathBuf> {
    let project = dir.join("emulator");
    std::fs::create_dir_all(project.join("src"))?;
    std::fs::write(
        project.join("Cargo.toml"),
        "[package]\nname = \"powertools-runtime-api\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )?;
    std::fs::write(project.join("src/main.rs"), "fn main() {}\n")?;
    Ok(project)
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, log: &Path) -> Result<(), InvokeError> {
    let deadline = Instant::now() + EMULATOR_START;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(InvokeError::EmulatorStart {
                port,
                log: tail_of(log),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}
