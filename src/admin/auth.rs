//! Admin bearer tokens: scopes, a secret token type, and constant-time lookup.

use std::fmt;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// What a token may do; each scope includes the ones below it (`read` < `operate` < `admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Operate,
    Admin,
}

/// A bearer token as presented or configured; never printed.
#[derive(Clone)]
pub struct BearerToken(Vec<u8>);

/// The configured tokens, stored as SHA-256 digests.
#[derive(Clone, Default)]
pub struct TokenSet {
    entries: Vec<TokenEntry>,
}

#[derive(Clone)]
struct TokenEntry {
    name: String,
    scope: Scope,
    digest: [u8; 32],
}

/// Who called: the token's name (safe to log) and its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub scope: Scope,
}

/// The result of checking a request against a required scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// No token or an unknown token: 401.
    Unauthenticated,
    /// A valid token without the scope: 403.
    Forbidden(Caller),
    Allowed(Caller),
}

/// Tokens shorter than this are refused in the config.
pub const MIN_TOKEN_LEN: usize = 16;

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Operate => "operate",
            Scope::Admin => "admin",
        }
    }
}

impl BearerToken {
    pub fn new(bytes: &[u8]) -> BearerToken {
        BearerToken(bytes.to_vec())
    }

    /// The token in an `Authorization: Bearer ...` header value, if any.
    pub fn from_header(value: &[u8]) -> Option<BearerToken> {
        let rest = value.strip_prefix(b"Bearer ").or_else(|| value.strip_prefix(b"bearer "))?;
        let trimmed = rest.trim_ascii();
        match trimmed.is_empty() {
            true => None,
            false => Some(BearerToken(trimmed.to_vec())),
        }
    }

    fn digest(&self) -> [u8; 32] {
        Sha256::digest(&self.0).into()
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(****)")
    }
}

impl fmt::Display for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.iter().map(|e| format!("{}:{}:****", e.name, e.scope.as_str()))).finish()
    }
}

/// Compares two byte strings of equal length without data-dependent branches.
pub fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

impl TokenSet {
    /// Adds a token; the error says what is wrong with it (never the token itself).
    pub fn add(&mut self, name: &str, scope: Scope, secret: &[u8]) -> Result<(), String> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            return Err("the name must be non-empty ASCII letters, digits, `-`, `_` or `.`".into());
        }
        if secret.len() < MIN_TOKEN_LEN {
            return Err(format!("the token is shorter than {MIN_TOKEN_LEN} bytes; use e.g. `openssl rand -hex 32`"));
        }
        let digest = BearerToken::new(secret).digest();
        if self.entries.iter().any(|e| e.name == name) {
            return Err("the name is used twice".into());
        }
        self.entries.push(TokenEntry { name: name.to_string(), scope, digest });
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Finds the token; every configured digest is compared, in constant time each.
    pub fn identify(&self, token: &BearerToken) -> Option<Caller> {
        let digest = token.digest();
        let mut found = None;
        for entry in &self.entries {
            if constant_time_eq(&entry.digest, &digest) {
                found = Some(Caller { name: entry.name.clone(), scope: entry.scope });
            }
        }
        found
    }

    /// Checks an `Authorization` header value against a required scope.
    pub fn check(&self, authorization: Option<&[u8]>, required: Scope) -> AuthOutcome {
        let caller = authorization.and_then(BearerToken::from_header).and_then(|t| self.identify(&t));
        match caller {
            None => AuthOutcome::Unauthenticated,
            Some(c) if c.scope >= required => AuthOutcome::Allowed(c),
            Some(c) => AuthOutcome::Forbidden(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_hierarchical_and_tokens_hidden() {
        let mut set = TokenSet::default();
        set.add("reader", Scope::Read, b"read-token-0123456789").unwrap();
        set.add("boss", Scope::Admin, b"admin-token-0123456789").unwrap();
        assert!(set.add("short", Scope::Read, b"abc").is_err());
        let read = Some(&b"Bearer read-token-0123456789"[..]);
        let admin = Some(&b"Bearer admin-token-0123456789"[..]);
        assert!(matches!(set.check(read, Scope::Read), AuthOutcome::Allowed(_)));
        assert!(matches!(set.check(read, Scope::Operate), AuthOutcome::Forbidden(_)));
        assert!(matches!(set.check(admin, Scope::Operate), AuthOutcome::Allowed(_)));
        assert_eq!(set.check(None, Scope::Read), AuthOutcome::Unauthenticated);
        assert_eq!(set.check(Some(b"Bearer wrong-token-0123456789"), Scope::Read), AuthOutcome::Unauthenticated);
        assert!(!format!("{set:?}").contains("token-0123"));
        assert_eq!(format!("{:?}", BearerToken::new(b"x")), "BearerToken(****)");
    }
}
