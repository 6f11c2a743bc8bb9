//! Python functions and layers: the project's locked dependencies installed for Lambda's platform
//! (manylinux2014 binary wheels for the target architecture and Python version, never the build
//! machine's), plus the project's own code, as zip entries.
//!
//! - [`project`]: the function model and its configuration (version, runtime, handler);
//! - [`install`]: running the recipe that installs the dependencies for the target;
//! - [`site`]: pruning the installed site-packages;
//! - [`files`]: installed and own files as zip entries;
//! - [`error`]: what can go wrong, with the fix.
mod error;
mod files;
mod install;
mod project;
mod site;

pub use error::PythonError;
pub use files::check_own_code;
pub use install::build;
pub use project::{PythonFunction, StandaloneOptions, allows, from_config, standalone};
