//! Retention periods (`30d`, `24mo`, `6y`) for what Steward stores; the audit log has none, by design.

use std::fmt;

/// The stored categories a `[retention]` table may name.
pub const RETENTION_KEYS: &[&str] =
    &["access_packages", "export_files", "erasure_receipts", "request_records", "job_journal", "spool"];

/// The unit of a retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionUnit {
    Days,
    Weeks,
    Months,
    Years,
}

/// A parsed retention period: calendar months and years are kept as such, not converted to days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPeriod {
    pub amount: u32,
    pub unit: RetentionUnit,
}

impl RetentionPeriod {
    /// Parses `30d`, `2w`, `24mo`, `6y` (a positive whole number, then the unit).
    pub fn parse(text: &str) -> Result<RetentionPeriod, String> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let amount: u32 = number
            .parse()
            .map_err(|_| format!("`{text}` does not start with a whole number; write e.g. `30d`, `24mo` or `6y`"))?;
        if amount == 0 {
            return Err(format!("`{text}` is zero; a retention period must be positive"));
        }
        let unit = match unit {
            "d" => RetentionUnit::Days,
            "w" => RetentionUnit::Weeks,
            "mo" => RetentionUnit::Months,
            "y" => RetentionUnit::Years,
            _ => return Err(format!("`{text}` has no known unit; use d (days), w (weeks), mo (months) or y (years)")),
        };
        Ok(RetentionPeriod { amount, unit })
    }

    /// An upper bound in days (months count 31 days, years 366), for scheduling checks.
    pub fn max_days(&self) -> u64 {
        let per = match self.unit {
            RetentionUnit::Days => 1,
            RetentionUnit::Weeks => 7,
            RetentionUnit::Months => 31,
            RetentionUnit::Years => 366,
        };
        u64::from(self.amount) * per
    }
}

impl fmt::Display for RetentionPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            RetentionUnit::Days => "d",
            RetentionUnit::Weeks => "w",
            RetentionUnit::Months => "mo",
            RetentionUnit::Years => "y",
        };
        write!(f, "{}{unit}", self.amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_print_back() {
        for text in ["30d", "2w", "24mo", "6y"] {
            assert_eq!(RetentionPeriod::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(RetentionPeriod::parse("24mo").unwrap().max_days(), 24 * 31);
    }

    #[test]
    fn bad_periods_say_how_to_write_them() {
        for text in ["", "d", "0d", "12", "3 days", "-1y", "1.5y"] {
            let error = RetentionPeriod::parse(text).unwrap_err();
            assert!(error.contains('`'), "{text}: {error}");
        }
    }
}
