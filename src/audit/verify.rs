//! `steward audit verify`: recomputes the hash chain and checks every checkpoint, with only the database and
//! the public key.
//!
//! **Detects**: an entry whose content was modified (its hash no longer matches); a deleted entry (a gap in
//! the sequence, and a broken link); an inserted entry (a broken link, plus a hash mismatch for every renumbered
//! entry after it); a reordering (broken links); a truncation or a whole-chain rewrite behind any checkpoint that
//! survives (in the database or in an exported file); a forged or altered checkpoint (bad signature).
//!
//! **Cannot detect**: anything after the newest surviving checkpoint when an attacker who can write the
//! database rewrites the tail and recomputes its hashes (the chain is unkeyed SHA-256, so anyone can recompute
//! it); entries appended by such an attacker; a truncation when every checkpoint behind it was deleted too and
//! no exported file is given. Keep exported checkpoints where the database's host cannot rewrite them.

use std::collections::BTreeMap;

use ed25519_dalek::VerifyingKey;

use crate::audit::checkpoint::signature_valid;
use crate::audit::entry::ChainHash;
use crate::store::{Store, StoreError, StoredCheckpoint};

/// At most this many problems are listed (all are counted).
pub const MAX_LISTED: usize = 1000;

/// The result of a verification.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// True only when the chain and every checkpoint hold.
    pub ok: bool,
    pub entries: u64,
    pub head_seq: Option<u64>,
    pub head_hash: Option<String>,
    pub checkpoints_checked: usize,
    /// The lowest sequence number at which something broke.
    pub first_broken_seq: Option<u64>,
    pub problem_count: u64,
    pub problems: Vec<Problem>,
}

/// One thing that does not hold.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The entry's content does not match its hash: it was modified (or renumbered).
    Modified { seq: u64 },
    /// Sequence numbers jump: entries were deleted.
    Missing { expected: u64, found: u64 },
    /// The entry does not link to the one before it: an entry was inserted, deleted or reordered here.
    Unlinked { seq: u64 },
    /// A checkpoint covers entries that are no longer there.
    Truncated { checkpoint_seq: u64, last_seq: Option<u64> },
    /// A checkpoint's head hash differs from the entry at its sequence: history was rewritten.
    CheckpointMismatch { seq: u64 },
    /// A checkpoint's signature is not valid under the public key.
    BadSignature { seq: u64 },
}

impl Problem {
    /// The sequence number the problem is at.
    pub fn seq(&self) -> u64 {
        match *self {
            Problem::Modified { seq }
            | Problem::Unlinked { seq }
            | Problem::CheckpointMismatch { seq }
            | Problem::BadSignature { seq } => seq,
            Problem::Missing { expected, .. } => expected,
            Problem::Truncated { last_seq, .. } => last_seq.map_or(1, |s| s + 1),
        }
    }

    /// A sentence for people.
    pub fn describe(&self) -> String {
        match *self {
            Problem::Modified { seq } => {
                format!("entry {seq}: content does not match its hash (modified or renumbered)")
            }
            Problem::Missing { expected, found } => {
                format!("entries {expected}..{} are missing (deleted)", found - 1)
            }
            Problem::Unlinked { seq } => format!(
                "entry {seq}: does not link to the entry before it (an entry was inserted, deleted or reordered)"
            ),
            Problem::Truncated { checkpoint_seq, last_seq } => match last_seq {
                Some(last) => format!("log truncated: checkpoint covers entry {checkpoint_seq}, log ends at {last}"),
                None => format!("log truncated: checkpoint covers entry {checkpoint_seq}, log is empty"),
            },
            Problem::CheckpointMismatch { seq } => {
                format!("checkpoint at entry {seq}: head hash differs (history rewritten)")
            }
            Problem::BadSignature { seq } => {
                format!("checkpoint at entry {seq}: signature invalid under this public key (forged or altered)")
            }
        }
    }
}

/// Verifies the whole log against its stored checkpoints and `extra` ones (e.g. from an exported file).
pub fn verify(store: &Store, public: &VerifyingKey, extra: &[StoredCheckpoint]) -> Result<VerifyReport, StoreError> {
    let mut checkpoints = store.checkpoints()?;
    checkpoints.extend_from_slice(extra);
    let mut wanted: BTreeMap<u64, Option<String>> = checkpoints.iter().map(|c| (c.seq, None)).collect();

    let mut report = VerifyReport {
        ok: true,
        entries: 0,
        head_seq: None,
        head_hash: None,
        checkpoints_checked: checkpoints.len(),
        first_broken_seq: None,
        problem_count: 0,
        problems: Vec::new(),
    };
    let mut problems = Vec::new();
    let mut expected_seq = 1u64;
    let mut prev = ChainHash::GENESIS;
    let mut prev_hex = prev.to_hex();
    store.scan_audit(None, &mut |record| {
        report.entries += 1;
        if record.seq > expected_seq {
            problems.push(Problem::Missing { expected: expected_seq, found: record.seq });
        }
        if record.prev_hash != prev_hex {
            problems.push(Problem::Unlinked { seq: record.seq });
        }
        // The content is hashed after the previous hash it claims, so a modification shows here even when
        // the link is also broken.
        let claimed_prev = ChainHash::from_hex(&record.prev_hash).unwrap_or(ChainHash([0xff; 32]));
        if record.compute_hash(&claimed_prev).to_hex() != record.hash {
            problems.push(Problem::Modified { seq: record.seq });
        }
        if let Some(slot) = wanted.get_mut(&record.seq) {
            *slot = Some(record.hash.clone());
        }
        expected_seq = record.seq.saturating_add(1);
        prev = ChainHash::from_hex(&record.hash).unwrap_or(ChainHash([0xff; 32]));
        prev_hex = record.hash.clone();
        report.head_seq = Some(record.seq);
        true
    })?;
    report.head_hash = report.head_seq.map(|_| prev_hex.clone());

    for checkpoint in &checkpoints {
        if !signature_valid(checkpoint, public) {
            problems.push(Problem::BadSignature { seq: checkpoint.seq });
            continue;
        }
        match wanted.get(&checkpoint.seq).cloned().flatten() {
            None => problems.push(Problem::Truncated { checkpoint_seq: checkpoint.seq, last_seq: report.head_seq }),
            Some(hash) if hash != checkpoint.head_hash => {
                problems.push(Problem::CheckpointMismatch { seq: checkpoint.seq })
            }
            Some(_) => {}
        }
    }
    problems.dedup();
    report.problem_count = problems.len() as u64;
    report.first_broken_seq = problems.iter().map(Problem::seq).min();
    report.ok = problems.is_empty();
    problems.truncate(MAX_LISTED);
    report.problems = problems;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::audit::checkpoint;
    use crate::audit::entry::{Action, Actor, AuditDraft, Outcome};
    use crate::keys::Keys;
    use crate::store::sqlite::tamper;
    use crate::store::DB_FILE;

    fn keys() -> Keys {
        Keys::from_parts([4; 32], &[&[6; 32]]).unwrap()
    }

    /// A log of `n` entries, a stored checkpoint at its end, and the exported checkpoint.
    fn setup(n: u64) -> (tempfile::TempDir, Store, StoredCheckpoint) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for i in 0..n {
            store.append_audit(&AuditDraft::new(Actor::System, Action::Test, Outcome::Ok).count("i", i)).unwrap();
        }
        let cp = checkpoint::write(&store, &keys()).unwrap().unwrap();
        (dir, store, cp)
    }

    fn attack(dir: &Path, sql: &str) {
        tamper::raw(
            &dir.join(DB_FILE),
            &format!(
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
                 DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete; {sql}"
            ),
        );
    }

    #[test]
    fn an_untouched_log_verifies() {
        let (_dir, store, cp) = setup(20);
        let report = verify(&store, &keys().public_key(), &[cp]).unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.entries, 20);
        assert_eq!(report.head_seq, Some(20));
        assert_eq!(report.checkpoints_checked, 2);
        assert_eq!(report.first_broken_seq, None);
    }

    #[test]
    fn detects_a_modified_entry() {
        let (dir, store, cp) = setup(10);
        attack(dir.path(), "UPDATE audit_log SET outcome = 'denied' WHERE seq = 5;");
        let report = verify(&store, &keys().public_key(), &[cp]).unwrap();
        assert!(!report.ok);
        assert_eq!(report.first_broken_seq, Some(5));
        assert_eq!(report.problems[0], Problem::Modified { seq: 5 });
    }

    #[test]
    fn detects_a_deleted_entry() {
        let (dir, store, cp) = setup(10);
        attack(dir.path(), "DELETE FROM audit_log WHERE seq = 4;");
        let report = verify(&store, &keys().public_key(), &[cp]).unwrap();
        assert!(!report.ok);
        assert_eq!(report.first_broken_seq, Some(4));
        assert!(report.problems.contains(&Problem::Missing { expected: 4, found: 5 }));
        assert!(report.problems.contains(&Problem::Unlinked { seq: 5 }));
    }

    #[test]
    fn detects_an_inserted_entry() {
        let (dir, store, cp) = setup(10);
        // Renumber entries 5.. upwards and slip a well-formed forged entry in at 5, linked to entry 4.
        let head4 = {
            let mut h = String::new();
            store
                .scan_audit(None, &mut |r| {
                    if r.seq == 4 {
                        h = r.hash.clone();
                    }
                    true
                })
                .unwrap();
            h
        };
        let forged = AuditDraft::new(Actor::Cli, Action::RequestClosed, Outcome::Fulfilled).seal(
            5,
            1,
            &ChainHash::from_hex(&head4).unwrap(),
        );
        attack(
            dir.path(),
            &format!(
                "UPDATE audit_log SET seq = -seq WHERE seq >= 5;
                 UPDATE audit_log SET seq = 1 - seq WHERE seq < 0;
                 INSERT INTO audit_log VALUES (5, 1, '{}', '{}', NULL, '[]', '{{}}', '{}', '{}', '{}');",
                forged.actor, forged.action, forged.outcome, forged.prev_hash, forged.hash
            ),
        );
        let report = verify(&store, &keys().public_key(), &[cp]).unwrap();
        assert!(!report.ok);
        assert_eq!(report.entries, 11);
        assert_eq!(report.first_broken_seq, Some(6), "{report:?}");
        assert!(report.problems.contains(&Problem::Unlinked { seq: 6 }));
        assert!(report.problems.contains(&Problem::Modified { seq: 6 }));
    }

    #[test]
    fn detects_a_reordering() {
        let (dir, store, cp) = setup(10);
        attack(
            dir.path(),
            "UPDATE audit_log SET seq = 100 WHERE seq = 6;
             UPDATE audit_log SET seq = 6 WHERE seq = 7;
             UPDATE audit_log SET seq = 7 WHERE seq = 100;",
        );
        let report = verify(&store, &keys().public_key(), &[cp]).unwrap();
        assert!(!report.ok);
        assert_eq!(report.first_broken_seq, Some(6), "{report:?}");
        assert!(report.problems.contains(&Problem::Unlinked { seq: 6 }));
    }

    #[test]
    fn detects_truncation_behind_an_exported_checkpoint() {
        let (dir, store, cp) = setup(10);
        let file = dir.path().join("exported.jsonl");
        checkpoint::export(&cp, &file).unwrap();
        // The attacker removes the tail and every stored checkpoint; the exported file still knows.
        attack(dir.path(), "DELETE FROM audit_log WHERE seq > 7; DELETE FROM audit_checkpoints;");
        let exported = checkpoint::read_file(&file).unwrap();
        let report = verify(&store, &keys().public_key(), &exported).unwrap();
        assert!(!report.ok);
        assert_eq!(report.problems, vec![Problem::Truncated { checkpoint_seq: 10, last_seq: Some(7) }]);
        assert_eq!(report.first_broken_seq, Some(8));
        // Without the exported file this truncation is invisible: documented.
        assert!(verify(&store, &keys().public_key(), &[]).unwrap().ok);
    }

    #[test]
    fn detects_a_rewritten_chain_behind_a_checkpoint_and_forged_checkpoints() {
        let (dir, store, cp) = setup(6);
        // Rewrite entry 3 and recompute every hash after it, as a careful attacker would.
        attack(dir.path(), "DELETE FROM audit_log WHERE seq >= 3;");
        let mut prev = store.audit_head().unwrap().unwrap().1;
        let mut sql = String::new();
        for seq in 3..=6u64 {
            let r = AuditDraft::new(Actor::System, Action::Test, Outcome::Refused).seal(seq, 2, &prev);
            sql.push_str(&format!(
                "INSERT INTO audit_log VALUES ({seq}, 2, '{}', '{}', NULL, '[]', '{{}}', '{}', '{}', '{}');",
                r.actor, r.action, r.outcome, r.prev_hash, r.hash
            ));
            prev = ChainHash::from_hex(&r.hash).unwrap();
        }
        attack_again(dir.path(), &sql);
        let report = verify(&store, &keys().public_key(), &[]).unwrap();
        assert_eq!(report.problems, vec![Problem::CheckpointMismatch { seq: cp.seq }]);
        // A checkpoint signed by another key is refused.
        let mut forged = checkpoint::sign(&Keys::from_parts([8; 32], &[&[6; 32]]).unwrap(), 6, &prev, 0);
        forged.key_fingerprint = cp.key_fingerprint.clone();
        let report = verify(&store, &keys().public_key(), &[forged]).unwrap();
        assert!(report.problems.contains(&Problem::BadSignature { seq: 6 }));
    }

    fn attack_again(dir: &Path, sql: &str) {
        tamper::raw(&dir.join(DB_FILE), sql);
    }

    #[test]
    fn values_of_the_wrong_type_are_reported_not_fatal() {
        let (dir, store, cp) = setup(5);
        attack(
            dir.path(),
            "UPDATE audit_log SET time_ms = 'noon', actor = 7 WHERE seq = 2; UPDATE audit_log SET counts = x'00' WHERE seq = 4;",
        );
        let report = verify(&store, &keys().public_key(), &[cp]).unwrap();
        assert_eq!(report.problems, vec![Problem::Modified { seq: 2 }, Problem::Modified { seq: 4 }]);
    }

    #[test]
    fn problems_have_readable_descriptions() {
        let text = Problem::Missing { expected: 4, found: 6 }.describe();
        assert_eq!(text, "entries 4..5 are missing (deleted)");
        assert!(Problem::Unlinked { seq: 3 }.describe().contains("entry 3"));
    }
}
