//! Holds the workspace README and the guides under `docs/` as doc tests: every `rust` block in
//! them is compiled and run by `cargo test --doc`, against the mock servers. (The crates' own
//! READMEs are their crate docs, tested by each crate.)

/// The README's examples.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The guides' examples.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/orca-delivery.md")]
#[doc = include_str!("../../../docs/reliability.md")]
#[doc = include_str!("../../../docs/performance.md")]
#[doc = include_str!("../../../docs/specs.md")]
pub struct GuideDoctests;
