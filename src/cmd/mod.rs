//! Subcommand implementations: each turns parsed arguments into library calls and an exit code.

pub mod demo;
pub mod doctor;
pub mod redact;
pub mod rules;
pub mod score;

use crate::redact::HashKey;

/// The key for the `hash` action: `STEWARD_HASH_KEY` (hex), else `<data dir>/keys/subject-hmac.key` when it exists.
pub fn hash_key_from_environment() -> anyhow::Result<Option<HashKey>> {
    Ok(crate::keys::log_hash_key(&crate::keys::default_data_dir())?)
}
