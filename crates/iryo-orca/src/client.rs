//! The client: one typed call per operation, over the generated transport.

use iryo_runtime::{Credentials, Failure, RetryPolicy};

use progenitor_client::{ClientHooks as _, Error as RawError, OperationInfo, ResponseValue};
use reqwest::header::{ACCEPT, HeaderValue};

use crate::answer::{PushAnswer, Reading};
use crate::notification::PushEvents;
use crate::push_events::PushEventsRequest;
use crate::types;
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

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
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
        Ok(self.wire_once(request).await?.into_events())
    }

    /// The answer as received, its notifications not yet typed ([`PushAnswer`]).
    pub(crate) async fn wire_answer(
        &self,
        filter: types::PushEventFilter,
        retry: &RetryPolicy,
    ) -> Result<PushAnswer, Error> {
        let request = types::PushEventGetRequest {
            pusheventgetv2req: filter,
        };
        iryo_runtime::retry_attempts(retry, || self.wire_once(&request), retryable).await
    }

    /// One attempt: the generated operation's request and hooks, the answer read once as text
    /// (never as a typed list as well: one notification is typed at a time, when delivered).
    async fn wire_once(
        &self,
        request: &types::PushEventGetRequest,
    ) -> Result<PushAnswer, Failure<Error>> {
        let text = match self.send_raw(request).await {
            Ok(text) => text,
            Err(error) => return Err(self.failure(error).await),
        };
        match PushAnswer::read(text) {
            Reading::List(answer) => Ok(answer),
            // Tolerated here too (fixup error-envelope-unverified): an error fails the answer.
            Reading::Api(error) => Err(Failure::new(Error::Api {
                code: error.code,
                message: error.message,
            })),
            Reading::Invalid(error, text) => {
                let answer = RawError::InvalidResponsePayload(text.into_bytes().into(), error);
                Err(self.failure(answer).await)
            }
        }
    }

    async fn failure(&self, error: RawError<()>) -> Failure<Error> {
        let failure = match iryo_runtime::classify(error, &self.raw.inner.redactor).await {
            Ok(failure) => failure,
            // ORCA's documented error answers (401/403/404/500) have empty bodies.
            Err(documented) => iryo_runtime::status_failure(&documented),
        };
        failure.map(Error::from)
    }

    /// `POST /api01rv2/pusheventgetv2` as the generated operation sends it (its hooks add the
    /// credentials and bound the answer); the 200 answer's body as text.
    async fn send_raw(&self, request: &types::PushEventGetRequest) -> Result<String, RawError> {
        let raw = &self.raw;
        let url = format!("{}/api01rv2/pusheventgetv2", raw.baseurl);
        let mut http = raw
            .client
            .post(url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .json(request)
            .build()?;
        let info = OperationInfo {
            operation_id: "push_event_get_v2",
        };
        raw.pre(&mut http, &info).await?;
        let result = raw.exec(http, &info).await;
        raw.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200 => {}
            401 | 403 | 404 | 500 => {
                return Err(RawError::ErrorResponse(ResponseValue::empty(response)));
            }
            _ => return Err(RawError::UnexpectedResponse(response)),
        }
        let body = response
            .bytes()
            .await
            .map_err(RawError::ResponseBodyError)?;
        // Without a copy when the body is the only owner of its bytes (read whole by the hook).
        String::from_utf8(Vec::from(body)).map_err(|e| {
            let error = serde_json::from_slice::<serde::de::IgnoredAny>(e.as_bytes())
                .err()
                .unwrap_or_else(|| serde::de::Error::custom("the answer is not UTF-8"));
            RawError::InvalidResponsePayload(e.into_bytes().into(), error)
        })
    }
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
