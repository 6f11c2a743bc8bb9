//! All user-facing output goes through [`Shell`]: status lines, warnings and errors on stderr
//! (coloured on a terminal, or as `--color` says), the human report of `recipes`/`doctor` on
//! stdout, JSON lines on stdout with `--message-format json` ([`crate::message`]), and a progress
//! spinner while a build runs on a terminal.
//!
//! `-q` and `-v` work as cargo's: `-q` leaves out status lines, warnings and the output of the
//! programs run (errors stay, and so does every JSON line); `-v` prints every line those programs
//! print even on a terminal, where a spinner shows only the latest otherwise.
//!
//! The output contract: with `--message-format json`, stdout holds only JSON lines (one object a
//! line, each with a `reason`), the last one `{"reason": "finished", "success": ...}`; everything
//! meant for people goes to stderr. In human mode stdout holds the command's report and nothing
//! else. A closed stdout or stderr (`cargo powertools recipes | head -1`) is not an error and
//! never a panic: what cannot be written is dropped.
use crate::message::{self, Message, Outcome};
use crate::verify::{Finding, Severity};
use anstyle::{AnsiColor, Style};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::time::Duration;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
}

/// How much goes to stderr: cargo's `-q` and `-v`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// When stderr is coloured: cargo's `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// On a terminal (unless `NO_COLOR` is set).
    #[default]
    Auto,
    /// Also in a pipe or a file (a CI log that shows colours).
    Always,
    /// Plain text.
    Never,
}

impl Color {
    fn choice(self) -> anstream::ColorChoice {
        match self {
            Color::Auto => anstream::ColorChoice::Auto,
            Color::Always => anstream::ColorChoice::Always,
            Color::Never => anstream::ColorChoice::Never,
        }
    }
}

pub struct Shell {
    format: MessageFormat,
    verbosity: Verbosity,
    color: Color,
    /// On a terminal: where the spinners of the builds running side by side are drawn; lines
    /// written to stderr meanwhile go above them.
    progress: Option<MultiProgress>,
}

const STATUS: Style = AnsiColor::Green.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

impl Shell {
    pub fn new(format: MessageFormat, verbosity: Verbosity, color: Color) -> Self {
        Shell {
            format,
            verbosity,
            color,
            progress: spinners(std::io::stderr().is_terminal(), verbosity).then(MultiProgress::new),
        }
    }

    pub fn format(&self) -> MessageFormat {
        self.format
    }

    fn quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    /// Writes `text` to stderr (styles stripped unless coloured); write errors dropped.
    fn stderr(&self, text: impl Display) {
        let write = || {
            let mut stderr =
                anstream::AutoStream::new(std::io::stderr().lock(), self.color.choice());
            let _ = writeln!(stderr, "{text}");
        };
        match &self.progress {
            Some(progress) => progress.suspend(write),
            None => write(),
        }
    }

    /// A cargo-style status line: `   Packaging greeter (arm64)`.
    pub fn status(&self, verb: &str, message: impl Display) {
        if self.quiet() {
            return;
        }
        self.stderr(format_args!("{STATUS}{verb:>12}{STATUS:#} {message}"));
    }

    /// The one way an external program is announced: ``     Running `<command, as it can be pasted
    /// into a shell>` ``, as cargo announces rustc.
    pub fn running(&self, command: impl Display) {
        self.status("Running", format_args!("`{command}`"));
    }

    /// Lines shown as they are, on stderr (a table).
    pub fn block(&self, text: &str) {
        for line in text.lines() {
            self.stderr(line);
        }
    }

    /// `warning: <message>` and, when there is one, `help: <fix>`; with JSON, also a `warning`
    /// line.
    pub fn warning(&self, message: impl Display, help: Option<&str>) {
        let message = message.to_string();
        if !self.quiet() {
            self.stderr(format_args!("{WARNING}warning{WARNING:#}: {message}"));
            if let Some(help) = help {
                self.stderr(format_args!("  {HELP}help{HELP:#}: {help}"));
            }
        }
        self.emit(&Message::Warning {
            message: &message,
            help,
        });
    }

    /// An error and its causes, then its fix: `error: <what>`, `  caused by: <cause>` for each
    /// cause, `  help: <fix>`. (With JSON, the caller ends the stream with a failed `finished`.)
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
    }

    /// A problem `verify`'s checks found, with its fix (`error[code]: ...` or
    /// `warning[code]: ...`, then `help: ...`; a warning not with `-q`), and its JSON `finding`
    /// line.
    pub fn finding(&self, finding: &Finding) {
        self.emit(&Message::Finding { finding });
        let (label, style) = match finding.severity {
            Severity::Error => ("error", ERROR),
            Severity::Warning if self.quiet() => return,
            Severity::Warning => ("warning", WARNING),
        };
        let entry = finding
            .entry
            .as_deref()
            .map(|e| format!("{e}: "))
            .unwrap_or_default();
        self.stderr(format_args!(
            "{style}{label}[{}]{style:#}: {}: {entry}{}",
            finding.code,
            finding.file.display(),
            finding.problem
        ));
        self.stderr(format_args!("  {HELP}help{HELP:#}: {}", finding.fix));
    }

    /// One line of a command's report for people (`recipes`, `doctor`), on stdout; nothing with
    /// `--message-format json`, whose stdout is JSON only.
    pub fn report(&self, line: impl Display) {
        if self.format == MessageFormat::Human {
            let mut stdout = anstream::stdout().lock();
            let _ = writeln!(stdout, "{line}");
        }
    }

    /// Writes `message` as one JSON line on stdout when the message format is JSON; nothing
    /// otherwise. The one place JSON is written; like any output, what cannot be written is
    /// dropped.
    pub fn emit(&self, message: &Message) {
        if self.format == MessageFormat::Json
            && let Ok(line) = message::to_line(message)
        {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{line}");
        }
    }

    /// What clap has to say about the command line: help and version on stdout, a usage error on
    /// stderr and, with JSON, as a failed `finished` line: `error` its first line, `help` the
    /// rest (tips, usage, where to read more).
    pub fn clap(&self, error: &clap::Error) {
        let text = error.render().ansi().to_string();
        let text = text.trim_end();
        if error.use_stderr() {
            self.stderr(text);
            let plain = error.render().to_string();
            let mut lines = plain.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines.next().unwrap_or_default();
            let rest: Vec<&str> = lines.collect();
            let outcome = Outcome::Failed {
                error: first.strip_prefix("error: ").unwrap_or(first).to_string(),
                help: (!rest.is_empty()).then(|| rest.join("\n")),
            };
            self.emit(&Message::finished(&outcome));
        } else {
            let mut stdout =
                anstream::AutoStream::new(std::io::stdout().lock(), self.color.choice());
            let _ = writeln!(stdout, "{text}");
        }
    }

    /// Where a child process's output goes while it runs: a spinner showing its latest line on a
    /// terminal, the lines themselves (on stderr, keeping stdout for JSON) otherwise or with `-v`,
    /// nowhere with `-q`.
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
        ChildOutput {
            spinner,
            hidden: self.quiet(),
        }
    }
}

/// Whether programs' output is shown as a spinner with their latest line: on a terminal, unless
/// `-v` asks for every line or `-q` for none.
fn spinners(stderr_is_terminal: bool, verbosity: Verbosity) -> bool {
    stderr_is_terminal && verbosity == Verbosity::Normal
}

pub struct ChildOutput {
    spinner: Option<ProgressBar>,
    /// `-q`: no line is shown.
    hidden: bool,
}

impl ChildOutput {
    /// Whether every line is printed as it comes (no terminal, or `-v`), rather than only the
    /// latest shown or none.
    pub fn shown_in_full(&self) -> bool {
        self.spinner.is_none() && !self.hidden
    }

    pub fn line(&self, line: &str) {
        match &self.spinner {
            Some(bar) => bar.set_message(line.trim().to_string()),
            None if self.hidden => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_terminal_without_q_or_v_gets_spinners() {
        assert!(spinners(true, Verbosity::Normal));
        assert!(!spinners(true, Verbosity::Verbose));
        assert!(!spinners(true, Verbosity::Quiet));
        assert!(!spinners(false, Verbosity::Normal));
    }

    #[test]
    fn with_q_no_line_of_a_program_is_shown_and_its_error_keeps_them() {
        let shell = Shell::new(MessageFormat::Human, Verbosity::Quiet, Color::Never);
        let output = shell.child_output("Building".into());
        assert!(!output.shown_in_full());
    }
}
