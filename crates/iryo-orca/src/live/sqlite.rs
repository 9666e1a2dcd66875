//! The default durable checkpoint: one SQLite file (rusqlite with its bundled SQLite), WAL mode,
//! one transaction per commit, so a process killed at any moment leaves the last commit intact.

use std::path::Path;

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
    CREATE TABLE IF NOT EXISTS seen (
        uuid BLOB PRIMARY KEY,
        at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
";

/// A checkpoint in a SQLite file: the last acknowledged (time, uuid), `covered_until`, and the
/// uuids seen within the retention window.
#[derive(Debug)]
pub struct SqliteCheckpoint {
    db: Connection,
    cursor: Cursor,
}

fn fail(what: &str) -> impl Fn(rusqlite::Error) -> CheckpointError + '_ {
    move |e| CheckpointError(format!("{what}: {e}"))
}

impl SqliteCheckpoint {
    /// Opens (or creates) the checkpoint file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let db = Connection::open(path)
            .map_err(|e| CheckpointError(format!("open {}: {e}", path.display())))?;
        db.execute_batch(SCHEMA)
            .map_err(fail("create the schema"))?;
        let cursor = read_cursor(&db)?;
        Ok(SqliteCheckpoint { db, cursor })
    }

    /// A checkpoint in memory with the same code path (for tests).
    pub fn open_in_memory() -> Result<Self, CheckpointError> {
        let db = Connection::open_in_memory().map_err(fail("open"))?;
        db.execute_batch(SCHEMA)
            .map_err(fail("create the schema"))?;
        Ok(SqliteCheckpoint {
            db,
            cursor: Cursor::default(),
        })
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
        let mut statement = self
            .db
            .prepare_cached("SELECT 1 FROM seen WHERE uuid = ?1")
            .map_err(fail("look up a uuid"))?;
        statement
            .exists([uuid.as_bytes().as_slice()])
            .map_err(fail("look up a uuid"))
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
        {
            let mut insert = tx
                .prepare_cached("INSERT OR IGNORE INTO seen (uuid, at) VALUES (?1, ?2)")
                .map_err(fail("record a uuid"))?;
            for a in acked {
                insert
                    .execute(params![a.uuid.as_bytes().as_slice(), a.time.timestamp()])
                    .map_err(fail("record a uuid"))?;
            }
            write_cursor(&tx, &cursor)?;
        }
        tx.commit().map_err(fail("commit"))?;
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
        self.db
            .execute("DELETE FROM seen WHERE at < ?1", [before.timestamp()])
            .map(drop)
            .map_err(fail("prune"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reopened_file_has_the_cursor_and_the_uuids() {
        let dir = std::env::temp_dir().join(format!("iryo-ckpt-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.sqlite");
        let time = DateTime::parse_from_rfc3339("2026-12-03T09:00:00+09:00").unwrap();
        let acked = Acked {
            uuid: Uuid::new_v4(),
            time,
        };
        {
            let mut c = SqliteCheckpoint::open(&path).unwrap();
            c.commit(&[acked], Some(time)).unwrap();
        }
        let mut c = SqliteCheckpoint::open(&path).unwrap();
        assert_eq!(c.load().unwrap().last, Some(acked));
        assert_eq!(c.load().unwrap().covered_until, Some(time));
        assert!(c.is_seen(&acked.uuid).unwrap());
        assert!(!c.is_seen(&Uuid::new_v4()).unwrap());
        c.prune(time + chrono::TimeDelta::seconds(1)).unwrap();
        assert!(!c.is_seen(&acked.uuid).unwrap());
        drop(c);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
