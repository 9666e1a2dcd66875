//! The login kept between commands: where Keycloak is and the refresh (offline) token, in a JSON file that only
//! its owner can read (mode 0600, written to a temporary file in the same folder and renamed over the old one).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use iryo_plat::auth::{AuthError, KeycloakConfig, TokenCache};
use iryo_plat::{Client, Config, Secret};
use serde::{Deserialize, Serialize};

use crate::error::{CliError, one_line};
use crate::insecure::InsecureHttpArg;
use crate::output::Stop;

/// Where the login is kept: `--token-file`, else `$IRYO_PLAT_TOKEN_FILE`, else
/// `$XDG_CONFIG_HOME/iryo/plat-token.json` (`~/.config/iryo/plat-token.json`).
#[derive(Args, Clone)]
pub struct TokenFileArg {
    /// The file that keeps the refresh token (created with mode 0600).
    #[arg(long, value_name = "PATH", global = true)]
    token_file: Option<PathBuf>,
}

impl TokenFileArg {
    pub fn path(&self) -> Result<PathBuf, CliError> {
        if let Some(path) = &self.token_file {
            return Ok(path.clone());
        }
        if let Some(path) = crate::env::IRYO_PLAT_TOKEN_FILE.path() {
            return Ok(PathBuf::from(path));
        }
        let config = crate::env::XDG_CONFIG_HOME
            .path()
            .map(PathBuf::from)
            .or_else(|| {
                crate::env::HOME
                    .path()
                    .map(|home| Path::new(&home).join(".config"))
            })
            .ok_or_else(|| {
                CliError::Input("no --token-file, IRYO_PLAT_TOKEN_FILE or HOME".into())
            })?;
        Ok(config.join("iryo").join("plat-token.json"))
    }
}

/// The file's content. The refresh token is the only secret; `Debug` is not derived.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub keycloak_url: String,
    #[serde(default)]
    pub prefix: String,
    pub realm: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub refresh_token: String,
}

impl Session {
    pub fn keycloak_config(&self) -> KeycloakConfig {
        KeycloakConfig::new(&self.keycloak_url, &self.realm, &self.redirect_uri)
            .prefix(&self.prefix)
            .client_id(&self.client_id)
    }

    pub fn read(path: &Path) -> Result<Session, CliError> {
        refuse_if_shared(path)?;
        let text = fs::read_to_string(path).map_err(|e| {
            CliError::Input(format!(
                "cannot read {} ({e}): run `iryo plat login` first",
                path.display()
            ))
        })?;
        serde_json::from_str(&text)
            .map_err(|e| CliError::Input(format!("{} is not a login file: {e}", path.display())))
    }

    /// Writes the file with mode 0600 (the folder is created if needed, mode 0700).
    pub fn write(&self, path: &Path) -> Result<(), CliError> {
        let fail = |e: std::io::Error| {
            CliError::Transport(format!("cannot write {}: {e}", path.display()))
        };
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(folder).map_err(fail)?;
        let temporary = folder.join(format!(".{}.tmp", std::process::id()));
        let text =
            serde_json::to_string_pretty(self).map_err(|e| CliError::Transport(e.to_string()))?;
        let mut file = private_file(&temporary).map_err(fail)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(fail)?;
        fs::rename(&temporary, path).map_err(fail)
    }
}

/// A login file that group or others may read or write is refused, as ssh refuses such a
/// private key: its refresh token may have been read, or replaced by someone else's.
#[cfg(unix)]
fn refuse_if_shared(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(metadata) = fs::metadata(path) else {
        return Ok(()); // missing: the read names it
    };
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    Err(CliError::Input(format!(
        "{} is accessible by other users (mode {mode:03o}): its refresh token may have been read; \
         run `chmod 600 {}` and log in again (`iryo plat login`)",
        path.display(),
        path.display()
    )))
}

#[cfg(not(unix))]
fn refuse_if_shared(_path: &Path) -> Result<(), CliError> {
    Ok(())
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    fs::create_dir_all(path)
}

/// A client for one command: `PLAT_TOKEN` when it is set (a fixed access token), else the saved login, whose
/// tokens refresh themselves. A refresh token that Keycloak rotates is written to the file as soon as it arrives,
/// before the API is called: the old one is spent by then, whatever the API answers or fails afterwards.
pub struct Connection {
    pub client: Client,
}

impl Connection {
    pub fn open(
        base_url: &str,
        file: &TokenFileArg,
        insecure: &InsecureHttpArg,
    ) -> Result<Connection, Stop> {
        let plain_http = insecure.allows(base_url);
        if let Some(token) = crate::env::PLAT_TOKEN.raw().filter(|t| !t.is_empty()) {
            let client = Config::new(base_url, token)
                .allow_insecure_http(plain_http)
                .build()?;
            return Ok(Connection { client });
        }
        let path = file.path()?;
        let session = Session::read(&path)?;
        let keycloak = session
            .keycloak_config()
            .allow_insecure_http(insecure.allows(&session.keycloak_url))
            .build()
            .map_err(auth_error)?;
        let refresh = Secret::new(session.refresh_token.clone());
        let cache = TokenCache::from_refresh_token(keycloak, refresh).on_rotation(move |token| {
            let mut rotated = session.clone();
            rotated.refresh_token = token.expose_secret().to_owned();
            rotated.write(&path).map_err(|e| e.to_string())
        });
        let client = Config::with_token_provider(base_url, cache)
            .allow_insecure_http(plain_http)
            .build()?;
        Ok(Connection { client })
    }
}

/// Keycloak's refusals are the API's own errors (exit 1); the rest is transport or input.
pub fn auth_error(error: AuthError) -> CliError {
    let message = one_line(&error);
    match error {
        AuthError::InsecureHttp(refused) => crate::insecure::refused(&refused),
        AuthError::OAuth { .. } => CliError::Api(message),
        AuthError::Config(_) | AuthError::NoRefreshToken => CliError::Input(message),
        _ => CliError::Transport(message),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_file_is_private_and_reads_back() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("sub").join("plat-token.json");
        let session = Session {
            keycloak_url: "http://127.0.0.1:1".into(),
            prefix: "/auth".into(),
            realm: "1310000001".into(),
            client_id: "plat-public".into(),
            redirect_uri: "http://127.0.0.1:8400/callback".into(),
            refresh_token: "r1".into(),
        };
        session.write(&path).unwrap();
        session.write(&path).unwrap(); // replacing keeps the mode
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(Session::read(&path).unwrap().refresh_token, "r1");
    }

    #[test]
    fn a_login_file_others_may_read_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("plat-token.json");
        fs::write(&path, r#"{"refresh_token":"r-secret-1"}"#).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let Err(refused) = Session::read(&path) else {
            panic!("a 0644 login file was used");
        };
        let message = refused.to_string();
        assert_eq!(refused.exit_code(), crate::error::EXIT_INPUT);
        assert!(
            message.contains("mode 644") && message.contains("chmod 600"),
            "{message}"
        );
        assert!(!message.contains("r-secret-1"), "{message}");
    }
}
