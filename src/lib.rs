//! Steward: a log-redaction streaming proxy with GDPR/CCPA compliance actions for Intercom.

pub mod intercom;
pub mod redact;
pub mod sim;
