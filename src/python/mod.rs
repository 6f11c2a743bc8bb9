//! Python functions and layers: the project's locked dependencies installed for Lambda's platform
//! (binary wheels for the runtime's glibc, the target architecture and Python version, with markers
//! evaluated for the target, never the build machine), checked for a complete closure, plus the
//! project's own code with its handler checked, as zip entries.
//!
//! - [`project`]: the function model and its configuration (version, runtime, handler);
//! - [`install`]: running the recipe that installs the dependencies for the target;
//! - [`tags`], [`markers`]: which wheels and which marker-gated requirements the target takes;
//! - [`closure`]: every installed distribution's requirements present (also for `verify`);
//! - [`handler`]: the handler's module and function exist;
//! - [`site`]: pruning the installed site-packages;
//! - [`detect`]: the recipe and Python version a project folder calls for;
//! - [`tool_table`]: `[tool.powertools]` of a project's pyproject.toml;
//! - [`files`]: installed and own files as zip entries;
//! - [`bytecode`]: the `.pyc` of every module, for `bytecode = true`;
//! - [`interpreter`]: the CPython of a runtime on this machine;
//! - [`size`]: what a zip is made of, by distribution, and what Lambda could provide instead;
//! - [`error`]: what can go wrong, with the fix.
pub mod bytecode;
pub mod cargo_tables;
pub mod closure;
pub mod detect;
mod error;
mod files;
pub mod handler;
mod install;
pub mod interpreter;
mod layers;
pub mod markers;
mod project;
mod requirements;
mod site;
pub mod size;
pub mod tags;
mod tool_table;
pub mod wheels;

pub use error::PythonError;
pub use files::check_own_code;
pub use install::{Installed, Runner, build, bytecode_compiler};
pub use layers::check_references as check_layer_references;
pub use project::{PythonFunction, StandaloneOptions, allows, from_config, standalone};
pub use tool_table::{parse_toml, table as read_table};
