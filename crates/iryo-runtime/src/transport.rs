//! The HTTP connection every client builds the same way: timeouts, user agent, TLS client
//! identity, and where plain http may go (never with credentials off loopback, never through a
//! proxy unless the user allowed plain http).

use std::time::Duration;

use crate::ClientIdentity;

/// Connection settings shared by the clients (and usable for a WebSocket connection: see
/// [`Transport::route`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Transport {
    /// The `User-Agent` header, e.g. `iryo-orca/0.1.0`.
    pub user_agent: String,
    /// Total time allowed for one request, answer included.
    pub timeout: Duration,
    /// Time allowed to open the connection.
    pub connect_timeout: Duration,
    /// For answers streamed at any length: the longest wait for the next bytes, which then
    /// replaces the total [`timeout`](Self::timeout).
    pub read_timeout: Option<Duration>,
    /// A TLS client certificate.
    pub identity: Option<ClientIdentity>,
    /// Credentials may go over plain `http://` to a host that is not loopback (and then through a
    /// configured proxy). Off by default.
    pub allow_insecure_http: bool,
    /// The largest response body accepted.
    pub max_response_bytes: u64,
}

impl Transport {
    /// A 30 s request timeout, a 10 s connect timeout, no client certificate, no plain http off
    /// loopback.
    pub fn new(user_agent: impl Into<String>, max_response_bytes: u64) -> Self {
        Transport {
            user_agent: user_agent.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            read_timeout: None,
            identity: None,
            allow_insecure_http: false,
            max_response_bytes,
        }
    }

    /// How a connection to `url` (`http`, `https`, `ws` or `wss`) may go. Plain `http`/`ws`
    /// with credentials: to loopback always [`Route::Direct`] (a proxy would read them); to
    /// another host only when [`allow_insecure_http`](Self::allow_insecure_http) is set.
    #[doc(hidden)] // plumbing: the runtime and the client crates call it
    pub fn route(&self, url: &str, sends_credentials: bool) -> Result<Route, TransportError> {
        let url = url::Url::parse(url).map_err(|_| TransportError::NotAUrl)?;
        if !matches!(url.scheme(), "http" | "ws") {
            return Ok(Route::Any);
        }
        if is_loopback(&url) {
            return Ok(Route::Direct);
        }
        if !sends_credentials || self.allow_insecure_http {
            return Ok(Route::Any);
        }
        Err(TransportError::InsecureHttp(InsecureHttp {
            host: url.host_str().unwrap_or_default().to_owned(),
        }))
    }

    /// The `reqwest` client for a server at `base_url`, after [`route`](Self::route).
    #[doc(hidden)] // plumbing: the runtime and the client crates call it
    pub fn http_client(
        &self,
        base_url: &str,
        sends_credentials: bool,
    ) -> Result<reqwest::Client, TransportError> {
        self.http_client_builder(base_url, sends_credentials)?
            .build()
            .map_err(|e| TransportError::Build(e.to_string()))
    }

    /// The builder of [`http_client`](Self::http_client), for a caller that sets more (e.g. no
    /// redirects).
    #[doc(hidden)] // plumbing: the runtime and the client crates call it
    pub fn http_client_builder(
        &self,
        base_url: &str,
        sends_credentials: bool,
    ) -> Result<reqwest::ClientBuilder, TransportError> {
        let route = self.route(base_url, sends_credentials)?;
        crate::tls::install_provider();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent.as_str());
        builder = match self.read_timeout {
            Some(read_timeout) => builder.read_timeout(read_timeout),
            None => builder.timeout(self.timeout),
        };
        if route == Route::Direct {
            builder = builder.no_proxy();
        }
        if let Some(identity) = &self.identity {
            builder = builder.identity(identity.to_reqwest().map_err(TransportError::Identity)?);
        }
        Ok(builder)
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Where a connection may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Straight to the server, bypassing any proxy (plain http to loopback).
    Direct,
    /// Through a proxy if one is configured (`HTTPS_PROXY`, ...): https, or plain http allowed.
    Any,
}

/// Credentials would travel in plain text to a host that is not loopback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing to send credentials over plain http to {host}: anyone on the way (a proxy too) could \
     read them; use https, or allow plain http to this host only on a network you trust"
)]
pub struct InsecureHttp {
    /// The host named by the base URL.
    pub host: String,
}

/// The connection cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// See [`InsecureHttp`].
    #[error(transparent)]
    InsecureHttp(InsecureHttp),
    /// The URL does not parse.
    #[error("the base URL is not a URL")]
    NotAUrl,
    /// The client certificate cannot be used.
    #[error(transparent)]
    Identity(crate::IdentityError),
    /// The TLS backend refused the settings.
    #[error("the HTTP client cannot be built: {0}")]
    Build(String),
}

impl TransportError {
    /// Into a client's own error: the refusal of plain http as `insecure`, anything else as
    /// `config` with its text (every client maps these two the same way).
    #[doc(hidden)] // plumbing: the runtime and the client crates call it
    pub fn into_client_error<E>(
        self,
        insecure: impl FnOnce(InsecureHttp) -> E,
        config: impl FnOnce(String) -> E,
    ) -> E {
        match self {
            TransportError::InsecureHttp(refused) => insecure(refused),
            other => config(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(allow: bool) -> Transport {
        let mut transport = Transport::new("t", 1);
        transport.allow_insecure_http = allow;
        transport
    }

    #[test]
    fn a_client_maps_the_refusal_and_the_rest_its_own_way() {
        #[derive(Debug, PartialEq)]
        enum Mine {
            Insecure(String),
            Config(String),
        }
        let mine = |e: TransportError| {
            e.into_client_error(|refused| Mine::Insecure(refused.to_string()), Mine::Config)
        };
        let refused = transport(false)
            .route("http://192.0.2.1/", true)
            .unwrap_err();
        assert!(matches!(mine(refused), Mine::Insecure(_)));
        let not_a_url = transport(false).route("not a url", true).unwrap_err();
        assert_eq!(
            mine(not_a_url),
            Mine::Config("the base URL is not a URL".to_owned())
        );
        assert!(transport(true).route("http://192.0.2.1/", true).is_ok());
    }

    #[test]
    fn plain_http_with_credentials_goes_direct_to_loopback_only() {
        for url in [
            "http://127.0.0.1:8000",
            "http://localhost/",
            "http://[::1]:9/",
            "ws://127.0.0.1/",
        ] {
            assert_eq!(
                transport(false).route(url, true),
                Ok(Route::Direct),
                "{url}"
            );
            assert_eq!(transport(true).route(url, true), Ok(Route::Direct), "{url}");
        }
        for url in [
            "http://192.168.1.10:8000",
            "ws://orca.lan/",
            "http://0.0.0.0:8000",
        ] {
            let err = transport(false).route(url, true).unwrap_err();
            assert!(matches!(err, TransportError::InsecureHttp(_)), "{url}");
            assert_eq!(transport(true).route(url, true), Ok(Route::Any), "{url}");
            assert_eq!(
                transport(false).route(url, false),
                Ok(Route::Any),
                "nothing secret"
            );
        }
        assert_eq!(
            transport(false).route("https://orca.example.jp", true),
            Ok(Route::Any)
        );
        assert_eq!(
            transport(false).route("wss://orca.example.jp", true),
            Ok(Route::Any)
        );
    }
}
