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

/// The ORCA operator ID (Basic auth).
pub const ORCA_USER: EnvVar = EnvVar {
    name: "ORCA_USER",
    what: "the ORCA operator ID",
    read_by: "orca push-events, orca watch",
    secret: false,
};
/// The ORCA operator's password (Basic auth).
pub const ORCA_PASSWORD: EnvVar = EnvVar {
    name: "ORCA_PASSWORD",
    what: "the operator's password",
    read_by: "orca push-events, orca watch",
    secret: true,
};
/// A fixed PLAneTs Bearer token, used instead of the token file when set.
pub const PLAT_TOKEN: EnvVar = EnvVar {
    name: "PLAT_TOKEN",
    what: "the Bearer access token",
    read_by: "plat delete-permission, plat permissions (instead of the token file)",
    secret: true,
};
/// Where `iryo plat login` keeps the session.
pub const IRYO_PLAT_TOKEN_FILE: EnvVar = EnvVar {
    name: "IRYO_PLAT_TOKEN_FILE",
    what: "the token file's path (default $XDG_CONFIG_HOME/iryo/plat-token.json, or ~/.config/...)",
    read_by: "plat login, plat logout, plat permissions",
    secret: false,
};
/// The PostgreSQL URL of `--postgres` given without a value.
pub const IRYO_POSTGRES_URL: EnvVar = EnvVar {
    name: "IRYO_POSTGRES_URL",
    what: "the PostgreSQL URL",
    read_by: "orca watch --postgres, orca fleet",
    secret: true,
};
/// The Standard Webhooks signing secret.
pub const IRYO_WEBHOOK_SECRET: EnvVar = EnvVar {
    name: "IRYO_WEBHOOK_SECRET",
    what: "the webhook signing secret (whsec_ + base64 key)",
    read_by: "orca watch --webhook",
    secret: true,
};
/// `--allow-insecure-http` from the environment (clap reads it; listed here for the reference).
pub const IRYO_ALLOW_INSECURE_HTTP: EnvVar = EnvVar {
    name: "IRYO_ALLOW_INSECURE_HTTP",
    what: "the one non-loopback host credentials may reach over plain http (same as --allow-insecure-http)",
    read_by: "every command that sends credentials",
    secret: false,
};

/// The base of the default token file's folder.
pub const XDG_CONFIG_HOME: EnvVar = EnvVar {
    name: "XDG_CONFIG_HOME",
    what: "the configuration folder (the token file's default is in iryo/ under it)",
    read_by: "plat login, plat logout, plat permissions",
    secret: false,
};
/// The fallback of [`XDG_CONFIG_HOME`]: `$HOME/.config`.
pub const HOME: EnvVar = EnvVar {
    name: "HOME",
    what: "the home folder ($HOME/.config when XDG_CONFIG_HOME is unset)",
    read_by: "plat login, plat logout, plat permissions",
    secret: false,
};

/// The whole table, in the reference's order.
#[cfg_attr(not(test), allow(dead_code))]
pub const ALL: &[&EnvVar] = &[
    &ORCA_USER,
    &ORCA_PASSWORD,
    &PLAT_TOKEN,
    &IRYO_PLAT_TOKEN_FILE,
    &IRYO_POSTGRES_URL,
    &IRYO_WEBHOOK_SECRET,
    &IRYO_ALLOW_INSECURE_HTTP,
    &XDG_CONFIG_HOME,
    &HOME,
];

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
