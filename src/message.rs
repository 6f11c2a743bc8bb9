//! The lines of `--message-format json`: one type per `reason`, [`Message`], written by one method,
//! [`crate::shell::Shell::emit`]. docs/ci.md ("JSON messages") lists every `reason` with the
//! commands that print it and its fields; a test keeps that table and [`Message::REASONS`] in step.
//!
//! A line's keys are written in alphabetical order, so that the text of a line, not only its
//! meaning, stays the same from one version to the next.
use crate::invoke::report::{Comparison, Profile, Report};
use crate::manifest::Artifact;
use crate::model::Arch;
use crate::recipe::Language;
use crate::verify::Finding;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One JSON line of a command's output.
#[derive(Debug, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Message<'a> {
    /// `package`, `merge`: an artifact in the output directory, as its manifest entry.
    Artifact { artifact: &'a Artifact },
    /// `package`: a binary that is not packaged, and why.
    Skipped {
        package: &'a str,
        bin: &'a str,
        why: &'a str,
    },
    /// Any command: a warning, and how to act on it when there is a fix.
    Warning {
        message: &'a str,
        help: Option<&'a str>,
    },
    /// `verify`, `package`: a problem its checks found in a zip, with its stable code.
    Finding { finding: &'a Finding },
    /// `doctor`: one thing it looked at.
    Check { check: &'a Check },
    /// `recipes`: one recipe (with `recipes show`, also its summary and definition).
    Recipe(RecipeLine<'a>),
    /// `init`: what was written into which Cargo.toml.
    Init {
        manifest: &'a Path,
        written: &'a [String],
    },
    /// `openapi`: a function's fragment, fetched.
    Fragment {
        function: &'a str,
        source: String,
        operations: usize,
    },
    /// `openapi`: the merged document, written.
    Openapi {
        path: &'a Path,
        openapi: &'a serde_json::Value,
        functions: &'a [String],
        operations: usize,
        placeholders: &'a BTreeMap<String, String>,
    },
    /// `verify --invoke`: one invocation's REPORT, and the function's answer.
    Invocation {
        #[serde(flatten)]
        report: &'a Report,
        response: &'a str,
    },
    /// `verify --invoke --repeat N`: a function's figures over its N invocations.
    Profile { profile: &'a Profile },
    /// `verify --baseline`: each figure compared with the baseline's.
    Baseline {
        baseline: &'a Path,
        max_regression: f64,
        comparisons: &'a [Comparison],
        regressed: usize,
    },
    /// Every command, last: whether it succeeded, and what it did or why it failed.
    Finished {
        success: bool,
        #[serde(flatten)]
        outcome: &'a Outcome,
    },
}

impl<'a> Message<'a> {
    /// Every `reason`, in the order of docs/ci.md's table.
    pub const REASONS: &'static [&'static str] = &[
        "artifact",
        "skipped",
        "warning",
        "finding",
        "check",
        "recipe",
        "init",
        "fragment",
        "openapi",
        "invocation",
        "profile",
        "baseline",
        "finished",
    ];

    /// The message's `reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            Message::Artifact { .. } => "artifact",
            Message::Skipped { .. } => "skipped",
            Message::Warning { .. } => "warning",
            Message::Finding { .. } => "finding",
            Message::Check { .. } => "check",
            Message::Recipe(_) => "recipe",
            Message::Init { .. } => "init",
            Message::Fragment { .. } => "fragment",
            Message::Openapi { .. } => "openapi",
            Message::Invocation { .. } => "invocation",
            Message::Profile { .. } => "profile",
            Message::Baseline { .. } => "baseline",
            Message::Finished { .. } => "finished",
        }
    }

    /// The last line of a command's output.
    pub fn finished(outcome: &'a Outcome) -> Self {
        Message::Finished {
            success: !matches!(outcome, Outcome::Failed { .. }),
            outcome,
        }
    }
}

/// What a command did (the fields of its `finished` line after `success`).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    /// `recipes`, `doctor`, `init`: nothing more to say.
    Done {},
    /// `package`: the manifest, whether the output stayed as it was, and how long it took.
    Packaged {
        manifest: PathBuf,
        unchanged: bool,
        build_ms: u64,
        total_ms: u64,
    },
    /// `merge`: the merged manifest, and whether the output stayed as it was.
    Merged { manifest: PathBuf, unchanged: bool },
    /// `verify`: how many artifacts were checked and how many warnings they had.
    Verified { artifacts: usize, warnings: usize },
    /// `openapi`: how many warnings the merge had.
    Openapi { warnings: usize },
    /// Any command that failed: the error (its first line, as after `error:`) and its fix.
    Failed { error: String, help: Option<String> },
}

/// One thing `doctor` looked at.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub what: String,
    pub ok: bool,
    pub detail: String,
    pub fix: Option<String>,
    /// Whether the recipe cannot run without it (else it only limits `verify --invoke`).
    pub required: bool,
}

/// A recipe as `recipes` lists it; `recipes show` adds `summary` and `source`.
#[derive(Debug, Serialize)]
pub struct RecipeLine<'a> {
    pub name: &'a str,
    pub language: Language,
    pub toolchain: String,
    pub architectures: &'a [Arch],
    pub usable: bool,
    pub why_not: Option<String>,
    pub origin: String,
    pub tutorial: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
}

/// The JSON line of `message`: one object, keys in alphabetical order, no newline. (It cannot
/// fail: every map of these types has string keys.)
pub fn to_line(message: &Message) -> serde_json::Result<String> {
    // Through a `Value`, whose maps are sorted: the key order of the lines printed before these
    // types existed, which scripts and snapshots may compare as text.
    serde_json::to_value(message).and_then(|value| serde_json::to_string(&value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoke::report::{self, ProfileFile, Status};
    use crate::model::{Kind, OsRuntime, Runtime};
    use crate::verify::Severity;
    use std::collections::BTreeSet;

    #[test]
    fn each_message_is_written_with_its_reason() {
        let outcome = Outcome::Done {};
        let warning = Message::Warning {
            message: "a",
            help: None,
        };
        for message in [Message::finished(&outcome), warning] {
            let value: serde_json::Value =
                serde_json::from_str(&to_line(&message).unwrap()).unwrap();
            assert_eq!(value["reason"], message.reason());
        }
    }

    #[test]
    fn a_failed_outcome_is_not_a_success() {
        let failed = Outcome::Failed {
            error: "no recipe is named `bazel`".into(),
            help: None,
        };
        assert_eq!(
            to_line(&Message::finished(&failed)).unwrap(),
            r#"{"error":"no recipe is named `bazel`","help":null,"reason":"finished","success":false}"#
        );
    }

    fn report(duration_ms: f64, init_duration_ms: Option<f64>) -> Report {
        Report {
            function: "greeter".into(),
            arch: Arch::Arm64,
            runtime: Runtime::Os(OsRuntime::ProvidedAl2023),
            request_id: "r-1".into(),
            init_duration_ms,
            duration_ms,
            billed_duration_ms: 2,
            memory_size_mb: 128,
            max_memory_used_mb: Some(19),
            emulated: true,
            status: Status::Ok,
            emulator_at_rest_mb: Some(9),
        }
    }

    fn artifact() -> Artifact {
        Artifact {
            function: "greeter".into(),
            kind: Kind::Function,
            package: "greeter".into(),
            arch: Arch::Arm64,
            language: "rust".into(),
            target: "aarch64-unknown-linux-gnu".into(),
            runtime: Runtime::Os(OsRuntime::ProvidedAl2023),
            handler: None,
            excluded: Vec::new(),
            layers: Vec::new(),
            environment: BTreeMap::new(),
            recipe: "cargo-lambda".into(),
            tools: BTreeMap::from([("cargo-lambda".into(), "1.8.5".into())]),
            path: "arm64/greeter.zip".into(),
            size: 1000,
            unzipped_size: 3000,
            sha256: "0".repeat(64),
            code_sha256: "A".repeat(43) + "=",
        }
    }

    /// One line of every type, as `--message-format json` prints it: the reviewed shape of the
    /// protocol (docs/ci.md describes each).
    #[test]
    fn one_line_of_every_message_type() {
        let artifact = artifact();
        let finding = Finding {
            severity: Severity::Error,
            code: "bootstrap-not-executable",
            file: PathBuf::from("arm64/greeter.zip"),
            entry: Some("bootstrap".into()),
            problem: "not executable (mode 644)".into(),
            fix: "`chmod 755` it before zipping".into(),
        };
        let check = Check {
            what: "cargo-lambda".into(),
            ok: false,
            detail: "not found".into(),
            fix: Some("pip install cargo-lambda".into()),
            required: true,
        };
        let arches = [Arch::X86_64, Arch::Arm64];
        let recipe = |show: bool| RecipeLine {
            name: "uv",
            language: Language::Python,
            toolchain: "uv export".into(),
            architectures: &arches,
            usable: false,
            why_not: Some("uv is not installed".into()),
            origin: "built in (recipes/uv.toml)".into(),
            tutorial: "docs/recipes/uv.md",
            summary: show.then_some("uv export, then uv pip install"),
            source: show.then_some("[python]\n"),
        };
        let written = ["profile.release.lto".to_string()];
        let functions = ["greeter".to_string()];
        let placeholders = BTreeMap::from([("greeter".to_string(), "GreeterArn".to_string())]);
        let version = serde_json::json!("3.0.3");
        let (cold, warm) = (report(1.5, Some(20.0)), report(0.5, None));
        let profile = Profile::of(&[cold.clone(), warm]).unwrap();
        let baseline = ProfileFile::new(vec![profile.clone()]);
        let comparisons = report::compare(&baseline, std::slice::from_ref(&profile), 0.1);
        let outcomes = [
            Outcome::Done {},
            Outcome::Packaged {
                manifest: "target/powertools/manifest.json".into(),
                unchanged: false,
                build_ms: 1200,
                total_ms: 1500,
            },
            Outcome::Merged {
                manifest: "merged/manifest.json".into(),
                unchanged: true,
            },
            Outcome::Verified {
                artifacts: 2,
                warnings: 0,
            },
            Outcome::Openapi { warnings: 1 },
            Outcome::Failed {
                error: "no recipe is named `bazel`".into(),
                help: Some("choose one of: cargo, uv".into()),
            },
        ];
        let mut messages = vec![
            Message::Artifact {
                artifact: &artifact,
            },
            Message::Skipped {
                package: "tools",
                bin: "seed-data",
                why: "not Lambda code",
            },
            Message::Warning {
                message: "shard/ was written by cargo-powertools 0.0.1",
                help: None,
            },
            Message::Warning {
                message: "`old` runs on python3.9, which Lambda deprecated",
                help: Some("move to python3.13"),
            },
            Message::Finding { finding: &finding },
            Message::Check { check: &check },
            Message::Recipe(recipe(false)),
            Message::Recipe(recipe(true)),
            Message::Init {
                manifest: Path::new("Cargo.toml"),
                written: &written,
            },
            Message::Fragment {
                function: "greeter",
                source: "file openapi.json".into(),
                operations: 2,
            },
            Message::Openapi {
                path: Path::new("target/powertools/openapi.json"),
                openapi: &version,
                functions: &functions,
                operations: 2,
                placeholders: &placeholders,
            },
            Message::Invocation {
                report: &cold,
                response: r#"{"ok":true}"#,
            },
            Message::Profile { profile: &profile },
            Message::Baseline {
                baseline: Path::new("baseline.json"),
                max_regression: 0.1,
                comparisons: &comparisons,
                regressed: 0,
            },
        ];
        messages.extend(outcomes.iter().map(Message::finished));
        let reasons: BTreeSet<&str> = messages.iter().map(Message::reason).collect();
        assert_eq!(reasons, Message::REASONS.iter().copied().collect());
        let lines: Vec<String> = messages.iter().map(|m| to_line(m).unwrap()).collect();
        // Beside the command line's snapshots: every file under src/ ships in the crate.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../tests/cli/snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!("json_messages", lines.join("\n")));
    }

    /// The reasons docs/ci.md's "JSON messages" table lists, in its order.
    fn documented_reasons() -> Vec<String> {
        let page = include_str!("../docs/ci.md");
        let section = page
            .split("\n## ")
            .find(|s| s.starts_with("JSON messages\n"))
            .expect("docs/ci.md has a `## JSON messages` section");
        section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split('`').next())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_docs_list_every_reason() {
        assert_eq!(documented_reasons(), Message::REASONS);
    }
}
