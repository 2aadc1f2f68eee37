//! Measures audit append throughput (single writer) and `audit verify` throughput; prints the figures.
//!
//! `cargo run --release --example audit_bench -- [DIR] [ENTRIES]` (defaults: a temporary directory, 1,000,000).
//! Appends one entry per transaction (each commit synced, as Steward writes them) for a few seconds, then fills
//! the log to ENTRIES in batches of 1,000 per transaction, then verifies the whole chain.

use std::time::{Duration, Instant};

use steward::audit::entry::{Action, Actor, AuditDraft, ObjectKind, Outcome, SafeId, SubjectHash};
use steward::audit::{checkpoint, verify};
use steward::keys::Keys;
use steward::store::Store;

fn draft(i: u64) -> AuditDraft {
    let mut subject = [0u8; 32];
    subject[..8].copy_from_slice(&i.to_be_bytes());
    AuditDraft::new(Actor::System, Action::RequestCreated, Outcome::Ok)
        .subject(SubjectHash(subject))
        .object(ObjectKind::Request, SafeId::from_number(i as i64))
        .count("records", i % 17)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let base = match args.next() {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::env::temp_dir(),
    };
    let total: u64 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1_000_000);
    let dir = tempfile::tempdir_in(&base)?;
    let store = Store::open(dir.path())?;
    let keys = Keys::from_parts([7; 32], &[&[9; 32]])?;

    // 1. One entry per synced transaction, for about three seconds.
    let start = Instant::now();
    let mut single = 0u64;
    while start.elapsed() < Duration::from_secs(3) && single < total {
        store.append_audit(&draft(single))?;
        single += 1;
    }
    let single_secs = start.elapsed().as_secs_f64();
    println!(
        "append, one synced transaction per entry: {single} entries in {single_secs:.2} s = {:.0} entries/s",
        single as f64 / single_secs
    );

    // 2. Fill the log in batches.
    let start = Instant::now();
    let mut written = single;
    while written < total {
        let n = (total - written).min(1000);
        let drafts: Vec<AuditDraft> = (written..written + n).map(draft).collect();
        store.append_audit_batch(&drafts)?;
        written += n;
    }
    let batch_secs = start.elapsed().as_secs_f64();
    println!(
        "append, 1000 entries per transaction: {} entries in {batch_secs:.2} s = {:.0} entries/s",
        written - single,
        (written - single) as f64 / batch_secs
    );
    checkpoint::write(&store, &keys)?;

    // 3. Verify the whole chain.
    let start = Instant::now();
    let report = verify::verify(&store, &keys.public_key(), &[])?;
    let verify_secs = start.elapsed().as_secs_f64();
    anyhow::ensure!(report.ok, "the fresh log does not verify: {:?}", report.problems.first());
    println!(
        "verify: {} entries in {verify_secs:.2} s = {:.0} entries/s",
        report.entries,
        report.entries as f64 / verify_secs
    );
    let db = std::fs::metadata(dir.path().join(steward::store::DB_FILE))?.len();
    println!("database size: {:.1} MiB ({} bytes/entry)", db as f64 / 1048576.0, db / total.max(1));
    Ok(())
}
