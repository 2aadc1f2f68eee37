//! The Intercom simulator (placeholder).
