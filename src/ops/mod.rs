//! One function per subcommand, each taking parsed options and doing the whole job.
mod doctor;
mod init;
mod merge;
mod openapi;
mod package;
pub mod recipes;
mod report;
mod verify;

pub use doctor::{Check, DoctorOptions, doctor};
pub use init::{InitOptions, InitReport, RELEASE_PROFILE, init};
pub use merge::{MergeOptions, MergeReport, merge};
pub use openapi::{OpenApiOptions, OpenApiReport, openapi};
pub use package::{PackageOptions, PackageReport, package};
pub use verify::{VerifyOptions, VerifyReport, verify};
