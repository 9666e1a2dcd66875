//! A hostile or broken ORCA server, over loopback: an error envelope is never a success (a
//! duplicated key or a wrong type included), excerpts never show the password or the Basic
//! string, and plain http to loopback never goes through a proxy.

use iryo_orca::{Client, Credentials, Error};

const PASSWORD: &str = "pw-very-secret-4711";
/// base64 of `ormaster:pw-very-secret-4711`.
const BASIC: &str = "b3JtYXN0ZXI6cHctdmVyeS1zZWNyZXQtNDcxMQ==";

fn credentials() -> Credentials {
    Credentials::basic("ormaster", PASSWORD)
}

async fn canned(status: u16, body: &'static str) -> String {
    iryo_testkit::probe::canned(status, "application/json", body).await
}

async fn fetch(status: u16, body: &'static str) -> Result<usize, Error> {
    let client = Client::new(canned(status, body).await, credentials()).unwrap();
    client.push_events().send().await.map(|events| events.len())
}

#[tokio::test]
async fn error_envelopes_are_never_a_success() {
    for body in [
        r#"{"error":{"code":"0089","message":"a","message":"b"}}"#,
        r#"{"error":{"code":null}}"#,
        r#"{"error":{"code":89}}"#,
        r#"[{"error":{"code":"0089","code":"0007"}}]"#,
        r#"{"code":"0089","message":"x","message":"y"}"#,
        r#"{"error":{"code":"0089"},"error":{"code":"0007"}}"#,
    ] {
        let result = fetch(200, body).await;
        assert!(result.is_err(), "{body}: {result:?}");
    }
    let err = fetch(200, r#"{"error":{"code":"0089","message":"x"}}"#)
        .await
        .unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("0089"));
}

#[tokio::test]
async fn excerpts_never_show_the_password_or_the_basic_string() {
    let echo = "<html>Authorization: Basic b3JtYXN0ZXI6cHctdmVyeS1zZWNyZXQtNDcxMQ==\r\n\
                decoded ormaster:pw-very-secret-4711</html>";
    let err = fetch(502, echo).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains(PASSWORD) && !shown.contains(BASIC),
        "{shown}"
    );
    assert!(
        !shown.contains("cHctdmVy"),
        "no part of the Basic string: {shown}"
    );
    assert!(
        shown.contains("[REDACTED]") && !shown.contains('\r'),
        "{shown}"
    );
}

#[tokio::test]
#[ignore = "run as a child process by plain_http_to_loopback_bypasses_proxies"]
async fn child_fetches_through_the_environment() {
    let Ok(url) = std::env::var("IRYO_TEST_TARGET") else {
        return;
    };
    let client = Client::new(url, credentials()).unwrap();
    let result = client.push_events().send().await;
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn plain_http_to_loopback_bypasses_proxies() {
    let (proxy, seen) = iryo_testkit::probe::recording_proxy();
    let target = canned(200, "[]").await;
    for host in ["127.0.0.1", "localhost"] {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "child_fetches_through_the_environment",
                "--ignored",
            ])
            .env("IRYO_TEST_TARGET", target.replace("127.0.0.1", host))
            .env("HTTP_PROXY", &proxy)
            .env("http_proxy", &proxy)
            .env("ALL_PROXY", &proxy)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy");
        let status = tokio::task::spawn_blocking(move || child.status())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "{host}: the call failed");
    }
    let seen = seen.lock().unwrap();
    assert!(
        seen.is_empty(),
        "the proxy received: {}",
        String::from_utf8_lossy(&seen)
    );
}
