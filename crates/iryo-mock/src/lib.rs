#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod hiyari;
pub mod orca;
pub mod plat;
mod server;
