//! What an artifact is, and what a Rust binary can be.
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

/// What a Rust binary is: a function (zipped as `bootstrap`) or an extension (as
/// `extensions/<name>`). A layer is Python only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BinaryKind {
    Function,
    Extension,
}

impl From<BinaryKind> for Kind {
    fn from(kind: BinaryKind) -> Kind {
        match kind {
            BinaryKind::Function => Kind::Function,
            BinaryKind::Extension => Kind::Extension,
        }
    }
}
