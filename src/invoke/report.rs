//! Lambda's REPORT for local invocations, profiles over repeated invocations, and the comparison
//! with a baseline profile that fails when a function got heavier.
//!
//! The figures follow Lambda's own: Duration from handing the event over to the response, Init
//! Duration from starting the process to its first request for an event (cold starts only), Billed
//! Duration rounded up to the millisecond (with the init phase, which Lambda bills for OS-only
//! runtimes and, since August 2025, for every runtime), Max Memory Used as the peak resident
//! memory of the function's processes in MB (MiB, rounded up). Under qemu-user the times are
//! emulation times, not Graviton's, and the memory includes the emulator.
use super::{Invoked, memory};
use crate::model::{Arch, Runtime};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::time::Duration;

/// One invocation's REPORT.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub function: String,
    pub arch: Arch,
    pub runtime: Runtime,
    pub request_id: String,
    pub init_duration_ms: Option<f64>,
    pub duration_ms: f64,
    pub billed_duration_ms: u64,
    pub memory_size_mb: u32,
    pub max_memory_used_mb: Option<u64>,
    /// Run under qemu-user: times are emulation times, memory includes the emulator.
    pub emulated: bool,
    pub status: Status,
    /// What the emulator alone uses, measured once (see [`memory::emulator_at_rest_kib`]).
    pub emulator_at_rest_mb: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Error,
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 100_000.0).round() / 100.0
}

/// What Lambda bills: whole milliseconds, rounded up, the init phase included.
pub fn billed_ms(init: Option<Duration>, duration: Duration) -> u64 {
    let total = init.unwrap_or_default() + duration;
    let micros = total.as_micros() as u64;
    micros.div_ceil(1000).max(1)
}

impl Report {
    pub fn new(
        function: &str,
        arch: Arch,
        runtime: Runtime,
        memory_size_mb: u32,
        emulator_at_rest_kib: Option<u64>,
        emulated: bool,
        invoked: &Invoked,
    ) -> Report {
        let emulator_at_rest_kib = emulator_at_rest_kib.filter(|_| emulated);
        // A function run under the emulator used at least what the emulator alone uses: the
        // sampled peak of a busy machine can miss a moment the one-off measurement of qemu saw.
        let max_memory_kib = match (invoked.max_memory_kib, emulator_at_rest_kib) {
            (Some(used), Some(at_rest)) => Some(used.max(at_rest)),
            (used, _) => used,
        };
        Report {
            function: function.to_string(),
            arch,
            runtime,
            request_id: invoked.request_id.clone(),
            init_duration_ms: invoked.init_duration.map(millis),
            duration_ms: millis(invoked.duration),
            billed_duration_ms: billed_ms(invoked.init_duration, invoked.duration),
            memory_size_mb,
            max_memory_used_mb: max_memory_kib.map(memory::kib_to_mb),
            emulated,
            status: match invoked.failure {
                None => Status::Ok,
                Some(_) => Status::Error,
            },
            emulator_at_rest_mb: emulator_at_rest_kib.map(memory::kib_to_mb),
        }
    }

    /// The line Lambda writes after each invocation, with a note when it ran emulated.
    pub fn line(&self) -> String {
        let mut line = format!(
            "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
            self.request_id,
            self.duration_ms,
            self.billed_duration_ms,
            self.memory_size_mb,
            self.max_memory_used_mb
                .map_or_else(|| "?".to_string(), |mb| mb.to_string()),
        );
        if let Some(init) = self.init_duration_ms {
            let _ = write!(line, "\tInit Duration: {init:.2} ms");
        }
        if self.status == Status::Error {
            line.push_str("\tStatus: error");
        }
        if self.emulated {
            line.push_str("\t(under qemu: emulation times, not Graviton's; memory includes qemu");
            if let Some(mb) = self.emulator_at_rest_mb {
                let _ = write!(line, ", {mb} MB of it at rest");
            }
            line.push(')');
        }
        line
    }
}

/// Minimum, median and maximum of a set of figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Option<Spread> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = match sorted.len() {
            0 => return None,
            n if n % 2 == 1 => sorted[middle],
            _ => (sorted[middle - 1] + sorted[middle]) / 2.0,
        };
        Some(Spread {
            min: sorted[0],
            median: (median * 100.0).round() / 100.0,
            max: sorted[sorted.len() - 1],
        })
    }
}

/// The figures of one function on one architecture over `invocations` events to one process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub function: String,
    pub arch: Arch,
    pub runtime: Runtime,
    pub emulated: bool,
    pub invocations: usize,
    pub init_duration_ms: Option<f64>,
    /// Every invocation, the cold one included.
    pub duration_ms: Spread,
    /// The warm invocations (all but the first); `None` with one invocation.
    pub warm_duration_ms: Option<Spread>,
    pub max_memory_used_mb: Option<u64>,
    #[serde(default)]
    pub emulator_at_rest_mb: Option<u64>,
}

impl Profile {
    /// The profile of the REPORTs of one process, in order (the first is the cold start).
    pub fn of(reports: &[Report]) -> Option<Profile> {
        let first = reports.first()?;
        let durations: Vec<f64> = reports.iter().map(|r| r.duration_ms).collect();
        Some(Profile {
            function: first.function.clone(),
            arch: first.arch,
            runtime: first.runtime,
            emulated: first.emulated,
            invocations: reports.len(),
            init_duration_ms: first.init_duration_ms,
            duration_ms: Spread::of(&durations)?,
            warm_duration_ms: Spread::of(&durations[1..]),
            max_memory_used_mb: reports.iter().filter_map(|r| r.max_memory_used_mb).max(),
            emulator_at_rest_mb: first.emulator_at_rest_mb,
        })
    }

    /// The duration compared with a baseline: the median warm one, or with one invocation the
    /// cold one.
    fn compared_duration(&self) -> f64 {
        self.warm_duration_ms.unwrap_or(self.duration_ms).median
    }

    /// The human summary of a repeated run.
    pub fn summary(&self) -> String {
        let spread = |s: &Spread| {
            format!(
                "min {:.2} / median {:.2} / max {:.2} ms",
                s.min, s.median, s.max
            )
        };
        let mut text = format!("{} invocation(s)", self.invocations);
        if let Some(init) = self.init_duration_ms {
            let _ = write!(text, ", init {init:.2} ms");
        }
        match &self.warm_duration_ms {
            Some(warm) => {
                let _ = write!(text, ", warm duration {}", spread(warm));
            }
            None => {
                let _ = write!(text, ", duration {}", spread(&self.duration_ms));
            }
        }
        if let Some(mb) = self.max_memory_used_mb {
            let _ = write!(text, ", max memory used {mb} MB");
        }
        if self.emulated {
            text.push_str(" (under qemu)");
        }
        text
    }
}

/// What `--profile-out` writes and `--baseline` reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileFile {
    pub version: u32,
    pub generator: String,
    pub profiles: Vec<Profile>,
}

pub const PROFILE_FORMAT_VERSION: u32 = 1;

impl ProfileFile {
    pub fn new(profiles: Vec<Profile>) -> ProfileFile {
        ProfileFile {
            version: PROFILE_FORMAT_VERSION,
            generator: format!("cargo-powertools {}", env!("CARGO_PKG_VERSION")),
            profiles,
        }
    }
}

/// Changes smaller than Lambda's own units never count as regressions: 1 ms of duration (its
/// billing unit) and 1 MB of memory (its reporting unit). Small functions' warm durations are
/// fractions of a millisecond, where a noisy machine easily moves them by more than 10 %.
const DURATION_FLOOR_MS: f64 = 1.0;
const MEMORY_FLOOR_MB: f64 = 1.0;

/// One compared figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub function: String,
    pub arch: Arch,
    pub metric: &'static str,
    pub unit: &'static str,
    pub baseline: Option<f64>,
    pub current: Option<f64>,
    /// Relative change, `0.25` for +25 %.
    pub change: Option<f64>,
    pub regressed: bool,
}

/// Compares each current profile with the baseline's of the same function and architecture: max
/// memory used and median warm duration regress when they grow by more than `max_regression`
/// (`0.10` for 10 %) and by more than Lambda's unit.
pub fn compare(
    baseline: &ProfileFile,
    current: &[Profile],
    max_regression: f64,
) -> Vec<Comparison> {
    let mut rows = Vec::new();
    for profile in current {
        let before = baseline
            .profiles
            .iter()
            .find(|b| b.function == profile.function && b.arch == profile.arch);
        let pairs = [
            (
                "max memory used",
                "MB",
                before.and_then(|b| b.max_memory_used_mb).map(|v| v as f64),
                profile.max_memory_used_mb.map(|v| v as f64),
                MEMORY_FLOOR_MB,
            ),
            (
                "median warm duration",
                "ms",
                before.map(Profile::compared_duration),
                Some(profile.compared_duration()),
                DURATION_FLOOR_MS,
            ),
        ];
        for (metric, unit, old, new, floor) in pairs {
            let change = match (old, new) {
                (Some(old), Some(new)) if old > 0.0 => Some((new - old) / old),
                _ => None,
            };
            let regressed = match (old, new, change) {
                (Some(old), Some(new), Some(change)) => {
                    change > max_regression && new - old > floor
                }
                _ => false,
            };
            rows.push(Comparison {
                function: profile.function.clone(),
                arch: profile.arch,
                metric,
                unit,
                baseline: old,
                current: new,
                change,
                regressed,
            });
        }
    }
    rows
}

/// The side-by-side table of a comparison.
pub fn table(rows: &[Comparison], max_regression: f64) -> String {
    let figure = |value: Option<f64>, unit: &str| match value {
        Some(v) if unit == "MB" => format!("{v:.0} {unit}"),
        Some(v) => format!("{v:.2} {unit}"),
        None => "-".to_string(),
    };
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            [
                row.function.clone(),
                row.arch.to_string(),
                row.metric.to_string(),
                figure(row.baseline, row.unit),
                figure(row.current, row.unit),
                match (row.change, row.regressed) {
                    (Some(c), true) => format!(
                        "{:+.1}%  REGRESSED (limit +{:.0}%)",
                        c * 100.0,
                        max_regression * 100.0
                    ),
                    (Some(c), false) => format!("{:+.1}%", c * 100.0),
                    (None, _) if row.baseline.is_none() => "new".to_string(),
                    (None, _) => "-".to_string(),
                },
            ]
        })
        .collect();
    let header = [
        "function", "arch", "metric", "baseline", "current", "change",
    ]
    .map(String::from);
    let mut widths = [0; 6];
    for row in std::iter::once(&header).chain(&cells) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Parses `10%`, `10` or `0.1%`... as a fraction: `10%` → 0.10.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value / 100.0),
        _ => Err(format!("`{text}` is not a percentage: write it like `10%`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OsRuntime, PythonVersion};

    fn invoked(init_ms: Option<u64>, duration_us: u64, memory_kib: u64, failed: bool) -> Invoked {
        Invoked {
            request_id: "r-1".into(),
            response: "{}".into(),
            failure: failed.then(|| super::super::FunctionFailure {
                error_type: "ValueError".into(),
                message: "no".into(),
            }),
            init_duration: init_ms.map(Duration::from_millis),
            duration: Duration::from_micros(duration_us),
            max_memory_kib: Some(memory_kib),
        }
    }

    #[test]
    fn an_emulated_figure_is_never_below_the_emulator_at_rest() {
        let sampled_low = Report::new(
            "hello",
            Arch::Arm64,
            Runtime::Os(OsRuntime::ProvidedAl2023),
            128,
            Some(20 * 1024),
            true,
            &invoked(Some(100), 400, 19 * 1024, false),
        );
        assert_eq!(sampled_low.max_memory_used_mb, Some(20));
        assert_eq!(sampled_low.emulator_at_rest_mb, Some(20));
    }

    #[test]
    fn a_report_line_reads_like_lambdas() {
        let cold = Report::new(
            "hello",
            Arch::X86_64,
            Runtime::Os(OsRuntime::ProvidedAl2023),
            128,
            None,
            false,
            &invoked(Some(20), 1_234, 18 * 1024 + 1, false),
        );
        assert_eq!(
            cold.line(),
            "REPORT RequestId: r-1\tDuration: 1.23 ms\tBilled Duration: 22 ms\tMemory Size: 128 MB\tMax Memory Used: 19 MB\tInit Duration: 20.00 ms"
        );
        let warm = Report::new(
            "hello",
            Arch::Arm64,
            Runtime::Os(OsRuntime::ProvidedAl2023),
            128,
            Some(9000),
            true,
            &invoked(None, 400, 40 * 1024, true),
        );
        assert_eq!(
            warm.line(),
            "REPORT RequestId: r-1\tDuration: 0.40 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: error\t(under qemu: emulation times, not Graviton's; memory includes qemu, 9 MB of it at rest)"
        );
        let json = serde_json::to_value(&warm).unwrap();
        assert_eq!(json["status"], "error");
        assert_eq!(json["emulated"], true);
        assert_eq!(json["init_duration_ms"], serde_json::Value::Null);
        assert_eq!(json["billed_duration_ms"], 1);
    }

    #[test]
    fn spreads_and_profiles() {
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(
            Spread::of(&[3.0, 1.0, 2.0]).unwrap(),
            Spread {
                min: 1.0,
                median: 2.0,
                max: 3.0
            }
        );
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        let reports: Vec<Report> = [
            (Some(30), 9_000, 10),
            (None, 2_000, 12),
            (None, 1_000, 11),
            (None, 3_000, 12),
        ]
        .iter()
        .map(|&(init, us, mb)| {
            Report::new(
                "f",
                Arch::X86_64,
                Runtime::Python(PythonVersion::new(12).unwrap()),
                128,
                None,
                false,
                &invoked(init, us, mb * 1024, false),
            )
        })
        .collect();
        let profile = Profile::of(&reports).unwrap();
        assert_eq!(profile.invocations, 4);
        assert_eq!(profile.init_duration_ms, Some(30.0));
        assert_eq!(
            profile.warm_duration_ms,
            Some(Spread {
                min: 1.0,
                median: 2.0,
                max: 3.0
            })
        );
        assert_eq!(profile.duration_ms.max, 9.0);
        assert_eq!(profile.max_memory_used_mb, Some(12));
    }

    fn profile(memory: u64, warm_median: f64) -> Profile {
        Profile {
            function: "f".into(),
            arch: Arch::Arm64,
            runtime: Runtime::Os(OsRuntime::ProvidedAl2023),
            emulated: true,
            invocations: 3,
            init_duration_ms: Some(10.0),
            duration_ms: Spread {
                min: 1.0,
                median: warm_median,
                max: 50.0,
            },
            warm_duration_ms: Some(Spread {
                min: 1.0,
                median: warm_median,
                max: 9.0,
            }),
            max_memory_used_mb: Some(memory),
            emulator_at_rest_mb: None,
        }
    }

    #[test]
    fn a_regression_beyond_the_threshold_and_the_unit_fails() {
        let baseline = ProfileFile::new(vec![profile(20, 4.0)]);
        // +50 % memory: regressed; +25 % of 4 ms is 1 ms, not more than the floor: not regressed.
        let rows = compare(&baseline, &[profile(30, 5.0)], 0.10);
        assert_eq!(
            rows.iter()
                .filter(|r| r.regressed)
                .map(|r| r.metric)
                .collect::<Vec<_>>(),
            ["max memory used"]
        );
        let text = table(&rows, 0.10);
        assert_eq!(
            text,
            "function  arch   metric                baseline  current  change\n\
             f         arm64  max memory used       20 MB     30 MB    +50.0%  REGRESSED (limit +10%)\n\
             f         arm64  median warm duration  4.00 ms   5.00 ms  +25.0%\n"
        );
        // Within 10 %: nothing regressed; a function new since the baseline is only shown.
        assert!(
            compare(&baseline, &[profile(21, 4.2)], 0.10)
                .iter()
                .all(|r| !r.regressed)
        );
        let mut other = profile(500, 100.0);
        other.function = "g".into();
        let rows = compare(&baseline, &[other], 0.10);
        assert!(rows.iter().all(|r| !r.regressed && r.baseline.is_none()));
        assert!(table(&rows, 0.1).contains("new"));
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("10%"), Ok(0.10));
        assert_eq!(parse_percent("2.5"), Ok(0.025));
        assert!(
            parse_percent("ten")
                .unwrap_err()
                .contains("write it like `10%`")
        );
        assert!(parse_percent("-5%").is_err());
    }
}
