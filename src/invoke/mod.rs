//! Runs a packaged function the way Lambda would, for `verify --invoke` and for any code that needs
//! a function's answer (e.g. `openapi`, which asks a function for its OpenAPI document).
//!
//! The zip is unpacked into a temporary directory (the task root), cargo-lambda's Lambda Runtime API
//! emulator (`cargo lambda watch --only-lambda-apis`) is started, and the function is started
//! against it through a [`proxy`] that notes the moments of Lambda's REPORT: a Rust `bootstrap`
//! (under qemu-user when the artifact's architecture is not the host's, see [`libroot`]), or a
//! Python handler run by the CPython of its runtime through the product's own runtime loop (see
//! [`python`]). Events go to the emulator's Invoke API. Every process started is stopped afterwards,
//! by process group, also on Ctrl-C or SIGTERM.
//!
//! The library call: [`invoke_once`] (start, one event, stop), or a [`Session`] for several events
//! to one process (a cold start, then warm ones).
mod http;
mod libroot;
pub mod memory;
mod proxy;
mod python;
pub mod report;

pub use libroot::{LibraryRoot, Unfit, glibc_build, interpreter};

use crate::manifest::Artifact;
use crate::model::{Arch, OsRuntime, Runtime};
use crate::platform::{self, LinuxOnly};
use crate::process::{ProcessBuilder, ProcessError, ProcessGroups, Started};
use http::Message;
use proxy::{Proxy, Seen};
use std::collections::BTreeMap;
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
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
        "cannot run a {arch} bootstrap on this {host} machine: neither {qemu}-static nor {qemu} is on PATH",
        qemu = .arch.qemu()
    )]
    NoEmulator { arch: Arch, host: Arch },
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
    #[error("{function}: no answer within {} s (Sandbox.Timedout: Task timed out after {}.00 seconds):\n{output}", .timeout.as_secs(), .timeout.as_secs())]
    Timeout {
        function: String,
        timeout: Duration,
        output: String,
    },
    #[error("{function}: the invocation failed: {}: {}\n{output}", .failure.error_type, .failure.message)]
    FunctionError {
        function: String,
        failure: Box<FunctionFailure>,
        output: String,
    },
    #[error("{function}: init failed: {}: {}\n{output}", .failure.error_type, .failure.message)]
    InitFailed {
        function: String,
        failure: Box<FunctionFailure>,
        output: String,
    },
    #[error(
        "{function}: {interpreter} is not on PATH (or does not run), so its {runtime} runtime cannot be run here"
    )]
    NoInterpreter {
        function: String,
        interpreter: String,
        runtime: Runtime,
    },
    #[error(
        "{function}: a Python function for {arch} runs only on an {arch} machine (its compiled modules need a CPython of that architecture); this one is {host}"
    )]
    ForeignPython {
        function: String,
        arch: Arch,
        host: Arch,
    },
    #[error(
        "{regressed} figure(s) grew by more than {max_regression_percent}% against the baseline {}",
        .baseline.display()
    )]
    Regressed {
        regressed: usize,
        max_regression_percent: f64,
        baseline: PathBuf,
    },
    #[error("cannot read the profile file {}: {why}", .path.display())]
    ProfileFile { path: PathBuf, why: String },
    #[error("{function}: a Python function needs its handler (`module.function`) to be run")]
    NoHandler { function: String },
    #[error(transparent)]
    LinuxOnly(#[from] LinuxOnly),
    #[error("interrupted")]
    Interrupted,
    #[error("could not prepare the invocation in a temporary directory")]
    Io(#[from] std::io::Error),
}

impl InvokeError {
    pub fn help(&self) -> Option<String> {
        Some(match self {
            InvokeError::CargoLambdaMissing => "install it: `pip install cargo-lambda` (or brew / cargo install, see https://www.cargo-lambda.info)".into(),
            InvokeError::LinuxOnly(_) => "`package`, `verify` without `--invoke` and `openapi` with `file` or `command` sources work on this machine".into(),
            InvokeError::NoEmulator { .. } => "install qemu-user: `apt-get install qemu-user-static libc6:arm64` on Debian/Ubuntu (plus `libc6:amd64` on an arm64 host)".into(),
            InvokeError::NoLibraryRoot { arch, unfit } => {
                let tuple = arch.debian();
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
            InvokeError::InitFailed { failure, .. } if failure.error_type == "Runtime.ImportModuleError" => "a module the handler imports is not in the zip: add it to the function's dependencies and package again (Lambda's Python runtime itself carries only the standard library and boto3)".into(),
            InvokeError::InitFailed { .. } => "the function failed before its first event; its output above shows why".into(),
            InvokeError::NoInterpreter { interpreter, .. } => format!("install {interpreter} (e.g. `uv python install {}`, pyenv, or the distribution's package) so that `{interpreter}` is on PATH", interpreter.trim_start_matches("python")),
            InvokeError::Regressed { .. } => "make the function lighter again; if the growth is intended, keep this run's `--profile-out` file as the new baseline".into(),
            InvokeError::ProfileFile { .. } => "pass a file written by `cargo powertools verify --invoke --profile-out FILE`".into(),
            InvokeError::NoHandler { .. } => "pass `--handler module.function` for a bare Python zip".into(),
            _ => return None,
        })
    }
}

/// Starts `command` for an invocation: Linux only, in a process group `groups` stops on an
/// interruption.
fn spawn(
    groups: &ProcessGroups,
    command: &ProcessBuilder,
    stdout: Stdio,
    stderr: Stdio,
) -> Result<Started, InvokeError> {
    // Behind the commands' own checks, which name the feature asked for.
    platform::require_linux("the function runner (`invoke`)")?;
    check_interrupted(groups)?;
    Ok(groups.spawn(command, stdout, stderr)?)
}

/// [`InvokeError::Interrupted`] once a signal arrived: the wait loops return it.
fn check_interrupted(groups: &ProcessGroups) -> Result<(), InvokeError> {
    match groups.interrupted() {
        true => Err(InvokeError::Interrupted),
        false => Ok(()),
    }
}

/// A packaged function to run: its zip, the architecture and runtime it is for, and for a Python
/// function its handler (`module.function`).
#[derive(Clone, Debug)]
pub struct Function {
    /// Shown in messages, e.g. `arm64/greeter.zip`.
    pub name: String,
    pub zip: PathBuf,
    pub arch: Arch,
    pub runtime: Runtime,
    pub handler: Option<String>,
    /// The zips of the Python layers it runs with, in order: unpacked into one `/opt`, as Lambda
    /// does, whose `python/` is then on the function's path.
    pub layers: Vec<PathBuf>,
    /// Environment variables it runs with, as Lambda sets the function's configured ones.
    pub environment: BTreeMap<String, String>,
}

impl Function {
    /// The function an artifact of a manifest (in `manifest_dir`) holds.
    pub fn from_artifact(manifest_dir: &Path, artifact: &Artifact) -> Function {
        Function {
            name: artifact.path.clone(),
            zip: manifest_dir.join(&artifact.path),
            arch: artifact.arch,
            runtime: artifact.runtime,
            handler: artifact.handler.clone(),
            layers: Vec::new(),
            environment: artifact.environment.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct InvokeOptions {
    /// How long one invocation may take (the first one's init included), like a function's timeout.
    pub timeout: Duration,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, and the REPORT's `Memory Size`.
    pub memory_mb: u32,
}

impl Default for InvokeOptions {
    fn default() -> Self {
        InvokeOptions {
            timeout: Duration::from_secs(30),
            memory_mb: 128,
        }
    }
}

/// An error a function reported for an event (Lambda's `errorType` and `errorMessage`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionFailure {
    pub error_type: String,
    pub message: String,
}

/// One answered invocation, with the figures of Lambda's REPORT line.
#[derive(Clone, Debug)]
pub struct Invoked {
    pub request_id: String,
    /// The function's response; for a failure, the error document it posted.
    pub response: String,
    /// `Some` when the function reported an error for this event.
    pub failure: Option<FunctionFailure>,
    /// From starting the process to its first request for an event: on the first invocation only.
    pub init_duration: Option<Duration>,
    /// From handing the event over to receiving the response or error.
    pub duration: Duration,
    /// Peak resident memory of the function's processes so far (under qemu, the emulator's too).
    pub max_memory_kib: Option<u64>,
}

/// A function started against the emulator, ready for events one after another: the first is a
/// cold start, the next ones are warm. Everything it started is stopped when it is dropped.
pub struct Session {
    name: String,
    options: InvokeOptions,
    runner: String,
    emulator: Option<PathBuf>,
    invoke_port: u16,
    output_log: PathBuf,
    seen: Receiver<Seen>,
    started_at: Instant,
    init_duration: Option<Duration>,
    reported_init: bool,
    groups: ProcessGroups,
    // Dropped in this order: the function, the proxy, the emulator, then the files.
    function: Started,
    _proxy: Proxy,
    _emulator: Started,
    _work: tempfile::TempDir,
}

impl Session {
    /// Unpacks the zip, starts the Runtime API emulator and the function against it.
    pub fn start(
        function: &Function,
        options: &InvokeOptions,
        groups: &ProcessGroups,
    ) -> Result<Session, InvokeError> {
        let cargo_lambda =
            which::which("cargo-lambda").map_err(|_| InvokeError::CargoLambdaMissing)?;
        let work = tempfile::Builder::new()
            .prefix("powertools-invoke-")
            .tempdir()?;
        let task_root = work.path().join("task");
        unzip(&function.zip, &task_root)?;
        let opt = work.path().join("opt");
        for layer in &function.layers {
            unzip(layer, &opt)?;
        }
        let launch = match function.runtime {
            Runtime::Python(python) => python::command(function, python, work.path(), &opt)?,
            Runtime::Os(_) => bootstrap_command(function.arch, &task_root)?,
        };

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
            .cwd(write_emulator_project(work.path())?);
        let watch_log = work.path().join("emulator.log");
        let emulator = spawn(groups, &watch, log_to(&watch_log)?, log_to(&watch_log)?)?;
        wait_for_port(port, &watch_log, groups)?;

        let (sender, seen) = std::sync::mpsc::channel();
        let proxy = proxy::start(port, options.timeout, sender)?;
        let mut command = launch.command;
        // The function's own variables first: Lambda's reserved ones below take precedence.
        for (key, value) in &function.environment {
            command.env(key, value);
        }
        command
            .cwd(&task_root)
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("127.0.0.1:{}", proxy.port),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", function_name(function))
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                options.memory_mb.to_string(),
            )
            .env("LAMBDA_TASK_ROOT", &task_root);
        for key in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if std::env::var_os(key).is_none() {
                command.env(key, "us-east-1");
            }
        }
        let output_log = work.path().join("function.log");
        let started_at = Instant::now();
        let function_process = spawn(groups, &command, log_to(&output_log)?, log_to(&output_log)?)?;
        Ok(Session {
            name: function.name.clone(),
            options: *options,
            runner: launch.runner,
            emulator: launch.emulator,
            invoke_port: port,
            output_log,
            seen,
            started_at,
            init_duration: None,
            reported_init: false,
            groups: groups.clone(),
            function: function_process,
            _proxy: proxy,
            _emulator: emulator,
            _work: work,
        })
    }

    /// How the function runs: `natively`, `under qemu-aarch64-static`, `with python3.12`.
    pub fn runner(&self) -> &str {
        &self.runner
    }

    /// The last lines of the function's own output (stdout and stderr).
    pub fn output(&self) -> String {
        tail_of(&self.output_log)
    }

    /// The emulator (qemu-user) the function runs under, if any.
    pub fn emulator(&self) -> Option<&Path> {
        self.emulator.as_deref()
    }

    /// Sends one event and waits for the function's response or error.
    pub fn invoke(&mut self, event: &[u8]) -> Result<Invoked, InvokeError> {
        let began = Instant::now();
        let answer = self.send(event);
        let mut event_at = None;
        let mut request_id = String::new();
        let output = || tail_of(&self.output_log);
        let (finished_at, body, failure) = loop {
            match self.seen.recv_timeout(Duration::from_millis(20)) {
                Ok(Seen::Next { at }) => {
                    self.init_duration
                        .get_or_insert_with(|| at.saturating_duration_since(self.started_at));
                }
                Ok(Seen::Event { request_id: id, at }) => {
                    request_id = id;
                    event_at = Some(at);
                }
                Ok(Seen::Response { at, body, .. }) => break (at, body, None),
                Ok(Seen::Error {
                    at,
                    error_type,
                    body,
                    ..
                }) => {
                    let failure = failure_of(error_type, &body);
                    break (at, body, Some(failure));
                }
                Ok(Seen::InitError {
                    error_type, body, ..
                }) => {
                    return Err(InvokeError::InitFailed {
                        function: self.name.clone(),
                        failure: Box::new(failure_of(error_type, &body)),
                        output: output(),
                    });
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(InvokeError::Io(std::io::Error::other(
                        "the Runtime API proxy stopped",
                    )));
                }
            }
            // Checked first: an interruption kills the function, which is not its crash.
            check_interrupted(&self.groups)?;
            if let Some(status) = self.function.child().try_wait()? {
                return Err(InvokeError::BootstrapExited {
                    function: self.name.clone(),
                    status,
                    output: output(),
                });
            }
            if began.elapsed() > self.options.timeout {
                return Err(InvokeError::Timeout {
                    function: self.name.clone(),
                    timeout: self.options.timeout,
                    output: output(),
                });
            }
        };
        let max_memory_kib = memory::group_peak_kib(self.function.child().id());
        // The caller's answer comes from the emulator; for a failure, the error document is ours.
        let response = match (answer.recv_timeout(Duration::from_secs(10)), &failure) {
            (Ok(Ok(message)), None) if message.status() == 200 => message.body,
            _ => body,
        };
        let init_duration = match self.reported_init {
            false => self.init_duration,
            true => None,
        };
        self.reported_init = true;
        Ok(Invoked {
            request_id,
            response: String::from_utf8_lossy(&response).trim().to_string(),
            failure,
            init_duration,
            duration: finished_at.saturating_duration_since(event_at.unwrap_or(began)),
            max_memory_kib,
        })
    }

    /// Posts the event to the emulator's Invoke API from a thread of its own (the call returns when
    /// the function has answered).
    fn send(&self, event: &[u8]) -> Receiver<std::io::Result<Message>> {
        let (sender, receiver) = std::sync::mpsc::channel();
        let request = Message {
            start: "POST /2015-03-31/functions/_/invocations HTTP/1.1".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: event.to_vec(),
            chunked: false,
        };
        let port = self.invoke_port;
        let timeout = self.options.timeout + Duration::from_secs(30);
        std::thread::spawn(move || {
            let _ = sender.send(http::exchange(port, &request, Some(timeout)));
        });
        receiver
    }
}

/// `errorType` and `errorMessage` of an error document, or its header's type and its text.
fn failure_of(header_type: Option<String>, body: &[u8]) -> FunctionFailure {
    let document: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |name: &str| {
        document
            .get(name)
            .and_then(|v| v.as_str())
            .map(String::from)
    };
    FunctionFailure {
        error_type: field("errorType")
            .or(header_type)
            .unwrap_or_else(|| "Unhandled".into()),
        message: field("errorMessage")
            .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string()),
    }
}

/// The name the function's `AWS_LAMBDA_FUNCTION_NAME` gets: its name without `<arch>/` and `.zip`.
fn function_name(function: &Function) -> String {
    let file = Path::new(&function.name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned());
    file.unwrap_or_else(|| "function".into())
}

/// Starts the function, sends one event, stops everything: the answer of a packaged function.
pub fn invoke_once(
    function: &Function,
    event: &[u8],
    options: &InvokeOptions,
    groups: &ProcessGroups,
) -> Result<Invoked, InvokeError> {
    Session::start(function, options, groups)?.invoke(event)
}

/// One event for a Rust bootstrap (the first form of this API, kept for its callers).
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

/// Runs a Rust bootstrap for one event; an error the function reports is an [`InvokeError`].
pub fn invoke(invocation: &Invocation, groups: &ProcessGroups) -> Result<Answer, InvokeError> {
    let function = Function {
        name: invocation.name.clone(),
        zip: invocation.zip.to_path_buf(),
        arch: invocation.arch,
        runtime: Runtime::Os(OsRuntime::ProvidedAl2023),
        handler: None,
        layers: Vec::new(),
        environment: BTreeMap::new(),
    };
    let options = InvokeOptions {
        timeout: invocation.timeout,
        ..InvokeOptions::default()
    };
    let started = Instant::now();
    let mut session = Session::start(&function, &options, groups)?;
    let invoked = session.invoke(invocation.event)?;
    if let Some(failure) = invoked.failure {
        return Err(InvokeError::FunctionError {
            function: invocation.name.clone(),
            failure: Box::new(failure),
            output: tail_of(&session.output_log),
        });
    }
    Ok(Answer {
        response: invoked.response,
        first_response: started.elapsed(),
        runner: session.runner.clone(),
    })
}

/// The C library root qemu-user would get for a usual dynamically linked bootstrap of `arch`
/// (glibc's standard loader path), as `verify --invoke` chooses it; for `doctor`.
pub fn qemu_library_root(arch: Arch) -> Result<LibraryRoot, Vec<Unfit>> {
    let explicit = std::env::var_os("QEMU_LD_PREFIX").map(PathBuf::from);
    libroot::choose(
        arch,
        Some(Path::new(arch.glibc_loader())),
        explicit.as_deref(),
    )
}

/// How to start a function: the command (its working directory and Lambda's variables are set
/// by the caller), a few words saying how it runs, and the emulator it runs under, if any.
struct Launch {
    command: ProcessBuilder,
    runner: String,
    emulator: Option<PathBuf>,
}

/// The command that runs `./bootstrap` (unpacked in `task_root`) for `arch` on this host
/// (directly, or under qemu-user).
fn bootstrap_command(arch: Arch, task_root: &Path) -> Result<Launch, InvokeError> {
    let host = Arch::host();
    if arch == host {
        return Ok(Launch {
            command: ProcessBuilder::new("./bootstrap"),
            runner: "natively".to_string(),
            emulator: None,
        });
    }
    let emulator = which::which(format!("{}-static", arch.qemu()))
        .or_else(|_| which::which(arch.qemu()))
        .map_err(|_| InvokeError::NoEmulator { arch, host })?;
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
    let mut command = ProcessBuilder::new(&emulator);
    if let Some(prefix) = &root.prefix {
        command.arg("-L").arg(prefix);
    }
    command.arg("./bootstrap");
    Ok(Launch {
        command,
        runner,
        emulator: Some(emulator),
    })
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

fn wait_for_port(port: u16, log: &Path, groups: &ProcessGroups) -> Result<(), InvokeError> {
    let deadline = Instant::now() + EMULATOR_START;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        check_interrupted(groups)?;
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
