//! `iryo plat delete-permission` against the PLAT mock.

use serde_json::Value;

use crate::common::{PLAT_TOKEN, Run, iryo, plat_mock};

fn delete(app_url: &str, extra: &[&str], token: Option<&str>) -> Run {
    let mut args = vec!["plat", "delete-permission", "--base-url", app_url];
    args.extend_from_slice(extra);
    let command = iryo(&args);
    match token {
        Some(token) => command.env("PLAT_TOKEN", token).run(),
        None => command.run(),
    }
}

#[test]
fn the_documents_request_prints_the_documents_answer_with_iso_dates() {
    let plat = plat_mock();
    let run = delete(
        &plat.app_url(),
        &["--id", "2", "--comment", "〜のため削除します"],
        Some(PLAT_TOKEN),
    );
    run.assert_quiet_success();
    assert_eq!(run.lines().len(), 1, "one JSON object on one line");
    let mut expected: Value = serde_json::from_str(include_str!(
        "../../../../specs/plat/examples/response-sample.json"
    ))
    .unwrap();
    expected["permissionGroup"]["requestedDatetime"] = "2021-10-07T19:51:02".into();
    expected["permissionApproval"][0]["approvedDatetime"] = "2021-10-07T20:02:04".into();
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed, expected);
    assert!(printed["permissionApproval"][0]["permissionApprovalId"].is_u64());
    let keys: Vec<&str> = printed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["permissionGroup", "permissionApproval", "permissionComment"]
    );
}

#[test]
fn the_participant_side_and_location_reach_the_twin_endpoint() {
    let plat = plat_mock();
    let run = delete(
        &plat.app_url(),
        &[
            "--participant",
            "--id",
            "16",
            "--comment",
            "x",
            "--location",
            "self",
            "-v",
        ],
        Some(PLAT_TOKEN),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "PUT {}/participants/permission/delete/16 (location self)\n\
             iryo.http{{api=\"plat\" operation=\"deleteParticipantPermission\" attempt=1 status=200}}: close\n",
            plat.app_url()
        )
    );
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        printed["permissionGroup"]["requestedDatetime"],
        "2021-11-01T09:05:00"
    );
    let approvals = printed["permissionApproval"].as_array().unwrap();
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[0]["permissionApprovalId"], 16);
    assert_eq!(approvals[0]["deletedFlg"], 1);
    assert_eq!(approvals[0]["approvedDatetime"], "2021-11-01T12:00:00");
    assert_eq!(approvals[1]["approvedDatetime"], "2021-11-02T00:30:15");
}

#[test]
fn plat500_is_one_error_line_with_the_code_and_exit_1() {
    let plat = plat_mock();
    let run = delete(
        &plat.app_url(),
        &["--id", "999", "--comment", "x"],
        Some(PLAT_TOKEN),
    );
    let line = run.single_error_line(1);
    assert!(
        line.starts_with("error: PLAT error PLAT500 (HTTP 500)"),
        "{line}"
    );
    assert_eq!(run.stdout, "");
}

/// `delete-permission` is `permissions delete`: without PLAT_TOKEN it reads the token file.
#[test]
fn a_missing_login_is_exit_4_and_a_refused_token_exit_3() {
    let plat = plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("never-logged-in.json");
    let args = ["--id", "2", "--comment", "x", "--token-file"];
    let mut with_file = args.to_vec();
    with_file.push(missing.to_str().unwrap());
    let run = delete(&plat.app_url(), &with_file, None);
    let line = run.single_error_line(4);
    assert!(line.contains("never-logged-in.json"), "{line}");
    assert!(line.contains("run `iryo plat login` first"), "{line}");
    let run = delete(
        &plat.app_url(),
        &["--id", "2", "--comment", "x"],
        Some("plat-token-Zk9Rw2-but-wrong"),
    );
    let line = run.single_error_line(3);
    assert!(line.contains("HTTP 401"), "{line}");
    // neither call deleted anything
    let group = plat.group("6a7a8516-610d-4c35-bf95-9e7b5219a852").unwrap();
    assert_eq!(group["permissionApproval"][0]["deletedFlg"], 0);
}

/// The alias logs in as `permissions delete` does: the token file's refresh token, no PLAT_TOKEN.
#[test]
fn delete_permission_deletes_with_the_token_file() {
    let plat = plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.json");
    crate::plat_flow::login(&plat, "1310000001", &file);
    let extra = [
        "--id",
        "2",
        "--comment",
        "x",
        "--token-file",
        file.to_str().unwrap(),
    ];
    let run = delete(&plat.app_url(), &extra, None);
    run.assert_quiet_success();
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed["permissionApproval"][0]["permissionApprovalId"], 2);
    assert_eq!(printed["permissionApproval"][0]["deletedFlg"], 1);
    let group = plat.group("6a7a8516-610d-4c35-bf95-9e7b5219a852").unwrap();
    assert_eq!(group["permissionApproval"][0]["deletedFlg"], 1);
}
