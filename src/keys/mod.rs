//! Keys: the Ed25519 signing key and the subject-hashing secrets, in files or environment variables.
