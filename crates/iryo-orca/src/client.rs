//! The client: one typed call per operation, over the generated transport.

use iryo_runtime::{__private::Attempt, Credentials, RetryPolicy};
use progenitor_client::{ClientHooks as _, Error as RawError, OperationInfo, ResponseValue};
use reqwest::header::{ACCEPT, HeaderValue};

use crate::answer::{PushAnswer, Reading};
use crate::generated::Client as Generated;
use crate::generated::operations;
use crate::notification::PushEvents;
use crate::push_events::PushEventsRequest;
use crate::types;
use crate::{Config, Error};

iryo_runtime::client_struct! {
    /// A client of one ORCA server.
    pub struct Client;
}

impl Client {
    /// A client with default settings; see [`Config`] for the others (WebORCA's `/api` prefix,
    /// timeouts, a TLS client certificate).
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Result<Self, Error> {
        Config::new(base_url, credentials).build()
    }

    /// The same client with answers of at most `limit` bytes (never more than its own limit).
    pub(crate) fn with_answer_limit(&self, limit: u64) -> Client {
        Client::from_shell(self.shell.with_answer_limit(limit))
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        self.shell.retry_policy()
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
        Ok(self.wire_answer(filter, retry).await?.into_events())
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
        let attempt = |raw| wire_once(raw, &request);
        (self.shell)
            .call(&operations::push_event_get_v2, retry, attempt, Error::from)
            .await
    }
}

/// One attempt: the generated operation's request and hooks, the answer read once as text
/// (never as a typed list as well: one notification is typed at a time, when delivered).
async fn wire_once(
    raw: Generated,
    request: &types::PushEventGetRequest,
) -> Result<PushAnswer, Attempt<Error>> {
    let text = match send_raw(&raw, request).await {
        Ok(text) => text,
        Err(error) => return Err(failure(&raw, error).await),
    };
    match PushAnswer::read(text) {
        Reading::List(answer) => Ok(answer),
        // Tolerated here too (fixup error-envelope-unverified): an error fails the answer.
        Reading::Api(error) => Err(Attempt::Final(Error::Api {
            code: error.code,
            message: error.message,
        })),
        Reading::Invalid(error, text) => {
            let answer = RawError::InvalidResponsePayload(text.into_bytes().into(), error);
            Err(failure(&raw, answer).await)
        }
    }
}

async fn failure(raw: &Generated, error: RawError<()>) -> Attempt<Error> {
    let redactor = iryo_runtime::__private::Generated::hooks(raw).redactor();
    Attempt::Failed(
        match iryo_runtime::__private::classify(error, redactor).await {
            Ok(failure) => failure,
            // ORCA's documented error answers (401/403/404/500) have empty bodies.
            Err(documented) => iryo_runtime::__private::status_failure(&documented),
        },
    )
}

/// `POST /api01rv2/pusheventgetv2` as the generated operation sends it (its hooks add the
/// credentials and bound the answer); the 200 answer's body as text. Progenitor offers no way to
/// the raw bytes, so this follows the generated `push_event_get_v2`.
async fn send_raw(
    raw: &Generated,
    request: &types::PushEventGetRequest,
) -> Result<String, RawError> {
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
