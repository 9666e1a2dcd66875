//! End-to-end tests of the PLAT mock over real HTTP on loopback. They test the mock itself, with no iryo client.

#[path = "../support/binary.rs"]
mod binary;
mod cli;
mod common;
mod control;
mod dates;
mod delete;
mod errors;
mod keycloak;
mod routes;
