//! Rows in `iryo.orca_events` and the feed's cursor in `iryo.orca_cursor`, committed in one
//! transaction: a restarted watcher resumes exactly after what the table holds, and
//! `ON CONFLICT DO NOTHING` on `(tenant_id, uuid)` drops every repeat, without a window.

use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

mod checkpoint;
mod sink;
mod tables;
mod tls;
mod writes;

pub use checkpoint::{CoveredUntil, PostgresCheckpoint, Written, write_cursor};
pub use sink::{OwnConnection, PostgresSink};
pub use tables::{load_cursor, prepare_tenant};
pub use writes::{Statements, TenantWriter, advance_cursor};

/// The version of the tables this crate writes, recorded in `iryo.schema_version`.
pub const SCHEMA_VERSION: i32 = 1;
/// Events written in one transaction at most.
pub const MAX_BATCH: usize = 1000;
/// The channel notified after each commit, with the new rows' uuids (comma-separated).
pub const CHANNEL: &str = "iryo_orca_events";

/// The tables, exactly as published in `specs/orca/orca_events.sql` (generated from it).
pub const TABLES: &str = crate::generated::ORCA_EVENTS_SQL;

/// PostgreSQL cannot be used. Messages never hold the password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresError {
    /// The URL does not parse.
    #[error(
        "the PostgreSQL URL does not parse (expected postgres://USER:PASSWORD@HOST:PORT/DB, \
         optionally ?sslmode=require)"
    )]
    Url,
    /// Connecting, creating the tables or reading the cursor failed.
    #[error("PostgreSQL: {0}")]
    Database(String),
    /// The `sslrootcert` file cannot be read or holds no certificate.
    #[error("sslrootcert {path}: {reason}")]
    RootCert {
        /// The file named by the URL.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The tables were made by a newer iryo.
    #[error("iryo.orca_events has schema version {0}; this iryo writes version {SCHEMA_VERSION}")]
    NewerSchema(i32),
}

#[derive(Clone)]
struct Connector {
    config: Config,
    tls: Option<MakeRustlsConnect>,
}

impl Connector {
    fn parse(url: &str) -> Result<Connector, PostgresError> {
        // The driver knows disable, prefer and require; verify-full is require with the
        // certificate checked against the platform's roots.
        let verify = url.contains("sslmode=verify-full");
        let (url, roots) = tls::take_root_cert(url);
        let config: Config = url
            .replace("sslmode=verify-full", "sslmode=require")
            .parse()
            .map_err(|_| PostgresError::Url)?;
        let tls = match config.get_ssl_mode() {
            SslMode::Disable => None,
            _ => Some(tls::tls(verify, roots.as_deref())?),
        };
        Ok(Connector { config, tls })
    }

    async fn connect(&self) -> Result<Client, tokio_postgres::Error> {
        let client = match &self.tls {
            None => {
                let (client, connection) = self.config.connect(NoTls).await?;
                tokio::spawn(connection);
                client
            }
            Some(tls) => {
                let (client, connection) = self.config.connect(tls.clone()).await?;
                tokio::spawn(connection);
                client
            }
        };
        client.batch_execute(SESSION_SETTINGS).await?;
        Ok(client)
    }
}

/// Set on every session iryo opens. A session cut off by the network (a partition, not a reset)
/// stays open on the server, and a transaction it left open keeps its row locks: a cursor row, or
/// a fleet lease row another replica must take over. The server ends such a session after 2 s idle
/// in a transaction, whatever the network does; iryo's transactions never wait on anything else
/// between statements. (Through a pooler in transaction mode, set it on the role instead:
/// `ALTER ROLE ... SET idle_in_transaction_session_timeout = '2s'`.)
const SESSION_SETTINGS: &str = "SET idle_in_transaction_session_timeout = '2s'";

fn database(error: &tokio_postgres::Error) -> String {
    // The driver's messages name the server's error, never the password sent.
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text.replace(['\n', '\r'], " ")
}

/// Connects the way [`PostgresSink`] does (TLS unless `sslmode=disable`), for callers that keep
/// connections of their own (the ORCA fleet shares a few among its tenants).
#[derive(Clone)]
pub struct PostgresConnector(Connector);

iryo_runtime::debug_fields!(PostgresConnector {});

impl PostgresConnector {
    /// Reads the URL (the password stays inside; it never shows in an error).
    pub fn new(url: &str) -> Result<Self, PostgresError> {
        Connector::parse(url).map(PostgresConnector)
    }

    /// A new connection.
    pub async fn connect(&self) -> Result<Client, PostgresError> {
        self.0
            .connect()
            .await
            .map_err(|e| PostgresError::Database(database(&e)))
    }
}
