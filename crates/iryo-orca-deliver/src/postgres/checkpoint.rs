//! The feed's checkpoint when the rows and the cursor are in PostgreSQL.

use chrono::{DateTime, FixedOffset};
use iryo_orca::live::{Acked, Checkpoint, CheckpointError, Cursor, MemoryCheckpoint};
use tokio::sync::watch;
use uuid::Uuid;

/// The feed's checkpoint with [`PostgresSink`](super::PostgresSink): the acknowledged rows and the cursor are already
/// committed by the sink when the feed records them, so this keeps the cursor in memory for the
/// feed (loaded from the database at the start) and writes only `covered_until` back.
pub struct PostgresCheckpoint {
    pub(super) memory: MemoryCheckpoint,
    pub(super) covered: watch::Sender<Option<DateTime<FixedOffset>>>,
}

impl std::fmt::Debug for PostgresCheckpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresCheckpoint").finish_non_exhaustive()
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
            self.covered.send_replace(Some(at));
        }
        Ok(())
    }

    /// The feed's cursor moves back; the database's `covered_until` only ever moves forward, so
    /// after a restart the feed finds it ahead of the clock again and reports the same gap.
    fn rewind(&mut self, to: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        self.memory.rewind(to)
    }

    fn prune(&mut self, before: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        self.memory.prune(before)
    }
}
