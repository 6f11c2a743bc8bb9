//! The domain's vocabulary, which every other module speaks: Lambda architectures and every name
//! each goes by ([`Arch`]), the Rust targets that build for them ([`Target`], [`Libc`]), Lambda
//! runtimes ([`Runtime`]: an [`OsRuntime`] for a Rust binary, a [`PythonVersion`] for Python) and what an artifact is ([`Kind`]).
//!
//! The bottom layer: it imports nothing else of the crate (docs/architecture.md, "Layers").
mod arch;
mod kind;
mod runtime;

pub use arch::{Arch, Libc, Target};
pub use kind::Kind;
pub use runtime::{
    OsRuntime, PYTHON_MINORS, PythonVersion, Runtime, manylinux_glibc, manylinux_tags,
};
