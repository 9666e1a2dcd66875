//! The permission flow between providers and participants, and its input errors.

use crate::*;

#[tokio::test]
async fn providers_request_approve_read_and_delete() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    let (requester, _) = login(&mock, "1320000002").await;
    let (owner, owner_tokens) = login(&mock, "1310000001").await;

    // PRV_ROL_002: the other clinic asks the demo doctor.
    let asked = requester
        .request_permission(
            Side::Providers,
            &ask(person(&Actor::demo().personal_id)),
            false,
            None,
        )
        .await
        .unwrap();
    let group_id = asked.group().unwrap().permission_group_id.clone().unwrap();
    assert_eq!(
        asked.group().unwrap().status,
        Some(ApprovalStatus::Requested)
    );
    assert!(
        requester
            .list_permissions(None, None, None, None)
            .await
            .unwrap()
            .is_empty(),
        "not approved yet"
    );

    // PRV_ROL_006: the owner finds the approval id only through the list.
    let waiting = owner
        .permission_approvals(Side::Providers, Some(&ApprovalStatus::Requested), None)
        .await
        .unwrap();
    let approval_id = waiting[0].permission_approval[0]
        .permission_approval_id
        .clone()
        .unwrap()
        .to_string();
    let one = owner
        .permission_approval(Side::Providers, &approval_id, None)
        .await
        .unwrap();
    assert_eq!(
        one.group().unwrap().permission_group_id.as_deref(),
        Some(group_id.as_str())
    );

    // The access token expires mid-flow: the approval still goes through, after one refresh.
    let before = mock.request_count();
    mock.expire_access_tokens();
    let approved = owner
        .decide_permission(
            Side::Providers,
            &approval_id,
            GrantStatus::Approve,
            "承認します",
            None,
        )
        .await
        .unwrap();
    assert_eq!(mock.request_count() - before, 2, "one 401, one retry");
    assert_eq!(
        approved.group().unwrap().status,
        Some(ApprovalStatus::Approved)
    );
    assert!(owner_tokens.refresh_token().is_some());

    // PLAT400: deciding again finds it already decided. PLAT403: the requester cannot decide.
    let again = owner
        .decide_permission(Side::Providers, &approval_id, GrantStatus::Reject, "", None)
        .await;
    assert_eq!(code(again), PlatErrorCode::OptimisticLockViolation);
    let not_mine = requester
        .decide_permission(
            Side::Providers,
            &approval_id,
            GrantStatus::Approve,
            "",
            None,
        )
        .await;
    assert_eq!(code(not_mine), PlatErrorCode::RoleCheckFailed);

    // PRV_ROL_004 and 001 from the requester's side.
    let mine = requester
        .permission_requests(Side::Providers, Some(&group_id), None, None)
        .await
        .unwrap();
    assert_eq!(
        mine[0].group().unwrap().status,
        Some(ApprovalStatus::Approved)
    );
    let held = requester
        .list_permissions(None, None, Some("2025-01-01T00:00:00Z"), None)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    let management_id = held[0].permission_management_id.clone().unwrap();
    assert_eq!(
        requester
            .get_permission(&management_id, None, None)
            .await
            .unwrap()
            .len(),
        1
    );
    let outside = requester
        .list_permissions(None, None, Some("2040-01-01T00:00:00Z"), None)
        .await
        .unwrap();
    assert!(outside.is_empty(), "not valid in 2040");

    // PRV_ROL_010: the owner deletes; the group goes with its last approval and disappears everywhere.
    let deleted = owner
        .delete_provider_permission(&approval_id, "〜のため削除します")
        .await
        .unwrap();
    assert_eq!(
        deleted.group().unwrap().deleted_flg,
        Some(DeletedFlag::Deleted)
    );
    assert!(
        requester
            .permission_requests(Side::Providers, None, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        requester
            .list_permissions(None, None, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    let gone = owner
        .permission_approval(Side::Providers, &approval_id, None)
        .await;
    assert_eq!(
        code(gone),
        PlatErrorCode::ServerError,
        "deleted permissions are invisible"
    );
    let twice = owner.delete_provider_permission(&approval_id, "x").await;
    assert_eq!(code(twice), PlatErrorCode::OptimisticLockViolation);
}

#[tokio::test]
async fn withdrawal_and_the_input_errors() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    let (requester, _) = login(&mock, "1320000002").await;
    let (owner, _) = login(&mock, "1310000001").await;
    let asked = requester
        .request_permission(
            Side::Providers,
            &ask(person(&Actor::demo().personal_id)),
            false,
            None,
        )
        .await
        .unwrap();
    let id = asked.permission_approval[0]
        .permission_approval_id
        .clone()
        .unwrap()
        .to_string();

    let not_mine = owner
        .withdraw_permission_request(Side::Providers, &id, None)
        .await;
    assert_eq!(code(not_mine), PlatErrorCode::RoleCheckFailed);
    let withdrawn = requester
        .withdraw_permission_request(Side::Providers, &id, None)
        .await
        .unwrap();
    assert_eq!(
        withdrawn.group().unwrap().status,
        Some(ApprovalStatus::Withdrawn)
    );
    let late = owner
        .decide_permission(Side::Providers, &id, GrantStatus::Approve, "", None)
        .await;
    assert_eq!(code(late), PlatErrorCode::OptimisticLockViolation);
    let unknown = owner
        .decide_permission(Side::Providers, "999", GrantStatus::Approve, "", None)
        .await;
    assert_eq!(code(unknown), PlatErrorCode::ServerError);

    // PLAT410 (no approver named) and PLAT420 (no approver at all), as OperationOutcome bodies.
    let nobody = requester
        .request_permission(Side::Providers, &ask(ApproverSpec::default()), false, None)
        .await;
    assert_eq!(code(nobody), PlatErrorCode::InputCheckFailed);
    let mut empty = ask(person("x"));
    empty.permission_approval.clear();
    assert_eq!(
        code(
            requester
                .request_permission(Side::Providers, &empty, false, None)
                .await
        ),
        PlatErrorCode::BusinessError
    );
    let bad_id = owner
        .decide_permission(Side::Providers, "..", GrantStatus::Approve, "", None)
        .await;
    assert!(matches!(
        bad_id,
        Err(Error::InvalidInput {
            field: "permissionApprovalId",
            ..
        })
    ));
}

#[tokio::test]
async fn participants_approve_and_delete_what_a_clinic_asked() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    let (clinic, _) = login(&mock, "1310000001").await;
    let (patient, _) = login(&mock, "0000000000").await;
    let patient_id = Actor::patient().personal_id;
    clinic
        .request_permission(Side::Providers, &ask(person(&patient_id)), false, None)
        .await
        .unwrap();

    let waiting = patient
        .permission_approvals(Side::Participants, None, None)
        .await
        .unwrap();
    let id = waiting[0].permission_approval[0]
        .permission_approval_id
        .clone()
        .unwrap()
        .to_string();
    let early = patient
        .delete_participant_permission(&id, "まだ承認していない")
        .await;
    assert_eq!(
        code(early),
        PlatErrorCode::OptimisticLockViolation,
        "only approved permissions are deleted"
    );
    patient
        .decide_permission(
            Side::Participants,
            &id,
            GrantStatus::Approve,
            "承認します",
            None,
        )
        .await
        .unwrap();
    mock.expire_access_tokens();
    let deleted = patient
        .delete_participant_permission(&id, "取り消します")
        .await
        .unwrap();
    assert_eq!(
        deleted.permission_approval[0].deleted_flg,
        Some(DeletedFlag::Deleted)
    );
    assert!(
        patient
            .permission_approvals(Side::Participants, None, None)
            .await
            .unwrap()
            .is_empty()
    );

    // PTP_ROL_003 then 004: a patient registers an approved permission and sees it among its requests.
    let registered = patient
        .request_permission(
            Side::Participants,
            &ask(person(&Actor::demo().personal_id)),
            true,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        registered.group().unwrap().status,
        Some(ApprovalStatus::Approved)
    );
    let mine = patient
        .permission_requests(
            Side::Participants,
            None,
            Some(&ApprovalStatus::Approved),
            None,
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
}
