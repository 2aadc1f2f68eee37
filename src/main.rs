//! The `steward` command: parses arguments and dispatches to the library; no logic lives here.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Steward: log redaction proxy with GDPR/CCPA compliance actions.
#[derive(Debug, Parser)]
#[command(name = "steward", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Compliance(steward::compliance::cli::ComplianceCommand),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Compliance(command) => steward::compliance::cli::run(command),
    }
}
