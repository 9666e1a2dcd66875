//! The client: the one path every generated request type goes through ([`Client::send`]), and
//! how PLAT's failures are named.

use iryo_runtime::__private::{Attempt, CallFailure, Redactor, Request};
use progenitor_client::{Error as RawError, ResponseValue};

use crate::answer::{self, Answer};
use crate::generated::Client as Generated;
use crate::types::PlatErrorBody;
use crate::{Config, Error};

iryo_runtime::client_struct! {
    /// A client of one PLAT application path.
    pub struct Client;
}

/// Which side of PLAT the call is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `/providers/...`: 医療機関用 (PRV_ROL_*).
    Providers,
    /// `/participants/...`: 患者用 (PTP_ROL_*).
    Participants,
}

impl Client {
    /// A client with a fixed Bearer token; see [`Config`] for a token provider and timeouts.
    pub fn new(
        application_path: impl Into<String>,
        token: impl Into<iryo_runtime::Secret>,
    ) -> Result<Self, Error> {
        Config::new(application_path, token).build()
    }

    /// Sends a generated request ([`requests`](crate::requests)) through the runtime's call path:
    /// its path ids checked first, then retried by the operation's class, one more try after a
    /// 401 when the token provider can refresh; PLAT errors found at any status.
    pub(crate) async fn send<R>(&self, request: &R) -> Result<<R::Answer as Answer>::Ok, Error>
    where
        R: Request<Client = Generated, ErrorBody = PlatErrorBody>,
        R::Answer: Answer,
    {
        for (field, value) in request.path_segments() {
            path_segment(field, value)?;
        }
        let redactor = self.shell.hooks().redactor();
        let attempt = |raw| async { settle(request.send_once(raw).await, redactor).await };
        let name = |failure| name_failure(failure, redactor, request.effect());
        let policy = self.shell.retry_policy();
        self.shell
            .call(request.operation(), policy, attempt, name)
            .await
    }
}

/// A generated answer as this crate's result: the 200's result or error body, or a failure.
async fn settle<A: Answer>(
    answer: Result<ResponseValue<A>, RawError<PlatErrorBody>>,
    redactor: &Redactor,
) -> Result<A::Ok, Attempt<Error>> {
    let value = match answer {
        Ok(value) => value,
        Err(error) => return Err(classify(error, redactor).await),
    };
    let status = value.status().as_u16();
    let answer = value.into_inner();
    if let Some(error) = answer
        .unknown_fields()
        .and_then(|fields| answer::error_in_fields(status, fields))
    {
        return Err(Attempt::Final(error));
    }
    answer.into_result().map_err(|error| {
        Attempt::Final(Error::Api {
            status,
            code: error.error_code,
            message: error.error_message,
        })
    })
}

/// A failed attempt in PLAT's terms: a documented error body is final; any other failure is
/// named by [`name_failure`] once the retries are over.
pub(crate) async fn classify(
    error: RawError<PlatErrorBody>,
    redactor: &Redactor,
) -> Attempt<Error> {
    match iryo_runtime::__private::classify(error, redactor).await {
        Err(documented) => {
            let (status, body) = into_parts(documented);
            Attempt::Final(answer::from_error_body(status, body))
        }
        Ok(failure) => Attempt::Failed(failure),
    }
}

/// The last HTTP failure in PLAT's terms; `effect` is what a request cut short may have done.
pub(crate) fn name_failure(
    failure: CallFailure,
    redactor: &Redactor,
    effect: Option<&'static str>,
) -> Error {
    match failure {
        // A status the spec does not list may still carry PLAT's error body (fixup
        // `errors-at-any-status`).
        CallFailure::Status {
            status, ref body, ..
        } if status != 401 => match serde_json::from_slice::<PlatErrorBody>(body) {
            Ok(error) => answer::from_error_body(status, error),
            Err(e) => answer::error_in_body(body, redactor, &e.to_string())
                .unwrap_or_else(|| Error::from_failure(failure, effect)),
        },
        CallFailure::Decode {
            body,
            error,
            body_excerpt,
        } => answer::error_in_body(&body, redactor, &error.to_string()).unwrap_or(Error::Decode {
            message: error.to_string(),
            body_excerpt,
        }),
        other => Error::from_failure(other, effect),
    }
}

pub(crate) fn into_parts<T>(value: ResponseValue<T>) -> (u16, T) {
    let status = value.status().as_u16();
    (status, value.into_inner())
}

/// The id must stay one path segment. `/` and `%` are percent-encoded by the generated code;
/// `.`/`..` would be removed by URL normalisation and `\` read as `/`, so those are refused.
pub(crate) fn path_segment<'a>(field: &'static str, id: &'a str) -> Result<&'a str, Error> {
    let refuse = |reason: &str| Error::InvalidInput {
        field,
        reason: reason.to_owned(),
    };
    if id.is_empty() {
        return Err(refuse("it is empty"));
    }
    if id == "." || id == ".." {
        return Err(refuse(
            "`.` and `..` are not ids (they would change the URL path)",
        ));
    }
    if id.contains('\\') {
        return Err(refuse("a backslash would be read as a path separator"));
    }
    Ok(id)
}
