#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod cli;
pub mod fault;
#[rustfmt::skip]
mod generated;
mod harness;
pub mod hiyari;
pub mod orca;
pub mod plat;
mod server;

pub use fault::Fault;
