//! All user-facing output: status lines and warnings on stderr (coloured only on a terminal), JSON
//! lines on stdout with `--message-format json`, and a progress spinner while a build runs on a terminal.
use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::time::Duration;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
}

pub struct Shell {
    format: MessageFormat,
    stderr_is_terminal: bool,
}

const STATUS: Style = AnsiColor::Green.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

impl Shell {
    pub fn new(format: MessageFormat) -> Self {
        Shell {
            format,
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A cargo-style status line: `   Packaging greeter (arm64)`.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        eprintln!("{STATUS}{verb:>12}{STATUS:#} {message}");
    }

    /// Lines shown as they are, on stderr (a table).
    pub fn block(&self, text: &str) {
        for line in text.lines() {
            eprintln!("{line}");
        }
    }

    /// A failed check: `error: <file>: <entry>: <problem>` and its fix.
    pub fn finding(&self, finding: &crate::verify::Finding) {
        let (label, style) = match finding.severity {
            crate::verify::Severity::Error => ("error", ERROR),
            crate::verify::Severity::Warning => ("warning", WARNING),
        };
        let entry = finding
            .entry
            .as_deref()
            .map(|e| format!("{e}: "))
            .unwrap_or_default();
        eprintln!(
            "{style}{label}{style:#}: {}: {entry}{}",
            finding.file.display(),
            finding.problem
        );
        eprintln!("  {HELP}help{HELP:#}: {}", finding.fix);
        self.json_line(&serde_json::json!({ "reason": "finding", "finding": finding }));
    }

    /// Prints one JSON line on stdout when the message format is JSON; nothing otherwise.
    pub fn json_line(&self, value: &impl Serialize) {
        if self.format == MessageFormat::Json {
            let mut stdout = std::io::stdout().lock();
            let _ = serde_json::to_writer(&mut stdout, value);
            let _ = writeln!(stdout);
        }
    }

    /// Where a child process's output goes while it runs: a spinner showing its latest line on a
    /// terminal, the lines themselves (on stderr, keeping stdout for JSON) otherwise.
    pub fn child_output(&self, title: String) -> ChildOutput {
        let spinner = self.stderr_is_terminal.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner:.green} {prefix:.bold} {wide_msg}")
                    .expect("valid template"),
            );
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
    pub fn line(&self, line: &str) {
        match &self.spinner {
            Some(bar) => bar.set_message(line.trim().to_string()),
            None => eprintln!("{line}"),
        }
    }
}

impl Drop for ChildOutput {
    fn drop(&mut self) {
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }
}
