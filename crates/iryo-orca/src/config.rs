//! Client configuration: where the server is, how to authenticate, timeouts, TLS identity.

use std::time::Duration;

use iryo_runtime::{ClientIdentity, Credentials, RetryPolicy, Transport};

use crate::hooks::Hooks;
use crate::{Client, Error};

/// How to reach an ORCA server. Build one with [`Config::new`], adjust it, then [`Config::build`].
///
/// `Debug` shows no password and no key material.
#[derive(Clone, Debug)]
pub struct Config {
    base_url: String,
    base_path: String,
    credentials: Credentials,
    transport: Transport,
    retry: RetryPolicy,
}

impl Config {
    /// A server at `base_url` (scheme, host and port, e.g. `https://orca.example.jp:8000`) with
    /// the given credentials, a 30 s request timeout, a 10 s connect timeout, 3 attempts with
    /// backoff for failures worth retrying, and answers of at most 32 MiB.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Config {
            base_url: base_url.into(),
            base_path: String::new(),
            credentials,
            transport: Transport::new(
                concat!("iryo-orca/", env!("CARGO_PKG_VERSION")),
                32 * 1024 * 1024,
            ),
            retry: RetryPolicy::default(),
        }
    }

    /// Retries of `pusheventgetv2` (a read, safe to repeat) on connection failures, timeouts,
    /// 408, 429 and 5xx, honouring `Retry-After`. `RetryPolicy::none()` turns them off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest answer accepted; a bigger one is [`Error::TooLarge`](crate::Error::TooLarge).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.transport.max_response_bytes = limit;
        self
    }

    /// Allows sending the password over plain `http://` to a host that is not loopback (and
    /// through a proxy, if one is configured). Off by default; on-premises ORCA on a clinic LAN
    /// may need it. Risk: anyone on the network path can read the password. Plain http to
    /// loopback never needs it and never goes through a proxy.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.transport.allow_insecure_http = allow;
        self
    }

    /// A path put in front of every API path. WebORCA serves the API under `/api`.
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = path.into();
        self
    }

    /// Shorthand for `base_path("/api")`, the WebORCA layout.
    pub fn weborca(self) -> Self {
        self.base_path("/api")
    }

    /// Total time allowed for one request, answer included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = timeout;
        self
    }

    /// Time allowed to open the connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = timeout;
        self
    }

    /// A TLS client certificate, as ORCA's cloud service requires.
    pub fn client_identity(mut self, identity: ClientIdentity) -> Self {
        self.transport.identity = Some(identity);
        self
    }

    /// The client. Fails on a base URL that is not `http(s)://host[:port][/path]`, on a URL with
    /// a user or password in it (put credentials in [`Credentials`]), on credentials over plain
    /// http to a host that is not loopback ([`Error::InsecureHttp`]), or on unusable credentials.
    pub fn build(self) -> Result<Client, Error> {
        let base = effective_base(&self.base_url, &self.base_path)?;
        let sends_credentials = !matches!(self.credentials, Credentials::None);
        let http = self.transport.http_client(&base, sends_credentials)?;
        let authorization = self
            .credentials
            .authorization_header()
            .map_err(|e| Error::Config(e.to_string()))?;
        let hooks = Hooks::new(authorization, self.transport.max_response_bytes);
        let raw = crate::generated::Client::new_with_client(&base, http, hooks);
        Ok(Client::from_raw(raw, self.retry))
    }

    /// The connection settings (for a client of another ORCA API, such as the live feed).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The base URL with the base path joined, as checked by [`build`](Self::build).
    pub fn effective_base_url(&self) -> Result<String, Error> {
        effective_base(&self.base_url, &self.base_path)
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

fn effective_base(base_url: &str, base_path: &str) -> Result<String, Error> {
    iryo_runtime::join_base_url(base_url, base_path).map_err(|e| Error::Config(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_is_normalised() {
        assert_eq!(
            effective_base("http://h:8000", "").unwrap(),
            "http://h:8000"
        );
        assert_eq!(
            effective_base("http://h:8000/", "/api").unwrap(),
            "http://h:8000/api"
        );
        assert_eq!(
            effective_base("http://h:8000", "api/").unwrap(),
            "http://h:8000/api"
        );
    }

    #[test]
    fn credentials_over_plain_http_need_consent_except_on_loopback() {
        let creds = || Credentials::basic("ormaster", "pw");
        let err = Config::new("http://192.168.10.5:8000", creds())
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InsecureHttp(_)), "{err}");
        assert!(
            Config::new("http://192.168.10.5:8000", creds())
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
        assert!(
            Config::new("http://127.0.0.1:8000", creds())
                .build()
                .is_ok()
        );
        assert!(
            Config::new("https://orca.example.jp", creds())
                .build()
                .is_ok()
        );
    }

    #[test]
    fn bad_base_urls_are_refused() {
        for bad in ["not a url", "ftp://h/", "http://u:p@h/", "http://h/?x=1"] {
            assert!(
                matches!(effective_base(bad, ""), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_password_in_the_url_is_not_echoed() {
        let err = effective_base("http://ormaster:topsecret@h/", "").unwrap_err();
        assert!(!err.to_string().contains("topsecret"));
    }

    #[test]
    fn debug_of_config_and_client_hides_the_password() {
        let config = Config::new(
            "http://127.0.0.1:1",
            Credentials::basic("ormaster", "pw-do-not-show"),
        );
        let shown = format!("{config:?}");
        assert!(!shown.contains("pw-do-not-show"), "{shown}");
        let client = config.build().unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("pw-do-not-show"), "{shown}");
        // base64 of the pair must not leak either
        assert!(!shown.contains("b3JtYXN0ZXI6"), "{shown}");
    }
}
