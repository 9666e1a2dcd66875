//! `iryo plat login` and `iryo plat permissions ...` against the PLAT mock: the whole flow from login to delete,
//! for providers and participants, through the binary; the refresh token stays in a 0600 file and never shows.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use iryo_mock::plat::{Actor, PlatMock};
use serde_json::{Value, json};

use crate::common::{Run, empty_plat_mock, iryo};

/// The mock's authorisation endpoint answers at once with a redirect; this is the browser.
pub fn follow(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let line = answer
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("location:"))
        .unwrap();
    line["location:".len()..].trim().to_owned()
}

/// Runs `iryo plat login --no-listen` as a user would: read the URL it prints, "log in", paste the redirect.
pub fn login(mock: &PlatMock, realm: &str, file: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iryo"))
        .args([
            "plat",
            "login",
            "--no-listen",
            "--keycloak-url",
            &mock.keycloak_url(),
            "--realm",
            realm,
        ])
        .arg("--token-file")
        .arg(file)
        .env_remove("PLAT_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let redirect = follow(url.trim());
    writeln!(child.stdin.take().unwrap(), "{redirect}").unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let refresh = saved["refresh_token"].as_str().unwrap().to_owned();
    assert!(
        !stderr.contains(&refresh),
        "the refresh token is never printed"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only its owner can read the login file");
    }
    refresh
}

pub fn permissions(mock: &PlatMock, file: &Path, args: &[&str]) -> Run {
    let app = mock.app_url();
    let mut all = vec![
        "plat",
        "permissions",
        "--base-url",
        &app,
        "--token-file",
        file.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    iryo(&all).run()
}

fn request_body(dir: &Path, approver: &str) -> PathBuf {
    let body = json!({
        "comment": "閲覧権限をお願いします",
        "permissionApproval": [{"allowablePersonalId": approver}],
        "permissionList": [{
            "classification": "2", "permissionId": "1320000002", "type": "01",
            "expirationFrom": "Mar 2, 2021, 1:00:00 AM", "expirationTo": "Mar 2, 2031, 1:00:00 AM",
            "detailList": [{"path": "Composition.subject:Patient.identifier", "operator": "01", "value": "x"}]
        }]
    });
    let path = dir.join(format!("request-{approver}.json"));
    std::fs::write(&path, body.to_string()).unwrap();
    path
}

fn first_approval_id(run: &Run) -> String {
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json_lines()[0]["permissionApproval"][0]["permissionApprovalId"].to_string()
}

#[test]
fn providers_log_in_request_approve_and_delete() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let (requester, owner) = (
        dir.path().join("requester.json"),
        dir.path().join("owner.json"),
    );
    let refresh = login(&mock, "1320000002", &requester);
    login(&mock, "1310000001", &owner);

    let body = request_body(dir.path(), &Actor::demo().personal_id);
    let asked = permissions(
        &mock,
        &requester,
        &["request", "--file", body.to_str().unwrap()],
    );
    assert_eq!(
        asked.json_lines()[0]["permissionGroup"]["status"],
        "0",
        "{}",
        asked.stderr
    );
    let id = first_approval_id(&permissions(
        &mock,
        &owner,
        &["list", "approvals", "--status", "0"],
    ));

    mock.expire_access_tokens();
    let approved = permissions(
        &mock,
        &owner,
        &["approve", "--id", &id, "--comment", "承認します"],
    );
    assert_eq!(
        approved.json_lines()[0]["permissionApproval"][0]["status"],
        "1",
        "{}",
        approved.stderr
    );
    let again = permissions(&mock, &owner, &["reject", "--id", &id, "--comment", "x"]);
    assert!(again.single_error_line(1).contains("PLAT400"));
    let foreign = permissions(
        &mock,
        &requester,
        &["approve", "--id", &id, "--comment", "x"],
    );
    assert!(foreign.single_error_line(1).contains("PLAT403"));

    let granted = permissions(&mock, &requester, &["list", "granted"]);
    assert_eq!(granted.json_lines().len(), 1, "{}", granted.stderr);
    assert_eq!(
        granted.json_lines()[0]["expirationTo"],
        "2031-03-02T01:00:00"
    );
    let shown = permissions(&mock, &owner, &["show", "--approval", &id]);
    assert_eq!(shown.json_lines()[0]["permissionGroup"]["status"], "1");

    let deleted = permissions(
        &mock,
        &owner,
        &["delete", "--id", &id, "--comment", "〜のため削除します"],
    );
    assert_eq!(
        deleted.json_lines()[0]["permissionGroup"]["deletedFlg"],
        1,
        "{}",
        deleted.stderr
    );
    assert!(
        permissions(&mock, &requester, &["list", "granted"])
            .stdout
            .is_empty()
    );
    assert!(
        permissions(&mock, &owner, &["show", "--approval", &id])
            .single_error_line(1)
            .contains("PLAT500")
    );
    for run in [asked, approved, granted, deleted] {
        assert!(!run.stdout.contains(&refresh) && !run.stderr.contains(&refresh));
    }
}

#[test]
fn withdrawal_and_a_revoked_login() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let requester = dir.path().join("requester.json");
    login(&mock, "1320000002", &requester);
    let body = request_body(dir.path(), &Actor::demo().personal_id);
    let id = first_approval_id(&permissions(
        &mock,
        &requester,
        &["request", "--file", body.to_str().unwrap()],
    ));
    let withdrawn = permissions(&mock, &requester, &["withdraw", "--id", &id]);
    assert_eq!(
        withdrawn.json_lines()[0]["permissionGroup"]["status"],
        "3",
        "{}",
        withdrawn.stderr
    );
    let mine = permissions(&mock, &requester, &["list", "requests", "--status", "3"]);
    assert_eq!(mine.json_lines().len(), 1);

    mock.revoke_refresh_tokens();
    let refused = permissions(&mock, &requester, &["list", "requests"]);
    assert!(
        refused.single_error_line(4).contains("invalid_grant"),
        "{}",
        refused.stderr
    );
    let missing = permissions(&mock, &dir.path().join("none.json"), &["list"]);
    assert!(missing.single_error_line(4).contains("iryo plat login"));
}

#[test]
fn participants_approve_and_delete() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let (clinic, patient) = (
        dir.path().join("clinic.json"),
        dir.path().join("patient.json"),
    );
    login(&mock, "1310000001", &clinic);
    login(&mock, "0000000000", &patient);
    let body = request_body(dir.path(), &Actor::patient().personal_id);
    assert_eq!(
        permissions(
            &mock,
            &clinic,
            &["request", "--file", body.to_str().unwrap()]
        )
        .code,
        0
    );
    let id = first_approval_id(&permissions(&mock, &patient, &["--participant", "list"]));
    let approved = permissions(
        &mock,
        &patient,
        &["--participant", "approve", "--id", &id, "--comment", "ok"],
    );
    assert_eq!(approved.code, 0, "{}", approved.stderr);
    let deleted = permissions(
        &mock,
        &patient,
        &["--participant", "delete", "--id", &id, "--comment", "取消"],
    );
    assert_eq!(
        deleted.json_lines()[0]["permissionApproval"][0]["deletedFlg"],
        1,
        "{}",
        deleted.stderr
    );
    assert!(
        permissions(&mock, &patient, &["--participant", "list"])
            .stdout
            .is_empty()
    );
}

#[test]
fn permissions_refuse_a_token_over_plain_http_off_loopback_unless_allowed() {
    let run = iryo(&[
        "plat",
        "permissions",
        "list",
        "approvals",
        "--base-url",
        "http://0.0.0.0:1/cloudEHR",
    ])
    .env("PLAT_TOKEN", "secret-token-4711")
    .run();
    let line = run.single_error_line(4);
    assert!(line.contains("--allow-insecure-http 0.0.0.0"), "{line}");
    assert!(!run.stderr.contains("secret-token-4711"), "{}", run.stderr);
    // Allowed: the request is sent (0.0.0.0 is not loopback by address, but port 1 there refuses at
    // once: a transport error, exit 3).
    let allowed = iryo(&[
        "plat",
        "permissions",
        "list",
        "approvals",
        "--base-url",
        "http://0.0.0.0:1/cloudEHR",
        "--allow-insecure-http",
        "0.0.0.0",
    ])
    .env("PLAT_TOKEN", "secret-token-4711")
    .run();
    assert_eq!(allowed.code, 3, "{}", allowed.stderr);
}
