//! The durable cursor: what was acknowledged, up to when the feed was covered, and which uuids it
//! has seen within the retention window (to drop duplicates across restarts).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

/// One acknowledged notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acked {
    /// Its identity.
    pub uuid: Uuid,
    /// Its `time`.
    pub time: DateTime<FixedOffset>,
}

/// What a checkpoint remembers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The acknowledged notification with the latest `time`.
    pub last: Option<Acked>,
    /// An instant up to which every notification was delivered and acknowledged (the feed was
    /// connected, subscribed and idle then).
    pub covered_until: Option<DateTime<FixedOffset>>,
}

impl Cursor {
    /// Where a catch-up starts: the later of the last acknowledged time and `covered_until`.
    pub fn resume_from(&self) -> Option<DateTime<FixedOffset>> {
        let last = self.last.map(|a| a.time);
        match (last, self.covered_until) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    pub(crate) fn rewound(to: DateTime<FixedOffset>) -> Self {
        Cursor {
            last: None,
            covered_until: Some(to),
        }
    }

    pub(crate) fn advance(
        &mut self,
        acked: &[Acked],
        covered_until: Option<DateTime<FixedOffset>>,
    ) {
        for a in acked {
            if self.last.is_none_or(|last| a.time >= last.time) {
                self.last = Some(*a);
            }
        }
        if let Some(at) = covered_until
            && self.covered_until.is_none_or(|old| at > old)
        {
            self.covered_until = Some(at);
        }
    }
}

/// A checkpoint could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CheckpointError(pub String);

/// Where the feed keeps its cursor. Calls are short and synchronous; the feed makes them between
/// frames.
pub trait Checkpoint: Send {
    /// The stored cursor (default when nothing was stored yet).
    fn load(&mut self) -> Result<Cursor, CheckpointError>;
    /// Whether `uuid` was acknowledged before (and not yet pruned).
    fn is_seen(&mut self, uuid: &Uuid) -> Result<bool, CheckpointError>;
    /// [`is_seen`](Checkpoint::is_seen) for a notification of `time`: a checkpoint that keeps
    /// uuids by the time they were acknowledged with may look them up by both.
    fn is_seen_at(
        &mut self,
        uuid: &Uuid,
        time: DateTime<FixedOffset>,
    ) -> Result<bool, CheckpointError> {
        let _ = time;
        self.is_seen(uuid)
    }
    /// Records acknowledged notifications and, when given, a later `covered_until`, atomically.
    fn commit(
        &mut self,
        acked: &[Acked],
        covered_until: Option<DateTime<FixedOffset>>,
    ) -> Result<(), CheckpointError>;
    /// Moves the cursor back to `to` (the clock was found behind it): `covered_until` becomes
    /// `to` and the last acknowledged notification no longer counts as a resume point; the
    /// uuids seen are kept.
    fn rewind(&mut self, to: DateTime<FixedOffset>) -> Result<(), CheckpointError>;
    /// Forgets uuids whose `time` is before `before` (past the retention they cannot come back).
    fn prune(&mut self, before: DateTime<FixedOffset>) -> Result<(), CheckpointError>;
}

/// A checkpoint in memory: lost with the process, for tests and for consumers that keep their own.
#[derive(Debug, Default)]
pub struct MemoryCheckpoint {
    cursor: Cursor,
    seen: HashMap<Uuid, DateTime<FixedOffset>>,
    by_time: BTreeMap<(DateTime<FixedOffset>, Uuid), ()>,
}

impl MemoryCheckpoint {
    /// An empty checkpoint.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Checkpoint for MemoryCheckpoint {
    fn load(&mut self) -> Result<Cursor, CheckpointError> {
        Ok(self.cursor)
    }

    fn is_seen(&mut self, uuid: &Uuid) -> Result<bool, CheckpointError> {
        Ok(self.seen.contains_key(uuid))
    }

    fn commit(
        &mut self,
        acked: &[Acked],
        covered_until: Option<DateTime<FixedOffset>>,
    ) -> Result<(), CheckpointError> {
        for a in acked {
            if self.seen.insert(a.uuid, a.time).is_none() {
                self.by_time.insert((a.time, a.uuid), ());
            }
        }
        self.cursor.advance(acked, covered_until);
        Ok(())
    }

    fn rewind(&mut self, to: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        self.cursor = Cursor::rewound(to);
        Ok(())
    }

    fn prune(&mut self, before: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        while let Some(entry) = self.by_time.first_entry() {
            let (time, uuid) = *entry.key();
            if time >= before {
                break;
            }
            entry.remove();
            self.seen.remove(&uuid);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn the_cursor_keeps_the_latest_and_pruning_forgets_the_old() {
        let mut c = MemoryCheckpoint::new();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let late = Acked {
            uuid: a,
            time: at("2026-01-02T10:00:00+09:00"),
        };
        let early = Acked {
            uuid: b,
            time: at("2026-01-01T10:00:00+09:00"),
        };
        c.commit(&[late, early], None).unwrap();
        assert_eq!(c.load().unwrap().last, Some(late));
        assert!(c.is_seen(&a).unwrap() && c.is_seen(&b).unwrap());
        c.prune(at("2026-01-02T00:00:00+09:00")).unwrap();
        assert!(c.is_seen(&a).unwrap() && !c.is_seen(&b).unwrap());
        c.commit(&[], Some(at("2026-01-03T00:00:00+09:00")))
            .unwrap();
        assert_eq!(
            c.load().unwrap().resume_from(),
            Some(at("2026-01-03T00:00:00+09:00"))
        );
    }
}
