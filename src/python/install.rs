//! Installing a function's dependencies for Lambda's platform by running its recipe's commands
//! (export the lock, install into a folder; or let the tool build the zip), then pruning the result
//! and adding the project's own files.
use super::files::{files_as_entries, own_code_entries};
use super::project::{check_requires_python, cpu};
use super::site::{prune, remove_excluded};
use super::{PythonError, PythonFunction};
use crate::arch::Arch;
use crate::archive::Entry;
use crate::process::{ProcessError, Stream};
use crate::recipe::{self, CommandLine, PythonRecipe, PythonStep};
use std::path::Path;

/// Installs `function`'s dependencies for `arch` with `recipe` under `work`, and returns the zip
/// entries: dependencies and own code at the root for a function, under `python/` for a layer.
pub fn build(
    function: &PythonFunction,
    arch: Arch,
    recipe: &PythonRecipe,
    workspace_root: &Path,
    work: &Path,
    mut on_line: impl FnMut(Stream, &str),
) -> Result<Vec<Entry>, PythonError> {
    let spec = &recipe.python;
    if let Some(lock) = &spec.lock
        && !function.project.join(lock).is_file()
    {
        return Err(PythonError::MissingLock {
            project: function.project.clone(),
            lock: lock.clone(),
            recipe: recipe.name.clone(),
        });
    }
    check_requires_python(function)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PythonError::Io { path, source }
    };
    let site = work.join("site");
    std::fs::create_dir_all(&site).map_err(io(&site))?;
    let requirements = work.join("requirements.txt");
    let project = function.project.to_string_lossy();
    let (python, python_nodot) = (function.python.clone(), function.python.replace('.', ""));
    let site_text = site.to_string_lossy();
    let requirements_text = requirements.to_string_lossy();
    let project_dots = function.project_rel.replace('/', ".");
    let values = [
        ("project", project.as_ref()),
        ("site", site_text.as_ref()),
        ("requirements", requirements_text.as_ref()),
        ("python", python.as_str()),
        ("python_nodot", python_nodot.as_str()),
        ("cpu", cpu(arch)),
        ("name", function.name.as_str()),
        ("project_dots", project_dots.as_str()),
    ];
    let command = |template: &CommandLine| template.process(&values);
    let step_err = |step: &'static str| {
        let name = function.name.clone();
        move |source| PythonError::Step {
            step,
            name,
            arch,
            source,
        }
    };

    let own_code = if let PythonStep::Package {
        command: package,
        output,
    } = &spec.step
    {
        // The tool builds the Lambda zip itself (own code included); take its contents.
        let mut process = command(package);
        process.cwd(workspace_root);
        on_line(Stream::Stderr, &format!("Running `{process}`"));
        process
            .stream(&mut on_line)
            .map_err(step_err("packaging"))?;
        let zip = workspace_root.join(recipe::fill(output, &values));
        if !zip.is_file() {
            return Err(PythonError::MissingOutput {
                command: process.to_string(),
                output: zip,
            });
        }
        extract(&zip, &site)?;
        false
    } else {
        match &spec.export {
            Some(export) => {
                let process = command(export);
                on_line(Stream::Stderr, &format!("Running `{process}`"));
                process
                    .stream(&mut on_line)
                    .map_err(step_err("exporting the lock"))?;
            }
            None => {
                let lock = function
                    .project
                    .join(spec.lock.as_deref().unwrap_or("requirements.txt"));
                std::fs::copy(&lock, &requirements).map_err(io(&lock))?;
            }
        }
        let install = command(spec.step.command());
        on_line(Stream::Stderr, &format!("Running `{install}`"));
        if let Err(err) = install.stream(&mut on_line) {
            return Err(
                classify_install_failure(err, &requirements, arch, &function.python)
                    .unwrap_or_else(step_err("installing")),
            );
        }
        true
    };

    remove_excluded(&site, &function.exclude)?;
    prune(&site)?;
    let prefix = if function.layer { "python/" } else { "" };
    let mut entries = files_as_entries(&site, &site, prefix)?;
    if own_code && (!function.layer || function.include.is_some()) {
        entries.extend(own_code_entries(function, workspace_root, prefix)?);
    }
    Ok(entries)
}

/// Names the package when an install failed because it has no wheel for the target.
fn classify_install_failure(
    err: ProcessError,
    requirements: &Path,
    arch: Arch,
    python: &str,
) -> Result<PythonError, ProcessError> {
    let ProcessError::Failed { stderr, .. } = &err else {
        return Err(err);
    };
    const NO_WHEEL: [&str; 6] = [
        "from versions: none",
        "no matching distribution found",
        "has no wheels",
        "no wheels with a matching",
        "has no usable wheels",
        "no compatible wheel",
    ];
    let names: Vec<String> = std::fs::read_to_string(requirements)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('-'))
        .map(|l| {
            l.split(|c: char| "=<>!~;[ ".contains(c))
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let normalize = |s: &str| s.to_lowercase().replace(['_', '.'], "-");
    for line in stderr
        .lines()
        .filter(|l| NO_WHEEL.iter().any(|m| l.to_lowercase().contains(m)))
    {
        let line_normalized = normalize(line);
        let mut found: Vec<&String> = names
            .iter()
            .filter(|n| !n.is_empty() && line_normalized.contains(&normalize(n)))
            .collect();
        found.sort_by_key(|n| std::cmp::Reverse(n.len()));
        if let Some(package) = found.first() {
            return Ok(PythonError::SdistOnly {
                package: package.to_string(),
                platform: PythonFunction::platform(arch),
                python: python.to_string(),
            });
        }
    }
    Err(err)
}

/// Unpacks a zip another tool made, so its contents can be pruned and re-zipped reproducibly.
fn extract(zip: &Path, dest: &Path) -> Result<(), PythonError> {
    let io = |source| PythonError::Io {
        path: zip.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(zip).map_err(io)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| io(std::io::Error::other(e)))?;
    archive
        .extract(dest)
        .map_err(|e| io(std::io::Error::other(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_install_failure_without_a_wheel_names_the_package() {
        let dir = tempfile::tempdir().unwrap();
        let requirements = dir.path().join("requirements.txt");
        std::fs::write(
            &requirements,
            "pydantic==2.11.0\npsycopg2==2.9.10\n    # via orders\n",
        )
        .unwrap();
        let failed = |stderr: &str| ProcessError::Failed {
            command: "pip install".into(),
            status: std::process::Command::new("false").status().unwrap(),
            stderr: stderr.into(),
        };
        let pip = "ERROR: Could not find a version that satisfies the requirement psycopg2==2.9.10 (from versions: none)";
        let err =
            classify_install_failure(failed(pip), &requirements, Arch::Arm64, "3.12").unwrap();
        assert!(
            matches!(err, PythonError::SdistOnly { ref package, ref platform, .. } if package == "psycopg2" && platform == "manylinux2014_aarch64")
        );
        let uv = "  ╰─▶ Because psycopg2==2.9.10 has no wheels with a matching platform tag (e.g., `manylinux_2_17_x86_64`)";
        assert!(classify_install_failure(failed(uv), &requirements, Arch::X86_64, "3.12").is_ok());
        assert!(
            classify_install_failure(failed("network down"), &requirements, Arch::X86_64, "3.12")
                .is_err()
        );
    }
}
