//! The three mocks behind one face, so that every fault is tested on each of them, and a raw HTTP/1.1 client
//! that shows exactly what arrives on the socket.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use encoding_rs::SHIFT_JIS;
use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;
use iryo_mock::orca::OrcaMock;
use iryo_mock::plat::PlatMock;
use serde_json::{Value, json};

pub use crate::raw::*;

/// Longer than any test; a stall this long only ends when the client gives up or the mock stops.
pub const LONG: Duration = Duration::from_secs(10);

/// The client timeout of the tests that expect one: much shorter than [`LONG`].
pub const SHORT: Duration = Duration::from_millis(200);

/// The document's request to ORCA, which answers fixtures 06 and 11.
const ORCA_REQUEST: &str = r#"{"pusheventgetv2req":{"event":"patient_accept","user":"ormaster","start_time":"2018-01-24 13:00","end_time":"2018-01-25 12:59"}}"#;
const ORCA_AUTH: &str = "Basic b3JtYXN0ZXI6b3JtYXN0ZXI="; // ormaster:ormaster
const PLAT_GROUP: &str = "f0000000-0000-4000-8000-00000000fa17";
const PLAT_PERSON: &str = "db04b087-52ee-4d69-9861-07e4d3db325e"; // demo-token's
const FIRST_APPROVAL: u64 = 1001;
/// 事例区分 08 調剤, three reports of 23.
const HIYARI_QUERY: &str = "itemcode=0090010&code=08&text=&count=3";

enum Kind {
    Orca(OrcaMock),
    /// Each request deletes the next of the approvals inserted at the start, so each answers 200.
    Plat(PlatMock, AtomicU64),
    Hiyari(HiyariMock),
}

/// One mock and the request it answers normally.
pub struct Subject(Kind);

impl Subject {
    pub async fn orca() -> Self {
        match OrcaMock::builder().spawn().await {
            Ok(mock) => Subject(Kind::Orca(mock)),
            Err(error) => panic!("the ORCA mock did not start: {error}"),
        }
    }

    pub async fn plat() -> Self {
        let mock = match PlatMock::builder().spawn().await {
            Ok(mock) => mock,
            Err(error) => panic!("the PLAT mock did not start: {error}"),
        };
        let approvals: Vec<Value> = (FIRST_APPROVAL..FIRST_APPROVAL + 30)
            .map(|id| {
                json!({
                    "permissionApprovalId": id, "status": "1", "deletedFlg": 0,
                    "allowablePersonalId": PLAT_PERSON, "approverPersonalId": PLAT_PERSON,
                    "approvedDatetime": "2021-10-07T20:02:04"
                })
            })
            .collect();
        let group = json!({
            "permissionGroup": {
                "permissionGroupId": PLAT_GROUP, "status": "1", "deletedFlg": 0,
                "requestedOrganizationId": "1310000001", "requestedDepartmentId": "",
                "requestedPersonalId": "ececfc9e-4b53-48c0-96da-482ffdf69a95",
                "requestedDatetime": "2021-10-07T19:51:02"
            },
            "permissionApproval": approvals,
            "permissionComment": []
        });
        if let Err(error) = mock.insert_group(group) {
            panic!("the PLAT group was refused: {error}");
        }
        Subject(Kind::Plat(mock, AtomicU64::new(FIRST_APPROVAL)))
    }

    pub async fn hiyari() -> Self {
        match HiyariMock::builder().spawn().await {
            Ok(mock) => Subject(Kind::Hiyari(mock)),
            Err(error) => panic!("the hiyari mock did not start: {error}"),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        match &self.0 {
            Kind::Orca(mock) => mock.addr(),
            Kind::Plat(mock, _) => mock.addr(),
            Kind::Hiyari(mock) => mock.addr(),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// `orca`, `plat` or `hiyari`, as in the control routes.
    pub fn name(&self) -> &'static str {
        match &self.0 {
            Kind::Orca(_) => "orca",
            Kind::Plat(..) => "plat",
            Kind::Hiyari(_) => "hiyari",
        }
    }

    pub fn push(&self, fault: Fault) {
        match &self.0 {
            Kind::Orca(mock) => mock.push_fault(fault),
            Kind::Plat(mock, _) => mock.push_fault(fault),
            Kind::Hiyari(mock) => mock.push_fault(fault),
        }
    }

    pub fn push_all(&self, faults: Vec<Fault>) {
        match &self.0 {
            Kind::Orca(mock) => mock.push_faults(faults),
            Kind::Plat(mock, _) => mock.push_faults(faults),
            Kind::Hiyari(mock) => mock.push_faults(faults),
        }
    }

    pub fn requests(&self) -> u64 {
        match &self.0 {
            Kind::Orca(mock) => mock.request_count(),
            Kind::Plat(mock, _) => mock.request_count(),
            Kind::Hiyari(mock) => mock.request_count(),
        }
    }

    pub fn content_type(&self) -> &'static str {
        match &self.0 {
            Kind::Orca(_) | Kind::Plat(..) => "application/json",
            Kind::Hiyari(_) => "text/xml; charset=Shift_JIS",
        }
    }

    pub fn wrong_content_type(&self) -> &'static str {
        match &self.0 {
            Kind::Orca(_) | Kind::Plat(..) => "text/plain",
            Kind::Hiyari(_) => "application/json",
        }
    }

    /// The normal request, for reqwest.
    pub fn request(&self) -> reqwest::RequestBuilder {
        let client = client();
        match &self.0 {
            Kind::Orca(mock) => client
                .post(format!("{}/api01rv2/pusheventgetv2", mock.base_url()))
                .header("authorization", ORCA_AUTH)
                .body(ORCA_REQUEST),
            Kind::Plat(mock, next) => {
                let id = next.fetch_add(1, Ordering::Relaxed);
                client
                    .put(format!(
                        "{}/providers/permission/delete/{id}",
                        mock.app_url()
                    ))
                    .bearer_auth("demo-token")
                    .header("content-type", "application/json")
                    .body(r#"{"comment":"fault test"}"#)
            }
            Kind::Hiyari(mock) => client.get(format!("{}?{HIYARI_QUERY}", mock.endpoint())),
        }
    }

    /// The normal request as HTTP/1.1 bytes, asking the server to close the connection after answering.
    pub fn raw_request(&self) -> Vec<u8> {
        let host = self.addr();
        let text = match &self.0 {
            Kind::Orca(_) => format!(
                "POST /api01rv2/pusheventgetv2 HTTP/1.1\r\nhost: {host}\r\nauthorization: {ORCA_AUTH}\r\n\
                 content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{ORCA_REQUEST}",
                ORCA_REQUEST.len()
            ),
            Kind::Plat(mock, next) => {
                let id = next.fetch_add(1, Ordering::Relaxed);
                let body = r#"{"comment":"fault test"}"#;
                format!(
                    "PUT {}/providers/permission/delete/{id} HTTP/1.1\r\nhost: {host}\r\n\
                     authorization: Bearer demo-token\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    mock.app_path(),
                    body.len()
                )
            }
            Kind::Hiyari(mock) => format!(
                "GET {}?{HIYARI_QUERY} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n",
                mock.path()
            ),
        };
        text.into_bytes()
    }

    /// Asserts that `body` is a well-formed answer of this API (normal or generated).
    pub fn assert_well_formed(&self, body: &[u8]) -> Value {
        match &self.0 {
            Kind::Orca(_) | Kind::Plat(..) => match serde_json::from_slice::<Value>(body) {
                Ok(value) => value,
                Err(error) => panic!("{}: not JSON ({error})", self.name()),
            },
            Kind::Hiyari(_) => {
                let text = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(body);
                let Some(text) = text else {
                    panic!("hiyari: not Shift_JIS");
                };
                assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"Shift_JIS\""));
                assert!(text.ends_with("</ResultSet>\n"));
                let opened = text.matches("<PHARMACY_REPORT>").count();
                assert_eq!(opened, text.matches("</PHARMACY_REPORT>").count());
                Value::from(opened)
            }
        }
    }

    /// Asserts the normal answer to [`Subject::request`].
    pub fn assert_normal(&self, status: u16, content_type: Option<&str>, body: &[u8]) {
        let name = self.name();
        assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(body));
        assert_eq!(content_type, Some(self.content_type()), "{name}");
        let value = self.assert_well_formed(body);
        match &self.0 {
            Kind::Orca(_) => {
                let uuids: Vec<&str> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|item| item["data"]["uuid"].as_str())
                    .collect();
                let expected = [
                    "2df2ef80-8978-4817-b929-c07e4ba39e6f",
                    "b5efc60a-bfa9-4c27-b0e1-85802b097cb6",
                ];
                assert_eq!(uuids, expected, "orca: the document's answer");
            }
            Kind::Plat(..) => {
                let group = &value["permissionGroup"]["permissionGroupId"];
                assert_eq!(group, PLAT_GROUP, "plat: the deleting answer");
            }
            Kind::Hiyari(_) => {
                let head = r#"<ResultSet count="3" position="0" status="0" total="23">"#;
                assert!(String::from_utf8_lossy(body).contains(head), "hiyari");
                assert_eq!(value, 3, "hiyari: three reports");
            }
        }
    }

    /// Sends the normal request with reqwest and asserts the normal answer.
    pub async fn assert_answers_normally(&self) {
        let reply = send(self.request()).await;
        self.assert_normal(reply.status, reply.header("content-type"), &reply.body);
    }

    pub async fn shutdown(self) {
        let stopped = match self.0 {
            Kind::Orca(mock) => within("shutdown", mock.shutdown()).await,
            Kind::Plat(mock, _) => within("shutdown", mock.shutdown()).await,
            Kind::Hiyari(mock) => within("shutdown", mock.shutdown()).await,
        };
        if let Err(error) = stopped {
            panic!("the mock did not stop cleanly: {error}");
        }
    }
}
