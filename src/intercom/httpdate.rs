//! IMF-fixdate (`Date` header) formatting and parsing, shared by the client and the simulator.

use crate::calendar::CivilDate;

/// (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let date = CivilDate::from_days_since_epoch(days);
    (i64::from(date.year()), u32::from(date.month()), u32::from(date.day()))
}

/// Formats Unix seconds as `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn format(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days.rem_euclid(7)) as usize];
    let month = MONTHS[(m - 1) as usize];
    format!("{weekday}, {d:02} {month} {y} {:02}:{:02}:{:02} GMT", secs / 3600, (secs / 60) % 60, secs % 60)
}

/// Parses an IMF-fixdate into Unix seconds.
pub fn parse(text: &str) -> Option<u64> {
    let rest = text.trim().split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let d: u32 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let m = MONTHS.iter().position(|name| *name == month)? as u32 + 1;
    let y: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let min: u64 = hms.next()?.parse().ok()?;
    let s: u64 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || h > 23 || min > 59 || s > 60 || !(1..=31).contains(&d) {
        return None;
    }
    let date = CivilDate::from_ymd(i32::try_from(y).ok()?, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()?;
    u64::try_from(date.days_since_epoch()).ok().map(|days| days * 86_400 + h * 3600 + min * 60 + s)
}

/// Formats Unix seconds as `YYYY-MM-DD`.
pub fn ymd(unix: u64) -> String {
    let (y, m, d) = civil_from_days((unix / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Formats Unix seconds as ISO-8601 `YYYY-MM-DDTHH:MM:SS.000Z`.
pub fn iso8601(unix: u64) -> String {
    let secs = unix % 86_400;
    format!("{}T{:02}:{:02}:{:02}.000Z", ymd(unix), secs / 3600, (secs / 60) % 60, secs % 60)
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        for t in [0u64, 951_782_400, 1_780_000_000, 4_102_444_800] {
            assert_eq!(parse(&format(t)), Some(t));
        }
        assert_eq!(ymd(951_782_400), "2000-02-29");
        assert_eq!(parse("garbage"), None);
    }
}
