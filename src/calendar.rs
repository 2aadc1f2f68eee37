//! Civil (proleptic Gregorian) dates without a clock or time zone: the calendar arithmetic every module shares.
//!
//! Written by hand (about a hundred lines, Howard Hinnant's days-from-civil algorithm) rather than pulling in a
//! date crate: the deadline rules need only whole days, months and weekdays, never times or zones.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date such as `2024-02-29`. Ordering is chronological.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    year: i32,
    month: u8,
    day: u8,
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Why a text or a triple is not a calendar date.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DateError {
    #[error("not a date; write it as YYYY-MM-DD, e.g. 2024-02-29")]
    Format,
    #[error("{0:04}-{1:02}-{2:02} does not exist in the calendar; check the day and month")]
    OutOfRange(i32, u8, u8),
}

impl CivilDate {
    /// Builds a date, refusing days that do not exist (e.g. 2023-02-29). Years are limited to 1..=9999.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<CivilDate, DateError> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::OutOfRange(year, month, day));
        }
        Ok(CivilDate { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Today's date in UTC, from the system clock.
    pub fn today_utc() -> CivilDate {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        CivilDate::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The UTC date of a Unix timestamp in seconds.
    pub fn from_unix_seconds(secs: i64) -> CivilDate {
        CivilDate::from_days_since_epoch(secs.div_euclid(86_400))
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> CivilDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CivilDate { year, month, day }
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(self, n: i64) -> CivilDate {
        CivilDate::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// The same day-of-month `n` months later, or that month's last day when it has no such day
    /// (Regulation 1182/71 Art. 3(2)(c)): 2023-01-31 plus one month is 2023-02-28.
    pub fn add_months(self, n: u32) -> CivilDate {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(n);
        let year = index.div_euclid(12) as i32;
        let month = (index.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        CivilDate { year, month, day }
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.days_since_epoch() + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    /// Whether the date falls on a Saturday or a Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self.weekday(), Weekday::Saturday | Weekday::Sunday)
    }
}

/// Whether `year` is a Gregorian leap year (2024 and 2000 are; 2100 is not).
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month (1..=12).
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl FromStr for CivilDate {
    type Err = DateError;

    fn from_str(text: &str) -> Result<CivilDate, DateError> {
        let bad = || DateError::Format;
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(bad());
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &text[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse::<u32>().map_err(|_| bad())
        };
        let year = digits(0..4)? as i32;
        let month = digits(5..7)? as u8;
        let day = digits(8..10)? as u8;
        CivilDate::from_ymd(year, month, day)
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for CivilDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CivilDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<CivilDate, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> CivilDate {
        text.parse().unwrap()
    }

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        let start = d("1900-01-01").days_since_epoch();
        let mut previous = CivilDate::from_days_since_epoch(start - 1);
        for n in start..start + 146_097 {
            let date = CivilDate::from_days_since_epoch(n);
            assert_eq!(date.days_since_epoch(), n);
            assert!(date > previous, "{date} after {previous}");
            assert_eq!(CivilDate::from_ymd(date.year, date.month, date.day), Ok(date));
            previous = date;
        }
    }

    #[test]
    fn known_weekdays_and_epoch() {
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("1970-01-01").weekday(), Weekday::Thursday);
        assert_eq!(d("2024-02-29").weekday(), Weekday::Thursday);
        assert_eq!(d("2026-11-29").weekday(), Weekday::Sunday);
        assert_eq!(d("2100-03-01").weekday(), Weekday::Monday);
        assert_eq!(CivilDate::from_unix_seconds(86_399), d("1970-01-01"));
        assert_eq!(CivilDate::from_unix_seconds(-1), d("1969-12-31"));
    }

    #[test]
    fn parsing_refuses_malformed_and_impossible_dates() {
        for bad in ["", "2024-2-29", "2024/02/29", "2024-02-2x", "+024-02-01", "2024-02-29 "] {
            assert!(matches!(bad.parse::<CivilDate>(), Err(DateError::Format)), "{bad}");
        }
        for bad in ["2023-02-29", "2100-02-29", "2024-13-01", "2024-04-31", "2024-00-10", "0000-01-01"] {
            assert!(matches!(bad.parse::<CivilDate>(), Err(DateError::OutOfRange(..))), "{bad}");
        }
        assert_eq!(d("2000-02-29").to_string(), "2000-02-29");
        let json = serde_json::to_string(&d("2024-03-01")).unwrap();
        assert_eq!(json, "\"2024-03-01\"");
        assert_eq!(serde_json::from_str::<CivilDate>(&json).unwrap(), d("2024-03-01"));
    }

    #[test]
    fn adding_months_clamps_to_the_last_day() {
        assert_eq!(d("2023-01-31").add_months(1), d("2023-02-28"));
        assert_eq!(d("2024-01-31").add_months(1), d("2024-02-29"));
        assert_eq!(d("2100-01-31").add_months(1), d("2100-02-28"));
        assert_eq!(d("2024-03-31").add_months(1), d("2024-04-30"));
        assert_eq!(d("2024-12-15").add_months(1), d("2025-01-15"));
        assert_eq!(d("2024-11-30").add_months(3), d("2025-02-28"));
    }
}
