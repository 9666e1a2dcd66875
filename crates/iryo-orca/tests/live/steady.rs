//! Events at a steady rate while the socket is cut again and again: each exactly once, in order.

use std::collections::HashSet;
use std::time::Duration;

use iryo_orca::live::{FeedItem, SqliteCheckpoint};
use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_once_and_in_order_while_the_socket_is_cut_again_and_again() {
    let mock = mock().await;
    let mut feed = memory_feed(&mock);
    connected(&mut feed).await;
    let live = mock.live();
    live.start_generator(400, "patient_accept");
    let cutter = {
        let live = live.clone();
        tokio::spawn(async move {
            for _ in 0..8 {
                tokio::time::sleep(Duration::from_millis(150)).await;
                live.drop_sockets();
            }
            live.stop_generator();
        })
    };
    let mut got = Vec::new();
    let mut others = Vec::new();
    let mut cutter = cutter;
    let mut cut_done = false;
    while !(cut_done && got.len() as u64 >= live.generated()) {
        let step = tokio::time::timeout(PATIENCE, async {
            tokio::select! {
                event = next_event(&mut feed, &mut others) => Some(event),
                _ = &mut cutter, if !cut_done => None,
            }
        });
        match step.await {
            Ok(Some(event)) => got.push(event.uuid.to_string()),
            Ok(None) => cut_done = true,
            Err(_) => panic!(
                "stuck after {} of {} events; stored {}",
                got.len(),
                live.generated(),
                stored_uuids(&mock).len()
            ),
        }
    }
    let reconnects = others
        .iter()
        .filter(|i| matches!(i, FeedItem::Reconnecting { .. }))
        .count();
    // A cut that falls while the feed is between sockets cuts nothing.
    assert!(
        reconnects >= 4,
        "the socket was cut 8 times, saw {reconnects} reconnects"
    );
    assert!(got.len() > 200, "{} events", got.len());
    let unique: HashSet<_> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no event twice");
    assert_eq!(
        got,
        stored_uuids(&mock),
        "every stored event, in the store's order"
    );
}

#[tokio::test]
async fn duplicated_pushes_and_several_subscriptions_deliver_each_event_once() {
    let mock = mock().await;
    let mut feed = config(&mock.ws_url())
        .event("*")
        .event("patient_accept")
        .build(
            Some(catch_up_client(&mock)),
            iryo_orca::live::MemoryCheckpoint::new(),
        )
        .unwrap();
    match item(&mut feed).await.unwrap() {
        FeedItem::Connected { subscriptions, .. } => assert_eq!(subscriptions.len(), 2),
        other => panic!("expected Connected, got {other:?}"),
    }
    mock.live().duplicate_next(3);
    for n in 0..5 {
        mock.live()
            .raise("patient_accept", json!({ "Patient_ID": format!("{n:05}") }));
    }
    let mut others = Vec::new();
    let mut got = Vec::new();
    for _ in 0..5 {
        got.push(next_event(&mut feed, &mut others).await.uuid.to_string());
    }
    assert_eq!(got, stored_uuids(&mock));
    // Nothing else is pending: a sixth event is the next thing delivered.
    let sixth = mock.live().raise("patient_accept", json!({}));
    assert_eq!(
        next_event(&mut feed, &mut others).await.uuid.to_string(),
        sixth
    );
}

#[tokio::test]
async fn a_restarted_feed_with_its_sqlite_state_goes_on_after_the_last_ack() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.sqlite");
    let mut others = Vec::new();
    let first: Vec<String> = {
        let mut feed = feed(&mock, SqliteCheckpoint::open(&path).unwrap());
        connected(&mut feed).await;
        for _ in 0..20 {
            mock.live().raise("patient_accept", json!({}));
        }
        let mut got = Vec::new();
        for _ in 0..20 {
            got.push(next_event(&mut feed, &mut others).await.uuid.to_string());
        }
        feed.flush().unwrap();
        got
    };
    // Raised while nobody listens: only pusheventgetv2 has them now.
    for _ in 0..15 {
        mock.live()
            .raise("patient_infomation", json!({ "Patient_Mode": "add" }));
    }
    let mut feed = feed(&mock, SqliteCheckpoint::open(&path).unwrap());
    let mut second = Vec::new();
    for _ in 0..15 {
        second.push(next_event(&mut feed, &mut others).await.uuid.to_string());
    }
    let mut all = first.clone();
    all.extend(second);
    assert_eq!(all, stored_uuids(&mock), "none lost, none repeated");
    let caught_up = match item(&mut feed).await.unwrap() {
        FeedItem::Connected { caught_up, .. } => Some(caught_up),
        other => panic!("Connected follows the caught-up events: {other:?}"),
    };
    assert_eq!(
        caught_up,
        Some(35),
        "the catch-up window reaches back over the skew margin"
    );
}

#[tokio::test]
async fn two_hundred_subscribers_at_once_each_get_every_event() {
    let mock = mock().await;
    let mut feeds = Vec::new();
    for _ in 0..200 {
        feeds.push(memory_feed(&mock));
    }
    let mut connecting = tokio::task::JoinSet::new();
    for mut feed in feeds {
        connecting.spawn(async move {
            connected(&mut feed).await;
            feed
        });
    }
    let mut feeds = Vec::new();
    while let Some(feed) = connecting.join_next().await {
        feeds.push(feed.unwrap());
    }
    assert_eq!(mock.live().open_sockets(), 200);
    assert_eq!(mock.live().subscriptions(), 200);
    let raised: Vec<String> = (0..10)
        .map(|_| mock.live().raise("patient_accept", json!({})))
        .collect();
    let mut receiving = tokio::task::JoinSet::new();
    for mut feed in feeds {
        receiving.spawn(async move {
            let mut others = Vec::new();
            let mut got = Vec::new();
            for _ in 0..10 {
                got.push(next_event(&mut feed, &mut others).await.uuid.to_string());
            }
            got
        });
    }
    while let Some(got) = receiving.join_next().await {
        assert_eq!(got.unwrap(), raised);
    }
}
