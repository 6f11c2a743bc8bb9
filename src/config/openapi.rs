//! The `openapi` keys: which functions take part and where their fragment comes from, and the
//! document-wide fields of `[workspace.metadata.powertools.openapi]`.
use serde::Deserialize;
use std::path::PathBuf;

/// Where one function's OpenAPI fragment comes from. Never a default: getting it may run user code.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawSource")]
pub enum Source {
    /// `route = "/openapi.json"`: invoke the packaged function with an API Gateway `GET` of this
    /// path (and query) and take the JSON body of a 200 answer.
    Route(Route),
    /// `file = "openapi.json"`: a file of the package (relative to its directory).
    File(PathBuf),
    /// `command = ["program", "arg", ...]`: run in the package's directory, read its stdout.
    Command(Vec<String>),
}

/// A spec route and the API Gateway event the function's resolver reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub path: String,
    /// `event = "rest"` or `"http"`; unset: what `openapi --api` names, else `http`.
    pub event: Option<RouteEvent>,
}

/// The shape of the event a function's API sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteEvent {
    /// An HTTP API's, payload format 2.0 (Powertools' `APIGatewayHttpResolver`).
    Http,
    /// A REST API's, Lambda proxy format 1.0 (Powertools' `APIGatewayRestResolver`).
    Rest,
}

/// The TOML shape, checked into a [`Source`] so that a typo or two keys at once is an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    route: Option<String>,
    event: Option<RouteEvent>,
    file: Option<PathBuf>,
    command: Option<Vec<String>>,
}

impl TryFrom<RawSource> for Source {
    type Error = String;

    fn try_from(raw: RawSource) -> Result<Source, String> {
        if raw.event.is_some() && raw.route.is_none() {
            return Err(
                "`event` belongs with `route`: openapi = { route = \"/openapi.json\", event = \"rest\" }"
                    .into(),
            );
        }
        let source = match (raw.route, raw.file, raw.command) {
            (Some(route), None, None) => {
                if !route.starts_with('/') {
                    return Err(format!(
                        "`route` must be a path starting with `/`, like \"/openapi.json\", not {route:?}"
                    ));
                }
                Source::Route(Route {
                    path: route,
                    event: raw.event,
                })
            }
            (None, Some(file), None) => Source::File(file),
            (None, None, Some(command)) => {
                if command.is_empty() {
                    return Err(
                        "`command` must name a program: command = [\"program\", \"arg\"]".into(),
                    );
                }
                Source::Command(command)
            }
            _ => {
                return Err(
                    "set exactly one of `route`, `file` or `command`, e.g. openapi = { route = \"/openapi.json\" }"
                        .into(),
                );
            }
        };
        Ok(source)
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Route(route) => write!(f, "route {}", route.path),
            Source::File(file) => write!(f, "file {}", file.display()),
            Source::Command(command) => write!(f, "command `{}`", command.join(" ")),
        }
    }
}

/// `[workspace.metadata.powertools.openapi]`: the merged document's own fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentConfig {
    /// `info.title`. Default: the workspace directory's name.
    pub title: Option<String>,
    /// `info.version`. Default: 0.0.0.
    pub version: Option<String>,
    /// `info.description`.
    pub description: Option<String>,
    /// `servers`: URLs, or `{ url = "...", description = "..." }` tables.
    #[serde(default)]
    pub servers: Vec<Server>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Server {
    Url(String),
    Described {
        url: String,
        description: Option<String>,
    },
}

impl Server {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Server::Url(url) => serde_json::json!({ "url": url }),
            Server::Described {
                url,
                description: Some(description),
            } => serde_json::json!({ "url": url, "description": description }),
            Server::Described {
                url,
                description: None,
            } => serde_json::json!({ "url": url }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn source(value: serde_json::Value) -> Result<Source, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn each_source_form_parses() {
        assert_eq!(
            source(json!({ "route": "/swagger?format=json" })).unwrap(),
            Source::Route(Route {
                path: "/swagger?format=json".into(),
                event: None
            })
        );
        assert_eq!(
            source(json!({ "route": "/swagger", "event": "rest" })).unwrap(),
            Source::Route(Route {
                path: "/swagger".into(),
                event: Some(RouteEvent::Rest)
            })
        );
        assert!(source(json!({ "file": "a.json", "event": "rest" })).is_err());
        assert!(source(json!({ "route": "/a", "event": "websocket" })).is_err());
        assert_eq!(
            source(json!({ "file": "openapi.json" })).unwrap(),
            Source::File("openapi.json".into())
        );
        assert_eq!(
            source(json!({ "command": ["python3", "spec.py"] })).unwrap(),
            Source::Command(vec!["python3".into(), "spec.py".into()])
        );
    }

    #[test]
    fn two_sources_or_none_or_a_typo_are_errors() {
        let err = source(json!({ "route": "/a", "file": "b" })).unwrap_err();
        assert!(
            err.contains("exactly one of `route`, `file` or `command`"),
            "{err}"
        );
        assert!(source(json!({})).is_err());
        let err = source(json!({ "rout": "/a" })).unwrap_err();
        assert!(err.contains("unknown field `rout`"), "{err}");
        let err = source(json!({ "route": "openapi.json" })).unwrap_err();
        assert!(err.contains("starting with `/`"), "{err}");
        assert!(source(json!({ "command": [] })).is_err());
    }

    #[test]
    fn servers_are_urls_or_tables() {
        let config: DocumentConfig = serde_json::from_value(json!({
            "title": "Shop",
            "servers": ["https://a.example", { "url": "https://b.example", "description": "staging" }]
        }))
        .unwrap();
        assert_eq!(
            config.servers[0].to_json(),
            json!({ "url": "https://a.example" })
        );
        assert_eq!(
            config.servers[1].to_json(),
            json!({ "url": "https://b.example", "description": "staging" })
        );
    }
}
