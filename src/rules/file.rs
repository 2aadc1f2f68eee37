//! The on-disk shape of a rules file, read key by key from its TOML tree: every value keeps its place, and a
//! wrong key or type in one rule is reported without hiding the problems of the other rules.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::tree::{Node, Table};

/// One rules file, before merging and compiling. A value that had the wrong type is left out (and reported).
#[derive(Debug, Default)]
pub struct RulesFile {
    pub version: Option<Spanned<i64>>,
    pub replace_defaults: Option<bool>,
    pub settings: SettingsFile,
    pub categories: BTreeMap<String, Spanned<CategoryFile>>,
    pub fields: Vec<Spanned<FieldFile>>,
    pub detectors: BTreeMap<String, Spanned<DetectorFile>>,
    pub patterns: BTreeMap<String, Spanned<PatternFile>>,
    pub not_values: BTreeMap<String, Spanned<NotValueFile>>,
    pub retention: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Default)]
pub struct SettingsFile {
    pub default_action: Option<Spanned<String>>,
    pub hash_hex_len: Option<Spanned<i64>>,
    pub max_line_bytes: Option<Spanned<i64>>,
    pub max_json_depth: Option<Spanned<i64>>,
}

#[derive(Debug, Default)]
pub struct CategoryFile {
    pub description: Option<String>,
    pub action: Option<Spanned<String>>,
    pub at_rest: Option<Spanned<String>>,
    /// Whether the entities of its fields are secrets (never partly shown).
    pub secret: Option<Spanned<bool>>,
    /// True when a value of it was reported as invalid, so a missing `action` is not reported again.
    pub invalid: bool,
}

#[derive(Debug)]
pub struct FieldFile {
    pub category: Spanned<String>,
    pub entity: Option<Spanned<String>>,
    pub action: Option<Spanned<String>>,
    pub paths: Vec<Spanned<String>>,
    /// How far the value of such a key reaches in a text line (`token` or `line`).
    pub text_value: Option<Spanned<String>>,
    /// The shape a value must have for the rule to apply to it (`full_name`, `dotted_login`).
    pub shape: Option<Spanned<String>>,
    /// Words that say, in prose, that the number after them is a value of these fields (`PESEL 82061173514`).
    pub labels: Option<Vec<Spanned<String>>>,
    /// The object types the paths are limited to (`types = ["tag", "segment"]`: a JSON object's `type` member).
    pub types: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default)]
pub struct DetectorFile {
    pub enabled: Option<bool>,
    pub action: Option<Spanned<String>>,
    pub regions: Option<Vec<Spanned<String>>>,
    pub context: Option<Vec<Spanned<String>>>,
    pub context_after: Option<Vec<Spanned<String>>>,
    pub key_words: Option<Vec<String>>,
    /// The phone detector's: keys whose value, digits only, is a phone when a country code and its plan confirm it.
    pub e164_keys: Option<Vec<Spanned<String>>>,
    /// The secret detector's: endings of a command-line flag's name that say where to read a secret.
    pub flag_name_endings: Option<Vec<Spanned<String>>>,
    pub not_names: Option<Vec<Spanned<String>>>,
    /// The name detector's: cues after which only a full name counts.
    pub full_name_context: Option<Vec<Spanned<String>>>,
    /// The name detector's: the labels of a phone in a signature.
    pub phone_labels: Option<Vec<Spanned<String>>>,
    /// The name detector's: given names, which start a name with no cue before it.
    pub given_names: Option<Vec<Spanned<String>>>,
    /// The name detector's: words that make a given name and the words after it a place or a company.
    pub not_family_names: Option<Vec<Spanned<String>>>,
    /// The name detector's: family names written before the given name, which start a name with no cue before it.
    pub leading_family_names: Option<Vec<Spanned<String>>>,
    /// The name detector's: family names, which make a name of words in capitals, of a family name before a
    /// comma and of a login with a given name.
    pub family_names: Option<Vec<Spanned<String>>>,
    /// The name detector's: words of keys whose values are things, not people.
    pub thing_keys: Option<Vec<Spanned<String>>>,
    /// Whether its entity is a secret (never partly shown).
    pub secret: Option<Spanned<bool>>,
}

#[derive(Debug, Default)]
pub struct PatternFile {
    pub enabled: Option<bool>,
    pub entity: Option<Spanned<String>>,
    pub regex: Option<Spanned<String>>,
    pub validator: Option<Spanned<String>>,
    pub context: Option<Vec<Spanned<String>>>,
    pub action: Option<Spanned<String>>,
    /// Whether its entity is a secret (never partly shown).
    pub secret: Option<Spanned<bool>>,
    /// True when a value of it was reported as invalid, so a missing `regex` is not reported again.
    pub invalid: bool,
}

/// A `[not_values.NAME]` entry: values that are no value of a classified field.
#[derive(Debug, Default)]
pub struct NotValueFile {
    pub enabled: Option<bool>,
    pub description: Option<String>,
    pub entities: Option<Vec<Spanned<String>>>,
    pub keys: Option<Vec<Spanned<String>>>,
    pub words: Option<Vec<Spanned<String>>>,
    pub last_words: Option<Vec<Spanned<String>>>,
    pub pattern: Option<Spanned<String>>,
}

/// A problem found while reading a file: the byte offset it is at, and what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub at: usize,
    pub message: String,
}

/// Reads a parsed rules file (`text` is its source, for places): every problem is collected, and a value with a
/// problem is left out, so the other rules are still read and checked.
pub(crate) fn read(text: &str, root: Table) -> (RulesFile, Vec<Problem>) {
    let mut reader = Reader { text, problems: Vec::new() };
    let file = reader.file(root);
    (file, reader.problems)
}

/// True when an error may show `value`, written right of the `=` after `key` (maybe dotted or quoted): when the
/// key is one that rules files use, since no such key holds a secret (the hash key comes from `steward init` or
/// `STEWARD_HASH_KEY`, never from rules); for `secret`, whose name invites pasting a credential under it, only when
/// the value is `true` or `false`, the only values it takes.
pub(crate) fn shows_value(key: &str, value: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or("").trim().trim_matches(|c| c == '"' || c == '\'');
    let rules_key = [
        TOP_KEYS,
        SETTINGS_KEYS,
        CATEGORY_KEYS,
        FIELD_KEYS,
        DETECTOR_KEYS,
        PATTERN_KEYS,
        NOT_VALUE_KEYS,
        super::RETENTION_KEYS,
    ]
    .iter()
    .any(|keys| keys.contains(&last))
        || last == "audit_log";
    let value = value.split('#').next().unwrap_or("").trim();
    rules_key && (last != "secret" || matches!(value, "true" | "false"))
}

const TOP_KEYS: &[&str] = &[
    "version",
    "replace_defaults",
    "settings",
    "categories",
    "fields",
    "detectors",
    "patterns",
    "not_values",
    "retention",
];
const SETTINGS_KEYS: &[&str] = &["default_action", "hash_hex_len", "max_line_bytes", "max_json_depth"];
const CATEGORY_KEYS: &[&str] = &["description", "action", "at_rest", "secret"];
const FIELD_KEYS: &[&str] = &["category", "entity", "action", "paths", "text_value", "shape", "labels", "types"];
const DETECTOR_KEYS: &[&str] = &[
    "enabled",
    "action",
    "regions",
    "context",
    "context_after",
    "key_words",
    "e164_keys",
    "flag_name_endings",
    "not_names",
    "full_name_context",
    "phone_labels",
    "given_names",
    "not_family_names",
    "leading_family_names",
    "family_names",
    "thing_keys",
    "secret",
];
const PATTERN_KEYS: &[&str] = &["enabled", "entity", "regex", "validator", "context", "action", "secret"];
const NOT_VALUE_KEYS: &[&str] = &["enabled", "description", "entities", "keys", "words", "last_words", "pattern"];

struct Reader<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn file(&mut self, root: Table) -> RulesFile {
        let mut file = RulesFile::default();
        for (key, value) in root {
            match key.get_ref().as_str() {
                "version" => file.version = self.integer(&key, value),
                "replace_defaults" => file.replace_defaults = self.boolean(&key, value),
                "settings" => {
                    if let Some(table) = self.table(&key, value, "settings") {
                        file.settings = self.settings(table);
                    }
                }
                "categories" => {
                    for (name, value) in self.rules(&key, value) {
                        let category = match self.rule_table(&name, value, "categories") {
                            Some(table) => self.category(&name, table),
                            None => CategoryFile { invalid: true, ..CategoryFile::default() },
                        };
                        file.categories.insert(name.get_ref().clone(), Spanned::new(name.span(), category));
                    }
                }
                "fields" => file.fields = self.fields(&key, value),
                "detectors" => {
                    for (name, value) in self.rules(&key, value) {
                        if let Some(table) = self.rule_table(&name, value, "detectors") {
                            let detector = self.detector(&name, table);
                            file.detectors.insert(name.get_ref().clone(), Spanned::new(name.span(), detector));
                        }
                    }
                }
                "patterns" => {
                    for (name, value) in self.rules(&key, value) {
                        let pattern = match self.rule_table(&name, value, "patterns") {
                            Some(table) => self.pattern(&name, table),
                            None => PatternFile { invalid: true, ..PatternFile::default() },
                        };
                        file.patterns.insert(name.get_ref().clone(), Spanned::new(name.span(), pattern));
                    }
                }
                "not_values" => {
                    for (name, value) in self.rules(&key, value) {
                        if let Some(table) = self.rule_table(&name, value, "not_values") {
                            let not_value = self.not_value(&name, table);
                            file.not_values.insert(name.get_ref().clone(), Spanned::new(name.span(), not_value));
                        }
                    }
                }
                "retention" => {
                    for (name, value) in self.table(&key, value, "retention").unwrap_or_default() {
                        if let Some(period) = self.text(&name, value) {
                            file.retention.insert(name.into_inner(), period);
                        }
                    }
                }
                _ => self.unknown(&key, "at the top level", TOP_KEYS),
            }
        }
        file
    }

    fn settings(&mut self, table: Table) -> SettingsFile {
        let mut settings = SettingsFile::default();
        for (key, value) in table {
            match key.get_ref().as_str() {
                "default_action" => settings.default_action = self.text(&key, value),
                "hash_hex_len" => settings.hash_hex_len = self.integer(&key, value),
                "max_line_bytes" => settings.max_line_bytes = self.integer(&key, value),
                "max_json_depth" => settings.max_json_depth = self.integer(&key, value),
                _ => self.unknown(&key, "in [settings]", SETTINGS_KEYS),
            }
        }
        settings
    }

    fn category(&mut self, name: &Spanned<String>, table: Table) -> CategoryFile {
        let before = self.problems.len();
        let mut category = CategoryFile::default();
        for (key, value) in table {
            match key.get_ref().as_str() {
                "description" => category.description = self.text(&key, value).map(Spanned::into_inner),
                "action" => category.action = self.text(&key, value),
                "at_rest" => category.at_rest = self.text(&key, value),
                "secret" => category.secret = self.flag(&key, value),
                _ => self.unknown(&key, &format!("in [categories.{}]", name.get_ref()), CATEGORY_KEYS),
            }
        }
        category.invalid = self.problems.len() > before;
        category
    }

    fn fields(&mut self, key: &Spanned<String>, value: Node) -> Vec<Spanned<FieldFile>> {
        let Node::Array(entries) = value else {
            let message = format!("`fields` must be a list of [[fields]] entries, not {}", value.kind());
            self.problem(self.value_at(key).start, message);
            return Vec::new();
        };
        let mut fields = Vec::new();
        for entry in entries {
            let span = entry.span();
            let table = match entry.into_inner() {
                Node::Table(table) => table,
                other => {
                    let message = format!(
                        "each [[fields]] entry must be a table with `category` and `paths`, not {}",
                        other.kind()
                    );
                    self.problem(span.start, message);
                    continue;
                }
            };
            if let Some(field) = self.field(&span, table) {
                fields.push(Spanned::new(span, field));
            }
        }
        fields
    }

    /// One `[[fields]]` entry; `None` when `category` or `paths` is missing or invalid (and reported).
    fn field(&mut self, span: &Range<usize>, table: Table) -> Option<FieldFile> {
        let (mut category, mut entity, mut action, mut paths, mut text_value) = (None, None, None, None, None);
        let (mut labels, mut shape, mut types) = (None, None, None);
        let (mut category_written, mut paths_written) = (false, false);
        for (key, value) in table {
            match key.get_ref().as_str() {
                "category" => {
                    category_written = true;
                    category = self.text(&key, value);
                }
                "entity" => entity = self.text(&key, value),
                "action" => action = self.text(&key, value),
                "text_value" => text_value = self.text(&key, value),
                "shape" => shape = self.text(&key, value),
                "labels" => labels = self.texts(&key, value),
                "types" => types = self.texts(&key, value),
                "paths" => {
                    paths_written = true;
                    paths = self.texts(&key, value);
                }
                _ => self.unknown(&key, "in [[fields]]", FIELD_KEYS),
            }
        }
        if !category_written {
            let message = "this [[fields]] entry has no `category`; add one, e.g. `category = \"personal\"`";
            self.problem(span.start, message);
        }
        if !paths_written {
            self.problem(span.start, "this [[fields]] entry has no `paths`; add them, e.g. `paths = [\"email\"]`");
        }
        Some(FieldFile { category: category?, entity, action, paths: paths?, text_value, shape, labels, types })
    }

    fn detector(&mut self, name: &Spanned<String>, table: Table) -> DetectorFile {
        let mut detector = DetectorFile::default();
        for (key, value) in table {
            match key.get_ref().as_str() {
                "enabled" => detector.enabled = self.boolean(&key, value),
                "action" => detector.action = self.text(&key, value),
                "regions" => detector.regions = self.texts(&key, value),
                "context" => detector.context = self.texts(&key, value),
                "context_after" => detector.context_after = self.texts(&key, value),
                "key_words" => {
                    let words = self.texts(&key, value);
                    detector.key_words = words.map(|words| words.into_iter().map(Spanned::into_inner).collect());
                }
                "e164_keys" => detector.e164_keys = self.texts(&key, value),
                "flag_name_endings" => detector.flag_name_endings = self.texts(&key, value),
                "not_names" => detector.not_names = self.texts(&key, value),
                "full_name_context" => detector.full_name_context = self.texts(&key, value),
                "phone_labels" => detector.phone_labels = self.texts(&key, value),
                "given_names" => detector.given_names = self.words(&key, value),
                "leading_family_names" => detector.leading_family_names = self.words(&key, value),
                "family_names" => detector.family_names = self.words(&key, value),
                "thing_keys" => detector.thing_keys = self.texts(&key, value),
                "not_family_names" => detector.not_family_names = self.texts(&key, value),
                "secret" => detector.secret = self.flag(&key, value),
                _ => self.unknown(&key, &format!("in [detectors.{}]", name.get_ref()), DETECTOR_KEYS),
            }
        }
        detector
    }

    fn pattern(&mut self, name: &Spanned<String>, table: Table) -> PatternFile {
        let before = self.problems.len();
        let mut pattern = PatternFile::default();
        for (key, value) in table {
            match key.get_ref().as_str() {
                "enabled" => pattern.enabled = self.boolean(&key, value),
                "entity" => pattern.entity = self.text(&key, value),
                "regex" => pattern.regex = self.text(&key, value),
                "validator" => pattern.validator = self.text(&key, value),
                "context" => pattern.context = self.texts(&key, value),
                "action" => pattern.action = self.text(&key, value),
                "secret" => pattern.secret = self.flag(&key, value),
                _ => self.unknown(&key, &format!("in [patterns.{}]", name.get_ref()), PATTERN_KEYS),
            }
        }
        pattern.invalid = self.problems.len() > before;
        pattern
    }

    fn not_value(&mut self, name: &Spanned<String>, table: Table) -> NotValueFile {
        let mut not_value = NotValueFile::default();
        for (key, value) in table {
            match key.get_ref().as_str() {
                "enabled" => not_value.enabled = self.boolean(&key, value),
                "description" => not_value.description = self.text(&key, value).map(Spanned::into_inner),
                "entities" => not_value.entities = self.texts(&key, value),
                "keys" => not_value.keys = self.texts(&key, value),
                "words" => not_value.words = self.texts(&key, value),
                "last_words" => not_value.last_words = self.texts(&key, value),
                "pattern" => not_value.pattern = self.text(&key, value),
                _ => self.unknown(&key, &format!("in [not_values.{}]", name.get_ref()), NOT_VALUE_KEYS),
            }
        }
        not_value
    }

    fn problem(&mut self, at: usize, message: impl Into<String>) {
        self.problems.push(Problem { at, message: message.into() });
    }

    /// Where the value of `key` starts: after its `=` when it has one on its line, else the key itself (a key in
    /// a `[table.header]`).
    fn value_at(&self, key: &Spanned<String>) -> Range<usize> {
        let span = key.span();
        let after = self.text.get(span.end..).unwrap_or("");
        let rest = after.trim_start_matches([' ', '\t']);
        match rest.strip_prefix('=') {
            Some(value) => {
                let start = self.text.len() - value.trim_start_matches([' ', '\t']).len();
                start..start
            }
            None => span,
        }
    }

    fn unknown(&mut self, key: &Spanned<String>, place: &str, known: &[&str]) {
        let message = format!("unknown key `{}` {place}; use one of: {}", key.get_ref(), known.join(", "));
        self.problem(key.span().start, message);
    }

    fn wrong(&mut self, key: &Spanned<String>, expected: &str, found: &Node) {
        let message = format!("`{}` must be {expected}, not {}", key.get_ref(), found.kind());
        self.problem(self.value_at(key).start, message);
    }

    fn text(&mut self, key: &Spanned<String>, value: Node) -> Option<Spanned<String>> {
        match value {
            Node::Text(text) => Some(Spanned::new(self.value_at(key), text)),
            other => {
                let expected = format!("a text in quotes, e.g. `{} = \"...\"`", key.get_ref());
                self.wrong(key, &expected, &other);
                None
            }
        }
    }

    fn integer(&mut self, key: &Spanned<String>, value: Node) -> Option<Spanned<i64>> {
        match value {
            Node::Integer(number) => Some(Spanned::new(self.value_at(key), number)),
            other => {
                self.wrong(key, "a whole number without quotes", &other);
                None
            }
        }
    }

    fn boolean(&mut self, key: &Spanned<String>, value: Node) -> Option<bool> {
        self.flag(key, value).map(Spanned::into_inner)
    }

    /// True or false, with the place of the value.
    fn flag(&mut self, key: &Spanned<String>, value: Node) -> Option<Spanned<bool>> {
        match value {
            Node::Boolean(flag) => Some(Spanned::new(self.value_at(key), flag)),
            other => {
                self.wrong(key, "true or false without quotes", &other);
                None
            }
        }
    }

    /// A list of texts; `None` when it is not a list or an item is not a text (each reported).
    fn texts(&mut self, key: &Spanned<String>, value: Node) -> Option<Vec<Spanned<String>>> {
        let Node::Array(items) = value else {
            let expected = format!("a list of texts in quotes, e.g. `{} = [\"...\", \"...\"]`", key.get_ref());
            self.wrong(key, &expected, &value);
            return None;
        };
        let mut texts = Vec::new();
        let mut valid = true;
        for item in items {
            let span = item.span();
            match item.into_inner() {
                Node::Text(text) => texts.push(Spanned::new(span, text)),
                other => {
                    let message = format!(
                        "every item of `{}` must be a text in quotes; this one is {}",
                        key.get_ref(),
                        other.kind()
                    );
                    self.problem(span.start, message);
                    valid = false;
                }
            }
        }
        valid.then_some(texts)
    }

    /// A list of texts, or one text of words between spaces and line breaks (a long list of words reads faster
    /// as one text: the reader takes about 2 µs per text in quotes). A text is kept whole, with its span.
    fn words(&mut self, key: &Spanned<String>, value: Node) -> Option<Vec<Spanned<String>>> {
        match value {
            // A text of words is one value, split where the list is compiled (`WordList`): one allocation, not
            // one per word. A blank text is an empty list.
            Node::Text(text) if text.trim().is_empty() => Some(Vec::new()),
            Node::Text(text) => Some(vec![Spanned::new(key.span(), text)]),
            value => self.texts(key, value),
        }
    }

    fn table(&mut self, key: &Spanned<String>, value: Node, header: &str) -> Option<Table> {
        match value {
            Node::Table(table) => Some(table),
            other => {
                let expected = format!("a table (a [{header}] header with keys under it)");
                self.wrong(key, &expected, &other);
                None
            }
        }
    }

    /// The named rules of `[categories]`, `[detectors]`, `[patterns]` or `[not_values]`.
    fn rules(&mut self, key: &Spanned<String>, value: Node) -> Table {
        let header = key.get_ref().clone();
        self.table(key, value, &format!("{header}.NAME")).unwrap_or_default()
    }

    fn rule_table(&mut self, name: &Spanned<String>, value: Node, group: &str) -> Option<Table> {
        self.table(name, value, &format!("{group}.{}", name.get_ref()))
    }
}
