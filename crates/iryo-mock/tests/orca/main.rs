//! End-to-end tests of the ORCA mock over real HTTP on loopback. They test the mock itself, with no iryo client.

mod auth;
mod common;
mod control;
mod errors;
mod query;
mod store;
mod tenants;
