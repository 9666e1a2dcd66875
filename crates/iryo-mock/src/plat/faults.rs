//! How PLAT's answers look when a [`Fault`](crate::Fault) borrows them.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::handler::empty;
use crate::fault::Wire;

pub(crate) struct PlatWire;

/// The document sample's approver, who writes every generated comment.
const APPROVER: &str = "db04b087-52ee-4d69-9861-07e4d3db325e";

impl Wire for PlatWire {
    fn empty(status: StatusCode) -> Response {
        empty(status)
    }

    /// A deleted group shaped like the document's answer, with as many numbered comments as it takes.
    fn oversized_body(bytes: usize) -> Vec<u8> {
        let group = json!({
            "permissionGroupId": "00000000-0000-4000-8000-000000000000",
            "status": "1",
            "deletedFlg": 1,
            "requestedOrganizationId": "1310000001",
            "requestedDepartmentId": "",
            "requestedPersonalId": "ececfc9e-4b53-48c0-96da-482ffdf69a95",
            "requestedDatetime": "Oct 7, 2021, 7:51:02 PM",
        });
        let approvals = json!([{
            "permissionApprovalId": 2,
            "status": "1",
            "deletedFlg": 1,
            "allowablePersonalId": APPROVER,
            "approverPersonalId": APPROVER,
            "approvedDatetime": "Oct 7, 2021, 8:02:04 PM",
        }]);
        let mut body = format!(
            "{{\"permissionGroup\":{group},\"permissionApproval\":{approvals},\"permissionComment\":["
        )
        .into_bytes();
        let closing = b"]}";
        let mut n: u64 = 0;
        while body.len() + closing.len() < bytes || n == 0 {
            if n > 0 {
                body.push(b',');
            }
            n += 1;
            let comment = json!({
                "permissionCommentId": n.to_string(),
                "personalId": APPROVER,
                "comment": format!("コメント {n}: 〜のため削除します"),
            });
            body.extend(serde_json::to_vec(&comment).unwrap_or_default());
        }
        body.extend_from_slice(closing);
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn an_oversized_answer_is_a_group_with_many_comments() {
        for bytes in [0, 500, 20_000] {
            let body = PlatWire::oversized_body(bytes);
            assert!(body.len() >= bytes, "{bytes}: {}", body.len());
            let parsed = serde_json::from_slice::<Value>(&body).unwrap_or_default();
            let comments = parsed["permissionComment"].as_array().map(Vec::len);
            assert!(comments.is_some_and(|n| n >= 1), "{bytes}");
            assert_eq!(parsed["permissionApproval"][0]["permissionApprovalId"], 2);
        }
    }
}
