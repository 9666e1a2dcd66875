//! PRV_ROL_001-009 and the PTP twins as typed calls: each method checks its ids, picks the provider or
//! participant operation of the generated client, and goes through [`Client::call`] (retry of connect failures,
//! one more try after a 401 when the token provider can refresh, PLAT errors at any status).

use std::future::Future;

use iryo_plat_codes::{ApprovalStatus, GrantStatus, HolderKind, Location};
use progenitor_client::{Error as RawError, ResponseValue};

use crate::client::{connect_failures_only, from_raw_error, path_segment};
use crate::types::{
    BundleResult, DocumentShareAnswer, DocumentShareResult, PartialApproval, Permission,
    PermissionDecision, PermissionGroupAnswer, PermissionGroupListAnswer, PermissionGroupResult,
    PermissionListAnswer, PermissionListResult, PermissionRequest, PlatError, PlatErrorBody,
};
use crate::{Client, Error, Side};

/// A 200 answer: the result, or an error body (fixup `errors-at-any-status`).
pub(crate) trait Answer {
    /// What the caller gets.
    type Ok;
    /// The success variant's type, decoded alone to say which field is wrong (serde's untagged enums only say
    /// that no variant matched).
    type Wire: serde::de::DeserializeOwned;
    fn into_result(self) -> Result<Self::Ok, PlatError>;
    /// An error body that slipped into the result's unknown keys (an `errorCode` that is not a string, an
    /// OperationOutcome that does not decode): what is wrong with it.
    fn stray_error(&self) -> Option<String>;
}

type Extra = serde_json::Map<String, serde_json::Value>;

fn error_keys(extra: Option<&Extra>) -> Option<String> {
    let extra = extra?;
    if let Some(code) = extra.get("errorCode") {
        return Some(format!(
            "an error body whose `errorCode` is {code}, not a string"
        ));
    }
    let outcome = extra
        .get("resourceType")
        .is_some_and(|t| t == "OperationOutcome");
    outcome.then(|| "an OperationOutcome error body that does not decode".to_owned())
}

macro_rules! answer {
    ($answer:ty, $ok:ty, $variant:ident($wire:ty), $map:expr, $extra:expr) => {
        impl Answer for $answer {
            type Ok = $ok;
            type Wire = $wire;
            fn into_result(self) -> Result<$ok, PlatError> {
                match self {
                    Self::$variant(ok) => Ok($map(ok)),
                    Self::PlatError(error) => Err(error),
                }
            }
            fn stray_error(&self) -> Option<String> {
                match self {
                    Self::$variant(ok) => error_keys(($extra as fn(&$wire) -> Option<&Extra>)(ok)),
                    Self::PlatError(_) => None,
                }
            }
        }
    };
}
answer!(
    PermissionGroupAnswer,
    PermissionGroupResult,
    PermissionGroupResult(PermissionGroupResult),
    |g| g,
    |g: &PermissionGroupResult| Some(&g.extra)
);
// An error body is an object, never an array.
answer!(
    PermissionGroupListAnswer,
    Vec<PermissionGroupResult>,
    Array(Vec<PermissionGroupResult>),
    |l| l,
    |_: &Vec<PermissionGroupResult>| None
);
answer!(
    PermissionListAnswer,
    Vec<Permission>,
    PermissionListResult(PermissionListResult),
    |l: PermissionListResult| l.permission_list,
    |l: &PermissionListResult| Some(&l.extra)
);
answer!(
    DocumentShareAnswer,
    Vec<BundleResult>,
    DocumentShareResult(DocumentShareResult),
    |s: DocumentShareResult| s.bundle_result_list,
    |s: &DocumentShareResult| Some(&s.extra)
);

type Raw<A> = Result<ResponseValue<A>, RawError<PlatErrorBody>>;

/// The provider or participant operation of the generated client.
macro_rules! twin {
    ($self:ident, $side:expr, $prv:ident, $ptp:ident, $($arg:expr),*) => {
        $self.call(|| async move {
            match $side {
                Side::Providers => $self.raw().$prv($($arg),*).await,
                Side::Participants => $self.raw().$ptp($($arg),*).await,
            }
        })
    };
}

impl Client {
    /// Sends (again after a connect failure, or once more after a 401 the token provider can fix) and types the
    /// answer.
    pub(crate) async fn call<A: Answer, F, Fut>(&self, send: F) -> Result<A::Ok, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Raw<A>>,
    {
        let once = || async { settle(send().await).await };
        let first = iryo_runtime::retry(&self.retry, once, connect_failures_only).await;
        match first {
            Err(Error::Unauthorized) if self.raw().inner.token_rejected() => {
                settle(send().await).await
            }
            other => other,
        }
    }

    /// PRV_ROL_001: the permissions valid for the caller, or those matching the filters.
    pub async fn list_permissions(
        &self,
        classification: Option<&HolderKind>,
        holder_id: Option<&str>,
        valid_at: Option<&str>,
        location: Option<&Location>,
    ) -> Result<Vec<Permission>, Error> {
        self.call(|| {
            self.raw()
                .list_provider_permissions(classification, valid_at, location, holder_id)
        })
        .await
    }

    /// PRV_ROL_001: one permission by its 権限管理 ID.
    pub async fn get_permission(
        &self,
        management_id: &str,
        valid_at: Option<&str>,
        location: Option<&Location>,
    ) -> Result<Vec<Permission>, Error> {
        let id = path_segment("permissionManagementId", management_id)?;
        self.call(|| self.raw().get_provider_permission(id, valid_at, location))
            .await
    }

    /// PRV_ROL_002 / PTP_ROL_002 (`approved` false): asks for a permission; PRV_ROL_003 / PTP_ROL_003 (`approved`
    /// true): registers one as already approved.
    pub async fn request_permission(
        &self,
        side: Side,
        request: &PermissionRequest,
        approved: bool,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        match approved {
            false => {
                twin!(
                    self,
                    side,
                    request_provider_permission,
                    request_participant_permission,
                    location,
                    request
                )
                .await
            }
            true => {
                twin!(
                    self,
                    side,
                    register_provider_permission,
                    register_participant_permission,
                    location,
                    request
                )
                .await
            }
        }
    }

    /// PRV_ROL_004 / PTP_ROL_004: the caller's requests, all or one group, optionally in one state.
    pub async fn permission_requests(
        &self,
        side: Side,
        group_id: Option<&str>,
        status: Option<&ApprovalStatus>,
        location: Option<&Location>,
    ) -> Result<Vec<PermissionGroupResult>, Error> {
        match group_id
            .map(|id| path_segment("permissionGroupId", id))
            .transpose()?
        {
            None => {
                twin!(
                    self,
                    side,
                    list_provider_permission_requests,
                    list_participant_permission_requests,
                    location,
                    status
                )
                .await
            }
            Some(id) => {
                twin!(
                    self,
                    side,
                    get_provider_permission_request,
                    get_participant_permission_request,
                    id,
                    location,
                    status
                )
                .await
            }
        }
    }

    /// PRV_ROL_005 / PTP_ROL_005: withdraws the caller's pending request for one approval.
    pub async fn withdraw_permission_request(
        &self,
        side: Side,
        approval_id: &str,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let id = path_segment("permissionApprovalId", approval_id)?;
        twin!(
            self,
            side,
            withdraw_provider_permission_request,
            withdraw_participant_permission_request,
            id,
            location
        )
        .await
    }

    /// PRV_ROL_006 / PTP_ROL_006 (list form): the groups in which the caller is asked to approve.
    pub async fn permission_approvals(
        &self,
        side: Side,
        status: Option<&ApprovalStatus>,
        location: Option<&Location>,
    ) -> Result<Vec<PermissionGroupResult>, Error> {
        twin!(
            self,
            side,
            list_provider_permission_approvals,
            list_participant_permission_approvals,
            location,
            status
        )
        .await
    }

    /// PRV_ROL_006 / PTP_ROL_006: one approval the caller is asked for, with its group.
    pub async fn permission_approval(
        &self,
        side: Side,
        approval_id: &str,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let id = path_segment("permissionApprovalId", approval_id)?;
        twin!(
            self,
            side,
            get_provider_permission_approval,
            get_participant_permission_approval,
            id,
            location
        )
        .await
    }

    /// PRV_ROL_007 / PTP_ROL_007: approves or rejects one pending approval.
    pub async fn decide_permission(
        &self,
        side: Side,
        approval_id: &str,
        decision: GrantStatus,
        comment: &str,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let id = path_segment("permissionApprovalId", approval_id)?;
        let body = &PermissionDecision {
            status: decision,
            comment: comment.to_owned(),
        };
        twin!(
            self,
            side,
            decide_provider_permission,
            decide_participant_permission,
            id,
            location,
            body
        )
        .await
    }

    /// PRV_ROL_008 / PTP_ROL_008: approves one pending approval with a narrower permission list.
    pub async fn partially_approve_permission(
        &self,
        side: Side,
        approval_id: &str,
        body: &PartialApproval,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let id = path_segment("permissionApprovalId", approval_id)?;
        twin!(
            self,
            side,
            partially_approve_provider_permission,
            partially_approve_participant_permission,
            id,
            location,
            body
        )
        .await
    }

    /// PRV_ROL_009: copies a 検討記録 or 伝達記録 into the patient's record.
    pub async fn share_document(&self, document_key: &str) -> Result<Vec<BundleResult>, Error> {
        let key = path_segment("documentKey", document_key)?;
        self.call(|| self.raw().share_provider_document(key)).await
    }
}

/// A generated answer as this crate's result: the 200's result or error body, a typed error status, or a 401.
async fn settle<A: Answer>(answer: Raw<A>) -> Result<A::Ok, Error> {
    match answer {
        Ok(value) => {
            let status = value.status().as_u16();
            let answer = value.into_inner();
            if let Some(message) = answer.stray_error() {
                let body_excerpt = String::new();
                return Err(Error::Decode {
                    message,
                    body_excerpt,
                });
            }
            answer.into_result().map_err(|error| Error::Api {
                status,
                code: error.error_code,
                message: error.error_message,
            })
        }
        Err(RawError::UnexpectedResponse(response)) => Err(unexpected(response).await),
        Err(RawError::InvalidResponsePayload(bytes, error)) => Err(Error::Decode {
            message: serde_json::from_slice::<A::Wire>(&bytes)
                .err()
                .map_or_else(|| error.to_string(), |e| e.to_string()),
            body_excerpt: iryo_runtime::body_excerpt(&bytes),
        }),
        Err(other) => Err(from_raw_error(other)),
    }
}

/// Error bodies are small; a bigger one is only excerpted.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A status the spec does not list: 401 is the gateway's; any other is still a PLAT error when its body is one
/// (fixup `errors-at-any-status`), else an HTTP error with an excerpt.
async fn unexpected(mut response: reqwest::Response) -> Error {
    let (status, headers) = (response.status(), response.headers().clone());
    if status.as_u16() == 401 {
        return Error::Unauthorized;
    }
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ERROR_BODY {
            break;
        }
    }
    match serde_json::from_slice::<PlatErrorBody>(&body) {
        Ok(parsed) if body.len() <= MAX_ERROR_BODY => from_raw_error(RawError::ErrorResponse(
            ResponseValue::new(parsed, status, headers),
        )),
        _ => Error::Http {
            status: status.as_u16(),
            body_excerpt: iryo_runtime::body_excerpt(&body),
        },
    }
}
