//! The compliance subcommands of `steward` (`init`, `keys`, `audit`, `requests`): argument parsing and output.
//!
//! Each subcommand calls one library function and prints its result; `--json` prints machine-readable output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::audit::entry::Actor;
use crate::audit::{checkpoint, export, verify};
use crate::calendar::CivilDate;
use crate::compliance::deadlines::{Calendar, Regime, RequestKind};
use crate::compliance::requests::{self, LedgerConfig, Manner, NewRequest, RequestRecord};
use crate::compliance::subject::{SubjectId, SubjectKind};
use crate::keys::{self, Keys};
use crate::store::{RequestOutcome, Store};
use crate::telemetry;

/// The compliance subcommands; flatten this into the program's subcommand enum.
#[derive(Debug, Subcommand)]
pub enum ComplianceCommand {
    /// Create the data directory, the database and the keys (never overwrites existing keys).
    Init(DataDirArgs),
    /// Show or rotate the keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Verify, checkpoint or export the tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The ledger of data-subject requests and their legal deadlines.
    Requests {
        #[command(subcommand)]
        command: RequestsCommand,
    },
}

/// Where the state lives.
#[derive(Debug, Args)]
pub struct DataDirArgs {
    /// The data directory (database and keys).
    #[arg(long, env = "STEWARD_DATA_DIR", default_value = "steward-data", global = true)]
    pub data_dir: PathBuf,
}

/// `steward keys ...`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print the public signing key and its fingerprint.
    Show {
        #[command(flatten)]
        dir: DataDirArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Start a new subject-hashing key; older ones are kept (with ids) so old tokens stay computable.
    RotateSubjectKey {
        #[command(flatten)]
        dir: DataDirArgs,
    },
}

/// `steward audit ...`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and check every checkpoint; exit 0 only when everything holds.
    Verify {
        #[command(flatten)]
        dir: DataDirArgs,
        /// An exported checkpoint file (JSON lines) to check as well.
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
        /// The public key in hex (default: keys/signing.ed25519.pub of the data directory).
        #[arg(long)]
        public_key: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sign a checkpoint of the current head, optionally appending it to a file kept elsewhere.
    Checkpoint {
        #[command(flatten)]
        dir: DataDirArgs,
        /// Append the checkpoint to this file as a JSON line.
        #[arg(long)]
        export: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export the log for a regulator or an auditor.
    Export {
        #[command(flatten)]
        dir: DataDirArgs,
        /// jsonl or csv.
        #[arg(long)]
        format: export::Format,
        /// Only entries from this date (YYYY-MM-DD, UTC) on.
        #[arg(long)]
        since: Option<CivilDate>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Ledger settings shared by the `requests` subcommands.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    #[command(flatten)]
    pub dir: DataDirArgs,
    /// Public holidays (YYYY-MM-DD, comma-separated or repeated) that move deadlines like weekends.
    #[arg(long = "holiday", env = "STEWARD_HOLIDAYS", value_delimiter = ',', global = true)]
    pub holidays: Vec<CivilDate>,
    /// Months a closed request is kept before it expires.
    #[arg(long, env = "STEWARD_RETENTION_MONTHS", default_value_t = 24, global = true)]
    pub retention_months: u32,
}

/// The subject of a new request: exactly one identifier.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SubjectArgs {
    /// The subject's email address.
    #[arg(long)]
    pub email: Option<String>,
    /// The subject's external id.
    #[arg(long)]
    pub external_id: Option<String>,
    /// The subject's Intercom contact id.
    #[arg(long)]
    pub contact_id: Option<String>,
}

/// `steward requests ...`
#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// Record a new request and print it with its deadlines.
    New {
        #[command(flatten)]
        ledger: LedgerArgs,
        /// access, erasure, rectification or opt-out.
        #[arg(long)]
        kind: RequestKind,
        /// gdpr, uk-gdpr or ccpa.
        #[arg(long)]
        regime: Regime,
        #[command(flatten)]
        subject: SubjectArgs,
        /// The date it was received (default: today, UTC).
        #[arg(long)]
        received: Option<CivilDate>,
        /// How it was received (email, web-form, phone...).
        #[arg(long, default_value = "cli")]
        manner: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List requests (expiring those past retention first).
    List {
        #[command(flatten)]
        ledger: LedgerArgs,
        /// Only open requests past their due date.
        #[arg(long)]
        overdue: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one request.
    Show {
        #[command(flatten)]
        ledger: LedgerArgs,
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Extend the deadline once, with a reason, before the original due date.
    Extend {
        #[command(flatten)]
        ledger: LedgerArgs,
        id: i64,
        /// Why more time is needed (kept in the record; it is also what the notice to the subject says).
        #[arg(long)]
        reason: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Close a request with its outcome and basis; the readable identifier is removed.
    Close {
        #[command(flatten)]
        ledger: LedgerArgs,
        id: i64,
        /// fulfilled or denied.
        #[arg(long, value_parser = parse_outcome)]
        outcome: RequestOutcome,
        /// What was done, or the legal basis for a denial.
        #[arg(long)]
        basis: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete closed requests past retention now (listing does it too).
    Expire {
        #[command(flatten)]
        ledger: LedgerArgs,
    },
}

/// Runs a compliance subcommand; prints errors (through the engine) and returns the exit code.
pub fn run(command: ComplianceCommand) -> ExitCode {
    match dispatch(command) {
        Ok(code) => code,
        Err(error) => {
            // Errors quote paths and values the user gave (a data directory, a subject's email): redact them.
            telemetry::eprint_redacted(&format!("error: {error:#}"));
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: ComplianceCommand) -> Result<ExitCode> {
    match command {
        ComplianceCommand::Init(dir) => {
            let report = keys::init(&dir.data_dir)?;
            // The data directory is a path the user gave, so it goes through the engine; the key's hex does not.
            telemetry::print_redacted(&format!("initialized {}", report.data_dir.display()));
            println!("public key:  {}", report.public_key_hex);
            println!("fingerprint: {}", report.fingerprint);
            Ok(ExitCode::SUCCESS)
        }
        ComplianceCommand::Keys { command } => keys_command(command),
        ComplianceCommand::Audit { command } => audit_command(command),
        ComplianceCommand::Requests { command } => requests_command(command),
    }
}

fn keys_command(command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Show { dir, json } => {
            let public = keys::load_public_key(&dir.data_dir, None)?;
            let public_hex = hex::encode(public.as_bytes());
            let fingerprint = keys::fingerprint(&public);
            let subject_ids: Vec<u32> = match Keys::load(&dir.data_dir) {
                Ok(k) => k.subject().all().map(|k| k.id).collect(),
                Err(_) => Vec::new(),
            };
            if json {
                let value = serde_json::json!({
                    "algorithm": "ed25519",
                    "public_key": public_hex,
                    "fingerprint": fingerprint,
                    "subject_key_ids": subject_ids,
                });
                println!("{value}");
            } else {
                println!("algorithm:   ed25519");
                println!("public key:  {public_hex}");
                println!("fingerprint: {fingerprint}");
                if let Some((current, older)) = subject_ids.split_first() {
                    println!("subject key: id {current} (older ids: {older:?})");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::RotateSubjectKey { dir } => {
            let id = keys::rotate_subject_key(&dir.data_dir)?;
            println!("new subject key id {id}; older keys are kept for lookups");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn open_store(dir: &Path) -> Result<Store> {
    if !dir.join(crate::store::DB_FILE).exists() {
        anyhow::bail!(
            "no Steward state in {}; run `steward init` first, or point --data-dir / STEWARD_DATA_DIR at it",
            dir.display()
        );
    }
    Store::open(dir).with_context(|| format!("cannot open the state in {}", dir.display()))
}

fn audit_command(command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Verify { dir, checkpoint: files, public_key, json } => {
            let public = keys::load_public_key(&dir.data_dir, public_key.as_deref())?;
            let mut extra = Vec::new();
            for file in &files {
                extra.extend(checkpoint::read_file(file)?);
            }
            let store = open_store(&dir.data_dir)?;
            let report = verify::verify(&store, &public, &extra)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else if report.ok {
                println!(
                    "audit log OK: {} entries, head {}, {} checkpoints verified",
                    report.entries,
                    report.head_seq.map_or("none".to_owned(), |s| s.to_string()),
                    report.checkpoints_checked
                );
            } else {
                println!(
                    "audit log BROKEN at entry {}: {} problem(s)",
                    report.first_broken_seq.unwrap_or(0),
                    report.problem_count
                );
                for problem in &report.problems {
                    println!("  {}", problem.describe());
                }
            }
            Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        AuditCommand::Checkpoint { dir, export, json } => {
            let keys = Keys::load(&dir.data_dir)?;
            let store = open_store(&dir.data_dir)?;
            let Some(cp) = checkpoint::write(&store, &keys)? else {
                println!("the audit log is empty; nothing to checkpoint");
                return Ok(ExitCode::SUCCESS);
            };
            if let Some(path) = &export {
                checkpoint::export(&cp, path)?;
            }
            if json {
                println!("{}", serde_json::to_string(&cp)?);
            } else {
                println!("checkpoint at entry {}: {}", cp.seq, cp.head_hash);
                if let Some(path) = &export {
                    telemetry::print_redacted(&format!("appended to {}", path.display()));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export { dir, format, since, output } => {
            let store = open_store(&dir.data_dir)?;
            let count = match output {
                Some(path) => {
                    let file =
                        std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
                    let mut out = std::io::BufWriter::new(file);
                    let n = export::export(&store, format, since, &mut out)?;
                    out.flush()?;
                    n
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut out = std::io::BufWriter::new(stdout.lock());
                    let n = export::export(&store, format, since, &mut out)?;
                    out.flush()?;
                    n
                }
            };
            eprintln!("exported {count} entries");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn ledger(args: &LedgerArgs) -> Result<(Store, LedgerConfig)> {
    let store = open_store(&args.dir.data_dir)?;
    let config = LedgerConfig {
        calendar: Calendar::with_holidays(args.holidays.iter().copied()),
        retention_months: args.retention_months,
    };
    Ok((store, config))
}

fn requests_command(command: RequestsCommand) -> Result<ExitCode> {
    let today = CivilDate::today_utc();
    match command {
        RequestsCommand::New { ledger: args, kind, regime, subject, received, manner, json } => {
            let (store, config) = ledger(&args)?;
            let keys = Keys::load(&args.dir.data_dir)?;
            let subject = match (subject.email, subject.external_id, subject.contact_id) {
                (Some(v), _, _) => SubjectId::parse(SubjectKind::Email, &v)?,
                (_, Some(v), _) => SubjectId::parse(SubjectKind::ExternalId, &v)?,
                (_, _, Some(v)) => SubjectId::parse(SubjectKind::ContactId, &v)?,
                _ => anyhow::bail!("give one of --email, --external-id or --contact-id"),
            };
            let new = NewRequest { kind, regime, subject, received, manner: Manner::new(&manner)? };
            let record = requests::create(&store, &keys, &config, new, Actor::Cli, today)?;
            print_one(&record, json)
        }
        RequestsCommand::List { ledger: args, overdue, json } => {
            let (store, _) = ledger(&args)?;
            let records = requests::list(&store, overdue, today)?;
            if json {
                println!("{}", serde_json::to_string(&records)?);
            } else {
                println!(
                    "{:>6}  {:<13}  {:<7}  {:<6}  {:<10}  {:<10}  {:<10}  overdue",
                    "id", "kind", "regime", "status", "received", "due", "ack due"
                );
                for r in &records {
                    println!(
                        "{:>6}  {:<13}  {:<7}  {:<6}  {}  {}  {:<10}  {}",
                        r.id,
                        r.kind,
                        r.regime,
                        r.status,
                        r.received_date,
                        r.due_date,
                        r.ack_due_date.map_or("-".to_owned(), |d| d.to_string()),
                        if r.overdue { "OVERDUE" } else { "" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RequestsCommand::Show { ledger: args, id, json } => {
            let (store, _) = ledger(&args)?;
            print_one(&requests::get(&store, id, today)?, json)
        }
        RequestsCommand::Extend { ledger: args, id, reason, json } => {
            let (store, config) = ledger(&args)?;
            let record = requests::extend(&store, &config, id, &reason, Actor::Cli, today)?;
            print_one(&record, json)
        }
        RequestsCommand::Close { ledger: args, id, outcome, basis, json } => {
            let (store, config) = ledger(&args)?;
            let record = requests::close(&store, &config, id, outcome, &basis, Actor::Cli, today)?;
            print_one(&record, json)
        }
        RequestsCommand::Expire { ledger: args } => {
            let (store, _) = ledger(&args)?;
            let count = requests::expire(&store, today)?;
            println!("expired {count} request(s)");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_one(record: &RequestRecord, json: bool) -> Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string(record)?);
        return Ok(ExitCode::SUCCESS);
    }
    let value = serde_json::to_value(record)?;
    if let Some(map) = value.as_object() {
        for (key, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "-".to_owned(),
                other => other.to_string(),
            };
            println!("{key:<18} {text}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_outcome(text: &str) -> Result<RequestOutcome, String> {
    match text {
        "fulfilled" => Ok(RequestOutcome::Fulfilled),
        "denied" => Ok(RequestOutcome::Denied),
        _ => Err("use fulfilled or denied".to_owned()),
    }
}
