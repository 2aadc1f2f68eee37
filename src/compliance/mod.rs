//! Compliance actions: the request ledger with its legal deadlines, and the admin API that exposes them.

pub mod api;
pub mod cli;
pub mod deadlines;
pub mod jobs;
pub mod requests;
pub mod subject;
