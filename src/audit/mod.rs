//! The append-only, hash-chained audit log: entries, signed checkpoints, verification and export.

pub mod entry;
