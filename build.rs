//! Embeds every `recipes/*.toml` as a built-in recipe, so that adding one is adding its file.
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=recipes");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the recipes folder is readable")
        .map(|entry| entry.expect("a recipes folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .collect();
    names.sort();
    let mut code = String::from("const BUILT_IN: &[(&str, &str)] = &[\n");
    for name in &names {
        println!("cargo::rerun-if-changed=recipes/{name}.toml");
        code.push_str(&format!(
            "    (\"recipes/{name}.toml\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/recipes/{name}.toml\"))),\n"
        ));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("built_in_recipes.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
