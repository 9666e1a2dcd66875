//! The client: one typed call per operation, over the generated transport.

use std::time::Duration;

use iryo_orca_codes::PushErrorCode;
use iryo_runtime::{Credentials, RetryDecision, RetryPolicy};
use progenitor_client::Error as RawError;

use crate::push_events::{PushEvent, PushEventsRequest};
use crate::types::{self, PushEventGetResponse, PushEventListItem};
use crate::{Config, Error};
use iryo_runtime::body_excerpt as excerpt;

/// A client of one ORCA server.
#[derive(Clone, Debug)]
pub struct Client {
    raw: crate::generated::Client,
    retry: RetryPolicy,
}

impl Client {
    /// A client with default settings; see [`Config`] for the others (WebORCA's `/api` prefix,
    /// timeouts, a TLS client certificate).
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Result<Self, Error> {
        Config::new(base_url, credentials).build()
    }

    pub(crate) fn from_raw(raw: crate::generated::Client, retry: RetryPolicy) -> Self {
        Client { raw, retry }
    }

    /// The generated client underneath, for the untyped wire view (no input checks).
    pub fn raw(&self) -> &crate::generated::Client {
        &self.raw
    }

    /// Starts a `pusheventgetv2` call: set the filters, then `send()`.
    pub fn push_events(&self) -> PushEventsRequest<'_> {
        PushEventsRequest::new(self)
    }

    /// `POST /api01rv2/pusheventgetv2` with a ready-made filter, retried as configured.
    ///
    /// ORCA's code 0007 (no notification matched) comes back as an empty list; every other ORCA
    /// code is [`Error::Api`].
    pub async fn push_event_get_v2(
        &self,
        filter: types::PushEventFilter,
    ) -> Result<Vec<PushEvent>, Error> {
        self.push_event_get_v2_with(filter, &self.retry).await
    }

    /// As [`push_event_get_v2`](Self::push_event_get_v2) with another retry policy for this call.
    pub async fn push_event_get_v2_with(
        &self,
        filter: types::PushEventFilter,
        retry: &RetryPolicy,
    ) -> Result<Vec<PushEvent>, Error> {
        let request = types::PushEventGetRequest {
            pusheventgetv2req: filter,
        };
        iryo_runtime::retry(retry, || self.push_once(&request), Failure::decision)
            .await
            .map_err(|failure| failure.error)
    }

    async fn push_once(
        &self,
        request: &types::PushEventGetRequest,
    ) -> Result<Vec<PushEvent>, Failure> {
        let response = match self.raw.push_event_get_v2(request).await {
            Ok(response) => response,
            Err(error) => return Err(Failure::from_raw(error).await),
        };
        let decoded = match response.into_inner() {
            PushEventGetResponse::List(list) => list
                .0
                .into_iter()
                .map(decode_item)
                .collect::<Result<Vec<_>, _>>()
                .map(|events| events.into_iter().flatten().collect()),
            PushEventGetResponse::ErrorEnvelope(envelope) => api_error(envelope.error),
            PushEventGetResponse::Error(error) => api_error(error),
        };
        decoded.map_err(Failure::final_error)
    }
}

/// One array element: a notification, or (tolerated, fixup error-envelope-unverified) an error.
fn decode_item(item: PushEventListItem) -> Result<Option<PushEvent>, Error> {
    match item {
        PushEventListItem::Envelope(envelope) => PushEvent::from_data(envelope.data).map(Some),
        PushEventListItem::ErrorEnvelope(envelope) => api_error(envelope.error),
    }
}

/// 0007 means "nothing matched": an empty result, not a failure.
fn api_error<T: Default>(error: types::PushEventError) -> Result<T, Error> {
    if error.code == PushErrorCode::NoPushEvents {
        return Ok(T::default());
    }
    Err(Error::Api {
        code: error.code,
        message: error.message,
    })
}

/// A failed attempt: the error, and the server's `Retry-After` when it sent one.
struct Failure {
    error: Error,
    retry_after: Option<Duration>,
}

impl Failure {
    fn final_error(error: Error) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }

    async fn from_raw(error: RawError<()>) -> Self {
        match error {
            RawError::ErrorResponse(response) => Failure {
                retry_after: iryo_runtime::retry_after(response.headers()),
                error: from_status(response.status().as_u16(), String::new()),
            },
            // Not one of ORCA's own (empty) error answers: show what came, e.g. a proxy's page.
            RawError::UnexpectedResponse(response) => {
                let retry_after = iryo_runtime::retry_after(response.headers());
                let status = response.status().as_u16();
                let excerpt = iryo_runtime::read_excerpt(response).await;
                Failure {
                    error: from_status(status, excerpt),
                    retry_after,
                }
            }
            other => Failure {
                error: from_raw_error(other),
                retry_after: None,
            },
        }
    }

    /// Connection failures, timeouts, 408, 429 and 5xx are worth another try; nothing else is.
    fn decision(&self) -> RetryDecision {
        let retry = match &self.error {
            Error::Transport(e) => iryo_runtime::is_retryable_transport(e),
            Error::Http { status, .. } => iryo_runtime::is_retryable_status(*status),
            _ => false,
        };
        if retry {
            RetryDecision::Retry {
                after: self.retry_after,
            }
        } else {
            RetryDecision::Stop
        }
    }
}

fn from_raw_error(error: RawError<()>) -> Error {
    match error {
        RawError::ErrorResponse(response) => from_status(response.status().as_u16(), String::new()),
        RawError::UnexpectedResponse(response) => {
            from_status(response.status().as_u16(), String::new())
        }
        RawError::InvalidResponsePayload(bytes, e) => Error::Decode {
            message: crate::push_events::explain_decode_failure(&bytes)
                .unwrap_or_else(|| e.to_string()),
            body_excerpt: excerpt(&bytes),
        },
        RawError::ResponseBodyError(e) | RawError::CommunicationError(e) => {
            match iryo_runtime::body_too_large(&e) {
                Some(too_large) => Error::TooLarge {
                    limit: too_large.limit,
                },
                None => Error::Transport(e),
            }
        }
        RawError::InvalidUpgrade(e) => Error::Transport(e),
        RawError::InvalidRequest(message) | RawError::Custom(message) => Error::Config(message),
    }
}

fn from_status(status: u16, body_excerpt: String) -> Error {
    match status {
        401 => Error::Unauthorized,
        403 => Error::Forbidden,
        _ => Error::Http {
            status,
            body_excerpt,
        },
    }
}
