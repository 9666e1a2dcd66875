//! A server that floods pings and reads nothing back: every ping queues a pong that cannot be
//! written. The socket's write buffer is bounded, a full buffer ends the connection (the feed
//! reconnects), and the feed's memory stays flat. Measured in a child process (this test binary
//! run again), whose peak resident memory the testkit's probe reads.

use std::io::Write as _;
use std::time::{Duration, Instant};

use iryo_orca::live::{FeedItem, MemoryCheckpoint};

const CHILD: &str = "IRYO_FLOOD_CHILD_URL";
/// How long the child lets the flood run.
const FLOOD: Duration = Duration::from_secs(4);
const GOAL_KIB: u64 = 64 * 1024;

/// Answers every subscribe, then writes unmasked pings with the largest payload allowed (125
/// bytes: each costs a pong of 131) straight to the TCP stream for ever, and never reads again.
/// The server's receive buffer is small, so that the pongs back up on the client's side.
async fn flooding_server() -> String {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(16).unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(flood_one(tcp));
        }
    });
    url
}

async fn flood_one(tcp: tokio::net::TcpStream) {
    let Some(mut ws) = crate::common::subscribed_as_s1(tcp).await else {
        return;
    };
    let mut ping = vec![0x89u8, 125];
    ping.extend_from_slice(&[b'p'; 125]);
    let pings = ping.repeat(512);
    let tcp = ws.get_mut();
    loop {
        if tokio::io::AsyncWriteExt::write_all(tcp, &pings)
            .await
            .is_err()
        {
            return;
        }
    }
}

#[test]
fn a_ping_flood_that_reads_nothing_is_a_connection_failure_with_flat_memory() {
    if let Ok(url) = std::env::var(CHILD) {
        return child(&url);
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(flooding_server());
    let figures = crate::common::child_figures(
        "flood::a_ping_flood_that_reads_nothing_is_a_connection_failure_with_flat_memory",
        &[(CHILD, &url)],
        None,
        "flood",
    );
    let (above_steady_kib, failures) = (figures[0], figures[1]);
    eprintln!(
        "ping flood: peak {above_steady_kib} KiB above steady, {failures} connection failures"
    );
    assert!(
        above_steady_kib < GOAL_KIB,
        "{above_steady_kib} KiB above steady"
    );
    assert!(failures >= 1, "a full write buffer ended no connection");
    drop(runtime);
}

/// Runs the feed against the flood for [`FLOOD`]; prints the peak above the steady state (KiB)
/// and how many connections failed with a full write buffer.
fn child(url: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut feed = crate::common::config(url)
            // The CLI's defaults: the flood, not the keepalive, has to end the connection.
            .keepalive(Duration::from_secs(10), Duration::from_secs(30))
            .build(None, MemoryCheckpoint::new())
            .unwrap();
        let steady = iryo_testkit::probe::peak_rss_kib();
        let started = Instant::now();
        let mut failures = 0u64;
        while started.elapsed() < FLOOD {
            let Ok(item) = tokio::time::timeout(FLOOD, feed.next()).await else {
                break;
            };
            if let FeedItem::Reconnecting { reason, .. } = item.expect("no fatal error") {
                let reason = reason.to_string();
                assert!(reason.contains("write buffer"), "{reason}");
                failures += 1;
            }
        }
        let peak = iryo_testkit::probe::peak_rss_kib();
        println!("flood: {} {failures}", peak.saturating_sub(steady));
        std::io::stdout().flush().unwrap();
    });
}
