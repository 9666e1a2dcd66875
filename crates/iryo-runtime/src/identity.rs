use std::fmt;

use base64::Engine as _;

/// A TLS client certificate with its private key, for servers that authenticate clients by
/// certificate (ORCA's cloud service). The key material is never shown in `Debug`.
#[derive(Clone)]
pub struct ClientIdentity {
    pem: Vec<u8>,
}

impl ClientIdentity {
    /// A PEM bundle holding the certificate (chain) and its PKCS#8, PKCS#1 or SEC1 private key.
    pub fn from_pem(pem: impl Into<Vec<u8>>) -> Result<Self, IdentityError> {
        let pem = pem.into();
        reqwest::Identity::from_pem(&pem).map_err(|_| IdentityError::InvalidPem)?;
        Ok(ClientIdentity { pem })
    }

    /// A PKCS#12 (`.p12`/`.pfx`) archive and its password, as ORCA's cloud service hands them
    /// out. The first private key with its certificate chain is used.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, IdentityError> {
        let store = p12_keystore::KeyStore::from_pkcs12(
            der,
            password,
            p12_keystore::Pkcs12ImportPolicy::Strict,
        )
        .map_err(|_| IdentityError::InvalidPkcs12)?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or(IdentityError::NoKeyInPkcs12)?;
        let mut pem = String::new();
        for cert in chain.certs() {
            push_pem(&mut pem, "CERTIFICATE", cert.as_der());
        }
        push_pem(&mut pem, "PRIVATE KEY", chain.key().as_der());
        ClientIdentity::from_pem(pem.into_bytes())
    }

    /// The PEM bundle, for TLS stacks other than reqwest's (never shown, never logged).
    pub(crate) fn pem_bytes(&self) -> &[u8] {
        &self.pem
    }

    /// The identity for reqwest's rustls backend.
    #[doc(hidden)] // plumbing: the runtime and the client crates call it
    pub fn to_reqwest(&self) -> Result<reqwest::Identity, IdentityError> {
        reqwest::Identity::from_pem(&self.pem).map_err(|_| IdentityError::InvalidPem)
    }
}

fn push_pem(out: &mut String, label: &str, der: &[u8]) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    out.push_str(&format!("-----BEGIN {label}-----\n"));
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientIdentity([REDACTED])")
    }
}

/// A client certificate that cannot be used. The message never contains key material or the
/// password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The PEM data holds no usable certificate and private key.
    #[error("the PEM data does not hold a certificate and its private key")]
    InvalidPem,
    /// Not a PKCS#12 archive, or the password is wrong.
    #[error("the PKCS#12 data cannot be read (not PKCS#12, or a wrong password)")]
    InvalidPkcs12,
    /// The archive holds no private key with a certificate.
    #[error("the PKCS#12 archive holds no private key with its certificate")]
    NoKeyInPkcs12,
    /// The TLS stack could not be set up (no usable trust roots on this machine).
    #[error("TLS could not be set up (trust roots or protocol versions)")]
    TlsSetup,
}
