//! The PLAT mock's builder: tokens, application path, date style, fixtures, Keycloak's settings.

use super::*;

/// `""` (serve at the root) or `/seg/seg` with segments of ASCII letters, digits, `-`, `.`, `_`, `~`; a trailing
/// slash is dropped and a missing leading one added.
fn normalize_app_path(path: &str) -> Option<String> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return Some(String::new());
    }
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    trimmed
        .split('/')
        .all(segment_ok)
        .then(|| format!("/{trimmed}"))
}

/// Configures a [`PlatMock`]; start from [`PlatMock::builder`]. The defaults: fixtures loaded, tokens `demo-token`
/// and `other-org-token`, application path `/cloudEHR`, Java 9 dates, listening on `127.0.0.1` at a free port.
#[derive(Debug)]
pub struct PlatMockBuilder {
    tokens: Tokens,
    app_path: String,
    date_style: DateStyle,
    fixtures: bool,
    bind: SocketAddr,
    keycloak_prefix: String,
    access_lifetime: Duration,
    rotate_refresh_tokens: bool,
}

impl Default for PlatMockBuilder {
    fn default() -> Self {
        PlatMockBuilder {
            tokens: Tokens::default(),
            app_path: DEFAULT_APP_PATH.to_owned(),
            date_style: DateStyle::default(),
            fixtures: true,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            keycloak_prefix: String::new(),
            access_lifetime: Duration::from_secs(300),
            rotate_refresh_tokens: false,
        }
    }
}

builder_methods!(PlatMockBuilder, fixtures);

setters!(PlatMockBuilder {
    /// The `{applicationPath}` the API routes live under. Default [`DEFAULT_APP_PATH`] (`/cloudEHR`); `""` or
    /// `/` serves them at the root. [`PlatMockBuilder::spawn`] refuses a path with characters other than ASCII
    /// letters, digits, `-`, `.`, `_`, `~` and `/`.
    app_path(path: impl Into<String>) => app_path = path.into();
    /// How dates are written. Default [`DateStyle::Java9`], as in the document's samples.
    date_style(style: DateStyle) => date_style = style;
    /// The path the Keycloak routes live under: `""` (default, `/realms/...` as on main) or `/auth` (Keycloak before
    /// 17, as in the Postman collection). Same character rules as [`PlatMockBuilder::app_path`].
    keycloak_prefix(prefix: impl Into<String>) => keycloak_prefix = prefix.into();
    /// How long access tokens from the Keycloak routes live (default 300 s; answered as `expires_in`).
    access_token_lifetime(lifetime: Duration) => access_lifetime = lifetime;
    /// Whether a refresh token works only once, as with Keycloak's "Revoke Refresh Token" (default `false`): each
    /// refresh answers a new refresh token and the one used answers `invalid_grant` from then on.
    rotate_refresh_tokens(rotate: bool) => rotate_refresh_tokens = rotate;
});

impl PlatMockBuilder {
    /// Accepts `Authorization: Bearer <token>` as `actor`. Without any call, the tokens are [`DEMO_TOKEN`]
    /// ([`Actor::demo`]) and [`OTHER_ORG_TOKEN`] ([`Actor::other_organization`]); the first call replaces both,
    /// further calls add tokens, and a repeated token takes the last actor.
    pub fn token(mut self, token: impl Into<String>, actor: Actor) -> Self {
        self.tokens.insert(token.into(), actor);
        self
    }

    /// Starts the server on the current tokio runtime. Fails if the application path is not acceptable or the
    /// address cannot be bound.
    pub async fn spawn(self) -> io::Result<PlatMock> {
        let app_path = normalize_app_path(&self.app_path).ok_or_else(|| {
            let reason = format!("unusable application path {:?}", self.app_path);
            io::Error::new(io::ErrorKind::InvalidInput, reason)
        })?;
        let keycloak_prefix = normalize_app_path(&self.keycloak_prefix).ok_or_else(|| {
            let reason = format!("unusable Keycloak prefix {:?}", self.keycloak_prefix);
            io::Error::new(io::ErrorKind::InvalidInput, reason)
        })?;
        let tokens = if self.tokens.is_empty() {
            Tokens::defaults()
        } else {
            self.tokens
        };
        let inner = Inner {
            store: fixtures::starting_store(self.fixtures)?,
            date_style: self.date_style,
        };
        let mut keycloak = Keycloak::new(self.access_lifetime);
        keycloak.rotate_refresh_tokens = self.rotate_refresh_tokens;
        let switch = StopSwitch::new();
        let shared = Arc::new(Shared {
            tokens,
            harness: Harness::new(switch.stopping()),
            inner: Mutex::new(inner),
            keycloak: Mutex::new(keycloak),
        });
        let router = router(shared.clone(), &app_path, &keycloak_prefix);
        let server = MockServer::spawn(router, self.bind, switch).await?;
        tracing::info!(addr = %server.addr(), app_path, "PLAT mock listening");
        Ok(PlatMock {
            shared,
            server,
            app_path,
            keycloak_prefix,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_paths_are_normalized_or_refused() {
        let normalized = |p: &str| normalize_app_path(p);
        assert_eq!(normalized("/cloudEHR"), Some("/cloudEHR".to_owned()));
        assert_eq!(normalized("cloudEHR/"), Some("/cloudEHR".to_owned()));
        assert_eq!(normalized("/a/b-c.d_e~f"), Some("/a/b-c.d_e~f".to_owned()));
        assert_eq!(normalized("/"), Some(String::new()));
        assert_eq!(normalized(""), Some(String::new()));
        assert_eq!(normalized("/a//b"), None);
        assert_eq!(normalized("/{id}"), None);
        assert_eq!(normalized("/a b"), None);
        assert_eq!(normalized("/*rest"), None);
    }
}
