//! What every client's `Config` holds (where the server is, how to authenticate, the connection,
//! the retries) and how it becomes a [`Shell`]; the builder methods they share come from
//! [`config_methods!`](crate::config_methods), written once here.

use crate::shell::{Auth, Generated, Hooks};
use crate::{
    __private::{BaseUrlError, InvalidCredentials, Shell},
    InsecureHttp, RetryPolicy, Transport, TransportError,
};

/// A client's settings before it is built. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Scheme, host and port (and a path stem), as the user gave it.
    pub base_url: String,
    /// A path put in front of every API path.
    pub base_path: String,
    /// How requests authenticate.
    pub auth: Auth,
    /// The connection.
    pub transport: Transport,
    /// Retries, for the operations whose class allows them.
    pub retry: RetryPolicy,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The base URL is not usable.
    #[error(transparent)]
    BaseUrl(BaseUrlError),
    /// Credentials would go over plain http to a host that is not loopback.
    #[error(transparent)]
    InsecureHttp(InsecureHttp),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Transport(TransportError),
    /// The credentials cannot be sent as a header.
    #[error(transparent)]
    Credentials(InvalidCredentials),
}

impl Settings {
    /// Settings for a server at `base_url`, with the connection defaults of [`Transport::new`]
    /// and the default [`RetryPolicy`].
    pub fn new(
        base_url: impl Into<String>,
        auth: impl Into<Auth>,
        user_agent: &str,
        max_response_bytes: u64,
    ) -> Self {
        Settings {
            base_url: base_url.into(),
            base_path: String::new(),
            auth: auth.into(),
            transport: Transport::new(user_agent, max_response_bytes),
            retry: RetryPolicy::default(),
        }
    }

    /// The base URL with the base path joined, checked.
    pub fn effective_base_url(&self) -> Result<String, BaseUrlError> {
        crate::__private::join_base_url(&self.base_url, &self.base_path)
    }

    /// The shell around the generated client that `generated` makes from the base URL, the
    /// HTTP client and the hooks (progenitor's `new_with_client`).
    pub fn build<R: Generated>(
        self,
        generated: impl FnOnce(&str, reqwest::Client, Hooks) -> R,
    ) -> Result<Shell<R>, BuildError> {
        let base = self.effective_base_url().map_err(BuildError::BaseUrl)?;
        let mut hooks = Hooks::new(self.transport.max_response_bytes);
        // Fixed credentials go on at once (and are checked now); a provider's token per request.
        if let Auth::Credentials(credentials) = &self.auth {
            let header = credentials
                .authorization_header()
                .map_err(BuildError::Credentials)?;
            if let Some(value) = &header {
                hooks.redactor().remember(value);
            }
            hooks.authorize(header);
        }
        let http = self
            .transport
            .http_client(&base, self.auth.sends_credentials())
            .map_err(|e| match e {
                TransportError::InsecureHttp(refused) => BuildError::InsecureHttp(refused),
                other => BuildError::Transport(other),
            })?;
        Ok(Shell::new(
            generated(&base, http, hooks),
            self.auth,
            self.retry,
        ))
    }
}

/// The builder methods every client's `Config` shares, on a struct with a `settings:`
/// [`Settings`] field, and the private `shell()` that builds the shell around the crate's
/// generated client (`crate::generated::Client`). Expanded once per client crate; written (and
/// documented) once here.
#[doc(hidden)]
#[macro_export]
// `crate::generated` is meant: the client crate's generated module, where the macro is expanded.
#[allow(clippy::crate_in_macro_def)]
macro_rules! config_methods {
    () => {
        /// The shell around this crate's generated client; see [`Settings::build`]($crate::__private::Settings::build).
        fn shell(self) -> Result<$crate::__private::Shell<crate::generated::Client>, $crate::__private::BuildError> {
            self.settings
                .build(crate::generated::Client::new_with_client)
        }

        /// Retries: an operation the spec marks as a read (`x-iryo-retry`, else GET) is sent
        /// again after connection failures, timeouts, cut answers, 408, 429 and 5xx, honouring
        /// `Retry-After`; any other only when the request certainly never reached the server.
        /// `RetryPolicy::none()` turns them off.
        pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
            self.settings.retry = policy;
            self
        }

        /// The largest answer accepted; a bigger one is `Error::TooLarge`.
        pub fn max_response_bytes(mut self, limit: u64) -> Self {
            self.settings.transport.max_response_bytes = limit;
            self
        }

        $crate::allow_insecure_http!(settings.transport);

        /// Total time allowed for one request, answer included.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.transport.timeout = timeout;
            self
        }

        /// Time allowed to open the connection.
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.transport.connect_timeout = timeout;
            self
        }

        /// A TLS client certificate.
        pub fn client_identity(mut self, identity: $crate::ClientIdentity) -> Self {
            self.settings.transport.identity = Some(identity);
            self
        }
    };
}

/// Declares a client crate's `Client`: the [`Shell`](crate::__private::Shell) around the crate's generated
/// client (`crate::generated::Client`), and the `from_shell` its `Config::build` calls. Expanded
/// once per client crate beside [`config_methods!`](crate::config_methods); the crate's operations
/// go in its own `impl Client` blocks.
#[doc(hidden)]
#[macro_export]
// `crate::generated` is meant: the client crate's generated module, where the macro is expanded.
#[allow(clippy::crate_in_macro_def)]
macro_rules! client_struct {
    ($(#[$meta:meta])* pub struct $client:ident;) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $client {
            shell: $crate::__private::Shell<crate::generated::Client>,
        }

        impl $client {
            pub(crate) fn from_shell(shell: $crate::__private::Shell<crate::generated::Client>) -> Self {
                $client { shell }
            }
        }
    };
}

/// The builder method that gives a config's consent to plain http, on the [`Transport`](crate::Transport) at
/// `$path` (`settings.transport`, `transport`): the one place the consent and its risk are
/// written, for every config that connects with credentials.
#[doc(hidden)]
#[macro_export]
macro_rules! allow_insecure_http {
    ($($path:ident).+) => {
        /// Allows sending credentials over plain `http://` (or `ws://`) to a host that is not
        /// loopback (and through a proxy, if one is configured). Off by default. Risk: anyone on
        /// the network path can read the password or token. Plain http to loopback never needs
        /// it and never goes through a proxy.
        pub fn allow_insecure_http(mut self, allow: bool) -> Self {
            self.$($path).+.allow_insecure_http = allow;
            self
        }
    };
}

/// Builder setters written one line each: `/// doc` then `name(arg: Type) => field;` sets the
/// field to the argument; `=> field = expression;` to an expression of it (`Some(arg)`,
/// `arg.into()`, `arg.max(1)`); the field may be a path (`transport.identity`). Each expands to
/// `pub fn name(mut self, arg: Type) -> Self`.
#[doc(hidden)]
#[macro_export]
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $($field:ident).+ $(= $value:expr)?;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $arg: $ty) -> Self {
                self.$($field).+ = $crate::setters!(@value $arg $($value)?);
                self
            }
        )*
    };
    (@value $arg:ident) => { $arg };
    (@value $arg:ident $value:expr) => { $value };
}

/// `FromStr` of a type by its `parse(&str) -> Result<Self, $err>`.
#[doc(hidden)]
#[macro_export]
macro_rules! from_str_by_parse {
    ($ty:ident: $err:ty) => {
        impl ::std::str::FromStr for $ty {
            type Err = $err;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $ty::parse(text)
            }
        }
    };
}

/// `Deserialize` of a type read from a JSON string by its `parse(&str)` (the string borrowed when
/// the input allows); the parse error is the message.
#[doc(hidden)]
#[macro_export]
macro_rules! deserialize_by_parse {
    ($ty:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $ty::parse(&text).map_err(::serde::de::Error::custom)
            }
        }
    };
}
