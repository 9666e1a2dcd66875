//! Reconnecting: the backoff grows while connections do not last, and refused credentials after
//! the first connection are retried (a status item each) instead of ending the feed.

use std::time::{Duration, Instant};

use iryo_orca::live::{Backoff, FeedItem, LiveError, MemoryCheckpoint};

use crate::common::*;

/// Drops every connection `after` it was made, for as long as the task runs.
fn drop_each_connection(
    mock: &iryo_mock::orca::OrcaMock,
    after: Duration,
) -> tokio::task::JoinHandle<()> {
    let live = mock.live();
    tokio::spawn(async move {
        let mut seen = live.connections();
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if live.connections() > seen {
                seen = live.connections();
                tokio::time::sleep(after).await;
                live.drop_sockets();
            }
        }
    })
}

#[tokio::test]
async fn a_server_that_drops_every_connection_soon_after_subscribing_gets_longer_waits() {
    let mock = mock().await;
    let backoff = Backoff {
        base: Duration::from_millis(50),
        max: Duration::from_secs(10),
    };
    let mut feed = config(&mock.ws_url())
        .backoff(backoff)
        .build(Some(catch_up_client(&mock)), MemoryCheckpoint::new())
        .unwrap();
    let dropper = drop_each_connection(&mock, Duration::from_millis(300));
    let started = Instant::now();
    let mut attempts = Vec::new();
    while started.elapsed() < Duration::from_secs(4) {
        let left = Duration::from_secs(4).saturating_sub(started.elapsed());
        match tokio::time::timeout(left, feed.next()).await {
            Ok(Ok(FeedItem::Reconnecting { attempt, .. })) => attempts.push(attempt),
            Ok(other) => {
                other.expect("no fatal error");
            }
            Err(_) => break,
        }
    }
    dropper.abort();
    let connections = mock.live().connections();
    eprintln!("connections in 4 s: {connections}; attempts {attempts:?}");
    assert!(attempts.len() >= 3, "{attempts:?}");
    let expected: Vec<u32> = (1..=attempts.len() as u32).collect();
    assert_eq!(attempts, expected, "the schedule does not restart at 1");
}

#[tokio::test]
async fn refused_credentials_on_a_reconnect_are_retried_until_they_work() {
    let mock = mock().await;
    let mut feed = memory_feed(&mock);
    connected(&mut feed).await;
    for _ in 0..3 {
        mock.live().refuse_next_upgrade(401);
    }
    mock.live().drop_sockets();
    let mut refused = 0;
    loop {
        match item(&mut feed)
            .await
            .expect("a refusal after the first connection is not fatal")
        {
            FeedItem::Reconnecting {
                reason: LiveError::Unauthorized,
                ..
            } => refused += 1,
            FeedItem::Connected { .. } => break,
            _ => {}
        }
    }
    assert_eq!(refused, 3);
    let raised = mock.live().raise("patient_accept", serde_json::json!({}));
    let event = next_event(&mut feed, &mut Vec::new()).await;
    assert_eq!(event.uuid.to_string(), raised);
}

#[tokio::test]
async fn give_up_after_ends_the_feed_when_credentials_stay_refused() {
    let mock = mock().await;
    let mut feed = config(&mock.ws_url())
        .give_up_after(Duration::from_millis(300))
        .build(Some(catch_up_client(&mock)), MemoryCheckpoint::new())
        .unwrap();
    connected(&mut feed).await;
    for _ in 0..1000 {
        mock.live().refuse_next_upgrade(403);
    }
    mock.live().drop_sockets();
    let started = Instant::now();
    let error = loop {
        match item(&mut feed).await {
            Ok(_) => {}
            Err(error) => break error,
        }
    };
    assert!(matches!(error, LiveError::Forbidden), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(300));
}
