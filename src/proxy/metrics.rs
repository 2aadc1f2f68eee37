//! Proxy counters and the Prometheus text exposition served by the admin server.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the per-batch latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 12] =
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];

/// All proxy counters; shared by reference, updated with relaxed atomics.
#[derive(Default)]
pub struct Metrics {
    pub lines_in: AtomicU64,
    pub bytes_in: AtomicU64,
    pub lines_out: AtomicU64,
    pub bytes_out: AtomicU64,
    pub markers: AtomicU64,
    pub overlong_lines: AtomicU64,
    pub partial_lines: AtomicU64,
    pub lines_dropped: AtomicU64,
    pub connections_open: AtomicU64,
    pub connections_total: AtomicU64,
    pub connections_refused: AtomicU64,
    pub connections_closed_garbage: AtomicU64,
    pub connections_idle_closed: AtomicU64,
    pub downstream_reconnects: AtomicU64,
    pub downstream_connected: AtomicU64,
    pub downstream_write_errors: AtomicU64,
    pub buffer_bytes: AtomicU64,
    pub buffer_capacity: AtomicU64,
    pub spool_bytes: AtomicU64,
    pub spool_capacity: AtomicU64,
    pub spool_segments: AtomicU64,
    pub rules_generation: AtomicU64,
    pub rules_reloads_ok: AtomicU64,
    pub rules_reloads_failed: AtomicU64,
    per_entity: Mutex<BTreeMap<String, u64>>,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    /// Adds redaction counts per entity name.
    pub fn add_entities(&self, names: &[String], counts: &[u64]) {
        if counts.iter().all(|&c| c == 0) {
            return;
        }
        let mut map = match self.per_entity.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (name, &count) in names.iter().zip(counts) {
            if count > 0 {
                *map.entry(name.clone()).or_insert(0) += count;
            }
        }
    }

    /// Redactions of one entity so far.
    pub fn entity_count(&self, name: &str) -> u64 {
        match self.per_entity.lock() {
            Ok(m) => m.get(name).copied().unwrap_or(0),
            Err(poisoned) => poisoned.into_inner().get(name).copied().unwrap_or(0),
        }
    }

    /// Records how long one batch took from submission to redacted output.
    pub fn observe_batch(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Some(i) = LATENCY_BUCKETS.iter().position(|&b| secs <= b) {
            self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(4096);
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let counters: [(&str, &str, &AtomicU64); 16] = [
            ("steward_lines_in_total", "Lines received from clients and redacted.", &self.lines_in),
            ("steward_bytes_in_total", "Bytes received from clients.", &self.bytes_in),
            ("steward_lines_out_total", "Lines delivered downstream (or to the file).", &self.lines_out),
            ("steward_bytes_out_total", "Bytes delivered downstream.", &self.bytes_out),
            ("steward_marker_lines_total", "Lines the engine replaced by a marker.", &self.markers),
            (
                "steward_overlong_lines_total",
                "Lines longer than max_line_bytes, replaced by a marker.",
                &self.overlong_lines,
            ),
            (
                "steward_partial_lines_total",
                "Unterminated last lines of closed connections, dropped (fail closed).",
                &self.partial_lines,
            ),
            ("steward_lines_dropped_total", "Lines dropped by the drop-newest policy.", &self.lines_dropped),
            ("steward_connections_total", "Client connections accepted.", &self.connections_total),
            (
                "steward_connections_refused_total",
                "Client connections refused at max_connections.",
                &self.connections_refused,
            ),
            (
                "steward_connections_garbage_closed_total",
                "Client connections closed for bad framing.",
                &self.connections_closed_garbage,
            ),
            (
                "steward_connections_idle_closed_total",
                "Client connections closed for idleness.",
                &self.connections_idle_closed,
            ),
            (
                "steward_downstream_reconnects_total",
                "Downstream connections made after the first.",
                &self.downstream_reconnects,
            ),
            (
                "steward_downstream_write_errors_total",
                "Failed downstream writes (the batch is resent).",
                &self.downstream_write_errors,
            ),
            ("steward_rules_reloads_total", "Successful rule reloads.", &self.rules_reloads_ok),
            (
                "steward_rules_reload_failures_total",
                "Refused rule reloads (old rules kept).",
                &self.rules_reloads_failed,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", g(value));
        }
        let gauges: [(&str, &str, &AtomicU64); 8] = [
            ("steward_connections_open", "Client connections open now.", &self.connections_open),
            ("steward_downstream_connected", "1 when the downstream is connected.", &self.downstream_connected),
            ("steward_buffer_bytes", "Bytes in the memory buffer (in flight or waiting).", &self.buffer_bytes),
            ("steward_buffer_capacity_bytes", "Size of the memory buffer.", &self.buffer_capacity),
            ("steward_spool_bytes", "Bytes in the disk spool not yet delivered.", &self.spool_bytes),
            ("steward_spool_capacity_bytes", "Size limit of the disk spool (0 = no spool).", &self.spool_capacity),
            ("steward_spool_segments", "Segment files in the spool.", &self.spool_segments),
            ("steward_rules_generation", "Generation of the rules in force.", &self.rules_generation),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}", g(value));
        }
        let _ = writeln!(
            s,
            "# HELP steward_redactions_total Redactions per entity.\n# TYPE steward_redactions_total counter"
        );
        let map = match self.per_entity.lock() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        for (entity, count) in map {
            let _ = writeln!(s, "steward_redactions_total{{entity=\"{}\"}} {count}", escape_label(&entity));
        }
        let name = "steward_batch_latency_seconds";
        let _ = writeln!(s, "# HELP {name} Time from reading a batch to its redacted output.\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += g(bucket);
            let _ = writeln!(s, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = g(&self.latency_count);
        let _ = writeln!(s, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(s, "{name}_sum {}\n{name}_count {count}", g(&self.latency_sum_micros) as f64 / 1e6);
        s
    }
}

fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
