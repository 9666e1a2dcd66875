//! Helpers shared by the PLAT mock tests.

use iryo_mock::plat::{PlatMock, PlatMockBuilder};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// The approver of the document's sample, and the personal id of `demo-token`.
pub const DEMO_PERSON: &str = "db04b087-52ee-4d69-9861-07e4d3db325e";
/// The personal id of `other-org-token`.
pub const OTHER_PERSON: &str = "0f3c2a9e-1111-4222-8333-944455556666";

/// Fixture group ids.
pub const G1: &str = "6a7a8516-610d-4c35-bf95-9e7b5219a852";
pub const G2: &str = "4b0ed2fa-b409-467d-989b-0f8f55fcbdbd";
pub const G3: &str = "ac6f8d5f-9777-43be-a42f-f5db7c09eacd";
pub const G4: &str = "3c872751-5f64-430c-858c-6136b7d296a1";

/// The request sample of PRV_ROL_010, as printed (U+301C WAVE DASH).
pub const DOC_REQUEST: &str = "{\n\"comment\": \"\u{301C}のため削除します\"\n}";

/// The normal-end response sample of PRV_ROL_010, as printed.
pub const DOC_RESPONSE: &str = r#"{
"permissionGroup": {
"permissionGroupId": "6a7a8516-610d-4c35-bf95-9e7b5219a852",
"status": "1",
"deletedFlg": 1,
"requestedOrganizationId": "1310000001",
"requestedDepartmentId": "",
"requestedPersonalId": "ececfc9e-4b53-48c0-96da-482ffdf69a95",
"requestedDatetime": "Oct 7, 2021, 7:51:02 PM"
},
"permissionApproval": [
{
"permissionApprovalId": 2,
"status": "1",
"deletedFlg": 1,
"allowablePersonalId": "db04b087-52ee-4d69-9861-07e4d3db325e",
"approverPersonalId": "db04b087-52ee-4d69-9861-07e4d3db325e",
"approvedDatetime": "Oct 7, 2021, 8:02:04 PM"
}
],
"permissionComment": [
{
"personalId": "db04b087-52ee-4d69-9861-07e4d3db325e",
"comment": "〜のため削除します"
}
]
}"#;

pub const SYSTEM_ERROR: &str = "システムエラーが発生しました。";
pub const LOCK_ERROR: &str = "対象データは他の処理により更新されています。";
pub const ROLE_ERROR: &str = "この操作を行う権限がありません。";

/// Parses JSON text written in a test, keeping key order.
pub fn parse(text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => panic!("bad test JSON: {error}\n{text}"),
    }
}

/// What came back, with the body as text so that tests can compare bytes.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Asserts a 200 JSON answer and returns it.
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, 200, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"));
        self.json()
    }

    /// Asserts `status` with an empty body.
    pub fn assert_empty(&self, status: u16) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body, "");
        assert_eq!(self.header("content-length"), Some("0"));
    }

    /// Asserts the gateway's refusal: 401, `WWW-Authenticate: Bearer`, empty body.
    pub fn assert_unauthorized(&self) {
        self.assert_empty(401);
        assert_eq!(self.header("www-authenticate"), Some("Bearer"));
    }

    /// Asserts a PLAT error, byte for byte.
    pub fn assert_plat_error(&self, status: u16, code: &str, message: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"));
        let expected = format!(r#"{{"errorCode":"{code}","errorMessage":"{message}"}}"#);
        assert_eq!(self.body, expected);
    }

    /// Asserts Spring Boot's default 400: exactly `timestamp`, `status`, `error`, `path`, in that order.
    pub fn assert_spring_bad_request(&self, path: &str) {
        assert_eq!(self.status, 400, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"));
        let answer = self.json();
        let keys: Vec<&str> = answer
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["timestamp", "status", "error", "path"]);
        let timestamp = answer["timestamp"].as_str().unwrap_or_default();
        assert!(
            chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
            "{timestamp}"
        );
        assert_eq!(answer["status"], 400);
        assert_eq!(answer["error"], "Bad Request");
        assert_eq!(answer["path"], path);
    }

    /// Asserts a control route's `204 No Content`.
    pub fn assert_no_content(&self) {
        assert_eq!(self.status, 204, "body: {}", self.body);
        assert_eq!(self.body, "");
    }
}

pub async fn spawn(builder: PlatMockBuilder) -> PlatMock {
    match builder.spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("the mock did not start: {error}"),
    }
}

pub async fn mock() -> PlatMock {
    spawn(PlatMock::builder()).await
}

/// One client for all tests. Each test has its own tokio runtime, so the client keeps no idle connections: a
/// pooled connection would belong to the runtime of the test that opened it.
pub fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let build = || {
        reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
    };
    CLIENT.get_or_init(|| build().unwrap_or_default()).clone()
}

/// Sends `method path` (path from the server root) with `body` and, if given, the raw `Authorization` header.
pub async fn send(
    mock: &PlatMock,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let mut request = client()
        .request(method, format!("{}{path}", mock.base_url()))
        .body(body);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => panic!("request to the mock failed: {error}"),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .text()
        .await
        .unwrap_or_else(|e| format!("<unreadable body: {e}>"));
    Reply {
        status,
        headers,
        body,
    }
}

/// `/cloudEHR/providers/permission/delete/{id}` (`id` as it goes on the wire, with any query).
pub fn providers(id: &str) -> String {
    format!("/cloudEHR/providers/permission/delete/{id}")
}

/// `/cloudEHR/participants/permission/delete/{id}`.
pub fn participants(id: &str) -> String {
    format!("/cloudEHR/participants/permission/delete/{id}")
}

/// `PUT path` with `Authorization: Bearer <token>` and `{"comment": comment}`.
pub async fn put(mock: &PlatMock, path: &str, token: &str, comment: &str) -> Reply {
    let body = serde_json::json!({ "comment": comment }).to_string();
    let bearer = format!("Bearer {token}");
    send(mock, Method::PUT, path, Some(&bearer), body).await
}

/// PRV_ROL_010 on approval `id` as `demo-token`.
pub async fn delete(mock: &PlatMock, id: &str, comment: &str) -> Reply {
    put(mock, &providers(id), "demo-token", comment).await
}

/// The stored group `id`, as the API would answer it.
pub fn group(mock: &PlatMock, id: &str) -> Value {
    mock.group(id).unwrap_or(Value::Null)
}
