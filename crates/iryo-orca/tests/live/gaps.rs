//! What cannot be recovered is said: a server without pusheventgetv2 (404), a gap beyond 7 days.

use chrono::{FixedOffset, TimeDelta, Utc};
use iryo_orca::live::{Checkpoint, FeedItem, GapReason, MemoryCheckpoint};
use serde_json::json;

use crate::common::*;

fn checkpoint_covered_until(ago: TimeDelta) -> MemoryCheckpoint {
    let mut checkpoint = MemoryCheckpoint::new();
    let jst = FixedOffset::east_opt(9 * 3600).unwrap();
    checkpoint
        .commit(&[], Some(Utc::now().with_timezone(&jst) - ago))
        .unwrap();
    checkpoint
}

#[tokio::test]
async fn a_404_from_pusheventgetv2_is_a_gap_item_and_the_feed_goes_on_live() {
    let mock = mock().await;
    mock.http_status_next(404).unwrap();
    let mut feed = feed(&mock, checkpoint_covered_until(TimeDelta::minutes(30)));
    let mut others = connected(&mut feed).await;
    let raised = mock.live().raise("patient_accept", json!({}));
    assert_eq!(
        next_event(&mut feed, &mut others).await.uuid.to_string(),
        raised
    );
    let gap = others.iter().find_map(|i| match i {
        FeedItem::Gap(gap) => Some(gap.clone()),
        _ => None,
    });
    let gap = gap.expect("a gap item");
    assert_eq!(
        gap.reason,
        GapReason::CatchUpUnavailable { status: Some(404) }
    );
    assert!(gap.to - gap.from >= TimeDelta::minutes(30));
}

#[tokio::test]
async fn a_gap_beyond_the_retention_is_reported_and_the_rest_is_caught_up() {
    let mock = mock().await;
    let stored = mock.live().raise("patient_accept", json!({}));
    let mut feed = feed(&mock, checkpoint_covered_until(TimeDelta::days(8)));
    let mut others = Vec::new();
    let event = next_event(&mut feed, &mut others).await;
    assert_eq!(
        event.uuid.to_string(),
        stored,
        "the retained part is caught up"
    );
    let gap = others.iter().find_map(|i| match i {
        FeedItem::Gap(gap) => Some(gap.clone()),
        _ => None,
    });
    let gap = gap.expect("a gap item");
    assert_eq!(gap.reason, GapReason::BeyondRetention);
    let lost = gap.to - gap.from;
    assert!(
        lost > TimeDelta::hours(23) && lost <= TimeDelta::days(1) + TimeDelta::minutes(1),
        "{lost}"
    );
    assert!(gap.to.to_string().contains("+09:00"));
}

#[tokio::test]
async fn without_a_catch_up_client_every_reconnect_reports_its_gap() {
    let mock = mock().await;
    let mut feed = config(&mock.ws_url())
        .build(None, checkpoint_covered_until(TimeDelta::minutes(5)))
        .unwrap();
    match item(&mut feed).await.unwrap() {
        FeedItem::Gap(gap) => {
            assert_eq!(gap.reason, GapReason::CatchUpUnavailable { status: None })
        }
        other => panic!("{other:?}"),
    }
    let then = item(&mut feed).await.unwrap();
    assert!(
        matches!(then, FeedItem::Connected { caught_up: 0, .. }),
        "{then:?}"
    );
}
