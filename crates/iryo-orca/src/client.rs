//! The client: one typed call per operation, over the generated transport.

use iryo_orca_codes::PushErrorCode;
use iryo_runtime::{Attempt, Credentials, RetryPolicy, Shell};

use crate::generated::Client as Generated;
use crate::generated::operations;
use crate::notification::{PushEvents, decode_elements};
use crate::push_events::{PushEvent, PushEventsRequest};
use crate::types::{self, PushEventGetResponse, PushEventListItem};
use crate::{Config, Error};

/// A client of one ORCA server.
#[derive(Clone, Debug)]
pub struct Client {
    shell: Shell<Generated>,
}

impl Client {
    /// A client with default settings; see [`Config`] for the others (WebORCA's `/api` prefix,
    /// timeouts, a TLS client certificate).
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Result<Self, Error> {
        Config::new(base_url, credentials).build()
    }

    pub(crate) fn from_shell(shell: Shell<Generated>) -> Self {
        Client { shell }
    }

    /// The same client with answers of at most `limit` bytes (never more than its own limit).
    pub(crate) fn with_answer_limit(&self, limit: u64) -> Client {
        Client::from_shell(self.shell.with_answer_limit(limit))
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
        self.push_event_get_v2_with(filter, self.shell.retry_policy())
            .await
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
        let attempt = |raw| push_once(raw, &request);
        (self.shell)
            .call(&operations::push_event_get_v2, retry, attempt, Error::from)
            .await
    }
}

async fn push_once(
    raw: Generated,
    request: &types::PushEventGetRequest,
) -> Result<PushEvents, Attempt<Error>> {
    let response = match raw.push_event_get_v2(request).await {
        Ok(response) => response,
        // One notification the typed answer cannot hold must not fail the others: read the
        // list again element by element (an error object still fails the answer).
        Err(progenitor_client::Error::InvalidResponsePayload(answer, _))
            if let Some(found) = decode_elements(&answer) =>
        {
            return Ok(found);
        }
        Err(error) => {
            let redactor = iryo_runtime::Generated::hooks(&raw).redactor();
            return Err(match iryo_runtime::classify(error, redactor).await {
                Ok(failure) => Attempt::Failed(failure),
                // ORCA's documented error answers (401/403/404/500) have empty bodies.
                Err(documented) => Attempt::Failed(iryo_runtime::status_failure(&documented)),
            });
        }
    };
    let decoded = match response.into_inner() {
        PushEventGetResponse::List(list) => decode_list(list.0),
        PushEventGetResponse::ErrorEnvelope(envelope) => api_error(envelope.error),
        PushEventGetResponse::Error(error) => api_error(error),
    };
    decoded.map_err(Attempt::Final)
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
