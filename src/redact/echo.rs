//! Echoes: a value that the rules or a detector replaced is replaced wherever else it stands in the same line.
//!
//! Logs repeat what they were given: Serilog writes a property and the message rendered with it (`"UserName":
//! "sven.a"` and `"Login failed for \"sven.a\""`), a webhook carries the author's name and a body signed with it,
//! Dovecot logs `user=<lucie.moreau>` beside `lucie.moreau@laposte.net`. Once a value is known to be personal, its
//! other occurrences in the line are too, though no key or pattern points at them.
//!
//! An address's user part also spells its owner's name (`aisha.bello@proton.me` beside `Aisha Bello`): that name
//! is replaced where it stands in the line, as a name (see `name_of_address`).
//!
//! Only lines with an edit pay for this: each value is looked for, in any ASCII case, from its first byte.
//! An occurrence counts when it stands as a whole word (no letter, digit or `_` joined to it), is not a key
//! (`value=`, `"value":`), overlaps no other edit and, in a JSON line, stands inside a string.

use super::anchors::Anchors;
use super::{json, Edit, LineWork, Sink};
use crate::rules::{Action, DetectorKind, EntityId, Rules};

/// Values shorter than this are not looked for elsewhere (`Bob`, `42`): too many words would match.
const MIN_LEN: usize = 4;

/// The most distinct values looked for, and echoes added, in one line: a line that repeats a found shape
/// thousands of times (`Keizersgracht 452 Keizersgracht 452 …`) costs a bounded look, not one per pair of edits.
const MAX_VALUES: usize = 32;
const MAX_ECHOES: usize = 256;
/// The most addresses of one line whose user parts are looked for as names: each look reads the line's words.
const MAX_NAMED: usize = 8;

/// Adds an edit for every other occurrence of an edit's value in `line` (walked as JSON when `json`), and for the
/// name an address's user part spells (as `name`, the name detector's entity and action, when it is on), and
/// keeps the edits ordered.
#[inline(never)]
pub(super) fn echo(rules: &Rules, name: Option<(EntityId, Action)>, line: &[u8], json: bool, work: &mut LineWork) {
    let LineWork { edits, values, echo_strings, line_anchors, .. } = work;
    if edits.is_empty() {
        return;
    }
    // In a JSON line, an echo stands inside a string: the spans of the strings are read once the first
    // occurrence needs them.
    echo_strings.clear();
    let mut spans_read = false;
    let sink = if json { Sink::JsonString } else { Sink::Raw };
    let mut in_string = |at: usize, end: usize| {
        if !json {
            return true;
        }
        if !spans_read {
            string_spans(line_anchors, line, echo_strings);
            spans_read = true;
        }
        inside(echo_strings, at, end)
    };
    let email = DetectorKind::Email.entity();
    let original = edits.len();
    // Edits in order and apart, as the walker and the detectors leave them, are searched by halves.
    let ordered = edits.windows(2).all(|pair| pair[0].end <= pair[1].start);
    // The values looked for so far (spans of `values`): a value found again is not looked for again.
    let mut looked = [(0usize, 0usize); MAX_VALUES];
    let mut looked_count = 0;
    // The user parts whose names were looked for (spans of `values`).
    let mut named = [(0usize, 0usize); MAX_NAMED];
    let mut named_count = 0;
    'edits: for index in 0..original {
        let edit = edits[index];
        let value = &values[edit.value.0..edit.value.1];
        if edit.cut || line.get(edit.start..edit.end) != Some(value) {
            continue;
        }
        // An address's user part is its owner's login too (`user=<lucie.moreau>`): when it says more than a
        // role (`info`, `support`), it is looked for alone.
        let local = (edit.entity == email)
            .then(|| value.iter().position(|&b| b == b'@'))
            .flatten()
            .filter(|&at| value[..at].iter().any(|&b| matches!(b, b'.' | b'_' | b'-')))
            .map(|at| (edit.value.0, edit.value.0 + at));
        // What the detectors find (addresses, phones, cards, IPs) they find wherever it stands: only what a key
        // said, a secret, and an address's user part need looking for again.
        let whole = worth_echoing(rules, edit.entity, value).then_some(edit.value);
        // Each user part is looked for as a name once (a line may repeat an address thousands of times), and at
        // most `MAX_NAMED` of them. The places are found first: the values grow as the names are recorded.
        let unnamed = local.filter(|&(start, end)| {
            named_count < MAX_NAMED
                && !named[..named_count].iter().any(|&(from, to)| values[from..to] == values[start..end])
        });
        if let (Some((entity, action)), Some((start, end))) = (name, unnamed) {
            named[named_count] = (start, end);
            named_count += 1;
            let mut places = [(0usize, 0usize); MAX_NAMED];
            let mut place_count = 0;
            let parts = name_parts(&values[start..end]);
            let mut from = 0;
            while let Some(place) = name_of_address(line, parts.as_slice(), from).filter(|_| place_count < MAX_NAMED) {
                from = place.1;
                places[place_count] = place;
                place_count += 1;
            }
            for &(at, end) in &places[..place_count] {
                if overlaps(edits, original, ordered, at, end) {
                    continue;
                }
                if !in_string(at, end) {
                    continue;
                }
                let value_start = values.len();
                values.extend_from_slice(&line[at..end]);
                let value = (value_start, values.len());
                edits.push(Edit { start: at, end, entity, action, value, sink, cut: false });
                if edits.len() - original == MAX_ECHOES {
                    break 'edits;
                }
            }
        }
        for span in whole.into_iter().chain(local) {
            let needle = &values[span.0..span.1];
            if needle.len() < MIN_LEN || !needle.iter().any(u8::is_ascii_alphanumeric) {
                continue;
            }
            if looked[..looked_count].iter().any(|&(start, end)| &values[start..end] == needle) {
                continue;
            }
            if looked_count == MAX_VALUES {
                break 'edits;
            }
            looked[looked_count] = span;
            looked_count += 1;
            // Lines are short and values rare: a look for the first byte in either case, then a compare, costs
            // less than building a substring searcher per value.
            let (lower, upper) = (needle[0].to_ascii_lowercase(), needle[0].to_ascii_uppercase());
            let mut from = 0;
            while let Some(at) = memchr::memchr2(lower, upper, &line[from..]).map(|p| from + p) {
                from = at + 1;
                let end = at + needle.len();
                if end > line.len() {
                    break;
                }
                if !line[at..end].eq_ignore_ascii_case(needle)
                    || at == edit.start
                    || !whole_word(line, at, end)
                    || is_key(line, end)
                    || overlaps(edits, original, ordered, at, end)
                {
                    continue;
                }
                if !in_string(at, end) {
                    continue;
                }
                edits.push(Edit { start: at, end, sink, ..edit });
                from = end;
                if edits.len() - original == MAX_ECHOES {
                    break 'edits;
                }
            }
        }
    }
    if edits.len() > original {
        edits.sort_by_key(|edit| edit.start);
    }
}

/// Whether a value of `entity` is looked for elsewhere: not a detector's that finds its own everywhere (an email,
/// a card; the name detector finds names only after a cue) but a secret of eight bytes or more, a phone written as
/// ten bare digits or more, found under a key or after a word (WhatsApp's `"wa_id":"971501234567"` beside
/// `"from":"971501234567"`, which the detector alone does not take; not a date, `20240101`), a name of two
/// words or more written as names are (`Oliver Bennett`; `accounts`
/// or `ERROR` under a `name` key is a system's), a login with a separator or a digit (`sven.andersson`, not
/// `admin`) or of seven bytes or more (`jdevries`, in the user's home directory), a place whatever its shape, and a value of any other entity from eight bytes on.
fn worth_echoing(rules: &Rules, entity: EntityId, value: &[u8]) -> bool {
    if let Some(&kind) = DetectorKind::ALL.iter().find(|kind| kind.entity() == entity && **kind != DetectorKind::Name) {
        let bare_digits = || value.iter().all(u8::is_ascii_digit);
        return match kind {
            DetectorKind::Secret | DetectorKind::Credentials => value.len() >= 8,
            DetectorKind::Phone => value.len() >= 10 && bare_digits(),
            _ => false,
        };
    }
    match rules.entity_name(entity) {
        "NAME" => {
            let words = value.split(|&b| b == b' ').filter(|word| !word.is_empty());
            let name_like = |word: &[u8]| {
                word[0].is_ascii_uppercase() && word[1..].iter().any(|&b| b.is_ascii_lowercase() || b >= 0x80)
            };
            let (count, all) = words.fold((0, true), |(count, all), word| (count + 1, all && name_like(word)));
            count >= 2 && all
        }
        "USERNAME" => {
            let marked = value.iter().any(|&b| matches!(b, b'.' | b'_' | b'-' | b'@') || b.is_ascii_digit());
            value.len() >= 5 && marked || value.len() >= 7
        }
        "LOCATION" => true,
        _ => value.len() >= 8,
    }
}

/// The words of an address's user part that may spell a name: two or three parts between `.`, `_` or `-`, each of
/// two ASCII letters or more once digits at its end are dropped (`amit.sharma84` is `amit`, `sharma`); none
/// otherwise (`info`, `j.smith`, `team-2024`).
fn name_parts(local: &[u8]) -> Parts<'_> {
    let mut parts = Parts { parts: [&[]; 3], len: 0 };
    for part in local.split(|&b| matches!(b, b'.' | b'_' | b'-')) {
        let part = &part[..part.len() - part.iter().rev().take_while(|b| b.is_ascii_digit()).count()];
        let named = part.len() >= 2
            && part.iter().all(u8::is_ascii_alphabetic)
            && !ROLE_WORDS.iter().any(|role| part.eq_ignore_ascii_case(role.as_bytes()));
        if !named || parts.len == 3 {
            return Parts { parts: [&[]; 3], len: 0 };
        }
        parts.parts[parts.len] = part;
        parts.len += 1;
    }
    if parts.len < 2 {
        parts.len = 0;
    }
    parts
}

/// The words of a user part that spell a name: two or three, or none.
struct Parts<'a> {
    parts: [&'a [u8]; 3],
    len: usize,
}

impl<'a> Parts<'a> {
    fn as_slice(&self) -> &[&'a [u8]] {
        &self.parts[..self.len]
    }
}

/// Words of a team's or a function's address (`sales.team@`, `customer-support@`, `no-reply@`): a user part with
/// one of them spells no person's name.
const ROLE_WORDS: &[&str] = &[
    "account",
    "accounts",
    "admin",
    "alerts",
    "billing",
    "bot",
    "build",
    "careers",
    "ci",
    "cloud",
    "contact",
    "customer",
    "customers",
    "data",
    "deploy",
    "desk",
    "dev",
    "finance",
    "help",
    "hello",
    "info",
    "jobs",
    "legal",
    "mail",
    "mailer",
    "manager",
    "marketing",
    "monitoring",
    "news",
    "no",
    "noreply",
    "notifications",
    "office",
    "ops",
    "orders",
    "payroll",
    "press",
    "release",
    "reply",
    "root",
    "sales",
    "security",
    "server",
    "service",
    "services",
    "shop",
    "store",
    "support",
    "system",
    "team",
    "test",
    "user",
];

/// Where `line` writes the name that `parts` spell (see `name_parts`): the parts as words written as names (a
/// capital, then small letters; the marks of Latin letters ignored, so `Ramírez` is `ramirez`), one space apart,
/// in order or the last first (`Bello Aisha`). The first such place from `from` on, if any.
fn name_of_address(line: &[u8], parts: &[&[u8]], from: usize) -> Option<(usize, usize)> {
    let (first, last) = (parts.first()?, parts.last()?);
    for (start, end) in (Words { line, at: from }) {
        let word = &line[start..end];
        let order: &mut dyn Iterator<Item = &&[u8]> = if spells(word, first) {
            &mut parts.iter()
        } else if spells(word, last) {
            &mut parts.iter().rev()
        } else {
            continue;
        };
        order.next();
        let mut name_end = end;
        let mut all = true;
        for part in order {
            let next = name_end + 1;
            match (line.get(name_end), Words { line, at: next }.next()) {
                (Some(b' '), Some((start, end))) if start == next && spells(&line[start..end], part) => name_end = end,
                _ => {
                    all = false;
                    break;
                }
            }
        }
        // Not part of a longer handle or address (`Aisha.Bello`, `bello.aisha@`).
        let joined = |at: usize| matches!(line.get(at), Some(b'.' | b'_' | b'-' | b'@' | b'+'));
        let glued = start > 0 && joined(start - 1)
            || joined(name_end) && line.get(name_end + 1).is_some_and(u8::is_ascii_alphanumeric);
        if all && !glued {
            return Some((start, name_end));
        }
    }
    None
}

/// The words of a line: runs of letters (ASCII or beyond), with where each starts and ends.
struct Words<'a> {
    line: &'a [u8],
    at: usize,
}

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let letter = |b: &u8| b.is_ascii_alphabetic() || *b >= 0x80;
        let start = self.at + self.line.get(self.at..)?.iter().position(letter)?;
        let end = start + self.line[start..].iter().take_while(|b| letter(b)).count();
        self.at = end;
        Some((start, end))
    }
}

/// Whether `word` is written as a name and, ignoring case and the marks of Latin letters, is `part`.
fn spells(word: &[u8], part: &[u8]) -> bool {
    // Most words start with an ASCII byte that settles it.
    if let (Some(&first), Some(&letter)) = (word.first(), part.first()) {
        if first < 0x80 && (!first.is_ascii_uppercase() || !first.eq_ignore_ascii_case(&letter)) {
            return false;
        }
    }
    let Ok(text) = std::str::from_utf8(word) else { return false };
    let mut chars = text.chars();
    if !chars.next().is_some_and(char::is_uppercase) || !chars.any(char::is_lowercase) {
        return false;
    }
    let mut folded = text.chars().map(fold_latin);
    let mut part = part.iter();
    loop {
        match (folded.next(), part.next()) {
            (None, None) => return true,
            (Some(Some(a)), Some(&b)) if a == b.to_ascii_lowercase() => {}
            _ => return false,
        }
    }
}

/// A Latin letter as its small ASCII base letter (`É` is `e`, `ł` is `l`, `ı` is `i`); None for anything else
/// (`ß`, `æ`, other scripts).
fn fold_latin(ch: char) -> Option<u8> {
    // U+00C0 to U+017F, by their base letters; `-` where there is none.
    const LATIN: &[u8; 192] = b"aaaaaa-ceeeeiiiidnooooo-ouuuuy--aaaaaa-ceeeeiiiidnooooo-ouuuuy-y\
        aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii--jjkkklllllll\
        lllnnnnnnn--oooooo--rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    match ch {
        'a'..='z' | 'A'..='Z' => Some(ch.to_ascii_lowercase() as u8),
        '\u{c0}'..='\u{17f}' => Some(LATIN[ch as usize - 0xc0]).filter(|&b| b != b'-'),
        _ => None,
    }
}

/// True for a byte that joins a word: a letter, a digit, `_`, or a byte of a character beyond ASCII.
fn word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// True when `line[start..end]` is not joined to a word on either side (where its own end is a word byte).
fn whole_word(line: &[u8], start: usize, end: usize) -> bool {
    let before = start > 0 && word_byte(line[start - 1]) && word_byte(line[start]);
    let after = end < line.len() && word_byte(line[end]) && word_byte(line[end - 1]);
    !before && !after
}

/// True when what ends at `end` is a key: `value=`, `value:` or `"value":`.
fn is_key(line: &[u8], end: usize) -> bool {
    let rest = &line[end..];
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    let rest = rest.trim_ascii_start();
    matches!(rest.first(), Some(b'=' | b':'))
}

/// The spans of the JSON strings of `line` (valid JSON, whose quotes and backslashes `anchors` mark), their
/// quotes left out: each string read to its end as the walker reads it.
fn string_spans(anchors: &Anchors, line: &[u8], spans: &mut Vec<(usize, usize)>) {
    let mut from = 0;
    while let Some(open) = anchors.next_quote(from) {
        let Ok((end, _)) = json::string_end(anchors, line, open) else { return };
        spans.push((open + 1, end));
        from = end + 1;
    }
}

/// True when `start..end` lies inside one of `spans` (ordered).
fn inside(spans: &[(usize, usize)], start: usize, end: usize) -> bool {
    let index = spans.partition_point(|&(_, span_end)| span_end < end);
    spans.get(index).is_some_and(|&(span_start, span_end)| span_start <= start && end <= span_end)
}

/// True when `start..end` overlaps an edit: of the first `original` (by halves when they are `ordered`), or of
/// the echoes added after them (at most `MAX_ECHOES`).
fn overlaps(edits: &[Edit], original: usize, ordered: bool, start: usize, end: usize) -> bool {
    let overlap = |edit: &Edit| edit.start < end && start < edit.end;
    let (first, added) = edits.split_at(original);
    let in_first = if ordered {
        let index = first.partition_point(|edit| edit.end <= start);
        first.get(index).is_some_and(overlap)
    } else {
        first.iter().any(overlap)
    };
    in_first || added.iter().any(overlap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_part_spells_a_name_of_two_or_three_words() {
        assert_eq!(name_parts(b"amit.sharma84").as_slice(), [b"amit".as_slice(), b"sharma"]);
        assert_eq!(name_parts(b"mary_ann-lee").as_slice(), [b"mary".as_slice(), b"ann", b"lee"]);
        for local in ["info", "j.smith", "team-2024", "sales.team", "no-reply", "a.b.c.d", "jane.o'neil"] {
            assert!(name_parts(local.as_bytes()).as_slice().is_empty(), "{local}");
        }
    }

    #[test]
    fn the_name_is_found_as_written_in_either_order() {
        let parts = [b"diego".as_slice(), b"ramirez"];
        let find =
            |line: &'static str| name_of_address(line.as_bytes(), &parts, 0).map(|(start, end)| &line[start..end]);
        assert_eq!(find("subject=\"Welcome Diego Ramírez\""), Some("Diego Ramírez"));
        assert_eq!(find("(RAMIREZ x) Ramírez Diego,"), Some("Ramírez Diego"));
        // Not written as names, not one space apart, a word that goes on, a lone part.
        for line in ["diego ramirez", "DIEGO RAMIREZ", "Diego  Ramirez", "Diego Ramirezes", "Diego, Ramirez", "Diego"] {
            assert_eq!(find(line), None, "{line}");
        }
        assert!(spells("Yılmaz".as_bytes(), b"yilmaz") && spells("Łukasz".as_bytes(), b"lukasz"));
        assert!(!spells("Straße".as_bytes(), b"strasse"));
    }
}
