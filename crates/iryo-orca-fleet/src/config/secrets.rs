//! Secrets by reference: an environment variable or a file, read once when the file is checked;
//! an error names the variable or the file, never the value.

use std::hash::Hash as _;
use std::path::Path;

use iryo_orca::{ClientIdentity, Credentials};

use super::{CertificateFile, ConfigError, TenantFields, error, one_line, read_small};

fn from_env(name: &str, label: &str, field: &str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) => Err(error(Some(label), field, format!("${name} is empty"))),
        Err(_) => Err(error(
            Some(label),
            field,
            format!("${name} is not set (or not UTF-8)"),
        )),
    }
}

fn from_file(path: &str, label: &str, field: &str) -> Result<String, ConfigError> {
    let text = read_small(Path::new(path)).map_err(|reason| error(Some(label), field, reason))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(error(Some(label), field, format!("{path} is empty")));
    }
    Ok(text.to_owned())
}

/// A secret named in the file by reference: an environment variable or a file, at most one of
/// them; `fields` are the two keys, for errors.
#[derive(Clone, Copy)]
pub(super) struct SecretRef<'a> {
    env: Option<&'a str>,
    file: Option<&'a str>,
    fields: [&'static str; 2],
}

impl<'a> SecretRef<'a> {
    /// The secret of the keys `fields` (the environment variable's, then the file's).
    pub(super) fn new(
        env: &'a Option<String>,
        file: &'a Option<String>,
        fields: [&'static str; 2],
    ) -> Self {
        let (env, file) = (env.as_deref(), file.as_deref());
        SecretRef { env, file, fields }
    }

    /// The value, read once; `None` when neither key is set.
    pub(super) fn read(self, label: &str) -> Result<Option<String>, ConfigError> {
        let [env_field, file_field] = self.fields;
        match (self.env, self.file) {
            (Some(_), Some(_)) => Err(error(
                Some(label),
                env_field,
                format!("set {env_field} or {file_field}, not both"),
            )),
            (Some(name), None) => from_env(name, label, env_field).map(Some),
            (None, Some(path)) => from_file(path, label, file_field).map(Some),
            (None, None) => Ok(None),
        }
    }

    /// The key that named the secret, for an error about its value.
    pub(super) fn field(self) -> &'static str {
        let [env_field, file_field] = self.fields;
        if self.env.is_some() {
            env_field
        } else {
            file_field
        }
    }
}

impl TenantFields {
    /// The operator's password.
    fn password(&self) -> SecretRef<'_> {
        let fields = ["password_env", "password_file"];
        SecretRef::new(&self.password_env, &self.password_file, fields)
    }
}

pub(super) fn credentials(
    fields: &TenantFields,
    label: &str,
    digest: &mut impl std::hash::Hasher,
) -> Result<Credentials, ConfigError> {
    let user = match (&fields.user, &fields.user_env) {
        (Some(_), Some(_)) => {
            return Err(error(
                Some(label),
                "user_env",
                "set user or user_env, not both",
            ));
        }
        (Some(user), None) => Some(user.clone()),
        (None, Some(name)) => Some(from_env(name, label, "user_env")?),
        (None, None) => None,
    };
    let password = fields.password().read(label)?;
    match (user, password) {
        (Some(user), Some(password)) => {
            if user.is_empty() || user.contains(':') {
                return Err(error(Some(label), "user", "empty or holds ':'"));
            }
            (user.as_str(), password.as_str()).hash(digest);
            Ok(Credentials::basic(user, password))
        }
        (None, None) => Ok(Credentials::None),
        (Some(_), None) => Err(error(
            Some(label),
            "password_env",
            "a user needs password_env or password_file",
        )),
        (None, Some(_)) => Err(error(
            Some(label),
            "user",
            "a password needs user or user_env",
        )),
    }
}

pub(super) fn identity(
    cert: &CertificateFile,
    label: &str,
    digest: &mut impl std::hash::Hasher,
) -> Result<ClientIdentity, ConfigError> {
    let password = cert.password().read(label)?;
    let read = |path: &str, field: &str| {
        std::fs::read(path).map_err(|e| error(Some(label), field, format!("{path}: {e}")))
    };
    match (&cert.pkcs12_file, &cert.pem_file) {
        (Some(path), None) => {
            let der = read(path, "client_cert.pkcs12_file")?;
            let password = password.ok_or_else(|| {
                error(
                    Some(label),
                    "client_cert.password_env",
                    "a PKCS#12 file needs password_env or password_file",
                )
            })?;
            (&der, &password).hash(digest);
            ClientIdentity::from_pkcs12(&der, &password)
                .map_err(|e| error(Some(label), "client_cert.pkcs12_file", one_line(&e)))
        }
        (None, Some(path)) => {
            let pem = read(path, "client_cert.pem_file")?;
            pem.hash(digest);
            ClientIdentity::from_pem(pem)
                .map_err(|e| error(Some(label), "client_cert.pem_file", one_line(&e)))
        }
        _ => Err(error(
            Some(label),
            "client_cert",
            "set exactly one of pkcs12_file and pem_file",
        )),
    }
}

impl CertificateFile {
    /// The PKCS#12 file's password.
    fn password(&self) -> SecretRef<'_> {
        let fields = ["client_cert.password_env", "client_cert.password_file"];
        SecretRef::new(&self.password_env, &self.password_file, fields)
    }
}
