//! Holds the workspace README as doc tests: every `rust` block in it is compiled and run by
//! `cargo test --doc`, against the mock servers.

/// The README's examples.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
