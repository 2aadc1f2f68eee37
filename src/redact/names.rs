//! Names in prose: a person's name right after a word that introduces one (a greeting, a sign-off, a title, a
//! phrase such as `my name is`), read at the capitals the anchors mark (and at words that start with a letter
//! that is not ASCII: `Éva`, `Øystein`).
//!
//! A name is one to six capitalized words (`Maria`, `Jean-Luc`, `O'Brien`, `Sørensen`), with the particles and
//! middle initials of names between them (`Ruud de Jong`, `Vanessa P. Hertzog`). It counts only after a cue of
//! the rules' `[detectors.name] context`, which may stand before it past spaces and quotes (`account holder
//! 'Javier Moreno'`):
//! - a cue written with a trailing comma (a sign-off: `regards,`) needs a mark of punctuation after it (`Kind
//!   regards,\n Maria`; `Best Buy` is a shop);
//! - any other takes none, or a `.` or `:` (`Dr. Okonkwo`, `Attn: Pieter Bakker`): after a greeting's comma
//!   comes the message, not a name (`Hello,\n My card`);
//! - a cue of three letters or fewer counts only capitalized (`Dr`, `Hi`; not `12 ms Total`);
//! - a cue of the rules' `full_name_context` (a role, `this is`) counts only before two capitalized words or more
//!   (`customer Burak Öztürk`; not `customer Tax ID`, `it's Done`).
//!
//! A word of the rules' `not_names` (`Team`, `Support`, `All`) is no part of a name.
//!
//! Without a cue, a full name counts when its first word is one of the rules' `given_names` (`for Tyler
//! Washington,`, `agent=Derek Osei`): two or three capitalized words, or four with a particle among them
//! (`Khalid bin Saeed Al Mansoori`), with no word of `not_family_names` in it or a word of either list after it
//! (`Philip Bypass`, `Rand Corporation`, `Cassandra Cluster`), and no house number before or after it (`12
//! Gordon Terrace`, `Jana Nerudy 89`); its first word is no cue (`Beste Jan Jansen`). A family name of the rules'
//! `leading_family_names` starts one the same way, of two or three words with a given name among them
//! (`Takahashi Yuki`, `Nguyễn Thị Mai`; not `Tang Dynasty`). A word is compared with the lists in lowercase, as
//! written and without its accents (`Sinéad` as `sinead`), only when a capital or a particle follows it.
//!
//! With a family name of the rules' `family_names`, a given name makes a name in the forms of records: in
//! capitals (`ELIF YILMAZ`, `KWAME MENSAH`, `SANNE DE VRIES`), as airlines write passengers
//! (`KOWALSKI/PIOTR MR`: any word before the `/`), and with the family name first before a comma (`THOMPSON,ROBERT`,
//! `Johansson, Mikael`); read at the words in capitals the anchors mark, and at the capitals before a comma. So does
//! a login of both joined by a `.`, `_` or a dash in small letters (`anna.lindqvist`, `petr_svoboda`,
//! `erik-johansson`), or an initial and a family name (`m.schulz`), read at the joins the anchors mark.

use super::anchors::{Anchor, View};
use super::context::char_at;
use crate::rules::path::normalize_key_into;
use crate::rules::DetectorRule;

/// The most bytes of spaces and quotes between a cue and the name after it.
const MAX_GAP: usize = 12;

/// The most words a name has.
const MAX_WORDS: usize = 6;

/// Lowercase words that join the parts of a name.
pub(crate) const PARTICLES: &[&[u8]] = &[
    b"de", b"van", b"von", b"der", b"den", b"da", b"di", b"del", b"della", b"dos", b"das", b"du", b"le", b"la", b"ter",
    b"ten", b"bin", b"binti", b"ibn", b"al", b"ap", b"y", b"e",
];

/// The number of buckets of `NameCues::by_end`.
const BUCKETS: usize = 1024;

/// The bucket of the cues that end in the bytes `second`, `last` (lowercase).
#[inline]
fn bucket(last: u8, second: u8) -> usize {
    (usize::from(last) * 131 + usize::from(second)) % BUCKETS
}

/// One cue, as compiled from the rules.
#[derive(Debug, Clone)]
struct Cue {
    /// Its words, lowercase.
    words: Box<[u8]>,
    /// A mark of punctuation must follow it (a sign-off: `regards,`).
    needs_mark: bool,
    /// Only a full name (two words or more) counts after it (`full_name_context`).
    full: bool,
    /// It is a phrase (a space or an apostrophe in it: `this is`, `it's`): a cue of full names that counts
    /// capitalized anywhere, not only before a `:`.
    phrase: bool,
}

/// The cues of the rules, compiled once.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameCues {
    cues: Vec<Cue>,
    /// The cues by their last two bytes (`bucket`): most capitals follow a word that no cue ends like, and the
    /// others a word that few do. One-byte cues are in `short_cues`.
    by_end: Vec<Vec<u16>>,
    short_cues: Vec<u16>,
    /// Words that name no one.
    not_names: Words,
    /// Given names, which start a full name without a cue, and the words that make such a name a place or a
    /// company.
    given_names: Words,
    not_family_names: Words,
    /// Family names written before the given name (`Zhang Wenjie`, `Nguyễn Thị Mai`, `Kovács Péter`).
    leading_family_names: Words,
    /// Family names, which with a given name make a name in capitals (`ELIF YILMAZ`, `KOWALSKI/PIOTR`), with the
    /// family name first before a comma (`Hernandez, Rosa`), or a login (`anna.lindqvist`).
    family_names: Words,
    /// Words of keys whose values are things (normalized: `merchant`, `font`, `vessel`).
    thing_keys: Vec<String>,
}

/// A set of lowercase words: those of up to sixteen bytes packed into a number each (sorted, with a bit filter
/// in front: most words looked up are in no list), the longer ones as they are (sorted).
#[derive(Debug, Clone, Default)]
struct Words {
    short: Vec<u128>,
    long: Vec<Box<[u8]>>,
    /// Bit `filter_bit(key)` is set for the key of every short word.
    filter: Vec<u64>,
}

/// The bits of `Words::filter`: 2^19 (64 KiB), about one in twenty of them set by the shipped lists.
const FILTER_BITS: u32 = 19;

/// The bit of `Words::filter` that stands for a packed word.
#[inline]
fn filter_bit(key: u128) -> usize {
    let mixed = (key as u64 ^ (key >> 64) as u64 ^ (key >> 93) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> (64 - FILTER_BITS)) as usize
}

impl Words {
    fn new<'a>(words: impl Iterator<Item = &'a str> + Clone) -> Words {
        let mut short: Vec<u128> = words.clone().filter_map(|word| packed(word.as_bytes())).collect();
        short.sort_unstable();
        short.dedup();
        let mut long: Vec<Box<[u8]>> =
            words.filter(|word| word.len() > 16).map(|word| word.as_bytes().into()).collect();
        long.sort_unstable();
        long.dedup();
        let mut filter = vec![0u64; if short.is_empty() { 0 } else { 1 << (FILTER_BITS - 6) }];
        for &key in &short {
            let bit = filter_bit(key);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        Words { short, long, filter }
    }

    fn is_empty(&self) -> bool {
        self.short.is_empty() && self.long.is_empty()
    }

    /// Whether the word packed into `key` (`packed`) is in the set.
    #[inline]
    fn holds_key(&self, key: u128) -> bool {
        self.may_hold(key) && self.short.binary_search(&key).is_ok()
    }

    /// False when the word packed into `key` is surely not in the set (its bit of the filter is clear).
    #[inline]
    fn may_hold(&self, key: u128) -> bool {
        let bit = filter_bit(key);
        self.filter.get(bit / 64).is_some_and(|bits| bits & (1 << (bit % 64)) != 0)
    }

    /// Whether `word` is in the set, compared in ASCII lowercase (the set's words that are not ASCII are found
    /// only as the rules lowercase them: see `holds_capitalized`).
    fn holds(&self, word: &[u8]) -> bool {
        match packed(word) {
            Some(key) => self.holds_key(key),
            // (An empty word is in neither half.)
            None => {
                let mut lower = [0u8; 48];
                let Some(lower) = lower.get_mut(..word.len()) else { return false };
                lower.copy_from_slice(word);
                lower.make_ascii_lowercase();
                self.long.binary_search_by(|long| (**long).cmp(lower)).is_ok()
            }
        }
    }

    /// Whether the capitalized `word` is in the set: its first letter lowercased when it is not ASCII (`Ólafur`,
    /// `Анастасия`), the rest in ASCII lowercase; or, when that is not, with the accents of its Latin letters
    /// taken off (`Sinéad` as `sinead`, `Thaís` as `thais`).
    fn holds_capitalized(&self, word: &[u8]) -> bool {
        let written = if word.first().is_some_and(u8::is_ascii) {
            self.holds(word)
        } else {
            let Some((first, next)) = char_at(word, 0) else { return false };
            let mut lower = [0u8; 48];
            let mut len = 0;
            for c in first.to_lowercase() {
                len += c.encode_utf8(&mut lower[len..]).len();
            }
            let Some(slot) = lower.get_mut(len..len + word.len() - next) else { return false };
            slot.copy_from_slice(&word[next..]);
            self.holds(&lower[..len + word.len() - next])
        };
        written || (!word.is_ascii() && fold_accents(word).is_some_and(|(folded, len)| self.holds(&folded[..len])))
    }

    /// Whether the `word` in capitals is in the set: lowercased whole (`DEMİR` as `demir`, `BĒRZIŅŠ` as
    /// `bērziņš`), or, when that is not, with the accents of its Latin letters taken off.
    fn holds_upper(&self, word: &[u8]) -> bool {
        if word.is_ascii() {
            return self.holds(word);
        }
        let Ok(word) = std::str::from_utf8(word) else { return false };
        let mut lower = [0u8; 48];
        let mut len = 0;
        // Turkish `İ` is an `i` (Unicode lowercases it to an `i` with a dot above).
        for c in word.chars().flat_map(|c| if c == 'İ' { 'i'.to_lowercase() } else { c.to_lowercase() }) {
            let Some(slot) = lower.get_mut(len..len + c.len_utf8()) else { return false };
            len += c.encode_utf8(slot).len();
        }
        self.holds_capitalized(&lower[..len])
    }
}

/// The Latin letters with an accent from U+00C0 to U+024F, then from U+1E00 to U+1EFF (Vietnamese), each as
/// its small letter without the accent, or `.` for a character that has none (`ø`, `ł`, `×`): the letters
/// that Unicode's canonical decomposition splits into a letter and its marks, and `Đ` and `đ`, which
/// Vietnamese names are written without too.
const FOLDED: [&[u8]; 2] = [
    b"aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.yaaaaaaccccccccddddeeeeeeeeeegggggggghh..\
      iiiiiiiii...jjkk.llllll....nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzz.................\
      ................oo.............uu............................aaiioouuuuuuuuuu.aaaa....ggkkoooo..j...gg..\
      nnaa....aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy............................",
    b"aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssss\
      ssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwy......aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooo\
      oooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......",
];

/// True when the normalized `key` names a thing: it ends with a word of `thing_keys`, or with one and `name`
/// (`merchant`, `productname`; not `projectmanager`).
pub(crate) fn names_a_thing(key: &[u8], thing_keys: &[impl AsRef<[u8]>]) -> bool {
    let key = key.strip_suffix(b"name").filter(|rest| !rest.is_empty()).unwrap_or(key);
    thing_keys.iter().any(|word| key.ends_with(word.as_ref()))
}

/// `word` in small letters with the accents of its Latin letters taken off (`Sinéad` as `sinead`, `Nguyễn` as
/// `nguyen`), other characters as they are, and its length; None when nothing was taken off or it is too long.
fn fold_accents(word: &[u8]) -> Option<([u8; 48], usize)> {
    let mut folded = [0u8; 48];
    let (mut len, mut at, mut changed) = (0, 0, false);
    while let Some((c, next)) = char_at(word, at) {
        let code = c as usize;
        let plain = match code {
            0xC0..=0x24F => FOLDED[0].get(code - 0xC0),
            0x1E00..=0x1EFF => FOLDED[1].get(code - 0x1E00),
            _ => None,
        };
        match plain {
            Some(&b) if b != b'.' => {
                *folded.get_mut(len)? = b;
                len += 1;
                changed = true;
            }
            _ => {
                let bytes = &word[at..next];
                folded.get_mut(len..len + bytes.len())?.copy_from_slice(bytes);
                folded[len..len + bytes.len()].make_ascii_lowercase();
                len += bytes.len();
            }
        }
        at = next;
    }
    (changed && at == word.len()).then_some((folded, len))
}

impl NameCues {
    /// The cues and word lists of the name detector's rule (`context`, `full_name_context`, `not_names`,
    /// `given_names`, `not_family_names`, `leading_family_names`, `family_names`, `thing_keys`; all lowercase).
    pub(crate) fn new(rule: &DetectorRule) -> NameCues {
        let cues: Vec<Cue> = rule
            .context
            .iter()
            .map(|word| (word, false))
            .chain(rule.full_name_context.iter().map(|word| (word, true)))
            .map(|(word, full)| match word.strip_suffix(',') {
                Some(bare) => (bare.trim_end(), true, full),
                // A cue's own full stop (`t.n.v.`) is read as the mark after it.
                None => (word.strip_suffix('.').unwrap_or(word), false, full),
            })
            .filter(|(bare, _, _)| !bare.is_empty())
            .map(|(bare, needs_mark, full)| Cue {
                words: bare.as_bytes().into(),
                needs_mark,
                full,
                phrase: bare.contains([' ', '\'', '\u{2019}']),
            })
            .collect();
        let mut by_end = vec![Vec::new(); BUCKETS];
        let mut short_cues = Vec::new();
        for (index, cue) in cues.iter().enumerate() {
            let Ok(index) = u16::try_from(index) else { continue };
            match *cue.words {
                [.., second, last] => by_end[bucket(last, second)].push(index),
                _ => short_cues.push(index),
            }
        }
        NameCues {
            cues,
            by_end,
            short_cues,
            not_names: Words::new(rule.not_names.iter().map(String::as_str)),
            given_names: Words::new(rule.given_names.iter()),
            not_family_names: Words::new(rule.not_family_names.iter().map(String::as_str)),
            leading_family_names: Words::new(rule.leading_family_names.iter()),
            family_names: Words::new(rule.family_names.iter()),
            thing_keys: rule.thing_keys.clone(),
        }
    }

    /// True when there is no cue and no name to start one: nothing to look for.
    pub(crate) fn is_empty(&self) -> bool {
        self.cues.is_empty() && self.given_names.is_empty() && self.leading_family_names.is_empty()
    }

    /// Calls `found(start, end)` for each name in `text` (whose anchors are `anchors`) that follows a cue.
    /// `thing` says that `text` is the value of a key that names a thing (`"merchant":"Tim Hortons"`): a given
    /// name at its start starts no name. Out of line: most texts the detectors scan have no capital after a cue.
    #[inline(never)]
    pub(crate) fn find(&self, text: &[u8], anchors: &View<'_>, thing: bool, mut found: impl FnMut(usize, usize)) {
        let mut after = 0;
        for start in anchors.positions(Anchor::Cap) {
            // A word that starts with a byte that is not ASCII starts with a letter of a cased script only after
            // a two-byte lead from 0xC3 (Latin, Greek, Cyrillic): not `£`, `µ` or `—`.
            let lead = text[start];
            if start < after || lead >= 0x80 && !(0xC3..=0xD4).contains(&lead) {
                continue;
            }
            // A first name written as its initial (`t.n.v. D. Bakker`): no capital before a small letter marks
            // it, so it is read back from the last name.
            let initial = match text[..start] {
                [.., b' ', initial, b'.', b' '] if initial.is_ascii_uppercase() => 3,
                _ => 0,
            };
            // A family name first before a comma (`Hernandez, Rosa M`), after a cue or none.
            if let Some((from, end)) = self.inverted_at(text, start).filter(|_| !(thing && start == 0)) {
                found(from, end);
                after = end;
                continue;
            }
            let (from, full) = if let Some(full) = self.cue_before(text, start) {
                (start, full)
            } else if initial > 0 && self.cue_before(text, start - initial).is_some() {
                // An initial and a last name are a full name.
                (start - initial, false)
            } else {
                if let Some(end) = self.given_name_at(text, start).filter(|_| !(thing && start == 0)) {
                    found(start, end);
                    after = end;
                }
                continue;
            };
            if let Some((end, words)) = self.name_at(text, start) {
                if full && words < 2 {
                    continue;
                }
                found(from, end);
                after = end;
            }
        }
        if self.family_names.is_empty() {
            return;
        }
        let mut after = 0;
        for start in anchors.positions(Anchor::Caps) {
            if start < after {
                continue;
            }
            if let Some(end) = self.capitals_at(text, start).filter(|_| !(thing && start == 0)) {
                found(start, end);
                after = end;
            }
        }
    }

    /// Calls `found(start, end)` for each login made of a given name and a family name of the lists, in either
    /// order, joined by a `.`, `_` or `-` (`anna.lindqvist`, `petr_svoboda`, `jupyter-erik-johansson`,
    /// `Huber_Florian`, `rahul.verma87`), or of an initial and a family name joined by a `.` (`m.schulz`): read at
    /// the joins that the anchors mark. Not the local part of an e-mail address, which is the e-mail reader's.
    #[inline(never)]
    pub(crate) fn logins(&self, text: &[u8], anchors: &View<'_>, mut found: impl FnMut(usize, usize)) {
        if self.family_names.is_empty() || self.given_names.is_empty() {
            return;
        }
        let mut after = 0;
        for join in anchors.positions(Anchor::Join) {
            if join < after {
                continue;
            }
            // The letters before the join (a run of more than 16 is no name), not after a digit (`v2.beta`).
            let start =
                join - text[join.saturating_sub(17)..join].iter().rev().take_while(|b| b.is_ascii_alphabetic()).count();
            // Most words before a join are no name and no initial (`trace_id`, `edge-gateway`): one bit of each
            // list's filter says so.
            let Some(first_key) = packed_letters(text, start, join - start) else { continue };
            let initial = join - start == 1;
            if !(initial || self.given_names.may_hold(first_key) || self.family_names.may_hold(first_key)) {
                continue;
            }
            let second = join + 1;
            let second_end = second + text[second..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let end = second_end + text[second_end..].iter().take_while(|b| b.is_ascii_digit()).count();
            if second_end - second > 16 || start > 0 && text[start - 1].is_ascii_digit() {
                continue;
            }
            if matches!(text.get(end), Some(b'@' | b'_')) || text.get(end).is_some_and(|&b| b >= 0x80) {
                continue;
            }
            let (first, last) = (&text[start..join], &text[second..second_end]);
            // A dash joins a login or a slug in small letters only (`erik-johansson`; not `Ritz-Carlton`,
            // `Mercedes-Benz`, `THALES-LUNA`), and not one of a URL's path (`/films/jackie-brown/`).
            if text[join] == b'-' {
                let lower = |word: &[u8]| word.iter().all(u8::is_ascii_lowercase);
                let segment =
                    join - text[..join].iter().rev().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count();
                if !lower(first) || !lower(last) || segment > 0 && text[segment - 1] == b'/' {
                    continue;
                }
            }
            let Some(last_key) = packed_letters(text, second, last.len()) else { continue };
            let named = if first.len() == 1 {
                // `m.schulz`, not a field of a short name (`e.target`, `s.length`: no family names) nor one of a
                // path of such (`c.s.payments`).
                text[join] == b'.'
                    && last.len() >= 4
                    && !(start > 0 && matches!(text[start - 1], b'.' | b'/'))
                    && self.family_names.holds_key(last_key)
            } else {
                first.len() >= 3
                    && last.len() >= 2
                    && self.given_names.holds_key(first_key)
                    && self.family_names.holds_key(last_key)
                    || last.len() >= 3 && self.family_names.holds_key(first_key) && self.given_names.holds_key(last_key)
            };
            if named {
                found(start, end);
                after = end;
            }
        }
    }

    /// Whether a cue ends before `start`, past at most `MAX_GAP` spaces and quotes and one mark of punctuation
    /// right after the cue: None when none does, else whether every cue that does asks for a full name.
    fn cue_before(&self, text: &[u8], start: usize) -> Option<bool> {
        let floor = start.saturating_sub(MAX_GAP);
        let mut end = start;
        while end > floor && matches!(text[end - 1], b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'(') {
            end -= 1;
        }
        if end == start {
            // `Hi,Maria` is no greeting: a name stands apart from its cue.
            return None;
        }
        let mark = end.checked_sub(1).map(|at| text[at]).filter(|b| matches!(b, b',' | b':' | b'.' | b'!' | b'-'));
        let cue_end = if mark.is_some() { end - 1 } else { end };
        let head = &text[..cue_end];
        if head.len() < 2 {
            return None;
        }
        let mut found = None;
        for Cue { words: cue, needs_mark, full, phrase } in self.ending_like(head) {
            let Some(cue_start) = head.len().checked_sub(cue.len()) else { continue };
            // A sign-off is closed by its mark; after a greeting's comma comes the message, not a name
            // (`Hello,</p><p>My card…`), while a title or a label may end in `.` or `:` (`Dr.`, `Attn:`).
            let mark_fits = match mark {
                Some(_) if *needs_mark => true,
                None => !needs_mark,
                Some(mark) => matches!(mark, b'.' | b':'),
            };
            let fits = mark_fits
                && head[cue_start..].eq_ignore_ascii_case(cue)
                && !letter_before(head, cue_start)
                // A short cue (`Dr`, `Hi`, `Ms`) counts capitalized: `12 ms Total` holds no title.
                && (cue.len() > 3 || head[cue_start].is_ascii_uppercase())
                // A cue of full names of one word (a role) counts in small letters, or capitalized as a label
                // (`Patient: Earl Pickett`; not the heading `Customer Portal Login`); a phrase in any case (`It's
                // Niamh Kelleher`).
                && (!full || *phrase || !head[cue_start].is_ascii_uppercase() || mark == Some(b':'));
            if fits {
                if !full {
                    return Some(false);
                }
                found = Some(true);
            }
        }
        found
    }

    /// True when a word of `name` (words between spaces) names no one (`Customer Service`, `Acme Support`).
    pub(crate) fn holds_a_word_of_no_one(&self, name: &[u8]) -> bool {
        name.split(|&b| b == b' ').any(|word| self.not_a_name(word))
    }

    /// True when `value`, all of it, reads as a person's full name (`ValueShape::FullName`): two to six
    /// capitalized words with particles and initials (`Pieter van Dijk`, `Michael J. Thompson`), the family name
    /// first before a comma (`Lindqvist, Karin`), or two to four words in capitals (`KOVÁCS PÉTER`); no word of
    /// `not_names` (`Support Team`, `Acme Inc`).
    pub(crate) fn reads_as_a_full_name(&self, value: &[u8]) -> bool {
        if value.len() > 96 {
            return false;
        }
        let whole = |part: &[u8]| self.name_at(part, 0).filter(|&(end, _)| end == part.len()).map(|(_, words)| words);
        if let Some(comma) = memchr::memmem::find(value, b", ") {
            return whole(&value[..comma]).is_some() && whole(&value[comma + 2..]).is_some();
        }
        whole(value).is_some_and(|words| words >= 2) || self.capitals(value)
    }

    /// The end of the full name (two capitalized words or more) that `value` starts with, if it does (`Stefanie
    /// Brandt since Monday`): not one that a capitalized word goes on from, a word of `not_names` or another
    /// (`Kubernetes Ingress Controller Fake Certificate`).
    pub(crate) fn full_name_start(&self, value: &[u8]) -> Option<usize> {
        let (end, words) = self.name_at(value, 0)?;
        // A word of `not_names` ends a name (`Stefanie Brandt On Duty`).
        let next = value.get(end + 1..).unwrap_or_default();
        let next_word = &next[..next.iter().position(|&b| b == b' ').unwrap_or(next.len())];
        let goes_on = value.get(end) == Some(&b' ')
            && char_at(value, end + 1).is_some_and(|(c, _)| c.is_uppercase())
            && !self.not_a_name(next_word);
        (words >= 2 && !goes_on).then_some(end)
    }

    /// True when `value` is two to four words of two capital letters or more, none of `not_names` (`KOVÁCS
    /// PÉTER`, `O'BRIEN-SMITH MARY`).
    fn capitals(&self, value: &[u8]) -> bool {
        let mut words = value.split(|&b| b == b' ');
        (2..=4).contains(&words.clone().count())
            && words.all(|word| {
                std::str::from_utf8(word).is_ok_and(|word| {
                    word.chars().filter(|c| c.is_uppercase()).count() >= 2
                        && word.chars().all(|c| c.is_uppercase() || matches!(c, '-' | '\'' | '\u{2019}'))
                        && word.starts_with(char::is_uppercase)
                })
            })
            && !self.holds_a_word_of_no_one(value)
    }

    /// Whether the capitalized `word` is a given name, or a double one whose first part is (`Jean-Marc`,
    /// `Seo-yeon`).
    fn given_name(&self, word: &[u8]) -> bool {
        whole_or_first_part(word, 3, |word| self.given_names.holds_capitalized(word))
    }

    /// The cues that may end where `head` ends: those that end in its last two bytes, and the one-byte cues.
    fn ending_like<'a>(&'a self, head: &[u8]) -> impl Iterator<Item = &'a Cue> + use<'a> {
        let bucket = match *head {
            [.., second, last] => &self.by_end[bucket(last.to_ascii_lowercase(), second.to_ascii_lowercase())][..],
            _ => &[],
        };
        bucket.iter().chain(&self.short_cues).map(|&index| &self.cues[usize::from(index)])
    }

    /// True when `word` is a cue of one word (`Beste`, `Sayın`, `Dear`).
    fn is_cue(&self, word: &[u8]) -> bool {
        self.ending_like(word).any(|cue| word.eq_ignore_ascii_case(&cue.words))
    }

    /// True when `word` names no one.
    pub(crate) fn not_a_name(&self, word: &[u8]) -> bool {
        self.not_names.holds(word)
    }

    /// The end of the full name at `start` that no cue introduces but its given name (`Tyler Washington`), or a
    /// family name written first (`Takahashi Yuki`): see the module's comment for what makes one and what refuses
    /// it.
    fn given_name_at(&self, text: &[u8], start: usize) -> Option<usize> {
        if self.given_names.is_empty() && self.leading_family_names.is_empty() {
            return None;
        }
        // Most capitals start no name of two words: a space and a capital (or a lead byte) must follow.
        let first_end = capitalized_word(text, start)?;
        let next = *text.get(first_end + 1)?;
        if text[first_end] != b' '
            || !(next.is_ascii_uppercase()
                || (0xC3..=0xD4).contains(&next)
                // A particle or an article (`Lars van der Berg`, `Rhys ap Gruffydd`, `Yousef al-Harbi`).
                || next.is_ascii_lowercase()
                    && (past_particle(text, first_end + 1).is_some_and(|at| at > first_end + 1)
                        || matches!(text.get(first_end + 1..first_end + 5), Some([b'a' | b'e', b'l', b'-', capital]) if capital.is_ascii_uppercase())))
        {
            return None;
        }
        // Not after a house number (`12 Gordon Terrace`), and not a cue (`Beste Jan Jansen`: `Beste` is a given
        // name too, and the name after it is read from its own capital).
        let house_number = start >= 2 && text[start - 1] == b' ' && house_number_before(text, start - 1);
        // Words of prose or a key's value (`agent=Derek Osei`), not of a handle or a path (`Aisha.Bello`,
        // `/Jane Doe`); a key after the name makes it none (`name=Jane Level=3`, below).
        if house_number || !stands_apart(text, start) || self.is_cue(&text[start..first_end]) {
            return None;
        }
        let first = &text[start..first_end];
        // A family name first (`Zhang Wenjie`) is read as a given name is; it may be a word of places
        // (`Park Ji-hoon`), and it has two or three words.
        let leading =
            !(first.len() >= 3 && self.given_name(first)) && self.leading_family_names.holds_capitalized(first);
        if !leading && (first.len() < 3 || !self.given_name(first)) {
            return None;
        }
        let (end, words) = self.name_at(text, start)?;
        let joined = match text.get(end..) {
            Some([b'=' | b'@' | b'_' | b'/', ..]) => true,
            // A file named after someone is theirs (`Zuzana Horváthová.docx`).
            Some([b'.', next, rest @ ..]) => next.is_ascii_alphanumeric() && !document_extension(next, rest),
            _ => false,
        };
        // A segment's qualifier after an apostrophe (EDIFACT's `Femke Bakker'COM+…`) is no part of a name; an
        // apostrophe in a name is (`O'Brien`).
        let segment = text[start..end]
            .windows(3)
            .any(|three| three[0] == b'\'' && three[1].is_ascii_uppercase() && three[2].is_ascii_uppercase());
        if joined || segment {
            return None;
        }
        let place = |word: &[u8]| self.not_family_names.holds(word);
        // Four words only with a particle among them (`Khalid bin Saeed Al Mansoori`; not `Les Mills Body Pump`,
        // `Ralph Lauren Polo Shirt`).
        let particle =
            || text[start..end].split(|&b| b == b' ').any(|word| word.first().is_some_and(u8::is_ascii_lowercase));
        let most_words = if leading { 3 } else { 4 };
        if !(2..=most_words).contains(&words)
            || words == 4 && !particle()
            || text[start..end].split(|&b| b == b' ').skip(usize::from(leading)).any(place)
        {
            return None;
        }
        // After a family name, a given name of the list (`Takahashi Yuki`, `Nguyễn Thị Mai`, `Park Ji-hoon`): the
        // family names are also words of places, dishes and companies (`Tang Dynasty`, `Chiba Prefecture`, `Park
        // Hyatt`, `Takeda Pharmaceutical`).
        if leading && !text[first_end..end].split(|&b| b == b' ').any(|word| word.len() >= 3 && self.given_name(word)) {
            return None;
        }
        // The capitalized words right before it (at most three are read): a street's, a saint's or a place's word
        // (`Rue Jean Jaurès`, `Saint Jean Baptiste`), or a run of more than three in all (four for a name of
        // four), a title or a place (`Martin Luther King Day`, `Booz Allen Hamilton`), makes it none.
        let most = words.max(3);
        let mut run = words;
        let mut at = start;
        while run <= most {
            let Some(before) = capitalized_word_before(text, at) else { break };
            if at == start && place(&text[before..at - 1]) {
                return None;
            }
            run += 1;
            at = before;
        }
        if run > most {
            return None;
        }
        // A house number after it (`Jana Nerudy 89`, `Joaquin Suarez 2906`): a street named after someone, or a
        // number after a product named after someone (`Tim Tam 3.99`, `Octavia Combi 2.0`).
        if text.get(end) == Some(&b' ') && house_number_after(text, end + 1) {
            return None;
        }
        // A capitalized word after it: `Tyler Washington Street`, `Morgan Stanley Bank`, `Lee Enfield No4`; not
        // the capitals that start a code (`Lukas Pichler AT61…`).
        if text.get(end) == Some(&b' ') && text.get(end + 1).is_some_and(u8::is_ascii_uppercase) {
            let rest = &text[end + 1..];
            let len = rest.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(rest.len());
            let word = &rest[..len];
            let code =
                len >= 2 && word.iter().all(u8::is_ascii_uppercase) && rest.get(len).is_some_and(u8::is_ascii_digit);
            if !code && (place(word) || self.not_a_name(word)) {
                return None;
            }
        }
        // Not the value of a key of things (`merchant=Tim Hortons`): read last, as few names get this far.
        (!self.value_of_a_thing(text, start)).then_some(end)
    }

    /// The name with its family name first before a comma that starts at `start` (`Johansson, Mikael`, `Hernandez,
    /// Rosa M`, `Johansson,Mikael`): a family name of `family_names` and a given name, with a middle initial after
    /// it; not a place and its region (`Athens, Georgia`).
    fn inverted_at(&self, text: &[u8], start: usize) -> Option<(usize, usize)> {
        if self.family_names.is_empty() {
            return None;
        }
        // Most capitals start no name with a comma after it: a look at the byte after the word first.
        let word =
            text[start..].iter().take_while(|&&b| b.is_ascii_alphabetic() || b >= 0x80 || b == b'-' || b == b'\'');
        if text.get(start + word.count()) != Some(&b',') {
            return None;
        }
        let first_end = capitalized_word(text, start)?;
        let second = match text[first_end..] {
            [b',', b' ', ..] => first_end + 2,
            [b',', ..] => first_end + 1,
            _ => return None,
        };
        let second_end = capitalized_word(text, second)?;
        let given = &text[second..second_end];
        let named = stands_apart(text, start)
            && self.family_names.holds_capitalized(&text[start..first_end])
            && given.len() >= 3
            && self.given_name(given)
            && !REGIONS.iter().any(|region| given.eq_ignore_ascii_case(region));
        if !named {
            return None;
        }
        // A second given name (`Smith, John Paul`); a capitalized word after it that is none makes it a place or a
        // thing (`8 June, Darwin Hall`).
        let mut end = second_end;
        if text.get(end) == Some(&b' ') {
            if let Some(next_end) = capitalized_word(text, end + 1) {
                if !self.given_name(&text[end + 1..next_end]) {
                    return None;
                }
                end = next_end;
            }
        }
        // A middle initial (`Rosa M`, `Rosa M.`), not a word.
        let end = match text[end..] {
            [b' ', initial, b'.', ..] if initial.is_ascii_uppercase() => end + 3,
            [b' ', initial] if initial.is_ascii_uppercase() => end + 2,
            [b' ', initial, next, ..] if initial.is_ascii_uppercase() && !next.is_ascii_alphanumeric() => end + 2,
            _ => end,
        };
        // Family names in a row are a firm's name (`Jones, Mitchell and Williams`, `White, Willis and Hoffman,
        // Lucid`): another capitalized word after `and`, `&` or a comma.
        let rest = &text[end..];
        let next = [&b" and "[..], b" & ", b", ", b","].iter().find_map(|joint| rest.strip_prefix(*joint));
        if next.is_some_and(|next| next.first().is_some_and(u8::is_ascii_uppercase)) {
            return None;
        }
        Some((start, end))
    }

    /// The name in capitals that starts at `start` (a word of capitals at a word start), if one does:
    /// - a given name and a family name of the lists in either order, with more of them and particles between
    ///   (`ELIF YILMAZ`, `KWAME MENSAH`, `SANNE DE VRIES`, `MARIA CRISTINA DELA CRUZ-SANTOS`);
    /// - a family name of the list, a comma and a given name (`THOMPSON,ROBERT`, `SIMMONS, DOROTHY J`);
    /// - any word, a `/` and a given name, as airlines write passengers (`KOWALSKI/PIOTR MR`,
    ///   `ADEBAYO-OGUNLEYE/FOLAKE`, `YAKASAI/AMINU BELLO`).
    ///
    /// Given and family names may follow it, and a middle initial; a title after it is no part of it (`MR`, `MRS`);
    /// a word of `not_names` or `not_family_names` in it or right after it makes it none.
    fn capitals_at(&self, text: &[u8], start: usize) -> Option<usize> {
        if self.given_names.is_empty() {
            return None;
        }
        // Most words in capitals stand alone (`INFO [`, `GET /api`): a look at the bytes after the word first.
        let word =
            text[start..].iter().take_while(|&&b| b.is_ascii_uppercase() || b >= 0x80 || b == b'-' || b == b'\'');
        let word_end = start + word.count();
        let next = match text.get(word_end..) {
            Some([b',', b' ', next, ..]) => *next,
            Some([b' ' | b'/' | b',', next, ..]) => *next,
            _ => return None,
        };
        if !(next.is_ascii_uppercase() || next >= 0x80) {
            return None;
        }
        let first_end = capitals_word(text, start)?;
        let (slash, comma, second) = match text[first_end..] {
            [b'/', ..] => (true, false, first_end + 1),
            [b',', b' ', ..] => (false, true, first_end + 2),
            [b',' | b' ', ..] => (false, text[first_end] == b',', first_end + 1),
            _ => return None,
        };
        // `1.DEVRIES/SANNE MRS`, `P/NLD/…/DEVRIES/SANNE/P1`: a passenger after its number or a field; a field
        // between slashes (SWIFT's `/DE86…/MARKUS WEBER/HAUPTSTR. 5/`).
        let between_slashes = start > 0 && text[start - 1] == b'/';
        let apart = stands_apart(text, start) || slash && text[start - 1] == b'.' || between_slashes;
        // A place after a house number (`Suite 451 HUTTON HENRY`), but for a passenger (`1 KOWALSKI/PIOTR`).
        let house_number = !slash && start >= 2 && text[start - 1] == b' ' && house_number_before(text, start - 1);
        if !apart || house_number {
            return None;
        }
        let given =
            |word: &[u8]| word.len() >= 3 && whole_or_first_part(word, 3, |word| self.given_names.holds_upper(word));
        let family = |word: &[u8]| whole_or_first_part(word, 2, |word| self.family_names.holds_upper(word));
        let no_one = |word: &[u8]| self.not_a_name(word) || self.not_family_names.holds(word);
        // Most words in capitals are no name (`ERROR GET /api`): a given name is the first word or the next one
        // (past particles), or there is none.
        let first = &text[start..first_end];
        let first_given = given(first);
        if !first_given {
            let mut next = second;
            while let Some(word_end) = capitals_word(text, next) {
                match capital_particle(&text[next..word_end]) && text.get(word_end) == Some(&b' ') {
                    true => next = word_end + 1,
                    false => break,
                }
            }
            if !capitals_word(text, next).is_some_and(|end| given(&text[next..end])) {
                return None;
            }
        }
        if no_one(first) {
            return None;
        }
        // The words after the first: names of the lists, particles before them, an initial at the end.
        let (mut end, mut at) = (first_end, second);
        // A given name and a family name of the lists, as two words (`JAMES THOMAS` either way).
        let (mut a_given, mut a_family) = (first_given, family(first));
        let mut pair = false;
        let mut words = 1;
        while words < MAX_WORDS {
            if let Some(word_end) = capitals_word(text, at) {
                let word = &text[at..word_end];
                if CAPITAL_TITLES.contains(&word) {
                    break;
                }
                if capital_particle(word) && text.get(word_end) == Some(&b' ') {
                    at = word_end + 1;
                    continue;
                }
                if no_one(word) {
                    return None;
                }
                let (is_given, is_family) = (given(word), family(word));
                // After a `/` or a comma comes the given name.
                if words == 1 && (slash || comma) && !is_given {
                    return None;
                }
                if !(is_given || is_family) {
                    break;
                }
                pair |= is_given && a_family || is_family && a_given;
                a_given |= is_given;
                a_family |= is_family;
                words += 1;
                end = word_end;
            } else if text.get(at).is_some_and(u8::is_ascii_uppercase)
                && !text.get(at + 1).is_some_and(|b| b.is_ascii_alphanumeric() || *b >= 0x80)
                && words >= 2
            {
                // A middle initial at the end (`SIMMONS, DOROTHY J|MRN=…`).
                end = at + 1;
                break;
            } else {
                break;
            }
            if text.get(end) != Some(&b' ') {
                break;
            }
            at = end + 1;
        }
        if words < 2 {
            return None;
        }
        let named = slash || if comma { family(first) } else { pair };
        if between_slashes && !slash && text.get(end) != Some(&b'/') {
            return None;
        }
        // A place or a thing named after someone (`KING EDWARD VII HOSPITAL`, `ELIF YILMAZ TRADING LTD`): a word of
        // either list among the next two in capitals.
        let mut next = end;
        for _ in 0..2 {
            let Some(word_end) = text.get(next).filter(|&&b| b == b' ').and_then(|_| capitals_word(text, next + 1))
            else {
                break;
            };
            let word = &text[next + 1..word_end];
            // A title says the name is a person's (`KOWALSKI/PIOTR MR`).
            if CAPITAL_TITLES.contains(&word) {
                break;
            }
            if no_one(word) {
                return None;
            }
            next = word_end;
        }
        // Joined to what follows as a handle or a key is (`ELIF.YILMAZ@…`, `MARIA_GARCIA`).
        let joined = matches!(text.get(end..), Some([b'=' | b'@' | b'_', ..]) | Some([b'.', b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9', ..]));
        (named && !joined).then_some(end)
    }

    /// True when the word at `start` begins the value of a key whose values are things (`merchant=Tim Hortons`,
    /// `font="Franklin Gothic"`, `vessel: Emma Maersk`): a key, normalized, that ends with a word of `thing_keys`,
    /// or with one and `name` (`product_name`); not `project_manager` or `team_lead`.
    fn value_of_a_thing(&self, text: &[u8], start: usize) -> bool {
        if self.thing_keys.is_empty() {
            return false;
        }
        let head = &text[..start];
        let head = head.strip_suffix(b"\"").or_else(|| head.strip_suffix(b"'")).unwrap_or(head);
        let head = head.strip_suffix(b" ").unwrap_or(head);
        let Some(head) = head.strip_suffix(b"=").or_else(|| head.strip_suffix(b":")) else { return false };
        let key_start = head
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
            .map_or(0, |at| at + 1);
        // Normalized as the rules' keys are, and without the dots of a path (`product.name`).
        let mut key = Vec::new();
        normalize_key_into(&head[key_start..], &mut key);
        key.retain(|&byte| byte != b'.');
        !key.is_empty() && names_a_thing(&key, &self.thing_keys)
    }

    /// The end of the name that starts at `start` (a capital at a word start), if one does, and its number of
    /// words.
    fn name_at(&self, text: &[u8], start: usize) -> Option<(usize, usize)> {
        let mut end = None;
        let mut at = start;
        let mut words = 0;
        while words < MAX_WORDS {
            // An Arabic family name with its article (`Yousef al-Harbi`).
            let word_end = match text.get(at..at + 3) {
                Some(b"al-" | b"el-") if words > 0 => capitalized_word(text, at + 3)?,
                _ => capitalized_word(text, at)?,
            };
            if self.not_a_name(&text[at..word_end]) {
                break;
            }
            end = Some(word_end);
            words += 1;
            // The next word, past one space and a particle.
            if text.get(word_end) != Some(&b' ') {
                break;
            }
            let mut next = word_end + 1;
            // A middle initial (`Ruth R Montez`, `Vanessa P. Hertzog`), then a particle (`de`, `van`).
            if let Some(after) = initial_at(text, next) {
                next = after;
            }
            // An Arabic article glued to the family name (`al-Harbi`), or past the particles.
            let article = |at: usize| matches!(text.get(at..at + 3), Some(b"al-" | b"el-"));
            let next = match article(next) {
                true => next,
                false => match past_particle(text, next) {
                    Some(next) => next,
                    None => break,
                },
            };
            if capitalized_word(text, if article(next) { next + 3 } else { next }).is_none() {
                break;
            }
            at = next;
        }
        end.map(|end| (end, words))
    }
}

/// Whether `holds` takes `word`, or its part before a dash when that part has `shortest` bytes or more (a double
/// given name, `Jean-Marc`, `Seo-yeon`; a double family name, `CRUZ-SANTOS`).
fn whole_or_first_part(word: &[u8], shortest: usize, holds: impl Fn(&[u8]) -> bool) -> bool {
    holds(word) || word.iter().position(|&b| b == b'-').is_some_and(|dash| dash >= shortest && holds(&word[..dash]))
}

/// True when the word at `start` stands apart as a word of prose or a key's value does (`agent=Derek Osei`), not
/// as a part of a handle or a path (`Aisha.Bello`, `/Jane Doe`).
fn stands_apart(text: &[u8], start: usize) -> bool {
    start == 0
        || matches!(
            text[start - 1],
            b' ' | b'\t'
                | b'\n'
                | b'\r'
                | b'"'
                | b'\''
                | b'('
                | b'['
                | b'>'
                | b','
                | b';'
                | b':'
                | b'*'
                | b'|'
                | b'='
                | b'+'
                | b'{'
        )
        // A dash or a quote that is not ASCII (`—Rosa Hernández`, `«Tyler Washington»`; a name whose first letter
        // is not ASCII has no capitals anchor there, so `«Émilie` is not read).
        || text[start - 1] >= 0x80 && !letter_before(text, start)
}

/// The end of the word in capitals at `at`: two letters or more, all capitals (any script), with `-` or an
/// apostrophe between letters (`ADEBAYO-OGUNLEYE`, `O'BRIEN`). None when no such word starts there or it runs
/// into a small letter, a digit or `_` (`MAX_RETRY`, `HTTP2`, `IDs`).
fn capitals_word(text: &[u8], at: usize) -> Option<usize> {
    let (mut end, mut letters) = (at, 0);
    while let Some((c, next)) = char_at(text, end) {
        if c.is_ascii_uppercase() {
            letters += 1;
            end = next;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            return None;
        } else if c.is_uppercase() {
            letters += 1;
            end = next;
        } else if matches!(c, '-' | '\'' | '\u{2019}')
            && letters > 0
            && char_at(text, next).is_some_and(|(c, _)| c.is_uppercase())
        {
            end = next;
        } else if c.is_alphanumeric() {
            return None;
        } else {
            break;
        }
    }
    (letters >= 2).then_some(end)
}

/// True when the word in capitals is a particle of a name (`SANNE DE VRIES`, `MARIA DELA CRUZ`): one of
/// `PARTICLES`, or the Filipino `DELA` and the Arabic `EL`, which names in capitals write apart.
fn capital_particle(word: &[u8]) -> bool {
    PARTICLES.iter().any(|particle| word.eq_ignore_ascii_case(particle)) || matches!(word, b"DELA" | b"EL")
}

/// Titles that an airline or a register writes after a name in capitals (`KOWALSKI/PIOTR MR`): no part of it.
const CAPITAL_TITLES: &[&[u8]] = &[
    b"MR", b"MRS", b"MS", b"MISS", b"MSTR", b"MSTER", b"DR", b"PROF", b"SIR", b"CHD", b"INF", b"MME", b"MLLE", b"HERR",
    b"FRAU", b"SR", b"SRA", b"JR",
];

/// Regions and states that are given names too: after a place and a comma they are no given name (`Athens,
/// Georgia`, `Alexandria, Virginia`).
const REGIONS: &[&[u8]] =
    &[b"georgia", b"virginia", b"carolina", b"florida", b"dakota", b"indiana", b"montana", b"nevada", b"victoria"];

/// True when `first` and `rest` (the bytes after a name's `.`) are the extension of a document's file name and
/// what follows it.
fn document_extension(first: &u8, rest: &[u8]) -> bool {
    const EXTENSIONS: &[&[u8]] = &[b"pdf", b"doc", b"docx", b"odt", b"rtf", b"jpg", b"jpeg", b"png", b"heic"];
    let len = 1 + rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    let mut extension = [0u8; 5];
    let Some(slot) = extension.get_mut(..len) else { return false };
    slot[0] = *first;
    slot[1..].copy_from_slice(&rest[..len - 1]);
    slot.make_ascii_lowercase();
    EXTENSIONS.contains(&&*slot)
}

/// True when the digits that end at `end` (exclusive) are a house number: one to five of them, the first no
/// `0`, a word of their own (`12 Gordon Terrace`, `16500 Ronald Reagan Blvd`; not `emp=00412 Erik Lindqvist` or
/// `v2 Maria`).
fn house_number_before(text: &[u8], end: usize) -> bool {
    let start = text[..end].iter().rposition(|b| !b.is_ascii_digit()).map_or(0, |at| at + 1);
    (1..=5).contains(&(end - start))
        && text[start] != b'0'
        && (start == 0 || matches!(text[start - 1], b' ' | b',' | b'(' | b'\n' | b'"'))
}

/// True when a house number, or a price or a model's number, may start at `at`: one to four digits (`Jana
/// Nerudy 89`, `Jana Masaryka 1234/5`, `Tim Tam 3.99`), but not a date (`Émilie Gauthier-Roy 2023-11-02`).
fn house_number_after(text: &[u8], at: usize) -> bool {
    let rest = text.get(at..).unwrap_or_default();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let two_digits = |from: usize| rest.get(from..from + 2).is_some_and(|two| two.iter().all(u8::is_ascii_digit));
    // `2023-11-02`; `02/11/2023`, `2.11.2023`: four digits and a dash, or a second separator after two digits.
    let date = match rest.get(digits) {
        Some(b'-') if digits == 4 => two_digits(digits + 1),
        Some(&separator @ (b'/' | b'.' | b'-')) if digits <= 2 => {
            let month = rest[digits + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            (1..=2).contains(&month) && rest.get(digits + 1 + month) == Some(&separator)
        }
        _ => false,
    };
    (1..=4).contains(&digits) && !date
}

/// The start of the capitalized word that ends one space before `at`, if one does (read back over at most 40
/// bytes).
fn capitalized_word_before(text: &[u8], at: usize) -> Option<usize> {
    let end = at.checked_sub(1).filter(|&end| text[end] == b' ')?;
    let floor = end.saturating_sub(40);
    let start = (floor..end).rev().take_while(|&i| text[i].is_ascii_alphabetic() || text[i] >= 0x80).last()?;
    (capitalized_word(text, start) == Some(end)).then_some(start)
}

/// True when the character that ends right before `at` is a letter or a digit (`Großkunde` holds no cue `kunde`).
fn letter_before(text: &[u8], at: usize) -> bool {
    let Some(&last) = text[..at].last() else { return false };
    if last < 0x80 {
        return last.is_ascii_alphanumeric();
    }
    let start = text[..at].iter().rposition(|&b| b & 0xC0 != 0x80).unwrap_or(0);
    std::str::from_utf8(&text[start..at]).ok().and_then(|c| c.chars().next()).is_some_and(char::is_alphanumeric)
}

/// `packed` for the `len` ASCII letters at `text[start..]` (1 to 16): one load of sixteen bytes where the text
/// holds them, the bytes past the word masked off and the letters lowercased by their `0x20` bit.
#[inline]
fn packed_letters(text: &[u8], start: usize, len: usize) -> Option<u128> {
    if !(1..=16).contains(&len) {
        return None;
    }
    let Some(chunk) = text.get(start..start + 16) else { return packed(&text[start..start + len]) };
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(chunk);
    let keep = u128::MAX << (8 * (16 - len));
    Some(u128::from_be_bytes(bytes) & keep | 0x2020_2020_2020_2020_2020_2020_2020_2020 & keep)
}

/// A word of one to sixteen bytes, lowercased and packed into one number (big-endian, zeros after it): two words
/// pack alike only when they are equal in any ASCII case, and in the order of their bytes (a sorted list, as the
/// shipped ones are, packs sorted, and sorting it costs one pass).
fn packed(word: &[u8]) -> Option<u128> {
    if word.is_empty() || word.len() > 16 {
        return None;
    }
    let mut bytes = [0u8; 16];
    bytes[..word.len()].copy_from_slice(word);
    Some(u128::from_be_bytes(bytes.map(|b| b.to_ascii_lowercase())))
}

/// Where the word after a middle initial at `at` starts (`R ` or `R. ` before a capitalized word or a
/// particle), if one is there.
fn initial_at(text: &[u8], at: usize) -> Option<usize> {
    // An initial, or an Irish particle of one capital (`Cathal Ó Murchú`).
    let (initial, after) = char_at(text, at)?;
    if !initial.is_uppercase() {
        return None;
    }
    let next = match text.get(after..)? {
        [b'.', b' ', ..] => after + 2,
        [b' ', ..] => after + 1,
        _ => return None,
    };
    let goes_on = match past_particle(text, next) {
        Some(after) if after > next => true,
        Some(_) => capitalized_word(text, next).is_some(),
        None => false,
    };
    goes_on.then_some(next)
}

/// Where the word after a particle and its space at `at` starts (`de Jong`, `van der Berg`), `at` itself when no
/// small word stands there, and None when one does that is no particle.
pub(crate) fn past_particle(text: &[u8], at: usize) -> Option<usize> {
    let particle = |at: usize| {
        let len = text[at..].iter().take_while(|b| b.is_ascii_lowercase()).count();
        (PARTICLES.contains(&&text[at..at + len]) && text.get(at + len) == Some(&b' ')).then_some(at + len + 1)
    };
    if !text.get(at).is_some_and(u8::is_ascii_lowercase) {
        return Some(at);
    }
    // One particle or two (`van der Berg`, `de la Cruz`).
    let after = particle(at)?;
    Some(if text.get(after).is_some_and(u8::is_ascii_lowercase) { particle(after)? } else { after })
}

/// The end of the capitalized word at `at`: a capital, then letters (any script), at least one of them small,
/// with `-` or an apostrophe between letters (`Jean-Luc`, `O'Brien`, `McCray`). None when no such word starts
/// there or it runs into a digit or `_` (`Order2`, `Max_Size`).
fn capitalized_word(text: &[u8], at: usize) -> Option<usize> {
    let (first, mut end) = char_at(text, at)?;
    if !first.is_uppercase() {
        return None;
    }
    let mut small = false;
    while let Some((c, next)) = char_at(text, end) {
        if c.is_alphabetic() {
            small |= c.is_lowercase();
            end = next;
        } else if matches!(c, '-' | '\'' | '\u{2019}')
            && char_at(text, next).is_some_and(|(c, _)| c.is_alphabetic())
            // A possessive (`Amanda's daughter`) is no part of the name.
            && !(c != '-' && matches!(text.get(next), Some(b's')) && !char_at(text, next + 1).is_some_and(|(c, _)| c.is_alphabetic()))
        {
            end = next;
        } else if c.is_ascii_digit() || c == '_' {
            return None;
        } else {
            break;
        }
    }
    small.then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_taken_off_latin_letters_only() {
        // One byte per character of U+00C0..=U+024F and of U+1E00..=U+1EFF.
        assert_eq!((FOLDED[0].len(), FOLDED[1].len()), (0x250 - 0xC0, 0x100));
        let fold = |word: &str| fold_accents(word.as_bytes()).map(|(folded, len)| folded[..len].to_vec());
        assert_eq!(fold("Sinéad").as_deref(), Some(&b"sinead"[..]));
        assert_eq!(fold("Nguyễn").as_deref(), Some(&b"nguyen"[..]));
        assert_eq!(fold("Øystein"), None, "nothing to take off");
        assert_eq!(fold("Łukasz"), None);
        assert_eq!(fold("Tyler"), None);
        assert_eq!(fold(&"é".repeat(60)), None, "too long");
        let words = Words::new(["sinead", "thais"].into_iter());
        assert!(words.holds_capitalized("Sinéad".as_bytes()) && words.holds_capitalized("Thaís".as_bytes()));
        assert!(!words.holds_capitalized("Sinéadh".as_bytes()));
    }
}
