//! The layering of `src/`: each module imports only modules of its own layer and of the layers
//! below it, as the table under "Layers" in docs/architecture.md orders them, and no two modules
//! import each other, directly or round a longer cycle.
//!
//! An import is any path into another top-level module of `src/`: `use crate::x::..`, `crate::x::f()`
//! in code, in a macro's tokens or an attribute's, `super::x` from a file's top level, `x::f` at a
//! crate root, and `cargo_powertools::x` from the binary. Doc comments are not imports.
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::{self, Visit};

/// One path from a module into another top-level module.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: String,
    to: String,
    /// `src/x.rs:12`, for the message.
    at: String,
}

/// The layer of each module, from the table under `## Layers`: rows `| <n> | `a` `b` | ... |`.
fn read_layers(markdown: &str) -> Result<BTreeMap<String, u32>, String> {
    let section = markdown
        .split("\n## ")
        .find(|s| s.starts_with("Layers\n"))
        .ok_or("docs/architecture.md has no `## Layers` section")?;
    let mut layers = BTreeMap::new();
    for row in section.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells.get(1).map(|c| c.parse::<u32>()) else {
            continue;
        };
        let modules = cells.get(2).copied().unwrap_or_default();
        for module in modules.split('`').skip(1).step_by(2) {
            if layers.insert(module.to_string(), layer).is_some() {
                return Err(format!("`{module}` is in two rows of the Layers table"));
            }
        }
    }
    if layers.is_empty() {
        return Err("the Layers table of docs/architecture.md names no module".into());
    }
    Ok(layers)
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("src/ is readable").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level module a file of `src/` belongs to and how deep its module is below the crate
/// root (`lib.rs` and `main.rs`: 0; `x.rs`, `x/mod.rs`: 1; `x/y.rs`: 2), or `None` for `lib.rs`,
/// which only declares the modules.
fn module_of(relative: &Path) -> Option<(String, usize)> {
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let first = parts.first()?.trim_end_matches(".rs").to_string();
    if first == "lib" && parts.len() == 1 {
        return None;
    }
    let depth = match (first.as_str(), parts.last().map(String::as_str)) {
        ("main", _) if parts.len() == 1 => 0,
        (_, Some("mod.rs")) => parts.len() - 1,
        _ => parts.len(),
    };
    Some((first, depth))
}

/// Collects the top-level modules the paths of one file lead to.
struct Paths<'a> {
    /// The module nesting below the crate root where the visitor is.
    depth: usize,
    /// The crate's top-level modules, for paths at a crate root that need no `crate::`.
    modules: &'a BTreeSet<String>,
    found: Vec<(String, usize)>,
}

impl Paths<'_> {
    /// The top-level module `segments` (a path as written, at the visitor's depth) leads to, if any.
    fn record(&mut self, segments: &[String], line: usize) {
        let Some(first) = segments.first() else {
            return;
        };
        let target = if first == "crate" || first == "cargo_powertools" {
            segments.get(1)
        } else if first == "super" {
            let up = segments.iter().take_while(|s| *s == "super").count();
            (up >= self.depth).then(|| segments.get(up)).flatten()
        } else if self.depth == 0 && segments.len() > 1 {
            let first = if first == "self" { &segments[1] } else { first };
            self.modules.contains(first).then_some(first)
        } else {
            None
        };
        if let Some(target) = target.filter(|t| *t != "self") {
            self.found.push((target.clone(), line));
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        let line = |ident: &syn::Ident| ident.span().start().line;
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                self.record_with(prefix, name.ident.to_string(), line(&name.ident))
            }
            syn::UseTree::Rename(rename) => {
                self.record_with(prefix, rename.ident.to_string(), line(&rename.ident))
            }
            syn::UseTree::Glob(glob) => {
                self.record_with(prefix, "*".into(), glob.star_token.span.start().line)
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    fn record_with(&mut self, prefix: &[String], last: String, line: usize) {
        let mut segments = prefix.to_vec();
        segments.push(last);
        self.record(&segments, line);
    }

    /// Paths inside tokens syn does not parse (macro bodies, attribute arguments): each run of
    /// `ident :: ident :: ...`.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(group) => {
                    self.tokens(group.stream());
                    i += 1;
                }
                TokenTree::Ident(ident) => {
                    let line = ident.span().start().line;
                    let mut segments = vec![ident.to_string()];
                    i += 1;
                    while let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(next)),
                    ) = (trees.get(i), trees.get(i + 1), trees.get(i + 2))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(next.to_string());
                        i += 3;
                    }
                    if segments.len() > 1 {
                        self.record(&segments, line);
                    }
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        self.depth += 1;
        visit::visit_item_mod(self, module);
        self.depth -= 1;
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path
            .segments
            .first()
            .map_or(0, |s| s.ident.span().start().line);
        self.record(&segments, line);
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        visit::visit_macro(self, mac);
    }

    fn visit_attribute(&mut self, attribute: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attribute.meta {
            self.tokens(list.tokens.clone());
        }
        visit::visit_attribute(self, attribute);
    }
}

/// The imports of one file, whose module is `module` at `depth` below the crate root.
fn imports_of(
    source: &str,
    file: &str,
    module: &str,
    depth: usize,
    modules: &BTreeSet<String>,
) -> Vec<Import> {
    let syntax = syn::parse_file(source).unwrap_or_else(|err| panic!("{file} parses: {err}"));
    let mut paths = Paths {
        depth,
        modules,
        found: Vec::new(),
    };
    paths.visit_file(&syntax);
    paths
        .found
        .into_iter()
        .filter(|(to, _)| to != module)
        .map(|(to, line)| Import {
            from: module.to_string(),
            to,
            at: format!("{file}:{line}"),
        })
        .collect()
}

/// What is wrong with the imports against the layers: an unknown module, an import of a higher
/// layer, a cycle. Empty when the code follows the table.
fn problems(
    layers: &BTreeMap<String, u32>,
    modules: &BTreeSet<String>,
    imports: &[Import],
) -> Vec<String> {
    let mut problems = Vec::new();
    for module in modules.iter().filter(|m| !layers.contains_key(*m)) {
        problems.push(format!(
            "`{module}` is a module of src/ but not in the Layers table of docs/architecture.md"
        ));
    }
    for module in layers.keys().filter(|m| !modules.contains(*m)) {
        problems.push(format!(
            "`{module}` is in the Layers table of docs/architecture.md but not a module of src/"
        ));
    }
    for import in imports {
        match (layers.get(&import.from), layers.get(&import.to)) {
            (Some(from), Some(to)) if to > from => problems.push(format!(
                "{}: `{}` (layer {from}) imports `{}` (layer {to}), a layer above it",
                import.at, import.from, import.to
            )),
            (_, None) => problems.push(format!(
                "{}: `{}` imports `{}`, which the Layers table does not place",
                import.at, import.from, import.to
            )),
            _ => {}
        }
    }
    problems.extend(cycle(imports));
    problems
}

/// One cycle between modules, spelled with where each step imports the next, if there is any.
fn cycle(imports: &[Import]) -> Option<String> {
    let mut edges: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for import in imports {
        edges
            .entry(&import.from)
            .or_default()
            .entry(&import.to)
            .or_insert(&import.at);
    }
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit<'a>(
        module: &'a str,
        edges: &BTreeMap<&'a str, BTreeMap<&'a str, &'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(start) = path.iter().position(|m| *m == module) {
            let mut cycle = path[start..].to_vec();
            cycle.push(module);
            return Some(cycle);
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for next in edges.get(module).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        if let Some(cycle) = visit(start, &edges, &mut Vec::new(), &mut done) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|pair| {
                    format!(
                        "`{}` -> `{}` ({})",
                        pair[0], pair[1], edges[pair[0]][pair[1]]
                    )
                })
                .collect();
            return Some(format!("module cycle: {}", steps.join(", ")));
        }
    }
    None
}

/// The top-level modules of `src/` and every import between them.
fn read_src(src: &Path) -> (BTreeSet<String>, Vec<Import>) {
    let files: Vec<(PathBuf, String, usize)> = rust_files(src)
        .into_iter()
        .filter_map(|file| {
            let relative = file.strip_prefix(src).expect("under src/").to_path_buf();
            module_of(&relative).map(|(module, depth)| (relative, module, depth))
        })
        .collect();
    let modules: BTreeSet<String> = files.iter().map(|(_, m, _)| m.clone()).collect();
    let mut imports = Vec::new();
    for (relative, module, depth) in &files {
        let source =
            std::fs::read_to_string(src.join(relative)).expect("a source file is readable");
        let name = format!("src/{}", relative.display());
        imports.extend(imports_of(&source, &name, module, *depth, &modules));
    }
    (modules, imports)
}

#[test]
fn modules_import_only_their_own_layer_and_below_without_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let layers = read_layers(&docs).unwrap();
    let (modules, imports) = read_src(&root.join("src"));
    assert!(
        imports.iter().any(|i| i.from == "ops" && i.to == "errors"),
        "the reader finds imports"
    );
    let problems = problems(&layers, &modules, &imports);
    assert!(
        problems.is_empty(),
        "src/ against the Layers table of docs/architecture.md:\n  {}",
        problems.join("\n  ")
    );
}

/// The checker on made-up sources: each kind of import is seen, and each kind of problem reported.
mod checker {
    use super::*;

    const TABLE: &str = "# A\n\n## Layers\n\n| layer | modules | what |\n| --- | --- | --- |\n\
        | 1 | `model` | words |\n| 2 | `shell` `process` | tools |\n| 3 | `ops` | jobs |\n\n## Next\n| 9 | `x` | |\n";

    fn modules() -> BTreeSet<String> {
        ["model", "shell", "process", "ops", "main"]
            .map(String::from)
            .into()
    }

    fn targets(source: &str, module: &str, depth: usize) -> Vec<String> {
        imports_of(source, "f.rs", module, depth, &modules())
            .into_iter()
            .map(|i| i.to)
            .collect()
    }

    #[test]
    fn reads_the_layers_table_only() {
        let layers = read_layers(TABLE).unwrap();
        assert_eq!(layers["model"], 1);
        assert_eq!(layers["process"], 2);
        assert_eq!(layers.get("x"), None);
        assert!(read_layers("## Layers\n| 1 | `a` |\n| 2 | `a` |\n").is_err());
        assert!(read_layers("# nothing\n").is_err());
    }

    #[test]
    fn finds_every_spelling_of_an_import() {
        let source = r#"
            use crate::{shell::{self, Shell}, model};
            use crate::process as p;
            /// [`crate::ops`] in a comment is no import.
            fn f() -> crate::ops::Thing { cargo_powertools::main::x(); }
            #[cfg_attr(test, proptest_config(crate::process::config()))]
            fn g() { format!("{}", crate::ops::NAME); }
            mod tests { use super::super::model::Arch; use super::Thing; }
        "#;
        assert_eq!(
            targets(source, "shell", 1),
            ["model", "process", "ops", "main", "process", "ops", "model"]
        );
        assert_eq!(targets("fn main() { ops::run(cli); }", "main", 0), ["ops"]);
        assert_eq!(
            targets("fn f() { ops::run(); }", "shell", 1),
            Vec::<String>::new()
        );
        assert_eq!(
            targets("use super::model::X;", "shell", 2),
            Vec::<String>::new()
        );
    }

    #[test]
    fn reports_an_upward_import_a_cycle_and_modules_out_of_the_table() {
        let layers = read_layers(TABLE).unwrap();
        let import = |from: &str, to: &str| Import {
            from: from.into(),
            to: to.into(),
            at: format!("src/{from}.rs:1"),
        };
        let fine = [
            import("ops", "shell"),
            import("shell", "process"),
            import("process", "model"),
        ];
        let mut all = modules();
        all.remove("main");
        assert_eq!(problems(&layers, &all, &fine), Vec::<String>::new());

        let upward = [import("model", "shell")];
        assert_eq!(
            problems(&layers, &all, &upward),
            ["src/model.rs:1: `model` (layer 1) imports `shell` (layer 2), a layer above it"]
        );
        let sideways = [import("shell", "process"), import("process", "shell")];
        assert_eq!(
            problems(&layers, &all, &sideways),
            [
                "module cycle: `process` -> `shell` (src/process.rs:1), `shell` -> `process` (src/shell.rs:1)"
            ]
        );
        let problems = problems(&layers, &modules(), &[import("ops", "elsewhere")]);
        assert_eq!(
            problems,
            [
                "`main` is a module of src/ but not in the Layers table of docs/architecture.md",
                "src/ops.rs:1: `ops` imports `elsewhere`, which the Layers table does not place",
            ]
        );
    }
}
