//! The control routes `POST /__mock/<mock>/fault` and `GET /__mock/<mock>/requests`, what counts as an API
//! request, and which requests take a fault.

use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;
use iryo_mock::orca::OrcaMock;
use iryo_mock::plat::PlatMock;
use serde_json::{Value, json};

use crate::common::{Subject, client, send};

async fn count_route(subject: &Subject) -> Value {
    let url = format!("{}/__mock/{}/requests", subject.base_url(), subject.name());
    let reply = send(client().get(url)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    serde_json::from_slice(&reply.body).unwrap_or_default()
}

async fn post_fault(subject: &Subject, body: &str) -> (u16, Value) {
    let url = format!("{}/__mock/{}/fault", subject.base_url(), subject.name());
    let request = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    let reply = send(request).await;
    let value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    (reply.status, value)
}

async fn control_routes_queue_faults_and_count(subject: Subject) {
    let name = subject.name();
    assert_eq!(count_route(&subject).await, json!({ "count": 0 }), "{name}");
    let one = r#"{"kind":"retry_after","status":503,"seconds":9}"#;
    assert_eq!(
        post_fault(&subject, one).await,
        (204, Value::Null),
        "{name}"
    );
    let two = r#"[{"kind":"html","status":502},{"kind":"wrong_content_type"}]"#;
    assert_eq!(
        post_fault(&subject, two).await,
        (204, Value::Null),
        "{name}"
    );

    let first = send(subject.request()).await;
    assert_eq!(
        (first.status, first.header("retry-after")),
        (503, Some("9"))
    );
    let second = send(subject.request()).await;
    assert_eq!(
        second.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let third = send(subject.request()).await;
    assert_eq!(
        third.header("content-type"),
        Some(subject.wrong_content_type())
    );
    subject.assert_answers_normally().await;
    // Control requests are not API requests.
    assert_eq!(count_route(&subject).await, json!({ "count": 4 }), "{name}");
    assert_eq!(subject.requests(), 4);
    subject.shutdown().await;
}

async fn control_routes_refuse_what_is_not_a_fault(subject: Subject) {
    let name = subject.name();
    for (body, says) in [
        ("{", "not JSON"),
        (r#"{"kind":"meltdown"}"#, "meltdown"),
        (r#"{"kind":"status","status":99}"#, "between 200 and 599"),
        (r#"{"kind":"cut_body"}"#, "after_bytes"),
        (
            r#"[{"kind":"status","status":500},{"kind":"html"}]"#,
            "fault 1",
        ),
        (r#"{"kind":"oversized","bytes":999999999999}"#, "limited"),
    ] {
        let (status, answer) = post_fault(&subject, body).await;
        assert_eq!(status, 400, "{name}: {body}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{name}: {body} -> {error}");
    }
    // Nothing was queued, not even the valid first half of the array.
    subject.assert_answers_normally().await;
    let base = subject.base_url();
    let wrong_methods = [
        client().get(format!("{base}/__mock/{name}/fault")),
        client().post(format!("{base}/__mock/{name}/requests")),
    ];
    for request in wrong_methods {
        assert_eq!(send(request).await.status, 405, "{name}");
    }
    subject.shutdown().await;
}

macro_rules! control_on {
    ($mock:ident) => {
        mod $mock {
            use crate::common::Subject;

            #[tokio::test]
            async fn control_routes_queue_faults_and_count_requests() {
                super::control_routes_queue_faults_and_count(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn control_routes_refuse_what_is_not_a_fault() {
                super::control_routes_refuse_what_is_not_a_fault(Subject::$mock().await).await;
            }
        }
    };
}

control_on!(orca);
control_on!(plat);
control_on!(hiyari);

#[tokio::test]
async fn orca_counts_refused_requests_but_gives_them_no_fault() {
    let mock = match OrcaMock::builder().spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("{error}"),
    };
    mock.push_fault(Fault::Status(503));
    let api = format!("{}/api01rv2/pusheventgetv2", mock.base_url());
    let refused = send(client().post(&api).body("{}")).await;
    assert_eq!(refused.status, 401);
    assert_eq!(mock.request_count(), 1);
    let wrong_method = send(client().get(&api)).await;
    assert_eq!(wrong_method.status, 405);
    let unknown = send(client().post(format!("{}/api01rv2/other", mock.base_url()))).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(mock.request_count(), 1, "405 and 404 do not count");
    let request = client()
        .post(&api)
        .basic_auth("ormaster", Some("ormaster"))
        .body("{}");
    assert_eq!(send(request).await.status, 503);
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn plat_counts_refused_tokens_but_gives_them_no_fault() {
    let mock = match PlatMock::builder().spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("{error}"),
    };
    mock.push_fault(Fault::Status(503));
    let api = format!("{}/providers/permission/delete/2", mock.app_url());
    let body = r#"{"comment":""}"#;
    let refused = send(client().put(&api).bearer_auth("nobody").body(body)).await;
    assert_eq!(refused.status, 401);
    assert_eq!(mock.request_count(), 1);
    assert_eq!(send(client().get(&api)).await.status, 405);
    assert_eq!(mock.request_count(), 1, "405 does not count");
    let request = client().put(&api).bearer_auth("demo-token").body(body);
    assert_eq!(send(request).await.status, 503);
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn hiyari_counts_refused_searches_but_not_unknown_paths() {
    let mock = match HiyariMock::builder().spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("{error}"),
    };
    let refused = send(client().get(format!("{}?order=9", mock.endpoint()))).await;
    assert_eq!(refused.status, 200, "a parameter error is an answer");
    assert_eq!(send(client().put(mock.endpoint())).await.status, 405);
    let unknown = send(client().get(format!("{}/phsearch/Other.action", mock.base_url()))).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn the_old_injections_share_the_queue_with_faults() {
    let mock = match HiyariMock::builder().spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("{error}"),
    };
    mock.raw_next(b"cut <Resu".to_vec(), "text/xml; charset=Shift_JIS");
    mock.push_fault(Fault::Html(502));
    if let Err(error) = mock.http_status_next(500) {
        panic!("{error}");
    }
    let statuses = [200, 502, 500, 200];
    for expected in statuses {
        let reply = send(client().get(format!("{}?count=1", mock.endpoint()))).await;
        assert_eq!(reply.status, expected);
    }
    assert_eq!(mock.request_count(), 4);
}

#[test]
#[should_panic(
    expected = "cannot inject Status(42): a fault's HTTP status must be between 200 and 599"
)]
fn pushing_an_impossible_fault_panics_at_the_caller() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let Ok(runtime) = runtime else {
        return;
    };
    runtime.block_on(async {
        if let Ok(mock) = OrcaMock::builder().spawn().await {
            mock.push_fault(Fault::Status(42));
        }
    });
}
