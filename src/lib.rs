//! Steward: a log-redaction streaming proxy with GDPR/CCPA compliance actions for Intercom.

pub mod admin;
pub mod audit;
pub mod calendar;
pub mod cmd;
pub mod compliance;
pub mod intercom;
pub mod keys;
pub mod pii;
pub mod proxy;
pub mod quality;
pub mod redact;
pub mod rules;
pub mod sim;
pub mod store;
pub mod telemetry;
