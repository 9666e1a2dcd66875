//! `iryo plat permissions list|show|request|approve|reject|withdraw|delete`: the permission flow, one JSON line per
//! group or permission, dates as ISO 8601 local date-times.

use std::io::{Read, Write};

use clap::{Args, Subcommand, ValueEnum};
use iryo_plat::types::{Permission, PermissionGroupResult, PermissionRequest};
use iryo_plat::{ApprovalStatus, GrantStatus, HolderKind, Location, Side};

use super::print::{GroupLine, write_line};
use super::session::{Connection, TokenFileArg};
use crate::error::CliError;
use crate::output::Stop;

/// What every permissions command needs.
#[derive(Args)]
pub struct Common {
    /// The {applicationPath}: gateway and context path (e.g. https://plat.example.jp/cloudEHR).
    #[arg(long, value_name = "APPLICATION_PATH", global = true)]
    pub base_url: Option<String>,
    /// Use the patient side, /participants/... (PTP_ROL_*).
    #[arg(long, global = true)]
    pub participant: bool,
    /// The `location` query: self, remote or all.
    #[arg(long, value_name = "L", global = true)]
    pub location: Option<String>,
    #[command(flatten)]
    pub token_file: TokenFileArg,
    #[command(flatten)]
    pub insecure: crate::insecure::InsecureHttpArg,
}

/// The permissions commands.
#[derive(Subcommand)]
pub enum PermissionsCommand {
    /// List permission groups or permissions (PRV_ROL_006, 004 or 001).
    List(ListArgs),
    /// Show one approval (006), one requested group (004) or one permission (001).
    Show(ShowArgs),
    /// Ask for a permission (002), or register one as approved with --approved (003); the body is JSON from
    /// --file (or stdin with -), shaped as PRV_ROL_002's request.
    Request(RequestArgs),
    /// Approve one pending approval (007, status 1).
    Approve(DecideArgs),
    /// Reject one pending approval (007, status 2).
    Reject(DecideArgs),
    /// Withdraw your pending request for one approval (005).
    Withdraw(IdArgs),
    /// Delete a granted permission (010).
    Delete(DecideArgs),
}

/// Which list.
#[derive(Clone, Copy, ValueEnum)]
pub enum ListKind {
    /// What others ask of you (PRV_ROL_006): where the approval ids for approve/reject/delete come from.
    Approvals,
    /// What you asked for (PRV_ROL_004).
    Requests,
    /// The permissions you hold (PRV_ROL_001, providers only).
    Granted,
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(value_enum, default_value = "approvals")]
    kind: ListKind,
    /// Only this approval state: 0 requested, 1 approved, 2 rejected, 3 withdrawn (approvals, requests).
    #[arg(long, value_name = "CODE")]
    status: Option<String>,
    /// Only permissions held by a person (1) or an organisation (2) (granted).
    #[arg(long, value_name = "CODE")]
    classification: Option<String>,
    /// Only permissions held by this id (granted).
    #[arg(long, value_name = "ID")]
    holder: Option<String>,
    /// Only permissions valid at this ISO 8601 instant (granted).
    #[arg(long, value_name = "INSTANT")]
    valid_at: Option<String>,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct ShowArgs {
    /// A permission approval id (権限承認ID).
    #[arg(long, value_name = "ID")]
    approval: Option<String>,
    /// A permission group id (権限グループ管理ID) you requested.
    #[arg(long, value_name = "ID")]
    group: Option<String>,
    /// A permission management id (権限管理ID).
    #[arg(long, value_name = "ID")]
    permission: Option<String>,
}

#[derive(Args)]
pub struct RequestArgs {
    /// The request body (JSON); `-` reads stdin.
    #[arg(long, value_name = "PATH")]
    file: String,
    /// Register the permission as already approved (PRV_ROL_003).
    #[arg(long)]
    approved: bool,
}

#[derive(Args)]
pub struct DecideArgs {
    /// The permission approval id (権限承認ID).
    #[arg(long, value_name = "ID")]
    pub id: String,
    /// The comment (削除理由 for delete).
    #[arg(long, value_name = "TEXT")]
    pub comment: String,
}

#[derive(Args)]
pub struct IdArgs {
    /// The permission approval id (権限承認ID).
    #[arg(long, value_name = "ID")]
    id: String,
}

fn code<T: std::str::FromStr<Err = std::convert::Infallible>>(text: Option<&str>) -> Option<T> {
    text.map(|t| t.parse().unwrap_or_else(|never| match never {}))
}

/// Runs one permissions command; with `verbose`, a delete names its request on stderr first.
pub async fn run(common: Common, command: PermissionsCommand, verbose: bool) -> Result<(), Stop> {
    let base_url = common
        .base_url
        .as_deref()
        .ok_or_else(|| CliError::Input("--base-url is required".into()))?;
    let connection = Connection::open(base_url, &common.token_file, &common.insecure)?;
    let side = if common.participant {
        Side::Participants
    } else {
        Side::Providers
    };
    let location: Option<Location> = code(common.location.as_deref());
    let location = location.as_ref();
    let client = &connection.client;
    let mut out = std::io::stdout().lock();
    match command {
        PermissionsCommand::List(args) => {
            let status: Option<ApprovalStatus> = code(args.status.as_deref());
            match args.kind {
                ListKind::Approvals => groups(
                    &mut out,
                    &client
                        .permission_approvals(side, status.as_ref(), location)
                        .await?,
                )?,
                ListKind::Requests => groups(
                    &mut out,
                    &client
                        .permission_requests(side, None, status.as_ref(), location)
                        .await?,
                )?,
                ListKind::Granted => {
                    let holder_kind: Option<HolderKind> = code(args.classification.as_deref());
                    let list = client
                        .list_permissions(
                            holder_kind.as_ref(),
                            args.holder.as_deref(),
                            args.valid_at.as_deref(),
                            location,
                        )
                        .await?;
                    permissions(&mut out, &list)?
                }
            }
        }
        PermissionsCommand::Show(args) => match (args.approval, args.group, args.permission) {
            (Some(id), _, _) => groups(
                &mut out,
                &[client.permission_approval(side, &id, location).await?],
            )?,
            (_, Some(id), _) => groups(
                &mut out,
                &client
                    .permission_requests(side, Some(&id), None, location)
                    .await?,
            )?,
            (_, _, Some(id)) => {
                permissions(&mut out, &client.get_permission(&id, None, location).await?)?
            }
            _ => {
                return Err(
                    CliError::Usage("give --approval, --group or --permission".into()).into(),
                );
            }
        },
        PermissionsCommand::Request(args) => {
            let body = read_body(&args.file)?;
            groups(
                &mut out,
                &[client
                    .request_permission(side, &body, args.approved, location)
                    .await?],
            )?
        }
        PermissionsCommand::Approve(args) => groups(
            &mut out,
            &[client
                .decide_permission(
                    side,
                    &args.id,
                    GrantStatus::Approve,
                    &args.comment,
                    location,
                )
                .await?],
        )?,
        PermissionsCommand::Reject(args) => groups(
            &mut out,
            &[client
                .decide_permission(side, &args.id, GrantStatus::Reject, &args.comment, location)
                .await?],
        )?,
        PermissionsCommand::Withdraw(args) => groups(
            &mut out,
            &[client
                .withdraw_permission_request(side, &args.id, location)
                .await?],
        )?,
        PermissionsCommand::Delete(args) => {
            if verbose {
                eprintln!(
                    "{}",
                    delete_line(base_url, common.participant, &args.id, location)
                );
            }
            groups(
                &mut out,
                &[client
                    .delete_permission(side, &args.id, &args.comment, location)
                    .await?],
            )?
        }
    }
    out.flush()?;
    Ok(())
}

/// `PUT {base}/providers/permission/delete/{id} (location L)`.
fn delete_line(base_url: &str, participant: bool, id: &str, location: Option<&Location>) -> String {
    let side = if participant {
        "participants"
    } else {
        "providers"
    };
    let location = location
        .map(|l| format!(" (location {l})"))
        .unwrap_or_default();
    let base = base_url.trim_end_matches('/');
    format!("PUT {base}/{side}/permission/delete/{id}{location}")
}

fn read_body(file: &str) -> Result<PermissionRequest, CliError> {
    let mut text = String::new();
    let read = match file {
        "-" => std::io::stdin().read_to_string(&mut text).map(|_| ()),
        path => std::fs::read_to_string(path).map(|t| text = t),
    };
    read.map_err(|e| CliError::Input(format!("cannot read {file}: {e}")))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::Input(format!("{file} is not a PRV_ROL_002 request: {e}")))
}

fn groups(out: &mut impl Write, groups: &[PermissionGroupResult]) -> Result<(), Stop> {
    for group in groups {
        write_line(out, &GroupLine::of(group, true))?;
    }
    Ok(())
}

fn permissions(out: &mut impl Write, list: &[Permission]) -> Result<(), Stop> {
    for permission in list {
        write_line(out, permission)?;
    }
    Ok(())
}
