//! 200 concurrent calls against the mock; every answer is checked.

use iryo_mock::orca::OrcaMock;
use iryo_orca::{Client, Credentials, PushEventBody, PushTime};

const CONCURRENT: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_all_get_their_answer() {
    let mock = OrcaMock::builder().spawn().await.unwrap();
    let client = Client::new(mock.base_url(), Credentials::basic("ormaster", "ormaster")).unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..CONCURRENT {
        let client = client.clone();
        calls.spawn(async move {
            // half ask for the document's window, half for one event type
            let events = if i % 2 == 0 {
                client
                    .push_events()
                    .event("patient_accept")
                    .user("ormaster")
                    .start("2018-01-24 13:00".parse::<PushTime>().unwrap())
                    .end("2018-01-25 12:59".parse::<PushTime>().unwrap())
                    .send()
                    .await
            } else {
                client.push_events().event("print002").send().await
            };
            (i, events)
        });
    }
    let mut answered = 0;
    while let Some(joined) = calls.join_next().await {
        let (i, events) = joined.unwrap();
        let events = events.unwrap_or_else(|e| panic!("call {i}: {e}"));
        if i % 2 == 0 {
            let uuids: Vec<String> = events.iter().map(|e| e.uuid.to_string()).collect();
            assert_eq!(
                uuids,
                [
                    "2df2ef80-8978-4817-b929-c07e4ba39e6f",
                    "b5efc60a-bfa9-4c27-b0e1-85802b097cb6"
                ]
            );
        } else {
            assert_eq!(events.len(), 1);
            assert!(matches!(events[0].body, PushEventBody::Print002(_)));
        }
        answered += 1;
    }
    assert_eq!(answered, CONCURRENT);
}
