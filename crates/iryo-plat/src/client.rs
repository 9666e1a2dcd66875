//! The client: PRV_ROL_010 and PTP_ROL_010 as typed calls over the generated transport.

use iryo_runtime::{RetryDecision, RetryPolicy, body_excerpt};
use progenitor_client::{Error as RawError, ResponseValue};

use crate::hooks::TOKEN_ERROR_PREFIX;
use crate::types::{self, PermissionGroupResult, PlatErrorBody};
use crate::{Config, Error};

/// A client of one PLAT application path.
#[derive(Clone, Debug)]
pub struct Client {
    raw: crate::generated::Client,
    pub(crate) retry: RetryPolicy,
}

/// Which side of PLAT the call is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `/providers/...`: 医療機関用 (PRV_ROL_010).
    Providers,
    /// `/participants/...`: 患者用 (PTP_ROL_010).
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

    pub(crate) fn from_raw(raw: crate::generated::Client, retry: RetryPolicy) -> Self {
        Client { raw, retry }
    }

    /// The generated client underneath (untyped errors, no input checks).
    pub fn raw(&self) -> &crate::generated::Client {
        &self.raw
    }

    /// PRV_ROL_010: deletes the granted permission `approval_id` with `comment` as the reason.
    pub async fn delete_provider_permission(
        &self,
        approval_id: &str,
        comment: &str,
    ) -> Result<PermissionGroupResult, Error> {
        self.delete_permission(Side::Providers, approval_id, comment, None)
            .await
    }

    /// PTP_ROL_010, the patient-side twin of [`delete_provider_permission`](Self::delete_provider_permission).
    pub async fn delete_participant_permission(
        &self,
        approval_id: &str,
        comment: &str,
    ) -> Result<PermissionGroupResult, Error> {
        self.delete_permission(Side::Participants, approval_id, comment, None)
            .await
    }

    /// Either side, with the optional `location` query (`self`, `remote`, `all` or
    /// comma-separated 医療機関 IDs).
    pub async fn delete_permission(
        &self,
        side: Side,
        approval_id: &str,
        comment: &str,
        location: Option<&str>,
    ) -> Result<PermissionGroupResult, Error> {
        let id = path_segment("permissionApprovalId", approval_id)?;
        let body = &types::PermissionDeleteRequest {
            comment: comment.to_owned(),
        };
        let location = location.map(|l| l.parse().unwrap_or_else(|never| match never {}));
        let location = location.as_ref();
        match side {
            Side::Providers => {
                self.call(|| self.raw.delete_provider_permission(id, location, body))
                    .await
            }
            Side::Participants => {
                self.call(|| self.raw.delete_participant_permission(id, location, body))
                    .await
            }
        }
    }
}

/// Deleting is not idempotent: only a request that never reached the server is sent again.
pub(crate) fn connect_failures_only(error: &Error) -> RetryDecision {
    match error {
        Error::Transport(e) if iryo_runtime::is_connect_failure(e) => {
            RetryDecision::Retry { after: None }
        }
        _ => RetryDecision::Stop,
    }
}

fn into_parts<T>(value: ResponseValue<T>) -> (u16, T) {
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

pub(crate) fn from_raw_error(error: RawError<PlatErrorBody>) -> Error {
    match error {
        RawError::ErrorResponse(response) => {
            let (status, body) = into_parts(response);
            match body {
                PlatErrorBody::PlatError(error) => Error::Api {
                    status,
                    code: error.error_code,
                    message: error.error_message,
                },
                PlatErrorBody::SpringError(error) => Error::Http {
                    status,
                    body_excerpt: format!("{} {}", error.error, error.path.unwrap_or_default()),
                },
                PlatErrorBody::OperationOutcome(outcome) => Error::Api {
                    status,
                    message: outcome
                        .issue
                        .iter()
                        .find_map(|i| i.details.as_ref()?.text.clone()),
                    code: outcome.id,
                },
            }
        }
        RawError::UnexpectedResponse(response) => match response.status().as_u16() {
            401 => Error::Unauthorized,
            status => Error::Http {
                status,
                body_excerpt: String::new(),
            },
        },
        RawError::InvalidResponsePayload(bytes, e) => Error::Decode {
            message: explain_decode_failure(&bytes).unwrap_or_else(|| e.to_string()),
            body_excerpt: body_excerpt(&bytes),
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
        RawError::Custom(message) => match message.strip_prefix(TOKEN_ERROR_PREFIX) {
            Some(reason) => Error::Token(reason.to_owned()),
            None => Error::Config(message),
        },
        RawError::InvalidRequest(message) => Error::Config(message),
    }
}

/// Serde's untagged enums only say "did not match any variant"; decoding the body as the
/// result type tells which field is wrong (a bad date, say).
fn explain_decode_failure(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => return Some(format!("not JSON: {e}")),
    };
    if value.get("errorCode").is_some() || value.get("resourceType").is_some() {
        return serde_json::from_value::<PlatErrorBody>(value)
            .err()
            .map(|e| format!("error body: {e}"));
    }
    serde_json::from_value::<PermissionGroupResult>(value)
        .err()
        .map(|e| e.to_string())
}
