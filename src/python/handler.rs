//! The handler a function names must exist: its module in the zip (`mod.py`, `pkg/mod.py` or
//! `pkg/mod/__init__.py`) and, in that module's source, the function. A static look: Lambda itself
//! would only say `Runtime.ImportModuleError` or `Runtime.HandlerNotFound` at the first invoke.
use super::{PythonError, PythonFunction};
use crate::archive::Entry;

/// Checks `handler` (`module.function`) against the zip's entries.
pub fn check(
    handler: &str,
    entries: &[Entry],
    function: &PythonFunction,
) -> Result<(), PythonError> {
    let Some((module, name)) = handler.rsplit_once('.') else {
        return Err(PythonError::BadHandler {
            name: function.name.clone(),
            handler: handler.to_string(),
            declared_in: function.declared_in.clone(),
        });
    };
    let path = module.replace('.', "/");
    let candidates = [format!("{path}.py"), format!("{path}/__init__.py")];
    let Some(entry) = entries.iter().find(|e| candidates.contains(&e.name)) else {
        return Err(PythonError::HandlerModule {
            handler: handler.to_string(),
            module: candidates[0].clone(),
            project: function.project.clone(),
        });
    };
    let source = std::fs::read_to_string(&entry.source).map_err(|source| PythonError::Io {
        path: entry.source.clone(),
        source,
    })?;
    if defines(&source, name) {
        Ok(())
    } else {
        Err(PythonError::HandlerFunction {
            handler: handler.to_string(),
            function: name.to_string(),
            file: entry.source.clone(),
        })
    }
}

/// Whether module source binds `name` at its top level: `def name(`, `async def name(`, an
/// assignment `name = ...` (a decorated or wrapped handler), or an import `... import x as name`.
pub fn defines(source: &str, name: &str) -> bool {
    let is_name_end = |rest: &str| {
        rest.chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    };
    source.lines().any(|line| {
        let def = line
            .strip_prefix("async def ")
            .or_else(|| line.strip_prefix("def "))
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.trim_start().starts_with('('));
        let assigned = line.strip_prefix(name).is_some_and(|rest| {
            is_name_end(rest) && {
                let rest = rest.trim_start();
                (rest.starts_with('=') && !rest.starts_with("==")) || rest.starts_with(':')
            }
        });
        let imported = (line.starts_with("from ") || line.starts_with("import "))
            && line
                .split(|c: char| c == ',' || c.is_whitespace() || c == '(' || c == ')')
                .any(|word| word == name);
        def || assigned || imported
    })
}

#[cfg(test)]
mod tests {
    use super::defines;

    #[test]
    fn top_level_bindings_count_as_the_handler() {
        let source = "import json\n\n@logger.inject_lambda_context\ndef handler(event, context):\n    return 1\n";
        assert!(defines(source, "handler"));
        assert!(defines(
            "async def handler (event, context): ...",
            "handler"
        ));
        assert!(defines("handler = Mangum(app)\n", "handler"));
        assert!(defines(
            "from .app import lambda_handler as handler\n",
            "handler"
        ));
        assert!(!defines("def handler_v2(event, context): ...\n", "handler"));
        assert!(!defines("    def handler(self, event): ...\n", "handler"));
        assert!(!defines("handler == 1\n", "handler"));
        assert!(!defines("def main(event, context): ...\n", "handler"));
    }
}
