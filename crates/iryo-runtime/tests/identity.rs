//! Client certificates from PEM and PKCS#12 (fixtures: a throw-away self-signed certificate).

use iryo_runtime::{ClientIdentity, IdentityError};

const PEM: &[u8] = include_bytes!("fixtures/client.pem");
const P12: &[u8] = include_bytes!("fixtures/client.p12");

#[test]
fn pem_and_pkcs12_give_a_usable_identity() {
    for identity in [
        ClientIdentity::from_pem(PEM).unwrap(),
        ClientIdentity::from_pkcs12(P12, "test-password").unwrap(),
    ] {
        let client = reqwest::Client::builder()
            .identity(identity.to_reqwest().unwrap())
            .build();
        assert!(client.is_ok());
        assert_eq!(format!("{identity:?}"), "ClientIdentity([REDACTED])");
    }
}

#[test]
fn bad_identities_are_refused_without_leaking_anything() {
    let err = ClientIdentity::from_pkcs12(P12, "wrong-password").unwrap_err();
    assert_eq!(err, IdentityError::InvalidPkcs12);
    assert!(!err.to_string().contains("wrong-password"));
    assert_eq!(
        ClientIdentity::from_pkcs12(b"not pkcs12", "x").unwrap_err(),
        IdentityError::InvalidPkcs12
    );
    assert_eq!(
        ClientIdentity::from_pem(b"-----BEGIN NOTHING-----".to_vec()).unwrap_err(),
        IdentityError::InvalidPem
    );
    let cert_only: Vec<u8> = String::from_utf8_lossy(PEM)
        .split("-----BEGIN PRIVATE KEY-----")
        .next()
        .unwrap()
        .as_bytes()
        .to_vec();
    assert_eq!(
        ClientIdentity::from_pem(cert_only).unwrap_err(),
        IdentityError::InvalidPem
    );
}
