//! The delivery loop against the live ORCA mock and a loopback webhook receiver: a refused
//! event stops the loop at the limit with nothing after it acknowledged; a 429's Retry-After is
//! honoured, capped; a redirect is not followed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use iryo_mock::orca::{Clock, OrcaMock};
use iryo_orca::live::{Backoff, LiveConfig, MemoryCheckpoint};
use iryo_orca::{Client, Credentials};
use iryo_orca_deliver::{
    DeliverError, DeliveryConfig, FailureKind, Progress, Transport, WebhookSink, deliver,
};
use serde_json::json;

/// The receiver's answer to the n-th request (0-based) and the ids it was asked with.
type Answer = fn(usize) -> (StatusCode, &'static [(&'static str, &'static str)]);

async fn receiver(answer: Answer) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new()
        .route(
            "/hook",
            post(move |headers: HeaderMap| {
                let log = log.clone();
                async move {
                    let mut log = log.lock().unwrap();
                    let (status, extra) = answer(log.len());
                    log.push(headers["webhook-id"].to_str().unwrap().to_owned());
                    let mut out = HeaderMap::new();
                    for (name, value) in extra {
                        out.insert(*name, value.parse().unwrap());
                    }
                    (status, out)
                }
            }),
        )
        .route("/elsewhere", post(|| async { StatusCode::OK }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn mock_and_feed() -> (OrcaMock, iryo_orca::live::LiveFeed) {
    let mock = OrcaMock::builder()
        .fixtures(false)
        .clock(Clock::System)
        .spawn()
        .await
        .unwrap();
    let catch_up =
        Client::new(mock.base_url(), Credentials::basic("ormaster", "ormaster")).unwrap();
    let feed = LiveConfig::new(mock.ws_url())
        .backoff(Backoff {
            base: Duration::from_millis(20),
            max: Duration::from_millis(200),
        })
        .build(Some(catch_up), MemoryCheckpoint::new())
        .unwrap();
    (mock, feed)
}

fn quick(max_refusals: Option<u32>) -> DeliveryConfig {
    DeliveryConfig {
        retry_initial: Duration::from_millis(5),
        retry_max: Duration::from_millis(300),
        max_refusals,
        ..DeliveryConfig::default()
    }
}

#[tokio::test]
async fn a_refused_event_stops_at_the_limit_and_nothing_after_it_is_acknowledged() {
    // The first event is taken, the second refused every time.
    let (url, seen) = receiver(|n| {
        if n == 0 {
            (StatusCode::OK, &[])
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, &[])
        }
    })
    .await;
    let (mock, mut feed) = mock_and_feed().await;
    let mut sink = WebhookSink::new(&url, &Transport::new("t", 1024), None).unwrap();
    let live = mock.live();
    let raise = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        (0..3)
            .map(|n| live.raise("patient_accept", json!({ "n": n })))
            .collect::<Vec<_>>()
    };
    let mut acknowledged = Vec::new();
    let mut refusals_reported = 0;
    let config = quick(Some(3));
    let run = deliver(&mut feed, &mut sink, &config, |progress| match progress {
        Progress::Acknowledged(events) => {
            acknowledged.extend(events.iter().map(|e| e.uuid.to_string()))
        }
        Progress::Failed { failure, .. } => {
            assert_eq!(failure.kind, FailureKind::Refused);
            refusals_reported += 1;
        }
        _ => {}
    });
    let (stopped, raised) = tokio::join!(tokio::time::timeout(Duration::from_secs(20), run), raise);
    let error = stopped.expect("stops in time").unwrap_err();
    let DeliverError::Refused { uuid, refusals, .. } = &error else {
        panic!("{error}");
    };
    assert_eq!(uuid.to_string(), raised[1]);
    assert_eq!(*refusals, 3);
    assert!(error.to_string().contains(&raised[1]), "{error}");
    assert_eq!(acknowledged, [raised[0].clone()]);
    assert_eq!(refusals_reported, 2, "a status per refusal before the last");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [&raised[0], &raised[1], &raised[1], &raised[1]].map(|s| s.clone())
    );
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_the_cap_and_redirects_are_refusals() {
    let (url, seen) = receiver(|n| match n {
        0 => (StatusCode::TOO_MANY_REQUESTS, &[("retry-after", "3600")]),
        1 => (
            StatusCode::TEMPORARY_REDIRECT,
            &[("location", "/elsewhere")],
        ),
        _ => (StatusCode::NO_CONTENT, &[]),
    })
    .await;
    let (mock, mut feed) = mock_and_feed().await;
    let mut sink = WebhookSink::new(&url, &Transport::new("t", 1024), None).unwrap();
    let live = mock.live();
    let mut failures = Vec::new();
    let started = Instant::now();
    let config = quick(None);
    let run = deliver(&mut feed, &mut sink, &config, |progress| {
        if let Progress::Failed { failure, delay, .. } = progress {
            failures.push((failure.kind, delay));
        }
    });
    let raise = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let uuid = live.raise("patient_accept", json!({}));
        // Long enough for the 300 ms cap, far short of the hour asked.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        uuid
    };
    tokio::select! {
        _ = run => panic!("the loop ended"),
        _ = raise => {}
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert_eq!(
        failures[0],
        (FailureKind::Failed, Duration::from_millis(300))
    );
    assert_eq!(
        failures[1].0,
        FailureKind::Refused,
        "a redirect is not followed"
    );
    assert_eq!(seen.lock().unwrap().len(), 3, "then acknowledged");
}
