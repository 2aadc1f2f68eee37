//! Keyed pseudonyms: the HMAC tokens that the `hash` action writes and that compliance lookups recompute.
//!
//! A token is `HMAC-SHA256(key, "steward.pseudonym.v1" 0x00 ENTITY 0x00 normalized-value)`.
//! The entity is part of the input so that the same digits as a phone and as a card give unrelated tokens.
//! Normalization makes lookups consistent: an email is trimmed and lowercased, a phone keeps only its digits
//! (and a leading `+`), a card or IBAN keeps only its letters and digits (uppercased); anything else is trimmed.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The secret that keys pseudonyms. It never appears in `Debug` or `Display` output.
#[derive(Clone)]
pub struct HashKey {
    bytes: Vec<u8>,
}

/// Why a byte string cannot be used as a [`HashKey`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashKeyError {
    #[error("the hash key is {0} bytes long; use at least 16 random bytes (32 recommended)")]
    TooShort(usize),
    #[error("the hash key is not valid hex; give 32 or more hex characters (e.g. `openssl rand -hex 32`)")]
    NotHex,
}

impl HashKey {
    /// Minimum key length in bytes.
    pub const MIN_LEN: usize = 16;

    /// Builds a key from raw secret bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<HashKey, HashKeyError> {
        if bytes.len() < Self::MIN_LEN {
            return Err(HashKeyError::TooShort(bytes.len()));
        }
        Ok(HashKey { bytes: bytes.to_vec() })
    }

    /// Builds a key from hex text (surrounding whitespace ignored), as stored in key files and variables.
    pub fn from_hex(text: &str) -> Result<HashKey, HashKeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| HashKeyError::NotHex)?;
        HashKey::from_bytes(&bytes)
    }

    /// A key derived from a fixed label, for the demo and for tests only: tokens made with it are not secret.
    pub fn insecure_demo_key() -> HashKey {
        HashKey { bytes: b"steward insecure demo key: never use in production".to_vec() }
    }

    /// The full 32-byte pseudonym of `value` as the given entity (for example `EMAIL`).
    pub fn pseudonym(&self, entity: &str, value: &[u8]) -> [u8; 32] {
        let mut normalized = Vec::with_capacity(value.len());
        normalize_into(entity, value, &mut normalized);
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes).expect("HMAC-SHA256 accepts keys of any length");
        mac.update(b"steward.pseudonym.v1\0");
        mac.update(entity.as_bytes());
        mac.update(b"\0");
        mac.update(&normalized);
        mac.finalize().into_bytes().into()
    }

    /// Appends the short token that logs carry, e.g. `[EMAIL:9f2c41]`, using `hex_len` hex digits (4..=64).
    pub fn write_token(&self, entity: &str, value: &[u8], hex_len: usize, out: &mut Vec<u8>) {
        let digest = self.pseudonym(entity, value);
        let hex_len = hex_len.clamp(4, 64);
        out.push(b'[');
        out.extend_from_slice(entity.as_bytes());
        out.push(b':');
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for i in 0..hex_len {
            let byte = digest[i / 2];
            let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
            out.push(HEX[usize::from(nibble)]);
        }
        out.push(b']');
    }

    /// The short token as a string, e.g. `[EMAIL:9f2c41]`.
    pub fn token(&self, entity: &str, value: &[u8], hex_len: usize) -> String {
        let mut out = Vec::new();
        self.write_token(entity, value, hex_len, &mut out);
        String::from_utf8(out).expect("tokens are ASCII")
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey(****)")
    }
}

/// Writes the normalized form of `value` for `entity` (see the module documentation).
pub fn normalize_into(entity: &str, value: &[u8], out: &mut Vec<u8>) {
    let trimmed = value.trim_ascii();
    match entity {
        "EMAIL" => out.extend(trimmed.iter().map(u8::to_ascii_lowercase)),
        "PHONE" => {
            if trimmed.first() == Some(&b'+') {
                out.push(b'+');
            }
            out.extend(trimmed.iter().filter(|b| b.is_ascii_digit()));
        }
        "CARD" | "IBAN" => out.extend(trimmed.iter().filter(|b| b.is_ascii_alphanumeric()).map(u8::to_ascii_uppercase)),
        _ => out.extend_from_slice(trimmed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_tokens_ignore_case_and_surrounding_space() {
        let key = HashKey::from_hex(&"ab".repeat(32)).unwrap();
        let a = key.token("EMAIL", b"Jane.Doe@Example.com", 6);
        let b = key.token("EMAIL", b"  jane.doe@example.com ", 6);
        assert_eq!(a, b);
        assert!(a.starts_with("[EMAIL:") && a.len() == "[EMAIL:".len() + 7, "{a}");
    }

    #[test]
    fn tokens_depend_on_key_entity_and_value() {
        let k1 = HashKey::from_hex(&"ab".repeat(32)).unwrap();
        let k2 = HashKey::from_hex(&"cd".repeat(32)).unwrap();
        assert_ne!(k1.pseudonym("EMAIL", b"a@b.co"), k2.pseudonym("EMAIL", b"a@b.co"));
        assert_ne!(k1.pseudonym("EMAIL", b"a@b.co"), k1.pseudonym("NAME", b"a@b.co"));
        assert_ne!(k1.pseudonym("EMAIL", b"a@b.co"), k1.pseudonym("EMAIL", b"a@b.cd"));
        assert_eq!(k1.pseudonym("PHONE", b"+1 (415) 555-2671"), k1.pseudonym("PHONE", b"+14155552671"));
    }

    #[test]
    fn short_or_malformed_keys_are_refused_and_never_printed() {
        assert_eq!(HashKey::from_bytes(b"short").unwrap_err(), HashKeyError::TooShort(5));
        assert_eq!(HashKey::from_hex("zz").unwrap_err(), HashKeyError::NotHex);
        let key = HashKey::from_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(format!("{key:?}"), "HashKey(****)");
    }
}
