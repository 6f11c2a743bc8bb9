//! `cargo powertools recipes` and `recipes show`: the build strategies, and whether each can run here.
use crate::errors::Error;
use crate::loaders;
use crate::message::{Message, RecipeLine};
use crate::model::Arch;
use crate::recipe::{self, LoadedRecipe, Recipe, RecipeInfo, Recipes};
use crate::shell::Shell;
use crate::workspace::LoadOptions;

/// Whether a recipe can build both architectures here, and if not, why not.
pub fn usability(recipe: &Recipe) -> Result<(), String> {
    let info = recipe.info();
    let mut missing: Vec<String> = recipe::check_tools(info, &info.architectures, Arch::host())
        .into_iter()
        .filter(|status| status.version.is_err())
        .map(|status| status.name)
        .collect();
    // Rust recipes run cargo, which a Python team's machine (the wheel's users) may not have.
    if matches!(recipe, Recipe::Rust(_))
        && which::which(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())).is_err()
    {
        missing.insert(0, "cargo".into());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("missing {}", missing.join(", ")))
    }
}

/// The workspace's recipes when there is a workspace, else the built-in ones.
pub fn load_recipes(load: &LoadOptions) -> Result<Recipes, Error> {
    match loaders::load(load) {
        Ok(workspace) => Ok(workspace.recipes),
        Err(err) if err.is_no_manifest() => Ok(Recipes::built_in()?),
        Err(err) => Err(err.into()),
    }
}

fn arches(recipe: &RecipeInfo) -> String {
    recipe
        .architectures
        .iter()
        .copied()
        .map(Arch::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn list(load: &LoadOptions, shell: &Shell) -> Result<(), Error> {
    let recipes = load_recipes(load)?;
    shell.report(format_args!(
        "{:<16} {:<8} {:<22} {:<16} usable here",
        "recipe", "language", "toolchain", "architectures"
    ));
    for LoadedRecipe { recipe, origin, .. } in recipes.iter() {
        let toolchain = recipe.toolchain();
        let language = recipe.language();
        let usable = usability(recipe);
        let recipe = recipe.info();
        let status = match &usable {
            Ok(()) => "yes".to_string(),
            Err(why) => format!("no: {why}"),
        };
        shell.report(format_args!(
            "{:<16} {:<8} {:<22} {:<16} {status}",
            recipe.name,
            language,
            toolchain,
            arches(recipe)
        ));
        shell.emit(&Message::Recipe(RecipeLine {
            name: &recipe.name,
            language,
            toolchain,
            architectures: &recipe.architectures,
            usable: usable.is_ok(),
            why_not: usable.err(),
            origin: origin.to_string(),
            tutorial: &recipe.tutorial,
            summary: None,
            source: None,
        }));
    }
    Ok(())
}

pub fn show(load: &LoadOptions, name: &str, shell: &Shell) -> Result<(), Error> {
    let recipes = load_recipes(load)?;
    let loaded = recipes.get(name)?;
    let usable = usability(&loaded.recipe);
    let recipe = loaded.recipe.info();
    shell.report(format_args!("{}: {}", recipe.name, recipe.summary));
    shell.report(format_args!("architectures: {}", arches(recipe)));
    shell.report(format_args!("from: {}", loaded.origin));
    shell.report(format_args!("tutorial: {}", recipe.tutorial));
    match &usable {
        Ok(()) => shell.report("usable here: yes"),
        Err(why) => shell.report(format_args!(
            "usable here: no, {why} (`cargo powertools doctor --recipe {}` says how to fix it)",
            recipe.name
        )),
    }
    shell.report("");
    shell.report(loaded.source.trim_end());
    shell.emit(&Message::Recipe(RecipeLine {
        name: &recipe.name,
        language: loaded.recipe.language(),
        toolchain: loaded.recipe.toolchain(),
        architectures: &recipe.architectures,
        usable: usable.is_ok(),
        why_not: usable.err(),
        origin: loaded.origin.to_string(),
        tutorial: &recipe.tutorial,
        summary: Some(&recipe.summary),
        source: Some(&loaded.source),
    }));
    Ok(())
}
