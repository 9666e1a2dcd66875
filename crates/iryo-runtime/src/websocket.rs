//! What a WebSocket client shares with the HTTP clients: the plain-http rule for credentials
//! (applied to `ws://`) and TLS with the same client identity and the platform's trust roots.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls_platform_verifier::BuilderVerifierExt as _;

use crate::{ClientIdentity, IdentityError, check_plain_http};

/// [`check_plain_http`] for a `ws://` or `wss://` URL: credentials over plain `ws://` only to
/// loopback, unless allowed. Other schemes are refused.
pub fn check_plain_ws(
    ws_url: &str,
    sends_credentials: bool,
    allow_insecure: bool,
) -> Result<(), String> {
    let as_http = if let Some(rest) = ws_url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else if let Some(rest) = ws_url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else {
        return Err("the socket URL must start with ws:// or wss://".to_owned());
    };
    check_plain_http(&as_http, sends_credentials, allow_insecure)
}

/// A TLS client configuration with the platform's trust roots and, when given, the client
/// certificate (ORCA's cloud service selects the tenant by it). The error never shows key material.
pub fn rustls_client_config(
    identity: Option<&ClientIdentity>,
) -> Result<Arc<rustls::ClientConfig>, IdentityError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| IdentityError::TlsSetup)?
        .with_platform_verifier()
        .map_err(|_| IdentityError::TlsSetup)?;
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some(identity) => {
            let pem = identity.pem_bytes();
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<_, _>>()
                .map_err(|_| IdentityError::InvalidPem)?;
            let key = PrivateKeyDer::from_pem_slice(pem).map_err(|_| IdentityError::InvalidPem)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|_| IdentityError::InvalidPem)?
        }
    };
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_urls_follow_the_plain_http_rule() {
        assert!(check_plain_ws("ws://127.0.0.1:9400/ws", true, false).is_ok());
        assert!(check_plain_ws("ws://192.168.1.5:9400/ws", false, false).is_ok());
        let err = check_plain_ws("ws://192.168.1.5:9400/ws", true, false).unwrap_err();
        assert!(err.contains("allow_insecure_http"), "{err}");
        assert!(check_plain_ws("ws://192.168.1.5:9400/ws", true, true).is_ok());
        assert!(check_plain_ws("wss://weborca.cloud.orcamo.jp/ws", true, false).is_ok());
        assert!(check_plain_ws("http://h/ws", false, false).is_err());
    }

    #[test]
    fn a_client_config_builds_with_and_without_identity() {
        assert!(rustls_client_config(None).is_ok());
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/client.pem"
        ))
        .expect("fixture");
        let identity = ClientIdentity::from_pem(pem).expect("identity");
        assert!(rustls_client_config(Some(&identity)).is_ok());
    }
}
