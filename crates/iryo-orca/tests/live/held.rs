//! A server that floods large notifications while the feed catches up (its `pusheventgetv2`
//! never answers): what the feed holds meanwhile is bounded in bytes, a full buffer ends the
//! connection (the feed reconnects; the cursor has not moved, so nothing is lost), and memory
//! stays flat. Measured in a child process (this test binary run again under `ulimit -v`),
//! whose peak resident memory the testkit's probe reads.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::SinkExt as _;
use iryo_orca::live::{FeedItem, MemoryCheckpoint};
use iryo_orca::{Client, Credentials};
use tokio_tungstenite::tungstenite::Message;

const CHILD_WS: &str = "IRYO_HELD_CHILD_WS";
const CHILD_HTTP: &str = "IRYO_HELD_CHILD_HTTP";
/// Connections a full buffer must end before the child stops (a loaded machine floods slower).
const FULL_BUFFERS: u64 = 2;
/// The longest the child waits for them.
const PATIENCE: Duration = Duration::from_secs(90);
const GOAL_KIB: u64 = 64 * 1024;
/// The child's address space: enough for the feed, far less than holding 100,000 of the frames.
const CHILD_ADDRESS_SPACE_KIB: u64 = 2 * 1024 * 1024;

/// The first connection is subscribed and closed (a first start: the cursor becomes now);
/// every later one is subscribed, then flooded with 512 KiB notifications until it breaks.
async fn flooding_socket() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let nth = connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(flood_one(tcp, nth));
        }
    });
    url
}

async fn flood_one(tcp: tokio::net::TcpStream, nth: usize) {
    let Some(mut ws) = crate::common::subscribed_as_s1(tcp).await else {
        return;
    };
    if nth == 0 {
        return;
    }
    let body = format!("\"{}\"", "x".repeat(512 * 1024));
    for n in 0u64.. {
        let frame = format!(
            r#"{{"command":"event","sub.id":"s1","data":{{"uuid":"00000000-0000-4000-8000-{n:012}","id":1,"event":"patient_accept","user":"u","time":"2026-01-01T00:00:00+0900","body":{{"Patient_ID":{body}}}}}}}"#
        );
        if ws.send(Message::text(frame)).await.is_err() {
            return;
        }
    }
}

/// An HTTP server that accepts and never answers: the catch-up waits.
async fn silent_http() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    url
}

#[test]
fn a_flood_of_large_notifications_during_a_catch_up_is_bounded_in_bytes() {
    if let (Ok(ws), Ok(http)) = (std::env::var(CHILD_WS), std::env::var(CHILD_HTTP)) {
        return child(&ws, &http);
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (ws, http) = runtime.block_on(async { (flooding_socket().await, silent_http().await) });
    let figures = crate::common::child_figures(
        "held::a_flood_of_large_notifications_during_a_catch_up_is_bounded_in_bytes",
        &[(CHILD_WS, &ws), (CHILD_HTTP, &http)],
        Some(CHILD_ADDRESS_SPACE_KIB),
        "held",
    );
    let (above_steady_kib, full) = (figures[0], figures[1]);
    eprintln!(
        "large notifications during a catch-up: peak {above_steady_kib} KiB above steady, {full} connections ended by a full buffer"
    );
    assert!(
        above_steady_kib < GOAL_KIB,
        "{above_steady_kib} KiB above steady"
    );
    assert!(
        full >= FULL_BUFFERS,
        "a full buffer ended {full} connections"
    );
    drop(runtime);
}

/// Runs the feed until a full buffer ended [`FULL_BUFFERS`] connections (or [`PATIENCE`] ran
/// out); prints the peak above the steady state (KiB) and how many connections a full buffer ended.
fn child(ws: &str, http: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let catch_up = Client::new(http, Credentials::basic("ormaster", "ormaster")).unwrap();
        let mut feed = crate::common::config(ws)
            .build(Some(catch_up), MemoryCheckpoint::new())
            .unwrap();
        let steady = iryo_testkit::probe::peak_rss_kib();
        let started = Instant::now();
        let mut full = 0u64;
        while full < FULL_BUFFERS && started.elapsed() < PATIENCE {
            let Ok(item) = tokio::time::timeout(PATIENCE, feed.next()).await else {
                break;
            };
            match item.expect("no fatal error") {
                FeedItem::Reconnecting { reason, .. } => {
                    let reason = reason.to_string();
                    if reason.contains("bytes of live notifications") {
                        full += 1;
                    }
                }
                FeedItem::Event(event) => panic!("delivered before its catch-up: {}", event.uuid),
                _ => {}
            }
        }
        let peak = iryo_testkit::probe::peak_rss_kib();
        println!("held: {} {full}", peak.saturating_sub(steady));
        std::io::stdout().flush().unwrap();
    });
}
