//! The feed's checkpoint when the rows and the cursor are in PostgreSQL.

use chrono::{DateTime, FixedOffset};
use iryo_orca::live::{Acked, Checkpoint, CheckpointError, Cursor, MemoryCheckpoint};
use tokio::sync::watch;
use uuid::Uuid;

use super::writes::{CursorState, TenantWriter};

/// The feed's checkpoint with [`PostgresSink`](super::PostgresSink): the acknowledged rows and the cursor are already
/// committed by the sink when the feed records them, so this keeps the cursor in memory for the
/// feed (loaded from the database at the start) and writes back only `covered_until` and a
/// rewind.
pub struct PostgresCheckpoint {
    pub(super) memory: MemoryCheckpoint,
    pub(super) written: watch::Sender<Written>,
}

/// What the cursor's writer has to write: the latest `covered_until`, and the latest rewind
/// with a count (the writer writes each rewind once, before any later `covered_until`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Written {
    /// The latest `covered_until` to write.
    pub covered: Option<DateTime<FixedOffset>>,
    /// The latest rewind, numbered, so that each is written once.
    pub rewind: Option<(u64, DateTime<FixedOffset>)>,
}

iryo_runtime::debug_fields!(PostgresCheckpoint {});

/// Where a [`PostgresCheckpoint::detached`] checkpoint sends each later `covered_until`.
pub type CoveredUntil = watch::Receiver<Written>;

impl PostgresCheckpoint {
    /// A checkpoint starting at `cursor` (as [`prepare_tenant`](super::prepare_tenant) read it)
    /// whose `covered_until` goes to the returned receiver, for callers that write it on
    /// connections of their own (the fleet shares a few among its tenants).
    pub fn detached(cursor: Cursor) -> Result<(Self, CoveredUntil), CheckpointError> {
        let mut memory = MemoryCheckpoint::new();
        memory.commit(
            &cursor.last.into_iter().collect::<Vec<_>>(),
            cursor.covered_until,
        )?;
        let (written, receiver) = watch::channel(Written::default());
        Ok((PostgresCheckpoint { memory, written }, receiver))
    }
}

impl Checkpoint for PostgresCheckpoint {
    fn load(&mut self) -> Result<Cursor, CheckpointError> {
        self.memory.load()
    }

    fn is_seen(&mut self, uuid: &Uuid) -> Result<bool, CheckpointError> {
        self.memory.is_seen(uuid)
    }

    fn commit(
        &mut self,
        acked: &[Acked],
        covered_until: Option<DateTime<FixedOffset>>,
    ) -> Result<(), CheckpointError> {
        self.memory.commit(acked, covered_until)?;
        if let Some(at) = covered_until {
            self.written.send_modify(|w| w.covered = Some(at));
        }
        Ok(())
    }

    /// The feed's cursor moves back (the clock was found behind it), in the database too, so
    /// that a restart does not find it ahead of the clock again; the rows stay, and keep
    /// dropping repeats.
    fn rewind(&mut self, to: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        self.memory.rewind(to)?;
        self.written.send_modify(|w| {
            let count = w.rewind.map_or(1, |(n, _)| n + 1);
            w.rewind = Some((count, to));
            w.covered = None;
        });
        Ok(())
    }

    fn prune(&mut self, before: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        self.memory.prune(before)
    }
}

/// Writes what the checkpoint sends (`written`) until the checkpoint is dropped, later than the
/// rows they cover: losing a `covered_until` only makes the next start's catch-up longer; a
/// rewind is tried again until written (else a restart would find the cursor ahead of the clock
/// again). The one loop of the watcher and the fleet, on the watcher's own connection or the
/// fleet's fenced shared ones.
pub async fn write_cursor(mut written: CoveredUntil, mut writer: impl TenantWriter) {
    let mut rewinds_done = 0u64;
    while written.changed().await.is_ok() {
        let wanted = *written.borrow_and_update();
        let rewind = wanted.rewind.filter(|(count, _)| *count > rewinds_done);
        let state = CursorState {
            rewind: rewind.map(|(_, to)| to),
            covered: wanted.covered,
        };
        if writer.write(&state).await.is_ok() {
            if let Some((count, _)) = rewind {
                rewinds_done = count;
            }
        } else if rewind.is_some() {
            // Again after a pause, even if nothing else changes.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            written.mark_changed();
        }
    }
}
