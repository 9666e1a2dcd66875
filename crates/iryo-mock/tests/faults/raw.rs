//! A reqwest client that adds nothing, and a raw HTTP/1.1 client that shows exactly what arrives
//! on the socket.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
