//! The client: PRV_ROL_010 and PTP_ROL_010 as typed calls over the generated transport.

use iryo_runtime::{CallFailure, Failure, RetryPolicy};
use progenitor_client::{Error as RawError, ResponseValue};

use crate::answer;
use crate::types::{self, PermissionDeleteAnswer, PermissionDeleteResult, PlatErrorBody};
use crate::{Config, Error};

/// A client of one PLAT application path.
#[derive(Clone, Debug)]
pub struct Client {
    raw: crate::generated::Client,
    retry: RetryPolicy,
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
    ) -> Result<PermissionDeleteResult, Error> {
        self.delete_permission(Side::Providers, approval_id, comment, None)
            .await
    }

    /// PTP_ROL_010, the patient-side twin of [`delete_provider_permission`](Self::delete_provider_permission).
    pub async fn delete_participant_permission(
        &self,
        approval_id: &str,
        comment: &str,
    ) -> Result<PermissionDeleteResult, Error> {
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
    ) -> Result<PermissionDeleteResult, Error> {
        let id = path_segment(approval_id)?;
        let body = types::PermissionDeleteRequest {
            comment: comment.to_owned(),
        };
        iryo_runtime::retry_attempts(
            &self.retry,
            || self.delete_once(side, id, &body, location),
            connect_failures_only,
        )
        .await
    }

    async fn delete_once(
        &self,
        side: Side,
        id: &str,
        body: &types::PermissionDeleteRequest,
        location: Option<&str>,
    ) -> Result<PermissionDeleteResult, Failure<Error>> {
        let answer = match side {
            Side::Providers => {
                let id = id.parse().map_err(invalid_id)?;
                self.raw
                    .delete_provider_permission(&id, location, body)
                    .await
            }
            Side::Participants => {
                let id = id.parse().map_err(invalid_id)?;
                self.raw
                    .delete_participant_permission(&id, location, body)
                    .await
            }
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => return Err(self.failure(error, Some("the deletion")).await),
        };
        match into_parts(answer) {
            (status, PermissionDeleteAnswer::PermissionDeleteResult(result)) => {
                match answer::error_in_fields(status, &result.extra) {
                    Some(error) => Err(Failure::new(error)),
                    None => Ok(result),
                }
            }
            (status, PermissionDeleteAnswer::PlatError(error)) => Err(Failure::new(Error::Api {
                status,
                code: error.error_code,
                message: error.error_message,
            })),
        }
    }

    /// A failed exchange in PLAT's terms; `effect` is what a request cut short may have done.
    async fn failure(
        &self,
        error: RawError<PlatErrorBody>,
        effect: Option<&'static str>,
    ) -> Failure<Error> {
        let redactor = &self.raw.inner.redactor;
        match iryo_runtime::classify(error, redactor).await {
            Err(documented) => {
                let (status, body) = into_parts(documented);
                Failure::new(answer::from_error_body(status, body))
            }
            Ok(failure) => failure.map(|failure| match failure {
                CallFailure::Decode {
                    body,
                    error,
                    body_excerpt,
                } => answer::error_in_body(&body, redactor, &error.to_string()).unwrap_or(
                    Error::Decode {
                        message: error.to_string(),
                        body_excerpt,
                    },
                ),
                other => Error::from_failure(other, effect),
            }),
        }
    }
}

/// Deleting is not idempotent: only a request that never reached the server is sent again.
fn connect_failures_only(error: &Error) -> bool {
    matches!(error, Error::Transport(e) if iryo_runtime::is_connect_failure(e))
}

fn into_parts<T>(value: ResponseValue<T>) -> (u16, T) {
    let status = value.status().as_u16();
    (status, value.into_inner())
}

/// The id must stay one path segment. `/` and `%` are percent-encoded by the generated code;
/// `.`/`..` would be removed by URL normalisation and `\` read as `/`, so those are refused.
fn path_segment(id: &str) -> Result<&str, Error> {
    let refuse = |reason: &str| Error::InvalidInput {
        field: "permissionApprovalId",
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

fn invalid_id(error: impl std::fmt::Display) -> Failure<Error> {
    Failure::new(Error::InvalidInput {
        field: "permissionApprovalId",
        reason: error.to_string(),
    })
}
