//! `iryo-mock plat`: banner, options, and a clean exit on Ctrl-C.

use std::process::Command;

use crate::binary::{BIN, Running};

#[tokio::test]
async fn plat_prints_its_address_serves_fixtures_and_stops_on_sigint() {
    let (running, banner) = Running::start(&[
        "plat",
        "--port",
        "0",
        "--token",
        "t-9",
        "--app-path",
        "/api",
        "--date-style",
        "java8",
    ]);
    let rest = banner
        .strip_prefix("PLAT mock listening on http://127.0.0.1:")
        .unwrap_or_default();
    let (port, rest) = rest.split_once('/').unwrap_or_default();
    assert!(
        port.parse::<u16>().is_ok_and(|p| p > 0),
        "banner: {banner:?}"
    );
    assert_eq!(rest, "api (Bearer token t-9)\n");

    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_default();
    let url = format!("http://127.0.0.1:{port}/api/providers/permission/delete/2");
    let body = r#"{"comment":"x"}"#;
    let refused = client
        .put(&url)
        .bearer_auth("demo-token")
        .body(body)
        .send()
        .await;
    assert_eq!(refused.map(|r| r.status().as_u16()).ok(), Some(401));
    let forbidden = client
        .put(&url)
        .bearer_auth("other-org-token")
        .body(body)
        .send()
        .await;
    assert_eq!(forbidden.map(|r| r.status().as_u16()).ok(), Some(403));
    let answer = client.put(&url).bearer_auth("t-9").body(body).send().await;
    let text = match answer {
        Ok(answer) => answer.text().await.unwrap_or_default(),
        Err(error) => panic!("no answer: {error}"),
    };
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(
        json["permissionGroup"]["requestedDatetime"],
        "Oct 7, 2021 7:51:02 PM"
    );
    assert_eq!(json["permissionGroup"]["deletedFlg"], 1);

    assert_eq!(running.interrupt(), Some(0));
}

#[test]
fn an_unknown_date_style_is_refused() {
    let output = Command::new(BIN)
        .args(["plat", "--port", "0", "--date-style", "java11"])
        .output();
    let Ok(output) = output else {
        panic!("could not run {BIN}")
    };
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("java9, java8 or jdk20"), "{stderr}");
}

#[test]
fn an_unusable_application_path_is_refused() {
    let output = Command::new(BIN)
        .args(["plat", "--port", "0", "--app-path", "/{id}"])
        .output();
    let Ok(output) = output else {
        panic!("could not run {BIN}")
    };
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("application path"), "{stderr}");
}
