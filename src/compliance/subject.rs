//! Data-subject identifiers, parsed at the boundary: an email, an external id or an Intercom contact id.
//!
//! The readable value never appears in `Debug` or `Display` output (they print `****`); it is used only to
//! compute the keyed hash and, while a request is open, to be sealed in the ledger.

use std::fmt;
use std::str::FromStr;

use crate::audit::entry::SubjectHash;
use crate::keys::SubjectKeys;
use crate::redact::HashKey;

/// Which kind of identifier names the subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Email,
    ExternalId,
    ContactId,
}

/// An email address, trimmed and lowercased.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

/// An id the customer's own systems give the person (Intercom `external_id`).
#[derive(Clone, PartialEq, Eq)]
pub struct ExternalId(String);

/// An Intercom contact id.
#[derive(Clone, PartialEq, Eq)]
pub struct ContactId(String);

/// One identifier of a data subject.
#[derive(Clone, PartialEq, Eq)]
pub enum SubjectId {
    Email(Email),
    ExternalId(ExternalId),
    ContactId(ContactId),
}

/// Why an identifier is refused (the value itself is never repeated).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubjectError {
    #[error("the email address is not valid; give one like name@example.com")]
    Email,
    #[error("the external id is empty or longer than 256 characters; give the id your systems use")]
    ExternalId,
    #[error("the contact id must be 1 to 64 letters, digits or `-`/`_`, as Intercom shows it")]
    ContactId,
    #[error("unknown subject kind; use email, external_id or contact_id")]
    Kind,
}

impl SubjectKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Email => "email",
            SubjectKind::ExternalId => "external_id",
            SubjectKind::ContactId => "contact_id",
        }
    }

    /// The entity name under which the engine's `hash` action keys this kind of value.
    pub fn entity(self) -> &'static str {
        match self {
            SubjectKind::Email => "EMAIL",
            SubjectKind::ExternalId => "EXTERNAL_ID",
            SubjectKind::ContactId => "CONTACT_ID",
        }
    }
}

impl FromStr for SubjectKind {
    type Err = SubjectError;

    fn from_str(text: &str) -> Result<SubjectKind, SubjectError> {
        match text {
            "email" => Ok(SubjectKind::Email),
            "external_id" => Ok(SubjectKind::ExternalId),
            "contact_id" => Ok(SubjectKind::ContactId),
            _ => Err(SubjectError::Kind),
        }
    }
}

impl Email {
    /// Parses an email: one `@`, a non-empty local part, a domain with a dot, no spaces or controls.
    pub fn parse(text: &str) -> Result<Email, SubjectError> {
        let value = text.trim().to_ascii_lowercase();
        let (local, domain) = value.split_once('@').ok_or(SubjectError::Email)?;
        let ok = !local.is_empty()
            && value.len() <= 320
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(value))
        } else {
            Err(SubjectError::Email)
        }
    }
}

impl ExternalId {
    /// Parses an external id: trimmed, 1..=256 characters, no control characters.
    pub fn parse(text: &str) -> Result<ExternalId, SubjectError> {
        let value = text.trim();
        if value.is_empty() || value.chars().count() > 256 || value.chars().any(char::is_control) {
            return Err(SubjectError::ExternalId);
        }
        Ok(ExternalId(value.to_owned()))
    }
}

impl ContactId {
    /// Parses an Intercom contact id.
    pub fn parse(text: &str) -> Result<ContactId, SubjectError> {
        let value = text.trim();
        let ok = !value.is_empty()
            && value.len() <= 64
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(ContactId(value.to_owned()))
        } else {
            Err(SubjectError::ContactId)
        }
    }

    /// The id (a contact id is not secret in itself: the audit log may reference it).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl SubjectId {
    /// Parses a value of the given kind.
    pub fn parse(kind: SubjectKind, text: &str) -> Result<SubjectId, SubjectError> {
        Ok(match kind {
            SubjectKind::Email => SubjectId::Email(Email::parse(text)?),
            SubjectKind::ExternalId => SubjectId::ExternalId(ExternalId::parse(text)?),
            SubjectKind::ContactId => SubjectId::ContactId(ContactId::parse(text)?),
        })
    }

    /// The kind.
    pub fn kind(&self) -> SubjectKind {
        match self {
            SubjectId::Email(_) => SubjectKind::Email,
            SubjectId::ExternalId(_) => SubjectKind::ExternalId,
            SubjectId::ContactId(_) => SubjectKind::ContactId,
        }
    }

    /// The readable value. Handle with care: it is personal data.
    pub fn expose(&self) -> &str {
        match self {
            SubjectId::Email(Email(v)) | SubjectId::ExternalId(ExternalId(v)) | SubjectId::ContactId(ContactId(v)) => v,
        }
    }

    /// The keyed hash under `key`: the full pseudonym the engine's `hash` action truncates into log tokens.
    pub fn hash(&self, key: &HashKey) -> SubjectHash {
        SubjectHash(key.pseudonym(self.kind().entity(), self.expose().as_bytes()))
    }

    /// The token a redacted log line carries for this subject, e.g. `[EMAIL:9f2c41]`.
    pub fn log_token(&self, key: &HashKey, hex_len: usize) -> String {
        key.token(self.kind().entity(), self.expose().as_bytes(), hex_len)
    }

    /// The tokens to search redacted logs for: one per subject key (current first, then rotated ones), so lines
    /// written before a rotation are found too.
    pub fn log_tokens(&self, keys: &SubjectKeys, hex_len: usize) -> Vec<String> {
        keys.all().map(|k| self.log_token(&k.hash_key, hex_len)).collect()
    }
}

macro_rules! redacted {
    ($($name:ident),*) => {$(
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(****)"))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("****")
            }
        }
    )*};
}

redacted!(Email, ExternalId, ContactId, SubjectId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_validated() {
        let a = Email::parse("  Jane.Doe@Example.COM ").unwrap();
        assert_eq!(a, Email::parse("jane.doe@example.com").unwrap());
        for bad in ["", "jane", "@example.com", "jane@", "jane@example", "ja ne@example.com", "a@b@c.d"] {
            assert_eq!(Email::parse(bad), Err(SubjectError::Email), "{bad}");
        }
    }

    #[test]
    fn identifiers_never_print_their_value() {
        let id = SubjectId::parse(SubjectKind::Email, "jane@example.com").unwrap();
        assert_eq!(format!("{id:?}"), "SubjectId(****)");
        assert_eq!(format!("{id}"), "****");
        let e = ExternalId::parse("user-42").unwrap();
        assert_eq!(format!("{e:?} {e}"), "ExternalId(****) ****");
        assert!(ContactId::parse("abc 1").is_err());
        assert!(ExternalId::parse("  ").is_err());
    }

    #[test]
    fn subject_hash_matches_the_log_token_of_the_hash_action() {
        let key = HashKey::from_hex(&"ab".repeat(32)).unwrap();
        let id = SubjectId::parse(SubjectKind::Email, " Jane@Example.com").unwrap();
        let hash = id.hash(&key);
        let token = key.token("EMAIL", b"jane@example.com", 6);
        assert_eq!(token, format!("[EMAIL:{}]", &hash.to_hex()[..6]));
        assert_eq!(id.log_token(&key, 6), token);
        let keys = crate::keys::Keys::from_parts([1; 32], &[&[0xab; 32], &[0xcd; 32]]).unwrap();
        let tokens = id.log_tokens(keys.subject(), 6);
        let old = HashKey::from_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[1], old.token("EMAIL", b"jane@example.com", 6));
        assert_ne!(tokens[0], tokens[1]);
        let ext = SubjectId::parse(SubjectKind::ExternalId, "u-1").unwrap();
        assert_eq!(ext.hash(&key).0, key.pseudonym("EXTERNAL_ID", b"u-1"));
    }
}
