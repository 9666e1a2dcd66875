//! `iryo-mock`: runs the iryo mock servers from the command line, for test suites in any language. Its flags
//! are `iryo mock`'s: both are [`iryo_mock::cli::MockArgs`].

use std::process::ExitCode;

use clap::Parser;
use iryo_mock::cli::{MockArgs, interrupted};

#[derive(Parser)]
#[command(
    name = "iryo-mock",
    version,
    about = "Local mock servers for Japanese healthcare web APIs"
)]
struct Cli {
    #[command(flatten)]
    mock: MockArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().mock).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("iryo-mock: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: MockArgs) -> Result<(), Box<dyn std::error::Error>> {
    let exposed = !args.bind.is_loopback();
    let interrupted = interrupted()?;
    let servers = args.spawn().await?;
    if exposed {
        eprintln!(
            "iryo-mock: warning: listening beyond loopback; the /__mock control routes need no credentials"
        );
    }
    // One write: a reader that takes the first line and leaves must not make a later line fail.
    let banner: String = servers.listening.iter().map(|l| format!("{l}\n")).collect();
    print!("{banner}");
    interrupted.await;
    Ok(servers.shutdown().await?)
}
