//! Context words: the words that make a number a phone number, an SSN or a user pattern's match, looked up in the
//! few bytes before it (its label, or else its field), whole and in any ASCII case.

/// One list of context words (`[detectors.phone] context`, a pattern's `context`), compiled for two questions:
/// does a word stand whole in a window of text, and does a label (`mobile_number=`) mention one.
#[derive(Debug)]
pub(crate) struct ContextWords {
    /// The words, lowercased (unless `exact`).
    words: Vec<Vec<u8>>,
    /// Per word: it counts only in the case it is written in.
    exact: Vec<bool>,
    /// Per word: its first four bytes or fewer, in ASCII lowercase, and the mask of those bytes (see
    /// `prefix_of`): a cheap first test of a word at a position, before its bytes are compared.
    prefixes: Vec<(u32, u32)>,
    /// For each letter `a`..=`z`: the words that start with it.
    by_letter: [Vec<u16>; 26],
    /// Words that start with anything else (a digit, `#`, a byte that is not ASCII): tried wherever the byte
    /// before is not a letter.
    others: Vec<u16>,
    /// The first bytes of `others`: any other byte (a digit, a space) starts no word.
    other_first: [bool; 256],
    /// The first two bytes of every word as two tables of group bits, in either ASCII case: each distinct first
    /// byte gets one of 16 groups (`.0`, zero for a byte no word starts with), and each byte the groups of the
    /// first bytes it follows in some word (`.1`). A position whose two bytes have no group in common starts no
    /// word: two loads and an AND per byte, exact while there are at most 16 first bytes, a superset beyond.
    /// None when a word has a single byte.
    pairs: Option<Box<([u16; 256], [u16; 256])>>,
    /// The words as keys compare them (lowercase, without `_` and `-`), for labels (see `in_label`), and for
    /// each byte the ones that start with it, each with its first four bytes and their mask (see `prefix_of`):
    /// a label's position is compared with the words that start with its byte by one AND first.
    label_words: Vec<Vec<u8>>,
    label_by_first: Box<[Vec<(u32, u32, u16)>; 256]>,
    /// For each byte, the second bytes of the label words that start with it, as bits `second % 64` (all of
    /// them when such a word has one byte): a position of a label whose next byte has no bit starts none.
    label_seconds: Box<[u64; 256]>,
    /// The label words in ASCII that themselves end in a part that names an id or a time (WhatsApp's `wa_id`):
    /// the only ones that count in a key whose last part is such (see `SplitKey::names_no_phone`).
    label_words_ending_like_ids: Vec<u16>,
}

impl ContextWords {
    /// Compiles `words` (the rules reject empty ones); None when there are none, or too many to index (no rules
    /// file comes near 65,535).
    pub(crate) fn new(words: &[String]) -> Option<ContextWords> {
        Self::compile(words, |_| false)
    }

    /// Like `new`, but the words for which `exact` is true count only as written, in their case (`CPR`, not
    /// `cpr`).
    pub(crate) fn compile(words: &[String], exact: impl Fn(&str) -> bool) -> Option<ContextWords> {
        let words: Vec<&String> = words.iter().filter(|word| !word.is_empty()).collect();
        let exact: Vec<bool> = words.iter().map(|word| exact(word)).collect();
        let words: Vec<Vec<u8>> = words
            .iter()
            .zip(&exact)
            .map(|(word, &exact)| if exact { word.as_bytes().to_vec() } else { word.as_bytes().to_ascii_lowercase() })
            .collect();
        if words.is_empty() || words.len() > usize::from(u16::MAX) {
            return None;
        }
        let mut by_letter: [Vec<u16>; 26] = Default::default();
        let mut others = Vec::new();
        let mut pairs = Some(Box::new(([0u16; 256], [0u16; 256])));
        let mut groups = 0u32;
        for (index, word) in words.iter().enumerate() {
            let index = index as u16;
            match word[0].to_ascii_lowercase() {
                first @ b'a'..=b'z' => by_letter[usize::from(first - b'a')].push(index),
                _ => others.push(index),
            }
            match (word.get(1), pairs.as_mut()) {
                (Some(&second), Some(tables)) => {
                    let (first, follows) = &mut **tables;
                    let first_byte = usize::from(word[0].to_ascii_lowercase());
                    if first[first_byte] == 0 {
                        let group = 1 << (groups % 16);
                        groups += 1;
                        first[first_byte] = group;
                        first[usize::from(word[0].to_ascii_uppercase())] = group;
                    }
                    let group = first[first_byte];
                    follows[usize::from(second)] |= group;
                    follows[usize::from(second.to_ascii_uppercase())] |= group;
                }
                _ => pairs = None,
            }
        }
        let label_words: Vec<Vec<u8>> = words
            .iter()
            .map(|word| word.iter().filter(|&&b| b != b'_' && b != b'-').map(u8::to_ascii_lowercase).collect())
            .collect();
        let mut label_by_first: Box<[Vec<(u32, u32, u16)>; 256]> = Box::new(std::array::from_fn(|_| Vec::new()));
        let mut label_seconds = Box::new([0u64; 256]);
        // Words in ASCII are read in a label as keys are (`customerPhone` mentions `phone`); the others, whole
        // (`Пользователь:` does not hold `тел`), see `in_label`.
        for (index, word) in label_words.iter().enumerate() {
            if let (Some(&first), true) = (word.first(), word.is_ascii()) {
                let (prefix, mask) = prefix_of(word);
                label_by_first[usize::from(first)].push((prefix, mask, index as u16));
                label_seconds[usize::from(first)] |= word.get(1).map_or(u64::MAX, |&second| 1 << (second % 64));
            }
        }
        let label_words_ending_like_ids = (0..label_words.len() as u16)
            .filter(|&index| {
                let word = &words[usize::from(index)];
                word.is_ascii() && SplitKey::of(word).names_no_phone()
            })
            .collect();
        let prefixes = words.iter().map(|word| prefix_of(word)).collect();
        let mut other_first = [false; 256];
        for &word in &others {
            other_first[usize::from(words[usize::from(word)][0])] = true;
        }
        Some(ContextWords {
            words,
            exact,
            prefixes,
            by_letter,
            others,
            other_first,
            pairs,
            label_words,
            label_by_first,
            label_seconds,
            label_words_ending_like_ids,
        })
    }

    /// True when one of the words stands before `text[start..]` (a number). When the number is labeled (`Phone: `,
    /// `tel=`, `mobile_number=`), only the label counts (see `trailing_label`); otherwise the 40 characters before it
    /// count, cut at the last `=`, quote, `,`, `;`, `|`, brace or line break, and words must stand whole
    /// (`desktop` is not `desk`).
    pub(crate) fn before(&self, text: &[u8], start: usize) -> bool {
        let window = window_before(text, start);
        match label_of(window) {
            Some(label) => self.in_label(label),
            None => {
                self.in_window_after_cut(window).is_some()
                    || element_name(window).is_some_and(|name| self.in_label(name))
            }
        }
    }

    /// True when the number at `text[start..]` is labeled (`to=`, `"dst":`) and its label mentions one of the
    /// words as `before` reads a label; words in the prose before an unlabeled number do not count.
    pub(crate) fn in_label_before(&self, text: &[u8], start: usize) -> bool {
        label_of(window_before(text, start)).is_some_and(|label| self.in_label(label))
    }

    /// The index of the word that stands in prose before `text[start..]`, found as `before` finds one, but none
    /// after a `key:` or `key=` (whose value the key's own rule decides).
    pub(crate) fn word_in_prose_before(&self, text: &[u8], start: usize) -> Option<usize> {
        let window = window_before(text, start);
        match window.split_last() {
            Some((b'=', _)) => None,
            // A label of several words (`mot de passe:`), or one set off from its colon by a space as French
            // writes it (`mot de passe :`), is no key a key reader reads: it counts when it ends at the colon.
            Some((b':', label)) => {
                let trimmed = label.trim_ascii_end();
                let word = usize::from(self.in_window_after_cut(trimmed)?);
                let written = &self.words[word];
                let at_colon = trimmed.len() >= written.len()
                    && trimmed[trimmed.len() - written.len()..].eq_ignore_ascii_case(written);
                (at_colon && (written.contains(&b' ') || trimmed.len() < label.len())).then_some(word)
            }
            _ => self.in_window_after_cut(window).map(usize::from),
        }
    }

    /// `in_window` of the part of `window` after its last cut byte (`=`, a quote, `,`, `;`, `|`, a brace or
    /// bracket, a line break), in one pass from the end that stops at the cut.
    ///
    /// Only two kinds of position can start a word that stands whole: the first letter of a run of letters (for
    /// the words that start with a letter), and a byte that is not a letter with none before it (for the others).
    /// A run of letters is passed in a tight loop back to its first letter (letters are never cut bytes), and the
    /// bytes that are not letters only need the cut test when no word starts with one.
    fn in_window_after_cut(&self, window: &[u8]) -> Option<u16> {
        let mut i = window.len();
        while i > 0 {
            i -= 1;
            if window[i].is_ascii_alphabetic() {
                while i > 0 && window[i - 1].is_ascii_alphabetic() {
                    i -= 1;
                }
            } else if CUT_BYTES[usize::from(window[i])] {
                return None;
            } else if i > 0 && window[i - 1].is_ascii_alphabetic() {
                continue;
            }
            if let Some(word) = self.word_at(window, i) {
                return Some(word);
            }
        }
        None
    }

    /// True when one of the words stands at `text[at..]` (whole: no letter after it).
    pub(crate) fn stands_in(&self, text: &[u8], at: usize) -> bool {
        self.word_at(text, at).is_some()
    }

    /// The index of the word that stands at `text[at..]`, if one does: the words that can start with its byte,
    /// turned away by the first two bytes (`may_start`), then by the first four, before any is compared whole.
    #[inline]
    fn word_at(&self, text: &[u8], at: usize) -> Option<u16> {
        let starting = self.starting_with(text[at]);
        if starting.is_empty() || !self.may_start(text, at) {
            return None;
        }
        let (key, _) = prefix_of(&text[at..]);
        starting.iter().copied().find(|&word| {
            let (prefix, mask) = self.prefixes[usize::from(word)];
            key & mask == prefix && self.stands_at(text, at, word)
        })
    }

    /// The words that can start with `byte` (in any ASCII case): those of its letter, or the others.
    #[inline]
    fn starting_with(&self, byte: u8) -> &[u16] {
        match byte.to_ascii_lowercase() {
            first @ b'a'..=b'z' => &self.by_letter[usize::from(first - b'a')],
            _ if self.other_first[usize::from(byte)] => &self.others,
            _ => &[],
        }
    }

    /// True when one of the words stands whole in `window`: no ASCII letter right before it or right after it
    /// (`desk` is not in `desktop`, `tel` not in `hotel`; `telephone` is itself a word). The reference for
    /// `in_window_after_cut`.
    #[cfg(test)]
    fn in_window(&self, window: &[u8]) -> bool {
        let mut i = 0;
        while i < window.len() {
            let byte = window[i];
            if self.may_start(window, i) {
                // A letter here starts a run of letters: the byte before it is not a letter.
                if byte.is_ascii_alphabetic() {
                    let letter = usize::from(byte.to_ascii_lowercase() - b'a');
                    if self.by_letter[letter].iter().any(|&word| self.stands_at(window, i, word)) {
                        return true;
                    }
                }
                let boundary = i == 0 || !window[i - 1].is_ascii_alphabetic();
                if boundary && self.others.iter().any(|&word| self.stands_at(window, i, word)) {
                    return true;
                }
            }
            // On to the next word start: past this run of letters, or one byte.
            i += 1;
            if byte.is_ascii_alphabetic() {
                while i < window.len() && window[i].is_ascii_alphabetic() {
                    i += 1;
                }
            }
        }
        false
    }

    /// True when `label` (`customerPhone`, `mobile_number`, `Phone number`) mentions one of the words as keys
    /// are compared (see `SplitKey::mentions`), and does not name an id, a time or a quantity (`contact_id`,
    /// `registered_at`, `call_count`).
    /// A word with letters that are not ASCII (`тел`, `電話`, `tél`) counts only whole, as in prose.
    fn in_label(&self, label: &[u8]) -> bool {
        let key = SplitKey::of(label);
        // A key whose last part names an id or a time says no phone (`phone_id`), unless the word is that whole
        // last part itself (WhatsApp's `wa_id`).
        let ascii = if key.names_no_phone() {
            self.label_words_ending_like_ids.iter().any(|&word| {
                let word = &self.label_words[usize::from(word)];
                key.len >= word.len() && key.mentions_at(key.len - word.len(), word)
            })
        } else {
            (0..key.len).any(|at| {
                let first = usize::from(key.bytes[at]);
                // Most positions start no word: the byte after turns them away before any word is read.
                if self.label_seconds[first] >> (key.bytes[at + 1] % 64) & 1 == 0 {
                    return false;
                }
                let starting = &self.label_by_first[first];
                // The key's bytes are lowercase, as the words are: a word at `at` has the four bytes there as its
                // prefix, which turns most of them away before they are compared.
                let four = key.four_at(at);
                starting.iter().any(|&(prefix, mask, word)| {
                    four & mask == prefix && key.mentions_at(at, &self.label_words[usize::from(word)])
                })
            })
        };
        ascii || !label.is_ascii() && self.whole_word_not_ascii_in(label)
    }

    /// True when a word with a letter that is not ASCII stands whole in `label` (no ASCII letter before it, and
    /// what `stands_at` asks).
    fn whole_word_not_ascii_in(&self, label: &[u8]) -> bool {
        (0..label.len()).any(|at| {
            (at == 0 || !label[at - 1].is_ascii_alphabetic())
                && self
                    .starting_with(label[at])
                    .iter()
                    .any(|&word| !self.words[usize::from(word)].is_ascii() && self.stands_at(label, at, word))
        })
    }

    /// False when no word can start at `text[at..]`, by its first two bytes.
    #[inline]
    fn may_start(&self, text: &[u8], at: usize) -> bool {
        match (&self.pairs, text.get(at + 1)) {
            (Some(tables), Some(&second)) => tables.0[usize::from(text[at])] & tables.1[usize::from(second)] != 0,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// True when word `word` is at `window[at..]`, no letter of any script follows it, and no letter of a script
    /// written with spaces (not Chinese, Japanese, Thai, …) precedes it: `тел` is not in `Пользователь`, `tél`
    /// not in `Téléchargement`, `联系` not in `联系人`; `电话` is in `新电话`. (An ASCII letter before a word is
    /// the callers' to rule out.)
    #[inline]
    fn stands_at(&self, window: &[u8], at: usize, word: u16) -> bool {
        let exact = self.exact[usize::from(word)];
        let word = &self.words[usize::from(word)];
        let found = window.get(at..at + word.len()).is_some_and(|found| {
            if exact {
                found == &word[..]
            } else {
                found.eq_ignore_ascii_case(word)
            }
        });
        found
            && !char_at(window, at + word.len()).is_some_and(|(ch, _)| ch.is_alphabetic())
            && !(at > 0 && window[at - 1] >= 0x80 && glued_before(window, at))
    }
}

/// The character at `at` of a UTF-8 text and where the next one starts; None at the end or inside a character.
#[inline]
pub(crate) fn char_at(text: &[u8], at: usize) -> Option<(char, usize)> {
    let &lead = text.get(at)?;
    if lead < 0x80 {
        return Some((char::from(lead), at + 1));
    }
    let len = match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return None,
    };
    let c = std::str::from_utf8(text.get(at..at + len)?).ok()?.chars().next()?;
    Some((c, at + len))
}

/// The character that ends right before `text[at]`, if a whole one does.
pub(crate) fn char_before(text: &[u8], at: usize) -> Option<char> {
    let mut start = at.checked_sub(1)?;
    while start > 0 && at - start < 4 && text[start] & 0xC0 == 0x80 {
        start -= 1;
    }
    std::str::from_utf8(&text[start..at]).ok()?.chars().next()
}

/// True when a letter of a script written with spaces between words stands right before `text[at..]` (which
/// starts a word or a number), unless that word's script is written without them; a Hebrew letter before is no
/// glue, since Hebrew writes "the", "to", "in" and "and" as a letter before a word or a number (`הטלפון`, `ל052`).
pub(crate) fn glued_before(text: &[u8], at: usize) -> bool {
    let hebrew = |ch: char| ('\u{590}'..='\u{5ff}').contains(&ch);
    char_before(text, at).is_some_and(|ch| ch.is_alphabetic() && !written_without_spaces(ch) && !hebrew(ch))
        && !char_at(text, at).is_some_and(|(ch, _)| written_without_spaces(ch))
}

/// True for the letters of scripts written without spaces between words, whose words are found inside runs of
/// letters: Thai, Lao, Myanmar, Khmer, kana, and Chinese characters.
pub(crate) fn written_without_spaces(ch: char) -> bool {
    matches!(u32::from(ch), 0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0x3040..=0x30FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x3FFFF)
}

/// The characters that end a clause before a number besides `CUT_BYTES`' ASCII ones: the fullwidth and
/// ideographic comma, semicolon and full stop, the Arabic comma and semicolon, the danda, and guillemets.
const CUT_CHARS: [&str; 9] = ["，", "、", "。", "；", "،", "؛", "।", "«", "»"];

/// The `WINDOW_CHARS` characters before `text[start..]`, without the spaces, quotes and marks that lead into a
/// number. (Characters, not bytes: a Greek, Cyrillic or Hebrew word takes two bytes a letter, a Thai or Hindi one
/// three.)
fn window_before(text: &[u8], start: usize) -> &[u8] {
    let mut from = start.saturating_sub(WINDOW_CHARS);
    if !text[from..start].is_ascii() {
        let (mut at, mut chars) = (start, 0);
        while at > 0 && chars < WINDOW_CHARS {
            at -= 1;
            chars += usize::from(text[at] & 0xC0 != 0x80);
        }
        from = at;
        // Past the last clause cut of another script.
        for cut in CUT_CHARS {
            let cut = cut.as_bytes();
            if let Some(found) = text[from..start].windows(cut.len()).rposition(|bytes| bytes == cut) {
                from += found + cut.len();
            }
        }
    }
    let mut window = &text[from..start];
    while let Some((&last, rest)) = window.split_last() {
        if !LEAD_BYTES[usize::from(last)] {
            break;
        }
        window = rest;
    }
    window
}

/// The first four bytes of `bytes` (fewer when it is shorter) in ASCII lowercase, as a little-endian number, and
/// the mask of the bytes it holds.
#[inline]
fn prefix_of(bytes: &[u8]) -> (u32, u32) {
    let mut four = [0u8; 4];
    let len = bytes.len().min(4);
    four[..len].copy_from_slice(&bytes[..len]);
    let mask = if len == 4 { u32::MAX } else { (1u32 << (8 * len)) - 1 };
    (u32::from_le_bytes(four.map(|b| b.to_ascii_lowercase())) & mask, mask)
}

/// A key or label as its words are looked up in it: lowercase, without `_` and `-`, with the places where its
/// parts (`mobile` and `number` in `mobile_number`, `customer` and `phone` in `customerPhone`) start and end.
/// Only the last 127 bytes of a longer key are kept.
pub(crate) struct SplitKey {
    /// The key's bytes, then zeros: four more than it can hold, so that four bytes can be read at any of its
    /// positions (`four_at`).
    bytes: [u8; 131],
    len: usize,
    /// Bit `i`: a part starts or ends before `bytes[i]` (bit `len` for the end).
    bounds: u128,
}

/// Words of five bytes or more (`phone`, `mobile`, `msisdn`) count anywhere in a key (`cellphone`,
/// `homePhone2`); shorter ones (`tel`, `cell`, `fax`) only as a whole part (`office_tel`, not `hotel_id`,
/// `telemetry` or `excellent`).
const ANYWHERE_FROM: usize = 5;

impl SplitKey {
    pub(crate) fn of(raw: &[u8]) -> SplitKey {
        let raw = &raw[raw.len().saturating_sub(127)..];
        let mut key = SplitKey { bytes: [0; 131], len: 0, bounds: 1 };
        let mut previous = b'_';
        for &byte in raw {
            if byte == b'_' || byte == b'-' {
                key.bounds |= 1 << key.len;
                previous = byte;
                continue;
            }
            let camel = previous.is_ascii_lowercase() && byte.is_ascii_uppercase();
            if camel || !byte.is_ascii_alphabetic() || !previous.is_ascii_alphabetic() {
                key.bounds |= 1 << key.len;
            }
            key.bytes[key.len] = byte.to_ascii_lowercase();
            key.len += 1;
            previous = byte;
        }
        key.bounds |= 1 << key.len;
        key
    }

    /// True when `word` (lowercase, without `_` and `-`) is in the key: anywhere when it is long, else as a whole
    /// part.
    pub(crate) fn mentions(&self, word: &[u8]) -> bool {
        (0..self.len).any(|at| self.mentions_at(at, word))
    }

    /// The four bytes from `bytes[at]` (`at` below 127), as a little-endian number: a word's `prefix_of` when
    /// the word is there.
    #[inline]
    fn four_at(&self, at: usize) -> u32 {
        u32::from_le_bytes([self.bytes[at], self.bytes[at + 1], self.bytes[at + 2], self.bytes[at + 3]])
    }

    /// True when `word` is in the key at `bytes[at..]`, as `mentions` counts it.
    fn mentions_at(&self, at: usize, word: &[u8]) -> bool {
        let end = at + word.len();
        !word.is_empty()
            && self.bytes[at..self.len].starts_with(word)
            && (word.len() >= ANYWHERE_FROM || self.bounds >> at & 1 == 1 && self.bounds >> end & 1 == 1)
    }

    /// True when the last part of the key names an id, a time or a quantity (`contact_id`, `registered_at`,
    /// `duration_us`, `sms_count`): its values are not phone numbers whatever the key mentions.
    pub(crate) fn names_no_phone(&self) -> bool {
        let bytes = &self.bytes[..self.len];
        let last = (0..self.len).rev().find(|&i| self.bounds >> i & 1 == 1).unwrap_or(0);
        matches!(
            &bytes[last..],
            b"id"
                | b"ids"
                | b"uuid"
                | b"at"
                | b"ts"
                | b"time"
                | b"date"
                | b"count"
                | b"size"
                | b"ms"
                | b"us"
                | b"ns"
                | b"secs"
                | b"seconds"
                | b"bytes"
                | b"total"
                | b"version"
                | b"build"
        )
    }
}

/// How far back from a number its context is looked for, in characters.
const WINDOW_CHARS: usize = 40;

/// A byte table: `byte_set!(b => condition on b)`.
macro_rules! byte_set {
    ($b:ident => $member:expr) => {{
        let mut table = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $b = i as u8;
            table[i] = $member;
            i += 1;
        }
        table
    }};
}

/// The bytes that may stand between a number and its label or context (`Phone: +1`, `tel="(415`, `no. #-12`):
/// passed over before the label's `:`/`=` is looked for.
const LEAD_BYTES: [bool; 256] =
    byte_set!(b => matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'"' | b'\'' | b'+' | b'#' | b'-'));

/// The bytes of a label before a number (`phone number:`, `office_tel=`, `тел.:`): letters (of any script),
/// digits, `_`, `-`, `.`, space.
const LABEL_BYTES: [bool; 256] =
    byte_set!(b => b.is_ascii_alphanumeric() || b >= 0x80 || matches!(b, b'_' | b'-' | b'.' | b' '));

/// The bytes that end the window of context before an unlabeled number: the field it belongs to starts after
/// them.
const CUT_BYTES: [bool; 256] =
    byte_set!(b => matches!(b, b'=' | b'"' | b',' | b';' | b'|' | b'{' | b'}' | b'\n' | b'[' | b']'));

/// The label of a number whose window before it is `window`, when that ends in `:` or `=`: `"employee_ssn":"…`
/// (JSON inside a text line) has its key inside the quotes.
fn label_of(window: &[u8]) -> Option<&[u8]> {
    let (&last, rest) = window.split_last()?;
    if last != b':' && last != b'=' {
        return None;
    }
    let rest = rest.strip_suffix(b"\"").or_else(|| rest.strip_suffix(b"'")).unwrap_or(rest);
    if last == b':' && memchr::memrchr(b';', &rest[rest.len().saturating_sub(48)..]).is_some() {
        if let Some(name) = property_name(rest) {
            return Some(name);
        }
    }
    Some(trailing_label(rest))
}

/// The local name of the XML element whose start tag ends `window` (`<PrimarySSN>`, `<ns2:MobileNumber>`,
/// `<TaxpayerSSN type="primary">`), which
/// labels its text as a key does.
fn element_name(window: &[u8]) -> Option<&[u8]> {
    let tag = window.strip_suffix(b">")?;
    let open = tag.iter().rposition(|&b| b == b'<')?;
    // The name, before the attributes (`<TaxpayerSSN type="primary">`).
    let name = &tag[open + 1..];
    let name = &name[..name.iter().position(|&b| b == b' ').unwrap_or(name.len())];
    let local = name.iter().rposition(|&b| b == b':').map_or(name, |colon| &name[colon + 1..]);
    let named = local.first().is_some_and(u8::is_ascii_alphabetic)
        && local.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    named.then_some(local)
}

/// The name of a vCard or iCalendar property written with parameters, which ends `text` (`TEL;TYPE=WORK,VOICE`,
/// `item1.TEL;type=pref`): the name labels the value, not the last parameter's value (`WORK`).
fn property_name(text: &[u8]) -> Option<&[u8]> {
    let in_property = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b';' | b'=' | b',' | b'-' | b'_' | b'.');
    let start = text.iter().rposition(|&b| !in_property(b)).map_or(0, |p| p + 1);
    let property = &text[start..];
    let semicolon = memchr::memchr(b';', property)?;
    let name = &property[..semicolon];
    let named = name.first().is_some_and(u8::is_ascii_alphabetic)
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
    (named && property[semicolon..].contains(&b'=')).then_some(name)
}

/// The label that ends `text`: its last run of letters, digits, `_`, `-`, `.` and spaces (`phone number`,
/// `sms delivery failed to`), without its first word when a `=` comes right before the run: that word is the
/// value of another field (`pod=edge-66sms ts_unix=`, `heap_used=47714194 heap_max=`).
fn trailing_label(text: &[u8]) -> &[u8] {
    let start = text.iter().rposition(|&b| !LABEL_BYTES[usize::from(b)]).map_or(0, |p| p + 1);
    let label = &text[start..];
    if start > 0 && text[start - 1] == b'=' {
        if let Some(space) = label.iter().position(|&b| b == b' ') {
            return &label[space + 1..];
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> ContextWords {
        ContextWords::new(&list.iter().map(|word| word.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn words_count_only_whole() {
        let phone = words(&["tel", "telephone", "mob", "mobile", "desk", "text me", "call"]);
        for window in ["telephone ", "Tel: ", "my MOBILE", "mob", "at my desk, ", "text me on", "(call)"] {
            assert!(phone.in_window(window.as_bytes()), "{window}");
        }
        for window in ["hotel ", "desktop", "textme", "recall", "mobiles", "", "12 34"] {
            assert!(!phone.in_window(window.as_bytes()), "{window}");
        }
    }

    #[test]
    fn words_that_do_not_start_with_a_letter() {
        let ssn = words(&["ss#", "#id", "ß-nr"]);
        assert!(ssn.in_window(b"ss# "));
        assert!(ssn.in_window(b"the #id"));
        assert!(ssn.in_window(b"x #id"));
        assert!(!ssn.in_window(b"the #idea"));
        assert!(!ssn.in_window(b"x#id"));
        assert!(ssn.in_window("ß-nr".as_bytes()));
    }

    #[test]
    fn one_byte_words_are_tried_everywhere() {
        // A word of one byte turns the pair filter off; it still has to stand whole.
        let short = words(&["m", "tel"]);
        assert!(short.in_window(b"m: "));
        assert!(short.in_window(b"(m)"));
        assert!(!short.in_window(b"mm"));
        assert!(short.in_label(b"office_m"));
        assert!(short.in_label(b"x_TEL"));
        assert!(!short.in_label(b"order_id"));
    }

    #[test]
    fn more_first_bytes_than_groups_still_find_every_word() {
        // 20 first letters share 16 groups: the pair filter lets more through, and no word is lost.
        let list: Vec<String> = (b'a'..=b't').map(|first| format!("{0}{0}z", first as char)).collect();
        let many = ContextWords::new(&list).unwrap();
        for word in &list {
            assert!(many.in_window(format!("x {} y", word.to_uppercase()).as_bytes()), "{word}");
            assert!(many.in_label(format!("my_{word}_no").as_bytes()), "{word}");
        }
        // `a` and `q` (the 17th first letter) share a group, so `aq` passes the filter: the words turn it away.
        assert!(!many.in_window(b"x aqz y"));
        assert!(!many.in_label(b"order_aqz_no"));
    }

    #[test]
    fn one_pass_from_the_end_agrees_with_the_forward_reference() {
        // Seeded texts of word pieces, cut bytes and others, against the forward definition: the words of the
        // window after the last cut byte.
        let phone = words(&["phone", "tel", "mob", "text me", "ss#", "(m)", "call"]);
        let seed = 0xc0de_u64;
        println!("seed {seed:#x}");
        let pieces: [&[u8]; 24] = [
            b"phone", b"Tel", b"mob", b"text me", b"ss#", b"(m)", b"CALL", b"te", b"x", b"a", b"9", b" ", b" ", b"=",
            b",", b"\"", b"_", b"-", b".", b":", b"\n", b"{", b"|", b"#",
        ];
        let mut state = seed;
        let mut found = [0usize; 2];
        for count in 0..12 {
            for _ in 0..800 {
                let text: Vec<u8> = (0..count)
                    .flat_map(|_| {
                        pieces[(super::super::xorshift(&mut state) % pieces.len() as u64) as usize].iter().copied()
                    })
                    .collect();
                let part = text.iter().rposition(|&b| CUT_BYTES[usize::from(b)]).map_or(0, |cut| cut + 1);
                let window = phone.in_window(&text[part..]);
                assert_eq!(phone.in_window_after_cut(&text).is_some(), window, "{:?}", String::from_utf8_lossy(&text));
                found[0] += usize::from(window);
                found[1] += usize::from(!window);
            }
        }
        // Both answers occur often, so the comparison covers both.
        assert!(found.iter().all(|&count| count > 100), "{found:?}");
    }

    #[test]
    fn labels_mention_long_words_anywhere_and_short_ones_as_parts() {
        let phone = words(&["phone", "tel", "cell", "contact", "phone number", "ss#"]);
        for label in ["customerPhone", "office_TEL", "TEL", "cellphone", "tel2", "Phone number", "home-cell", "SS#"] {
            assert!(phone.in_label(label.as_bytes()), "{label}");
        }
        for label in ["order_id", "te", "hotel", "telemetry_x", "excellent", "cancellation", "intelBuild"] {
            assert!(!phone.in_label(label.as_bytes()), "{label}");
        }
        // An id, a time or a quantity is no phone whatever the key mentions.
        for label in ["contact_id", "phoneId", "last_contacted_at", "call_duration_us", "sms_count"] {
            assert!(!phone.in_label(label.as_bytes()), "{label}");
        }
        assert!(ContextWords::new(&[]).is_none());
    }

    #[test]
    fn keys_split_into_parts() {
        let key = SplitKey::of(b"homePhone_TEL-no2");
        assert_eq!(&key.bytes[..key.len], b"homephonetelno2");
        assert!(key.mentions(b"phone") && key.mentions(b"tel") && key.mentions(b"no"));
        assert!(!key.mentions(b"eph") && !key.mentions(b"elno") && !key.names_no_phone());
        assert!(SplitKey::of(b"userId").names_no_phone());
        let long = SplitKey::of(format!("{}_tel", "x".repeat(300)).as_bytes());
        assert!(long.mentions(b"tel"));
    }
}
