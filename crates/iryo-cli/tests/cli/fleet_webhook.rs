//! `iryo orca fleet` replicas as processes with webhook sinks (and one command tenant): events
//! raised for every tenant while one replica is SIGKILLed. Every event reaches its tenant's
//! receiver at least once, signed with that tenant's secret (read from the environment), first
//! deliveries in the store's order; a repeat only of an event first delivered before the kill,
//! at most one receiver batch per tenant; the command never sees a secret the file names.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use iryo_testkit::postgres::TestPostgres;
use serde_json::json;

use crate::deliver::read_request;
use crate::fleet::{
    Replica, fleet_mock, header, id, open_sockets, shares, wait_until, write_config,
};

/// Tenants with a webhook; one more runs a command.
const WEBHOOKS: usize = 10;
/// `iryo_orca_fleet::RECEIVER_BATCH`: the repeats a takeover may cause per tenant.
const RECEIVER_BATCH: usize = 32;

fn key(n: usize) -> Vec<u8> {
    format!("the webhook key of tenant {n:03}").into_bytes()
}

/// (tenant path, uuid, arrival), each POST whose signature verified with its tenant's key.
type Log = Arc<Mutex<Vec<(String, String, Instant)>>>;

fn receiver(log: Log) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let log = log.clone();
            std::thread::spawn(move || serve(stream, &log));
        }
    });
    base
}

fn serve(stream: TcpStream, log: &Mutex<Vec<(String, String, Instant)>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    while let Some((path, headers, body)) = read_request(&mut reader) {
        let n: usize = path.trim_start_matches("/hook/clinic-").parse().unwrap();
        let (id, timestamp) = (&headers["webhook-id"], &headers["webhook-timestamp"]);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key(n)).unwrap();
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        assert_eq!(
            headers["webhook-signature"], expected,
            "signed with the tenant's key"
        );
        let line: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(line["uuid"].as_str(), Some(id.as_str()));
        log.lock().unwrap().push((path, id.clone(), Instant::now()));
        let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\n\r\n");
    }
}

#[test]
fn webhook_tenants_two_replicas_one_sigkilled_every_event_at_least_once_repeats_bounded() {
    let tenants = WEBHOOKS + 1;
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = fleet_mock(tenants);
    let log: Log = Arc::default();
    let base = receiver(log.clone());
    let out = dir.path().join("command.jsonl");
    let config = write_config(&mock, tenants, dir.path());
    let mut text = std::fs::read_to_string(&config).unwrap();
    let mut env = Vec::new();
    for n in 0..tenants {
        let extra = if n < WEBHOOKS {
            env.push((
                format!("FLEET_WHSEC_{n}"),
                format!("whsec_{}", STANDARD.encode(key(n))),
            ));
            format!(
                "sink = \"webhook\"\nwebhook = {{ url = \"{base}/{}\", secret_env = \"FLEET_WHSEC_{n}\" }}\n",
                id(n)
            )
        } else {
            // Exits 1 (never acknowledges) if it can see any tenant's webhook secret.
            format!(
                "sink = \"command\"\ncommand = {{ run = 'env | grep -q FLEET_WHSEC && exit 1; cat >> {}' }}\n",
                out.display()
            )
        };
        let at = format!("id = \"{}\"\n", id(n));
        text = text.replace(&at, &format!("{at}{extra}"));
    }
    std::fs::write(&config, text).unwrap();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut a = Replica::spawn_with(&config, pg.url(), dir.path().join("a.log"), &env);
    let b = Replica::spawn_with(&config, pg.url(), dir.path().join("b.log"), &env);
    wait_until(
        Duration::from_secs(30),
        "two shares, every tenant connected once",
        || {
            let shares = shares(&pg);
            shares.len() == 2
                && shares.iter().sum::<usize>() == tenants
                && open_sockets(&mock, tenants) == vec![1; tenants]
        },
    );

    let mut raised: Vec<Vec<String>> = vec![Vec::new(); tenants];
    let mut killed_at = None;
    for round in 0..20 {
        for (n, uuids) in raised.iter_mut().enumerate() {
            let live = mock.tenant_live(&header(n)).unwrap();
            uuids.push(live.raise(
                "patient_accept",
                json!({"Patient_ID": format!("{round:05}")}),
            ));
        }
        if round == 5 {
            a.kill();
            killed_at = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let killed_at = killed_at.unwrap();
    wait_until(
        Duration::from_secs(10).saturating_sub(killed_at.elapsed()),
        "B runs every tenant",
        || shares(&pg) == [tenants] && open_sockets(&mock, tenants) == vec![1; tenants],
    );
    let takeover = killed_at.elapsed();
    let per_tenant = || {
        let mut got: BTreeMap<usize, Vec<(String, Instant)>> = BTreeMap::new();
        for (path, uuid, at) in log.lock().unwrap().iter() {
            let n: usize = path.trim_start_matches("/hook/clinic-").parse().unwrap();
            got.entry(n).or_default().push((uuid.clone(), *at));
        }
        got
    };
    let command_lines = || -> Vec<String> {
        std::fs::read_to_string(&out)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["uuid"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let firsts = |got: &[(String, Instant)]| {
        let mut seen = HashMap::new();
        for (i, (uuid, _)) in got.iter().enumerate() {
            seen.entry(uuid.clone()).or_insert(i);
        }
        let mut order: Vec<(usize, String)> = seen.into_iter().map(|(u, i)| (i, u)).collect();
        order.sort();
        order.into_iter().map(|(_, u)| u).collect::<Vec<_>>()
    };
    wait_until(Duration::from_secs(30), "every event at least once", || {
        let got = per_tenant();
        (0..WEBHOOKS).all(|n| got.get(&n).is_some_and(|g| firsts(g) == raised[n]))
            && firsts(
                &command_lines()
                    .into_iter()
                    .map(|u| (u, killed_at))
                    .collect::<Vec<_>>(),
            ) == raised[WEBHOOKS]
    });
    let mut repeats = 0;
    for (n, got) in per_tenant() {
        let mut first: HashMap<&str, Instant> = HashMap::new();
        let mut mine = 0;
        for (uuid, at) in &got {
            match first.get(uuid.as_str()) {
                None => {
                    first.insert(uuid, *at);
                }
                Some(before) => {
                    mine += 1;
                    assert!(
                        *before < killed_at && *at > killed_at,
                        "{} {uuid}: repeated without the kill in between",
                        id(n)
                    );
                }
            }
        }
        assert!(mine <= RECEIVER_BATCH, "{}: {mine} repeats", id(n));
        repeats += mine;
    }
    assert!(
        takeover < Duration::from_secs(10),
        "takeover took {takeover:?}"
    );
    assert_eq!(pg.psql("SELECT count(*) FROM iryo.orca_events").trim(), "0");
    let log_b = b.terminate();
    for (_, secret) in &env {
        assert!(!log_b.contains(secret), "a webhook secret is in the log");
    }
    eprintln!(
        "takeover after SIGKILL: {takeover:?}; {repeats} repeats over {WEBHOOKS} webhook tenants"
    );
}
