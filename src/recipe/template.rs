//! Recipe templates: the `{placeholder}`s in a recipe's commands and outputs, parsed against one
//! enum ([`Placeholder`]) when the recipe loads, and filled from one values struct per step
//! ([`BuildArgs`], [`BuildOutput`], [`PythonValues`]). A template is typed by the values that fill
//! it, so a step cannot be handed a template of another step, and a template holds only
//! placeholders its step fills.
use std::marker::PhantomData;

/// A value a recipe's command or output names in braces: `{target}`, `{site}`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placeholder {
    /// The build target, glibc suffix included (`aarch64-unknown-linux-gnu.2.26`).
    Target,
    /// cargo-lambda's output directory.
    LambdaDir,
    /// cargo's target directory.
    TargetDir,
    /// The target triple, without a glibc suffix.
    Triple,
    /// The profile's directory under the target (`release`, or the custom profile's name).
    ProfileDir,
    /// The Cargo binary's name.
    Bin,
    /// The Python project's folder.
    Project,
    /// The folder the dependencies are installed into.
    Site,
    /// The pinned requirements file the install reads.
    Requirements,
    /// The runtime's Python version (`3.12`).
    Python,
    /// The same without the dot (`312`).
    PythonNodot,
    /// The CPU name wheels use (`x86_64`, `aarch64`).
    Cpu,
    /// The function's name.
    Name,
    /// The project's path relative to the workspace, `/` replaced by `.` (Pants' output folder).
    ProjectDots,
    /// The Lambda architecture (`x86_64`, `arm64`).
    Arch,
    /// uv's `--python-platform` (`x86_64-manylinux_2_34`).
    UvPlatform,
    /// A pex complete-platform file.
    CompletePlatform,
    /// The accepted manylinux tags, newest first: an argument naming it is repeated once per tag.
    Manylinux,
}

impl Placeholder {
    pub const ALL: [Placeholder; 18] = [
        Placeholder::Target,
        Placeholder::LambdaDir,
        Placeholder::TargetDir,
        Placeholder::Triple,
        Placeholder::ProfileDir,
        Placeholder::Bin,
        Placeholder::Project,
        Placeholder::Site,
        Placeholder::Requirements,
        Placeholder::Python,
        Placeholder::PythonNodot,
        Placeholder::Cpu,
        Placeholder::Name,
        Placeholder::ProjectDots,
        Placeholder::Arch,
        Placeholder::UvPlatform,
        Placeholder::CompletePlatform,
        Placeholder::Manylinux,
    ];

    /// The word between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Target => "target",
            Placeholder::LambdaDir => "lambda_dir",
            Placeholder::TargetDir => "target_dir",
            Placeholder::Triple => "triple",
            Placeholder::ProfileDir => "profile_dir",
            Placeholder::Bin => "bin",
            Placeholder::Project => "project",
            Placeholder::Site => "site",
            Placeholder::Requirements => "requirements",
            Placeholder::Python => "python",
            Placeholder::PythonNodot => "python_nodot",
            Placeholder::Cpu => "cpu",
            Placeholder::Name => "name",
            Placeholder::ProjectDots => "project_dots",
            Placeholder::Arch => "arch",
            Placeholder::UvPlatform => "uv_platform",
            Placeholder::CompletePlatform => "complete_platform",
            Placeholder::Manylinux => "manylinux",
        }
    }

    fn from_name(name: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl std::fmt::Display for Placeholder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{}}}", self.name())
    }
}

/// A placeholder's value: one text, or one per repetition of the argument that names it.
pub enum Value<'a> {
    One(&'a str),
    Each(&'a [String]),
}

/// The values one step fills its templates from.
pub trait Values {
    /// The placeholders this step fills, in the order an error lists them: a template for the
    /// step may use only these.
    const KNOWN: &'static [Placeholder];
    /// The value of `placeholder`; `None` for one the step does not fill.
    fn value(&self, placeholder: Placeholder) -> Option<Value<'_>>;
}

/// What a Rust build command's arguments are filled from (`build::build_command`).
pub struct BuildArgs {
    pub target: String,
    pub lambda_dir: String,
}

impl Values for BuildArgs {
    const KNOWN: &'static [Placeholder] = &[Placeholder::Target, Placeholder::LambdaDir];
    fn value(&self, placeholder: Placeholder) -> Option<Value<'_>> {
        Some(Value::One(match placeholder {
            Placeholder::Target => &self.target,
            Placeholder::LambdaDir => &self.lambda_dir,
            _ => return None,
        }))
    }
}

/// What a Rust recipe's `output` (where one binary lands) is filled from (`build::run_build`).
pub struct BuildOutput {
    pub lambda_dir: String,
    pub target_dir: String,
    pub triple: String,
    pub profile_dir: String,
    pub bin: String,
}

impl Values for BuildOutput {
    const KNOWN: &'static [Placeholder] = &[
        Placeholder::LambdaDir,
        Placeholder::TargetDir,
        Placeholder::Triple,
        Placeholder::ProfileDir,
        Placeholder::Bin,
    ];
    fn value(&self, placeholder: Placeholder) -> Option<Value<'_>> {
        Some(Value::One(match placeholder {
            Placeholder::LambdaDir => &self.lambda_dir,
            Placeholder::TargetDir => &self.target_dir,
            Placeholder::Triple => &self.triple,
            Placeholder::ProfileDir => &self.profile_dir,
            Placeholder::Bin => &self.bin,
            _ => return None,
        }))
    }
}

/// What every `[python]` command and `output` is filled from (`python::install`), for one
/// function and architecture.
pub struct PythonValues {
    pub project: String,
    pub site: String,
    pub requirements: String,
    pub python: String,
    pub python_nodot: String,
    pub cpu: String,
    pub name: String,
    pub project_dots: String,
    pub arch: String,
    pub uv_platform: String,
    pub complete_platform: String,
    pub manylinux: Vec<String>,
}

impl Values for PythonValues {
    const KNOWN: &'static [Placeholder] = &[
        Placeholder::Project,
        Placeholder::Site,
        Placeholder::Requirements,
        Placeholder::Python,
        Placeholder::PythonNodot,
        Placeholder::Cpu,
        Placeholder::Name,
        Placeholder::ProjectDots,
        Placeholder::Arch,
        Placeholder::UvPlatform,
        Placeholder::CompletePlatform,
        Placeholder::Manylinux,
    ];
    fn value(&self, placeholder: Placeholder) -> Option<Value<'_>> {
        Some(Value::One(match placeholder {
            Placeholder::Project => &self.project,
            Placeholder::Site => &self.site,
            Placeholder::Requirements => &self.requirements,
            Placeholder::Python => &self.python,
            Placeholder::PythonNodot => &self.python_nodot,
            Placeholder::Cpu => &self.cpu,
            Placeholder::Name => &self.name,
            Placeholder::ProjectDots => &self.project_dots,
            Placeholder::Arch => &self.arch,
            Placeholder::UvPlatform => &self.uv_platform,
            Placeholder::CompletePlatform => &self.complete_platform,
            Placeholder::Manylinux => return Some(Value::Each(&self.manylinux)),
            _ => return None,
        }))
    }
}

/// Text with placeholders that are all filled by `V`; parsed once, when the recipe loads.
pub struct Template<V> {
    text: String,
    parts: Vec<Part>,
    values: PhantomData<fn(&V)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Placeholder(Placeholder),
}

impl<V: Values> Template<V> {
    /// `text` as a template of `field` whose placeholders are those `V` fills.
    pub fn parse(text: &str, field: &str) -> Result<Template<V>, String> {
        Template::parse_known(text, field, V::KNOWN)
    }

    /// `text` as a template of `field` that may use only `known` (a subset of what `V` fills:
    /// none for a program name, no repeated value where one text is needed).
    pub fn parse_known(
        text: &str,
        field: &str,
        known: &[Placeholder],
    ) -> Result<Template<V>, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            literal.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').map(|close| (&after[..close], close)) {
                Some((word, close)) if is_word(word) => {
                    let placeholder = Placeholder::from_name(word)
                        .filter(|p| known.contains(p))
                        .ok_or_else(|| unknown(field, word, known))?;
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Placeholder(placeholder));
                    rest = &after[close + 1..];
                }
                _ => {
                    literal.push('{');
                    rest = after;
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template {
            text: text.to_string(),
            parts,
            values: PhantomData,
        })
    }

    /// The template as the recipe wrote it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The placeholders it uses, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.parts.iter().filter_map(|part| match part {
            Part::Placeholder(p) => Some(*p),
            Part::Text(_) => None,
        })
    }

    /// Whether the template is `placeholder` and nothing else.
    pub fn is_only(&self, placeholder: Placeholder) -> bool {
        self.parts == [Part::Placeholder(placeholder)]
    }

    /// The text with every placeholder filled. A repeated value gives its first element (a
    /// template that needs one text is parsed without the repeated placeholders).
    pub fn fill(&self, values: &V) -> String {
        self.fill_with(values, None)
    }

    /// The text filled once per element of the repeated value it names (`{manylinux}`: one
    /// argument per tag), or once when it names none.
    pub fn fill_each(&self, values: &V) -> Vec<String> {
        let repeated = self.placeholders().find_map(|p| match values.value(p) {
            Some(Value::Each(all)) => Some((p, all)),
            _ => None,
        });
        match repeated {
            Some((placeholder, all)) => all
                .iter()
                .map(|one| self.fill_with(values, Some((placeholder, one))))
                .collect(),
            None => vec![self.fill(values)],
        }
    }

    fn fill_with(&self, values: &V, chosen: Option<(Placeholder, &str)>) -> String {
        let mut text = String::new();
        for part in &self.parts {
            match part {
                Part::Text(literal) => text.push_str(literal),
                Part::Placeholder(p) => match (chosen, values.value(*p)) {
                    (Some((c, one)), _) if c == *p => text.push_str(one),
                    (_, Some(Value::One(one))) => text.push_str(one),
                    (_, Some(Value::Each(all))) => {
                        text.push_str(all.first().map_or("", String::as_str))
                    }
                    (_, None) => text.push_str(&p.to_string()),
                },
            }
        }
        text
    }
}

// By hand rather than derived: a derive would ask `V` to be Clone/Debug/PartialEq too.
impl<V> Clone for Template<V> {
    fn clone(&self) -> Self {
        Template {
            text: self.text.clone(),
            parts: self.parts.clone(),
            values: PhantomData,
        }
    }
}

impl<V> std::fmt::Debug for Template<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl<V> PartialEq for Template<V> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<V> std::fmt::Display for Template<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A lower-case letter or `_`, then letters, digits and `_`: anything else in braces
/// (`{{.ServerVersion}}`, `{ }`, `{A}`) is literal text.
fn is_word(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn unknown(field: &str, word: &str, known: &[Placeholder]) -> String {
    let known = match known {
        [] => "none are filled there".to_string(),
        known => format!(
            "the known ones are {}",
            known
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("`{field}` uses the unknown placeholder `{{{word}}}`; {known}")
}

/// A recipe's command: its program and arguments as templates filled by `V`. Never empty, its
/// program never blank.
pub struct CommandTemplate<V> {
    words: Vec<Template<V>>,
}

impl<V: Values> CommandTemplate<V> {
    /// `words` as the command of `field`, every placeholder one `V` fills; the program may use
    /// only `program_known`.
    pub fn parse(
        words: &[String],
        field: &str,
        program_known: &[Placeholder],
    ) -> Result<CommandTemplate<V>, String> {
        let empty = || {
            format!(
                "`{field}` is empty: give the program and its arguments, e.g. [\"program\", \"arg\"]"
            )
        };
        let (program, args) = words.split_first().ok_or_else(empty)?;
        if program.trim().is_empty() {
            return Err(empty());
        }
        let words = std::iter::once(Template::parse_known(program, field, program_known))
            .chain(args.iter().map(|arg| Template::parse(arg, field)))
            .collect::<Result<_, _>>()?;
        Ok(CommandTemplate { words })
    }

    pub fn program(&self) -> &Template<V> {
        &self.words[0]
    }

    pub fn args(&self) -> &[Template<V>] {
        &self.words[1..]
    }

    /// The words, program first (at least one).
    pub fn words(&self) -> &[Template<V>] {
        &self.words
    }

    /// The command filled from `values`: each word once, or once per element of the repeated
    /// value it names.
    pub fn fill(&self, values: &V) -> Vec<String> {
        self.words
            .iter()
            .flat_map(|word| word.fill_each(values))
            .collect()
    }

    /// The command as the recipe wrote it.
    pub fn written(&self) -> Vec<&str> {
        self.words.iter().map(Template::as_str).collect()
    }
}

impl<V> Clone for CommandTemplate<V> {
    fn clone(&self) -> Self {
        CommandTemplate {
            words: self.words.clone(),
        }
    }
}

impl<V> std::fmt::Debug for CommandTemplate<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.words).finish()
    }
}

impl<V> PartialEq for CommandTemplate<V> {
    fn eq(&self, other: &Self) -> bool {
        self.words == other.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(text: &str) -> Result<Template<BuildOutput>, String> {
        Template::parse(text, "build.output")
    }

    fn output_values() -> BuildOutput {
        BuildOutput {
            lambda_dir: "/l".into(),
            target_dir: "/t".into(),
            triple: "aarch64-unknown-linux-gnu".into(),
            profile_dir: "release".into(),
            bin: "hello".into(),
        }
    }

    #[test]
    fn a_template_is_filled_from_its_steps_values() {
        let template = output("{target_dir}/{triple}/{profile_dir}/{bin}").unwrap();
        assert_eq!(
            template.fill(&output_values()),
            "/t/aarch64-unknown-linux-gnu/release/hello"
        );
        assert_eq!(
            template.placeholders().collect::<Vec<_>>(),
            [
                Placeholder::TargetDir,
                Placeholder::Triple,
                Placeholder::ProfileDir,
                Placeholder::Bin
            ]
        );
    }

    #[test]
    fn braces_that_are_not_a_word_are_literal_text() {
        let template = output("--format '{{.ServerVersion}}' { } {A} {").unwrap();
        assert_eq!(template.placeholders().count(), 0);
        assert_eq!(
            template.fill(&output_values()),
            "--format '{{.ServerVersion}}' { } {A} {"
        );
        // A word in double braces is a placeholder in single ones.
        assert_eq!(output("{{bin}}").unwrap().fill(&output_values()), "{hello}");
    }

    #[test]
    fn a_placeholder_the_step_does_not_fill_is_refused_naming_the_known_ones() {
        assert_eq!(
            Template::<BuildArgs>::parse("--out={bin}", "build.args").unwrap_err(),
            "`build.args` uses the unknown placeholder `{bin}`; the known ones are {target}, {lambda_dir}"
        );
        assert_eq!(
            output("{sites}").unwrap_err(),
            "`build.output` uses the unknown placeholder `{sites}`; the known ones are {lambda_dir}, {target_dir}, {triple}, {profile_dir}, {bin}"
        );
        assert_eq!(
            Template::<BuildArgs>::parse_known("{target}", "build.program", &[]).unwrap_err(),
            "`build.program` uses the unknown placeholder `{target}`; none are filled there"
        );
    }

    #[test]
    fn an_argument_naming_a_repeated_value_is_repeated_once_per_element() {
        let words: Vec<String> = ["pip", "--platform={manylinux}", "--target", "{site}"]
            .map(String::from)
            .to_vec();
        let command =
            CommandTemplate::<PythonValues>::parse(&words, "python.install", &[]).unwrap();
        let values = PythonValues {
            project: "p".into(),
            site: "/s".into(),
            requirements: "r".into(),
            python: "3.12".into(),
            python_nodot: "312".into(),
            cpu: "aarch64".into(),
            name: "f".into(),
            project_dots: "p".into(),
            arch: "arm64".into(),
            uv_platform: "aarch64-manylinux_2_34".into(),
            complete_platform: "c.json".into(),
            manylinux: vec![
                "manylinux_2_28_aarch64".into(),
                "manylinux2014_aarch64".into(),
            ],
        };
        assert_eq!(
            command.fill(&values),
            [
                "pip",
                "--platform=manylinux_2_28_aarch64",
                "--platform=manylinux2014_aarch64",
                "--target",
                "/s"
            ]
        );
        assert_eq!(
            command.written(),
            ["pip", "--platform={manylinux}", "--target", "{site}"]
        );
    }

    #[test]
    fn every_placeholder_has_its_own_name() {
        for p in Placeholder::ALL {
            assert_eq!(Placeholder::from_name(p.name()), Some(p));
        }
        let mut names: Vec<&str> = Placeholder::ALL.iter().map(|p| p.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Placeholder::ALL.len());
    }
}
