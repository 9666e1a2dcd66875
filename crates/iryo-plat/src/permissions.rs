//! PRV_ROL_001-010 and the PTP twins as typed calls: each method checks its ids, picks the provider or
//! participant operation of the generated client, and goes through [`Client::call`] (the runtime's call path:
//! retries by the operation's class, one more try after a 401 when the token provider can refresh; PLAT errors at
//! any status).

use std::future::Future;

use iryo_plat_codes::{ApprovalStatus, GrantStatus, HolderKind, Location};
use iryo_runtime::{Attempt, Operation, Redactor, UnknownFields};
use progenitor_client::{Error as RawError, ResponseValue};

use crate::client::{classify, name_failure, path_segment};
use crate::generated::Client as Generated;
use crate::generated::operations;
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
    fn into_result(self) -> Result<Self::Ok, PlatError>;
    /// The keys of the result that no schema lists: an error body may hide there (an `errorCode` that is not
    /// a string, an OperationOutcome that does not decode).
    fn unknown_fields(&self) -> Option<&UnknownFields>;
}

macro_rules! answer {
    ($answer:ty, $ok:ty, $variant:ident($wire:ty), $map:expr, $extra:expr) => {
        impl Answer for $answer {
            type Ok = $ok;
            fn into_result(self) -> Result<$ok, PlatError> {
                match self {
                    Self::$variant(ok) => Ok($map(ok)),
                    Self::PlatError(error) => Err(error),
                }
            }
            fn unknown_fields(&self) -> Option<&UnknownFields> {
                match self {
                    Self::$variant(ok) => ($extra as fn(&$wire) -> Option<&UnknownFields>)(ok),
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

/// The provider or participant operation of the generated client, each with its own
/// [`Operation`] (named like the method).
macro_rules! twin {
    ($self:ident, $effect:expr, $side:expr, $prv:ident, $ptp:ident, $($arg:expr),*) => {
        async {
            use $crate::generated::operations;
            match $side {
                Side::Providers => {
                    let send = |raw: $crate::generated::Client| async move { raw.$prv($($arg),*).await };
                    $self.call(&operations::$prv, $effect, send).await
                }
                Side::Participants => {
                    let send = |raw: $crate::generated::Client| async move { raw.$ptp($($arg),*).await };
                    $self.call(&operations::$ptp, $effect, send).await
                }
            }
        }
    };
}
pub(crate) use twin;

impl Client {
    /// Sends `operation` through the runtime's call path and types the answer.
    pub(crate) async fn call<A: Answer, F, Fut>(
        &self,
        operation: &Operation,
        effect: Option<&'static str>,
        send: F,
    ) -> Result<A::Ok, Error>
    where
        F: Fn(Generated) -> Fut,
        Fut: Future<Output = Raw<A>>,
    {
        let redactor = self.shell.hooks().redactor();
        let attempt = |raw| async { settle(send(raw).await, redactor).await };
        let name = |failure| name_failure(failure, redactor, effect);
        let policy = self.shell.retry_policy();
        self.shell.call(operation, policy, attempt, name).await
    }

    /// PRV_ROL_001: the permissions valid for the caller, or those matching the filters.
    pub async fn list_permissions(
        &self,
        classification: Option<&HolderKind>,
        holder_id: Option<&str>,
        valid_at: Option<&str>,
        location: Option<&Location>,
    ) -> Result<Vec<Permission>, Error> {
        self.call(
            &operations::list_provider_permissions,
            None,
            |raw| async move {
                (raw.list_provider_permissions(classification, valid_at, location, holder_id)).await
            },
        )
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
        self.call(
            &operations::get_provider_permission,
            None,
            |raw| async move { raw.get_provider_permission(id, valid_at, location).await },
        )
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
                    Some("the request"),
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
                    Some("the request"),
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
                    None,
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
                    None,
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
            Some("the withdrawal"),
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
            None,
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
            None,
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
            Some("the decision"),
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
            Some("the approval"),
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
        self.call(
            &operations::share_provider_document,
            None,
            |raw| async move { raw.share_provider_document(key).await },
        )
        .await
    }
}

/// A generated answer as this crate's result: the 200's result or error body, or a failure.
async fn settle<A: Answer>(answer: Raw<A>, redactor: &Redactor) -> Result<A::Ok, Attempt<Error>> {
    let value = match answer {
        Ok(value) => value,
        Err(error) => return Err(classify(error, redactor).await),
    };
    let status = value.status().as_u16();
    let answer = value.into_inner();
    if let Some(error) = answer
        .unknown_fields()
        .and_then(|fields| crate::answer::error_in_fields(status, fields))
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
