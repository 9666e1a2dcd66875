//! Client configuration: where the server is, how to authenticate, timeouts, TLS identity.

use std::time::Duration;

use iryo_runtime::{ClientIdentity, Credentials};

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
    timeout: Duration,
    connect_timeout: Duration,
    identity: Option<ClientIdentity>,
}

impl Config {
    /// A server at `base_url` (scheme, host and port, e.g. `https://orca.example.jp:8000`) with
    /// the given credentials, a 30 s request timeout and a 10 s connect timeout.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Config {
            base_url: base_url.into(),
            base_path: String::new(),
            credentials,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            identity: None,
        }
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
        self.timeout = timeout;
        self
    }

    /// Time allowed to open the connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A TLS client certificate, as ORCA's cloud service requires.
    pub fn client_identity(mut self, identity: ClientIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// The client. Fails on a base URL that is not `http(s)://host[:port][/path]`, on a URL with
    /// a user or password in it (put credentials in [`Credentials`]), or on unusable credentials.
    pub fn build(self) -> Result<Client, Error> {
        let base = effective_base(&self.base_url, &self.base_path)?;
        let authorization = self
            .credentials
            .authorization_header()
            .map_err(|e| Error::Config(e.to_string()))?;
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("iryo-orca/", env!("CARGO_PKG_VERSION")));
        if let Some(identity) = &self.identity {
            let identity = identity
                .to_reqwest()
                .map_err(|e| Error::Config(e.to_string()))?;
            http = http.identity(identity);
        }
        let http = http.build().map_err(|e| Error::Config(e.to_string()))?;
        Ok(Client::from_raw(crate::generated::Client::new_with_client(
            &base,
            http,
            Hooks::new(authorization),
        )))
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
