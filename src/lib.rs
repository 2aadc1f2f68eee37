//! Steward: a log-redaction streaming proxy with GDPR/CCPA compliance actions for Intercom.

pub mod cmd;
pub mod pii;
pub mod quality;
pub mod redact;
pub mod rules;
pub mod telemetry;
