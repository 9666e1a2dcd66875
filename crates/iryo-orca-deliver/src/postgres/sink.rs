//! The watcher's sink: rows and cursor in one transaction, through a [`TenantWriter`] (its own
//! connection, or the fleet's fenced shared ones).

use iryo_orca::PushEvent;
use iryo_orca::live::{Checkpoint, MemoryCheckpoint};
use tokio::sync::watch;
use tokio_postgres::Client;

use super::tables::prepare;
use super::writes::{Events, Statements, TenantWriter};
use super::{Connector, MAX_BATCH, PostgresCheckpoint, PostgresError, Written};
use super::{database, write_cursor};
use crate::sink::{Delivered, Sink, SinkFailure};

/// Writes batches of events and the cursor in one transaction, then notifies
/// [`CHANNEL`](super::CHANNEL), through `W`: by default the watcher's own connection.
#[derive(Debug)]
pub struct PostgresSink<W = OwnConnection> {
    writer: W,
    max_batch: usize,
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
        tokio::spawn(write_cursor(
            receiver,
            OwnConnection::new(connector.clone(), None, tenant_id),
        ));
        let mut memory = MemoryCheckpoint::new();
        memory
            .commit(
                &cursor.last.into_iter().collect::<Vec<_>>(),
                cursor.covered_until,
            )
            .map_err(|e| PostgresError::Database(e.to_string()))?;
        let writer = OwnConnection::new(connector, Some(client), tenant_id);
        let sink = PostgresSink::new(writer, MAX_BATCH);
        Ok((sink, PostgresCheckpoint { memory, written }))
    }
}

impl<W: TenantWriter> PostgresSink<W> {
    /// A sink writing batches of at most `max_batch` events through `writer` (the fleet's, whose
    /// every transaction first checks the tenant's lease).
    pub fn new(writer: W, max_batch: usize) -> Self {
        PostgresSink {
            writer,
            max_batch: max_batch.max(1),
        }
    }
}

impl<W: TenantWriter> Sink for PostgresSink<W> {
    fn max_batch(&self) -> usize {
        self.max_batch
    }

    async fn deliver(&mut self, events: &[PushEvent]) -> Delivered {
        let batch = &events[..events.len().min(self.max_batch)];
        Delivered::whole(batch.len(), self.writer.write(&Events(batch)).await)
    }
}

/// The watcher's own [`TenantWriter`]: one connection, opened again when it drops.
pub struct OwnConnection {
    connector: Connector,
    client: Option<Client>,
    tenant_id: String,
}

iryo_runtime::debug_fields!(OwnConnection { tenant_id });

impl OwnConnection {
    fn new(connector: Connector, client: Option<Client>, tenant_id: &str) -> Self {
        OwnConnection {
            connector,
            client,
            tenant_id: tenant_id.to_owned(),
        }
    }

    async fn try_write(&mut self, statements: &impl Statements) -> Result<(), SinkFailure> {
        let failed = |e: tokio_postgres::Error| SinkFailure::failed(database(&e));
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(self.connector.connect().await.map_err(failed)?);
        }
        let Some(client) = self.client.as_mut() else {
            return Err(SinkFailure::failed("no connection"));
        };
        let tx = client.transaction().await.map_err(failed)?;
        statements.run(&tx, &self.tenant_id).await?;
        tx.commit().await.map_err(failed)
    }
}

impl TenantWriter for OwnConnection {
    async fn write(&mut self, statements: &impl Statements) -> Result<(), SinkFailure> {
        let written = self.try_write(statements).await;
        if written.is_err() && self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
        }
        written
    }
}
