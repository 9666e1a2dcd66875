//! Client configuration: where the server is, how to authenticate, timeouts, TLS identity.

use iryo_runtime::{
    __private::{BuildError, Settings},
    Credentials, Transport,
};

use crate::{Client, Error};

/// How to reach an ORCA server. Build one with [`Config::new`], adjust it, then [`Config::build`].
///
/// `Debug` shows no password and no key material.
#[derive(Clone, Debug)]
pub struct Config {
    settings: Settings,
    credentials: Credentials,
}

impl Config {
    /// A server at `base_url` (scheme, host and port, e.g. `https://orca.example.jp:8000`) with
    /// the given credentials, a 30 s request timeout, a 10 s connect timeout, 3 attempts with
    /// backoff for failures worth retrying, and answers of at most 32 MiB.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        let user_agent = concat!("iryo-orca/", env!("CARGO_PKG_VERSION"));
        Config {
            settings: Settings::new(base_url, credentials.clone(), user_agent, 32 * 1024 * 1024),
            credentials,
        }
    }

    iryo_runtime::config_methods!();

    /// A path put in front of every API path. WebORCA serves the API under `/api`.
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.settings.base_path = path.into();
        self
    }

    /// Shorthand for `base_path("/api")`, the WebORCA layout.
    pub fn weborca(self) -> Self {
        self.base_path("/api")
    }

    /// The client. Fails on a base URL that is not `http(s)://host[:port][/path]`, on a URL with
    /// a user or password in it (put credentials in [`Credentials`]), on credentials over plain
    /// http to a host that is not loopback ([`Error::InsecureHttp`]), or on unusable credentials.
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client::from_shell(self.shell()?))
    }

    /// The connection settings (for a client of another ORCA API, such as the live feed).
    pub fn transport(&self) -> &Transport {
        &self.settings.transport
    }

    /// The base URL with the base path joined, as checked by [`build`](Self::build).
    pub fn effective_base_url(&self) -> Result<String, Error> {
        let base = self.settings.effective_base_url();
        base.map_err(|e| Error::from(BuildError::BaseUrl(e)))
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effective_base(base_url: &str, base_path: &str) -> Result<String, Error> {
        Config::new(base_url, Credentials::None)
            .base_path(base_path)
            .effective_base_url()
    }

    #[test]
    fn the_base_path_is_joined_to_the_base_url() {
        // The joining rules themselves are the runtime's (`join_base_url`).
        let weborca = Config::new("http://h:8000/", Credentials::None).weborca();
        assert_eq!(weborca.effective_base_url().unwrap(), "http://h:8000/api");
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
