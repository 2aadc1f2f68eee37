//! Telephone numbering-plan checks for the phone detector: E.164 calling codes, NANP and national plans.
//!
//! These are real numbering-plan rules (country calling code, national significant number (NSN) length and
//! leading digits), not digit-run heuristics. Everything is `std`-only, allocation-free and total: any byte
//! slice is a valid input; a non-digit byte simply makes the answer "no".
//!
//! Sources: ITU-T E.164 and the "List of ITU-T Recommendation E.164 assigned country codes" (Operational
//! Bulletin annex, 2024), the national regulators' plans (Ofcom, ComReg, BNetzA, RTR, BAKOM, ARCEP, BIPT, ACM,
//! ILR, AGCOM, CNMC, ANACOM, PTS, Nkom, Energistyrelsen, Traficom, UKE, CTU, NMHH, EETT, OCECPR, TTJA, Fjarskiptastofa,
//! ACMA, MBIE/TCF, ICASA, TRAI/DoT, Anatel, IFT, MIC, IMDA, NANPA/CNAC) as summarised in Google libphonenumber's
//! `PhoneNumberMetadata.xml` (possible lengths and leading-digit patterns). Where the regulator allows rare
//! formats (short codes, M2M, pagers, extensions) they are deliberately left out: precision on log lines matters
//! more than those.
//!
//! Handling of `+CC (0) …`: people often write the national trunk digit in parentheses after the calling code
//! (`+46 (0)8 928 571 38`). Collect all digits after the `+` (including that `0`) and call
//! [`strip_trunk_in_international`]; it drops the `0` for countries whose trunk prefix is `0` (and keeps it for
//! Italy, where the leading `0` is part of the number).
//!
//! International prefixes: for `00 CC …` (most of the world) and `011 CC …` (NANP) the caller removes the
//! prefix and calls [`international`] on the rest; if that fails for `011…`, try [`national`] (`0114 …` is a
//! Sheffield number). No plan starts a national number with `00`.
//!
//! What the caller must filter itself: these functions see digits only, so time-of-day values (`12:34:56.789`),
//! dotted IPv4 addresses and version strings must be excluded by their separators before calling [`national`]
//! (closed 8/9-digit plans such as PL, CZ, DK, NO accept most digit strings of their length).

/// `digits` = the digits after a leading '+' (or after an international prefix 00 / 011), separators removed.
///
/// Splits the ITU-T E.164 country calling code (1-3 digits, every assigned code) and checks the national
/// significant number's length (and, for the countries with a [`Region`] plan, its leading digits) against that
/// country's plan. Returns the calling code when valid.
pub fn international(digits: &[u8]) -> Option<u16> {
    let (cc, nsn) = split_calling_code(digits)?;
    nsn_ok_for(cc, nsn).then_some(cc.code)
}

/// Like [`international`], for the `+CC (0) NSN` form: the digit right after the calling code is the national
/// trunk prefix `0` and is dropped before the NSN is checked. For countries without a trunk `0` whose numbers
/// may start with `0` (Italy, San Marino, Vatican) the digits are checked as written. `None` when there is no
/// `0` after the calling code or when the number is not valid either way.
pub fn strip_trunk_in_international(digits_after_plus: &[u8]) -> Option<u16> {
    let (cc, rest) = split_calling_code(digits_after_plus)?;
    let (&first, nsn) = rest.split_first()?;
    if first != b'0' {
        return None;
    }
    match cc.plan {
        Some(Region::It) => international(digits_after_plus),
        Some(r) if r.trunk() != Some(&b"0"[..]) => None,
        _ if matches!(cc.code, 378 | 379) => international(digits_after_plus),
        _ => nsn_ok_for(cc, nsn).then_some(cc.code),
    }
}

/// NANP: exactly 10 digits NPA-NXX-XXXX: NPA `[2-9][0-8][0-9]`, not N11, not 37X/96X (reserved); NXX
/// `[2-9]XX`, not N11. (555 exchanges are valid numbers.)
pub fn nanp_valid(ten_digits: &[u8]) -> bool {
    if ten_digits.len() != 10 || !all_digits(ten_digits) {
        return false;
    }
    let d = |i| at(ten_digits, i);
    let nxx_ok = (2..=9).contains(&d(3)) && !(d(4) == 1 && d(5) == 1);
    nxx_ok && nanp_area_code_valid(ten_digits)
}

/// Looser NANP check for values with a strong context word ("Phone:", "tel"): 10 digits whose area code (NPA)
/// follows the [`nanp_valid`] rules; the exchange (NXX) is not checked. Faker's `en_US` provider draws the
/// exchange at random (e.g. `984-182-0190`), which the strict check rejects.
pub fn nanp_area_code_valid(ten_digits: &[u8]) -> bool {
    if ten_digits.len() != 10 || !all_digits(ten_digits) {
        return false;
    }
    let d = |i| at(ten_digits, i);
    (2..=9).contains(&d(0))
        && d(1) <= 8
        && !(d(1) == 1 && d(2) == 1)
        && !(d(0) == 3 && d(1) == 7)
        && !(d(0) == 9 && d(1) == 6)
}

/// A country (ISO 3166-1 alpha-2) whose national numbering plan is implemented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    Us,
    Ca,
    Gb,
    Ie,
    De,
    At,
    Ch,
    Fr,
    Be,
    Nl,
    Lu,
    It,
    Es,
    Pt,
    Se,
    No,
    Dk,
    Fi,
    Pl,
    Cz,
    Hu,
    Gr,
    Cy,
    Ee,
    Is,
    Au,
    Nz,
    Za,
    In,
    Br,
    Mx,
    Jp,
    Sg,
}

impl Region {
    /// Every implemented region, in declaration order.
    pub const ALL: &'static [Region] = &[
        Region::Us,
        Region::Ca,
        Region::Gb,
        Region::Ie,
        Region::De,
        Region::At,
        Region::Ch,
        Region::Fr,
        Region::Be,
        Region::Nl,
        Region::Lu,
        Region::It,
        Region::Es,
        Region::Pt,
        Region::Se,
        Region::No,
        Region::Dk,
        Region::Fi,
        Region::Pl,
        Region::Cz,
        Region::Hu,
        Region::Gr,
        Region::Cy,
        Region::Ee,
        Region::Is,
        Region::Au,
        Region::Nz,
        Region::Za,
        Region::In,
        Region::Br,
        Region::Mx,
        Region::Jp,
        Region::Sg,
    ];

    /// The uppercase ISO 3166-1 alpha-2 code.
    pub fn code(self) -> &'static str {
        match self {
            Region::Us => "US",
            Region::Ca => "CA",
            Region::Gb => "GB",
            Region::Ie => "IE",
            Region::De => "DE",
            Region::At => "AT",
            Region::Ch => "CH",
            Region::Fr => "FR",
            Region::Be => "BE",
            Region::Nl => "NL",
            Region::Lu => "LU",
            Region::It => "IT",
            Region::Es => "ES",
            Region::Pt => "PT",
            Region::Se => "SE",
            Region::No => "NO",
            Region::Dk => "DK",
            Region::Fi => "FI",
            Region::Pl => "PL",
            Region::Cz => "CZ",
            Region::Hu => "HU",
            Region::Gr => "GR",
            Region::Cy => "CY",
            Region::Ee => "EE",
            Region::Is => "IS",
            Region::Au => "AU",
            Region::Nz => "NZ",
            Region::Za => "ZA",
            Region::In => "IN",
            Region::Br => "BR",
            Region::Mx => "MX",
            Region::Jp => "JP",
            Region::Sg => "SG",
        }
    }

    /// Parses an ISO 3166-1 alpha-2 code (either case); `UK` is accepted as an alias of `GB`.
    pub fn from_code(code: &str) -> Option<Region> {
        let b = code.as_bytes();
        if b.len() != 2 {
            return None;
        }
        let up = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
        if &up == b"UK" {
            return Some(Region::Gb);
        }
        Region::ALL.iter().copied().find(|r| r.code().as_bytes() == up)
    }

    /// The E.164 country calling code.
    pub fn calling_code(self) -> u16 {
        match self {
            Region::Us | Region::Ca => 1,
            Region::Gb => 44,
            Region::Ie => 353,
            Region::De => 49,
            Region::At => 43,
            Region::Ch => 41,
            Region::Fr => 33,
            Region::Be => 32,
            Region::Nl => 31,
            Region::Lu => 352,
            Region::It => 39,
            Region::Es => 34,
            Region::Pt => 351,
            Region::Se => 46,
            Region::No => 47,
            Region::Dk => 45,
            Region::Fi => 358,
            Region::Pl => 48,
            Region::Cz => 420,
            Region::Hu => 36,
            Region::Gr => 30,
            Region::Cy => 357,
            Region::Ee => 372,
            Region::Is => 354,
            Region::Au => 61,
            Region::Nz => 64,
            Region::Za => 27,
            Region::In => 91,
            Region::Br => 55,
            Region::Mx => 52,
            Region::Jp => 81,
            Region::Sg => 65,
        }
    }

    /// The national trunk prefix dialled before the NSN inside the country, if the country uses one.
    fn trunk(self) -> Option<&'static [u8]> {
        match self {
            Region::Us | Region::Ca => Some(b"1"),
            Region::Hu => Some(b"06"),
            Region::Lu
            | Region::It
            | Region::Es
            | Region::Pt
            | Region::No
            | Region::Dk
            | Region::Pl
            | Region::Cz
            | Region::Gr
            | Region::Cy
            | Region::Ee
            | Region::Is
            | Region::Mx
            | Region::Sg => None,
            _ => Some(b"0"),
        }
    }

    /// Does this region's plan accept `nsn` (digits after the calling code, no trunk prefix)?
    fn nsn_ok(self, nsn: &[u8]) -> bool {
        if !all_digits(nsn) {
            return false;
        }
        let n = nsn.len();
        let d0 = at(nsn, 0);
        let d1 = at(nsn, 1);
        let d2 = at(nsn, 2);
        match self {
            // NANP (NANPA): see `nanp_valid`; Canada additionally needs a Canadian area code (CNAC list).
            Region::Us => nanp_valid(nsn),
            Region::Ca => {
                nanp_valid(nsn) && CA_NPAS.contains(&(u16::from(d0) * 100 + u16::from(d1) * 10 + u16::from(d2)))
            }
            // Ofcom National Telephone Numbering Plan: 10-digit NSNs on 01/02/03/05/07/08/09, 9-digit NSNs in
            // some 01 areas and on 0800; 02 only as 020/023/024/028/029, 03 as 030/033/034/037, 05 as 055/056,
            // 08 as 080/084/087, 09 as 090/091/098.
            Region::Gb => match d0 {
                1 => d1 >= 1 && (n == 9 || n == 10),
                2 => matches!(d1, 0 | 3 | 4 | 8 | 9) && n == 10,
                3 => matches!(d1, 0 | 3 | 4 | 7) && n == 10,
                5 => matches!(d1, 5 | 6) && n == 10,
                7 => n == 10,
                8 => match d1 {
                    0 => n == 9 || n == 10,
                    4 | 7 => n == 10,
                    _ => false,
                },
                9 => matches!(d1, 0 | 1 | 8) && n == 10,
                _ => false,
            },
            // ComReg numbering conventions: Dublin 1 + 7, other areas 2x/4x/5x/6x/7x/9x + 5-7, mobiles
            // 83/85/86/87/88/89 + 7, 818 + 6, freephone 1800 + 6.
            Region::Ie => match d0 {
                1 => n == 8 || (n == 10 && d1 == 8),
                2 | 4 | 5 | 6 | 7 | 9 => (7..=9).contains(&n),
                8 => (matches!(d1, 3 | 5..=9) || (d1 == 1 && d2 == 8)) && n == 9,
                _ => false,
            },
            // BNetzA: geographic and 0700/0800/0900 NSNs start 2-9 with variable length; mobiles
            // 015x/016x/017x are 10-11 digits, shared-cost 018x 9-11.
            Region::De => match d0 {
                1 => match d1 {
                    5..=7 => (10..=11).contains(&n),
                    8 => (9..=11).contains(&n),
                    _ => false,
                },
                2..=9 => (6..=13).contains(&n),
                _ => false,
            },
            // RTR: Vienna 1, other areas 2-7, mobiles 65x-69x, services 7xx/8xx/9xx; variable length.
            Region::At => (1..=9).contains(&d0) && (6..=13).contains(&n),
            // BAKOM: all NSNs are 9 digits starting 2-9 (geographic 2x-9x, mobiles 74-79, 800/84x/90x).
            Region::Ch => n == 9 && (2..=9).contains(&d0),
            // ARCEP: 9-digit NSN, 1-5 geographic, 6-7 mobile, 8 special, 9 VoIP.
            Region::Fr => n == 9 && (1..=9).contains(&d0),
            // BIPT: 8-digit geographic NSNs (Liège 4 included), 9-digit mobiles 45x-49x.
            Region::Be => match d0 {
                4 => n == 8 || (n == 9 && d1 >= 5),
                1..=3 | 5..=9 => n == 8,
                _ => false,
            },
            // ACM: 9-digit NSNs; 0800/0900/0906/0909 carry 4-7 digits after the 3-digit code.
            Region::Nl => match (d0, d1) {
                (8 | 9, 0) => (7..=10).contains(&n),
                (1..=9, _) => n == 9,
                _ => false,
            },
            // ILR: no trunk prefix; mobiles 6x1/6x8/691 etc. 9 digits; fixed 6 or 8 digits.
            Region::Lu => match d0 {
                6 => n == 9,
                2..=5 | 7..=9 => n == 6 || n == 8,
                _ => false,
            },
            // AGCOM: no trunk prefix, the 0 belongs to the number: fixed 0 + 5-10 digits, mobiles 3 + 8-9,
            // freephone 800/803 + 6, shared cost 848, premium 89x + 3-6, VoIP 55 + 8.
            Region::It => match d0 {
                0 => d1 >= 1 && (6..=11).contains(&n),
                3 => d1 >= 1 && (9..=10).contains(&n),
                8 => match (d1, d2) {
                    (0, 0 | 3) => n == 9,
                    (4, 8) => (9..=10).contains(&n),
                    (9, _) => (6..=10).contains(&n),
                    _ => false,
                },
                5 => d1 == 5 && n == 10,
                _ => false,
            },
            // CNMC: 9 digits; 8/9 fixed, 6/7 mobile (and 70 personal), 80x/90x special.
            Region::Es => n == 9 && (6..=9).contains(&d0),
            // ANACOM: 9 digits; 2 fixed, 30 nomadic, 7xx/8xx special, 91/92/93/96 mobile.
            Region::Pt => {
                n == 9
                    && match d0 {
                        2 | 7 | 8 => true,
                        3 => d1 == 0,
                        9 => matches!(d1, 1 | 2 | 3 | 6),
                        _ => false,
                    }
            }
            // PTS: area code + subscriber, NSN 7-9 digits (Stockholm 8 + 5-8); mobiles 70/72/73/76/79 + 7;
            // premium 900/939/944/99 up to 10 digits.
            Region::Se => match d0 {
                7 => matches!(d1, 0 | 2 | 3 | 6 | 9) && n == 9,
                8 => (6..=9).contains(&n),
                9 if matches!(d1, 0 | 3 | 4 | 9) => (7..=10).contains(&n),
                1..=6 | 9 => (7..=9).contains(&n),
                _ => false,
            },
            // Nkom / Energistyrelsen: closed 8-digit plans starting 2-9, no trunk prefix.
            Region::No | Region::Dk => n == 8 && (2..=9).contains(&d0),
            // Traficom: variable-length NSN, 5-12 digits in the regulation; 6-10 for subscriber numbers.
            Region::Fi => (1..=9).contains(&d0) && (6..=10).contains(&n),
            // UKE: closed 9-digit plan, no trunk prefix; only assigned two-digit zones and mobile blocks.
            Region::Pl => n == 9 && pl_prefix_ok(d0 * 10 + d1),
            // CTU: closed 9-digit plan starting 2-9, no trunk prefix.
            Region::Cz => n == 9 && (2..=9).contains(&d0),
            // NMHH: Budapest 1 + 7, areas 2x-9x + 6, mobiles 20/30/31/50/70 (and 21 corporate) + 7.
            Region::Hu => match (d0, d1) {
                (1, _) => n == 8,
                (2, 0 | 1) | (3, 0 | 1) | (5, 0) | (7, 0) => n == 9,
                (2..=9, _) => n == 8,
                _ => false,
            },
            // EETT: closed 10-digit plan: 2 fixed, 69 mobile, 70 personal, 80 free, 90 premium.
            Region::Gr => n == 10 && (d0 == 2 || (d0, d1) == (6, 9) || (matches!(d0, 7..=9) && d1 == 0)),
            // OCECPR: closed 8-digit plan: 2 fixed, 9 mobile, 70/77 personal, 80 free.
            Region::Cy => n == 8 && (d0 == 2 || d0 == 9 || (d0 == 7 && matches!(d1, 0 | 7)) || (d0, d1) == (8, 0)),
            // TTJA: fixed 7 digits (3/4/6/7/88), mobiles 5 + 6-7 and 81/82 + 6, freephone 800 + 4-5.
            Region::Ee => match d0 {
                5 | 8 => (7..=8).contains(&n),
                3 | 4 | 6 | 7 => n == 7,
                _ => false,
            },
            // Fjarskiptastofa: closed 7-digit plan, 4/5 fixed, 6/7/8 mobile, 9 other.
            Region::Is => n == 7 && (4..=9).contains(&d0),
            // ACMA: 9-digit NSN; 2/3/7/8 geographic, 4 mobile. (1300/1800 numbers are not accepted: written
            // without a trunk they are indistinguishable from Unix times.)
            Region::Au => n == 9 && matches!(d0, 2 | 3 | 4 | 7 | 8),
            // NZ numbering plan: fixed 3/4/6/7/9 + 7, mobiles 2x + 6-8, 0800/0508 services.
            Region::Nz => match d0 {
                3 | 4 | 6 | 7 | 9 => n == 8,
                2 => (8..=10).contains(&n),
                8 => d1 == 0 && (8..=10).contains(&n),
                5 => d1 == 0 && d2 == 8 && n == 9,
                _ => false,
            },
            // ICASA: closed 9-digit NSN starting 1-8 (1-5 fixed, 6-8 mobile, 80/86/87 services).
            Region::Za => n == 9 && (1..=8).contains(&d0),
            // DoT National Numbering Plan 2003: closed 10-digit NSN; mobiles 6-9, fixed 1-8 area codes.
            // Toll-free 1800 + 6-7 digits.
            Region::In => (n == 10 && d0 >= 1) || (n == 11 && starts(nsn, b"1800")),
            // Anatel: DDD area code (assigned list) + 8-digit fixed (2-5) or 9-digit mobile (9).
            Region::Br => {
                br_ddd_ok(d0 * 10 + d1)
                    && match n {
                        10 => (2..=5).contains(&d2),
                        11 => d2 == 9,
                        _ => false,
                    }
            }
            // IFT (plan since 2019): 10-digit NSN starting 2-9; legacy "+52 1" mobile prefix accepted.
            Region::Mx => match n {
                10 => d0 >= 2,
                11 => d0 == 1 && d1 >= 2,
                _ => false,
            },
            // MIC: geographic 9 digits; 0x0 services (020/050/060/070/080/090) 10 digits; 0120/0570/0990 9.
            Region::Jp => {
                if d0 == 0 {
                    false
                } else if d1 == 0 && matches!(d0, 2 | 5..=9) {
                    n == 10
                } else {
                    n == 9
                }
            }
            // IMDA: closed 8-digit plan (3 VoIP, 6 fixed, 8/9 mobile), freephone 1800 + 7.
            Region::Sg => match d0 {
                3 | 6 | 8 | 9 => n == 8,
                1 => n == 11 && starts(nsn, b"1800"),
                _ => false,
            },
        }
    }

    /// Does this region accept `digits` written in national format (with its trunk prefix, if any)?
    fn national_ok(self, digits: &[u8]) -> bool {
        match self {
            Region::Us | Region::Ca => match digits.len() {
                10 => self.nsn_ok(digits),
                11 => digits.first() == Some(&b'1') && self.nsn_ok(&digits[1..]),
                _ => false,
            },
            // Mobiles are usually written without the trunk 0.
            Region::In => match digits.len() {
                10 => at(digits, 0) >= 6 && self.nsn_ok(digits),
                11 => digits.first() == Some(&b'0') && self.nsn_ok(&digits[1..]),
                _ => false,
            },
            // Written "(11) 2345-6789", "(011) 2345-6789", "0xx11 …" (0 + 2-digit carrier), or as
            // 0300/0500/0800/0900 non-geographic numbers (0 + 3 + 7 digits).
            Region::Br => {
                if self.nsn_ok(digits) {
                    return true;
                }
                let Some(rest) = digits.strip_prefix(b"0") else {
                    return false;
                };
                if self.nsn_ok(rest) {
                    return true;
                }
                if rest.len() == 10 && matches!(at(rest, 0), 3 | 5 | 8 | 9) && starts(&rest[1..], b"00") {
                    return true;
                }
                rest.len() >= 12 && at(rest, 0) >= 1 && self.nsn_ok(&rest[2..])
            }
            // The 01 / 044 / 045 prefixes were abolished in 2019 but are still written.
            Region::Mx => {
                (digits.len() == 10 && self.nsn_ok(digits))
                    || (digits.len() == 12 && starts(digits, b"01") && self.nsn_ok(&digits[2..]))
                    || (digits.len() == 13
                        && (starts(digits, b"044") || starts(digits, b"045"))
                        && self.nsn_ok(&digits[3..]))
            }
            _ => match self.trunk() {
                Some(t) => digits.strip_prefix(t).is_some_and(|nsn| self.nsn_ok(nsn)),
                None => self.nsn_ok(digits),
            },
        }
    }
}

/// A number written in national format (as people write it locally, e.g. "020 7946 0958", "06 12 34 56 78",
/// "(08) 8747 6301", "030 901820"), digits only, including the trunk prefix if the country uses one.
/// Returns the first region (in the given order) whose national plan accepts it.
///
/// Two log-line guards apply before any plan: an 8-digit value that reads as a calendar date (YYYYMMDD or
/// DDMMYYYY, years 1900-2099) and a 10-digit value in the Unix-seconds range 1000000000..=1999999999 are never
/// phone numbers here (they would otherwise pass the closed 8-digit plans of DK/NO/CY/SG/LU or the Brazilian
/// plan).
pub fn national(digits: &[u8], regions: &[Region]) -> Option<Region> {
    if !all_digits(digits) || looks_like_date(digits) || looks_like_unix_seconds(digits) {
        return None;
    }
    regions.iter().copied().find(|r| r.national_ok(digits))
}

// ---------------------------------------------------------------------------------------------------------------
// Internals.

/// One E.164 country calling code: the NSN length range for codes without a [`Region`] plan, and the plan if
/// one is implemented.
struct CallingCode {
    code: u16,
    min: u8,
    max: u8,
    plan: Option<Region>,
}

const fn cc(code: u16, min: u8, max: u8) -> CallingCode {
    CallingCode { code, min, max, plan: None }
}

const fn cp(code: u16, plan: Region) -> CallingCode {
    CallingCode { code, min: 0, max: 0, plan: Some(plan) }
}

/// Every assigned E.164 geographic calling code plus the global services (800, 808, 870, 878, 881-883, 888,
/// 979), sorted by code. NSN lengths for the codes without a plan follow libphonenumber's possible lengths.
const CALLING_CODES: &[CallingCode] = &[
    cp(1, Region::Us),
    cc(7, 10, 10),
    cc(20, 8, 10),
    cp(27, Region::Za),
    cp(30, Region::Gr),
    cp(31, Region::Nl),
    cp(32, Region::Be),
    cp(33, Region::Fr),
    cp(34, Region::Es),
    cp(36, Region::Hu),
    cp(39, Region::It),
    cc(40, 9, 9),
    cp(41, Region::Ch),
    cp(43, Region::At),
    cp(44, Region::Gb),
    cp(45, Region::Dk),
    cp(46, Region::Se),
    cp(47, Region::No),
    cp(48, Region::Pl),
    cp(49, Region::De),
    cc(51, 8, 9),
    cp(52, Region::Mx),
    cc(53, 6, 8),
    cc(54, 10, 11),
    cp(55, Region::Br),
    cc(56, 9, 9),
    cc(57, 10, 10),
    cc(58, 10, 10),
    cc(60, 8, 10),
    cp(61, Region::Au),
    cc(62, 8, 12),
    cc(63, 8, 10),
    cp(64, Region::Nz),
    cp(65, Region::Sg),
    cc(66, 8, 9),
    cp(81, Region::Jp),
    cc(82, 8, 10),
    cc(84, 9, 10),
    cc(86, 9, 11),
    cc(90, 10, 10),
    cp(91, Region::In),
    cc(92, 9, 10),
    cc(93, 9, 9),
    cc(94, 9, 9),
    cc(95, 7, 10),
    cc(98, 10, 10),
    cc(211, 9, 9),
    cc(212, 9, 9),
    cc(213, 8, 9),
    cc(216, 8, 8),
    cc(218, 9, 9),
    cc(220, 7, 7),
    cc(221, 9, 9),
    cc(222, 8, 8),
    cc(223, 8, 8),
    cc(224, 8, 9),
    cc(225, 10, 10),
    cc(226, 8, 8),
    cc(227, 8, 8),
    cc(228, 8, 8),
    cc(229, 8, 10),
    cc(230, 7, 8),
    cc(231, 7, 9),
    cc(232, 8, 8),
    cc(233, 9, 9),
    cc(234, 8, 10),
    cc(235, 8, 8),
    cc(236, 8, 8),
    cc(237, 9, 9),
    cc(238, 7, 7),
    cc(239, 7, 7),
    cc(240, 9, 9),
    cc(241, 7, 8),
    cc(242, 9, 9),
    cc(243, 7, 9),
    cc(244, 9, 9),
    cc(245, 7, 9),
    cc(246, 7, 7),
    cc(247, 5, 6),
    cc(248, 7, 7),
    cc(249, 9, 9),
    cc(250, 9, 9),
    cc(251, 9, 9),
    cc(252, 7, 9),
    cc(253, 8, 8),
    cc(254, 9, 10),
    cc(255, 9, 9),
    cc(256, 9, 9),
    cc(257, 8, 8),
    cc(258, 8, 9),
    cc(260, 9, 9),
    cc(261, 9, 9),
    cc(262, 9, 9),
    cc(263, 9, 9),
    cc(264, 8, 9),
    cc(265, 7, 9),
    cc(266, 8, 8),
    cc(267, 7, 8),
    cc(268, 8, 8),
    cc(269, 7, 7),
    cc(290, 4, 5),
    cc(291, 7, 7),
    cc(297, 7, 7),
    cc(298, 6, 6),
    cc(299, 6, 6),
    cc(350, 8, 8),
    cp(351, Region::Pt),
    cp(352, Region::Lu),
    cp(353, Region::Ie),
    cp(354, Region::Is),
    cc(355, 8, 9),
    cc(356, 8, 8),
    cp(357, Region::Cy),
    cp(358, Region::Fi),
    cc(359, 8, 9),
    cc(370, 8, 8),
    cc(371, 8, 8),
    cp(372, Region::Ee),
    cc(373, 8, 8),
    cc(374, 8, 8),
    cc(375, 9, 9),
    cc(376, 6, 9),
    cc(377, 8, 9),
    cc(378, 6, 10),
    cc(379, 6, 10),
    cc(380, 9, 9),
    cc(381, 8, 10),
    cc(382, 8, 8),
    cc(383, 8, 9),
    cc(385, 8, 9),
    cc(386, 8, 8),
    cc(387, 8, 9),
    cc(389, 8, 8),
    cp(420, Region::Cz),
    cc(421, 9, 9),
    cc(423, 7, 9),
    cc(500, 5, 5),
    cc(501, 7, 7),
    cc(502, 8, 8),
    cc(503, 8, 8),
    cc(504, 8, 8),
    cc(505, 8, 8),
    cc(506, 8, 8),
    cc(507, 7, 8),
    cc(508, 6, 6),
    cc(509, 8, 8),
    cc(590, 9, 9),
    cc(591, 8, 8),
    cc(592, 7, 7),
    cc(593, 8, 9),
    cc(594, 9, 9),
    cc(595, 9, 9),
    cc(596, 9, 9),
    cc(597, 6, 7),
    cc(598, 8, 8),
    cc(599, 7, 8),
    cc(670, 7, 8),
    cc(672, 6, 6),
    cc(673, 7, 7),
    cc(674, 7, 7),
    cc(675, 7, 8),
    cc(676, 5, 7),
    cc(677, 5, 7),
    cc(678, 5, 7),
    cc(679, 7, 7),
    cc(680, 7, 7),
    cc(681, 6, 6),
    cc(682, 5, 5),
    cc(683, 4, 7),
    cc(685, 5, 10),
    cc(686, 5, 8),
    cc(687, 6, 6),
    cc(688, 5, 7),
    cc(689, 8, 8),
    cc(690, 4, 7),
    cc(691, 7, 7),
    cc(692, 7, 7),
    cc(800, 8, 8),
    cc(808, 8, 8),
    cc(850, 8, 10),
    cc(852, 8, 8),
    cc(853, 8, 8),
    cc(855, 8, 9),
    cc(856, 8, 10),
    cc(870, 9, 9),
    cc(878, 12, 12),
    cc(880, 8, 10),
    cc(881, 9, 9),
    cc(882, 8, 12),
    cc(883, 8, 12),
    cc(886, 8, 9),
    cc(888, 11, 11),
    cc(960, 7, 7),
    cc(961, 7, 8),
    cc(962, 8, 9),
    cc(963, 9, 9),
    cc(964, 8, 10),
    cc(965, 8, 8),
    cc(966, 9, 9),
    cc(967, 7, 9),
    cc(968, 8, 8),
    cc(970, 8, 9),
    cc(971, 8, 9),
    cc(972, 8, 9),
    cc(973, 8, 8),
    cc(974, 8, 8),
    cc(975, 7, 8),
    cc(976, 8, 8),
    cc(977, 8, 10),
    cc(979, 9, 9),
    cc(992, 9, 9),
    cc(993, 8, 8),
    cc(994, 9, 9),
    cc(995, 9, 9),
    cc(996, 9, 9),
    cc(998, 9, 9),
];

/// Canadian NPAs (CNAC / NANPA assignments, including overlays in service and 600/622 non-geographic).
const CA_NPAS: &[u16] = &[
    204, 226, 236, 249, 250, 257, 263, 289, 306, 343, 354, 365, 367, 368, 382, 403, 416, 418, 428, 431, 437, 438, 450,
    460, 468, 474, 506, 514, 519, 537, 548, 579, 581, 584, 587, 600, 604, 613, 622, 639, 647, 672, 683, 705, 709, 742,
    753, 778, 780, 782, 807, 819, 825, 867, 873, 879, 902, 905, 942,
];

/// Splits the calling code off a digit string (E.164 codes are prefix-free, so at most one length matches).
fn split_calling_code(digits: &[u8]) -> Option<(&'static CallingCode, &[u8])> {
    if digits.len() < 4 || digits.len() > 15 || !all_digits(digits) {
        return None;
    }
    let mut code: usize = 0;
    for len in 1..=3 {
        code = code * 10 + usize::from(at(digits, len - 1));
        // `code` < 1000 here; entry 0 means "not assigned".
        if let Some(&slot) = CC_INDEX.get(code) {
            if slot != 0 {
                return Some((&CALLING_CODES[usize::from(slot) - 1], &digits[len..]));
            }
        }
    }
    None
}

/// `CC_INDEX[code]` = 1 + the position of `code` in [`CALLING_CODES`], or 0 when the code is not assigned.
const CC_INDEX: [u8; 1000] = cc_index();

const fn cc_index() -> [u8; 1000] {
    let mut index = [0u8; 1000];
    let mut i = 0;
    while i < CALLING_CODES.len() {
        // The table has fewer than 255 entries (checked by a unit test), so `i + 1` fits a `u8`.
        index[CALLING_CODES[i].code as usize] = (i + 1) as u8;
        i += 1;
    }
    index
}

/// NSN check for a calling code: the NANP for `1`, the region plan if any, else the length range.
fn nsn_ok_for(cc: &CallingCode, nsn: &[u8]) -> bool {
    match cc.plan {
        Some(Region::Us | Region::Ca) => nanp_valid(nsn),
        Some(r) => r.nsn_ok(nsn),
        // Russia and Kazakhstan: closed 10-digit plan (3/4/8/9 Russia, 6/7 Kazakhstan).
        None if cc.code == 7 => nsn.len() == 10 && matches!(at(nsn, 0), 3..=9),
        None => {
            let n = nsn.len();
            // San Marino and the Vatican keep the Italian-style leading 0 of fixed numbers.
            let zero_ok = matches!(cc.code, 378 | 379);
            usize::from(cc.min) <= n && n <= usize::from(cc.max) && (zero_ok || nsn.first() != Some(&b'0'))
        }
    }
}

/// Polish two-digit zones (UKE): geographic 12-18, 22-25, 29, 32-34, 41-48, 52, 54-56, 58-59, 61-63, 65, 67-68,
/// 71, 74-77, 81-87, 89, 91, 94-95; mobile 45, 50-51, 53, 57, 60, 66, 69, 72-73, 78-79, 88; VoIP 39; services
/// 70 and 80.
fn pl_prefix_ok(p: u8) -> bool {
    matches!(
        p,
        12..=18
            | 22..=25
            | 29
            | 32..=34
            | 39
            | 41..=48
            | 50..=69
            | 70..=79
            | 80..=89
            | 91
            | 94
            | 95
    )
}

/// Brazilian DDD area codes in use (Anatel).
fn br_ddd_ok(p: u8) -> bool {
    matches!(
        p,
        11..=19
            | 21
            | 22
            | 24
            | 27
            | 28
            | 31..=35
            | 37
            | 38
            | 41..=49
            | 51
            | 53..=55
            | 61..=69
            | 71
            | 73..=75
            | 77
            | 79
            | 81..=89
            | 91..=99
    )
}

/// 8 digits that read as YYYYMMDD or DDMMYYYY with a year in 1900-2099.
fn looks_like_date(d: &[u8]) -> bool {
    if d.len() != 8 {
        return false;
    }
    let num = |i: usize, j: usize| d[i..j].iter().fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
    let date_ok =
        |y: u32, m: u32, day: u32| (1900..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&day);
    date_ok(num(0, 4), num(4, 6), num(6, 8)) || date_ok(num(4, 8), num(2, 4), num(0, 2))
}

/// 10 digits in the Unix-seconds range of 2001-2033.
fn looks_like_unix_seconds(d: &[u8]) -> bool {
    d.len() == 10 && d.first() == Some(&b'1')
}

fn all_digits(d: &[u8]) -> bool {
    d.iter().all(u8::is_ascii_digit)
}

/// Digit value at `i`, or 10 when out of range (callers have checked that every byte is a digit).
fn at(d: &[u8], i: usize) -> u8 {
    d.get(i).map_or(10, |b| b.wrapping_sub(b'0'))
}

fn starts(d: &[u8], prefix: &[u8]) -> bool {
    d.starts_with(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().filter(u8::is_ascii_digit).collect()
    }

    #[test]
    fn calling_code_table_is_sorted_and_prefix_free() {
        assert!(CALLING_CODES.len() < 255);
        for (i, c) in CALLING_CODES.iter().enumerate() {
            assert_eq!(usize::from(CC_INDEX[usize::from(c.code)]), i + 1);
        }
        assert_eq!(CC_INDEX.iter().filter(|&&x| x != 0).count(), CALLING_CODES.len());
        for w in CALLING_CODES.windows(2) {
            assert!(w[0].code < w[1].code, "{} {}", w[0].code, w[1].code);
        }
        for a in CALLING_CODES {
            for b in CALLING_CODES {
                if a.code != b.code {
                    let (sa, sb) = (a.code.to_string(), b.code.to_string());
                    assert!(!sb.starts_with(&sa), "{sa} is a prefix of {sb}");
                }
            }
            assert!(a.plan.is_some() || (a.min >= 4 && a.min <= a.max), "{}", a.code);
        }
        for r in Region::ALL {
            let c = r.calling_code();
            let i = CALLING_CODES.binary_search_by_key(&c, |x| x.code).expect("calling code listed");
            let plan = CALLING_CODES[i].plan;
            assert!(plan == Some(*r) || (c == 1 && plan == Some(Region::Us)), "{r:?}");
        }
    }

    #[test]
    fn region_codes_round_trip() {
        for r in Region::ALL {
            assert_eq!(Region::from_code(r.code()), Some(*r));
            assert_eq!(Region::from_code(&r.code().to_ascii_lowercase()), Some(*r));
        }
        assert_eq!(Region::from_code("uk"), Some(Region::Gb));
        assert_eq!(Region::from_code("XX"), None);
        assert_eq!(Region::from_code("GBR"), None);
        assert_eq!(Region::from_code(""), None);
        assert_eq!(Region::from_code("é"), None);
    }

    #[test]
    fn nanp_table() {
        let valid = [
            "2015550123",
            "2125551212",
            "5403926876",
            "9056743793",
            "5798883058",
            "5186400854",
            "8002345678",
            "3105550199",
        ];
        for v in valid {
            assert!(nanp_valid(v.as_bytes()), "{v}");
        }
        let invalid = [
            "1234567890",
            "0123456789",
            "2115550123",
            "2915550123",
            "3725550123",
            "9655550123",
            "2011550123",
            "2010550123",
            "2014110123",
            "9841820190",
            "201555012",
            "20155501234",
            "20155501a3",
            "",
        ];
        for v in invalid {
            assert!(!nanp_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn nanp_area_code_only() {
        for v in ["9841820190", "2015550123", "2010000000", "5791118888"] {
            assert!(nanp_area_code_valid(v.as_bytes()), "{v}");
        }
        for v in ["1841820190", "2115550123", "3705550123", "9605550123", "2905550123", "984182019", "98418201a0"] {
            assert!(!nanp_area_code_valid(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn international_examples() {
        let valid: &[(&str, u16)] = &[
            ("+1 201-555-0123", 1),
            ("+1 (579) 888-3058", 1),
            ("+44 20 7946 0958", 44),
            ("+447700 921 916", 44),
            ("+44 1632 960983", 44),
            ("+353 85 012 3456", 353),
            ("+353 1 234 5678", 353),
            ("+49 30 901820", 49),
            ("+49 151 23456789", 49),
            ("+43 664 123456", 43),
            ("+41 44 668 18 00", 41),
            ("+33 6 12 34 56 78", 33),
            ("+33 1 23 45 67 89", 33),
            ("+32 470 12 34 56", 32),
            ("+32 2 123 45 67", 32),
            ("+31 6 12345678", 31),
            ("+31 20 123 4567", 31),
            ("+352 628 123 456", 352),
            ("+352 27 12 34 56", 352),
            ("+39 06 1234 5678", 39),
            ("+39 312 345 6789", 39),
            ("+34 612 34 56 78", 34),
            ("+34 810 12 34 56", 34),
            ("+351 912 345 678", 351),
            ("+351 212 345 678", 351),
            ("+46 8 123 456", 46),
            ("+46 70 123 45 67", 46),
            ("+47 406 12 345", 47),
            ("+45 32 12 34 56", 45),
            ("+358 41 2345678", 358),
            ("+48 12 345 67 89", 48),
            ("+48 512 345 678", 48),
            ("+420 601 123 456", 420),
            ("+36 1 234 5678", 36),
            ("+36 20 123 4567", 36),
            ("+30 21 2345 6789", 30),
            ("+30 691 234 5678", 30),
            ("+357 22 345678", 357),
            ("+372 5123 4567", 372),
            ("+354 611 1234", 354),
            ("+61 2 1234 5678", 61),
            ("+61 412 345 678", 61),
            ("+64 3 234 5678", 64),
            ("+64 21 123 4567", 64),
            ("+27 71 123 4567", 27),
            ("+91 98765 43210", 91),
            ("+55 11 96123 4567", 55),
            ("+55 11 2345 6789", 55),
            ("+52 222 123 4567", 52),
            ("+81 3 1234 5678", 81),
            ("+81 90 1234 5678", 81),
            ("+65 6123 4567", 65),
            ("+7 495 123 4567", 7),
            ("+86 138 0013 8000", 86),
            ("+234 802 123 4567", 234),
            ("+972 50 123 4567", 972),
            ("+380 44 123 4567", 380),
            ("+971 50 123 4567", 971),
            ("+20 10 1234 5678", 20),
            ("+378 0549 123456", 378),
            ("+44 800 123 4567", 44),
            ("+44 843 123 4567", 44),
            ("+44 56 1234 5678", 44),
            ("+49 800 1234567", 49),
            ("+39 848 123 456", 39),
            ("+39 55 1234 5678", 39),
            ("+39 800 123 456", 39),
            ("+46 900 123 4567", 46),
            ("+46 20 123 456", 46),
            ("+31 800 1234", 31),
            ("+32 800 12 345", 32),
            ("+47 800 12 345", 47),
            ("+353 1800 123 456", 353),
            ("+64 800 123 456", 64),
            ("+27 800 123 456", 27),
            ("+65 1800 123 4567", 65),
            ("+52 800 123 4567", 52),
            ("+91 1800 123 4567", 91),
        ];
        for (v, code) in valid {
            assert_eq!(international(&digits(v)), Some(*code), "{v}");
        }
        let invalid = [
            "+0 123 456 789",
            "+28 123 456 789",
            "+999 123 456 789",
            "+1 123 456 7890",
            "+1 984 182 0190",
            "+1764412345",
            "+44 0 20 7946 0958",
            "+44 4 123 456 789",
            "+33 12345",
            "+33 0 6 12 34 56 78",
            "+49 0 30 901820",
            "+1234567890123456",
            "+4",
            "+",
            "+61 5 1234 5678",
            "+34 512 34 56 78",
            "+47 123 45 678",
            "+91 01234 56789",
            "+7 195 123 4567",
            "+7 495 123 456",
        ];
        for v in invalid {
            assert_eq!(international(&digits(v)), None, "{v}");
        }
        assert_eq!(international(b"44207946095x"), None);
    }

    #[test]
    fn trunk_in_parentheses_after_the_calling_code() {
        let valid: &[(&str, u16)] = &[
            ("+46 (0)8 928 571 38", 46),
            ("+41 (0)96 471 07 95", 41),
            ("+44 (0)20 7946 0958", 44),
            ("+49 (0)30 901820", 49),
            ("+31 (0)24 971 50 30", 31),
            ("+39 (0)6 1234 5678", 39),
            ("+27 (0)71 123 4567", 27),
        ];
        for (v, code) in valid {
            assert_eq!(strip_trunk_in_international(&digits(v)), Some(*code), "{v}");
        }
        let invalid = [
            "+46 8 928 571 38",
            "+34 (0)612 34 56 78",
            "+1 (0)201 555 0123",
            "+45 (0)32 12 34 56",
            "+33 (0)0 12 34 56 78",
            "+44 (0)20 7946 095",
        ];
        for v in invalid {
            assert_eq!(strip_trunk_in_international(&digits(v)), None, "{v}");
        }
    }

    #[test]
    fn national_examples_per_region() {
        let valid: &[(&str, Region)] = &[
            ("201-555-0123", Region::Us),
            ("1 201 555 0123", Region::Us),
            ("(506) 234-5678", Region::Ca),
            ("1-416-555-0199", Region::Ca),
            ("020 7946 0958", Region::Gb),
            ("07700 900123", Region::Gb),
            ("01632 960983", Region::Gb),
            ("016977 3456", Region::Gb),
            ("0800 123 4567", Region::Gb),
            ("01 234 5678", Region::Ie),
            ("085 012 3456", Region::Ie),
            ("022 12345", Region::Ie),
            ("030 901820", Region::De),
            ("0151 23456789", Region::De),
            ("089 1234567", Region::De),
            ("01 234567890", Region::At),
            ("0664 123456", Region::At),
            ("044 668 18 00", Region::Ch),
            ("078 123 45 67", Region::Ch),
            ("06 12 34 56 78", Region::Fr),
            ("01 23 45 67 89", Region::Fr),
            ("02 123 45 67", Region::Be),
            ("0470 12 34 56", Region::Be),
            ("010 123 4567", Region::Nl),
            ("06 12345678", Region::Nl),
            ("27 12 34 56", Region::Lu),
            ("628 123 456", Region::Lu),
            ("02 1234 5678", Region::It),
            ("312 345 6789", Region::It),
            ("810 12 34 56", Region::Es),
            ("612 34 56 78", Region::Es),
            ("212 345 678", Region::Pt),
            ("912 345 678", Region::Pt),
            ("08 123 456", Region::Se),
            ("070 123 45 67", Region::Se),
            ("21 23 45 67", Region::No),
            ("406 12 345", Region::No),
            ("32 12 34 56", Region::Dk),
            ("20 12 34 56", Region::Dk),
            ("013 12345678", Region::Fi),
            ("041 2345678", Region::Fi),
            ("12 345 67 89", Region::Pl),
            ("512 345 678", Region::Pl),
            ("212 345 678", Region::Cz),
            ("601 123 456", Region::Cz),
            ("06 1 234 5678", Region::Hu),
            ("06 20 123 4567", Region::Hu),
            ("21 2345 6789", Region::Gr),
            ("691 234 5678", Region::Gr),
            ("22 345678", Region::Cy),
            ("96 123456", Region::Cy),
            ("321 2345", Region::Ee),
            ("5123 4567", Region::Ee),
            ("410 1234", Region::Is),
            ("611 1234", Region::Is),
            ("(02) 1234 5678", Region::Au),
            ("0412 345 678", Region::Au),
            ("03 234 5678", Region::Nz),
            ("021 123 4567", Region::Nz),
            ("010 123 4567", Region::Za),
            ("071 123 4567", Region::Za),
            ("98765 43210", Region::In),
            ("011 2345 6789", Region::In),
            ("(11) 96123-4567", Region::Br),
            ("(011) 2345-6789", Region::Br),
            ("0 21 11 2345 6789", Region::Br),
            ("222 123 4567", Region::Mx),
            ("01 222 123 4567", Region::Mx),
            ("044 55 1234 5678", Region::Mx),
            ("03-1234-5678", Region::Jp),
            ("090-1234-5678", Region::Jp),
            ("0120-123-456", Region::Jp),
            ("6123 4567", Region::Sg),
            ("8123 4567", Region::Sg),
            ("1800 123 4567", Region::Sg),
        ];
        for (v, region) in valid {
            assert_eq!(national(&digits(v), &[*region]), Some(*region), "{v}");
        }
    }

    #[test]
    fn national_rejects_non_numbers() {
        let invalid = [
            "20261129",
            "29112026",
            "19991231",
            "1764412345",
            "1700000000",
            "1764412345678",
            "12345678",
            "000000000",
            "0000000000",
            "00000000000",
            "1.2.3",
            "10.4.1",
            "8080",
            "443",
            "12345678901234567",
            "",
            "0",
            "01",
        ];
        for v in invalid {
            assert_eq!(national(&digits(v), Region::ALL), None, "{v}");
        }
        assert_eq!(national(b"0207946095x", Region::ALL), None);
        assert_eq!(national(b"020 7946 0958", Region::ALL), None);
    }

    #[test]
    fn national_rejects_wrong_leading_digits_and_lengths() {
        let cases: &[(&str, Region)] = &[
            ("020 7946 095", Region::Gb),
            ("040 1234 5678", Region::Gb),
            ("07700 90012", Region::Gb),
            ("7700 900123", Region::Gb),
            ("00 12 34 56 78", Region::Fr),
            ("06 12 34 56 7", Region::Fr),
            ("6 12 34 56 78", Region::Fr),
            ("01 234", Region::De),
            ("0123 4567890", Region::De),
            ("0501 234567", Region::Au),
            ("12 34 56 78", Region::No),
            ("123 45 678", Region::Es),
            ("512 34 56 78", Region::Es),
            ("412 345 678", Region::Pt),
            ("5123 4567", Region::Sg),
            ("55 1234 5678", Region::Fr),
            ("09 123 4567 890", Region::Za),
            ("1 234 5678", Region::Hu),
            ("0 12345678", Region::Hu),
            ("20 123 4567", Region::Gr),
            ("1 222 123 4567", Region::Mx),
            ("(10) 2345-6789", Region::Br),
            ("(11) 6345-6789", Region::Br),
            ("5123 4567", Region::In),
            ("01 2345 678", Region::Jp),
            ("10 12 34 56", Region::Dk),
            ("100 12 345", Region::Pl),
            ("112 345 678", Region::Cz),
            ("210 1234", Region::Is),
            ("123-555-0123", Region::Us),
            ("201-155-0123", Region::Us),
            ("(212) 555-0123", Region::Ca),
        ];
        for (v, region) in cases {
            assert_eq!(national(&digits(v), &[*region]), None, "{v} {region:?}");
        }
    }

    #[test]
    fn faker_values_from_the_scoring_corpus() {
        // (value, how it is checked, expected answer)
        assert_eq!(international(&digits("+1-984-182-0190")), None, "NXX 182 is not a valid exchange");
        assert_eq!(strip_trunk_in_international(&digits("+46 (0)8 928 571 38")), Some(46));
        assert_eq!(strip_trunk_in_international(&digits("+41 (0)96 471 07 95")), Some(41));
        assert_eq!(international(&digits("+447700 921 916")), Some(44));
        // 001-518-640-0854: the caller strips the 00 international prefix.
        assert_eq!(international(&digits("1-518-640-0854")), Some(1));
        assert!(nanp_valid(&digits("905-674-3793")));
        assert!(nanp_valid(&digits("5403926876")));
        assert!(nanp_valid(&digits("(579)888-3058")));
        let all = Region::ALL;
        let cases: &[(&str, Region)] = &[
            ("07700 063 966", Region::Gb),
            ("0490 75 40 81", Region::Be),
            ("0688 872 49 99", Region::At),
            ("03.93.92.16.85", Region::Fr),
            ("01.84.17.61.18", Region::Fr),
            ("(08) 8747 6301", Region::Au),
            ("083 564 9312", Region::Ie),
            ("0393 1144137", Region::It),
            ("079 2718 1155", Region::Gb),
            ("024 971 50 30", Region::Nl),
            ("0961-7596216", Region::It),
            ("905-674-3793", Region::Us),
            ("5403926876", Region::Us),
            ("(579)888-3058", Region::Us),
        ];
        for (v, region) in cases {
            assert_eq!(national(&digits(v), &[*region]), Some(*region), "{v}");
            assert!(national(&digits(v), all).is_some(), "{v}");
        }
        // Ordered lists pick the first matching region.
        assert_eq!(national(&digits("0490 75 40 81"), &[Region::Au, Region::Be]), Some(Region::Au));
        assert_eq!(national(&digits("(579)888-3058"), &[Region::Ca, Region::Us]), Some(Region::Ca));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut buf = [0u8; 20];
        let mut accepted = 0u32;
        for round in 0..50_000usize {
            let len = round % 20;
            for b in buf.iter_mut().take(len) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let r = x.to_le_bytes()[0];
                *b = if round % 4 == 0 { r } else { b'0' + r % 10 };
            }
            let s = &buf[..len];
            accepted += u32::from(international(s).is_some());
            accepted += u32::from(strip_trunk_in_international(s).is_some());
            accepted += u32::from(nanp_valid(s));
            accepted += u32::from(national(s, Region::ALL).is_some());
        }
        assert!(accepted > 0);
    }
}
