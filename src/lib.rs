//! Steward: a log-redaction streaming proxy with GDPR/CCPA compliance actions for Intercom.

pub mod audit;
pub mod compliance;
pub mod keys;
pub mod redact;
pub mod store;
