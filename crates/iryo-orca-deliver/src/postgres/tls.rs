//! TLS for the PostgreSQL connection: libpq's `sslmode=require` (encrypted, any certificate)
//! or `verify-full` (the platform's roots, or those of `sslrootcert`), on the runtime's rustls
//! provider.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

use tokio_postgres_rustls::MakeRustlsConnect;

use super::PostgresError;

/// rustls with the runtime's provider. Without `verify`, as libpq's `sslmode=require`: the
/// connection is encrypted and the handshake signed, but the certificate is not checked (a
/// self-signed server certificate, as Debian's default cluster has, is accepted).
/// With `roots` (the `sslrootcert` file), the certificate is checked against them alone, name
/// included, whatever the sslmode.
pub(super) fn tls(verify: bool, roots: Option<&str>) -> Result<MakeRustlsConnect, PostgresError> {
    let mut config = Arc::unwrap_or_clone(
        iryo_runtime::__private::rustls_client_config(None)
            .map_err(|e| PostgresError::Database(e.to_string()))?,
    );
    if let Some(path) = roots {
        return Ok(MakeRustlsConnect::new(with_roots(&config, path)?));
    }
    if !verify {
        let provider = config.crypto_provider().clone();
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(EncryptOnly(provider)));
    }
    Ok(MakeRustlsConnect::new(config))
}

/// A client configuration trusting only the certificates of the PEM file at `path`.
fn with_roots(
    platform: &rustls::ClientConfig,
    path: &str,
) -> Result<rustls::ClientConfig, PostgresError> {
    let refused = |reason: String| PostgresError::RootCert {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| refused(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| refused(format!("not PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| refused(format!("not a certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(refused("holds no certificate".to_owned()));
    }
    rustls::ClientConfig::builder_with_provider(platform.crypto_provider().clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| refused(e.to_string()))
        .map(|builder| builder.with_root_certificates(roots).with_no_client_auth())
}

/// Takes the `sslrootcert` parameter (which the driver does not know) out of a URL's query:
/// the URL without it, and its value.
pub(super) fn take_root_cert(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut root = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("sslrootcert=") {
            Some(value) => {
                root = Some(value.to_owned());
                false
            }
            None => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root)
}

/// The handshake-signature checks of [`EncryptOnly`], one per TLS version, each rustls's own
/// function of the same name with the provider's algorithms.
macro_rules! signature_checks {
    ($($check:ident),+) => {$(
        fn $check(
            &self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            let algorithms = &self.0.signature_verification_algorithms;
            rustls::crypto::$check(message, cert, dss, algorithms)
        }
    )+};
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

    signature_checks!(verify_tls12_signature, verify_tls13_signature);

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_of_the_url_wherever_it_stands() {
        let cases = [
            ("postgres://u@h/db", "postgres://u@h/db", None),
            (
                "postgres://u@h/db?sslrootcert=/etc/ca.pem",
                "postgres://u@h/db",
                Some("/etc/ca.pem"),
            ),
            (
                "postgres://u@h/db?sslmode=verify-full&sslrootcert=ca.pem&application_name=x",
                "postgres://u@h/db?sslmode=verify-full&application_name=x",
                Some("ca.pem"),
            ),
            (
                "postgres://u@h/db?sslmode=require",
                "postgres://u@h/db?sslmode=require",
                None,
            ),
        ];
        for (url, rest, root) in cases {
            let (kept, taken) = take_root_cert(url);
            assert_eq!((kept.as_str(), taken.as_deref()), (rest, root), "{url}");
        }
    }

    #[test]
    fn a_root_file_that_is_missing_or_holds_no_certificate_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        for path in [dir.path().join("missing.pem"), empty] {
            let path = path.to_str().unwrap();
            let Err(error) = tls(true, Some(path)) else {
                panic!("{path} accepted");
            };
            assert!(matches!(error, PostgresError::RootCert { .. }), "{error:?}");
            assert!(error.to_string().contains(path), "{error}");
        }
    }
}
