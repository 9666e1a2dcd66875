//! Keycloak's own text (`error`, `error_description`, an unexpected body) goes through the
//! runtime's one path for server text: a token or code the request sent, echoed back, and escape
//! sequences never reach the error's Display or Debug.

use iryo_plat::Secret;
use iryo_plat::auth::{AuthError, KeycloakConfig, Pkce};

const REFRESH: &str = "refresh-Tok-8QmZ41";
const ESC: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";

async fn keycloak_answering(status: u16, body: String) -> iryo_plat::auth::Keycloak {
    let url = iryo_testkit::probe::canned(status, "application/json", body).await;
    KeycloakConfig::new(url, "1310000001", "http://127.0.0.1/cb")
        .build()
        .unwrap()
}

fn assert_clean(error: &AuthError, secrets: &[&str]) {
    for shown in [error.to_string(), format!("{error:?}")] {
        for secret in secrets {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
    }
}

#[tokio::test]
async fn an_echoed_refresh_token_and_escape_sequences_are_blanked() {
    let description = format!("Token {REFRESH} is not active{ESC}");
    let body = serde_json::json!({
        "error": format!("odd_{REFRESH}{ESC}"),
        "error_description": description,
    })
    .to_string();
    let keycloak = keycloak_answering(400, body).await;
    let error = keycloak
        .refresh(&Secret::new(REFRESH.to_owned()))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::OAuth { .. }), "{error:?}");
    assert!(error.to_string().contains("is not active"), "{error}");
    assert_clean(&error, &[REFRESH]);

    let keycloak = keycloak_answering(502, format!("<html>{REFRESH}{ESC}</html>")).await;
    let error = keycloak
        .refresh(&Secret::new(REFRESH.to_owned()))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::Http { .. }), "{error:?}");
    assert_clean(&error, &[REFRESH]);
}

#[tokio::test]
async fn an_echoed_code_and_verifier_are_blanked() {
    let pkce = Pkce::new().unwrap();
    let verifier = pkce.verifier().expose_secret().to_owned();
    let body = serde_json::json!({
        "error": "invalid_grant",
        "error_description": format!("code the-Code-5521 with verifier {verifier} refused{ESC}"),
    })
    .to_string();
    let keycloak = keycloak_answering(400, body).await;
    let error = keycloak
        .exchange_code("the-Code-5521", &pkce)
        .await
        .unwrap_err();
    assert_clean(&error, &["the-Code-5521", &verifier]);
}
