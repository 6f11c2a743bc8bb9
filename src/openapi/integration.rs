//! Ties every operation to its function for API Gateway: an `x-amazon-apigateway-integration`
//! whose Lambda URI is a placeholder the deployment tool fills in. SAM and CloudFormation fill
//! `Fn::Sub` objects (with `AWS::Include`); Terraform's `templatefile` fills `${name}` variables.
//! One document cannot serve both (an `Fn::Sub` object is not a string for Terraform, and
//! `${AWS::Region}` is not a Terraform variable), hence `--placeholders`.
use super::merge::{FUNCTION_EXTENSION, METHODS};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The kind of API Gateway API the document is imported into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// API Gateway HTTP API (v2): Lambda proxy, payload format 2.0.
    Http,
    /// API Gateway REST API (v1): Lambda proxy.
    Rest,
}

/// Which deployment tool fills the function placeholders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Placeholders {
    /// `{"Fn::Sub": "...${GreeterFunction.Arn}..."}`, for `DefinitionBody` with `AWS::Include`.
    #[default]
    Sam,
    /// `"${greeter_invoke_arn}"`, for `templatefile(path, { greeter_invoke_arn = ... })`.
    Terraform,
}

/// What fills the placeholder of `function`: the SAM resource's logical id (whose `Arn` is used),
/// or the Terraform template variable (a function's `invoke_arn`).
pub fn placeholder(function: &str, style: Placeholders) -> String {
    match style {
        Placeholders::Sam => format!("{}Function", super::merge::pascal_case(function)),
        Placeholders::Terraform => {
            let snake: String = function
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("{snake}_invoke_arn")
        }
    }
}

fn uri(function: &str, style: Placeholders) -> Value {
    let name = placeholder(function, style);
    match style {
        Placeholders::Sam => json!({
            "Fn::Sub": format!("arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{name}.Arn}}/invocations")
        }),
        Placeholders::Terraform => json!(format!("${{{name}}}")),
    }
}

/// Adds the integration to every operation (by its `x-powertools-function`) and returns the
/// placeholder of each function. For Terraform, `${` and `%{` already in the document are escaped
/// (`$${`, `%%{`) so that `templatefile` leaves them as they are.
pub fn integrate(document: &mut Value, api: Api, style: Placeholders) -> BTreeMap<String, String> {
    if style == Placeholders::Terraform {
        escape_template_sequences(document);
    }
    let mut placeholders = BTreeMap::new();
    let paths = document.get_mut("paths").and_then(Value::as_object_mut);
    for item in paths.into_iter().flat_map(|p| p.values_mut()) {
        for method in METHODS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let Some(function) = operation
                .get(FUNCTION_EXTENSION)
                .and_then(Value::as_str)
                .map(String::from)
            else {
                continue;
            };
            let mut integration = json!({
                "type": "aws_proxy",
                "httpMethod": "POST",
                "uri": uri(&function, style),
            });
            match api {
                Api::Http => integration["payloadFormatVersion"] = json!("2.0"),
                Api::Rest => integration["passthroughBehavior"] = json!("when_no_match"),
            }
            operation.insert("x-amazon-apigateway-integration".into(), integration);
            placeholders.insert(function.clone(), placeholder(&function, style));
        }
    }
    placeholders
}

fn escape_template_sequences(value: &mut Value) {
    match value {
        Value::String(text) if text.contains("${") || text.contains("%{") => {
            *text = text.replace("${", "$${").replace("%{", "%%{");
        }
        Value::Array(items) => items.iter_mut().for_each(escape_template_sequences),
        Value::Object(object) => {
            let keys: Vec<String> = object.keys().cloned().collect();
            for key in keys {
                let mut child = object.remove(&key).expect("key just listed");
                escape_template_sequences(&mut child);
                let key = key.replace("${", "$${").replace("%{", "%%{");
                object.insert(key, child);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({ "paths": { "/items": { "get": {
            "x-powertools-function": "orders-py",
            "description": "costs ${price}",
            "responses": {}
        } } } })
    }

    #[test]
    fn sam_placeholders_are_fn_sub_objects_naming_the_function_resource() {
        let mut doc = document();
        let placeholders = integrate(&mut doc, Api::Http, Placeholders::Sam);
        assert_eq!(placeholders["orders-py"], "OrdersPyFunction");
        assert_eq!(
            doc["paths"]["/items"]["get"]["x-amazon-apigateway-integration"],
            json!({
                "type": "aws_proxy",
                "httpMethod": "POST",
                "payloadFormatVersion": "2.0",
                "uri": { "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${OrdersPyFunction.Arn}/invocations" }
            })
        );
        assert_eq!(
            doc["paths"]["/items"]["get"]["description"],
            "costs ${price}"
        );
    }

    #[test]
    fn terraform_placeholders_are_template_variables_and_other_sequences_are_escaped() {
        let mut doc = document();
        integrate(&mut doc, Api::Rest, Placeholders::Terraform);
        let operation = &doc["paths"]["/items"]["get"];
        assert_eq!(
            operation["x-amazon-apigateway-integration"],
            json!({
                "type": "aws_proxy",
                "httpMethod": "POST",
                "passthroughBehavior": "when_no_match",
                "uri": "${orders_py_invoke_arn}"
            })
        );
        assert_eq!(operation["description"], "costs $${price}");
    }
}
