//! The Python functions and layers of a Cargo workspace's `[workspace.metadata.powertools]`: each
//! `python.<name>` table over `defaults`, over the workspace-level `architectures` and (when it is a
//! Python recipe) `recipe`, which the Rust binaries take too.
use super::{PythonError, PythonFunction, from_config};
use crate::config::WorkspaceConfig;
use crate::recipe::{Language, Recipes};
use std::path::Path;

pub fn functions(
    workspace: &WorkspaceConfig,
    recipes: &Recipes,
    root: &Path,
    manifest: &Path,
) -> Result<Vec<PythonFunction>, PythonError> {
    let defaults = workspace.defaults.clone().unwrap_or_default();
    let workspace_recipe = workspace.recipe.clone().filter(|name| {
        recipes
            .get(name)
            .is_ok_and(|r| r.recipe.language() == Language::Python)
    });
    let functions = workspace
        .python
        .iter()
        .map(|(name, table)| {
            let mut config = table.or(&defaults);
            config.architectures = config
                .architectures
                .or_else(|| workspace.architectures.clone());
            config.recipe = config.recipe.or_else(|| workspace_recipe.clone());
            from_config(name, &config, root, manifest)
        })
        .collect::<Result<Vec<_>, _>>()?;
    super::check_layer_references(&functions)?;
    Ok(functions)
}
