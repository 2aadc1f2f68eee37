//! Legal deadlines of data-subject requests (GDPR, UK GDPR, CCPA): pure date arithmetic, no I/O, no clock.
//!
//! - **GDPR / UK GDPR** (Art. 12(3); periods counted per Regulation 1182/71 Art. 3): one month from receipt,
//!   ending on the same date of the next month or, when that month has no such date, on its last day. A period
//!   ending on a Saturday, Sunday or configured public holiday ends on the next working day. One extension "by two
//!   further months" is allowed, only before the original due date (Art. 12(3): notified within the first month), only once and only with a reason; the
//!   extended period is the unadjusted one-month end plus two months (the earlier of the two readings of "two
//!   further months": 31 January gives 28 April, not 30 April), then moved off weekends and holidays.
//! - **CCPA** (11 CCR §7021): acknowledgement within 10 business days of receipt (days after receipt that are
//!   neither weekend days nor configured holidays); response within 45 calendar days of receipt, counted from
//!   receipt, not from verification; one extension of 45 more days (90 in all) with notice before day 45. Calendar
//!   day ends are not moved off weekends (the conservative reading). Requests to opt out of sale/sharing
//!   (§7026(f)) are due within 15 business days, need no acknowledgement and cannot be extended.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::calendar::CivilDate;

/// The legal regime a request is made under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Regime {
    Gdpr,
    UkGdpr,
    Ccpa,
}

/// What the data subject asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    Access,
    Erasure,
    Rectification,
    OptOut,
}

/// Working-day calendar: weekends plus the public holidays given in configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<CivilDate>,
}

/// The deadlines of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// The date the request was received.
    pub received: CivilDate,
    /// The date the response is due now (after any extension).
    pub due: CivilDate,
    /// The due date before any extension; an extension notice is due by then.
    pub original_due: CivilDate,
    /// The acknowledgement deadline (CCPA requests other than opt-outs).
    pub ack_due: Option<CivilDate>,
    /// Whether the one allowed extension has been used.
    pub extended: bool,
}

/// Why an extension is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtensionError {
    #[error("the deadline was already extended once; the law allows a single extension")]
    AlreadyExtended,
    #[error("the extension comes too late: it had to be decided and notified before {due}, the original due date")]
    TooLate { due: CivilDate },
    #[error("an extension needs a recorded reason; give one with --reason")]
    NoReason,
    #[error(
        "this kind of request cannot be extended under this regime (CCPA opt-outs are due within 15 business days)"
    )]
    NotExtendable,
}

/// Why a regime or a kind name is not understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseNameError {
    #[error("unknown regime; use gdpr, uk-gdpr or ccpa")]
    Regime,
    #[error("unknown request kind; use access, erasure, rectification or opt-out")]
    Kind,
}

impl Calendar {
    /// A calendar with the given public holidays (weekends are always non-working).
    pub fn with_holidays(holidays: impl IntoIterator<Item = CivilDate>) -> Calendar {
        Calendar { holidays: holidays.into_iter().collect() }
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: CivilDate) -> bool {
        !date.is_weekend() && !self.holidays.contains(&date)
    }

    /// `date` itself if it is a working day, else the next working day.
    pub fn roll_forward(&self, date: CivilDate) -> CivilDate {
        let mut day = date;
        // Bounded: a year cannot be all holidays in any sane configuration; stop after 366 days regardless.
        for _ in 0..366 {
            if self.is_working_day(day) {
                return day;
            }
            day = day.add_days(1);
        }
        day
    }

    /// The `n`th working day after `date` (not counting `date` itself).
    pub fn add_business_days(&self, date: CivilDate, n: u32) -> CivilDate {
        let mut day = date;
        let mut counted = 0;
        let mut guard = 0u32;
        while counted < n && guard < n.saturating_mul(7).saturating_add(366) {
            day = day.add_days(1);
            guard += 1;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }
}

/// The deadlines of a request received on `received`.
pub fn initial(regime: Regime, kind: RequestKind, received: CivilDate, calendar: &Calendar) -> Deadlines {
    let (due, ack_due) = match (regime, kind) {
        (Regime::Gdpr | Regime::UkGdpr, _) => (calendar.roll_forward(received.add_months(1)), None),
        (Regime::Ccpa, RequestKind::OptOut) => (calendar.add_business_days(received, 15), None),
        (Regime::Ccpa, _) => (received.add_days(45), Some(calendar.add_business_days(received, 10))),
    };
    Deadlines { received, due, original_due: due, ack_due, extended: false }
}

/// Extends `current` once, as decided on `decided_on` for `reason`.
pub fn extend(
    regime: Regime,
    kind: RequestKind,
    current: &Deadlines,
    decided_on: CivilDate,
    reason: &str,
    calendar: &Calendar,
) -> Result<Deadlines, ExtensionError> {
    if regime == Regime::Ccpa && kind == RequestKind::OptOut {
        return Err(ExtensionError::NotExtendable);
    }
    if current.extended {
        return Err(ExtensionError::AlreadyExtended);
    }
    if reason.trim().is_empty() {
        return Err(ExtensionError::NoReason);
    }
    if decided_on >= current.original_due {
        return Err(ExtensionError::TooLate { due: current.original_due });
    }
    let due = match regime {
        Regime::Gdpr | Regime::UkGdpr => calendar.roll_forward(current.received.add_months(1).add_months(2)),
        Regime::Ccpa => current.received.add_days(90),
    };
    Ok(Deadlines { due, extended: true, ..*current })
}

/// Whether a still-open request is overdue on `today` (the due date itself is still on time).
pub fn is_overdue(deadlines: &Deadlines, today: CivilDate) -> bool {
    today > deadlines.due
}

impl Regime {
    /// The name used on the command line, in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Gdpr => "gdpr",
            Regime::UkGdpr => "uk-gdpr",
            Regime::Ccpa => "ccpa",
        }
    }
}

impl RequestKind {
    /// The name used on the command line, in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Erasure => "erasure",
            RequestKind::Rectification => "rectification",
            RequestKind::OptOut => "opt-out",
        }
    }
}

impl FromStr for Regime {
    type Err = ParseNameError;

    fn from_str(text: &str) -> Result<Regime, ParseNameError> {
        match text {
            "gdpr" => Ok(Regime::Gdpr),
            "uk-gdpr" => Ok(Regime::UkGdpr),
            "ccpa" => Ok(Regime::Ccpa),
            _ => Err(ParseNameError::Regime),
        }
    }
}

impl FromStr for RequestKind {
    type Err = ParseNameError;

    fn from_str(text: &str) -> Result<RequestKind, ParseNameError> {
        match text {
            "access" => Ok(RequestKind::Access),
            "erasure" => Ok(RequestKind::Erasure),
            "rectification" => Ok(RequestKind::Rectification),
            "opt-out" => Ok(RequestKind::OptOut),
            _ => Err(ParseNameError::Kind),
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> CivilDate {
        text.parse().unwrap()
    }

    fn no_holidays() -> Calendar {
        Calendar::default()
    }

    /// (regime, kind, received, expected due, expected ack due or "", why)
    #[rustfmt::skip]
    const INITIAL_CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
        // GDPR: same date next month, on a working day.
        ("gdpr", "access", "2024-03-05", "2024-04-05", "", "plain weekday"),
        ("gdpr", "erasure", "2024-01-15", "2024-02-15", "", "thursday"),
        ("uk-gdpr", "access", "2024-09-03", "2024-10-03", "", "ICO example, 3 Sep -> 3 Oct"),
        ("gdpr", "rectification", "2024-12-16", "2025-01-16", "", "across the year end"),
        ("gdpr", "opt-out", "2024-06-10", "2024-07-10", "", "objection, same one month"),
        // Month ends: the 31st into a 30-day month, January into February.
        (
            "gdpr",
            "access",
            "2024-03-31",
            "2024-04-30",
            "",
            "31st -> 30-day month (tuesday)",
        ),
        (
            "gdpr",
            "access",
            "2025-05-31",
            "2025-06-30",
            "",
            "31st -> 30 June (monday)",
        ),
        ("gdpr", "access", "2024-08-31", "2024-09-30", "", "31 Aug -> 30 Sep"),
        ("gdpr", "access", "2025-10-31", "2025-12-01", "", "31 Oct -> 30 Nov is a sunday -> monday"),
        (
            "gdpr",
            "access",
            "2023-01-31",
            "2023-02-28",
            "",
            "non-leap february (tuesday)",
        ),
        (
            "gdpr",
            "access",
            "2024-01-31",
            "2024-02-29",
            "",
            "leap year 2024 (thursday)",
        ),
        ("gdpr", "access", "2024-01-29", "2024-02-29", "", "29 Jan in a leap year"),
        ("gdpr", "access", "2023-01-29", "2023-02-28", "", "29 Jan in a common year"),
        (
            "gdpr",
            "access",
            "2028-01-31",
            "2028-02-29",
            "",
            "leap year 2028 (tuesday)",
        ),
        ("gdpr", "access", "2028-01-30", "2028-02-29", "", "30 Jan, leap 2028"),
        ("gdpr", "access", "2100-01-31", "2100-03-01", "", "2100 is not leap: 28 Feb is a sunday -> 1 Mar"),
        ("gdpr", "access", "2100-01-28", "2100-03-01", "", "2100-02-28 sunday -> monday"),
        (
            "gdpr",
            "access",
            "2000-01-31",
            "2000-02-29",
            "",
            "2000 is leap (tuesday)",
        ),
        (
            "uk-gdpr",
            "erasure",
            "2024-02-29",
            "2024-03-29",
            "",
            "from a leap day (friday)",
        ),
        ("gdpr", "access", "2023-02-28", "2023-03-28", "", "28 Feb -> 28 Mar, not month end"),
        // Weekends.
        ("gdpr", "access", "2024-05-04", "2024-06-04", "", "received saturday, due tuesday"),
        ("gdpr", "access", "2024-05-08", "2024-06-10", "", "8 Jun is saturday -> monday"),
        ("gdpr", "access", "2024-05-09", "2024-06-10", "", "9 Jun is sunday -> monday"),
        ("uk-gdpr", "access", "2024-10-30", "2024-12-02", "", "30 Nov saturday -> 2 Dec"),
        ("gdpr", "access", "2026-10-31", "2026-11-30", "", "30 Nov 2026 is a monday"),
        // CCPA: 45 calendar days, ack within 10 business days, weekends not moved.
        ("ccpa", "access", "2024-01-02", "2024-02-16", "2024-01-16", "tuesday"),
        ("ccpa", "erasure", "2024-01-05", "2024-02-19", "2024-01-19", "friday receipt"),
        ("ccpa", "access", "2024-01-06", "2024-02-20", "2024-01-19", "saturday receipt: ack counts from monday"),
        ("ccpa", "rectification", "2024-02-10", "2024-03-26", "2024-02-23", "across leap day"),
        ("ccpa", "access", "2023-02-10", "2023-03-27", "2023-02-24", "common year"),
        ("ccpa", "access", "2024-12-20", "2025-02-03", "2025-01-03", "across the year end"),
        ("ccpa", "access", "2024-06-08", "2024-07-23", "2024-06-21", "45 days land on a tuesday"),
        ("ccpa", "access", "2024-05-04", "2024-06-18", "2024-05-17", "saturday"),
        ("ccpa", "access", "2024-03-23", "2024-05-07", "2024-04-05", "response due is a tuesday"),
        ("ccpa", "access", "2024-05-11", "2024-06-25", "2024-05-24", "45 days"),
        ("ccpa", "access", "2024-04-20", "2024-06-04", "2024-05-03", "45 days"),
        ("ccpa", "access", "2024-06-01", "2024-07-16", "2024-06-14", "45 days"),
        ("ccpa", "access", "2024-06-16", "2024-07-31", "2024-06-28", "sunday receipt"),
        ("ccpa", "access", "2024-07-05", "2024-08-19", "2024-07-19", "45 days"),
        ("ccpa", "access", "2024-04-06", "2024-05-21", "2024-04-19", "45 days"),
        ("ccpa", "access", "2024-04-13", "2024-05-28", "2024-04-26", "45 days"),
        ("ccpa", "access", "2024-05-18", "2024-07-02", "2024-05-31", "45 days"),
        ("ccpa", "access", "2024-08-10", "2024-09-24", "2024-08-23", "45 days"),
        ("ccpa", "access", "2024-11-16", "2024-12-31", "2024-11-29", "45 days"),
        ("ccpa", "access", "2024-11-02", "2024-12-17", "2024-11-15", "45 days"),
        ("ccpa", "access", "2024-09-14", "2024-10-29", "2024-09-27", "45 days"),
        ("ccpa", "access", "2024-06-29", "2024-08-13", "2024-07-12", "45 days"),
        ("ccpa", "access", "2024-07-27", "2024-09-10", "2024-08-09", "45 days"),
        ("ccpa", "access", "2024-08-17", "2024-10-01", "2024-08-30", "45 days"),
        ("ccpa", "access", "2024-12-07", "2025-01-21", "2024-12-20", "45 days"),
        ("ccpa", "access", "2024-03-02", "2024-04-16", "2024-03-15", "45 days"),
        ("ccpa", "access", "2024-10-05", "2024-11-19", "2024-10-18", "45 days"),
        ("ccpa", "access", "2024-07-20", "2024-09-03", "2024-08-02", "45 days"),
        ("ccpa", "access", "2024-01-13", "2024-02-27", "2024-01-26", "45 days"),
        ("ccpa", "access", "2024-02-24", "2024-04-09", "2024-03-08", "45 days"),
        ("ccpa", "access", "2024-03-09", "2024-04-23", "2024-03-22", "45 days"),
        ("ccpa", "access", "2024-09-28", "2024-11-12", "2024-10-11", "45 days"),
        ("ccpa", "access", "2024-10-26", "2024-12-10", "2024-11-08", "45 days"),
        ("ccpa", "access", "2024-01-20", "2024-03-05", "2024-02-02", "45 days across leap feb"),
        ("ccpa", "access", "2023-01-20", "2023-03-06", "2023-02-03", "45 days across common feb"),
        // CCPA opt-out of sale/sharing: 15 business days, no acknowledgement.
        ("ccpa", "opt-out", "2024-01-02", "2024-01-23", "", "15 business days"),
        ("ccpa", "opt-out", "2024-01-06", "2024-01-26", "", "saturday receipt"),
    ];

    #[test]
    fn initial_deadline_table() {
        let calendar = no_holidays();
        for (regime, kind, received, due, ack, why) in INITIAL_CASES {
            let got = initial(regime.parse().unwrap(), kind.parse().unwrap(), d(received), &calendar);
            assert_eq!(got.due, d(due), "{regime} {kind} {received}: {why}");
            assert_eq!(got.original_due, got.due);
            assert!(!got.extended);
            let expected_ack = if ack.is_empty() { None } else { Some(d(ack)) };
            assert_eq!(got.ack_due, expected_ack, "{regime} {kind} {received} ack: {why}");
            assert!(calendar.is_working_day(got.due) || *regime == "ccpa", "{why}");
        }
        assert!(INITIAL_CASES.len() >= 60);
    }

    #[test]
    fn ccpa_response_is_always_45_calendar_days_and_ack_10_business_days() {
        let calendar = no_holidays();
        let start = d("2024-01-01");
        for offset in 0..800 {
            let received = start.add_days(offset);
            let got = initial(Regime::Ccpa, RequestKind::Access, received, &calendar);
            assert_eq!(got.due.days_since_epoch() - received.days_since_epoch(), 45);
            let ack = got.ack_due.unwrap();
            let span = ack.days_since_epoch() - received.days_since_epoch();
            assert!((12..=16).contains(&span), "{received}: ack after {span} days");
            assert!(calendar.is_working_day(ack));
        }
    }

    #[test]
    fn gdpr_due_is_never_on_a_weekend_and_within_a_month_plus_three_days() {
        let calendar = no_holidays();
        let start = d("2023-12-01");
        for offset in 0..1500 {
            let received = start.add_days(offset);
            let got = initial(Regime::Gdpr, RequestKind::Erasure, received, &calendar);
            assert!(!got.due.is_weekend(), "{received} -> {}", got.due);
            let plain = received.add_months(1);
            let shift = got.due.days_since_epoch() - plain.days_since_epoch();
            assert!((0..=2).contains(&shift), "{received}");
        }
    }

    type HolidayCase = (&'static str, &'static str, &'static [&'static str], &'static str, &'static str, &'static str);

    /// (regime, received, holidays, expected due, expected ack or "", why)
    #[rustfmt::skip]
    const HOLIDAY_CASES: &[HolidayCase] = &[
        ("gdpr", "2024-11-25", &["2024-12-25", "2024-12-26"], "2024-12-27", "", "due on Christmas"),
        ("uk-gdpr", "2024-11-26", &["2024-12-25", "2024-12-26"], "2024-12-27", "", "Boxing Day"),
        ("gdpr", "2024-11-30", &["2024-12-30", "2024-12-31", "2025-01-01"], "2025-01-02", "", "run of holidays"),
        ("uk-gdpr", "2025-04-05", &["2025-05-05"], "2025-05-06", "", "due on a holiday monday"),
        ("uk-gdpr", "2025-04-04", &["2025-05-05"], "2025-05-06", "", "sunday then holiday monday"),
        ("gdpr", "2024-04-01", &["2024-05-01"], "2024-05-02", "", "May Day"),
        ("gdpr", "2024-04-02", &["2024-05-01"], "2024-05-02", "", "a holiday not on the due date changes nothing"),
        ("ccpa", "2024-12-20", &["2024-12-25", "2025-01-01"], "2025-02-03", "2025-01-07", "ack skips holidays"),
        ("ccpa", "2024-11-22", &["2024-11-28", "2024-11-29"], "2025-01-06", "2024-12-10", "Thanksgiving"),
    ];

    #[test]
    fn configured_public_holidays_table() {
        for (regime, received, holidays, due, ack, why) in HOLIDAY_CASES {
            let calendar = Calendar::with_holidays(holidays.iter().map(|h| d(h)));
            let got = initial(regime.parse().unwrap(), RequestKind::Access, d(received), &calendar);
            assert_eq!(got.due, d(due), "{why}");
            let expected_ack = if ack.is_empty() { None } else { Some(d(ack)) };
            assert_eq!(got.ack_due, expected_ack, "{why}");
        }
    }

    /// (regime, kind, received, decided on, reason, expected new due or error name, why)
    #[rustfmt::skip]
    const EXTENSION_CASES: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
        ("gdpr", "access", "2024-03-05", "2024-03-20", "complex", "2024-06-05", "three months in all"),
        ("gdpr", "access", "2024-03-05", "2024-04-04", "complex", "2024-06-05", "the day before the due date"),
        ("gdpr", "access", "2024-03-05", "2024-04-05", "complex", "too-late", "on the due date itself"),
        ("gdpr", "access", "2024-03-05", "2024-04-06", "complex", "too-late", "one day late"),
        ("gdpr", "access", "2024-03-05", "2024-09-01", "complex", "too-late", "months late"),
        ("gdpr", "access", "2024-03-05", "2024-03-06", "", "no-reason", "empty reason"),
        ("gdpr", "access", "2024-03-05", "2024-03-06", "   ", "no-reason", "blank reason"),
        (
            "gdpr",
            "access",
            "2023-11-30",
            "2023-12-01",
            "volume",
            "2024-02-29",
            "30 Nov -> 29 Feb 2024 (leap)",
        ),
        ("gdpr", "access", "2022-11-30", "2022-12-01", "volume", "2023-02-28", "30 Nov -> 28 Feb 2023"),
        ("gdpr", "access", "2024-01-31", "2024-02-01", "volume", "2024-04-29", "29 Feb + 2 months = 29 Apr"),
        ("gdpr", "access", "2023-01-31", "2023-02-01", "volume", "2023-04-28", "28 Feb + 2 months = 28 Apr"),
        ("uk-gdpr", "erasure", "2024-06-08", "2024-06-10", "many systems", "2024-09-09", "8 Sep is a sunday"),
        ("uk-gdpr", "erasure", "2024-05-08", "2024-06-07", "many systems", "2024-08-08", "due rolled to monday; the friday before is in time"),
        ("uk-gdpr", "erasure", "2024-05-08", "2024-06-10", "many systems", "too-late", "due rolled to monday; on it is too late"),
        ("uk-gdpr", "erasure", "2024-05-08", "2024-06-11", "many systems", "too-late", "after the rolled due date"),
        ("gdpr", "access", "2099-11-30", "2099-12-01", "volume", "2100-03-01", "2100-02-28 sunday -> monday"),
        ("ccpa", "access", "2024-01-02", "2024-02-01", "volume", "2024-04-01", "90 days"),
        ("ccpa", "access", "2024-01-02", "2024-02-15", "volume", "2024-04-01", "notice on day 44"),
        ("ccpa", "access", "2024-01-02", "2024-02-16", "volume", "too-late", "notice on day 45 is not before day 45"),
        ("ccpa", "access", "2024-01-02", "2024-02-17", "volume", "too-late", "day 46"),
        ("ccpa", "erasure", "2024-01-01", "2024-01-02", "", "no-reason", "reason needed"),
        ("ccpa", "rectification", "2023-12-01", "2023-12-02", "volume", "2024-02-29", "90 days across leap day"),
        ("ccpa", "opt-out", "2024-01-02", "2024-01-03", "volume", "not-extendable", "opt-outs"),
    ];

    fn error_name(error: &ExtensionError) -> &'static str {
        match error {
            ExtensionError::AlreadyExtended => "already-extended",
            ExtensionError::TooLate { .. } => "too-late",
            ExtensionError::NoReason => "no-reason",
            ExtensionError::NotExtendable => "not-extendable",
        }
    }

    #[test]
    fn extension_table() {
        let calendar = no_holidays();
        for (regime, kind, received, on, reason, expected, why) in EXTENSION_CASES {
            let regime: Regime = regime.parse().unwrap();
            let kind: RequestKind = kind.parse().unwrap();
            let first = initial(regime, kind, d(received), &calendar);
            let got = extend(regime, kind, &first, d(on), reason, &calendar);
            match got {
                Ok(extended) => {
                    assert_eq!(extended.due.to_string(), *expected, "{why}");
                    assert!(extended.extended);
                    assert_eq!(extended.original_due, first.due);
                    assert_eq!(extended.ack_due, first.ack_due);
                    // Repeating is always refused.
                    let again = extend(regime, kind, &extended, d(on), reason, &calendar);
                    assert_eq!(again, Err(ExtensionError::AlreadyExtended), "{why}");
                }
                Err(error) => assert_eq!(error_name(&error), *expected, "{why}"),
            }
        }
    }

    #[test]
    fn extensions_never_exceed_the_legal_maximum() {
        let calendar = no_holidays();
        let start = d("2023-10-01");
        for offset in 0..900 {
            let received = start.add_days(offset);
            for regime in [Regime::Gdpr, Regime::Ccpa] {
                let first = initial(regime, RequestKind::Access, received, &calendar);
                let extended = extend(regime, RequestKind::Access, &first, received, "x", &calendar).unwrap();
                let total = extended.due.days_since_epoch() - received.days_since_epoch();
                match regime {
                    Regime::Ccpa => assert_eq!(total, 90),
                    _ => {
                        assert!(extended.due <= calendar.roll_forward(received.add_months(3)), "{received}");
                        assert!(!extended.due.is_weekend());
                    }
                }
            }
        }
    }

    #[test]
    fn extension_with_holiday_on_the_new_due_date() {
        let calendar = Calendar::with_holidays([d("2024-12-25"), d("2024-12-26")]);
        let first = initial(Regime::Gdpr, RequestKind::Access, d("2024-09-25"), &calendar);
        assert_eq!(first.due, d("2024-10-25"));
        let extended = extend(Regime::Gdpr, RequestKind::Access, &first, d("2024-10-01"), "x", &calendar).unwrap();
        assert_eq!(extended.due, d("2024-12-27"));
    }

    #[test]
    fn overdue_starts_the_day_after_the_due_date() {
        let got = initial(Regime::Gdpr, RequestKind::Access, d("2024-03-05"), &no_holidays());
        assert!(!is_overdue(&got, d("2024-04-05")));
        assert!(is_overdue(&got, d("2024-04-06")));
        assert!(!is_overdue(&got, d("2024-03-05")));
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        for regime in [Regime::Gdpr, Regime::UkGdpr, Regime::Ccpa] {
            assert_eq!(regime.as_str().parse::<Regime>(), Ok(regime));
        }
        for kind in [RequestKind::Access, RequestKind::Erasure, RequestKind::Rectification, RequestKind::OptOut] {
            assert_eq!(kind.as_str().parse::<RequestKind>(), Ok(kind));
        }
        let err = "hipaa".parse::<Regime>().unwrap_err().to_string();
        assert!(err.contains("gdpr, uk-gdpr or ccpa"), "{err}");
        assert!("delete".parse::<RequestKind>().is_err());
    }
}
