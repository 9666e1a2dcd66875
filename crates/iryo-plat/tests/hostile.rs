//! A hostile or broken server, over loopback: every error form is an error whatever the status
//! (duplicated keys and wrongly typed codes included), excerpts never show the token, and plain
//! http to loopback never goes through a proxy.

use iryo_plat::{Client, Error};

const TOKEN: &str = "tok-very-secret-4711";

/// A server that answers every request with `status` and `body`.
async fn canned(status: u16, body: &'static str) -> String {
    let base = iryo_testkit::probe::canned(status, "application/json", body).await;
    format!("{base}/cloudEHR")
}

async fn delete(status: u16, body: &'static str) -> Result<(), Error> {
    let client = Client::new(canned(status, body).await, TOKEN).unwrap();
    client.delete_provider_permission("16", "x").await.map(drop)
}

#[tokio::test]
async fn every_error_form_is_an_error_at_any_status() {
    let bodies = [
        r#"{"errorCode":"PLAT500","errorMessage":"x","errorMessage":"y"}"#,
        r#"{"errorCode":null}"#,
        r#"{"errorCode":123}"#,
        r#"{"errorCode":"PLAT400","errorMessage":"already deleted"}"#,
        r#"{"timestamp":"2024-01-01T00:00:00Z","status":400,"error":"Bad Request","path":"/x"}"#,
        r#"{"resourceType":"OperationOutcome","id":"PLAT400","issue":[]}"#,
        r#"{"resourceType":"OperationOutcome","id":"PLAT400","id":"x"}"#,
    ];
    for status in [200, 400, 500] {
        for body in bodies {
            let result = delete(status, body).await;
            assert!(
                matches!(
                    result,
                    Err(Error::Api { .. } | Error::MalformedError { .. } | Error::Http { .. })
                ),
                "HTTP {status} {body}: {result:?}"
            );
        }
    }
    let err = delete(200, bodies[0]).await.unwrap_err();
    assert_eq!(
        err.code().map(|c| c.to_string()),
        Some("PLAT500".to_owned())
    );
}

#[tokio::test]
async fn excerpts_never_show_the_token() {
    let echo = r#"<html>request headers: Authorization: Bearer tok-very-secret-4711
user-agent: x</html>"#;
    let err = delete(502, echo).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
    assert!(shown.contains("[REDACTED]"), "{shown}");
    assert!(
        !shown.contains('\n'),
        "control characters are replaced: {shown}"
    );
}

/// A proxy on loopback that records what reaches it and answers 502.
/// Run by [`plain_http_to_loopback_bypasses_proxies`] in a child process, whose environment
/// names the proxy (reqwest reads `HTTP_PROXY` when a client is built).
#[tokio::test]
#[ignore = "run as a child process by plain_http_to_loopback_bypasses_proxies"]
async fn child_deletes_through_the_environment() {
    let Ok(url) = std::env::var("IRYO_TEST_TARGET") else {
        return;
    };
    let client = Client::new(url, TOKEN).unwrap();
    let result = client.delete_provider_permission("16", "x").await;
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn plain_http_to_loopback_bypasses_proxies() {
    let (proxy, seen) = iryo_testkit::probe::recording_proxy();
    let target = canned(200, r#"{"permissionApproval":[]}"#).await;
    for host in ["127.0.0.1", "localhost"] {
        let url = target.replace("127.0.0.1", host);
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "child_deletes_through_the_environment",
                "--ignored",
            ])
            .env("IRYO_TEST_TARGET", &url)
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

#[tokio::test]
async fn the_token_over_plain_http_off_loopback_is_refused() {
    let err = Client::new("http://192.0.2.10/cloudEHR", TOKEN).unwrap_err();
    assert!(matches!(err, Error::InsecureHttp(_)), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
}
