//! `steward audit export`: the log as JSON lines or CSV, for a regulator or an auditor.
//!
//! Both formats carry every stored field (so an auditor can recompute the chain) plus `time` in RFC 3339 UTC.
//! CSV columns: `seq,time,time_ms,actor,action,subject_hash,objects,counts,outcome,prev_hash,hash`, with
//! objects as `kind:id` joined by `;` and counts as `name=value` joined by `;`.

use std::io::Write;
use std::str::FromStr;

use crate::audit::entry::AuditRecord;
use crate::calendar::CivilDate;
use crate::store::{Store, StoreError};

/// The export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}; check the output path and free space")]
    Io(#[from] std::io::Error),
}

/// Why a format name is not understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown export format; use jsonl or csv")]
pub struct FormatError;

impl FromStr for Format {
    type Err = FormatError;

    fn from_str(text: &str) -> Result<Format, FormatError> {
        match text {
            "jsonl" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            _ => Err(FormatError),
        }
    }
}

impl Format {
    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jsonl => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Writes the entries from `since` (00:00 UTC that day) on, in sequence order; returns how many.
pub fn export(
    store: &Store,
    format: Format,
    since: Option<CivilDate>,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let since_ms = since.map(|d| d.days_since_epoch() * 86_400_000);
    let mut count = 0u64;
    let mut failure = None;
    if format == Format::Csv {
        out.write_all(b"seq,time,time_ms,actor,action,subject_hash,objects,counts,outcome,prev_hash,hash\n")?;
    }
    store.scan_audit(since_ms, &mut |record| {
        let result = match format {
            Format::Jsonl => write_json(&record, out),
            Format::Csv => write_csv(&record, out),
        };
        match result {
            Ok(()) => {
                count += 1;
                true
            }
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(count),
    }
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-29T10:30:00.123Z`.
pub fn rfc3339(time_ms: i64) -> String {
    let date = CivilDate::from_days_since_epoch(time_ms.div_euclid(86_400_000));
    let ms_of_day = time_ms.rem_euclid(86_400_000);
    let (h, m, s, ms) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{date}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}

fn write_json(record: &AuditRecord, out: &mut dyn Write) -> std::io::Result<()> {
    let mut value = serde_json::to_value(record).map_err(std::io::Error::other)?;
    if let Some(map) = value.as_object_mut() {
        map.insert("time".into(), rfc3339(record.time_ms).into());
    }
    serde_json::to_writer(&mut *out, &value).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

fn write_csv(record: &AuditRecord, out: &mut dyn Write) -> std::io::Result<()> {
    let objects: Vec<String> = record.objects.iter().map(|(k, id)| format!("{k}:{id}")).collect();
    let counts: Vec<String> = record.counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let fields = [
        record.seq.to_string(),
        rfc3339(record.time_ms),
        record.time_ms.to_string(),
        record.actor.clone(),
        record.action.clone(),
        record.subject.clone().unwrap_or_default(),
        objects.join(";"),
        counts.join(";"),
        record.outcome.clone(),
        record.prev_hash.clone(),
        record.hash.clone(),
    ];
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\n")
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::{Action, Actor, AuditDraft, ObjectKind, Outcome, SafeId, SubjectHash};

    #[test]
    fn exports_jsonl_and_csv_with_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let draft = AuditDraft::new(Actor::Cli, Action::RequestCreated, Outcome::Ok)
            .subject(SubjectHash([0xab; 32]))
            .object(ObjectKind::Request, SafeId::from_number(1))
            .object(ObjectKind::IntercomContact, SafeId::new("6a1b").unwrap())
            .count("records", 2);
        store.append_audit(&draft).unwrap();
        store.append_audit(&draft).unwrap();
        let mut jsonl = Vec::new();
        assert_eq!(export(&store, Format::Jsonl, None, &mut jsonl).unwrap(), 2);
        let text = String::from_utf8(jsonl).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["seq"], 1);
        assert_eq!(first["action"], "request.created");
        assert_eq!(first["subject"], "ab".repeat(32));
        assert!(first["time"].as_str().unwrap().ends_with('Z'));
        let mut csv = Vec::new();
        export(&store, Format::Csv, None, &mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("seq,time,"));
        assert!(lines[1].contains(",request:1;intercom-contact:6a1b,records=2,ok,"), "{}", lines[1]);
        // Nothing is before 1970, everything is before the far future.
        let mut none = Vec::new();
        let future = "2999-01-01".parse().unwrap();
        assert_eq!(export(&store, Format::Jsonl, Some(future), &mut none).unwrap(), 0);
        assert!(none.is_empty());
    }

    #[test]
    fn formats_times_and_quotes_csv() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
        assert_eq!(csv_field("a,b\"c"), "\"a,b\"\"c\"");
        assert_eq!("csv".parse::<Format>(), Ok(Format::Csv));
        assert!("xml".parse::<Format>().is_err());
    }
}
