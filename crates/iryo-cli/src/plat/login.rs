//! `iryo plat login`: prints Keycloak's authorisation URL (PKCE S256), receives the code at the loopback redirect
//! URI ([`callback`](super::callback)) or, with `--no-listen` or when that address cannot be bound, reads it (or
//! the whole redirected address) from stdin; exchanges it, and keeps the refresh token in the token file (0600).

use std::io::BufRead;
use std::time::Duration;

use clap::Args;
use iryo_plat::auth::{KeycloakConfig, Pkce};

use super::callback::{CallbackError, Listener, code_of_query};
use super::session::{Session, TokenFileArg, auth_error};
use crate::error::CliError;
use crate::output::Stop;

/// COM_ATH_001 and 003's parameters.
#[derive(Args)]
pub struct LoginArgs {
    /// Keycloak's base URL, e.g. https://plat.example.jp:8184.
    #[arg(long, value_name = "URL")]
    keycloak_url: String,
    /// The realm: the organisation id (医療機関ID), 0000000000 for patients.
    #[arg(long, value_name = "ORGANIZATION_ID")]
    realm: String,
    /// The path before /realms: "" (Keycloak 17+) or /auth (older Keycloak, as PLAT's Postman collection).
    #[arg(long, value_name = "PREFIX", default_value = "")]
    prefix: String,
    /// The OAuth client.
    #[arg(long, value_name = "ID", default_value = "plat-public")]
    client_id: String,
    /// Where Keycloak sends the browser after the login (registered with the client). An http:// address on
    /// loopback (127.0.0.1, [::1], localhost) is listened on, port 0 meaning any free port; any other is pasted.
    #[arg(
        long,
        value_name = "URI",
        default_value = "http://127.0.0.1:8400/callback"
    )]
    redirect_uri: String,
    /// Do not listen at the redirect URI: paste the address the browser was sent to instead (for a browser on
    /// another machine).
    #[arg(long)]
    no_listen: bool,
    /// How long to wait for the browser at the redirect URI.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    listen_timeout: u64,
    #[command(flatten)]
    token_file: TokenFileArg,
    #[command(flatten)]
    insecure: crate::insecure::InsecureHttpArg,
}

pub async fn login(args: LoginArgs) -> Result<(), Stop> {
    let listener = match args.no_listen {
        true => None,
        false => Listener::bind(&args.redirect_uri)
            .await
            .unwrap_or_else(|e| {
                eprintln!(
                    "cannot listen at {} ({e}): paste the address instead",
                    args.redirect_uri
                );
                None
            }),
    };
    let redirect_uri = listener
        .as_ref()
        .map_or(args.redirect_uri.clone(), |l| l.redirect_uri().to_owned());
    let config = KeycloakConfig::new(&args.keycloak_url, &args.realm, &redirect_uri)
        .prefix(&args.prefix)
        .client_id(&args.client_id)
        .allow_insecure_http(args.insecure.allows(&args.keycloak_url));
    let keycloak = config.clone().build().map_err(auth_error)?;
    let pkce = Pkce::new().map_err(auth_error)?;
    let state = Pkce::new().map_err(auth_error)?.challenge()[..16].to_owned();
    let url = config
        .authorization_url(&pkce, &state)
        .map_err(auth_error)?;
    let code = match listener {
        Some(listener) => {
            eprintln!(
                "Open this URL in a browser on this machine and log in; waiting at {redirect_uri} for {} s \
                 (--no-listen to paste the address instead):",
                args.listen_timeout
            );
            println!("{url}");
            listener
                .wait(&state, Duration::from_secs(args.listen_timeout))
                .await
                .map_err(callback_error)?
        }
        None => {
            eprintln!(
                "Open this URL, log in, then paste the code (or the whole address you were sent to):"
            );
            println!("{url}");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            code_from(line.trim(), &state)?
        }
    };
    let tokens = keycloak
        .exchange_code(&code, &pkce)
        .await
        .map_err(auth_error)?;
    let refresh = tokens.refresh_token.ok_or_else(|| {
        CliError::Api("Keycloak sent no refresh token (is offline_access allowed?)".into())
    })?;
    let path = args.token_file.path()?;
    let session = Session {
        keycloak_url: args.keycloak_url,
        prefix: args.prefix,
        realm: args.realm,
        client_id: args.client_id,
        redirect_uri,
        refresh_token: refresh.expose_secret().to_owned(),
    };
    session.write(&path)?;
    let kind = if tokens.offline {
        "offline token"
    } else {
        "refresh token"
    };
    eprintln!(
        "logged in to realm {}; {kind} kept in {}",
        session.realm,
        path.display()
    );
    Ok(())
}

/// Keycloak's refusal is the API's own error (exit 1); a wrong state, no code or no browser is the input's.
fn callback_error(error: CallbackError) -> CliError {
    match error {
        CallbackError::Refused { .. } => CliError::Api(error.to_string()),
        _ => CliError::Input(error.to_string()),
    }
}

/// The code itself, or the `code` of a pasted redirect address, whose `state` must be ours.
fn code_from(input: &str, state: &str) -> Result<String, CliError> {
    match input.split_once('?') {
        None if input.is_empty() => Err(CliError::Input("no code given".into())),
        None => Ok(input.to_owned()),
        Some((_, query)) => code_of_query(query, state).map_err(callback_error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_comes_bare_or_in_the_redirect() {
        assert_eq!(code_from("abc", "s").unwrap(), "abc");
        let url = "http://127.0.0.1:8400/callback?code=a%2Bb&state=s";
        assert_eq!(code_from(url, "s").unwrap(), "a+b");
        assert!(matches!(code_from(url, "other"), Err(CliError::Input(_))));
        let refused = "http://127.0.0.1:8400/callback?error=access_denied&state=s";
        assert!(matches!(code_from(refused, "s"), Err(CliError::Api(_))));
        assert!(code_from("", "s").is_err());
    }
}
