//! Poison notifications: a body of the wrong type or nested 200 deep is delivered raw as
//! `Unknown`; one without a uuid is a gap item naming it. None of them holds back the others,
//! whether the mock stores them or a hostile server answers the catch-up with them.

use chrono::{FixedOffset, TimeDelta, Utc};
use iryo_orca::live::{Checkpoint, FeedItem, GapReason, MemoryCheckpoint};
use iryo_orca::{Client, Credentials, PushEventBody, Undelivered};
use serde_json::{Value, json};

use crate::common::*;

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap()
}

/// A checkpoint covered until five minutes ago: the next start catches up through the mock.
fn five_minutes_behind() -> MemoryCheckpoint {
    let mut checkpoint = MemoryCheckpoint::new();
    let at = Utc::now().with_timezone(&jst()) - TimeDelta::minutes(5);
    checkpoint.commit(&[], Some(at)).unwrap();
    checkpoint
}

/// `[[[...]]]` nested `depth` deep (2 bytes a level), built without a parser.
fn nested(depth: usize) -> Value {
    (1..depth).fold(json!([]), |inner, _| Value::Array(vec![inner]))
}

fn split(items: Vec<FeedItem>) -> (Vec<iryo_orca::PushEvent>, Vec<Undelivered>) {
    let (mut events, mut named) = (Vec::new(), Vec::new());
    for item in items {
        match item {
            FeedItem::Event(event) => events.push(event),
            FeedItem::Gap(gap) => match gap.reason {
                GapReason::Undelivered(undelivered) => named.push(*undelivered),
                other => panic!("unexpected gap {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        }
    }
    (events, named)
}

fn assert_poison_handled(events: &[iryo_orca::PushEvent], named: &[Undelivered]) {
    let unknown = events
        .iter()
        .filter(|e| matches!(e.body, PushEventBody::Unknown { .. }))
        .count();
    assert_eq!(events.len(), 4, "two good, two with odd bodies: {events:?}");
    assert_eq!(unknown, 2, "the wrong-type and the deep body are kept raw");
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0].uuid, None);
    assert_eq!(named[0].id.as_deref(), Some("9"));
    assert_eq!(named[0].event.as_deref(), Some("patient_accept"));
    assert!(named[0].position.is_some());
}

#[tokio::test]
async fn poison_notifications_stored_in_the_mock_never_block_the_catch_up() {
    let mock = mock().await;
    let now = Utc::now().with_timezone(&jst());
    let first = mock.push("patient_accept", "ormaster", json!({}), now);
    mock.push(
        "patient_accept",
        "ormaster",
        json!({ "Patient_ID": 123 }),
        now,
    );
    mock.push("patient_accept", "ormaster", nested(200), now);
    let time = now.format("%Y-%m-%dT%H:%M:%S%z").to_string();
    mock.insert_verbatim(
        json!({ "id": 9, "event": "patient_accept", "user": "ormaster", "body": {}, "time": time }),
        now,
    );
    let last = mock.push("patient_accept", "ormaster", json!({}), now);
    let mut feed = feed(&mock, five_minutes_behind());
    let (events, named) = split(caught_up_items(&mut feed).await);
    assert_poison_handled(&events, &named);
    assert_eq!(events[0].uuid.to_string(), first);
    assert_eq!(events[3].uuid.to_string(), last);
    // Live, the same bodies are delivered raw too.
    let raised = mock
        .live()
        .raise("patient_accept", json!({ "Patient_ID": 123 }));
    let event = next_event(&mut feed, &mut Vec::new()).await;
    assert_eq!(event.uuid.to_string(), raised);
    assert!(matches!(event.body, PushEventBody::Unknown { .. }));
}

fn hostile_answer() -> String {
    let time = Utc::now()
        .with_timezone(&jst())
        .format("%Y-%m-%dT%H:%M:%S%z")
        .to_string();
    let data = |uuid: Option<&str>, id: u32, body: &str| {
        let uuid = uuid
            .map(|u| format!(r#""uuid":"{u}","#))
            .unwrap_or_default();
        format!(
            r#"{{"data":{{{uuid}"id":{id},"event":"patient_accept","user":"u","body":{body},"time":"{time}"}}}}"#
        )
    };
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let items = [
        data(Some("0b0c2f66-6c55-4c5e-9a43-0d8f3a0a0001"), 1, "{}"),
        data(
            Some("0b0c2f66-6c55-4c5e-9a43-0d8f3a0a0002"),
            2,
            r#"{"Patient_ID":123}"#,
        ),
        data(Some("0b0c2f66-6c55-4c5e-9a43-0d8f3a0a0003"), 3, &deep),
        data(None, 9, "{}"),
        data(Some("0b0c2f66-6c55-4c5e-9a43-0d8f3a0a0005"), 5, "{}"),
    ];
    format!("[{}]", items.join(","))
}

#[tokio::test]
async fn poison_notifications_in_a_hostile_catch_up_answer_never_block_the_others() {
    let mock = mock().await;
    let hostile = iryo_testkit::probe::canned(200, "application/json", hostile_answer()).await;
    let client = Client::new(hostile, Credentials::basic("ormaster", "ormaster")).unwrap();
    let mut feed = config(&mock.ws_url())
        .build(Some(client.clone()), five_minutes_behind())
        .unwrap();
    let (events, named) = split(caught_up_items(&mut feed).await);
    assert_poison_handled(&events, &named);
    assert_eq!(named[0].position, Some(3));
    // `iryo orca push-events` reads the same answer through the same conversion.
    let answer = client.push_events().send().await.unwrap();
    assert_eq!(answer.events.len(), 4);
    assert_eq!(answer.undelivered, named);
}
