//! One function per subcommand, each taking parsed options and doing the whole job.
mod package;

pub use package::{DIRECT_UPLOAD_LIMIT, PackageOptions, PackageReport, UNZIPPED_LIMIT, package};
