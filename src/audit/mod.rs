//! The append-only, hash-chained audit log: entries, signed checkpoints, verification and export.

pub mod checkpoint;
pub mod entry;
pub mod export;
pub mod verify;
