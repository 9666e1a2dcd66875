//! The default durable checkpoint: one SQLite file (rusqlite with its bundled SQLite), WAL mode,
//! one transaction per commit, so a process killed at any moment leaves the last commit intact.
//!
//! The uuids seen are kept in time order (an acknowledgement appends, whatever the number seen)
//! and also in memory in a quotient filter (3 to 4 bytes each, only those within the retention:
//! pruned with the table), so that a uuid never seen, the common case, costs no query; the
//! filter's rare false positives and the true repeats are settled by the table, by time and uuid.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension as _, params};
use uuid::Uuid;

use super::checkpoint::{Acked, Checkpoint, CheckpointError, Cursor};

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_uuid TEXT,
        last_time TEXT,
        covered_until TEXT
    );
    CREATE TABLE IF NOT EXISTS seen_by_time (
        at INTEGER NOT NULL,
        uuid BLOB NOT NULL,
        PRIMARY KEY (at, uuid)
    ) WITHOUT ROWID;
";

/// A state file of the first layout (`seen` keyed by uuid: random inserts) moves to the second.
const MIGRATE: &str = "
    INSERT OR IGNORE INTO seen_by_time (at, uuid) SELECT at, uuid FROM seen;
    DROP TABLE seen;
";

/// A checkpoint in a SQLite file: the last acknowledged (time, uuid), `covered_until`, and the
/// uuids seen within the retention window.
///
/// The file is locked (`flock`) while the checkpoint is open: a second watcher on it would miss
/// what the first acknowledged, so it is refused ([`StateFileError::InUse`]). A file that other
/// users may write is refused too ([`StateFileError::WritableByOthers`]): whoever can write it
/// can move the cursor past notifications.
#[derive(Debug)]
pub struct SqliteCheckpoint {
    // Declared before the lock: the connection closes first (closing another descriptor of the
    // file would drop SQLite's own POSIX locks while it still uses them).
    db: Connection,
    cursor: Cursor,
    /// The uuids of `seen`, approximately (`None` once full: every look-up queries the table).
    filter: Option<qfilter::Filter>,
    _lock: Option<File>,
}

/// The filter starts this small and doubles as uuids come.
const FILTER_INITIAL: u64 = 1 << 16;
/// The most uuids the filter holds (7 days at 1,000 events/s); past it, look-ups query the table.
const FILTER_MAX: u64 = 1 << 30;
/// False positives (each one query) at the filter's largest; far fewer while it is smaller.
const FILTER_FP_RATE: f64 = 1e-4;

/// Why a state file cannot be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// Another process (a second watcher) has the file open.
    #[error(
        "{} is in use by another process (locked): two watchers on one state file would each \
         miss what the other acknowledged",
        path.display()
    )]
    InUse {
        /// The state file.
        path: PathBuf,
    },
    /// Users other than the owner may write the file (mode `o+w`), as ssh refuses such files.
    #[error(
        "{} is writable by other users (mode {mode:03o}), who could move the cursor past \
         notifications: run `chmod o-w` on it",
        path.display()
    )]
    WritableByOthers {
        /// The state file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file could not be opened, read or set up.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

fn fail(what: &str) -> impl Fn(rusqlite::Error) -> CheckpointError + '_ {
    move |e| CheckpointError(format!("{what}: {e}"))
}

impl SqliteCheckpoint {
    /// Whether `sql` finds `uuid`; a uuid the filter has never seen is not looked up.
    fn lookup(
        &self,
        uuid: &Uuid,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<bool, CheckpointError> {
        if let Some(filter) = &self.filter
            && !filter.contains(uuid.as_bytes().as_slice())
        {
            return Ok(false);
        }
        let mut statement = self
            .db
            .prepare_cached(sql)
            .map_err(fail("look up a uuid"))?;
        statement.exists(params).map_err(fail("look up a uuid"))
    }

    /// Opens (or creates) the checkpoint file at `path` and locks it for this process.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StateFileError> {
        let path = path.as_ref();
        let lock = lock(path)?;
        let db = Connection::open(path)
            .map_err(|e| CheckpointError(format!("open {}: {e}", path.display())))?;
        db.execute_batch(SCHEMA)
            .map_err(fail("create the schema"))?;
        migrate(&db)?;
        let cursor = read_cursor(&db)?;
        let filter = read_filter(&db)?;
        Ok(SqliteCheckpoint {
            db,
            cursor,
            filter,
            _lock: Some(lock),
        })
    }

    /// A checkpoint in memory with the same code path (for tests).
    pub fn open_in_memory() -> Result<Self, CheckpointError> {
        let db = Connection::open_in_memory().map_err(fail("open"))?;
        db.execute_batch(SCHEMA)
            .map_err(fail("create the schema"))?;
        let filter = read_filter(&db)?;
        Ok(SqliteCheckpoint {
            db,
            cursor: Cursor::default(),
            filter,
            _lock: None,
        })
    }
}

/// Opens (creating) `path`, refuses it if others may write it, and takes its exclusive lock.
fn lock(path: &Path) -> Result<File, StateFileError> {
    let failed = |e: std::io::Error| CheckpointError(format!("open {}: {e}", path.display()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = file.metadata().map_err(failed)?.permissions().mode() & 0o7777;
        if mode & 0o002 != 0 {
            return Err(StateFileError::WritableByOthers {
                path: path.to_owned(),
                mode,
            });
        }
    }
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StateFileError::InUse {
            path: path.to_owned(),
        }),
        Err(TryLockError::Error(e)) => Err(failed(e).into()),
    }
}

fn migrate(db: &Connection) -> Result<(), CheckpointError> {
    let old = db
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seen'",
            [],
            |_| Ok(()),
        )
        .optional()
        .map_err(fail("read the schema"))?;
    if old.is_some() {
        db.execute_batch(&format!("BEGIN; {MIGRATE} COMMIT;"))
            .map_err(fail("move the uuids to the time-ordered table"))?;
    }
    Ok(())
}

/// The filter of every uuid seen.
fn read_filter(db: &Connection) -> Result<Option<qfilter::Filter>, CheckpointError> {
    let mut filter = Some(
        qfilter::Filter::new_resizeable(FILTER_INITIAL, FILTER_MAX, FILTER_FP_RATE)
            .map_err(|e| CheckpointError(format!("the uuid filter: {e:?}")))?,
    );
    let mut statement = db
        .prepare("SELECT uuid FROM seen_by_time")
        .map_err(fail("read the uuids"))?;
    let mut rows = statement.query([]).map_err(fail("read the uuids"))?;
    while let Some(row) = rows.next().map_err(fail("read the uuids"))? {
        let uuid: Vec<u8> = row.get(0).map_err(fail("read the uuids"))?;
        add(&mut filter, &uuid);
    }
    Ok(filter)
}

/// Adds `uuid` (its 16 bytes) to the filter; a full filter is dropped (the table answers).
fn add(filter: &mut Option<qfilter::Filter>, uuid: &[u8]) {
    if let Some(f) = filter
        && f.insert_duplicated(uuid).is_err()
    {
        *filter = None;
    }
}

fn parse_time(text: Option<String>) -> Result<Option<DateTime<FixedOffset>>, CheckpointError> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(&t)
            .map_err(|e| CheckpointError(format!("stored time {t:?}: {e}")))
    })
    .transpose()
}

fn read_cursor(db: &Connection) -> Result<Cursor, CheckpointError> {
    let row = db
        .query_row(
            "SELECT last_uuid, last_time, covered_until FROM cursor WHERE id = 1",
            [],
            |row| Ok((row.get::<_, Option<String>>(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .map_err(fail("read the cursor"))?;
    let Some((uuid, time, covered)) = row else {
        return Ok(Cursor::default());
    };
    let last = match (uuid, parse_time(time)?) {
        (Some(uuid), Some(time)) => {
            let uuid =
                Uuid::parse_str(&uuid).map_err(|e| CheckpointError(format!("stored uuid: {e}")))?;
            Some(Acked { uuid, time })
        }
        _ => None,
    };
    Ok(Cursor {
        last,
        covered_until: parse_time(covered)?,
    })
}

fn write_cursor(db: &Connection, cursor: &Cursor) -> Result<(), CheckpointError> {
    db.execute(
        "INSERT INTO cursor (id, last_uuid, last_time, covered_until) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET last_uuid = ?1, last_time = ?2, covered_until = ?3",
        params![
            cursor.last.map(|a| a.uuid.to_string()),
            cursor.last.map(|a| a.time.to_rfc3339()),
            cursor.covered_until.map(|t| t.to_rfc3339()),
        ],
    )
    .map(drop)
    .map_err(fail("write the cursor"))
}

impl Checkpoint for SqliteCheckpoint {
    fn load(&mut self) -> Result<Cursor, CheckpointError> {
        Ok(self.cursor)
    }

    fn is_seen(&mut self, uuid: &Uuid) -> Result<bool, CheckpointError> {
        // Without the time the table is scanned: the feed asks with it (`is_seen_at`).
        let sql = "SELECT 1 FROM seen_by_time WHERE uuid = ?1";
        self.lookup(uuid, sql, [uuid.as_bytes().as_slice()])
    }

    /// A uuid acknowledged with another time than its own (stamped later than this clock plus
    /// the margin) is not found: it comes again, never the other way round.
    fn is_seen_at(
        &mut self,
        uuid: &Uuid,
        time: DateTime<FixedOffset>,
    ) -> Result<bool, CheckpointError> {
        let sql = "SELECT 1 FROM seen_by_time WHERE at = ?1 AND uuid = ?2";
        self.lookup(
            uuid,
            sql,
            params![time.timestamp(), uuid.as_bytes().as_slice()],
        )
    }

    fn commit(
        &mut self,
        acked: &[Acked],
        covered_until: Option<DateTime<FixedOffset>>,
    ) -> Result<(), CheckpointError> {
        let mut cursor = self.cursor;
        cursor.advance(acked, covered_until);
        let times = acked.iter().map(|a| a.time).chain(covered_until);
        if let Some(bad) = times
            .into_iter()
            .find(|t| !crate::notification::storable(*t))
        {
            return Err(CheckpointError(format!(
                "time {bad:?} is outside the years 0000-9999 that the state can store"
            )));
        }
        let tx = self.db.transaction().map_err(fail("begin"))?;
        let mut added = Vec::with_capacity(acked.len());
        {
            let mut insert = tx
                .prepare_cached("INSERT OR IGNORE INTO seen_by_time (uuid, at) VALUES (?1, ?2)")
                .map_err(fail("record a uuid"))?;
            for a in acked {
                let inserted = insert
                    .execute(params![a.uuid.as_bytes().as_slice(), a.time.timestamp()])
                    .map_err(fail("record a uuid"))?;
                if inserted > 0 {
                    added.push(a.uuid);
                }
            }
            write_cursor(&tx, &cursor)?;
        }
        tx.commit().map_err(fail("commit"))?;
        // One filter entry per row, so that pruning a row removes exactly its entry.
        for uuid in added {
            add(&mut self.filter, uuid.as_bytes());
        }
        self.cursor = cursor;
        Ok(())
    }

    fn rewind(&mut self, to: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        let cursor = Cursor::rewound(to);
        write_cursor(&self.db, &cursor)?;
        self.cursor = cursor;
        Ok(())
    }

    fn prune(&mut self, before: DateTime<FixedOffset>) -> Result<(), CheckpointError> {
        let mut statement = self
            .db
            .prepare_cached("DELETE FROM seen_by_time WHERE at < ?1 RETURNING uuid")
            .map_err(fail("prune"))?;
        let mut rows = statement
            .query([before.timestamp()])
            .map_err(fail("prune"))?;
        while let Some(row) = rows.next().map_err(fail("prune"))? {
            let uuid: Vec<u8> = row.get(0).map_err(fail("prune"))?;
            if let Some(filter) = &mut self.filter {
                filter.remove(uuid.as_slice());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "sqlite_tests.rs"]
mod tests;
