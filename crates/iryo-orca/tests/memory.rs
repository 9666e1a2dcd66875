//! Hostile bodies just under the size limit cost the answer once, well within the goal of 64 MiB
//! above the steady state: unknown JSON is kept as text, never as `serde_json::Value` (about 100
//! times its size), and a body that large is a part of the answer's text, not a copy. A counting
//! allocator measures the peak of the whole process (server included) during one call.

use bytes::Bytes;
use iryo_orca::{Client, Config, Credentials, PushEventBody, RetryPolicy};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const GOAL: usize = 64 * 1024 * 1024;
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
