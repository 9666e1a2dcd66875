//! `iryo plat login`: prints Keycloak's authorisation URL (PKCE S256), reads the code (or the whole redirected
//! URL) from stdin, exchanges it, and keeps the refresh token in the token file (mode 0600).

use std::io::BufRead;

use clap::Args;
use iryo_plat::auth::{KeycloakConfig, Pkce};

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
    /// Where Keycloak sends the browser after the login (registered with the client).
    #[arg(
        long,
        value_name = "URI",
        default_value = "http://127.0.0.1:8400/callback"
    )]
    redirect_uri: String,
    #[command(flatten)]
    token_file: TokenFileArg,
    #[command(flatten)]
    insecure: crate::insecure::InsecureHttpArg,
}

pub async fn login(args: LoginArgs) -> Result<(), Stop> {
    let config = KeycloakConfig::new(&args.keycloak_url, &args.realm, &args.redirect_uri)
        .prefix(&args.prefix)
        .client_id(&args.client_id)
        .allow_insecure_http(args.insecure.allows(&args.keycloak_url));
    let keycloak = config.clone().build().map_err(auth_error)?;
    let pkce = Pkce::new().map_err(auth_error)?;
    let state = Pkce::new().map_err(auth_error)?.challenge()[..16].to_owned();
    eprintln!(
        "Open this URL, log in, then paste the code (or the whole address you were sent to):"
    );
    println!(
        "{}",
        config
            .authorization_url(&pkce, &state)
            .map_err(auth_error)?
    );
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let code = code_from(line.trim(), &state)?;
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
        redirect_uri: args.redirect_uri,
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

/// The code itself, or the `code` of a redirected URL, whose `state` must be ours.
fn code_from(input: &str, state: &str) -> Result<String, CliError> {
    let Some((_, query)) = input.split_once('?') else {
        return match input.is_empty() {
            true => Err(CliError::Input("no code given".into())),
            false => Ok(input.to_owned()),
        };
    };
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(query);
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if let Some(error) = get("error") {
        return Err(CliError::Api(format!(
            "Keycloak refused the login: {error}"
        )));
    }
    if get("state") != Some(state) {
        return Err(CliError::Input(
            "the redirect's state is not this login's".into(),
        ));
    }
    get("code")
        .map(str::to_owned)
        .ok_or_else(|| CliError::Input("the address has no code".into()))
}

fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    let query = query.split('#').next().unwrap_or_default();
    serde_urlencoded::from_str(query).unwrap_or_default()
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
