//! `iryo plat login`, `iryo plat permissions ...` (the whole permission flow) and `iryo plat delete-permission`
//! (kept from before `permissions delete`: an alias of it, with its own flags).

mod callback;
mod login;
mod permissions;
mod print;
mod session;

use clap::{Args, Subcommand};

use crate::error::EXIT_CODES_HELP;
use crate::output::Stop;

const DELETE_HELP: &str = "\
Prints the answer as one JSON object with the API's keys as received, in the spec's order
(`permissionGroup`, or the table's spelling `permissonGroup`; `permissionApproval`;
`permissionComment`; the approval id as the JSON type received) and every date as an ISO 8601
local date-time (2021-10-07T19:51:02).

An alias of `iryo plat permissions delete`: the same request, token (--token-file, or PLAT_TOKEN as a
fixed access token) and output.

Example (the PLAneTs document's sample, against `iryo mock`):
  export PLAT_TOKEN=demo-token
  iryo plat delete-permission --base-url http://127.0.0.1:8182/cloudEHR --id 2 --comment \"〜のため削除します\"
  {\"permissionGroup\":{...,\"requestedDatetime\":\"2021-10-07T19:51:02\"},\"permissionApproval\":[{\"permissionApprovalId\":2,...}],...}
";

const FLOW_HELP: &str = "\
The flow, against `iryo mock` (its Keycloak logs the realm's user in at once):
  iryo plat login --keycloak-url http://127.0.0.1:8182 --realm 1310000001   # prints the URL, waits for the browser
  iryo plat permissions list approvals --base-url http://127.0.0.1:8182/cloudEHR --status 0
  iryo plat permissions approve --base-url ... --id 7 --comment 承認します
  iryo plat permissions delete --base-url ... --id 7 --comment 〜のため削除します
Open the URL in a browser on this machine: the login listens at its --redirect-uri on loopback for the
code (--no-listen, or a port it cannot bind: paste the address the browser was sent to instead).
The refresh token is kept in --token-file (default ~/.config/iryo/plat-token.json, mode 0600) and
refreshes the access token by itself (a rotated one is saved at once); PLAT_TOKEN, when set, is used
as a fixed access token instead.
";

/// PLAT subcommands.
#[derive(Subcommand)]
pub enum PlatCommand {
    /// Log in to PLAT's Keycloak (authorisation code with PKCE) and keep the refresh token.
    #[command(after_help = FLOW_HELP)]
    Login(login::LoginArgs),
    /// The permission flow: list, show, request, approve, reject, withdraw, delete.
    #[command(after_help = format!("{FLOW_HELP}\n{EXIT_CODES_HELP}"))]
    Permissions {
        #[command(flatten)]
        common: permissions::Common,
        #[command(subcommand)]
        command: permissions::PermissionsCommand,
    },
    /// PUT {base-url}/providers/permission/delete/{ID} (PRV_ROL_010; --participant: PTP_ROL_010); `permissions delete`.
    #[command(after_help = format!("{DELETE_HELP}\n{EXIT_CODES_HELP}"))]
    DeletePermission(DeleteArgs),
}

/// PRV_ROL_010's parameters.
#[derive(Args)]
pub struct DeleteArgs {
    /// The {applicationPath}: gateway and context path (e.g. https://plat.example.jp/cloudEHR).
    #[arg(long, value_name = "APPLICATION_PATH")]
    base_url: String,
    /// The permission approval id (権限承認ID), sent as one path segment.
    #[arg(long, value_name = "ID")]
    id: String,
    /// The reason for the deletion (削除理由).
    #[arg(long, value_name = "TEXT")]
    comment: String,
    /// Use the patient side, /participants/... (PTP_ROL_010).
    #[arg(long)]
    participant: bool,
    /// The optional `location` query: self, remote, all or comma-separated 医療機関 IDs.
    #[arg(long, value_name = "L")]
    location: Option<String>,
    #[command(flatten)]
    token_file: session::TokenFileArg,
    #[command(flatten)]
    insecure: crate::insecure::InsecureHttpArg,
}

/// Runs a PLAT subcommand.
pub async fn run(command: PlatCommand, verbose: bool) -> Result<(), Stop> {
    if verbose {
        crate::output::trace_http_attempts();
    }
    match command {
        PlatCommand::DeletePermission(args) => delete_permission(args, verbose).await,
        PlatCommand::Login(args) => login::login(args).await,
        PlatCommand::Permissions { common, command } => {
            permissions::run(common, command, verbose).await
        }
    }
}

/// `delete-permission` as `permissions delete`.
async fn delete_permission(args: DeleteArgs, verbose: bool) -> Result<(), Stop> {
    let common = permissions::Common {
        base_url: Some(args.base_url),
        participant: args.participant,
        location: args.location,
        token_file: args.token_file,
        insecure: args.insecure,
    };
    let delete = permissions::DecideArgs {
        id: args.id,
        comment: args.comment,
    };
    permissions::run(
        common,
        permissions::PermissionsCommand::Delete(delete),
        verbose,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_date_becomes_iso_and_the_rest_stays() {
        let sample = include_str!("../../../../specs/plat/examples/response-sample.json");
        let result: iryo_plat::types::PermissionGroupResult = serde_json::from_str(sample).unwrap();
        let mut printed = Vec::new();
        print::write_line(&mut printed, &print::GroupLine::of(&result, false)).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&printed).unwrap();
        assert_eq!(
            json["permissionGroup"]["requestedDatetime"],
            "2021-10-07T19:51:02"
        );
        assert_eq!(
            json["permissionApproval"][0]["approvedDatetime"],
            "2021-10-07T20:02:04"
        );
        assert_eq!(json["permissionApproval"][0]["permissionApprovalId"], 2);
        assert_eq!(
            json["permissionComment"][0]["comment"],
            "〜のため削除します"
        );
    }
}
