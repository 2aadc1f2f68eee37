//! Pure checksum and format validators for the PII detectors: payment cards, IBANs, US SSNs and country IDs.
//!
//! Everything here is `std`-only, allocation-free and total: any byte slice is a valid input and the answer is
//! always a plain `bool`/`Option`, never a panic. The engine finds candidate spans and removes separators; these
//! functions decide whether the candidate is really a card, an IBAN, an SSN or a national identifier.

/// Luhn (ISO/IEC 7812-1 "mod 10") check over ASCII digits. Needs at least two digits; any non-digit fails.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.len() < 2 {
        return false;
    }
    // u64: cannot overflow for any slice that fits in memory (at most 9 per digit).
    let mut sum: u64 = 0;
    for (i, &b) in digits.iter().rev().enumerate() {
        let Some(d) = digit(b).map(u64::from) else {
            return false;
        };
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
    }
    sum.is_multiple_of(10)
}

/// A payment-card scheme, decided from the issuer identification number (IIN) prefix and the length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    DinersClub,
    Maestro,
    UnionPay,
    Mir,
    RuPay,
    Troy,
    Verve,
    Elo,
    Hipercard,
    Uatp,
}

impl CardBrand {
    /// A stable lowercase name, usable as a label in rules and reports.
    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
            CardBrand::Jcb => "jcb",
            CardBrand::DinersClub => "diners",
            CardBrand::Maestro => "maestro",
            CardBrand::UnionPay => "unionpay",
            CardBrand::Mir => "mir",
            CardBrand::RuPay => "rupay",
            CardBrand::Troy => "troy",
            CardBrand::Verve => "verve",
            CardBrand::Elo => "elo",
            CardBrand::Hipercard => "hipercard",
            CardBrand::Uatp => "uatp",
        }
    }
}

/// Issuer (IIN) range AND a length allowed for that brand; does not check Luhn.
///
/// Overlapping ranges are resolved by specificity: the longest matching prefix whose brand allows this length
/// wins (so `6011…` is Discover, `650010…` is Verve, `6759…` is Maestro, `60…` at 16 digits is RuPay).
pub fn card_brand(digits: &[u8]) -> Option<CardBrand> {
    let len = digits.len();
    if !(12..=19).contains(&len) {
        return None;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // prefix[k] = the number formed by the first k digits (k = 1..=6).
    let mut prefix = [0u32; 7];
    let mut acc = 0u32;
    for (slot, &b) in prefix[1..].iter_mut().zip(digits) {
        acc = acc * 10 + u32::from(b - b'0');
        *slot = acc;
    }
    let bit = 1u32 << len;
    let (start, end) = IIN_INDEX[usize::from(digits[0] - b'0')];
    IIN_TABLE[start..end]
        .iter()
        .find(|r| {
            let p = prefix[usize::from(r.digits)];
            r.lens & bit != 0 && r.lo <= p && p <= r.hi
        })
        .map(|r| r.brand)
}

/// `card_brand(..).is_some() && luhn_valid(..)` (Luhn is required for every brand, UATP included).
pub fn is_card_number(digits: &[u8]) -> bool {
    card_brand(digits).is_some() && luhn_valid(digits)
}

/// `compact` = letters and digits only, no spaces; letters of either case are accepted (case-insensitive).
///
/// Checks the country code against the IBAN registry length table, that positions 3-4 are digits in 02..=98,
/// that the BBAN is alphanumeric, and the ISO 7064 mod-97-10 checksum (computed without big integers).
pub fn iban_valid(compact: &[u8]) -> bool {
    let (Some(&c0), Some(&c1)) = (compact.first(), compact.get(1)) else {
        return false;
    };
    let country = [c0.to_ascii_uppercase(), c1.to_ascii_uppercase()];
    if iban_length(country).map(usize::from) != Some(compact.len()) {
        return false;
    }
    let (Some(k0), Some(k1)) = (compact.get(2).copied().and_then(digit), compact.get(3).copied().and_then(digit))
    else {
        return false;
    };
    let check = k0 * 10 + k1;
    if !(2..=98).contains(&check) {
        return false;
    }
    let (head, bban) = compact.split_at(4);
    mod97_of(bban.iter().chain(head.iter())) == Some(1)
}

/// True when the account number (BBAN) of the country's IBAN is digits only in the SWIFT IBAN registry, so that a
/// letter in it marks something else (a hex id of the same length).
pub fn iban_bban_numeric(country: [u8; 2]) -> bool {
    matches!(
        &country,
        b"AE"
            | b"AT"
            | b"BA"
            | b"BE"
            | b"CZ"
            | b"DE"
            | b"DK"
            | b"EE"
            | b"ES"
            | b"FI"
            | b"FO"
            | b"GL"
            | b"HR"
            | b"HU"
            | b"IL"
            | b"IS"
            | b"LT"
            | b"ME"
            | b"NO"
            | b"PL"
            | b"PT"
            | b"RS"
            | b"SE"
            | b"SI"
            | b"SK"
            | b"TN"
    )
}

/// The total IBAN length for an (uppercase) country code, from the SWIFT IBAN registry (release 2024/2025)
/// plus the long-standing "experimental" national formats published by banks (Nordea/IBAN.com lists) for
/// countries that use IBAN-like account numbers without being in the registry.
pub fn iban_length(country: [u8; 2]) -> Option<u8> {
    let len = match &country {
        // SWIFT ISO 13616 registry.
        b"AD" => 24,
        b"AE" => 23,
        b"AL" => 28,
        b"AT" => 20,
        b"AZ" => 28,
        b"BA" => 20,
        b"BE" => 16,
        b"BG" => 22,
        b"BH" => 22,
        b"BI" => 27,
        b"BR" => 29,
        b"BY" => 28,
        b"CH" => 21,
        b"CR" => 22,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DJ" => 27,
        b"DK" => 18,
        b"DO" => 28,
        b"EE" => 20,
        b"EG" => 29,
        b"ES" => 24,
        b"FI" => 18,
        b"FK" => 18,
        b"FO" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GE" => 22,
        b"GI" => 23,
        b"GL" => 18,
        b"GR" => 27,
        b"GT" => 28,
        b"HN" => 28,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IQ" => 23,
        b"IS" => 26,
        b"IT" => 27,
        b"JO" => 30,
        b"KW" => 30,
        b"KZ" => 20,
        b"LB" => 28,
        b"LC" => 32,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"LY" => 25,
        b"MC" => 27,
        b"MD" => 24,
        b"ME" => 22,
        b"MK" => 19,
        b"MN" => 20,
        b"MR" => 27,
        b"MT" => 31,
        b"MU" => 30,
        b"NI" => 28,
        b"NL" => 18,
        b"NO" => 15,
        b"OM" => 23,
        b"PK" => 24,
        b"PL" => 28,
        b"PS" => 29,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"RS" => 22,
        b"RU" => 33,
        b"SA" => 24,
        b"SC" => 31,
        b"SD" => 18,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"SO" => 23,
        b"ST" => 25,
        b"SV" => 28,
        b"TL" => 23,
        b"TN" => 24,
        b"TR" => 26,
        b"UA" => 29,
        b"VA" => 22,
        b"VG" => 24,
        b"XK" => 20,
        b"YE" => 30,
        // Experimental / national IBAN formats (not in the registry; francophone Africa follows the
        // BCEAO/BEAC layouts, which is why so many are 27 or 28).
        b"AO" => 25,
        b"BF" => 28,
        b"BJ" => 28,
        b"CF" => 27,
        b"CG" => 27,
        b"CI" => 28,
        b"CM" => 27,
        b"CV" => 25,
        b"DZ" => 26,
        b"GA" => 27,
        b"GQ" => 27,
        b"GW" => 25,
        b"IR" => 26,
        b"KM" => 27,
        b"MA" => 28,
        b"MG" => 27,
        b"ML" => 28,
        b"MZ" => 25,
        b"NE" => 28,
        b"SN" => 28,
        b"TD" => 27,
        b"TG" => 28,
        _ => return None,
    };
    Some(len)
}

/// US SSN: area 001-899 except 666 (900-999 are ITINs), group 01-99, serial 0001-9999, and not one of the
/// well-known advertising/placeholder numbers (078-05-1120, 219-09-9999, 123-45-6789).
pub fn ssn_valid(area: u16, group: u16, serial: u16) -> bool {
    (1..=899).contains(&area)
        && area != 666
        && (1..=99).contains(&group)
        && (1..=9999).contains(&serial)
        && !matches!((area, group, serial), (78, 5, 1120) | (219, 9, 9999) | (123, 45, 6789))
}

/// US ITIN (Individual Taxpayer Identification Number, issued to people who cannot have an SSN): area 900-999,
/// group 50-65, 70-88, 90-92 or 94-99, serial 0001-9999.
pub fn itin_valid(area: u16, group: u16, serial: u16) -> bool {
    (900..=999).contains(&area)
        && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
        && (1..=9999).contains(&serial)
}

/// Names accepted by [`validator`], for rule files and `--help` output.
pub const VALIDATORS: &[&str] = &[
    "luhn",
    "iban",
    "mod97",
    "ssn",
    "verhoeff",
    "uk_nino",
    "nl_bsn",
    "de_steuer_id",
    "fr_nir",
    "es_dni",
    "es_nie",
    "it_codice_fiscale",
    "in_aadhaar",
    "ca_sin",
    "au_tfn",
    "br_cpf",
    "pl_pesel",
    "se_personnummer",
];

/// Maps a validator name (see [`VALIDATORS`]) to a checksum/format check over the matched text with separators
/// removed (ASCII letters of either case, digits). `None` for an unknown name.
pub fn validator(name: &str) -> Option<fn(&[u8]) -> bool> {
    let f: fn(&[u8]) -> bool = match name {
        "luhn" => luhn_valid,
        "iban" => iban_valid,
        "mod97" => mod97_valid,
        "ssn" => ssn_text_valid,
        "verhoeff" => verhoeff_valid,
        "uk_nino" => uk_nino_valid,
        "nl_bsn" => nl_bsn_valid,
        "de_steuer_id" => de_steuer_id_valid,
        "fr_nir" => fr_nir_valid,
        "es_dni" => es_dni_valid,
        "es_nie" => es_nie_valid,
        "it_codice_fiscale" => it_codice_fiscale_valid,
        "in_aadhaar" => in_aadhaar_valid,
        "ca_sin" => ca_sin_valid,
        "au_tfn" => au_tfn_valid,
        "br_cpf" => br_cpf_valid,
        "pl_pesel" => pl_pesel_valid,
        "se_personnummer" => se_personnummer_valid,
        _ => return None,
    };
    Some(f)
}

// ---------------------------------------------------------------------------------------------------------------
// Internals.

/// One IIN range: `lo..=hi` over the first `digits` digits, with a bitmask of allowed lengths (bit n = length n).
struct Iin {
    lo: u32,
    hi: u32,
    digits: u8,
    brand: CardBrand,
    lens: u32,
}

/// Bitmask with bits `lo..=hi` set.
const fn lens(lo: u32, hi: u32) -> u32 {
    let mut m = 0;
    let mut n = lo;
    while n <= hi {
        m |= 1 << n;
        n += 1;
    }
    m
}

const L15: u32 = lens(15, 15);
const L16: u32 = lens(16, 16);
const L16_19: u32 = lens(16, 19);
const L14_19: u32 = lens(14, 19);
const L12_19: u32 = lens(12, 19);
const L_VERVE: u32 = lens(16, 16) | lens(18, 19);
const L_VISA: u32 = lens(13, 13) | lens(16, 16) | lens(19, 19);

const fn iin(lo: u32, hi: u32, digits: u8, brand: CardBrand, lens: u32) -> Iin {
    Iin { lo, hi, digits, brand, lens }
}

/// IIN table, grouped by leading digit; within a group most specific (longest prefix) first, and within a
/// prefix length the first match wins.
/// Sources: Wikipedia "Payment card number" IIN table (2025), the schemes' public BIN guides (Elo, Hipercard
/// and Verve ranges as published by the acquirers' BIN lists, e.g. Adyen/Stripe/braintree credit-card-type).
const IIN_TABLE: &[Iin] = &[
    // Leading digit 1.
    iin(1800, 1800, 4, CardBrand::Jcb, L15),
    iin(1, 1, 1, CardBrand::Uatp, L15),
    // Leading digit 2.
    iin(2200, 2204, 4, CardBrand::Mir, L16_19),
    iin(2221, 2720, 4, CardBrand::Mastercard, L16),
    iin(2131, 2131, 4, CardBrand::Jcb, L15),
    // Leading digit 3.
    iin(384_100, 384_100, 6, CardBrand::Hipercard, L16_19),
    iin(384_140, 384_140, 6, CardBrand::Hipercard, L16_19),
    iin(384_160, 384_160, 6, CardBrand::Hipercard, L16_19),
    iin(3528, 3589, 4, CardBrand::Jcb, L16_19),
    iin(3095, 3095, 4, CardBrand::DinersClub, L14_19),
    iin(300, 305, 3, CardBrand::DinersClub, L14_19),
    iin(34, 34, 2, CardBrand::Amex, L15),
    // The whole 35 BIN range is JCB's block; numbers outside 3528-3589 circulate (and card generators make them).
    iin(35, 35, 2, CardBrand::Jcb, L16_19),
    iin(37, 37, 2, CardBrand::Amex, L15),
    iin(36, 36, 2, CardBrand::DinersClub, L14_19),
    iin(38, 39, 2, CardBrand::DinersClub, L14_19),
    // Leading digit 4.
    iin(401_178, 401_179, 6, CardBrand::Elo, L16),
    iin(431_274, 431_274, 6, CardBrand::Elo, L16),
    iin(438_935, 438_935, 6, CardBrand::Elo, L16),
    iin(451_416, 451_416, 6, CardBrand::Elo, L16),
    iin(457_393, 457_393, 6, CardBrand::Elo, L16),
    iin(457_631, 457_632, 6, CardBrand::Elo, L16),
    iin(4, 4, 1, CardBrand::Visa, L_VISA),
    // Leading digit 5.
    iin(506_099, 506_198, 6, CardBrand::Verve, L_VERVE),
    iin(504_175, 504_175, 6, CardBrand::Elo, L16),
    iin(506_699, 506_778, 6, CardBrand::Elo, L16),
    iin(509_000, 509_999, 6, CardBrand::Elo, L16),
    iin(5018, 5018, 4, CardBrand::Maestro, L12_19),
    iin(5020, 5020, 4, CardBrand::Maestro, L12_19),
    iin(5038, 5038, 4, CardBrand::Maestro, L12_19),
    iin(5893, 5893, 4, CardBrand::Maestro, L12_19),
    iin(508, 508, 3, CardBrand::RuPay, L16),
    iin(51, 55, 2, CardBrand::Mastercard, L16),
    iin(50, 50, 2, CardBrand::Maestro, L12_19),
    iin(56, 59, 2, CardBrand::Maestro, L12_19),
    // Leading digit 6.
    iin(650_002, 650_027, 6, CardBrand::Verve, L_VERVE),
    iin(622_126, 622_925, 6, CardBrand::Discover, L16_19),
    iin(627_780, 627_780, 6, CardBrand::Elo, L16),
    iin(636_297, 636_297, 6, CardBrand::Elo, L16),
    iin(636_368, 636_368, 6, CardBrand::Elo, L16),
    iin(650_031, 650_033, 6, CardBrand::Elo, L16),
    iin(650_035, 650_051, 6, CardBrand::Elo, L16),
    iin(650_405, 650_439, 6, CardBrand::Elo, L16),
    iin(650_485, 650_538, 6, CardBrand::Elo, L16),
    iin(650_541, 650_598, 6, CardBrand::Elo, L16),
    iin(650_700, 650_718, 6, CardBrand::Elo, L16),
    iin(650_720, 650_727, 6, CardBrand::Elo, L16),
    iin(650_901, 650_920, 6, CardBrand::Elo, L16),
    iin(651_652, 651_679, 6, CardBrand::Elo, L16),
    iin(655_000, 655_019, 6, CardBrand::Elo, L16),
    iin(655_021, 655_058, 6, CardBrand::Elo, L16),
    iin(606_282, 606_282, 6, CardBrand::Hipercard, L16_19),
    iin(637_095, 637_095, 6, CardBrand::Hipercard, L16),
    iin(637_568, 637_568, 6, CardBrand::Hipercard, L16),
    iin(637_599, 637_599, 6, CardBrand::Hipercard, L16),
    iin(637_609, 637_609, 6, CardBrand::Hipercard, L16),
    iin(637_612, 637_612, 6, CardBrand::Hipercard, L16),
    iin(6011, 6011, 4, CardBrand::Discover, L16_19),
    iin(6304, 6304, 4, CardBrand::Maestro, L12_19),
    iin(6759, 6759, 4, CardBrand::Maestro, L12_19),
    iin(6761, 6763, 4, CardBrand::Maestro, L12_19),
    iin(644, 649, 3, CardBrand::Discover, L16_19),
    iin(65, 65, 2, CardBrand::Discover, L16_19),
    iin(62, 62, 2, CardBrand::UnionPay, L16_19),
    // RuPay's 65 is shadowed by Discover's 65, which allows every RuPay length.
    iin(60, 60, 2, CardBrand::RuPay, L16),
    // Maestro takes the rest of 56-69 not otherwise assigned (and other lengths on 60/62/65).
    iin(60, 69, 2, CardBrand::Maestro, L12_19),
    // Leading digit 8.
    iin(81, 82, 2, CardBrand::RuPay, L16),
    // Leading digit 9.
    iin(9792, 9792, 4, CardBrand::Troy, L16),
    // Maestro (UK) cards issued under 0604, as card generators such as Faker still produce them.
    iin(604, 604, 4, CardBrand::Maestro, L12_19),
];

/// `IIN_INDEX[d]` = the `start..end` range of `IIN_TABLE` whose prefixes start with digit `d`.
const IIN_INDEX: [(usize, usize); 10] = iin_index();

/// Builds [`IIN_INDEX`]; the table must be grouped by leading digit (checked by a unit test).
const fn iin_index() -> [(usize, usize); 10] {
    let mut index = [(0usize, 0usize); 10];
    let mut i = 0;
    while i < IIN_TABLE.len() {
        let lead = iin_lead(&IIN_TABLE[i]);
        if index[lead].1 == 0 {
            index[lead].0 = i;
        }
        index[lead].1 = i + 1;
        i += 1;
    }
    index
}

/// Leading digit of an IIN range.
const fn iin_lead(r: &Iin) -> usize {
    let mut lo = r.lo;
    let mut d = r.digits;
    while d > 1 {
        lo /= 10;
        d -= 1;
    }
    // A prefix of at most 6 digits: the cast cannot truncate (`usize::from` is not usable in a const fn).
    lo as usize
}

/// Value of an ASCII digit.
fn digit(b: u8) -> Option<u32> {
    if b.is_ascii_digit() {
        Some(u32::from(b - b'0'))
    } else {
        None
    }
}

/// ISO 7064 mod 97-10 remainder of an alphanumeric string (letters A=10 … Z=35, either case), processed left to
/// right in a `u64` that is reduced only when it grows large (two or three divisions per IBAN). `None` on any
/// other byte.
fn mod97_of<'a>(bytes: impl Iterator<Item = &'a u8>) -> Option<u32> {
    const REDUCE_AT: u64 = 1_000_000_000_000_000;
    let mut r: u64 = 0;
    for &b in bytes {
        if let Some(d) = digit(b) {
            r = r * 10 + u64::from(d);
        } else if b.is_ascii_alphabetic() {
            r = r * 100 + u64::from(b.to_ascii_uppercase() - b'A') + 10;
        } else {
            return None;
        }
        if r >= REDUCE_AT {
            r %= 97;
        }
    }
    u32::try_from(r % 97).ok()
}

// ---------------------------------------------------------------------------------------------------------------
// Country identifiers (the functions behind `validator`).

/// Generic ISO 7064 MOD 97-10: the whole alphanumeric string (letters A=10 … Z=35) is ≡ 1 (mod 97).
fn mod97_valid(s: &[u8]) -> bool {
    s.len() >= 3 && mod97_of(s.iter()) == Some(1)
}

/// US SSN as 9 digits (AAAGGSSSS), see [`ssn_valid`].
fn ssn_text_valid(s: &[u8]) -> bool {
    s.len() == 9
        && match (number(&s[..3]), number(&s[3..5]), number(&s[5..])) {
            (Some(a), Some(g), Some(n)) => match (u16::try_from(a), u16::try_from(g), u16::try_from(n)) {
                (Ok(a), Ok(g), Ok(n)) => ssn_valid(a, g, n),
                _ => false,
            },
            _ => false,
        }
}

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 8, 3, 6, 0, 7, 1, 2],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff dihedral-group check (the check digit is the last one). Needs at least two digits.
fn verhoeff_valid(s: &[u8]) -> bool {
    if s.len() < 2 {
        return false;
    }
    let mut c = 0u8;
    for (i, &b) in s.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let p = VERHOEFF_P[i % 8][usize::from(b - b'0')];
        c = VERHOEFF_D[usize::from(c)][usize::from(p)];
    }
    c == 0
}

/// UK National Insurance number: two prefix letters, six digits, optional suffix A-D (HMRC NIM39110 rules:
/// first letter not D/F/I/Q/U/V, second not D/F/I/O/Q/U/V, prefixes BG/GB/KN/NK/NT/TN/ZZ never issued).
fn uk_nino_valid(s: &[u8]) -> bool {
    if s.len() != 8 && s.len() != 9 {
        return false;
    }
    let a = s[0].to_ascii_uppercase();
    let b = s[1].to_ascii_uppercase();
    let letters_ok = a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !b"DFIQUV".contains(&a)
        && !b"DFIOQUV".contains(&b)
        && !matches!(&[a, b], b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ");
    let suffix_ok = match s.get(8) {
        None => true,
        Some(c) => matches!(c.to_ascii_uppercase(), b'A'..=b'D'),
    };
    letters_ok && s[2..8].iter().all(u8::is_ascii_digit) && suffix_ok
}

/// Dutch BSN: 9 digits (8-digit numbers are zero-padded) passing the "11-proef" (weights 9..2 and -1).
fn nl_bsn_valid(s: &[u8]) -> bool {
    let pad = match s.len() {
        8 => 1,
        9 => 0,
        _ => return false,
    };
    if !s.iter().all(u8::is_ascii_digit) || s.iter().all(|&b| b == b'0') {
        return false;
    }
    const W: [i32; 9] = [9, 8, 7, 6, 5, 4, 3, 2, -1];
    let sum: i32 = s.iter().zip(&W[pad..]).map(|(&b, &w)| i32::from(b - b'0') * w).sum();
    sum % 11 == 0
}

/// German Steuerliche Identifikationsnummer: 11 digits, no leading 0, ISO 7064 MOD 11,10 check digit, and in
/// the first 10 digits exactly one digit occurs twice or three times (never three in a row), all others at
/// most once (BZSt rules since 2016).
fn de_steuer_id_valid(s: &[u8]) -> bool {
    if s.len() != 11 || !s.iter().all(u8::is_ascii_digit) || s[0] == b'0' {
        return false;
    }
    let body = &s[..10];
    let mut counts = [0u8; 10];
    for &b in body {
        counts[usize::from(b - b'0')] += 1;
    }
    let repeated = counts.iter().filter(|&&c| c >= 2).count();
    let too_many = counts.iter().any(|&c| c > 3);
    if repeated != 1 || too_many {
        return false;
    }
    if body.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return false;
    }
    let mut product: u32 = 10;
    for &b in body {
        let mut sum = (u32::from(b - b'0') + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = (11 - product) % 10;
    u32::from(s[10] - b'0') == check
}

/// French NIR (numéro de sécurité sociale): 13 characters + 2-digit key = 97 − (number mod 97); Corsican
/// départements 2A / 2B count as 19 / 18. Sex digit 1, 2 (or 3, 4, 7, 8 for provisional numbers).
fn fr_nir_valid(s: &[u8]) -> bool {
    if s.len() != 15 || !matches!(s[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
        return false;
    }
    let corsica = match [s[5], s[6].to_ascii_uppercase()] {
        [b'2', b'A'] => Some((1, 9)),
        [b'2', b'B'] => Some((1, 8)),
        _ => None,
    };
    let mut n: u64 = 0;
    for (i, &b) in s[..13].iter().enumerate() {
        let d = match (corsica, i) {
            (Some((first, _)), 5) => first,
            (Some((_, second)), 6) => second,
            _ => match digit(b) {
                Some(d) => d,
                None => return false,
            },
        };
        n = n * 10 + u64::from(d);
    }
    match number(&s[13..]) {
        Some(key) => u64::from(key) == 97 - n % 97,
        None => false,
    }
}

const ES_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish DNI: 8 digits + control letter (number mod 23 in the Interior Ministry table).
fn es_dni_valid(s: &[u8]) -> bool {
    s.len() == 9
        && match number(&s[..8]) {
            Some(n) => ES_LETTERS.get(usize::try_from(n % 23).unwrap_or(0)) == Some(&s[8].to_ascii_uppercase()),
            None => false,
        }
}

/// Spanish NIE: X/Y/Z (as 0/1/2) + 7 digits + control letter, same table as the DNI.
fn es_nie_valid(s: &[u8]) -> bool {
    if s.len() != 9 {
        return false;
    }
    let lead = match s[0].to_ascii_uppercase() {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        _ => return false,
    };
    match number(&s[1..8]) {
        Some(n) => {
            let n = lead * 10_000_000 + n;
            ES_LETTERS.get(usize::try_from(n % 23).unwrap_or(0)) == Some(&s[8].to_ascii_uppercase())
        }
        None => false,
    }
}

/// Values of characters in odd (1st, 3rd, …) positions of the codice fiscale: digits 0-9 then letters A-Z.
const CF_ODD_DIGITS: [u8; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
const CF_ODD_LETTERS: [u8; 26] =
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/// Italian codice fiscale: 16 characters SSSNNNYYMDDCCCCK with the structure checked (letters / digits, with
/// omocodia letters L-V allowed in digit positions, month letter ABCDEHLMPRST) and the odd/even check letter.
fn it_codice_fiscale_valid(s: &[u8]) -> bool {
    if s.len() != 16 {
        return false;
    }
    const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
    let mut sum: u32 = 0;
    for (i, &raw) in s[..15].iter().enumerate() {
        let c = raw.to_ascii_uppercase();
        let shape_ok = if DIGIT_POSITIONS.contains(&i) {
            c.is_ascii_digit() || b"LMNPQRSTUV".contains(&c)
        } else if i == 8 {
            b"ABCDEHLMPRST".contains(&c)
        } else {
            c.is_ascii_uppercase()
        };
        if !shape_ok {
            return false;
        }
        let (even, odd) = if c.is_ascii_digit() {
            let d = c - b'0';
            (d, CF_ODD_DIGITS[usize::from(d)])
        } else {
            let l = c - b'A';
            (l, CF_ODD_LETTERS[usize::from(l)])
        };
        // Positions are 1-based in the specification: index 0 is "odd".
        sum += u32::from(if i % 2 == 0 { odd } else { even });
    }
    let expected = b'A' + u8::try_from(sum % 26).unwrap_or(0);
    s[15].to_ascii_uppercase() == expected
}

/// Indian Aadhaar: 12 digits, not starting with 0 or 1, Verhoeff check digit (UIDAI).
fn in_aadhaar_valid(s: &[u8]) -> bool {
    s.len() == 12 && matches!(s[0], b'2'..=b'9') && verhoeff_valid(s)
}

/// Canadian SIN: 9 digits, Luhn; first digit 8 is never issued (0 only for the published fictitious example
/// range, accepted), all zeros rejected.
fn ca_sin_valid(s: &[u8]) -> bool {
    s.len() == 9 && s[0] != b'8' && s.iter().any(|&b| b != b'0') && luhn_valid(s)
}

/// Australian TFN: 9 digits with weights 1,4,3,7,5,8,6,9,10 (or the old 8-digit form with 10,7,8,4,6,3,5,1),
/// weighted sum ≡ 0 (mod 11).
fn au_tfn_valid(s: &[u8]) -> bool {
    const W9: [u32; 9] = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    const W8: [u32; 8] = [10, 7, 8, 4, 6, 3, 5, 1];
    let weights: &[u32] = match s.len() {
        9 => &W9,
        8 => &W8,
        _ => return false,
    };
    if !s.iter().all(u8::is_ascii_digit) || s.iter().all(|&b| b == b'0') {
        return false;
    }
    let sum: u32 = s.iter().zip(weights).map(|(&b, &w)| u32::from(b - b'0') * w).sum();
    sum.is_multiple_of(11)
}

/// Brazilian CPF: 11 digits, two mod-11 check digits (weights 10..2 then 11..2), all-same-digit rejected.
fn br_cpf_valid(s: &[u8]) -> bool {
    if s.len() != 11 || !s.iter().all(u8::is_ascii_digit) || s.iter().all(|&b| b == s[0]) {
        return false;
    }
    let check = |len: usize| -> u32 {
        let top = u32::try_from(len).unwrap_or(0) + 1;
        let sum: u32 = s[..len].iter().zip((2..=top).rev()).map(|(&b, w)| u32::from(b - b'0') * w).sum();
        (sum * 10) % 11 % 10
    };
    check(9) == u32::from(s[9] - b'0') && check(10) == u32::from(s[10] - b'0')
}

/// Polish PESEL: 11 digits YYMMDDZZZXQ, weights 1,3,7,9 repeated, check (10 − sum mod 10) mod 10; the month
/// carries the century (+80 1800s, +0 1900s, +20 2000s, +40 2100s, +60 2200s) and the day is 1-31.
fn pl_pesel_valid(s: &[u8]) -> bool {
    const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    if s.len() != 11 || !s.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (Some(month), Some(day)) = (number(&s[2..4]), number(&s[4..6])) else {
        return false;
    };
    if !(1..=12).contains(&(month % 20)) || !(1..=31).contains(&day) {
        return false;
    }
    let sum: u32 = s.iter().zip(W).map(|(&b, w)| u32::from(b - b'0') * w).sum();
    (10 - sum % 10) % 10 == u32::from(s[10] - b'0')
}

/// Swedish personnummer / samordningsnummer: YYMMDDNNNC (or YYYYMMDDNNNC), Luhn on the 10-digit form, month
/// 1-12, day 1-31 (or 61-91 for coordination numbers).
fn se_personnummer_valid(s: &[u8]) -> bool {
    let ten = match s.len() {
        10 => s,
        12 => &s[2..],
        _ => return false,
    };
    let (Some(month), Some(day)) = (number(&ten[2..4]), number(&ten[4..6])) else {
        return false;
    };
    (1..=12).contains(&month)
        && ((1..=31).contains(&day) || (61..=91).contains(&day))
        && s.iter().all(u8::is_ascii_digit)
        && luhn_valid(ten)
}

/// Decimal value of a short all-digit slice (at most 9 digits), `None` otherwise.
fn number(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &b| Some(acc * 10 + digit(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_table() {
        let valid: &[&str] = &[
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "79927398713",
            "0000000000000000",
            "18",
            "059",
        ];
        for v in valid {
            assert!(luhn_valid(v.as_bytes()), "{v}");
        }
        let invalid: &[&str] =
            &["", "0", "4111111111111112", "79927398710", "4111-1111-1111-1111", "411111111111111a", "12"];
        for v in invalid {
            assert!(!luhn_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn published_test_cards_are_accepted_with_their_brand() {
        let cases: &[(&str, CardBrand)] = &[
            ("4111111111111111", CardBrand::Visa),
            ("4012888888881881", CardBrand::Visa),
            ("4222222222222", CardBrand::Visa),
            ("4000056655665556", CardBrand::Visa),
            ("4111111111111111110", CardBrand::Visa),
            ("5555555555554444", CardBrand::Mastercard),
            ("5105105105105100", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("2221000000000009", CardBrand::Mastercard),
            ("378282246310005", CardBrand::Amex),
            ("371449635398431", CardBrand::Amex),
            ("340000000000009", CardBrand::Amex),
            ("6011111111111117", CardBrand::Discover),
            ("6011000990139424", CardBrand::Discover),
            ("6445644564456445", CardBrand::Discover),
            ("3530111333300000", CardBrand::Jcb),
            ("3566002020360505", CardBrand::Jcb),
            ("36227206271667", CardBrand::DinersClub),
            ("30569309025904", CardBrand::DinersClub),
            ("38520000023237", CardBrand::DinersClub),
            ("6759649826438453", CardBrand::Maestro),
            ("6799990100000000019", CardBrand::Maestro),
            ("6304000000000000", CardBrand::Maestro),
            ("6200000000000005", CardBrand::UnionPay),
            ("6250941006528599", CardBrand::UnionPay),
            ("2200000000000004", CardBrand::Mir),
            ("6521000000000007", CardBrand::Discover),
            ("6071000000000001", CardBrand::RuPay),
            ("5085000000000007", CardBrand::RuPay),
            ("9792000000000003", CardBrand::Troy),
            ("5060990580000217499", CardBrand::Verve),
            ("6362970000457013", CardBrand::Elo),
            ("6062826786276634", CardBrand::Hipercard),
            ("135410014004955", CardBrand::Uatp),
        ];
        for (v, brand) in cases {
            assert_eq!(card_brand(v.as_bytes()), Some(*brand), "{v}");
            assert!(luhn_valid(v.as_bytes()), "luhn {v}");
            assert!(is_card_number(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn twelve_digit_maestro_is_accepted() {
        // Luhn-valid 12-digit numbers on Maestro prefixes.
        for v in ["501800000009", "675900000000", "630400000000"] {
            assert_eq!(card_brand(v.as_bytes()), Some(CardBrand::Maestro), "{v}");
            assert!(is_card_number(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn faker_corpus_cards_are_accepted() {
        let faker: &[(&str, CardBrand)] = &[
            ("4131034282458809939", CardBrand::Visa),
            ("630427373398", CardBrand::Maestro),
            ("180016070420458", CardBrand::Jcb),
            ("213176828496175", CardBrand::Jcb),
            ("6586108984332171", CardBrand::Discover),
            ("501864667909", CardBrand::Maestro),
            ("30288610434735", CardBrand::DinersClub),
            ("2623322164608847", CardBrand::Mastercard),
            ("675984103431", CardBrand::Maestro),
            ("503802053770", CardBrand::Maestro),
            ("2308667275322437", CardBrand::Mastercard),
            ("4047737215142", CardBrand::Visa),
        ];
        for (v, brand) in faker {
            assert!(luhn_valid(v.as_bytes()), "luhn {v}");
            assert_eq!(card_brand(v.as_bytes()), Some(*brand), "{v}");
            assert!(is_card_number(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn non_cards_are_rejected() {
        let invalid: &[&str] = &[
            // Luhn-invalid 16-digit numbers on real prefixes.
            "4111111111111112",
            "5555555555554440",
            "6011111111111111",
            "3530111333300001",
            // Unix times in milliseconds (13 digits starting with 1), Luhn-valid or not.
            "1764412345678",
            "1764412345670",
            "1700000000004",
            // Unix time in seconds and in microseconds.
            "1764412345",
            "1764412345678901",
            // 16-digit order ids / snowflakes on unassigned prefixes.
            "7000000000000005",
            "1234567812345670",
            "9999999999999995",
            "3100000000000003",
            // All zeros and filler.
            "0000000000000000",
            "000000000000",
            // Too short / too long.
            "41111111111",
            "411111111111111111111",
            "37828224631000",
            // Wrong length for the brand.
            "411111111111111",
            "55555555555544440",
            "3782822463100050",
            // Non-digits.
            "4111 1111 1111 1111",
            "4111x11111111111",
            "",
        ];
        for v in invalid {
            assert!(!is_card_number(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn overlaps_get_the_most_specific_brand() {
        assert_eq!(card_brand(b"6221260000000000"), Some(CardBrand::Discover));
        assert_eq!(card_brand(b"6229250000000000"), Some(CardBrand::Discover));
        assert_eq!(card_brand(b"6229260000000000"), Some(CardBrand::UnionPay));
        assert_eq!(card_brand(b"6500100000000000"), Some(CardBrand::Verve));
        assert_eq!(card_brand(b"6500400000000000"), Some(CardBrand::Elo));
        assert_eq!(card_brand(b"6504000000000000"), Some(CardBrand::Discover));
        assert_eq!(card_brand(b"5099000000000000"), Some(CardBrand::Elo));
        assert_eq!(card_brand(b"509900000000"), Some(CardBrand::Maestro));
        assert_eq!(card_brand(b"6011000000000000"), Some(CardBrand::Discover));
        assert_eq!(card_brand(b"3841000000000000"), Some(CardBrand::Hipercard));
        assert_eq!(card_brand(b"38410000000000"), Some(CardBrand::DinersClub));
        assert_eq!(card_brand(b"4011780000000000"), Some(CardBrand::Elo));
        assert_eq!(card_brand(b"180000000000000"), Some(CardBrand::Jcb));
        assert_eq!(card_brand(b"190000000000000"), Some(CardBrand::Uatp));
        assert_eq!(card_brand(b"2205000000000000"), None);
        assert_eq!(card_brand(b"2721000000000000"), None);
    }

    #[test]
    fn iin_table_is_grouped_by_leading_digit_most_specific_first() {
        let mut seen = [false; 10];
        let mut prev: Option<&Iin> = None;
        for r in IIN_TABLE {
            assert!(r.lo <= r.hi && (1..=6).contains(&r.digits));
            assert_eq!(iin_lead(r), {
                let mut hi = r.hi;
                for _ in 1..r.digits {
                    hi /= 10;
                }
                usize::try_from(hi).expect("small")
            });
            let lead = iin_lead(r);
            match prev {
                Some(p) if iin_lead(p) == lead => assert!(p.digits >= r.digits),
                _ => {
                    assert!(!seen[lead], "group {lead} is split");
                    seen[lead] = true;
                }
            }
            prev = Some(r);
        }
        for (d, &(start, end)) in IIN_INDEX.iter().enumerate() {
            assert!(start <= end && end <= IIN_TABLE.len());
            assert!(IIN_TABLE[start..end].iter().all(|r| iin_lead(r) == d));
            assert_eq!(end - start, IIN_TABLE.iter().filter(|r| iin_lead(r) == d).count());
        }
    }

    #[test]
    fn brand_names_are_distinct() {
        let all = [
            CardBrand::Visa,
            CardBrand::Mastercard,
            CardBrand::Amex,
            CardBrand::Discover,
            CardBrand::Jcb,
            CardBrand::DinersClub,
            CardBrand::Maestro,
            CardBrand::UnionPay,
            CardBrand::Mir,
            CardBrand::RuPay,
            CardBrand::Troy,
            CardBrand::Verve,
            CardBrand::Elo,
            CardBrand::Hipercard,
            CardBrand::Uatp,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.name(), b.name());
            }
        }
    }

    #[test]
    fn registry_example_ibans_are_valid() {
        let valid: &[&str] = &[
            "GB82WEST12345698765432",
            "gb82west12345698765432",
            "DE89370400440532013000",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
            "CH9300762011623852957",
            "NO9386011117947",
            "IT60X0542811101000000123456",
            "ES9121000418450200051332",
            "AT611904300234573201",
            "PL61109010140000071219812874",
            "SE4550000000058398257466",
            "IE29AIBK93115212345678",
            "DK5000400440116243",
            "FI2112345600000785",
            "PT50000201231234567890154",
            "LU280019400644750000",
            "MT84MALT011000012345MTLCAST001S",
            "SA0380000000608010167519",
            "BR1800360305000010009795493C1",
            "KW81CBKU0000000000001234560101",
            "LC55HEMM000100010012001200023015",
            "SC18SSCB11010000000000001497USD",
            "GR1601101250000000012300695",
            "CY17002001280000001200527600",
            "HU42117730161111101800000000",
            "CZ6508000000192000145399",
            "EE382200221020145685",
            "IS140159260076545510730339",
            "TR330006100519786457841326",
            "AE070331234567890123456",
            "UA213223130000026007233566001",
        ];
        for v in valid {
            assert!(iban_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn bad_ibans_are_rejected() {
        let invalid: &[&str] = &[
            "GB82WEST12345698765431",
            "GB83WEST12345698765432",
            "DE89370400440532013001",
            "DE8937040044053201300",
            "DE893704004405320130000",
            "XX89370400440532013000",
            "GBAAWEST12345698765432",
            "GB82WEST1234569876543-",
            "GB82 WEST 1234 5698 7654 32",
            "GB00WEST12345698765432",
            "GB99WEST12345698765432",
            "",
            "G",
            "GB",
            "GB82",
            "0000000000000000000000",
        ];
        for v in invalid {
            assert!(!iban_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn mod97_matches_the_naive_per_character_reduction() {
        let naive = |s: &[u8]| -> Option<u32> {
            let mut r = 0u32;
            for &b in s {
                r = match b {
                    b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
                    b'A'..=b'Z' => (r * 100 + u32::from(b - b'A') + 10) % 97,
                    _ => return None,
                };
            }
            Some(r)
        };
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut x: u64 = 0xD1B5_4A32_D192_ED03;
        let mut buf = [0u8; 40];
        for round in 0..5_000 {
            let len = round % 40;
            for b in buf.iter_mut().take(len) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = alphabet[usize::from(x.to_le_bytes()[0] % 36)];
            }
            let s = &buf[..len];
            assert_eq!(mod97_of(s.iter()), naive(s), "{}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn iban_lengths() {
        assert_eq!(iban_length(*b"NO"), Some(15));
        assert_eq!(iban_length(*b"LC"), Some(32));
        assert_eq!(iban_length(*b"RU"), Some(33));
        assert_eq!(iban_length(*b"DE"), Some(22));
        assert_eq!(iban_length(*b"US"), None);
        assert_eq!(iban_length(*b"de"), None);
    }

    #[test]
    fn ssn_table() {
        let valid: &[(u16, u16, u16)] = &[(1, 1, 1), (899, 99, 9999), (536, 90, 4399), (665, 1, 1), (78, 5, 1121)];
        for &(a, g, s) in valid {
            assert!(ssn_valid(a, g, s), "{a}-{g}-{s}");
        }
        let invalid: &[(u16, u16, u16)] = &[
            (0, 12, 3456),
            (666, 12, 3456),
            (900, 12, 3456),
            (999, 99, 9999),
            (123, 0, 4567),
            (123, 45, 0),
            (123, 100, 4567),
            (123, 45, 10000),
            (78, 5, 1120),
            (219, 9, 9999),
            (123, 45, 6789),
        ];
        for &(a, g, s) in invalid {
            assert!(!ssn_valid(a, g, s), "{a}-{g}-{s}");
        }
    }

    #[test]
    fn every_listed_validator_resolves() {
        for name in VALIDATORS {
            assert!(validator(name).is_some(), "{name}");
        }
        assert!(validator("nope").is_none());
        assert!(validator("").is_none());
        assert!(validator("LUHN").is_none());
    }

    #[test]
    fn country_id_vectors() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("luhn", &["79927398713", "4111111111111111"], &["79927398710", "7992739871x"]),
            (
                "iban",
                &["DE89370400440532013000", "fr1420041010050500013m02606"],
                &["DE89370400440532013001", "US89370400440532013000"],
            ),
            ("mod97", &["79444", "WEST12345698765432GB82"], &["79445", "12", "7944-4"]),
            (
                "ssn",
                &["536904399", "001010001", "899999999"],
                &["078051120", "666123456", "900123456", "123456789", "000123456", "12345678", "53690439A"],
            ),
            ("verhoeff", &["2363", "12340", "234123412346"], &["2364", "12341", "2", "23a3"]),
            (
                "uk_nino",
                &["AB123456C", "AB123456", "ab123456d", "JG103759A", "CE123456A"],
                &[
                    "BG123456C",
                    "GB123456A",
                    "NK123456A",
                    "ZZ123456A",
                    "DA123456A",
                    "QQ123456C",
                    "AO123456A",
                    "AB123456E",
                    "AB12345C",
                    "AB1234567",
                    "1B123456A",
                ],
            ),
            ("nl_bsn", &["111222333", "123456782"], &["123456789", "000000000", "11222333", "12345678X", "1234567820"]),
            (
                "de_steuer_id",
                &["36574261809", "86095742719", "65929970489", "57549285017", "25768131411", "47036892816"],
                &[
                    "36574261808",
                    "06574261809",
                    "11111111111",
                    "12345678903",
                    "11123456782",
                    "1234567890",
                    "3657426180X",
                ],
            ),
            (
                "fr_nir",
                &["255081416802538", "185022A00412308", "185022a00412308"],
                &["255081416802539", "555081416802538", "2550814168025", "185022C00412308", "25508141680253X"],
            ),
            ("es_dni", &["12345678Z", "12345678z"], &["12345678A", "1234567Z", "1234567AZ"]),
            ("es_nie", &["X1234567L", "Y1234567X", "Z1234567R"], &["X1234567A", "W1234567L", "X123456L"]),
            (
                "it_codice_fiscale",
                &["RSSMRA85T10A562S", "MRTMTT25D09F205Z", "BNCGNN80A01H501T", "RSSMRA85T10A56NH", "rssmra85t10a562s"],
                &["RSSMRA85T10A562T", "RSSMRA85Z10A562S", "RSSMRA85T10A562", "1SSMRA85T10A562S", "RSSMRA85T10A5A2S"],
            ),
            ("in_aadhaar", &["234123412346", "499118665243"], &["234123412347", "134123412346", "23412341234"]),
            ("ca_sin", &["046454286"], &["046454287", "000000000", "04645428", "846454282"]),
            ("au_tfn", &["123456782", "865414088"], &["123456789", "000000000", "12345678A"]),
            ("br_cpf", &["11144477735", "52998224725"], &["11111111111", "11144477736", "1114447773", "00000000000"]),
            ("pl_pesel", &["44051401359", "02270803624"], &["44051401358", "44151401359", "44053201359", "4405140135"]),
            (
                "se_personnummer",
                &["8112289874", "198112289874", "6403273813", "7010632391"],
                &["8112289875", "8113289874", "8112329874", "811228987", "81122898741"],
            ),
        ];
        for (name, valid, invalid) in cases {
            let f = validator(name).expect("known validator");
            for v in *valid {
                assert!(f(v.as_bytes()), "{name} should accept {v}");
            }
            for v in *invalid {
                assert!(!f(v.as_bytes()), "{name} should reject {v}");
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // Deterministic xorshift; every length 0..40 with random bytes, digits and letters.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut buf = [0u8; 40];
        for round in 0..20_000 {
            let len = round % 40;
            for b in buf.iter_mut().take(len) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let r = x.to_le_bytes()[0];
                *b = match round % 3 {
                    0 => r,
                    1 => b'0' + r % 10,
                    _ => b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[usize::from(r % 36)],
                };
            }
            let s = &buf[..len];
            let _ = luhn_valid(s);
            let _ = card_brand(s);
            let _ = iban_valid(s);
            for name in VALIDATORS {
                if let Some(f) = validator(name) {
                    let _ = f(s);
                }
            }
        }
        assert!(x != 0);
    }
}
