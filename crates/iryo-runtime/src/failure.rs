//! One failed attempt, classified the same way for every client: the clients only name the
//! outcome in their own error type, and say which outcomes are worth another try.

use std::time::Duration;

#[cfg(feature = "progenitor")]
use crate::__private::Redactor;
use crate::{
    __private::{BodyProblem, BodyTooLarge, RetryClass, TooManyItems},
    BodyCut,
};

/// A failed attempt: the error, and the server's `Retry-After` when it sent one.
#[derive(Debug)]
pub struct Failure<E> {
    /// What went wrong.
    pub error: E,
    /// The server's `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl<E> Failure<E> {
    /// A failure without `Retry-After`.
    pub fn new(error: E) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }

    /// The same failure with another error type.
    pub fn map<F>(self, f: impl FnOnce(E) -> F) -> Failure<F> {
        Failure {
            error: f(self.error),
            retry_after: self.retry_after,
        }
    }
}

/// What went wrong with one HTTP exchange, before a client names it.
#[derive(Debug)]
pub enum CallFailure {
    /// A status the operation does not expect, with a redacted excerpt of the body.
    Status {
        /// The status code.
        status: u16,
        /// The whole body (within the size limit), for a client whose error bodies come at
        /// any status.
        body: bytes::Bytes,
        /// The start of the body (see [`Redactor::excerpt`]).
        body_excerpt: String,
    },
    /// See [`BodyTooLarge`].
    TooLarge(BodyTooLarge),
    /// See [`BodyCut`].
    Cut(BodyCut),
    /// See [`TooManyItems`].
    TooManyItems(TooManyItems),
    /// Connection, TLS or timeout; reqwest's message names the URL.
    Transport(reqwest::Error),
    /// The body is not JSON of the documented shape.
    Decode {
        /// The whole body, for a client that explains the failure better.
        body: bytes::Bytes,
        /// serde's message.
        error: serde_json::Error,
        /// The start of the body (see [`Redactor::excerpt`]).
        body_excerpt: String,
    },
    /// The request could not be built, or a hook refused it.
    Request(String),
}

impl CallFailure {
    /// Connection failures, timeouts, cut bodies, 408, 429 and 5xx: for requests safe to repeat.
    pub fn is_retryable(&self) -> bool {
        match self {
            CallFailure::Transport(e) => RetryClass::Read.allows_transport(e),
            CallFailure::Cut(_) => true,
            CallFailure::Status { status, .. } => RetryClass::Read.allows_status(*status),
            _ => false,
        }
    }

    /// Only failures where the request certainly never reached the server: for requests that
    /// must not run twice.
    pub fn never_reached_the_server(&self) -> bool {
        matches!(self, CallFailure::Transport(e) if RetryClass::Write.allows_transport(e))
    }

    /// A reqwest error, with the body problems of [`send_bounded`](crate::__private::send_bounded) told
    /// apart.
    pub fn from_reqwest(error: reqwest::Error) -> Self {
        match crate::__private::body_failure(&error) {
            Some(BodyProblem::TooLarge(too_large)) => CallFailure::TooLarge(too_large),
            Some(BodyProblem::Cut(cut)) => CallFailure::Cut(cut),
            Some(BodyProblem::TooManyItems(found)) => CallFailure::TooManyItems(found),
            None => CallFailure::Transport(error),
        }
    }
}

/// Classifies a progenitor error. A documented error answer with a typed body
/// (`ErrorResponse`) is handed back, for the client to read; any other answer becomes
/// [`CallFailure::Status`] with `Retry-After` kept.
#[cfg(feature = "progenitor")]
pub async fn classify<T>(
    error: progenitor_client::Error<T>,
    redactor: &Redactor,
) -> Result<Failure<CallFailure>, progenitor_client::ResponseValue<T>> {
    use progenitor_client::Error as Raw;
    Ok(match error {
        Raw::ErrorResponse(value) => return Err(value),
        Raw::UnexpectedResponse(response) => {
            let retry_after = crate::__private::retry_after(response.headers());
            let status = response.status().as_u16();
            let failure = match response.bytes().await {
                Ok(body) => CallFailure::Status {
                    status,
                    body_excerpt: redactor.excerpt(&body),
                    body,
                },
                Err(e) => CallFailure::from_reqwest(e),
            };
            Failure {
                error: failure,
                retry_after,
            }
        }
        Raw::InvalidResponsePayload(body, error) => Failure::new(CallFailure::Decode {
            body_excerpt: redactor.excerpt(&body),
            body,
            error,
        }),
        Raw::ResponseBodyError(e) | Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) => {
            Failure::new(CallFailure::from_reqwest(e))
        }
        Raw::InvalidRequest(message) | Raw::Custom(message) => {
            Failure::new(CallFailure::Request(message))
        }
    })
}

/// The status and `Retry-After` of a documented error answer, as a [`CallFailure::Status`]
/// (for answers whose documented body is empty).
#[cfg(feature = "progenitor")]
pub fn status_failure<T>(value: &progenitor_client::ResponseValue<T>) -> Failure<CallFailure> {
    Failure {
        error: CallFailure::Status {
            status: value.status().as_u16(),
            body: bytes::Bytes::new(),
            body_excerpt: String::new(),
        },
        retry_after: crate::__private::retry_after(value.headers()),
    }
}
