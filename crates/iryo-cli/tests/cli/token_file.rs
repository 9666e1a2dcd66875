//! A PLAneTs login file that group or others may read is refused before anything is sent, as
//! ssh refuses such a private key; the message names the file and never shows the token.

#[cfg(unix)]
#[test]
fn a_login_file_of_mode_644_is_refused_naming_it() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plat-token.json");
    let session = serde_json::json!({
        "keycloak_url": "http://127.0.0.1:1", "prefix": "", "realm": "1310000001",
        "client_id": "plat-public", "redirect_uri": "http://127.0.0.1:8400/callback",
        "refresh_token": "refresh-Secret-6Hq2",
    });
    std::fs::write(&file, session.to_string()).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = crate::common::iryo(&[
        "plat",
        "permissions",
        "--base-url",
        "http://127.0.0.1:1",
        "--token-file",
        file.to_str().unwrap(),
        "list",
        "approvals",
    ])
    .run();
    let line = run.single_error_line(4);
    assert!(
        line.contains("plat-token.json") && line.contains("mode 644"),
        "{line}"
    );
    assert!(!run.stderr.contains("refresh-Secret-6Hq2"));
}
