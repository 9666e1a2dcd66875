//! `iryo orca watch --webhook / --exec` against the live ORCA mock: events raised at a steady
//! rate, the socket cut again and again, the receiver failing one request in ten (500, a cut
//! connection, a timeout; exit 1, a signal, a timeout), the watcher SIGKILLed and restarted.
//! Every event is acknowledged, in order, as push-events prints it; a repeat only of an event
//! whose acknowledgement a kill lost.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde_json::json;

use crate::common::live_orca_mock;
use crate::watcher::{PATIENCE, Watcher, push_events_lines};

/// A command started by a killed watcher runs on (at most the 1 s of the slow attempt below).
const ORPHANS_END: Duration = Duration::from_millis(1200);

/// The webhook's key, and the secret as the watcher reads it.
const KEY: &[u8] = b"a test key of the webhook receiver";

/// One acknowledged delivery as the receiver saw it.
#[derive(Clone, Debug)]
struct Received {
    uuid: String,
    body: String,
}

/// Raises 200 events at about 50 a second, cuts the socket every 25 events, SIGKILLs the
/// watcher three times (raising more while it is down) and restarts it; then waits until the
/// receiver acknowledged every raised event and checks what it got.
fn scenario(args: &[&str], env: &[(&str, &str)], received: impl Fn() -> Vec<Received>) {
    let orca = live_orca_mock();
    let live = orca.live();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");
    let mut all_args = vec![
        "--max-backoff",
        "0.2",
        "--sink-retry-initial-ms",
        "10",
        "--sink-retry-max-ms",
        "200",
    ];
    all_args.extend_from_slice(args);
    let start = |state: &Path| Watcher::start_with_env(&orca.base_url(), state, &all_args, env);
    let mut watcher = start(&state);
    let mut kills = Vec::new();
    for n in 0..200 {
        live.raise("patient_accept", json!({ "Patient_ID": format!("{n:05}") }));
        std::thread::sleep(Duration::from_millis(20));
        if n % 25 == 24 {
            live.drop_sockets();
        }
        if n % 60 == 59 {
            watcher.signal("-KILL");
            let (code, _, _) = watcher.finish();
            assert_eq!(code, -1, "killed");
            for _ in 0..5 {
                live.raise("patient_infomation", json!({ "Patient_Mode": "add" }));
                std::thread::sleep(ORPHANS_END / 5);
            }
            // What a receiver started by the killed watcher acknowledged counts before the kill.
            kills.push(received().len());
            watcher = start(&state);
        }
    }
    let expected = push_events_lines(&orca.base_url());
    assert_eq!(expected.len(), 215);
    let started = Instant::now();
    loop {
        let got: HashSet<String> = received().into_iter().map(|r| r.body).collect();
        if expected.iter().all(|line| got.contains(line)) {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE * 2,
            "not every event acknowledged; stderr: {:?}",
            watcher.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    watcher.signal("-TERM");
    let (code, stdout, stderr) = watcher.finish();
    assert_eq!(code, 0, "{stderr:?}");
    assert!(stdout.is_empty(), "events go to the receiver only");
    for (_, value) in env {
        let key = value.trim_start_matches("whsec_");
        assert!(!stderr.join("\n").contains(key), "a secret on stderr");
    }
    assert!(
        stderr.iter().any(|l| l.starts_with("delivery of ")),
        "failed attempts are reported: {stderr:?}"
    );

    let got = received();
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut order = Vec::new();
    let mut repeats = 0;
    for (at, delivery) in got.iter().enumerate() {
        assert!(expected.contains(&delivery.body), "{}", delivery.body);
        let uuid: serde_json::Value = serde_json::from_str(&delivery.body).unwrap();
        assert_eq!(uuid["uuid"], delivery.uuid.as_str(), "the id is the uuid");
        match first_seen.get(delivery.body.as_str()) {
            None => {
                first_seen.insert(&delivery.body, at);
                order.push(delivery.body.clone());
            }
            Some(&first) => {
                repeats += 1;
                assert!(
                    kills.iter().any(|&k| first < k && k <= at),
                    "{} repeated without a kill in between its deliveries {first} and {at}",
                    delivery.uuid
                );
            }
        }
    }
    assert_eq!(order, expected, "every event, in order");
    eprintln!(
        "{} deliveries acknowledged, {repeats} repeats after {} kills",
        got.len(),
        kills.len()
    );
    // A kill loses at most the acknowledgements of the last SAVE_EVERY (250 ms): at this test's
    // rates (50 events/s, a catch-up of about 20 after a restart) far fewer than 100.
    assert!(repeats <= kills.len() * 100, "{repeats}");
}

#[test]
fn webhook_every_event_acknowledged_signed_in_order_through_cuts_failures_and_kills() {
    let log: Arc<Mutex<Vec<Received>>> = Arc::default();
    let url = receiver(log.clone());
    let secret = format!("whsec_{}", STANDARD.encode(KEY));
    let args = ["--webhook", url.as_str(), "--webhook-timeout", "0.5"];
    let env = [("IRYO_WEBHOOK_SECRET", secret.as_str())];
    scenario(&args, &env, || log.lock().unwrap().clone());
}

/// A blocking HTTP/1.1 receiver on loopback: request 10n+3 fails (a 500, a cut connection, or
/// no answer within the watcher's timeout, in turn); the others are verified and acknowledged.
fn receiver(log: Arc<Mutex<Vec<Received>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let (log, count) = (log.clone(), count.clone());
            std::thread::spawn(move || serve_connection(stream, &log, &count));
        }
    });
    url
}

fn serve_connection(stream: TcpStream, log: &Mutex<Vec<Received>>, count: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    while let Some((path, headers, body)) = read_request(&mut reader) {
        assert_eq!(path, "/hook");
        let n = count.fetch_add(1, Ordering::SeqCst);
        if n % 10 == 3 {
            match (n / 10) % 3 {
                0 => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
                    );
                    continue;
                }
                1 => {
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                _ => {
                    std::thread::sleep(Duration::from_millis(900));
                    return;
                }
            }
        }
        let id = headers["webhook-id"].clone();
        let timestamp = headers["webhook-timestamp"].clone();
        let signature = headers["webhook-signature"].clone();
        assert_eq!(headers["content-type"], "application/json");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        assert_eq!(signature, expected, "the signature verifies");
        log.lock().unwrap().push(Received { uuid: id, body });
        let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\n\r\n");
    }
}

/// One POST: its path, headers (names in lower case) and body.
pub(crate) fn read_request(
    reader: &mut impl BufRead,
) -> Option<(String, HashMap<String, String>, String)> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let path = line
        .strip_prefix("POST ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("not a POST: {line}"))
        .to_owned();
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, headers, String::from_utf8(body).unwrap()))
}

#[test]
fn exec_every_event_acknowledged_in_order_through_cuts_failures_and_kills() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("received.tsv");
    let script = dir.path().join("receiver.sh");
    // Attempt 10n+3 fails: exit 1, killed by a signal, or past --exec-timeout, in turn.
    std::fs::write(
        &script,
        format!(
            r#"line=$(cat)
counter={counter}
n=$(cat "$counter" 2>/dev/null || echo 0)
echo $((n + 1)) > "$counter"
if [ $((n % 10)) -eq 3 ]; then
  case $((n / 10 % 3)) in
    0) exit 1 ;;
    1) kill -KILL $$ ;;
    *) sleep 1 ;;
  esac
fi
printf '%s\t%s\t%s\t%s%s\t%s\n' "$IRYO_EVENT_UUID" "$IRYO_EVENT_NAME" "$IRYO_EVENT_TIME" "$IRYO_TENANT_ID" "${{ORCA_PASSWORD:+ the ORCA password leaked}}" "$line" >> {log}
"#,
            counter = dir.path().join("counter").display(),
            log = log.display(),
        ),
    )
    .unwrap();
    let command = format!("sh {}", script.display());
    let args = ["--exec", command.as_str(), "--exec-timeout", "0.3"];
    scenario(&args, &[], || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.lines()
            .filter(|l| l.ends_with('}'))
            .map(|l| {
                let fields: Vec<&str> = l.splitn(5, '\t').collect();
                let data: serde_json::Value = serde_json::from_str(fields[4]).unwrap();
                assert_eq!(data["event"], fields[1], "IRYO_EVENT_NAME");
                let time = chrono::DateTime::parse_from_rfc3339(fields[2]).expect("RFC 3339");
                let wire = chrono::DateTime::parse_from_str(
                    data["time"].as_str().unwrap(),
                    "%Y-%m-%dT%H:%M:%S%z",
                )
                .unwrap();
                assert_eq!(time, wire, "IRYO_EVENT_TIME");
                assert_eq!(fields[3], "1", "IRYO_TENANT_ID, and no ORCA_PASSWORD");
                Received {
                    uuid: fields[0].to_owned(),
                    body: fields[4].to_owned(),
                }
            })
            .collect()
    });
}

#[test]
fn a_receiver_that_keeps_refusing_stops_the_watcher_with_exit_1_naming_the_event() {
    let receiver = crate::common::serve(async {
        Ok::<_, std::io::Error>(
            iryo_testkit::probe::canned(422, "text/plain", "no such patient").await,
        )
    });
    let orca = live_orca_mock();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");
    let url = format!("{}/hook", *receiver);
    let args = [
        "--webhook",
        url.as_str(),
        "--sink-max-attempts",
        "2",
        "--sink-retry-initial-ms",
        "10",
    ];
    let watcher = Watcher::start(&orca.base_url(), &state, &args);
    let uuid = orca.live().raise("patient_accept", json!({}));
    let (code, stdout, stderr) = watcher.finish();
    assert_eq!(code, 1, "{stderr:?}");
    assert!(stdout.is_empty());
    let error = stderr.last().unwrap();
    assert!(
        error.starts_with("error: the receiver refused event ")
            && error.contains(&uuid)
            && error.contains("HTTP 422")
            && error.contains("no such patient"),
        "{error}"
    );
    assert_eq!(
        stderr
            .iter()
            .filter(|l| l.starts_with("delivery of "))
            .count(),
        1,
        "one status line per failed attempt before the last: {stderr:?}"
    );
}

#[test]
fn a_webhook_over_plain_http_off_loopback_needs_consent() {
    let run = crate::common::iryo(&[
        "orca",
        "watch",
        "--ws-url",
        "ws://127.0.0.1:1/ws",
        "--base-url",
        "http://127.0.0.1:1",
        "--webhook",
        "http://192.0.2.10/hook",
    ])
    .run();
    let line = run.single_error_line(4);
    assert!(line.contains("--allow-insecure-http 192.0.2.10"), "{line}");
}

#[test]
fn sigterm_stops_a_running_command_and_what_it_started() {
    let orca = live_orca_mock();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");
    let pid_file = dir.path().join("pid");
    let command = format!("echo $$ > {}; sleep 30; sleep 30", pid_file.display());
    let watcher = Watcher::start(&orca.base_url(), &state, &["--exec", command.as_str()]);
    orca.live().raise("patient_accept", json!({}));
    watcher.wait_until("the command", |_| {
        std::fs::read_to_string(&pid_file).is_ok_and(|p| p.ends_with('\n'))
    });
    let group = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_owned();
    watcher.signal("-TERM");
    let (code, _, stderr) = watcher.finish();
    assert_eq!(code, 0, "{stderr:?}");
    let started = Instant::now();
    loop {
        let running = running_in_group(&group);
        if running.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the command's process group {group} survived: {running:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Processes of process group `group` that are not zombies (`/proc/PID/stat`: state, ppid, pgrp).
fn running_in_group(group: &str) -> Vec<String> {
    let mut running = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().map_while(Result::ok) {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After the command name in parentheses: state, ppid, pgrp.
        let Some((_, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let fields: Vec<&str> = rest.split(' ').collect();
        if fields.len() > 2 && fields[2] == group && fields[0] != "Z" {
            running.push(stat.clone());
        }
    }
    running
}
