//! The ledger of data-subject requests: record, list, show, extend, close and expire, each one audited.
//!
//! Records hold what CCPA §7101 asks: the date, nature (kind, regime) and manner of the request, the date and
//! nature of the response, and the basis for a denial. The subject is kept as a keyed hash (always) and, only
//! while the request is open, as its readable identifier sealed with ChaCha20-Poly1305 under a key derived from
//! the subject secret; closing removes the sealed identifier. Closed records are deleted `retention_months`
//! after closing (24 by default), and that expiry is audited.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::rngs::OsRng;
use rand::RngCore;

use crate::audit::entry::{Action, Actor, AuditDraft, ObjectKind, Outcome, SafeId};
use crate::calendar::CivilDate;
use crate::compliance::deadlines::{self, Calendar, Deadlines, ExtensionError, Regime, RequestKind};
use crate::compliance::subject::{SubjectId, SubjectKind};
use crate::keys::Keys;
use crate::store::{RequestFilter, RequestOutcome, RequestRow, RequestStatus, Store, StoreError};

/// Ledger settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerConfig {
    /// Weekends plus configured public holidays.
    pub calendar: Calendar,
    /// How long a closed record is kept, in months.
    pub retention_months: u32,
}

/// A request to record.
#[derive(Clone, Debug)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub regime: Regime,
    pub subject: SubjectId,
    /// Defaults to today.
    pub received: Option<CivilDate>,
    /// How it was received (`email`, `web-form`, `phone`, `cli`...): 1..=32 of `[a-z0-9-]`.
    pub manner: Manner,
}

/// How a request was received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manner(String);

/// A request as shown to operators and tools (no readable identifier).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RequestRecord {
    pub id: i64,
    pub kind: &'static str,
    pub regime: &'static str,
    pub status: &'static str,
    pub received_date: CivilDate,
    pub due_date: CivilDate,
    pub original_due_date: CivilDate,
    pub ack_due_date: Option<CivilDate>,
    pub overdue: bool,
    pub extended: bool,
    pub extended_on: Option<CivilDate>,
    pub extension_reason: Option<String>,
    pub outcome: Option<&'static str>,
    pub basis: Option<String>,
    pub closed_date: Option<CivilDate>,
    pub expires_date: Option<CivilDate>,
    pub manner: String,
    pub subject_kind: &'static str,
    /// The keyed hash of the subject (hex), under key `subject_key_id`.
    pub subject_hash: String,
    pub subject_key_id: u32,
    /// Whether the readable identifier is still held (only while open).
    pub subject_sealed: bool,
}

/// Why a ledger action failed. Never contains the subject's identifier.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no request with id {0}; list them with `steward requests list`")]
    NotFound(i64),
    #[error("request {0} is already closed")]
    AlreadyClosed(i64),
    #[error(transparent)]
    Extension(#[from] ExtensionError),
    #[error("{0}")]
    Invalid(&'static str),
    #[error("the received date {0} is in the future; give the date the request actually arrived")]
    ReceivedInFuture(CivilDate),
    #[error("the sealed identifier of request {0} cannot be opened with the current keys; restore the subject key it was sealed with")]
    Unseal(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Default for LedgerConfig {
    fn default() -> LedgerConfig {
        LedgerConfig { calendar: Calendar::default(), retention_months: 24 }
    }
}

impl Manner {
    /// Checks the manner name.
    pub fn new(text: &str) -> Result<Manner, RequestError> {
        let ok = !text.is_empty()
            && text.len() <= 32
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Manner(text.to_owned()))
        } else {
            Err(RequestError::Invalid(
                "the manner must be 1 to 32 lowercase letters, digits or `-` (e.g. email, web-form, phone)",
            ))
        }
    }
}

/// Records a request and computes its deadlines.
pub fn create(
    store: &Store,
    keys: &Keys,
    config: &LedgerConfig,
    new: NewRequest,
    actor: Actor,
    today: CivilDate,
) -> Result<RequestRecord, RequestError> {
    let received = new.received.unwrap_or(today);
    if received > today {
        return Err(RequestError::ReceivedInFuture(received));
    }
    let deadlines = deadlines::initial(new.regime, new.kind, received, &config.calendar);
    let key = keys.subject().current();
    let subject_hash = new.subject.hash(&key.hash_key);
    let sealed = seal(&key.seal_key(), new.subject.kind(), &subject_hash.to_hex(), new.subject.expose());
    let row = RequestRow {
        id: 0,
        kind: new.kind,
        regime: new.regime,
        subject_kind: new.subject.kind(),
        subject_hash,
        subject_key_id: key.id,
        sealed_subject: Some(sealed),
        manner: new.manner.0,
        received,
        due: deadlines.due,
        original_due: deadlines.original_due,
        ack_due: deadlines.ack_due,
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
    };
    let (stored, _) = store.insert_request(&row, &|id| {
        AuditDraft::new(actor.clone(), Action::RequestCreated, Outcome::Ok)
            .subject(subject_hash)
            .object(ObjectKind::Request, SafeId::from_number(id))
    })?;
    Ok(record(&stored, today))
}

/// One request.
pub fn get(store: &Store, id: i64, today: CivilDate) -> Result<RequestRecord, RequestError> {
    let row = store.get_request(id)?.ok_or(RequestError::NotFound(id))?;
    Ok(record(&row, today))
}

/// All requests (or only the open, overdue ones), after expiring those past retention.
pub fn list(store: &Store, overdue_only: bool, today: CivilDate) -> Result<Vec<RequestRecord>, RequestError> {
    expire(store, today)?;
    let filter = if overdue_only {
        RequestFilter { open_only: true, due_before: Some(today), ..RequestFilter::default() }
    } else {
        RequestFilter::default()
    };
    Ok(store.list_requests(&filter)?.iter().map(|row| record(row, today)).collect())
}

/// The requests of a subject, looked up under every subject key (current and rotated).
pub fn find_by_subject(
    store: &Store,
    keys: &Keys,
    subject: &SubjectId,
    today: CivilDate,
) -> Result<Vec<RequestRecord>, RequestError> {
    let mut out = Vec::new();
    for key in keys.subject().all() {
        let filter = RequestFilter { subject: Some(subject.hash(&key.hash_key)), ..RequestFilter::default() };
        out.extend(store.list_requests(&filter)?.iter().map(|row| record(row, today)));
    }
    out.sort_by_key(|r| r.id);
    Ok(out)
}

/// The request `id`, when it exists and is still open.
fn open_request(store: &Store, id: i64) -> Result<RequestRow, RequestError> {
    let row = store.get_request(id)?.ok_or(RequestError::NotFound(id))?;
    if row.status == RequestStatus::Closed {
        return Err(RequestError::AlreadyClosed(id));
    }
    Ok(row)
}

/// Extends the deadline once, with a recorded reason, before the original due date.
pub fn extend(
    store: &Store,
    config: &LedgerConfig,
    id: i64,
    reason: &str,
    actor: Actor,
    today: CivilDate,
) -> Result<RequestRecord, RequestError> {
    let row = open_request(store, id)?;
    let reason = check_text(reason)?;
    let current = Deadlines {
        received: row.received,
        due: row.due,
        original_due: row.original_due,
        ack_due: row.ack_due,
        extended: row.extended_on.is_some(),
    };
    let extended = deadlines::extend(row.regime, row.kind, &current, today, reason, &config.calendar)?;
    let mut changed = row.clone();
    changed.due = extended.due;
    changed.extended_on = Some(today);
    changed.extension_reason = Some(reason.to_owned());
    let audit = AuditDraft::new(actor, Action::RequestExtended, Outcome::Ok)
        .subject(row.subject_hash)
        .object(ObjectKind::Request, SafeId::from_number(id));
    let (stored, _) = store.update_request(&changed, &audit)?;
    Ok(record(&stored, today))
}

/// Closes a request: records the response, removes the readable identifier, schedules expiry.
pub fn close(
    store: &Store,
    config: &LedgerConfig,
    id: i64,
    outcome: RequestOutcome,
    basis: &str,
    actor: Actor,
    today: CivilDate,
) -> Result<RequestRecord, RequestError> {
    let row = open_request(store, id)?;
    let basis = check_text(basis)?;
    let mut changed = row.clone();
    changed.status = RequestStatus::Closed;
    changed.outcome = Some(outcome);
    changed.basis = Some(basis.to_owned());
    changed.closed_on = Some(today);
    changed.expires_on = Some(today.add_months(config.retention_months));
    changed.sealed_subject = None;
    let audit_outcome = match outcome {
        RequestOutcome::Fulfilled => Outcome::Fulfilled,
        RequestOutcome::Denied => Outcome::Denied,
    };
    let audit = AuditDraft::new(actor, Action::RequestClosed, audit_outcome)
        .subject(row.subject_hash)
        .object(ObjectKind::Request, SafeId::from_number(id));
    let (stored, _) = store.update_request(&changed, &audit)?;
    Ok(record(&stored, today))
}

/// Deletes closed records whose retention ended before `today`, one audited deletion each; returns how many.
pub fn expire(store: &Store, today: CivilDate) -> Result<u64, RequestError> {
    let filter = RequestFilter { expired_before: Some(today), ..RequestFilter::default() };
    let mut count = 0;
    for row in store.list_requests(&filter)? {
        let audit = AuditDraft::new(Actor::System, Action::RequestExpired, Outcome::Ok)
            .subject(row.subject_hash)
            .object(ObjectKind::Request, SafeId::from_number(row.id));
        match store.delete_request(row.id, row.version, &audit) {
            Ok(_) => count += 1,
            // Someone else expired or changed it meanwhile: nothing to do.
            Err(StoreError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(count)
}

/// The readable identifier of an open request, for the jobs that act on it.
pub fn reveal_subject(store: &Store, keys: &Keys, id: i64) -> Result<SubjectId, RequestError> {
    let row = store.get_request(id)?.ok_or(RequestError::NotFound(id))?;
    let sealed = row.sealed_subject.as_deref().ok_or(RequestError::AlreadyClosed(id))?;
    let key = keys.subject().by_id(row.subject_key_id).ok_or(RequestError::Unseal(id))?;
    let plain =
        open(&key.seal_key(), row.subject_kind, &row.subject_hash.to_hex(), sealed).ok_or(RequestError::Unseal(id))?;
    SubjectId::parse(row.subject_kind, &plain).map_err(|_| RequestError::Unseal(id))
}

fn check_text(text: &str) -> Result<&str, RequestError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(RequestError::Invalid("the text is empty; say why in a few words"));
    }
    if trimmed.chars().count() > 2000 {
        return Err(RequestError::Invalid("the text is longer than 2000 characters; shorten it"));
    }
    Ok(trimmed)
}

fn aad(kind: SubjectKind, hash_hex: &str) -> Vec<u8> {
    let mut out = b"steward.ledger.subject.v1\0".to_vec();
    out.extend_from_slice(kind.as_str().as_bytes());
    out.push(0);
    out.extend_from_slice(hash_hex.as_bytes());
    out
}

fn seal(key: &[u8; 32], kind: SubjectKind, hash_hex: &str, plain: &str) -> Vec<u8> {
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let aad = aad(kind, hash_hex);
    let mut out = nonce.to_vec();
    // Encryption with a 32-byte key and a 12-byte nonce cannot fail for inputs this small.
    if let Ok(ciphertext) = cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: &aad }) {
        out.extend_from_slice(&ciphertext);
    }
    out
}

fn open(key: &[u8; 32], kind: SubjectKind, hash_hex: &str, sealed: &[u8]) -> Option<String> {
    if sealed.len() < 12 + 16 {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(12);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    let aad = aad(kind, hash_hex);
    let plain = cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad }).ok()?;
    String::from_utf8(plain).ok()
}

fn record(row: &RequestRow, today: CivilDate) -> RequestRecord {
    let open = row.status == RequestStatus::Open;
    RequestRecord {
        id: row.id,
        kind: row.kind.as_str(),
        regime: row.regime.as_str(),
        status: row.status.as_str(),
        received_date: row.received,
        due_date: row.due,
        original_due_date: row.original_due,
        ack_due_date: row.ack_due,
        overdue: open && today > row.due,
        extended: row.extended_on.is_some(),
        extended_on: row.extended_on,
        extension_reason: row.extension_reason.clone(),
        outcome: row.outcome.map(RequestOutcome::as_str),
        basis: row.basis.clone(),
        closed_date: row.closed_on,
        expires_date: row.expires_on,
        manner: row.manner.clone(),
        subject_kind: row.subject_kind.as_str(),
        subject_hash: row.subject_hash.to_hex(),
        subject_key_id: row.subject_key_id,
        subject_sealed: row.sealed_subject.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::verify::verify;

    fn d(text: &str) -> CivilDate {
        text.parse().unwrap()
    }

    fn setup() -> (tempfile::TempDir, Store, Keys) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let keys = Keys::from_parts([1; 32], &[&[2; 32]]).unwrap();
        (dir, store, keys)
    }

    fn new_request(regime: Regime, received: &str) -> NewRequest {
        NewRequest {
            kind: RequestKind::Erasure,
            regime,
            subject: SubjectId::parse(SubjectKind::Email, "Jane.Doe@example.com").unwrap(),
            received: Some(d(received)),
            manner: Manner::new("email").unwrap(),
        }
    }

    fn audit_actions(store: &Store) -> Vec<String> {
        let mut out = Vec::new();
        store
            .scan_audit(None, &mut |r| {
                out.push(r.action);
                true
            })
            .unwrap();
        out
    }

    #[test]
    fn lifecycle_is_audited_and_drops_the_readable_identifier_on_close() {
        let (dir, store, keys) = setup();
        let config = LedgerConfig::default();
        let today = d("2024-03-10");
        let created =
            create(&store, &keys, &config, new_request(Regime::Gdpr, "2024-03-05"), Actor::Cli, today).unwrap();
        assert_eq!(created.due_date, d("2024-04-05"));
        assert_eq!(created.status, "open");
        assert!(created.subject_sealed);
        assert_eq!(reveal_subject(&store, &keys, created.id).unwrap().expose(), "jane.doe@example.com");
        let extended = extend(&store, &config, created.id, "many systems", Actor::Cli, d("2024-03-20")).unwrap();
        assert_eq!(extended.due_date, d("2024-06-05"));
        assert!(extended.extended);
        let again = extend(&store, &config, created.id, "more", Actor::Cli, d("2024-03-21"));
        assert!(matches!(again, Err(RequestError::Extension(ExtensionError::AlreadyExtended))));
        let closed = close(
            &store,
            &config,
            created.id,
            RequestOutcome::Denied,
            "manifestly unfounded",
            Actor::Cli,
            d("2024-05-01"),
        )
        .unwrap();
        assert_eq!(closed.status, "closed");
        assert_eq!(closed.outcome, Some("denied"));
        assert_eq!(closed.expires_date, Some(d("2026-05-01")));
        assert!(!closed.subject_sealed);
        assert!(matches!(reveal_subject(&store, &keys, created.id), Err(RequestError::AlreadyClosed(_))));
        assert!(matches!(
            close(&store, &config, created.id, RequestOutcome::Fulfilled, "x", Actor::Cli, today),
            Err(RequestError::AlreadyClosed(_))
        ));
        // The keyed hash stays and still finds the request.
        let subject = SubjectId::parse(SubjectKind::Email, "jane.doe@EXAMPLE.com").unwrap();
        assert_eq!(find_by_subject(&store, &keys, &subject, today).unwrap().len(), 1);
        // No plaintext left anywhere in the database file.
        drop(store);
        let bytes = std::fs::read(dir.path().join(crate::store::DB_FILE)).unwrap();
        let wal = std::fs::read(dir.path().join("steward.db-wal")).unwrap_or_default();
        for haystack in [&bytes, &wal] {
            assert!(!haystack.windows(8).any(|w| w == b"jane.doe"), "plaintext found");
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(audit_actions(&store), vec!["request.created", "request.extended", "request.closed"]);
    }

    #[test]
    fn retention_expiry_deletes_and_audits() {
        let (_dir, store, keys) = setup();
        let config = LedgerConfig { retention_months: 24, ..LedgerConfig::default() };
        let a = create(&store, &keys, &config, new_request(Regime::Ccpa, "2024-01-02"), Actor::Cli, d("2024-01-02"))
            .unwrap();
        let b = create(&store, &keys, &config, new_request(Regime::Ccpa, "2024-01-03"), Actor::Cli, d("2024-01-03"))
            .unwrap();
        close(&store, &config, a.id, RequestOutcome::Fulfilled, "sent", Actor::Cli, d("2024-01-31")).unwrap();
        assert_eq!(list(&store, false, d("2026-01-31")).unwrap().len(), 2, "kept through the expiry date");
        let remaining = list(&store, false, d("2026-02-01")).unwrap();
        assert_eq!(remaining.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b.id]);
        assert_eq!(audit_actions(&store).last().map(String::as_str), Some("request.expired"));
        let public = keys.public_key();
        assert!(verify(&store, &public, &[]).unwrap().ok);
    }

    #[test]
    fn overdue_listing_and_validation() {
        let (_dir, store, keys) = setup();
        let config = LedgerConfig::default();
        let today = d("2024-06-01");
        let late = create(&store, &keys, &config, new_request(Regime::Gdpr, "2024-04-01"), Actor::Cli, today).unwrap();
        let fresh =
            create(&store, &keys, &config, new_request(Regime::UkGdpr, "2024-05-30"), Actor::Cli, today).unwrap();
        assert!(late.overdue);
        assert!(!fresh.overdue);
        let overdue = list(&store, true, today).unwrap();
        assert_eq!(overdue.iter().map(|r| r.id).collect::<Vec<_>>(), vec![late.id]);
        assert!(matches!(
            extend(&store, &config, late.id, "too late", Actor::Cli, today),
            Err(RequestError::Extension(ExtensionError::TooLate { .. }))
        ));
        assert!(matches!(extend(&store, &config, fresh.id, "  ", Actor::Cli, today), Err(RequestError::Invalid(_))));
        assert!(matches!(get(&store, 999, today), Err(RequestError::NotFound(999))));
        let future = create(&store, &keys, &config, new_request(Regime::Gdpr, "2024-06-02"), Actor::Cli, today);
        assert!(matches!(future, Err(RequestError::ReceivedInFuture(_))));
        assert!(Manner::new("Web Form").is_err());
        let ccpa = create(&store, &keys, &config, new_request(Regime::Ccpa, "2024-05-31"), Actor::Cli, today).unwrap();
        assert_eq!(ccpa.ack_due_date, Some(d("2024-06-14")));
        assert_eq!(ccpa.due_date, d("2024-07-15"));
    }

    #[test]
    fn errors_never_carry_the_identifier_and_rotation_keeps_lookups() {
        let (_dir, store, _) = setup();
        let old = Keys::from_parts([1; 32], &[&[2; 32]]).unwrap();
        let config = LedgerConfig::default();
        let today = d("2024-03-10");
        let created =
            create(&store, &old, &config, new_request(Regime::Gdpr, "2024-03-05"), Actor::Cli, today).unwrap();
        let rotated = Keys::from_parts([1; 32], &[&[2; 32], &[3; 32]]).unwrap();
        let subject = SubjectId::parse(SubjectKind::Email, "jane.doe@example.com").unwrap();
        assert_eq!(find_by_subject(&store, &rotated, &subject, today).unwrap()[0].id, created.id);
        assert_eq!(reveal_subject(&store, &rotated, created.id).unwrap().expose(), "jane.doe@example.com");
        let other = Keys::from_parts([1; 32], &[&[9; 32]]).unwrap();
        let err = reveal_subject(&store, &other, created.id).unwrap_err().to_string();
        assert!(!err.contains("jane"), "{err}");
    }
}
