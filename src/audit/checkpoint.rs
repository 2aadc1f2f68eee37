//! Signed checkpoints: `(sequence, head hash, time)` signed with Ed25519, stored and exportable to a file.
//!
//! Signed message: `"steward.audit.checkpoint.v1" 0x00 ‖ u64 seq ‖ 32-byte head hash ‖ i64 time_ms` (big-endian).
//! The export file holds one checkpoint per line as JSON (`seq`, `head_hash`, `time_ms`, `key_fingerprint`,
//! `signature`, all hex where binary); keep it somewhere the database's host cannot rewrite.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signature, Verifier, VerifyingKey};

use crate::audit::entry::ChainHash;
use crate::keys::{fingerprint, Keys};
use crate::store::{Store, StoreError, StoredCheckpoint};

/// Why a checkpoint file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointFileError {
    #[error("cannot read or write the checkpoint file: {0}; check the path")]
    Io(#[from] std::io::Error),
    #[error("line {0} of the checkpoint file is not a checkpoint; it must be JSON as written by `steward audit checkpoint --export`")]
    Malformed(usize),
}

/// The bytes a checkpoint's signature covers.
pub fn message(seq: u64, head: &ChainHash, time_ms: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(80);
    out.extend_from_slice(b"steward.audit.checkpoint.v1\0");
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&head.0);
    out.extend_from_slice(&time_ms.to_be_bytes());
    out
}

/// Signs the current head and stores the checkpoint; `None` when the log is empty.
pub fn write(store: &Store, keys: &Keys) -> Result<Option<StoredCheckpoint>, StoreError> {
    let Some((seq, head)) = store.audit_head()? else {
        return Ok(None);
    };
    let time_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let checkpoint = sign(keys, seq, &head, time_ms);
    store.insert_checkpoint(&checkpoint)?;
    Ok(Some(checkpoint))
}

/// A checkpoint of `head` at `seq`, signed.
pub fn sign(keys: &Keys, seq: u64, head: &ChainHash, time_ms: i64) -> StoredCheckpoint {
    StoredCheckpoint {
        seq,
        head_hash: head.to_hex(),
        time_ms,
        key_fingerprint: fingerprint(&keys.public_key()),
        signature: hex::encode(keys.sign(&message(seq, head, time_ms))),
    }
}

/// Whether the checkpoint's signature is valid under `public`.
pub fn signature_valid(checkpoint: &StoredCheckpoint, public: &VerifyingKey) -> bool {
    let Some(head) = ChainHash::from_hex(&checkpoint.head_hash) else {
        return false;
    };
    let Some(bytes) = hex::decode(&checkpoint.signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
        return false;
    };
    let signature = Signature::from_bytes(&bytes);
    public.verify(&message(checkpoint.seq, &head, checkpoint.time_ms), &signature).is_ok()
}

/// Appends the checkpoint as one JSON line to `path` (created if needed) and syncs it.
pub fn export(checkpoint: &StoredCheckpoint, path: &Path) -> Result<(), CheckpointFileError> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    let line = serde_json::to_string(checkpoint).map_err(|_| CheckpointFileError::Malformed(0))?;
    file.write_all(line.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

/// Reads a checkpoint file (one JSON checkpoint per line; blank lines ignored).
pub fn read_file(path: &Path) -> Result<Vec<StoredCheckpoint>, CheckpointFileError> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).map_err(|_| CheckpointFileError::Malformed(i + 1))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::{Action, Actor, AuditDraft, Outcome};

    #[test]
    fn checkpoints_sign_the_head_and_round_trip_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let keys = Keys::from_parts([1; 32], &[&[2; 32]]).unwrap();
        assert!(write(&store, &keys).unwrap().is_none());
        store.append_audit(&AuditDraft::new(Actor::Cli, Action::Test, Outcome::Ok)).unwrap();
        let checkpoint = write(&store, &keys).unwrap().unwrap();
        assert_eq!(checkpoint.seq, 1);
        assert!(signature_valid(&checkpoint, &keys.public_key()));
        let other = Keys::from_parts([9; 32], &[&[2; 32]]).unwrap();
        assert!(!signature_valid(&checkpoint, &other.public_key()));
        let mut forged = checkpoint.clone();
        forged.seq = 2;
        assert!(!signature_valid(&forged, &keys.public_key()));
        let file = dir.path().join("checkpoints.jsonl");
        export(&checkpoint, &file).unwrap();
        export(&checkpoint, &file).unwrap();
        assert_eq!(read_file(&file).unwrap(), vec![checkpoint.clone(), checkpoint]);
        std::fs::write(&file, "not json\n").unwrap();
        assert!(matches!(read_file(&file), Err(CheckpointFileError::Malformed(1))));
    }
}
