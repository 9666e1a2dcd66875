//! The three mocks behind one face, so that every fault is tested on each of them, and a raw HTTP/1.1 client
//! that shows exactly what arrives on the socket.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use encoding_rs::SHIFT_JIS;
use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;
use iryo_mock::orca::OrcaMock;
use iryo_mock::plat::PlatMock;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

/// One client for all tests, keeping no idle connections (each test has its own runtime). Its timeout only
/// guards against a hanging test; tests that expect a timeout set a short one per request.
pub fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let build = || {
        reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(5))
            .build()
    };
    CLIENT.get_or_init(|| build().unwrap_or_default()).clone()
}

/// What came back to reqwest.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends `request`; any error fails the test.
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => panic!("request failed: {error:?}"),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    match response.bytes().await {
        Ok(body) => Reply {
            status,
            headers,
            body: body.to_vec(),
        },
        Err(error) => panic!("body failed: {error:?}"),
    }
}

/// Fails the test if `future` takes more than five seconds: a guard against hanging, not a measurement.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(5), future).await {
        Ok(output) => output,
        Err(_) => panic!("{what} took more than five seconds"),
    }
}

/// The `io::ErrorKind`s in an error's chain of sources.
pub fn io_kinds(error: &(dyn std::error::Error + 'static)) -> Vec<io::ErrorKind> {
    let mut kinds = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            kinds.push(io.kind());
        }
        next = error.source();
    }
    kinds
}

/// Everything a raw client read: the bytes, and how the stream ended (`Ok` for a clean end of stream).
#[derive(Debug)]
pub struct Raw {
    pub bytes: Vec<u8>,
    pub end: io::Result<()>,
}

impl Raw {
    /// The head (text, up to and without the empty line) and the body bytes after it.
    pub fn split(&self) -> (String, &[u8]) {
        let Some(at) = self.bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
            panic!(
                "no complete head in {:?}",
                String::from_utf8_lossy(&self.bytes)
            );
        };
        let head = String::from_utf8_lossy(&self.bytes[..at]).into_owned();
        (head, &self.bytes[at + 4..])
    }

    pub fn status(&self) -> u16 {
        let (head, _) = self.split();
        let code = head.split(' ').nth(1).and_then(|code| code.parse().ok());
        code.unwrap_or_else(|| panic!("no status line in {head}"))
    }

    /// A header of the head, by lower-case name.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.split();
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// Connects, sends `request`, and returns the open stream.
pub async fn open(addr: SocketAddr, request: &[u8]) -> TcpStream {
    let mut stream = match TcpStream::connect(addr).await {
        Ok(stream) => stream,
        Err(error) => panic!("cannot connect to {addr}: {error}"),
    };
    if let Err(error) = stream.write_all(request).await {
        panic!("cannot send the request: {error}");
    }
    stream
}

/// Reads until the end of the stream or an error.
pub async fn read_to_end(stream: &mut TcpStream) -> Raw {
    let mut bytes = Vec::new();
    let mut buffer = [0; 16 * 1024];
    let end = within("reading the answer", async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) => return Ok(()),
                Ok(n) => bytes.extend_from_slice(&buffer[..n]),
                Err(error) => return Err(error),
            }
        }
    })
    .await;
    Raw { bytes, end }
}

/// Reads until the head and at least `body_bytes` of the body have arrived.
pub async fn read_head_and(stream: &mut TcpStream, body_bytes: usize) -> Raw {
    let mut bytes = Vec::new();
    let mut buffer = [0; 16 * 1024];
    let end = within("reading the answer's start", async {
        loop {
            if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n")
                && bytes.len() >= at + 4 + body_bytes
            {
                return Ok(());
            }
            match stream.read(&mut buffer).await {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => bytes.extend_from_slice(&buffer[..n]),
                Err(error) => return Err(error),
            }
        }
    })
    .await;
    Raw { bytes, end }
}

/// Sends `request` on a new connection and reads everything until the server is done.
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> Raw {
    let mut stream = open(addr, request).await;
    read_to_end(&mut stream).await
}
