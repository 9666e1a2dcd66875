//! Client configuration: the application path, the Bearer token source, timeouts.

use std::sync::Arc;

use iryo_runtime::{
    __private::{Auth, Settings},
    Credentials, Secret, TokenProvider,
};

use crate::{Client, Error};

/// How to reach a PLAT server. `Debug` shows no token.
#[derive(Clone, Debug)]
pub struct Config {
    settings: Settings,
}

impl Config {
    /// A server at `application_path` (gateway base plus context path, e.g.
    /// `https://plat.example.jp/cloudEHR`) with a fixed Bearer token.
    pub fn new(application_path: impl Into<String>, token: impl Into<Secret>) -> Self {
        Config::with_auth(application_path, Credentials::bearer(token))
    }

    /// A server whose Bearer token is asked from `provider` before every request (so that it
    /// can be refreshed).
    pub fn with_token_provider(
        application_path: impl Into<String>,
        provider: impl TokenProvider + 'static,
    ) -> Self {
        Config::with_auth(application_path, Auth::Provider(Arc::new(provider)))
    }

    fn with_auth(application_path: impl Into<String>, auth: impl Into<Auth>) -> Self {
        let user_agent = concat!("iryo-plat/", env!("CARGO_PKG_VERSION"));
        let settings = Settings::new(application_path, auth, user_agent, 16 * 1024 * 1024);
        Config { settings }
    }

    iryo_runtime::config_methods!();

    /// The client; fails on an unusable application path, or on a token over plain http to a
    /// host that is not loopback ([`Error::InsecureHttp`]).
    pub fn build(self) -> Result<Client, Error> {
        let shell = self.shell()?;
        Ok(Client::from_shell(
            shell.with_list_item_limit(crate::MAX_LIST_ITEMS),
        ))
    }
}
