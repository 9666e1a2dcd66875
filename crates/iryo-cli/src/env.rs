//! Every environment variable `iryo` reads, in one table: the commands read them through these
//! constants only, and the generated CLI reference (`docs/cli.md`) lists them from here.

use std::ffi::OsString;

use crate::error::CliError;

/// One variable: its name, what it holds, and which commands read it.
// `read_by`, `secret` and `ALL` are read by the reference renderer, which only the tests run.
#[cfg_attr(not(test), allow(dead_code))]
pub struct EnvVar {
    /// The variable's name.
    pub name: &'static str,
    /// What the value is, as the error and the reference say it.
    pub what: &'static str,
    /// The commands that read it.
    pub read_by: &'static str,
    /// Whether the value is a secret (never printed; listed as such in the reference).
    pub secret: bool,
}

/// Declares one constant per variable (named like it) and [`ALL`], the table in this order.
macro_rules! env_vars {
    ($($(#[$doc:meta])* $name:ident: $what:literal, read by $read_by:literal $(, $secret:ident)?;)*) => {
        $(
            $(#[$doc])*
            pub const $name: EnvVar = EnvVar {
                name: stringify!($name),
                what: $what,
                read_by: $read_by,
                secret: env_vars!(@secret $($secret)?),
            };
        )*
        /// The whole table, in the reference's order.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const ALL: &[&EnvVar] = &[$(&$name),*];
    };
    (@secret secret) => { true };
    (@secret) => { false };
}

env_vars! {
    /// The ORCA operator ID (Basic auth).
    ORCA_USER: "the ORCA operator ID", read by "orca push-events, orca watch";
    /// The ORCA operator's password (Basic auth).
    ORCA_PASSWORD: "the operator's password", read by "orca push-events, orca watch", secret;
    /// A fixed PLAneTs Bearer token, used instead of the token file when set.
    PLAT_TOKEN: "the Bearer access token",
        read by "plat delete-permission, plat permissions (instead of the token file)", secret;
    /// Where `iryo plat login` keeps the session.
    IRYO_PLAT_TOKEN_FILE:
        "the token file's path (default $XDG_CONFIG_HOME/iryo/plat-token.json, or ~/.config/...)",
        read by "plat login, plat logout, plat permissions";
    /// The PostgreSQL URL of `--postgres` given without a value.
    IRYO_POSTGRES_URL: "the PostgreSQL URL", read by "orca watch --postgres, orca fleet", secret;
    /// The Standard Webhooks signing secret.
    IRYO_WEBHOOK_SECRET: "the webhook signing secret (whsec_ + base64 key)",
        read by "orca watch --webhook", secret;
    /// `--allow-insecure-http` from the environment (clap reads it; listed here for the reference).
    IRYO_ALLOW_INSECURE_HTTP:
        "the one non-loopback host credentials may reach over plain http (same as --allow-insecure-http)",
        read by "every command that sends credentials";
    /// The base of the default token file's folder.
    XDG_CONFIG_HOME: "the configuration folder (the token file's default is in iryo/ under it)",
        read by "plat login, plat logout, plat permissions";
    /// The fallback of [`XDG_CONFIG_HOME`]: `$HOME/.config`.
    HOME: "the home folder ($HOME/.config when XDG_CONFIG_HOME is unset)",
        read by "plat login, plat logout, plat permissions";
}

impl EnvVar {
    /// The value as set (empty included), or `None` when unset or not UTF-8.
    pub fn raw(&self) -> Option<String> {
        std::env::var(self.name).ok()
    }

    /// The value, or `None` when unset or empty. Not UTF-8 is refused (exit 4) naming the
    /// variable, never its value.
    pub fn optional(&self) -> Result<Option<String>, CliError> {
        match std::env::var(self.name) {
            Ok(value) if !value.is_empty() => Ok(Some(value)),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(CliError::Input(format!("{} is not valid UTF-8", self.name)))
            }
        }
    }

    /// The value; unset or empty is refused (exit 4) with how to set it.
    pub fn required(&self) -> Result<String, CliError> {
        self.optional()?.ok_or_else(|| {
            CliError::Input(format!(
                "{name} is not set: export {name} with {what}",
                name = self.name,
                what = self.what
            ))
        })
    }

    /// The value as the OS holds it (a path), or `None` when unset or empty.
    pub fn path(&self) -> Option<OsString> {
        std::env::var_os(self.name).filter(|value| !value.is_empty())
    }
}
