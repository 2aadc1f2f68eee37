//! The embedded SQLite backend: WAL mode, `synchronous=FULL`, versioned migrations, append-only audit triggers.
//!
//! One connection behind a mutex: a single writer, which is what SQLite allows anyway. Every commit is synced
//! (`synchronous=FULL` in WAL mode fsyncs the log on each commit), so an audit entry, a journaled job step or a
//! request change that was acknowledged survives a power cut.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::audit::entry::{AuditDraft, AuditRecord, ChainHash, SubjectHash};
use crate::calendar::CivilDate;
use crate::store::{
    Backend, JobLease, JobRow, JobState, LeaseRef, NewJob, RequestFilter, RequestOutcome, RequestRow, RequestStatus,
    StoreError, StoredCheckpoint,
};

/// The migrations, in order: migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // v1: the hash-chained audit log and its signed checkpoints, both append-only.
    "CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject_hash TEXT,
        objects TEXT NOT NULL,
        counts TEXT NOT NULL,
        outcome TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_log_time ON audit_log(time_ms);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE audit_checkpoints (
        seq INTEGER PRIMARY KEY,
        head_hash TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        key_fingerprint TEXT NOT NULL,
        signature TEXT NOT NULL
    );
    CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;",
    // v2: durable jobs with leases and a per-step journal.
    "CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        request_id INTEGER,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        lease_owner TEXT,
        lease_expires_ms INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE INDEX jobs_claimable ON jobs(state, lease_expires_ms);
    CREATE TABLE job_steps (
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        step TEXT NOT NULL,
        output TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        done_ms INTEGER NOT NULL,
        PRIMARY KEY (job_id, step)
    );",
    // v3: the ledger of data-subject requests.
    "CREATE TABLE requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        regime TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_hash TEXT NOT NULL,
        subject_key_id INTEGER NOT NULL,
        sealed_subject BLOB,
        manner TEXT NOT NULL,
        received_date TEXT NOT NULL,
        due_date TEXT NOT NULL,
        original_due_date TEXT NOT NULL,
        ack_due_date TEXT,
        extended_on TEXT,
        extension_reason TEXT,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        outcome TEXT,
        basis TEXT,
        closed_on TEXT,
        expires_on TEXT,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE INDEX requests_status_due ON requests(status, due_date);
    CREATE INDEX requests_subject ON requests(subject_hash);",
];

/// The SQLite backend.
pub struct SqliteBackend {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl SqliteBackend {
    /// Opens or creates the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<SqliteBackend, StoreError> {
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrate_to(&mut conn, MIGRATIONS.len() as u32)?;
        Ok(SqliteBackend { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Sets WAL mode, full sync and the busy timeout.
pub fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// The schema version of `conn` (0 for an empty database).
pub fn schema_version(conn: &Connection) -> Result<u32, StoreError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let version: Option<i64> = conn.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?;
    Ok(version.unwrap_or(0) as u32)
}

/// Applies migrations up to `target`, each in its own transaction with its version row.
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<u32, StoreError> {
    let supported = MIGRATIONS.len() as u32;
    let mut version = schema_version(conn)?;
    if version > supported {
        return Err(StoreError::NewerSchema { found: version, supported });
    }
    while version < target.min(supported) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(MIGRATIONS[version as usize])?;
        tx.execute("INSERT INTO schema_version (version) VALUES (?1)", params![version + 1])?;
        tx.commit()?;
        version += 1;
    }
    Ok(version)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn head(tx: &Transaction<'_>) -> Result<Option<(u64, ChainHash)>, StoreError> {
    let row: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(None),
        Some((seq, hash)) => {
            let hash = ChainHash::from_hex(&hash).ok_or(StoreError::Corrupt("audit head hash"))?;
            Ok(Some((seq as u64, hash)))
        }
    }
}

/// Appends `draft` after the current head inside `tx`.
fn append_in(tx: &Transaction<'_>, draft: &AuditDraft) -> Result<AuditRecord, StoreError> {
    let (seq, prev) = match head(tx)? {
        None => (1, ChainHash::GENESIS),
        Some((seq, hash)) => (seq + 1, hash),
    };
    let record = draft.seal(seq, now_ms(), &prev);
    insert_record(tx, &record)?;
    Ok(record)
}

fn insert_record(tx: &Transaction<'_>, record: &AuditRecord) -> Result<(), StoreError> {
    let objects = serde_json::to_string(&record.objects).map_err(|_| StoreError::Corrupt("objects"))?;
    let counts = serde_json::to_string(&record.counts).map_err(|_| StoreError::Corrupt("counts"))?;
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, time_ms, actor, action, subject_hash, objects, counts, outcome, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        record.seq as i64,
        record.time_ms,
        record.actor,
        record.action,
        record.subject,
        objects,
        counts,
        record.outcome,
        record.prev_hash,
        record.hash,
    ])?;
    Ok(())
}

/// Reads an audit row leniently: a field of the wrong type or that does not parse is kept in a form whose
/// hash cannot match, so that verification reports the entry instead of failing.
fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    let objects_text = lenient_text(row, 5);
    let counts_text = lenient_text(row, 6);
    let objects =
        serde_json::from_str(&objects_text).unwrap_or_else(|_| vec![("<malformed>".to_owned(), objects_text.clone())]);
    let counts = serde_json::from_str(&counts_text)
        .unwrap_or_else(|_| std::iter::once((format!("<malformed>{counts_text}"), u64::MAX)).collect());
    let subject = match row.get_ref(4)? {
        ValueRef::Null => None,
        _ => Some(lenient_text(row, 4)),
    };
    let time_ms = match row.get_ref(1)? {
        ValueRef::Integer(n) => n,
        _ => i64::MIN,
    };
    Ok(AuditRecord {
        seq: row.get::<_, i64>(0)? as u64,
        time_ms,
        actor: lenient_text(row, 2),
        action: lenient_text(row, 3),
        subject,
        objects,
        counts,
        outcome: lenient_text(row, 7),
        prev_hash: lenient_text(row, 8),
        hash: lenient_text(row, 9),
    })
}

fn lenient_text(row: &Row<'_>, index: usize) -> String {
    match row.get_ref(index) {
        Ok(ValueRef::Text(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
        Ok(ValueRef::Integer(n)) => format!("<integer {n}>"),
        Ok(ValueRef::Real(x)) => format!("<real {x}>"),
        Ok(ValueRef::Blob(_)) => "<blob>".to_owned(),
        Ok(ValueRef::Null) => "<null>".to_owned(),
        Err(_) => "<unreadable>".to_owned(),
    }
}

const REQUEST_COLUMNS: &str = "id, kind, regime, subject_kind, subject_hash, subject_key_id, sealed_subject, manner,
    received_date, due_date, original_due_date, ack_due_date, extended_on, extension_reason, status, outcome, basis,
    closed_on, expires_on, created_ms, updated_ms, version";

fn parse_date(text: Option<String>) -> Result<Option<CivilDate>, StoreError> {
    text.map(|t| t.parse().map_err(|_| StoreError::Corrupt("date"))).transpose()
}

fn request_from_row(row: &Row<'_>) -> Result<RequestRow, StoreError> {
    let text = |i: usize| -> Result<String, StoreError> { Ok(row.get::<_, String>(i)?) };
    let opt = |i: usize| -> Result<Option<String>, StoreError> { Ok(row.get::<_, Option<String>>(i)?) };
    let required =
        |i: usize| -> Result<CivilDate, StoreError> { parse_date(Some(text(i)?))?.ok_or(StoreError::Corrupt("date")) };
    let status = match text(14)?.as_str() {
        "open" => RequestStatus::Open,
        "closed" => RequestStatus::Closed,
        _ => return Err(StoreError::Corrupt("request status")),
    };
    let outcome = match opt(15)?.as_deref() {
        None => None,
        Some("fulfilled") => Some(RequestOutcome::Fulfilled),
        Some("denied") => Some(RequestOutcome::Denied),
        Some(_) => return Err(StoreError::Corrupt("request outcome")),
    };
    Ok(RequestRow {
        id: row.get(0)?,
        kind: text(1)?.parse().map_err(|_| StoreError::Corrupt("request kind"))?,
        regime: text(2)?.parse().map_err(|_| StoreError::Corrupt("request regime"))?,
        subject_kind: text(3)?.parse().map_err(|_| StoreError::Corrupt("subject kind"))?,
        subject_hash: SubjectHash::from_hex(&text(4)?).ok_or(StoreError::Corrupt("subject hash"))?,
        subject_key_id: row.get::<_, i64>(5)? as u32,
        sealed_subject: row.get(6)?,
        manner: text(7)?,
        received: required(8)?,
        due: required(9)?,
        original_due: required(10)?,
        ack_due: parse_date(opt(11)?)?,
        extended_on: parse_date(opt(12)?)?,
        extension_reason: opt(13)?,
        status,
        outcome,
        basis: opt(16)?,
        closed_on: parse_date(opt(17)?)?,
        expires_on: parse_date(opt(18)?)?,
        created_ms: row.get(19)?,
        updated_ms: row.get(20)?,
        version: row.get(21)?,
    })
}

fn date_text(date: Option<CivilDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

fn job_from_row(row: &Row<'_>) -> Result<JobRow, StoreError> {
    let state = match row.get::<_, String>(4)?.as_str() {
        "queued" => JobState::Queued,
        "running" => JobState::Running,
        "done" => JobState::Done,
        "failed" => JobState::Failed,
        _ => return Err(StoreError::Corrupt("job state")),
    };
    Ok(JobRow {
        id: row.get(0)?,
        kind: row.get(1)?,
        request_id: row.get(2)?,
        payload: row.get(3)?,
        state,
        lease_owner: row.get(5)?,
        lease_expires_ms: row.get(6)?,
        attempts: row.get(7)?,
    })
}

const JOB_COLUMNS: &str = "id, kind, request_id, payload, state, lease_owner, lease_expires_ms, attempts";

fn check_lease(tx: &Transaction<'_>, lease: &LeaseRef) -> Result<(), StoreError> {
    let held: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM jobs WHERE id = ?1 AND attempts = ?2 AND state = 'running'",
            params![lease.job_id, lease.attempt],
            |r| r.get(0),
        )
        .optional()?;
    held.map(|_| ()).ok_or(StoreError::LeaseLost)
}

impl Backend for SqliteBackend {
    fn schema_version(&self) -> Result<u32, StoreError> {
        schema_version(&self.conn())
    }

    fn append_audit(&self, draft: &AuditDraft) -> Result<AuditRecord, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let record = append_in(&tx, draft)?;
        tx.commit()?;
        Ok(record)
    }

    fn append_audit_batch(&self, drafts: &[AuditDraft]) -> Result<Option<AuditRecord>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut seq, mut prev) = match head(&tx)? {
            None => (1, ChainHash::GENESIS),
            Some((seq, hash)) => (seq + 1, hash),
        };
        let mut last = None;
        let time = now_ms();
        for draft in drafts {
            let record = draft.seal(seq, time, &prev);
            insert_record(&tx, &record)?;
            prev = ChainHash::from_hex(&record.hash).ok_or(StoreError::Corrupt("hash"))?;
            seq += 1;
            last = Some(record);
        }
        tx.commit()?;
        Ok(last)
    }

    fn audit_head(&self) -> Result<Option<(u64, ChainHash)>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        head(&tx)
    }

    fn scan_audit(&self, since_ms: Option<i64>, visit: &mut dyn FnMut(AuditRecord) -> bool) -> Result<(), StoreError> {
        // A separate read-only connection: in WAL mode it reads a consistent snapshot without holding the
        // writer's mutex, so a long verification or export does not stall the proxy's writes.
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let columns = "seq, time_ms, actor, action, subject_hash, objects, counts, outcome, prev_hash, hash";
        let mut stmt = match since_ms {
            None => conn.prepare(&format!("SELECT {columns} FROM audit_log ORDER BY seq"))?,
            Some(_) => conn.prepare(&format!("SELECT {columns} FROM audit_log WHERE time_ms >= ?1 ORDER BY seq"))?,
        };
        let mut rows = match since_ms {
            None => stmt.query([])?,
            Some(since) => stmt.query(params![since])?,
        };
        while let Some(row) = rows.next()? {
            if !visit(audit_from_row(row)?) {
                break;
            }
        }
        Ok(())
    }

    fn insert_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT OR IGNORE INTO audit_checkpoints (seq, head_hash, time_ms, key_fingerprint, signature)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                checkpoint.seq as i64,
                checkpoint.head_hash,
                checkpoint.time_ms,
                checkpoint.key_fingerprint,
                checkpoint.signature
            ],
        )?;
        Ok(())
    }

    fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT seq, head_hash, time_ms, key_fingerprint, signature FROM audit_checkpoints ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredCheckpoint {
                seq: r.get::<_, i64>(0)? as u64,
                head_hash: r.get(1)?,
                time_ms: r.get(2)?,
                key_fingerprint: r.get(3)?,
                signature: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn insert_request(
        &self,
        row: &RequestRow,
        audit: &dyn Fn(i64) -> AuditDraft,
    ) -> Result<(RequestRow, AuditRecord), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_ms();
        tx.execute(
            "INSERT INTO requests (kind, regime, subject_kind, subject_hash, subject_key_id, sealed_subject, manner,
                received_date, due_date, original_due_date, ack_due_date, extended_on, extension_reason, status,
                outcome, basis, closed_on, expires_on, created_ms, updated_ms, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19, 1)",
            params![
                row.kind.as_str(),
                row.regime.as_str(),
                row.subject_kind.as_str(),
                row.subject_hash.to_hex(),
                i64::from(row.subject_key_id),
                row.sealed_subject,
                row.manner,
                row.received.to_string(),
                row.due.to_string(),
                row.original_due.to_string(),
                date_text(row.ack_due),
                date_text(row.extended_on),
                row.extension_reason,
                row.status.as_str(),
                row.outcome.map(RequestOutcome::as_str),
                row.basis,
                date_text(row.closed_on),
                date_text(row.expires_on),
                now,
            ],
        )?;
        let id = tx.last_insert_rowid();
        let record = append_in(&tx, &audit(id))?;
        let stored = get_request_in(&tx, id)?.ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok((stored, record))
    }

    fn get_request(&self, id: i64) -> Result<Option<RequestRow>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        get_request_in(&tx, id)
    }

    fn list_requests(&self, filter: &RequestFilter) -> Result<Vec<RequestRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {REQUEST_COLUMNS} FROM requests
             WHERE (?1 = 0 OR status = 'open')
               AND (?2 IS NULL OR due_date < ?2)
               AND (?3 IS NULL OR (status = 'closed' AND expires_on < ?3))
               AND (?4 IS NULL OR subject_hash = ?4)
             ORDER BY id"
        ))?;
        let mut rows = stmt.query(params![
            i64::from(filter.open_only),
            date_text(filter.due_before),
            date_text(filter.expired_before),
            filter.subject.map(|s| s.to_hex()),
        ])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(request_from_row(row)?);
        }
        Ok(out)
    }

    fn update_request(&self, row: &RequestRow, audit: &AuditDraft) -> Result<(RequestRow, AuditRecord), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE requests SET sealed_subject = ?1, due_date = ?2, extended_on = ?3, extension_reason = ?4,
                status = ?5, outcome = ?6, basis = ?7, closed_on = ?8, expires_on = ?9, updated_ms = ?10,
                version = version + 1
             WHERE id = ?11 AND version = ?12",
            params![
                row.sealed_subject,
                row.due.to_string(),
                date_text(row.extended_on),
                row.extension_reason,
                row.status.as_str(),
                row.outcome.map(RequestOutcome::as_str),
                row.basis,
                date_text(row.closed_on),
                date_text(row.expires_on),
                now_ms(),
                row.id,
                row.version,
            ],
        )?;
        if changed == 0 {
            return Err(match get_request_in(&tx, row.id)? {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict,
            });
        }
        let record = append_in(&tx, audit)?;
        let stored = get_request_in(&tx, row.id)?.ok_or(StoreError::NotFound)?;
        tx.commit()?;
        Ok((stored, record))
    }

    fn delete_request(&self, id: i64, version: i64, audit: &AuditDraft) -> Result<AuditRecord, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute("DELETE FROM requests WHERE id = ?1 AND version = ?2", params![id, version])?;
        if changed == 0 {
            return Err(StoreError::Conflict);
        }
        let record = append_in(&tx, audit)?;
        tx.commit()?;
        Ok(record)
    }

    fn create_job(&self, job: &NewJob, audit: &dyn Fn(i64) -> AuditDraft) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO jobs (kind, request_id, payload, state, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, 'queued', ?4, ?4)",
            params![job.kind, job.request_id, job.payload, job.now_ms],
        )?;
        let id = tx.last_insert_rowid();
        append_in(&tx, &audit(id))?;
        tx.commit()?;
        Ok(id)
    }

    fn claim_job(&self, worker: &str, now_ms: i64, lease_ms: i64) -> Result<Option<JobLease>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: Option<i64> = tx
            .query_row(
                "SELECT id FROM jobs
                 WHERE state = 'queued' OR (state = 'running' AND lease_expires_ms <= ?1)
                 ORDER BY id LIMIT 1",
                params![now_ms],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE jobs SET state = 'running', lease_owner = ?1, lease_expires_ms = ?2,
                attempts = attempts + 1, updated_ms = ?3 WHERE id = ?4",
            params![worker, now_ms + lease_ms, now_ms, id],
        )?;
        let job = get_job_in(&tx, id)?.ok_or(StoreError::NotFound)?;
        let done_steps = {
            let mut stmt =
                tx.prepare("SELECT step, output FROM job_steps WHERE job_id = ?1 ORDER BY done_ms, rowid")?;
            let rows = stmt.query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<Vec<(String, String)>, _>>()?
        };
        tx.commit()?;
        Ok(Some(JobLease { lease: LeaseRef { job_id: id, attempt: job.attempts }, job, done_steps }))
    }

    fn heartbeat(&self, lease: &LeaseRef, now_ms: i64, lease_ms: i64) -> Result<(), StoreError> {
        let changed = self.conn().execute(
            "UPDATE jobs SET lease_expires_ms = ?1, updated_ms = ?2
             WHERE id = ?3 AND attempts = ?4 AND state = 'running' AND lease_expires_ms > ?2",
            params![now_ms + lease_ms, now_ms, lease.job_id, lease.attempt],
        )?;
        if changed == 0 {
            return Err(StoreError::LeaseLost);
        }
        Ok(())
    }

    fn complete_step(&self, lease: &LeaseRef, step: &str, output: &str, now_ms: i64) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_lease(&tx, lease)?;
        tx.execute(
            "INSERT OR IGNORE INTO job_steps (job_id, step, output, attempt, done_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![lease.job_id, step, output, lease.attempt, now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn finish_job(
        &self,
        lease: &LeaseRef,
        state: JobState,
        now_ms: i64,
        audit: &AuditDraft,
    ) -> Result<AuditRecord, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_lease(&tx, lease)?;
        tx.execute(
            "UPDATE jobs SET state = ?1, lease_owner = NULL, lease_expires_ms = NULL, updated_ms = ?2 WHERE id = ?3",
            params![state.as_str(), now_ms, lease.job_id],
        )?;
        let record = append_in(&tx, audit)?;
        tx.commit()?;
        Ok(record)
    }

    fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        get_job_in(&tx, id)
    }
}

fn get_request_in(tx: &Transaction<'_>, id: i64) -> Result<Option<RequestRow>, StoreError> {
    let mut stmt = tx.prepare_cached(&format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?1"))?;
    let mut rows = stmt.query(params![id])?;
    match rows.next()? {
        None => Ok(None),
        Some(row) => Ok(Some(request_from_row(row)?)),
    }
}

fn get_job_in(tx: &Transaction<'_>, id: i64) -> Result<Option<JobRow>, StoreError> {
    let mut stmt = tx.prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"))?;
    let mut rows = stmt.query(params![id])?;
    match rows.next()? {
        None => Ok(None),
        Some(row) => Ok(Some(job_from_row(row)?)),
    }
}

/// Test helpers that act as an attacker with write access to the database file.
#[cfg(test)]
pub mod tamper {
    use super::*;

    /// Runs raw SQL on the database at `path`, outside Steward (the way an attacker would).
    pub fn raw(path: &Path, sql: &str) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(sql).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::{Action, Actor, ObjectKind, Outcome, SafeId};
    use crate::compliance::deadlines::{Regime, RequestKind};
    use crate::compliance::subject::SubjectKind;
    use crate::store::Store;

    fn draft(n: u64) -> AuditDraft {
        AuditDraft::new(Actor::System, Action::Test, Outcome::Ok).count("n", n)
    }

    fn sample_request() -> RequestRow {
        let date = |t: &str| t.parse::<CivilDate>().unwrap();
        RequestRow {
            id: 0,
            kind: RequestKind::Access,
            regime: Regime::Gdpr,
            subject_kind: SubjectKind::Email,
            subject_hash: SubjectHash([9; 32]),
            subject_key_id: 1,
            sealed_subject: Some(vec![1, 2, 3]),
            manner: "email".into(),
            received: date("2024-03-05"),
            due: date("2024-04-05"),
            original_due: date("2024-04-05"),
            ack_due: None,
            extended_on: None,
            extension_reason: None,
            status: RequestStatus::Open,
            outcome: None,
            basis: None,
            closed_on: None,
            expires_on: None,
            created_ms: 0,
            updated_ms: 0,
            version: 0,
        }
    }

    fn open_at_version(path: &Path, version: u32) -> Connection {
        let mut conn = Connection::open(path).unwrap();
        configure(&conn).unwrap();
        assert_eq!(migrate_to(&mut conn, version).unwrap(), version);
        conn
    }

    #[test]
    fn migrates_from_empty_to_latest_with_wal_and_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
        let conn = Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        // Reopening applies nothing and keeps the version.
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
        let rows: i64 = conn.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, MIGRATIONS.len() as i64);
    }

    #[test]
    fn migrates_from_every_earlier_version_keeping_data() {
        for start in 0..MIGRATIONS.len() as u32 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("steward.db");
            {
                let conn = open_at_version(&path, start);
                if start >= 1 {
                    let record = draft(1).seal(1, 5, &ChainHash::GENESIS);
                    conn.execute(
                        "INSERT INTO audit_log VALUES (1, 5, ?1, ?2, NULL, '[]', '{\"n\":1}', 'ok', ?3, ?4)",
                        params![record.actor, record.action, record.prev_hash, record.hash],
                    )
                    .unwrap();
                }
                if start >= 2 {
                    conn.execute(
                        "INSERT INTO jobs (kind, payload, state, created_ms, updated_ms) VALUES ('erasure', '{}', 'queued', 1, 1)",
                        [],
                    )
                    .unwrap();
                }
            }
            let store = Store::open_sqlite(&path).unwrap();
            assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32, "from v{start}");
            let mut seen = Vec::new();
            store
                .scan_audit(None, &mut |r| {
                    seen.push(r);
                    true
                })
                .unwrap();
            assert_eq!(seen.len(), usize::from(start >= 1), "from v{start}");
            if let Some(first) = seen.first() {
                assert_eq!(first.compute_hash(&ChainHash::GENESIS).to_hex(), first.hash);
            }
            assert_eq!(store.job(1).unwrap().is_some(), start >= 2, "from v{start}");
            // The newest table works after migration, and the chain goes on from the old head.
            let (row, record) = store.insert_request(&sample_request(), &|id| draft(id as u64)).unwrap();
            assert_eq!(row.version, 1);
            assert_eq!(record.seq, 1 + u64::from(start >= 1));
        }
    }

    #[test]
    fn refuses_a_database_from_a_newer_steward() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("steward.db");
        drop(Store::open_sqlite(&path).unwrap());
        tamper::raw(&path, "INSERT INTO schema_version VALUES (99)");
        match Store::open_sqlite(&path) {
            Err(StoreError::NewerSchema { found: 99, .. }) => {}
            other => panic!("expected NewerSchema, got {:?}", other.err()),
        }
    }

    #[test]
    fn triggers_refuse_update_and_delete_of_audit_entries() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.append_audit(&draft(1)).unwrap();
        let conn = Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
        for sql in ["UPDATE audit_log SET outcome = 'denied'", "DELETE FROM audit_log"] {
            let message = conn.execute(sql, []).unwrap_err().to_string();
            assert!(message.contains("append-only"), "{sql}: {message}");
        }
        store
            .insert_checkpoint(&StoredCheckpoint {
                seq: 1,
                head_hash: "00".into(),
                time_ms: 0,
                key_fingerprint: "f".into(),
                signature: "s".into(),
            })
            .unwrap();
        for sql in ["UPDATE audit_checkpoints SET seq = 2", "DELETE FROM audit_checkpoints"] {
            let message = conn.execute(sql, []).unwrap_err().to_string();
            assert!(message.contains("append-only"), "{sql}: {message}");
        }
    }

    #[test]
    fn appends_chain_and_batches_continue_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = store.append_audit(&draft(1)).unwrap();
        let last = store.append_audit_batch(&[draft(2), draft(3), draft(4)]).unwrap().unwrap();
        assert_eq!(first.seq, 1);
        assert_eq!(last.seq, 4);
        let mut prev = ChainHash::GENESIS;
        let mut count = 0;
        store
            .scan_audit(None, &mut |r| {
                assert_eq!(r.prev_hash, prev.to_hex());
                assert_eq!(r.compute_hash(&prev).to_hex(), r.hash);
                prev = ChainHash::from_hex(&r.hash).unwrap();
                count += 1;
                true
            })
            .unwrap();
        assert_eq!(count, 4);
        assert_eq!(store.audit_head().unwrap().unwrap().1, prev);
    }

    #[test]
    fn request_updates_are_versioned_and_audited_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (row, _) = store.insert_request(&sample_request(), &|id| draft(id as u64)).unwrap();
        let mut changed = row.clone();
        changed.status = RequestStatus::Closed;
        changed.sealed_subject = None;
        let (stored, record) = store.update_request(&changed, &draft(9)).unwrap();
        assert_eq!(stored.version, 2);
        assert_eq!(stored.sealed_subject, None);
        assert_eq!(record.seq, 2);
        // A second update from the stale version conflicts and writes no audit entry.
        assert!(matches!(store.update_request(&changed, &draft(10)), Err(StoreError::Conflict)));
        assert_eq!(store.audit_head().unwrap().unwrap().0, 2);
        let open = store.list_requests(&RequestFilter { open_only: true, ..RequestFilter::default() }).unwrap();
        assert!(open.is_empty());
        store.delete_request(row.id, 2, &draft(11)).unwrap();
        assert!(store.get_request(row.id).unwrap().is_none());
        assert_eq!(store.audit_head().unwrap().unwrap().0, 3);
    }

    #[test]
    fn a_failed_change_writes_no_audit_entry() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let path = dir.path().join(crate::store::DB_FILE);
        // Make the audit insert fail inside the request's transaction: the request must not be stored either.
        tamper::raw(
            &path,
            "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'boom'); END;",
        );
        assert!(store.insert_request(&sample_request(), &|id| draft(id as u64)).is_err());
        assert!(store.list_requests(&RequestFilter::default()).unwrap().is_empty());
    }

    #[test]
    fn jobs_lease_heartbeat_journal_and_resume_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let job =
            NewJob { kind: "erasure".into(), request_id: Some(7), payload: "{\"request\":7}".into(), now_ms: 1_000 };
        let audit = |id: i64| {
            AuditDraft::new(Actor::System, Action::JobCreated, Outcome::Ok)
                .object(ObjectKind::Job, SafeId::from_number(id))
        };
        let id = store.create_job(&job, &audit).unwrap();
        let first = store.claim_job("worker-a", 2_000, 10_000).unwrap().unwrap();
        assert_eq!(first.job.id, id);
        assert_eq!(first.lease.attempt, 1);
        assert!(first.done_steps.is_empty());
        // Nobody else can claim it while the lease runs.
        assert!(store.claim_job("worker-b", 5_000, 10_000).unwrap().is_none());
        store.heartbeat(&first.lease, 9_000, 10_000).unwrap();
        store.complete_step(&first.lease, "find-contacts", "[\"c1\"]", 9_500).unwrap();
        // Worker A crashes; after the extended lease (19_000) worker B takes over and sees the journal.
        assert!(store.claim_job("worker-b", 18_999, 10_000).unwrap().is_none());
        let second = store.claim_job("worker-b", 19_000, 10_000).unwrap().unwrap();
        assert_eq!(second.lease.attempt, 2);
        assert_eq!(second.done_steps, vec![("find-contacts".to_owned(), "[\"c1\"]".to_owned())]);
        // The old lease is fenced off.
        assert!(matches!(store.heartbeat(&first.lease, 19_001, 10_000), Err(StoreError::LeaseLost)));
        assert!(matches!(store.complete_step(&first.lease, "delete", "x", 19_001), Err(StoreError::LeaseLost)));
        // Journaling a step twice keeps the first output.
        store.complete_step(&second.lease, "find-contacts", "other", 19_100).unwrap();
        store.complete_step(&second.lease, "delete", "1", 19_200).unwrap();
        let done = AuditDraft::new(Actor::System, Action::JobFinished, Outcome::Ok)
            .object(ObjectKind::Job, SafeId::from_number(id));
        store.finish_job(&second.lease, JobState::Done, 19_300, &done).unwrap();
        let row = store.job(id).unwrap().unwrap();
        assert_eq!(row.state, JobState::Done);
        assert!(store.claim_job("worker-c", 99_999_999, 10_000).unwrap().is_none());
        assert_eq!(store.audit_head().unwrap().unwrap().0, 2);
        let conn = Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
        let output: String =
            conn.query_row("SELECT output FROM job_steps WHERE step = 'find-contacts'", [], |r| r.get(0)).unwrap();
        assert_eq!(output, "[\"c1\"]");
    }
}
