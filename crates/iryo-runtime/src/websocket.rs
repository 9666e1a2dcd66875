//! What a WebSocket client shares with the HTTP clients: TLS with the same backend, client
//! identity and trust roots (the plain-http rule is [`Transport::route`](crate::Transport::route)).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls_platform_verifier::BuilderVerifierExt as _;

use crate::{ClientIdentity, IdentityError};

/// A TLS client configuration with the platform's trust roots and, when given, the client
/// certificate (ORCA's cloud service selects the tenant by it). The error never shows key material.
pub fn rustls_client_config(
    identity: Option<&ClientIdentity>,
) -> Result<Arc<rustls::ClientConfig>, IdentityError> {
    let builder = rustls::ClientConfig::builder_with_provider(crate::tls::provider())
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
