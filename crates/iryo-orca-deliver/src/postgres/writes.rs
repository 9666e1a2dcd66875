//! A tenant's writes: each a set of [`Statements`] that a [`TenantWriter`] runs in one
//! transaction of its own, after its own checks. The rows with the cursor ([`Events`]) and the
//! checkpoint's `covered_until` and rewind ([`CursorState`]) go through the same writer, so the
//! watcher's own connection and the fleet's fenced shared ones are written to alike.

use chrono::{DateTime, FixedOffset};
use iryo_orca::PushEvent;
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::{CHANNEL, database};
use crate::sink::SinkFailure;

/// What one transaction of a tenant's writes runs: the sink's rows with the cursor, the
/// checkpoint's cursor state, or a caller's own statements (the fleet records what a webhook acknowledged along with the cursor).
pub trait Statements: Sync {
    /// Runs the statements for `tenant_id` inside `tx`, which the writer then commits.
    fn run(
        &self,
        tx: &Transaction<'_>,
        tenant_id: &str,
    ) -> impl Future<Output = Result<(), SinkFailure>> + Send;
}

/// Where one tenant's [`Statements`] run: each in a transaction of its own, committed only when
/// they all succeeded, on the writer's connection and after the writer's checks (the fleet's
/// lease fence). [`PostgresSink`](super::PostgresSink) writes its rows and
/// [`write_cursor`](super::write_cursor) the checkpoint's cursor through one.
pub trait TenantWriter: Send {
    /// Runs `statements` in one transaction; `Ok` once committed.
    fn write(
        &mut self,
        statements: &impl Statements,
    ) -> impl Future<Output = Result<(), SinkFailure>> + Send;
}

/// Uuids per notification (a payload stays under PostgreSQL's 8,000 bytes).
const UUIDS_PER_NOTIFY: usize = 200;

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

/// Inserts the events for the tenant (repeats dropped), advances its cursor and queues the
/// `NOTIFY`: one batch of [`PostgresSink`](super::PostgresSink).
pub(super) struct Events<'a>(pub &'a [PushEvent]);

impl Statements for Events<'_> {
    async fn run(&self, tx: &Transaction<'_>, tenant_id: &str) -> Result<(), SinkFailure> {
        write_events(tx, tenant_id, self.0).await
    }
}

async fn write_events(
    tx: &Transaction<'_>,
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
    let inserted = tx
        .query(
            INSERT,
            &[&tenant_id, &uuids, &ids, &names, &users, &times, &lines],
        )
        .await
        .map_err(failed)?;
    advance_cursor(tx, tenant_id, events).await?;
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

/// Moves `tenant_id`'s cursor to the latest of `events` (the later one on a tie: the feed's own
/// cursor rule; never back) inside the caller's transaction, and returns that event's time: what
/// the sink's row writes do after the rows, for receivers outside the database too (the fleet's
/// webhook and command sinks, whose cursor is in PostgreSQL). An empty batch is a failure.
pub async fn advance_cursor(
    tx: &Transaction<'_>,
    tenant_id: &str,
    events: &[PushEvent],
) -> Result<DateTime<FixedOffset>, SinkFailure> {
    let last = events
        .iter()
        .max_by_key(|e| e.time.date_time())
        .ok_or_else(|| SinkFailure::failed("an empty batch moves no cursor"))?;
    let time = last.time.date_time();
    tx.execute(ADVANCE, &[&tenant_id, &last.uuid, &time])
        .await
        .map_err(|e| SinkFailure::failed(database(&e)))?;
    Ok(time)
}

/// Moves the cursor back: `covered_until` to the clock, the last row no longer a resume point.
const REWIND: &str = "UPDATE iryo.orca_cursor SET covered_until = $2, last_uuid = NULL, \
                      last_time = NULL WHERE tenant_id = $1";
const COVERED: &str = "UPDATE iryo.orca_cursor SET covered_until = greatest(covered_until, $2) \
                       WHERE tenant_id = $1";

/// The cursor writes a [`Written`](super::Written) asks for: `rewind` first, then
/// `covered_until` (never moved back).
pub(super) struct CursorState {
    pub rewind: Option<DateTime<FixedOffset>>,
    pub covered: Option<DateTime<FixedOffset>>,
}

impl Statements for CursorState {
    async fn run(&self, tx: &Transaction<'_>, tenant_id: &str) -> Result<(), SinkFailure> {
        let failed = |e: tokio_postgres::Error| SinkFailure::failed(database(&e));
        if let Some(to) = self.rewind {
            tx.execute(REWIND, &[&tenant_id, &to])
                .await
                .map_err(failed)?;
        }
        if let Some(at) = self.covered {
            tx.execute(COVERED, &[&tenant_id, &at])
                .await
                .map_err(failed)?;
        }
        Ok(())
    }
}
