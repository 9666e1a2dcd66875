use std::fmt;

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

    /// The identity for reqwest's rustls backend.
    pub fn to_reqwest(&self) -> Result<reqwest::Identity, IdentityError> {
        reqwest::Identity::from_pem(&self.pem).map_err(|_| IdentityError::InvalidPem)
    }
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientIdentity([REDACTED])")
    }
}

/// A client certificate that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The PEM data holds no usable certificate and private key.
    #[error("the PEM data does not hold a certificate and its private key")]
    InvalidPem,
}
