//! The generator's test suite, in one binary so it links once:
//! - `snapshots`: one insta snapshot per fixture and output file;
//! - `compile`: every fixture's output builds (trybuild, `#![deny(warnings)]`), and a fixture's
//!   `run.rs` runs it on a sample;
//! - `headers`: the generated-file header (command, inputs, digests) of STYLE.md §2;
//! - `real_specs`: the real rendering is deterministic, location-independent and in small files;
//! - `spec_lint`: the house rules of STYLE.md §7 on the real specs;
//! - `sync`: the one writer and its check mode;
//! - `errors`: inputs the generator must refuse;
//! - `publish`: the bundle for other languages (`cargo xtask publish-specs`);
//! - `public_api`: what the public-api listing leaves out (`#[doc(hidden)]` modules).

mod added_operation;
mod common;
mod compile;
mod errors;
mod headers;
mod public_api;
mod publish;
mod real_specs;
mod snapshots;
mod spec_lint;
mod sync;
