//! Subcommand implementations: each turns parsed arguments into library calls and an exit code.

pub mod redact;
pub mod rules;
pub mod score;

use std::path::PathBuf;

use anyhow::Context;

use crate::redact::HashKey;

/// The key for the `hash` action: `STEWARD_HASH_KEY` (hex), else `<data dir>/keys/subject-hmac.key` when it exists.
pub fn hash_key_from_environment() -> anyhow::Result<Option<HashKey>> {
    if let Ok(hex) = std::env::var("STEWARD_HASH_KEY") {
        let key = HashKey::from_hex(&hex).context("STEWARD_HASH_KEY is not a usable key")?;
        return Ok(Some(key));
    }
    let path = data_dir().join("keys").join("subject-hmac.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = HashKey::from_hex(&text).with_context(|| format!("{} is not a usable key", path.display()))?;
            Ok(Some(key))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The data directory: `STEWARD_DATA_DIR`, else `./steward-data`.
pub fn data_dir() -> PathBuf {
    std::env::var_os("STEWARD_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("steward-data"))
}
