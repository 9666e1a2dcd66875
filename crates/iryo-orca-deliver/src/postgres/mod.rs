//! Rows in `iryo.orca_events` and the feed's cursor in `iryo.orca_cursor`, committed in one
//! transaction: a restarted watcher resumes exactly after what the table holds, and
//! `ON CONFLICT DO NOTHING` on `(tenant_id, uuid)` drops every repeat, without a window.

use chrono::{DateTime, FixedOffset};
use iryo_orca::PushEvent;
use iryo_orca::live::{Acked, Checkpoint, Cursor, MemoryCheckpoint};
use tokio::sync::watch;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;
use uuid::Uuid;

use crate::sink::{Delivered, Sink, SinkFailure};

mod checkpoint;
mod tls;

pub use checkpoint::{CoveredUntil, CursorWriter, PostgresCheckpoint, Written, write_cursor};

/// The version of the tables this crate writes, recorded in `iryo.schema_version`.
pub const SCHEMA_VERSION: i32 = 1;
/// Events written in one transaction at most.
pub const MAX_BATCH: usize = 1000;
/// The channel notified after each commit, with the new rows' uuids (comma-separated).
pub const CHANNEL: &str = "iryo_orca_events";
/// Uuids per notification (a payload stays under PostgreSQL's 8,000 bytes).
const UUIDS_PER_NOTIFY: usize = 200;
/// ORCA's wall clock: the cursor's times are handed back to the feed in JST.
const JST_SECONDS: i32 = 9 * 3600;

/// The tables, exactly as published in `specs/orca/orca_events.sql` (generated from it).
pub const TABLES: &str = crate::generated::ORCA_EVENTS_SQL;

const INSERT: &str = "
INSERT INTO iryo.orca_events (tenant_id, uuid, id, event, orca_user, time, data)
SELECT $1, u, i, e, o, t, d::jsonb
FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
    AS batch(u, i, e, o, t, d)
ON CONFLICT (tenant_id, uuid) DO NOTHING
RETURNING uuid";

const ADVANCE: &str = "
INSERT INTO iryo.orca_cursor (tenant_id, last_uuid, last_time) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE SET last_uuid = EXCLUDED.last_uuid, last_time = EXCLUDED.last_time
WHERE iryo.orca_cursor.last_time IS NULL OR EXCLUDED.last_time >= iryo.orca_cursor.last_time";

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

/// Writes batches of events and the cursor in one transaction, then notifies [`CHANNEL`].
pub struct PostgresSink {
    connector: Connector,
    client: Option<Client>,
    tenant_id: String,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSink")
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

impl PostgresSink {
    /// Connects (TLS with the platform's roots unless `sslmode=disable`), creates the tables when
    /// missing, and reads the cursor of `tenant_id` into the checkpoint the feed is built with.
    /// A tenant seen for the first time is covered from now on.
    pub async fn connect(
        url: &str,
        tenant_id: &str,
    ) -> Result<(PostgresSink, PostgresCheckpoint), PostgresError> {
        let connector = Connector::parse(url)?;
        let mut client = connector
            .connect()
            .await
            .map_err(|e| PostgresError::Database(database(&e)))?;
        let cursor = prepare(&mut client, tenant_id).await?;
        let (written, receiver) = watch::channel(Written::default());
        let own = OwnConnection {
            connector: connector.clone(),
            client: None,
            tenant_id: tenant_id.to_owned(),
        };
        tokio::spawn(write_cursor(receiver, own));
        let mut memory = MemoryCheckpoint::new();
        memory
            .commit(
                &cursor.last.into_iter().collect::<Vec<_>>(),
                cursor.covered_until,
            )
            .map_err(|e| PostgresError::Database(e.to_string()))?;
        let sink = PostgresSink {
            connector,
            client: Some(client),
            tenant_id: tenant_id.to_owned(),
        };
        Ok((sink, PostgresCheckpoint { memory, written }))
    }

    async fn write(&mut self, events: &[PushEvent]) -> Result<(), SinkFailure> {
        let failed = |e: tokio_postgres::Error| SinkFailure::failed(database(&e));
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(self.connector.connect().await.map_err(failed)?);
        }
        let Some(client) = self.client.as_mut() else {
            return Err(SinkFailure::failed("no connection"));
        };
        let tx = client.transaction().await.map_err(failed)?;
        write_events(&tx, &self.tenant_id, events).await?;
        tx.commit().await.map_err(failed)
    }
}

impl Sink for PostgresSink {
    fn max_batch(&self) -> usize {
        MAX_BATCH
    }

    async fn deliver(&mut self, events: &[PushEvent]) -> Delivered {
        let batch = &events[..events.len().min(MAX_BATCH)];
        let written = self.write(batch).await;
        if written.is_err() && self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
        }
        Delivered::whole(batch.len(), written)
    }
}

/// Connects the way [`PostgresSink`] does (TLS unless `sslmode=disable`), for callers that keep
/// connections of their own (the ORCA fleet shares a few among its tenants).
#[derive(Clone)]
pub struct PostgresConnector(Connector);

impl std::fmt::Debug for PostgresConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConnector").finish_non_exhaustive()
    }
}

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

/// Inserts `events` for `tenant_id` (repeats dropped), advances that tenant's cursor and queues
/// the `NOTIFY`, all inside the caller's transaction `tx`: what [`PostgresSink`] does per batch,
/// for callers that add statements of their own to the transaction (a lease check).
pub async fn write_events(
    tx: &tokio_postgres::Transaction<'_>,
    tenant_id: &str,
    events: &[PushEvent],
) -> Result<(), SinkFailure> {
    let failed = |e: tokio_postgres::Error| SinkFailure::failed(database(&e));
    let mut lines = Vec::with_capacity(events.len());
    for event in events {
        lines.push(event.to_json_line().map_err(|e| {
            SinkFailure::failed(format!("event {} cannot be encoded: {e}", event.uuid))
        })?);
    }
    let uuids: Vec<Uuid> = events.iter().map(|e| e.uuid).collect();
    let ids: Vec<i64> = events.iter().map(|e| i64::from(e.id)).collect();
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    let users: Vec<&str> = events.iter().map(|e| e.user.as_str()).collect();
    let times: Vec<DateTime<FixedOffset>> = events.iter().map(|e| e.time.date_time()).collect();
    // The latest event, the later one on a tie: the feed's own cursor rule.
    let last = events
        .iter()
        .max_by_key(|e| e.time.date_time())
        .unwrap_or(&events[0]);
    let inserted = tx
        .query(
            INSERT,
            &[&tenant_id, &uuids, &ids, &names, &users, &times, &lines],
        )
        .await
        .map_err(failed)?;
    advance_cursor(tx, tenant_id, last).await?;
    let new: Vec<String> = inserted
        .iter()
        .map(|row| row.get::<_, Uuid>(0).to_string())
        .collect();
    for chunk in new.chunks(UUIDS_PER_NOTIFY) {
        // Sent by PostgreSQL at the commit, never for a rolled-back batch.
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &chunk.join(",")])
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// Moves `tenant_id`'s cursor to `last` (never back) inside the caller's transaction: what
/// [`write_events`] does after the rows, for receivers outside the database (the fleet's webhook
/// and command sinks, whose cursor is in PostgreSQL).
pub async fn advance_cursor(
    tx: &tokio_postgres::Transaction<'_>,
    tenant_id: &str,
    last: &PushEvent,
) -> Result<(), SinkFailure> {
    tx.execute(ADVANCE, &[&tenant_id, &last.uuid, &last.time.date_time()])
        .await
        .map_err(|e| SinkFailure::failed(database(&e)))?;
    Ok(())
}

/// Creates the tables when missing and reads `tenant_id`'s cursor (a tenant seen for the first
/// time is covered from now on), as [`PostgresSink::connect`] does.
pub async fn prepare_tenant(client: &mut Client, tenant_id: &str) -> Result<Cursor, PostgresError> {
    prepare(client, tenant_id).await
}

async fn prepare(client: &mut Client, tenant_id: &str) -> Result<Cursor, PostgresError> {
    let failed = |e: tokio_postgres::Error| PostgresError::Database(database(&e));
    let tx = client.transaction().await.map_err(failed)?;
    // Two watchers starting at once: one creates, the other waits and finds the tables.
    tx.batch_execute("SELECT pg_advisory_xact_lock(hashtext('iryo.orca_events'))")
        .await
        .map_err(failed)?;
    tx.batch_execute(TABLES).await.map_err(failed)?;
    let version: i32 = tx
        .query_one(
            "SELECT version FROM iryo.schema_version WHERE component = 'orca_events'",
            &[],
        )
        .await
        .map_err(failed)?
        .get(0);
    if version > SCHEMA_VERSION {
        return Err(PostgresError::NewerSchema(version));
    }
    let cursor = load_cursor(&tx, tenant_id).await?;
    tx.commit().await.map_err(failed)?;
    Ok(cursor)
}

/// Reads `tenant_id`'s cursor from tables that exist (a tenant seen for the first time is covered
/// from now on): the per-tenant half of [`prepare_tenant`], for callers that created the tables
/// once and start many tenants.
pub async fn load_cursor(
    client: &impl tokio_postgres::GenericClient,
    tenant_id: &str,
) -> Result<Cursor, PostgresError> {
    let failed = |e: tokio_postgres::Error| PostgresError::Database(database(&e));
    // A tenant seen for the first time is covered from now on (the feed's first start).
    client
        .execute(
            "INSERT INTO iryo.orca_cursor (tenant_id, covered_until) VALUES ($1, now())
         ON CONFLICT (tenant_id) DO NOTHING",
            &[&tenant_id],
        )
        .await
        .map_err(failed)?;
    let row = client
        .query_one(
            "SELECT last_uuid, last_time, covered_until FROM iryo.orca_cursor WHERE tenant_id = $1",
            &[&tenant_id],
        )
        .await
        .map_err(failed)?;
    let jst = FixedOffset::east_opt(JST_SECONDS).expect("+09:00 is a valid offset");
    let in_jst = |t: DateTime<chrono::Utc>| t.with_timezone(&jst);
    let last = match (
        row.get::<_, Option<Uuid>>(0),
        row.get::<_, Option<DateTime<chrono::Utc>>>(1),
    ) {
        (Some(uuid), Some(time)) => Some(Acked {
            uuid,
            time: in_jst(time),
        }),
        _ => None,
    };
    Ok(Cursor {
        last,
        covered_until: row.get::<_, Option<DateTime<chrono::Utc>>>(2).map(in_jst),
    })
}

/// Moves the cursor back: `covered_until` to the clock, the last row no longer a resume point.
const REWIND: &str = "UPDATE iryo.orca_cursor SET covered_until = $2, last_uuid = NULL, \
                      last_time = NULL WHERE tenant_id = $1";
const COVERED: &str = "UPDATE iryo.orca_cursor SET covered_until = greatest(covered_until, $2) \
                       WHERE tenant_id = $1";

/// Runs the cursor writes a [`Written`] asks for on `client` (a connection, or a transaction
/// the caller commits): `rewind` first, then `covered_until` (never moved back).
pub async fn write_cursor_state(
    client: &impl tokio_postgres::GenericClient,
    tenant_id: &str,
    rewind: Option<DateTime<FixedOffset>>,
    covered: Option<DateTime<FixedOffset>>,
) -> Result<(), PostgresError> {
    let failed = |e: tokio_postgres::Error| PostgresError::Database(database(&e));
    if let Some(to) = rewind {
        client
            .execute(REWIND, &[&tenant_id, &to])
            .await
            .map_err(failed)?;
    }
    if let Some(at) = covered {
        client
            .execute(COVERED, &[&tenant_id, &at])
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// The watcher's own [`CursorWriter`]: one connection, opened again when it drops.
struct OwnConnection {
    connector: Connector,
    client: Option<Client>,
    tenant_id: String,
}

impl CursorWriter for OwnConnection {
    async fn write(
        &mut self,
        rewind: Option<DateTime<FixedOffset>>,
        covered: Option<DateTime<FixedOffset>>,
    ) -> bool {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = self.connector.connect().await.ok();
        }
        let Some(client) = &self.client else {
            return false;
        };
        let written = write_cursor_state(client, &self.tenant_id, rewind, covered).await;
        if written.is_err() {
            self.client = None;
        }
        written.is_ok()
    }
}
