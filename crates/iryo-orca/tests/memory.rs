//! Hostile bodies just under the size limit cost the answer once, well within the goal of 64 MiB
//! above the steady state: unknown JSON is kept as text, never as `serde_json::Value` (about 100
//! times its size), and a body that large is a part of the answer's text, not a copy. A counting
//! allocator measures the peak of the whole process (server included) during one call, so the
//! tests take turns.

use bytes::Bytes;
use iryo_orca::{Client, Config, Credentials, PushEventBody, RetryPolicy};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const GOAL: usize = 64 * 1024 * 1024;
/// The process-wide counter measures one call at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// The answer is read once: its size and a quarter more (a second copy of the body would be twice).
fn bound(size: usize) -> usize {
    size + size / 4
}

/// `[{"data":{... "event": event, "body": body}}]` with `body` = `[0,0,...]` of about `size` bytes.
fn answer(event: &str, body_prefix: &str, body_suffix: &str, size: usize) -> Bytes {
    let mut out = format!(
        r#"[{{"data":{{"uuid":"2df2ef80-8978-4817-b929-c07e4ba39e6f","id":1,"event":"{event}","user":"u","time":"2018-01-24T16:02:53+0900","body":{body_prefix}[0"#
    )
    .into_bytes();
    while out.len() < size {
        out.extend_from_slice(b",0");
    }
    out.extend_from_slice(format!("]{body_suffix}}}}}]").as_bytes());
    Bytes::from(out)
}

async fn serve(body: Bytes) -> String {
    iryo_testkit::probe::canned(200, "application/json", body).await
}

/// Peak bytes above the steady state while `client` fetches the answer.
async fn peak_of_one_call(client: &Client) -> (usize, Vec<iryo_orca::PushEvent>) {
    let steady = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let events = client.push_events().send().await.unwrap().events;
    (ALLOCATOR.peak_usage().saturating_sub(steady), events)
}

#[tokio::test(flavor = "current_thread")]
async fn thirty_megabytes_of_unknown_json_stay_within_the_goal() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let size = 30 * 1000 * 1000;
    for (event, prefix, suffix) in [
        ("unheard_of", "", ""), // an unknown event's body
        ("patient_accept", r#"{"Patient_ID":"1","Extra":"#, "}"), // an unknown key of a known body
    ] {
        let url = serve(answer(event, prefix, suffix, size)).await;
        let client = Config::new(url, Credentials::basic("ormaster", "ormaster"))
            .retry(RetryPolicy::none())
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap();
        let (peak, events) = peak_of_one_call(&client).await;
        eprintln!(
            "{event}: peak {:.1} MiB above steady state",
            peak as f64 / 1048576.0
        );
        assert!(peak < GOAL.min(bound(size)), "{event}: {} MiB", peak >> 20);
        // Too large to be a real notification's body: kept as received, even a known event's.
        match &events[0].body {
            PushEventBody::Unknown { body, .. } => assert!(body.get().len() > size - 1000),
            other => panic!("{other:?}"),
        }
    }
}

/// A server that sends a chunked body for ever (no `Content-Length`): refused at the size limit,
/// having held the limit and at most one block more, never the chain of buffers (the limit and
/// its double at the last step) that growing one buffer leaves behind.
#[tokio::test(flavor = "current_thread")]
async fn an_endless_chunked_answer_is_refused_at_the_limit_holding_the_limit_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mock = iryo_mock::orca::OrcaMock::builder()
        .account("ormaster", "ormaster")
        .spawn()
        .await
        .unwrap();
    mock.push_fault(iryo_mock::Fault::Generated {
        prefix: r#"[{"data":{"uuid":"x","body":[0"#.to_owned(),
        repeat: ",0".to_owned(),
        times: None,
        suffix: String::new(),
    });
    let limit: u64 = 8 * 1024 * 1024;
    let client = Config::new(mock.base_url(), Credentials::basic("ormaster", "ormaster"))
        .retry(RetryPolicy::none())
        .max_response_bytes(limit)
        .build()
        .unwrap();
    let steady = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let refused = client.push_events().send().await.unwrap_err();
    let peak = ALLOCATOR.peak_usage().saturating_sub(steady);
    eprintln!(
        "endless chunked answer, limit {} MiB: peak {:.1} MiB above steady state",
        limit >> 20,
        peak as f64 / 1048576.0
    );
    assert!(
        matches!(refused, iryo_orca::Error::TooLarge { limit: l } if l == limit),
        "{refused:?}"
    );
    assert!(
        peak < limit as usize + limit as usize / 4,
        "{} KiB",
        peak >> 10
    );
}
