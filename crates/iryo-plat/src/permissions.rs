//! PRV_ROL_001-010 and the PTP twins as methods over the generated request types
//! ([`requests`](crate::requests)), each sent through the client's one call path. What is written here are
//! PLAneTs' quirks only: a method that picks one of two operations (already approved or not; one
//! group or all), a body made of a comment, and the one-field results unwrapped.

use iryo_plat_codes::{ApprovalStatus, GrantStatus, HolderKind, Location};

use crate::requests::{
    DecidePermission, DeletePermission, GetPermissionApproval, GetPermissionRequest,
    GetProviderPermission, ListPermissionApprovals, ListPermissionRequests,
    ListProviderPermissions, PartiallyApprovePermission, RegisterPermission, RequestPermission,
    ShareProviderDocument, WithdrawPermissionRequest,
};
use crate::types::{
    BundleResult, PartialApproval, Permission, PermissionDecision, PermissionDeleteRequest,
    PermissionGroupResult, PermissionRequest,
};
use crate::{Client, Error, Side};

impl Client {
    /// PRV_ROL_001: the permissions valid for the caller, or those matching the filters.
    pub async fn list_permissions(
        &self,
        classification: Option<&HolderKind>,
        holder_id: Option<&str>,
        valid_at: Option<&str>,
        location: Option<&Location>,
    ) -> Result<Vec<Permission>, Error> {
        let request = ListProviderPermissions {
            classification,
            default_date: valid_at,
            location,
            permission_id: holder_id,
        };
        Ok(request.send(self).await?.permission_list)
    }

    /// PRV_ROL_001: one permission by its 権限管理 ID.
    pub async fn get_permission(
        &self,
        management_id: &str,
        valid_at: Option<&str>,
        location: Option<&Location>,
    ) -> Result<Vec<Permission>, Error> {
        let request = GetProviderPermission {
            permission_management_id: management_id,
            default_date: valid_at,
            location,
        };
        Ok(request.send(self).await?.permission_list)
    }

    /// PRV_ROL_002 / PTP_ROL_002 (`approved` false): asks for a permission; PRV_ROL_003 / PTP_ROL_003 (`approved`
    /// true): registers one as already approved.
    pub async fn request_permission(
        &self,
        side: Side,
        body: &PermissionRequest,
        approved: bool,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        match approved {
            false => {
                RequestPermission {
                    side,
                    location,
                    body,
                }
                .send(self)
                .await
            }
            true => {
                RegisterPermission {
                    side,
                    location,
                    body,
                }
                .send(self)
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
        match group_id {
            None => {
                ListPermissionRequests {
                    side,
                    location,
                    status,
                }
                .send(self)
                .await
            }
            Some(id) => {
                let request = GetPermissionRequest {
                    side,
                    id,
                    location,
                    status,
                };
                request.send(self).await
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
        let request = WithdrawPermissionRequest {
            side,
            id: approval_id,
            location,
        };
        request.send(self).await
    }

    /// PRV_ROL_006 / PTP_ROL_006 (list form): the groups in which the caller is asked to approve.
    pub async fn permission_approvals(
        &self,
        side: Side,
        status: Option<&ApprovalStatus>,
        location: Option<&Location>,
    ) -> Result<Vec<PermissionGroupResult>, Error> {
        ListPermissionApprovals {
            side,
            location,
            status,
        }
        .send(self)
        .await
    }

    /// PRV_ROL_006 / PTP_ROL_006: one approval the caller is asked for, with its group.
    pub async fn permission_approval(
        &self,
        side: Side,
        approval_id: &str,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let permission_approval_id = approval_id;
        let request = GetPermissionApproval {
            side,
            permission_approval_id,
            location,
        };
        request.send(self).await
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
        let body = &PermissionDecision {
            status: decision,
            comment: comment.to_owned(),
        };
        let permission_approval_id = approval_id;
        let request = DecidePermission {
            side,
            permission_approval_id,
            location,
            body,
        };
        request.send(self).await
    }

    /// PRV_ROL_008 / PTP_ROL_008: approves one pending approval with a narrower permission list.
    pub async fn partially_approve_permission(
        &self,
        side: Side,
        approval_id: &str,
        body: &PartialApproval,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let permission_approval_id = approval_id;
        let request = PartiallyApprovePermission {
            side,
            permission_approval_id,
            location,
            body,
        };
        request.send(self).await
    }

    /// PRV_ROL_009: copies a 検討記録 or 伝達記録 into the patient's record.
    pub async fn share_document(&self, document_key: &str) -> Result<Vec<BundleResult>, Error> {
        let request = ShareProviderDocument { document_key };
        Ok(request.send(self).await?.bundle_result_list)
    }

    /// PRV_ROL_010 / PTP_ROL_010: deletes the granted permission `approval_id` with `comment` as
    /// the reason, with the optional `location` query (`self`, `remote`, `all` or
    /// comma-separated 医療機関 IDs, kept as [`Location::Unknown`](iryo_plat_codes::Location)).
    pub async fn delete_permission(
        &self,
        side: Side,
        approval_id: &str,
        comment: &str,
        location: Option<&Location>,
    ) -> Result<PermissionGroupResult, Error> {
        let body = &PermissionDeleteRequest {
            comment: comment.to_owned(),
        };
        let permission_approval_id = approval_id;
        let request = DeletePermission {
            side,
            permission_approval_id,
            location,
            body,
        };
        request.send(self).await
    }

    /// PRV_ROL_010: [`delete_permission`](Self::delete_permission) on the providers' side.
    pub async fn delete_provider_permission(
        &self,
        approval_id: &str,
        comment: &str,
    ) -> Result<PermissionGroupResult, Error> {
        self.delete_permission(Side::Providers, approval_id, comment, None)
            .await
    }

    /// PTP_ROL_010: [`delete_permission`](Self::delete_permission) on the participants' side.
    pub async fn delete_participant_permission(
        &self,
        approval_id: &str,
        comment: &str,
    ) -> Result<PermissionGroupResult, Error> {
        self.delete_permission(Side::Participants, approval_id, comment, None)
            .await
    }
}
