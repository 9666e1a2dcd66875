//! Many tenants in one mock: the `X-GINBEE-TENANT-ID` header selects a store with its own account;
//! control routes act on the tenant they name; no header is the default tenant, unchanged.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use iryo_mock::orca::OrcaMock;
use serde_json::{Value, json};

const TENANT: &str = "x-ginbee-tenant-id";
const ALL_EVENTS: &str = r#"{"pusheventgetv2req":{"start_time":"2018-01-01 00:00"}}"#;

/// POSTs to the API as `tenant` (when given) with `user:password`; the status and the JSON body.
async fn fetch(mock: &OrcaMock, tenant: Option<&str>, credentials: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api01rv2/pusheventgetv2", mock.base_url()))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode(credentials)),
        )
        .body(ALL_EVENTS);
    if let Some(tenant) = tenant {
        request = request.header(TENANT, tenant);
    }
    let response = request.send().await.expect("the mock answers");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn uuids(answer: &Value) -> Vec<String> {
    let Some(rows) = answer.as_array() else {
        return Vec::new();
    };
    rows.iter()
        .map(|row| row["data"]["uuid"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn control(mock: &OrcaMock, tenant: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", mock.base_url()))
        .json(&body);
    if let Some(tenant) = tenant {
        request = request.header(TENANT, tenant);
    }
    let response = request.send().await.expect("the mock answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn each_tenant_has_its_own_store_and_account_and_no_header_is_the_default() {
    let mock = OrcaMock::builder()
        .tenant("101", "clinic101", "pw-101")
        .spawn()
        .await
        .unwrap();
    let (status, _) = control(
        &mock,
        None,
        "/__mock/orca/tenants",
        json!({"id": "102", "user": "clinic102", "password": "pw-102"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = control(
        &mock,
        None,
        "/__mock/orca/tenants",
        json!({"id": "1x", "user": "u", "password": "p"}),
    )
    .await;
    assert_eq!(status, 400, "a tenant id is digits");

    let raised = |tenant| {
        let mock = &mock;
        async move {
            let (status, body) = control(
                mock,
                Some(tenant),
                "/__mock/orca/live/raise",
                json!({"event": "patient_accept"}),
            )
            .await;
            assert_eq!(status, 201);
            body["uuid"].as_str().unwrap().to_owned()
        }
    };
    let for_101 = raised("101").await;
    let for_102 = raised("102").await;

    let (_, answer) = fetch(&mock, Some("101"), "clinic101:pw-101").await;
    assert_eq!(uuids(&answer), std::slice::from_ref(&for_101));
    let (_, answer) = fetch(&mock, Some("102"), "clinic102:pw-102").await;
    assert_eq!(uuids(&answer), std::slice::from_ref(&for_102));
    // Without the header the account picks the tenant (clients send no header to the API).
    let (_, answer) = fetch(&mock, None, "clinic101:pw-101").await;
    assert_eq!(uuids(&answer), std::slice::from_ref(&for_101));
    // Another tenant's credentials are refused.
    let (status, _) = fetch(&mock, Some("102"), "clinic101:pw-101").await;
    assert_eq!(status, 401);
    // No header, or an unregistered tenant: the default tenant, fixtures and ormaster as before.
    let (status, answer) = fetch(&mock, None, "ormaster:ormaster").await;
    assert_eq!(status, 200);
    let default = uuids(&answer);
    assert_eq!(default.len(), mock.events().len());
    assert!(!default.contains(&for_101) && !default.contains(&for_102));
    let (_, answer) = fetch(&mock, Some("999"), "ormaster:ormaster").await;
    assert_eq!(uuids(&answer), default);

    assert_eq!(mock.tenant_events("101").unwrap().len(), 1);
    assert!(mock.tenant_events("999").is_none());
    let listed = reqwest::get(format!("{}/__mock/orca/tenants", mock.base_url()))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(listed, json!(["101", "102"]));
}

#[tokio::test]
async fn faults_queue_per_tenant() {
    let mock = OrcaMock::builder()
        .tenant("7", "seven", "pw-7")
        .spawn()
        .await
        .unwrap();
    mock.tenant_live("7")
        .unwrap()
        .raise("patient_accept", json!({}));
    let (status, _) = control(
        &mock,
        Some("7"),
        "/__mock/orca/http-status-next",
        json!({"status": 503}),
    )
    .await;
    assert_eq!(status, 204);
    // The default tenant is not touched by tenant 7's fault.
    let (status, _) = fetch(&mock, None, "ormaster:ormaster").await;
    assert_eq!(status, 200);
    let (status, _) = fetch(&mock, Some("7"), "seven:pw-7").await;
    assert_eq!(status, 503);
    let (status, answer) = fetch(&mock, Some("7"), "seven:pw-7").await;
    assert_eq!((status, uuids(&answer).len()), (200, 1));
}
