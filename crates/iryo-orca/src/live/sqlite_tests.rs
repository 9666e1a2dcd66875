//! Tests of the SQLite checkpoint (kept apart so that `sqlite.rs` stays short).
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

#[test]
fn the_uuids_in_memory_follow_the_table_through_commits_reopens_and_prunes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let base = DateTime::parse_from_rfc3339("2026-12-03T09:00:00+09:00").unwrap();
    let acked: Vec<Acked> = (0..5_000)
        .map(|n| Acked {
            uuid: Uuid::new_v4(),
            time: base + chrono::TimeDelta::seconds(n),
        })
        .collect();
    let mut c = SqliteCheckpoint::open(&path).unwrap();
    c.commit(&acked[..2_500], None).unwrap();
    // Committed twice: one row, one entry, so one prune forgets it.
    c.commit(&acked[..10], None).unwrap();
    drop(c);
    let mut c = SqliteCheckpoint::open(&path).unwrap();
    c.commit(&acked[2_500..], None).unwrap();
    assert!(acked.iter().all(|a| c.is_seen(&a.uuid).unwrap()));
    assert!(acked.iter().all(|a| c.is_seen_at(&a.uuid, a.time).unwrap()));
    let other_time = base - chrono::TimeDelta::days(1);
    assert!(!c.is_seen_at(&acked[0].uuid, other_time).unwrap());
    assert!((0..5_000).all(|_| !c.is_seen(&Uuid::new_v4()).unwrap()));
    c.prune(base + chrono::TimeDelta::seconds(3_000)).unwrap();
    let (gone, kept) = acked.split_at(3_000);
    assert!(gone.iter().all(|a| !c.is_seen(&a.uuid).unwrap()));
    assert!(kept.iter().all(|a| c.is_seen(&a.uuid).unwrap()));
    let filter = c.filter.as_ref().expect("the filter");
    assert_eq!(filter.len(), 2_000, "one entry per row");
    assert!(
        gone.iter()
            .all(|a| !filter.contains(a.uuid.as_bytes().as_slice()))
    );
}

#[test]
fn a_state_file_of_the_first_layout_keeps_its_uuids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let uuid = Uuid::new_v4();
    let time = DateTime::parse_from_rfc3339("2026-12-03T09:00:00+09:00").unwrap();
    {
        let db = Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE seen (uuid BLOB PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
             CREATE INDEX seen_at ON seen (at);",
        )
        .unwrap();
        db.execute(
            "INSERT INTO seen (uuid, at) VALUES (?1, ?2)",
            params![uuid.as_bytes().as_slice(), time.timestamp()],
        )
        .unwrap();
    }
    let mut c = SqliteCheckpoint::open(&path).unwrap();
    assert!(c.is_seen_at(&uuid, time).unwrap());
    assert!(!c.is_seen_at(&Uuid::new_v4(), time).unwrap());
}

#[test]
fn a_second_open_of_one_file_is_refused_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let first = SqliteCheckpoint::open(&path).unwrap();
    let refused = SqliteCheckpoint::open(&path).unwrap_err();
    assert!(
        matches!(&refused, StateFileError::InUse { path: p } if *p == path),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("state.sqlite"), "{refused}");
    drop(first);
    SqliteCheckpoint::open(&path).unwrap();
}

#[cfg(unix)]
#[test]
fn a_state_file_others_may_write_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    drop(SqliteCheckpoint::open(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let refused = SqliteCheckpoint::open(&path).unwrap_err();
    assert!(
        matches!(
            refused,
            StateFileError::WritableByOthers { mode: 0o666, .. }
        ),
        "{refused:?}"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    SqliteCheckpoint::open(&path).unwrap();
}
