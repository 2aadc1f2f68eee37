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
    /// Run the streaming proxy: TCP in, redacted lines out.
    Proxy(steward::proxy::ProxyArgs),
}

fn main() -> anyhow::Result<()> {
    // Logs go to stderr: stdout may be the proxy's forward target.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Proxy(args) => runtime.block_on(steward::proxy::run(args)),
    }
}
