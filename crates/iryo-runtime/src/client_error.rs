//! The error type of a generated client, written once: [`client_error!`](crate::client_error)
//! declares the client's `Error` with the failure kinds every client names alike (an unexpected
//! status, transport, plain http refused, too large, not decodable, invalid input or
//! configuration) beside the client's own variants, and the conversions from the runtime's
//! failures. Each client keeps only its quirks (its API error forms, 401/403 wording, cut answers).

/// Declares `pub enum $error` with the caller's variants and the shared ones, and:
/// `From<BuildError>`, `From<AuthFailure>` (into the `$auth` variant, a `String`), `code()` (of the
/// `Api { code, .. }` variant), `undecodable` and `shared_failure`, which names a
/// [`CallFailure`](crate::__private::CallFailure) (a 401 is the caller's `Unauthorized`, a 403 its
/// `forbidden` variant when it names one; `cut` and `too_many` name the two kinds that differ).
#[doc(hidden)]
#[macro_export]
macro_rules! client_error {
    (
        api: $api:literal,
        code: $code:ty,
        auth_failure: $auth:ident,
        $(forbidden: $forbidden:ident,)?
        $(#[$meta:meta])*
        pub enum $error:ident { $($own:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, ::thiserror::Error)]
        #[non_exhaustive]
        pub enum $error {
            $($own)*
            /// Any other HTTP status (without an error body of the API).
            #[error(
                "HTTP {status} from the {api} server{}",
                $crate::__private::excerpt_suffix(body_excerpt),
                api = $api
            )]
            Http {
                /// The status code.
                status: u16,
                /// The first bytes of the body, if any.
                body_excerpt: String,
            },
            /// The request could not be sent or the answer not received (connection, TLS,
            /// timeout).
            #[error("could not reach the {api} server: {0}", api = $api)]
            Transport(#[source] ::reqwest::Error),
            /// Credentials would go over plain http to a host that is not loopback; see
            /// [`Config::allow_insecure_http`](crate::Config::allow_insecure_http).
            #[error("{0} (Config::allow_insecure_http)")]
            InsecureHttp($crate::InsecureHttp),
            /// The answer is bigger than the configured maximum.
            #[error("the {api} answer is larger than the limit of {limit} bytes", api = $api)]
            TooLarge {
                /// The limit, in bytes.
                limit: u64,
            },
            /// The answer is not JSON of the documented shape.
            #[error(
                "the {api} answer does not decode: {message}{}",
                $crate::__private::excerpt_suffix(body_excerpt),
                api = $api
            )]
            Decode {
                /// What did not match.
                message: String,
                /// The first bytes of the body.
                body_excerpt: String,
            },
            /// A parameter the server would refuse, caught before sending.
            #[error("invalid {field}: {reason}")]
            InvalidInput {
                /// The parameter.
                field: &'static str,
                /// Why it is refused.
                reason: String,
            },
            /// The client cannot be built from this configuration.
            #[error("invalid client configuration: {0}")]
            Config(String),
        }

        impl From<$crate::__private::BuildError> for $error {
            fn from(error: $crate::__private::BuildError) -> Self {
                match error {
                    $crate::__private::BuildError::InsecureHttp(insecure) => $error::InsecureHttp(insecure),
                    other => $error::Config(other.to_string()),
                }
            }
        }

        impl From<$crate::__private::AuthFailure> for $error {
            fn from(error: $crate::__private::AuthFailure) -> Self {
                $error::$auth(error.to_string())
            }
        }

        impl $error {
            /// The API's error code, when the server sent one.
            pub fn code(&self) -> Option<&$code> {
                match self {
                    $error::Api { code, .. } => Some(code),
                    _ => None,
                }
            }

            /// An answer that does not decode for `what`, found before its body was kept.
            #[allow(dead_code)]
            pub(crate) fn undecodable(what: impl ::std::fmt::Display) -> Self {
                $error::Decode {
                    message: what.to_string(),
                    body_excerpt: String::new(),
                }
            }

            /// A failed attempt in the kinds every client shares; `cut` and `too_many` name the
            /// two that differ.
            #[allow(dead_code)]
            pub(crate) fn shared_failure(
                failure: $crate::__private::CallFailure,
                cut: impl FnOnce($crate::BodyCut) -> Self,
                too_many: impl FnOnce($crate::__private::TooManyItems) -> Self,
            ) -> Self {
                match failure {
                    $crate::__private::CallFailure::Status { status: 401, .. } => $error::Unauthorized,
                    $($crate::__private::CallFailure::Status { status: 403, .. } => $error::$forbidden,)?
                    $crate::__private::CallFailure::Status {
                        status,
                        body_excerpt,
                        ..
                    } => $error::Http {
                        status,
                        body_excerpt,
                    },
                    $crate::__private::CallFailure::TooLarge(too_large) => $error::TooLarge {
                        limit: too_large.limit,
                    },
                    $crate::__private::CallFailure::Cut(body) => cut(body),
                    $crate::__private::CallFailure::TooManyItems(found) => too_many(found),
                    $crate::__private::CallFailure::Transport(e) => $error::Transport(e),
                    $crate::__private::CallFailure::Decode {
                        error,
                        body_excerpt,
                        ..
                    } => $error::Decode {
                        message: error.to_string(),
                        body_excerpt,
                    },
                    $crate::__private::CallFailure::Request(message) => $error::Config(message),
                }
            }
        }
    };
}
