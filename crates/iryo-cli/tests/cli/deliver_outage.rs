//! A webhook receiver down for a while, events raised at a steady rate meanwhile: the watcher
//! lets go of its socket (nothing piles up for it, here or in the server), its memory stays flat,
//! and once the receiver is back it fetches what came meanwhile from its cursor: every event
//! delivered once, in order.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iryo_testkit::probe::peak_rss_kib_of;
use serde_json::json;

use crate::common::live_orca_mock;
use crate::watcher::{PATIENCE, Watcher, push_events_lines};

/// Events raised per second, before, during and after the outage.
const RATE: u64 = 200;
/// How long the receiver is down.
const OUTAGE: Duration = Duration::from_secs(12);
/// Peak memory may grow this much between early in the outage and its end (allocator noise).
const FLAT_KIB: u64 = 3 * 1024;

#[test]
fn a_receiver_down_for_a_while_costs_no_memory_and_every_event_comes_after_it() {
    let orca = live_orca_mock();
    let live = orca.live();
    let down = Arc::new(AtomicBool::new(false));
    let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
    let url = receiver(down.clone(), bodies.clone());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");
    let args = [
        "--webhook",
        url.as_str(),
        "--max-backoff",
        "0.2",
        "--sink-retry-initial-ms",
        "10",
        "--sink-retry-max-ms",
        "200",
        "--sink-hold-socket-ms",
        "1000",
    ];
    let watcher = Watcher::start(&orca.base_url(), &state, &args);
    let raise_for = |span: Duration| {
        let started = Instant::now();
        let mut n = 0u64;
        while started.elapsed() < span {
            live.raise("patient_accept", json!({ "Patient_ID": format!("{n:05}") }));
            n += 1;
            std::thread::sleep(Duration::from_millis(1000 / RATE));
        }
        n
    };
    raise_for(Duration::from_secs(2));

    down.store(true, Ordering::SeqCst);
    let mut during = raise_for(Duration::from_secs(3));
    assert_eq!(
        live.open_sockets(),
        0,
        "the socket is let go while the receiver is down"
    );
    assert!(
        watcher
            .stderr()
            .iter()
            .any(|l| l.contains("the socket is let go")),
        "{:?}",
        watcher.stderr()
    );
    let early = peak_rss_kib_of(watcher.pid());
    during += raise_for(OUTAGE - Duration::from_secs(3));
    assert_eq!(
        live.open_sockets(),
        0,
        "no reconnect while the receiver is down"
    );
    let late = peak_rss_kib_of(watcher.pid());
    assert!(early > 0, "no /proc to measure the watcher");
    assert!(
        late <= early + FLAT_KIB,
        "the watcher grew from {early} KiB to {late} KiB while the receiver was down"
    );

    down.store(false, Ordering::SeqCst);
    raise_for(Duration::from_secs(1));
    let expected = push_events_lines(&orca.base_url());
    // The rate is what the machine allows (a loaded one raises fewer); the outage must hold some.
    assert!(
        during >= RATE,
        "only {during} events raised during the outage"
    );
    assert!(expected.len() as u64 >= during, "{}", expected.len());
    let started = Instant::now();
    loop {
        let got: HashSet<String> = bodies.lock().unwrap().iter().cloned().collect();
        if expected.iter().all(|line| got.contains(line)) {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "not every event delivered after the outage ({} of {}); stderr: {:?}",
            got.len(),
            expected.len(),
            watcher.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    watcher.signal("-TERM");
    let (code, _, stderr) = watcher.finish();
    assert_eq!(code, 0, "{stderr:?}");
    assert!(
        !stderr.iter().any(|l| l.starts_with("warning: gap")),
        "{stderr:?}"
    );
    assert_eq!(
        *bodies.lock().unwrap(),
        expected,
        "each event once, in order"
    );
}

/// A blocking HTTP/1.1 receiver on loopback: 503 while `down`, else 204 and the body recorded.
fn receiver(down: Arc<AtomicBool>, bodies: Arc<Mutex<Vec<String>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let (down, bodies) = (down.clone(), bodies.clone());
            std::thread::spawn(move || serve(stream, &down, &bodies));
        }
    });
    url
}

fn serve(stream: TcpStream, down: &AtomicBool, bodies: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    while let Some(body) = read_body(&mut reader) {
        let answer: &[u8] = if down.load(Ordering::SeqCst) {
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n"
        } else {
            bodies.lock().unwrap().push(body);
            b"HTTP/1.1 204 No Content\r\n\r\n"
        };
        if stream.write_all(answer).is_err() {
            return;
        }
    }
}

fn read_body(reader: &mut impl BufRead) -> Option<String> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}
