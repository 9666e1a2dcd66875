//! End-to-end tests of the `iryo` binary against in-process mock servers.

mod common;
mod corpus;
mod datapackage;
mod deliver;
mod deliver_outage;
mod deliver_postgres;
mod fleet;
mod fleet_cut;
mod fleet_webhook;
mod harvest;
mod help;
mod hiyari;
mod hiyari_paging;
mod hiyari_query;
mod mock;
mod orca;
mod orca_output;
mod parse;
mod plat;
mod plat_flow;
mod plat_login;
mod plat_memory;
mod token_file;
mod transcripts;
mod watch;
mod watcher;
