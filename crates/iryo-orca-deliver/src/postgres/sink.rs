//! The watcher's sink: its own connection, reopened when it drops.

use chrono::{DateTime, FixedOffset};
use iryo_orca::PushEvent;
use iryo_orca::live::{Checkpoint, MemoryCheckpoint};
use tokio::sync::watch;
use tokio_postgres::Client;

use super::tables::prepare;
use super::{Connector, CursorWriter, MAX_BATCH, PostgresCheckpoint, PostgresError, Written};
use super::{database, write_cursor, write_cursor_state, write_events};
use crate::sink::{Delivered, Sink, SinkFailure};

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
