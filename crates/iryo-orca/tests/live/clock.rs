//! Cursors that distrust clocks: a notification stamped in the future never moves the cursor past
//! this clock plus the margin; times no state can store are refused and named; a cursor ahead of
//! the clock (set back) is a gap, and the feed goes on.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use iryo_orca::live::{Checkpoint, FeedItem, GapReason, MemoryCheckpoint, SqliteCheckpoint};
use serde_json::json;

use crate::common::*;

fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap())
}

/// The margin of [`config`]: LiveConfig's default.
const SKEW: TimeDelta = TimeDelta::minutes(2);

#[tokio::test]
async fn an_event_stamped_in_year_9999_does_not_stop_later_catch_ups() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.sqlite");
    let mut feed = feed(&mock, SqliteCheckpoint::open(&path).unwrap());
    connected(&mut feed).await;
    let future = mock.live().raise_data(json!({
        "uuid": "7d1f4a52-43a7-4c1b-8f5e-4f3b2a1c0999", "id": 1, "event": "patient_accept",
        "user": "ormaster", "body": {}, "time": "9999-12-31T23:59:59+0900"
    }));
    let event = next_event(&mut feed, &mut Vec::new()).await;
    assert_eq!(event.uuid.to_string(), future.unwrap());
    feed.flush().unwrap();
    // The state file is locked while its feed lives.
    drop(feed);
    let resume = SqliteCheckpoint::open(&path).unwrap().load().unwrap();
    let resume = resume.resume_from().unwrap();
    assert!(resume <= now() + SKEW, "cursor at {resume}");
    // A gap after it is still caught up (no window whose start is after its end).
    let missed = mock.live().raise("patient_accept", json!({}));
    let mut feed = self::feed(&mock, SqliteCheckpoint::open(&path).unwrap());
    let items = caught_up_items(&mut feed).await;
    assert!(
        matches!(&items[..], [FeedItem::Event(e)] if e.uuid.to_string() == missed),
        "{items:?}"
    );
}

#[tokio::test]
async fn times_no_state_can_store_are_named_and_never_written() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.sqlite");
    {
        let mut state = SqliteCheckpoint::open(&path).unwrap();
        state
            .commit(&[], Some(now() - TimeDelta::minutes(5)))
            .unwrap();
    }
    for (n, time) in ["+10000-01-01T00:00:00+0900", "-0001-01-01T00:00:00+0900"]
        .iter()
        .enumerate()
    {
        mock.insert_verbatim(
            json!({ "uuid": format!("5a0c9a8e-2b7e-4f43-9d55-00000000000{n}"), "id": n,
                    "event": "patient_accept", "user": "u", "body": {}, "time": time }),
            now(),
        );
    }
    let good = mock.push("patient_accept", "ormaster", json!({}), now());
    let mut feed = feed(&mock, SqliteCheckpoint::open(&path).unwrap());
    let others = caught_up_items(&mut feed).await;
    for item in &others {
        if let FeedItem::Event(event) = item {
            let event: &iryo_orca::PushEvent = event;
            assert_eq!(event.uuid.to_string(), good);
            feed.ack(event).unwrap();
        }
    }
    feed.flush().unwrap();
    // In time order, each where its time puts it (the window's order), so compared as a set.
    let mut named: Vec<_> = others
        .iter()
        .filter_map(|i| match i {
            FeedItem::Gap(gap) => match &gap.reason {
                GapReason::Undelivered(named) => named.time.clone(),
                _ => None,
            },
            _ => None,
        })
        .collect();
    named.sort();
    assert_eq!(
        named,
        ["+10000-01-01T00:00:00+0900", "-0001-01-01T00:00:00+0900"],
        "{others:?}"
    );
    drop(feed);
    let reopened = SqliteCheckpoint::open(&path).expect("the state reads back");
    drop(reopened);
}

#[tokio::test]
async fn a_cursor_ahead_of_the_clock_is_a_gap_and_the_feed_goes_on() {
    let mock = mock().await;
    let mut checkpoint = MemoryCheckpoint::new();
    let ahead = now() + TimeDelta::hours(1);
    checkpoint.commit(&[], Some(ahead)).unwrap();
    let stored = mock.push("patient_accept", "ormaster", json!({}), now());
    let mut feed = feed(&mock, checkpoint);
    let others = caught_up_items(&mut feed).await;
    assert!(
        others
            .iter()
            .any(|i| matches!(i, FeedItem::Event(e) if e.uuid.to_string() == stored)),
        "{others:?}"
    );
    let gap = others.iter().find_map(|i| match i {
        FeedItem::Gap(gap) => Some(gap.clone()),
        _ => None,
    });
    let gap = gap.expect("a gap item");
    assert_eq!(gap.reason, GapReason::ClockBehindCursor);
    assert_eq!(gap.to, ahead);
}
