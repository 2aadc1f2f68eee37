//! Content data export jobs of the simulator: time-driven status, one active job, gzipped CSV, expiry.

use std::io::Write;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};
use tokio::time::Instant;

use super::data::{StatRow, DAY};

/// The `data_export_csv` columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "user_id",
    "user_external_id",
    "company_id",
    "email",
    "name",
    "ruleset_id",
    "content_id",
    "content_type",
    "content_title",
    "ruleset_version_id",
    "receipt_id",
    "received_at",
    "series_id",
    "series_title",
    "node_id",
    "first_reply",
    "first_completion",
    "first_series_completion",
    "first_series_disengagement",
    "first_series_exit",
    "first_goal_success",
    "first_open",
    "first_click",
    "first_dismisall",
    "first_unsubscribe",
    "first_hard_bounce",
];

/// One export job.
#[derive(Debug, Clone)]
pub struct ExportJob {
    /// The job identifier.
    pub id: String,
    /// When it was created.
    pub created: Instant,
    /// Inclusive range start (Unix seconds, by day).
    pub after: u64,
    /// Inclusive range end (Unix seconds, by day).
    pub before: u64,
    /// Set when canceled.
    pub canceled: bool,
    /// Rows the job will export.
    pub rows: usize,
}

/// The status of a job at `now`; `None` when it has expired.
pub fn status(job: &ExportJob, now: Instant, delay: Duration, expiry: Duration) -> Option<&'static str> {
    let elapsed = now.saturating_duration_since(job.created);
    if job.canceled {
        return Some("canceled");
    }
    if elapsed < delay / 2 {
        return Some("pending");
    }
    if elapsed < delay {
        return Some("in_progress");
    }
    if elapsed >= delay + expiry {
        return None;
    }
    Some(if job.rows == 0 { "no_data" } else { "completed" })
}

/// The `data_export` JSON of a job.
pub fn job_json(job: &ExportJob, status: &str, base: &str, finished_unix: u64, expiry: Duration) -> Value {
    let completed = status == "completed";
    json!({
        "job_identifier": job.id,
        "status": status,
        "download_url": if completed { format!("{base}/download/content/data/{}", job.id) } else { String::new() },
        "download_expires_at": if completed { (finished_unix + expiry.as_secs()).to_string() } else { String::new() },
    })
}

/// Rows whose `received_at` falls in the inclusive day range.
pub fn select(stats: &[StatRow], after: u64, before: u64) -> Vec<&StatRow> {
    let start = after - after % DAY;
    let end = before - before % DAY + DAY;
    stats.iter().filter(|r| r.received_at >= start && r.received_at < end).collect()
}

/// The gzipped CSV of the rows.
pub fn gzipped_csv(rows: &[&StatRow]) -> std::io::Result<Vec<u8>> {
    let mut csv = String::new();
    csv.push_str(&CSV_COLUMNS.join(","));
    csv.push('\n');
    for row in rows {
        let fields: Vec<String> = row.fields.iter().map(|f| escape(f)).collect();
        csv.push_str(&fields.join(","));
        csv.push('\n');
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(csv.as_bytes())?;
    encoder.finish()
}

fn escape(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn jobs_move_through_their_states_and_expire() {
        let delay = Duration::from_secs(4);
        let expiry = Duration::from_secs(2 * 86_400);
        let job = ExportJob { id: "j1".into(), created: Instant::now(), after: 0, before: 1, canceled: false, rows: 3 };
        assert_eq!(status(&job, Instant::now(), delay, expiry), Some("pending"));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(status(&job, Instant::now(), delay, expiry), Some("in_progress"));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(status(&job, Instant::now(), delay, expiry), Some("completed"));
        let empty = ExportJob { rows: 0, ..job.clone() };
        assert_eq!(status(&empty, Instant::now(), delay, expiry), Some("no_data"));
        tokio::time::advance(expiry).await;
        assert_eq!(status(&job, Instant::now(), delay, expiry), None, "finished jobs expire");
    }

    #[test]
    fn csv_has_the_documented_columns_and_escapes() {
        let row = StatRow { received_at: 5 * DAY, fields: vec!["a,b".into(), "say \"hi\"".into()] };
        let gz = gzipped_csv(&[&row]).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text).unwrap();
        assert!(text.starts_with("user_id,user_external_id,company_id,"));
        assert!(text.contains("\"a,b\",\"say \"\"hi\"\"\""));
        assert_eq!(select(&[row], 5 * DAY + 100, 5 * DAY + 200).len(), 1, "ranges are inclusive by day");
    }
}
