//! What an artifact is.
use serde::{Deserialize, Serialize};

/// What an artifact is: a function (a Rust `bootstrap`, or Python code with a handler), an
/// extension (`extensions/<name>`) or a Python layer (everything under `python/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Function,
    Extension,
    Layer,
}
