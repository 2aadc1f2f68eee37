//! The redaction engine: finds personal data in log lines (JSON, text, HTML) and rewrites it per the rules.
//!
//! [`Engine`] holds the compiled rules and detectors and is shared by all workers; each worker owns a
//! [`Redactor`] with its scratch buffers, so the common path allocates nothing. A line is redacted in one call:
//! JSON lines structurally (values under classified keys get their action whole, other strings are scanned),
//! everything else as text (HTML-aware). Every line comes out: redacted, unchanged when clean, or, when the
//! engine cannot process it, replaced by a marker. Nothing passes through unprocessed.

mod anchors;
mod commands;
mod context;
pub mod detect;
mod devices;
mod echo;
mod hl7;
mod html;
mod json;
mod literals;
mod mrz;
mod names;
mod offsets;
mod percent;
pub mod stream;
mod streets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

pub use crate::pii::{HashKey, HashKeyError};
use crate::rules::{Action, EntityId, KeyPath, Rules};
use anchors::{Anchor, Anchors, View};
use detect::{is_replacement, Detectors, Finding, KeyMemo, ScanContext};
use offsets::OffsetMap;

/// How lines are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON when the line starts with `{` or `[` (and parses), text otherwise.
    #[default]
    Auto,
    /// Always text (JSON lines are still scanned, as text).
    Text,
    /// JSON; lines that do not parse are scanned as text and counted as fallbacks.
    Json,
}

/// Why a line was replaced by a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerReason {
    /// Longer than `max_line_bytes`.
    Overlong,
    /// The engine failed on it (a bug); the line is withheld rather than passed through.
    EngineError,
}

impl MarkerReason {
    fn name(self) -> &'static str {
        match self {
            MarkerReason::Overlong => "overlong",
            MarkerReason::EngineError => "engine_error",
        }
    }
}

/// Appends the marker that replaces a withheld line: JSON when the line looked like JSON, text otherwise.
pub fn write_marker(reason: MarkerReason, line_head: &[u8], line_len: usize, out: &mut Vec<u8>) {
    let json = line_head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let text = if json {
        format!("{{\"steward\":\"line withheld\",\"reason\":\"{}\",\"bytes\":{line_len}}}", reason.name())
    } else {
        format!("[STEWARD: line withheld, reason={}, bytes={line_len}]", reason.name())
    };
    out.extend_from_slice(text.as_bytes());
}

/// Counters of one redactor since its stats were last taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub lines: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Lines replaced by a marker.
    pub markers: u64,
    /// Lines with invalid UTF-8 (repaired with U+FFFD, then redacted).
    pub invalid_utf8: u64,
    /// Lines that looked like JSON but did not parse, and were scanned as text.
    pub json_fallbacks: u64,
    /// Lines in which something was redacted.
    pub lines_redacted: u64,
    /// Redactions per entity, indexed like [`Engine::entity_names`].
    pub per_entity: Vec<u64>,
}

impl Stats {
    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Stats) {
        self.lines += other.lines;
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        self.markers += other.markers;
        self.invalid_utf8 += other.invalid_utf8;
        self.json_fallbacks += other.json_fallbacks;
        self.lines_redacted += other.lines_redacted;
        if self.per_entity.len() < other.per_entity.len() {
            self.per_entity.resize(other.per_entity.len(), 0);
        }
        for (total, count) in self.per_entity.iter_mut().zip(&other.per_entity) {
            *total += count;
        }
    }

    /// Total redactions.
    pub fn redactions(&self) -> u64 {
        self.per_entity.iter().sum()
    }
}

/// The engine could not be built from these rules.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EngineError {
    #[error("the rules use the `hash` action, which needs a secret key: run `steward init`, or set STEWARD_HASH_KEY to 64 hex characters (e.g. `openssl rand -hex 32`)")]
    HashKeyMissing,
}

/// The compiled engine, shared by all workers (cheap to clone).
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    rules: Rules,
    detectors: Detectors,
    key: Option<HashKey>,
}

impl Engine {
    /// Builds the engine. `key` keys the `hash` action; it is required when any rule uses `hash`.
    pub fn new(rules: Rules, key: Option<HashKey>) -> Result<Engine, EngineError> {
        let uses_hash = rules.settings.default_action == Action::Hash
            || rules.fields.iter().any(|field| field.action == Action::Hash)
            || rules.detectors.iter().any(|detector| detector.enabled && detector.action == Action::Hash)
            || rules.patterns.iter().any(|pattern| pattern.action == Action::Hash);
        if uses_hash && key.is_none() {
            return Err(EngineError::HashKeyMissing);
        }
        let detectors = Detectors::new(&rules);
        Ok(Engine { inner: Arc::new(Inner { rules, detectors, key }) })
    }

    /// A redactor for one worker.
    pub fn redactor(&self) -> Redactor {
        Redactor {
            engine: self.clone(),
            format: Format::Auto,
            work: LineWork::default(),
            stats: Stats { per_entity: vec![0; self.inner.rules.entities.len()], ..Stats::default() },
            private_key_lines: 0,
        }
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    /// Entity names, indexing [`Stats::per_entity`].
    pub fn entity_names(&self) -> &[String] {
        &self.inner.rules.entities
    }
}

/// Where a replacement is written, which decides its quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sink {
    /// Plain text, or inside a JSON string (replacements are plain ASCII that needs no escaping).
    Raw,
    /// Inside a JSON string.
    JsonString,
    /// In place of a JSON number: the replacement is quoted. The number is that many JSON strings deep (a
    /// document logged inside a string, `{"log":"{\\"card\\":4111…}"}`), and its quotes are escaped once per level.
    JsonBare(u8),
}

/// One change to a line, in line coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edit {
    start: usize,
    end: usize,
    entity: EntityId,
    action: Action,
    value: (usize, usize),
    sink: Sink,
    cut: bool,
}

/// Scratch space reused from line to line.
#[derive(Debug, Default)]
pub(crate) struct LineWork {
    edits: Vec<Edit>,
    values: Vec<u8>,
    path: KeyPath,
    memo: KeyMemo,
    /// The anchors of the line, of a decoded JSON string, and of an HTML text's blanked or decoded view.
    line_anchors: Anchors,
    decoded_anchors: Anchors,
    html_anchors: Anchors,
    frames: Vec<json::Frame>,
    /// The name/value pair members of the JSON objects being walked (see `json::PairMember`).
    pairs: Vec<json::PairMember>,
    /// The types of the open objects that some field rule is limited to, innermost last.
    object_types: Vec<json::ObjectType>,
    decoded: Vec<u8>,
    map: OffsetMap,
    findings: Vec<Finding>,
    hits: Vec<Hit>,
    html_view: Vec<u8>,
    key_slots: json::KeySlots,
    /// The last node id given out to a JSON path (see `json::cached_treatment`); the keys of the path being
    /// walked are in `frames`, and `path` holds the normalized keys only when a lookup needs them.
    next_node: u32,
    entity_decoded: Vec<u8>,
    entity_map: OffsetMap,
    lossy: Vec<u8>,
    /// A text whose wide spaces and dashes were made ASCII, its map to the text, and its anchors.
    ascii_separators: Vec<u8>,
    ascii_separators_map: OffsetMap,
    ascii_separators_anchors: Anchors,
    /// A percent-encoded text decoded, its map to the text, and its anchors.
    url_decoded: Vec<u8>,
    url_map: OffsetMap,
    url_anchors: Anchors,
    /// For `echo`: the spans of the line's JSON strings.
    echo_strings: Vec<(usize, usize)>,
    /// A Python or Ruby literal of a text line written as JSON, its map to the line, and its anchors (see `literals`).
    literal: Vec<u8>,
    literal_map: OffsetMap,
    literal_anchors: Anchors,
    /// The scratch space for a JSON document written inside one of this text's JSON strings (see
    /// `json::walk_nested`), and how many strings deep this text is.
    nested: Option<Box<LineWork>>,
    depth: u8,
}

/// A finding in the coordinates of the text that was scanned, with its (decoded) value in `values`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    start: usize,
    end: usize,
    entity: EntityId,
    action: Action,
    value: (usize, usize),
}

impl LineWork {
    /// Records the replacement of `value` at `start..end`, unless `value` is already a replacement (`[EMAIL]`,
    /// `[PHONE:09f0ba]`): so redacting twice changes nothing more, whichever detector or rule found it.
    fn push_replace(&mut self, start: usize, end: usize, entity: EntityId, action: Action, value: &[u8], sink: Sink) {
        if is_replacement(value) {
            return;
        }
        let value_start = self.values.len();
        self.values.extend_from_slice(value);
        self.edits.push(Edit { start, end, entity, action, value: (value_start, self.values.len()), sink, cut: false });
    }

    /// Turns `hits` into edits written to `sink`, mapping hit offsets to line offsets with `to_line`; a hit whose
    /// value is already a replacement is left out, as in `push_replace`.
    fn push_hits(&mut self, sink: Sink, to_line: impl Fn(usize) -> usize) {
        for hit in &self.hits {
            if is_replacement(&self.values[hit.value.0..hit.value.1]) {
                continue;
            }
            self.edits.push(Edit {
                start: to_line(hit.start),
                end: to_line(hit.end),
                entity: hit.entity,
                action: hit.action,
                value: hit.value,
                sink,
                cut: false,
            });
        }
    }

    fn push_cut(&mut self, start: usize, end: usize) {
        self.edits.push(Edit {
            start,
            end,
            entity: EntityId(0),
            action: Action::DropField,
            value: (0, 0),
            sink: Sink::Raw,
            cut: true,
        });
    }
}

impl Inner {
    /// True when `find_in` would find nothing in a text with these anchors: no anchor of any detector or of the
    /// key/value check, and no user pattern (which reads every byte). Callers may skip the call.
    #[inline]
    fn nothing_to_find(&self, anchors: &View<'_>) -> bool {
        !self.detectors.has_patterns() && anchors.quiet()
    }

    /// Finds everything in `text` (HTML-aware) into `work.hits`, in `text` coordinates; `anchors` are the
    /// anchors of exactly `text`.
    fn find_in(&self, text: &[u8], anchors: &View<'_>, context: ScanContext, work: &mut LineWork) {
        let outer_anchors = anchors;
        work.hits.clear();
        if self.nothing_to_find(anchors) {
            return;
        }
        let full = self.detectors.has_patterns() || anchors.worth_scanning();
        // Markup starts at a `<`, an escape at a `%` (an `At` anchor): most texts have neither.
        if !anchors.any_either(Anchor::Lt, Anchor::At) {
            self.collect(text, text, anchors, full, context, work, |at| at);
            return;
        }
        let mut view = std::mem::take(&mut work.html_view);
        let markup = if anchors.any(Anchor::Lt) {
            html::markup_to_spaces(text, anchors.positions(Anchor::Lt), &mut view)
        } else {
            html::Markup::default()
        };
        if !markup.found {
            work.html_view = view;
            if anchors.any(Anchor::At) && percent::holds_escape(text) {
                self.find_in_percent_decoded(text, context, work);
                return;
            }
            self.collect(text, text, anchors, full, context, work, |at| at);
            return;
        }
        let mut decoded = std::mem::take(&mut work.entity_decoded);
        let mut map = std::mem::take(&mut work.entity_map);
        let mut html_anchors = std::mem::take(&mut work.html_anchors);
        // Entities can spell an `@` or a secret prefix that the raw text did not show: the anchors are those of
        // the text the detectors read.
        // With entities, the detectors read the decoded text (offsets mapped back); without, the blanked view,
        // whose values are read from the original text (same offsets).
        let entities = html::decode_entities(&view, &mut decoded, &mut map);
        let (scanned, values_from) = if entities { (&decoded[..], &decoded[..]) } else { (&view[..], text) };
        html_anchors.compute(scanned, self.detectors.secret_prefixes());
        let anchors = html_anchors.view(0, scanned.len());
        let to_outer = |at: usize| if entities { map.source(at) } else { at };
        self.collect(scanned, values_from, &anchors, true, context, work, to_outer);
        if markup.namespaced {
            self.namespaced_elements(text, outer_anchors, work);
        }
        work.html_anchors = html_anchors;
        work.entity_decoded = decoded;
        work.entity_map = map;
        work.html_view = view;
    }

    /// The namespaced XML elements of a text read as HTML (a SOAP body: `<sf:Email>…</sf:Email>`), which the HTML
    /// reader blanks as markup: the text of one whose local name is a classified key gets the key's action, in
    /// place of what the detectors found in it. `anchors` are those of `text`.
    #[cold]
    #[inline(never)]
    fn namespaced_elements(&self, text: &[u8], anchors: &View<'_>, work: &mut LineWork) {
        work.findings.clear();
        self.detectors.xml_elements(&self.rules, text, anchors, true, &mut work.memo, &mut work.findings);
        // The field a Windows event's `<Data Name="…">` names is no value.
        work.hits.retain(|hit| !text[..hit.start].ends_with(b"<Data Name=\""));
        if work.findings.is_empty() {
            return;
        }
        for finding in &work.findings {
            work.hits.retain(|hit| hit.end <= finding.start || finding.end <= hit.start);
            let value_start = work.values.len();
            work.values.extend_from_slice(&text[finding.start..finding.end]);
            work.hits.push(Hit {
                start: finding.start,
                end: finding.end,
                entity: finding.entity,
                action: finding.action,
                value: (value_start, work.values.len()),
            });
        }
        work.hits.sort_by_key(|hit| hit.start);
    }

    /// `find_in` for a text with percent escapes (`redirect=%2Fcb%3Femail%3Djane%2540example.com`) or JSON's
    /// escapes of ASCII (`jane\u0040example.com`): the detectors read it decoded (escapes encoded twice too), the
    /// values are the decoded ones, and the hits are mapped back to the escapes. The decoded text replaces the
    /// text, as for HTML entities: what the raw text showed (`jane%40example.com`), it shows too.
    #[cold]
    #[inline(never)]
    fn find_in_percent_decoded(&self, text: &[u8], context: ScanContext, work: &mut LineWork) {
        let mut decoded = std::mem::take(&mut work.url_decoded);
        let mut map = std::mem::take(&mut work.url_map);
        let mut anchors = std::mem::take(&mut work.url_anchors);
        percent::decode(text, &mut decoded, &mut map);
        anchors.compute(&decoded, self.detectors.secret_prefixes());
        self.collect(&decoded, &decoded, &anchors.view(0, decoded.len()), true, context, work, |at| map.source(at));
        work.url_decoded = decoded;
        work.url_map = map;
        work.url_anchors = anchors;
    }

    /// Runs the detectors over `text` (all of them when `full`, else only the key/value check) and appends hits,
    /// mapping offsets with `to_outer`; values are read from `values_from` (the same text, or the original when
    /// `text` is a blanked view of it).
    #[allow(clippy::too_many_arguments)]
    fn collect(
        &self,
        text: &[u8],
        values_from: &[u8],
        anchors: &View<'_>,
        full: bool,
        context: ScanContext,
        work: &mut LineWork,
        to_outer: impl Fn(usize) -> usize,
    ) {
        work.findings.clear();
        if full {
            self.detectors.scan(&self.rules, text, anchors, context, &mut work.memo, &mut work.findings);
        } else {
            self.detectors.scan_key_values(&self.rules, text, anchors, &mut work.memo, &mut work.findings);
        }
        for finding in &work.findings {
            let value_start = work.values.len();
            work.values.extend_from_slice(&values_from[finding.start..finding.end]);
            work.hits.push(Hit {
                start: to_outer(finding.start),
                end: to_outer(finding.end),
                entity: finding.entity,
                action: finding.action,
                value: (value_start, work.values.len()),
            });
        }
    }

    /// Scans the contents of a JSON string `line[start..end]` and records edits; `anchors` are the line's.
    /// Inlined: the JSON walker is its hot caller, and the call that a second caller (a kept pair name) made the
    /// compiler keep cost 0.5% of the instructions on JSON logs.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn scan_json_string(
        &self,
        line: &[u8],
        anchors: &Anchors,
        start: usize,
        end: usize,
        escaped: bool,
        context: ScanContext,
        work: &mut LineWork,
    ) -> Result<(), json::JsonError> {
        if !escaped {
            // A Python dict or a Ruby hash at the end of the string (JSON would have escapes).
            let text = &line[start..end];
            if let Some(found) = embedded_document_start(text) {
                let mut text_anchors = std::mem::take(&mut work.decoded_anchors);
                text_anchors.compute(text, self.detectors.secret_prefixes());
                let walked = json::walk_nested(self, text, found, &text_anchors, None, start, context, work);
                work.decoded_anchors = text_anchors;
                if walked {
                    return Ok(());
                }
            }
            self.find_in(&line[start..end], &anchors.view(start, end), context, work);
            work.push_hits(Sink::JsonString, |at| start + at);
            return Ok(());
        }
        let mut decoded = std::mem::take(&mut work.decoded);
        let mut map = std::mem::take(&mut work.map);
        let result = json::decode_string(&line[start..end], &mut decoded, &mut map);
        if result.is_ok() {
            // Escapes can spell an `@` (`\u0040`) or a secret prefix that the raw line did not show: the anchors
            // are those of the decoded text.
            let mut decoded_anchors = std::mem::take(&mut work.decoded_anchors);
            decoded_anchors.compute(&decoded, self.detectors.secret_prefixes());
            let wide = decoded_anchors.non_ascii_span().is_some_and(|range| holds_wide_separator(&decoded[range]));
            // A JSON document logged inside the string (Docker's, Fluent Bit's and Vector's `{"log":"{\"email\":…}"}`),
            // or a text that ends in one, is read as a line of its own would be.
            let walked = !wide
                && json::document_in(&decoded).is_some_and(|found| {
                    json::walk_nested(self, &decoded, found, &decoded_anchors, Some(&map), start, context, work)
                });
            if walked {
                // The document's edits are recorded already.
            } else if wide {
                // `\u00a0` escapes spell wide spaces that the line did not show: read them as ASCII here.
                let mut ascii = std::mem::take(&mut work.ascii_separators);
                let mut ascii_map = std::mem::take(&mut work.ascii_separators_map);
                ascii_separators(&decoded, &mut ascii, &mut ascii_map);
                decoded_anchors.compute(&ascii, self.detectors.secret_prefixes());
                self.find_in(&ascii, &decoded_anchors.view(0, ascii.len()), context, work);
                for hit in &mut work.hits {
                    hit.start = ascii_map.source(hit.start);
                    hit.end = ascii_map.source(hit.end);
                }
                work.ascii_separators = ascii;
                work.ascii_separators_map = ascii_map;
                work.push_hits(Sink::JsonString, |at| start + map.source(at));
            } else {
                self.find_in(&decoded, &decoded_anchors.view(0, decoded.len()), context, work);
                work.push_hits(Sink::JsonString, |at| start + map.source(at));
            }
            work.decoded_anchors = decoded_anchors;
        }
        work.decoded = decoded;
        work.map = map;
        result
    }

    /// Checks a JSON number for a card (or a phone or an SSN under such a key) and records an edit.
    fn check_number(&self, line: &[u8], start: usize, end: usize, context: ScanContext, work: &mut LineWork) {
        let digits = &line[start..end];
        // A sign says nothing of the digits (`-4111111111111111` is a card written as a negative number).
        let unsigned = digits.strip_prefix(b"-").unwrap_or(digits);
        if let Some((entity, action)) = self.detectors.number_entity(unsigned, context) {
            work.push_replace(start, end, entity, action, digits, Sink::JsonBare(0));
        }
    }

    fn write_replacement(&self, edit: &Edit, values: &[u8], out: &mut Vec<u8>) {
        let quoted = match edit.sink {
            Sink::JsonBare(levels) => Some(levels),
            Sink::Raw | Sink::JsonString => None,
        };
        if let Some(levels) = quoted {
            write_quote(levels, out);
        }
        let entity = self.rules.entity_name(edit.entity);
        let value = &values[edit.value.0..edit.value.1];
        match edit.action {
            Action::Label => {
                out.push(b'[');
                out.extend_from_slice(entity.as_bytes());
                out.push(b']');
            }
            Action::Hash => match &self.key {
                Some(key) => key.write_token(entity, value, self.rules.settings.hash_hex_len, out),
                None => out.extend_from_slice(b"[REDACTED]"),
            },
            // A secret's mask has a fixed length: the length of a password says something about it.
            Action::Mask if self.rules.is_secret(edit.entity) => out.extend_from_slice(SECRET_MASK),
            Action::Mask => mask_into(value, out),
            Action::Redact | Action::DropField | Action::Keep | Action::Scan => out.extend_from_slice(b"[REDACTED]"),
        }
        if let Some(levels) = quoted {
            write_quote(levels, out);
        }
    }
}

/// Writes a `"` as it is written `levels` JSON strings deep: each level escapes the backslashes and the quote of
/// the level inside it, so `"`, `\"`, `\\\"`, …
fn write_quote(levels: u8, out: &mut Vec<u8>) {
    let backslashes = (1usize << levels.min(8)) - 1;
    out.extend(std::iter::repeat_n(b'\\', backslashes));
    out.push(b'"');
}

/// The next number of a seeded xorshift sequence: the tests' reproducible randomness (they print the seed).
#[cfg(test)]
pub(crate) fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Byte equality without a call into the C library (keys and prefixes are a few bytes long), a word at a time.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut left, mut right) = (a.chunks_exact(8), b.chunks_exact(8));
    let words = |x: &[u8], y: &[u8]| {
        x.first_chunk::<8>().map(|x| u64::from_le_bytes(*x)) == y.first_chunk::<8>().map(|y| u64::from_le_bytes(*y))
    };
    (&mut left).zip(&mut right).all(|(x, y)| words(x, y))
        && left.remainder().iter().zip(right.remainder()).all(|(x, y)| x == y)
}

/// A key as the engine's key memos see it first: its length and its last (up to) eight bytes, read as
/// one word from the text and masked to the key. For a key of at most eight bytes this is the whole key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyTag {
    len: usize,
    tail: u64,
}

impl KeyTag {
    /// The tag of the key `text[start..end]`.
    #[inline(always)]
    pub(crate) fn of(text: &[u8], start: usize, end: usize) -> KeyTag {
        let len = end - start;
        let take = len.min(8);
        // The word whose last byte is the key's last, read from the text; the same layout zero-padded in front
        // when fewer than eight bytes precede the key's end (shifted, not copied: a copy into a buffer read back
        // as a word stalls the load, and every JSON line's first key is there).
        let word = if let Some(last) = text[..end].last_chunk::<8>() {
            u64::from_le_bytes(*last)
        } else if let Some(first) = text.first_chunk::<8>() {
            u64::from_le_bytes(*first).checked_shl(8 * (8 - end as u32)).unwrap_or(0)
        } else {
            text[end - take..end].iter().fold(0, |word, &byte| (word >> 8) | u64::from(byte) << 56)
        };
        let tail = word & u64::MAX.checked_shl(8 * (8 - take as u32)).unwrap_or(0);
        KeyTag { len, tail }
    }

    /// A hash of the key with `extra` mixed in.
    #[inline(always)]
    pub(crate) fn hash(self, extra: u64) -> u64 {
        (self.tail ^ self.len as u64 ^ (extra << 20)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// The ASCII byte that a wide space or dash that numbers are written with reads as: no-break, figure, thin,
/// narrow no-break and ideographic spaces; non-breaking hyphen, figure dash, en dash; the fullwidth hyphen, plus
/// and parentheses. And the digits of other scripts (`۰۹۱۲…`, `٠٥٠…`, `০১৭১১`, `０８０`) read as ASCII digits. The
/// one list, for raw text and for HTML character references.
pub(crate) fn ascii_for_wide(ch: char) -> Option<u8> {
    match ch {
        '\u{a0}' | '\u{2007}' | '\u{2009}' | '\u{202f}' | '\u{3000}' => Some(b' '),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' | '\u{ff0d}' => Some(b'-'),
        '\u{ff0b}' => Some(b'+'),
        '\u{ff08}' => Some(b'('),
        '\u{ff09}' => Some(b')'),
        // Fullwidth letters, so a fullwidth code stays one word (`ＶＰ１２３４５６７８`).
        '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => Some((u32::from(ch) - 0xff21 + u32::from(b'A')) as u8),
        _ => {
            let code = u32::from(ch);
            let zero = *DIGIT_ZEROS.get(DIGIT_ZEROS.partition_point(|&zero| zero <= code).checked_sub(1)?)?;
            (code - zero < 10).then(|| b'0' + (code - zero) as u8)
        }
    }
}

/// The zeros of the decimal digits that numbers are written with besides ASCII's, in order: Arabic-Indic, Persian
/// (extended Arabic-Indic), Devanagari, Bengali, Gurmukhi, Gujarati, Odia, Tamil, Telugu, Kannada, Malayalam, Thai,
/// Lao, Myanmar, Khmer and fullwidth.
const DIGIT_ZEROS: [u32; 16] =
    [0x660, 0x6F0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xE50, 0xED0, 0x1040, 0x17E0, 0xFF10];

/// A family of characters by their bytes in UTF-8: a first byte, a range of second bytes, and ranges of third
/// bytes (none for two-byte characters).
type WideFamily = (u8, (u8, u8), &'static [(u8, u8)]);

/// The characters `ascii_for_wide` reads, in families.
const WIDE_FAMILIES: [WideFamily; 21] = [
    // No-break space; Arabic-Indic and Persian digits.
    (0xC2, (0xA0, 0xA0), &[]),
    (0xD9, (0xA0, 0xA9), &[]),
    (0xDB, (0xB0, 0xB9), &[]),
    // Indic digits (U+0966, U+09E6, …, U+0D66), Thai's and Lao's.
    (0xE0, (0xA5, 0xA5), &[(0xA6, 0xAF)]),
    (0xE0, (0xA7, 0xA7), &[(0xA6, 0xAF)]),
    (0xE0, (0xA9, 0xA9), &[(0xA6, 0xAF)]),
    (0xE0, (0xAB, 0xAB), &[(0xA6, 0xAF)]),
    (0xE0, (0xAD, 0xAD), &[(0xA6, 0xAF)]),
    (0xE0, (0xAF, 0xAF), &[(0xA6, 0xAF)]),
    (0xE0, (0xB1, 0xB1), &[(0xA6, 0xAF)]),
    (0xE0, (0xB3, 0xB3), &[(0xA6, 0xAF)]),
    (0xE0, (0xB5, 0xB5), &[(0xA6, 0xAF)]),
    (0xE0, (0xB9, 0xB9), &[(0x90, 0x99)]),
    (0xE0, (0xBB, 0xBB), &[(0x90, 0x99)]),
    // Myanmar's and Khmer's digits; wide spaces and dashes, the minus sign; the ideographic space.
    (0xE1, (0x81, 0x81), &[(0x80, 0x89)]),
    (0xE1, (0x9F, 0x9F), &[(0xA0, 0xA9)]),
    (0xE2, (0x80, 0x80), &[(0x87, 0x87), (0x89, 0x89), (0x90, 0x93), (0xAF, 0xAF)]),
    (0xE3, (0x80, 0x80), &[(0x80, 0x80)]),
    // Fullwidth forms (parentheses, plus, hyphen, digits, capitals; small letters), and the minus sign.
    (0xEF, (0xBC, 0xBC), &[(0x88, 0x89), (0x8B, 0x8B), (0x8D, 0x8D), (0x90, 0x99), (0xA1, 0xBA)]),
    (0xEF, (0xBD, 0xBD), &[(0x81, 0x9A)]),
    (0xE2, (0x88, 0x88), &[(0x92, 0x92)]),
];

/// Per byte, a bit per family of `WIDE_FAMILIES` whose first, second or third byte it can be;
/// every byte is a third byte of the two-byte families.
const WIDE_TABLES: [[u32; 256]; 3] = {
    let mut tables = [[0u32; 256]; 3];
    let mut family = 0;
    while family < WIDE_FAMILIES.len() {
        let (first, (low, high), thirds) = WIDE_FAMILIES[family];
        let bit = 1u32 << family;
        tables[0][first as usize] |= bit;
        let mut b = low as usize;
        while b <= high as usize {
            tables[1][b] |= bit;
            b += 1;
        }
        if thirds.is_empty() {
            let mut b = 0;
            while b < 256 {
                tables[2][b] |= bit;
                b += 1;
            }
        }
        let mut range = 0;
        while range < thirds.len() {
            let mut b = thirds[range].0 as usize;
            while b <= thirds[range].1 as usize {
                tables[2][b] |= bit;
                b += 1;
            }
            range += 1;
        }
        family += 1;
    }
    tables
};

/// The families a character starting with these three bytes (the third 0 past the end) belongs to.
#[inline(always)]
fn wide_families(first: u8, second: u8, third: u8) -> u32 {
    let [firsts, seconds, thirds] = &WIDE_TABLES;
    firsts[usize::from(first)] & seconds[usize::from(second)] & thirds[usize::from(third)]
}

/// True when `bytes` (valid UTF-8) start with a character that `ascii_for_wide` reads, by its bytes alone: most
/// text in other scripts is passed over without decoding a character. (A test holds it to `ascii_for_wide` for
/// every character.)
#[inline(always)]
fn starts_wide(bytes: &[u8]) -> bool {
    match *bytes {
        [first, second, ref rest @ ..] => wide_families(first, second, rest.first().copied().unwrap_or(0)) != 0,
        _ => false,
    }
}

/// The wide separator or digit at the start of `bytes` (valid UTF-8), if any: its length and the ASCII byte read
/// for it.
#[inline]
fn wide_separator_at(bytes: &[u8]) -> Option<(usize, u8)> {
    if !starts_wide(bytes) {
        return None;
    }
    let (len, code) = match *bytes {
        [first @ 0xC2..=0xDF, second, ..] => (2, u32::from(first & 0x1F) << 6 | u32::from(second & 0x3F)),
        [first @ 0xE0..=0xEF, second, third, ..] => {
            (3, u32::from(first & 0x0F) << 12 | u32::from(second & 0x3F) << 6 | u32::from(third & 0x3F))
        }
        _ => return None,
    };
    char::from_u32(code).and_then(ascii_for_wide).map(|ascii| (len, ascii))
}

/// The positions in `text` where a character that `ascii_for_wide` reads starts.
fn wide_candidates(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    (0..text.len()).filter(|&at| text[at] >= 0xC2 && starts_wide(&text[at..]))
}

/// True when `part` holds a wide separator or a digit of another script: three table lookups a byte, without a
/// branch, so text in other scripts goes by quickly.
fn holds_wide_separator(part: &[u8]) -> bool {
    let mut any = 0;
    for bytes in part.windows(3) {
        any |= wide_families(bytes[0], bytes[1], bytes[2]);
    }
    if let [.., first, second] = *part {
        any |= wide_families(first, second, 0);
    }
    any != 0
}

/// How a document inside a text line is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notation {
    Json,
    /// A dict as Python's `repr()` writes it (`{'email': 'a@b.c'}`), read through `literals`, as a Ruby hash
    /// is (`{"email"=>"a@b.c"}`, which opens as JSON does).
    Literal,
}

/// Where a document that runs to the end of a text line starts, if one may (`received: {"type":"tag",…}`,
/// `value={"topic":…}`, `payload {'email': …}`), and how it is written: the first `{` at the line's start or
/// after a space, `:` or `=` that opens a member's key, quoted with `"` (JSON, or a Ruby hash) or `'` (Python),
/// or a Ruby symbol or label (`{:email=>…}`, `{email: …}`), when the line ends with `}`. Whether it is a
/// document is the walker's to say.
pub(crate) fn embedded_document_start(line: &[u8]) -> Option<(usize, Notation)> {
    if line.trim_ascii_end().last() != Some(&b'}') {
        return None;
    }
    memchr::memchr_iter(b'{', line).take(4).find_map(|open| {
        if open > 0 && !matches!(line[open - 1], b' ' | b':' | b'=' | b'\t') {
            return None;
        }
        let first = line[open + 1..].trim_ascii_start();
        match first.first() {
            Some(b'"') => Some((open, Notation::Json)),
            Some(b'\'') => Some((open, Notation::Literal)),
            // A Ruby hash whose first key is a symbol or a label (`{:email=>…}`, `{email: …}`).
            Some(b':') if first.get(1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') => {
                Some((open, Notation::Literal))
            }
            Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
                let name = first.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                (first.get(name) == Some(&b':') && first.get(name + 1) == Some(&b' '))
                    .then_some((open, Notation::Literal))
            }
            _ => None,
        }
    })
}

/// Copies `text` to `out` with its wide separators written as ASCII, recording in `map` where each byte came
/// from.
fn ascii_separators(text: &[u8], out: &mut Vec<u8>, map: &mut OffsetMap) {
    let separator_at = |bytes: &[u8]| wide_separator_at(bytes).map(|(len, ascii)| (char::from(ascii), len));
    map.decode_references(text, wide_candidates(text), separator_at, out);
}

/// A short key stored in place, for the engine's key memos: a lookup compares the tag, then (for keys
/// longer than eight bytes) the bytes before the tail, in the slot itself instead of chasing a pointer. Longer
/// keys are not stored (and so never match).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct InlineKey {
    tail: u64,
    len: u8,
    head: [u8; INLINE_KEY_BYTES - 8],
}

const INLINE_KEY_BYTES: usize = 31;

impl InlineKey {
    /// Stores `raw` (whose tag is `tag`); false, and nothing kept, when it is longer than the slot.
    pub(crate) fn store(&mut self, raw: &[u8], tag: KeyTag) -> bool {
        if raw.len() > INLINE_KEY_BYTES {
            self.len = 0;
            return false;
        }
        self.len = raw.len() as u8;
        self.tail = tag.tail;
        let head = raw.len().saturating_sub(8);
        self.head[..head].copy_from_slice(&raw[..head]);
        true
    }

    /// True when the stored key is exactly `raw` (whose tag is `tag`).
    #[inline(always)]
    pub(crate) fn is(&self, raw: &[u8], tag: KeyTag) -> bool {
        debug_assert_eq!(raw.len(), tag.len, "the tag is the tag of `raw`");
        if self.tail != tag.tail || usize::from(self.len) != tag.len {
            return false;
        }
        let head = tag.len.saturating_sub(8);
        head == 0 || same_bytes(&self.head[..head], &raw[..head])
    }
}

/// A two-way set-associative memo of short keys (the engine's two: JSON keys under their parent path, `key=` keys
/// in text): `1 << BITS` slots in pairs, each holding one key stored inline (no pointer to chase) and its value,
/// allocated on first use. A key sits in the slot its hash picks, or in the other slot of the pair when that one
/// is taken, so two keys that pick the same slot do not evict each other line after line (`duration_ms` and
/// `context.status` did in the generated log, two misses on one JSON line in fifteen). A lookup compares the key
/// bytes exactly, so a hit is what computing the value again would give; longer keys are not stored (and so never
/// hit).
#[derive(Debug)]
pub(crate) struct KeyCache<V, const BITS: u32> {
    slots: Vec<(InlineKey, Option<V>)>,
}

impl<V, const BITS: u32> Default for KeyCache<V, BITS> {
    fn default() -> Self {
        KeyCache { slots: Vec::new() }
    }
}

impl<V: Copy, const BITS: u32> KeyCache<V, BITS> {
    /// The slot of the key with tag `tag`, with `extra` mixed into its hash.
    #[inline(always)]
    pub(crate) fn slot(tag: KeyTag, extra: u64) -> usize {
        (tag.hash(extra) >> (64 - BITS)) as usize
    }

    /// The value stored in `slot` for the key `raw` (whose tag is `tag`), if that is the key the slot holds.
    #[inline(always)]
    pub(crate) fn get(&self, slot: usize, raw: &[u8], tag: KeyTag) -> Option<V> {
        match self.slots.get(slot) {
            Some((key, Some(value))) if key.is(raw, tag) => Some(*value),
            _ => None,
        }
    }

    /// `get` in the other slot of the pair of `slot`, where a key goes when its own slot is taken: asked only
    /// when `get` missed, so that a hit in a key's own slot costs what it would in a direct-mapped memo.
    #[inline(never)]
    pub(crate) fn get_other(&self, slot: usize, raw: &[u8], tag: KeyTag) -> Option<V> {
        self.get(slot ^ 1, raw, tag)
    }

    /// Stores `value` for `raw` in `slot` when it is free, else in the other slot of its pair when that one is,
    /// else in `slot` in place of its key; when `raw` is too long to keep, the slot is emptied.
    pub(crate) fn put(&mut self, slot: usize, raw: &[u8], tag: KeyTag, value: V) {
        if self.slots.is_empty() {
            self.slots.resize_with(1 << BITS, || (InlineKey::default(), None));
        }
        let chosen = if self.slots[slot].1.is_some() && self.slots[slot ^ 1].1.is_none() { slot ^ 1 } else { slot };
        let (key, stored) = &mut self.slots[chosen];
        *stored = key.store(raw, tag).then_some(value);
    }

    /// Forgets every key.
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
    }
}

/// Keeps the last four letters or digits and replaces every other letter or digit with `*`; punctuation that is
/// safe in JSON, HTML and text is kept, anything else becomes `*` too.
///
/// The last four are kept only when the value has at least `MASK_KEEPS_FROM` letters and digits (or other characters
/// written as `*`): the last four of
/// a card, a phone or an SSN identify nobody alone, but those of a name (`Jane`), a postcode or a birth date are
/// most of it. A secret (an entity the rules mark `secret`) is not masked here but replaced by `SECRET_MASK`.
///
/// Every character written as `*` counts, a `*` already there too, so a masked value masked again stays as it is
/// (`+** *** **6 740` keeps its `6740`, `d*Arc` its `*Arc`).
fn mask_into(value: &[u8], out: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(value);
    let safe = |c: char| matches!(c, ' ' | '-' | '.' | '@' | '+' | '(' | ')' | '_' | ':' | '/');
    let hidden_total = text.chars().filter(|&c| !safe(c)).count();
    let kept = if hidden_total >= MASK_KEEPS_FROM { 4 } else { 0 };
    let mut seen = 0;
    for ch in text.chars() {
        if safe(ch) {
            out.push(ch as u8);
            continue;
        }
        seen += 1;
        if seen + kept > hidden_total && ch.is_ascii_alphanumeric() {
            out.push(ch as u8);
        } else {
            out.push(b'*');
        }
    }
}

/// What `mask` writes for a secret, whatever its length.
const SECRET_MASK: &[u8] = b"********";

/// The fewest letters and digits a masked value has for its last four to be kept (an SSN has nine).
const MASK_KEEPS_FROM: usize = 9;

/// One worker's redactor: owns its scratch buffers and counters.
#[derive(Debug)]
pub struct Redactor {
    engine: Engine,
    format: Format,
    work: LineWork,
    stats: Stats,
    /// Lines of a PEM private key block that may still follow (see `private_key_body`).
    private_key_lines: u16,
}

/// The most lines a PEM private key block is followed for after its BEGIN line (a 4096-bit RSA key has 51).
const PRIVATE_KEY_LINES: u16 = 128;

/// A finding reported by [`Redactor::find`], in byte offsets of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub entity: String,
    pub start: usize,
    pub end: usize,
}

impl Redactor {
    /// Sets how lines are interpreted (default: auto).
    pub fn set_format(&mut self, format: Format) {
        self.format = format;
    }

    /// The engine this redactor belongs to.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Redacts one line given without its terminator and appends the result (without terminator) to `out`.
    ///
    /// Never fails: a line longer than the rules' `max_line_bytes`, or one the engine fails on, is replaced by a
    /// marker and counted.
    pub fn redact_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        self.redact_into(line, out, true);
    }

    /// Like [`Redactor::redact_line`], but a line that comes out unchanged is not copied: returns false, with
    /// nothing appended to `out`, when the line passes exactly as it is (the caller writes it from where it is),
    /// and true when its replacement (redacted, repaired or a marker) was appended.
    pub fn redact_changed(&mut self, line: &[u8], out: &mut Vec<u8>) -> bool {
        self.redact_into(line, out, false)
    }

    /// Redacts `line` into `out`; an unchanged line is copied only when `copy_clean`. Returns whether something
    /// other than the unchanged line was appended.
    fn redact_into(&mut self, line: &[u8], out: &mut Vec<u8>, copy_clean: bool) -> bool {
        let out_start = out.len();
        self.stats.lines += 1;
        self.stats.bytes_in += line.len() as u64;
        let max = self.engine.inner.rules.settings.max_line_bytes;
        if line.len() > max {
            self.stats.markers += 1;
            write_marker(MarkerReason::Overlong, &line[..line.len().min(64)], line.len(), out);
            self.stats.bytes_out += (out.len() - out_start) as u64;
            return true;
        }
        let result = catch_unwind(AssertUnwindSafe(|| self.redact_checked(line, out, copy_clean)));
        let changed = match result {
            Ok(changed) => changed,
            Err(_) => {
                out.truncate(out_start);
                self.work = LineWork::default();
                self.stats.markers += 1;
                write_marker(MarkerReason::EngineError, &line[..line.len().min(64)], line.len(), out);
                true
            }
        };
        self.stats.bytes_out += if changed || copy_clean { (out.len() - out_start) as u64 } else { line.len() as u64 };
        changed
    }

    /// Returns whether the line changed (then its replacement is in `out`).
    fn redact_checked(&mut self, line: &[u8], out: &mut Vec<u8>, copy_clean: bool) -> bool {
        let secrets = self.engine.inner.detectors.secret_prefixes();
        self.work.line_anchors.compute(line, secrets);
        // The anchors saw every byte: an ASCII line needs no UTF-8 check, and another one only from its first
        // byte that is not ASCII to its last.
        let valid = match self.work.line_anchors.non_ascii_span() {
            None => true,
            Some(span) => std::str::from_utf8(&line[span]).is_ok(),
        };
        if valid {
            return self.redact_valid(line, out, copy_clean);
        }
        self.stats.invalid_utf8 += 1;
        let mut lossy = std::mem::take(&mut self.work.lossy);
        lossy.clear();
        lossy.extend_from_slice(String::from_utf8_lossy(line).as_bytes());
        self.work.line_anchors.compute(&lossy, secrets);
        // The repaired line differs from the input even when nothing in it is redacted.
        self.redact_valid(&lossy, out, true);
        self.work.lossy = lossy;
        true
    }

    /// Redacts a valid UTF-8 line whose anchors are in `work.line_anchors`; an unchanged line is copied only when
    /// `copy_clean`. Returns whether the line changed.
    fn redact_valid(&mut self, line: &[u8], out: &mut Vec<u8>, copy_clean: bool) -> bool {
        if self.private_key_lines > 0 {
            if let Some(changed) = self.private_key_body(line, out, copy_clean) {
                return changed;
            }
        }
        // A line that is not all ASCII may write numbers with wide spaces or dashes: read it with ASCII ones.
        let wide = self.work.line_anchors.non_ascii_span().is_some_and(|range| holds_wide_separator(&line[range]));
        if wide {
            self.analyze_wide(line);
        } else {
            self.analyze_anchored(line);
        }
        let inner = &self.engine.inner;
        if inner.detectors.opens_private_key(line, &self.work.line_anchors.view(0, line.len())) {
            self.private_key_lines = PRIVATE_KEY_LINES;
        }
        let work = &self.work;
        if work.edits.is_empty() {
            if copy_clean {
                out.extend_from_slice(line);
            }
            return false;
        }
        self.stats.lines_redacted += 1;
        let mut copied = 0;
        for edit in &work.edits {
            if edit.start < copied {
                // Never expected: edits are ordered and disjoint. Withhold rather than guess.
                panic!("overlapping edits");
            }
            out.extend_from_slice(&line[copied..edit.start]);
            if !edit.cut {
                inner.write_replacement(edit, &work.values, out);
            }
            if let Some(count) = self.stats.per_entity.get_mut(usize::from(edit.entity.0)) {
                if !edit.cut {
                    *count += 1;
                }
            }
            copied = edit.end;
        }
        out.extend_from_slice(&line[copied..]);
        true
    }

    /// A line after the BEGIN line of a PEM private key block (logs write a key one line at a time): its base64
    /// body is replaced as a secret, its headers (`Proc-Type:`, `DEK-Info:`) and blank lines pass. Returns None,
    /// and ends the block, at the END line or at any line that is not part of a key (then it is redacted as
    /// usual): interleaved lines end it early.
    ///
    /// The body is the line's last word, of base64 bytes, at least 16 long: a log prefix before it stays.
    fn private_key_body(&mut self, line: &[u8], out: &mut Vec<u8>, copy_clean: bool) -> Option<bool> {
        let text = line.trim_ascii_end();
        let start = text.iter().rposition(|&b| b == b' ' || b == b'\t').map_or(0, |p| p + 1);
        let body = &text[start..];
        let base64 =
            body.len() >= 16 && body.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        let header = text.trim_ascii_start().is_empty()
            || [b"Proc-Type:".as_slice(), b"DEK-Info:"].iter().any(|h| text.trim_ascii_start().starts_with(h));
        if memchr::memmem::find(line, b"-----END ").is_some() || !(base64 || header) {
            self.private_key_lines = 0;
            return None;
        }
        self.private_key_lines -= 1;
        if !base64 {
            if copy_clean {
                out.extend_from_slice(line);
            }
            return Some(false);
        }
        let inner = &self.engine.inner;
        let (entity, action) = inner.detectors.secret_finding();
        self.work.values.clear();
        self.work.values.extend_from_slice(body);
        let edit = Edit { start, end: text.len(), entity, action, value: (0, body.len()), sink: Sink::Raw, cut: false };
        out.extend_from_slice(&line[..start]);
        inner.write_replacement(&edit, &self.work.values, out);
        out.extend_from_slice(&line[text.len()..]);
        self.stats.lines_redacted += 1;
        if let Some(count) = self.stats.per_entity.get_mut(usize::from(entity.0)) {
            *count += 1;
        }
        Some(true)
    }

    /// Fills `self.work.edits` for a valid UTF-8 line.
    fn analyze(&mut self, line: &[u8]) {
        let secrets = self.engine.inner.detectors.secret_prefixes();
        self.work.line_anchors.compute(line, secrets);
        self.analyze_anchored(line);
    }

    /// `analyze` for a line whose anchors are already in `work.line_anchors`.
    fn analyze_anchored(&mut self, line: &[u8]) {
        let inner = &self.engine.inner;
        let work = &mut self.work;
        work.edits.clear();
        work.values.clear();
        let first = line.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let try_json = match self.format {
            Format::Text => false,
            Format::Auto => matches!(first, Some(b'{' | b'[')),
            Format::Json => true,
        };
        let anchors = std::mem::take(&mut work.line_anchors);
        if try_json {
            match json::walk(inner, line, &anchors, work) {
                Ok(()) => {
                    work.line_anchors = anchors;
                    if !work.edits.is_empty() {
                        echo::echo(&inner.rules, inner.detectors.name_finding(), line, true, work);
                    }
                    return;
                }
                Err(_) => {
                    self.stats.json_fallbacks += 1;
                    work.edits.clear();
                    work.values.clear();
                }
            }
        }
        // A document that a program logged after a prefix (`received webhook: {"type":…}`, a Python dict): the
        // prefix is read as text, the document as JSON, by its keys.
        let embedded = match self.format {
            Format::Auto => embedded_document_start(line)
                .filter(|&(open, notation)| !try_json || (open == 0 && notation == Notation::Literal)),
            Format::Text | Format::Json => None,
        };
        if let Some(found) = embedded {
            if json::walk_embedded(inner, line, found, &anchors, ScanContext::default(), Sink::Raw, work) {
                work.line_anchors = anchors;
                if !work.edits.is_empty() {
                    echo::echo(&inner.rules, inner.detectors.name_finding(), line, false, work);
                }
                return;
            }
            work.edits.clear();
            work.values.clear();
        }
        let view = anchors.view(0, line.len());
        // A JSON document that a program logged after a prefix may spell an `@` as `\u0040` (a `\` is a `Quote`
        // anchor): such a line is read decoded, as one with percent escapes is.
        if view.any(Anchor::Quote) && percent::holds_unicode_escape(line) {
            work.hits.clear();
            inner.find_in_percent_decoded(line, ScanContext::default(), work);
        } else {
            inner.find_in(line, &view, ScanContext::default(), work);
        }
        work.line_anchors = anchors;
        work.push_hits(Sink::Raw, |at| at);
        if !work.edits.is_empty() {
            echo::echo(&inner.rules, inner.detectors.name_finding(), line, false, work);
        }
    }

    /// `analyze_anchored` for a line with wide spaces or dashes (`06\u{a0}12\u{a0}34\u{a0}56\u{a0}78`, `+33 6 12 34 56 78`
    /// with thin spaces, `4111–1111–…` with en dashes): the line is analyzed with these written as ASCII spaces
    /// and dashes (JSON stays JSON: they only stand inside strings), and the edits are mapped back to it.
    #[cold]
    #[inline(never)]
    fn analyze_wide(&mut self, line: &[u8]) {
        let mut ascii = std::mem::take(&mut self.work.ascii_separators);
        let mut map = std::mem::take(&mut self.work.ascii_separators_map);
        let mut ascii_anchors = std::mem::take(&mut self.work.ascii_separators_anchors);
        ascii_separators(line, &mut ascii, &mut map);
        ascii_anchors.compute(&ascii, self.engine.inner.detectors.secret_prefixes());
        let line_anchors = std::mem::replace(&mut self.work.line_anchors, ascii_anchors);
        self.analyze_anchored(&ascii);
        for edit in &mut self.work.edits {
            edit.start = map.source(edit.start);
            edit.end = map.source(edit.end);
        }
        self.work.ascii_separators_anchors = std::mem::replace(&mut self.work.line_anchors, line_anchors);
        self.work.ascii_separators = ascii;
        self.work.ascii_separators_map = map;
    }

    /// Writes the overlong-line marker for a line of `bytes` bytes that the caller discarded as it streamed (it
    /// kept only the line's first bytes, `head`), and counts it.
    pub fn withhold(&mut self, head: &[u8], bytes: usize, out: &mut Vec<u8>) {
        let out_start = out.len();
        write_marker(MarkerReason::Overlong, head, bytes, out);
        self.stats.lines += 1;
        self.stats.bytes_in += bytes as u64;
        self.stats.markers += 1;
        self.stats.bytes_out += (out.len() - out_start) as u64;
    }

    /// What the engine would redact in `line`, as entity spans (byte offsets), without rewriting it.
    pub fn find(&mut self, line: &[u8]) -> Vec<Span> {
        self.analyze(line);
        let rules = &self.engine.inner.rules;
        self.work
            .edits
            .iter()
            .filter(|edit| !edit.cut)
            .map(|edit| Span { entity: rules.entity_name(edit.entity).to_string(), start: edit.start, end: edit.end })
            .collect()
    }

    /// The counters since the last call, resetting them.
    pub fn take_stats(&mut self) -> Stats {
        let fresh = Stats { per_entity: vec![0; self.stats.per_entity.len()], ..Stats::default() };
        std::mem::replace(&mut self.stats, fresh)
    }

    /// The counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{compile_sources, RulesText};

    fn engine_with(extra: &str) -> Engine {
        let rules = compile_sources(&[RulesText::new("test.toml", extra)]).unwrap();
        Engine::new(rules, Some(HashKey::from_hex(&"11".repeat(32)).unwrap())).unwrap()
    }

    /// Redacts `input` with the defaults (plus `extra` rules) and compares with `expected`.
    fn check_with(extra: &str, input: &str, expected: &str) {
        // The defaults' engine is built once for all tests (the given names take a while unoptimized).
        static DEFAULTS: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        let mine;
        let engine = if extra.is_empty() {
            DEFAULTS.get_or_init(|| engine_with(""))
        } else {
            mine = engine_with(extra);
            &mine
        };
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        redactor.redact_line(input.as_bytes(), &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), expected, "input: {input}");
        assert_eq!(redactor.stats().markers, 0);
    }

    fn check(input: &str, expected: &str) {
        check_with("", input, expected);
    }

    #[test]
    fn json_values_under_classified_keys_are_replaced_whole() {
        check(
            r#"{"email": "Jane@Example.com",  "name":"Jane Doe","created_at":1700000000,"role":"user"}"#,
            r#"{"email": "[EMAIL]",  "name":"[NAME]","created_at":1700000000,"role":"user"}"#,
        );
        check(
            r#"{"contact":{"location":{"type":"location","city":"Paris","country":"France"},"phone":4155552671}}"#,
            r#"{"contact":{"location":{"type":"location","city":"[LOCATION]","country":"[LOCATION]"},"phone":"[PHONE]"}}"#,
        );
        check(
            r#"{"emails":["a@b.co","c@d.co"],"ok":true,"x":null}"#,
            r#"{"emails":["[EMAIL]","[EMAIL]"],"ok":true,"x":null}"#,
        );
    }

    #[test]
    fn values_under_keep_keys_are_not_replaced_but_still_scanned() {
        check(
            r#"{"status":"card 4111111111111111","type":"user","created_at":4111111111111111,"ts":"2025-11-29T14:26:36Z"}"#,
            r#"{"status":"card [CARD]","type":"user","created_at":"[CARD]","ts":"2025-11-29T14:26:36Z"}"#,
        );
    }

    #[test]
    fn a_number_under_an_ssn_key_is_an_ssn_when_its_digits_are_valid() {
        check(r#"{"customer_ssn":536221234,"n":536221234}"#, r#"{"customer_ssn":"[SSN]","n":536221234}"#);
        check(r#"{"customer_ssn":"536221234"}"#, r#"{"customer_ssn":"[SSN]"}"#);
        check(r#"{"customer_ssn":900221234}"#, r#"{"customer_ssn":900221234}"#);
    }

    #[test]
    fn other_strings_are_scanned_and_everything_else_kept_byte_for_byte() {
        check(
            r#"{ "msg" : "paid with 4111-1111-1111-1111 from 203.0.113.7" , "n": 1.5e3, "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736" }"#,
            r#"{ "msg" : "paid with [CARD] from [IP]" , "n": 1.5e3, "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736" }"#,
        );
        check(r#"{"order":4111111111111111,"id":4111111111111112}"#, r#"{"order":"[CARD]","id":4111111111111112}"#);
        check(r#"{"customerPhone":"0490 75 40 81"}"#, r#"{"customerPhone":"[PHONE]"}"#);
    }

    #[test]
    fn escapes_are_decoded_before_scanning() {
        check(r#"{"msg":"mail jane\u0040example.com now \"quoted\""}"#, r#"{"msg":"mail [EMAIL] now \"quoted\""}"#);
        check(r#"{"m\u0061il":"x","email":"a\"b@c.d"}"#, r#"{"m\u0061il":"x","email":"[EMAIL]"}"#);
        // In a text line too: a JSON document logged after a prefix; its `\n` ends the word before the address.
        check(
            r#"ticket created: {"body":"Saludos,\nmaria.gonzalez\u0040pampa-net.com.ar\nBuenos Aires"}"#,
            r#"ticket created: {"body":"Saludos,\n[EMAIL]\nBuenos Aires"}"#,
        );
        check(r#"dir C:\Users\u0040x\new kept"#, r#"dir C:\Users\u0040x\new kept"#);
    }

    #[test]
    fn custom_attributes_are_personal_unless_listed() {
        check(
            r#"{"custom_attributes":{"plan":"pro","shoe_size":"42","customer_ssn":"460-89-9847"}}"#,
            r#"{"custom_attributes":{"plan":"pro","shoe_size":"[CUSTOM_ATTRIBUTE]","customer_ssn":"[SSN]"}}"#,
        );
    }

    #[test]
    fn context_words_count_whole_even_when_a_shorter_word_begins_them() {
        // `telephone` begins with `tel`, `mobile` with `mob`, `calling` with `call`: each is a word of its own.
        for word in ["telephone", "Mobile", "calling", "tel", "phone number"] {
            check(&format!("{word} 12345678"), &format!("{word} [PHONE]"));
        }
        for word in ["hotel", "mobiles", "recall"] {
            check(&format!("{word} 12345678"), &format!("{word} 12345678"));
        }
    }

    #[test]
    fn key_words_come_from_the_rules() {
        // The shipped key words: `tel` in a key makes a bare number a phone, `ssn` makes nine bare digits an SSN.
        check(r#"{"office_tel":4155550134,"n":4155550134}"#, r#"{"office_tel":"[PHONE]","n":4155550134}"#);
        // (Nine other digits: the same ones would be the same SSN again, replaced as an echo.)
        check(r#"{"old_ssn_value":"460899847","ref":"460899848"}"#, r#"{"old_ssn_value":"[SSN]","ref":"460899848"}"#);
        // Users' words replace them, compared like keys (any case, `_` and `-` ignored).
        let rules = "[detectors.phone]\nkey_words = [\"Handy-Nr\"]\n[detectors.ssn]\nkey_words = []\n";
        check_with(
            rules,
            r#"{"handy_nr":4915123456789,"office_tel":4155550134}"#,
            r#"{"handy_nr":"[PHONE]","office_tel":4155550134}"#,
        );
        check_with(rules, r#"{"old_ssn_value":"460899847"}"#, r#"{"old_ssn_value":"460899847"}"#);
    }

    #[test]
    fn dotted_paths_hold_through_arrays_nesting_and_escaped_keys() {
        // A rule on one path only: the same key elsewhere is scanned, not replaced.
        let rules = "[[fields]]\ncategory = \"personal\"\naction = \"redact\"\npaths = [\"order.buyer.nick\"]\n";
        let engine = engine_with(rules);
        let mut redactor = engine.redactor();
        let cases = [
            (
                r#"{"order":{"buyer":{"nick":"jd","x":1},"nick":"n1"},"nick":"n2","buyer":{"nick":"n3"}}"#,
                r#"{"order":{"buyer":{"nick":"[REDACTED]","x":1},"nick":"n1"},"nick":"n2","buyer":{"nick":"n3"}}"#,
            ),
            (
                r#"{"order":[{"buyer":[{"nick":"a"},{"nick":"b"}]},{"nick":"c"}],"x":[{"nick":"d"}]}"#,
                r#"{"order":[{"buyer":[{"nick":"[REDACTED]"},{"nick":"[REDACTED]"}]},{"nick":"c"}],"x":[{"nick":"d"}]}"#,
            ),
            (
                r#"{"ord\u0065r":{"buyer":{"nick":"e","n\u0069ck":"f"}},"order":{"b":{"nick":"g"}}}"#,
                r#"{"ord\u0065r":{"buyer":{"nick":"[REDACTED]","n\u0069ck":"[REDACTED]"}},"order":{"b":{"nick":"g"}}}"#,
            ),
            (r#"[[{"order":{"buyer":{"nick":"h"}}}]]"#, r#"[[{"order":{"buyer":{"nick":"[REDACTED]"}}}]]"#),
        ];
        // Twice over, so that the second round reads the key memo.
        for _ in 0..2 {
            for (input, expected) in cases {
                let mut out = Vec::new();
                redactor.redact_line(input.as_bytes(), &mut out);
                assert_eq!(String::from_utf8(out).unwrap(), expected);
            }
        }
    }

    /// Redacts each `(input, expected)` twice over with one redactor (so that the second round reads the memos),
    /// then redacts each output again: redacting twice changes nothing more.
    fn check_lines(extra: &str, cases: &[(&str, &str)]) {
        let engine = engine_with(extra);
        let mut redactor = engine.redactor();
        for _ in 0..2 {
            for (input, expected) in cases {
                let mut out = Vec::new();
                redactor.redact_line(input.as_bytes(), &mut out);
                assert_eq!(String::from_utf8_lossy(&out), *expected, "input: {input}");
                let mut again = Vec::new();
                redactor.redact_line(&out, &mut again);
                assert_eq!(String::from_utf8_lossy(&again), *expected, "redacted again: {input}");
            }
        }
        assert_eq!(redactor.stats().markers, 0);
    }

    #[test]
    fn a_rule_with_types_applies_inside_objects_of_those_types() {
        // The shipped rules keep the `name` of Intercom's tags, teams, bots, segments and companies; an admin's, a
        // contact's and an untyped object's name stay names, as do objects whose `type` comes after the name.
        check_lines(
            "",
            &[
                (
                    r#"{"type":"conversation","author":{"type":"bot","id":"9","name":"Fin"},"tags":{"type":"tag.list","tags":[{"type":"tag","name":"vip"}]},"assignee":{"type":"admin","name":"Jane Doe"}}"#,
                    r#"{"type":"conversation","author":{"type":"bot","id":"9","name":"Fin"},"tags":{"type":"tag.list","tags":[{"type":"tag","name":"vip"}]},"assignee":{"type":"admin","name":"[NAME]"}}"#,
                ),
                (
                    r#"{"item":{"type":"company","name":"Nordlicht Games","custom_attributes":{"owner":"Jane Doe"}},"contact":{"name":"Jane Doe"}}"#,
                    r#"{"item":{"type":"company","name":"Nordlicht Games","custom_attributes":{"owner":"[CUSTOM_ATTRIBUTE]"}},"contact":{"name":"[NAME]"}}"#,
                ),
                (r#"{"name":"Billing Team","type":"team"}"#, r#"{"name":"[NAME]","type":"team"}"#),
                // A type is its own object's: an object inside it is another (an article's author, a team's
                // admins), and a second `type` member replaces the first.
                (
                    r#"{"type":"article","name":"Refunds","author":{"type":"admin","name":"Jane Doe"},"admins":[{"name":"Ann Lee"}]}"#,
                    r#"{"type":"article","name":"Refunds","author":{"type":"admin","name":"[NAME]"},"admins":[{"name":"[NAME]"}]}"#,
                ),
                (r#"{"type":"tag","type":"contact","name":"Jane Doe"}"#, r#"{"type":"tag","type":"contact","name":"[NAME]"}"#),
                (r#"[{"type":"tag","type":"user","name":"Ann Lee"},{"type":"tag","name":"vip"}]"#, r#"[{"type":"tag","type":"user","name":"[NAME]"},{"type":"tag","name":"vip"}]"#),
                (r#"{"type":"TAG","name":"Jane Doe"}"#, r#"{"type":"TAG","name":"[NAME]"}"#),
                // The same keys on the same line after a typed object are looked up again (the memo holds paths
                // and types apart).
                (
                    r#"[{"type":"team","name":"Billing Team"},{"type":"contact","name":"Jane Doe"},{"type":"team","name":"Ops Team"}]"#,
                    r#"[{"type":"team","name":"Billing Team"},{"type":"contact","name":"[NAME]"},{"type":"team","name":"Ops Team"}]"#,
                ),
                // In a text line: JSON after a prefix, a Python dict, escaped JSON in a string.
                (
                    r#"received: {"type":"team","id":"5","name":"Billing Team"} and {"type":"contact","name":"Jane Doe"}"#,
                    r#"received: {"type":"team","id":"5","name":"Billing Team"} and {"type":"contact","name":"[NAME]"}"#,
                ),
                (
                    "-> {'type': 'list', 'data': [{'type': 'segment', 'name': 'Churn risk'}, {'type': 'admin', 'name': 'Jane Doe'}]}",
                    "-> {'type': 'list', 'data': [{'type': 'segment', 'name': 'Churn risk'}, {'type': 'admin', 'name': '[NAME]'}]}",
                ),
                // A brace in a quoted string opens no object; a second `type` makes none typed.
                (
                    r#"x {'type': 'contact', 'bio': "{'type': 'tag', ", 'name': 'Jane Doe'}"#,
                    r#"x {'type': 'contact', 'bio': "{'type': 'tag', ", 'name': '[NAME]'}"#,
                ),
                ("x {'type': 'tag', 'type': 'contact', 'name': 'Jane Doe'}", "x {'type': 'tag', 'type': 'contact', 'name': '[NAME]'}"),
                (
                    "x {'type': 'tag', 'name': 'vip', 'type': 'contact', 'name': 'Jane Doe'}",
                    "x {'type': 'tag', 'name': 'vip', 'type': 'contact', 'name': '[NAME]'}",
                ),
                (
                    r#"body="{\"type\":\"tag\",\"id\":\"75\",\"name\":\"beta-2025\"}""#,
                    r#"body="{\"type\":\"tag\",\"id\":\"75\",\"name\":\"beta-2025\"}""#,
                ),
            ],
        );
        // A user's rule with types: only inside those objects.
        let typed = "[[fields]]\ncategory = \"personal\"\nentity = \"NAME\"\ntypes = [\"pet\"]\npaths = [\"nick\"]\n";
        check_lines(
            typed,
            &[(
                r#"{"a":{"type":"pet","nick":"Rex"},"b":{"nick":"Rex"}}"#,
                r#"{"a":{"type":"pet","nick":"[NAME]"},"b":{"nick":"Rex"}}"#,
            )],
        );
    }

    #[test]
    fn a_json_object_after_a_text_prefix_is_walked_by_its_keys() {
        check_lines(
            "",
            &[
                // Paths reach into it (a custom attribute no rule lists is personal), the prefix is text.
                (
                    r#"POST /contacts from 203.0.113.9 body={"role":"user","custom_attributes":{"sin":"144 927 241","plan":"pro"}}"#,
                    r#"POST /contacts from [IP] body={"role":"user","custom_attributes":{"sin":"[CUSTOM_ATTRIBUTE]","plan":"pro"}}"#,
                ),
                (
                    r#"consumer=events offset=8 value={"topic":"x","author":{"type":"team","name":"Billing Team"},"klient":{"telefon":"512 847 306"}}"#,
                    r#"consumer=events offset=8 value={"topic":"x","author":{"type":"team","name":"Billing Team"},"klient":{"telefon":"[PHONE]"}}"#,
                ),
                // A card number written as an amount (`.00`).
                (r#"received webhook: {"card":4111111111111111.00}"#, r#"received webhook: {"card":"[CARD]"}"#),
                // Not JSON to its end: read as text, as before.
                (r#"got {"email":"jane@example.com"} and more"#, r#"got {"email":"[EMAIL]"} and more"#),
                (r#"got {"email":"jane@example.com",} x}"#, r#"got {"email":"[EMAIL]",} x}"#),
            ],
        );
    }

    #[test]
    fn basic_credentials_are_a_shape_of_the_auth_key() {
        check_lines(
            "",
            &[
                (
                    r#"{"auths":{"registry.example.com":{"auth":"cHVsbC1vbmx5Ok83aDh6a09DQ3g5VDExU0c4"}}}"#,
                    r#"{"auths":{"registry.example.com":{"auth":"[REDACTED]"}}}"#,
                ),
                ("_auth=cHVsbC1vbmx5Ok83aDh6a09DQ3g5VDExU0c4", "_auth=[REDACTED]"),
                (r#"{"auth":"oauth2","mode":"bearer"}"#, r#"{"auth":"oauth2","mode":"bearer"}"#),
                ("auth=dXNlcg== enabled", "auth=dXNlcg== enabled"),
            ],
        );
    }

    #[test]
    fn an_address_value_in_text_ends_at_its_first_space() {
        // The shipped rules read e-mail, IP and MAC addresses as one word; other keys' bare values go on over
        // words. A quoted value is whole either way.
        check_lines(
            "",
            &[
                ("mac: 00:1a:2b:3c:4d:5e seen on eth0", "mac: [MAC] seen on eth0"),
                ("Email: jane.doe@example.com sent welcome mail", "Email: [EMAIL] sent welcome mail"),
                ("client_ip: 203.0.113.9 blocked by waf", "client_ip: [IP] blocked by waf"),
                ("email: \"jane doe@example.com\" ok", "email: \"[EMAIL]\" ok"),
                ("name: Jane van Dijk", "name: [NAME]"),
            ],
        );
        // A first word not written as an address is no whole one: the value reaches as far as any.
        check_lines(
            "",
            &[
                ("mac: 00 1A 2B 3C 4D 5E", "mac: [MAC]"),
                ("email: jane.doe at example dot com", "email: [EMAIL]"),
                ("user_email: Jane Doe", "user_email: [EMAIL]"),
            ],
        );
        // A user's rule makes its own key's value an address.
        let address =
            "[[fields]]\ncategory = \"personal\"\nentity = \"IP\"\ntext_value = \"address\"\npaths = [\"peer\"]\n";
        check_lines(address, &[("peer: 10.0.0.5 joined the room", "peer: [IP] joined the room")]);
        check_lines("", &[("peer: 10.0.0.5 joined the room", "peer: [IP] joined the room")]);
        let token = "[[fields]]\ncategory = \"personal\"\nentity = \"IP\"\npaths = [\"peer\"]\n";
        check_lines(token, &[("peer: 10.0.0.5 joined the room", "peer: [IP]")]);
    }

    #[test]
    fn the_value_of_a_name_value_pair_gets_the_action_of_the_key_its_name_names() {
        check_lines(
            "",
            &[
                // A Kubernetes env list: the variable's name stays, its secret goes; a name that is no classified key
                // but reads as a field's name stays too, and its value is scanned as before.
                (
                    r#"{"spec":{"env":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"LOG_LEVEL","value":"info"}]}}"#,
                    r#"{"spec":{"env":[{"name":"DB_PASSWORD","value":"[REDACTED]"},{"name":"LOG_LEVEL","value":"info"}]}}"#,
                ),
                // HAR headers and query strings: the whole value, not only the token after `Basic`.
                (
                    r#"{"headers":[{"name":"Authorization","value":"Basic dXNlcjpwYXNz"},{"name":"Cookie","value":"sid=abc"},{"name":"email","value":"jane@example.com"},{"name":"content-type","value":"text/html"}],"queryString":[{"name":"access_token","value":"abc"}]}"#,
                    r#"{"headers":[{"name":"Authorization","value":"[REDACTED]"},{"name":"Cookie","value":"[REDACTED]"},{"name":"email","value":"[EMAIL]"},{"name":"content-type","value":"text/html"}],"queryString":[{"name":"access_token","value":"[REDACTED]"}]}"#,
                ),
                // AWS tags and SSM style, in any case; a `key` that names nothing leaves its value as it was.
                (
                    r#"{"Tags":[{"Key":"password","Value":"hunter2"},{"key":"ssn","value":"078-05-1120"},{"KEY":"Owner","VALUE":"team-a"}]}"#,
                    r#"{"Tags":[{"Key":"password","Value":"[REDACTED]"},{"key":"ssn","value":"[SSN]"},{"KEY":"Owner","VALUE":"team-a"}]}"#,
                ),
                // Names compare like rule keys (case, `_`, `-`, dotted segments).
                (
                    r#"[{"Name":"X-Api-Key","Value":"abc123"},{"name":"user.email","value":"jane"},{"name":"Set-Cookie","value":"a=b"}]"#,
                    r#"[{"Name":"X-Api-Key","Value":"[REDACTED]"},{"name":"user.email","value":"[EMAIL]"},{"name":"Set-Cookie","value":"[REDACTED]"}]"#,
                ),
                // Not a classified key: a name that may be a person's stays replaced (words, a capitalized word),
                // one that reads as a field's is kept and scanned; the value is still scanned.
                (r#"{"name":"Jane Doe","value":"x"}"#, r#"{"name":"[NAME]","value":"x"}"#),
                (r#"{"name":"Jane","value":"x"}"#, r#"{"name":"[NAME]","value":"x"}"#),
                (r#"{"name":"note2","value":"mail jane@x.com"}"#, r#"{"name":"note2","value":"mail [EMAIL]"}"#),
                (
                    r#"{"name":"timeout","value":3,"x":{"name":"X-Request-Id","value":"a@b.co"}}"#,
                    r#"{"name":"timeout","value":3,"x":{"name":"X-Request-Id","value":"[EMAIL]"}}"#,
                ),
                // A classified name without a `value` sibling is no pair, but a small word that is itself a
                // classified key names a field (a schema's, a form's), not a person; a capitalized one may be a
                // person's.
                (r#"{"name":"email","type":"string"}"#, r#"{"name":"email","type":"string"}"#),
                (r#"{"name":"Email","type":"string"}"#, r#"{"name":"[NAME]","type":"string"}"#),
            ],
        );
    }

    #[test]
    fn a_pair_settles_in_either_order_and_only_within_its_own_object() {
        check_lines(
            "",
            &[
                // The value first, with a member between whose own edit stays in place.
                (r#"{"value":"hunter2","name":"DB_PASSWORD"}"#, r#"{"value":"[REDACTED]","name":"DB_PASSWORD"}"#),
                (
                    r#"{"value":"hunter2", "msg":"mail jane@x.com", "name":"DB_PASSWORD","n":4111111111111111}"#,
                    r#"{"value":"[REDACTED]", "msg":"mail [EMAIL]", "name":"DB_PASSWORD","n":"[CARD]"}"#,
                ),
                // A `value` in a nested object is not the outer name's value, nor the other way round.
                (
                    r#"{"name":"password","inner":{"value":"x"},"value":"y"}"#,
                    r#"{"name":"password","inner":{"value":"x"},"value":"[REDACTED]"}"#,
                ),
                (r#"{"inner":{"name":"password"},"value":"y"}"#, r#"{"inner":{"name":"password"},"value":"y"}"#),
                (r#"{"inner":{"name":"Jane"},"value":"y"}"#, r#"{"inner":{"name":"[NAME]"},"value":"y"}"#),
                (
                    r#"{"value":{"name":"email","value":"jane"},"name":"LOG_LEVEL"}"#,
                    r#"{"value":{"name":"email","value":"[EMAIL]"},"name":"LOG_LEVEL"}"#,
                ),
                (
                    r#"[{"name":"password","value":"a"},{"name":"Jane","value":"b"},{"value":"c","key":"token"}]"#,
                    r#"[{"name":"password","value":"[REDACTED]"},{"name":"[NAME]","value":"b"},{"value":"[REDACTED]","key":"token"}]"#,
                ),
                // Every `value` of the object, whichever `name` comes first.
                (
                    r#"{"name":"password","value":"a","name":"Jane","value":"b"}"#,
                    r#"{"name":"password","value":"[REDACTED]","name":"[NAME]","value":"[REDACTED]"}"#,
                ),
            ],
        );
    }

    #[test]
    fn a_pair_value_of_any_shape_is_replaced_and_the_name_may_be_escaped() {
        check_lines(
            "",
            &[
                // A number is quoted, as under the key; in an array or an object, every string and number goes and
                // keys, literals and the structure stay.
                (r#"{"name":"phone","value":4155552671}"#, r#"{"name":"phone","value":"[PHONE]"}"#),
                (
                    r#"{"name":"email","value":["a@b.co",{"primary":"c@d.co","n":1,"ok":true,"x":null}]}"#,
                    r#"{"name":"email","value":["[EMAIL]",{"primary":"[EMAIL]","n":"[EMAIL]","ok":true,"x":null}]}"#,
                ),
                (r#"{"name":"password","value":""}"#, r#"{"name":"password","value":""}"#),
                // Escapes in the name, the value or the members' keys are decoded; the name stays as written.
                (
                    r#"{"name":"pass\u0077ord","value":"hun\u0074er2"}"#,
                    r#"{"name":"pass\u0077ord","value":"[REDACTED]"}"#,
                ),
                (
                    r#"{"n\u0061me":"DB_PASSWORD","v\u0061lue":"hunter2"}"#,
                    r#"{"n\u0061me":"DB_PASSWORD","v\u0061lue":"[REDACTED]"}"#,
                ),
                // A kept name is still scanned; a name with whitespace may be a person's (`*password*` matches it):
                // it stays replaced, and the value goes all the same.
                (
                    r#"{"name":"password:4111111111111111","value":"x"}"#,
                    r#"{"name":"password:[CARD]","value":"[REDACTED]"}"#,
                ),
                (r#"{"name":"DB Password","value":"x"}"#, r#"{"name":"[NAME]","value":"[REDACTED]"}"#),
                // Under a key whose rule replaces the whole subtree, the value is replaced already: the pair
                // changes nothing; a name that is itself a classified key names a field and stays.
                (
                    r#"{"password":{"name":"x-secret","value":"y"}}"#,
                    r#"{"password":{"name":"x-secret","value":"[REDACTED]"}}"#,
                ),
                (
                    r#"{"password":{"name":"Jane Roe","value":"y"}}"#,
                    r#"{"password":{"name":"[NAME]","value":"[REDACTED]"}}"#,
                ),
                (
                    r#"{"password":[{"key":"email","value":"y"}]}"#,
                    r#"{"password":[{"key":"[REDACTED]","value":"[REDACTED]"}]}"#,
                ),
            ],
        );
    }

    #[test]
    fn a_pair_value_gets_the_named_keys_mask_hash_and_drop_field() {
        // `mask` of a secret shows nothing, of a personal value its last four when it is long enough.
        let mask = "[categories.personal]\naction = \"mask\"\n[categories.secret]\naction = \"mask\"\n";
        check_with(
            mask,
            r#"[{"name":"DB_PASSWORD","value":"hunter2secret"},{"key":"ssn","value":"536-22-1234"}]"#,
            r#"[{"name":"DB_PASSWORD","value":"********"},{"key":"ssn","value":"***-**-1234"}]"#,
        );
        // `hash` gives the token the same value gets under the key itself.
        let engine = engine_with("[categories.personal]\naction = \"hash\"\n");
        let mut redactor = engine.redactor();
        let (mut pair, mut keyed) = (Vec::new(), Vec::new());
        redactor.redact_line(br#"{"value":"Jane@Example.com","key":"email"}"#, &mut pair);
        redactor.redact_line(br#"{"email":"Jane@Example.com"}"#, &mut keyed);
        let token = HashKey::from_hex(&"11".repeat(32)).unwrap().token("EMAIL", b"jane@example.com", 6);
        assert_eq!(String::from_utf8(pair).unwrap(), format!(r#"{{"value":"{token}","key":"email"}}"#));
        assert_eq!(String::from_utf8(keyed).unwrap(), format!(r#"{{"email":"{token}"}}"#));
        // `drop-field` redacts the value, as in text: the member and the pair's shape stay, in either order, and
        // a dropped member beside them is cut as before.
        let drop = "[[fields]]\ncategory = \"personal\"\naction = \"drop-field\"\npaths = [\"secret_note\"]\n";
        check_with(
            drop,
            r#"[{"name":"secret_note","value":"x"},{"secret_note":"y","value":"x","name":"SECRET_NOTE"}]"#,
            r#"[{"name":"secret_note","value":"[REDACTED]"},{"value":"[REDACTED]","name":"SECRET_NOTE"}]"#,
        );
        check_with(
            drop,
            r#"{"value":"x","secret_note":{"name":"password","value":"y"},"name":"secret-note"}"#,
            r#"{"value":"[REDACTED]","name":"secret-note"}"#,
        );
    }

    #[test]
    fn drop_field_removes_the_member_and_one_comma() {
        let rules = "[[fields]]\ncategory = \"personal\"\naction = \"drop-field\"\npaths = [\"secret_note\"]\n";
        check_with(rules, r#"{"secret_note":"x","a":1}"#, r#"{"a":1}"#);
        check_with(rules, r#"{"a":1,"secret_note":{"deep":[1,2]},"b":2}"#, r#"{"a":1,"b":2}"#);
        check_with(rules, r#"{"a":1, "secret_note":"x"}"#, r#"{"a":1}"#);
        check_with(rules, r#"{"secret_note":"x"}"#, r#"{}"#);
        check_with(rules, r#"{"secret_note":1,"secret_note":2,"c":3}"#, r#"{"c":3}"#);
        check_with(rules, r#"[{"secret_note":1},{"k":"v","secret_note":2}]"#, r#"[{},{"k":"v"}]"#);
    }

    /// Docker's, Fluent Bit's and Vector's envelopes hold the program's own JSON line in a string: it is walked
    /// by its keys, paths from its own root, and every edit lands in the envelope's bytes, escapes and all.
    #[test]
    fn a_json_document_inside_a_json_string_is_walked_by_its_keys() {
        // Custom attributes are personal unless known, by path, as in a line of their own.
        check(
            r#"{"log":"{\"contact\":{\"custom_attributes\":{\"pan_number\":\"ABCDE1234F\",\"plan\":\"pro\"}}}\n","stream":"stdout"}"#,
            r#"{"log":"{\"contact\":{\"custom_attributes\":{\"pan_number\":\"[CUSTOM_ATTRIBUTE]\",\"plan\":\"pro\"}}}\n","stream":"stdout"}"#,
        );
        // A replaced number gets its quotes escaped for the string, once per level of strings.
        check(
            r#"{"message":"{\"card_number\":4111111111111111,\"n\":[4111111111111111],\"amount\":12}"}"#,
            r#"{"message":"{\"card_number\":\"[CARD]\",\"n\":[\"[CARD]\"],\"amount\":12}"}"#,
        );
        check(
            r#"{"message":"{\"log\":\"{\\\"cc\\\":4111111111111111,\\\"email\\\":\\\"a.b@example.com\\\"}\\n\"}"}"#,
            r#"{"message":"{\"log\":\"{\\\"cc\\\":\\\"[CARD]\\\",\\\"email\\\":\\\"[EMAIL]\\\"}\\n\"}"}"#,
        );
        // The inner document's own escapes stay as they were around what is replaced.
        check(
            r#"{"message":"{\"user\":{\"email\":\"j\\u00e9@example.com\",\"bio\":\"a \\\"quote\\\" bob@example.org\"}}"}"#,
            r#"{"message":"{\"user\":{\"email\":\"[EMAIL]\",\"bio\":\"a \\\"quote\\\" [EMAIL]\"}}"}"#,
        );
        // `drop-field` cuts the member and its comma inside the string.
        let rules = "[[fields]]\ncategory = \"personal\"\naction = \"drop-field\"\npaths = [\"secret_note\"]\n";
        check_with(rules, r#"{"log":"{\"a\":1,\"secret_note\":\"x\"}","b":2}"#, r#"{"log":"{\"a\":1}","b":2}"#);
        // A string that only looks like a document is scanned as text, as before.
        check(
            r#"{"message":"{not json \"email\":\"x@example.com\"}"}"#,
            r#"{"message":"{not json \"email\":\"[EMAIL]\"}"}"#,
        );
        // A text that ends in a document, as a text line may: the text scanned, the document walked by its keys
        // (JSON, a Ruby hash, a Python dict, whose quotes need no escape). A document that does not end the text
        // is read as text, by the detectors and key words.
        check(
            r#"{"message":"I, [2026-12-07] INFO -- : POST /contacts {\"custom_attributes\":{\"favourite\":\"Jiho Park\"},\"n\":4111111111111111} by ann@example.com"}"#,
            r#"{"message":"I, [2026-12-07] INFO -- : POST /contacts {\"custom_attributes\":{\"favourite\":\"Jiho Park\"},\"n\":[CARD]} by [EMAIL]"}"#,
        );
        check(
            r#"{"message":"POST /contacts by ann@example.com {\"custom_attributes\":{\"partner_name\":\"Jiho Park\"},\"n\":4111111111111111}"}"#,
            r#"{"message":"POST /contacts by [EMAIL] {\"custom_attributes\":{\"partner_name\":\"[CUSTOM_ATTRIBUTE]\"},\"n\":\"[CARD]\"}"}"#,
        );
        check(
            r#"{"log":"Parameters: {\"custom_attributes\"=>{\"partner_name\"=>\"Jiho Park\", \"plan\"=>\"pro\"}}"}"#,
            r#"{"log":"Parameters: {\"custom_attributes\"=>{\"partner_name\"=>\"[CUSTOM_ATTRIBUTE]\", \"plan\"=>\"pro\"}}"}"#,
        );
        check(
            r#"{"msg":"payload {'custom_attributes': {'partner_name': 'Jiho Park'}, 'card': 4111111111111111}"}"#,
            r#"{"msg":"payload {'custom_attributes': {'partner_name': '[CUSTOM_ATTRIBUTE]'}, 'card': \"[CARD]\"}"}"#,
        );
        // Nothing to find: the line is left byte for byte.
        let clean = r#"{"log":"{\"level\":\"info\",\"msg\":\"GET /health 200\",\"took_ms\":3}\n","stream":"stdout"}"#;
        check(clean, clean);
    }

    /// The name an address's user part spells is replaced beside it, in text and in JSON strings; a team's
    /// address spells none, and nothing is looked for in a line without an address.
    #[test]
    fn the_name_an_address_spells_is_replaced_beside_it() {
        check(
            "skipped 1134 (Aisha Bello, aisha.bello@proton.me) and Bello Aisha",
            "skipped 1134 ([NAME], [EMAIL]) and [NAME]",
        );
        // Not alone, and looked for once however often the address repeats; a handle of both names is a login.
        check("aisha.bello@x.com Aisha.Bello Aisha", "[EMAIL] [NAME] Aisha");
        check(&"ab.cd@x.com ".repeat(3), &"[EMAIL] ".repeat(3));
        check(
            r#"{"to":"diego.ramirez@example.org","subject":"Welcome Diego Ramírez","team":"Diego Ramírez Team"}"#,
            r#"{"to":"[EMAIL]","subject":"Welcome [NAME]","team":"[NAME] Team"}"#,
        );
        check("sales.team@example.com wrote to Sales Team", "[EMAIL] wrote to Sales Team");
        // Without its address a name is not spelled (the given names, turned off here, would read this one).
        check_with("[detectors.name]\ngiven_names = []\n", "welcome Aisha Bello", "welcome Aisha Bello");
    }

    /// A Kubernetes label's key is one key, its dots the domain's; a credential that a program masked keeps its
    /// scheme, so the line is left as it is.
    #[test]
    fn label_keys_and_masked_credentials_stay() {
        let labels = r#"{"namespace_labels":{"kubernetes.io/metadata.name":"payments","app.kubernetes.io/name":"ledger","helm.sh/chart":"x"}}"#;
        check(labels, labels);
        // Another domain's key is read by the name after its `/`.
        check(
            r#"{"acme.com/owner.name":"Aisha Bello","acme.com/db.pwd":"hunter2"}"#,
            r#"{"acme.com/owner.name":"[NAME]","acme.com/db.pwd":"[REDACTED]"}"#,
        );
        // A card written as a negative number is a card.
        check(r#"{"card":-4111111111111111}"#, r#"{"card":"[CARD]"}"#);
        // Any word in brackets after a scheme is no replacement.
        check(r#"{"authorization":"Bearer [ABC123DEF456]"}"#, r#"{"authorization":"[REDACTED]"}"#);
        check(r#"{"user.name":"Jane Doe"}"#, r#"{"user.name":"[NAME]"}"#);
        let masked = r#"{"authorization":"Bearer [REDACTED]","h":{"Authorization":"Basic [SECRET]"}}"#;
        check(masked, masked);
        check(r#"{"authorization":"Bearer abc123def456ghi"}"#, r#"{"authorization":"[REDACTED]"}"#);
    }

    /// A Python dict logged with `repr()` is walked by its keys like JSON: paths, object types and numbers, in
    /// the line's own quoting; what JSON cannot say (a `datetime`) is scanned as a string.
    #[test]
    fn a_python_dict_is_walked_by_its_keys() {
        check(
            r#"INFO app: payload {'type': 'contact', 'name': "O'Brien", 'card': 4111111111111111, 'ok': True, 'custom_attributes': {'pan_number': 'ABCDE1234F', 'plan': 'pro'}}"#,
            r#"INFO app: payload {'type': 'contact', 'name': "[NAME]", 'card': "[CARD]", 'ok': True, 'custom_attributes': {'pan_number': '[CUSTOM_ATTRIBUTE]', 'plan': 'pro'}}"#,
        );
        // A whole line, an object type, escapes around a value, a call.
        check(
            r#"{'tags': [{'type': 'tag', 'name': 'VIP'}], 'msg': 'it\'s "here": bob@example.org', 'at': datetime.datetime(2024, 1, 1, 0, 0), 'email': Email('a@example.com')}"#,
            r#"{'tags': [{'type': 'tag', 'name': 'VIP'}], 'msg': 'it\'s "here": [EMAIL]', 'at': datetime.datetime(2024, 1, 1, 0, 0), 'email': [EMAIL]}"#,
        );
        // The prefix is text.
        check(
            "user jane@example.com sent {'plan': 'pro', 'seats': 4}",
            "user [EMAIL] sent {'plan': 'pro', 'seats': 4}",
        );
        // Ruby's hashes, as Rails logs its parameters and `inspect` writes them.
        check(
            r#"Parameters: {"item"=>{"type"=>"contact", "email"=>"kim@example.com", "custom_attributes"=>{"plan"=>"pro", "partner_name"=>"Jiho Park"}, "owner"=>nil}}"#,
            r#"Parameters: {"item"=>{"type"=>"contact", "email"=>"[EMAIL]", "custom_attributes"=>{"plan"=>"pro", "partner_name"=>"[CUSTOM_ATTRIBUTE]"}, "owner"=>nil}}"#,
        );
        check(r#"user {email: "kim@example.com", seats: 4}"#, r#"user {email: "[EMAIL]", seats: 4}"#);
        // A hash whose first key is a symbol or a label.
        check(
            r#"x {:custom_attributes=>{:pet=>"Rex", :plan=>"pro"}}"#,
            r#"x {:custom_attributes=>{:pet=>"[CUSTOM_ATTRIBUTE]", :plan=>"pro"}}"#,
        );
        check(r#"x {custom_attributes: {pet: "Rex"}}"#, r#"x {custom_attributes: {pet: "[CUSTOM_ATTRIBUTE]"}}"#);
        // Not a dict after all: read as text, by its key words.
        check("got {'email': 'x@example.com', <User 17>}", "got {'email': '[EMAIL]', <User 17>}");
        let clean = "DEBUG state {'retries': 3, 'queue': 'default', 'at': datetime.datetime(2024, 1, 1), 'ok': None}";
        check(clean, clean);
    }

    /// Documents nested in strings deeper than `MAX_NESTING` are scanned as text: still redacted, by the detectors.
    #[test]
    fn documents_nested_too_deep_are_scanned_as_text() {
        let mut line = String::from(r#"{"email":"deep@example.com","custom_attributes":{"x":"y"}}"#);
        for _ in 0..5 {
            line = serde_json::to_string(&serde_json::json!({ "m": line })).unwrap();
        }
        let engine = engine_with("");
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        redactor.redact_line(line.as_bytes(), &mut out);
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("deep@example.com") && out.contains("[EMAIL]"), "{out}");
        // The output is still JSON, five levels deep.
        let mut value: serde_json::Value = serde_json::from_str(&out).unwrap();
        for _ in 0..5 {
            value = serde_json::from_str(value["m"].as_str().unwrap()).unwrap();
        }
        assert_eq!(value["email"], "[EMAIL]");
    }

    #[test]
    fn actions_label_redact_mask_hash() {
        check_with(
            "[categories.personal]\naction = \"mask\"\n",
            r#"{"phone":"+1 415-555-2671"}"#,
            r#"{"phone":"+* ***-***-2671"}"#,
        );
        check_with(
            "[categories.personal]\naction = \"mask\"\n",
            r#"{"name":"Bob","zip":"1011","dob":"1990-01-02","ssn":"536-22-1234"}"#,
            r#"{"name":"***","zip":"****","dob":"****-**-**","ssn":"***-**-1234"}"#,
        );
        check_with(
            "[categories.secret]\naction = \"mask\"\n[detectors.secret]\naction = \"mask\"\n",
            r#"{"password":"hunter2secret","m":"key sk_live_4eC39HqLyjWDarjtT1zdp7dc"}"#,
            r#"{"password":"********","m":"key ********"}"#,
        );
        check_with("[categories.personal]\naction = \"redact\"\n", r#"{"name":"Jane"}"#, r#"{"name":"[REDACTED]"}"#);
        let engine = engine_with("[categories.personal]\naction = \"hash\"\n");
        let mut redactor = engine.redactor();
        let mut a = Vec::new();
        let mut b = Vec::new();
        redactor.redact_line(br#"{"email":"Jane@Example.com"}"#, &mut a);
        redactor.redact_line(br#"{"email":" jane@example.com"}"#, &mut b);
        assert_eq!(a, b, "one person, one token");
        let token = HashKey::from_hex(&"11".repeat(32)).unwrap().token("EMAIL", b"jane@example.com", 6);
        assert_eq!(String::from_utf8(a).unwrap(), format!(r#"{{"email":"{token}"}}"#));
    }

    #[test]
    fn mask_shows_no_part_of_an_entity_the_rules_mark_secret() {
        // Two user patterns of the same shape: the one marked secret is masked whole, the other keeps its last
        // four (it has at least nine letters and digits).
        let patterns = "[patterns.internal_key]\nregex = 'ik_[a-z0-9]{12}'\naction = \"mask\"\nsecret = true\n\
                        [patterns.order_ref]\nregex = 'or_[a-z0-9]{12}'\naction = \"mask\"\n";
        check_with(patterns, "key ik_abcd1234wxyz sent", "key ******** sent");
        check_with(patterns, "order or_abcd1234wxyz sent", "order **_********wxyz sent");
        check_with(patterns, r#"{"m":"ik_abcd1234wxyz"}"#, r#"{"m":"********"}"#);
        // A field whose category is marked secret, under a category action of `mask`.
        let category = "[categories.vault]\naction = \"mask\"\nsecret = true\n\
                        [[fields]]\ncategory = \"vault\"\nentity = \"VAULT_KEY\"\npaths = [\"vault_key\"]\n\
                        [[fields]]\ncategory = \"personal\"\nentity = \"ACCOUNT\"\naction = \"mask\"\npaths = [\"account\"]\n";
        check_with(
            category,
            r#"{"vault_key":"v4ult-k3y-123456","account":"acct-123456789"}"#,
            r#"{"vault_key":"********","account":"****-*****6789"}"#,
        );
        // The built-in secret and credentials detectors, by their flag in the shipped rules and without them.
        let built_in = "[detectors.secret]\naction = \"mask\"\n[detectors.credentials]\naction = \"mask\"\n";
        for rules in [built_in.to_string(), format!("replace_defaults = true\n{built_in}")] {
            check_with(
                &rules,
                "auth Bearer abcdefghijklmnop123 to https://admin:s3cr3tpassw0rd@db.example.com/x",
                "auth Bearer ******** to https://********@db.example.com/x",
            );
        }
    }

    #[test]
    fn inline_keys_match_only_the_same_key_wherever_it_stands() {
        let tag = |text: &[u8], start: usize, end: usize| KeyTag::of(text, start, end);
        // The same key at the start of a text (fewer than eight bytes before its end) and further on.
        let (early, late) = (tag(b"user=1", 0, 4), tag(b"level=2 user=1", 8, 12));
        assert_eq!((early.tail, early.len), (late.tail, late.len));
        // Fewer than eight bytes before the key's end in a longer text (`{"user":...`), and every short key at
        // every place: the tag is the key's last (up to) eight bytes, zero-padded in front.
        let json = tag(br#"{"user":1,"x":2}"#, 2, 6);
        assert_eq!((json.tail, json.len), (late.tail, late.len));
        let text = b"ab=cdefghijk=lmnopq";
        for end in 0..=text.len() {
            for start in 0..=end {
                let take = (end - start).min(8);
                let mut word = [0u8; 8];
                word[8 - take..].copy_from_slice(&text[end - take..end]);
                for text in [&text[..], &text[..end]] {
                    let found = tag(text, start, end);
                    assert_eq!((found.tail, found.len), (u64::from_le_bytes(word), end - start), "{start}..{end}");
                }
            }
        }
        let mut slot = InlineKey::default();
        assert!(slot.store(b"user", early));
        assert!(slot.is(b"user", late));
        assert!(!slot.is(b"usr", tag(b"usr", 0, 3)));
        // Longer keys: the same last eight bytes, a different head.
        let long = b"customer.email_address";
        assert!(slot.store(long, tag(long, 0, long.len())));
        assert!(slot.is(long, tag(long, 0, long.len())));
        let other = b"customer_email_address";
        assert!(!slot.is(other, tag(other, 0, other.len())));
        // Keys longer than the slot are not kept.
        let too_long = [b'k'; 32];
        assert!(!slot.store(&too_long, tag(&too_long, 0, 32)));
    }

    #[test]
    fn keys_that_pick_the_same_slot_are_both_kept_and_a_third_displaces_one() {
        type Memo = KeyCache<u32, 4>;
        let key = |raw: &'static [u8]| (raw, KeyTag::of(raw, 0, raw.len()));
        let lookup = |memo: &Memo, slot: usize, (raw, tag): (&[u8], KeyTag)| {
            memo.get(slot, raw, tag).or_else(|| memo.get_other(slot, raw, tag))
        };
        let (a, b, c) = (key(b"duration_ms"), key(b"status"), key(b"exit_code"));
        let mut memo = Memo::default();
        // Before anything is stored, nothing is found (and the slots are not even allocated).
        assert_eq!(lookup(&memo, 6, a), None);
        memo.put(6, a.0, a.1, 1);
        memo.put(6, b.0, b.1, 2);
        assert_eq!((lookup(&memo, 6, a), lookup(&memo, 6, b)), (Some(1), Some(2)));
        // With both slots of the pair taken, a key takes its own slot: `c`'s is the one `b` went to.
        memo.put(7, c.0, c.1, 3);
        assert_eq!((lookup(&memo, 6, a), lookup(&memo, 6, b), lookup(&memo, 7, c)), (Some(1), None, Some(3)));
        // A key is found only in its own pair, and only as the same bytes.
        assert_eq!(lookup(&memo, 4, b), None);
        assert_eq!(lookup(&memo, 7, key(b"exit_cod")), None);
    }

    #[test]
    fn a_field_rule_can_make_a_text_value_reach_to_the_end_of_the_line() {
        let header = "[[fields]]\ncategory = \"secret\"\nentity = \"SECRET\"\npaths = [\"x_trace_ctx\"]\n";
        // One token by default; the rest of the line with `text_value = "line"`, up to a quote closing a string.
        check_with(header, "X-Trace-Ctx: a=1; b=2 done", "X-Trace-Ctx: [REDACTED]; b=2 done");
        let line = format!("{header}text_value = \"line\"\n");
        check_with(&line, "X-Trace-Ctx: a=1; b=2 done", "X-Trace-Ctx: [REDACTED]");
        check_with(&line, r#"{"msg":"X-Trace-Ctx: a=1; b=2","n":1}"#, r#"{"msg":"X-Trace-Ctx: [REDACTED]","n":1}"#);
        // The shipped rules read cookie headers so.
        check("Set-Cookie: sid=abc; Path=/; HttpOnly", "Set-Cookie: [REDACTED]");
        // Only spaces up to the quote that closes the string: nothing to replace, no empty replacement.
        check(r#"cookies: " " next"#, r#"cookies: " " next"#);
    }

    #[test]
    fn replacements_are_never_replaced_again() {
        // Whatever finds a replacement (a command's flag, URL credentials, a classified key), it stays as it is.
        for line in [
            "mysqldump -p[SECRET:9f2c41] shop; sshpass -p [REDACTED] ssh",
            "Authorization: Bearer [REDACTED] ok; x [SECRET:9f2c41] y https://[CREDENTIALS:e7a985]@example.com/",
            r#"{"phone":"[PHONE:09f0ba]","password":"[REDACTED]","n":1}"#,
        ] {
            check(line, line);
        }
    }

    #[test]
    fn numbers_written_with_wide_spaces_and_dashes_are_found() {
        // No-break, narrow no-break and thin spaces, en dashes: in text, in a JSON string (raw or escaped), in HTML.
        check("tel 06\u{a0}12\u{a0}34\u{a0}56\u{a0}78 ok", "tel [PHONE] ok");
        check("+33\u{202f}6\u{202f}12\u{202f}34\u{202f}56\u{202f}78", "[PHONE]");
        check("card 4111\u{2013}1111\u{2013}1111\u{2013}1111 ok", "card [CARD] ok");
        check("SSN 536\u{2009}22\u{2009}1234.", "SSN [SSN].");
        check(
            r#"{"msg":"appelez-moi au 06\u00a012\u00a034\u00a056\u00a078","n":"é"}"#,
            r#"{"msg":"appelez-moi au [PHONE]","n":"é"}"#,
        );
        check("<p>mobile\u{a0}: 06\u{a0}12\u{a0}34\u{a0}56\u{a0}78</p>", "<p>mobile\u{a0}: [PHONE]</p>");
        check("<p>tel 06&#160;12&#xA0;34&thinsp;56&#8239;78</p>", "<p>tel [PHONE]</p>");
        // The rest of the line keeps its wide characters, and a quantity stays a quantity.
        check(
            "prix\u{a0}: 1\u{a0}234\u{a0}567\u{a0}€ \u{2014} café",
            "prix\u{a0}: 1\u{a0}234\u{a0}567\u{a0}€ \u{2014} café",
        );
    }

    #[test]
    fn e164_digits_under_a_key_that_holds_a_phone_are_phones_in_json_too() {
        check(
            r#"{"to":"447418343012","from":447418343013,"id":447418343012,"msisdn_to":"254712345678"}"#,
            r#"{"to":"[PHONE]","from":"[PHONE]","id":447418343012,"msisdn_to":"[PHONE]"}"#,
        );
        // Numbers that no country's plan confirms stay, as do shorter ones.
        check(
            r#"{"to":1715508912345,"from":"20240512103312","dst":"4474183"}"#,
            r#"{"to":1715508912345,"from":"20240512103312","dst":"4474183"}"#,
        );
    }

    #[test]
    fn the_bytes_that_start_a_wide_character_are_those_of_the_characters_read() {
        for ch in ('\u{80}'..='\u{ffff}').chain(['\u{10000}', '\u{1f600}']) {
            let mut buf = [0u8; 4];
            let bytes = ch.encode_utf8(&mut buf).as_bytes();
            assert_eq!(starts_wide(bytes), ascii_for_wide(ch).is_some(), "U+{:04X}", u32::from(ch));
        }
    }

    #[test]
    fn the_zeros_of_other_scripts_digits_are_in_order() {
        assert!(DIGIT_ZEROS.windows(2).all(|pair| pair[0] + 10 <= pair[1]));
        assert_eq!(ascii_for_wide('\u{b6f}'), Some(b'9'));
        assert_eq!(ascii_for_wide('\u{b70}'), None);
        assert_eq!(ascii_for_wide('\u{65f}'), None);
        assert_eq!(ascii_for_wide('Ｚ'), Some(b'Z'));
        assert_eq!(ascii_for_wide('ｚ'), Some(b'z'));
    }

    #[test]
    fn numbers_written_with_the_digits_of_other_scripts_are_found() {
        // Arabic-Indic, Persian, Bengali and fullwidth digits (with a fullwidth dash), in text and in JSON.
        check("ملاحظة: رقم الهاتف ٠٥٠٩٨٧٦٥٤٣ الرجاء", "ملاحظة: رقم الهاتف [PHONE] الرجاء");
        check("موبایل ۰۹۱۲۱۲۳۴۵۶۷ لطفا", "موبایل [PHONE] لطفا");
        check("প্রাপকের মোবাইল নম্বর ০১৭১১-২৩৪৫৬৭, পরিমাণ ৫০০", "প্রাপকের মোবাইল নম্বর [PHONE], পরিমাণ ৫০০");
        check(r#"{"msg":"電話：０８０－３４５６－７８９０"}"#, r#"{"msg":"電話：[PHONE]"}"#);
        check("كارت ٤١١١١١١١١١١١١١١١ تم", "كارت [CARD] تم");
        // Dates, amounts and order numbers in those digits stay as they are.
        for clean in ["تاريخ ٢٠٢٤/٠٥/١٢ رقم الطلب ١٢٣٤٥٦٧٨٩", "مبلغ ۱٬۲۵۰٬۰۰۰ ریال", "注文番号 １２３４５６７８"]
        {
            check(clean, clean);
        }
    }

    #[test]
    fn audit_fixes_country_code_then_unbroken_number_spaced_pairs_and_local_addresses() {
        // A country code, a space, and the national number unbroken: checked against the numbering plan.
        check("OTP sent to +91 9876543210 and +44 7700900123", "OTP sent to [PHONE] and [PHONE]");
        check("version +1 2345 build, delta +1 1234567890", "version +1 2345 build, delta +1 1234567890");
        // `key = value` unquoted (INI, .properties, ~/.aws/credentials, settings dumps), but not a value without a
        // letter or digit (SQL being built), and not a key the rules leave alone.
        check("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key = [REDACTED]");
        check("first_name = Jane timeout = 30", "first_name = [NAME] timeout = 30");
        check("WHERE client_ip = %20\\|x|", "WHERE client_ip = %20\\|x|");
        // Loopback, unspecified and broadcast addresses name no one's machine.
        check(
            "listening on 0.0.0.0:8080, [::]:8080 and ::1; 127.0.0.1 -> 10.1.2.3 / 255.255.255.255",
            "listening on 0.0.0.0:8080, [::]:8080 and ::1; 127.0.0.1 -> [IP] / 255.255.255.255",
        );
    }

    #[test]
    fn audit_fixes_names_of_addresses_sql_statements_and_netfilter_macs() {
        // The name of an address, in text and in a JSON string (escaped quotes).
        check(r#"Sending mail to "Jane Doe" <jane@x.com> now"#, r#"Sending mail to "[NAME]" <[EMAIL]> now"#);
        check(
            r#"{"to":"\"Jane Doe\" <jane@x.com>","cc":"Bob Stone <bob@x.com>"}"#,
            r#"{"to":"\"[NAME]\" <[EMAIL]>","cc":"[NAME] <[EMAIL]>"}"#,
        );
        // An INSERT's values by their columns; a SQL password clause.
        check(
            "INSERT INTO `payments` (`id`,`card_number`,`holder`) VALUES (DEFAULT,'5555555555554444','Lena Fischer');",
            "INSERT INTO `payments` (`id`,`card_number`,`holder`) VALUES (DEFAULT,'[CARD]','[NAME]');",
        );
        check(
            r#"{"sql":"INSERT INTO users (name, email) VALUES ('Jane', 'j@x.com')","ms":2}"#,
            r#"{"sql":"INSERT INTO users (name, email) VALUES ('[NAME]', '[EMAIL]')","ms":2}"#,
        );
        check("statement: ALTER USER app WITH PASSWORD 'n3w!'", "statement: ALTER USER app WITH PASSWORD '[REDACTED]'");
        // A netfilter `MAC=` run.
        check("IN=eth0 MAC=00:16:3e:5e:6c:00:52:54:00:12:35:02:08:00 SRC=10.0.0.9", "IN=eth0 MAC=[MAC] SRC=[IP]");
    }

    #[test]
    fn an_ipv4_address_after_a_number_or_in_a_range_is_an_address_of_its_own() {
        // A number, a date, a time or a CIDR block before it, or parentheses around a pair.
        check("GET / 200 512 10.0.0.5 ok, port 443 10.0.0.6", "GET / 200 512 [IP] ok, port 443 [IP]");
        check("2024-01-01 10.0.0.5 GET", "2024-01-01 [IP] GET");
        check("Jan  1 10:00:00 10.0.0.5 sshd[42]: x", "Jan  1 10:00:00 [IP] sshd[42]: x");
        check("peers (10.0.0.2 10.0.0.3) up", "peers ([IP] [IP]) up");
        check("hosts: 192.168.1.10/24 192.168.1.11", "hosts: [IP]/24 [IP]");
        check("rtt 12.5 10.0.0.5, v 1.2.3 10.0.0.7", "rtt 12.5 [IP], v 1.2.3 [IP]");
        // Both ends of a range; loopback stays, as elsewhere.
        check("range 10.0.0.1-10.0.0.255 blocked", "range [IP]-[IP] blocked");
        check("range 10.0.0.1-127.0.0.1-10.0.0.9", "range [IP]-127.0.0.1-[IP]");
        // Not a longer dotted name, and phones written with dots read on.
        check("10.0.0.1-10.0.0.255.example", "[IP]-10.0.0.255.example");
        check("Tel. 06.12.34.56 78", "Tel. [PHONE]");
        // Cisco ASA's `address/port`, OpenVPN's `user/address:port`, an IPv6 address with a port and no brackets;
        // but a product's or an assembly's version.
        check(
            "Deny tcp src outside:198.51.100.164/4444 dst inside:10.0.0.9/3389",
            "Deny tcp src outside:[IP]/4444 dst inside:[IP]/3389",
        );
        check("alice/203.0.113.115:51234 MULTI_sva", "[USERNAME]/[IP]:51234 MULTI_sva");
        check(
            "haproxy[3101]: 2001:db8:cafe::17:40000 [12/Mar/2024:10:00:00.000]",
            "haproxy[3101]: [IP]:40000 [12/Mar/2024:10:00:00.000]",
        );
        for line in ["Mozilla/5.0 Chrome/131.0.0.0 Safari/537.36", "System.Runtime, Version=8.0.0.0, Culture=neutral"] {
            check(line, line);
        }
        // After a URL's path segment or host, the quad is the address it looks up.
        check(
            "blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/220.133.54.8; see ipinfo.io/203.0.113.7",
            "blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/[IP]; see ipinfo.io/[IP]",
        );
    }

    #[test]
    fn a_name_after_a_greeting_a_sign_off_a_title_or_a_phrase_is_a_name() {
        check("Hi Lukas, your parcel is on its way", "Hi [NAME], your parcel is on its way");
        check(
            r#"{"body":"<p>Hello,</p><p>My card ending 7011 was used.</p><p>Kind regards,<br><b>Tomas</b></p>"}"#,
            r#"{"body":"<p>Hello,</p><p>My card ending 7011 was used.</p><p>Kind regards,<br><b>[NAME]</b></p>"}"#,
        );
        check(
            r#"{"description":"Hi, my package never arrived. Kind regards, Mette Christensen"}"#,
            r#"{"description":"Hi, my package never arrived. Kind regards, [NAME]"}"#,
        );
        check(
            "invalid for account holder 'Javier Moreno' in /var/www/SepaService.php:57",
            "invalid for account holder '[NAME]' in /var/www/SepaService.php:57",
        );
        check(
            r#"T="Your appointment with Dr. Samuel Okonkwo on 14 March" Rechnung fuer Herrn Jürgen Weiß, Lindenstrasse"#,
            r#"T="Your appointment with Dr. [NAME] on 14 March" Rechnung fuer Herrn [NAME], Lindenstrasse"#,
        );
        // A first letter that is not ASCII; a symbol is no name.
        check(
            "Hi Éva, thanks. Dear Øystein Berg, Kind regards, Şebnem Yılmaz; took 617µs, Cheers, £12",
            "Hi [NAME], thanks. Dear [NAME], Kind regards, [NAME]; took 617µs, Cheers, £12",
        );
        // Particles, middle initials, hyphens and apostrophes; up to six words.
        check(
            "My name is Ruud de Jong. Attn: Vanessa P. Hertzog; Dear Jean-Luc O'Brien, Dear Ana Maria Sousa Lima Neto",
            "My name is [NAME]. Attn: [NAME]; Dear [NAME], Dear [NAME]",
        );
        // Not a name: the message after a greeting's comma, a word of `not_names`, a shop after a sign-off word
        // without its comma, a short cue written small, a word in capitals, a word glued to digits.
        for line in [
            "<p>Hello,</p><p>Download stopped at 66%</p>",
            "Hi Team, Dear Valued Customer, Hello World, Thanks, Support",
            "Best Buy sells it; took 12 ms Total 5; Dear ERROR; Hi Order2",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn a_full_name_is_read_by_its_given_name_without_a_cue() {
        check(
            "Charging visa card for Saoirse Fitzgerald, refund approved for Tyler Washington by agent",
            "Charging visa card for [NAME], refund approved for [NAME] by agent",
        );
        check(r#"{"msg":"ticket assigned to Brandon Delacroix"}"#, r#"{"msg":"ticket assigned to [NAME]"}"#);
        check("Анастасия Волкова написала", "[NAME] написала");
        check("assigned to Hannah O'Brien and Jean-Marc Dubois", "assigned to [NAME] and [NAME]");
        // A street, a company, a program, a key, a handle, a single word, a cue, a word of the dictionary.
        for line in [
            "Deliver to 12 Philip Bypass, Leeds; Jana Nerudy 89; Tyler Washington Street",
            "Rand Corporation report; Cassandra Cluster is down; Morgan Stanley Bank",
            "Martin Luther King Day; Rue Jean Jaurès; Saint Jean Baptiste; Tyler Washington International",
            "mode=Jane Level=3 path /Jane Doe; Aisha.Quux; Tyler; Grace Hopper Conference; Will Retry",
        ] {
            check(line, line);
        }
        check("Beste Jan Jansen,", "Beste [NAME],");
        // The list and the words are the rules'.
        check_with("[detectors.name]\ngiven_names = []\n", "for Tyler Washington", "for Tyler Washington");
        check_with("[detectors.name]\ngiven_names = \"zorbax\"\n", "for Zorbax Quill", "for [NAME]");
        let places = "[detectors.name]\nnot_family_names = [\"quill\"]\ngiven_names = \"zorbax\"\n";
        check_with(places, "for Zorbax Quill", "for Zorbax Quill");
    }

    #[test]
    fn a_name_read_by_its_given_name_may_be_a_value_have_particles_and_accents() {
        // A key's value, a name after a `+`, a `{`, a dash or a quote that is not ASCII; accents the list lacks.
        check(
            r#"buyer_agent=Derek Osei by="Sinéad Kavanagh" NAD+IV+++Giovanni Esposito+Napoli {Svenja Brandt <a@b.de>}"#,
            r#"buyer_agent=[NAME] by="[NAME]" NAD+IV+++[NAME]+Napoli {[NAME] <[EMAIL]>}"#,
        );
        check("—Rosa Hernández, «Tyler Washington»", "—[NAME], «[NAME]»");
        // Particles, an Irish `Ó`, an Arabic article, four words with a particle.
        check(
            "Groet, Lars van der Berg; Rhys ap Gruffydd; Cathal Ó Murchú; for Yousef al-Harbi; Khalid bin Saeed Al Mansoori",
            "Groet, [NAME]; [NAME]; [NAME]; for [NAME]; [NAME]",
        );
        // An ID before it, an amount, a date or a code after it, a document named after someone.
        check(
            "emp=00412 Erik Lindqvist; [Lukas Pichler AT61 450.00 EUR]; (Émilie Gauthier-Roy 2023-11-02) CV Zuzana Horváthová.docx",
            "emp=00412 [NAME]; [[NAME] AT61 450.00 EUR]; ([NAME] 2023-11-02) CV [NAME].docx",
        );
        // Names that are words of the dictionary too, but read as names.
        check("approved by John Smith for Maria Lopez", "approved by [NAME] for [NAME]");
        // Still none: four capitalized words without a particle, a model after a brand, a key after the value,
        // a handle, a file that is no document, places and things.
        for line in [
            r#"class "Les Mills Body Pump" full; item="Alfa Romeo Giulia 1:18 scale"; Škoda Octavia Combi 2.0 TDI"#,
            "mode=Jane Level=3; Aisha.Quux; Tyler Washington.com; Hong Kong office; Charles de Gaulle Cargo",
            "Grant Access; Mark Complete; Rose Gold; Grace Period; Will Retry; Frank Discussion; Rob Roy",
            "Ralph Lauren Polo Shirt; Jana Masaryka 1234/5; Tim Tam 3.99; Lee Enfield No4; Vasco da Gama 2-1",
            "16500 Ronald Reagan Blvd; Latin America; report Grace Hopper.xlsx",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn a_national_number_may_be_glued_to_a_script_written_without_spaces() {
        check("マイナンバー136843971899を登録", "マイナンバー[NATIONAL_ID]を登録");
        check("身份证号码：11010119900307451X。", "身份证号码：[NATIONAL_ID]。");
        check("주민등록번호 900101-1234567", "주민등록번호 [NATIONAL_ID]");
        // Not glued to a letter of a script written with spaces, and no number without its label.
        check("PESEL 82061173514é; 订单号2024051234567已发货", "PESEL 82061173514é; 订单号2024051234567已发货");
    }

    #[test]
    fn one_time_codes_and_pins_are_secrets() {
        check(
            r#"{"otp":"482913","otpCode":123456,"status_code":200,"pin":true}"#,
            r#"{"otp":"[REDACTED]","otpCode":"[REDACTED]","status_code":200,"pin":true}"#,
        );
        check("passcode=739201 verification_code=883920", "passcode=[REDACTED] verification_code=[REDACTED]");
        check("/v2/session?user=42&otp=482913&mfa_code=1234", "/v2/session?user=42&otp=[REDACTED]&mfa_code=[REDACTED]");
        // A board's pin and an Indian postal code are no PIN.
        check(r#"{"pin":17,"pincode":"560038"}"#, r#"{"pin":17,"pincode":"560038"}"#);
        // A card payment's approval code gives no one access; a code of seven digits or more after a label is read.
        check("authorized amount=$556.51 auth_code=750b13", "authorized amount=$556.51 auth_code=750b13");
        check("your verification code is 60399917", "your verification code is [REDACTED]");
    }

    #[test]
    fn a_given_name_under_a_key_of_things_starts_no_name() {
        let line = r#"merchant=Tim Hortons font="Franklin Gothic" vessel: Emma Maersk product_name=Jack Daniels"#;
        check(line, line);
        // Keys of people that end otherwise, and the rules' own list.
        check(
            "project_manager=Derek Osei team_lead=Tyler Washington; Host: Maria Lopez",
            "project_manager=[NAME] team_lead=[NAME]; Host: [NAME]",
        );
        // In JSON, by the member's key: the value's first words only.
        check(
            r#"{"merchant":"Tim Hortons","agent":"Derek Osei","productName":"Jack Daniels by Tyler Washington"}"#,
            r#"{"merchant":"Tim Hortons","agent":"[NAME]","productName":"Jack Daniels by [NAME]"}"#,
        );
        check_with("[detectors.name]\nthing_keys = []\n", "merchant=Tim Hortons", "merchant=[NAME]");
        check_with("[detectors.name]\nthing_keys = [\"blimp\"]\n", "blimp_name=Derek Osei", "blimp_name=Derek Osei");
    }

    #[test]
    fn a_full_name_may_start_with_a_family_name_written_first() {
        check(
            "for Zhang Wenjie; by Nguyễn Thị Mai; Park Ji-hoon joined; Takahashi Yuki desu; Kovács Péter paid",
            "for [NAME]; by [NAME]; [NAME] joined; [NAME] desu; [NAME] paid",
        );
        // Without a given name after it, a family name starts no name: places, dishes, companies, hotels.
        let line = "Tang Dynasty Ceramics; Chiba Prefecture; Park Hyatt Tokyo; Takeda Pharmaceutical; Li Lei";
        check(line, line);
        check("by Đặng Thu Trang today", "by [NAME] today");
        // Places, companies and cars stay: a word of `not_family_names` after it, a family name left out.
        check(
            "Park Avenue; Lee County; Wang Computers; Suzuki Swift",
            "Park Avenue; Lee County; Wang Computers; Suzuki Swift",
        );
        check_with("[detectors.name]\nleading_family_names = []\n", "for Zhang Wenjie", "for Zhang Wenjie");
        check_with("[detectors.name]\nleading_family_names = \"quorbl\"\n", "for Quorbl Ann", "for [NAME]");
    }

    #[test]
    fn names_in_capitals_need_a_given_name_and_a_family_name_of_the_lists() {
        check(
            "value='ELIF YILMAZ' list=EU; pax ERIKSSON/KARL MR DOCS; 1.DEVRIES/SANNE MRS 2.DEVRIES/LOTTE MISS",
            "value='[NAME]' list=EU; pax [NAME] MR DOCS; 1.[NAME] MRS 2.[NAME] MISS",
        );
        check(
            "patient=SIMMONS, DOROTHY J|MRN=E1 SELLER=THOMPSON,ROBERT BUYER=NGUYEN,KEVIN",
            "patient=[NAME]|MRN=E1 SELLER=[NAME] BUYER=[NAME]",
        );
        check("50K=/DE86100500000648213907/MARKUS WEBER/HAUPTSTR. 5", "50K=/[IBAN]/[NAME]/HAUPTSTR. 5");
        check("name_document=\"AYŞE DEMİR\" guest SANNE DE VRIES", "name_document=\"[NAME]\" guest [NAME]");
        // Words in capitals that are no one's: levels, methods, places and companies named after people, a word
        // of a list with none of the other, fields and choices with a slash.
        let line = "ERROR GET /api INFO MAX RETRY; SAN JOSE; MORGAN STANLEY; JOHNS HOPKINS; KING EDWARD VII HOSPITAL; \
                    ELIF YILMAZ TRADING LTD; PASS/FAIL READ/WRITE; GET /MARKUS WEBER; Suite 451 HUTTON HENRY";
        check(line, line);
        check_with("[detectors.name]\nfamily_names = []\n", "value='ELIF YILMAZ'", "value='ELIF YILMAZ'");
    }

    #[test]
    fn logins_of_a_given_name_and_a_family_name_are_names() {
        check(
            "user anna.lindqvist logged in; pod=\"jupyter-erik-johansson\" ALTER ROLE petr_svoboda; m.petrovic HIER \
             u=Huber_Florian rahul.verma87 ok",
            "user [NAME] logged in; pod=\"jupyter-[NAME]\" ALTER ROLE [NAME]; [NAME] HIER u=[NAME] [NAME] ok",
        );
        // Fields, services, brands and slugs: no pair of the lists, a dash between capitals, a URL's path; an
        // e-mail address is the e-mail reader's.
        let line = "e.target s.length c.s.payments.Handler edge-gateway trace_id 1 Ritz-Carlton Mercedes-Benz \
                    THALES-LUNA GET /films/anna-lindqvist/trailer";
        check(line, line);
        check("mail anna.lindqvist@example.com", "mail [EMAIL]");
        check_with("[detectors.name]\nfamily_names = []\n", "user anna.lindqvist 1", "user anna.lindqvist 1");
    }

    #[test]
    fn a_family_name_first_before_a_comma_needs_a_given_name_after_it() {
        check(
            "owner Johansson, Mikael; patient Hernandez, Rosa M was seen; row Fraser,Callum; Smith, John Paul paid",
            "owner [NAME]; patient [NAME] was seen; row [NAME]; [NAME] paid",
        );
        // A place and its region, a date before a place, a family name with no given name after it.
        let line = "Athens, Georgia; Alexandria, Virginia; open day 8 June, Darwin Hall; Johansson, Tools; at Jones, \
                    Mitchell and Williams; Lopez, Santos & Coleman";
        check(line, line);
        check_with("[detectors.name]\nfamily_names = []\n", "owner Johansson, Mikael", "owner Johansson, Mikael");
    }

    #[test]
    fn name_cues_and_words_that_name_no_one_come_from_the_rules() {
        let mine = "[detectors.name]\ncontext = [\"courtesy of\", \"signed,\"]\nnot_names = [\"Robot\"]\n";
        check_with(mine, "courtesy of Anna Berg; Hi Lukas", "courtesy of [NAME]; Hi Lukas");
        check_with(
            mine,
            "signed, Anna; signed Anna; courtesy of Robot",
            "signed, [NAME]; signed Anna; courtesy of Robot",
        );
        check_with(
            "[detectors.name]\nenabled = false\n",
            "Kind regards, Maria Lindqvist",
            "Kind regards, Maria Lindqvist",
        );
        // Without cues the given name still starts a name; without cues and names the detector finds nothing,
        // and costs nothing.
        check_with("[detectors.name]\ncontext = []\n", "Kind regards, Maria Lindqvist", "Kind regards, [NAME]");
        check_with(
            "[detectors.name]\ncontext = []\nfull_name_context = []\ngiven_names = []\nleading_family_names = []\n",
            "Kind regards, Maria Lindqvist",
            "Kind regards, Maria Lindqvist",
        );
        check_with(
            "[detectors.name]\ncontext = []\nfull_name_context = []\n",
            "Kind regards, Maria Lindqvist",
            "Kind regards, [NAME]",
        );
        // A cue of full names counts only before two words or more; another cue for the same words counts alone.
        let mine = "[detectors.name]\ncontext = []\nfull_name_context = [\"tenant\"]\n";
        check_with(mine, "tenant Anna Berg; tenant Anna; tenant Portal", "tenant [NAME]; tenant Anna; tenant Portal");
        let both = "[detectors.name]\ncontext = [\"tenant\"]\nfull_name_context = [\"tenant\"]\n";
        check_with(both, "tenant Anna", "tenant [NAME]");
        // The labels of a phone in a signature are the rules' too.
        // (Without the given names, which would find `Reto Keller` on their own.)
        let labels = "[detectors.name]\nphone_labels = [\"natel\"]\ngiven_names = []\n";
        check_with(labels, "Reto Keller, natel +41 79 123 45 67", "[NAME], natel [PHONE]");
        check_with(labels, "Reto Keller, tel. +41 79 123 45 67", "Reto Keller, tel. [PHONE]");
        check("Reto Keller, tel. +41 79 123 45 67", "[NAME], tel. [PHONE]");
    }

    #[test]
    fn a_person_named_by_their_role_or_saying_who_they_are_needs_a_full_name() {
        check(
            "patient Earl Dwayne Pickett, DOB; Passenger: Urs Brunner; Patient: Ana Ruiz; It's Niamh Kelleher here",
            "patient [NAME], DOB; Passenger: [NAME]; Patient: [NAME]; It's [NAME] here",
        );
        check("Hello, this is Mr. Smith. Minu nimi on Liis Sepp.", "Hello, this is Mr. [NAME]. Minu nimi on [NAME].");
        check("Dear Mx Sam Lee, thanks", "Dear Mx [NAME], thanks");
        check(
            "Mobile-ID: vartotojas Rūta Kazlauskienė (x) Kedves Tóth Gábor! Jina langu ni Baraka Otieno.",
            "Mobile-ID: vartotojas [NAME] (x) Kedves [NAME]! Jina langu ni [NAME].",
        );
        check("forwarded to emergency contact Pieter de Wit now", "forwarded to emergency contact [NAME] now");
        // One capitalized word after a role or `it's` is a thing, and `My` starts no name.
        // Capitalized without a `:`, a role is a heading's; `customer`, `guest` and German roles are no cues; a word
        // glued to the cue is another word (`Großpatient`).
        for line in [
            "customer Tax ID updated",
            "it's Done; Customer Success team",
            "customer My Account page",
            "Patient Record Viewer started; customer Portal Login; Kunde: Premium Tarif; Großpatient Zorbax Quill",
            "guest Network Access enabled",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn private_and_numbered_keys_are_their_fields_and_a_urls_user_is_no_key() {
        // Entity Framework's parameters, Laravel's CSRF token, a Python attribute.
        check(
            "Executed DbCommand [Parameters=[@__email_0='jane@example.com' (Size = 256), @__dob_1='1988-11-23' (DbType = Date), @__name_2='Jane Doe']]",
            "Executed DbCommand [Parameters=[@__email_0='[EMAIL]' (Size = 256), @__dob_1='[PERSONAL]' (DbType = Date), @__name_2='[NAME]']]",
        );
        check("_token=Xq3Lk7Xw4Vb1Nm6Qp3Rt _ga=GA1.2.3 line_2=x", "_token=[REDACTED] _ga=GA1.2.3 line_2=[LOCATION]");
        // Not a key when the number is the key's own (`user_2` is no rule's), nor the user of a URL: PyPI's
        // `__token__` stays the credentials detector's, which keeps the host.
        check("user_2=bob retries_3=x", "user_2=bob retries_3=x");
        check(
            "pip install --index-url https://__token__:pypi-AgEIcHlwaS5vcmcCJDQ5ZjE@pypi.example.com/simple pkg",
            "pip install --index-url https://[REDACTED]@pypi.example.com/simple pkg",
        );
        // A phone, a name and a recipient named by whose they are; ASP.NET Core's data protection tokens.
        check(
            "ipn: mc_gross=19.95&contact_phone=%2B55+11+3456-7890&address_name=Brandon+Carter&microphone=granted",
            "ipn: mc_gross=19.95&contact_phone=[PHONE]&address_name=[NAME]&microphone=granted",
        );
        check(
            r#"Order shipped {"order":"NW-55123","recipient":"Ahmad Karimi","billingPhone":"0151 2345678"}"#,
            r#"Order shipped {"order":"NW-55123","recipient":"[NAME]","billingPhone":"[PHONE]"}"#,
        );
        check(
            r#"Sending password reset (token "CfDJ8Nq3Lk7Xw4Vb1Nm6Qp3Rt9YsZ2eR6tY0uI3oP7aS1dF5gH9jK2lZ4xC8vB6nM0qW2eR6")"#,
            r#"Sending password reset (token "[REDACTED]")"#,
        );
    }

    #[test]
    fn an_ipv4_address_written_into_a_host_name_is_an_address() {
        // AWS's private and public DNS names, reverse DNS of a client, in text and in JSON.
        check(
            "Jan  1 10:00:00 ip-10-0-4-5.ec2.internal kubelet[1]: x",
            "Jan  1 10:00:00 ip-[IP].ec2.internal kubelet[1]: x",
        );
        check(
            "from host-203-0-113-7.example.net via ec2-54-201-3-4.us-west-2.compute.amazonaws.com",
            "from host-[IP].example.net via ec2-[IP].us-west-2.compute.amazonaws.com",
        );
        check(
            r#"{"node":"ip-172-31-20-9.eu-west-1.compute.internal"}"#,
            r#"{"node":"ip-[IP].eu-west-1.compute.internal"}"#,
        );
        check("client c-73-162-1-2.hsd1.ca.comcast.net", "client c-[IP].hsd1.ca.comcast.net");
        check(
            "warning: hostname 187-45-112-9.dynamic.example.com.br does not resolve",
            "warning: hostname [IP].dynamic.example.com.br does not resolve",
        );
        // Not an order id, a date, a longer dashed run, an invalid octet, loopback, or a quad glued to a word.
        for line in [
            "ORD-2021-280363 build-2024-01-15-1 v1-2-3-4 release-1-2-3",
            "x-10-1-2-3-4 a-1-2-3-4-5 node-10-0-4-256 ip-127-0-0-1.local id-1-2-3-4x",
            "2025-06-28 10:23:07,819 INFO a-01-2-3-4 ok 10-1-2-3.5 v 187-45-112-9. x",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn session_ids_tracking_ids_handles_and_national_ids_under_their_keys() {
        check(
            "INFO c.n.auth.LoginListener [user=finn@example.dk, session=7A1F3C9E2B4D6F8A0C1E3B5D7F9A1C3E] code_id=\"b7d4e1a2-9c3f-4e8b-a5d6-7c8e9f0a1b2c\"",
            "INFO c.n.auth.LoginListener [user=[EMAIL], session=[REDACTED]] code_id=\"[REDACTED]\"",
        );
        check(
            r#"{"session":{"id":"5e7a9c1b-3d5f-4a7b-9c1d-3e5f7a9b1c3d","type":"user"},"user_hash":"e4d0a3c8b1f6927d","context":{"hutk":"2c2e6d6f5b3a4e8b"}}"#,
            r#"{"session":{"id":"[REDACTED]","type":"user"},"user_hash":"[REDACTED]","context":{"hutk":"[REDACTED]"}}"#,
        );
        check(
            r#"{"device":{"advertisingId":"7A3CBEA0-BDF5-11E4-8DFC-AA07A5B093DB"},"idfa":"6D92078A-8246-4BA4-AE5B-76104861E7DC","photoURL":"https://lh3.googleusercontent.com/a/ACg8oc"}"#,
            r#"{"device":{"advertisingId":"[PERSONAL]"},"idfa":"[PERSONAL]","photoURL":"[PERSONAL]"}"#,
        );
        check(
            r#"{"twitter_id":"kmensah_gh","user_fields":{"rut":"12.345.678-5","tc_kimlik":"10000000146"}} Login failed: principal=piotr.z, details=x"#,
            r#"{"twitter_id":"[USERNAME]","user_fields":{"rut":"[NATIONAL_ID]","tc_kimlik":"[NATIONAL_ID]"}} Login failed: principal=[USERNAME], details=x"#,
        );
        // A session's state is no id; a URL under `address` is a server's; every cookie of a cookie jar is secret.
        for line in [
            "session=expired Session: started for user",
            r#"{"session":"new","session_count":4}"#,
            r#"{"@mt":"Now listening on: {address}","address":"http://[::]:8080"}"#,
            // Already hidden by the program that logged it (Rails, Cognito, Sentry).
            r#"Parameters: {"password"=>"[FILTERED]"} {"SECRET_BLOCK":"HIDDEN_DUE_TO_SECURITY_REASONS","pin":"****"}"#,
        ] {
            check(line, line);
        }
        check(
            r#"{"Cookies":{"_shopify_y":"6f1c9e3a-2b8d"},"x":1}"#,
            r#"{"Cookies":{"_shopify_y":"[REDACTED]"},"x":1}"#,
        );
        // Mixpanel's and Segment's reserved properties.
        check(
            r#"{"$set":{"$first_name":"Sabine","$last_name":"Keller","$city":"Köln"}}"#,
            r#"{"$set":{"$first_name":"[NAME]","$last_name":"[NAME]","$city":"[LOCATION]"}}"#,
        );
    }

    #[test]
    fn a_json_user_written_as_a_persons_name_is_a_login() {
        check(
            r#"{"user":"aiko.tanaka","msg":"aiko.tanaka logged in","n":"x"}"#,
            r#"{"user":"[USERNAME]","msg":"[USERNAME] logged in","n":"x"}"#,
        );
        // A service account, another key, an object, a dotted account of the rules' `[not_values]`.
        let line =
            r#"{"user":"postgres","users":"a.bc","user_agent":"curl.x","user":{"role":"admin"},"user":"app.log"}"#;
        check(line, line);
        // A Windows home directory, its backslashes escaped.
        check(r#"{"path":"C:\\Users\\jdoe\\Desktop"}"#, r#"{"path":"C:\\Users\\[USERNAME]\\Desktop"}"#);
        // A name/value pair whose value is a word about a value, as under the key itself.
        check(
            r#"[{"name":"password","value":"null"},{"name":"email","value":"-"},{"name":"email","value":"a@b.io"}]"#,
            r#"[{"name":"password","value":"null"},{"name":"email","value":"-"},{"name":"email","value":"[EMAIL]"}]"#,
        );
        // A name/value pair: a login of the shape, not an account.
        check(
            r#"[{"name":"user","value":"anna.berg"},{"name":"user","value":"postgres"}]"#,
            r#"[{"name":"user","value":"[USERNAME]"},{"name":"user","value":"postgres"}]"#,
        );
    }

    #[test]
    fn a_person_named_by_their_role_under_a_key_of_their_own_needs_the_shape_of_a_full_name() {
        // Text: quoted, bare (up to the next pair or the name's end), family name first, capitals, particles.
        check(
            r#"started driver=Stefanie Brandt vehicle=M-SB customer="Lindqvist, Karin" renter="KOVÁCS PÉTER" x=1"#,
            r#"started driver=[NAME] vehicle=M-SB customer="[NAME]" renter="[NAME]" x=1"#,
        );
        check("assignee=Pieter van Dijk at 19:00 ok", "assignee=[NAME] at 19:00 ok");
        check("driver=Stefanie Brandt On Duty; name=Pieter van der Berg ok", "driver=[NAME] On Duty; name=[NAME] ok");
        check(r#"{"patient":"Maria de la Cruz"}"#, r#"{"patient":"[NAME]"}"#);
        // The words of groups and programs are the rules' `[not_values]` of field values, not `not_names`: names in
        // prose keep them (`Joe Root`, `Norman Mailer`).
        check("Hi Joe Root, welcome; Dear Norman Mailer, ok", "Hi [NAME], welcome; Dear [NAME], ok");
        check("beteg=\"Szabó Eszter\" spouse='Michael J. Thompson'", "beteg=\"[NAME]\" spouse='[NAME]'");
        // An LDAP entry's common name, a Polish driver.
        check("SSO| CN=Marcus Oyelaran,OU=Users,DC=corp| ok", "SSO| CN=[NAME],OU=Users,DC=corp| ok");
        check("kierowca=Tomasz Wójcik tel", "kierowca=[NAME] tel");
        // JSON, an object under the key (its members go by their own keys), and a name/value pair.
        check(
            r#"{"customer":"Aoife Byrne","driver":{"id":"drv_1","plate":"x"},"facts":[{"name":"Employee","value":"Deirdre Walsh"}]}"#,
            r#"{"customer":"[NAME]","driver":{"id":"drv_1","plate":"x"},"facts":[{"name":"Employee","value":"[NAME]"}]}"#,
        );
        // Ids, states, things, one word, a word of not_names, German nouns, a name/value pair of another shape.
        for line in [
            "driver=overlay2 customer=cus_8812 assignee=unassigned patient=Anna",
            r#"customer="Acme Support" sender="Mailer Daemon" contact="Sales Team" customer="NOT ASSIGNED""#,
            r#"{"driver":"overlay2","customer":"cus_8812","reviewer":"none","kunde":"Premium Tarif"}"#,
            r#"{"facts":[{"name":"customer","value":"cus_123"}]}"#,
            "customer='Northwind GmbH' patient=\"Name Unknown\"",
            "CN=Domain Admins,CN=Users,DC=corp subject=CN=Microsoft Corporation",
            "CN=Kubernetes Ingress Controller Fake Certificate",
            // Groups, programs, companies; a certificate's name that goes on past the name's words.
            r#"CN=Backup Operators,CN=Builtin,DC=corp driver="Oracle Thin" customer="Globex Holdings""#,
            "CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1 | CN=GTS CA 1C3",
            r#"[{"name":"user","value":"app.log"},{"name":"customer","value":"Acme Corp"}]"#,
        ] {
            check(line, line);
        }
    }

    #[test]
    fn a_value_found_once_is_replaced_wherever_else_it_stands_in_the_line() {
        // Serilog's property and the message rendered with it; a webhook's author and the body signed with the name.
        check(
            r#"{"@mt":"Login failed for {UserName}","UserName":"sven.a","message":"Login failed for \"sven.a\""}"#,
            r#"{"@mt":"Login failed for {UserName}","UserName":"[USERNAME]","message":"Login failed for \"[USERNAME]\""}"#,
        );
        check(
            r#"{"body":"<p>My card is late. Thanks, Oliver Bennett</p>","author":{"name":"Oliver Bennett","email":"ob@example.com"}}"#,
            r#"{"body":"<p>My card is late. Thanks, [NAME]</p>","author":{"name":"[NAME]","email":"[EMAIL]"}}"#,
        );
        // In any case; an address's user part, which mail servers log as the login; a VERP bounce address.
        check(
            r#"{"search_term":"camille durand facture","user_id":"x","user_properties":{"name":"Camille Durand"}}"#,
            r#"{"search_term":"[NAME] facture","user_id":"x","user_properties":{"name":"[NAME]"}}"#,
        );
        check(
            "dovecot: lda(lucie.m)<32211>: sieve: msgid=<x@y>: stored mail for lucie.m@laposte.net",
            "dovecot: lda([EMAIL])<32211>: sieve: msgid=<x@y>: stored mail for [EMAIL]",
        );
        // A login of both names is read as a name before the address echoes.
        check(
            "dovecot: lda(lucie.moreau)<32211>: stored mail for lucie.moreau@laposte.net",
            "dovecot: lda([NAME])<32211>: stored mail for [EMAIL]",
        );
        check(
            r#"{"sender":"bounce+1a2b3c.4d5e6f-greta.lindgren=telia.com@mg.example.io","mx-host":"mx01.telia.com"}"#,
            r#"{"sender":"bounce+1a2b3c.4d5e6f-[EMAIL]","mx-host":"mx01.telia.com"}"#,
        );
        // A phone under its key, repeated bare under a key that says nothing (WhatsApp's `from`); a number
        // shorter than ten digits is not looked for.
        check(
            r#"{"wa_id":"971501234567","messages":[{"from":"971501234567","id":"x"}],"n":"5551234"}"#,
            r#"{"wa_id":"[PHONE]","messages":[{"from":"[PHONE]","id":"x"}],"n":"5551234"}"#,
        );
        // A password repeated in a message; the same place as a region.
        check(
            "password=Tr0ub4dor&3x retry with Tr0ub4dor&3x failed city=Hamburg region=Hamburg",
            "password=[REDACTED] retry with [REDACTED] failed city=[LOCATION] region=[LOCATION]",
        );
        // Not a system's name under `name`, a short login, a key, a part of a word, or outside a JSON string.
        for (input, expected) in [
            (
                r#"{"name":"billing","paths":["/v1/billing"],"host":"billing.internal"}"#,
                r#"{"name":"[NAME]","paths":["/v1/billing"],"host":"billing.internal"}"#,
            ),
            ("user_name=admin role=admin", "user_name=admin role=admin"),
            ("user_name=sven role=sven", "user_name=[USERNAME] role=sven"),
            (
                r#"{"username":"jane.doe","jane.doe":1,"note":"jane.doexyz"}"#,
                r#"{"username":"[USERNAME]","jane.doe":1,"note":"jane.doexyz"}"#,
            ),
            (r#"{"card_number":"4111111111111111","n":4111111111111111}"#, r#"{"card_number":"[CARD]","n":"[CARD]"}"#),
        ] {
            check(input, expected);
        }
    }

    #[test]
    fn a_date_of_birth_in_prose_is_found_when_its_pattern_is_on() {
        // The engine reads a birth date after a birth word by itself when its year is before this decade's; the
        // pattern finds the others (a child's), at the cost of a regex over every text.
        let line = "identity confirmed: DOB 14/07/2018; born 2018-07-14; order 2024-03-12 shipped 12/03/2024";
        check(line, line);
        check_with(
            "[patterns.date_of_birth]\nenabled = true\n",
            line,
            "identity confirmed: DOB [DATE_OF_BIRTH]; born [DATE_OF_BIRTH]; order 2024-03-12 shipped 12/03/2024",
        );
        check(
            "identity confirmed: DOB 14/07/1986; born 1986-07-14; order 2024-03-12",
            "identity confirmed: DOB [PERSONAL]; born [PERSONAL]; order 2024-03-12",
        );
    }

    #[test]
    fn users_extend_change_and_turn_off_the_words_of_no_value() {
        let lines = [
            r#"{"email":"n/a","phone":"null","password":"changeme"} email=n/a --password-vault v1"#,
            r#"{"email":"[EMAIL]","phone":"null","password":"[REDACTED]"} email=[EMAIL] --password-vault [REDACTED]"#,
        ];
        check(lines[0], lines[1]);
        // A word of one's own, for every entity or under one key only; a flag name ending of one's own.
        let mine = "[not_values.placeholders]\nwords = [\"n/a\"]\n\n[not_values.demo_password]\nkeys = [\"password\"]\nwords = [\"changeme\"]\n\n[detectors.secret]\nflag_name_endings = [\"file\", \"vault\"]\n";
        check_with(
            mine,
            lines[0],
            r#"{"email":"n/a","phone":"null","password":"changeme"} email=n/a --password-vault v1"#,
        );
        check_with(
            mine,
            r#"{"secret":"changeme","password":"hunter2"}"#,
            r#"{"secret":"[REDACTED]","password":"[REDACTED]"}"#,
        );
        // An entry turned off, or narrowed to other entities, no longer applies.
        check_with(
            "[not_values.nothing]\nenabled = false\n",
            r#"{"phone":"null"} password=none"#,
            r#"{"phone":"[PHONE]"} password=[REDACTED]"#,
        );
        check_with(
            "[not_values.nothing]\nentities = [\"PHONE\"]\n",
            r#"{"phone":"null"} password=none"#,
            r#"{"phone":"null"} password=[REDACTED]"#,
        );
    }

    #[test]
    fn words_about_a_value_are_no_value_and_more_keys_name_people_and_places() {
        // Said of a secret, not the secret; sudo's working directory; an HTTP redirect; a pair after a scheme.
        for line in [
            "sudo: deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/ls",
            "Access denied for user 'root'@'localhost' (using password: YES)",
            "ssl.truststore.password = null, ssl.keystore.password = false",
            "HTTP/1.1 302 Found Location: https://www.example.com/dashboard",
            "token_type=Bearer expires_in=3600",
            // Said of a password, a public key's hash, a logger's name, variables and GraphQL types.
            r#"{"passwordChanged":"2024-02-01T10:00:00.000Z","password_min_length":12}"#,
            "password_expiry_days=90, Version=8.0.0.0, Culture=neutral, PublicKeyToken=7cec85d7bea7798e",
            "[nio-8080-exec-2] o.s.s.w.a.UsernamePasswordAuthenticationFilter : Set SecurityContextHolder to anonymous",
            r#"{"query":"mutation Login($email: String!, $password: String!) { login(password: $password) }"}"#,
            r#"{"client":{"driver":{"name":"nodejs"},"os":{"type":"Linux","name":"linux"}}}"#,
            // Cloud regions, in JSON and in text; a JSON string that says a secret is unset.
            r#"{"resource":{"labels":{"location":"us-central1"}},"location":"eastus","zone":{"location":"europe-west4-a"}}"#,
            r#"{"password":"null","token":"$TOKEN"} location=us-east-1"#,
            r#"{"client_ip":"127.0.0.1","ip":"::1"} remote_addr=127.0.0.1 ip=0.0.0.0"#,
            // One or two digits under a secret's key.
            "Remote Desktop Services: Session logon succeeded: Session ID: 3",
        ] {
            check(line, line);
        }
        check(
            "password=hunter2 PWD=hunter2 Location: 221B Baker Street",
            "password=[REDACTED] PWD=[REDACTED] Location: [LOCATION]",
        );
        check("Session ID: 123 cvv=123", "Session ID: [REDACTED] cvv=[REDACTED]");
        check("Authorization: Bearer abcdefgh12345678==", "Authorization: Bearer [REDACTED]");
        check(
            "302 Location: https://app.example.com/cb#access_token=ya29.a0ARrdaMEXAMPLE&token_type=Bearer",
            "302 Location: https://app.example.com/cb#access_token=[REDACTED]&token_type=Bearer",
        );
        check(
            r#"{"location":"Leeds","location_data":"us-central1","password":"hunter2","ip":"10.0.0.1"} location=london"#,
            r#"{"location":"[LOCATION]","location_data":"[LOCATION]","password":"[REDACTED]","ip":"[IP]"} location=[LOCATION]"#,
        );
        check(
            r#"{"userDisplayName":"Erin","contactName":"Kyle","name_on_card":"Vera","address_1":"77 High St","CallerZip":"94105"}"#,
            r#"{"userDisplayName":"[NAME]","contactName":"[NAME]","name_on_card":"[NAME]","address_1":"[LOCATION]","CallerZip":"[LOCATION]"}"#,
        );
        check("PresharedKey = /UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak=", "PresharedKey = [REDACTED]");
        check("Stripe-Signature: t=1710238608,v1=5257a869e7ec,v0=6ffbb59b", "Stripe-Signature: [REDACTED]");
    }

    #[test]
    fn a_text_name_value_pair_reads_like_a_json_one() {
        // Go's `%+v` of Kubernetes env vars, as kubelet logs them, and `name=…, value=…`.
        check(
            "kubelet.go:123] EnvVar{Name:DATABASE_PASSWORD,Value:s3cr3tValue,ValueFrom:nil}",
            "kubelet.go:123] EnvVar{Name:DATABASE_PASSWORD,Value:[REDACTED],ValueFrom:nil}",
        );
        // Quoted, as JSON or a Python dict written into a text line (boto3's debug log of a Cognito request): the
        // names of standard attributes are fields', and the values get their rules.
        check(
            r#"params: b'{"UserAttributes": [{"Name": "email", "Value": "m.jansen@ziggo.nl"}, {"Name": "name", "Value": "Maarten Jansen"}]}' {'Name': 'given_name', 'Value': 'Kyle'}"#,
            r#"params: b'{"UserAttributes": [{"Name": "email", "Value": "[EMAIL]"}, {"Name": "name", "Value": "[NAME]"}]}' {'Name': 'given_name', 'Value': '[NAME]'}"#,
        );
        check(
            "[{Name:DB_PASSWORD Value:hunter2 ValueFrom:nil} {Name:LOG_LEVEL Value:debug ValueFrom:nil}]",
            "[{Name:DB_PASSWORD Value:[REDACTED]} {Name:LOG_LEVEL Value:debug ValueFrom:nil}]",
        );
        check("name=API_TOKEN, value=abc123 value=5", "name=API_TOKEN, value=[REDACTED] value=5");
        // A name that may be a person's, or a name with no value after it, is a person's name as before.
        check("user Name:Jane,Value:3 Name: Jane Doe", "user Name:[NAME],Value:3 Name: [NAME]");
        check("value=5 Name:LOG_LEVEL", "value=5 Name:[NAME]");
    }

    #[test]
    fn dhcp_client_ids_and_duids_of_a_mac_and_sip_numbers_are_found() {
        // dnsmasq's lease line, Kea's `cid=[…]`, ISC dhcpd's DUID-LLT and a DUID-LL; netfilter's run is as before.
        check("1710325025 a4:83:e7:12:34:57 10.1.1.27 host 01:a4:83:e7:12:34:57", "1710325025 [MAC] [IP] host [MAC]");
        check(
            "cid=[01:00:0c:29:ab:cd:f2], duid 00:01:00:01:2d:5e:6f:70:00:0c:29:ab:cd:f6 or 00:03:00:01:00:0c:29:ab:cd:f7",
            "cid=[[MAC]], duid [MAC] or [MAC]",
        );
        check("MAC=00:16:3e:5e:6c:00:52:54:00:12:35:02:08:00 SRC", "MAC=[MAC] SRC");
        // Without the key, the detector reads the two MACs and leaves the EtherType.
        check("frame 00:16:3e:5e:6c:00:52:54:00:12:35:02:08:00 SRC", "frame [MAC]:[MAC]:08:00 SRC");
        // A MAC under a key that names one, in any notation (the bare twelve hex digits only there).
        check(r#"{"mac":"001a2b3c4d5e","sta_mac":"a4c3.f0e2.11b9"}"#, r#"{"mac":"[MAC]","sta_mac":"[MAC]"}"#);
        check("client_mac=001A2B3C4D5E ok", "client_mac=[MAC] ok");
        // Keys of forms in other languages, of API keys, of logins; component ids and versions are no name or IP.
        check(
            r#"{"vorname":"Jonas","nachname":"Weber","geburtsdatum":"12.06.1984","sender":{"login":"octocat"}}"#,
            r#"{"vorname":"[NAME]","nachname":"[NAME]","geburtsdatum":"[PERSONAL]","sender":{"login":"[USERNAME]"}}"#,
        );
        check(
            "license_key=eu01xx3f8e2a1c9d7b6a5f4e3d2c1b0a9fNRAL token_auth=a1f2e3d4",
            "license_key=[REDACTED] token_auth=[REDACTED]",
        );
        check(
            r#"{"name":"otlp/tempo","notifier":{"name":"Bugsnag Node"},"browser_version":"131.0.0.0"}"#,
            r#"{"name":"otlp/tempo","notifier":{"name":"Bugsnag Node"},"browser_version":"131.0.0.0"}"#,
        );
        check(
            "Mit freundlichen Grüßen, Jonas Weber / Merci,<br/>Théo Lambert / Customer Success team",
            "Mit freundlichen Grüßen, [NAME] / Merci,<br/>[NAME] / Customer Success team",
        );
        // A street address in prose is the field `street_address`'s.
        check(
            r#"{"body":"<p>My new address is 9 Carlton Terrace, Edinburgh</p>","note":"ship to Lindenstrasse 7"}"#,
            r#"{"body":"<p>My new address is [LOCATION], Edinburgh</p>","note":"ship to [LOCATION]"}"#,
        );
        // A SOAP body's namespaced elements, which the HTML reader blanks as markup, are read by their local name.
        check(
            "<soapenv:Body><sf:FirstName>Henrik</sf:FirstName><sf:Email>h.olsen@mail.dk</sf:Email><sf:Id>003</sf:Id>",
            "<soapenv:Body><sf:FirstName>[NAME]</sf:FirstName><sf:Email>[EMAIL]</sf:Email><sf:Id>003</sf:Id>",
        );
        // HL7 segments, on a line of their own, joined with spaces, or in a JSON string with their carriage
        // returns escaped: a patient's fields by position (the identifiers stay).
        check(
            "PID|1||483920^^^HOSP^MR||Whitfield^Sarah^J||19840312|F|||42 Harbour Road^^Brighton^^BN1 4QQ^GB||07700 900461",
            "PID|1||483920^^^HOSP^MR||[NAME]||[PERSONAL]|F|||[LOCATION]||[PHONE]",
        );
        check(
            r#"{"msg":"ADT^A01 received","hl7":"MSH|^~\\&|EPIC|HOSP\rPID|1||7781||GARCIA^LUIS||19720905|M\rPV1|1|I"}"#,
            r#"{"msg":"ADT^A01 received","hl7":"MSH|^~\\&|EPIC|HOSP\rPID|1||7781||[NAME]||[PERSONAL]|M\rPV1|1|I"}"#,
        );
        // ISO 20022 payments (SEPA): the parties' names, postal addresses and birth dates.
        check(
            "<Dbtr><Nm>Oliver Hughes</Nm><PstlAdr><StrtNm>Baker Street</StrtNm><BldgNb>221B</BldgNb></PstlAdr></Dbtr>",
            "<Dbtr><Nm>[NAME]</Nm><PstlAdr><StrtNm>[LOCATION]</StrtNm><BldgNb>[LOCATION]</BldgNb></PstlAdr></Dbtr>",
        );
        // Logins quoted after `user` (PostgreSQL, nginx, MySQL), service accounts kept.
        check(
            r#"FATAL:  password authentication failed for user "tdvorak" / user "postgres" / for user 'mkaya'@'host'"#,
            r#"FATAL:  password authentication failed for user "[USERNAME]" / user "postgres" / for user '[USERNAME]'@'host'"#,
        );
        // An ArcSight CEF custom field gets the rule of the key its label names.
        check(
            "CEF:0|Okta|Okta|1.0|x|y|3|cs1Label=displayName cs1=Sofia Andersson cs2Label=adminprofile cs2=super_admin",
            "CEF:0|Okta|Okta|1.0|x|y|3|cs1Label=displayName cs1=[NAME] cs2Label=adminprofile cs2=super_admin",
        );
        // OpenVPN's users beside their addresses; an IPv6 address with a port after it (HAProxy).
        check(
            "tomas.dvorak/81.2.69.160:60122 MULTI_sva: pool returned / [mehmet.kaya] Peer Connection Initiated with [AF_INET]81.2.69.160:51234",
            "[USERNAME]/[IP]:60122 MULTI_sva: pool returned / [[USERNAME]] Peer Connection Initiated with [AF_INET][IP]:51234",
        );
        // A JSON string that ends in `user `: the line's anchors read the prefix `user "` over the string's closing
        // quote, which the string's own text does not hold (the fuzzer found the line withheld).
        check(r#"{"msg":"Login failed for User ","x":1}"#, r#"{"msg":"Login failed for User ","x":1}"#);
        check(r#"{"msg":"for user "}"#, r#"{"msg":"for user "}"#);
        // (An empty name is no one's: the fuzzer found it gave an empty edit.)
        check(
            "[] Peer Connection Initiated with [AF_INET]81.2.69.160:51234",
            "[] Peer Connection Initiated with [AF_INET][IP]:51234",
        );
        check(
            "haproxy[1902]: 2804:14c:5b81:8a2e:1d3:7f21:c9e0:4b12:50022 [04/Dec/2024",
            "haproxy[1902]: [IP]:50022 [04/Dec/2024",
        );
        // Devices named after their owners are the field `device_hostname`'s.
        check(
            "DHCPACK(br0) 192.168.1.23 Annas-iPhone / Galaxy-Tab-Active",
            "DHCPACK(br0) [IP] [NAME] / Galaxy-Tab-Active",
        );
        // An organization's name and a form's field name under `name` are no person's.
        check(
            r#"{"traits":{"name":"Acme Logistics BV"},"fields":[{"name":"firstname","label":"First name"}],"name":"Jan Nowak"}"#,
            r#"{"traits":{"name":"Acme Logistics BV"},"fields":[{"name":"firstname","label":"First name"}],"name":"[NAME]"}"#,
        );
        // A date after a word that says it is a birth date, in the languages support is written in; not a log's
        // timestamp, whatever word is before it.
        check(
            "geboortedatum is 14-03-1987, nata il 05/01/1992, född 1990-03-14. Logged 2026-02-16 20:42:54 born",
            "geboortedatum is [PERSONAL], nata il [PERSONAL], född [PERSONAL]. Logged 2026-02-16 20:42:54 born",
        );
        check("born 2024-01-01 10:00:00 job started", "born 2024-01-01 10:00:00 job started");
        // A date written with a space after each mark is one date (`14. 7. 1986`).
        check("datum narození 14. 7. 1986, DOB 14- 07- 1986", "datum narození [PERSONAL], DOB [PERSONAL]");
        // Not OpenVPN's: a protocol or a backend before an address; a CEF label of words, read whole.
        check("Listening on tcp/10.1.2.3:443 OK", "Listening on tcp/[IP]:443 OK");
        check(
            "CEF:0|A|B|1|x|y|3|cs1Label=Name of Policy cs1=Default Block Rule cs3Label=Full Name cs3=Jan Novak act=x",
            "CEF:0|A|B|1|x|y|3|cs1Label=Name of Policy cs1=Default Block Rule cs3Label=Full Name cs3=[NAME] act=x",
        );
        // The caller that goes with a phone in SIP and telephony logs.
        check(
            r#"From: "Emily Carter" <sip:+14155550137@sip.twilio.com>;tag=8f3c / Processing Sofia Andersson <+46701234567>->q"#,
            r#"From: "[NAME]" <sip:[PHONE]@sip.twilio.com>;tag=8f3c / Processing [NAME] <[PHONE]>->q"#,
        );
        // The postcode and the town after a street.
        check("jag bor på Vasagatan 12, 413 04 Göteborg. Ring", "jag bor på [LOCATION]. Ring");
        // A dotted JSON key is a path written flat, read as a `key=value` key in text is.
        check(
            r#"{"customer.full_name":"Hannah Schmidt","host.name":"web-1","db.name":"orders","a":{"b.email":"x"}}"#,
            r#"{"customer.full_name":"[NAME]","host.name":"web-1","db.name":"orders","a":{"b.email":"[EMAIL]"}}"#,
        );
        // A phone whose area code is in parentheses, as a form encodes it.
        check(
            "list=4&contact%5Bphone%5D=%28415%29+555-0132&x=2 phone=(415) 555-0132, ok=(1) 2",
            "list=4&contact%5Bphone%5D=[PHONE]&x=2 phone=[PHONE], ok=(1) 2",
        );
        // A mailer DSN whose user is an escaped address: the user and the password are one finding.
        check(
            "DSN invalid: smtp://noreply%40northwind.de:Gl4sH0use%21x@smtp.northwind.de:587 []",
            "DSN invalid: smtp://[REDACTED]@smtp.northwind.de:587 []",
        );
        // A SIP or tel URI's number, and a display name that repeats it; an extension is no phone.
        check(
            "from '\"4155550137\" <sip:4155550137@203.0.113.121>' to <sips:+447700900123@carrier.example>;tag=1",
            "from '\"[PHONE]\" <sip:[PHONE]@[IP]>' to <sips:[PHONE]@carrier.example>;tag=1",
        );
        check("ext sip:1001@10.0.0.1, <tel:+14155552671>", "ext sip:1001@[IP], <tel:[PHONE]>");
    }

    #[test]
    fn freeradius_passwords_and_basic_auth_headers_are_secrets() {
        check(
            "Auth: (43) Login incorrect: [bob/Wr0ngP4ss] (from client nas01 port 1 cli 10.0.0.9)",
            "Auth: (43) Login incorrect: [[REDACTED]] (from client nas01 port 1 cli [IP])",
        );
        check("Auth: (44) Login OK: [carol@example.com/C0rr3ct/H0rse]", "Auth: (44) Login OK: [[REDACTED]]");
        check("twilio -- BasicAuth: AC0123:9f8e7d6c5b4a39281706f5e4d3c2b1a0", "twilio -- BasicAuth: [REDACTED]");
        // The server's own words, and a login with no brackets.
        for line in [
            "Auth: (45) Login incorrect (mschap: MS-CHAP2-Response is incorrect): [bob/<via Auth-Type = mschap>] (from client x port 0)",
            "Login OK for the admin console",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn password_hashes_in_the_modular_crypt_format_are_secrets() {
        // bcrypt in SQL binds (SQLAlchemy, Rails, Laravel), SHA-512 crypt in a shadow line, Argon2 before a comma.
        check(
            "[generated in 0.00015s] ('bea@example.com', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW')",
            "[generated in 0.00015s] ('[EMAIL]', '[REDACTED]')",
        );
        check(
            r#"[["encrypted_password", "$2a$12$abcdefghijklmnopqrstuOeJ8yHo2bU5nP3c4dZtK6qFgRsTuVwXy"], ["id", 42]]"#,
            r#"[["encrypted_password", "[REDACTED]"], ["id", 42]]"#,
        );
        check(
            "values (Quinn, $2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234, 2024-03-12)",
            "values (Quinn, [REDACTED], 2024-03-12)",
        );
        check("root:$6$rounds=5000$saltsalt$Wv1LAXyA5k9cJ5t3NfUuGLB5k.jU1kqu3Z:19000:0", "root:[REDACTED]:19000:0");
        check(
            r#"{"h":"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", "n":1}"#,
            r#"{"h":"[REDACTED]", "n":1}"#,
        );
        // Prices, a short or glued shape, a variable.
        for line in [
            "costs $1$ each, $5 total, $2b$12$short, x$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0",
            "$6$ $HOME",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn literals_of_no_value_tiny_numbers_and_names_of_tags_and_scopes_are_kept() {
        // JSON written into a text line keeps its literals; one or two digits are no email, address or secret.
        check(
            r#"GET /contacts -> 200 [{"phone":null,"avatar":None,"email":"a@b.co","x":"IXSCAN { email: 1 }"}] ip=1"#,
            r#"GET /contacts -> 200 [{"phone":null,"avatar":None,"email":"[EMAIL]","x":"IXSCAN { email: 1 }"}] ip=1"#,
        );
        // Intercom's tags and segments, Sentry's SDK, OpenTelemetry's scope and Serilog's event ids name no one.
        check(
            r#"{"tags":{"tags":[{"type":"tag","name":"churn-risk"}]},"segments":[{"name":"vip"}],"sdk":{"name":"sentry.javascript"},"scope":{"name":"orders"},"EventId":{"Name":"Listening"},"name":"Jane Doe"}"#,
            r#"{"tags":{"tags":[{"type":"tag","name":"churn-risk"}]},"segments":[{"name":"vip"}],"sdk":{"name":"sentry.javascript"},"scope":{"name":"orders"},"EventId":{"Name":"Listening"},"name":"[NAME]"}"#,
        );
        // Street lines under a prefix, login names under one, any cookie header, OIDC's session state.
        check(
            r#"{"billing_street":"Eppendorfer Weg 211","shipping_line1":"Rua da Prata 80","ClientUsername":"bob","request_Cookie":"sid=abc","session_state":"abc-123"}"#,
            r#"{"billing_street":"[LOCATION]","shipping_line1":"[LOCATION]","ClientUsername":"[USERNAME]","request_Cookie":"[REDACTED]","session_state":"[REDACTED]"}"#,
        );
        // A mail's Message-ID names a message; the sender beside it is an address.
        check(
            "postfix/cleanup[31420]: 6E3F71C0D5F: message-id=<20240312102517.6E3F@mx2.example.de> from=<a@b.co>",
            "postfix/cleanup[31420]: 6E3F71C0D5F: message-id=<20240312102517.6E3F@mx2.example.de> from=<[EMAIL]>",
        );
        check("Message-ID: <CAF=x1@mail.gmail.com>", "Message-ID: <CAF=x1@mail.gmail.com>");
        // Traefik's `-` for no user.
        check(r#"{"ClientUsername":"-","DownstreamStatus":200}"#, r#"{"ClientUsername":"-","DownstreamStatus":200}"#);
        // A house number and a name keep theirs.
        check("street=12 name=Al", "street=[LOCATION] name=[NAME]");
    }

    #[test]
    fn the_value_of_a_command_line_flag_that_names_a_secret_is_a_secret() {
        check(
            "COMMAND=/usr/bin/mysql --password hunter2 -u root",
            "COMMAND=/usr/bin/mysql --password [REDACTED] -u root",
        );
        check(
            "pg_dump --token abc123 --api-key XyZ987 --user alice --secret \"my secret\" --client-secret s3",
            "pg_dump --token [REDACTED] --api-key [REDACTED] --user alice --secret \"[REDACTED]\" --client-secret [REDACTED]",
        );
        check(r#"{"cmd":"vault login --token hvs_x1 -x"}"#, r#"{"cmd":"vault login --token [REDACTED] -x"}"#);
        // `--pass`, a key the rules list (redis-cli's).
        check("redis-cli -h 10.0.0.5 --pass p4ss ping", "redis-cli -h [IP] --pass [REDACTED] ping");
        // A value in parentheses, spaces inside: its first word, and no empty replacement before it.
        check("mysql --password ( hunter2 ) -u root", "mysql --password ( [REDACTED] ) -u root");
        check("mysql --password (hunter2) -u root", "mysql --password ([REDACTED]) -u root");
        check("mysql --password (  ) -u root", "mysql --password (  ) -u root");
        // A flag that names no secret, a file or a way to read one, a variable, another flag, a PEM armour line.
        for line in [
            "docker run --name web --password-file /run/pw --password-stdin registry.example.com",
            "login --token $TOKEN --password --verbose a--password b",
            "-----BEGIN CERTIFICATE----- --password",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn oauth_codes_redis_auth_docker_tokens_and_secrets_with_ampersands_are_secrets() {
        check(
            "GET /oauth/callback?code=4/0AeaYSHB1x2y3zQwErTyUiOp&state=xyz HTTP/1.1",
            "GET /oauth/callback?code=[REDACTED]&state=xyz HTTP/1.1",
        );
        check(
            "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&client_id=s6BhdRkqt3",
            "grant_type=authorization_code&code=[REDACTED]&client_id=s6BhdRkqt3",
        );
        check("GET /promo?code=SUMMER24 HTTP/1.1", "GET /promo?code=SUMMER24 HTTP/1.1");
        check(r#"1710238572.2 [0 unix:/s] "AUTH" "R3d1sP@ss!""#, r#"1710238572.2 [0 unix:/s] "AUTH" "[REDACTED]""#);
        check(
            r#"1710238572.2 [0 unix:/s] "AUTH" "app" "R3\"d1s""#,
            r#"1710238572.2 [0 unix:/s] "AUTH" "app" "[REDACTED]""#,
        );
        check("docker login -u ci -p dckr_pat_AbCdEf0123456789XyZabc r.io", "docker login -u ci -p [REDACTED] r.io");
        // An `&` or parentheses inside a secret, but a query string's next pair.
        check("env SECRET_KEY=django-insecure-7x!k2@a#9zq$r5p^w8e&t*y(u)i_o+p= next", "env SECRET_KEY=[REDACTED] next");
        check("GET /cb?token=abc123def&state=xyz q=Tom&Jerry", "GET /cb?token=[REDACTED]&state=xyz q=Tom&Jerry");
    }

    #[test]
    fn variables_templates_network_addresses_and_signatures_under_classified_keys_are_no_values() {
        // A variable, a template's field, a SQL statement's parameter, a token npm will not show.
        check("//registry.npmjs.org/:_authToken=${NPM_TOKEN}", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}");
        check("//npm.pkg.github.com/:_authToken = (protected)", "//npm.pkg.github.com/:_authToken = (protected)");
        check("SELECT id FROM users WHERE email = $1", "SELECT id FROM users WHERE email = $1");
        check(
            "SELECT Id FROM Contact WHERE Email = :email LIMIT 1",
            "SELECT Id FROM Contact WHERE Email = :email LIMIT 1",
        );
        check("password={{ vault_password }} email=%s", "password={{ vault_password }} email=%s");
        // An IP address under an address key is read as an address of a machine, not of a street.
        check("Source Network Address: 203.0.113.7 Source Port: 0", "Source Network Address: [IP] Source Port: 0");
        check("cluster address: \"0.0.0.0:8201\", tls", "cluster address: \"0.0.0.0:8201\", tls");
        // A mail's DKIM signature is public; under a secret's key, a value that starts with a colon is no parameter.
        check("DKIM-Signature: v=1; a=rsa-sha256; d=nordhavn.dk;", "DKIM-Signature: v=1; a=rsa-sha256; d=nordhavn.dk;");
        check("password=:Tr0ub4dor3 x", "password=[REDACTED] x");
        // A MAC under a key that ends in one, a device's EUI-64, a program's file under a name.
        check(
            r#"{"wiFiMacAddress":"a8a1592f3c6e","dev_eui":"70b3d57ed005a1b2","name":"w3wp.exe"}"#,
            r#"{"wiFiMacAddress":"[MAC]","dev_eui":"[MAC]","name":"w3wp.exe"}"#,
        );
        check(
            r#"User "system:serviceaccount:prod:billing" cannot list"#,
            r#"User "system:serviceaccount:prod:billing" cannot list"#,
        );
        check(r#"User "oidc:jdoe" cannot list pods"#, r#"User "[USERNAME]" cannot list pods"#);
        // A document named after a person is no program's file.
        check(r#"{"name":"Maria_Gonzalez_Resume.pdf"}"#, r#"{"name":"[NAME]"}"#);
        check(
            "java -Daws.secret.access.key=wJalrXUtnFEMI/K7MDENG -jar a.jar",
            "java -Daws.secret.access.key=[REDACTED] -jar a.jar",
        );
    }

    #[test]
    fn cards_ssns_and_itins_as_payment_tax_and_mainframe_systems_write_them() {
        check_lines(
            "",
            &[
                // Dotted fours, a query string's `+`, a 13-digit Visa as printed, the PAN of an EMV dump's tag
                // `5A`, a card glued to a form of payment's capitals, and a card with its expiry two spaces on.
                ("pls charge 5186.2695.1603.6627 for", "pls charge [CARD] for"),
                ("GET /pay.asp?ccnum=4929+2517+5931+5319&ccexp=1227", "GET /pay.asp?ccnum=[CARD]&ccexp=1227"),
                ("PAN 4195 328 192 277 CONVERTED", "PAN [CARD] CONVERTED"),
                (
                    "9F02 06 000000004250 5A 08 49 17 36 68 45 81 37 80 5F24 03 270930",
                    "9F02 06 000000004250 5A 08 [CARD] 5F24 03 270930",
                ),
                ("FOP CCCA5306168352522465/1128", "FOP CCCA[CARD]/1128"),
                ("CARDMAST  4727369893745789  2903 ACTIVE", "CARDMAST  [CARD]  2903 ACTIVE"),
                // Not a version of four dotted numbers, nor a hex hash's digits.
                ("lib 5186.2695.1603 loaded", "lib 5186.2695.1603 loaded"),
                ("trace abcdef4111111111111111 x", "trace abcdef4111111111111111 x"),
                // ITINs, shaped or after their word; an SSN in dots under its key, after X12's `REF*SY*`, and in an
                // XML element that names it.
                ("ITIN 959-71-7889 may be expired", "ITIN [SSN] may be expired"),
                ("primary TIN 962848305 does not match", "primary TIN [SSN] does not match"),
                ("x 912-34-5678 y", "x 912-34-5678 y"),
                ("taxpayer_ssn=\"898.29.5271\" source=ocr", "taxpayer_ssn=\"[SSN]\" source=ocr"),
                ("N4*AUSTIN*TX*78701~REF*SY*545293149~", "N4*AUSTIN*TX*78701~REF*SY*[SSN]~"),
                ("<Filer><PrimarySSN>077388816</PrimarySSN></Filer>", "<Filer><PrimarySSN>[SSN]</PrimarySSN></Filer>"),
                ("<Order><OrderId>077388816</OrderId></Order>", "<Order><OrderId>077388816</OrderId></Order>"),
                // Masked by the program that logged them: BIN and last four, an SSN's last four.
                ("cardNumber=442668******6640 authCode=T74512", "cardNumber=442668******6640 authCode=T74512"),
                (r#"{"ssn":"XXX-XX-1142","dept":"Eng"}"#, r#"{"ssn":"XXX-XX-1142","dept":"Eng"}"#),
                ("EXPORT|SSN=***-**-4471|STATE=OH", "EXPORT|SSN=***-**-4471|STATE=OH"),
            ],
        );
    }

    #[test]
    fn secrets_of_more_vendors_frameworks_and_tools() {
        check_lines(
            "",
            &[
                ("runner=glrt-eo94_va69a227n1UzMU4xYz executor=docker", "runner=[REDACTED] executor=docker"),
                // Google's `ya29.` tokens under their keys and after `Bearer` (no prefix of their own).
                ("access_token=ya29.a0dNklIp2Gq-Uwgys2DIbHbAEXV_97OZtRJoABsBi28", "access_token=[REDACTED]"),
                ("# AGE-SECRET-KEY-19AD3WSWJAHGKW20WVS96TC4W7Q4QACSDMM3U4RMAHKUR2FD2RPSSAURG7V", "# [REDACTED]"),
                ("curl -H \"Authorization: ApiKey WWthREV2Q29UcW11YkhQOHYzenk6anBE==\" https://es", "curl -H \"Authorization: ApiKey [REDACTED]\" https://es"),
                ("userPassword: {SSHA}9Y+zVAG/EcA19kQyfqDcOzW+bIQFRK5TAb2Q0g==", "userPassword: [REDACTED]"),
                ("users: admin:$apr1$8PlDiBLW$iXEEhoOkrBNxIImPvpxQzs done", "users: admin:[REDACTED] done"),
                ("password 'pbkdf2_sha256$870000$Eibq79Nuq2Mxw7cWtGiIcM$ZGeDLOQ36J2H/gr9J2RTKl='", "password '[REDACTED]'"),
                ("POST https://api.telegram.org/bot6319582482:AAJbUm8bmFFrGw7Kw8mPTYcpDlExWZEsPjp/sendMessage", "POST https://api.telegram.org/bot[REDACTED]/sendMessage"),
                ("token 6319582482:AAJbUm8bmFFrGw7Kw8mPTYcpDlExWZEsPjp set", "token [REDACTED] set"),
                ("grant_type=authorization_code, code=532b603b-3d70-4e93, x=1", "grant_type=authorization_code, code=[REDACTED], x=1"),
                ("curl -d grant_type=authorization_code -d code=BeuTrjgPYF_fG1Z6QQ -d code_verifier=iIsXVX-8xtAgtbGD", "curl -d grant_type=authorization_code -d code=[REDACTED] -d code_verifier=[REDACTED]"),
                ("POST /login.aspx ASP.NET_SessionId=abc123;+.ASPXAUTH=8A94E9FEB11D1426B5A4 302", "POST /login.aspx ASP.NET_SessionId=[REDACTED];+.ASPXAUTH=[REDACTED] 302"),
                (r#"{"env":{"APP_KEY":"base64:ACG///iS4r3lKmc3v8xAay="}}"#, r#"{"env":{"APP_KEY":"[REDACTED]"}}"#),
                ("клиент: мой пароль Walnut774^, не могу войти", "клиент: мой пароль [REDACTED], не могу войти"),
                // Said of a secret, not the secret: its size, Terraform's placeholder, Ansible Vault's tag, keys made
                // to be public, an ARN's service, a masked key, and the hashers of Django's settings.
                ("Data ====  password:  24 bytes  username:  3 bytes", "Data ====  password:  24 bytes  username:  3 bytes"),
                ("      + password = (sensitive value)", "      + password = (sensitive value)"),
                ("db_password: !vault | $ANSIBLE_VAULT;1.1;AES256", "db_password: !vault | $ANSIBLE_VAULT;1.1;AES256"),
                (r#"{"publishableKey":"pk_live_51Hx8aKq2eZvKYlo2C0Qw"}"#, r#"{"publishableKey":"pk_live_51Hx8aKq2eZvKYlo2C0Qw"}"#),
                ("[id=arn:aws:secretsmanager:eu-west-1:230804163007:secret:prod/db/password-GkLu9r]", "[id=arn:aws:secretsmanager:eu-west-1:230804163007:secret:[REDACTED]]"),
                ("api_key: ***************************a1b2 site: datadoghq.eu", "api_key: ***************************a1b2 site: datadoghq.eu"),
                ("PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']", "PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']"),
                ("otel span name=POST /v1/charges trace_id=4bf9", "otel span name=POST /v1/charges trace_id=4bf9"),
            ],
        );
    }

    #[test]
    fn what_the_review_of_audits_35_and_36_readers_found() {
        check_lines(
            "",
            &[
                // Kept: error codes in a line that names the grant, an element that names a phone's app, a tag that
                // only ends in `5A`, a hex string glued to a card-shaped number, secrets that only look masked or
                // sized, and a phone before an amount or beside a name that is also a currency's.
                ("status code=400 grant_type=authorization_code", "status code=400 grant_type=authorization_code"),
                (
                    "grant_type=authorization_code, code=invalid_grant",
                    "grant_type=authorization_code, code=invalid_grant",
                ),
                ("<MobileAppVersion>20240101</MobileAppVersion>", "<MobileAppVersion>20240101</MobileAppVersion>"),
                ("R5A 08 49 17 36 68 45 81 37 80", "R5A 08 49 17 36 68 45 81 37 80"),
                ("trace DEADBEEF4111111111111111 x", "trace DEADBEEF4111111111111111 x"),
                ("ports open: 631 22 80 88", "ports open: 631 22 80 88"),
                (
                    "password=XxXx2024 token=xxxx1234 api_key=2048B",
                    "password=[REDACTED] token=[REDACTED] api_key=[REDACTED]",
                ),
                ("contact Li Lei 13800138000", "contact Li Lei [PHONE]"),
                ("call me at 0612345678 try after 5pm", "call me at [PHONE] try after 5pm"),
                ("WhatsApp 98765 43210 Rs 500 paid", "WhatsApp [PHONE] Rs 500 paid"),
                // Found: an element with attributes, OpenLDAP's root password, keys in other scripts.
                (
                    r#"<TaxpayerSSN type="primary">077388816</TaxpayerSSN>"#,
                    r#"<TaxpayerSSN type="primary">[SSN]</TaxpayerSSN>"#,
                ),
                ("olcRootPW: s3cretR00t", "olcRootPW: [REDACTED]"),
                // Basic credentials in base64 under Docker's and npm's `auth`; not a word or base64 without a `:`.
                (
                    r#"config.json: {"auths":{"r.io":{"auth":"cHVsbC1vbmx5Ok83aDh6a09DQ3g5VDExU0c4"}}}"#,
                    r#"config.json: {"auths":{"r.io":{"auth":"[REDACTED]"}}}"#,
                ),
                (
                    "//r.io/npm/:_auth=bWV0cmljczpNMDU0MWNoNHJiMHIh always-auth=true",
                    "//r.io/npm/:_auth=[REDACTED] always-auth=true",
                ),
                ("auth=ok status=200 auth=dGVzdA== x", "auth=ok status=200 auth=dGVzdA== x"),
                ("hasło: Tr0ub4dor jelszó: abc123XY", "hasło: [REDACTED] jelszó: [REDACTED]"),
                ("пароль: qwerty123", "пароль: [REDACTED]"),
            ],
        );
    }

    #[test]
    fn amounts_durations_and_sizes_after_a_phone_word_are_no_phone() {
        check_lines(
            "",
            &[
                ("телефон ответил за 1234567 мс", "телефон ответил за 1234567 мс"),
                ("تلفن همراه قیمت ۵۰۰۰۰۰۰ ریال", "تلفن همراه قیمت ۵۰۰۰۰۰۰ ریال"),
                ("phone plan 1234567 EUR", "phone plan 1234567 EUR"),
                ("téléphone acheté 1234567 €", "téléphone acheté 1234567 €"),
                ("phone price ₹1234567", "phone price ₹1234567"),
                ("mobile 12 345 678 zł", "mobile 12 345 678 zł"),
                ("phone USD 1234567", "phone USD 1234567"),
                ("handy kostet 1234567 Euro", "handy kostet 1234567 Euro"),
                // A word that only starts like a unit, or a name, after the number.
                ("phone 1234567 мсье", "phone [PHONE] мсье"),
                ("тел 1234567 Иван", "тел [PHONE] Иван"),
            ],
        );
    }

    #[test]
    fn a_masked_value_masked_again_stays_as_it_is() {
        for value in ["Anne-Marie d'Arc", "12 Main St, Springfield, IL", "+44 20 7946 0740", "Jane", "tschüß Straße 12"]
        {
            let mut once = Vec::new();
            mask_into(value.as_bytes(), &mut once);
            let mut twice = Vec::new();
            mask_into(&once, &mut twice);
            assert_eq!(String::from_utf8_lossy(&twice), String::from_utf8_lossy(&once), "for {value:?}");
            assert_eq!(once.len(), value.chars().count(), "one byte per character for {value:?}");
        }
        let mut out = Vec::new();
        mask_into(b"Anne-Marie d'Arc", &mut out);
        assert_eq!(out, b"****-***** **Arc");
    }

    #[test]
    fn percent_encoded_text_is_read_decoded_and_its_escapes_are_replaced() {
        // A URL in a query parameter, encoded once or twice, in text and in a JSON string: the escapes around a
        // value stay, the value's own escapes go with it.
        check(
            "redirect=%2Fcb%3Femail%3Djane.doe%2540example.com%26phone%3D%252B14155552671 ok",
            "redirect=%2Fcb%3Femail%3D[EMAIL]%26phone%3D[PHONE] ok",
        );
        check(
            "GET /login?next=%2Fme%3Fpassword%3Dhunter2%26x%3D1 HTTP/1.1",
            "GET /login?next=%2Fme%3Fpassword%3D[REDACTED]%26x%3D1 HTTP/1.1",
        );
        check(
            r#"{"url":"https://x.io/cb?to=%2B14155552671%20(mobile)"}"#,
            r#"{"url":"https://x.io/cb?to=[PHONE]%20(mobile)"}"#,
        );
        // Percent signs that escape nothing, and escapes of nothing personal, stay byte for byte.
        check("cpu 92.1% of 100%, vhost /%2F, 50%25 off", "cpu 92.1% of 100%, vhost /%2F, 50%25 off");
        // Redacting twice changes nothing more.
        check("q=email%3D[EMAIL]%26n%3D1", "q=email%3D[EMAIL]%26n%3D1");
    }

    #[test]
    fn the_hash_action_needs_a_key() {
        let rules = compile_sources(&[RulesText::new("t.toml", "[detectors.email]\naction = \"hash\"\n")]).unwrap();
        assert_eq!(Engine::new(rules, None).unwrap_err(), EngineError::HashKeyMissing);
    }

    #[test]
    fn html_keeps_markup_and_scans_text_and_attributes() {
        check(
            r#"{"body":"<p>Hi, I'm <b>Jane</b>: <a href=\"mailto:jane@x.com\">jane&#64;x.com</a>, call me at <i>+44 20 7946 0958</i></p>"}"#,
            r#"{"body":"<p>Hi, I'm <b>Jane</b>: <a href=\"mailto:[EMAIL]\">[EMAIL]</a>, call me at <i>[PHONE]</i></p>"}"#,
        );
    }

    #[test]
    fn malformed_json_is_scanned_as_text_with_its_keys() {
        check(r#"{"email":"jane@x.com","name":"Jane Doe", "#, r#"{"email":"[EMAIL]","name":"[NAME]", "#);
        let engine = engine_with("");
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        redactor.redact_line(br#"{"a": tru}"#, &mut out);
        assert_eq!(redactor.stats().json_fallbacks, 1);
    }

    #[test]
    fn too_deep_json_falls_back_to_text_and_still_redacts() {
        let deep = format!("{}\"x jane@x.com\"{}", "[".repeat(200), "]".repeat(200));
        let expected = format!("{}\"x [EMAIL]\"{}", "[".repeat(200), "]".repeat(200));
        check(&deep, &expected);
    }

    #[test]
    fn the_lines_of_a_private_key_block_are_redacted_up_to_its_end() {
        let engine = engine_with("");
        let mut redactor = engine.redactor();
        let body = "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi+2SI9lS9Lj0PbLZKlEJmkzkT2";
        let lines = [
            "-----BEGIN RSA PRIVATE KEY-----".to_string(),
            "Proc-Type: 4,ENCRYPTED".to_string(),
            String::new(),
            body.to_string(),
            format!("2025-11-29 app[7]: {body}"),
            "3Tz2mr7SZiAMfQ==".to_string(),
            "-----END RSA PRIVATE KEY-----".to_string(),
            body.to_string(),
        ];
        let out: Vec<String> = lines
            .iter()
            .map(|line| {
                let mut out = Vec::new();
                redactor.redact_line(line.as_bytes(), &mut out);
                String::from_utf8(out).unwrap()
            })
            .collect();
        let expected = [
            "[REDACTED]",
            "Proc-Type: 4,ENCRYPTED",
            "",
            "[REDACTED]",
            "2025-11-29 app[7]: [REDACTED]",
            "[REDACTED]",
            "-----END RSA PRIVATE KEY-----",
            // After the END line, base64 is no longer a key.
            body,
        ];
        assert_eq!(out, expected);
        assert_eq!(redactor.stats().per_entity[usize::from(crate::rules::DetectorKind::Secret.entity().0)], 4);
        // A line that is no part of a key ends the block: what follows is redacted as usual.
        let mut out = Vec::new();
        redactor.redact_line(b"-----BEGIN PRIVATE KEY-----", &mut out);
        redactor.redact_line(b"INFO user logged in", &mut out);
        out.clear();
        redactor.redact_line(body.as_bytes(), &mut out);
        assert_eq!(out, body.as_bytes());
    }

    #[test]
    fn overlong_lines_become_markers() {
        let engine = engine_with("[settings]\nmax_line_bytes = 300\n");
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        let line = format!("{{\"email\":\"{}@x.com\"}}", "a".repeat(400));
        redactor.redact_line(line.as_bytes(), &mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, format!("{{\"steward\":\"line withheld\",\"reason\":\"overlong\",\"bytes\":{}}}", line.len()));
        assert_eq!(redactor.stats().markers, 1);
    }

    #[test]
    fn invalid_utf8_is_repaired_then_redacted() {
        let engine = engine_with("");
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        redactor.redact_line(b"bad \xff\xfe bytes jane@x.com", &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "bad \u{FFFD}\u{FFFD} bytes [EMAIL]");
        assert_eq!(redactor.stats().invalid_utf8, 1);
    }

    #[test]
    fn empty_and_short_keys_are_classified() {
        check(
            r#"{"":"a@b.co","x":{"":1},"e":"x","email":"j@k.io"}"#,
            r#"{"":"[EMAIL]","x":{"":1},"e":"x","email":"[EMAIL]"}"#,
        );
    }

    #[test]
    fn iso_timestamps_pass_unchanged() {
        check(r#"{"ts":"2025-11-29T14:26:36.250+01:00"}"#, r#"{"ts":"2025-11-29T14:26:36.250+01:00"}"#);
        check(
            r#"{"at":"2025-11-29T14:26:36.250Z","d":"2025-11-29"}"#,
            r#"{"at":"2025-11-29T14:26:36.250Z","d":"2025-11-29"}"#,
        );
        // Under a key that names a phone, the seconds with their fraction and offset are still part of the time.
        let stamps =
            r#"{"phone_verified_at":"2025-11-29T14:26:36.250-05:00","tel_at":"2025-11-29T14:26:36.123456+01:00"}"#;
        check(stamps, stamps);
    }

    #[test]
    fn numbers_joined_to_a_word_are_skipped_without_hiding_what_follows() {
        // `ORD-1` is an order id; the card after it is a number of its own (it used to be read as part of `1 4111`).
        check("ref ORD-1 4111 1111 1111 1111 paid", "ref ORD-1 [CARD] paid");
        check(
            "ORD-2021-280363 v1.2345678 at 10:20:30 x-4155552671",
            "ORD-2021-280363 v1.2345678 at 10:20:30 x-4155552671",
        );
        // A time of day followed by an address: the time no longer swallows it.
        check("at 12:30:10.0.0.7 up", "at 12:30:[IP] up");
    }

    #[test]
    fn audit_29_readers_find_what_they_should_and_leave_their_look_alikes() {
        // A name that signs a phone (past a comma and a label) or a street; not a team's or a service's.
        check(
            "Voor dringende zaken: Femke Jansen, mobiel +31 6 12345678. /Karin Nilsson, +46 70 123 45 67",
            "Voor dringende zaken: [NAME], mobiel [PHONE]. /[NAME], [PHONE]",
        );
        check("Pieter van den Berg, Keizersgracht 452, 1016 GD Amsterdam", "[NAME], [LOCATION]");
        check("Customer Service, tel. +1 415 555 0137", "Customer Service, tel. [PHONE]");
        check(
            "Jane Doe (+1 415 555 0137), Acme Logistics BV, tel. +1 415 555 0138",
            "[NAME] ([PHONE]), Acme Logistics BV, tel. [PHONE]",
        );
        check(
            "Build 7, tel. +1 415 555 0137 and Lagos, Nigeria, +234 803 123 4567",
            "Build 7, tel. [PHONE] and Lagos, Nigeria, [PHONE]",
        );
        // Turkish streets with `No:`, Czech house numbers with a slash before a postcode and a town.
        check(
            "Adresim: Bağdat Cad. No: 212 Daire: 9, 34728 Kadıköy/İstanbul. Eski: Atatürk Cad. No: 45 D: 7, 35220",
            "Adresim: [LOCATION]/İstanbul. Eski: [LOCATION], 35220",
        );
        check(
            "bydliště Korunní 2569/108, 101 00 Praha 10, Masarykova 412/18, 602 00 Brno",
            "bydliště [LOCATION] 10, [LOCATION]",
        );
        check(
            "Cad. No: 5 and Version 2569/108, 101 items and Sok. No: 3",
            "Cad. No: 5 and Version 2569/108, 101 items and Sok. No: 3",
        );
        // Cues: a full stop of their own (`t.n.v.`), an initial for a first name, Turkish, Czech, Japanese.
        check("t.n.v. D. Bakker, t.a.v. Daan Bakker", "t.n.v. [NAME], t.a.v. [NAME]");
        check(
            "Merhaba, ben Ayşe Yılmaz. Vážený pane Horáku, Osewa ni natte orimasu. Takahashi Yuki desu.",
            "Merhaba, ben [NAME]. Vážený pane [NAME], Osewa ni natte orimasu. [NAME] desu.",
        );
        check("Dr. J. Smith and version 2. Release notes", "Dr. [NAME] and version 2. Release notes");
        // An address whose domain lost its top-level domain, as a validation error quotes it; not an object's hash.
        check(
            r#"contact email "kenji.watanabe@acme" has invalid domain; at java.lang.Object@1b6d3586, x.y@acme, postgres@db"#,
            r#"contact email "[EMAIL]" has invalid domain; at java.lang.Object@1b6d3586, x.y@acme, postgres@db"#,
        );
        // Redis MONITOR's hash writes by field; a Firebase registration token with its instance id.
        check(
            r#"1733307694.002871 [0 lua] "HSET" "customer:118214" "name" "Petr Svoboda" "plan" "pro" "email" "p@x.cz""#,
            r#"1733307694.002871 [0 lua] "HSET" "customer:118214" "name" "[NAME]" "plan" "pro" "email" "[EMAIL]""#,
        );
        check(
            &format!(
                "FCM token refreshed: dX9kQ2vLm7T:APA91b{} ok, APA91bshort",
                "F8zQ2mT9kL4pN7wR1zY5cB3eH6jF0gD2s".repeat(3)
            ),
            "FCM token refreshed: [REDACTED] ok, APA91bshort",
        );
    }

    #[test]
    fn audit_29_logins_streets_and_cues() {
        // A Windows login with its domain, a key of two words that share the first, a password in PowerShell.
        check(
            "Security ID: CORP\\beata.nagy Account Name: beata.nagy Account Domain: CORP Logon ID: 0x3E7",
            "Security ID: CORP\\[USERNAME] Account Name: [NAME] Account Domain: CORP Logon ID: 0x3E7",
        );
        check(
            "Account Name: DC01$ Account Domain: CORP, HKLM\\software\\x, WARN\\tfoo, NT AUTHORITY\\SYSTEM, CORP\\share\\x",
            "Account Name: [NAME] Account Domain: CORP, HKLM\\software\\x, WARN\\tfoo, NT AUTHORITY\\SYSTEM, CORP\\share\\x",
        );
        check(
            "Creating Scriptblock: PSCredential('CORP\\pwalsh', (ConvertTo-SecureString 'Galway#2024' -AsPlainText -Force))",
            "Creating Scriptblock: PSCredential('CORP\\[USERNAME]', (ConvertTo-SecureString '[REDACTED]' -AsPlainText -Force))",
        );
        // Streets: Romania's `Str. … nr.`, Hungary's `utca`, France's `rue` in small letters, Norway's `gata`,
        // closers after closers; not `2 via Kafka` or `5 place Holders`.
        check(
            "Adresa: Str. Avram Iancu nr. 15, ap. 4, Cluj. Cím: Kossuth Lajos utca 21. Lyon: 27 rue des Lilas, 69003 Lyon",
            "Adresa: [LOCATION], Cluj. Cím: [LOCATION]. Lyon: [LOCATION]",
        );
        check("Storgata 41B, 0182 Oslo; 31 Orwell Park Glade, Rathfarnham", "[LOCATION]; [LOCATION], Rathfarnham");
        check("Release 2 via Kafka in 5 place Holders", "Release 2 via Kafka in 5 place Holders");
        check("the 3 Green items, 4 View Settings, 2 Park Street", "the 3 Green items, 4 View Settings, [LOCATION]");
        // Cues in more languages, someone of the family, and a possessive that is no part of a name.
        check(
            "Hola, soy Nuria Castellanos Vidal. Bună ziua, sunt Mihaela Constantinescu. Hei, olen Aino Mäkinen.",
            "Hola, soy [NAME]. Bună ziua, sunt [NAME]. Hei, olen [NAME].",
        );
        check("la de mi marido, Andrés Romero; Hi Amanda's daughter", "la de mi marido, [NAME]; Hi [NAME]'s daughter");
        // A Windows event as XML: each `<Data Name="…">` is the field its name says; the names stay.
        check(
            r#"<Event><System><Provider Name="Microsoft-Windows-Security-Auditing"/></System><EventData><Data Name="TargetUserName">jkessler</Data><Data Name="LogonType">10</Data></EventData></Event>"#,
            r#"<Event><System><Provider Name="Microsoft-Windows-Security-Auditing"/></System><EventData><Data Name="TargetUserName">[USERNAME]</Data><Data Name="LogonType">10</Data></EventData></Event>"#,
        );
        // What a review of these readers turned up, and must stay as it is.
        for clean in [
            "Aggregate 5 rows, Navigate 3 pages, Security Gate 3",
            "I am Groot; I'm Feeling Lucky; it's Done; 1. adım Kurulum başladı",
            "npm install lodash.merge@latest; ssh build.agent@jenkins failed; x.y@acme",
            "HKLM\\software and FAILED\\tretry",
            "Step 2/5, 1200 Files copied; Loaded 5 Customer View; 12 avenue Health checks passed",
            "Chart: Build Cd. No: 5 skipped",
        ] {
            check(clean, clean);
        }
        check("Warehouse North, 5 Orwell Park Glade", "Warehouse North, [LOCATION]");
        check(
            "Help Desk (+1 415 555 0137), Head Office, tel. +44 20 7946 0958",
            "Help Desk ([PHONE]), Head Office, tel. [PHONE]",
        );
        check(
            "Bağdat Cad. No: 212/34 Daire: 9, x. Andrássy út 60. Tomás Ruiz, teléfono +34 612 345 678",
            "[LOCATION], x. [LOCATION]. [NAME], teléfono [PHONE]",
        );
        check(
            "Security ID: SYSTEM Account Name: jdoe Account Domain: CORP; bad mail anders.berg@icloud. Next",
            "Security ID: SYSTEM Account Name: [NAME] Account Domain: CORP; bad mail [EMAIL]. Next",
        );
        // A line that repeats a found value thousands of times is read in one pass (the echoes of each value were
        // looked for against every other edit: a cube of the count).
        let long = "Keizersgracht 452 ".repeat(2000);
        check(&long, &"[LOCATION] ".repeat(2000));
        // OpenTelemetry's end user, Slack's real name.
        check(
            r#"{"enduser.id":"noah.fischer","real_name":"Yuki Tanaka"}"#,
            r#"{"enduser.id":"[USERNAME]","real_name":"[NAME]"}"#,
        );
    }

    #[test]
    fn clean_lines_are_byte_identical() {
        for line in [
            r#"{"ts":"2026-11-29T10:13:43.123Z","level":"info","msg":"GET /v1/orders/84721 200 12ms","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#,
            "2026-11-29T10:13:43Z INFO order ORD-2026-000123 shipped in 1764412345 ms v10.4.12 pod=api-7d9f8-xk2p",
            "uuid 8f14e45f-ceea-467f-a0e6-1234567890ab sha 3f786850e387550fdab836ed7e6dc881de23001b at 10:13:43",
        ] {
            check(line, line);
        }
    }

    #[test]
    fn stats_count_per_entity() {
        let engine = engine_with("");
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        redactor.redact_line(b"a@b.co c@d.co 203.0.113.7", &mut out);
        let stats = redactor.take_stats();
        let email = engine.rules().entity_id("EMAIL").unwrap();
        let ip = engine.rules().entity_id("IP").unwrap();
        assert_eq!(stats.per_entity[usize::from(email.0)], 2);
        assert_eq!(stats.per_entity[usize::from(ip.0)], 1);
        assert_eq!(stats.lines_redacted, 1);
        assert_eq!(redactor.stats().lines, 0, "taking resets");
    }
}
