//! Arguments and runner of `steward corpus ...`: writes the speed-benchmark logs and the labeled corpus to a file or stdout.
//!
//! Wiring in `main.rs` (one variant, one dispatch line):
//! `Corpus { #[command(subcommand)] command: steward::quality::cli::CorpusCommand }` and
//! `Command::Corpus { command } => steward::quality::cli::run(&command)`, which prints the returned summary
//! through the engine (`telemetry::eprint_redacted`); this module stays independent of the engine.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::quality::{generate, write_json_log, write_jsonl, write_mixed_log, DEFAULT_PII_EVERY};

/// `steward corpus <command>`.
#[derive(Debug, Clone, Subcommand)]
pub enum CorpusCommand {
    /// Write a large realistic log (plain and JSON lines) for speed benchmarks.
    MixedLog(MixedLogArgs),
    /// Write the labeled quality corpus as JSON lines (one sample with its gold spans per line).
    Generate(GenerateArgs),
}

/// Arguments of `steward corpus mixed-log`.
#[derive(Debug, Clone, Args)]
pub struct MixedLogArgs {
    /// Write at least this many bytes.
    #[arg(long, default_value_t = 1 << 30)]
    pub bytes: u64,
    /// Seed of the generator; the same seed gives the same file.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// About one line in this many carries personal data (0: none).
    #[arg(long, default_value_t = DEFAULT_PII_EVERY)]
    pub pii_every: u32,
    /// JSON lines only (for the pure-JSON throughput figure).
    #[arg(long)]
    pub json_only: bool,
    /// Output file; stdout when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `steward corpus generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Number of samples.
    #[arg(long, default_value_t = 5000)]
    pub count: usize,
    /// Seed of the generator; the same seed gives the same corpus.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Output file; stdout when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs a `steward corpus` command; returns a one-line summary for stderr, which the caller prints through the
/// engine because it names the output path the user gave.
pub fn run(command: &CorpusCommand) -> anyhow::Result<String> {
    let summary = match command {
        CorpusCommand::MixedLog(args) => {
            let lines = with_output(args.out.as_deref(), |mut out| {
                if args.json_only {
                    write_json_log(args.seed, args.bytes, args.pii_every, &mut out)
                } else {
                    write_mixed_log(args.seed, args.bytes, args.pii_every, &mut out)
                }
            })?;
            format!(
                "wrote {lines} lines (at least {} bytes, seed {}){}",
                args.bytes,
                args.seed,
                describe(args.out.as_deref())
            )
        }
        CorpusCommand::Generate(args) => {
            let samples = generate(args.seed, args.count);
            with_output(args.out.as_deref(), |mut out| write_jsonl(&samples, &mut out))?;
            format!("wrote {} labeled samples (seed {}){}", samples.len(), args.seed, describe(args.out.as_deref()))
        }
    };
    Ok(summary)
}

fn describe(path: Option<&Path>) -> String {
    path.map(|p| format!(" to {}", p.display())).unwrap_or_default()
}

fn with_output<T>(path: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> anyhow::Result<T> {
    match path {
        Some(path) => {
            let file = File::create(path).with_context(|| {
                format!("cannot create {}; check that the directory exists and is writable", path.display())
            })?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            let value = write(&mut out)
                .with_context(|| format!("cannot write {}; check the free space on its disk", path.display()))?;
            out.flush().with_context(|| format!("cannot write {}", path.display()))?;
            Ok(value)
        }
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            let value = write(&mut out).context("cannot write to stdout")?;
            out.flush().context("cannot write to stdout")?;
            Ok(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::quality::read_jsonl;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: CorpusCommand,
    }

    #[test]
    fn mixed_log_writes_the_requested_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.log");
        let cli = Cli::try_parse_from([
            "corpus",
            "mixed-log",
            "--bytes",
            "300000",
            "--seed",
            "7",
            "--json-only",
            "--out",
            path.to_str().unwrap(),
        ])
        .unwrap();
        run(&cli.command).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() >= 300_000);
        assert!(text.lines().all(|l| l.starts_with('{')));
    }

    #[test]
    fn generate_writes_readable_jsonl_and_bad_paths_explain_themselves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corpus.jsonl");
        let cli =
            Cli::try_parse_from(["corpus", "generate", "--count", "25", "--out", path.to_str().unwrap()]).unwrap();
        let summary = run(&cli.command).unwrap();
        assert_eq!(summary, format!("wrote 25 labeled samples (seed 7) to {}", path.display()));
        let samples = read_jsonl(std::io::BufReader::new(File::open(&path).unwrap())).unwrap();
        assert_eq!(samples, generate(7, 25));

        let missing = dir.path().join("no-such-dir").join("x.log");
        let cli =
            Cli::try_parse_from(["corpus", "mixed-log", "--bytes", "10", "--out", missing.to_str().unwrap()]).unwrap();
        let err = run(&cli.command).unwrap_err();
        assert!(format!("{err}").contains("check that the directory exists"));
    }
}
