//! The SQLite file: harvest bookkeeping, one transaction per page, reading reports back.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::row::ReportRow;
use crate::schema::{self, REPORT_COLUMNS};

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
    db: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
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
        Ok(Store { db })
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
        write_page(&mut self.db, harvest, start, total, rows)
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
    /// position), one at a time.
    pub fn for_each_json(
        &self,
        mut f: impl FnMut(&str) -> Result<(), crate::HarvestError>,
    ) -> Result<u64, crate::HarvestError> {
        let mut statement = self
            .db
            .prepare("SELECT json FROM reports ORDER BY harvest_id, position")?;
        let mut rows = statement.query([])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            let json: rusqlite::types::ValueRef<'_> = row.get_ref(0)?;
            f(json.as_str()?)?;
            count += 1;
        }
        Ok(count)
    }
}

/// [`Store::write_page`] on a connection.
pub(crate) fn write_page(
    db: &mut Connection,
    harvest: &mut HarvestRecord,
    start: u64,
    total: u64,
    rows: &[ReportRow],
) -> rusqlite::Result<u64> {
    let seen_at = now();
    let tx = db.transaction()?;
    let mut new = 0;
    {
        let columns: Vec<&str> = REPORT_COLUMNS.iter().map(|(c, _)| *c).collect();
        let placeholders = vec!["?"; columns.len() + 5].join(", ");
        let mut report = tx.prepare_cached(&format!(
            "INSERT OR IGNORE INTO reports (digest, harvest_id, position, seen_at, json, {})
             VALUES ({placeholders})",
            columns.join(", ")
        ))?;
        let mut factor = tx.prepare_cached("INSERT INTO report_factors VALUES (?1, ?2, ?3)")?;
        let mut job = tx.prepare_cached("INSERT INTO report_job_categories VALUES (?1, ?2, ?3)")?;
        let mut medicine = tx.prepare_cached(
            "INSERT INTO report_medicines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (i, row) in rows.iter().enumerate() {
            let head: [&dyn rusqlite::ToSql; 5] = [
                &row.digest,
                &harvest.id,
                &(start + i as u64),
                &seen_at,
                &row.json,
            ];
            let values = head
                .into_iter()
                .chain(row.columns.iter().map(|c| c as &dyn rusqlite::ToSql));
            if report.execute(params_from_iter(values))? == 0 {
                continue; // known: stored with its first sighting
            }
            new += 1;
            let id = tx.last_insert_rowid();
            for (ord, code) in row.factors.iter().enumerate() {
                factor.execute(params![id, ord, code])?;
            }
            for (ord, code) in row.job_categories.iter().enumerate() {
                job.execute(params![id, ord, code])?;
            }
            for m in &row.medicines {
                let [code, name, maker] = &m.values;
                medicine.execute(params![
                    id, m.section, m.list, m.group, m.ord, code, name, maker
                ])?;
            }
        }
    }
    let next_start = start + rows.len() as u64;
    tx.execute(
        "UPDATE harvests SET total = ?2, pages = pages + 1, reports = reports + ?3,
         new_reports = new_reports + ?4, next_start = ?5 WHERE id = ?1",
        params![harvest.id, total, rows.len(), new, next_start],
    )?;
    tx.commit()?;
    harvest.total = Some(total);
    harvest.pages += 1;
    harvest.reports += rows.len() as u64;
    harvest.new_reports += new;
    harvest.next_start = next_start;
    Ok(new)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
