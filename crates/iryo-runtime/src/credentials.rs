use std::fmt;

use base64::Engine as _;
use reqwest::header::HeaderValue;

use crate::Secret;

/// How a client authenticates. `Debug` never shows a password or token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// HTTP Basic: an ORCA operator ID and password.
    Basic {
        /// The user (operator) ID; not secret, shown in `Debug`.
        user: String,
        /// The password.
        password: Secret,
    },
    /// A Bearer token.
    Bearer(Secret),
    /// No `Authorization` header at all.
    None,
}

impl Credentials {
    /// HTTP Basic credentials.
    pub fn basic(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials::Basic {
            user: user.into(),
            password: password.into(),
        }
    }

    /// A Bearer token.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Credentials::Bearer(token.into())
    }

    /// The `Authorization` header value, marked sensitive so that HTTP logs redact it.
    /// `Ok(None)` for [`Credentials::None`]; an error when the value cannot be a header
    /// (a control character in it). The error never contains the secret.
    #[doc(hidden)] // plumbing: the runtime and the client crates call it
    pub fn authorization_header(&self) -> Result<Option<HeaderValue>, InvalidCredentials> {
        let text = match self {
            Credentials::Basic { user, password } => {
                let pair = format!("{user}:{}", password.expose_secret());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                format!("Basic {encoded}")
            }
            Credentials::Bearer(token) => format!("Bearer {}", token.expose_secret()),
            Credentials::None => return Ok(None),
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| InvalidCredentials)?;
        value.set_sensitive(true);
        Ok(Some(value))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { user, password } => f
                .debug_struct("Basic")
                .field("user", user)
                .field("password", password)
                .finish(),
            Credentials::Bearer(token) => f.debug_tuple("Bearer").field(token).finish(),
            Credentials::None => f.write_str("None"),
        }
    }
}

/// Credentials that cannot be sent as an HTTP header (a control character in the user, password
/// or token). Says nothing about the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the credentials contain a character that cannot be sent in an HTTP header")]
pub struct InvalidCredentials;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_is_rfc7617_and_sensitive() {
        let creds = Credentials::basic("ormaster", "ormaster");
        let value = creds.authorization_header().unwrap().unwrap();
        assert_eq!(value.to_str().unwrap(), "Basic b3JtYXN0ZXI6b3JtYXN0ZXI=");
        assert!(value.is_sensitive());
    }

    #[test]
    fn bearer_header() {
        let value = Credentials::bearer("tok-123")
            .authorization_header()
            .unwrap()
            .unwrap();
        assert_eq!(value.to_str().unwrap(), "Bearer tok-123");
        assert!(value.is_sensitive());
    }

    #[test]
    fn debug_shows_user_but_no_secret() {
        let shown = format!(
            "{:?} {:?}",
            Credentials::basic("ormaster", "s3cret-pw"),
            Credentials::bearer("tok-abcdef")
        );
        assert!(shown.contains("ormaster"));
        assert!(
            !shown.contains("s3cret-pw") && !shown.contains("tok-abcdef"),
            "{shown}"
        );
    }

    #[test]
    fn control_characters_are_refused_without_echo() {
        let err = Credentials::bearer("bad\ntoken")
            .authorization_header()
            .unwrap_err();
        assert!(!err.to_string().contains("bad"));
    }
}
