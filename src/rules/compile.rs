//! Merging rules files over the defaults and compiling them, collecting every error with its file and line.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::file::{read, CategoryFile, DetectorFile, FieldFile, NotValueFile, PatternFile, RulesFile};
use super::path::{FieldPattern, PatternIndex};
use super::tree::{self, SyntaxError};
use super::{
    Action, AtRest, Category, DetectorKind, DetectorRule, EntityId, FieldLabels, FieldRule, NotValue, PatternRule,
    RetentionPeriod, RuleError, Rules, RulesError, Settings, TextValue, ValueShape, WordList, DEFAULT_RULES,
    RETENTION_KEYS,
};
use crate::pii;

/// Where a compiled rule came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub line: Option<usize>,
}

/// The text of one rules file and its name (for errors).
#[derive(Debug, Clone)]
pub struct RulesText {
    pub name: String,
    pub text: String,
}

impl RulesText {
    /// Wraps a file's text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> RulesText {
        RulesText { name: name.into(), text: text.into() }
    }
}

struct Located<T> {
    value: T,
    file: usize,
    span: Range<usize>,
}

fn located<T>(spanned: Spanned<T>, file: usize) -> Located<T> {
    let span = spanned.span();
    Located { value: spanned.into_inner(), file, span }
}

/// A later file's list, when it has one, replaces the merged one whole (lists are not merged item by item).
fn take_list<T>(merged: &mut Option<Vec<Located<T>>>, list: Option<Vec<Spanned<T>>>, file: usize) {
    if let Some(list) = list {
        *merged = Some(list.into_iter().map(|item| located(item, file)).collect());
    }
}

#[derive(Default)]
struct MergedCategory {
    description: Option<String>,
    action: Option<Located<String>>,
    at_rest: Option<Located<String>>,
    secret: Option<bool>,
    at: Option<(usize, Range<usize>)>,
    /// A value of it was invalid and reported; what is missing then is not reported again.
    invalid: bool,
}

#[derive(Default)]
struct MergedDetector {
    enabled: Option<bool>,
    action: Option<Located<String>>,
    regions: Option<Vec<Located<String>>>,
    context: Option<Vec<Located<String>>>,
    context_after: Option<Vec<Located<String>>>,
    key_words: Option<Vec<String>>,
    e164_keys: Option<Vec<Located<String>>>,
    flag_name_endings: Option<Vec<Located<String>>>,
    not_names: Option<Vec<Located<String>>>,
    full_name_context: Option<Vec<Located<String>>>,
    phone_labels: Option<Vec<Located<String>>>,
    given_names: Option<Vec<Located<String>>>,
    not_family_names: Option<Vec<Located<String>>>,
    leading_family_names: Option<Vec<Located<String>>>,
    family_names: Option<Vec<Located<String>>>,
    thing_keys: Option<Vec<Located<String>>>,
    secret: Option<Located<bool>>,
}

#[derive(Default)]
struct MergedNotValue {
    enabled: Option<bool>,
    description: Option<String>,
    entities: Option<Vec<Located<String>>>,
    keys: Option<Vec<Located<String>>>,
    words: Option<Vec<Located<String>>>,
    last_words: Option<Vec<Located<String>>>,
    pattern: Option<Located<String>>,
    at: Option<(usize, Range<usize>)>,
}

#[derive(Default)]
struct MergedPattern {
    enabled: Option<bool>,
    entity: Option<Located<String>>,
    regex: Option<Located<String>>,
    validator: Option<Located<String>>,
    context: Option<Vec<Located<String>>>,
    action: Option<Located<String>>,
    secret: Option<bool>,
    at: Option<(usize, Range<usize>)>,
    /// A value of it was invalid and reported; what is missing then is not reported again.
    invalid: bool,
}

#[derive(Default)]
struct Merged {
    default_action: Option<Located<String>>,
    hash_hex_len: Option<Located<i64>>,
    max_line_bytes: Option<Located<i64>>,
    max_json_depth: Option<Located<i64>>,
    categories: BTreeMap<String, MergedCategory>,
    fields: Vec<(usize, Range<usize>, FieldFile)>,
    detectors: BTreeMap<String, (usize, Range<usize>, MergedDetector)>,
    patterns: BTreeMap<String, MergedPattern>,
    not_values: BTreeMap<String, MergedNotValue>,
    retention: BTreeMap<String, Located<String>>,
}

struct Compiler<'a> {
    texts: &'a [RulesText],
    /// The offsets of the line breaks of each text, so that the line of every field path is a binary search
    /// (counting them from the start of the file for each of some 400 paths was most of the start-up).
    newlines: Vec<Vec<usize>>,
    errors: Vec<RuleError>,
}

impl<'a> Compiler<'a> {
    fn new(texts: &'a [RulesText], errors: Vec<RuleError>) -> Compiler<'a> {
        let newlines = texts.iter().map(|text| memchr::memchr_iter(b'\n', text.text.as_bytes()).collect()).collect();
        Compiler { texts, newlines, errors }
    }

    fn line_of(&self, file: usize, offset: usize) -> usize {
        self.newlines[file].partition_point(|&newline| newline < offset) + 1
    }

    fn source(&self, file: usize, span: &Range<usize>) -> Source {
        Source { name: self.texts[file].name.clone(), line: Some(self.line_of(file, span.start)) }
    }

    fn error(&mut self, file: usize, span: &Range<usize>, message: impl Into<String>) {
        let source = &self.texts[file];
        self.errors.push(RuleError::at(&source.name, &source.text, span.start, message));
    }

    /// Compiles one detector's merged settings (all unset when no file names it): checks its action and regions,
    /// lowercases its context words, normalizes its key words like keys, and keeps the detectors that find secrets
    /// marked `secret`.
    fn detector(&mut self, kind: DetectorKind, detector: MergedDetector, default_action: Action) -> DetectorRule {
        let action = match &detector.action {
            Some(value) => {
                let action = self.action(value);
                if matches!(action, Some(Action::DropField | Action::Scan)) {
                    self.error(
                        value.file,
                        &value.span,
                        "a detector's action must be label, redact, mask, hash or keep",
                    );
                }
                action.unwrap_or(default_action)
            }
            None => default_action,
        };
        let mut regions = Vec::new();
        for region in detector.regions.unwrap_or_default() {
            let code = region.value.to_ascii_uppercase();
            if pii::phone_region_known(&code) {
                regions.push(code);
            } else {
                let message = format!("unknown phone region `{}`; use ISO 3166 codes such as US, GB, DE", region.value);
                self.error(region.file, &region.span, message);
            }
        }
        let key_words = normalized_keys(&detector.key_words.unwrap_or_default());
        let e164_keys = normalized_keys(&self.owned_words(
            kind,
            DetectorKind::Phone,
            detector.e164_keys,
            "`e164_keys` belongs to [detectors.phone], which reads phone numbers",
            "a key of `e164_keys` is empty; remove it or write the key",
        ));
        let flag_name_endings = self.owned_words(
            kind,
            DetectorKind::Secret,
            detector.flag_name_endings,
            "`flag_name_endings` belongs to [detectors.secret], which reads command-line flags",
            "a flag name ending is empty; remove it or write the ending",
        );
        let not_names = self.owned_words(
            kind,
            DetectorKind::Name,
            detector.not_names,
            "`not_names` belongs to [detectors.name], which reads names in prose",
            "a word of `not_names` is empty; remove it or write the word",
        );
        let full_name_context = self.owned_words(
            kind,
            DetectorKind::Name,
            detector.full_name_context,
            "`full_name_context` belongs to [detectors.name], which reads names in prose",
            "a cue of `full_name_context` is empty; remove it or write the cue",
        );
        // A label is read as one word of up to twelve bytes, its `.` or `:` after it: others never match.
        for label in detector.phone_labels.iter().flatten() {
            let word = label.value.trim();
            if !word.is_empty()
                && (word.len() > 12 || word.contains([' ', '.', ':']) || word.len() != label.value.len())
            {
                let message = "a phone label is one word of up to twelve bytes, without its `.` or `:` (`tel`, not `tel.`); write the word alone";
                self.error(label.file, &label.span, message);
            }
        }
        let phone_labels = self.owned_words(
            kind,
            DetectorKind::Name,
            detector.phone_labels,
            "`phone_labels` belongs to [detectors.name], which reads the name that signs a phone",
            "a label of `phone_labels` is empty; remove it or write the label",
        );
        let given_names = self.name_list(kind, detector.given_names, "given_names");
        let not_family_names = self.owned_words(
            kind,
            DetectorKind::Name,
            detector.not_family_names,
            "`not_family_names` belongs to [detectors.name], which reads names in prose",
            "a word of `not_family_names` is empty; remove it or write the word",
        );
        let thing_keys = normalized_keys(&self.owned_words(
            kind,
            DetectorKind::Name,
            detector.thing_keys,
            "`thing_keys` belongs to [detectors.name], which reads names in prose",
            "a word of `thing_keys` is empty; remove it or write the word",
        ));
        let leading_family_names = self.name_list(kind, detector.leading_family_names, "leading_family_names");
        let family_names = self.name_list(kind, detector.family_names, "family_names");
        let secret = match detector.secret {
            Some(value) if kind.finds_secrets() && !value.value => {
                let message = format!(
                    "the `{}` detector finds passwords and tokens, which are never partly shown; remove `secret = false`",
                    kind.key()
                );
                self.error(value.file, &value.span, message);
                true
            }
            Some(value) => value.value,
            None => kind.finds_secrets(),
        };
        DetectorRule {
            kind,
            enabled: detector.enabled.unwrap_or(true),
            action,
            secret,
            regions,
            context: self.context_words(detector.context),
            context_after: self.context_words(detector.context_after),
            key_words,
            e164_keys,
            flag_name_endings,
            not_names,
            full_name_context,
            phone_labels,
            given_names,
            not_family_names,
            leading_family_names,
            family_names,
            thing_keys,
        }
    }

    /// The words of a list that only the `owner` detector reads: an error for `kind` when it is another (and
    /// no word kept), and one for each empty word.
    fn owned(
        &mut self,
        kind: DetectorKind,
        owner: DetectorKind,
        words: Option<Vec<Located<String>>>,
        elsewhere: &str,
        empty: &str,
    ) -> Vec<Located<String>> {
        let words = words.unwrap_or_default();
        if let Some(word) = words.first().filter(|_| kind != owner) {
            self.error(word.file, &word.span, elsewhere);
            return Vec::new();
        }
        for word in words.iter().filter(|word| word.value.trim().is_empty()) {
            self.error(word.file, &word.span, empty);
        }
        words
    }

    /// A list of names of the name detector (`given_names`, `family_names`, …, named `key`), checked by `owned`, as
    /// one `WordList`.
    fn name_list(&mut self, kind: DetectorKind, names: Option<Vec<Located<String>>>, key: &str) -> WordList {
        let names = self.owned(
            kind,
            DetectorKind::Name,
            names,
            &format!("`{key}` belongs to [detectors.name], which reads names in prose"),
            &format!("a name of `{key}` is empty; remove it or write the name"),
        );
        WordList::new(names.iter().map(|word| word.value.as_str()))
    }

    /// `owned`'s words in ASCII lowercase, as the detector compares them, the empty ones left out.
    fn owned_words(
        &mut self,
        kind: DetectorKind,
        owner: DetectorKind,
        words: Option<Vec<Located<String>>>,
        elsewhere: &str,
        empty: &str,
    ) -> Vec<String> {
        let words = self.owned(kind, owner, words, elsewhere, empty);
        words.iter().filter(|word| !word.value.trim().is_empty()).map(|word| word.value.to_ascii_lowercase()).collect()
    }

    /// The context words of a list: each lowercased, and for a word with letters that are not ASCII (whose case
    /// the engine does not fold), also capitalized and in capitals (`τηλέφωνο`, `Τηλέφωνο`, `ΤΗΛΈΦΩΝΟ`).
    fn context_words(&mut self, words: Option<Vec<Located<String>>>) -> Vec<String> {
        let mut lowered = Vec::new();
        for word in words.unwrap_or_default() {
            if word.value.trim().is_empty() {
                self.error(word.file, &word.span, "a context word is empty; remove it or write the word");
            } else {
                lowered.extend(cased_forms(&word.value));
            }
        }
        lowered
    }

    /// The `labels` of a `[[fields]]` entry, as written: a word in capitals (`CPR`) counts only in capitals.
    fn label_words(&mut self, words: Option<Vec<Located<String>>>) -> Vec<String> {
        let mut kept = Vec::new();
        for word in words.unwrap_or_default() {
            let trimmed = word.value.trim();
            if trimmed.is_empty() || trimmed.len() > MAX_LABEL_BYTES {
                let message = format!(
                    "a label is empty or longer than {MAX_LABEL_BYTES} bytes; write the word that names the field"
                );
                self.error(word.file, &word.span, message);
            } else {
                kept.push(trimmed.to_string());
            }
        }
        kept
    }

    /// The variant a key whose value names one of `names` (`text_value`, `shape`) gives, or the default (the first
    /// variant) when it is not written or names none, which is reported with `what` the key says.
    fn named<T: Default>(
        &mut self,
        value: Option<&Located<String>>,
        key: &str,
        names: &[&str],
        parse: fn(&str) -> Option<T>,
        what: &str,
    ) -> T {
        let Some(value) = value else { return T::default() };
        parse(&value.value).unwrap_or_else(|| {
            let message = format!("unknown {key} `{}`; use one of: {} ({what})", value.value, names.join(", "));
            self.error(value.file, &value.span, message);
            T::default()
        })
    }

    fn action(&mut self, value: &Located<String>) -> Option<Action> {
        let action = Action::parse(&value.value);
        if action.is_none() {
            let message = format!("unknown action `{}`; use one of: {}", value.value, Action::NAMES.join(", "));
            self.error(value.file, &value.span, message);
        }
        action
    }

    fn merge(&mut self, merged: &mut Merged, file: usize, parsed: RulesFile) {
        if let Some(version) = parsed.version {
            let span = version.span();
            if *version.get_ref() != 1 {
                self.error(file, &span, "unsupported rules `version`; this Steward reads version 1");
            }
        }
        let settings = parsed.settings;
        if let Some(value) = settings.default_action {
            merged.default_action = Some(located(value, file));
        }
        if let Some(value) = settings.hash_hex_len {
            merged.hash_hex_len = Some(located(value, file));
        }
        if let Some(value) = settings.max_line_bytes {
            merged.max_line_bytes = Some(located(value, file));
        }
        if let Some(value) = settings.max_json_depth {
            merged.max_json_depth = Some(located(value, file));
        }
        for (name, spanned) in parsed.categories {
            let span = spanned.span();
            let CategoryFile { description, action, at_rest, secret, invalid } = spanned.into_inner();
            let entry = merged.categories.entry(name).or_default();
            entry.at.get_or_insert((file, span));
            entry.invalid |= invalid;
            if description.is_some() {
                entry.description = description;
            }
            if let Some(action) = action {
                entry.action = Some(located(action, file));
            }
            if let Some(at_rest) = at_rest {
                entry.at_rest = Some(located(at_rest, file));
            }
            if let Some(secret) = secret {
                entry.secret = Some(secret.into_inner());
            }
        }
        for spanned in parsed.fields {
            let span = spanned.span();
            merged.fields.push((file, span, spanned.into_inner()));
        }
        for (name, spanned) in parsed.detectors {
            let span = spanned.span();
            let DetectorFile {
                enabled,
                action,
                regions,
                context,
                context_after,
                key_words,
                e164_keys,
                flag_name_endings,
                not_names,
                full_name_context,
                phone_labels,
                given_names,
                not_family_names,
                leading_family_names,
                family_names,
                thing_keys,
                secret,
            } = spanned.into_inner();
            let entry = merged.detectors.entry(name).or_insert_with(|| (file, span, MergedDetector::default()));
            let detector = &mut entry.2;
            if enabled.is_some() {
                detector.enabled = enabled;
            }
            if let Some(action) = action {
                detector.action = Some(located(action, file));
            }
            take_list(&mut detector.regions, regions, file);
            take_list(&mut detector.context, context, file);
            take_list(&mut detector.context_after, context_after, file);
            if key_words.is_some() {
                detector.key_words = key_words;
            }
            take_list(&mut detector.e164_keys, e164_keys, file);
            take_list(&mut detector.flag_name_endings, flag_name_endings, file);
            take_list(&mut detector.not_names, not_names, file);
            take_list(&mut detector.full_name_context, full_name_context, file);
            take_list(&mut detector.phone_labels, phone_labels, file);
            take_list(&mut detector.given_names, given_names, file);
            take_list(&mut detector.not_family_names, not_family_names, file);
            take_list(&mut detector.leading_family_names, leading_family_names, file);
            take_list(&mut detector.family_names, family_names, file);
            take_list(&mut detector.thing_keys, thing_keys, file);
            if let Some(secret) = secret {
                detector.secret = Some(located(secret, file));
            }
        }
        for (name, spanned) in parsed.patterns {
            let span = spanned.span();
            let PatternFile { enabled, entity, regex, validator, context, action, secret, invalid } =
                spanned.into_inner();
            let entry = merged.patterns.entry(name).or_default();
            entry.at = Some((file, span));
            entry.invalid |= invalid;
            if enabled.is_some() {
                entry.enabled = enabled;
            }
            if let Some(entity) = entity {
                entry.entity = Some(located(entity, file));
            }
            if let Some(regex) = regex {
                entry.regex = Some(located(regex, file));
            }
            if let Some(validator) = validator {
                entry.validator = Some(located(validator, file));
            }
            take_list(&mut entry.context, context, file);
            if let Some(action) = action {
                entry.action = Some(located(action, file));
            }
            if let Some(secret) = secret {
                entry.secret = Some(secret.into_inner());
            }
        }
        for (name, spanned) in parsed.not_values {
            let span = spanned.span();
            let NotValueFile { enabled, description, entities, keys, words, last_words, pattern } =
                spanned.into_inner();
            let entry = merged.not_values.entry(name).or_default();
            entry.at = Some((file, span));
            if enabled.is_some() {
                entry.enabled = enabled;
            }
            if description.is_some() {
                entry.description = description;
            }
            take_list(&mut entry.entities, entities, file);
            take_list(&mut entry.keys, keys, file);
            take_list(&mut entry.words, words, file);
            take_list(&mut entry.last_words, last_words, file);
            if let Some(pattern) = pattern {
                entry.pattern = Some(located(pattern, file));
            }
        }
        for (key, spanned) in parsed.retention {
            merged.retention.insert(key, located(spanned, file));
        }
    }

    fn positive(&mut self, value: &Option<Located<i64>>, default: usize, min: i64, max: i64, what: &str) -> usize {
        match value {
            None => default,
            Some(located) if (min..=max).contains(&located.value) => usize::try_from(located.value).unwrap_or(default),
            Some(located) => {
                let message = format!("`{what}` must be between {min} and {max}");
                self.error(located.file, &located.span, message);
                default
            }
        }
    }

    fn entity_name(&mut self, value: &Located<String>) -> bool {
        let name = &value.value;
        let ok = name.len() <= 40
            && name.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            let message = format!(
                "entity `{name}` must be 1 to 40 uppercase letters, digits or `_`, starting with a letter (it becomes the label `[{name}]`)"
            );
            self.error(value.file, &value.span, message);
        }
        ok
    }

    /// Compiles the enabled `[not_values]` entries, after the fields, detectors and patterns have named every
    /// entity (`entities`): an entity that none reports is a mistake, and so is an entry with neither `words` nor
    /// `pattern`. Their patterns are checked one by one and compiled as one set.
    fn not_values(
        &mut self,
        merged: BTreeMap<String, MergedNotValue>,
        entities: &[String],
    ) -> (Vec<NotValue>, regex::bytes::RegexSet) {
        let mut compiled = Vec::new();
        let mut patterns: Vec<(String, Located<String>)> = Vec::new();
        for (name, entry) in merged {
            let Some((file, span)) = entry.at.clone() else {
                continue;
            };
            if !entry.enabled.unwrap_or(true) {
                continue;
            }
            let mut ids = Vec::new();
            for entity in entry.entities.unwrap_or_default() {
                match entities.iter().position(|known| *known == entity.value) {
                    Some(index) => ids.push(EntityId(u16::try_from(index).unwrap_or(u16::MAX))),
                    None => {
                        let message = format!(
                            "not_values `{name}` names entity `{}`, which no field, detector or pattern reports; use one of: {}",
                            entity.value,
                            entities.join(", ")
                        );
                        self.error(entity.file, &entity.span, message);
                    }
                }
            }
            let mut keys = Vec::new();
            for key in entry.keys.unwrap_or_default() {
                let mut normalized = Vec::new();
                super::path::normalize_key_into(key.value.as_bytes(), &mut normalized);
                if normalized.is_empty() {
                    self.error(key.file, &key.span, "a key is empty; remove it or write the key");
                } else {
                    keys.push(normalized);
                }
            }
            // A last word is one word: it holds no space or comma, which end the words before it.
            let mut lowercase_words = |list: Option<Vec<Located<String>>>, one_word: bool| {
                let mut out = Vec::new();
                for word in list.unwrap_or_default() {
                    if word.value.is_empty() {
                        self.error(word.file, &word.span, "a word is empty; remove it or write the word");
                    } else if one_word && word.value.contains([' ', ',']) {
                        let message = "a last word holds a space or a comma; write the one word a value ends with";
                        self.error(word.file, &word.span, message);
                    } else if one_word {
                        out.push(word.value.clone().into_bytes());
                    } else {
                        out.push(word.value.to_ascii_lowercase().into_bytes());
                    }
                }
                out
            };
            let words = lowercase_words(entry.words, false);
            let last_words = lowercase_words(entry.last_words, true);
            // Checked alone, so that a pattern such as `a)|(b` cannot reach out of the anchors put around it.
            let mut first = None;
            if let Some(text) = &entry.pattern {
                match regex_syntax::ParserBuilder::new().utf8(false).build().parse(&text.value) {
                    Ok(hir) => first = first_bytes(&hir),
                    Err(error) => {
                        let message =
                            format!("not_values `{name}` has an invalid regex: {}", regex_error(&error.to_string()));
                        self.error(text.file, &text.span, message);
                        continue;
                    }
                }
            }
            if words.is_empty() && last_words.is_empty() && entry.pattern.is_none() {
                let message = format!(
                    "not_values `{name}` has none of `words`, `last_words` and `pattern`; add one, e.g. `words = [\"null\"]`"
                );
                self.error(file, &span, message);
                continue;
            }
            let pattern = entry.pattern.map(|text| {
                patterns.push((name.clone(), text));
                patterns.len() - 1
            });
            compiled.push(NotValue {
                name,
                description: entry.description.unwrap_or_default(),
                entities: ids,
                keys,
                words,
                last_words,
                pattern_text: pattern.map(|index| patterns[index].1.value.clone()),
                pattern,
                source: self.source(file, &span),
                first_bytes: first,
            });
        }
        let anchored = patterns.iter().map(|(_, text)| format!("^(?:{})$", text.value));
        let set = match regex::bytes::RegexSetBuilder::new(anchored).size_limit(1 << 22).build() {
            Ok(set) => set,
            Err(error) => {
                if let Some((name, text)) = patterns.first() {
                    let message = format!(
                        "the not_values patterns (from `{name}` on) are too large together: {}",
                        regex_error(&error.to_string())
                    );
                    self.error(text.file, &text.span, message);
                }
                regex::bytes::RegexSet::empty()
            }
        };
        (compiled, set)
    }

    fn compile(&mut self, merged: Merged) -> Option<Rules> {
        let default_action = match &merged.default_action {
            Some(value) => self.action(value).unwrap_or(Action::Label),
            None => Action::Label,
        };
        if let Some(value) = &merged.default_action {
            if !default_action.replaces() || default_action == Action::DropField {
                self.error(value.file, &value.span, "`default_action` must be label, redact, mask or hash");
            }
        }
        let settings = Settings {
            default_action,
            hash_hex_len: self.positive(&merged.hash_hex_len, 6, 4, 64, "hash_hex_len"),
            max_line_bytes: self.positive(&merged.max_line_bytes, 1 << 20, 256, 1 << 30, "max_line_bytes"),
            max_json_depth: self.positive(&merged.max_json_depth, 128, 1, 4096, "max_json_depth"),
        };

        let mut entities: Vec<String> = DetectorKind::ALL.iter().map(|kind| kind.entity_name().to_string()).collect();
        let mut intern = |name: &str| -> EntityId {
            let index = entities.iter().position(|entity| entity == name).unwrap_or_else(|| {
                entities.push(name.to_string());
                entities.len() - 1
            });
            EntityId(u16::try_from(index).unwrap_or(u16::MAX))
        };

        let mut categories = Vec::new();
        let mut category_index = BTreeMap::new();
        for (name, category) in merged.categories {
            let action = match &category.action {
                Some(value) => self.action(value),
                None => {
                    match &category.at {
                        Some((file, span)) if !category.invalid => {
                            self.error(
                                *file,
                                span,
                                format!("category `{name}` has no `action`; add one, e.g. `action = \"redact\"`"),
                            );
                        }
                        _ => {}
                    }
                    None
                }
            };
            let at_rest = match &category.at_rest {
                Some(value) => {
                    let parsed = AtRest::parse(&value.value);
                    if parsed.is_none() {
                        self.error(value.file, &value.span, "unknown `at_rest`; use encrypt, hash, drop or plain");
                    }
                    parsed.unwrap_or(AtRest::Encrypt)
                }
                None => AtRest::Encrypt,
            };
            category_index.insert(name.clone(), categories.len());
            categories.push(Category {
                name,
                description: category.description.unwrap_or_default(),
                action: action.unwrap_or(Action::Redact),
                at_rest,
                secret: category.secret.unwrap_or(false),
            });
        }

        let mut fields = Vec::new();
        let mut field_labels = Vec::new();
        let mut index = PatternIndex::default();
        let mut object_types: Vec<Vec<u8>> = Vec::new();
        for (file, span, field) in merged.fields {
            let FieldFile { category, entity, action, paths, text_value, shape, labels, types } = field;
            let category = located(category, file);
            let Some(&category_at) = category_index.get(&category.value) else {
                let known: Vec<_> = category_index.keys().map(String::as_str).collect();
                let message = format!(
                    "unknown category `{}`; define it under [categories] or use one of: {}",
                    category.value,
                    known.join(", ")
                );
                self.error(file, &category.span, message);
                continue;
            };
            let action = match action.map(|action| located(action, file)) {
                Some(value) => self.action(&value).unwrap_or(Action::Redact),
                None => categories[category_at].action,
            };
            let entity = match entity.map(|entity| located(entity, file)) {
                Some(value) => {
                    if !self.entity_name(&value) {
                        continue;
                    }
                    value.value
                }
                None => categories[category_at].name.to_ascii_uppercase(),
            };
            let entity = intern(&entity);
            let text_value = text_value.map(|value| located(value, file));
            let text_value = self.named(
                text_value.as_ref(),
                "text_value",
                &TextValue::NAMES,
                TextValue::parse,
                "how far a value reaches in a text line",
            );
            let shape_at = shape.map(|value| located(value, file));
            let shape_text = "the shape a value must have for the rule to apply";
            let mut shape = self.named(shape_at.as_ref(), "shape", &ValueShape::NAMES, ValueShape::parse, shape_text);
            if let Some(value) = shape_at.filter(|_| shape != ValueShape::Any && !action.replaces()) {
                let message = "a shape applies to a rule that replaces values; remove it, or give the entry an action \
                               such as label";
                self.error(value.file, &value.span, message);
                shape = ValueShape::Any;
            }
            if paths.is_empty() {
                self.error(file, &span, "a `[[fields]]` entry needs at least one path in `paths`");
            }
            let words = self.label_words(labels.map(|labels| labels.into_iter().map(|l| located(l, file)).collect()));
            let labels = (!words.is_empty() && action.replaces()).then(|| {
                field_labels.push(FieldLabels { entity, action, secret: categories[category_at].secret, words });
                field_labels.len() - 1
            });
            let types: Vec<String> = types
                .unwrap_or_default()
                .into_iter()
                .map(|name| located(name, file))
                .filter_map(|name| {
                    let word = !name.value.is_empty()
                        && name.value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
                    if !word {
                        let message = format!(
                            "invalid object type `{}`; write the value of an object's `type` member, e.g. `\"tag\"`",
                            name.value
                        );
                        self.error(name.file, &name.span, message);
                    }
                    word.then_some(name.value)
                })
                .collect();
            for name in &types {
                if !object_types.iter().any(|known: &Vec<u8>| known.as_slice() == name.as_bytes()) {
                    object_types.push(name.as_bytes().to_vec());
                }
            }
            for path in paths {
                let path = located(path, file);
                match FieldPattern::parse(&path.value).map(|pattern| pattern.within_types(&types)) {
                    Ok(pattern) => {
                        index.push(pattern.clone());
                        fields.push(FieldRule {
                            pattern,
                            category: category_at,
                            entity,
                            action,
                            text_value,
                            shape,
                            labels,
                            source: self.source(path.file, &path.span),
                        });
                    }
                    Err(error) => self.error(path.file, &path.span, format!("invalid path `{}`: {error}", path.value)),
                }
            }
        }

        let mut detectors = Vec::new();
        let mut unknown_detectors: Vec<(usize, Range<usize>, String)> = Vec::new();
        let mut merged_detectors = merged.detectors;
        for kind in DetectorKind::ALL {
            let detector = merged_detectors.remove(kind.key()).map(|(_, _, detector)| detector).unwrap_or_default();
            detectors.push(self.detector(kind, detector, default_action));
        }
        for (name, (file, span, _)) in merged_detectors {
            unknown_detectors.push((file, span, name));
        }
        for (file, span, name) in unknown_detectors {
            let known: Vec<_> = DetectorKind::ALL.iter().map(|kind| kind.key()).collect();
            let message = format!(
                "unknown detector `{name}`; the built-in ones are {}; use [patterns.{name}] for your own",
                known.join(", ")
            );
            self.error(file, &span, message);
        }

        let mut patterns = Vec::new();
        for (name, pattern) in merged.patterns {
            let Some((file, span)) = pattern.at.clone() else {
                continue;
            };
            if !pattern.enabled.unwrap_or(true) {
                continue;
            }
            let Some(regex_text) = &pattern.regex else {
                if !pattern.invalid {
                    self.error(
                        file,
                        &span,
                        format!("pattern `{name}` has no `regex`; add one, e.g. `regex = '[A-Z]{{2}}[0-9]{{6}}'`"),
                    );
                }
                continue;
            };
            let regex = match regex::bytes::RegexBuilder::new(&regex_text.value).size_limit(1 << 22).build() {
                Ok(regex) => regex,
                Err(error) => {
                    let message = format!("pattern `{name}` has an invalid regex: {}", regex_error(&error.to_string()));
                    self.error(regex_text.file, &regex_text.span, message);
                    continue;
                }
            };
            if regex.is_match(b"") {
                self.error(
                    regex_text.file,
                    &regex_text.span,
                    format!("pattern `{name}` matches the empty string; it would match everywhere"),
                );
                continue;
            }
            let validator = match &pattern.validator {
                Some(value) => match pii::validate::validator(&value.value) {
                    Some(function) => Some((value.value.clone(), function)),
                    None => {
                        let message =
                            format!("unknown validator `{}`; `steward rules explain` lists them", value.value);
                        self.error(value.file, &value.span, message);
                        continue;
                    }
                },
                None => None,
            };
            let entity = match &pattern.entity {
                Some(value) => {
                    if !self.entity_name(value) {
                        continue;
                    }
                    value.value.clone()
                }
                None => name.to_ascii_uppercase(),
            };
            let action = match &pattern.action {
                Some(value) => self.action(value).unwrap_or(default_action),
                None => default_action,
            };
            let entity = intern(&entity);
            patterns.push(PatternRule {
                name,
                entity,
                regex,
                validator,
                context: self.context_words(pattern.context),
                action,
                secret: pattern.secret.unwrap_or(false),
                source: self.source(file, &span),
            });
        }

        let (not_values, not_value_patterns) = self.not_values(merged.not_values, &entities);

        let mut retention = Vec::new();
        for (key, value) in merged.retention {
            if key.starts_with("audit") {
                self.error(value.file, &value.span, "the audit log is never deleted; remove this retention entry");
                continue;
            }
            if !RETENTION_KEYS.contains(&key.as_str()) {
                let message = format!("unknown retention category `{key}`; use one of: {}", RETENTION_KEYS.join(", "));
                self.error(value.file, &value.span, message);
                continue;
            }
            match RetentionPeriod::parse(&value.value) {
                Ok(period) => retention.push((key, period)),
                Err(message) => self.error(value.file, &value.span, message),
            }
        }

        // An entity is a secret when any rule that reports it says so: one that is a secret somewhere is never
        // partly shown anywhere.
        let mut secret_entities = vec![false; entities.len()];
        let detector_secrets =
            detectors.iter().filter(|detector| detector.secret).map(|detector| detector.kind.entity());
        let pattern_secrets = patterns.iter().filter(|pattern| pattern.secret).map(|pattern| pattern.entity);
        let field_secrets = fields.iter().filter(|field| categories[field.category].secret).map(|field| field.entity);
        for entity in detector_secrets.chain(pattern_secrets).chain(field_secrets) {
            if let Some(secret) = secret_entities.get_mut(usize::from(entity.0)) {
                *secret = true;
            }
        }

        let typed_fields = fields
            .iter()
            .enumerate()
            .filter(|(_, field)| !field.pattern.types().is_empty())
            .map(|(index, _)| index)
            .collect();

        if !self.errors.is_empty() {
            return None;
        }
        Some(Rules {
            settings,
            categories,
            entities,
            fields,
            field_labels,
            detectors,
            patterns,
            not_values,
            not_value_patterns,
            retention,
            sources: self.texts.iter().map(|text| text.name.clone()).collect(),
            index,
            object_types,
            typed_fields,
            secret_entities,
        })
    }
}

/// The longest `labels` word of a `[[fields]]` entry: the words are looked for in the 40 bytes before a number.
const MAX_LABEL_BYTES: usize = 32;

/// The bytes that a match of a `[not_values]` pattern (parsed as the set parses it) can start with, from its
/// prefix literals cut to one byte: every match starts with one of them. None when they are not known (a class
/// too large, a `.*`) or the pattern matches an empty value.
fn first_bytes(hir: &regex_syntax::hir::Hir) -> Option<Box<[bool; 256]>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_literal_len(1).limit_class(256).limit_total(512);
    let prefixes = extractor.extract(hir);
    let mut first = Box::new([false; 256]);
    for literal in prefixes.literals()? {
        first[usize::from(*literal.as_bytes().first()?)] = true;
    }
    Some(first)
}

/// The last line of a regex error, which says what is wrong (the lines before it repeat the pattern).
fn regex_error(text: &str) -> String {
    let last = text.lines().last().unwrap_or("").trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

/// A syntax error in a file, with its line and column when the parser gives its place.
fn syntax_error(file: &RulesText, error: SyntaxError) -> RuleError {
    match error.span {
        Some(span) => RuleError::at(&file.name, &file.text, span.start, error.message),
        None => RuleError { file: file.name.clone(), line: None, column: None, rule: None, message: error.message },
    }
}

/// Compiles the defaults and then `files` on top (or only `files` when one of them sets `replace_defaults`).
pub fn compile_sources(files: &[RulesText]) -> Result<Rules, RulesError> {
    let mut parsed = Vec::with_capacity(files.len() + 1);
    let mut syntax_errors = Vec::new();
    // Problems of one file do not stop the others: every file is read, and every rule of a readable file.
    let mut errors = Vec::new();
    for file in files {
        let (rules, problems) = read_file(file).unwrap_or_else(|error| {
            syntax_errors.push(error);
            (RulesFile::default(), Vec::new())
        });
        errors.extend(problems);
        parsed.push(rules);
    }
    if !syntax_errors.is_empty() {
        // Without every file, merging would report rules of the unreadable ones as missing.
        syntax_errors.extend(errors);
        return Err(sorted(syntax_errors, files));
    }
    let mut texts = Vec::with_capacity(files.len() + 1);
    let replace = parsed.iter().any(|file| file.replace_defaults == Some(true));
    if !replace {
        for (at, &(name, text)) in DEFAULT_RULES.iter().enumerate() {
            let shipped = RulesText::new(name, text);
            let (defaults, problems) = read_file(&shipped).map_err(|error| RulesError { errors: vec![error] })?;
            if !problems.is_empty() {
                return Err(RulesError { errors: problems });
            }
            texts.push(shipped);
            parsed.insert(at, defaults);
        }
    }
    texts.extend(files.iter().cloned());
    let mut compiler = Compiler::new(&texts, errors);
    let mut merged = Merged::default();
    for (file, rules) in parsed.into_iter().enumerate() {
        compiler.merge(&mut merged, file, rules);
    }
    match compiler.compile(merged) {
        Some(rules) if compiler.errors.is_empty() => Ok(rules),
        _ => Err(sorted(compiler.errors, &texts)),
    }
}

/// Parses and reads one file: its rules and the problems of its values, or its syntax error.
fn read_file(file: &RulesText) -> Result<(RulesFile, Vec<RuleError>), RuleError> {
    let root = tree::parse(&file.text).map_err(|error| syntax_error(file, error))?;
    let (rules, problems) = read(&file.text, root);
    let problems = problems
        .into_iter()
        .map(|problem| RuleError::at(&file.name, &file.text, problem.at, problem.message))
        .collect();
    Ok((rules, problems))
}

/// The errors in the order of the files, then of lines and columns, as a reader goes through them.
fn sorted(mut errors: Vec<RuleError>, files: &[RulesText]) -> RulesError {
    let order = |error: &RuleError| files.iter().position(|file| file.name == error.file).unwrap_or(usize::MAX);
    errors.sort_by_key(|error| (order(error), error.line, error.column));
    RulesError { errors }
}

/// Words that compare with keys as the engine normalizes them (lowercase, no `_` or `-`), without the ones that
/// normalize to nothing.
fn normalized_keys(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|word| {
            let mut normalized = Vec::new();
            super::path::normalize_key_into(word.as_bytes(), &mut normalized);
            String::from_utf8_lossy(&normalized).into_owned()
        })
        .filter(|word| !word.is_empty())
        .collect()
}

/// A Greek capital without its accent.
fn greek_capital_unaccented(ch: char) -> char {
    match ch {
        'Ά' => 'Α',
        'Έ' => 'Ε',
        'Ή' => 'Η',
        'Ί' => 'Ι',
        'Ό' => 'Ο',
        'Ύ' => 'Υ',
        'Ώ' => 'Ω',
        other => other,
    }
}

/// A context word lowercased, and when it has letters that are not ASCII, also capitalized and in capitals: the
/// engine compares words in any ASCII case only.
fn cased_forms(word: &str) -> Vec<String> {
    let lower = word.to_lowercase();
    let mut forms = vec![lower.clone()];
    if !lower.is_ascii() {
        let mut chars = lower.chars();
        // (A first letter in ASCII is compared in any case already.)
        let capitalized = chars
            .next()
            .filter(|first| !first.is_ascii())
            .map(|first| first.to_uppercase().chain(chars).collect::<String>());
        // Greek in capitals drops its accents (`ΚΙΝΗΤΌ` is written `ΚΙΝΗΤΟ`).
        let unaccented = lower.to_uppercase().chars().map(greek_capital_unaccented).collect::<String>();
        for form in capitalized.into_iter().chain([lower.to_uppercase(), unaccented]) {
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    forms
}

#[cfg(test)]
mod tests {

    #[test]
    fn context_words_of_cased_scripts_count_capitalized_and_in_capitals() {
        assert_eq!(cased_forms("Phone"), ["phone"]);
        assert_eq!(cased_forms("τηλ"), ["τηλ", "Τηλ", "ΤΗΛ"]);
        assert_eq!(cased_forms("κινητό"), ["κινητό", "Κινητό", "ΚΙΝΗΤΌ", "ΚΙΝΗΤΟ"]);
        assert_eq!(cased_forms("Мой номер"), ["мой номер", "Мой номер", "МОЙ НОМЕР"]);
        // Scripts without case, and a word whose first letter is ASCII.
        assert_eq!(cased_forms("电话"), ["电话"]);
        assert_eq!(cased_forms("mój numer"), ["mój numer", "MÓJ NUMER"]);
    }

    use super::*;
    use crate::rules::KeyPath;

    fn compile(text: &str) -> Result<Rules, RulesError> {
        compile_sources(&[RulesText::new("mine.toml", text)])
    }

    fn path(keys: &[&str]) -> KeyPath {
        let mut path = KeyPath::default();
        for key in keys {
            path.push(key.as_bytes());
        }
        path
    }

    #[test]
    fn the_defaults_compile_and_classify_intercom_fields() {
        let rules = compile_sources(&[]).unwrap();
        let email = rules.field_rule(&path(&["contact", "email"])).unwrap();
        assert_eq!(rules.entity_name(email.entity), "EMAIL");
        assert_eq!(email.action, Action::Label);
        let plan = rules.field_rule(&path(&["custom_attributes", "plan"])).unwrap();
        assert_eq!(plan.action, Action::Keep);
        let unknown = rules.field_rule(&path(&["custom_attributes", "shoe_size"])).unwrap();
        assert_eq!(rules.entity_name(unknown.entity), "CUSTOM_ATTRIBUTE");
        let ssn = rules.field_rule(&path(&["custom_attributes", "customer_ssn"])).unwrap();
        assert_eq!(rules.entity_name(ssn.entity), "SSN");
        let created = rules.field_rule(&path(&["created_at"])).unwrap();
        assert_eq!(created.action, Action::Keep);
        let body = rules.field_rule(&path(&["conversation_parts", "body"])).unwrap();
        assert_eq!(body.action, Action::Scan);
        assert!(rules.field_rule(&path(&["msg"])).is_none());
        assert!(rules.patterns.is_empty(), "country ids are opt-in");
        assert!(rules.retention.iter().any(|(key, _)| key == "request_records"));
    }

    #[test]
    fn later_files_override_earlier_ones_key_by_key() {
        let rules = compile(
            "[settings]\ndefault_action = \"hash\"\n[categories.personal]\naction = \"mask\"\n[[fields]]\ncategory = \"system\"\npaths = [\"email\"]\n[patterns.uk_nino]\nenabled = true\n",
        )
        .unwrap();
        assert_eq!(rules.settings.default_action, Action::Hash);
        assert_eq!(rules.detector(DetectorKind::Email).action, Action::Hash);
        assert_eq!(rules.field_rule(&path(&["email"])).unwrap().action, Action::Keep);
        assert_eq!(rules.field_rule(&path(&["phone"])).unwrap().action, Action::Mask);
        assert_eq!(rules.patterns.len(), 1);
        assert_eq!(rules.patterns[0].name, "uk_nino");
        assert_eq!(rules.sources, ["<defaults>", "<defaults: given names>", "<defaults: family names>", "mine.toml"]);
    }

    #[test]
    fn replace_defaults_starts_from_nothing() {
        let rules = compile("replace_defaults = true\n[categories.personal]\naction = \"label\"\n[[fields]]\ncategory = \"personal\"\nentity = \"EMAIL\"\npaths = [\"mail\"]\n").unwrap();
        assert_eq!(rules.fields.len(), 1);
        assert!(rules.field_rule(&path(&["name"])).is_none());
    }

    #[test]
    fn every_invalid_rule_is_reported_with_file_line_and_rule() {
        let text = "[[fields]]\ncategory = \"nosuch\"\npaths = [\"x\"]\n\n[[fields]]\ncategory = \"personal\"\naction = \"obliterate\"\npaths = [\"a..b\"]\n\n[patterns.bad]\nregex = '(unclosed'\n\n[retention]\naudit_log = \"1y\"\nspool = \"forever\"\n";
        let error = compile(text).unwrap_err();
        let rendered: Vec<String> = error.errors.iter().map(ToString::to_string).collect();
        let expected = [
            "mine.toml:2:12: unknown category `nosuch`; define it under [categories] or use one of: conversation, custom_attribute, identifier, personal, secret, system — `category = \"nosuch\"`",
            "mine.toml:7:10: unknown action `obliterate`; use one of: label, redact, mask, hash, drop-field, keep, scan — `action = \"obliterate\"`",
            "mine.toml:8:10: invalid path `a..b`: segment 2 of the path is empty (two dots in a row, or a dot at an end) — `paths = [\"a..b\"]`",
            "mine.toml:11:9: pattern `bad` has an invalid regex: unclosed group — `regex = '(unclosed'`",
            "mine.toml:14:13: the audit log is never deleted; remove this retention entry — `audit_log = \"1y\"`",
            "mine.toml:15:9: `forever` does not start with a whole number; write e.g. `30d`, `24mo` or `6y` — `spool = \"forever\"`",
        ];
        assert_eq!(rendered, expected);
    }

    #[test]
    fn syntax_errors_and_unknown_keys_name_the_line() {
        let error = compile("[settings]\nmax_line_bytes = 10\n").unwrap_err();
        assert_eq!(error.errors[0].line, Some(2));
        let error = compile("[settings]\nmax_lines = 10\n").unwrap_err();
        assert_eq!(error.errors[0].line, Some(2), "{error}");
        assert!(error.errors[0].message.contains("max_lines"), "{error}");
        let error = compile("[[fields]\n").unwrap_err();
        assert_eq!(error.errors[0].line, Some(1), "{error}");
        let error = compile("[patterns.p]\nregex = 'a*'\n").unwrap_err();
        assert!(error.to_string().contains("matches the empty string"), "{error}");
        let error = compile("[detectors.phone]\nregions = [\"usa\"]\n").unwrap_err();
        assert!(error.to_string().contains("unknown phone region `usa`"), "{error}");
        let error = compile("[detectors.ssn]\ncontext = [\"ssn\", \" \"]\n").unwrap_err();
        assert!(error.to_string().contains("a context word is empty"), "{error}");
        assert_eq!(error.errors[0].line, Some(2), "{error}");
        let error = compile("[patterns.p]\nregex = 'x[0-9]+'\nentity = 'X'\ncontext = ['']\n").unwrap_err();
        assert!(error.to_string().contains("a context word is empty"), "{error}");
        let error = compile("[detectors.phone]\ncontext_after = ['office', '']\n").unwrap_err();
        assert!(error.to_string().contains("a context word is empty"), "{error}");
    }

    #[test]
    fn control_characters_get_a_message_too() {
        let error = compile("# comment \u{1e} here\n").unwrap_err();
        assert_eq!(error.errors[0].line, Some(1), "{error}");
        assert!(error.errors[0].message.contains("not valid TOML"), "{error}");
    }

    #[test]
    fn the_action_override_spares_keep_scan_and_drop() {
        let mut rules = compile_sources(&[]).unwrap();
        rules.override_action(Action::Hash);
        assert_eq!(rules.field_rule(&path(&["email"])).unwrap().action, Action::Hash);
        assert_eq!(rules.field_rule(&path(&["created_at"])).unwrap().action, Action::Keep);
        assert_eq!(rules.field_rule(&path(&["body"])).unwrap().action, Action::Scan);
        assert_eq!(rules.detector(DetectorKind::Secret).action, Action::Hash);
    }

    #[test]
    fn secret_entities_come_from_detectors_patterns_and_categories() {
        let rules = compile_sources(&[]).unwrap();
        let secret = |rules: &Rules, name: &str| rules.is_secret(rules.entity_id(name).unwrap());
        assert!(secret(&rules, "SECRET") && secret(&rules, "CREDENTIALS"));
        assert!(!secret(&rules, "EMAIL") && !secret(&rules, "CARD") && !secret(&rules, "NAME"));
        assert_eq!(rules.secret_entity_names(), ["CREDENTIALS", "SECRET"]);
        assert!(rules.is_secret(EntityId(u16::MAX)), "an unknown entity counts as a secret");
        // Without the shipped rules, the detectors that find secrets keep their flag.
        let bare = compile("replace_defaults = true\n").unwrap();
        assert_eq!(bare.secret_entity_names(), ["CREDENTIALS", "SECRET"]);
        let rules = compile(
            "[patterns.internal_key]\nregex = 'ik_[a-z0-9]{12}'\nsecret = true\n\
             [patterns.order_ref]\nregex = 'or_[a-z0-9]{12}'\n\
             [patterns.card_alias]\nregex = 'ca_[0-9]{12}'\nentity = \"CARD\"\nsecret = true\n\
             [categories.vault]\naction = \"redact\"\nsecret = true\n\
             [[fields]]\ncategory = \"vault\"\npaths = [\"vault_key\"]\n\
             [detectors.iban]\nsecret = true\n",
        )
        .unwrap();
        // A secret somewhere is a secret everywhere: CARD, which the card detector reports too, is one now.
        assert_eq!(rules.secret_entity_names(), ["CARD", "IBAN", "CREDENTIALS", "SECRET", "VAULT", "INTERNAL_KEY"]);
        assert!(!secret(&rules, "ORDER_REF"));
        assert!(rules.patterns.iter().find(|pattern| pattern.name == "internal_key").unwrap().secret);
        assert!(rules.categories.iter().find(|category| category.name == "vault").unwrap().secret);
        let explain = rules.explain_json();
        assert_eq!(explain["secret_entities"][5], "INTERNAL_KEY");
        assert_eq!(explain["detectors"][DetectorKind::Iban as usize]["secret"], true);
        assert_eq!(explain["detectors"][DetectorKind::Email as usize]["secret"], false);
    }
}
