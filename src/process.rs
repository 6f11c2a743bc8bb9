//! Every external program goes through [`ProcessBuilder`]: it can show the exact command line, and a
//! failed run becomes a [`ProcessError`] holding the command, its exit status and the end of its stderr.
use crate::platform;
use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

/// How many trailing stderr lines a [`ProcessError::Failed`] keeps.
const STDERR_TAIL_LINES: usize = 30;

#[derive(Clone, Debug)]
pub struct ProcessBuilder {
    program: OsString,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
    /// The jobserver the program's cargo (and its rustc) take their job tokens from.
    jobserver: Option<jobserver::Client>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("could not start `{command}`")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}){}", stderr_block(.stderr))]
    Failed {
        command: String,
        status: ExitStatus,
        stderr: String,
    },
    #[error("`{command}` was not started: the run was interrupted")]
    Interrupted { command: String },
}

impl ProcessError {
    /// The same error without the child's stderr: for a child whose every line was already shown
    /// as it ran, so that the error does not print them twice.
    pub fn without_stderr(self) -> Self {
        match self {
            ProcessError::Failed {
                command, status, ..
            } => ProcessError::Failed {
                command,
                status,
                stderr: String::new(),
            },
            other => other,
        }
    }
}

fn stderr_block(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        String::new()
    } else {
        format!(":\n{}", stderr.trim_end())
    }
}

/// Where a line of a streamed child's output came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl ProcessBuilder {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        ProcessBuilder {
            program: program.as_ref().to_os_string(),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            jobserver: None,
        }
    }

    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&mut self, args: I) -> &mut Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn cwd(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.env
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    /// Hands the program `client`'s jobserver (as `CARGO_MAKEFLAGS`, with its pipe kept open across
    /// exec), so that the cargo it runs shares `client`'s job tokens instead of taking one per core.
    pub fn jobserver(&mut self, client: &jobserver::Client) -> &mut Self {
        self.jobserver = Some(client.clone());
        self
    }

    /// A failure to start (or wait for) the program, naming the command line.
    fn spawn_error(&self) -> impl FnOnce(std::io::Error) -> ProcessError + '_ {
        |source| ProcessError::Spawn {
            command: self.to_string(),
            source,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(client) = &self.jobserver {
            client.configure(&mut command);
        }
        command
    }

    /// Starts the program in a process group of its own (so that it and everything it starts can be
    /// stopped together with [`platform::kill_group`]), with the given stdout and stderr.
    pub fn spawn_group(&self, stdout: Stdio, stderr: Stdio) -> Result<Child, ProcessError> {
        platform::own_process_group(&mut self.command())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(self.spawn_error())
    }

    /// Runs to completion, capturing stdout; a non-zero exit is an error with stderr attached.
    pub fn output(&self) -> Result<String, ProcessError> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .output()
            .map_err(self.spawn_error())?;
        if !output.status.success() {
            return Err(ProcessError::Failed {
                command: self.to_string(),
                status: output.status,
                stderr: tail(&String::from_utf8_lossy(&output.stderr)),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs to completion, handing every output line to `on_line` as it arrives (stdout and stderr
    /// interleaved as they come); a non-zero exit is an error holding the last lines of stderr.
    pub fn stream(&self, on_line: impl FnMut(Stream, &str)) -> Result<(), ProcessError> {
        let mut child = self
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(self.spawn_error())?;
        self.stream_child(&mut child, on_line)
    }

    /// [`ProcessBuilder::stream`] in a process group of its own that `groups` stops on an
    /// interruption: the program and everything it started (cargo's rustc, pip's builds).
    pub fn stream_in(
        &self,
        groups: &ProcessGroups,
        on_line: impl FnMut(Stream, &str),
    ) -> Result<(), ProcessError> {
        let mut started = groups.spawn(self, Stdio::piped(), Stdio::piped())?;
        self.stream_child(started.child(), on_line)
    }

    fn stream_child(
        &self,
        child: &mut Child,
        mut on_line: impl FnMut(Stream, &str),
    ) -> Result<(), ProcessError> {
        let (sender, receiver) = mpsc::channel();
        let readers = [
            forward_lines(
                child.stdout.take().expect("stdout is piped"),
                Stream::Stdout,
                sender.clone(),
            ),
            forward_lines(
                child.stderr.take().expect("stderr is piped"),
                Stream::Stderr,
                sender,
            ),
        ];
        let mut stderr_tail = VecDeque::with_capacity(STDERR_TAIL_LINES);
        for (stream, line) in receiver {
            on_line(stream, &line);
            if stream == Stream::Stderr {
                if stderr_tail.len() == STDERR_TAIL_LINES {
                    stderr_tail.pop_front();
                }
                stderr_tail.push_back(line);
            }
        }
        for reader in readers {
            let _ = reader.join();
        }
        let status = child.wait().map_err(self.spawn_error())?;
        if status.success() {
            Ok(())
        } else {
            Err(ProcessError::Failed {
                command: self.to_string(),
                status,
                stderr: Vec::from(stderr_tail).join("\n"),
            })
        }
    }
}

/// The process groups a run of the binary started, and whether it was interrupted (Ctrl-C,
/// SIGTERM or SIGHUP). `commands::run` makes the one instance and installs the one handler
/// ([`ProcessGroups::stop_on_interrupt`]); the operations start their long-running programs
/// through it ([`ProcessBuilder::stream_in`], [`ProcessGroups::spawn`]), and `commands::run` turns
/// whatever error the stopped programs caused into the interruption (exit status 130).
#[derive(Clone, Default)]
pub struct ProcessGroups {
    pgids: Arc<Mutex<Vec<u32>>>,
    interrupted: Arc<AtomicBool>,
    signals: Arc<AtomicUsize>,
}

impl ProcessGroups {
    /// On Ctrl-C, SIGTERM or SIGHUP: mark the run interrupted and kill every registered group, so
    /// that the waits on them return and the operation unwinds (removing its temporary folders,
    /// leaving the output directory as it was). A second signal while nothing of ours runs (the
    /// operation is busy in its own code, zipping say) ends the process at once with 130.
    pub fn stop_on_interrupt(&self) -> Result<(), ctrlc::Error> {
        let groups = self.clone();
        ctrlc::set_handler(move || {
            groups.interrupted.store(true, Ordering::SeqCst);
            let running = groups.kill_all();
            if groups.signals.fetch_add(1, Ordering::SeqCst) >= 1 && running == 0 {
                std::process::exit(130);
            }
        })
    }

    /// Whether a signal arrived since [`ProcessGroups::stop_on_interrupt`].
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Starts `command` in a process group of its own, registered to be killed on an interruption
    /// (and killed and reaped when the returned guard drops). Refused once interrupted.
    pub fn spawn(
        &self,
        command: &ProcessBuilder,
        stdout: Stdio,
        stderr: Stdio,
    ) -> Result<Started, ProcessError> {
        let interrupted = || ProcessError::Interrupted {
            command: command.to_string(),
        };
        if self.interrupted() {
            return Err(interrupted());
        }
        let mut child = command.spawn_group(stdout, stderr)?;
        if let Ok(mut groups) = self.pgids.lock() {
            groups.push(child.id());
        }
        // A signal between the check and the push would miss this group: look once more.
        if self.interrupted() {
            platform::kill_group(&mut child);
        }
        Ok(Started {
            child,
            groups: self.clone(),
        })
    }

    /// Kills every registered group; returns how many there were.
    fn kill_all(&self) -> usize {
        let pgids = self.pgids.lock().map(|g| g.clone()).unwrap_or_default();
        for &pgid in &pgids {
            platform::kill_group_id(pgid);
        }
        pgids.len()
    }
}

/// A program started by [`ProcessGroups::spawn`]: its group is killed and it is reaped when this
/// drops.
pub struct Started {
    child: Child,
    groups: ProcessGroups,
}

impl Started {
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        platform::kill_group(&mut self.child);
        let _ = self.child.wait();
        if let Ok(mut groups) = self.groups.pgids.lock() {
            groups.retain(|&pgid| pgid != self.child.id());
        }
    }
}

fn forward_lines(
    pipe: impl Read + Send + 'static,
    stream: Stream,
    sender: mpsc::Sender<(Stream, String)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).split(b'\n') {
            let Ok(line) = line else { break };
            let text = String::from_utf8_lossy(&line)
                .trim_end_matches('\r')
                .to_string();
            if sender.send((stream, text)).is_err() {
                break;
            }
        }
    })
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(STDERR_TAIL_LINES)..].join("\n")
}

/// Quotes a word for a POSIX shell only when it needs it, so the printed command can be pasted.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

impl fmt::Display for ProcessBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.env {
            write!(
                f,
                "{}={} ",
                key.to_string_lossy(),
                shell_quote(&value.to_string_lossy())
            )?;
        }
        write!(f, "{}", shell_quote(&self.program.to_string_lossy()))?;
        for arg in &self.args {
            write!(f, " {}", shell_quote(&arg.to_string_lossy()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_a_pastable_command() {
        let mut process = ProcessBuilder::new("cargo");
        process.args(["lambda", "build", "--lambda-dir", "/tmp/a b", "it's"]);
        assert_eq!(
            process.to_string(),
            "cargo lambda build --lambda-dir '/tmp/a b' 'it'\\''s'"
        );
    }

    #[test]
    fn a_failed_run_keeps_status_and_stderr() {
        let mut process = ProcessBuilder::new("sh");
        process.args(["-c", "echo out; echo oops >&2; exit 3"]);
        let mut seen = Vec::new();
        let err = process
            .stream(|stream, line| seen.push((stream, line.to_string())))
            .unwrap_err();
        let ProcessError::Failed { status, stderr, .. } = err else {
            panic!("expected Failed")
        };
        assert_eq!(status.code(), Some(3));
        assert_eq!(stderr, "oops");
        assert!(seen.contains(&(Stream::Stdout, "out".to_string())));
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let err = ProcessBuilder::new("powertools-no-such-program")
            .output()
            .unwrap_err();
        assert!(matches!(err, ProcessError::Spawn { .. }));
    }
}
