//! The client: PRV_ROL_010 and PTP_ROL_010 as typed calls over the generated transport.

use iryo_plat_codes::Location;
use iryo_runtime::{Attempt, CallFailure, Redactor, Shell};
use progenitor_client::{Error as RawError, ResponseValue};

use crate::answer;
use crate::generated::Client as Generated;
use crate::types::{self, PermissionGroupResult, PlatErrorBody};
use crate::{Config, Error};

/// A client of one PLAT application path.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) shell: Shell<Generated>,
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

    pub(crate) fn from_shell(shell: Shell<Generated>) -> Self {
        Client { shell }
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
    /// comma-separated 医療機関 IDs, kept as [`Location::Unknown`](iryo_plat_codes::Location)).
    pub async fn delete_permission(
        &self,
        side: Side,
        approval_id: &str,
        comment: &str,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let id = path_segment("permissionApprovalId", approval_id)?;
        let body = &types::PermissionDeleteRequest {
            comment: comment.to_owned(),
        };
        crate::permissions::twin!(
            self,
            DELETION,
            side,
            delete_provider_permission,
            delete_participant_permission,
            id,
            location,
            body
        )
        .await
    }
}

/// A failed attempt in PLAT's terms: a documented error body is final; any other failure is
/// named by [`name_failure`] once the retries are over.
pub(crate) async fn classify(
    error: RawError<PlatErrorBody>,
    redactor: &Redactor,
) -> Attempt<Error> {
    match iryo_runtime::classify(error, redactor).await {
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

/// What a delete cut short may have done.
const DELETION: Option<&str> = Some("the deletion");

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
