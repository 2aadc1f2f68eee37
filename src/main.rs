//! The `steward` command: parses arguments and dispatches to the library; no logic lives here.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "steward", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Intercom API simulator on loopback (prints STEWARD_INTERCOM_URL=... first).
    Sim(steward::sim::SimArgs),
    /// Check the Intercom token, workspace, region, API version and rate-limit headroom.
    Doctor(steward::intercom::doctor::DoctorArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Sim(args) => steward::sim::run_cli(args).await,
        Command::Doctor(args) => steward::intercom::doctor::run_cli(args).await,
    }
}
