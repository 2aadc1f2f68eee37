//! Pure PII knowledge shared by the rules and the engine: checksum validators, numbering plans, keyed pseudonyms.
//!
//! Nothing here does I/O or depends on another module of ours.

pub mod phone;
pub mod pseudonym;
pub mod validate;

pub use pseudonym::{HashKey, HashKeyError};

/// True when `code` names a phone region whose national plan the engine knows.
pub fn phone_region_known(code: &str) -> bool {
    phone::Region::from_code(code).is_some()
}
