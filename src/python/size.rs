//! What a Python zip is made of: its size by distribution (from the installers' `RECORD` files,
//! read before they are pruned), and a hint when much of it is something Lambda can provide
//! instead: the runtime's boto3 and its dependencies, or the public Powertools layer.
use super::PythonFunction;
use super::closure::RUNTIME_PROVIDED;
use crate::model::Arch;
use std::collections::BTreeMap;
use std::path::Path;

/// Which distribution each top-level name of the installed site-packages belongs to
/// (`dateutil` → `python-dateutil`, `botocore-1.42.0.dist-info` → `botocore`).
pub type Owners = BTreeMap<String, String>;

/// The share of the zip above which a hint is given.
const HINT_SHARE: f64 = 0.25;
/// How many distributions the size line names.
const LARGEST: usize = 3;
const POWERTOOLS: &str = "aws-lambda-powertools";

/// Reads every `*.dist-info` of `site`: its `METADATA` name owns the dist-info folder and the first
/// component of each file its `RECORD` lists.
pub(super) fn owners(site: &Path) -> Owners {
    let mut owners = Owners::new();
    for entry in std::fs::read_dir(site).into_iter().flatten().flatten() {
        let folder = entry.file_name().to_string_lossy().into_owned();
        if !folder.ends_with(".dist-info") {
            continue;
        }
        let metadata = std::fs::read_to_string(entry.path().join("METADATA")).unwrap_or_default();
        let Some(name) = metadata
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix("Name:"))
            .map(|n| normalize(n.trim()))
        else {
            continue;
        };
        let record = std::fs::read_to_string(entry.path().join("RECORD")).unwrap_or_default();
        for line in record.lines() {
            let file = line.split(',').next().unwrap_or("");
            let top = file.split('/').next().unwrap_or("");
            if !top.is_empty() && top != ".." && !file.starts_with('/') {
                owners
                    .entry(top.to_string())
                    .or_insert_with(|| name.clone());
            }
        }
        owners.insert(folder, name);
    }
    owners
}

/// A distribution's name as indexes compare them: lower case, runs of `-_.` as one `-`.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A zip's compressed size, and how much of it each distribution and the project's own files take.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    pub total: u64,
    /// Largest first; ties by name.
    pub distributions: Vec<(String, u64)>,
    /// The project's own files (owned by no distribution).
    pub own: u64,
}

impl Breakdown {
    /// Sizes of `(entry name, compressed size)` pairs, owned by the distribution of their first
    /// component after `prefix` (`python/` in a layer).
    pub fn of(
        entries: impl IntoIterator<Item = (String, u64)>,
        owners: &Owners,
        prefix: &str,
    ) -> Breakdown {
        let mut by: BTreeMap<&str, u64> = BTreeMap::new();
        let (mut total, mut own) = (0, 0);
        for (name, size) in entries {
            total += size;
            let inside = name.strip_prefix(prefix).unwrap_or(&name);
            let mut top = inside.split('/').next().unwrap_or("").to_string();
            // The bytecode of a top-level module (`__pycache__/six.cpython-311.pyc`) is its own.
            if let Some(pyc) = inside.strip_prefix("__pycache__/") {
                top = format!("{}.py", pyc.split('.').next().unwrap_or(""));
            }
            match owners.get(&top) {
                Some(owner) => *by.entry(owner).or_default() += size,
                None => own += size,
            }
        }
        let mut distributions: Vec<(String, u64)> =
            by.into_iter().map(|(n, s)| (n.to_string(), s)).collect();
        distributions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Breakdown {
            total,
            distributions,
            own,
        }
    }

    /// Reads the compressed size of every entry of `zip`.
    pub fn of_zip(zip: &Path, owners: &Owners, prefix: &str) -> std::io::Result<Breakdown> {
        let file = std::fs::File::open(zip)?;
        let mut archive = zip::ZipArchive::new(file).map_err(std::io::Error::other)?;
        let mut entries = Vec::new();
        for index in 0..archive.len() {
            let entry = archive.by_index_raw(index).map_err(std::io::Error::other)?;
            entries.push((
                entry.name().unwrap_or_default().to_string(),
                entry.compressed_size(),
            ));
        }
        Ok(Breakdown::of(entries, owners, prefix))
    }

    fn percent(&self, size: u64) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            size as f64 * 100.0 / self.total as f64
        }
    }

    /// `4.2 MB: pydantic-core 2.0 MB (48%), aws-lambda-powertools 0.9 MB (21%), pydantic 0.8 MB
    /// (19%), own files 6 kB`.
    pub fn line(&self) -> String {
        let mut parts: Vec<String> = self
            .distributions
            .iter()
            .take(LARGEST)
            .map(|(name, size)| {
                format!("{name} {} ({:.0}%)", megabytes(*size), self.percent(*size))
            })
            .collect();
        if self.distributions.len() > LARGEST {
            parts.push(format!("{} more", self.distributions.len() - LARGEST));
        }
        parts.push(format!("own files {}", megabytes(self.own)));
        format!("{} zipped: {}", megabytes(self.total), parts.join(", "))
    }

    /// The hint for `function` when distributions the runtime or the Powertools layer provide are
    /// more than a quarter of the zip: what they are, and the `exclude` line that leaves them out.
    pub fn hint(&self, function: &PythonFunction, arch: Arch) -> Option<(String, String)> {
        let share = |names: &[&str]| -> (Vec<String>, u64) {
            let found: Vec<&(String, u64)> = self
                .distributions
                .iter()
                .filter(|(n, _)| names.contains(&n.as_str()))
                .collect();
            (
                found.iter().map(|(n, _)| n.clone()).collect(),
                found.iter().map(|(_, s)| s).sum(),
            )
        };
        let (runtime, runtime_size) = share(&RUNTIME_PROVIDED);
        let (powertools, powertools_size) = share(&[POWERTOOLS]);
        let large = |size: u64| self.total > 0 && size as f64 > self.total as f64 * HINT_SHARE;
        let mut what = Vec::new();
        let mut leave_out: Vec<String> = Vec::new();
        let python = function.python;
        if large(runtime_size) {
            what.push(format!(
                "{} ({:.0}% of the zip) {} in the {} runtime already",
                runtime.join(", "),
                self.percent(runtime_size),
                if runtime.len() == 1 { "is" } else { "are" },
                python.runtime()
            ));
            leave_out.extend(runtime);
        }
        if large(powertools_size) {
            what.push(format!(
                "{POWERTOOLS} ({:.0}% of the zip) is in the public Powertools layer (AWSLambdaPowertoolsPythonV3-python3{}-{}, attach it to the function)",
                self.percent(powertools_size),
                python.minor(),
                arch,
            ));
            leave_out.extend(powertools);
        }
        if leave_out.is_empty() {
            return None;
        }
        let mut exclude: Vec<String> = function.exclude.clone();
        exclude.extend(leave_out);
        exclude.sort();
        exclude.dedup();
        let list = exclude
            .iter()
            .map(|e| format!("\"{e}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!("`{}` ({arch}): {}", function.name, what.join("; "));
        let help = match settings_table(function) {
            Some(table) => format!(
                "to leave them out, write `exclude = [{list}]` in {table} of {} (their versions are then the runtime's or the layer's, not your lock's)",
                function.declared_in.display()
            ),
            None => format!(
                "a SAM template cannot leave distributions out; declare the function in a powertools.toml with `exclude = [{list}]` to leave them out"
            ),
        };
        Some((message, help))
    }
}

/// The table a function's `exclude` goes in, by the file that declares it; `None` for a SAM
/// template, which has no such setting.
fn settings_table(function: &PythonFunction) -> Option<String> {
    let file = function.declared_in.file_name()?.to_string_lossy();
    let kind = if function.layer {
        "layers"
    } else {
        "functions"
    };
    match file.as_ref() {
        "Cargo.toml" => Some(format!(
            "`[workspace.metadata.powertools.python.{}]`",
            function.name
        )),
        "powertools.toml" => Some(format!("`[{kind}.{}]`", function.name)),
        "pyproject.toml" => Some("`[tool.powertools]`".into()),
        _ => None,
    }
}

/// `19.2 MB`, `0.4 MB`, `6 kB`: sizes as a person compares them (1 MB = 1,000,000 bytes).
fn megabytes(bytes: u64) -> String {
    if bytes < 100_000 {
        format!("{} kB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners() -> Owners {
        [
            ("botocore", "botocore"),
            ("dateutil", "python-dateutil"),
            ("six.py", "six"),
            ("aws_lambda_powertools", "aws-lambda-powertools"),
            ("botocore-1.42.0.dist-info", "botocore"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn sizes_add_up_by_distribution_with_own_files_apart() {
        let breakdown = Breakdown::of(
            [
                ("botocore/data/x.json".to_string(), 14_000_000),
                ("botocore-1.42.0.dist-info/METADATA".to_string(), 4_000),
                ("dateutil/tz.py".to_string(), 200_000),
                ("six.py".to_string(), 11_000),
                ("__pycache__/six.cpython-311.pyc".to_string(), 1_000),
                ("app.py".to_string(), 800),
                ("aws_lambda_powertools/__init__.py".to_string(), 900_000),
            ],
            &owners(),
            "",
        );
        assert_eq!(breakdown.total, 15_116_800);
        assert_eq!(breakdown.own, 800);
        assert_eq!(
            breakdown.distributions,
            [
                ("botocore".to_string(), 14_004_000),
                ("aws-lambda-powertools".to_string(), 900_000),
                ("python-dateutil".to_string(), 200_000),
                ("six".to_string(), 12_000),
            ]
        );
        assert_eq!(
            breakdown.line(),
            "15.1 MB zipped: botocore 14.0 MB (93%), aws-lambda-powertools 0.9 MB (6%), python-dateutil 0.2 MB (1%), 1 more, own files 1 kB"
        );
        // A layer's entries are under python/.
        let layer = Breakdown::of([("python/six.py".to_string(), 10)], &owners(), "python/");
        assert_eq!(layer.distributions, [("six".to_string(), 10)]);
    }

    #[test]
    fn names_are_normalized_as_indexes_compare_them() {
        assert_eq!(normalize("Python_Dateutil"), "python-dateutil");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("a__b"), "a-b");
    }

    #[test]
    fn sizes_read_as_megabytes_or_kilobytes() {
        assert_eq!(megabytes(19_192_115), "19.2 MB");
        assert_eq!(megabytes(260_000), "0.3 MB");
        assert_eq!(megabytes(6_001), "7 kB");
        assert_eq!(megabytes(0), "0 kB");
    }
}
