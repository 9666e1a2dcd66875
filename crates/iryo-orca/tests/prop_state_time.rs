//! Every notification time the feed accepts is stored by the SQLite state and read back equal;
//! every other one is refused when the notification is decoded (years outside 0000-9999, which
//! RFC 3339 text cannot hold), so no start ever fails on its own state file.

use chrono::{DateTime, FixedOffset};
use iryo_orca::PushEvent;
use iryo_orca::live::{Acked, Checkpoint, SqliteCheckpoint};
use proptest::prelude::*;

/// -0002-01-01 and +10002-01-01 as Unix seconds: past both ends of the storable range.
const BEFORE: i64 = -62_230_291_200;
const AFTER: i64 = 253_465_459_200;
/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const FIRST: i64 = -62_167_219_200;
const LAST: i64 = 253_402_300_799;

fn instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        BEFORE..=AFTER,
        (FIRST - 2 * 86_400)..(FIRST + 2 * 86_400),
        (LAST - 2 * 86_400)..(LAST + 2 * 86_400),
        1_500_000_000..2_000_000_000i64,
    ]
}

fn offset() -> impl Strategy<Value = FixedOffset> {
    prop_oneof![
        Just(9 * 3600),
        (-(23 * 60 + 59)..=(23 * 60 + 59)).prop_map(|minutes: i32| minutes * 60),
    ]
    .prop_map(|secs| FixedOffset::east_opt(secs).expect("under a day"))
}

proptest! {
    #![proptest_config(iryo_testkit::proptest_config(128))]

    #[test]
    fn accepted_times_round_trip_through_the_state_file(secs in instant(), offset in offset()) {
        let at = DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&offset);
        let text = at.format("%Y-%m-%dT%H:%M:%S%z").to_string();
        let data = format!(
            r#"{{"uuid":"2f3c1c5e-1d35-4a53-9b5e-0a0f8a3a1b2c","id":1,"event":"x","user":"u","body":{{}},"time":"{text}"}}"#
        );
        let Ok(event) = PushEvent::from_json(&data) else {
            let storable = |y: i32| (0..=9999).contains(&y);
            use chrono::Datelike as _;
            prop_assert!(!storable(at.year()) || !storable(at.naive_utc().year()), "{text} refused");
            return Ok(());
        };
        let time = event.time.date_time();
        prop_assert_eq!(time, at);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let acked = Acked { uuid: event.uuid, time };
        SqliteCheckpoint::open(&path).unwrap().commit(&[acked], Some(time)).unwrap();
        let cursor = SqliteCheckpoint::open(&path).unwrap().load().unwrap();
        prop_assert_eq!(cursor.last, Some(acked));
        prop_assert_eq!(cursor.covered_until, Some(time));
    }
}
