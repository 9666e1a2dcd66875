//! The SQLite file: harvest bookkeeping, one transaction per page, reading reports back.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::HarvestError;
use crate::file;
use crate::row::ReportRow;
use crate::schema;

/// Full harvest (every report of the search) or refresh (newest first, until a known page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Every report of the search, in the search's order.
    Full,
    /// Newest first (`order=2`), stopping at the first page that holds nothing new.
    Refresh,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::Refresh => "refresh",
        }
    }
}

/// A row of `harvests`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarvestRecord {
    /// Its id (`reports.harvest_id`).
    pub id: i64,
    /// `total` of the last page.
    pub total: Option<u64>,
    /// Pages written.
    pub pages: u64,
    /// Reports received.
    pub reports: u64,
    /// Reports that were not in the database yet.
    pub new_reports: u64,
    /// Where the next page starts (the resume point).
    pub next_start: u64,
    /// Whether it ran to its end.
    pub finished: bool,
}

/// An open database.
pub struct Store {
    // Dropped before `_lock`: the lock's descriptor must outlive SQLite's (see `file::lock`).
    db: Connection,
    _lock: Option<std::fs::File>,
}

impl Store {
    /// Opens (or creates) the database at `path` for a harvest: locked for this process alone
    /// ([`HarvestError::Locked`] while another harvest has it), refused when the file is another
    /// application's ([`HarvestError::NotHarvestDatabase`], checked read-only before anything is
    /// written).
    pub fn open(path: &Path) -> Result<Self, HarvestError> {
        let lock = file::lock(path)?;
        file::check_for_writing(path)?;
        let db = Connection::open(path)?;
        // WAL: a commit is durable against a killed process (SIGKILL) and readers never see a
        // page half-written; NORMAL sync is safe in WAL mode except on power loss.
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache: the digest index takes random inserts.
        db.pragma_update(None, "cache_size", -65_536)?;
        // Checkpoint (and fsync) every ~64 MiB of WAL rather than every 4 MiB, about every page.
        db.pragma_update(None, "wal_autocheckpoint", 16_384)?;
        schema::create(&db)?;
        Ok(Store {
            db,
            _lock: Some(lock),
        })
    }

    /// Opens a harvest database read-only (for an export): nothing is written, no lock is taken
    /// (a harvest may run meanwhile), and a file that is not a harvest database of this version
    /// is refused ([`HarvestError::NotHarvestDatabase`]).
    pub fn open_read_only(path: &Path) -> Result<Self, HarvestError> {
        let db = file::open_read_only(path)?;
        Ok(Store { db, _lock: None })
    }

    /// The connection, for queries of your own.
    pub fn connection(&self) -> &Connection {
        &self.db
    }

    /// The newest harvest of this kind and search.
    pub fn latest(
        &self,
        kind: Kind,
        endpoint: &str,
        query: &str,
    ) -> rusqlite::Result<Option<HarvestRecord>> {
        self.db
            .query_row(
                "SELECT id, total, pages, reports, new_reports, next_start, finished_at IS NOT NULL
                 FROM harvests WHERE kind = ?1 AND endpoint = ?2 AND query = ?3
                 ORDER BY id DESC LIMIT 1",
                params![kind.as_str(), endpoint, query],
                |r| {
                    Ok(HarvestRecord {
                        id: r.get(0)?,
                        total: r.get(1)?,
                        pages: r.get(2)?,
                        reports: r.get(3)?,
                        new_reports: r.get(4)?,
                        next_start: r.get(5)?,
                        finished: r.get(6)?,
                    })
                },
            )
            .optional()
    }

    /// Starts a new harvest at `start`.
    pub fn start(
        &self,
        kind: Kind,
        endpoint: &str,
        query: &str,
        page_size: u64,
        start: u64,
    ) -> rusqlite::Result<HarvestRecord> {
        self.db.execute(
            "INSERT INTO harvests (kind, endpoint, query, page_size, started_at, next_start)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![kind.as_str(), endpoint, query, page_size, now(), start],
        )?;
        Ok(HarvestRecord {
            id: self.db.last_insert_rowid(),
            total: None,
            pages: 0,
            reports: 0,
            new_reports: 0,
            next_start: start,
            finished: false,
        })
    }

    /// Writes one page in one transaction: its reports (each once: a known digest is skipped)
    /// and the harvest's counters and resume point. Returns how many reports were new.
    pub fn write_page(
        &mut self,
        harvest: &mut HarvestRecord,
        start: u64,
        total: u64,
        rows: &[ReportRow],
    ) -> rusqlite::Result<u64> {
        crate::write::write_page(&mut self.db, harvest, start, total, rows)
    }

    /// Lends the connection to another thread: `f` runs on a blocking thread with it, and the
    /// store has it back when the returned future completes.
    pub(crate) async fn with_connection_blocking<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> T + Send + 'static,
    ) -> T {
        // A placeholder while the real connection is away (never used: `self` stays borrowed).
        let placeholder = Connection::open_in_memory();
        let Ok(placeholder) = placeholder else {
            return f(&mut self.db);
        };
        let mut db = std::mem::replace(&mut self.db, placeholder);
        let (db, value) = match tokio::task::spawn_blocking(move || {
            let value = f(&mut db);
            (db, value)
        })
        .await
        {
            Ok(done) => done,
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        };
        self.db = db;
        value
    }

    /// Sends a harvest back to `start` (unfinished): the next run goes on from there.
    pub fn rewind(&self, harvest: &mut HarvestRecord, start: u64) -> rusqlite::Result<()> {
        self.db.execute(
            "UPDATE harvests SET next_start = ?2 WHERE id = ?1",
            params![harvest.id, start],
        )?;
        harvest.next_start = start;
        Ok(())
    }

    /// Marks a harvest as run to its end.
    pub fn finish(&self, harvest: &mut HarvestRecord) -> rusqlite::Result<()> {
        self.db.execute(
            "UPDATE harvests SET finished_at = ?2 WHERE id = ?1",
            params![harvest.id, now()],
        )?;
        harvest.finished = true;
        Ok(())
    }

    /// Every stored report's labelled JSON, in the order they were first seen (harvest, then
    /// position), one at a time. Each cell is checked to be exactly one JSON object on one line
    /// (a tampered cell could otherwise add records to a JSON-lines export):
    /// [`HarvestError::StoredReport`] names the row that is not.
    pub fn for_each_json(
        &self,
        mut f: impl FnMut(&str) -> Result<(), HarvestError>,
    ) -> Result<u64, HarvestError> {
        let mut statement = self
            .db
            .prepare("SELECT id, json FROM reports ORDER BY harvest_id, position")?;
        let mut rows = statement.query([])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let json = row
                .get_ref(1)?
                .as_str()
                .map_err(|e| HarvestError::StoredReport {
                    id,
                    what: e.to_string(),
                })?;
            one_json_object(json).map_err(|what| HarvestError::StoredReport { id, what })?;
            f(json)?;
            count += 1;
        }
        Ok(count)
    }
}

/// Whether `json` is exactly one JSON object and no line break (JSON allows one only as
/// whitespace between tokens, where it would split a JSON-lines record).
fn one_json_object(json: &str) -> Result<(), String> {
    if !json.trim_start().starts_with('{') {
        return Err("the json cell is not a JSON object".to_owned());
    }
    if json.contains(['\n', '\r']) {
        return Err("the json cell holds a line break".to_owned());
    }
    let mut values = serde_json::Deserializer::from_str(json).into_iter::<serde::de::IgnoredAny>();
    match (values.next(), values.next()) {
        (Some(Ok(_)), None) => Ok(()),
        (Some(Ok(_)), Some(_)) => Err("the json cell holds more than one JSON value".to_owned()),
        (Some(Err(e)), _) => Err(format!("the json cell is not JSON: {e}")),
        (None, _) => Err("the json cell is empty".to_owned()),
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
