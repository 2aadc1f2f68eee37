//! Anchors: one vectorized look at a text that marks, as bitmaps, the few places where a detector could start.
//!
//! Most bytes of a log line cannot begin anything the detectors look for. Instead of one pass per detector, the
//! text is classified 64 bytes at a time (AVX-512 with VBMI and VBMI2 or AVX2 when the CPU has them, a table otherwise) and
//! the classes are combined with shifts into candidate bitmaps, in the same pass:
//!
//! - `num`: a digit that starts a digit group at a word start, not joined to a word by `-` or `.`
//!   (`ORD-2021-280363`), and begins seven bytes of digits and number separators, the seventh a digit or followed
//!   by an eighth (every phone, card, SSN and IPv4 address is such a token), or a run of fifteen digits or more
//!   wherever it stands (a card number glued to a word), or the same seven bytes joined to a word by `-` with a
//!   `-` one to three bytes on (an address written into a host name: `ip-10-0-4-5.ec2.internal`); a `:` with
//!   another `:` at most five bytes further (IPv6, MAC); two letters and two digits at a word start (IBAN); five
//!   dashes three bytes apart (a MAC written with dashes); two dots five bytes apart (a MAC in Cisco's notation,
//!   `000c.29ab.cdf4`, from its first dot);
//! - `at`: `@`, `%`, `$` and `|` (emails, `%40`, URL credentials, password hashes such as bcrypt's `$2b$12$…`,
//!   HL7 segments);
//! - `sep`: `=` and `:` (`key=value` and `key: value` pairs), and the second dash of `--` before a letter or a
//!   dash that starts a word before one (a command-line flag, `--password hunter2`, `-p S3cr3t`);
//! - `lt`: `<` (HTML);
//! - `quote`: `"` and `\` (the ends of JSON strings);
//! - the start of every secret prefix: each word start (a letter, or five dashes, after a byte that is not a
//!   letter, digit or `_`) whose first two bytes can begin a prefix (a group test in the classifier) is looked up
//!   by those two bytes, then compared with the prefixes.
//!
//! The detectors then visit only these positions, and a JSON string value with no anchor inside is not scanned at
//! all. Each bitmap is a superset of the positions where the matching detector could report something: a
//! candidate that leads nowhere costs a check, a missing one would be a leak, so the tests compare the bitmaps
//! with a byte-by-byte reference.

use super::detect::{secret_prefix_len, SecretPrefixes, SECRET_PAIR_GROUPS};

/// The candidate bitmaps of one text (bit `i % 64` of block `i / 64` stands for byte `i`).
#[derive(Debug, Default)]
pub(crate) struct Anchors {
    len: usize,
    /// From the first byte that is not ASCII to the last one (inclusive), if any.
    non_ascii: Option<(usize, usize)>,
    blocks: Vec<Block>,
    /// Secret prefixes: (start, index of the prefix in the searcher), in order.
    secrets: Vec<(usize, usize)>,
}

/// Which bitmap to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Num = 0,
    At = 1,
    Sep = 2,
    Lt = 3,
    /// `"` and `\\`.
    Quote = 4,
    /// Num, At, Lt, Cap, Caps and the secret prefixes: where any detector but the key/value check could start.
    Any = 5,
    /// A capital letter at a word start followed by a small letter or a byte that is not ASCII (`Maria`,
    /// `Sørensen`), or the first byte that is not ASCII of a word (`Éva`): where a person's name could start.
    Cap = 6,
    /// A capital letter at a word start followed by another (`ELIF`, `KOWALSKI/PIOTR`, and `INFO`, `GET`): where a
    /// person's name written in capitals could start.
    Caps = 7,
    /// A `.`, `_` or `-` between letters (`anna.lindqvist`, `petr_svoboda`, and `edge-gateway`): where a login made
    /// of a person's names could be joined. Not part of `Any`: a text with only joins is read by the key/value
    /// check and the logins only.
    Join = 8,
}

/// The class masks of one 64-byte block (bit `i` for byte `i`), as a classifier reports them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Classes {
    digit: u64,
    /// Digits and the number separators ` ()+-./`.
    number: u64,
    alpha: u64,
    underscore: u64,
    colon: u64,
    dash: u64,
    /// `@`, `%`, `$` and `|`.
    at: u64,
    /// `=` and `:`.
    sep: u64,
    lt: u64,
    /// `"` and `\\`.
    quote: u64,
    /// Bytes of keys in `key=value`: letters, digits, `_`, `-` and `.`.
    key: u64,
    /// Bytes that a secret prefix starts with, when the next byte can follow them in a prefix (by
    /// `SECRET_PAIR_GROUPS`).
    secret_first: u64,
    /// Bytes from 0x80 on (not ASCII).
    high: u64,
    /// ASCII capital letters.
    capital: u64,
}

impl Classes {
    /// Every mask of these classes through `f`.
    #[cfg(target_arch = "x86_64")]
    fn map(&self, f: impl Fn(u64) -> u64) -> Classes {
        let [digit, number, alpha, underscore, colon, dash, at, sep, lt, quote, key, secret_first, high, capital] = [
            self.digit,
            self.number,
            self.alpha,
            self.underscore,
            self.colon,
            self.dash,
            self.at,
            self.sep,
            self.lt,
            self.quote,
            self.key,
            self.secret_first,
            self.high,
            self.capital,
        ]
        .map(f);
        Classes { digit, number, alpha, underscore, colon, dash, at, sep, lt, quote, key, secret_first, high, capital }
    }

    /// Small letters and bytes that are not ASCII: what follows the capital that starts a name.
    #[inline(always)]
    fn small(&self) -> u64 {
        self.alpha & !self.capital | self.high
    }

    /// `.`: a number separator and a key byte that is neither a digit nor `-`.
    #[inline(always)]
    fn dot(&self) -> u64 {
        self.number & self.key & !self.digit & !self.dash
    }
}

/// Keeps the bits of `first` (bytes of block `k` that a secret prefix starts with) whose next byte can follow
/// them in a prefix.
fn pair_filter(text: &[u8], k: usize, mut first: u64) -> u64 {
    let (groups, follows) = &SECRET_PAIR_GROUPS;
    let mut kept = 0;
    while first != 0 {
        let bit = first.trailing_zeros() as usize;
        first &= first - 1;
        let at = k * 64 + bit;
        let next = text.get(at + 1).map_or(0, |&b| if b < 128 { follows[usize::from(b)] } else { 0 });
        if groups[usize::from(text[at] & 0x7F)] & next != 0 {
            kept |= 1 << bit;
        }
    }
    kept
}

/// What the views read of one 64-byte block: the candidate bitmaps and the key bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Block {
    /// Bytes of keys in `key=value`.
    key: u64,
    /// Bytes where a secret prefix may start: a byte a prefix starts with (followed by a byte that can come
    /// second), when a letter or the first of five dashes, after a byte that is not a letter, digit or `_`.
    word_starts: u64,
    /// The bitmaps read through `Anchor`: num, at, sep, lt, quote, any, cap, caps, join.
    anchors: [u64; 9],
}

impl Anchors {
    /// Classifies `text`; `secrets` are the secret prefixes to find (None when the secret detector is off).
    pub(crate) fn compute(&mut self, text: &[u8], secrets: Option<&SecretPrefixes>) {
        self.len = text.len();
        self.blocks.clear();
        self.non_ascii = build()(text, &mut self.blocks);
        self.secrets.clear();
        // Most texts have no word start at all: one branch-free pass says so.
        let any_start = self.blocks.iter().fold(0, |any, block| any | block.word_starts) != 0;
        if let (Some(prefixes), true) = (secrets, any_start) {
            for (k, block) in self.blocks.iter_mut().enumerate() {
                let mut starts = block.word_starts;
                while starts != 0 {
                    let bit = starts.trailing_zeros();
                    starts &= starts - 1;
                    let at = k * 64 + bit as usize;
                    if let Some(prefix) = prefixes.at(text, at) {
                        self.secrets.push((at, prefix));
                        block.anchors[Anchor::Any as usize] |= 1 << bit;
                    }
                }
            }
        }
    }

    /// The part of the text from its first byte that is not ASCII to its last: the text is valid UTF-8 exactly
    /// when this part is (ASCII around it is always valid, and a sequence cut short at either end is invalid in
    /// both). None for an ASCII text.
    pub(crate) fn non_ascii_span(&self) -> Option<std::ops::Range<usize>> {
        self.non_ascii.map(|(first, last)| first..last + 1)
    }

    /// The anchors of `start..end`, with positions relative to `start`.
    pub(crate) fn view(&self, start: usize, end: usize) -> View<'_> {
        debug_assert!(start <= end && end <= self.len);
        View { anchors: self, start, end }
    }

    /// True when `bits` of a block has a position in `start..end`: masks whole blocks, no iteration over bits.
    #[inline(always)]
    fn bits_in(&self, start: usize, end: usize, bits: impl Fn(&Block) -> u64) -> bool {
        if start >= end {
            return false;
        }
        let (first, last) = (start / 64, (end - 1) / 64);
        let head = u64::MAX << (start % 64);
        let tail = u64::MAX >> (63 - (end - 1) % 64);
        match &self.blocks[first..=last] {
            [one] => bits(one) & head & tail != 0,
            [one, middle @ .., last] => {
                bits(one) & head != 0 || bits(last) & tail != 0 || middle.iter().any(|block| bits(block) != 0)
            }
            [] => false,
        }
    }

    /// The next `"` or `\` at or after `from`.
    #[inline]
    pub(crate) fn next_quote(&self, from: usize) -> Option<usize> {
        // The padding of the last block has no quote, so a bit found is always inside the text.
        let mut word = from / 64;
        let mut mask = self.blocks.get(word)?.anchors[Anchor::Quote as usize] & (u64::MAX << (from % 64));
        while mask == 0 {
            word += 1;
            mask = self.blocks.get(word)?.anchors[Anchor::Quote as usize];
        }
        Some(word * 64 + mask.trailing_zeros() as usize)
    }
}

/// Derives the bitmaps of a block from the classes of it and of its neighbours (zero classes before the first
/// block and after the last).
#[inline(always)]
fn combine(previous: &Classes, b: &Classes, next: &Classes) -> Block {
    finish(b, &Behind::of(previous, b), &Ahead::of(b, next))
}

/// Bit `i` of the result is bit `i - s` of the block whose masks are `bits`, the last `s` bits of the block
/// before (`previous`) moving in (`0 < s < 64`).
#[inline(always)]
fn behind(bits: u64, previous: u64, s: u32) -> u64 {
    (bits << s) | (previous >> (64 - s))
}

/// Bit `i` of the result is bit `i + s` of the block whose masks are `bits`, the first `s` bits of the block
/// after (`next`) moving in (`0 < s < 64`).
#[inline(always)]
fn ahead(bits: u64, next: u64, s: u32) -> u64 {
    (bits >> s) | (next << (64 - s))
}

/// What the bitmaps need of the bytes before each byte of a block (the previous block's bits moving in), each a
/// mask with bit `i` for byte `i` of the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Behind {
    /// A digit, a letter, an underscore, a dash or dot at `i - 1`.
    digit: u64,
    alpha: u64,
    underscore: u64,
    dash_or_dot: u64,
    /// A dash at `i - 1`.
    dash: u64,
    /// A digit or a letter at `i - 2`.
    digit_or_alpha_2: u64,
    /// A byte that is not ASCII at `i - 1`.
    high: u64,
}

impl Behind {
    /// The look-back of block `b` after `previous`, one double shift per mask.
    #[inline(always)]
    fn of(previous: &Classes, b: &Classes) -> Behind {
        Behind {
            digit: behind(b.digit, previous.digit, 1),
            alpha: behind(b.alpha, previous.alpha, 1),
            underscore: behind(b.underscore, previous.underscore, 1),
            dash_or_dot: behind(b.dash | b.dot(), previous.dash | previous.dot(), 1),
            dash: behind(b.dash, previous.dash, 1),
            digit_or_alpha_2: behind(b.digit | b.alpha, previous.digit | previous.alpha, 2),
            high: behind(b.high, previous.high, 1),
        }
    }
}

/// What the bitmaps need of the bytes after each byte of a block (the next block's bits moving in), each a mask
/// with bit `i` for byte `i` of the block. The terms at `i` itself are included where the name says "run" or
/// "every".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ahead {
    /// Number bytes at `i..i + 7`.
    run7_number: u64,
    /// A digit at `i + 6`; a number byte at `i + 7`.
    digit_at_6: u64,
    number_at_7: u64,
    /// A colon at one of `i + 1..=i + 5`.
    colon_ahead: u64,
    /// Dashes at `i`, `i + 3`, `i + 6`, `i + 9` and `i + 12` (a MAC written with dashes).
    dash_every_third: u64,
    /// Dashes at `i..i + 5`.
    run5_dash: u64,
    /// Digits at `i + 2` and `i + 3`; a letter at `i + 1`.
    digits_at_2_3: u64,
    alpha_at_1: u64,
    /// Digits at `i..i + 15` (a card number glued to a word has fifteen or more).
    run15_digit: u64,
    /// A dash at one of `i + 1..=i + 3` (after the first octet of an address written with dashes).
    dash_within_three: u64,
    /// A small letter or a byte that is not ASCII at `i + 1`.
    small_at_1: u64,
    /// A dot at `i + 5` (the second dot of a MAC in Cisco's notation, `000c.29ab.cdf4`).
    dot_at_5: u64,
}

impl Ahead {
    /// The look-ahead of block `b` followed by `next`, one double shift per class and distance.
    #[inline(always)]
    fn of(b: &Classes, next: &Classes) -> Ahead {
        let n = |s| ahead(b.number, next.number, s);
        let digit_at = |s| ahead(b.digit, next.digit, s);
        let dash_at = |s| ahead(b.dash, next.dash, s);
        let c = |s| ahead(b.colon, next.colon, s);
        Ahead {
            run7_number: b.number & n(1) & n(2) & n(3) & n(4) & n(5) & n(6),
            digit_at_6: digit_at(6),
            number_at_7: n(7),
            colon_ahead: c(1) | c(2) | c(3) | c(4) | c(5),
            dash_every_third: b.dash & dash_at(3) & dash_at(6) & dash_at(9) & dash_at(12),
            run5_dash: b.dash & dash_at(1) & dash_at(2) & dash_at(3) & dash_at(4),
            digits_at_2_3: digit_at(2) & digit_at(3),
            alpha_at_1: ahead(b.alpha, next.alpha, 1),
            run15_digit: run15(b.digit, next.digit),
            dash_within_three: dash_at(1) | dash_at(2) | dash_at(3),
            small_at_1: ahead(b.small(), next.small(), 1),
            dot_at_5: ahead(b.dot(), next.dot(), 5),
        }
    }

    /// The look-ahead that a vector combine gathered into two vectors, read as lanes (`lanes[0]` the digit lane,
    /// then number, dash, colon): `first` holds `run7` (number bytes at `i..i + 7`) with the digit lane of the
    /// shift by 6, the colon lane of "a colon within five" and the dash lane of "every third"; `second` holds the
    /// shift by 7 with the digit lane of "digits at 2 and 3" and the dash lane of `run5`.
    /// The looks that `single` holds were computed one mask at a time.
    #[inline(always)]
    fn gathered(first: &[u64], second: &[u64], lanes: [usize; 4], single: Single) -> Ahead {
        let Single { alpha_at_1, run15_digit, dash_within_three, small_at_1, dot_at_5 } = single;
        let [digit, number, dash, colon] = lanes;
        Ahead {
            run7_number: first[number],
            digit_at_6: first[digit],
            number_at_7: second[number],
            colon_ahead: first[colon],
            dash_every_third: first[dash],
            run5_dash: second[dash],
            digits_at_2_3: second[digit],
            alpha_at_1,
            run15_digit,
            dash_within_three,
            small_at_1,
            dot_at_5,
        }
    }
}

/// The looks ahead that a vector combine computes one mask at a time (see `Ahead` for each).
#[derive(Debug, Clone, Copy)]
struct Single {
    alpha_at_1: u64,
    run15_digit: u64,
    dash_within_three: u64,
    small_at_1: u64,
    dot_at_5: u64,
}

/// Bit `i` set when bits `i..i + 15` of the mask `bits` of a block followed by `next` are all set: a run of
/// fifteen, by doubling (a few shifts of one 128-bit word for the whole block).
#[inline(always)]
fn run15(bits: u64, next: u64) -> u64 {
    let x = u128::from(bits) | u128::from(next) << 64;
    let two = x & (x >> 1);
    let four = two & (two >> 2);
    let eight = four & (four >> 4);
    let fourteen = eight & (four >> 8) & (two >> 12);
    (fourteen & (x >> 14)) as u64
}

/// The bitmaps of block `b` from its classes, its look-back and its look-ahead: the one definition of the bitmaps
/// (the tests hold it to a byte-by-byte reference), whichever way the looks were computed.
#[inline(always)]
fn finish(b: &Classes, behind: &Behind, ahead: &Ahead) -> Block {
    let alnum_before = behind.digit | behind.alpha;
    let word_before = alnum_before | behind.underscore;
    let group_start = b.digit & !behind.digit;
    // Seven number bytes, the seventh a digit or followed by an eighth: a token of seven bytes ends with a digit.
    let seven = ahead.run7_number & (ahead.digit_at_6 | ahead.number_at_7);
    // `ORD-2021-280363`, `v1.20250101`: digits joined to a word by `-` or `.` are no number of their own.
    let joined = behind.dash_or_dot & behind.digit_or_alpha_2;
    // A run of fifteen digits or more is read even glued to a word (`card_4111…`, `cc4111…`): a card number
    // glued to a word is still a card number.
    let long_run = group_start & ahead.run15_digit;
    // `ip-10-0-4-5.ec2.internal`, `host-203-0-113-7.example.net`: a number joined by a dash may be an address
    // written into a host name when a dash follows its first one to three digits (`ORD-2021-280363` does not).
    let dashed = joined & behind.dash & ahead.dash_within_three;
    let numbers = group_start & seven & (!word_before & !joined | dashed) | long_run;
    let colon_pairs = b.colon & ahead.colon_ahead;
    let iban = b.alpha & ahead.alpha_at_1 & ahead.digits_at_2_3 & !alnum_before;
    // `000c.29ab.cdf4`: a MAC in Cisco's notation, from its first dot.
    let dotted_mac = b.dot() & ahead.dot_at_5;
    let num = numbers | colon_pairs | iban | ahead.dash_every_third | dotted_mac;
    // `--password hunter2`: a flag's second dash, before its name; `-p S3cr3t`, `-storepass x`: a dash that starts
    // a word, before a letter.
    let starts_word = !(word_before | behind.dash_or_dot | behind.high);
    let flag = b.dash & (behind.dash | starts_word) & ahead.alpha_at_1;
    // A word that starts with a byte that is not ASCII may be a name too (`Éva`, `Øystein`): the name detector
    // reads the character.
    let cap = (b.capital & ahead.small_at_1 | b.high & !behind.high) & !word_before;
    // A capital before a capital (a letter that is not small): a word in capitals.
    let caps = b.capital & ahead.alpha_at_1 & !ahead.small_at_1 & !word_before;
    let join = (b.dot() | b.underscore | b.dash) & behind.alpha & ahead.alpha_at_1;
    Block {
        key: b.key,
        word_starts: b.secret_first & (b.alpha | ahead.run5_dash) & !word_before,
        anchors: [num, b.at, b.sep | flag, b.lt, b.quote, num | b.at | b.lt | cap | caps, cap, caps, join],
    }
}

/// Classifies `text` block by block and appends one `Block` per 64 bytes (the last one padded with zero bytes,
/// which belong to no class) to `blocks`, each combined with its neighbours as soon as the next block is
/// classified. Returns the positions of the first and the last byte that is not ASCII, if any. `classify(text, k)`
/// gives the classes of block `k`.
#[inline(always)]
fn build_with(text: &[u8], blocks: &mut Vec<Block>, classify: impl Fn(&[u8], usize) -> Classes) -> NonAscii {
    build_combined(text, blocks, Classes::default(), classify, |classes| classes.high, combine)
}

/// `build_with` for classes of any form: `none` is the classes of a block of zero bytes, `high` gives the bytes
/// that are not ASCII, and `combine` derives the bitmaps as `combine()` does.
#[inline(always)]
fn build_combined<C: Copy>(
    text: &[u8],
    blocks: &mut Vec<Block>,
    none: C,
    classify: impl Fn(&[u8], usize) -> C,
    high: impl Fn(&C) -> u64,
    combine: impl Fn(&C, &C, &C) -> Block,
) -> NonAscii {
    let count = text.len().div_ceil(64);
    if count == 0 {
        return None;
    }
    blocks.reserve(count);
    let mut non_ascii = None;
    let mut previous = none;
    let mut current = classify(text, 0);
    for k in 0..count {
        let next = if k + 1 < count { classify(text, k + 1) } else { none };
        let current_high = high(&current);
        if current_high != 0 {
            let last = k * 64 + 63 - current_high.leading_zeros() as usize;
            let first = non_ascii.map_or(k * 64 + current_high.trailing_zeros() as usize, |(first, _)| first);
            non_ascii = Some((first, last));
        }
        blocks.push(combine(&previous, &current, &next));
        previous = current;
        current = next;
    }
    non_ascii
}

/// The first and the last byte of a text that are not ASCII, if any.
type NonAscii = Option<(usize, usize)>;

/// The anchors of a part of the text, in coordinates relative to its start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    anchors: &'a Anchors,
    start: usize,
    end: usize,
}

impl<'a> View<'a> {
    /// True when the bitmap has a position in this part.
    #[inline]
    pub(crate) fn any(&self, anchor: Anchor) -> bool {
        self.anchors.bits_in(self.start, self.end, |block| block.anchors[anchor as usize])
    }

    /// True when either bitmap has a position in this part: one look for two questions whose answer is most
    /// often no for both.
    #[inline]
    pub(crate) fn any_either(&self, one: Anchor, other: Anchor) -> bool {
        self.anchors.bits_in(self.start, self.end, |block| block.anchors[one as usize] | block.anchors[other as usize])
    }

    /// The positions of the bitmap in this part, relative to its start, in order.
    pub(crate) fn positions(&self, anchor: Anchor) -> Positions<'a> {
        let blocks = &self.anchors.blocks;
        let word = self.start / 64;
        if self.start >= self.end {
            return Positions { blocks, which: anchor as usize, word, last: word, tail: 0, mask: 0, start: self.start };
        }
        let last = (self.end - 1) / 64;
        let tail = u64::MAX >> (63 - (self.end - 1) % 64);
        let mut mask = blocks[word].anchors[anchor as usize] & (u64::MAX << (self.start % 64));
        if word == last {
            mask &= tail;
        }
        Positions { blocks, which: anchor as usize, word, last, tail, mask, start: self.start }
    }

    /// The start of the run of key bytes (letters, digits, `_`, `-`, `.`) that ends right before `end`, at most
    /// `limit` bytes long, relative to the view.
    pub(crate) fn key_run_start(&self, end: usize, limit: usize) -> usize {
        let floor = end.saturating_sub(limit);
        let mut at = self.start + end;
        let stop = self.start + floor;
        while at > stop {
            // The key bytes below `at` in its block, as a run ending at `at - 1`.
            let word = (at - 1) / 64;
            let offset = (at - 1) % 64;
            let bits = self.anchors.blocks[word].key << (63 - offset);
            let run = (!bits).leading_zeros() as usize;
            if run <= offset {
                at -= run;
                break;
            }
            at -= offset + 1;
        }
        at.max(stop) - self.start
    }

    /// The secret prefixes that this part holds whole: (start relative to the part, prefix index). A prefix the
    /// anchors of a line read over the end of a part is not the part's (a JSON string's `User ` and its closing
    /// quote spell `User "`).
    pub(crate) fn secrets(&self) -> impl Iterator<Item = (usize, usize)> + 'a {
        let (start, end) = (self.start, self.end);
        let secrets = &self.anchors.secrets;
        let first = secrets.partition_point(|&(at, _)| at < start);
        secrets[first..]
            .iter()
            .take_while(move |&&(at, _)| at < end)
            .filter(move |&&(at, pattern)| at + secret_prefix_len(pattern) <= end)
            .map(move |&(at, pattern)| (at - start, pattern))
    }

    /// True when neither a detector nor the key/value check could start here: no position in `Any`, `Sep` or
    /// `Join`.
    #[inline]
    pub(crate) fn quiet(&self) -> bool {
        !self.anchors.bits_in(self.start, self.end, |block| {
            block.anchors[Anchor::Any as usize] | block.anchors[Anchor::Sep as usize]
        })
    }

    /// True when any detector could find something here (the key/value check aside).
    pub(crate) fn worth_scanning(&self) -> bool {
        self.any(Anchor::Any)
    }
}

/// Iterator over the set bits of a bitmap between two positions.
#[derive(Debug)]
pub(crate) struct Positions<'a> {
    blocks: &'a [Block],
    which: usize,
    /// The current block and its bits not yet returned (masked to the part).
    word: usize,
    mask: u64,
    /// The last block of the part, and the bits of it that are in the part.
    last: usize,
    tail: u64,
    start: usize,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.word >= self.last {
                return None;
            }
            self.word += 1;
            let keep = if self.word == self.last { self.tail } else { u64::MAX };
            self.mask = self.blocks[self.word].anchors[self.which] & keep;
        }
        let found = self.word * 64 + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(found - self.start)
    }
}

// ---- classification --------------------------------------------------------------------------------------------

type Build = fn(&[u8], &mut Vec<Block>) -> NonAscii;

/// The fastest classifier this CPU runs (AVX-512 with VBMI and VBMI2, AVX2, or a byte table), inside `build_with`.
fn build() -> Build {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512::available() {
            return avx512::build;
        }
        if avx2::available() {
            return avx2::build;
        }
    }
    |text, blocks| build_with(text, blocks, classify_table)
}

const DIGIT: u16 = 1;
const NUMBER: u16 = 1 << 1;
const ALPHA: u16 = 1 << 2;
const UNDERSCORE: u16 = 1 << 3;
const COLON: u16 = 1 << 4;
const DASH: u16 = 1 << 5;
const AT: u16 = 1 << 6;
const SEP: u16 = 1 << 7;
const LT: u16 = 1 << 8;
const QUOTE: u16 = 1 << 9;
const KEY: u16 = 1 << 10;
const SECRET_FIRST: u16 = 1 << 11;
const HIGH: u16 = 1 << 12;
/// `.`: read only by the AVX-512 classifier, which combines the classes as vectors (`Classes::dot` elsewhere).
const DOT: u16 = 1 << 13;
const CAPITAL: u16 = 1 << 14;

/// The first-byte set of the secret prefixes as two nibble tables: byte `b < 0x80` is in the set when
/// `LOW[b & 15] & (1 << (b >> 4))` is set.
const SECRET_FIRST_LOW: [u8; 16] = {
    let mut low = [0u8; 16];
    let mut b = 0;
    while b < 128 {
        if SECRET_PAIR_GROUPS.0[b] != 0 {
            low[b & 15] |= 1 << (b >> 4);
        }
        b += 1;
    }
    low
};

/// The secret pair groups (`SECRET_PAIR_GROUPS`) by nibble, for the AVX2 classifier's pair pre-test: for the first
/// byte, the groups of any byte with that low nibble (`.0`) and with that high nibble (`.1`); the same for the
/// second byte (`.2`, `.3`). ANDing the two lookups gives a superset of the groups of a byte, so a pair that can
/// begin a prefix always passes; bytes from 0x80 on (high nibbles 8 to 15) belong to no group.
const SECRET_PAIR_NIBBLES: ([u8; 16], [u8; 16], [u8; 16], [u8; 16]) = {
    let (groups, follows) = &SECRET_PAIR_GROUPS;
    let mut out = ([0u8; 16], [0u8; 16], [0u8; 16], [0u8; 16]);
    let mut b = 0;
    while b < 128 {
        out.0[b & 15] |= groups[b];
        out.1[b >> 4] |= groups[b];
        out.2[b & 15] |= follows[b];
        out.3[b >> 4] |= follows[b];
        b += 1;
    }
    out
};

/// The classes of each byte value: the reference the vectorized classifier is tested against.
const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        let mut class = 0;
        if byte.is_ascii_digit() {
            class |= DIGIT | NUMBER | KEY;
        }
        if matches!(byte, b' ' | b'(' | b')' | b'+' | b'-' | b'.' | b'/') {
            class |= NUMBER;
        }
        if byte.is_ascii_alphabetic() {
            class |= ALPHA | KEY;
        }
        if byte.is_ascii_uppercase() {
            class |= CAPITAL;
        }
        match byte {
            b'_' => class |= UNDERSCORE | KEY,
            b':' => class |= COLON | SEP,
            b'=' => class |= SEP,
            b'-' => class |= DASH | KEY,
            b'.' => class |= KEY | DOT,
            b'@' | b'%' | b'$' | b'|' => class |= AT,
            b'<' => class |= LT,
            b'"' | b'\\' => class |= QUOTE,
            _ => {}
        }
        if b < 128 && SECRET_PAIR_GROUPS.0[b] != 0 {
            class |= SECRET_FIRST;
        }
        if b >= 128 {
            class |= HIGH;
        }
        table[b] = class;
        b += 1;
    }
    table
};

/// The classes of block `k` of `text`, byte by byte from `TABLE`.
fn classify_table(text: &[u8], k: usize) -> Classes {
    let mut out = Classes::default();
    let chunk = &text[k * 64..text.len().min(k * 64 + 64)];
    for (i, &byte) in chunk.iter().enumerate() {
        let class = TABLE[usize::from(byte)];
        if class == 0 {
            continue;
        }
        let bit = 1u64 << i;
        let set = |flag: u16, mask: &mut u64| {
            if class & flag != 0 {
                *mask |= bit;
            }
        };
        set(DIGIT, &mut out.digit);
        set(NUMBER, &mut out.number);
        set(ALPHA, &mut out.alpha);
        set(UNDERSCORE, &mut out.underscore);
        set(COLON, &mut out.colon);
        set(DASH, &mut out.dash);
        set(AT, &mut out.at);
        set(SEP, &mut out.sep);
        set(LT, &mut out.lt);
        set(QUOTE, &mut out.quote);
        set(KEY, &mut out.key);
        set(SECRET_FIRST, &mut out.secret_first);
        set(HIGH, &mut out.high);
        set(CAPITAL, &mut out.capital);
    }
    out.secret_first = pair_filter(text, k, out.secret_first);
    out
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! The AVX2 classifier: 32 bytes per step, a few compares and one movemask per class; the look-ahead of the
    //! bitmaps takes four masks per vector.

    use std::arch::x86_64::*;

    use super::{
        ahead, build_combined, finish, pair_filter, run15, Ahead, Behind, Block, Classes, NonAscii, Single,
        SECRET_FIRST_LOW, SECRET_PAIR_NIBBLES,
    };

    /// True when the CPU has AVX2.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
    }

    /// Only returned by `build()` after `available()`.
    pub(super) fn build(text: &[u8], blocks: &mut Vec<Block>) -> NonAscii {
        // SAFETY: `build()` hands this function out only when the CPU supports AVX2.
        unsafe { build_avx2(text, blocks) }
    }

    #[target_feature(enable = "avx2")]
    unsafe fn build_avx2(text: &[u8], blocks: &mut Vec<Block>) -> NonAscii {
        build_combined(
            text,
            blocks,
            Classes::default(),
            |text, k| classify(text, k),
            |classes| classes.high,
            // SAFETY (of `vector_ahead`): AVX2 is enabled here.
            |previous, b, next| finish(b, &Behind::of(previous, b), &unsafe { vector_ahead(b, next) }),
        )
    }

    /// `Ahead::of` on vectors: the digit, number, dash and colon masks of a block in the four lanes of one
    /// vector, so that each distance is one pair of shifts for all four (the scalar version spends a double shift
    /// per mask and distance, and its three blocks of classes do not fit in the registers).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn vector_ahead(b: &Classes, next: &Classes) -> Ahead {
        const DIGIT: usize = 0;
        const NUMBER: usize = 1;
        const DASH: usize = 2;
        const COLON: usize = 3;
        let pack = |c: &Classes| _mm256_set_epi64x(c.colon as i64, c.dash as i64, c.number as i64, c.digit as i64);
        let (cur, next_lanes) = (pack(b), pack(next));
        // Bit `i` of each mask tells about byte `i + s`, the next block's bits moving in.
        macro_rules! at {
            ($s:literal) => {
                _mm256_or_si256(_mm256_srli_epi64::<$s>(cur), _mm256_slli_epi64::<{ 64 - $s }>(next_lanes))
            };
        }
        let (s1, s2, s3, s4, s5, s6, s7, s9, s12) =
            (at!(1), at!(2), at!(3), at!(4), at!(5), at!(6), at!(7), at!(9), at!(12));
        let and = |x, y| _mm256_and_si256(x, y);
        let or = |x, y| _mm256_or_si256(x, y);
        let run5 = and(and(and(cur, s1), and(s2, s3)), s4);
        let run7 = and(and(run5, s5), s6);
        let within_three = or(or(s1, s2), s3);
        let colon_within_five = or(or(within_three, s4), s5);
        let every_third = and(and(and(cur, s3), and(s6, s9)), s12);
        let digits_2_3 = and(s2, s3);
        // The lanes read come from seven vectors; blends gather them into two (a 64-bit lane is two 32-bit ones).
        let lanes = |v: __m256i| std::mem::transmute::<__m256i, [u64; 4]>(v);
        let first = _mm256_blend_epi32::<{ 0b11 << (2 * DIGIT) | 0b11 << (2 * COLON) | 0b11 << (2 * DASH) }>(
            run7,
            _mm256_blend_epi32::<{ 0b11 << (2 * COLON) }>(
                _mm256_blend_epi32::<{ 0b11 << (2 * DASH) }>(s6, every_third),
                colon_within_five,
            ),
        );
        let second = _mm256_blend_epi32::<{ 0b11 << (2 * DIGIT) | 0b11 << (2 * DASH) }>(
            s7,
            _mm256_blend_epi32::<{ 0b11 << (2 * DASH) }>(digits_2_3, run5),
        );
        let single = Single {
            alpha_at_1: ahead(b.alpha, next.alpha, 1),
            run15_digit: run15(b.digit, next.digit),
            dash_within_three: lanes(within_three)[DASH],
            small_at_1: ahead(b.small(), next.small(), 1),
            dot_at_5: ahead(b.dot(), next.dot(), 5),
        };
        Ahead::gathered(&lanes(first), &lanes(second), [DIGIT, NUMBER, DASH, COLON], single)
    }

    /// The classes of block `k` of `text` (which must have one), or None when the CPU lacks AVX2.
    #[cfg(test)]
    pub(super) fn classes(text: &[u8], k: usize) -> Option<Classes> {
        // SAFETY: checked by `available()` first.
        available().then(|| unsafe { classify(text, k) })
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn classify(text: &[u8], k: usize) -> Classes {
        let mut out = Classes::default();
        let mut pairs = 0;
        match text.get(k * 64..k * 64 + 64) {
            // SAFETY: AVX2 is enabled here, and the chunk has 64 readable bytes.
            Some(chunk) => unsafe { block(chunk.as_ptr(), &mut out, &mut pairs) },
            // The last, partial block of a text of 64 bytes or more: the text's last 64 bytes are classified and
            // their masks moved down to start at the block, zeros (no class, as for padding) coming in on top.
            // A padded copy costs a copy per line.
            None if text.len() >= 64 => {
                let tail = &text[text.len() - 64..];
                // SAFETY: as above: `tail` has 64 readable bytes.
                unsafe { block(tail.as_ptr(), &mut out, &mut pairs) };
                // Between 1 and 63: the block is partial and the text reaches past its start.
                let down = (k * 64 + 64 - text.len()) as u32;
                out = out.map(|mask| mask >> down);
                pairs >>= down;
            }
            None => {
                let rest = &text[k * 64..];
                let mut padded = [0u8; 64];
                padded[..rest.len()].copy_from_slice(rest);
                // SAFETY: as above, on the padded copy.
                unsafe { block(padded.as_ptr(), &mut out, &mut pairs) }
            }
        }
        // The vector pair test is a superset that cannot see past the block: the last byte stays a candidate, and
        // the exact test decides.
        out.secret_first = pair_filter(text, k, out.secret_first & (pairs | 1 << 63));
        out
    }

    /// # Safety
    /// The CPU must support AVX2 and `at` must point to 64 readable bytes.
    // Not inlined: inside the loop of `build_avx2`, LLVM rebuilds the masks byte by byte.
    #[inline(never)]
    #[target_feature(enable = "avx2")]
    unsafe fn block(at: *const u8, out: &mut Classes, pairs: &mut u64) {
        let (low, high) = (_mm256_loadu_si256(at.cast()), _mm256_loadu_si256(at.add(32).cast()));
        // The byte after each: read from the text for the first half; for the second, the half moved one byte
        // down (the byte after the block is not readable here, so the last one follows a zero).
        let low_next = _mm256_loadu_si256(at.add(1).cast());
        let high_next = _mm256_alignr_epi8(_mm256_permute2x128_si256(high, high, 0x81), high, 1);
        half(low, low_next, 0, out, pairs);
        half(high, high_next, 32, out, pairs);
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn splat(byte: u8) -> __m256i {
        _mm256_set1_epi8(byte as i8)
    }

    /// Bytes of `x` in `lo..=lo + span`: `min(x - lo, span) == x - lo` as unsigned bytes.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn in_range(x: __m256i, lo: u8, span: u8) -> __m256i {
        let shifted = _mm256_sub_epi8(x, splat(lo));
        _mm256_cmpeq_epi8(_mm256_min_epu8(shifted, splat(span)), shifted)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn mask(m: __m256i) -> u64 {
        u64::from(_mm256_movemask_epi8(m) as u32)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn eq(v: __m256i, byte: u8) -> __m256i {
        _mm256_cmpeq_epi8(v, splat(byte))
    }

    /// Adds the class masks of 32 bytes `v`, whose next bytes are `next`, to `out`, shifted by `shift` bits, and
    /// to `pairs` the bytes whose next byte may follow them in a secret prefix (a superset).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn half(v: __m256i, next: __m256i, shift: u32, out: &mut Classes, pairs: &mut u64) {
        let digit = in_range(v, b'0', 9);
        let alpha = in_range(_mm256_or_si256(v, splat(0x20)), b'a', 25);
        // The number separators ` ()+-./` are 0x20, 0x28, 0x29, 0x2B, 0x2D, 0x2E, 0x2F: high nibble 2 and a low
        // nibble from a small set, looked up with a shuffle.
        let low_nibbles = _mm256_setr_epi8(
            -1, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, -1, 0, -1, -1, -1, //
            -1, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, -1, 0, -1, -1, -1,
        );
        let low = _mm256_shuffle_epi8(low_nibbles, _mm256_and_si256(v, splat(0x0F)));
        let high_is_2 = _mm256_cmpeq_epi8(_mm256_and_si256(v, splat(0xF0)), splat(0x20));
        let separator = _mm256_and_si256(low, high_is_2);
        let colon = eq(v, b':');
        let dash = eq(v, b'-');
        let underscore = eq(v, b'_');
        let alnum = _mm256_or_si256(digit, alpha);
        let key = _mm256_or_si256(_mm256_or_si256(alnum, underscore), _mm256_or_si256(dash, eq(v, b'.')));
        out.high |= mask(v) << shift;
        out.digit |= mask(digit) << shift;
        out.number |= mask(_mm256_or_si256(digit, separator)) << shift;
        out.alpha |= mask(alpha) << shift;
        out.capital |= mask(in_range(v, b'A', 25)) << shift;
        out.underscore |= mask(underscore) << shift;
        out.colon |= mask(colon) << shift;
        out.dash |= mask(dash) << shift;
        out.key |= mask(key) << shift;
        // Set membership by nibbles: the low nibble picks a byte of high-nibble bits, the high nibble one bit
        // (none for bytes from 0x80 on).
        let low_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(SECRET_FIRST_LOW.as_ptr().cast()));
        let high_bits = _mm256_setr_epi8(
            1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0, //
            1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0,
        );
        let low_nibble = _mm256_and_si256(v, splat(0x0F));
        let high_nibble = _mm256_and_si256(_mm256_srli_epi16(v, 4), splat(0x0F));
        let both =
            _mm256_and_si256(_mm256_shuffle_epi8(low_table, low_nibble), _mm256_shuffle_epi8(high_bits, high_nibble));
        out.secret_first |= (!mask(_mm256_cmpeq_epi8(both, _mm256_setzero_si256())) & 0xFFFF_FFFF) << shift;
        // The pair pre-test: the groups of each byte (a superset, by nibbles) against those its next byte follows.
        let table = |bytes: &[u8; 16]| _mm256_broadcastsi128_si256(_mm_loadu_si128(bytes.as_ptr().cast()));
        let (groups_low, groups_high, follows_low, follows_high) = &SECRET_PAIR_NIBBLES;
        let by_nibbles = |x: __m256i, low: &[u8; 16], high: &[u8; 16]| {
            let high_nibble = _mm256_and_si256(_mm256_srli_epi16(x, 4), splat(0x0F));
            // Bytes from 0x80 on have a high nibble of 8 or more: the shuffle reads a zero entry for them.
            _mm256_and_si256(
                _mm256_shuffle_epi8(table(low), _mm256_and_si256(x, splat(0x0F))),
                _mm256_shuffle_epi8(table(high), high_nibble),
            )
        };
        let common =
            _mm256_and_si256(by_nibbles(v, groups_low, groups_high), by_nibbles(next, follows_low, follows_high));
        *pairs |= (!mask(_mm256_cmpeq_epi8(common, _mm256_setzero_si256())) & 0xFFFF_FFFF) << shift;
        let at_or_percent = _mm256_or_si256(eq(v, b'@'), eq(v, b'%'));
        out.at |= mask(_mm256_or_si256(at_or_percent, _mm256_or_si256(eq(v, b'$'), eq(v, b'|')))) << shift;
        out.sep |= mask(_mm256_or_si256(colon, eq(v, b'='))) << shift;
        out.lt |= mask(eq(v, b'<')) << shift;
        out.quote |= mask(_mm256_or_si256(eq(v, b'"'), eq(v, b'\\'))) << shift;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    //! The AVX-512 classifier: each byte of a 64-byte block looks up its classes in two 128-entry tables with one
    //! byte permute each (VBMI), a bit transposition (GFNI) turns each table's class bytes into eight 64-bit
    //! masks at once, and the masks are combined into bitmaps as vectors, eight masks per funnel shift (VBMI2).

    use std::arch::x86_64::*;

    use super::{
        ahead, behind, build_combined, finish, run15, Ahead, Behind, Block, Classes, NonAscii, Single,
        SECRET_PAIR_GROUPS, TABLE,
    };

    /// For the bytes below 0x80: the low byte of `TABLE` (digit, number, alpha, underscore, colon, dash, at,
    /// sep), its high byte (lt, quote, key, secret_first, dot, capital), and the secret pair groups. A permute reads each
    /// table as two 64-byte halves.
    const LOW: [u8; 128] = half_table(0);
    const HIGH: [u8; 128] = half_table(8);
    const GROUPS: [u8; 128] = SECRET_PAIR_GROUPS.0;
    const FOLLOWS: [u8; 128] = SECRET_PAIR_GROUPS.1;

    const fn half_table(shift: u32) -> [u8; 128] {
        let mut out = [0u8; 128];
        let mut b = 0;
        while b < 128 {
            out[b] = (TABLE[b] >> shift) as u8;
            b += 1;
        }
        out
    }

    /// True when the CPU has what this classifier uses.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vbmi")
            && std::arch::is_x86_feature_detected!("avx512vbmi2")
            && std::arch::is_x86_feature_detected!("gfni")
    }

    /// Only returned by `build()` after `available()`.
    pub(super) fn build(text: &[u8], blocks: &mut Vec<Block>) -> NonAscii {
        // SAFETY: `build()` hands this function out only when the CPU has what `available()` checks.
        unsafe { build_avx512(text, blocks) }
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512vbmi2,gfni")]
    unsafe fn build_avx512(text: &[u8], blocks: &mut Vec<Block>) -> NonAscii {
        let none = Lanes { low: _mm512_setzero_si512(), upper: _mm512_setzero_si512(), high: 0 };
        // SAFETY (of `combine`): the features are enabled here.
        build_combined(
            text,
            blocks,
            none,
            |text, k| classify(text, k),
            |lanes| lanes.high,
            |p, c, n| unsafe { combine(p, c, n) },
        )
    }

    /// The classes of one block as two vectors of eight 64-bit masks: `low` holds digit, number, alpha,
    /// underscore, colon, dash, at and sep, `upper` lt, quote, key, secret_first, (high), dot, capital.
    #[derive(Clone, Copy)]
    struct Lanes {
        low: __m512i,
        upper: __m512i,
        high: u64,
    }

    /// The lane of a class in `Lanes::low` (the flags of `TABLE`'s low byte) or `Lanes::upper` (its high byte).
    const fn lane(flag: u16) -> usize {
        (flag.trailing_zeros() % 8) as usize
    }
    const DIGIT: usize = lane(super::DIGIT);
    const NUMBER: usize = lane(super::NUMBER);
    const ALPHA: usize = lane(super::ALPHA);
    const UNDERSCORE: usize = lane(super::UNDERSCORE);
    const COLON: usize = lane(super::COLON);
    const DASH: usize = lane(super::DASH);
    const AT: usize = lane(super::AT);
    const SEP: usize = lane(super::SEP);
    const LT: usize = lane(super::LT);
    const QUOTE: usize = lane(super::QUOTE);
    const KEY: usize = lane(super::KEY);
    const SECRET_FIRST: usize = lane(super::SECRET_FIRST);
    const DOT: usize = lane(super::DOT);
    const CAPITAL: usize = lane(super::CAPITAL);

    /// The lanes of a vector of eight masks.
    #[inline(always)]
    fn lanes(v: __m512i) -> [u64; 8] {
        // SAFETY: both are 64 bytes of plain integers.
        unsafe { std::mem::transmute::<__m512i, [u64; 8]>(v) }
    }

    /// `super::combine` with the looks on vectors: each look ahead or back is one funnel shift (VBMI2) of all
    /// eight masks at once, where the scalar version spends a double shift per mask; the bitmaps come from the
    /// shared `finish()`.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F and VBMI2.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vbmi2")]
    unsafe fn combine(previous: &Lanes, b: &Lanes, next: &Lanes) -> Block {
        let (cur, next_low) = (b.low, next.low);
        let and = |x, y| _mm512_and_si512(x, y);
        let or = |x, y| _mm512_or_si512(x, y);
        // Each mask shifted so that bit `i` tells about byte `i + s` (the next block's bits moving in).
        let s1 = _mm512_shrdi_epi64::<1>(cur, next_low);
        let s2 = _mm512_shrdi_epi64::<2>(cur, next_low);
        let s3 = _mm512_shrdi_epi64::<3>(cur, next_low);
        let s4 = _mm512_shrdi_epi64::<4>(cur, next_low);
        let s5 = _mm512_shrdi_epi64::<5>(cur, next_low);
        let s6 = _mm512_shrdi_epi64::<6>(cur, next_low);
        let s7 = _mm512_shrdi_epi64::<7>(cur, next_low);
        let s9 = _mm512_shrdi_epi64::<9>(cur, next_low);
        let s12 = _mm512_shrdi_epi64::<12>(cur, next_low);
        // And back: bit `i` tells about byte `i - 1` (`i - 2`), the previous block's bits moving in.
        let b1 = lanes(_mm512_shldi_epi64::<1>(cur, previous.low));
        let b2 = lanes(_mm512_shldi_epi64::<2>(cur, previous.low));
        let dot_before = lanes(_mm512_shldi_epi64::<1>(b.upper, previous.upper))[DOT];
        // Per class: at bytes `i..i + 5` (`run5`), `i..i + 7` (`run7`), at one of `i + 1..i + 6`, at `i + 3k` for
        // k up to 4 (`every_third`), at `i + 2` and `i + 3`.
        let run5 = and(and(and(cur, s1), and(s2, s3)), s4);
        let run7 = and(and(run5, s5), s6);
        let within_three = or(or(s1, s2), s3);
        let colon_within_five = or(or(within_three, s4), s5);
        let every_third = and(and(and(cur, s3), and(s6, s9)), s12);
        let digits_2_3 = and(s2, s3);
        // The lanes read below come from many vectors but few share a lane: gathered into two vectors by blends,
        // they cost two stores instead of nine. Each gathered lane is read once, into the field that says where
        // it came from; the lanes not picked are the base vector's (`run7`, `s7`), whose NUMBER lane is read.
        const _: () = assert!(NUMBER != DIGIT && NUMBER != ALPHA && NUMBER != COLON && NUMBER != DASH);
        let pick = |into: __m512i, lane: usize, from: __m512i| _mm512_mask_blend_epi64(1 << lane, into, from);
        let first =
            lanes(pick(pick(pick(pick(run7, DIGIT, s6), ALPHA, s1), COLON, colon_within_five), DASH, every_third));
        let second = lanes(pick(pick(s7, DIGIT, digits_2_3), DASH, run5));
        let classes = classes_of(b);
        let run15_digit = run15(classes.digit, lanes(next_low)[DIGIT]);
        let dash_within_three = lanes(within_three)[DASH];
        // The upper masks a byte and five bytes on, gathered into one vector: a capital at `i + 1`, a dot at `i + 5`.
        const _: () = assert!(CAPITAL != DOT);
        let upper_ahead = lanes(_mm512_mask_blend_epi64(
            1 << DOT,
            _mm512_shrdi_epi64::<1>(b.upper, next.upper),
            _mm512_shrdi_epi64::<5>(b.upper, next.upper),
        ));
        let capital_at_1 = upper_ahead[CAPITAL];
        let small_at_1 = first[ALPHA] & !capital_at_1 | ahead(b.high, next.high, 1);
        let single =
            Single { alpha_at_1: first[ALPHA], run15_digit, dash_within_three, small_at_1, dot_at_5: upper_ahead[DOT] };
        let ahead = Ahead::gathered(&first, &second, [DIGIT, NUMBER, DASH, COLON], single);
        let behind = Behind {
            digit: b1[DIGIT],
            alpha: b1[ALPHA],
            underscore: b1[UNDERSCORE],
            dash_or_dot: b1[DASH] | dot_before,
            dash: b1[DASH],
            digit_or_alpha_2: b2[DIGIT] | b2[ALPHA],
            high: behind(b.high, previous.high, 1),
        };
        finish(&classes, &behind, &ahead)
    }

    /// The masks of `lanes_of`, by class.
    #[inline(always)]
    fn classes_of(lanes_of: &Lanes) -> Classes {
        let (l, u) = (lanes(lanes_of.low), lanes(lanes_of.upper));
        Classes {
            digit: l[DIGIT],
            number: l[NUMBER],
            alpha: l[ALPHA],
            underscore: l[UNDERSCORE],
            colon: l[COLON],
            dash: l[DASH],
            at: l[AT],
            sep: l[SEP],
            lt: u[LT],
            quote: u[QUOTE],
            key: u[KEY],
            secret_first: u[SECRET_FIRST],
            high: lanes_of.high,
            capital: u[CAPITAL],
        }
    }

    /// The classes of block `k` of `text` (which must have one), or None when the CPU lacks the features.
    #[cfg(test)]
    pub(super) fn classes(text: &[u8], k: usize) -> Option<Classes> {
        // SAFETY: checked by `available()` first.
        available().then(|| classes_of(&unsafe { classify(text, k) }))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
    fn classify(text: &[u8], k: usize) -> Lanes {
        let start = k * 64;
        let len = (text.len() - start).min(64);
        let keep = |len: usize| -> __mmask64 {
            if len >= 64 {
                u64::MAX
            } else {
                (1u64 << len) - 1
            }
        };
        let table = |bytes: &[u8; 128]| -> [__m512i; 2] {
            // SAFETY: the tables are 128 bytes long.
            unsafe { [_mm512_loadu_si512(bytes.as_ptr().cast()), _mm512_loadu_si512(bytes.as_ptr().add(64).cast())] }
        };
        // Bytes past the end of the text are masked off: not read, and zero in the vector. `next` is the text one
        // byte further on, for the secret pairs.
        // SAFETY: the masked loads read only bytes of the text (`len` from `start`, `len - 1` or 64 from `start + 1`).
        let (v, next) = unsafe {
            let at = text.as_ptr().add(start);
            let ahead = (text.len() - start - 1).min(64);
            (_mm512_maskz_loadu_epi8(keep(len), at.cast()), _mm512_maskz_loadu_epi8(keep(ahead), at.add(1).cast()))
        };
        // SAFETY: the constant tables are 64 bytes long.
        let (reverse, gather) =
            unsafe { (_mm512_loadu_si512(REVERSE.as_ptr().cast()), _mm512_loadu_si512(GATHER.as_ptr().cast())) };
        let high = _mm512_movepi8_mask(v);
        // Work on the bytes of each 8-byte group in reverse order: the transposition below then gives bit `i` of
        // a mask for byte `i`.
        let v = _mm512_permutexvar_epi8(reverse, v);
        let next = _mm512_permutexvar_epi8(reverse, next);
        let reversed_high = _mm512_movepi8_mask(v);
        // The permutes index with the low seven bits; bytes from 0x80 on belong to no class but `high`.
        let [low_lo, low_hi] = table(&LOW);
        let [high_lo, high_hi] = table(&HIGH);
        let low = _mm512_maskz_permutex2var_epi8(!reversed_high, low_lo, v, low_hi);
        let upper = _mm512_maskz_permutex2var_epi8(!reversed_high, high_lo, v, high_hi);
        let [groups_lo, groups_hi] = table(&GROUPS);
        let [follows_lo, follows_hi] = table(&FOLLOWS);
        let groups = _mm512_permutex2var_epi8(groups_lo, v, groups_hi);
        let follows = _mm512_permutex2var_epi8(follows_lo, next, follows_hi);
        // A byte past the end (zero in `next`) follows nothing: FOLLOWS[0] is zero.
        let pairs = _mm512_test_epi8_mask(groups, follows) & !_mm512_movepi8_mask(next);
        let secret_bit = _mm512_set1_epi8((super::SECRET_FIRST >> 8) as i8);
        let upper = _mm512_mask_blend_epi8(pairs, _mm512_andnot_si512(secret_bit, upper), upper);
        // An 8x8 bit transposition per 8-byte group (each byte's class bits become one byte per class), then
        // a gather of each class's eight bytes into one 64-bit mask.
        let identity = _mm512_set1_epi64(0x8040_2010_0804_0201u64 as i64);
        let transpose =
            |classes: __m512i| _mm512_permutexvar_epi8(gather, _mm512_gf2p8affine_epi64_epi8(identity, classes, 0));
        Lanes { low: transpose(low), upper: transpose(upper), high }
    }

    /// Byte `8j + i` of a permute with this index takes byte `8j + 7 - i`.
    const REVERSE: [u8; 64] = {
        let mut out = [0u8; 64];
        let mut i = 0;
        while i < 64 {
            out[i] = (i / 8 * 8 + 7 - i % 8) as u8;
            i += 1;
        }
        out
    };

    /// Byte `8c + j` of a permute with this index takes byte `8j + c`.
    const GATHER: [u8; 64] = {
        let mut out = [0u8; 64];
        let mut i = 0;
        while i < 64 {
            out[i] = (i % 8 * 8 + i / 8) as u8;
            i += 1;
        }
        out
    };
}

/// The spans that a reader of anchored text reports in `text` (`read(bytes, anchors, push)` calls `push(start,
/// end)` for each), for the readers' tests.
#[cfg(test)]
pub(crate) fn spans_read(text: &str, read: impl FnOnce(&[u8], &View<'_>, &mut dyn FnMut(usize, usize))) -> Vec<&str> {
    let mut anchors = Anchors::default();
    anchors.compute(text.as_bytes(), None);
    let mut out = Vec::new();
    read(text.as_bytes(), &anchors.view(0, text.len()), &mut |start, end| out.push(&text[start..end]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The positions of each bitmap, in the order num, at, sep, lt, quote, cap, caps, join.
    type Positions5 = [Vec<usize>; 8];

    /// The bitmaps, recomputed byte by byte from their definitions.
    fn reference(text: &[u8]) -> Positions5 {
        let class = |i: usize| text.get(i).map_or(0, |&b| TABLE[usize::from(b)]);
        let has = |i: usize, flag: u16| class(i) & flag != 0;
        let before = |i: usize, flag: u16| i > 0 && has(i - 1, flag);
        let mut num = Vec::new();
        let at = |i: usize, byte: u8| text.get(i) == Some(&byte);
        for i in 0..text.len() {
            let word_before = before(i, DIGIT) || before(i, ALPHA) || before(i, UNDERSCORE);
            let seven = (0..7).all(|s| has(i + s, NUMBER)) && (has(i + 6, DIGIT) || has(i + 7, NUMBER));
            let joined = i >= 2 && (at(i - 1, b'-') || at(i - 1, b'.')) && text[i - 2].is_ascii_alphanumeric();
            let long_run = (0..15).all(|s| has(i + s, DIGIT));
            let dashed =
                i >= 2 && at(i - 1, b'-') && text[i - 2].is_ascii_alphanumeric() && (1..=3).any(|s| at(i + s, b'-'));
            let numbers =
                has(i, DIGIT) && !before(i, DIGIT) && (seven && (!word_before && !joined || dashed) || long_run);
            let colon_pair = has(i, COLON) && (1..=5).any(|s| has(i + s, COLON));
            let alnum_before = before(i, DIGIT) || before(i, ALPHA);
            let iban = has(i, ALPHA) && has(i + 1, ALPHA) && has(i + 2, DIGIT) && has(i + 3, DIGIT) && !alnum_before;
            let mac = (0..5).all(|s| has(i + 3 * s, DASH)) || at(i, b'.') && at(i + 5, b'.');
            if numbers || colon_pair || iban || mac {
                num.push(i);
            }
        }
        let of = |flag: u16| (0..text.len()).filter(|&i| has(i, flag)).collect::<Vec<_>>();
        let starts_word = |i: usize| ![DIGIT, ALPHA, UNDERSCORE, DASH, DOT, HIGH].iter().any(|&class| before(i, class));
        let flag = |i: usize| has(i, DASH) && (before(i, DASH) || starts_word(i)) && has(i + 1, ALPHA);
        let sep = (0..text.len()).filter(|&i| has(i, SEP) || flag(i)).collect();
        let small = |i: usize| has(i, ALPHA) && !has(i, CAPITAL) || has(i, HIGH);
        let word_before = |i: usize| before(i, DIGIT) || before(i, ALPHA) || before(i, UNDERSCORE);
        let starts_high = |i: usize| has(i, HIGH) && !before(i, HIGH);
        let cap = (0..text.len())
            .filter(|&i| (has(i, CAPITAL) && small(i + 1) || starts_high(i)) && !word_before(i))
            .collect();
        let caps = (0..text.len()).filter(|&i| has(i, CAPITAL) && has(i + 1, CAPITAL) && !word_before(i)).collect();
        let joined = |i: usize| has(i, DOT) || has(i, UNDERSCORE) || has(i, DASH);
        let join = (0..text.len()).filter(|&i| joined(i) && before(i, ALPHA) && has(i + 1, ALPHA)).collect();
        [num, of(AT), sep, of(LT), of(QUOTE), cap, caps, join]
    }

    /// The blocks of `text` from every builder this CPU runs agree with the table's.
    fn builders_agree(text: &[u8]) {
        let mut table = Vec::new();
        let table_high = build_with(text, &mut table, classify_table);
        #[cfg(target_arch = "x86_64")]
        for (name, available, build) in
            [("avx2", avx2::available(), avx2::build as Build), ("avx512", avx512::available(), avx512::build as Build)]
        {
            if available {
                let mut blocks = Vec::new();
                let high = build(text, &mut blocks);
                assert_eq!((blocks, high), (table.clone(), table_high), "{name}: {:?}", String::from_utf8_lossy(text));
            }
        }
    }

    fn check(text: &[u8]) {
        builders_agree(text);
        let mut anchors = Anchors::default();
        let prefixes = SecretPrefixes::new();
        anchors.compute(text, Some(&prefixes));
        // Secret prefixes: every prefix at a word start, found by trying every position.
        let word = |i: usize| text[i].is_ascii_alphanumeric() || text[i] == b'_';
        let expected: Vec<(usize, usize)> = (0..text.len())
            .filter(|&i| i == 0 || !word(i - 1))
            .filter_map(|i| prefixes.at(text, i).map(|prefix| (i, prefix)))
            .collect();
        assert_eq!(anchors.view(0, text.len()).secrets().collect::<Vec<_>>(), expected);
        let view = anchors.view(0, text.len());
        let quotes: Vec<usize> = {
            let mut out = Vec::new();
            let mut from = 0;
            while let Some(found) = anchors.next_quote(from) {
                out.push(found);
                from = found + 1;
            }
            out
        };
        let got: Positions5 = [
            view.positions(Anchor::Num).collect(),
            view.positions(Anchor::At).collect(),
            view.positions(Anchor::Sep).collect(),
            view.positions(Anchor::Lt).collect(),
            quotes,
            view.positions(Anchor::Cap).collect(),
            view.positions(Anchor::Caps).collect(),
            view.positions(Anchor::Join).collect(),
        ];
        assert_eq!(got, reference(text), "text: {:?}", String::from_utf8_lossy(text));
    }

    #[test]
    fn bitmaps_match_the_byte_by_byte_definition() {
        check(b"");
        check(b"call +1 (415) 555-2671 or mail a@b.co; ip=10.0.0.1 mac 00:1A:2B:3C:4D:5E DE89370400440532013000");
        check(b"{\"ts\":\"2025-11-29T14:26:36.250Z\",\"msg\":\"x=\\\"1\\\" <b>hi</b> 50%\"}");
        check(b"aa-bb-cc-dd-ee-ff _1234567 x1234567 1234567 12345 6 ::1 fe80::1");
        // Digits joined to a word and seven bytes that end in a separator start no number, but for an address in
        // a host name; ISO dates and times.
        check(b"ORD-2021-280363 v1.2345678 a-1234567 -1234567 .1234567 rows=108007 t 1234567 123456 7 12345 6789");
        check(b"ip-10-0-4-5.ec2 host-203-0-113-7 x-1-2-3-4 1-2-3-4 a.1-2-3-4 ab-1234-5678 a-12-0 a-1-2-3");
        check(b"2025-11-29T14:26:36.258Z +2025-11-29T1 14:26:36 00:1A:2B:3C:4D:5E ::");
        // The same shapes across a block edge, at every offset around it.
        for shift in 40..70 {
            let mut text = b" ".repeat(shift);
            text.extend_from_slice(b"ORD-2021-2803631 x.1234567 1080077 t 1080077 12345678");
            check(&text);
        }
        check(b"Authorization: Bearer abc.def, xsk_live_1 sk_live_2 -----BEGIN RSA PRIVATE KEY----- eyJhbGciOi");
        // Capitals that start a name, not those of a word in capitals or inside a word.
        check("Kind regards, Maria L\u{f8}v\u{e5}s; S\u{f8}rensen INFO GET McCray aBc _Ab 1Ab X".as_bytes());
        // Words in capitals: `ELIF`, `KOWALSKI/PIOTR`; not `aBC`, `_AB`, `1AB`, `X`, `Xy`.
        check("ELIF YILMAZ KOWALSKI/PIOTR aBC _AB 1AB X Xy \u{c9}LODIE".as_bytes());
        // Joins between letters: `anna.lindqvist`, `petr_svoboda`, `a-b`; not `a1.b`, `.b`, `a.`, `a..b`, `a-1`.
        check(b"anna.lindqvist petr_svoboda a-b a1.b .b a. a..b a-1 Huber_Florian");
        // Seeded random bytes over an alphabet rich in the interesting classes, across block boundaries.
        let seed = 0x5eed_u64;
        println!("seed {seed:#x}");
        let alphabet = b"0123456789 -.()+/:=@%<\"\\_aZxT\xc3\xa9skeyJ_Mm";
        let mut state = seed;
        for len in [1, 7, 63, 64, 65, 127, 128, 129, 200, 1000] {
            for _ in 0..50 {
                let text: Vec<u8> = (0..len)
                    .map(|_| alphabet[(super::super::xorshift(&mut state) % alphabet.len() as u64) as usize])
                    .collect();
                check(&text);
            }
        }
    }

    #[test]
    fn the_vectorized_classifiers_agree_with_the_table() {
        // Every byte value, at every offset of a block, in texts ending inside and at the end of a block.
        let mut texts: Vec<Vec<u8>> =
            (0..64).map(|shift| (0..=255u8).cycle().skip(shift).take(300).collect()).collect();
        texts.push((0..=255u8).collect());
        texts.push(b"x".to_vec());
        // Secret prefixes (their first two bytes decide `secret_first`) at every offset, one ending the text.
        let secrets = b"Bearer eyJhb sk_live_ xoxb- -----BEGIN AKIA dG9rOj ghp_ s\xc3k SG";
        texts.extend((0..64).map(|shift| [&b" ".repeat(shift)[..], &secrets.repeat(3)[..]].concat()));
        let mut checked = 0;
        for text in &texts {
            for k in 0..text.len().div_ceil(64) {
                let expected = classify_table(text, k);
                #[cfg(target_arch = "x86_64")]
                for (name, classes) in [("avx2", avx2::classes(text, k)), ("avx512", avx512::classes(text, k))] {
                    if let Some(classes) = classes {
                        assert_eq!(classes, expected, "{name}, block {k}");
                        checked += 1;
                    }
                }
            }
        }
        println!("{checked} blocks compared with the table");
        // The selected builder gives what the table gives.
        for text in &texts {
            let (mut fast, mut table) = (Vec::new(), Vec::new());
            let fast_high = build()(text, &mut fast);
            let table_high = build_with(text, &mut table, classify_table);
            assert_eq!((fast, fast_high), (table, table_high));
        }
    }

    #[test]
    fn the_non_ascii_span_decides_utf8_validity_like_the_whole_text() {
        let mut texts: Vec<Vec<u8>> = vec![
            b"plain ascii".to_vec(),
            "caf\u{e9} at the start, then ascii".as_bytes().to_vec(),
            b"ascii then a lone \xff byte".to_vec(),
            b"\x80 a continuation first".to_vec(),
            b"cut short at the end \xe2\x82".to_vec(),
            b"cut short before ascii \xe2\x82 tail".to_vec(),
        ];
        // Over block edges: a two-byte sequence split between blocks, and non-ASCII in the first and last block.
        let mut long = vec![b'a'; 200];
        long[63..65].copy_from_slice("\u{e9}".as_bytes());
        long[2] = 0xC3;
        long[3] = 0xA9;
        texts.push(long.clone());
        long[150] = 0xC3;
        texts.push(long);
        for text in &texts {
            let mut anchors = Anchors::default();
            anchors.compute(text, None);
            let first = text.iter().position(|&b| b >= 0x80);
            let last = text.iter().rposition(|&b| b >= 0x80);
            let expected = first.zip(last).map(|(first, last)| first..last + 1);
            assert_eq!(anchors.non_ascii_span(), expected, "{text:?}");
            let by_span = anchors.non_ascii_span().is_none_or(|span| std::str::from_utf8(&text[span]).is_ok());
            assert_eq!(by_span, std::str::from_utf8(text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn key_runs_end_where_key_bytes_stop() {
        let mut text = b"x ".to_vec();
        text.extend(std::iter::repeat_n(b'k', 150));
        text.extend_from_slice(b"=1 user.e-mail_2: v");
        let mut anchors = Anchors::default();
        anchors.compute(&text, None);
        let view = anchors.view(0, text.len());
        let eq = text.iter().position(|&b| b == b'=').unwrap();
        assert_eq!(view.key_run_start(eq, 64), eq - 64);
        assert_eq!(view.key_run_start(eq, 1000), 2);
        let colon = text.iter().position(|&b| b == b':').unwrap();
        assert_eq!(&text[view.key_run_start(colon, 64)..colon], b"user.e-mail_2");
        let inner = anchors.view(3, text.len());
        assert_eq!(inner.key_run_start(eq - 3, 1000), 0);
    }

    #[test]
    fn numbers_that_cannot_start_a_finding_leave_no_anchor() {
        let quiet = b"ORD-2021-280363 rows=108007 t v2.1234567 x-12345678";
        let mut anchors = Anchors::default();
        anchors.compute(quiet, None);
        assert_eq!(anchors.view(0, quiet.len()).positions(Anchor::Num).count(), 0);
        // Seven digits before a word, six digits and a digit, a card after a joined number.
        let busy = b"1080077 t 123456 7 ORD-1 4111111111111111";
        anchors.compute(busy, None);
        assert_eq!(anchors.view(0, busy.len()).positions(Anchor::Num).collect::<Vec<_>>(), vec![0, 10, 25]);
    }

    #[test]
    fn views_are_relative_and_bounded() {
        let text = b"x 1234567 y \"a@b\" 7654321";
        let mut anchors = Anchors::default();
        anchors.compute(text, None);
        let view = anchors.view(12, 17);
        assert_eq!(view.positions(Anchor::At).collect::<Vec<_>>(), vec![2]);
        assert!(!view.any(Anchor::Num));
        assert_eq!(anchors.view(0, text.len()).positions(Anchor::Num).collect::<Vec<_>>(), vec![2, 18]);
        assert!(!anchors.view(5, 5).any(Anchor::Num));
    }

    #[test]
    fn range_checks_agree_with_the_positions_over_block_edges() {
        // Anchors spread over three blocks, some right at the edges (63, 64, 127, 128).
        let mut text = vec![b'x'; 200];
        for (at, byte) in [(0, b'@'), (63, b'='), (64, b'@'), (100, b':'), (127, b'<'), (128, b'='), (199, b'@')] {
            text[at] = byte;
        }
        let mut anchors = Anchors::default();
        anchors.compute(&text, None);
        for start in 0..=text.len() {
            for end in start..=text.len() {
                let view = anchors.view(start, end);
                for anchor in
                    [Anchor::At, Anchor::Sep, Anchor::Lt, Anchor::Any, Anchor::Cap, Anchor::Caps, Anchor::Join]
                {
                    assert_eq!(view.any(anchor), view.positions(anchor).next().is_some(), "{anchor:?} {start}..{end}");
                }
                let busy = [Anchor::Any, Anchor::Sep, Anchor::Join]
                    .iter()
                    .any(|&anchor| view.positions(anchor).next().is_some());
                assert_eq!(view.quiet(), !busy, "{start}..{end}");
            }
        }
    }
}
