//! The loopback redirect of RFC 8252 §7.3 (as `gh` and `gcloud` do it): `iryo plat login` listens at its
//! `http://127.0.0.1:PORT/PATH` redirect URI, so the browser hands the code over by itself. Bounded: loopback
//! only, one deadline for the whole wait, at most a few connections at once, 16 KiB of request head, 4 KiB of
//! query, one request per connection. A wrong `state` or an `error=` callback ends the login with a page that
//! says so and a typed error; a request to another path (a favicon) gets a 404 and the wait goes on.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::task::JoinSet;

/// Request line and headers: a browser sends 1-2 KiB; hyper's own floor is 8 KiB.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// A code and a state are a few hundred bytes.
const MAX_QUERY_BYTES: usize = 4 * 1024;
/// Connections served at once (a browser opens a few: the page, a favicon, a preconnect).
const MAX_CONNECTIONS: usize = 8;
/// One connection's whole life.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(10);

/// Why the browser's redirect gave no code.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// Nobody came back in time.
    #[error(
        "no browser came back to {redirect_uri} within {seconds} s: run `iryo plat login` again \
         (with --no-listen to paste the address instead, e.g. for a browser on another machine)"
    )]
    Timeout {
        /// Where the listener waited.
        redirect_uri: String,
        /// How long.
        seconds: u64,
    },
    /// The `state` is not this login's: another page may be trying to log this user in as someone else.
    #[error("the redirect's state is not this login's: refused (run `iryo plat login` again)")]
    WrongState,
    /// Keycloak sent `error=` instead of a code.
    #[error("Keycloak refused the login: {code}")]
    Refused {
        /// The OAuth `error`, when it is a plain code (anything else is not shown).
        code: String,
    },
    /// Neither a code nor an error.
    #[error("the redirect has no code")]
    NoCode,
}

/// The code of a redirect's query, after the `state` check (the same rule for the listener and for a pasted
/// address).
pub fn code_of_query(query: &str, state: &str) -> Result<String, CallbackError> {
    let query = query.split('#').next().unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if get("state") != Some(state) {
        return Err(CallbackError::WrongState);
    }
    if let Some(error) = get("error") {
        return Err(CallbackError::Refused {
            code: plain_code(error),
        });
    }
    match get("code") {
        Some(code) if !code.is_empty() => Ok(code.to_owned()),
        _ => Err(CallbackError::NoCode),
    }
}

/// An OAuth error code as shown to a person: RFC 6749's characters only, 64 at most; else a placeholder.
fn plain_code(error: &str) -> String {
    let plain = error.len() <= 64
        && error
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    match plain && !error.is_empty() {
        true => error.to_owned(),
        false => "(an error code that is not shown)".to_owned(),
    }
}

/// A bound loopback listener for one login.
pub struct Listener {
    tcp: tokio::net::TcpListener,
    path: String,
    redirect_uri: String,
}

impl Listener {
    /// Binds the address of an `http://` redirect URI on loopback (`127.0.0.1`, `[::1]` or `localhost`, which
    /// is bound as 127.0.0.1); port 0 takes a free port. `Ok(None)`: the URI is not such a redirect (paste).
    pub async fn bind(redirect_uri: &str) -> std::io::Result<Option<Listener>> {
        let Some((ip, port, mut url)) = loopback_redirect(redirect_uri) else {
            return Ok(None);
        };
        let tcp = tokio::net::TcpListener::bind(SocketAddr::new(ip, port)).await?;
        let port = tcp.local_addr()?.port();
        // An explicit port: the bound one when 0 was asked.
        let _ = url.set_port(Some(port));
        Ok(Some(Listener {
            tcp,
            path: url.path().to_owned(),
            redirect_uri: url.to_string(),
        }))
    }

    /// The redirect URI with the port actually bound: the one to send to Keycloak.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves the callback until a redirect with this `state` arrives (its code), or a refusal, or `timeout`.
    pub async fn wait(self, state: &str, timeout: Duration) -> Result<String, CallbackError> {
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let page = Arc::new(Page {
            path: self.path,
            state: state.to_owned(),
        });
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                () = &mut deadline => {
                    return Err(CallbackError::Timeout {
                        redirect_uri: self.redirect_uri,
                        seconds: timeout.as_secs(),
                    });
                }
                accepted = self.tcp.accept(), if connections.len() < MAX_CONNECTIONS => {
                    if let Ok((stream, _)) = accepted {
                        connections.spawn(serve_one(stream, Arc::clone(&page)));
                    }
                }
                finished = connections.join_next(), if !connections.is_empty() => {
                    if let Some(Ok(Some(outcome))) = finished {
                        return outcome;
                    }
                }
            }
        }
    }
}

/// `(ip, port, url)` of an `http://` URI whose host is loopback.
fn loopback_redirect(redirect_uri: &str) -> Option<(IpAddr, u16, url::Url)> {
    let url = url::Url::parse(redirect_uri).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let ip = match url.host()? {
        url::Host::Ipv4(ip) if ip.is_loopback() => IpAddr::V4(ip),
        url::Host::Ipv6(ip) if ip == Ipv6Addr::LOCALHOST => IpAddr::V6(ip),
        url::Host::Domain(name) if name.eq_ignore_ascii_case("localhost") => {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        }
        _ => return None,
    };
    Some((ip, url.port().unwrap_or(80), url))
}

/// What the listener checks a request against.
struct Page {
    path: String,
    state: String,
}

/// One connection, one request; the outcome once the page has been sent.
async fn serve_one(
    stream: tokio::net::TcpStream,
    page: Arc<Page>,
) -> Option<Result<String, CallbackError>> {
    let outcome = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&outcome);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let (response, result) = answer(&request, &page);
        if let Some(result) = result {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        }
        async move { Ok::<_, Infallible>(response) }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.keep_alive(false)
        .max_buf_size(MAX_HEAD_BYTES)
        .timer(TokioTimer::new())
        .header_read_timeout(CONNECTION_DEADLINE);
    let connection = http.serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(CONNECTION_DEADLINE, connection).await;
    outcome
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

/// The page for one request, and the login's outcome when the request is the callback.
fn answer(
    request: &Request<Incoming>,
    page: &Page,
) -> (Response<Full<Bytes>>, Option<Result<String, CallbackError>>) {
    if request.uri().path() != page.path {
        return (html(StatusCode::NOT_FOUND, "Not found."), None);
    }
    if request.method() != Method::GET {
        return (html(StatusCode::METHOD_NOT_ALLOWED, "Use GET."), None);
    }
    let query = request.uri().query().unwrap_or_default();
    if query.len() > MAX_QUERY_BYTES {
        let text = "The address is too long to be a login redirect.";
        return (html(StatusCode::URI_TOO_LONG, text), None);
    }
    let result = code_of_query(query, &page.state);
    let response = match &result {
        Ok(_) => html(
            StatusCode::OK,
            "Logged in: iryo has the code. You can close this tab.",
        ),
        Err(CallbackError::WrongState) => html(
            StatusCode::BAD_REQUEST,
            "Refused: this redirect does not belong to the login iryo started. Nothing was done; \
             run iryo plat login again.",
        ),
        Err(e) => html(
            StatusCode::BAD_REQUEST,
            &format!("The login did not succeed: {e}."),
        ),
    };
    (response, Some(result))
}

/// A small page; the texts are ours (an error code shown is plain, see [`plain_code`]).
fn html(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>iryo plat login</title></head>\
         <body><p>{text}</p></body></html>\n"
    );
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_is_checked_before_anything_else() {
        assert_eq!(code_of_query("code=a%2Bb&state=s", "s").unwrap(), "a+b");
        for (query, state) in [("code=a&state=s", "t"), ("code=a", "s"), ("error=x", "s")] {
            assert!(matches!(
                code_of_query(query, state),
                Err(CallbackError::WrongState)
            ));
        }
        let refused = code_of_query("error=access_denied&state=s", "s").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Keycloak refused the login: access_denied"
        );
        let hostile = code_of_query("error=%1b%5b31m%3Cb%3E&state=s", "s").unwrap_err();
        assert!(!hostile.to_string().contains(['\x1b', '<']), "{hostile}");
        assert!(matches!(
            code_of_query("state=s&code=", "s"),
            Err(CallbackError::NoCode)
        ));
    }

    #[test]
    fn only_plain_http_loopback_redirects_are_listened_on() {
        let ok = |uri: &str| loopback_redirect(uri).map(|(ip, port, _)| (ip.to_string(), port));
        assert_eq!(
            ok("http://127.0.0.1:8400/callback"),
            Some(("127.0.0.1".into(), 8400))
        );
        assert_eq!(ok("http://[::1]/cb"), Some(("::1".into(), 80)));
        assert_eq!(ok("http://LOCALHOST:9/cb"), Some(("127.0.0.1".into(), 9)));
        for uri in [
            "https://127.0.0.1:8400/callback",
            "http://192.168.1.2:8400/callback",
            "http://example.jp/callback",
            "not a url",
        ] {
            assert_eq!(ok(uri), None, "{uri}");
        }
    }
}
