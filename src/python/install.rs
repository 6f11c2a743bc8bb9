//! Installing a function's dependencies for Lambda's platform by running its recipe's commands
//! (export the lock, install into a folder; or let the tool build the zip), then pruning the result
//! and adding the project's own files.
use super::files::{files_as_entries, own_code_entries};
use super::interpreter::{self, Interpreter};
use super::markers;
use super::project::check_requires_python;
use super::site::{prune, remove_excluded};
use super::{PythonError, PythonFunction, bytecode, closure, handler, tags};
use crate::archive::Entry;
use crate::model::{Arch, PythonVersion, manylinux_tags};
use crate::process::{ProcessBuilder, ProcessError, ProcessGroups, Stream};
use crate::recipe::{CommandTemplate, PythonRecipe, PythonStep, PythonValues};
use std::path::Path;
use std::str::FromStr;

/// How many times a resolving install is run again for requirements the target needs that the
/// installer left out (pip evaluates markers of dependencies for the machine it runs on).
const CLOSURE_ROUNDS: usize = 3;

/// How [`build`] runs the recipe's programs: each in a process group of the run's `children`
/// (stopped on an interruption); `on_run` is told of each command before it starts, `on_line` gets
/// every line it prints.
pub struct Runner<'a, R, L> {
    pub children: &'a ProcessGroups,
    pub on_run: R,
    pub on_line: L,
}

/// What an install gives: the zip entries, and which distribution owns each top-level name among
/// them (for the size line, [`super::size`]).
#[derive(Clone, Debug, Default)]
pub struct Installed {
    pub entries: Vec<Entry>,
    pub owners: super::size::Owners,
}

/// The CPython that compiles `function`'s bytecode (its runtime's), when it has `bytecode = true`;
/// an error naming the version to install when this machine has none.
pub fn bytecode_compiler(function: &PythonFunction) -> Result<Option<Interpreter>, PythonError> {
    if !function.bytecode {
        return Ok(None);
    }
    find_compiler(function).map(Some)
}

fn find_compiler(function: &PythonFunction) -> Result<Interpreter, PythonError> {
    interpreter::find(function.python.minor()).ok_or_else(|| PythonError::NoBytecodeCompiler {
        name: function.name.clone(),
        python: function.python,
        declared_in: function.declared_in.clone(),
    })
}

/// Installs `function`'s dependencies for `arch` with `recipe` under `work`, and returns the zip
/// entries: dependencies and own code at the root for a function, under `python/` for a layer,
/// with the `.pyc` of each module compiled by `compiler` for `bytecode = true`
/// ([`bytecode_compiler`]).
pub fn build(
    function: &PythonFunction,
    arch: Arch,
    recipe: &PythonRecipe,
    workspace_root: &Path,
    work: &Path,
    compiler: Option<&Interpreter>,
    runner: Runner<impl Fn(&ProcessBuilder), impl FnMut(Stream, &str)>,
) -> Result<Installed, PythonError> {
    let Runner {
        children,
        on_run,
        mut on_line,
    } = runner;
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
    let complete_platform = work.join("complete-platform.json");
    std::fs::write(
        &complete_platform,
        tags::complete_platform(function.python, arch),
    )
    .map_err(io(&complete_platform))?;
    let python = function.python.to_string();
    let values = PythonValues {
        project: function.project.to_string_lossy().into_owned(),
        site: site.to_string_lossy().into_owned(),
        requirements: requirements.to_string_lossy().into_owned(),
        python_nodot: python.replace('.', ""),
        python,
        cpu: arch.cpu().to_string(),
        arch: arch.as_str().to_string(),
        uv_platform: tags::uv_platform(function.python, arch),
        complete_platform: complete_platform.to_string_lossy().into_owned(),
        name: function.name.to_string(),
        project_dots: function.project_rel.replace('/', "."),
        // An argument naming `{manylinux}` is repeated once per accepted tag, newest first.
        manylinux: manylinux_tags(function.python, arch),
    };
    let command = |template: &CommandTemplate<PythonValues>| {
        let filled = template.fill(&values);
        let mut process = ProcessBuilder::new(&filled[0]);
        process.args(&filled[1..]);
        process
    };
    let step_err = |step: &'static str| {
        let name = function.name.clone();
        move |source| PythonError::Step {
            step,
            name,
            arch,
            source,
        }
    };

    let mut roots = Vec::new();
    let own_code = if let PythonStep::Package {
        command: package,
        output,
    } = &spec.step
    {
        // The tool builds the Lambda zip itself (own code included); take its contents.
        let mut process = command(package);
        process.cwd(workspace_root);
        on_run(&process);
        process
            .stream_in(children, &mut on_line)
            .map_err(step_err("packaging"))?;
        let zip = workspace_root.join(output.fill(&values));
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
                on_run(&process);
                process
                    .stream_in(children, &mut on_line)
                    .map_err(step_err("exporting the lock"))?;
            }
            None => {
                let lock = function
                    .project
                    .join(spec.lock.as_deref().unwrap_or("requirements.txt"));
                // The installer runs in `work`: includes and paths are resolved here, from the
                // file that names them.
                let text = super::requirements::read(&lock)?;
                std::fs::write(&requirements, text).map_err(io(&requirements))?;
            }
        }
        // Markers are the target's business: hand the installer only what applies to it.
        let text = std::fs::read_to_string(&requirements).map_err(io(&requirements))?;
        let env = markers::target_environment(function.python, arch);
        let (for_target, _) = markers::for_target(&text, &env);
        roots = markers::logical_lines(&text);
        std::fs::write(&requirements, &for_target).map_err(io(&requirements))?;
        let (template, resolves) = match &spec.step {
            PythonStep::Install { command, resolves } => (command, *resolves),
            PythonStep::Package { command, .. } => (command, false),
        };
        // The recipe's install of whatever `requirements` holds, again for each closure round.
        let install = |on_line: &mut _| {
            let process = command(template);
            on_run(&process);
            run_install(
                &process,
                &requirements,
                function,
                &recipe.name,
                arch,
                children,
                on_line,
            )
        };
        install(&mut on_line)?;
        // A resolving install (`python.resolves`) can be asked again for what it left out, or,
        // when it chose a version the target's markers rule out, to resolve again with that
        // requirement added.
        let mut asked = for_target;
        for _ in 0..CLOSURE_ROUNDS {
            let gaps = closure_gaps(&site, &roots, function, arch)?;
            if gaps.is_empty() || !resolves {
                break;
            }
            let more: String = gaps
                .iter()
                .map(|g| format!("{}\n", g.requirement))
                .collect();
            asked.push_str(&more);
            if gaps.iter().any(|g| g.installed.is_some()) {
                std::fs::remove_dir_all(&site).map_err(io(&site))?;
                std::fs::create_dir_all(&site).map_err(io(&site))?;
                std::fs::write(&requirements, &asked).map_err(io(&requirements))?;
            } else {
                std::fs::write(&requirements, more).map_err(io(&requirements))?;
            }
            install(&mut on_line)?;
        }
        true
    };

    remove_excluded(&site, &function.exclude)?;
    let gaps = closure_gaps(&site, &roots, function, arch)?;
    if !gaps.is_empty() {
        return Err(PythonError::IncompleteClosure {
            name: function.name.clone(),
            arch,
            recipe: recipe.name.clone(),
            gaps: gaps.iter().map(ToString::to_string).collect(),
        });
    }
    let owners = super::size::owners(&site);
    prune(&site)?;
    let prefix = if function.layer { "python/" } else { "" };
    let mut entries = files_as_entries(&site, &site, prefix)?;
    if own_code {
        entries.extend(own_code_entries(function, workspace_root, prefix)?);
    }
    if let (Some(handler), false) = (&function.handler, function.layer) {
        handler::check(handler, &entries, function)?;
    }
    if function.bytecode {
        let compiler = match compiler {
            Some(compiler) => compiler.clone(),
            None => find_compiler(function)?,
        };
        let pyc = bytecode::compile(
            &entries,
            function.python,
            function.layer,
            &compiler,
            work,
            children,
            &on_run,
        )?;
        entries.extend(pyc);
    }
    Ok(Installed { entries, owners })
}

/// Runs the install command; a failure for want of a wheel names the package and why.
fn run_install(
    install: &ProcessBuilder,
    requirements: &Path,
    function: &PythonFunction,
    recipe: &str,
    arch: Arch,
    children: &ProcessGroups,
    on_line: &mut impl FnMut(Stream, &str),
) -> Result<(), PythonError> {
    match install.stream_in(children, &mut *on_line) {
        Ok(_) => Ok(()),
        Err(err) => Err(
            classify_install_failure(err, requirements, arch, function.python, recipe)
                .unwrap_or_else(|source| PythonError::Step {
                    step: "installing",
                    name: function.name.clone(),
                    arch,
                    source,
                }),
        ),
    }
}

/// What the installed distributions require and do not have, for the target.
fn closure_gaps(
    site: &Path,
    roots: &[String],
    function: &PythonFunction,
    arch: Arch,
) -> Result<Vec<closure::Gap>, PythonError> {
    let distributions = closure::read_site(site).map_err(|source| PythonError::Io {
        path: site.to_path_buf(),
        source,
    })?;
    Ok(closure::check(
        &distributions,
        roots,
        &function.exclude,
        function.python,
        arch,
    ))
}

/// Names the package when an install failed because it has no wheel for the target: none at all
/// (a source distribution only), or only wheels for a newer glibc than the runtime's.
fn classify_install_failure(
    err: ProcessError,
    requirements: &Path,
    arch: Arch,
    python: PythonVersion,
    recipe: &str,
) -> Result<PythonError, ProcessError> {
    let ProcessError::Failed { stderr, .. } = &err else {
        return Err(err);
    };
    let Some(requirement) = failing_requirement(stderr, requirements) else {
        return Err(err);
    };
    let package = requirement
        .split(|c: char| "=<>!~;[ ".contains(c))
        .next()
        .unwrap_or("")
        .to_string();
    if let Some(wheel) = tags::newer_wheel(&requirement, python, arch) {
        let needs = wheel.glibc;
        if needs <= python.glibc().1 {
            // The runtime loads it, but the installer could not ask for it (uv names no platform
            // between manylinux_2_17 and manylinux_2_28).
            return Ok(PythonError::InstallerPlatform {
                package,
                version: wheel.version,
                tags: wheel.tags,
                glibc: needs,
                python,
                recipe: recipe.to_string(),
            });
        }
        let taker = PythonVersion::all().find(|p| p.glibc().1 >= needs && *p >= python);
        return Ok(PythonError::NewerGlibc {
            package,
            version: wheel.version,
            tags: wheel.tags,
            glibc: needs,
            python,
            taker,
        });
    }
    if let Some(versions) = index_versions(&package) {
        if versions.is_empty() {
            return Ok(PythonError::NoSuchPackage {
                requirement,
                package,
            });
        }
        if !any_version_matches(&requirement, &versions) {
            return Ok(PythonError::NoSuchVersion {
                requirement,
                package,
                latest: versions.into_iter().take(5).collect(),
            });
        }
    }
    Ok(PythonError::SdistOnly {
        package,
        platform: format!("{} (up to {})", arch.cpu(), manylinux_tags(python, arch)[0]),
        python: python.to_string(),
    })
}

/// Every version the index has of `package`, wheels and source distributions alike, newest first
/// (asked through pip, with no platform in the way); empty when the index has no such package,
/// `None` when pip cannot say.
fn index_versions(package: &str) -> Option<Vec<String>> {
    let mut probe = ProcessBuilder::new("python3");
    probe.args([
        "-m",
        "pip",
        "index",
        "versions",
        "--disable-pip-version-check",
        "--pre",
    ]);
    probe.arg(package);
    match probe.output() {
        Ok(stdout) => {
            let listed = stdout
                .lines()
                .find_map(|l| l.strip_prefix("Available versions:"))?;
            Some(listed.split(',').map(|v| v.trim().to_string()).collect())
        }
        Err(ProcessError::Failed { stderr, .. })
            if stderr.contains("No matching distribution found") =>
        {
            Some(Vec::new())
        }
        Err(_) => None,
    }
}

/// Whether `requirement` (`six==999.0`) allows any of `versions`; a requirement that is not PEP 508
/// allows all.
fn any_version_matches(requirement: &str, versions: &[String]) -> bool {
    let Ok(parsed) = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) else {
        return true;
    };
    let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) = parsed.version_or_url else {
        return true;
    };
    versions
        .iter()
        .any(|v| pep508_rs::pep440_rs::Version::from_str(v).is_ok_and(|v| specifiers.contains(&v)))
}

/// The requirement an installer's error names as having no wheel for the target.
fn failing_requirement(stderr: &str, requirements: &Path) -> Option<String> {
    const NO_WHEEL: [&str; 8] = [
        "from versions:",
        "no matching distribution found",
        "has no wheels",
        "no wheels with a matching",
        "has no usable wheels",
        "no compatible wheel",
        "there is no version of",
        "was not found in the package registry",
    ];
    let lines: Vec<String> =
        markers::logical_lines(&std::fs::read_to_string(requirements).unwrap_or_default())
            .into_iter()
            .filter(|l| !l.starts_with('-'))
            .collect();
    let name_of = |l: &str| {
        l.split(|c: char| "=<>!~;[ @".contains(c))
            .next()
            .unwrap_or("")
            .to_string()
    };
    let normalize = |s: &str| s.to_lowercase().replace(['_', '.'], "-");
    for line in stderr
        .lines()
        .filter(|l| NO_WHEEL.iter().any(|m| l.to_lowercase().contains(m)))
    {
        let line_normalized = normalize(line);
        // The longest name first: `pydantic-core` before `pydantic`.
        let mut found: Vec<&String> = lines
            .iter()
            .filter(|l| {
                let name = normalize(&name_of(l));
                !name.is_empty()
                    && line_normalized
                        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
                        .any(|word| word == name)
            })
            .collect();
        found.sort_by_key(|l| std::cmp::Reverse(name_of(l).len()));
        if let Some(line) = found.first() {
            return Some(line.split(" --").next().unwrap_or(line).trim().to_string());
        }
        // A dependency pip resolved: `... the requirement numpy>=2 (from ...)`.
        if let Some(rest) = line.split("requirement ").nth(1)
            && let Some(requirement) = rest.split(" (").next()
            && !requirement.is_empty()
        {
            return Some(requirement.trim().to_string());
        }
    }
    None
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
    fn an_install_failure_without_a_wheel_names_the_requirement() {
        let dir = tempfile::tempdir().unwrap();
        let requirements = dir.path().join("requirements.txt");
        std::fs::write(
            &requirements,
            "pydantic==2.11.0\npsycopg2==2.9.10\n    # via orders\n",
        )
        .unwrap();
        let pip = "ERROR: Could not find a version that satisfies the requirement psycopg2==2.9.10 (from versions: none)";
        assert_eq!(
            failing_requirement(pip, &requirements).as_deref(),
            Some("psycopg2==2.9.10")
        );
        let uv = "  ╰─▶ Because psycopg2==2.9.10 has no wheels with a matching platform tag (e.g., `manylinux_2_17_x86_64`)";
        assert_eq!(
            failing_requirement(uv, &requirements).as_deref(),
            Some("psycopg2==2.9.10")
        );
        let transitive = "ERROR: Could not find a version that satisfies the requirement numpy>=2 (from pandas) (from versions: 2.2.6)";
        assert_eq!(
            failing_requirement(transitive, &requirements).as_deref(),
            Some("numpy>=2")
        );
        assert_eq!(failing_requirement("network down", &requirements), None);
    }
}
