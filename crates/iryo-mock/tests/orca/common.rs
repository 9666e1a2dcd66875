//! Helpers shared by the ORCA mock tests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use iryo_mock::orca::OrcaMock;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const API: &str = "/api01rv2/pusheventgetv2";

/// The request sample of the ORCA document, as printed.
pub const DOC_REQUEST: &str = r#"{
  "pusheventgetv2req": {
    "event": "patient_accept",
    "user": "ormaster",
    "start_time": "2018-01-24 13:00",
    "end_time": "2018-01-25 12:59"
  }
}"#;

/// The response sample of the ORCA document, as printed.
pub const DOC_RESPONSE: &str = r#"[
  {
    "data": {
      "uuid": "2df2ef80-8978-4817-b929-c07e4ba39e6f",
      "id": 1,
      "event": "patient_accept",
      "user": "ormaster",
      "body": {
        "Patient_Mode": "add",
        "Patient_ID": "00001",
        "Accept_Date": "2018-01-24",
        "Accept_Time": "16:02:53",
        "Accept_Id": "00001",
        "Department_Code": "01",
        "Physician_Code": "10001",
        "Insurance_Combination_Number": "0001"
      },
      "time": "2018-01-24T16:02:53+0900"
    }
  },
  {
    "data": {
      "uuid": "b5efc60a-bfa9-4c27-b0e1-85802b097cb6",
      "id": 10,
      "event": "patient_accept",
      "user": "ormaster",
      "body": {
        "Patient_Mode": "add",
        "Patient_ID": "00005",
        "Accept_Date": "2018-01-24",
        "Accept_Time": "16:09:32",
        "Accept_Id": "00004",
        "Department_Code": "01",
        "Physician_Code": "10001",
        "Insurance_Combination_Number": "0001"
      },
      "time": "2018-01-24T16:09:32+0900"
    }
  }
]"#;

/// Fixture uuids, in the order the API lists them (time, then insertion).
pub const FIXTURE_UUIDS: [&str; 16] = [
    "d53e6a3d-a154-4645-9931-585606755586", // 01 patient_infomation ormaster
    "98256cb0-0707-4b43-a03f-51a93e516414", // 02 accept ormaster (+09:00)
    "5ea2096c-2112-4643-b514-11d8079846e9", // 03 patient_account doctor1
    "5a97021e-79c3-4945-8473-b93d10f2afa6", // 04 account doctor1 (same second as 03)
    "e12326b7-f75a-4073-bc07-4e32774dc422", // 05 patient_accept ormaster 12:59:59
    "2df2ef80-8978-4817-b929-c07e4ba39e6f", // 06 document sample 1
    "7d481f57-838e-49b7-a76d-6153f0a1cd36", // 07 patient_memo doctor1
    "d275ba29-c8aa-4bde-b28e-58d0b13488b4", // 08 patient_accept doctor1
    "72c1dd63-0305-4814-8ebd-a49ef2b667f9", // 09 print001 ormaster
    "ef8d069e-7bae-439e-b4b4-bff20e4b3c4b", // 10 print002 ormaster
    "b5efc60a-bfa9-4c27-b0e1-85802b097cb6", // 11 document sample 2
    "ea795272-d4d4-4b3c-992f-a4a5e74344ba", // 12 patient_hospital_stay ormaster
    "9d6b808d-0a86-44a6-9380-fc654e2fc547", // 13 patient_admission doctor1
    "9212e4bc-4ac1-4aad-81b0-cdaffb87275e", // 14 user_event ormaster
    "90867bac-3129-402d-8684-ae2a60a5bc07", // 15 receive_medicalreq doctor1
    "7a98421c-8ce2-4243-bb99-2667ec664752", // 16 patient_future_thing ormaster
];

/// One fixture uuid by its 1-based file number.
pub fn fixture(number: usize) -> &'static str {
    FIXTURE_UUIDS[number - 1]
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

    /// The uuids of a successful answer, in order.
    pub fn uuids(&self) -> Vec<String> {
        let answer = self.json();
        let items = answer.as_array().cloned().unwrap_or_default();
        items
            .iter()
            .map(|item| item["data"]["uuid"].as_str().unwrap_or("?").to_owned())
            .collect()
    }

    /// Asserts the glserver error shape: `status`, empty body, `Content-Length: 0`, `text/plain`.
    pub fn assert_empty(&self, status: u16) {
        assert_eq!(self.status, status);
        assert_eq!(self.body, "");
        assert_eq!(self.header("content-length"), Some("0"));
        assert_eq!(self.header("content-type"), Some("text/plain"));
        assert_eq!(self.header("server"), Some("glserver/iryo-mock"));
    }

    /// Asserts a control route's `204 No Content`.
    pub fn assert_no_content(&self) {
        assert_eq!(self.status, 204);
        assert_eq!(self.body, "");
        assert_eq!(self.header("server"), Some("glserver/iryo-mock"));
    }

    /// Asserts an ORCA business error: HTTP 200 and exactly `{"error":{"code":…,"message":…}}`.
    pub fn assert_business_error(&self, code: &str, message: &str) {
        assert_eq!(self.status, 200, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"));
        let expected = format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#);
        assert_eq!(self.body, expected);
    }
}

pub async fn mock() -> OrcaMock {
    match OrcaMock::builder().spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("the mock did not start: {error}"),
    }
}

pub async fn empty_mock() -> OrcaMock {
    match OrcaMock::builder().fixtures(false).spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("the mock did not start: {error}"),
    }
}

/// One client for all tests (building one costs ~20 ms). Each test has its own tokio runtime, so the client
/// keeps no idle connections: a pooled connection would belong to the runtime of the test that opened it.
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

/// `Basic base64(credentials)`.
pub fn basic(credentials: &str) -> String {
    format!("Basic {}", STANDARD.encode(credentials))
}

/// Sends `method path` with `body` and, if given, the raw `Authorization` header.
pub async fn send(
    mock: &OrcaMock,
    method: reqwest::Method,
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

/// `POST /api01rv2/pusheventgetv2` as `ormaster`.
pub async fn api(mock: &OrcaMock, body: impl Into<reqwest::Body>) -> Reply {
    send(
        mock,
        reqwest::Method::POST,
        API,
        Some(&basic("ormaster:ormaster")),
        body,
    )
    .await
}

/// A request body; empty arguments leave the field out.
pub fn request(event: &str, user: &str, start: &str, end: &str) -> String {
    let mut fields = serde_json::Map::new();
    for (name, value) in [
        ("event", event),
        ("user", user),
        ("start_time", start),
        ("end_time", end),
    ] {
        if !value.is_empty() {
            fields.insert(name.to_owned(), value.into());
        }
    }
    serde_json::json!({ "pusheventgetv2req": fields }).to_string()
}

/// `2018-01-24T16:02:53+09:00` and friends.
pub fn at(rfc3339: &str) -> chrono::DateTime<chrono::FixedOffset> {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(at) => at,
        Err(error) => panic!("bad test time {rfc3339}: {error}"),
    }
}
