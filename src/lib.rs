//! Steward: a log-redaction streaming proxy with GDPR/CCPA compliance actions for Intercom.

pub mod admin;
pub mod proxy;
pub mod redact;
// SHIM (do not merge): stand-ins for the engine API of issue [1/7].
pub mod redact_shim;
pub use redact_shim::rules;
