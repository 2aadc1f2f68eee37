//! Rules: load TOML rule files, merge them over the shipped defaults, validate, and compile them into [`Rules`].
//!
//! Everything that classifies data reads the compiled [`Rules`]: the log engine, and the compliance actions
//! (access packages, erasure, export redaction, retention). A rules set that fails to compile is never half-used.

mod compile;
pub mod file;
pub mod path;
mod retention;
#[cfg(test)]
mod tests;
mod tree;

use std::fmt;
use std::path::{Path, PathBuf};

pub use compile::{compile_sources, RulesText, Source};
pub use path::{FieldPattern, KeyPath, PathError};
pub use retention::{RetentionPeriod, RetentionUnit, RETENTION_KEYS};

/// The shipped default rules, compiled into the binary.
pub const DEFAULT_RULES: &[(&str, &str)] = &[
    ("<defaults>", include_str!("../../rules/default.toml")),
    ("<defaults: given names>", include_str!("../../rules/given_names.toml")),
    ("<defaults: family names>", include_str!("../../rules/family_names.toml")),
];

/// What happens to a value that a rule or detector selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Replace with the entity label, e.g. `[EMAIL]`.
    Label,
    /// Replace with `[REDACTED]`.
    Redact,
    /// Keep the last four letters or digits (of a value with at least nine, and never of an entity the rules
    /// mark `secret`), replace the others with `*`.
    Mask,
    /// Replace with a keyed, stable, irreversible token, e.g. `[EMAIL:9f2c41]`.
    Hash,
    /// Remove the JSON member (key and value); in text, behaves like `redact`.
    DropField,
    /// No replacement: a field's value is not replaced because of its key (the detectors still scan it); a
    /// detector's or pattern's findings are left as they are.
    Keep,
    /// Run the detectors over the value (HTML-aware).
    Scan,
}

impl Action {
    /// All action names, as written in rules files.
    pub const NAMES: &'static [&'static str] = &["label", "redact", "mask", "hash", "drop-field", "keep", "scan"];

    /// Parses an action name.
    pub fn parse(name: &str) -> Option<Action> {
        Some(match name {
            "label" => Action::Label,
            "redact" => Action::Redact,
            "mask" => Action::Mask,
            "hash" => Action::Hash,
            "drop-field" | "drop_field" => Action::DropField,
            "keep" => Action::Keep,
            "scan" => Action::Scan,
            _ => return None,
        })
    }

    /// The name as written in rules files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Label => "label",
            Action::Redact => "redact",
            Action::Mask => "mask",
            Action::Hash => "hash",
            Action::DropField => "drop-field",
            Action::Keep => "keep",
            Action::Scan => "scan",
        }
    }

    /// True for the actions that replace the value (everything but `keep` and `scan`).
    pub fn replaces(self) -> bool {
        !matches!(self, Action::Keep | Action::Scan)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a category is stored at rest by the compliance store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AtRest {
    /// Stored encrypted.
    Encrypt,
    /// Stored only as a keyed hash.
    Hash,
    /// Not stored at all.
    Drop,
    /// Stored as is.
    Plain,
}

impl AtRest {
    fn parse(name: &str) -> Option<AtRest> {
        Some(match name {
            "encrypt" => AtRest::Encrypt,
            "hash" => AtRest::Hash,
            "drop" => AtRest::Drop,
            "plain" => AtRest::Plain,
            _ => return None,
        })
    }
}

/// An entity: what a finding or a classified field is (`EMAIL`, `PHONE`, `NAME`, ...). Indexes [`Rules::entities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub u16);

/// The built-in detectors, in the order of their fixed entity ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DetectorKind {
    Email,
    Phone,
    Card,
    Iban,
    Ssn,
    Ip,
    Mac,
    Credentials,
    Secret,
    /// A person's name after a word that introduces one: a greeting, a sign-off, a title (`Hi Lukas`,
    /// `Kind regards, Maria Lindqvist`, `Dr. Samuel Okonkwo`).
    Name,
}

impl DetectorKind {
    /// Every built-in detector.
    pub const ALL: [DetectorKind; 10] = [
        DetectorKind::Email,
        DetectorKind::Phone,
        DetectorKind::Card,
        DetectorKind::Iban,
        DetectorKind::Ssn,
        DetectorKind::Ip,
        DetectorKind::Mac,
        DetectorKind::Credentials,
        DetectorKind::Secret,
        DetectorKind::Name,
    ];

    /// The name of its `[detectors.NAME]` table.
    pub fn key(self) -> &'static str {
        match self {
            DetectorKind::Email => "email",
            DetectorKind::Phone => "phone",
            DetectorKind::Card => "card",
            DetectorKind::Iban => "iban",
            DetectorKind::Ssn => "ssn",
            DetectorKind::Ip => "ip",
            DetectorKind::Mac => "mac",
            DetectorKind::Credentials => "credentials",
            DetectorKind::Secret => "secret",
            DetectorKind::Name => "name",
        }
    }

    /// The entity it reports.
    pub fn entity_name(self) -> &'static str {
        match self {
            DetectorKind::Email => "EMAIL",
            DetectorKind::Phone => "PHONE",
            DetectorKind::Card => "CARD",
            DetectorKind::Iban => "IBAN",
            DetectorKind::Ssn => "SSN",
            DetectorKind::Ip => "IP",
            DetectorKind::Mac => "MAC",
            DetectorKind::Credentials => "CREDENTIALS",
            DetectorKind::Secret => "SECRET",
            DetectorKind::Name => "NAME",
        }
    }

    /// Its fixed entity id.
    pub fn entity(self) -> EntityId {
        EntityId(self as u16)
    }

    /// True for the detectors whose findings are secrets (tokens, keys, passwords, credentials in URLs): their
    /// `secret` flag is on without any rules file (also under `replace_defaults`) and cannot be turned off.
    pub fn finds_secrets(self) -> bool {
        matches!(self, DetectorKind::Credentials | DetectorKind::Secret)
    }
}

/// A category of fields.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Category {
    pub name: String,
    pub description: String,
    pub action: Action,
    pub at_rest: AtRest,
    /// The entities of its fields are secrets: never partly shown (see [`Rules::is_secret`]).
    pub secret: bool,
}

/// One compiled field rule (one path of a `[[fields]]` entry).
#[derive(Debug, Clone)]
pub struct FieldRule {
    pub pattern: FieldPattern,
    pub category: usize,
    pub entity: EntityId,
    pub action: Action,
    /// How far the value of a `key=value` or `Key: value` pair reaches in a text line.
    pub text_value: TextValue,
    /// The shape a value must have for the rule to apply to it; other values are scanned like any.
    pub shape: ValueShape,
    /// The index in `Rules::field_labels` of its entry's `labels`, if it has any.
    pub labels: Option<usize>,
    pub source: Source,
}

/// The words that say, in prose, that the number after them is a value of a field (`labels` of a `[[fields]]`
/// entry): `PESEL 82061173514`, `Steuer-ID ist 47 315 982 646`.
#[derive(Debug, Clone)]
pub struct FieldLabels {
    pub entity: EntityId,
    pub action: Action,
    /// The fields' category is secret: a password-shaped word after a label is a value too (`Passwort jetzt auf
    /// Hamburg#1987`).
    pub secret: bool,
    /// As written; a word in capitals (`CPR`, `PAN`) counts only in capitals, any other in any case.
    pub words: Vec<String>,
}

/// How far the value of a classified key reaches in a text line (`text_value` of a `[[fields]]` entry).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextValue {
    /// One value: a quoted string, or bare words up to a delimiter such as `,`, `;`, `&` or the next `key=`.
    #[default]
    Token,
    /// An address, which holds no space: a quoted string, or a bare first word written as an address (with an `@`
    /// or a `:`, or hex digits between dots or dashes: `mac: 00:1a:2b:3c:4d:5e seen on eth0` keeps `seen on eth0`);
    /// any other bare value reaches as a token does (`email: jane.doe at example dot com`).
    Address,
    /// The rest of the line (up to a quote that closes the string it is in): a header that holds several values,
    /// such as `Cookie: theme=dark; sid=…`.
    Line,
}

impl TextValue {
    /// The names the rules use, in the order of the variants.
    pub const NAMES: [&'static str; 3] = ["token", "address", "line"];

    /// The variant a rules file names, if any.
    pub fn parse(name: &str) -> Option<TextValue> {
        match name {
            "token" => Some(TextValue::Token),
            "address" => Some(TextValue::Address),
            "line" => Some(TextValue::Line),
            _ => None,
        }
    }

    /// The name the rules use.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The shape a value of a field must have for the field's rule to apply to it (`shape` of a `[[fields]]`
/// entry): keys that hold a person's value only sometimes (`driver="Stefanie Brandt"` but `driver=overlay2`,
/// `user=femke.bakker` but `user=postgres`). A value of another shape is scanned like any value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ValueShape {
    /// Any value.
    #[default]
    Any,
    /// A person's full name as the name detector reads one: two to six capitalized words with the particles and
    /// initials of names (`Pieter van Dijk`, `Michael J. Thompson`), the family name first before a comma
    /// (`Lindqvist, Karin`), or two to four words in capitals (`KOVÁCS PÉTER`); no word of the name detector's
    /// `not_names` (`Support Team`).
    FullName,
    /// A login written as a person's name: a first name or its initial, a dot, and a last name of three small
    /// letters or more, digits after it or not (`femke.bakker`, `e.kaya`, `eilidh.fraser2`).
    DottedLogin,
    /// Basic credentials in base64: a value that decodes to printable ASCII with a `:` between a user and a
    /// password (`cHVsbC1vbmx5Ok83aDh6…`, Docker's and npm's `auth`).
    BasicCredentials,
}

impl ValueShape {
    /// The names the rules use, in the order of the variants.
    pub const NAMES: [&'static str; 4] = ["any", "full_name", "dotted_login", "basic_credentials"];

    /// The variant a rules file names, if any.
    pub fn parse(name: &str) -> Option<ValueShape> {
        match name {
            "any" => Some(ValueShape::Any),
            "full_name" => Some(ValueShape::FullName),
            "dotted_login" => Some(ValueShape::DottedLogin),
            "basic_credentials" => Some(ValueShape::BasicCredentials),
            _ => None,
        }
    }

    /// The name the rules use.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A built-in detector's compiled settings.
#[derive(Debug, Clone)]
pub struct DetectorRule {
    pub kind: DetectorKind,
    pub enabled: bool,
    pub action: Action,
    /// Its entity is a secret: never partly shown (see [`Rules::is_secret`]).
    pub secret: bool,
    /// Phone regions (ISO 3166 codes) whose national formats are accepted.
    pub regions: Vec<String>,
    /// Context words (lowercase) that count before a finding.
    pub context: Vec<String>,
    /// Context words (lowercase) that count right after a finding.
    pub context_after: Vec<String>,
    /// Words (normalized like keys: lowercase, without `_` and `-`) that make a JSON key say what its values are:
    /// under a key containing one, a phone needs no context word (and a bare JSON number of 7 to 15 digits is a
    /// phone), or nine bare digits are an SSN.
    pub key_words: Vec<String>,
    /// The phone detector's (normalized like key words): keys whose value, written as digits only, is a phone
    /// number when a plan confirms it: 11 to 15 digits with a country code (E.164 as machines emit it, without its
    /// `+` or after `00`: `to=447418343012`), or a national number with its trunk 0 in one of the `regions`.
    pub e164_keys: Vec<String>,
    /// The secret detector's (lowercase): a command-line flag whose name ends in one of these says where to read
    /// a secret (`--password-file`), so its argument is not one.
    pub flag_name_endings: Vec<String>,
    /// The name detector's (ASCII lowercase): words that follow a cue and name no one (`Hi Team`, `Thanks, Support`).
    pub not_names: Vec<String>,
    /// The name detector's (ASCII lowercase): cues after which only a full name counts, two capitalized words or
    /// more (`customer Burak Öztürk`; not `customer Tax ID`, `it's Done`).
    pub full_name_context: Vec<String>,
    /// The name detector's (ASCII lowercase): the labels of a phone in a signature, after which the capitalized
    /// words before the label sign the phone (`Femke Jansen, mobiel +31…`).
    pub phone_labels: Vec<String>,
    /// The name detector's (lowercase): given names, which start a full name in prose with no cue before it
    /// (`for Tyler Washington,`).
    pub given_names: WordList,
    /// The name detector's (ASCII lowercase): words that, in or after a full name found by its given name, make
    /// it a place or a company (`Philip Bypass`, `Rand Corporation`).
    pub not_family_names: Vec<String>,
    /// The name detector's (lowercase): family names written before the given name (Chinese, Vietnamese, Korean,
    /// Japanese and Hungarian order), which start a full name in prose with no cue before it (`Zhang Wenjie`).
    pub leading_family_names: WordList,
    /// The name detector's (lowercase): family names, which with a given name make a full name written in
    /// capitals (`ELIF YILMAZ`, `KOWALSKI/PIOTR`), with the family name first before a comma (`Fink, Ursula`), or
    /// a login (`anna.lindqvist`).
    pub family_names: WordList,
    /// The name detector's (normalized like keys: lowercase, without `_`, `-` and `.`): words of keys whose
    /// values are things, not people (`merchant=Tim Hortons`, `font="Franklin Gothic"`).
    pub thing_keys: Vec<String>,
}

/// A long list of words, lowercase, kept as one text with a word on each line: the shipped given names (over
/// twenty-five thousand) cost one allocation, not one each, while the rules are read and for as long as they live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordList {
    text: String,
}

impl WordList {
    /// The words of `texts`, each text split at ASCII whitespace (`"ana  bea"` or `["ana", "bea"]`), in lowercase.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> WordList {
        let mut text = String::new();
        for word in texts.into_iter().flat_map(str::split_ascii_whitespace) {
            if word.is_ascii() {
                let start = text.len();
                text.push_str(word);
                text[start..].make_ascii_lowercase();
            } else {
                // The whole word, so a Greek capital sigma at its end becomes the final `ς`.
                text.push_str(&word.to_lowercase());
            }
            text.push('\n');
        }
        WordList { text }
    }

    /// The words, in the order they were written.
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        self.text.lines()
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// A checksum validator for pattern matches (letters and digits only, uppercased).
pub type Validator = fn(&[u8]) -> bool;

/// A user-defined pattern.
#[derive(Debug, Clone)]
pub struct PatternRule {
    pub name: String,
    pub entity: EntityId,
    pub regex: regex::bytes::Regex,
    pub validator: Option<(String, Validator)>,
    /// Context words (lowercase); when non-empty, one must occur within 32 bytes before a match.
    pub context: Vec<String>,
    pub action: Action,
    /// Its entity is a secret: never partly shown (see [`Rules::is_secret`]).
    pub secret: bool,
    pub source: Source,
}

/// A `[not_values.NAME]` entry: values that are no value of a classified field but say that there is none or
/// stand for one (`null`, `$DB_PASSWORD`, `-`), or say something of one (`location: us-central1`). A field's
/// action is not applied to them; the detectors still scan them.
#[derive(Debug, Clone)]
pub struct NotValue {
    pub name: String,
    pub description: String,
    /// The entities whose fields it applies to; empty for every entity.
    pub entities: Vec<EntityId>,
    /// The keys it applies to, normalized as field keys are (lowercase, no `_` or `-`); empty for every key.
    pub keys: Vec<Vec<u8>>,
    /// Whole values, lowercase (compared in any case).
    pub words: Vec<Vec<u8>>,
    /// Last words of values of two words or more (after a space or a comma), compared as written (`SA`, not `Sa`).
    pub last_words: Vec<Vec<u8>>,
    /// The pattern as written; it matches whole values.
    pub pattern_text: Option<String>,
    /// Its index in `Rules::not_value_patterns`.
    pub pattern: Option<usize>,
    pub source: Source,
    /// The bytes a value the pattern matches can start with, when they are known and it matches no empty value
    /// (see `compile::first_bytes`): a value that starts with another is not looked up in the set, whose lazy
    /// DFA builds states for each new kind of value it reads. None: any value may match.
    pub(crate) first_bytes: Option<Box<[bool; 256]>>,
}

impl NotValue {
    /// True when the entry applies under `key` (its last part is compared) and a rule of `entity`.
    fn applies(&self, entity: EntityId, key: &[u8]) -> bool {
        if !self.entities.is_empty() && !self.entities.contains(&entity) {
            return false;
        }
        let last = key.rsplit(|&b| b == b'.').next().unwrap_or(key);
        self.keys.is_empty() || self.keys.iter().any(|normalized| path::normalizes_to(last, normalized))
    }

    /// False when the pattern cannot match `value` by its first byte (see `first_bytes`).
    fn pattern_may_match(&self, value: &[u8]) -> bool {
        match &self.first_bytes {
            Some(first) => value.first().is_some_and(|&byte| first[usize::from(byte)]),
            None => true,
        }
    }
}

/// Global settings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    pub default_action: Action,
    pub hash_hex_len: usize,
    pub max_line_bytes: usize,
    pub max_json_depth: usize,
}

/// Compiled, validated rules: immutable, cheap to share behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Rules {
    pub settings: Settings,
    pub categories: Vec<Category>,
    pub entities: Vec<String>,
    pub fields: Vec<FieldRule>,
    /// The `labels` of the `[[fields]]` entries that replace their values, in the order of the entries.
    pub field_labels: Vec<FieldLabels>,
    pub detectors: Vec<DetectorRule>,
    pub patterns: Vec<PatternRule>,
    pub not_values: Vec<NotValue>,
    /// The patterns of `not_values`, each as `^(?:pattern)$`: one set, compiled once (a regex each had cost more
    /// than the rest of the rules' start-up).
    pub not_value_patterns: regex::bytes::RegexSet,
    pub retention: Vec<(String, RetentionPeriod)>,
    pub sources: Vec<String>,
    index: path::PatternIndex,
    /// The object types that some field rule is limited to (compared exactly): the JSON walker notes an object's
    /// `type` only when it is one of them.
    object_types: Vec<Vec<u8>>,
    /// The indexes in `fields` of the rules limited to object types.
    typed_fields: Vec<usize>,
    /// Indexed like `entities`: true for an entity that a detector, a pattern or a category (of a field rule)
    /// reporting it marks `secret`.
    secret_entities: Vec<bool>,
}

/// One problem in a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The file, as given (or `<defaults>`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// The offending line, trimmed and cut to about 80 characters; the value of a key that is not a rules key,
    /// or of `secret` when it is not `true` or `false`, is left out, since it may be a secret pasted by mistake
    /// (no rules key holds one).
    pub rule: Option<String>,
    pub message: String,
}

impl RuleError {
    /// An error at a byte offset of a file's text, with its line, column and the line itself.
    pub(crate) fn at(file: &str, text: &str, offset: usize, message: impl Into<String>) -> RuleError {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
        let end = text[offset..].find('\n').map_or(text.len(), |newline| offset + newline);
        RuleError {
            file: file.to_string(),
            line: Some(text[..offset].matches('\n').count() + 1),
            column: Some(text[start..offset].chars().count() + 1),
            rule: shown_line(&text[start..end]),
            message: message.into(),
        }
    }
}

/// How a line appears in an error: trimmed, cut to about 80 characters, control characters escaped, and the
/// value left out when the key is not a rules key, or is `secret` and holds neither `true` nor `false`.
fn shown_line(line: &str) -> Option<String> {
    let line = line.trim();
    let line = match line.split_once('=') {
        Some((key, value)) if !line.starts_with('[') && !file::shows_value(key, value) => {
            format!("{} = <not shown>", key.trim())
        }
        _ => line.to_string(),
    };
    let line = match line.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    };
    let printable: String =
        line.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect();
    Some(printable).filter(|line| !line.is_empty())
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(rule) = &self.rule {
            write!(f, " — `{rule}`")?;
        }
        Ok(())
    }
}

/// Every problem found while loading rules; the rules are not used when there is any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub errors: Vec<RuleError>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        writeln!(f, "{count} problem{} in the rules:", if count == 1 { "" } else { "s" })?;
        for error in &self.errors {
            writeln!(f, "  {error}")?;
        }
        write!(f, "fix them and run `steward rules check` again; the rules were not loaded")
    }
}

impl std::error::Error for RulesError {}

impl RulesError {
    fn io(path: &Path, error: &std::io::Error) -> RulesError {
        RulesError {
            errors: vec![RuleError {
                file: path.display().to_string(),
                line: None,
                column: None,
                rule: None,
                message: format!("cannot read it: {error}"),
            }],
        }
    }
}

impl Rules {
    /// The shipped defaults.
    pub fn defaults() -> Rules {
        compile_sources(&[]).expect("the shipped default rules compile (tested)")
    }

    /// Loads the defaults, then every `*.toml` file of each directory (in name order) on top; a path that is a
    /// file is loaded as it is. An empty list gives the defaults.
    pub fn load(paths: &[PathBuf]) -> Result<Rules, RulesError> {
        let mut sources = Vec::new();
        for path in paths {
            let metadata = std::fs::metadata(path).map_err(|error| RulesError::io(path, &error))?;
            if metadata.is_dir() {
                let mut files = Vec::new();
                let entries = std::fs::read_dir(path).map_err(|error| RulesError::io(path, &error))?;
                for entry in entries {
                    let entry = entry.map_err(|error| RulesError::io(path, &error))?;
                    let file = entry.path();
                    if file.extension().is_some_and(|ext| ext == "toml") {
                        files.push(file);
                    }
                }
                files.sort();
                if files.is_empty() {
                    return Err(RulesError {
                        errors: vec![RuleError {
                            file: path.display().to_string(),
                            line: None,
                            column: None,
                            rule: None,
                            message: "the directory holds no `*.toml` rules file".to_string(),
                        }],
                    });
                }
                for file in files {
                    let text = std::fs::read_to_string(&file).map_err(|error| RulesError::io(&file, &error))?;
                    sources.push(RulesText::new(file.display().to_string(), text));
                }
            } else {
                let text = std::fs::read_to_string(path).map_err(|error| RulesError::io(path, &error))?;
                sources.push(RulesText::new(path.display().to_string(), text));
            }
        }
        compile_sources(&sources)
    }

    /// The entity of an id.
    pub fn entity_name(&self, entity: EntityId) -> &str {
        &self.entities[usize::from(entity.0)]
    }

    /// The id of an entity name.
    pub fn entity_id(&self, name: &str) -> Option<EntityId> {
        self.entities.iter().position(|entity| entity == name).and_then(|index| u16::try_from(index).ok()).map(EntityId)
    }

    /// True when an entity is a secret, so that `mask` shows none of it: when a detector, a pattern or the
    /// category of a field rule that reports it says `secret = true` (an unknown id counts as a secret).
    pub fn is_secret(&self, entity: EntityId) -> bool {
        self.secret_entities.get(usize::from(entity.0)).copied().unwrap_or(true)
    }

    /// The names of the secret entities, in id order.
    pub fn secret_entity_names(&self) -> Vec<&str> {
        self.entities
            .iter()
            .zip(&self.secret_entities)
            .filter(|(_, &secret)| secret)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// True when a field rule is limited to objects of type `value` (a `type` member's value, as written).
    pub fn names_an_object_type(&self, value: &[u8]) -> bool {
        self.object_types.iter().any(|name| name.as_slice() == value)
    }

    /// True when some field rule is limited to object types.
    pub fn has_object_types(&self) -> bool {
        !self.object_types.is_empty()
    }

    /// True when a field rule limited to object types matches the keys of `path`: inside an object of such a
    /// type, its rule may differ.
    pub fn has_typed_rule_for(&self, path: &KeyPath) -> bool {
        self.typed_fields.iter().any(|&index| self.fields[index].pattern.matches_keys(path))
    }

    /// The field rule for a key path (the last matching one), if any.
    pub fn field_rule(&self, path: &KeyPath) -> Option<&FieldRule> {
        self.index.last_match(path).map(|index| &self.fields[index])
    }

    /// The settings of a built-in detector.
    pub fn detector(&self, kind: DetectorKind) -> &DetectorRule {
        &self.detectors[kind as usize]
    }

    /// True when `value`, under `key` and a field rule of `entity`, is no value of that entity by a
    /// `[not_values]` entry: the rule's action is not applied to it.
    pub fn names_no_value(&self, entity: EntityId, key: &[u8], value: &[u8]) -> bool {
        // Most values match no pattern: one `is_match` of the set says so without the list of matches.
        let mut matched = None;
        self.not_values.iter().filter(|not_value| not_value.applies(entity, key)).any(|not_value| {
            not_value.words.iter().any(|word| value.eq_ignore_ascii_case(word))
                || !not_value.last_words.is_empty() && {
                    let last = value.iter().rposition(|&b| b == b' ' || b == b',').map(|at| &value[at + 1..]);
                    last.is_some_and(|last| not_value.last_words.iter().any(|word| last == word.as_slice()))
                }
                || not_value.pattern.is_some_and(|index| {
                    if !not_value.pattern_may_match(value) {
                        return false;
                    }
                    let set = &self.not_value_patterns;
                    let matches = matched.get_or_insert_with(|| set.is_match(value).then(|| set.matches(value)));
                    matches.as_ref().is_some_and(|matches| matches.matched(index))
                })
        })
    }

    /// The category a field rule belongs to.
    pub fn category(&self, index: usize) -> &Category {
        &self.categories[index]
    }

    /// Replaces the action of every rule and detector that replaces values (not `keep`, `scan`, `drop-field`).
    pub fn override_action(&mut self, action: Action) {
        let swap = |current: &mut Action| {
            if current.replaces() && *current != Action::DropField {
                *current = action;
            }
        };
        for field in &mut self.fields {
            swap(&mut field.action);
        }
        for detector in &mut self.detectors {
            swap(&mut detector.action);
        }
        for pattern in &mut self.patterns {
            swap(&mut pattern.action);
        }
        for labels in &mut self.field_labels {
            swap(&mut labels.action);
        }
        swap(&mut self.settings.default_action);
    }

    /// The compiled rules as JSON, for `steward rules explain` and the admin API; holds no secret.
    pub fn explain_json(&self) -> serde_json::Value {
        use serde_json::json;
        let fields: Vec<_> = self
            .fields
            .iter()
            .map(|field| {
                json!({
                    "path": field.pattern.as_str(),
                    "category": self.categories[field.category].name,
                    "entity": self.entity_name(field.entity),
                    "action": field.action,
                    "text_value": field.text_value.name(),
                    "shape": field.shape.name(),
                    "types": field.pattern.type_names(),
                    "source": format!("{}:{}", field.source.name, field.source.line.unwrap_or(0)),
                })
            })
            .collect();
        let detectors: Vec<_> = self
            .detectors
            .iter()
            .map(|detector| {
                json!({
                    "name": detector.kind.key(),
                    "entity": detector.kind.entity_name(),
                    "enabled": detector.enabled,
                    "action": detector.action,
                    "secret": detector.secret,
                    "regions": detector.regions,
                    "context": detector.context,
                    "context_after": detector.context_after,
                    "key_words": detector.key_words,
                    "e164_keys": detector.e164_keys,
                    "flag_name_endings": detector.flag_name_endings,
                    "not_names": detector.not_names,
                    "full_name_context": detector.full_name_context,
                    "phone_labels": detector.phone_labels,
                    "given_names": detector.given_names.len(),
                    "not_family_names": detector.not_family_names,
                    "leading_family_names": detector.leading_family_names.len(),
                    "family_names": detector.family_names.len(),
                    "thing_keys": detector.thing_keys,
                })
            })
            .collect();
        let patterns: Vec<_> = self
            .patterns
            .iter()
            .map(|pattern| {
                json!({
                    "name": pattern.name,
                    "entity": self.entity_name(pattern.entity),
                    "regex": pattern.regex.as_str(),
                    "validator": pattern.validator.as_ref().map(|(name, _)| name.as_str()),
                    "context": pattern.context,
                    "action": pattern.action,
                    "secret": pattern.secret,
                })
            })
            .collect();
        let not_values: Vec<_> = self
            .not_values
            .iter()
            .map(|not_value| {
                json!({
                    "name": not_value.name,
                    "description": not_value.description,
                    "entities": not_value.entities.iter().map(|&entity| self.entity_name(entity)).collect::<Vec<_>>(),
                    "keys": not_value.keys.iter().map(|key| String::from_utf8_lossy(key)).collect::<Vec<_>>(),
                    "words": not_value.words.iter().map(|word| String::from_utf8_lossy(word)).collect::<Vec<_>>(),
                    "pattern": not_value.pattern_text,
                    "source": format!("{}:{}", not_value.source.name, not_value.source.line.unwrap_or(0)),
                })
            })
            .collect();
        let retention: serde_json::Map<_, _> =
            self.retention.iter().map(|(key, period)| (key.clone(), json!(period.to_string()))).collect();
        json!({
            "sources": self.sources,
            "settings": self.settings,
            "categories": self.categories,
            "entities": self.entities,
            "secret_entities": self.secret_entity_names(),
            "fields": fields,
            "field_labels": self.field_labels.iter().map(|labels| json!({
                "entity": self.entity_name(labels.entity),
                "action": labels.action,
                "words": labels.words,
            })).collect::<Vec<_>>(),
            "detectors": detectors,
            "patterns": patterns,
            "not_values": not_values,
            "retention": retention,
        })
    }
}
