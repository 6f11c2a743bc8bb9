//! Getting one function's fragment: from a file of its package, from a command's stdout, or from
//! the packaged function itself, invoked with an API Gateway HTTP API `GET` of its spec route.
use super::OpenApiError;
use super::integration::Api;
use crate::config::openapi::{Route, RouteEvent, Source};
use crate::invoke::{self, Function, InvokeOptions};
use crate::manifest::{Artifact, Manifest};
use crate::model::Arch;
use crate::platform;
use crate::process::ProcessGroups;
use crate::process::{self, ProcessBuilder};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A function that opted in, and where its fragment comes from.
#[derive(Clone, Debug)]
pub struct Participant {
    pub function: String,
    pub source: Source,
    /// The package's directory (a Python function's project folder): where `file` is relative to
    /// and where `command` runs.
    pub dir: PathBuf,
    /// Where the `openapi` key is, for messages.
    pub declared_in: PathBuf,
}

/// What fetching needs besides the participant.
pub struct FetchContext<'a> {
    pub timeout: Duration,
    /// The last `package` run's manifest and its path, for `route` sources.
    pub manifest: Option<&'a (PathBuf, Manifest)>,
    /// Where the manifest was looked for, for the error when it is missing.
    pub manifest_path: &'a Path,
    pub groups: &'a ProcessGroups,
    /// `--api`: the event a `route` without its own `event` is sent.
    pub api: Option<Api>,
}

pub fn fetch(participant: &Participant, context: &FetchContext) -> Result<Value, OpenApiError> {
    let function = &participant.function;
    let bytes = match &participant.source {
        Source::File(file) => {
            let path = participant.dir.join(file);
            std::fs::read(&path).map_err(|source| OpenApiError::ReadFile {
                function: function.clone(),
                path,
                source,
            })?
        }
        Source::Command(command) => run_command(participant, command, context.timeout)?,
        Source::Route(route) => invoke_route(participant, route, context)?,
    };
    serde_json::from_slice(&bytes).map_err(|err| OpenApiError::NotADocument {
        function: function.clone(),
        why: format!(
            "its {} is not JSON ({err}): {}",
            participant.source,
            excerpt(&bytes)
        ),
    })
}

/// The start of an answer, for an error message.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    match text.char_indices().nth(120) {
        Some((end, _)) => format!("{:?}...", &text[..end]),
        None => format!("{text:?}"),
    }
}

/// The program a `command` source runs, if it is one: to announce before [`fetch`] runs it.
pub fn command(participant: &Participant) -> Option<ProcessBuilder> {
    match &participant.source {
        Source::Command(command) => Some(command_line(&participant.dir, command)),
        Source::File(_) | Source::Route(_) => None,
    }
}

/// A `command` source's words, run in the package's directory.
fn command_line(dir: &Path, command: &[String]) -> ProcessBuilder {
    let mut builder = ProcessBuilder::new(&command[0]);
    builder.args(&command[1..]).cwd(dir);
    builder
}

fn run_command(
    participant: &Participant,
    command: &[String],
    timeout: Duration,
) -> Result<Vec<u8>, OpenApiError> {
    let function = participant.function.clone();
    let builder = command_line(&participant.dir, command);
    let stdout = tempfile::tempfile().map_err(OpenApiError::Temp)?;
    let stderr = tempfile::tempfile().map_err(OpenApiError::Temp)?;
    let clone = |file: &std::fs::File| file.try_clone().map_err(OpenApiError::Temp);
    let mut child = builder
        .spawn_group(clone(&stdout)?.into(), clone(&stderr)?.into())
        .map_err(|source| OpenApiError::Command {
            function: function.clone(),
            source,
        })?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(OpenApiError::Temp)? {
            break status;
        }
        if started.elapsed() > timeout {
            platform::kill_group(&mut child);
            let _ = child.wait();
            return Err(OpenApiError::CommandTimeout {
                function,
                command: builder.to_string(),
                timeout,
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Whatever the command left running in its group goes too.
    platform::kill_group(&mut child);
    let read = |mut file: std::fs::File| -> Result<Vec<u8>, OpenApiError> {
        use std::io::{Read, Seek};
        let mut bytes = Vec::new();
        file.rewind().map_err(OpenApiError::Temp)?;
        file.read_to_end(&mut bytes).map_err(OpenApiError::Temp)?;
        Ok(bytes)
    };
    if !status.success() {
        let stderr = String::from_utf8_lossy(&read(stderr)?).into_owned();
        let lines: Vec<&str> = stderr.lines().collect();
        return Err(OpenApiError::Command {
            function,
            source: process::ProcessError::Failed {
                command: builder.to_string(),
                status,
                stderr: lines[lines.len().saturating_sub(10)..].join("\n"),
            },
        });
    }
    read(stdout)
}

/// An API Gateway HTTP API (payload format 2.0) `GET` of `route` (a path with an optional query).
pub fn http_api_get_event(route: &str) -> Value {
    let (path, query) = route.split_once('?').unwrap_or((route, ""));
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "host": "localhost",
            "user-agent": "cargo-powertools",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "powertools",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "cargo-powertools",
            },
            "requestId": "cargo-powertools-openapi",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": 1767225600000u64,
        },
        "isBase64Encoded": false,
    });
    if !query.is_empty() {
        let parameters: serde_json::Map<String, Value> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (key.to_string(), json!(value))
            })
            .collect();
        event["queryStringParameters"] = Value::Object(parameters);
    }
    event
}

/// An API Gateway REST API (Lambda proxy, format 1.0) `GET` of `route` (a path with an optional
/// query), as a deployed stage `api` sends it.
pub fn rest_api_get_event(route: &str) -> Value {
    let (path, query) = route.split_once('?').unwrap_or((route, ""));
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .collect();
    let (single, multi): (
        serde_json::Map<String, Value>,
        serde_json::Map<String, Value>,
    ) = (
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!([v])))
            .collect(),
    );
    let or_null = |map: serde_json::Map<String, Value>| {
        if map.is_empty() {
            Value::Null
        } else {
            Value::Object(map)
        }
    };
    json!({
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {
            "Accept": "application/json",
            "Host": "localhost",
            "User-Agent": "cargo-powertools",
        },
        "multiValueHeaders": {
            "Accept": ["application/json"],
            "Host": ["localhost"],
            "User-Agent": ["cargo-powertools"],
        },
        "queryStringParameters": or_null(single),
        "multiValueQueryStringParameters": or_null(multi),
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "powertools",
            "domainName": "localhost",
            "httpMethod": "GET",
            "identity": {
                "sourceIp": "127.0.0.1",
                "userAgent": "cargo-powertools",
            },
            "path": format!("/api{path}"),
            "protocol": "HTTP/1.1",
            "requestId": "cargo-powertools-openapi",
            "requestTimeEpoch": 1767225600000u64,
            "resourcePath": path,
            "stage": "api",
        },
        "body": null,
        "isBase64Encoded": false,
    })
}

/// The artifact to invoke: the function's zip for this machine's architecture, else any.
fn artifact_for<'a>(manifest: &'a Manifest, function: &str, host: Arch) -> Option<&'a Artifact> {
    let mut candidates = manifest.artifacts.iter().filter(|a| a.function == function);
    let all: Vec<&Artifact> = candidates.by_ref().collect();
    all.iter()
        .find(|a| a.arch == host)
        .or_else(|| all.first())
        .copied()
}

fn invoke_route(
    participant: &Participant,
    route: &Route,
    context: &FetchContext,
) -> Result<Vec<u8>, OpenApiError> {
    let shape = route.event.unwrap_or(match context.api {
        Some(Api::Rest) => RouteEvent::Rest,
        Some(Api::Http) | None => RouteEvent::Http,
    });
    let route = route.path.as_str();
    let function = participant.function.clone();
    let Some((manifest_path, manifest)) = context.manifest else {
        return Err(OpenApiError::NoManifest {
            function,
            path: context.manifest_path.to_path_buf(),
        });
    };
    let Some(artifact) = artifact_for(manifest, &function, Arch::host()) else {
        return Err(OpenApiError::NotPackaged {
            function,
            manifest: manifest_path.clone(),
        });
    };
    // A Rust bootstrap, or a Python handler run with its runtime's CPython: the invoke module's.
    let dir = manifest_path.parent().unwrap_or(Path::new("."));
    let packaged = Function::from_artifact(dir, artifact);
    let event = match shape {
        RouteEvent::Http => http_api_get_event(route),
        RouteEvent::Rest => rest_api_get_event(route),
    };
    let event = serde_json::to_vec(&event).expect("JSON");
    let options = InvokeOptions {
        timeout: context.timeout,
        ..InvokeOptions::default()
    };
    let answer =
        invoke::invoke_once(&packaged, &event, &options, context.groups).map_err(|source| {
            OpenApiError::Invoke {
                function: function.clone(),
                source,
            }
        })?;
    if let Some(failure) = answer.failure {
        return Err(OpenApiError::RouteAnswer {
            function,
            route: route.into(),
            why: format!(
                "the function failed: {}: {}",
                failure.error_type, failure.message
            ),
        });
    }
    http_body(&function, route, answer.response.as_bytes())
}

/// The body of a 200 proxy-integration answer (`{"statusCode": 200, "body": "..."}`).
pub fn http_body(function: &str, route: &str, response: &[u8]) -> Result<Vec<u8>, OpenApiError> {
    let bad = |why: String| OpenApiError::RouteAnswer {
        function: function.into(),
        route: route.into(),
        why,
    };
    let answer: Value = serde_json::from_slice(response).map_err(|_| {
        bad(format!(
            "the answer is not an HTTP API response: {}",
            excerpt(response)
        ))
    })?;
    let status = answer.get("statusCode").and_then(Value::as_u64);
    if status != Some(200) {
        return Err(bad(match status {
            Some(status) => format!(
                "it answered HTTP {status}: {}",
                excerpt(
                    answer
                        .get("body")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .as_bytes()
                )
            ),
            None => format!("the answer has no statusCode: {}", excerpt(response)),
        }));
    }
    let body = answer.get("body").and_then(Value::as_str).unwrap_or("");
    if answer.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
        use base64::Engine;
        return base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|e| bad(format!("its base64 body does not decode: {e}")));
    }
    Ok(body.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rest_event_has_the_proxy_format_1_fields() {
        let event = rest_api_get_event("/swagger?format=json");
        assert_eq!(event["httpMethod"], "GET");
        assert_eq!(event["path"], "/swagger");
        assert_eq!(event["queryStringParameters"]["format"], "json");
        assert_eq!(
            event["multiValueQueryStringParameters"]["format"][0],
            "json"
        );
        assert_eq!(
            rest_api_get_event("/openapi.json")["queryStringParameters"],
            Value::Null
        );
    }

    #[test]
    fn the_event_is_an_http_api_get_with_its_query() {
        let event = http_api_get_event("/swagger?format=json");
        assert_eq!(event["rawPath"], "/swagger");
        assert_eq!(event["rawQueryString"], "format=json");
        assert_eq!(event["queryStringParameters"], json!({ "format": "json" }));
        assert_eq!(event["requestContext"]["http"]["method"], "GET");
        assert!(
            http_api_get_event("/openapi.json")
                .get("queryStringParameters")
                .is_none()
        );
    }

    #[test]
    fn the_body_of_a_200_answer_is_taken() {
        let answer = br#"{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"openapi\":\"3.1.0\"}","isBase64Encoded":false}"#;
        assert_eq!(
            http_body("f", "/o", answer).unwrap(),
            br#"{"openapi":"3.1.0"}"#
        );
        let encoded = br#"{"statusCode":200,"body":"eyJhIjoxfQ==","isBase64Encoded":true}"#;
        assert_eq!(http_body("f", "/o", encoded).unwrap(), br#"{"a":1}"#);
        let missing = br#"{"statusCode":404,"body":"Not Found"}"#;
        assert_eq!(
            http_body("catalog", "/openapi.json", missing)
                .unwrap_err()
                .to_string(),
            "`catalog`: GET /openapi.json did not give the document: it answered HTTP 404: \"Not Found\""
        );
    }

    #[test]
    fn a_command_s_stdout_is_read_and_a_slow_one_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let participant = |command: &[&str]| Participant {
            function: "f".into(),
            source: Source::Command(command.iter().map(|s| s.to_string()).collect()),
            dir: dir.path().into(),
            declared_in: "Cargo.toml".into(),
        };
        let ok = participant(&["unused"]);
        let bytes = run_command(
            &ok,
            &["sh".into(), "-c".into(), "printf '{}'".into()],
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(bytes, b"{}");
        let err = run_command(
            &ok,
            &["sh".into(), "-c".into(), "echo bad >&2; exit 4".into()],
            Duration::from_secs(10),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "`f`: its OpenAPI command failed");
        let cause = std::error::Error::source(&err).unwrap().to_string();
        assert!(
            cause.starts_with("`sh -c 'echo bad >&2; exit 4'` failed"),
            "{cause}"
        );
        assert!(cause.ends_with("bad"), "{cause}");
        let slow = run_command(
            &ok,
            &["sleep".into(), "30".into()],
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert_eq!(
            slow.to_string(),
            "`f`: `sleep 30` gave no answer within 0.3 s"
        );
    }
}
