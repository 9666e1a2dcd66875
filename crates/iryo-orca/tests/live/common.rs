//! Shared set-up: a mock with the system clock and short timings everywhere.

use std::time::Duration;

use iryo_mock::orca::{Clock, OrcaMock};
use iryo_orca::live::{
    Backoff, Checkpoint, FeedItem, LiveConfig, LiveError, LiveFeed, MemoryCheckpoint,
};
use iryo_orca::{Client, Credentials, PushEvent};

/// Waiting longer than this for an item means the feed is stuck.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub async fn mock() -> OrcaMock {
    OrcaMock::builder()
        .fixtures(false)
        .clock(Clock::System)
        .spawn()
        .await
        .expect("mock starts")
}

pub fn catch_up_client(mock: &OrcaMock) -> Client {
    Client::new(mock.base_url(), Credentials::basic("ormaster", "ormaster")).unwrap()
}

/// Ping every 100 ms, dead after 400 ms, reconnect within 20..200 ms.
pub fn config(url: &str) -> LiveConfig {
    LiveConfig::new(url)
        .keepalive(Duration::from_millis(100), Duration::from_millis(400))
        .backoff(Backoff {
            base: Duration::from_millis(20),
            max: Duration::from_millis(200),
        })
        .connect_timeout(Duration::from_secs(5))
}

pub fn feed(mock: &OrcaMock, checkpoint: impl Checkpoint + 'static) -> LiveFeed {
    config(&mock.ws_url())
        .build(Some(catch_up_client(mock)), checkpoint)
        .unwrap()
}

pub fn memory_feed(mock: &OrcaMock) -> LiveFeed {
    feed(mock, MemoryCheckpoint::new())
}

/// The next item, or a panic after [`PATIENCE`].
pub async fn item(feed: &mut LiveFeed) -> Result<FeedItem, LiveError> {
    tokio::time::timeout(PATIENCE, feed.next())
        .await
        .expect("the feed answers in time")
}

/// Items until the feed is connected and caught up (reconnects allowed); returns the items
/// before it (the catch-up's events and gaps come first, unacknowledged).
pub async fn connected(feed: &mut LiveFeed) -> Vec<FeedItem> {
    let mut before = Vec::new();
    loop {
        match item(feed).await.expect("no fatal error") {
            FeedItem::Connected { .. } => return before,
            other => before.push(other),
        }
    }
}

/// The next event, acknowledged; other items are skipped (and returned for inspection).
pub async fn next_event(feed: &mut LiveFeed, others: &mut Vec<FeedItem>) -> PushEvent {
    loop {
        match item(feed).await.expect("no fatal error") {
            FeedItem::Event(event) => {
                feed.ack(&event).unwrap();
                return event;
            }
            other => others.push(other),
        }
    }
}

/// The uuids of the mock's store, in answer order.
pub fn stored_uuids(mock: &OrcaMock) -> Vec<String> {
    mock.events()
        .iter()
        .map(|e| e["uuid"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Items up to `Connected`; a reconnect means the catch-up failed, which is the defect.
pub async fn caught_up_items(feed: &mut LiveFeed) -> Vec<FeedItem> {
    let mut items = Vec::new();
    loop {
        match item(feed).await.expect("no fatal error") {
            FeedItem::Connected { .. } => return items,
            FeedItem::Reconnecting { reason, .. } => panic!("the catch-up failed: {reason}"),
            other => items.push(other),
        }
    }
}

/// Runs `test` of this binary again in a child process, with `env`, under `ulimit -v` of
/// `address_space_kib` when given, and returns the figures of its line `{label}: a b ...`
/// (a child measures its own memory, untouched by the other tests of this process).
pub fn child_figures(
    test: &str,
    env: &[(&str, &str)],
    address_space_kib: Option<u64>,
    label: &str,
) -> Vec<u64> {
    let limit = address_space_kib.map_or("unlimited".to_owned(), |kib| kib.to_string());
    let mut command = std::process::Command::new("sh");
    command
        .args([
            "-c",
            r#"ulimit -v "$1" && shift && exec "$@""#,
            "sh",
            &limit,
        ])
        .arg(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"]);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let prefix = format!("{label}: ");
    let line = stdout
        .lines()
        .find_map(|l| l.split_once(prefix.as_str()).map(|(_, figures)| figures))
        .unwrap_or_else(|| panic!("no figures from the child: {stdout}"));
    line.split(' ').map(|f| f.parse().unwrap()).collect()
}

/// A hostile server's side of a connection: the upgrade, then its first subscribe answered with
/// `sub.id` `s1`; `None` when the client went away meanwhile.
pub async fn subscribed_as_s1(
    tcp: tokio::net::TcpStream,
) -> Option<tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>> {
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    let mut ws = tokio_tungstenite::accept_async(tcp).await.ok()?;
    let Some(Ok(Message::Text(subscribe))) = ws.next().await else {
        return None;
    };
    let request: serde_json::Value = serde_json::from_str(subscribe.as_str()).ok()?;
    let answer = serde_json::json!({
        "command": "subscribed", "req.id": request["req.id"], "sub.id": "s1"
    });
    ws.send(Message::text(answer.to_string())).await.ok()?;
    Some(ws)
}
