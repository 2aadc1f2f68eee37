//! Keys: the Ed25519 signing key and the subject-hashing secrets, in files (0600) or environment variables.
//!
//! Layout under `<data_dir>/keys/` (directory 0700):
//! - `signing.ed25519`: the 32-byte Ed25519 seed in hex (0600), or `STEWARD_SIGNING_KEY`;
//! - `signing.ed25519.pub`: the public key in hex, for verifiers;
//! - `subject-hmac.key`: the current subject-hashing secret in hex (0600), or `STEWARD_HASH_KEY`;
//! - `subject-hmac.<n>.key`: earlier secrets after rotations, id `n`; the current one has the next id.
//!
//! Keys never enter the database. A key file readable by group or others is refused.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit::entry::{Action, Actor, AuditDraft, ObjectKind, Outcome, SafeId};
use crate::redact::HashKey;
use crate::store::{Store, StoreError};

/// The environment variable that gives the signing key (hex seed) instead of the file.
pub const SIGNING_KEY_ENV: &str = "STEWARD_SIGNING_KEY";
/// The environment variable that gives the current subject-hashing secret (hex) instead of the file.
pub const HASH_KEY_ENV: &str = "STEWARD_HASH_KEY";

/// The loaded keys.
pub struct Keys {
    signing: SigningKey,
    subject: SubjectKeys,
}

/// The subject-hashing secrets: the current one and those it replaced, each with its id.
pub struct SubjectKeys {
    current: SubjectKey,
    older: Vec<SubjectKey>,
}

/// One subject-hashing secret.
pub struct SubjectKey {
    /// Its id (1 for the first key, then one more per rotation).
    pub id: u32,
    /// The pseudonym key built from it.
    pub hash_key: HashKey,
    raw: Vec<u8>,
}

/// What `steward init` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitReport {
    pub data_dir: PathBuf,
    pub fingerprint: String,
    pub public_key_hex: String,
    pub signing_from_env: bool,
    pub hash_from_env: bool,
}

/// Why keys could not be created or loaded. Key material is never part of the message.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("keys already exist in {0}; refusing to overwrite them (move them away first if you really mean to)")]
    AlreadyExists(PathBuf),
    #[error("no signing key: run `steward init` or set {SIGNING_KEY_ENV}")]
    NoSigningKey,
    #[error("no subject-hashing key: run `steward init` or set {HASH_KEY_ENV}")]
    NoHashKey,
    #[error("the key in {0} is malformed; it must be hex ({1} bytes)")]
    Malformed(String, usize),
    #[error("{0} is readable by group or others; run `chmod 600` on it")]
    Permissions(PathBuf),
    #[error("no public key: give --public-key HEX or keep keys/signing.ed25519.pub in the data directory")]
    NoPublicKey,
    #[error("cannot access key files: {0}; check the data directory and its permissions")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The key for the engine's `hash` action: `STEWARD_HASH_KEY` (hex), else the current subject key file of the
/// data directory when it exists, else none (the engine then refuses rules that use `hash`).
pub fn log_hash_key(data_dir: &Path) -> Result<Option<crate::pii::HashKey>, KeyError> {
    if let Ok(hex) = std::env::var(HASH_KEY_ENV) {
        return crate::pii::HashKey::from_hex(&hex)
            .map(Some)
            .map_err(|_| KeyError::Malformed(HASH_KEY_ENV.to_string(), 32));
    }
    let path = keys_dir(data_dir).join(SUBJECT_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => crate::pii::HashKey::from_hex(&text)
            .map(Some)
            .map_err(|_| KeyError::Malformed(path.display().to_string(), 32)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(KeyError::Io(error)),
    }
}

/// The data directory: `STEWARD_DATA_DIR`, else `./steward-data`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("STEWARD_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("steward-data"))
}

/// The directory holding the key files.
pub fn keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

const SIGNING_FILE: &str = "signing.ed25519";
const PUBLIC_FILE: &str = "signing.ed25519.pub";
const SUBJECT_FILE: &str = "subject-hmac.key";

/// Creates the data directory, the database and the keys; refuses to overwrite existing keys.
/// Keys given by environment are not written to files.
pub fn init(data_dir: &Path) -> Result<InitReport, KeyError> {
    let dir = keys_dir(data_dir);
    create_private_dir(data_dir)?;
    create_private_dir(&dir)?;
    let signing_from_env = std::env::var_os(SIGNING_KEY_ENV).is_some();
    let hash_from_env = std::env::var_os(HASH_KEY_ENV).is_some();
    for (name, from_env) in [(SIGNING_FILE, signing_from_env), (SUBJECT_FILE, hash_from_env)] {
        if !from_env && dir.join(name).exists() {
            return Err(KeyError::AlreadyExists(dir));
        }
    }
    if !signing_from_env {
        let signing = SigningKey::generate(&mut OsRng);
        write_secret(&dir.join(SIGNING_FILE), &hex::encode(signing.to_bytes()))?;
    }
    if !hash_from_env {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        write_secret(&dir.join(SUBJECT_FILE), &hex::encode(secret))?;
    }
    let keys = Keys::load(data_dir)?;
    let public = keys.public_key();
    fs::write(dir.join(PUBLIC_FILE), format!("{}\n", hex::encode(public.as_bytes())))?;
    let store = Store::open(data_dir)?;
    let fingerprint = fingerprint(&public);
    let mut draft = AuditDraft::new(Actor::Cli, Action::KeysInitialized, Outcome::Ok);
    if let Ok(id) = SafeId::new(&fingerprint) {
        draft = draft.object(ObjectKind::Key, id);
    }
    store.append_audit(&draft)?;
    Ok(InitReport {
        data_dir: data_dir.to_path_buf(),
        public_key_hex: hex::encode(public.as_bytes()),
        fingerprint,
        signing_from_env,
        hash_from_env,
    })
}

/// Rotates the subject-hashing secret: the current file becomes `subject-hmac.<id>.key` and a new current one
/// is written. Tokens made with the old key stay computable, because lookups use every key.
pub fn rotate_subject_key(data_dir: &Path) -> Result<u32, KeyError> {
    let dir = keys_dir(data_dir);
    let current = dir.join(SUBJECT_FILE);
    if !current.exists() {
        return Err(KeyError::NoHashKey);
    }
    let id = next_subject_id(&dir)?;
    let archived = dir.join(format!("subject-hmac.{id}.key"));
    if archived.exists() {
        return Err(KeyError::AlreadyExists(archived));
    }
    fs::rename(&current, &archived)?;
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    write_secret(&current, &hex::encode(secret))?;
    Ok(id + 1)
}

/// The fingerprint of a public key: `sha256:` and the first 32 hex digits of SHA-256 of its bytes.
pub fn fingerprint(public: &VerifyingKey) -> String {
    let digest = Sha256::digest(public.as_bytes());
    format!("sha256:{}", &hex::encode(digest)[..32])
}

/// The public key for verification: from `hex_override`, else the `.pub` file, else derived from the signing key.
pub fn load_public_key(data_dir: &Path, hex_override: Option<&str>) -> Result<VerifyingKey, KeyError> {
    let text = match hex_override {
        Some(text) => text.to_owned(),
        None => match fs::read_to_string(keys_dir(data_dir).join(PUBLIC_FILE)) {
            Ok(text) => text,
            Err(_) => match Keys::load(data_dir) {
                Ok(keys) => return Ok(keys.public_key()),
                Err(_) => return Err(KeyError::NoPublicKey),
            },
        },
    };
    parse_public_key(&text)
}

/// Parses a public key in hex.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| KeyError::Malformed("the public key".into(), 32))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Malformed("the public key".into(), 32))
}

impl Keys {
    /// Loads the keys of `data_dir`, environment variables taking precedence over files.
    pub fn load(data_dir: &Path) -> Result<Keys, KeyError> {
        let dir = keys_dir(data_dir);
        let signing_hex = match std::env::var(SIGNING_KEY_ENV) {
            Ok(text) => text,
            Err(_) => read_secret(&dir.join(SIGNING_FILE))?.ok_or(KeyError::NoSigningKey)?,
        };
        let seed: [u8; 32] = hex::decode(signing_hex.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| KeyError::Malformed("the signing key".into(), 32))?;
        let signing = SigningKey::from_bytes(&seed);
        let mut older = Vec::new();
        if dir.is_dir() {
            for entry in fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(id) = archived_id(&name) {
                    let text = read_secret(&entry.path())?.ok_or(KeyError::NoHashKey)?;
                    older.push(SubjectKey::from_hex(id, &text, &name)?);
                }
            }
        }
        older.sort_by_key(|k| std::cmp::Reverse(k.id));
        let current_id = older.first().map_or(1, |k| k.id + 1);
        let current_hex = match std::env::var(HASH_KEY_ENV) {
            Ok(text) => text,
            Err(_) => read_secret(&dir.join(SUBJECT_FILE))?.ok_or(KeyError::NoHashKey)?,
        };
        let current = SubjectKey::from_hex(current_id, &current_hex, SUBJECT_FILE)?;
        Ok(Keys { signing, subject: SubjectKeys { current, older } })
    }

    /// Keys from raw parts, for tests and embedding.
    pub fn from_parts(signing_seed: [u8; 32], subject_secrets: &[&[u8]]) -> Result<Keys, KeyError> {
        let mut keys: Vec<SubjectKey> = subject_secrets
            .iter()
            .enumerate()
            .map(|(i, raw)| SubjectKey::from_raw(i as u32 + 1, raw, "a subject secret"))
            .collect::<Result<_, _>>()?;
        let current = keys.pop().ok_or(KeyError::NoHashKey)?;
        keys.reverse();
        Ok(Keys { signing: SigningKey::from_bytes(&signing_seed), subject: SubjectKeys { current, older: keys } })
    }

    /// The public half of the signing key.
    pub fn public_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Signs `message` with the Ed25519 key.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The subject-hashing secrets.
    pub fn subject(&self) -> &SubjectKeys {
        &self.subject
    }
}

impl SubjectKeys {
    /// The key new hashes are made with.
    pub fn current(&self) -> &SubjectKey {
        &self.current
    }

    /// Every key, newest first: lookups try them all.
    pub fn all(&self) -> impl Iterator<Item = &SubjectKey> {
        std::iter::once(&self.current).chain(self.older.iter())
    }

    /// The key with this id.
    pub fn by_id(&self, id: u32) -> Option<&SubjectKey> {
        self.all().find(|k| k.id == id)
    }
}

impl SubjectKey {
    fn from_hex(id: u32, text: &str, what: &str) -> Result<SubjectKey, KeyError> {
        let raw = hex::decode(text.trim()).map_err(|_| KeyError::Malformed(what.to_owned(), 32))?;
        SubjectKey::from_raw(id, &raw, what)
    }

    fn from_raw(id: u32, raw: &[u8], what: &str) -> Result<SubjectKey, KeyError> {
        let hash_key = HashKey::from_bytes(raw).map_err(|_| KeyError::Malformed(what.to_owned(), 32))?;
        Ok(SubjectKey { id, hash_key, raw: raw.to_vec() })
    }

    /// The 32-byte key that seals readable identifiers in the ledger, derived from this secret:
    /// `HMAC-SHA256(secret, "steward.ledger.seal.v1")`.
    pub fn seal_key(&self) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.raw).expect("HMAC-SHA256 accepts keys of any length");
        mac.update(b"steward.ledger.seal.v1");
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(****)")
    }
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubjectKey {{ id: {}, secret: **** }}", self.id)
    }
}

fn archived_id(name: &str) -> Option<u32> {
    name.strip_prefix("subject-hmac.")?.strip_suffix(".key")?.parse().ok()
}

fn next_subject_id(dir: &Path) -> Result<u32, KeyError> {
    let mut max = 0;
    for entry in fs::read_dir(dir)? {
        if let Some(id) = archived_id(&entry?.file_name().to_string_lossy()) {
            max = max.max(id);
        }
    }
    Ok(max + 1)
}

fn create_private_dir(dir: &Path) -> Result<(), KeyError> {
    if !dir.exists() {
        fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

fn write_secret(path: &Path, hex_text: &str) -> Result<(), KeyError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::AlreadyExists(path.to_path_buf())
        } else {
            KeyError::Io(e)
        }
    })?;
    file.write_all(hex_text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

fn read_secret(path: &Path) -> Result<Option<String>, KeyError> {
    match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if meta.permissions().mode() & 0o077 != 0 {
                    return Err(KeyError::Permissions(path.to_path_buf()));
                }
            }
            let _ = meta;
        }
    }
    Ok(Some(fs::read_to_string(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn init_creates_private_keys_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let report = init(&data).unwrap();
        assert!(report.fingerprint.starts_with("sha256:"));
        for name in [SIGNING_FILE, SUBJECT_FILE] {
            let mode = fs::metadata(keys_dir(&data).join(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        let before = fs::read_to_string(keys_dir(&data).join(SIGNING_FILE)).unwrap();
        assert!(matches!(init(&data), Err(KeyError::AlreadyExists(_))));
        let after = fs::read_to_string(keys_dir(&data).join(SIGNING_FILE)).unwrap();
        assert_eq!(before, after);
        let keys = Keys::load(&data).unwrap();
        assert_eq!(fingerprint(&keys.public_key()), report.fingerprint);
        assert_eq!(load_public_key(&data, None).unwrap(), keys.public_key());
        assert_eq!(format!("{keys:?}"), "Keys(****)");
        // The database exists and recorded the initialization.
        let store = Store::open(&data).unwrap();
        assert_eq!(store.audit_head().unwrap().unwrap().0, 1);
    }

    #[test]
    fn keys_readable_by_others_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path()).unwrap();
        let path = keys_dir(dir.path()).join(SUBJECT_FILE);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = Keys::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn rotation_keeps_old_keys_usable_with_ids() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path()).unwrap();
        let before = Keys::load(dir.path()).unwrap();
        let old_token = before.subject().current().hash_key.token("EMAIL", b"a@b.co", 6);
        assert_eq!(before.subject().current().id, 1);
        assert_eq!(rotate_subject_key(dir.path()).unwrap(), 2);
        let after = Keys::load(dir.path()).unwrap();
        assert_eq!(after.subject().current().id, 2);
        let ids: Vec<u32> = after.subject().all().map(|k| k.id).collect();
        assert_eq!(ids, vec![2, 1]);
        let old = after.subject().by_id(1).unwrap();
        assert_eq!(old.hash_key.token("EMAIL", b"a@b.co", 6), old_token);
        assert_ne!(after.subject().current().hash_key.token("EMAIL", b"a@b.co", 6), old_token);
        assert_ne!(old.seal_key(), after.subject().current().seal_key());
    }

    #[test]
    fn signatures_verify_with_the_public_key() {
        use ed25519_dalek::Verifier;
        let keys = Keys::from_parts([3; 32], &[&[5; 32]]).unwrap();
        let signature = ed25519_dalek::Signature::from_bytes(&keys.sign(b"message"));
        assert!(keys.public_key().verify(b"message", &signature).is_ok());
        assert!(keys.public_key().verify(b"other", &signature).is_err());
        let parsed = parse_public_key(&hex::encode(keys.public_key().as_bytes())).unwrap();
        assert_eq!(parsed, keys.public_key());
        assert!(parse_public_key("zz").is_err());
    }
}
