//! Checks of a merged document that API Gateway and code generators rely on: every `$ref`
//! resolves, each path template's `{names}` are exactly its path parameters, operationIds are unique.
use super::OpenApiError;
use super::merge::{FUNCTION_EXTENSION, METHODS};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Keys whose values are user data (examples, defaults, enums), not OpenAPI structure: a `$ref`
/// inside them is not a reference.
pub fn is_data(key: &str) -> bool {
    matches!(key, "example" | "value" | "default" | "enum" | "const")
}

/// Every `$ref` in `document` (with the JSON pointer of where it is).
fn references(value: &Value, at: &mut Vec<String>, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                if key == "$ref" {
                    if let Some(reference) = child.as_str() {
                        found.push((reference.to_string(), pointer(at)));
                    }
                    continue;
                }
                if is_data(key) {
                    continue;
                }
                at.push(key.clone());
                references(child, at, found);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                at.push(index.to_string());
                references(item, at, found);
                at.pop();
            }
        }
        _ => {}
    }
}

fn pointer(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Follows a local reference (`#/components/schemas/Item`).
fn resolve<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    let target = reference.strip_prefix('#')?;
    let decoded = percent_decode(target);
    document.pointer(&decoded)
}

/// `%7B` → `{` (JSON pointers in URI fragments are percent-encoded).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every `$ref` of one function's document points inside it.
pub fn refs_resolve(document: &Value, function: &str) -> Result<(), OpenApiError> {
    let mut found = Vec::new();
    references(document, &mut Vec::new(), &mut found);
    for (reference, at) in found {
        if !reference.starts_with('#') {
            return Err(OpenApiError::ExternalRef {
                function: function.into(),
                reference,
                at,
            });
        }
        if resolve(document, &reference).is_none() {
            return Err(OpenApiError::UnresolvedRef {
                function: function.into(),
                reference,
                at,
            });
        }
    }
    Ok(())
}

/// `/items/{id}/parts/{part}` → {id, part}.
fn template_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Checks the merged document (after [`super::merge::merge`]; path-level parameters are already
/// inside the operations).
pub fn validate(document: &Value) -> Result<(), OpenApiError> {
    refs_resolve(document, "the merged document")?;
    let mut operation_ids: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let expected = template_names(path);
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let function = operation
                .get(FUNCTION_EXTENSION)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let declared: BTreeSet<String> = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| match p.get("$ref").and_then(Value::as_str) {
                    Some(reference) => resolve(document, reference).unwrap_or(p),
                    None => p,
                })
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
                .filter_map(|p| p.get("name").and_then(Value::as_str).map(String::from))
                .collect();
            if declared != expected {
                let missing: Vec<&String> = expected.difference(&declared).collect();
                let extra: Vec<&String> = declared.difference(&expected).collect();
                let mut problems = Vec::new();
                if !missing.is_empty() {
                    problems.push(format!(
                        "no path parameter for {}",
                        listed(&missing, |n| format!("{{{n}}}"))
                    ));
                }
                if !extra.is_empty() {
                    problems.push(format!(
                        "path parameter(s) {} not in the path",
                        listed(&extra, |n| format!("`{n}`"))
                    ));
                }
                return Err(OpenApiError::PathParameters {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    function,
                    problem: problems.join("; "),
                });
            }
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                let here = (method.to_uppercase(), path.clone(), function);
                if let Some(first) = operation_ids.insert(id.to_string(), here.clone()) {
                    return Err(OpenApiError::DuplicateOperationId {
                        id: id.into(),
                        first: format!("{} {} (`{}`)", first.0, first.1, first.2),
                        second: format!("{} {} (`{}`)", here.0, here.1, here.2),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The names, each as `wrap` writes it, separated by commas.
fn listed(names: &[&String], wrap: impl Fn(&str) -> String) -> String {
    names.iter().map(|n| wrap(n)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dangling_or_external_ref_is_an_error_naming_the_function_and_place() {
        let document = json!({
            "paths": { "/a": { "get": { "responses": { "200": { "$ref": "#/components/responses/Missing" } } } } },
            "components": { "schemas": { "A": { "example": { "$ref": "not a reference" } } } }
        });
        assert_eq!(
            refs_resolve(&document, "catalog").unwrap_err().to_string(),
            "`catalog`: $ref \"#/components/responses/Missing\" at /paths/~1a/get/responses/200 points at nothing"
        );
        let external = json!({ "paths": { "/a": { "get": { "responses": { "200": { "$ref": "common.yaml#/Ok" } } } } } });
        assert!(
            refs_resolve(&external, "catalog")
                .unwrap_err()
                .to_string()
                .contains("points outside the document")
        );
        let fine = json!({ "paths": { "/a": { "get": { "responses": { "200": { "$ref": "#/components/responses/Ok" } } } } }, "components": { "responses": { "Ok": { "description": "ok" } } } });
        refs_resolve(&fine, "catalog").unwrap();
    }

    #[test]
    fn path_templates_must_match_path_parameters() {
        let document = json!({ "paths": { "/items/{id}": { "get": {
            "x-powertools-function": "catalog",
            "parameters": [{ "name": "item_id", "in": "path", "required": true }],
            "responses": {}
        } } } });
        assert_eq!(
            validate(&document).unwrap_err().to_string(),
            "GET /items/{id} (function `catalog`): no path parameter for {id}; path parameter(s) `item_id` not in the path"
        );
        let by_ref = json!({
            "paths": { "/items/{id}": { "get": { "parameters": [{ "$ref": "#/components/parameters/Id" }], "responses": {} } } },
            "components": { "parameters": { "Id": { "name": "id", "in": "path", "required": true } } }
        });
        validate(&by_ref).unwrap();
    }

    #[test]
    fn operation_ids_are_unique() {
        let document = json!({ "paths": {
            "/a": { "get": { "operationId": "list", "x-powertools-function": "a", "responses": {} } },
            "/b": { "get": { "operationId": "list", "x-powertools-function": "b", "responses": {} } }
        } });
        assert_eq!(
            validate(&document).unwrap_err().to_string(),
            "operationId `list` is used twice: GET /a (`a`) and GET /b (`b`)"
        );
    }
}
