//! The compliance state: a narrow storage interface ([`Backend`]) and its embedded SQLite implementation.
//!
//! All SQL lives in this module. Every change that must be audited takes its [`AuditDraft`] and writes the
//! audit entry in the same transaction, so a change without its entry (or the reverse) cannot be committed.
//! A PostgreSQL backend for several proxies sharing one state implements the same trait; callers hold a
//! [`Store`] and never see which backend is behind it.

pub mod sqlite;

use std::ops::Deref;
use std::path::Path;

use crate::audit::entry::{AuditDraft, AuditRecord, ChainHash, SubjectHash};
use crate::calendar::CivilDate;
use crate::compliance::deadlines::{Regime, RequestKind};
use crate::compliance::subject::SubjectKind;

/// The database file name inside the data directory.
pub const DB_FILE: &str = "steward.db";

/// A handle on the compliance state.
pub struct Store {
    backend: Box<dyn Backend>,
}

/// What the rest of Steward may ask of the state. Each mutating call is one transaction.
pub trait Backend: Send + Sync {
    /// The schema version in force.
    fn schema_version(&self) -> Result<u32, StoreError>;

    /// Appends one audit entry on its own (for actions that change nothing else).
    fn append_audit(&self, draft: &AuditDraft) -> Result<AuditRecord, StoreError>;
    /// Appends several entries in one transaction; returns the last.
    fn append_audit_batch(&self, drafts: &[AuditDraft]) -> Result<Option<AuditRecord>, StoreError>;
    /// The last entry's sequence number and hash.
    fn audit_head(&self) -> Result<Option<(u64, ChainHash)>, StoreError>;
    /// Visits entries in stored sequence order (from `since_ms` when given) until `visit` returns false.
    fn scan_audit(&self, since_ms: Option<i64>, visit: &mut dyn FnMut(AuditRecord) -> bool) -> Result<(), StoreError>;
    /// Stores a signed checkpoint.
    fn insert_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError>;
    /// All stored checkpoints in sequence order.
    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;

    /// Inserts a request and its audit entry (built from the new id).
    fn insert_request(
        &self,
        row: &RequestRow,
        audit: &dyn Fn(i64) -> AuditDraft,
    ) -> Result<(RequestRow, AuditRecord), StoreError>;
    /// One request.
    fn get_request(&self, id: i64) -> Result<Option<RequestRow>, StoreError>;
    /// Requests matching `filter`, by id.
    fn list_requests(&self, filter: &RequestFilter) -> Result<Vec<RequestRow>, StoreError>;
    /// Replaces a request whose stored version is `row.version`, bumping the version, with its audit entry.
    fn update_request(&self, row: &RequestRow, audit: &AuditDraft) -> Result<(RequestRow, AuditRecord), StoreError>;
    /// Deletes a request whose stored version is `version`, with its audit entry.
    fn delete_request(&self, id: i64, version: i64, audit: &AuditDraft) -> Result<AuditRecord, StoreError>;

    /// Queues a job, with its audit entry (built from the new id).
    fn create_job(&self, job: &NewJob, audit: &dyn Fn(i64) -> AuditDraft) -> Result<i64, StoreError>;
    /// Claims the oldest job that is queued or whose lease expired, for `lease_ms` from `now_ms`.
    fn claim_job(&self, worker: &str, now_ms: i64, lease_ms: i64) -> Result<Option<JobLease>, StoreError>;
    /// Extends a lease still held.
    fn heartbeat(&self, lease: &LeaseRef, now_ms: i64, lease_ms: i64) -> Result<(), StoreError>;
    /// Journals a finished step (idempotent: a step already journaled keeps its first output).
    fn complete_step(&self, lease: &LeaseRef, step: &str, output: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Ends a job, with its audit entry.
    fn finish_job(
        &self,
        lease: &LeaseRef,
        state: JobState,
        now_ms: i64,
        audit: &AuditDraft,
    ) -> Result<AuditRecord, StoreError>;
    /// One job.
    fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError>;
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}; check that the data directory is writable and not corrupted")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot prepare the data directory: {0}; check its path and permissions")]
    Io(#[from] std::io::Error),
    #[error("the database has schema version {found}, newer than this Steward ({supported}); upgrade Steward")]
    NewerSchema { found: u32, supported: u32 },
    #[error("the record changed while this operation ran; retry it")]
    Conflict,
    #[error("no such record")]
    NotFound,
    #[error("the job lease was lost (it expired and another worker took the job); stop this run")]
    LeaseLost,
    #[error("a stored value is malformed ({0}); run `steward audit verify` and restore from backup")]
    Corrupt(&'static str),
}

/// A signed checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredCheckpoint {
    pub seq: u64,
    pub head_hash: String,
    pub time_ms: i64,
    pub key_fingerprint: String,
    pub signature: String,
}

/// Whether a request is still being worked on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Open,
    Closed,
}

/// How a closed request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestOutcome {
    Fulfilled,
    Denied,
}

/// A row of the request ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub kind: RequestKind,
    pub regime: Regime,
    pub subject_kind: SubjectKind,
    pub subject_hash: SubjectHash,
    pub subject_key_id: u32,
    /// The readable identifier, sealed (nonce ‖ ciphertext); `None` once closed.
    pub sealed_subject: Option<Vec<u8>>,
    /// How the request was received (e.g. `email`, `web-form`, `cli`, `admin-api`).
    pub manner: String,
    pub received: CivilDate,
    pub due: CivilDate,
    pub original_due: CivilDate,
    pub ack_due: Option<CivilDate>,
    pub extended_on: Option<CivilDate>,
    pub extension_reason: Option<String>,
    pub status: RequestStatus,
    pub outcome: Option<RequestOutcome>,
    pub basis: Option<String>,
    pub closed_on: Option<CivilDate>,
    pub expires_on: Option<CivilDate>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub version: i64,
}

/// Which requests to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub open_only: bool,
    /// Only requests due strictly before this date.
    pub due_before: Option<CivilDate>,
    /// Only closed requests whose retention ended strictly before this date.
    pub expired_before: Option<CivilDate>,
    /// Only requests of this subject hash.
    pub subject: Option<SubjectHash>,
}

/// A job to queue. The payload holds ids and hashes, never raw personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    pub request_id: Option<i64>,
    pub payload: String,
    pub now_ms: i64,
}

/// The life of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

/// A job as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub request_id: Option<i64>,
    pub payload: String,
    pub state: JobState,
    pub lease_owner: Option<String>,
    pub lease_expires_ms: Option<i64>,
    pub attempts: i64,
}

/// Proof of holding a job's lease: the attempt number is a fencing token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseRef {
    pub job_id: i64,
    pub attempt: i64,
}

/// A claimed job with the steps journaled by earlier attempts, so that the run resumes after them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobLease {
    pub lease: LeaseRef,
    pub job: JobRow,
    /// `(step, output)` in the order they were completed.
    pub done_steps: Vec<(String, String)>,
}

impl Store {
    /// Opens (creating and migrating as needed) the SQLite database of `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        Store::open_sqlite(&data_dir.join(DB_FILE))
    }

    /// Opens (creating and migrating as needed) the SQLite database at `path`.
    pub fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::from_backend(Box::new(sqlite::SqliteBackend::open(path)?)))
    }

    /// Wraps any backend.
    pub fn from_backend(backend: Box<dyn Backend>) -> Store {
        Store { backend }
    }
}

impl Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &(dyn Backend + 'static) {
        self.backend.as_ref()
    }
}

impl RequestStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Closed => "closed",
        }
    }
}

impl RequestOutcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestOutcome::Fulfilled => "fulfilled",
            RequestOutcome::Denied => "denied",
        }
    }
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}
