//! Socket faults: half-open, refused upgrades, error frames, the 日レセ-style pusher port.

use std::time::Duration;

use iryo_orca::live::{FeedItem, LiveError, MemoryCheckpoint, SocketErrorCode};
use iryo_orca::{Credentials, PushEventBody};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_half_open_socket_is_detected_by_the_keepalive_and_recovered() {
    let mock = mock().await;
    let mut feed = memory_feed(&mock);
    connected(&mut feed).await;
    mock.live().half_open();
    let lost = mock.live().raise("patient_accept", json!({}));
    let mut others = Vec::new();
    let event = next_event(&mut feed, &mut others).await;
    assert_eq!(
        event.uuid.to_string(),
        lost,
        "recovered through the catch-up"
    );
    assert!(
        others.iter().any(|i| matches!(
            i,
            FeedItem::Reconnecting {
                reason: LiveError::KeepaliveTimeout(_),
                ..
            }
        )),
        "{others:?}"
    );
    assert!(mock.live().connections() >= 2);
}

#[tokio::test]
async fn refused_upgrades_are_typed_errors() {
    let mock = mock().await;
    mock.live().refuse_next_upgrade(401);
    let mut feed = memory_feed(&mock);
    assert!(matches!(
        item(&mut feed).await,
        Err(LiveError::Unauthorized)
    ));
    mock.live().refuse_next_upgrade(403);
    let mut feed = memory_feed(&mock);
    assert!(matches!(item(&mut feed).await, Err(LiveError::Forbidden)));
    mock.live().refuse_next_upgrade(503);
    let mut feed = memory_feed(&mock);
    match item(&mut feed).await.unwrap() {
        FeedItem::Reconnecting {
            reason: LiveError::Upgrade { status: 503 },
            attempt: 1,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    connected(&mut feed).await;
}

#[tokio::test]
async fn basic_credentials_on_the_upgrade_are_checked() {
    let mock = mock().await;
    let mut feed = config(&mock.ws_url())
        .credentials(Credentials::basic("ormaster", "wrong"))
        .build(None, MemoryCheckpoint::new())
        .unwrap();
    assert!(matches!(
        item(&mut feed).await,
        Err(LiveError::Unauthorized)
    ));
    let mut feed = config(&mock.ws_url())
        .credentials(Credentials::basic("ormaster", "ormaster"))
        .build(None, MemoryCheckpoint::new())
        .unwrap();
    connected(&mut feed).await;
}

#[tokio::test]
async fn error_frames_refuse_a_subscription_or_make_the_feed_reconnect() {
    let mock = mock().await;
    mock.live()
        .error_on_next_subscribe("INVALID_PARAMS", "no such event");
    let mut feed = memory_feed(&mock);
    match item(&mut feed).await {
        Err(LiveError::SubscribeRefused {
            event,
            code: SocketErrorCode::InvalidParams,
            reason,
        }) => {
            assert_eq!(event, "*");
            assert_eq!(reason.as_deref(), Some("no such event"));
        }
        other => panic!("{other:?}"),
    }
    mock.live()
        .error_on_next_subscribe("INTERNAL_ERROR", "busy");
    let mut feed = memory_feed(&mock);
    match item(&mut feed).await.unwrap() {
        FeedItem::Reconnecting {
            reason:
                LiveError::SubscribeRefused {
                    code: SocketErrorCode::InternalError,
                    ..
                },
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    connected(&mut feed).await;
    mock.live()
        .send_error_frame("INTERNAL_ERROR", "pusher restarting");
    match item(&mut feed).await.unwrap() {
        FeedItem::Reconnecting {
            reason:
                LiveError::Server {
                    code: SocketErrorCode::InternalError,
                    ..
                },
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    connected(&mut feed).await;
}

#[tokio::test]
async fn the_pusher_port_needs_the_tenant_header_which_the_feed_sends() {
    let mock = iryo_mock::orca::OrcaMock::builder()
        .fixtures(false)
        .clock(iryo_mock::orca::Clock::System)
        .pusher(([127, 0, 0, 1], 0).into())
        .spawn()
        .await
        .unwrap();
    let url = mock.pusher_url().unwrap();
    let mut feed = config(&url)
        .tenant_id("1")
        .build(None, MemoryCheckpoint::new())
        .unwrap();
    connected(&mut feed).await;
    let raised = mock.live().raise("patient_accept", json!({}));
    let mut others = Vec::new();
    assert_eq!(
        next_event(&mut feed, &mut others).await.uuid.to_string(),
        raised
    );
}

#[tokio::test]
async fn unknown_events_and_bodies_of_an_unexpected_shape_are_kept() {
    let mock = mock().await;
    let mut feed = memory_feed(&mock);
    connected(&mut feed).await;
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap());
    let time = now.format("%Y-%m-%dT%H:%M:%S%z").to_string();
    let new_kind = json!({"uuid": uuid::Uuid::new_v4().to_string(), "id": 7, "event": "brand_new_event",
        "user": "ormaster", "body": {"Anything": [1, 2]}, "time": time, "extra_key": true});
    let odd_body = json!({"uuid": uuid::Uuid::new_v4().to_string(), "id": 8, "event": "patient_accept",
        "user": "ormaster", "body": ["not", "an", "object"], "time": time});
    mock.live().raise_data(new_kind.clone()).unwrap();
    mock.live().raise_data(odd_body.clone()).unwrap();
    let mut others = Vec::new();
    let first = next_event(&mut feed, &mut others).await;
    assert_eq!(first.event, "brand_new_event");
    assert!(
        matches!(&first.body, PushEventBody::Unknown { body, .. } if body.parse::<serde_json::Value>().unwrap() == new_kind["body"])
    );
    assert_eq!(first.extra.get("extra_key").map(|v| v.get()), Some("true"));
    let second = next_event(&mut feed, &mut others).await;
    assert!(
        matches!(&second.body, PushEventBody::Unknown { body, .. } if body.parse::<serde_json::Value>().unwrap() == odd_body["body"])
    );
}

#[tokio::test]
async fn delayed_pushes_are_delivered_once_whichever_copy_comes_first() {
    let mock = mock().await;
    let mut feed = memory_feed(&mock);
    connected(&mut feed).await;
    mock.live().delay(Duration::from_millis(300));
    let uuid = mock.live().raise("patient_accept", json!({}));
    // Cut before the delayed push goes out: the catch-up finds it first, then the push arrives.
    mock.live().drop_sockets();
    let mut others = Vec::new();
    assert_eq!(
        next_event(&mut feed, &mut others).await.uuid.to_string(),
        uuid
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let next = mock.live().raise("patient_accept", json!({}));
    assert_eq!(
        next_event(&mut feed, &mut others).await.uuid.to_string(),
        next
    );
}
