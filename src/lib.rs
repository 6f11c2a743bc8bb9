//! cargo-powertools: packages the AWS Lambda functions and extensions of a Cargo workspace into
//! reproducible zips for x86_64 and arm64, with a manifest for CI and infrastructure tools.
//!
//! The pipeline: [`workspace`] (what is there) → [`plan`] (what to build, with which recipe, for
//! which target) → [`build`] and [`python`] (run the recipes) → [`archive`] (reproducible zips) →
//! [`verify`] → [`output`] (the zips and the [`manifest`], switched to at once). The vocabulary
//! they share is [`model`]; docs/architecture.md orders the modules in layers.
// Windows paths are 8 bytes longer than Unix ones (a WTF-8 flag), which puts the errors holding
// several paths just over the lint's 128 bytes there; Linux and macOS keep it.
#![cfg_attr(windows, allow(clippy::result_large_err))]
pub mod archive;
pub mod build;
pub mod cache;
pub mod config;
pub mod elf;
pub mod errors;
pub mod include;
pub mod invoke;
pub mod loaders;
pub mod manifest;
pub mod message;
pub mod model;
pub mod openapi;
pub mod ops;
pub mod output;
pub mod parallel;
pub mod plan;
pub mod platform;
pub mod process;
#[cfg(test)]
mod proptest_support;
pub mod python;
pub mod recipe;
pub mod sam_template;
pub mod shell;
pub mod verify;
pub mod workspace;
