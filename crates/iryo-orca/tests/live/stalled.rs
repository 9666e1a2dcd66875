//! The mock's pusher never waits for ever on a subscriber that stopped reading: the `drop` fault
//! still closes it at once, and on its own the mock drops it once a write stays blocked.

use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Subscribes to every event, reads the answer, then never reads again; the returned socket is
/// kept open by the caller.
async fn stalled_subscriber(
    url: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let subscribe = json!({ "command": "subscribe", "req.id": 1, "event": "*" });
    ws.send(Message::text(subscribe.to_string())).await.unwrap();
    let Some(Ok(Message::Text(answer))) = ws.next().await else {
        panic!("no answer to subscribe");
    };
    assert!(
        answer.as_str().contains("subscribed"),
        "{}",
        answer.as_str()
    );
    ws
}

/// Raises 30 notifications of 1 MB: far more than the socket buffers hold.
fn flood(mock: &iryo_mock::orca::OrcaMock) {
    let big = "x".repeat(1 << 20);
    for _ in 0..30 {
        mock.live().raise("patient_accept", json!({ "Memo": big }));
    }
}

async fn until_closed(mock: &iryo_mock::orca::OrcaMock, within: Duration) -> Duration {
    let started = Instant::now();
    while mock.live().open_sockets() > 0 {
        assert!(
            started.elapsed() < within,
            "the stalled socket is still open after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

#[tokio::test]
async fn the_drop_fault_closes_a_subscriber_whose_write_is_blocked() {
    let mock = crate::common::mock().await;
    let _ws = stalled_subscriber(&mock.ws_url()).await;
    flood(&mock);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mock.live().open_sockets(), 1);
    mock.live().drop_sockets();
    until_closed(&mock, Duration::from_secs(2)).await;
}

#[tokio::test]
async fn a_stalled_subscriber_is_dropped_by_the_mock() {
    let mock = crate::common::mock().await;
    let _ws = stalled_subscriber(&mock.ws_url()).await;
    flood(&mock);
    let took = until_closed(&mock, Duration::from_secs(15)).await;
    eprintln!("stalled subscriber dropped after {took:?}");
}
