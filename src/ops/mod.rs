//! One function per subcommand, each taking parsed options and doing the whole job.
mod package;
mod verify;

pub use package::{PackageOptions, PackageReport, package};
pub use verify::{VerifyOptions, VerifyReport, verify};
