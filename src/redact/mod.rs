//! The redaction engine: finds personal data in log lines (JSON, text, HTML) and rewrites it per the rules.

pub mod pseudonym;

pub use pseudonym::{HashKey, HashKeyError};

// SHIM (do not merge): the engine API of issue [1/7], provided by the stand-in until the merge.
pub use crate::redact_shim::engine::{Engine, Redactor, Stats};
