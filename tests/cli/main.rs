//! Integration tests: they drive the `cargo-powertools` binary as a user does, with the real
//! cargo-lambda, zig, qemu and Lambda Runtime API emulator that `.ci/setup` installs.
//!
//! Unix only: they build fixtures from symbolic links and modes, signal process groups and run
//! Linux toolchains. On Windows the library's own unit tests cover what differs (`platform`,
//! `archive::zip_mode`).
#![cfg(unix)]

mod contain;
mod contract;
mod cookbook;
mod errors;
mod hostile;
mod install;
mod invoke;
mod openapi;
mod package;
mod python;
mod python_teams;
mod recipes;
mod sam_template;
mod support;
mod verify;
