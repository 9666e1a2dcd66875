//! A tenant's webhook or command receiver, fenced by its lease: the lease is checked in
//! PostgreSQL before each batch is handed to the receiver, and the cursor (with the uuids the
//! receiver acknowledged) moves only in a transaction that checks the lease again. A batch the
//! receiver acknowledged whose cursor write failed is not delivered again: the write is retried.

use chrono::{DateTime, FixedOffset, Utc};
use iryo_orca::PushEvent;
use iryo_orca::live::{Acked, Cursor};
use iryo_orca_deliver::{Delivered, Sink, SinkFailure, Statements, TenantWriter, advance_cursor};
use tokio_postgres::{GenericClient, Transaction};
use uuid::Uuid;

use crate::lease::Fenced;

/// Events handed to a webhook or command receiver between two cursor writes at most: the
/// repeats a takeover can cause (a batch acknowledged by the receiver whose cursor write the old
/// owner did not commit).
pub const RECEIVER_BATCH: usize = 32;

/// The uuids acknowledged, recorded with the cursor.
const RECORD: &str = "INSERT INTO iryo.orca_fleet_delivered (tenant_id, uuid, time)
SELECT $1, u, t FROM unnest($2::uuid[], $3::timestamptz[]) AS batch(u, t)
ON CONFLICT (tenant_id, uuid) DO NOTHING";

/// Rows more than an hour older than the batch's latest event are no longer needed.
const PRUNE: &str = "DELETE FROM iryo.orca_fleet_delivered
WHERE tenant_id = $1 AND time < $2::timestamptz - interval '1 hour'";

/// What a catch-up from the cursor can fetch again: it starts the clock-skew margin (2 min) before
/// the cursor, at minute resolution; 5 minutes covers it. Bounded, so that a flood costs bounded
/// memory at a takeover (past the bound, repeats are possible: at least once).
const RECENT: &str = "SELECT uuid, time FROM iryo.orca_fleet_delivered
WHERE tenant_id = $1 AND time >= $2::timestamptz - interval '5 minutes' AND time <= $2::timestamptz
ORDER BY time DESC LIMIT 100000";

/// The uuids a webhook or command receiver acknowledged shortly before `cursor`, for the feed's
/// checkpoint to drop as repeats when the catch-up fetches them again.
pub async fn recent(
    client: &impl GenericClient,
    tenant: &str,
    cursor: &Cursor,
) -> Result<Vec<Acked>, tokio_postgres::Error> {
    let Some(from) = cursor.resume_from() else {
        return Ok(Vec::new());
    };
    let rows = client.query(RECENT, &[&tenant, &from]).await?;
    let jst = from.offset().to_owned();
    Ok(rows
        .iter()
        .map(|row| Acked {
            uuid: row.get(0),
            time: row.get::<_, DateTime<Utc>>(1).with_timezone(&jst),
        })
        .collect())
}

/// A webhook or command sink of one tenant, every batch fenced by the lease.
pub struct FencedReceiver<S> {
    writer: Fenced,
    inner: S,
    /// Events at the front of the next call the receiver already acknowledged, their cursor not
    /// yet written.
    pending: usize,
}

impl<S: Sink> FencedReceiver<S> {
    pub(crate) fn new(writer: Fenced, inner: S) -> Self {
        FencedReceiver {
            writer,
            inner,
            pending: 0,
        }
    }
}

/// Records the events as delivered and moves the cursor past them: run by the tenant's
/// [`Fenced`] writer, so in one transaction fenced by the lease.
struct Acknowledged<'a>(&'a [PushEvent]);

impl Statements for Acknowledged<'_> {
    async fn run(&self, tx: &Transaction<'_>, tenant: &str) -> Result<(), SinkFailure> {
        let failed = |e: tokio_postgres::Error| SinkFailure::failed(e.to_string());
        let events = self.0;
        let uuids: Vec<Uuid> = events.iter().map(|e| e.uuid).collect();
        let times: Vec<DateTime<FixedOffset>> = events.iter().map(|e| e.time.date_time()).collect();
        tx.execute(RECORD, &[&tenant, &uuids, &times])
            .await
            .map_err(failed)?;
        let cursor = advance_cursor(tx, tenant, events).await?;
        tx.execute(PRUNE, &[&tenant, &cursor])
            .await
            .map_err(failed)?;
        Ok(())
    }
}

impl<S: Sink> Sink for FencedReceiver<S> {
    fn max_batch(&self) -> usize {
        RECEIVER_BATCH
    }

    async fn deliver(&mut self, events: &[PushEvent]) -> Delivered {
        // The delivery loop hands the same events again after a failure: those the receiver
        // acknowledged only need their cursor.
        if self.pending > 0 {
            let done = self.pending.min(events.len());
            return match self.writer.write(&Acknowledged(&events[..done])).await {
                Ok(()) => {
                    self.pending = 0;
                    Delivered::all(done)
                }
                Err(failure) => Delivered::failed_after(0, failure),
            };
        }
        if let Err(failure) = self.writer.still_held().await {
            return Delivered::failed_after(0, failure);
        }
        let batch = &events[..events.len().min(RECEIVER_BATCH)];
        let delivered = self.inner.deliver(batch).await;
        let acknowledged = delivered.acknowledged.min(batch.len());
        if acknowledged == 0 {
            return delivered;
        }
        match self
            .writer
            .write(&Acknowledged(&batch[..acknowledged]))
            .await
        {
            Ok(()) => Delivered {
                acknowledged,
                failure: delivered.failure,
            },
            Err(failure) => {
                self.pending = acknowledged;
                Delivered::failed_after(0, failure)
            }
        }
    }
}
