//! All user-facing output goes through [`Shell`]: status lines, warnings and errors on stderr
//! (coloured only on a terminal), the human report of `recipes`/`doctor` on stdout, JSON lines on
//! stdout with `--message-format json`, and a progress spinner while a build runs on a terminal.
//!
//! The output contract: with `--message-format json`, stdout holds only JSON lines (one object a
//! line, each with a `reason`), the last one `{"reason": "finished", "success": ...}`; everything
//! meant for people goes to stderr. In human mode stdout holds the command's report and nothing
//! else. A closed stdout or stderr (`cargo powertools recipes | head -1`) is not an error and
//! never a panic: what cannot be written is dropped.
use anstyle::{AnsiColor, Style};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde::Serialize;
use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::time::Duration;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
}

/// A problem reported on its own line with a fix: a `verify` finding, a packaging warning.
pub trait Diagnostic: Serialize {
    /// An error (else a warning).
    fn is_error(&self) -> bool;
    /// The stable code of the kind of problem, printed as `error[code]:` (it is in the JSON).
    fn code(&self) -> &str;
    /// The text after `error[code]: ` / `warning[code]: `.
    fn headline(&self) -> String;
    /// The text after `help: `.
    fn help(&self) -> String;
}

pub struct Shell {
    format: MessageFormat,
    /// On a terminal: where the spinners of the builds running side by side are drawn; lines
    /// written to stderr meanwhile go above them.
    progress: Option<MultiProgress>,
}

const STATUS: Style = AnsiColor::Green.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

impl Shell {
    pub fn new(format: MessageFormat) -> Self {
        Shell {
            format,
            progress: std::io::stderr().is_terminal().then(MultiProgress::new),
        }
    }

    pub fn format(&self) -> MessageFormat {
        self.format
    }

    /// Writes `text` to stderr (styles stripped where it is not a terminal); write errors dropped.
    fn stderr(&self, text: impl Display) {
        let write = || {
            let mut stderr = anstream::stderr().lock();
            let _ = writeln!(stderr, "{text}");
        };
        match &self.progress {
            Some(progress) => progress.suspend(write),
            None => write(),
        }
    }

    /// A cargo-style status line: `   Packaging greeter (arm64)`.
    pub fn status(&self, verb: &str, message: impl Display) {
        self.stderr(format_args!("{STATUS}{verb:>12}{STATUS:#} {message}"));
    }

    /// Lines shown as they are, on stderr (a table).
    pub fn block(&self, text: &str) {
        for line in text.lines() {
            self.stderr(line);
        }
    }

    /// `warning: <message>` and, when there is one, `help: <fix>`.
    pub fn warning(&self, message: impl Display, help: Option<&str>) {
        self.stderr(format_args!("{WARNING}warning{WARNING:#}: {message}"));
        if let Some(help) = help {
            self.stderr(format_args!("  {HELP}help{HELP:#}: {help}"));
        }
    }

    /// An error and its causes, then its fix: `error: <what>`, `  caused by: <cause>` for each
    /// cause, `  help: <fix>`. With JSON, also the stream's last line: a failed `finished`.
    pub fn error(&self, error: &(dyn std::error::Error + 'static), help: Option<&str>) {
        self.stderr(format_args!("{ERROR}error{ERROR:#}: {error}"));
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string().replace('\n', "\n    ");
            self.stderr(format_args!("  caused by: {text}"));
            source = cause.source();
        }
        if let Some(help) = help {
            self.stderr(format_args!("  {HELP}help{HELP:#}: {help}"));
        }
        self.json_line(&serde_json::json!({
            "reason": "finished", "success": false, "error": error.to_string(), "help": help,
        }));
    }

    /// A problem with its fix (`error[code]: ...` or `warning[code]: ...`, then `help: ...`), as a JSON
    /// line `{"reason": "finding", "finding": ...}`.
    pub fn finding(&self, finding: &impl Diagnostic) {
        let (label, style) = match finding.is_error() {
            true => ("error", ERROR),
            false => ("warning", WARNING),
        };
        self.stderr(format_args!(
            "{style}{label}[{}]{style:#}: {}",
            finding.code(),
            finding.headline()
        ));
        self.stderr(format_args!("  {HELP}help{HELP:#}: {}", finding.help()));
        self.json_line(&serde_json::json!({ "reason": "finding", "finding": finding }));
    }

    /// One line of a command's report for people (`recipes`, `doctor`), on stdout; nothing with
    /// `--message-format json`, whose stdout is JSON only.
    pub fn report(&self, line: impl Display) {
        if self.format == MessageFormat::Human {
            let mut stdout = anstream::stdout().lock();
            let _ = writeln!(stdout, "{line}");
        }
    }

    /// Prints one JSON line on stdout when the message format is JSON; nothing otherwise.
    pub fn json_line(&self, value: &impl Serialize) {
        if self.format == MessageFormat::Json {
            let mut stdout = std::io::stdout().lock();
            let _ = serde_json::to_writer(&mut stdout, value);
            let _ = writeln!(stdout);
        }
    }

    /// What clap has to say about the command line: help and version on stdout, a usage error on
    /// stderr.
    pub fn clap(&self, error: &clap::Error) {
        let text = error.render().ansi().to_string();
        let text = text.trim_end();
        if error.use_stderr() {
            self.stderr(text);
        } else {
            let mut stdout = anstream::stdout().lock();
            let _ = writeln!(stdout, "{text}");
        }
    }

    /// Where a child process's output goes while it runs: a spinner showing its latest line on a
    /// terminal, the lines themselves (on stderr, keeping stdout for JSON) otherwise.
    pub fn child_output(&self, title: String) -> ChildOutput {
        let spinner = self.progress.as_ref().map(|progress| {
            let bar = progress.add(ProgressBar::new_spinner());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner:.green} {prefix:.bold} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar.set_prefix(title);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        ChildOutput { spinner }
    }
}

pub struct ChildOutput {
    spinner: Option<ProgressBar>,
}

impl ChildOutput {
    /// Whether every line is printed as it comes (no terminal), rather than only the latest shown.
    pub fn shown_in_full(&self) -> bool {
        self.spinner.is_none()
    }

    pub fn line(&self, line: &str) {
        match &self.spinner {
            Some(bar) => bar.set_message(line.trim().to_string()),
            None => {
                let mut stderr = anstream::stderr().lock();
                let _ = writeln!(stderr, "{line}");
            }
        }
    }
}

/// A finished child's spinner leaves no line behind: the status lines say what it did.
impl Drop for ChildOutput {
    fn drop(&mut self) {
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }
}
