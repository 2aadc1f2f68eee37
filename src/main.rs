//! The `steward` command: parses arguments and dispatches to the library; no logic lives here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use steward::cmd;
use steward::redact::Format;
use steward::rules::Action;

/// Steward: a log-redaction streaming proxy with GDPR/CCPA compliance actions for Intercom.
#[derive(Debug, Parser)]
#[command(name = "steward", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show Steward working: the proxy on loopback with the shipped rules, a generated stream through it, the
    /// metrics, and the Intercom checks (against the bundled simulator when no token is set).
    Demo {
        /// How many generated lines to send through the proxy.
        #[arg(long, default_value_t = 2000)]
        lines: usize,
        /// Seed of the generated lines.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Stop after the showcase (the default when stdin is not a terminal).
        #[arg(long, conflicts_with = "serve")]
        once: bool,
        /// Keep the proxy running until Ctrl-C (the default when stdin is a terminal).
        #[arg(long)]
        serve: bool,
    },
    /// Run the streaming proxy: TCP in, redacted lines out, with the admin API on loopback.
    Proxy(steward::proxy::ProxyArgs),
    /// Redact files or stdin to stdout.
    Redact(RedactArgs),
    /// Validate or explain rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Labeled corpora, benchmark logs, and the engine's quality score.
    #[command(subcommand)]
    Corpus(CorpusCommand),
    #[command(flatten)]
    Compliance(steward::compliance::cli::ComplianceCommand),
    /// Run the Intercom API simulator on loopback (prints STEWARD_INTERCOM_URL=... first).
    Sim(steward::sim::SimArgs),
    /// Check the configuration, the rules, and the Intercom token, workspace, region, API version and rate-limit
    /// headroom; exit 1 when anything fails.
    Doctor {
        /// The Steward config file (proxy settings and an `[intercom]` section).
        #[arg(long)]
        config: Option<PathBuf>,
        /// A rules directory or file (repeatable; default: the config file's, else the shipped rules).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum CorpusCommand {
    #[command(flatten)]
    Write(steward::quality::cli::CorpusCommand),
    /// Score the engine's precision and recall per entity on the Presidio corpus and a generated log corpus.
    Score {
        /// The Presidio `synth_dataset_v2.json` (default: STEWARD_PII_CORPUS or ../shared/pii-corpus/).
        #[arg(long)]
        presidio: Option<PathBuf>,
        /// How many generated samples to score.
        #[arg(long, default_value_t = 5000)]
        generated: usize,
        /// Seed of the generated corpus.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Print JSON reports.
        #[arg(long)]
        json: bool,
        /// Print examples of misses and false positives.
        #[arg(long)]
        examples: bool,
    },
}

#[derive(Debug, clap::Args)]
struct RedactArgs {
    /// A rules directory or file, loaded over the shipped defaults (repeatable, later ones win).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// How to read lines.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    format: FormatArg,
    /// Apply this action to everything that the rules replace (label, redact, mask, hash).
    #[arg(long, value_enum)]
    action: Option<ActionArg>,
    /// Print counts per entity to stderr at the end.
    #[arg(long)]
    stats: bool,
    /// Exit with status 1 when anything was found or a line was withheld (overlong, engine error).
    #[arg(long)]
    check: bool,
    /// Files to read (default: stdin; `-` reads stdin in its place).
    files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Validate rules; print every error with its file and line.
    Check {
        /// Rules directories or files (default: the shipped rules only).
        dirs: Vec<PathBuf>,
    },
    /// Print the compiled rules.
    Explain {
        /// Rules directories or files (default: the shipped rules only).
        dirs: Vec<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Auto,
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ActionArg {
    Label,
    Redact,
    Mask,
    Hash,
}

/// Runs an async command on a fresh multi-threaded runtime.
fn block_on(command: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(command).map(|()| 0)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version are not errors: clap prints them to stdout as they are.
        Err(error) if !error.use_stderr() => error.exit(),
        // Argument errors quote what the user typed: they go through the engine like every other error.
        Err(error) => {
            steward::telemetry::eprint_redacted(error.render().to_string().trim_end());
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Compliance(command) => return steward::compliance::cli::run(command),
        Command::Proxy(args) => {
            // Steward's own logs go to stderr (stdout may be the forward target), through the engine.
            if let Ok(engine) = steward::redact::Engine::new(steward::rules::Rules::defaults(), None) {
                steward::telemetry::init(&engine);
            }
            block_on(steward::proxy::run(args))
        }
        Command::Demo { lines, seed, once, serve } => {
            let serve = if once {
                Some(false)
            } else if serve {
                Some(true)
            } else {
                None
            };
            block_on(async move { cmd::demo::run(&cmd::demo::DemoOptions { lines, seed, serve }).await })
        }
        Command::Sim(args) => block_on(steward::sim::run_cli(args)),
        Command::Doctor { config, rules } => {
            let options = cmd::doctor::DoctorOptions { config, rules };
            tokio::runtime::Runtime::new()
                .map_err(anyhow::Error::from)
                .map(|runtime| runtime.block_on(cmd::doctor::run(&options)))
        }
        Command::Redact(args) => cmd::redact::run(&cmd::redact::RedactOptions {
            rules: args.rules,
            format: match args.format {
                FormatArg::Auto => Format::Auto,
                FormatArg::Text => Format::Text,
                FormatArg::Json => Format::Json,
            },
            action: args.action.map(|action| match action {
                ActionArg::Label => Action::Label,
                ActionArg::Redact => Action::Redact,
                ActionArg::Mask => Action::Mask,
                ActionArg::Hash => Action::Hash,
            }),
            stats: args.stats,
            check: args.check,
            files: args.files,
        }),
        Command::Rules(RulesCommand::Check { dirs }) => Ok(cmd::rules::check(&dirs)),
        Command::Rules(RulesCommand::Explain { dirs, json }) => Ok(cmd::rules::explain(&dirs, json)),
        // The summary names the output path the user gave: it goes through the engine like the errors.
        Command::Corpus(CorpusCommand::Write(command)) => steward::quality::cli::run(&command).map(|summary| {
            steward::telemetry::eprint_redacted(&summary);
            0
        }),
        Command::Corpus(CorpusCommand::Score { presidio, generated, seed, json, examples }) => {
            cmd::score::run(&cmd::score::ScoreOptions { presidio, generated, seed, json, examples })
        }
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(2)),
        Err(error) => {
            // Error messages quote paths and values the user gave: they go through the engine, as logs do.
            steward::telemetry::eprint_redacted(&format!("steward: {error:#}"));
            ExitCode::from(2)
        }
    }
}
