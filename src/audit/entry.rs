//! Audit entries: the closed vocabulary they are built from, their canonical encoding and the chain hash.
//!
//! **Canonical encoding (v1)**, the exact bytes that are hashed, all integers big-endian:
//! `u64 seq`, `i64 time_ms`, `str actor`, `str action`, `u8 0|1` then 32 bytes of subject hash when 1,
//! `u32 n` then n × (`str kind`, `str id`) object references in the order given, `u32 m` then m ×
//! (`str name`, `u64 value`) counts sorted by name, `str outcome`; where `str` is `u32 length` then UTF-8 bytes.
//!
//! **Chain hash**: `SHA-256("steward.audit.entry.v1" 0x00 ‖ previous hash ‖ encoding)`; the first entry's
//! previous hash is 32 zero bytes. The sequence number is inside the encoding, so renumbering is a modification.
//!
//! Raw personal data cannot enter an entry through these types: the actor and the action come from closed enums
//! (plus a token id of restricted characters), the subject only as a 32-byte keyed hash, object references as
//! typed kinds with ids of restricted characters (no `@`, no spaces), counts under `'static` names, the outcome
//! from a closed enum. There is no free-text field.

use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest, Sha256};

/// The keyed hash (HMAC-SHA256 pseudonym) of a data subject's identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubjectHash(pub [u8; 32]);

/// A chain hash (SHA-256).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash(pub [u8; 32]);

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The local command line of the machine that holds the data directory.
    Cli,
    /// The admin HTTP API, with the id of the token used when known.
    AdminApi(Option<SafeId>),
    /// Steward itself (scheduled expiry, job runners).
    System,
}

/// What was done: a closed list, so that no free text enters the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    KeysInitialized,
    RequestCreated,
    RequestExtended,
    RequestClosed,
    RequestExpired,
    JobCreated,
    JobFinished,
    /// Entries written by tests and benchmarks.
    Test,
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Fulfilled,
    Denied,
    Failed,
    Refused,
}

/// What kind of object an entry refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Request,
    Job,
    IntercomContact,
    IntercomConversation,
    Key,
}

/// An identifier safe to keep in the audit log: 1..=128 characters of `[A-Za-z0-9_.:-]`, so never an email,
/// a name with spaces, or a message.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SafeId(String);

/// A reference to an object (a request id, an Intercom contact id...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub id: SafeId,
}

/// An entry as a caller asks for it to be written; the store adds the sequence number, time and hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditDraft {
    pub actor: Actor,
    pub action: Action,
    pub subject: Option<SubjectHash>,
    pub objects: Vec<ObjectRef>,
    pub counts: BTreeMap<&'static str, u64>,
    pub outcome: Outcome,
}

/// An entry as stored and read back. Text fields are kept as stored, so that verification sees tampering.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub seq: u64,
    pub time_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    /// `(kind, id)` pairs.
    pub objects: Vec<(String, String)>,
    pub counts: BTreeMap<String, u64>,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a text is not a [`SafeId`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("identifiers in the audit log are 1 to 128 characters of letters, digits, `_`, `.`, `:` or `-`")]
pub struct SafeIdError;

impl SafeId {
    /// Checks `text` against the allowed characters.
    pub fn new(text: &str) -> Result<SafeId, SafeIdError> {
        let ok = !text.is_empty()
            && text.len() <= 128
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'));
        if ok {
            Ok(SafeId(text.to_owned()))
        } else {
            Err(SafeIdError)
        }
    }

    /// A safe id from a number.
    pub fn from_number(n: i64) -> SafeId {
        SafeId(n.to_string())
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SafeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafeId({})", self.0)
    }
}

impl SubjectHash {
    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(text: &str) -> Option<SubjectHash> {
        let bytes = hex::decode(text).ok()?;
        Some(SubjectHash(bytes.try_into().ok()?))
    }
}

impl fmt::Debug for SubjectHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubjectHash({})", &self.to_hex()[..12])
    }
}

impl ChainHash {
    /// The previous hash of the first entry.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters.
    pub fn from_hex(text: &str) -> Option<ChainHash> {
        let bytes = hex::decode(text).ok()?;
        Some(ChainHash(bytes.try_into().ok()?))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", &self.to_hex()[..12])
    }
}

impl Actor {
    /// The stored form: `cli`, `system`, `admin-api` or `admin-api:<token id>`.
    pub fn to_text(&self) -> String {
        match self {
            Actor::Cli => "cli".to_owned(),
            Actor::System => "system".to_owned(),
            Actor::AdminApi(None) => "admin-api".to_owned(),
            Actor::AdminApi(Some(id)) => format!("admin-api:{}", id.as_str()),
        }
    }
}

impl Action {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::KeysInitialized => "keys.initialized",
            Action::RequestCreated => "request.created",
            Action::RequestExtended => "request.extended",
            Action::RequestClosed => "request.closed",
            Action::RequestExpired => "request.expired",
            Action::JobCreated => "job.created",
            Action::JobFinished => "job.finished",
            Action::Test => "test",
        }
    }
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fulfilled => "fulfilled",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
        }
    }
}

impl ObjectKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Request => "request",
            ObjectKind::Job => "job",
            ObjectKind::IntercomContact => "intercom-contact",
            ObjectKind::IntercomConversation => "intercom-conversation",
            ObjectKind::Key => "key",
        }
    }
}

impl AuditDraft {
    /// A draft with no subject, objects or counts.
    pub fn new(actor: Actor, action: Action, outcome: Outcome) -> AuditDraft {
        AuditDraft { actor, action, subject: None, objects: Vec::new(), counts: BTreeMap::new(), outcome }
    }

    /// Sets the subject.
    pub fn subject(mut self, subject: SubjectHash) -> AuditDraft {
        self.subject = Some(subject);
        self
    }

    /// Adds an object reference.
    pub fn object(mut self, kind: ObjectKind, id: SafeId) -> AuditDraft {
        self.objects.push(ObjectRef { kind, id });
        self
    }

    /// Sets a count.
    pub fn count(mut self, name: &'static str, value: u64) -> AuditDraft {
        self.counts.insert(name, value);
        self
    }

    /// The record this draft becomes at `seq` and `time_ms` after `prev` (hash computed).
    pub fn seal(&self, seq: u64, time_ms: i64, prev: &ChainHash) -> AuditRecord {
        let mut record = AuditRecord {
            seq,
            time_ms,
            actor: self.actor.to_text(),
            action: self.action.as_str().to_owned(),
            subject: self.subject.map(|s| s.to_hex()),
            objects: self.objects.iter().map(|o| (o.kind.as_str().to_owned(), o.id.as_str().to_owned())).collect(),
            counts: self.counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            outcome: self.outcome.as_str().to_owned(),
            prev_hash: prev.to_hex(),
            hash: String::new(),
        };
        record.hash = record.compute_hash(prev).to_hex();
        record
    }
}

impl AuditRecord {
    /// The canonical encoding (see the module documentation). A subject that is not 64 hex characters is
    /// encoded as its raw text after a `2` marker, so that tampering with it still changes the hash.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        put_str(&mut out, &self.actor);
        put_str(&mut out, &self.action);
        match &self.subject {
            None => out.push(0),
            Some(text) => match SubjectHash::from_hex(text) {
                Some(hash) if hash.to_hex() == *text => {
                    out.push(1);
                    out.extend_from_slice(&hash.0);
                }
                _ => {
                    out.push(2);
                    put_str(&mut out, text);
                }
            },
        }
        out.extend_from_slice(&(self.objects.len() as u32).to_be_bytes());
        for (kind, id) in &self.objects {
            put_str(&mut out, kind);
            put_str(&mut out, id);
        }
        out.extend_from_slice(&(self.counts.len() as u32).to_be_bytes());
        for (name, value) in &self.counts {
            put_str(&mut out, name);
            out.extend_from_slice(&value.to_be_bytes());
        }
        put_str(&mut out, &self.outcome);
        out
    }

    /// The chain hash of this record's content after `prev`.
    pub fn compute_hash(&self, prev: &ChainHash) -> ChainHash {
        let mut hasher = Sha256::new();
        hasher.update(b"steward.audit.entry.v1\0");
        hasher.update(prev.0);
        hasher.update(self.canonical_bytes());
        ChainHash(hasher.finalize().into())
    }
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> AuditDraft {
        AuditDraft::new(Actor::Cli, Action::RequestCreated, Outcome::Ok)
            .subject(SubjectHash([7; 32]))
            .object(ObjectKind::Request, SafeId::from_number(12))
            .count("records", 3)
    }

    #[test]
    fn safe_ids_refuse_emails_spaces_and_empty_text() {
        assert!(SafeId::new("6123abcd-ef").is_ok());
        assert!(SafeId::new("contact:5f3e").is_ok());
        for bad in ["", "jane@example.com", "Jane Doe", "a\nb", &"x".repeat(129)] {
            assert_eq!(SafeId::new(bad), Err(SafeIdError), "{bad:?}");
        }
    }

    #[test]
    fn hash_covers_every_field_and_the_previous_hash() {
        let base = draft().seal(5, 1_700_000_000_000, &ChainHash::GENESIS);
        assert_eq!(base.hash.len(), 64);
        let recompute = |r: &AuditRecord| r.compute_hash(&ChainHash::GENESIS).to_hex();
        assert_eq!(recompute(&base), base.hash);
        let mut variants = Vec::new();
        let mut r = base.clone();
        r.seq = 6;
        variants.push(r);
        let mut r = base.clone();
        r.time_ms += 1;
        variants.push(r);
        let mut r = base.clone();
        r.actor = "system".into();
        variants.push(r);
        let mut r = base.clone();
        r.action = "request.closed".into();
        variants.push(r);
        let mut r = base.clone();
        r.subject = None;
        variants.push(r);
        let mut r = base.clone();
        r.objects[0].1 = "13".into();
        variants.push(r);
        let mut r = base.clone();
        r.counts.insert("records".into(), 4);
        variants.push(r);
        let mut r = base.clone();
        r.outcome = "denied".into();
        variants.push(r);
        let mut r = base.clone();
        r.subject = Some("not hex".into());
        variants.push(r);
        for v in &variants {
            assert_ne!(recompute(v), base.hash, "{v:?}");
        }
        let other_prev = ChainHash([1; 32]);
        assert_ne!(base.compute_hash(&other_prev).to_hex(), base.hash);
    }

    #[test]
    fn encoding_is_unambiguous_between_fields() {
        let mut a = draft().seal(1, 0, &ChainHash::GENESIS);
        let mut b = a.clone();
        a.actor = "ab".into();
        a.action = "c".into();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
    }

    #[test]
    fn debug_output_of_hashes_is_short() {
        let text = format!("{:?}", SubjectHash([0xab; 32]));
        assert_eq!(text, "SubjectHash(abababababab)");
    }
}
