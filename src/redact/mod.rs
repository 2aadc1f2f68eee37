//! The redaction engine: finds personal data in log lines (JSON, text, HTML) and rewrites it per the rules.

pub mod pseudonym;

pub use pseudonym::{HashKey, HashKeyError};
