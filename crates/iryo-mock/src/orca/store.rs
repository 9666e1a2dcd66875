//! The in-memory table of sent notifications, shaped like ORCA's `monpushevent` table: `uuid` is the primary key,
//! `id` comes from a counter that wraps from 65535 back to 1, and every insert first deletes rows older than seven
//! days.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, Offset as _, TimeDelta, TimeZone as _, Utc};
use serde_json::{Map, Value};

use super::ControlError;
use super::validate::Query;

/// ORCA keeps sent notifications for seven days (`MONPUSHEVENT_EXPIRE`).
const RETENTION: TimeDelta = TimeDelta::days(7);

/// The format ORCA writes `time` in: server-local wall clock and an offset without a colon (`+0900`).
const ORCA_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%z";

/// Japan Standard Time, the wall clock of every ORCA server.
pub(crate) fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| Utc.fix())
}

/// What the mock considers "now": it decides which notifications the seven-day retention deletes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The machine's clock, read on every use and expressed in JST (+09:00).
    System,
    /// A frozen instant. Tests use this so that retention never depends on the day they run.
    Fixed(DateTime<FixedOffset>),
}

impl Clock {
    /// The clock the fixtures are written for, and the default of [`OrcaMockBuilder`](super::OrcaMockBuilder)
    /// and of the binary: frozen at `2018-01-25T12:00:00+09:00`, so the document's 2018 samples are still
    /// retained.
    pub fn fixtures_default() -> Self {
        let noon = jst().with_ymd_and_hms(2018, 1, 25, 12, 0, 0).single();
        noon.map_or(Clock::System, Clock::Fixed)
    }

    /// The current instant according to this clock, in JST for [`Clock::System`].
    pub fn now(&self) -> DateTime<FixedOffset> {
        match self {
            Clock::System => Utc::now().with_timezone(&jst()),
            Clock::Fixed(at) => *at,
        }
    }
}

/// Reads a stored `time`: ORCA's own `+0900` form, or RFC 3339 (`+09:00`, as the push PDF's examples write it).
pub(crate) fn parse_event_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(text, ORCA_TIME_FORMAT)
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
}

struct Row {
    /// Insertion order, which breaks ties between notifications sent in the same second.
    seq: u64,
    uuid: String,
    at: DateTime<FixedOffset>,
    event: Option<String>,
    user: Option<String>,
    data: Value,
}

impl Row {
    fn from_data(data: Value) -> Result<Self, ControlError> {
        let Value::Object(object) = &data else {
            return Err(ControlError::NotAnObject);
        };
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let uuid = text("uuid").ok_or(ControlError::MissingUuid)?;
        let time = text("time").unwrap_or_default();
        let at = parse_event_time(&time).ok_or(ControlError::BadTime(time))?;
        Ok(Row {
            seq: 0,
            uuid,
            at,
            event: text("event"),
            user: text("user"),
            data,
        })
    }

    fn matches(&self, query: &Query) -> bool {
        let same = |wanted: &Option<String>, have: &Option<String>| {
            wanted.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        same(&query.event, &self.event)
            && same(&query.user, &self.user)
            && query.start.is_none_or(|start| start <= self.at)
            && query.end_before.is_none_or(|end| self.at < end)
    }
}

/// Notifications kept at most, whatever the retention (a generator under a frozen clock never
/// expires any): past the cap the oldest go first. Above the live bench's 400,000.
pub(crate) const MAX_ROWS: usize = 1_000_000;

/// Sent notifications, ordered by time and then by insertion.
pub(crate) struct Store {
    rows: Vec<Row>,
    /// At most this many rows ([`MAX_ROWS`]).
    max_rows: usize,
    /// The uuids in `rows`, so that an insert costs O(1) unless it replaces a row.
    uuids: HashSet<String>,
    next_id: u16,
    next_seq: u64,
}

impl Store {
    pub(crate) fn new() -> Self {
        Store {
            rows: Vec::new(),
            max_rows: MAX_ROWS,
            uuids: HashSet::new(),
            next_id: 1,
            next_seq: 0,
        }
    }

    /// Stores `data` as it is, without running retention (used to load fixtures).
    pub(crate) fn seed(&mut self, data: Value) -> Result<String, ControlError> {
        let row = Row::from_data(data)?;
        Ok(self.put(row))
    }

    /// Stores `data` as it is, after deleting rows older than the retention period, as ORCA does on each push.
    pub(crate) fn insert(
        &mut self,
        data: Value,
        now: DateTime<FixedOffset>,
    ) -> Result<String, ControlError> {
        let row = Row::from_data(data)?;
        self.expire(now);
        Ok(self.put(row))
    }

    /// Stores `data` verbatim at `at` whatever it holds (no `uuid` or `time` needed: what a broken
    /// or hostile server may keep), after retention. Returns the key it is stored under.
    pub(crate) fn insert_verbatim(
        &mut self,
        data: Value,
        at: DateTime<FixedOffset>,
        now: DateTime<FixedOffset>,
    ) -> String {
        let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
        let row = Row {
            seq: 0,
            uuid: format!("verbatim-{}", self.next_seq),
            at,
            event: text("event"),
            user: text("user"),
            data,
        };
        self.expire(now);
        self.put(row)
    }

    /// Builds a notification the way ORCA does (fresh v4 uuid, next id, JST `+0900` time), inserts it and
    /// returns it (for the live subscribers; its `uuid` is a string).
    pub(crate) fn push(
        &mut self,
        event: &str,
        user: &str,
        body: Value,
        time: DateTime<FixedOffset>,
        now: DateTime<FixedOffset>,
    ) -> Value {
        let mut data = Map::new();
        data.insert("uuid".into(), uuid::Uuid::new_v4().to_string().into());
        data.insert("id".into(), self.allocate_id().into());
        data.insert("event".into(), event.into());
        data.insert("user".into(), user.into());
        data.insert("body".into(), body);
        let time = time
            .with_timezone(&jst())
            .format(ORCA_TIME_FORMAT)
            .to_string();
        data.insert("time".into(), time.into());
        let data = Value::Object(data);
        // Cannot fail: the object has a string uuid and a time in ORCA's own format.
        let _ = self.insert(data.clone(), now);
        data
    }

    fn put(&mut self, mut row: Row) -> String {
        if !self.uuids.insert(row.uuid.clone()) {
            self.rows.retain(|existing| existing.uuid != row.uuid);
        }
        row.seq = self.next_seq;
        self.next_seq += 1;
        let uuid = row.uuid.clone();
        // Keep rows sorted by (time, insertion); a new row goes after every row with the same or an earlier time.
        let at = self.rows.partition_point(|r| r.at <= row.at);
        self.rows.insert(at, row);
        self.cap();
        uuid
    }

    /// Drops the oldest rows past the cap, in batches of 1/16 of it (so that a push at the cap
    /// does not shift every row).
    fn cap(&mut self) {
        if self.rows.len() <= self.max_rows + self.max_rows / 16 {
            return;
        }
        let excess = self.rows.len() - self.max_rows;
        for row in self.rows.drain(..excess) {
            self.uuids.remove(&row.uuid);
        }
    }

    fn expire(&mut self, now: DateTime<FixedOffset>) {
        let cutoff = now - RETENTION;
        // Rows are sorted by time: the expired ones are a prefix, so a push costs O(expired), not O(rows).
        let expired = self.rows.partition_point(|row| row.at < cutoff);
        for row in self.rows.drain(..expired) {
            self.uuids.remove(&row.uuid);
        }
    }

    fn allocate_id(&mut self) -> u16 {
        let id = self.next_id;
        // The real sequence is reset to 1 once it reaches 65535 (USHRT_MAX).
        self.next_id = if id == u16::MAX { 1 } else { id + 1 };
        id
    }

    pub(crate) fn set_next_id(&mut self, id: u16) {
        self.next_id = id.max(1);
    }

    pub(crate) fn knows_user(&self, user: &str) -> bool {
        self.rows
            .iter()
            .any(|row| row.user.as_deref() == Some(user))
    }

    pub(crate) fn query(&self, query: &Query) -> Vec<&Value> {
        self.rows
            .iter()
            .filter(|row| row.matches(query))
            .map(|row| &row.data)
            .collect()
    }

    pub(crate) fn all(&self) -> Vec<Value> {
        self.rows.iter().map(|row| row.data.clone()).collect()
    }

    pub(crate) fn clear(&mut self) {
        self.rows.clear();
        self.uuids.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_offset_spellings_parse_to_the_same_instant() {
        let plain = parse_event_time("2018-01-24T16:02:53+0900");
        let colon = parse_event_time("2018-01-24T16:02:53+09:00");
        assert!(plain.is_some());
        assert_eq!(plain, colon);
        assert_eq!(parse_event_time("2018-01-24 16:02:53"), None);
    }

    #[test]
    fn a_push_deletes_only_the_rows_older_than_seven_days() {
        let now = parse_event_time("2026-12-03T12:00:00+0900").unwrap();
        let mut store = Store::new();
        let row = |uuid: &str, time: &str| serde_json::json!({ "uuid": uuid, "time": time });
        store.seed(row("old", "2026-11-26T11:59:59+0900")).unwrap();
        store.seed(row("edge", "2026-11-26T12:00:00+0900")).unwrap();
        store.seed(row("new", "2026-12-01T09:00:00+0900")).unwrap();
        store.push("patient_accept", "ormaster", Value::Null, now, now);
        let uuids: Vec<&str> = store.rows.iter().map(|r| r.uuid.as_str()).collect();
        assert_eq!(uuids[..2], ["edge", "new"]);
        assert_eq!(uuids.len(), 3);
        assert!(!store.uuids.contains("old"));
        // The expired uuid can come again as a new row.
        store
            .insert(row("old", "2026-12-03T12:00:00+0900"), now)
            .unwrap();
        assert_eq!(store.rows.len(), 4);
    }

    #[test]
    fn a_frozen_clock_keeps_at_most_the_cap_the_oldest_going_first() {
        let now = parse_event_time("2026-12-03T12:00:00+0900").unwrap();
        let mut store = Store::new();
        store.max_rows = 160;
        let first = store.push("patient_accept", "ormaster", Value::Null, now, now)["uuid"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for _ in 0..1000 {
            store.push("patient_accept", "ormaster", Value::Null, now, now);
            assert!(store.rows.len() <= 170, "{}", store.rows.len());
        }
        assert!(store.rows.len() >= 160);
        assert_eq!(store.uuids.len(), store.rows.len());
        assert!(!store.uuids.contains(&first), "the oldest went first");
    }

    #[test]
    fn ids_wrap_from_65535_to_1() {
        let mut store = Store::new();
        store.set_next_id(65534);
        let ids: Vec<u16> = (0..3).map(|_| store.allocate_id()).collect();
        assert_eq!(ids, [65534, 65535, 1]);
    }
}
