//! Keycloak tokens around the API calls: typed errors, refresh before expiry, rotation.

use crate::*;

#[tokio::test]
async fn token_errors_are_typed() {
    let mock = PlatMock::builder()
        .fixtures(false)
        .keycloak_prefix("/auth")
        .spawn()
        .await
        .unwrap();
    assert!(mock.keycloak_url().ends_with("/auth"));
    let keycloak = keycloak(&mock, "1310000001");
    let pkce = Pkce::new().unwrap();
    let code = authorise(&keycloak, &pkce).await;
    let wrong = keycloak
        .exchange_code(&code, &Pkce::from_verifier("not-the-verifier"))
        .await;
    assert!(
        matches!(
            wrong,
            Err(AuthError::OAuth {
                code: OAuthErrorCode::InvalidGrant,
                status: 400,
                ..
            })
        ),
        "{wrong:?}"
    );
    let used = keycloak.exchange_code(&code, &pkce).await;
    assert!(
        matches!(
            used,
            Err(AuthError::OAuth {
                code: OAuthErrorCode::InvalidGrant,
                ..
            })
        ),
        "a code is used once"
    );

    let code = authorise(&keycloak, &pkce).await;
    let tokens = keycloak.exchange_code(&code, &pkce).await.unwrap();
    let cache = TokenCache::new(keycloak.clone(), tokens);
    let client = Config::with_token_provider(mock.app_url(), cache.clone())
        .build()
        .unwrap();
    client
        .permission_approvals(Side::Providers, None, None)
        .await
        .unwrap();
    mock.expire_access_tokens();
    mock.revoke_refresh_tokens();
    let refused = client
        .permission_approvals(Side::Providers, None, None)
        .await;
    assert!(
        matches!(&refused, Err(Error::Token(message)) if message.contains("invalid_grant")),
        "{refused:?}"
    );

    let stranger = KeycloakConfig::new(mock.keycloak_url(), "1310000001", CALLBACK)
        .client_id("nobody")
        .build()
        .unwrap();
    let refresh = stranger.refresh(&"x".into()).await;
    assert!(matches!(
        refresh,
        Err(AuthError::OAuth {
            code: OAuthErrorCode::InvalidClient,
            status: 401,
            ..
        })
    ));
    let fixed = Client::new(mock.app_url(), "not-a-token").unwrap();
    assert!(matches!(
        fixed
            .permission_approvals(Side::Providers, None, None)
            .await,
        Err(Error::Unauthorized)
    ));
}

#[tokio::test]
async fn tokens_close_to_expiry_are_refreshed_before_the_call() {
    // 10 s of life is inside the cache's 30 s margin: every call refreshes first, so no call meets a 401.
    let lifetime = std::time::Duration::from_secs(10);
    let mock = PlatMock::builder()
        .fixtures(false)
        .access_token_lifetime(lifetime)
        .spawn()
        .await
        .unwrap();
    let (client, cache) = login(&mock, "1310000001").await;
    for _ in 0..3 {
        mock.expire_access_tokens();
        let before = mock.request_count();
        client
            .permission_approvals(Side::Providers, None, None)
            .await
            .unwrap();
        assert_eq!(
            mock.request_count() - before,
            1,
            "refreshed before sending, not after a 401"
        );
    }
    assert!(cache.refresh_token().is_some());
}

#[tokio::test]
async fn a_rotated_refresh_token_reaches_the_hook_before_the_api_and_a_failed_save_stops_the_call()
{
    let mock = PlatMock::builder()
        .fixtures(false)
        .rotate_refresh_tokens(true)
        .spawn()
        .await
        .unwrap();
    let (_, cache) = login(&mock, "1310000001").await;
    let first = cache.refresh_token().unwrap();
    let saved = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let keep = std::sync::Arc::clone(&saved);
    let hooked = TokenCache::from_refresh_token(keycloak(&mock, "1310000001"), first.clone())
        .on_rotation(move |token| {
            keep.lock().unwrap().push(token.expose_secret().to_owned());
            Ok(())
        });
    let client = Config::with_token_provider(mock.app_url(), hooked.clone())
        .build()
        .unwrap();
    mock.fail_next("PLAT400", None, None).unwrap();
    let err = client
        .permission_approvals(Side::Providers, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&PlatErrorCode::OptimisticLockViolation));
    let rotated = saved.lock().unwrap().clone();
    assert_eq!(rotated.len(), 1, "one refresh, one rotated token");
    assert_ne!(rotated[0], first.expose_secret());
    assert_eq!(hooked.refresh_token().unwrap().expose_secret(), rotated[0]);
    let spent = keycloak(&mock, "1310000001")
        .refresh(&first)
        .await
        .unwrap_err();
    assert!(
        matches!(&spent, AuthError::OAuth { code, .. } if *code == OAuthErrorCode::InvalidGrant),
        "{spent:?}"
    );

    // A save that fails stops the call before the API is asked.
    let (_, cache) = login(&mock, "1310000001").await;
    let failing = TokenCache::from_refresh_token(
        keycloak(&mock, "1310000001"),
        cache.refresh_token().unwrap(),
    )
    .on_rotation(|_| Err("disk full".to_owned()));
    let client = Config::with_token_provider(mock.app_url(), failing)
        .build()
        .unwrap();
    let before = mock.request_count();
    let err = client
        .permission_approvals(Side::Providers, None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
    assert!(
        err.to_string().contains("could not be saved: disk full"),
        "{err}"
    );
    assert_eq!(mock.request_count(), before, "the API was not called");
}
