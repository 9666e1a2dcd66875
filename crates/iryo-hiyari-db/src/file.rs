//! Opening the database file: one harvest at a time (an exclusive lock on the file), and never a
//! file of another application (its schema is checked before anything is written).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::HarvestError;
use crate::schema::SCHEMA_VERSION;

/// What the file holds before it is opened for writing.
enum Found {
    /// No table at all: a new (or empty) file, which becomes a harvest database.
    Empty,
    /// A harvest database of this schema version.
    Ours,
}

/// Takes the exclusive lock of `path` (creating the file when missing) for as long as the
/// returned handle lives. The lock is `flock`-style (`File::try_lock`), apart from the byte
/// locks SQLite takes, so it does not disturb them; the handle must outlive the connection
/// (closing another descriptor of the file would drop SQLite's POSIX locks).
pub(crate) fn lock(path: &Path) -> Result<File, HarvestError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| not_ours(path, format!("cannot be opened: {e}")))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(HarvestError::Locked {
            path: path.to_owned(),
        }),
        Err(TryLockError::Error(e)) => Err(not_ours(path, format!("cannot be locked: {e}"))),
    }
}

/// Checks, read-only, that `path` is empty or a harvest database of this version, so that
/// nothing (no table, no WAL switch) is written into another application's file.
pub(crate) fn check_for_writing(path: &Path) -> Result<(), HarvestError> {
    let db = Connection::open_with_flags(path, read_only_flags())
        .map_err(|e| not_ours(path, e.to_string()))?;
    examine(&db, path).map(|_| ())
}

/// Opens `path` read-only after checking it is a harvest database of this version.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection, HarvestError> {
    let db = Connection::open_with_flags(path, read_only_flags())
        .map_err(|e| not_ours(path, e.to_string()))?;
    match examine(&db, path)? {
        Found::Ours => Ok(db),
        Found::Empty => Err(not_ours(path, "holds no harvest (no table)".to_owned())),
    }
}

fn read_only_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

/// Empty, ours, or refused naming what is wrong.
fn examine(db: &Connection, path: &Path) -> Result<Found, HarvestError> {
    let fail = |e: rusqlite::Error| not_ours(path, e.to_string());
    let tables: i64 = db
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(fail)?;
    if tables == 0 {
        return Ok(Found::Empty);
    }
    let has_meta: bool = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get(0),
        )
        .map_err(fail)?;
    let version: Option<String> = match has_meta {
        false => None,
        true => db
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(fail)?,
    };
    match version {
        Some(v) if v == SCHEMA_VERSION.to_string() => Ok(Found::Ours),
        Some(v) => Err(not_ours(
            path,
            format!(
                "is a harvest database of schema version {v}; this iryo reads version {SCHEMA_VERSION}"
            ),
        )),
        None => Err(not_ours(
            path,
            format!(
                "holds {tables} schema objects but is not a harvest database (no meta.schema_version); left untouched"
            ),
        )),
    }
}

fn not_ours(path: &Path, what: String) -> HarvestError {
    HarvestError::NotHarvestDatabase {
        path: path.to_owned(),
        what,
    }
}
