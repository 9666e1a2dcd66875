//! `iryo plat login`'s loopback listener (RFC 8252), played as the browser against the PLAT mock's Keycloak; the
//! paste fallback; a refresh token rotated by Keycloak and kept although the API call failed; plain-http refusals
//! that name the flag.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use iryo_mock::plat::PlatMock;
use serde_json::Value;

use crate::common::{empty_plat_mock, iryo, serve};
use crate::plat_flow::{follow, login, permissions};

/// `iryo plat login` listening at a free loopback port; its child and the authorisation URL it printed.
fn start_login(mock: &PlatMock, file: &Path, extra: &[&str]) -> (Child, url::Url) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iryo"))
        .args(["plat", "login", "--keycloak-url", &mock.keycloak_url()])
        .args(["--realm", "1310000001", "--token-file"])
        .arg(file)
        .args(extra)
        .env_remove("PLAT_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    (
        child,
        url::Url::parse(line.trim()).expect("the authorisation URL"),
    )
}

fn listening(mock: &PlatMock, file: &Path, timeout: &str) -> (Child, url::Url) {
    let args = [
        "--redirect-uri",
        "http://127.0.0.1:0/callback",
        "--listen-timeout",
        timeout,
    ];
    start_login(mock, file, &args)
}

fn query(url: &url::Url, key: &str) -> String {
    let found = url.query_pairs().find(|(k, _)| k == key);
    found.map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// One GET with `extra` header lines, as a browser would send it: the whole answer.
fn get(url: &str, extra: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut stream = TcpStream::connect(&host).unwrap();
    let target = &url[url::Position::BeforePath..];
    let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n");
    let _ = stream.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// Waits for the child; its exit code and stderr.
fn finish(child: Child) -> (i32, String) {
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

#[test]
fn the_browser_hands_the_code_to_the_listener() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.json");
    let (child, url) = listening(&mock, &file, "60");
    let redirect = url::Url::parse(&query(&url, "redirect_uri")).unwrap();
    assert!(redirect.port().is_some_and(|p| p != 0), "{redirect}");
    // A favicon (another path) is answered 404 and the wait goes on.
    let favicon = get(redirect.join("/favicon.ico").unwrap().as_str(), "");
    assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");

    let page = get(&follow(url.as_str()), "");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("Logged in"), "{page}");
    let (code, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["redirect_uri"], redirect.as_str());
    let listed = permissions(&mock, &file, &["list", "approvals"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
}

#[test]
fn an_oversized_request_is_refused_and_the_wait_goes_on() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let (child, url) = listening(&mock, &dir.path().join("login.json"), "60");
    let redirect = follow(url.as_str());
    let cookie = format!("Cookie: {}\r\n", "a".repeat(40_000));
    let refused = get(&redirect, &cookie);
    assert!(refused.starts_with("HTTP/1.1 431"), "{refused:.200}");
    let long_query = format!("{redirect}&pad={}", "b".repeat(5_000));
    assert!(get(&long_query, "").starts_with("HTTP/1.1 414"));
    assert!(get(&redirect, "").starts_with("HTTP/1.1 200"));
    let (code, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_wrong_state_is_refused_with_a_page_and_a_typed_error() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.json");
    let (child, url) = listening(&mock, &file, "60");
    let mut redirect = url::Url::parse(&follow(url.as_str())).unwrap();
    let code = query(&redirect, "code");
    redirect
        .query_pairs_mut()
        .clear()
        .extend_pairs([("code", code.as_str()), ("state", "forged")]);
    let page = get(redirect.as_str(), "");
    assert!(page.starts_with("HTTP/1.1 400"), "{page}");
    assert!(page.contains("does not belong to the login"), "{page}");
    let (exit, stderr) = finish(child);
    assert_eq!(exit, 4, "{stderr}");
    assert!(stderr.contains("state is not this login's"), "{stderr}");
    assert!(!file.exists(), "nothing is saved");
}

#[test]
fn an_error_callback_ends_the_login_with_the_oauth_code() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let (child, url) = listening(&mock, &dir.path().join("login.json"), "60");
    let mut callback = url::Url::parse(&query(&url, "redirect_uri")).unwrap();
    callback.query_pairs_mut().extend_pairs([
        ("error", "access_denied"),
        ("error_description", "\u{1b}[31m<script>"),
        ("state", &query(&url, "state")),
    ]);
    let page = get(callback.as_str(), "");
    assert!(page.starts_with("HTTP/1.1 400"), "{page}");
    assert!(page.contains("access_denied") && !page.contains("<script>"));
    let (exit, stderr) = finish(child);
    assert_eq!(exit, 1, "{stderr}");
    assert!(
        stderr.contains("refused the login: access_denied"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn nobody_coming_back_ends_the_wait() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let (child, _) = listening(&mock, &dir.path().join("login.json"), "1");
    let (exit, stderr) = finish(child);
    assert_eq!(exit, 4, "{stderr}");
    assert!(stderr.contains("within 1 s"), "{stderr}");
    assert!(stderr.contains("--no-listen"), "{stderr}");
}

#[test]
fn a_taken_port_falls_back_to_pasting() {
    let mock = empty_plat_mock();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.json");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}/callback", taken.local_addr().unwrap());
    let (mut child, url) = start_login(&mock, &file, &["--redirect-uri", &uri]);
    let redirect = follow(url.as_str());
    writeln!(child.stdin.take().unwrap(), "{redirect}").unwrap();
    let (exit, stderr) = finish(child);
    assert_eq!(exit, 0, "{stderr}");
    assert!(stderr.contains("cannot listen at"), "{stderr}");
    assert!(file.exists());
}

fn saved_refresh(file: &Path) -> String {
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    saved["refresh_token"].as_str().unwrap().to_owned()
}

#[test]
fn a_rotated_refresh_token_is_kept_when_the_api_call_fails() {
    let mock = serve(
        PlatMock::builder()
            .fixtures(false)
            .rotate_refresh_tokens(true)
            .spawn(),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.json");
    let first = login(&mock, "1310000001", &file);
    mock.fail_next("PLAT400", None, None).unwrap();
    let failed = permissions(&mock, &file, &["list", "approvals"]);
    assert!(failed.single_error_line(1).contains("PLAT400"));
    let second = saved_refresh(&file);
    assert_ne!(second, first, "the rotated token replaced the spent one");
    let listed = permissions(&mock, &file, &["list", "approvals"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_ne!(saved_refresh(&file), second);
}

#[test]
fn a_plain_http_keycloak_off_loopback_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("login.json");
    let login = iryo(&[
        "plat",
        "login",
        "--no-listen",
        "--keycloak-url",
        "http://192.0.2.1:8184",
        "--realm",
        "1310000001",
        "--token-file",
        file.to_str().unwrap(),
    ])
    .run();
    let line = login.single_error_line(4);
    assert!(line.contains("--allow-insecure-http 192.0.2.1"), "{line}");
    let session = serde_json::json!({
        "keycloak_url": "http://192.0.2.1:8184", "realm": "1310000001", "client_id": "plat-public",
        "redirect_uri": "http://127.0.0.1:8400/callback", "refresh_token": "r",
    });
    std::fs::write(&file, session.to_string()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let run = iryo(&[
        "plat",
        "permissions",
        "list",
        "--base-url",
        "http://127.0.0.1:1/cloudEHR",
        "--token-file",
        file.to_str().unwrap(),
    ])
    .run();
    let line = run.single_error_line(4);
    assert!(line.contains("--allow-insecure-http 192.0.2.1"), "{line}");
}
