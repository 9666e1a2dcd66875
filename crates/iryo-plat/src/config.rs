//! Client configuration: the application path, the Bearer token source, timeouts.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use iryo_runtime::{RetryPolicy, Secret, TokenProvider, Transport};

use crate::hooks::{Hooks, TokenSource};
use crate::{Client, Error};

/// How to reach a PLAT server. `Debug` shows no token.
#[derive(Clone)]
pub struct Config {
    application_path: String,
    token: TokenSource,
    transport: Transport,
    retry: RetryPolicy,
}

impl Config {
    /// A server at `application_path` (gateway base plus context path, e.g.
    /// `https://plat.example.jp/cloudEHR`) with a fixed Bearer token.
    pub fn new(application_path: impl Into<String>, token: impl Into<Secret>) -> Self {
        Config {
            application_path: application_path.into(),
            token: TokenSource::Static(token.into()),
            transport: Transport::new(
                concat!("iryo-plat/", env!("CARGO_PKG_VERSION")),
                16 * 1024 * 1024,
            ),
            retry: RetryPolicy::default(),
        }
    }

    /// Retries. A permission delete is not idempotent (deleting twice is PLAT400), so only
    /// failures to connect, where the request certainly never reached the server, are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest answer accepted; a bigger one is [`Error::TooLarge`](crate::Error::TooLarge).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.transport.max_response_bytes = limit;
        self
    }

    /// Allows sending the token over plain `http://` to a host that is not loopback (and through
    /// a proxy, if one is configured). Risk: anyone on the network path can read the token and
    /// act as you until it expires. Plain http to loopback never needs it and never goes
    /// through a proxy.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.transport.allow_insecure_http = allow;
        self
    }

    /// A server whose Bearer token is asked from `provider` before every request (so that it
    /// can be refreshed).
    pub fn with_token_provider(
        application_path: impl Into<String>,
        provider: impl TokenProvider + 'static,
    ) -> Self {
        Config {
            token: TokenSource::Provider(Arc::new(provider)),
            ..Config::new(application_path, "")
        }
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

    /// The client; fails on an unusable application path, or on a token over plain http to a
    /// host that is not loopback ([`Error::InsecureHttp`]).
    pub fn build(self) -> Result<Client, Error> {
        let base = iryo_runtime::join_base_url(&self.application_path, "")
            .map_err(|e| Error::Config(e.to_string()))?;
        let http = self.transport.http_client(&base, true)?;
        let hooks = Hooks::new(self.token, self.transport.max_response_bytes);
        let raw = crate::generated::Client::new_with_client(&base, http, hooks);
        Ok(Client::from_raw(raw, self.retry))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = match self.token {
            TokenSource::Static(_) => "static [REDACTED]",
            TokenSource::Provider(_) => "provider",
        };
        f.debug_struct("Config")
            .field("application_path", &self.application_path)
            .field("token", &token)
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .finish()
    }
}
