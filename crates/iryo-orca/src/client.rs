//! The client: one typed call per operation, over the generated transport.

use iryo_orca_codes::PushErrorCode;
use iryo_runtime::{Credentials, Failure, RetryPolicy};

use crate::notification::{PushEvents, decode_elements};
use crate::push_events::{PushEvent, PushEventsRequest};
use crate::types::{self, PushEventGetResponse, PushEventListItem};
use crate::{Config, Error};

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

    /// The same client with answers of at most `limit` bytes (never more than its own limit).
    pub(crate) fn with_answer_limit(&self, limit: u64) -> Client {
        let mut client = self.clone();
        let inner = &mut client.raw.inner;
        inner.max_response_bytes = inner.max_response_bytes.min(limit);
        client
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
    ) -> Result<PushEvents, Error> {
        self.push_event_get_v2_with(filter, &self.retry).await
    }

    /// As [`push_event_get_v2`](Self::push_event_get_v2) with another retry policy for this call.
    pub async fn push_event_get_v2_with(
        &self,
        filter: types::PushEventFilter,
        retry: &RetryPolicy,
    ) -> Result<PushEvents, Error> {
        let request = types::PushEventGetRequest {
            pusheventgetv2req: filter,
        };
        iryo_runtime::retry_attempts(retry, || self.push_once(&request), retryable).await
    }

    async fn push_once(
        &self,
        request: &types::PushEventGetRequest,
    ) -> Result<PushEvents, Failure<Error>> {
        let response = match self.raw.push_event_get_v2(request).await {
            Ok(response) => response,
            // One notification the typed answer cannot hold must not fail the others: read the
            // list again element by element (an error object still fails the answer).
            Err(progenitor_client::Error::InvalidResponsePayload(answer, _))
                if let Some(found) = decode_elements(&answer) =>
            {
                return Ok(found);
            }
            Err(error) => {
                let redactor = &self.raw.inner.redactor;
                let failure = match iryo_runtime::classify(error, redactor).await {
                    Ok(failure) => failure,
                    // ORCA's documented error answers (401/403/404/500) have empty bodies.
                    Err(documented) => iryo_runtime::status_failure(&documented),
                };
                return Err(failure.map(Error::from));
            }
        };
        let decoded = match response.into_inner() {
            PushEventGetResponse::List(list) => decode_list(list.0),
            PushEventGetResponse::ErrorEnvelope(envelope) => api_error(envelope.error),
            PushEventGetResponse::Error(error) => api_error(error),
        };
        decoded.map_err(Failure::new)
    }
}

/// The array's elements, converted one by one into a list sized once (an answer is held as
/// wire items and typed events at the same time, so no third copy); an error element fails it.
fn decode_list(items: Vec<PushEventListItem>) -> Result<PushEvents, Error> {
    let mut found = PushEvents {
        events: Vec::with_capacity(items.len()),
        undelivered: Vec::new(),
    };
    for (position, item) in items.into_iter().enumerate() {
        match item {
            PushEventListItem::Envelope(envelope) => match PushEvent::from_data(envelope.data) {
                Ok(event) => found.events.push(event),
                Err(undelivered) => found.undelivered.push((*undelivered).at(position)),
            },
            // Tolerated here too (fixup error-envelope-unverified): an error fails the answer.
            PushEventListItem::ErrorEnvelope(envelope) => return api_error(envelope.error),
        }
    }
    Ok(found)
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

/// Connection failures, timeouts, cut answers, 408, 429 and 5xx are worth another try (the call
/// only reads); nothing else is.
fn retryable(error: &Error) -> bool {
    match error {
        Error::Transport(e) => iryo_runtime::is_retryable_transport(e),
        Error::Cut(_) => true,
        Error::Http { status, .. } => iryo_runtime::is_retryable_status(*status),
        _ => false,
    }
}
