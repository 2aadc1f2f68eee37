//! The on-disk shape of a rules file: every field optional, every value spanned, so merging and errors can name the file and line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// One parsed rules file, before merging and compiling.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    pub version: Option<Spanned<i64>>,
    pub replace_defaults: Option<bool>,
    #[serde(default)]
    pub settings: SettingsFile,
    #[serde(default)]
    pub categories: BTreeMap<String, Spanned<CategoryFile>>,
    #[serde(default)]
    pub fields: Vec<Spanned<FieldFile>>,
    #[serde(default)]
    pub detectors: BTreeMap<String, Spanned<DetectorFile>>,
    #[serde(default)]
    pub patterns: BTreeMap<String, Spanned<PatternFile>>,
    #[serde(default)]
    pub retention: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    pub default_action: Option<Spanned<String>>,
    pub hash_hex_len: Option<Spanned<i64>>,
    pub max_line_bytes: Option<Spanned<i64>>,
    pub max_json_depth: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryFile {
    pub description: Option<String>,
    pub action: Option<Spanned<String>>,
    pub at_rest: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldFile {
    pub category: Spanned<String>,
    pub entity: Option<Spanned<String>>,
    pub action: Option<Spanned<String>>,
    pub paths: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorFile {
    pub enabled: Option<bool>,
    pub action: Option<Spanned<String>>,
    pub regions: Option<Vec<Spanned<String>>>,
    pub context: Option<Vec<Spanned<String>>>,
    pub context_after: Option<Vec<Spanned<String>>>,
    pub key_words: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternFile {
    pub enabled: Option<bool>,
    pub entity: Option<Spanned<String>>,
    pub regex: Option<Spanned<String>>,
    pub validator: Option<Spanned<String>>,
    pub context: Option<Vec<Spanned<String>>>,
    pub action: Option<Spanned<String>>,
}

/// Every key a rules file uses, in any table.
const RULES_KEYS: &[&str] = &[
    "version",
    "replace_defaults",
    "settings",
    "categories",
    "fields",
    "detectors",
    "patterns",
    "retention",
    "default_action",
    "hash_hex_len",
    "max_line_bytes",
    "max_json_depth",
    "description",
    "action",
    "at_rest",
    "category",
    "entity",
    "paths",
    "enabled",
    "regions",
    "context",
    "context_after",
    "key_words",
    "regex",
    "validator",
    "audit_log",
];

/// True when `key`, as written left of a `=` (maybe dotted or quoted), ends in a key that rules files use; no
/// such key holds a secret (the hash key comes from `steward init` or `STEWARD_HASH_KEY`, never from rules).
pub(crate) fn is_rules_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or("").trim().trim_matches(|c| c == '"' || c == '\'');
    RULES_KEYS.contains(&last) || super::RETENTION_KEYS.contains(&last)
}
