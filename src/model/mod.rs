//! The domain's vocabulary, which every other module speaks: Lambda architectures and every name
//! each goes by ([`Arch`]), the Rust targets that build for them ([`Target`], [`Libc`]), Lambda
//! runtimes ([`Runtime`]: an [`OsRuntime`] for a Rust binary, a [`PythonVersion`] for Python),
//! what an artifact is ([`Kind`]) and what it may be called ([`Name`]).
//!
//! The bottom layer: it imports nothing else of the crate (docs/architecture.md, "Layers").
mod arch;
mod kind;
mod lifecycle;
mod name;
mod runtime;

pub use arch::{Arch, Libc, Target};
pub use kind::{BinaryKind, Kind};
pub use lifecycle::{Day, Lifecycle, Stage};
pub use name::Name;
pub use runtime::{
    OsRuntime, PYTHON_MINORS, PythonVersion, Runtime, manylinux_glibc, manylinux_tags,
};
