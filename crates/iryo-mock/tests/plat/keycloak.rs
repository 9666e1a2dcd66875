//! The mock's Keycloak routes and permission state machine, spoken to with plain HTTP (no iryo client): what a
//! client in another language sees.

use iryo_mock::plat::PlatMock;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::common::DEMO_PERSON;

/// A verifier and its S256 challenge, computed independently with Python's hashlib and base64url.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk";
const CHALLENGE: &str = "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g";
const CALLBACK: &str = "http://127.0.0.1:8400/cb";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn code(mock: &PlatMock, realm: &str) -> String {
    let url = format!(
        "{}/realms/{realm}/protocol/openid-connect/auth?response_type=code&client_id=plat-public\
         &redirect_uri={CALLBACK}&scope=offline_access&state=xyz&code_challenge={CHALLENGE}&code_challenge_method=S256",
        mock.keycloak_url()
    );
    let answer = http().get(url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")) && location.ends_with("&state=xyz"),
        "{location}"
    );
    location["http://127.0.0.1:8400/cb?code=".len()..]
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

async fn token(mock: &PlatMock, realm: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let url = format!(
        "{}/realms/{realm}/protocol/openid-connect/token",
        mock.keycloak_url()
    );
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let answer = http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

fn exchange<'a>(code: &'a str, verifier: &'a str, redirect: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", "plat-public"),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect),
        ("code_verifier", verifier),
    ]
}

#[tokio::test]
async fn the_code_exchange_checks_pkce_and_the_redirect() {
    let mock = PlatMock::builder().spawn().await.unwrap();
    let first = code(&mock, "1310000001").await;
    let (status, body) = token(&mock, "1310000001", &exchange(&first, "wrong", CALLBACK)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = token(&mock, "1310000001", &exchange(&first, VERIFIER, CALLBACK)).await;
    assert_eq!(status, 400, "a code is used once, even after a failed try");

    let second = code(&mock, "1310000001").await;
    let (status, body) = token(
        &mock,
        "1310000001",
        &exchange(&second, VERIFIER, "http://elsewhere"),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let third = code(&mock, "1310000001").await;
    let (status, body) = token(&mock, "1320000002", &exchange(&third, VERIFIER, CALLBACK)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "codes belong to their realm"
    );

    let fourth = code(&mock, "1310000001").await;
    let (status, tokens) = token(&mock, "1310000001", &exchange(&fourth, VERIFIER, CALLBACK)).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(
        tokens["refresh_expires_in"], 0,
        "offline_access gives an offline token"
    );
    assert!(tokens["expires_in"].is_u64() && tokens["not-before-policy"] == 0);
    let access = tokens["access_token"].as_str().unwrap();
    let listed = http()
        .get(format!("{}/providers/permission/approval", mock.app_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.status(),
        200,
        "an issued token is accepted by the API"
    );
    // The control route, for suites in another process.
    let control = format!("{}/__mock/plat/expire-tokens", mock.base_url());
    assert_eq!(http().post(control).send().await.unwrap().status(), 204);
    let expired = http()
        .get(format!("{}/providers/permission/approval", mock.app_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401);

    let refresh = tokens["refresh_token"].as_str().unwrap();
    // COM_ATH_004 as printed (grant_type authorization_code) is refused: fixup refresh-grant-type.
    let as_documented = [
        ("client_id", "plat-public"),
        ("grant_type", "authorization_code"),
        ("refresh_token", refresh),
    ];
    let (status, body) = token(&mock, "1310000001", &as_documented).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let standard = [
        ("client_id", "plat-public"),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
    ];
    let (status, body) = token(&mock, "1310000001", &standard).await;
    assert_eq!(status, 200, "{body}");
    mock.revoke_refresh_tokens();
    let (status, body) = token(&mock, "1310000001", &standard).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body) = token(
        &mock,
        "1310000001",
        &[("client_id", "plat-public"), ("grant_type", "password")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type")),
        "no password grant"
    );
    let (status, body) = token(
        &mock,
        "1310000001",
        &[("client_id", "x"), ("grant_type", "refresh_token")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn the_authorisation_endpoint_requires_pkce_s256() {
    let mock = PlatMock::builder()
        .keycloak_prefix("/auth")
        .spawn()
        .await
        .unwrap();
    let base = format!(
        "{}/realms/1310000001/protocol/openid-connect/auth",
        mock.keycloak_url()
    );
    assert!(base.contains("/auth/realms/"));
    let plain = format!(
        "{base}?response_type=code&client_id=plat-public&redirect_uri={CALLBACK}&code_challenge=x&code_challenge_method=plain"
    );
    let answer = http().get(plain).send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    let unknown_realm = format!(
        "{}/realms/9999999999/protocol/openid-connect/auth",
        mock.keycloak_url()
    );
    assert_eq!(
        http().get(unknown_realm).send().await.unwrap().status(),
        404
    );
}

#[tokio::test]
async fn the_state_machine_over_plain_http() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    let app = mock.app_url();
    let send = |method: reqwest::Method, path: &str, token: &str, body: Option<Value>| {
        let request = http()
            .request(method, format!("{app}{path}"))
            .bearer_auth(token);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        async move {
            let answer = request.send().await.unwrap();
            (
                answer.status().as_u16(),
                answer.json::<Value>().await.unwrap(),
            )
        }
    };
    let asked = json!({
        "comment": "c",
        "permissionApproval": [{"allowablePersonalId": DEMO_PERSON}],
        "permissionList": [{"classification": "2", "permissionId": "1320000002", "type": "01",
            "expirationFrom": "Mar 2, 2021, 1:00:00 AM", "expirationTo": "Mar 2, 2031, 1:00:00 AM", "detailList": []}]
    });
    let (status, group) = send(
        reqwest::Method::POST,
        "/providers/permissions",
        "other-org-token",
        Some(asked.clone()),
    )
    .await;
    assert_eq!(status, 200, "{group}");
    assert_eq!(
        group["permissionList"][0]["permissionGroupId"],
        group["permissionGroup"]["permissionGroupId"]
    );
    let id = group["permissionApproval"][0]["permissionApprovalId"].to_string();
    let (status, _) = send(
        reqwest::Method::PUT,
        &format!("/providers/permission/approval/{id}"),
        "demo-token",
        Some(json!({"status": "3", "comment": ""})),
    )
    .await;
    assert_eq!(status, 400, "status 3 is not a decision (PLAT410)");
    let (status, body) = send(
        reqwest::Method::PUT,
        &format!("/providers/permission/approval/{id}"),
        "demo-token",
        Some(json!({"status": "2", "comment": "no"})),
    )
    .await;
    assert_eq!(
        (status, body["permissionGroup"]["status"].as_str()),
        (200, Some("2"))
    );
    let (status, body) = send(
        reqwest::Method::PUT,
        &format!("/providers/permission/delete/{id}"),
        "demo-token",
        Some(json!({"comment": "x"})),
    )
    .await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (400, Some("PLAT400")),
        "a rejected permission cannot be deleted"
    );
    let mut bad_type = asked.clone();
    bad_type["permissionList"][0]["type"] = json!("09");
    let (status, body) = send(
        reqwest::Method::POST,
        "/providers/permissions",
        "other-org-token",
        Some(bad_type),
    )
    .await;
    assert_eq!(
        (status, body["id"].as_str()),
        (400, Some("PLAT410")),
        "{body}"
    );
    let (status, body) = send(
        reqwest::Method::GET,
        "/providers/permission/requests",
        "other-org-token",
        None,
    )
    .await;
    assert_eq!((status, body.as_array().map(Vec::len)), (200, Some(1)));
}
