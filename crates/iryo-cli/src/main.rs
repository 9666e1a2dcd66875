//! `iryo`: the command line of the iryo clients.
//!
//! - `iryo orca push-events`: ORCA's PUSH通知一括取得, one JSON object per notification.
//! - `iryo orca watch`: ORCA's PUSH通知 socket, never missing an event, resumable with a state file.
//! - `iryo hiyari search` / `iryo hiyari parse`: 薬局ヒヤリ・ハット reports as JSON lines or CSV,
//!   searched page by page or read from saved Shift_JIS answers.
//! - `iryo plat login` / `iryo plat permissions ...`: PLAneTs' Keycloak login and the whole permission flow;
//!   `iryo plat delete-permission`: PRV_ROL_010 / PTP_ROL_010 with a fixed token.
//! - `iryo mock`: the three local mock servers, for trying the rest.
//!
//! Records go to stdout; progress, summaries and the one `error: ...` line go to stderr. The exit
//! codes are in [`error`]. Passwords and tokens come from the environment and are never printed.

// The doc comments of this crate are `--help` text (clap reads them), written for a terminal,
// not rustdoc: URLs and <placeholders> stay as a user types them.
#![allow(
    rustdoc::bare_urls,
    rustdoc::invalid_html_tags,
    rustdoc::broken_intra_doc_links
)]

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod deliver;
mod env;
mod error;
mod fleet;
mod hiyari;
mod insecure;
mod mock;
mod orca;
mod output;
mod plat;
#[cfg(test)]
mod reference;
mod watch;

use error::CliError;

const TOP_HELP: &str = "\
Examples (against `iryo mock`, which prints these with its ports):
  ORCA_USER=ormaster ORCA_PASSWORD=ormaster iryo orca push-events --base-url http://127.0.0.1:8000
  iryo hiyari search --base-url http://127.0.0.1:8183 --item LSTFACTOR --word \"過労 疲労\" --condition any
  PLAT_TOKEN=demo-token iryo plat delete-permission --base-url http://127.0.0.1:8182/cloudEHR --id 2 --comment 削除

Records go to stdout, progress and summaries to stderr; a failure is one `error: ...` line on stderr.
Credentials come from ORCA_USER / ORCA_PASSWORD and PLAT_TOKEN and are never printed.
";

/// The command line.
#[derive(Parser)]
#[command(
    name = "iryo",
    version,
    about = "Typed clients of Japanese healthcare web APIs (ORCA, 薬局ヒヤリ・ハット, PLAneTs) and their mock servers",
    after_help = format!("{TOP_HELP}\n{}", error::EXIT_CODES_HELP),
)]
struct Cli {
    /// Print request summaries (never headers or credentials) and a final count on stderr; for
    /// ORCA and PLAneTs calls also one line per HTTP attempt (API, operation, attempt, status,
    /// retry delay), from the client's `tracing` spans.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// ORCA 日レセ API (Basic auth from ORCA_USER and ORCA_PASSWORD).
    #[command(subcommand)]
    Orca(orca::OrcaCommand),
    /// 薬局ヒヤリ・ハット事例検索 API (public, no credentials; Shift_JIS on the wire).
    #[command(subcommand)]
    Hiyari(hiyari::HiyariCommand),
    /// PLAneTs API (Keycloak login kept in a token file, or a Bearer token from PLAT_TOKEN).
    #[command(subcommand)]
    Plat(plat::PlatCommand),
    /// Serve the mock servers locally (all three, or one alone) and print how to try each command on them.
    Mock(mock::MockArgs),
}

// Reports are built on the parsing thread and dropped on the writing one; glibc's malloc takes
// one arena lock for each such free, mimalloc does not (`cargo bench -p iryo-hiyari --bench parse`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = parse_command_line();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return fail(&CliError::Transport(format!(
                "cannot start the runtime: {e}"
            )));
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(output::Stop::Closed) => ExitCode::SUCCESS,
        Err(output::Stop::Failed(error)) => fail(&error),
    }
}

/// clap's derive, plus help text built from constants (the CSV columns).
fn parse_command_line() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The whole command line, as `--help` and the reference (`docs/cli.md`) show it.
fn command() -> clap::Command {
    let command = Cli::command().mut_subcommand("hiyari", |hiyari| {
        hiyari
            .mut_subcommand("search", |c| c.after_long_help(hiyari::search_long_help()))
            .mut_subcommand("parse", |c| c.after_long_help(hiyari::parse_long_help()))
    });
    hide_env_values(command)
}

/// `--help` names a flag's variable but never shows its value (it may be a secret).
fn hide_env_values(command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    let command = command.mut_args(|arg| arg.hide_env_values(true));
    names.iter().fold(command, |command, name| {
        command.mut_subcommand(name, hide_env_values)
    })
}

async fn run(cli: Cli) -> Result<(), output::Stop> {
    let verbose = cli.verbose;
    match cli.command {
        Command::Orca(command) => orca::run(command, verbose).await,
        Command::Hiyari(command) => hiyari::run(command, verbose).await,
        Command::Plat(command) => plat::run(command, verbose).await,
        Command::Mock(args) => mock::run(args).await.map_err(output::Stop::from),
    }
}

fn fail(error: &CliError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(error.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
