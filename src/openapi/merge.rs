//! Merging the fragments of several functions into one OpenAPI document, on plain JSON values.
//!
//! Each fragment is first made self-contained per operation (its top-level `security` and its
//! path-level `parameters` and `servers` are pushed down into its operations), so that operations
//! of different functions under one path keep exactly the meaning they had in their own document.
use super::OpenApiError;
use crate::config::openapi::DocumentConfig;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The methods a Path Item Object can hold, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The sections of the Components Object (3.0 and 3.1).
const COMPONENT_SECTIONS: [&str; 10] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
];

/// The extension naming the function that serves an operation.
pub const FUNCTION_EXTENSION: &str = "x-powertools-function";

/// One function's OpenAPI document.
#[derive(Clone, Debug)]
pub struct Fragment {
    pub function: String,
    pub document: Value,
}

/// What to do when two functions declare the same path and method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OnConflict {
    /// Fail, naming the path, the method and both functions.
    #[default]
    Error,
    /// Keep the operation of the function whose name sorts first, with a warning.
    First,
    /// Keep the operation of the function whose name sorts last, with a warning.
    Last,
}

#[derive(Clone, Debug, Default)]
pub struct MergeOptions {
    pub on_conflict: OnConflict,
    /// Rename components that differ under one name to `<Function><Name>` (and rewrite every
    /// `$ref` to them) instead of failing.
    pub prefix_components: bool,
    /// The document's `info` and `servers`.
    pub document: DocumentConfig,
    /// `info.title` when the configuration sets none.
    pub default_title: String,
}

#[derive(Debug)]
pub struct Merged {
    pub document: Value,
    pub warnings: Vec<String>,
}

/// `3.0` or `3.1`, and the full version string, of a fragment.
fn openapi_version(fragment: &Fragment) -> Result<(String, String), OpenApiError> {
    let not_a_document = |why: String| OpenApiError::NotADocument {
        function: fragment.function.clone(),
        why,
    };
    let Some(object) = fragment.document.as_object() else {
        return Err(not_a_document("it is not a JSON object".into()));
    };
    if object.contains_key("swagger") {
        return Err(not_a_document(
            "it is Swagger 2.0; only OpenAPI 3.0 and 3.1 documents can be merged".into(),
        ));
    }
    let Some(version) = object.get("openapi").and_then(Value::as_str) else {
        return Err(not_a_document("it has no `openapi` version field".into()));
    };
    let minor = match version.split('.').take(2).collect::<Vec<_>>()[..] {
        ["3", "0"] => "3.0",
        ["3", "1"] => "3.1",
        _ => {
            return Err(not_a_document(format!(
                "its version is {version:?}; only OpenAPI 3.0 and 3.1 documents can be merged"
            )));
        }
    };
    if !object.get("paths").is_none_or(Value::is_object) {
        return Err(not_a_document("its `paths` is not an object".into()));
    }
    Ok((minor.to_string(), version.to_string()))
}

/// Merges the fragments (in the order given; callers sort them by function name).
pub fn merge(fragments: &[Fragment], options: &MergeOptions) -> Result<Merged, OpenApiError> {
    let mut warnings = Vec::new();
    let mut version: Option<(String, String, String)> = None; // minor, full, function
    for fragment in fragments {
        let (minor, full) = openapi_version(fragment)?;
        match &mut version {
            None => version = Some((minor, full, fragment.function.clone())),
            Some((first_minor, first_full, first_function)) => {
                if *first_minor != minor {
                    return Err(OpenApiError::MixedVersions {
                        first: first_function.clone(),
                        first_version: first_full.clone(),
                        second: fragment.function.clone(),
                        second_version: full,
                    });
                }
                if version_key(&full) > version_key(first_full) {
                    *first_full = full;
                }
            }
        }
    }
    let Some((_, full_version, _)) = version else {
        return Err(OpenApiError::NoFragments);
    };

    let mut fragments: Vec<Fragment> = fragments.to_vec();
    for fragment in &mut fragments {
        super::validate::refs_resolve(&fragment.document, &fragment.function)?;
        push_down(&mut fragment.document);
    }
    let components = merge_components(&mut fragments, options)?;

    let mut paths = Map::new();
    let mut webhooks = Map::new();
    for fragment in &fragments {
        for (section, merged) in [("paths", &mut paths), ("webhooks", &mut webhooks)] {
            if let Some(items) = fragment.document.get(section).and_then(Value::as_object) {
                merge_path_items(
                    merged,
                    items,
                    &fragment.function,
                    options.on_conflict,
                    &mut warnings,
                )?;
            }
        }
    }
    let tags = merge_tags(&fragments, &mut warnings);

    let config = &options.document;
    let mut info = Map::new();
    info.insert(
        "title".into(),
        json!(
            config
                .title
                .clone()
                .unwrap_or(options.default_title.clone())
        ),
    );
    info.insert(
        "version".into(),
        json!(config.version.clone().unwrap_or("0.0.0".into())),
    );
    if let Some(description) = &config.description {
        info.insert("description".into(), json!(description));
    }
    let mut document = Map::new();
    document.insert("openapi".into(), json!(full_version));
    document.insert("info".into(), Value::Object(info));
    if !config.servers.is_empty() {
        document.insert(
            "servers".into(),
            config.servers.iter().map(|s| s.to_json()).collect(),
        );
    }
    document.insert("paths".into(), Value::Object(paths));
    if !webhooks.is_empty() {
        document.insert("webhooks".into(), Value::Object(webhooks));
    }
    if !components.is_empty() {
        document.insert("components".into(), Value::Object(components));
    }
    if !tags.is_empty() {
        document.insert("tags".into(), Value::Array(tags));
    }
    if let Some(dialect) = common_value(&fragments, "jsonSchemaDialect") {
        document.insert("jsonSchemaDialect".into(), dialect);
    }
    Ok(Merged {
        document: Value::Object(document),
        warnings,
    })
}

/// `3.0.10` sorts after `3.0.9`.
fn version_key(version: &str) -> Vec<u64> {
    version
        .split(['.', '-'])
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

/// A top-level field every fragment that has it agrees on.
fn common_value(fragments: &[Fragment], key: &str) -> Option<Value> {
    let values: BTreeSet<String> = fragments
        .iter()
        .filter_map(|f| f.document.get(key))
        .map(Value::to_string)
        .collect();
    match values.len() {
        1 => fragments.iter().find_map(|f| f.document.get(key).cloned()),
        _ => None,
    }
}

/// Moves what a fragment says for all its operations into each operation: top-level `security`,
/// path-level `parameters` (an operation's own parameter of the same name and location wins) and
/// path-level `servers`.
fn push_down(document: &mut Value) {
    let security = document.as_object_mut().and_then(|d| d.remove("security"));
    for section in ["paths", "webhooks"] {
        let Some(items) = document.get_mut(section).and_then(Value::as_object_mut) else {
            continue;
        };
        for item in items.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let parameters = item.remove("parameters");
            let servers = item.remove("servers");
            for method in METHODS {
                let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                    continue;
                };
                if let (Some(security), false) = (&security, operation.contains_key("security")) {
                    operation.insert("security".into(), security.clone());
                }
                if let (Some(servers), false) = (&servers, operation.contains_key("servers")) {
                    operation.insert("servers".into(), servers.clone());
                }
                if let Some(Value::Array(shared)) = &parameters {
                    let own = operation
                        .entry("parameters")
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(own) = own {
                        let keys: BTreeSet<(String, String)> =
                            own.iter().filter_map(parameter_key).collect();
                        let inherited: Vec<Value> = shared
                            .iter()
                            .filter(|p| parameter_key(p).is_none_or(|k| !keys.contains(&k)))
                            .cloned()
                            .collect();
                        own.splice(0..0, inherited);
                    }
                }
            }
        }
    }
}

/// A parameter's `(in, name)`, which identifies it within an operation (a `$ref` by its target).
fn parameter_key(parameter: &Value) -> Option<(String, String)> {
    if let Some(reference) = parameter.get("$ref").and_then(Value::as_str) {
        return Some(("$ref".into(), reference.into()));
    }
    Some((
        parameter.get("in")?.as_str()?.into(),
        parameter.get("name")?.as_str()?.into(),
    ))
}

fn merge_path_items(
    merged: &mut Map<String, Value>,
    items: &Map<String, Value>,
    function: &str,
    on_conflict: OnConflict,
    warnings: &mut Vec<String>,
) -> Result<(), OpenApiError> {
    for (path, item) in items {
        let Some(item) = item.as_object() else {
            continue;
        };
        let target = merged
            .entry(path.clone())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("path items are objects");
        for (key, value) in item {
            if !METHODS.contains(&key.as_str()) {
                // summary, description, $ref: the first function's stays.
                target.entry(key.clone()).or_insert_with(|| value.clone());
                continue;
            }
            let mut operation = value.clone();
            if let Some(object) = operation.as_object_mut() {
                object.insert(FUNCTION_EXTENSION.into(), json!(function));
            }
            match target.get(key) {
                None => {
                    target.insert(key.clone(), operation);
                }
                Some(existing) => {
                    let first = existing
                        .get(FUNCTION_EXTENSION)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let method = key.to_uppercase();
                    match on_conflict {
                        OnConflict::Error => {
                            return Err(OpenApiError::PathConflict {
                                path: path.clone(),
                                method,
                                first,
                                second: function.to_string(),
                            });
                        }
                        OnConflict::First => warnings.push(format!(
                            "{method} {path} is served by `{first}` and `{function}`; kept `{first}`'s (--on-conflict first)"
                        )),
                        OnConflict::Last => {
                            warnings.push(format!(
                                "{method} {path} is served by `{first}` and `{function}`; kept `{function}`'s (--on-conflict last)"
                            ));
                            target.insert(key.clone(), operation);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// A component's section and name.
type ComponentKey = (String, String);
/// Each function defining a component, with its definition.
type Definitions = Vec<(String, Value)>;

/// Components with one name are kept once when all functions define them alike; otherwise it is
/// an error, or with `prefix_components` each differing one is renamed `<Function><Name>` in its
/// fragment (every `$ref` to it rewritten) before the union is taken.
fn merge_components(
    fragments: &mut [Fragment],
    options: &MergeOptions,
) -> Result<Map<String, Value>, OpenApiError> {
    // (section, name) → the functions defining it, with their definitions.
    let mut seen: BTreeMap<ComponentKey, Definitions> = BTreeMap::new();
    for fragment in fragments.iter() {
        for (section, name, value) in components_of(&fragment.document) {
            seen.entry((section, name))
                .or_default()
                .push((fragment.function.clone(), value));
        }
    }
    let clashing: Vec<(&ComponentKey, &Definitions)> = seen
        .iter()
        .filter(|(_, defs)| defs.iter().any(|(_, v)| *v != defs[0].1))
        .collect();
    if let Some(((section, name), defs)) = clashing.first()
        && !options.prefix_components
    {
        let second = defs
            .iter()
            .find(|(_, v)| *v != defs[0].1)
            .expect("a clash has two different definitions");
        return Err(OpenApiError::ComponentClash {
            component: format!("#/components/{section}/{name}"),
            first: defs[0].0.clone(),
            second: second.0.clone(),
        });
    }
    if options.prefix_components && !clashing.is_empty() {
        for fragment in fragments.iter_mut() {
            let renames: BTreeMap<(String, String), String> = clashing
                .iter()
                .filter(|(_, defs)| defs.iter().any(|(f, _)| *f == fragment.function))
                .map(|((section, name), _)| {
                    (
                        (section.clone(), name.clone()),
                        format!("{}{}", pascal_case(&fragment.function), capitalized(name)),
                    )
                })
                .collect();
            for ((section, old), new) in &renames {
                if seen.contains_key(&(section.clone(), new.clone())) {
                    return Err(OpenApiError::PrefixTaken {
                        component: format!("#/components/{section}/{old}"),
                        renamed: format!("#/components/{section}/{new}"),
                        function: fragment.function.clone(),
                    });
                }
            }
            rename_components(&mut fragment.document, &renames);
        }
    }

    let mut merged: Map<String, Value> = Map::new();
    for fragment in fragments.iter() {
        for (section, name, value) in components_of(&fragment.document) {
            let section = merged
                .entry(section)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("sections are objects");
            section.entry(name).or_insert(value);
        }
    }
    Ok(merged)
}

fn components_of(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    let Some(components) = document.get("components").and_then(Value::as_object) else {
        return found;
    };
    for (section, entries) in components {
        if !COMPONENT_SECTIONS.contains(&section.as_str()) {
            continue;
        }
        for (name, value) in entries.as_object().into_iter().flatten() {
            found.push((section.clone(), name.clone(), value.clone()));
        }
    }
    found
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect()
}

/// `orders-py` → `OrdersPy`.
pub fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// Renames components of one fragment and rewrites what points at them: `$ref`s, discriminator
/// mappings, and (for security schemes, which are referred to by name) security requirements.
fn rename_components(document: &mut Value, renames: &BTreeMap<(String, String), String>) {
    if let Some(components) = document
        .get_mut("components")
        .and_then(Value::as_object_mut)
    {
        for ((section, old), new) in renames {
            if let Some(entries) = components.get_mut(section).and_then(Value::as_object_mut)
                && let Some(value) = entries.remove(old)
            {
                entries.insert(new.clone(), value);
            }
        }
    }
    let pointers: Vec<(String, String)> = renames
        .iter()
        .map(|((section, old), new)| {
            (
                format!("#/components/{section}/{}", escape_pointer(old)),
                format!("#/components/{section}/{}", escape_pointer(new)),
            )
        })
        .collect();
    let schemes: BTreeMap<&str, &str> = renames
        .iter()
        .filter(|((section, _), _)| section == "securitySchemes")
        .map(|((_, old), new)| (old.as_str(), new.as_str()))
        .collect();
    rewrite(document, &pointers, &schemes, None);
}

fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn rewrite_reference(reference: &str, pointers: &[(String, String)]) -> Option<String> {
    pointers.iter().find_map(|(old, new)| {
        let rest = reference.strip_prefix(old.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then(|| format!("{new}{rest}"))
    })
}

fn rewrite(
    value: &mut Value,
    pointers: &[(String, String)],
    schemes: &BTreeMap<&str, &str>,
    key: Option<&str>,
) {
    match value {
        Value::Object(object) => {
            if key == Some("mapping") {
                for target in object.values_mut() {
                    if let Some(new) = target.as_str().and_then(|r| rewrite_reference(r, pointers))
                    {
                        *target = Value::String(new);
                    }
                }
                return;
            }
            for (child_key, child) in object.iter_mut() {
                if child_key == "$ref" {
                    if let Some(new) = child.as_str().and_then(|r| rewrite_reference(r, pointers)) {
                        *child = Value::String(new);
                    }
                } else if super::validate::is_data(child_key) {
                    continue;
                } else {
                    rewrite(child, pointers, schemes, Some(child_key));
                }
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                if key == Some("security") && !schemes.is_empty() {
                    if let Some(requirement) = item.as_object_mut() {
                        let renamed: Map<String, Value> = std::mem::take(requirement)
                            .into_iter()
                            .map(|(name, scopes)| {
                                let name =
                                    schemes.get(name.as_str()).map_or(name, |n| n.to_string());
                                (name, scopes)
                            })
                            .collect();
                        *requirement = renamed;
                    }
                    continue;
                }
                rewrite(item, pointers, schemes, None);
            }
        }
        _ => {}
    }
}

/// Tags merged by name, in the order they first appear; a field two functions set differently
/// keeps the first function's value, with a warning.
fn merge_tags(fragments: &[Fragment], warnings: &mut Vec<String>) -> Vec<Value> {
    let mut merged: Vec<(String, Map<String, Value>, String)> = Vec::new();
    for fragment in fragments {
        let tags = fragment.document.get("tags").and_then(Value::as_array);
        for tag in tags.into_iter().flatten() {
            let Some(object) = tag.as_object() else {
                continue;
            };
            let Some(name) = object.get("name").and_then(Value::as_str) else {
                continue;
            };
            match merged.iter_mut().find(|(n, _, _)| n == name) {
                None => merged.push((name.into(), object.clone(), fragment.function.clone())),
                Some((_, existing, first)) => {
                    for (key, value) in object {
                        match existing.get(key) {
                            None => {
                                existing.insert(key.clone(), value.clone());
                            }
                            Some(kept) if kept != value => warnings.push(format!(
                                "tag `{name}`: `{}` and `{}` give different `{key}`; kept `{first}`'s",
                                first, fragment.function
                            )),
                            Some(_) => {}
                        }
                    }
                }
            }
        }
    }
    merged
        .into_iter()
        .map(|(_, tag, _)| Value::Object(tag))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragment(function: &str, document: Value) -> Fragment {
        Fragment {
            function: function.into(),
            document,
        }
    }

    fn doc(paths: Value, components: Value) -> Value {
        json!({ "openapi": "3.0.3", "info": { "title": "t", "version": "1" }, "paths": paths, "components": components })
    }

    fn options() -> MergeOptions {
        MergeOptions {
            default_title: "shop".into(),
            ..Default::default()
        }
    }

    #[test]
    fn paths_are_united_and_each_operation_names_its_function() {
        let a = fragment(
            "catalog",
            doc(
                json!({ "/items": { "get": { "responses": { "200": { "description": "ok" } } } } }),
                json!({}),
            ),
        );
        let b = fragment(
            "orders",
            doc(
                json!({ "/items": { "post": { "responses": { "201": { "description": "made" } } } }, "/orders": { "get": { "responses": { "200": { "description": "ok" } } } } }),
                json!({}),
            ),
        );
        let merged = merge(&[a, b], &options()).unwrap();
        let paths = &merged.document["paths"];
        assert_eq!(paths["/items"]["get"][FUNCTION_EXTENSION], "catalog");
        assert_eq!(paths["/items"]["post"][FUNCTION_EXTENSION], "orders");
        assert_eq!(paths["/orders"]["get"][FUNCTION_EXTENSION], "orders");
        assert_eq!(
            merged.document["info"],
            json!({ "title": "shop", "version": "0.0.0" })
        );
        assert_eq!(merged.document["openapi"], "3.0.3");
    }

    #[test]
    fn the_same_path_and_method_twice_is_an_error_naming_both_functions() {
        let op =
            json!({ "/items": { "get": { "responses": { "200": { "description": "ok" } } } } });
        let fragments = [
            fragment("catalog", doc(op.clone(), json!({}))),
            fragment("orders", doc(op.clone(), json!({}))),
        ];
        let err = merge(&fragments, &options()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET /items is served by two functions, `catalog` and `orders`"
        );
        for (on_conflict, kept) in [(OnConflict::Last, "orders"), (OnConflict::First, "catalog")] {
            let options = MergeOptions {
                on_conflict,
                ..options()
            };
            let merged = merge(&fragments, &options).unwrap();
            assert_eq!(
                merged.document["paths"]["/items"]["get"][FUNCTION_EXTENSION],
                kept
            );
            assert_eq!(merged.warnings.len(), 1, "{:?}", merged.warnings);
        }
    }

    #[test]
    fn equal_components_are_kept_once_and_different_ones_clash_or_get_prefixed() {
        let item_a = json!({ "type": "object", "properties": { "id": { "type": "string" } } });
        let item_b = json!({ "type": "object", "properties": { "sku": { "type": "string" } } });
        let error = json!({ "type": "object", "properties": { "message": { "type": "string" } } });
        let ok = |schema: &str| json!({ "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } } } });
        let a = fragment(
            "catalog",
            doc(
                json!({ "/items": { "get": ok("Item") } }),
                json!({ "schemas": { "Item": item_a, "Error": error } }),
            ),
        );
        let b = fragment(
            "orders-py",
            doc(
                json!({ "/orders": { "get": ok("Item") }, "/fail": { "get": ok("Error") } }),
                json!({ "schemas": { "Item": item_b, "Error": error } }),
            ),
        );
        let err = merge(&[a.clone(), b.clone()], &options()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "component #/components/schemas/Item differs between functions `catalog` and `orders-py`"
        );
        let prefixed = MergeOptions {
            prefix_components: true,
            ..options()
        };
        let merged = merge(&[a, b], &prefixed).unwrap().document;
        let schemas = merged["components"]["schemas"].as_object().unwrap();
        let names: Vec<&str> = schemas.keys().map(String::as_str).collect();
        assert_eq!(names, ["CatalogItem", "Error", "OrdersPyItem"]);
        let schema_ref = |path: &str| {
            merged["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].clone()
        };
        assert_eq!(schema_ref("/items"), "#/components/schemas/CatalogItem");
        assert_eq!(schema_ref("/orders"), "#/components/schemas/OrdersPyItem");
        assert_eq!(schema_ref("/fail"), "#/components/schemas/Error");
    }

    #[test]
    fn renamed_security_schemes_are_renamed_in_requirements_too() {
        let ok = json!({ "responses": { "200": { "description": "ok" } } });
        let mut a = doc(
            json!({ "/a": { "get": ok } }),
            json!({ "securitySchemes": { "auth": { "type": "http", "scheme": "bearer" } } }),
        );
        a["security"] = json!([{ "auth": [] }]);
        let mut b = doc(
            json!({ "/b": { "get": ok } }),
            json!({ "securitySchemes": { "auth": { "type": "apiKey", "in": "header", "name": "x-key" } } }),
        );
        b["security"] = json!([{ "auth": [] }]);
        let prefixed = MergeOptions {
            prefix_components: true,
            ..options()
        };
        let merged = merge(&[fragment("a", a), fragment("b", b)], &prefixed)
            .unwrap()
            .document;
        assert_eq!(
            merged["paths"]["/a"]["get"]["security"],
            json!([{ "AAuth": [] }])
        );
        assert_eq!(
            merged["paths"]["/b"]["get"]["security"],
            json!([{ "BAuth": [] }])
        );
        assert!(merged.get("security").is_none());
    }

    #[test]
    fn path_level_parameters_move_into_operations() {
        let item = json!({
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "get": { "responses": { "200": { "description": "ok" } } },
            "delete": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "204": { "description": "gone" } }
            }
        });
        let merged = merge(
            &[fragment(
                "a",
                doc(json!({ "/items/{id}": item }), json!({})),
            )],
            &options(),
        )
        .unwrap()
        .document;
        let item = &merged["paths"]["/items/{id}"];
        assert!(item.get("parameters").is_none());
        assert_eq!(item["get"]["parameters"][0]["schema"]["type"], "string");
        assert_eq!(item["delete"]["parameters"].as_array().unwrap().len(), 1);
        assert_eq!(item["delete"]["parameters"][0]["schema"]["type"], "integer");
    }

    #[test]
    fn versions_are_not_mixed_and_other_documents_are_refused() {
        let a = fragment("a", json!({ "openapi": "3.0.3", "paths": {} }));
        let b = fragment("b", json!({ "openapi": "3.1.0", "paths": {} }));
        assert_eq!(
            merge(&[a.clone(), b], &options()).unwrap_err().to_string(),
            "cannot merge OpenAPI 3.0.3 (from `a`) with OpenAPI 3.1.0 (from `b`)"
        );
        let c = fragment("c", json!({ "openapi": "3.0.10", "paths": {} }));
        assert_eq!(
            merge(&[a, c], &options()).unwrap().document["openapi"],
            "3.0.10"
        );
        let swagger = fragment("s", json!({ "swagger": "2.0" }));
        assert!(
            merge(&[swagger], &options())
                .unwrap_err()
                .to_string()
                .contains("Swagger 2.0")
        );
        let text = fragment("t", json!("hello"));
        assert!(
            merge(&[text], &options())
                .unwrap_err()
                .to_string()
                .contains("not a JSON object")
        );
    }

    #[test]
    fn tags_are_merged_by_name() {
        let mut a = doc(json!({}), json!({}));
        a["tags"] = json!([{ "name": "items", "description": "Items" }, { "name": "admin" }]);
        let mut b = doc(json!({}), json!({}));
        b["tags"] = json!([{ "name": "items", "description": "Things" }, { "name": "orders" }]);
        let merged = merge(&[fragment("a", a), fragment("b", b)], &options()).unwrap();
        assert_eq!(
            merged.document["tags"],
            json!([{ "name": "items", "description": "Items" }, { "name": "admin" }, { "name": "orders" }])
        );
        assert_eq!(merged.warnings.len(), 1);
    }

    #[test]
    fn pascal_case_of_function_names() {
        assert_eq!(pascal_case("orders-py"), "OrdersPy");
        assert_eq!(pascal_case("catalog_api"), "CatalogApi");
    }
}
