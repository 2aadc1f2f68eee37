//! Street addresses in prose, read at the capitals the anchors mark: a street's name and its house number, in the
//! three ways Europe and the English-speaking world write them.
//!
//! - A name that ends in a street word, then the number: `Lindenstrasse 7`, `Eppendorfer Weg 211`,
//!   `Keizersgracht 452`, `Drottninggatan 53`, `Sankt Annæ Plads 9`.
//! - A street word first, then the name, with the number after it or before it: `Calle de Alcalá 48`,
//!   `Rua Augusta, 1508`, `ul. Piotrkowska 104`, `5 Rue de la République`.
//! - The number, the name and an English street word: `9 Carlton Terrace`, `18 Lygon St`, `221B Baker Street`,
//!   followed by the end of the text, a mark or a capital (`, Edinburgh`), not by a word (`3 Google Drive files`).
//!
//! Found spans are classified as the field `street_address` is, so the rules decide what they become. A street
//! that has no street word (`Meir 24`, `14 Deansgate`) is not found.

use super::anchors::{Anchor, View};

/// Endings of a street's name written as one word with it (`Bahnhofstrasse`, `Vesterbrogade`), or alone after it
/// (`Eppendorfer Weg`, `Sankt Annæ Plads`), in lowercase.
const ENDINGS: &[&[u8]] = &[
    b"stra\xc3\x9fe",
    b"strasse",
    b"str.",
    b"weg",
    b"gasse",
    b"platz",
    b"allee",
    b"damm",
    b"ufer",
    b"gracht",
    b"straat",
    b"laan",
    b"kade",
    b"plein",
    b"singel",
    b"gade",
    b"vej",
    b"plads",
    b"gatan",
    b"v\xc3\xa4gen",
    b"veien",
    b"vegen",
    b"gata",
    b"katu",
    b"utca",
];

/// The buckets (`pair_bucket`) of the last two bytes of the endings: nonzero where some ending's pair falls.
const ENDING_PAIRS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < ENDINGS.len() {
        let ending = ENDINGS[i];
        table[pair_bucket(ending[ending.len() - 2], ending[ending.len() - 1])] = 1;
        i += 1;
    }
    table
};

/// The bucket of a pair of bytes in `ENDING_PAIRS`.
const fn pair_bucket(second: u8, last: u8) -> usize {
    (second as usize * 31 + last as usize) % 256
}

/// Words that open a street's name (`Calle`, `Rua`), as written.
const OPENERS: &[&[u8]] = &[
    b"Rue",
    b"Rua",
    b"Calle",
    b"Carrer",
    b"Via",
    b"Viale",
    b"Avenida",
    b"Av.",
    b"Avda.",
    b"Plaza",
    b"Pra\xc3\xa7a",
    b"Piazza",
    b"Largo",
    b"Travessa",
    b"Paseo",
    b"Chemin",
    b"Boulevard",
    b"Ulica",
    b"Corso",
    b"Camino",
    b"Alameda",
    b"Quai",
    b"All\xc3\xa9e",
    b"Impasse",
    b"Str.",
    b"Strada",
    b"Calea",
    b"Bulevardul",
    b"Aleea",
];

/// The English words that close a street's name (`Baker Street`), as written.
const CLOSERS: &[&[u8]] = &[
    b"Street",
    b"St",
    b"St.",
    b"Road",
    b"Rd",
    b"Rd.",
    b"Avenue",
    b"Ave",
    b"Ave.",
    b"Lane",
    b"Ln",
    b"Ln.",
    b"Hwy",
    b"Pkwy",
    b"Terrace",
    b"Drive",
    b"Way",
    b"Close",
    b"Court",
    b"Place",
    b"Boulevard",
    b"Blvd",
    b"Crescent",
    b"Square",
    b"Gardens",
    b"Grove",
    b"Parade",
    b"Parkway",
    b"Row",
    b"Mews",
    b"Lawn",
    b"Glade",
    b"Heights",
];

/// Lowercase words inside a street's name (`Calle de Alcalá`, `Rue de la République`).
const PARTICLES: &[&[u8]] = &[
    b"de", b"la", b"del", b"do", b"da", b"dos", b"das", b"des", b"du", b"di", b"della", b"le", b"von", b"van", b"der",
];

/// The most words of a street's name.
const MAX_WORDS: usize = 5;

/// Calls `found(field, start, end)` for each street address in `text` (whose anchors are `anchors`), with the
/// field `street_address`, and for each device named after its owner (see `devices`), with the field
/// `device_hostname`: one pass over the capitals for both readers, which share the end of each capital's word.
#[inline(never)]
pub(crate) fn find(text: &[u8], anchors: &View<'_>, mut found: impl FnMut(&'static [u8], usize, usize)) {
    let (mut street_after, mut device_after) = (0, 0);
    for start in anchors.positions(Anchor::Cap) {
        if !text[start].is_ascii_uppercase() {
            continue;
        }
        let end = letters_end(text, start);
        if start >= street_after {
            if let Some((from, to)) = street_at(text, start, end).filter(|&(from, _)| from >= street_after) {
                // The postcode and the town after the street are the same address.
                let to = address_rest_after(text, to).unwrap_or(to);
                found(b"street_address", from, to);
                street_after = to;
            }
        }
        if start >= device_after {
            let device = super::devices::device_at(text, start, end);
            if let Some((from, to)) = device.filter(|&(from, _)| from >= device_after) {
                found(b"device_hostname", from, to);
                device_after = to;
            }
        }
    }
}

/// Turkey's street words, written after the street's name and before `No:` and the number (`Bağdat Cad. No:
/// 212`, `Atatürk Bulvarı No. 45`, `Gül Sok. No: 3`).
const TURKISH: &[&[u8]] =
    &[b"Cad.", b"Caddesi", b"Sok.", b"Sokak", b"Soka\xc4\x9f\xc4\xb1", b"Bulvar\xc4\xb1", b"Blv."];

/// The end of a Turkish street's number after its street word (`Cad.`) that ends at `end`: ` No: 212`, with
/// the flat or floor after it (`Daire: 9`, `D: 7`, `Kat: 3`).
fn turkish_number_end(text: &[u8], end: usize) -> Option<usize> {
    let mut at = end + if text.get(end..end + 4) == Some(b", No") { 4 } else { 3 };
    if text.get(at - 3..at) != Some(b" No") {
        return None;
    }
    let number = |mut at: usize| {
        if matches!(text.get(at), Some(b':' | b'.')) {
            at += 1;
        }
        if text.get(at) == Some(&b' ') {
            at += 1;
        }
        let digits = text[at.min(text.len())..].iter().take(6).take_while(|b| b.is_ascii_digit()).count();
        (1..=5).contains(&digits).then_some(at + digits)
    };
    at = number(at)?;
    // `/A`, `/34`: a door of the building.
    if text.get(at) == Some(&b'/') {
        at += 1 + text[at + 1..].iter().take(4).take_while(|b| b.is_ascii_alphanumeric()).count();
    }
    for unit in [b"Daire".as_slice(), b"D", b"Kat", b"K"] {
        let gap = if text.get(at) == Some(&b',') { 2 } else { 1 };
        let word = at + gap;
        if text.get(word - 1) == Some(&b' ')
            && text.get(word..word + unit.len()) == Some(unit)
            && matches!(text.get(word + unit.len()), Some(b':' | b'.'))
        {
            if let Some(unit_end) = number(word + unit.len()) {
                at = unit_end;
            }
        }
    }
    Some(at)
}

/// The street address that the capitalized word at `start`, whose letters end at `end`, is part of, if one is.
fn street_at(text: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    // Turkey's: the name, the street word, `No:` and the number.
    if matches!(text[start], b'C' | b'S' | b'B') && matches!(text.get(end), Some(b'.' | b' ' | b',')) {
        let word_end = end + usize::from(text[end] == b'.');
        if TURKISH.contains(&&text[start..word_end]) {
            if let Some(number_end) = turkish_number_end(text, word_end) {
                let from = run_start(text, start);
                return (from < start).then_some((from, number_end));
            }
        }
    }
    // Most capitals are turned away by the bytes around their word: no number after it, no number before it, and
    // a first byte that no opener starts with.
    let number_follows = |end: usize| {
        let at = end + if text.get(end) == Some(&b',') { 2 } else { 1 };
        text.get(at - 1) == Some(&b' ') && text.get(at).is_some_and(u8::is_ascii_digit)
    };
    let number_precedes = start >= 2
        && text[start - 1] == b' '
        && (text[start - 2].is_ascii_digit()
            || start >= 3 && text[start - 2].is_ascii_alphabetic() && text[start - 3].is_ascii_digit());
    let may_open =
        matches!(text[start], b'R' | b'C' | b'V' | b'A' | b'P' | b'L' | b'T' | b'B' | b'U' | b'Q' | b'I' | b'S')
            || text.get(start.wrapping_sub(2)) == Some(&b'.');
    // Hungary's `Kossuth Lajos utca 21.`, Estonia's `Tartu mnt 84a`, Lithuania's `Savanorių pr. 124`, Latvia's
    // `Brīvības iela 5`: the street word in small letters after the name, then the number.
    if text.get(end) == Some(&b' ') && matches!(text.get(end + 1), Some(b'u' | b't' | b'k' | b'm' | b'g' | b'i' | 0xC3))
    {
        let rest = &text[end..];
        let closer =
            SMALL_CLOSERS.iter().find(|(word, _)| rest.starts_with(word) && rest.get(word.len()) == Some(&b' '));
        let number_end = closer.and_then(|&(word, ends)| {
            let number_end = number_after(text, end + word.len())?;
            let counts = match ends {
                NumberEnds::Anywhere => true,
                NumberEnds::AtAMark => {
                    text.get(number_end).is_none_or(|&b| matches!(b, b',' | b';' | b')' | b'"' | b'\''))
                }
                // `mnt` and `g.` are a mount's and a unit's too (`Volume mnt 3, …`).
                NumberEnds::BeforeAPostcode => address_rest_after(text, number_end).is_some(),
            };
            counts.then_some(number_end)
        });
        if let Some(number_end) = number_end {
            return Some((run_start(text, start), number_end));
        }
    }
    // `27 rue des Lilas`, `12 avenue Foch`: a street word in small letters between the number and the name.
    if start >= 2
        && text[start - 1] == b' '
        && text[start - 2].is_ascii_lowercase()
        && text[start.saturating_sub(28)..start - 2].iter().any(u8::is_ascii_digit)
    {
        if let Some(number_start) = small_opener_before(text, start) {
            let first_word_end = word_end(text, start);
            return Some((number_start, name_words_end(text, first_word_end).unwrap_or(first_word_end)));
        }
    }
    if !number_follows(end) && !number_precedes && !may_open {
        return None;
    }
    let end = word_end(text, start);
    let word = &text[start..end];
    // A name that ends in a street word, then its number.
    if let Some(ending) = street_ending(word).filter(|_| number_follows(end)) {
        // A street word alone is a street only after a name (`Eppendorfer Weg`; not `Strasse 5`).
        let from = run_start(text, start);
        if let Some(number_end) = number_after(text, end).filter(|_| word.len() > ending || from < start) {
            return Some((from, number_end));
        }
    }
    // Czechia's and Slovakia's two numbers of a house (`Korunní 2569/108`), counted with a postcode and a town
    // after them (`, 101 00 Praha`): no street word says it is a street.
    if number_follows(end) {
        if let Some(number_end) = slashed_number_after(text, end) {
            // Their postcode: three digits, a space and two (`101 00`).
            let postcode = text.get(number_end..number_end + 8).is_some_and(|after| {
                after.starts_with(b", ")
                    && after[2..5].iter().all(u8::is_ascii_digit)
                    && after[5] == b' '
                    && after[6..8].iter().all(u8::is_ascii_digit)
            });
            if postcode && postcode_town_after(text, number_end).is_some() {
                return Some((run_start(text, start), number_end));
            }
        }
    }
    // A street word first: the name after it, then a number after it or before it.
    let polish = polish_opener(text, start);
    if may_open && (OPENERS.contains(&word) || polish) {
        // After Poland's `ul.`, the capitalized word is the name itself.
        let (opener_start, name_end) = if polish {
            (start - 4, name_words_end(text, end).unwrap_or(end))
        } else {
            (start, name_words_end(text, end)?)
        };
        if let Some(number_end) = number_after(text, name_end).or_else(|| labeled_number_after(text, name_end)) {
            return Some((opener_start, number_end));
        }
        return number_before(text, opener_start).map(|number_start| (number_start, name_end));
    }
    // An English street: the number before the first word, the street word last.
    if !number_precedes {
        return None;
    }
    let number_start = number_before(text, start)?;
    let mut at = start;
    for _ in 0..MAX_WORDS {
        let word_end = word_end(text, at);
        if word_end == at || !capitalized(&text[at..word_end]) {
            return None;
        }
        if CLOSERS.contains(&&text[at..word_end]) && at > start && ends_an_address(text, word_end) {
            // `31 Orwell Park Glade`: a closer after a closer ends the street.
            let longer =
                (text.get(word_end) == Some(&b' ')).then(|| (word_end + 1, self::word_end(text, word_end + 1))).filter(
                    |&(next, next_end)| CLOSERS.contains(&&text[next..next_end]) && ends_an_address(text, next_end),
                );
            return Some((number_start, longer.map_or(word_end, |(_, next_end)| next_end)));
        }
        if text.get(word_end) != Some(&b' ') {
            return None;
        }
        at = word_end + 1;
    }
    None
}

/// The end of the run of letters (ASCII letters and bytes that are not ASCII) at `start`, eight bytes at a time.
#[inline]
fn letters_end(text: &[u8], start: usize) -> usize {
    let mut at = start;
    while let Some(chunk) = text.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // A byte is a letter when it is not ASCII, or when with bit 5 set it lies in `a..=z`.
        let lower = word | 0x2020_2020_2020_2020;
        let high = word & 0x8080_8080_8080_8080;
        let ge_a = (lower | 0x8080_8080_8080_8080).wrapping_sub(0x6161_6161_6161_6161) & 0x8080_8080_8080_8080;
        let gt_z = (lower | 0x8080_8080_8080_8080).wrapping_sub(0x7B7B_7B7B_7B7B_7B7B) & 0x8080_8080_8080_8080;
        // Bit 7 of each byte: set for a letter.
        let letters = high | (ge_a & !gt_z & !(lower & 0x8080_8080_8080_8080));
        let not_letters = !letters & 0x8080_8080_8080_8080;
        if not_letters != 0 {
            return at + (not_letters.trailing_zeros() as usize) / 8;
        }
        at += 8;
    }
    at + text[at..].iter().take_while(|&&b| b.is_ascii_alphabetic() || b >= 0x80).count()
}

/// The end of the word at `start`: letters (any script), `.` right after letters, `'` and `-` inside.
fn word_end(text: &[u8], start: usize) -> usize {
    let mut end = letters_end(text, start);
    // `O'Connell`, `Saint-Honoré`: a mark between letters joins them (up to a word of 64 bytes, so a line of
    // dashed capitals costs each capital a bounded look).
    while matches!(text.get(end), Some(b'\'' | b'-'))
        && text.get(end + 1).is_some_and(u8::is_ascii_alphabetic)
        && end - start < 64
    {
        end = letters_end(text, end + 1);
    }
    // `Str.`, `Av.`: an abbreviation keeps its full stop.
    if text.get(end) == Some(&b'.') && end > start && end - start <= 4 {
        end += 1;
    }
    end
}

/// The end of a postcode and a town right after a street that ends at `end` (`, 413 04 Göteborg`, `, 1054 GN
/// Amsterdam`, `, 00184 Roma`, `, 01304-001 São Paulo`, `, 00-950 Warszawa`, `, SW1A 1AA London`): a comma or a
/// space, the postcode in one of the shapes Europe, Brazil and Japan write, a space and a capitalized word.
fn postcode_town_after(text: &[u8], end: usize) -> Option<usize> {
    let from = end + if text.get(end..end + 2) == Some(b", ") { 2 } else { 1 };
    if text.get(from - 1) != Some(&b' ') {
        return None;
    }
    let digits =
        |at: usize, count: usize| text.get(at..at + count).is_some_and(|run| run.iter().all(u8::is_ascii_digit));
    let capitals =
        |at: usize, count: usize| text.get(at..at + count).is_some_and(|run| run.iter().all(u8::is_ascii_uppercase));
    let at = |offset: usize, byte: u8| text.get(from + offset) == Some(&byte);
    let postcode_len = if digits(from, 5) && at(5, b'-') && digits(from + 6, 3) {
        9 // Brazil's CEP.
    } else if digits(from, 3) && at(3, b'-') && digits(from + 4, 4) {
        8 // Japan.
    } else if digits(from, 2) && at(2, b'-') && digits(from + 3, 3)
        || digits(from, 3) && at(3, b' ') && digits(from + 4, 2)
    {
        6 // Poland; Sweden, Czechia, Slovakia, Greece.
    } else if digits(from, 4) && at(4, b' ') && capitals(from + 5, 2) && at(7, b' ') {
        7 // The Netherlands.
    } else if digits(from, 5) {
        5
    } else if digits(from, 4) {
        4
    } else {
        uk_postcode_len(&text[from..])?
    };
    // A town is one to three words that start with a capital, or with a letter that is not ASCII (`Łódź`,
    // `Örebro`, `São Paulo`).
    let town_word = |start: usize| {
        let end = word_end(text, start);
        let named = match text.get(start) {
            // A letter (`Łódź`), not a dash or a quote mark (`Madrid — si`).
            Some(&first) if first >= 0x80 => {
                let word = std::str::from_utf8(&text[start..end]).ok();
                end > start + 2 && word.and_then(|word| word.chars().next()).is_some_and(char::is_alphabetic)
            }
            Some(first) if first.is_ascii_uppercase() => capitalized(&text[start..end]),
            _ => false,
        };
        named.then_some(end)
    };
    let town = from + postcode_len + 1;
    if text.get(town - 1) != Some(&b' ') {
        return None;
    }
    let mut town_end = town_word(town)?;
    for _ in 0..2 {
        match text.get(town_end) {
            Some(b' ') => match town_word(town_end + 1) {
                Some(end) => town_end = end,
                None => break,
            },
            _ => break,
        }
    }
    Some(town_end)
}

/// The end of the rest of an address after its street (which ends at `end`), up to its postcode: a postcode
/// and a town (`, 31000 Toulouse`), or a town and a postcode (`, Durham DH1 1QT`, `, Fitzroy VIC 3065`,
/// `, Co. Kildare W23 X2F8`), past up to three short parts between: a flat, a district, a town (`, 3º B, 28028
/// Madrid`, ` A 9, 33100 Tampere`, `, Rathfarnham, Dublin 6W, D6W XK22`). None when no postcode follows so.
fn address_rest_after(text: &[u8], end: usize) -> Option<usize> {
    let mut at = end;
    let mut after_town = false;
    for part in 0..4 {
        if let Some(town_end) = postcode_town_after(text, at) {
            return Some(town_end);
        }
        // The next part: after a comma; the first also after a space (a flat: ` A 9`) or a full stop before a
        // digit (Hungary's floor and door after the number's stop: `21. 2/5`).
        let from = if text.get(at..at + 2) == Some(b", ") {
            at + 2
        } else if part == 0 && text.get(at) == Some(&b' ') {
            at + 1
        } else if part == 0 && text.get(at..at + 2) == Some(b". ") && text.get(at + 2).is_some_and(u8::is_ascii_digit) {
            at + 2
        } else {
            return None;
        };
        let part_end = address_part_end(text, from)?;
        if let Some(postcode_end) = town_postcode_end(text, from, part_end, part > 0, after_town) {
            return Some(postcode_end);
        }
        // A town: capitalized words without a digit (`Springfield`, before `IL 62704`; not `Room 4`).
        after_town = !text[from..part_end].iter().any(u8::is_ascii_digit);
        at = part_end;
    }
    None
}

/// The end of a part of an address from `from` (before the next comma or a word that is none of it): at most
/// 32 bytes of words that start with a capital or a digit (`Co. Kildare`, `3º B`, `14th Cross`, `Dublin 6W`,
/// `2/5`) or are three small letters at most (`2. th`); None when its first word is none of these.
fn address_part_end(text: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    let mut part_end = None;
    loop {
        let word = text[at..]
            .iter()
            .take(33)
            .take_while(|&&b| b.is_ascii_alphanumeric() || b >= 0x80 || matches!(b, b'.' | b'/' | b'-' | b'\''))
            .count();
        let Some(&first) = text.get(at) else { return part_end };
        // A small word only ends a part (`2. th,`), not a sentence's words after the postcode (`IL 62704 now`).
        let small = word <= 3
            && text[at..at + word].iter().all(|&b| b.is_ascii_lowercase() || b == b'.')
            && text.get(at + word) == Some(&b',');
        if word == 0 || !(first.is_ascii_uppercase() || first.is_ascii_digit() || first >= 0x80 || small) {
            return part_end;
        }
        if at + word - from > 32 {
            return None;
        }
        at += word;
        part_end = Some(at);
        // A full stop after a number or a long word, before a capital, ends a sentence (`D6W XK22. Refund`), not
        // an abbreviation (`Co. Kildare`) or a floor (`2. th`).
        let stop = text[at - 1] == b'.'
            && (word > 4 || text[at - word..at].iter().any(u8::is_ascii_digit))
            && text.get(at + 1).is_some_and(u8::is_ascii_uppercase);
        if stop {
            return part_end;
        }
        match text.get(at) {
            Some(b' ') if text.get(at + 1) != Some(&b' ') => at += 1,
            _ => return part_end,
        }
    }
}

/// The end of a part of an address (`text[from..end]`) that ends with its postcode: a town, and a state in
/// capitals, before it (`Durham DH1 1QT`, `Fitzroy VIC 3065`, `Bengaluru 560038`, `Co. Kildare W23 X2F8`), or
/// the postcode alone when it has letters (`D6W XK22`).
fn town_postcode_end(text: &[u8], from: usize, end: usize, after_parts: bool, after_town: bool) -> Option<usize> {
    // Without the full stop that ends a sentence (`D6W XK22.`).
    let end = if text[from..end].ends_with(b".") { end - 1 } else { end };
    let part = &text[from..end];
    // The postcode at the end: a UK postcode or an Irish Eircode (two words), or four to six digits.
    let last_space = part.iter().rposition(|&b| b == b' ');
    let two_words =
        last_space.and_then(|last| part[..last].iter().rposition(|&b| b == b' ').map(|p| p + 1).or(Some(0)));
    let lettered = two_words.filter(|&at| {
        let code = &part[at..];
        uk_postcode_len(code) == Some(code.len()) || eircode_len(code) == Some(code.len())
    });
    let postcode_at = match lettered {
        Some(at) => at,
        None => {
            let at = last_space? + 1;
            let digits = &part[at..];
            ((4..=6).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit)).then_some(at)?
        }
    };
    if postcode_at == 0 {
        return lettered.map(|_| end);
    }
    let before = &part[..postcode_at - 1];
    // Digits alone say little (`Order 12345`): they need a state in capitals before them (`Fitzroy VIC 3065`,
    // `IL 62704`), or six of them (India's PIN) past a part between the street and them (`14th Cross,
    // Indiranagar, Bengaluru 560038`; not `Suite 400, Order 12345`).
    let state = before
        .rsplit(|&b| b == b' ')
        .next()
        .is_some_and(|word| (2..=3).contains(&word.len()) && word.iter().all(u8::is_ascii_uppercase));
    if lettered.is_none() && !state && !(after_parts && part.len() - postcode_at == 6) {
        return None;
    }
    // A state alone after a town (`Springfield, IL 62704`; not `Room 4, ID 99887`).
    if state && !before.contains(&b' ') {
        return after_town.then_some(end);
    }
    // The town before it: its first word capitalized (or not ASCII: `Łódź`).
    let named = before.first().is_some_and(|&b| b.is_ascii_uppercase() || b >= 0x80)
        && before.split(|&b| b == b' ').next().is_some_and(|word| capitalized(word) || word[0] >= 0x80);
    named.then_some(end)
}

/// The length of an Irish Eircode at the start of `text` (`D02 X285`, `W23 X2F8`, `D6W XK22`), if one is there.
fn eircode_len(text: &[u8]) -> Option<usize> {
    let code = text.get(..8)?;
    let shaped = code[0].is_ascii_uppercase()
        && code[1].is_ascii_digit()
        && (code[2].is_ascii_digit() || code[2] == b'W')
        && code[3] == b' '
        && code[4..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && !text.get(8).is_some_and(u8::is_ascii_alphanumeric);
    shaped.then_some(8)
}

/// The length of a UK postcode at the start of `text` (`SW1A 1AA`, `M1 1AE`, `BN1 4QQ`), if one is there.
fn uk_postcode_len(text: &[u8]) -> Option<usize> {
    let outward = text.iter().take(4).take_while(|b| b.is_ascii_alphanumeric()).count();
    let inward = text.get(outward + 1..outward + 4)?;
    let shaped = (2..=4).contains(&outward)
        && text[0].is_ascii_uppercase()
        && text[..outward].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && text[..outward].iter().any(u8::is_ascii_digit)
        && text[outward] == b' '
        && inward[0].is_ascii_digit()
        && inward[1..].iter().all(u8::is_ascii_uppercase)
        && !text.get(outward + 4).is_some_and(u8::is_ascii_alphanumeric);
    shaped.then_some(outward + 4)
}

/// True for a word of a name: a capital and at least one small letter or a byte that is not ASCII after it.
fn capitalized(word: &[u8]) -> bool {
    word.first().is_some_and(u8::is_ascii_uppercase) && word[1..].iter().any(|&b| b.is_ascii_lowercase() || b >= 0x80)
}

/// The length of the street word of `ENDINGS` that `word` ends in (any ASCII case), if it ends in one.
fn street_ending(word: &[u8]) -> Option<usize> {
    // The last two bytes of every ending, lowercase: most words end otherwise.
    let [.., second, last] = *word else { return None };
    if ENDING_PAIRS[pair_bucket(second.to_ascii_lowercase(), last.to_ascii_lowercase())] == 0 {
        return None;
    }
    ENDINGS
        .iter()
        .find(|ending| word.len() >= ending.len() && word[word.len() - ending.len()..].eq_ignore_ascii_case(ending))
        .map(|ending| ending.len())
}

/// Poland's `ul. ` (ulica) or `al. ` (aleja) right before the capital at `start`.
fn polish_opener(text: &[u8], start: usize) -> bool {
    start >= 4
        && matches!(&text[start - 4..start], b"ul. " | b"al. " | b"Ul. " | b"Al. ")
        && (start == 4 || !text[start - 5].is_ascii_alphanumeric())
}

/// The end of the words of a street's name from `from` (a space then capitalized words or particles), if there is
/// one capitalized word at least.
fn name_words_end(text: &[u8], from: usize) -> Option<usize> {
    let mut end = from;
    let mut names = 0;
    for _ in 0..MAX_WORDS {
        if text.get(end) != Some(&b' ') {
            break;
        }
        let word_end = word_end(text, end + 1);
        let word = &text[end + 1..word_end];
        let particle = PARTICLES.contains(&word) || word.starts_with(b"d'") || word.starts_with(b"l'");
        if !capitalized(word) && !particle {
            break;
        }
        names += usize::from(!particle);
        end = word_end;
    }
    (names > 0).then_some(end)
}

/// The end of a house number after a street's name that ends at `end`: a space (or `, `), one to four digits, an
/// optional letter, then no more word (`Lindenstrasse 7`, `Rua Augusta, 1508`, `Baker Street 221b`). The parts of
/// a building after it go with it: up to three of a `/` and one to three digits (Austria's stair and door,
/// `Mariahilfer Straße 88/3/12`), or a flat after a dash (`Narva mnt 7-12`, `Tartu mnt 84a-17b`).
fn number_after(text: &[u8], end: usize) -> Option<usize> {
    let from = end + if text.get(end..end + 2) == Some(b", ") { 2 } else { 1 };
    if text.get(from - 1) != Some(&b' ') {
        return None;
    }
    let digits = text[from..].iter().take(5).take_while(|b| b.is_ascii_digit()).count();
    if !(1..=4).contains(&digits) {
        return None;
    }
    let mut number_end = from + digits;
    if text.get(number_end).is_some_and(u8::is_ascii_alphabetic)
        && !text.get(number_end + 1).is_some_and(u8::is_ascii_alphanumeric)
    {
        number_end += 1;
    }
    for _ in 0..3 {
        let Some(&(b'/' | b'-')) = text.get(number_end) else { break };
        let part = text[number_end + 1..].iter().take(4).take_while(|b| b.is_ascii_digit()).count();
        // A flat's letter (`84a-17b`).
        let letter = usize::from(text.get(number_end + 1 + part).is_some_and(u8::is_ascii_lowercase));
        if !(1..=3).contains(&part) || text.get(number_end + 1 + part + letter).is_some_and(u8::is_ascii_alphanumeric) {
            break;
        }
        let dash = text[number_end] == b'-';
        number_end += 1 + part + letter;
        if dash {
            break;
        }
    }
    let next = text.get(number_end);
    let ends = next.is_none_or(|&b| !b.is_ascii_alphanumeric() && !matches!(b, b'.' | b':' | b'/' | b'_'))
        || next == Some(&b'.') && !text.get(number_end + 1).is_some_and(u8::is_ascii_alphanumeric);
    ends.then_some(number_end)
}

/// Street words written in small letters between a street's name and its number, with the space before them:
/// Hungary's (`utca`, `u.`, `út`, `tér`, `körút`); Latvia's (`iela`), when the number ends the text or a mark
/// follows it (`Brīvības iela 5, Rīga`); Estonia's (`mnt`) and Lithuania's (`g.`) only before a postcode
/// (`Tartu mnt 84a-17, 10112 Tallinn`; not `Volume mnt 3, Volume mnt 4`). Not `tn` and `pst`, which are a
/// state's and a time zone's, nor `pr.`, a pull request's.
const SMALL_CLOSERS: &[(&[u8], NumberEnds)] = &[
    (b" utca", NumberEnds::Anywhere),
    (b" u.", NumberEnds::Anywhere),
    (b" \xc3\xbat", NumberEnds::Anywhere),
    (b" t\xc3\xa9r", NumberEnds::Anywhere),
    (b" k\xc3\xb6r\xc3\xbat", NumberEnds::Anywhere),
    (b" iela", NumberEnds::AtAMark),
    (b" mnt", NumberEnds::BeforeAPostcode),
    (b" g.", NumberEnds::BeforeAPostcode),
];

/// Where the house number after a street word of `SMALL_CLOSERS` must end for the street to count.
#[derive(Clone, Copy)]
enum NumberEnds {
    Anywhere,
    /// At the end of the text or before `,`, `;`, `)` or a quote.
    AtAMark,
    /// Before a postcode (`, 10112 Tallinn`).
    BeforeAPostcode,
}

/// Street words written in small letters after the house number (`27 rue des Lilas`, `8 calle de Toledo`).
const SMALL_OPENERS: &[&[u8]] =
    &[b"rue", b"chemin", b"all\xc3\xa9e", b"impasse", b"quai", b"calle", b"viale", b"rua", b"avenida", b"strada"];

/// The start of the house number before a street word in small letters and its particles, before the capitalized
/// word at `start` (`27 rue des Lilas`), if there is one.
fn small_opener_before(text: &[u8], start: usize) -> Option<usize> {
    let mut at = start - 1;
    for _ in 0..3 {
        let len = text[..at].iter().rev().take(12).take_while(|b| b.is_ascii_lowercase() || **b >= 0x80).count();
        let word = &text[at - len..at];
        if SMALL_OPENERS.contains(&word) {
            return number_before(text, at - len);
        }
        if len == 0 || !PARTICLES.contains(&word) || at - len < 2 || text[at - len - 1] != b' ' {
            return None;
        }
        at -= len + 1;
    }
    None
}

/// The end of a house number after a label, after a street's name that ends at `end` (Romania's ` nr. 15`,
/// ` Nr. 7`, ` No. 12`, ` n. 4`), with the flat after it (`, ap. 4`).
fn labeled_number_after(text: &[u8], end: usize) -> Option<usize> {
    let rest = text.get(end..)?;
    let label = [b" nr. ".as_slice(), b" nr ", b" Nr. ", b" No. ", b" n. ", b", nr. "]
        .into_iter()
        .find(|label| rest.starts_with(label))?;
    let number_end = number_after(text, end + label.len() - 1)?;
    let flat = text
        .get(number_end..)
        .and_then(|rest| [b", ap. ".as_slice(), b" ap. ", b", apt. "].into_iter().find(|flat| rest.starts_with(flat)));
    Some(flat.and_then(|flat| number_after(text, number_end + flat.len() - 1)).unwrap_or(number_end))
}

/// The end of a house's two numbers after a name that ends at `end` (` 2569/108`, ` 412/18a`): one to four digits,
/// a `/`, one to four digits and an optional letter.
fn slashed_number_after(text: &[u8], end: usize) -> Option<usize> {
    let digits =
        |at: usize| text.get(at..).map_or(0, |rest| rest.iter().take(5).take_while(|b| b.is_ascii_digit()).count());
    let first = digits(end + 1);
    if !(1..=4).contains(&first) || text.get(end + 1 + first) != Some(&b'/') {
        return None;
    }
    let second_at = end + 2 + first;
    let second = digits(second_at);
    let mut number_end = second_at + second;
    if text.get(number_end).is_some_and(u8::is_ascii_lowercase) {
        number_end += 1;
    }
    ((1..=4).contains(&second) && !text.get(number_end).is_some_and(u8::is_ascii_alphanumeric)).then_some(number_end)
}

/// The start of a house number right before the word at `start` (`221B Baker`, `5 Rue`): one to four digits and
/// an optional letter after a byte that joins no word, then a space.
fn number_before(text: &[u8], start: usize) -> Option<usize> {
    let before = text[..start].strip_suffix(b" ").or_else(|| text[..start].strip_suffix(b", "))?;
    let letter = usize::from(before.last().is_some_and(u8::is_ascii_alphabetic));
    let digits_end = before.len() - letter;
    let digits = before[..digits_end].iter().rev().take(5).take_while(|b| b.is_ascii_digit()).count();
    let number_start = digits_end - digits;
    let free = number_start == 0 || !text[number_start - 1].is_ascii_alphanumeric() && text[number_start - 1] != b'.';
    ((1..=4).contains(&digits) && free).then_some(number_start)
}

/// True when what follows an English street word closes an address: the end of the text, a mark, or a space and a
/// capital or a digit (a town, a postcode).
fn ends_an_address(text: &[u8], end: usize) -> bool {
    match text.get(end) {
        None => true,
        Some(b' ') => text.get(end + 1).is_none_or(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        Some(&b) => !b.is_ascii_alphanumeric() && b != b'_',
    }
}

/// The start of the run of capitalized words (and particles) that ends with the word at `start` (`Eppendorfer` of
/// `Eppendorfer Weg`, `Sankt Annæ` of `Sankt Annæ Plads`).
fn run_start(text: &[u8], start: usize) -> usize {
    let mut from = start;
    for _ in 0..MAX_WORDS {
        if from < 2 || text[from - 1] != b' ' {
            break;
        }
        let word_start = text[..from - 1]
            .iter()
            .rposition(|&b| !(b.is_ascii_alphabetic() || b >= 0x80 || matches!(b, b'\'' | b'-')))
            .map_or(0, |p| p + 1);
        let word = &text[word_start..from - 1];
        if !capitalized(word) && !PARTICLES.contains(&word) {
            break;
        }
        from = word_start;
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::anchors::spans_read;

    fn streets(text: &str) -> Vec<&str> {
        spans_read(text, |text, anchors, push| {
            find(text, anchors, |field, start, end| {
                if field == b"street_address" {
                    push(start, end);
                }
            })
        })
    }

    #[test]
    fn the_postcode_and_town_after_a_street_go_with_it() {
        assert_eq!(streets("bor på Vasagatan 12, 413 04 Göteborg. Ring"), ["Vasagatan 12, 413 04 Göteborg"]);
        assert_eq!(streets("naar Keizersgracht 452, 1016 GD Amsterdam"), ["Keizersgracht 452, 1016 GD Amsterdam"]);
        assert_eq!(streets("Rua Augusta, 1508, 01304-001 São Paulo"), ["Rua Augusta, 1508, 01304-001 São Paulo"]);
        assert_eq!(streets("to 221B Baker Street, NW1 6XE London"), ["221B Baker Street, NW1 6XE London"]);
        assert_eq!(streets("ul. Piotrkowska 104, 90-926 Łódź"), ["ul. Piotrkowska 104, 90-926 Łódź"]);
        // Not a postcode and a town: a count and a word in lower case, a number and more digits.
        assert_eq!(streets("Lindenstrasse 7, 12 items"), ["Lindenstrasse 7"]);
        assert_eq!(streets("Lindenstrasse 7 10115"), ["Lindenstrasse 7"]);
        assert_eq!(streets("Lindenstrasse 7, 10115 Berlin"), ["Lindenstrasse 7, 10115 Berlin"]);
    }

    #[test]
    fn the_postcode_past_the_parts_between_goes_with_the_street() {
        for (text, address) in [
            ("bor på Vasagatan 12, 2. th, 2200 København N. Ring", "Vasagatan 12, 2. th, 2200 København"),
            (
                "to 14 Ashgrove Lawn, Celbridge, Co. Kildare W23 X2F8 instead",
                "14 Ashgrove Lawn, Celbridge, Co. Kildare W23 X2F8",
            ),
            ("Flat 3, 12 Hyndland Road, Glasgow G20 6NH", "12 Hyndland Road, Glasgow G20 6NH"),
            ("Calle de Alcalá 48, 3º B, 28028 Madrid — si", "Calle de Alcalá 48, 3º B, 28028 Madrid"),
            (
                "living at 4 Orwell Road, Rathfarnham, Dublin 6W, D6W XK22. Refund",
                "4 Orwell Road, Rathfarnham, Dublin 6W, D6W XK22",
            ),
            ("Postal: 88 Smith Street, Fitzroy VIC 3065. Mob", "88 Smith Street, Fitzroy VIC 3065"),
            ("Kossuth Lajos utca 21. 2/5, 1053 Budapest; tel", "Kossuth Lajos utca 21. 2/5, 1053 Budapest"),
        ] {
            assert_eq!(streets(text), [address], "{text}");
        }
        // No postcode, or words that are no part of an address, between: the street alone.
        assert_eq!(streets("Lindenstrasse 7, Berlin, Germany"), ["Lindenstrasse 7"]);
        assert_eq!(streets("Lindenstrasse 7 is where we live, 10115 Berlin"), ["Lindenstrasse 7"]);
        assert_eq!(streets("Lindenstrasse 7, Order 12345"), ["Lindenstrasse 7"]);
        assert_eq!(streets("12 Main Street, Suite 400, Order 12345"), ["12 Main Street"]);
        assert_eq!(streets("to 5 High Street, Room 4, ID 99887"), ["5 High Street"]);
        assert_eq!(
            streets("at 500 Main Street, Springfield, IL 62704 now"),
            ["500 Main Street, Springfield, IL 62704"]
        );
        assert_eq!(
            streets("Address: 12 Lavelle Road, 14th Cross, Indiranagar, Bengaluru 560038. Mobile"),
            ["12 Lavelle Road, 14th Cross, Indiranagar, Bengaluru 560038"]
        );
    }

    #[test]
    fn streets_by_their_words_and_numbers() {
        assert_eq!(streets("parcel to Bahnhofstrasse 21, 8001 Zürich."), ["Bahnhofstrasse 21, 8001 Zürich"]);
        assert_eq!(streets("Address is Eppendorfer Weg 211"), ["Eppendorfer Weg 211"]);
        assert_eq!(streets("Adresse: Sankt Annæ Plads 9, 1250 København K"), ["Sankt Annæ Plads 9, 1250 København"]);
        assert_eq!(streets("is Keizersgracht 452-II"), ["Keizersgracht 452"]);
        assert_eq!(streets("mi dirección es Calle de Alcalá 48, 3ºB"), ["Calle de Alcalá 48"]);
        assert_eq!(streets("Rua Augusta, 1508, apto 72"), ["Rua Augusta, 1508"]);
        assert_eq!(streets("na ul. Piotrkowska 104 w Łodzi"), ["ul. Piotrkowska 104"]);
        assert_eq!(streets("livrer au 5 Rue de la République, Lyon"), ["5 Rue de la République"]);
        assert_eq!(
            streets("My new address is 9 Carlton Terrace, Edinburgh EH7 5DD"),
            ["9 Carlton Terrace, Edinburgh EH7 5DD"]
        );
        assert_eq!(streets("at 18 Lygon St Carlton"), ["18 Lygon St"]);
        assert_eq!(streets("221B Baker Street."), ["221B Baker Street"]);
        // The stair and the door after the number (Austria), a flat after a dash (the Baltics), a street word in
        // small letters after the name (Estonia, Lithuania, Latvia), an English street word abbreviated.
        assert_eq!(
            streets("Adresse ist Mariahilfer Straße 88/3/12, 1060 Wien"),
            ["Mariahilfer Straße 88/3/12, 1060 Wien"]
        );
        assert_eq!(streets("Lindenstrasse 7/2"), ["Lindenstrasse 7/2"]);
        assert_eq!(streets("aadressile Tartu mnt 84a-17, 10112 Tallinn"), ["Tartu mnt 84a-17, 10112 Tallinn"]);
        assert_eq!(streets("Tartu mnt 84a-17b, 10112 Tallinn"), ["Tartu mnt 84a-17b, 10112 Tallinn"]);
        assert_eq!(streets("į Gedimino g. 9, 01103 Vilnius"), ["Gedimino g. 9, 01103 Vilnius"]);
        assert_eq!(streets("Brīvības iela 5, Rīga"), ["Brīvības iela 5"]);
        assert_eq!(streets("to 118 Magnolia Ln, Dothan"), ["118 Magnolia Ln"]);
        // A year after a slash is no part of a house.
        assert!(streets("Hauptweg 5/2024 report").is_empty());
    }

    #[test]
    fn words_that_are_no_street() {
        for text in [
            "uploaded 3 Google Drive files",
            "Version 2 of Spring Boot 3",
            "Via API 2 and via Kafka",
            "str.len 3",
            "Strasse 5",
            "step 2 Road map",
            "Gateway 502",
            "order ORD-4 Weg 12x4",
            "Volume mnt 3 mounted",
            "Section pr. 12 updated",
            "Deploy Monday pst 9 am",
            "Error 3 Items Pl 4",
            "Hauptweg 12/05/2024",
            "Closed Bugfix pr. 17",
            "at Volume mnt 3",
            "Mounted Volume mnt 3, Volume mnt 4; usage 91%",
            "Warehouse Nord g. 4, Regal 7",
        ] {
            assert_eq!(streets(text), Vec::<&str>::new(), "{text}");
        }
    }
}
