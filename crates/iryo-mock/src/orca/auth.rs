//! HTTP Basic authentication as ORCA's glserver does it (panda `glserver/http.c`, `ParseReqAuth`):
//! no header or a non-`Basic` scheme is 401, credentials that do not decode or whose user part fails
//! `^[\w-]+:` are 403, and a well-formed but unknown user/password pair is 401.

use axum::http::{HeaderMap, header::AUTHORIZATION};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard alphabet; padding may be present or not, as lenient servers accept both.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// An ORCA operator the mock lets in.
#[derive(Clone)]
pub(crate) struct Account {
    pub(crate) user: String,
    password: String,
}

impl Account {
    pub(crate) fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Account {
            user: user.into(),
            password: password.into(),
        }
    }

    pub(crate) fn password(&self) -> &str {
        &self.password
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Why a request was refused; the handler turns it into an empty 401 or 403.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 401, with `WWW-Authenticate: Basic realm="glserver"`.
    Unauthorized,
    /// 403: the credentials are malformed.
    Forbidden,
}

/// The user and password of a well-formed `Authorization: Basic` header.
fn basic(headers: &HeaderMap) -> Result<(Vec<u8>, Vec<u8>), Refusal> {
    let header = headers.get(AUTHORIZATION).ok_or(Refusal::Unauthorized)?;
    let encoded = header
        .as_bytes()
        .strip_prefix(b"Basic ")
        .ok_or(Refusal::Unauthorized)?;
    let mut decoded = BASE64
        .decode(encoded.trim_ascii())
        .map_err(|_| Refusal::Forbidden)?;
    let colon = decoded
        .iter()
        .position(|&b| b == b':')
        .ok_or(Refusal::Forbidden)?;
    let password = decoded.split_off(colon + 1);
    decoded.truncate(colon);
    let user = decoded;
    if user.is_empty()
        || !user
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(Refusal::Forbidden);
    }
    Ok((user, password))
}

fn known(accounts: &[Account], user: &[u8], password: &[u8]) -> bool {
    accounts
        .iter()
        .any(|a| a.user.as_bytes() == user && a.password.as_bytes() == password)
}

/// Whether the header names one of `accounts` (nothing logged: used to pick a tenant).
pub(crate) fn names(headers: &HeaderMap, accounts: &[Account]) -> bool {
    basic(headers).is_ok_and(|(user, password)| known(accounts, &user, &password))
}

/// Checks the `Authorization` header against `accounts`. Never logs the header or a password.
pub(crate) fn check(headers: &HeaderMap, accounts: &[Account]) -> Result<(), Refusal> {
    let (user, password) = basic(headers)?;
    if known(accounts, &user, &password) {
        Ok(())
    } else {
        tracing::info!(user = %String::from_utf8_lossy(&user), "Authorization Error");
        Err(Refusal::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn outcome(header: Option<&str>) -> Result<(), Refusal> {
        let mut headers = HeaderMap::new();
        if let Some(value) = header {
            headers.insert(
                AUTHORIZATION,
                HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
            );
        }
        check(&headers, &[Account::new("ormaster", "ormaster")])
    }

    fn basic(credentials: &str) -> String {
        format!("Basic {}", BASE64.encode(credentials))
    }

    #[test]
    fn outcomes_follow_glserver() {
        assert_eq!(outcome(None), Err(Refusal::Unauthorized));
        assert_eq!(outcome(Some("Bearer x")), Err(Refusal::Unauthorized));
        assert_eq!(outcome(Some("Basic !!!")), Err(Refusal::Forbidden));
        assert_eq!(outcome(Some("Basic ")), Err(Refusal::Forbidden));
        assert_eq!(outcome(Some(&basic(":pw"))), Err(Refusal::Forbidden));
        assert_eq!(
            outcome(Some(&basic("orm aster:ormaster"))),
            Err(Refusal::Forbidden)
        );
        assert_eq!(outcome(Some(&basic("ormaster"))), Err(Refusal::Forbidden));
        assert_eq!(
            outcome(Some(&basic("ormaster:wrong"))),
            Err(Refusal::Unauthorized)
        );
        assert_eq!(
            outcome(Some(&basic("nobody:ormaster"))),
            Err(Refusal::Unauthorized)
        );
        assert_eq!(outcome(Some(&basic("ormaster:ormaster"))), Ok(()));
        let unpadded = format!(
            "Basic {}",
            BASE64.encode("ormaster:ormaster").trim_end_matches('=')
        );
        assert_eq!(outcome(Some(&unpadded)), Ok(()));
    }

    #[test]
    fn debug_hides_the_password() {
        let shown = format!("{:?}", Account::new("ormaster", "s3cret-pw"));
        assert!(shown.contains("ormaster"));
        assert!(!shown.contains("s3cret-pw"));
    }
}
