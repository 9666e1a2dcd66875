//! TLS for the PostgreSQL connection: libpq's `sslmode=require` (encrypted, any certificate)
//! or `verify-full` (the platform's roots), on the runtime's rustls provider.

use std::sync::Arc;

use tokio_postgres_rustls::MakeRustlsConnect;

use super::PostgresError;

/// rustls with the runtime's provider. Without `verify`, as libpq's `sslmode=require`: the
/// connection is encrypted and the handshake signed, but the certificate is not checked (a
/// self-signed server certificate, as Debian's default cluster has, is accepted).
pub(super) fn tls(verify: bool) -> Result<MakeRustlsConnect, PostgresError> {
    let mut config = Arc::unwrap_or_clone(
        iryo_runtime::rustls_client_config(None)
            .map_err(|e| PostgresError::Database(e.to_string()))?,
    );
    if !verify {
        let provider = config.crypto_provider().clone();
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(EncryptOnly(provider)));
    }
    Ok(MakeRustlsConnect::new(config))
}

/// libpq's `sslmode=require`: any certificate, valid handshake signatures.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
