//! Structural JSON redaction: walks a JSON line byte by byte, classifies each value by its key path, and records edits.
//!
//! Nothing is parsed into a tree and nothing is re-serialized: bytes that are not personal data stay exactly as
//! they were (key order, spacing, escapes, number formatting). Malformed JSON is reported as an error and the
//! caller scans the line as text instead.

use crate::rules::{Action, DetectorKind, EntityId, Rules, ValueShape};

use super::anchors::Anchors;
use super::context::SplitKey;
use super::detect::{is_pair_name, names_no_value, reads_as_a_key, ScanContext};
use super::names::names_a_thing;
use super::offsets::OffsetMap;
use super::{Edit, KeyCache, KeyTag, LineWork, Sink};

/// A field rule that applies only to values of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shaped {
    entity: EntityId,
    action: Action,
    shape: ValueShape,
}

/// How the values under the current key are treated. (Eight bytes, aligned: moved as one word, where its six
/// bytes were written and read piece by piece, and a read of two pieces waited on both writes.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(8))]
pub(crate) enum Treatment {
    /// No rule, or one whose values must have a shape: strings are scanned by the detectors, numbers checked for
    /// cards (and phones under phone keys). Under a rule with a shape, a string of that shape is replaced instead
    /// (`"driver": "Stefanie Brandt"`, `"user": "aiko.tanaka"`; not `"driver": "overlay2"`).
    Detect { context: ScanContext, shaped: Option<Shaped> },
    /// A `scan` rule (conversation content), or a `keep` rule (system metadata): not replaced because of the key,
    /// but scanned like every other string (a card number in a `status` is still found, as in a `status=` of a
    /// text line), without the key words' context.
    Scan,
    /// A replacing rule: every string and number below is replaced.
    Replace(EntityId, Action),
    /// A `drop-field` rule: the member is removed.
    Drop,
    /// Inside a dropped member: nothing below is looked at.
    Skip,
}
const _: () = assert!(std::mem::size_of::<Treatment>() == 8);

/// Why a line is not JSON the walker can handle (the caller falls back to text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonError {
    Syntax,
    TooDeep,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    object: bool,
    treatment: Treatment,
    /// Position of the `,` before the current member, when a kept member precedes it.
    prev_comma: Option<usize>,
    /// A member at the start of the object was dropped: the next `,` must go too.
    drop_comma: bool,
    /// Whether `key` is the key of the current member (objects only): the key path is the keys of the frames
    /// that have one, in order.
    key_pushed: bool,
    member_start: usize,
    member_treatment: Treatment,
    /// Whether the current member is dropped or part of a name/value pair (objects only): one test after each
    /// value for both.
    member_kind: MemberKind,
    /// The key of the current member.
    key: PathKey,
    /// The node id of the path at which this frame opened (the parent of its members' keys), and of the path
    /// with the current member's key (see `cached_treatment`).
    parent: u32,
    node: u32,
}

/// The `type` of an open object that some field rule is limited to (see `note_object_type`): the depth of its
/// frame and its string's bytes in the line. Kept apart from the frames, in `LineWork::object_types`, innermost
/// last: few objects have one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ObjectType {
    depth: usize,
    start: usize,
    end: usize,
}

/// The node id of the path the walk is at: the current member's in an object, the path where an array opened.
fn current_node(stack: &[Frame]) -> u32 {
    match stack.last() {
        Some(frame) if frame.key_pushed => frame.node,
        Some(frame) => frame.parent,
        None => 0,
    }
}

/// The treatment of the values under the path in `work.path`, whose last key is `raw` as written (None when it
/// had escapes).
fn treatment_for(rules: &Rules, work: &LineWork, raw: Option<&[u8]>, inherited: Treatment) -> Treatment {
    if inherited == Treatment::Skip {
        return Treatment::Skip;
    }
    let rule = rules.field_rule(&work.path);
    let shaped = rule.filter(|rule| rule.shape != ValueShape::Any && rule.action.replaces()).map(|rule| {
        // A member is not cut for its shape: its value is redacted, as in text.
        let action = if rule.action == Action::DropField { Action::Redact } else { rule.action };
        Shaped { entity: rule.entity, action, shape: rule.shape }
    });
    match rule.filter(|_| shaped.is_none()) {
        Some(rule) => match rule.action {
            Action::Keep | Action::Scan => Treatment::Scan,
            Action::DropField => Treatment::Drop,
            action => Treatment::Replace(rule.entity, action),
        },
        None => match inherited {
            // The members of an object under a shaped rule are treated by their own keys.
            Treatment::Detect { .. } => {
                // Parts of the key as written (`hotel_id` has no `tel`), else the normalized key.
                let key = SplitKey::of(raw.unwrap_or(work.path.last().unwrap_or(b"")));
                let mentions =
                    |words: &[String]| !key.names_no_phone() && words.iter().any(|word| key.mentions(word.as_bytes()));
                let (phone, ssn) = (rules.detector(DetectorKind::Phone), rules.detector(DetectorKind::Ssn));
                let names = rules.detector(DetectorKind::Name);
                let context = ScanContext::default()
                    .with(ScanContext::PHONE_KEY, mentions(&phone.key_words))
                    .with(ScanContext::SSN_KEY, mentions(&ssn.key_words))
                    .with(ScanContext::E164_KEY, mentions(&phone.e164_keys))
                    .with(
                        ScanContext::THING_KEY,
                        work.path.last().is_some_and(|key| names_a_thing(key, &names.thing_keys)),
                    );
                Treatment::Detect { context, shaped }
            }
            other => other,
        },
    }
}

/// Whether the string value `line[start..end]` of the current member, under a replacing rule of `entity`, is a
/// word about a value rather than one (see `names_no_value`).
#[inline(never)]
fn words_about_a_value(
    rules: &Rules,
    memo: &mut super::detect::KeyMemo,
    entity: EntityId,
    line: &[u8],
    start: usize,
    end: usize,
    stack: &[Frame],
) -> bool {
    let frame = stack.last().filter(|frame| frame.object && frame.key_pushed);
    frame.is_some_and(|frame| {
        names_no_value(rules, memo, entity, &line[frame.key.start..frame.key.end], &line[start..end])
    })
}

#[inline(always)]
fn skip_ws(line: &[u8], mut i: usize) -> usize {
    // Compact JSON has no whitespace between tokens: one comparison says so (whitespace is at most b' ').
    if line.get(i).is_none_or(|&b| b > b' ') {
        return i;
    }
    while i < line.len() && matches!(line[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Finds the closing quote of the string whose opening quote is at `open`; returns (end, has_escape).
pub(super) fn string_end(anchors: &Anchors, line: &[u8], open: usize) -> Result<(usize, bool), JsonError> {
    let mut i = open + 1;
    let mut escaped = false;
    loop {
        let found = anchors.next_quote(i).ok_or(JsonError::Syntax)?;
        if line[found] == b'"' {
            return Ok((found, escaped));
        }
        escaped = true;
        i = found + 2;
        if i > line.len() {
            return Err(JsonError::Syntax);
        }
    }
}

/// Finds the end of the number that starts at `start`. Inlined: the walker is its hot caller, and the call that
/// a second caller (`replace_value`) made the compiler keep cost 0.6% of the instructions on JSON logs.
#[inline(always)]
fn number_end(line: &[u8], start: usize) -> Result<usize, JsonError> {
    let mut i = start;
    if line[i] == b'-' {
        i += 1;
    }
    let digits = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(JsonError::Syntax);
    }
    i += digits;
    if line.get(i) == Some(&b'.') {
        i += 1;
        let fraction = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if fraction == 0 {
            return Err(JsonError::Syntax);
        }
        i += fraction;
    }
    if matches!(line.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(line.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exponent = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exponent == 0 {
            return Err(JsonError::Syntax);
        }
        i += exponent;
    }
    Ok(i)
}

/// Decodes the JSON string contents `raw` into `out`, recording in `map` where each decoded byte came from in
/// `raw`.
pub(crate) fn decode_string(raw: &[u8], out: &mut Vec<u8>, map: &mut OffsetMap) -> Result<(), JsonError> {
    out.clear();
    map.clear();
    let mut i = 0;
    while i < raw.len() {
        // The run up to the next escape is copied whole.
        let run = memchr::memchr(b'\\', &raw[i..]).map_or(raw.len(), |p| i + p);
        map.copy_run(out, &raw[i..run], i);
        i = run;
        if i == raw.len() {
            break;
        }
        let escape = *raw.get(i + 1).ok_or(JsonError::Syntax)?;
        let (ch, len) = match escape {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let high = hex4(raw.get(i + 2..i + 6).ok_or(JsonError::Syntax)?)?;
                if (0xD800..0xDC00).contains(&high) && raw.get(i + 6..i + 8) == Some(b"\\u") {
                    let low = hex4(raw.get(i + 8..i + 12).ok_or(JsonError::Syntax)?)?;
                    if (0xDC00..0xE000).contains(&low) {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        (char::from_u32(code).unwrap_or('\u{FFFD}'), 12)
                    } else {
                        ('\u{FFFD}', 6)
                    }
                } else {
                    (char::from_u32(high).unwrap_or('\u{FFFD}'), 6)
                }
            }
            _ => return Err(JsonError::Syntax),
        };
        map.decode_char(out, ch, i);
        i += len;
    }
    map.finish(out.len(), raw.len());
    Ok(())
}

/// How many JSON strings deep a document written inside a string is still walked as JSON (Vector's `message`
/// holding Docker's `log` holding the program's own line is two).
const MAX_NESTING: u8 = 3;

/// Whether a decoded JSON string holds a JSON document of its own: an object or an array from its first byte to
/// its last, whitespace aside (Docker's `"log":"{\"level\":\"info\",…}\n"`).
fn holds_a_document(text: &[u8]) -> bool {
    let text = text.trim_ascii();
    matches!((text.first(), text.last()), (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')))
}

/// Where the document in a decoded JSON string starts, and how it is written: a JSON document from the first byte
/// to the last, whitespace aside (Docker's `"log":"{\"level\":…}\n"`), or one that ends a text, as in a text line
/// (`I, […] INFO -- : POST /contacts {\"type\":…}`, a Python dict, a Ruby hash).
pub(crate) fn document_in(text: &[u8]) -> Option<(usize, super::Notation)> {
    if holds_a_document(text) {
        Some((text.len() - text.trim_ascii_start().len(), super::Notation::Json))
    } else {
        super::embedded_document_start(text)
    }
}

/// Scans `text[..open]` as text with `context` (its hits recorded with `sink`) and walks the document at `open`,
/// written in `notation`, by its keys; a Ruby hash opens as JSON does (`{"email"=>…}`), so what the JSON walker
/// refuses is tried as a literal. Returns whether the document was walked; when it was not, the edits recorded
/// are the caller's to drop.
#[allow(clippy::too_many_arguments)]
pub(crate) fn walk_embedded(
    engine: &super::Inner,
    text: &[u8],
    (open, notation): (usize, super::Notation),
    anchors: &Anchors,
    context: ScanContext,
    sink: Sink,
    work: &mut LineWork,
) -> bool {
    if open > 0 {
        engine.find_in(&text[..open], &anchors.view(0, open), context, work);
        work.push_hits(sink, |at| at);
    }
    let prefix_edits = work.edits.len();
    match notation {
        super::Notation::Json => {
            walk_from(engine, text, open, anchors, work).is_ok() || {
                work.edits.truncate(prefix_edits);
                walk_literal(engine, text, open, work)
            }
        }
        super::Notation::Literal => walk_literal(engine, text, open, work),
    }
}

/// Walks the contents of the JSON string that starts at `start` in the text that `work` is for (`text`, decoded,
/// with `anchors` its anchors and `map` the place of each of its bytes in the raw string, or the raw bytes when
/// `map` is None), which hold the document `found` (see `document_in`), as a line of its own would be read: the
/// text before the document scanned with `context`, the document walked by its keys, its key paths from its own
/// root. The edits are recorded in the text's coordinates, a replaced number's quotes escaped for the string.
/// Returns false, with nothing recorded, when the walker cannot read the document or it lies too many strings
/// deep: the caller scans the string as text.
#[allow(clippy::too_many_arguments)]
pub(crate) fn walk_nested(
    engine: &super::Inner,
    text: &[u8],
    found: (usize, super::Notation),
    anchors: &Anchors,
    map: Option<&OffsetMap>,
    start: usize,
    context: ScanContext,
    work: &mut LineWork,
) -> bool {
    if work.depth >= MAX_NESTING {
        return false;
    }
    let mut nested = work.nested.take().unwrap_or_default();
    nested.depth = work.depth + 1;
    nested.edits.clear();
    nested.values.clear();
    let walked = walk_embedded(engine, text, found, anchors, context, Sink::JsonString, &mut nested);
    if walked {
        let base = work.values.len();
        work.values.extend_from_slice(&nested.values);
        nested.edits.sort_unstable_by_key(|edit| edit.start);
        let source = |at: usize| start + map.map_or(at, |map| map.source(at));
        for edit in &nested.edits {
            let sink = match edit.sink {
                Sink::JsonBare(levels) => Sink::JsonBare(levels + 1),
                Sink::Raw | Sink::JsonString => Sink::JsonString,
            };
            work.edits.push(Edit {
                start: source(edit.start),
                end: source(edit.end),
                value: (base + edit.value.0, base + edit.value.1),
                sink,
                ..*edit
            });
        }
    }
    work.nested = Some(nested);
    walked
}

/// Walks the Python dict or Ruby hash that starts at `open` in the text line `line` and runs to its end
/// (`{'email': …}`, `{"email"=>…}`), written as JSON by `literals`; its edits are recorded in the line's
/// coordinates (a replaced number's quoted label is a string in both languages). Returns false, with nothing
/// recorded, when it is not a literal that `literals` and the walker can read: the caller reads it as text.
pub(crate) fn walk_literal(engine: &super::Inner, line: &[u8], open: usize, work: &mut LineWork) -> bool {
    let mut json = std::mem::take(&mut work.literal);
    let mut map = std::mem::take(&mut work.literal_map);
    let mut anchors = std::mem::take(&mut work.literal_anchors);
    let first = work.edits.len();
    let walked = super::literals::to_json(&line[open..], &mut json, &mut map) && {
        anchors.compute(&json, engine.detectors.secret_prefixes());
        walk(engine, &json, &anchors, work).is_ok()
    };
    if walked {
        for edit in &mut work.edits[first..] {
            edit.start = open + map.source(edit.start);
            edit.end = open + map.source(edit.end);
        }
    } else {
        work.edits.truncate(first);
    }
    work.literal = json;
    work.literal_map = map;
    work.literal_anchors = anchors;
    walked
}

fn hex4(bytes: &[u8]) -> Result<u32, JsonError> {
    let text = std::str::from_utf8(bytes).map_err(|_| JsonError::Syntax)?;
    u32::from_str_radix(text, 16).map_err(|_| JsonError::Syntax)
}

/// Walks `line` (which starts with `{` or `[` after optional whitespace) and records edits in `work`.
/// `anchors` are the anchors of `line`.
pub(crate) fn walk(
    engine: &super::Inner,
    line: &[u8],
    anchors: &Anchors,
    work: &mut LineWork,
) -> Result<(), JsonError> {
    walk_from(engine, line, 0, anchors, work)
}

/// `walk` for the JSON document that starts at `start` and runs to the end of the line (a document logged after
/// a prefix: `received webhook: {"type":"notification_event",…}`); the bytes before `start` are not read.
pub(crate) fn walk_from(
    engine: &super::Inner,
    line: &[u8],
    start: usize,
    anchors: &Anchors,
    work: &mut LineWork,
) -> Result<(), JsonError> {
    let rules = &engine.rules;
    let max_depth = rules.settings.max_json_depth;
    if work.next_node > u32::MAX / 2 {
        // Node ids are never reused while a slot may name them: start over with an empty memo.
        work.key_slots.clear();
        work.next_node = 0;
    }
    let mut stack: Vec<Frame> = std::mem::take(&mut work.frames);
    stack.clear();
    // A line that failed part-way left its open objects' members and types here.
    work.pairs.clear();
    work.object_types.clear();
    let result = walk_inner(engine, rules, line, start, anchors, work, &mut stack, max_depth);
    work.frames = stack;
    result
}

#[allow(clippy::too_many_arguments)]
fn walk_inner(
    engine: &super::Inner,
    rules: &Rules,
    line: &[u8],
    start: usize,
    anchors: &Anchors,
    work: &mut LineWork,
    stack: &mut Vec<Frame>,
    max_depth: usize,
) -> Result<(), JsonError> {
    let n = line.len();
    let mut i = skip_ws(line, start);
    let mut treatment = Treatment::Detect { context: ScanContext::default(), shaped: None };
    let typed = rules.has_object_types();
    // `expect_value` is true when the next token is a value; false after a value (expecting `,` or a close).
    let mut expect_value = true;
    loop {
        if expect_value {
            if i >= n {
                return Err(JsonError::Syntax);
            }
            match line[i] {
                open @ (b'{' | b'[') => {
                    if stack.len() >= max_depth {
                        return Err(JsonError::TooDeep);
                    }
                    let object = open == b'{';
                    if treatment == Treatment::Drop {
                        treatment = Treatment::Skip;
                    }
                    let parent = current_node(stack);
                    stack.push(Frame {
                        object,
                        treatment,
                        prev_comma: None,
                        drop_comma: false,
                        key_pushed: false,
                        member_start: i,
                        member_treatment: treatment,
                        member_kind: MemberKind::Plain,
                        key: PathKey::default(),
                        parent,
                        node: parent,
                    });
                    i = skip_ws(line, i + 1);
                    let close = if object { b'}' } else { b']' };
                    if line.get(i) == Some(&close) {
                        stack.pop();
                        i += 1;
                        expect_value = false;
                        continue;
                    }
                    if object {
                        (i, treatment) = member_key(rules, line, anchors, i, work, stack)?;
                    }
                    continue;
                }
                b'"' => {
                    let (end, escaped) = string_end(anchors, line, i)?;
                    match treatment {
                        Treatment::Drop | Treatment::Skip => {}
                        // Words about a value are no value (`"location":"us-central1"`, `"password":"null"`):
                        // scanned like any string, in the arms below.
                        Treatment::Replace(entity, action)
                            if escaped
                                || !words_about_a_value(rules, &mut work.memo, entity, line, i + 1, end, stack) =>
                        {
                            if end > i + 1 {
                                let value = if escaped {
                                    decode_string(&line[i + 1..end], &mut work.decoded, &mut work.map)?;
                                    work.decoded.clone()
                                } else {
                                    line[i + 1..end].to_vec()
                                };
                                work.push_replace(i + 1, end, entity, action, &value, Sink::JsonString);
                            }
                        }
                        // A value of the shape its rule asks for (`"user": "aiko.tanaka"`, not `"user": "postgres"`).
                        Treatment::Detect { shaped: Some(Shaped { entity, action, shape }), .. }
                            if !escaped
                                && engine.detectors.has_shape(shape, &line[i + 1..end])
                                && !words_about_a_value(rules, &mut work.memo, entity, line, i + 1, end, stack) =>
                        {
                            work.push_replace(i + 1, end, entity, action, &line[i + 1..end], Sink::JsonString);
                        }
                        // Raw bytes (no escape that could spell an anchor) with nothing to find, or only a
                        // timestamp: no call.
                        Treatment::Detect { .. } | Treatment::Scan | Treatment::Replace(..)
                            if !escaped
                                && (engine.nothing_to_find(&anchors.view(i + 1, end))
                                    || engine.detectors.holds_only_a_timestamp(&line[i + 1..end])) => {}
                        Treatment::Detect { .. } | Treatment::Scan | Treatment::Replace(..) => {
                            let context = match treatment {
                                Treatment::Detect { context, .. } => context,
                                _ => ScanContext::default(),
                            };
                            engine.scan_json_string(line, anchors, i + 1, end, escaped, context, work)?;
                        }
                    }
                    i = end + 1;
                }
                b'-' | b'0'..=b'9' => {
                    let end = number_end(line, i)?;
                    match treatment {
                        Treatment::Replace(entity, action) => {
                            let value = line[i..end].to_vec();
                            work.push_replace(i, end, entity, action, &value, Sink::JsonBare(0));
                        }
                        Treatment::Detect { context, .. } => engine.check_number(line, i, end, context, work),
                        Treatment::Scan => engine.check_number(line, i, end, ScanContext::default(), work),
                        Treatment::Drop | Treatment::Skip => {}
                    }
                    i = end;
                }
                b't' if line[i..].starts_with(b"true") => i += 4,
                b'f' if line[i..].starts_with(b"false") => i += 5,
                b'n' if line[i..].starts_with(b"null") => i += 4,
                _ => return Err(JsonError::Syntax),
            }
            expect_value = false;
            continue;
        }

        // After a value.
        let value_end = i;
        i = skip_ws(line, i);
        let depth = stack.len();
        let Some(frame) = stack.last_mut() else {
            return if i == n { Ok(()) } else { Err(JsonError::Syntax) };
        };
        if frame.object {
            match frame.member_kind {
                MemberKind::Plain => frame.drop_comma = false,
                MemberKind::Type => {
                    frame.drop_comma = false;
                    if typed {
                        note_object_type(rules, line, value_end, depth, frame, work);
                    }
                }
                MemberKind::Dropped => match frame.prev_comma {
                    Some(comma) => work.push_cut(comma, value_end),
                    None => {
                        work.push_cut(frame.member_start, value_end);
                        frame.drop_comma = true;
                    }
                },
                MemberKind::Name | MemberKind::Value => {
                    note_pair_member(line, frame, depth, value_end, work);
                    frame.drop_comma = false;
                }
            }
            frame.key_pushed = false;
        }
        match line.get(i) {
            Some(b',') => {
                let comma = i;
                i = skip_ws(line, i + 1);
                let frame = stack.last_mut().ok_or(JsonError::Syntax)?;
                if frame.object {
                    if frame.drop_comma {
                        work.push_cut(comma, i);
                        frame.prev_comma = None;
                    } else {
                        frame.prev_comma = Some(comma);
                    }
                    (i, treatment) = member_key(rules, line, anchors, i, work, stack)?;
                } else {
                    treatment = frame.treatment;
                }
                expect_value = true;
            }
            Some(&close @ (b'}' | b']')) => {
                let depth = stack.len();
                let frame = stack.pop().ok_or(JsonError::Syntax)?;
                if frame.object != (close == b'}') {
                    return Err(JsonError::Syntax);
                }
                if work.pairs.last().is_some_and(|member| member.depth == depth) {
                    settle_pairs(engine, rules, line, anchors, work, depth)?;
                }
                if work.object_types.last().is_some_and(|object| object.depth == depth) {
                    work.object_types.pop();
                }
                i += 1;
                if let Some(parent) = stack.last() {
                    treatment = if parent.object { parent.member_treatment } else { parent.treatment };
                }
                expect_value = false;
            }
            _ => return Err(JsonError::Syntax),
        }
    }
}

/// Notes the value of `frame`'s `type` member, which ended at `value_end`, as the object's type when it is a string
/// that some field rule is limited to (Intercom's `{"type":"tag","id":"17","name":"vip"}`): the members after it
/// are of that type (the objects inside them are not: see `materialize_path`). Their paths get a parent node id of
/// their own, memoized under the `type` member's node and the value (in a space of ids apart from keys', the high
/// bit set), so that a path id still stands for one path and one type.
#[cold]
#[inline(never)]
fn note_object_type(
    rules: &Rules,
    line: &[u8],
    value_end: usize,
    depth: usize,
    frame: &mut Frame,
    work: &mut LineWork,
) {
    // A string without escapes (a type is a word): from its closing quote back to its opening one.
    if value_end < 2 || line[value_end - 1] != b'"' {
        return;
    }
    let end = value_end - 1;
    let Some(start) = memchr::memrchr(b'"', &line[frame.member_start..end]).map(|at| frame.member_start + at + 1)
    else {
        return;
    };
    // A second `type` member replaces the first (`{"type":"tag","type":"contact",…}` is no tag's); the members
    // after it get a parent id never used before, so no memo entry made under the first type answers for them.
    if work.object_types.last().is_some_and(|object| object.depth == depth) {
        work.object_types.pop();
        work.next_node += 1;
        frame.parent = work.next_node;
    }
    let value = &line[start..end];
    let after_colon = line[..start - 1].trim_ascii_end().ends_with(b":");
    if !after_colon || value.contains(&b'\\') || !rules.names_an_object_type(value) {
        return;
    }
    work.object_types.push(ObjectType { depth, start, end });
    let parent = frame.node | 0x8000_0000;
    let (slot, tag, hit) = memo_hit(work, line, start, end, parent);
    frame.parent = match hit {
        Some(hit) => hit.node,
        None => {
            work.next_node += 1;
            let node = work.next_node;
            let slot_value = KeySlot { parent, node, treatment: frame.treatment, kind: MemberKind::Plain };
            work.key_slots.put(slot, value, tag, slot_value);
            node
        }
    };
}

/// Reads `"key" :` at `i` inside the top object frame, pushes the key and sets the member's treatment; returns
/// where the value starts and that treatment.
#[inline(always)]
fn member_key(
    rules: &Rules,
    line: &[u8],
    anchors: &Anchors,
    i: usize,
    work: &mut LineWork,
    stack: &mut [Frame],
) -> Result<(usize, Treatment), JsonError> {
    if line.get(i) != Some(&b'"') {
        return Err(JsonError::Syntax);
    }
    let (end, escaped) = string_end(anchors, line, i)?;
    let colon = skip_ws(line, end + 1);
    if line.get(colon) != Some(&b':') {
        return Err(JsonError::Syntax);
    }
    let frame = stack.last_mut().ok_or(JsonError::Syntax)?;
    frame.key = PathKey { start: i + 1, end, escaped };
    frame.key_pushed = true;
    frame.member_start = i;
    let inherited = frame.treatment;
    let treatment = cached_treatment(rules, line, stack, work, inherited)?;
    if let Some(frame) = stack.last_mut() {
        frame.member_treatment = treatment;
    }
    Ok((skip_ws(line, colon + 1), treatment))
}

/// What the walker does after a member's value besides moving on: cut a dropped member, or note a member of a
/// name/value pair. `{"name":"DB_PASSWORD","value":"hunter2"}` (Kubernetes env lists, HAR headers and query
/// strings) and `{"Key":"password","Value":"hunter2"}` (AWS tags) carry the key as data, in a sibling member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberKind {
    Plain,
    /// A `drop-field` member (whatever its key).
    Dropped,
    /// A `name` or `key` member, in any case: its string may name a classified key.
    Name,
    /// A `value` member, in any case: replaced as the value of the key its sibling names.
    Value,
    /// A `type` member: its string may be the object's type that some field rule is limited to.
    Type,
}

impl MemberKind {
    /// The kind of a member whose (decoded) key is `key` and whose values get `treatment`. The pair's keys are
    /// exact words in any ASCII case, not normalized like rule keys: `_key` or `first-name` are keys of their own.
    fn of(key: &[u8], treatment: Treatment) -> MemberKind {
        if treatment == Treatment::Drop {
            return MemberKind::Dropped;
        }
        match key.len() {
            3 | 4 if is_pair_name(key) => MemberKind::Name,
            5 if key.eq_ignore_ascii_case(b"value") => MemberKind::Value,
            4 if key == b"type" => MemberKind::Type,
            _ => MemberKind::Plain,
        }
    }
}

/// A `name`, `key` or `value` member of an object that is still open, noted when its value ends and settled when
/// the object closes (either member may come first, and the value's edits are already recorded by then).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairMember {
    /// The depth of the object's frame: the members of a nested object are settled when it closes, before the
    /// members of its parent that follow it are noted, so objects never mix.
    depth: usize,
    /// `Name` or `Value`.
    kind: MemberKind,
    /// The member's value in the line (a string with its quotes).
    start: usize,
    end: usize,
    /// A name that its own key's rule replaced (the shipped rules read every `name` member as a person's name),
    /// outside a replaced subtree: it may be kept when it names a key. Inside a subtree that an ancestor's rule
    /// replaces, the name stays replaced, whatever it names.
    keepable: bool,
}

/// Notes the `name` or `value` member of `frame` (at depth `depth`) whose value ends at `value_end`. Nothing inside
/// a dropped member is looked at; a name counts only as a string; a value only when it would be scanned, since a
/// value that a rule replaces already (its own key's, or an ancestor's) keeps that replacement: were the pair to
/// change its entity, redacting the output again (where a replaced name names nothing) would change it back.
#[cold]
#[inline(never)]
fn note_pair_member(line: &[u8], frame: &Frame, depth: usize, value_end: usize, work: &mut LineWork) {
    let counts = match frame.member_kind {
        MemberKind::Value => matches!(frame.member_treatment, Treatment::Detect { .. } | Treatment::Scan),
        _ => frame.member_treatment != Treatment::Skip,
    };
    if !counts {
        return;
    }
    let start = skip_ws(line, skip_ws(line, frame.key.end + 1) + 1);
    if frame.member_kind == MemberKind::Name && line.get(start) != Some(&b'"') {
        return;
    }
    let keepable =
        matches!(frame.member_treatment, Treatment::Replace(..)) && !matches!(frame.treatment, Treatment::Replace(..));
    work.pairs.push(PairMember { depth, kind: frame.member_kind, start, end: value_end, keepable });
}

/// Settles the pair members of the object at depth `depth`, which just closed (they are the last ones noted).
///
/// When the object has a `value` member and a `name` or `key` member whose string names a key that the rules
/// replace (looked up like the key of a `key=value` pair in text: dotted, any case, `_` and `-` ignored), every
/// `value` is replaced as a value under that key would be, instead of being scanned: a string or a number whole;
/// in an array or an object, every string and number (their keys and the structure stay). A `drop-field` key's
/// value is redacted, as in text: dropping the member would mean cutting one of its commas, which the members
/// around it have kept or cut already. The name is then a field name, not a person's: a `name` that its own rule
/// replaced is kept and scanned instead, unless it holds whitespace (a person's name could match a glob such as
/// `*secret*`). A replaced name that names no such key but reads as a field's name (`LOG_LEVEL`, `Content-Type`;
/// see `reads_as_a_key`) is kept and scanned as well, and the value is left to its own treatment. The object's
/// edits are sorted again, so they stay sorted and disjoint whichever member came first.
#[cold]
#[inline(never)]
fn settle_pairs(
    engine: &super::Inner,
    rules: &Rules,
    line: &[u8],
    anchors: &Anchors,
    work: &mut LineWork,
    depth: usize,
) -> Result<(), JsonError> {
    let from = work.pairs.iter().rposition(|member| member.depth != depth).map_or(0, |last| last + 1);
    let result = settle_members(engine, rules, line, anchors, work, from);
    work.pairs.truncate(from);
    result
}

/// `settle_pairs` for the members `work.pairs[from..]` of one object.
fn settle_members(
    engine: &super::Inner,
    rules: &Rules,
    line: &[u8],
    anchors: &Anchors,
    work: &mut LineWork,
    from: usize,
) -> Result<(), JsonError> {
    if !work.pairs[from..].iter().any(|member| member.kind == MemberKind::Value) {
        return Ok(());
    }
    // The first name that names a replaced key; failing one, the first replaced name that reads as a key
    // (`LOG_LEVEL`, `Content-Type`), which is a field's name, not a person's, and is kept.
    let mut named = None;
    let mut key_name = None;
    for index in from..work.pairs.len() {
        let member = work.pairs[index];
        if member.kind != MemberKind::Name {
            continue;
        }
        let raw = &line[member.start + 1..member.end - 1];
        let escaped = memchr::memchr(b'\\', raw).is_some();
        let key: &[u8] = if escaped {
            decode_string(raw, &mut work.decoded, &mut work.map)?;
            &work.decoded
        } else {
            raw
        };
        if let Some((entity, action, shape)) = work.memo.shaped_replacing_rule(rules, key) {
            // A rule with a shape counts when every value is a string of that shape, and none is a value of
            // no one by the rules (`{"name":"Employee","value":"Deirdre Walsh"}`; not `"value":"app.log"` under
            // `user`).
            let mut shaped = true;
            for index in from..work.pairs.len() {
                let value = work.pairs[index];
                if value.kind != MemberKind::Value {
                    continue;
                }
                let string = &line[value.start..value.end];
                let inner = &string[1.min(string.len())..string.len().saturating_sub(1)];
                let plain = string.len() >= 2 && string[0] == b'"' && memchr::memchr(b'\\', string).is_none();
                // A word about a value is none (`{"name":"password","value":"null"}`), as under the key itself.
                if plain && names_no_value(rules, &mut work.memo, entity, key, inner) {
                    shaped = false;
                } else if shape != ValueShape::Any {
                    shaped &= plain && engine.detectors.has_shape(shape, inner);
                }
            }
            if shaped {
                let keep_name = member.keepable && !key.iter().any(u8::is_ascii_whitespace);
                named = Some((member, escaped, keep_name, Some((entity, action))));
                break;
            }
        }
        if key_name.is_none() && member.keepable && reads_as_a_key(key) {
            key_name = Some((member, escaped, true, None));
        }
    }
    let Some((name, name_escaped, keep_name, rule)) = named.or(key_name) else {
        return Ok(());
    };
    // The edits inside the values (and inside a kept name) go: the edits are sorted, and everything the object's
    // members recorded starts at or after its first noted member.
    let first = work.edits.partition_point(|edit| edit.start < work.pairs[from].start);
    let members = &work.pairs[from..];
    let goes = |edit: &Edit| {
        let inside = |member: &PairMember| edit.start >= member.start && edit.end <= member.end;
        let in_value =
            rule.is_some() && members.iter().any(|member| member.kind == MemberKind::Value && inside(member));
        in_value || (keep_name && inside(&name))
    };
    let mut kept = first;
    for read in first..work.edits.len() {
        let edit = work.edits[read];
        if !goes(&edit) {
            work.edits[kept] = edit;
            kept += 1;
        }
    }
    work.edits.truncate(kept);
    if let Some((entity, action)) = rule {
        for index in from..work.pairs.len() {
            let member = work.pairs[index];
            if member.kind == MemberKind::Value {
                replace_value(line, anchors, member.start, member.end, entity, action, work)?;
            }
        }
    }
    if keep_name {
        engine.scan_json_string(
            line,
            anchors,
            name.start + 1,
            name.end - 1,
            name_escaped,
            ScanContext::default(),
            work,
        )?;
    }
    work.edits[first..].sort_unstable_by_key(|edit| edit.start);
    Ok(())
}

/// Replaces every string and number of the JSON value `line[start..end]` (walked already, so well-formed) with
/// `action`; object keys, literals and the structure stay.
fn replace_value(
    line: &[u8],
    anchors: &Anchors,
    start: usize,
    end: usize,
    entity: EntityId,
    action: Action,
    work: &mut LineWork,
) -> Result<(), JsonError> {
    let mut i = start;
    while i < end {
        match line[i] {
            b'"' => {
                let (close, escaped) = string_end(anchors, line, i)?;
                // A string followed by `:` is a key.
                let is_key = line.get(skip_ws(line, close + 1)) == Some(&b':');
                if !is_key && close > i + 1 {
                    // The value a hash is computed from is the decoded text, as for any replaced string.
                    let mut decoded = std::mem::take(&mut work.decoded);
                    let result = match escaped {
                        true => decode_string(&line[i + 1..close], &mut decoded, &mut work.map),
                        false => Ok(()),
                    };
                    let value = if escaped { &decoded[..] } else { &line[i + 1..close] };
                    if result.is_ok() {
                        work.push_replace(i + 1, close, entity, action, value, Sink::JsonString);
                    }
                    work.decoded = decoded;
                    result?;
                }
                i = close + 1;
            }
            b'-' | b'0'..=b'9' => {
                let number = number_end(line, i)?;
                work.push_replace(i, number, entity, action, &line[i..number], Sink::JsonBare(0));
                i = number;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// A key of the current path: its bytes in the line, and whether it has escapes to decode.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PathKey {
    start: usize,
    end: usize,
    escaped: bool,
}

/// Builds `work.path` (normalized keys) from the keys of the frames on `stack`: only needed when the memo misses.
fn materialize_path(line: &[u8], stack: &[Frame], work: &mut LineWork) -> Result<(), JsonError> {
    work.path.clear();
    for key in stack.iter().filter(|frame| frame.key_pushed).map(|frame| frame.key) {
        let raw = &line[key.start..key.end];
        let key = if key.escaped {
            decode_string(raw, &mut work.decoded, &mut work.map)?;
            &work.decoded[..]
        } else {
            raw
        };
        // A key with a `/` is a domain's name (a label's or an annotation's, `acme.com/owner.name`): the name
        // after it is the key. Kubernetes' and Helm's own (`kubernetes.io/metadata.name`,
        // `app.kubernetes.io/name`, `helm.sh/chart`) name the cluster's objects: each is one key, which no rule
        // names.
        let key = match memchr::memrchr(b'/', key) {
            Some(slash) if cluster_domain(&key[..slash]) => {
                work.path.push(key);
                continue;
            }
            Some(slash) => &key[slash + 1..],
            None => key,
        };
        // A dotted key is a path written flat (Elastic Common Schema's `"user.name"`, OpenTelemetry's
        // attributes, `"customer.full_name"`), as a `key=value` key in text is read.
        if memchr::memchr(b'.', key).is_none() {
            work.path.push(key);
            continue;
        }
        for segment in key.split(|&b| b == b'.').filter(|segment| !segment.is_empty()) {
            work.path.push(segment);
        }
    }
    // The type applies to the members of its own object only: an object inside it (an article's `author`, a
    // tag's `applied_by`) is another one, typed or not.
    if let Some(object) = work.object_types.last().filter(|object| object.depth == stack.len()) {
        work.path.set_object_type(&line[object.start..object.end]);
    }
    Ok(())
}

/// Whether the domain of a `domain/name` key is Kubernetes' or Helm's (`kubernetes.io`, `app.kubernetes.io`,
/// `k8s.io`, `helm.sh`).
fn cluster_domain(domain: &[u8]) -> bool {
    [b"kubernetes.io".as_slice(), b"k8s.io", b"helm.sh"]
        .iter()
        .any(|own| domain.ends_with(own) && (domain.len() == own.len() || domain[domain.len() - own.len() - 1] == b'.'))
}

/// The JSON key memo: a key under a parent path (named by its node id) gives the node id of the path with the key
/// and the treatment its value gets. With 512 slots a parent key is evicted more often, and its children then get
/// new node ids and miss too: 1.5% slower on JSON logs; 2,048 gain nothing more.
pub(crate) type KeySlots = KeyCache<KeySlot, 10>;

/// What the memo holds for a key: its parent's node id (part of the key), its own node id, its treatment, and the
/// member kind that follows from the key and the treatment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeySlot {
    parent: u32,
    node: u32,
    treatment: Treatment,
    kind: MemberKind,
}

/// The memo's slot for the bytes `line[start..end]` under the node id `parent`, their tag, and what the memo holds
/// for them under that parent, if anything (either of the slot's two ways).
#[inline(always)]
fn memo_hit(work: &LineWork, line: &[u8], start: usize, end: usize, parent: u32) -> (usize, KeyTag, Option<KeySlot>) {
    let (raw, tag) = (&line[start..end], KeyTag::of(line, start, end));
    let slot = KeySlots::slot(tag, u64::from(parent));
    let hit = match work.key_slots.get(slot, raw, tag) {
        Some(hit) if hit.parent == parent => Some(hit),
        _ => work.key_slots.get_other(slot, raw, tag).filter(|hit| hit.parent == parent),
    };
    (slot, tag, hit)
}

/// The treatment of the current member of the top frame (whose key is set), from a small two-way memo
/// when the same key was seen under the same parent path; sets the frame's node id.
///
/// Paths are named by node ids: the root is 0, and each (parent id, raw key) pair that misses the memo gets a new
/// id, never reused while the memo may hold it. An id therefore stands for exactly one path, and a hit (same
/// parent id, same key bytes) is always the answer a fresh lookup would give (a treatment depends on nothing but
/// the path). The normalized path is built only on a miss. An escaped key is not memoized (its raw bytes are not
/// the key): it always gets a node id of its own, and keys below it are memoized under that id.
#[inline(always)]
fn cached_treatment(
    rules: &Rules,
    line: &[u8],
    stack: &mut [Frame],
    work: &mut LineWork,
    inherited: Treatment,
) -> Result<Treatment, JsonError> {
    let Some(frame) = stack.last_mut() else { return Err(JsonError::Syntax) };
    let (key, parent) = (frame.key, frame.parent);
    let raw = &line[key.start..key.end];
    let (slot, tag, hit) = memo_hit(work, line, key.start, key.end, parent);
    match hit {
        Some(hit) if !key.escaped => {
            frame.node = hit.node;
            frame.member_kind = hit.kind;
            return Ok(hit.treatment);
        }
        _ => {}
    }
    work.next_node += 1;
    let node = work.next_node;
    frame.node = node;
    materialize_path(line, stack, work)?;
    let treatment = treatment_for(rules, work, (!key.escaped).then_some(raw), inherited);
    // An escaped key was decoded last by `materialize_path`.
    let kind = MemberKind::of(if key.escaped { &work.decoded } else { raw }, treatment);
    if let Some(frame) = stack.last_mut() {
        frame.member_kind = kind;
    }
    if key.escaped {
        return Ok(treatment);
    }
    work.key_slots.put(slot, raw, tag, KeySlot { parent, node, treatment, kind });
    Ok(treatment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_decode_with_offsets() {
        let mut out = Vec::new();
        let mut map = OffsetMap::default();
        decode_string(br#"a\u0040b\n\ud83d\ude00"#, &mut out, &mut map).unwrap();
        assert_eq!(out, "a@b\n\u{1F600}".as_bytes());
        let sources: Vec<usize> = (0..=out.len()).map(|at| map.source(at)).collect();
        assert_eq!(sources, [0, 1, 7, 8, 10, 10, 10, 10, 22]);
        assert_eq!(decode_string(br"\x", &mut out, &mut map), Err(JsonError::Syntax));
    }

    #[test]
    fn pair_members_are_named_by_exact_words_in_any_case() {
        let plain = Treatment::Detect { context: ScanContext::default(), shaped: None };
        for key in ["name", "Name", "KEY", "key"] {
            assert_eq!(MemberKind::of(key.as_bytes(), plain), MemberKind::Name, "{key}");
        }
        for key in ["value", "Value", "VALUE"] {
            assert_eq!(MemberKind::of(key.as_bytes(), plain), MemberKind::Value, "{key}");
        }
        for key in ["names", "_key", "nam", "values", "valu", "first_name", ""] {
            assert_eq!(MemberKind::of(key.as_bytes(), plain), MemberKind::Plain, "{key}");
        }
        // A dropped member is cut whatever its key.
        assert_eq!(MemberKind::of(b"value", Treatment::Drop), MemberKind::Dropped);
    }

    #[test]
    fn numbers_follow_the_grammar() {
        assert_eq!(number_end(b"-12.5e+3,", 0), Ok(8));
        assert_eq!(number_end(b"1.", 0), Err(JsonError::Syntax));
        assert_eq!(number_end(b"-", 0), Err(JsonError::Syntax));
    }
}
