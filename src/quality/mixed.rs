//! Speed-benchmark input: writes gigabytes of realistic plain and JSON log lines, about 1 in N with personal data.
//!
//! To write at hundreds of MB/s it does not generate every line: it generates a pool of a few thousand lines with
//! the labeled generator once, then emits pool lines in a seeded random order, rewriting each line's leading ISO
//! timestamp from a clock that moves forward, so that no two consecutive runs of lines are byte-identical.

use std::io::{self, Write};

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::quality::gen::{generate_one, iso_ms, LineKind, ISO_TS_LEN};

/// One line in this many carries personal data, unless told otherwise.
pub const DEFAULT_PII_EVERY: u32 = 20;

/// Writes plain and JSON log lines (about half each) until at least `bytes` bytes are written; about one line in
/// `pii_every` carries personal data (0: none does). Returns the number of lines.
pub fn write_mixed_log(seed: u64, bytes: u64, pii_every: u32, out: &mut impl Write) -> io::Result<u64> {
    write_log(seed, bytes, pii_every, false, out).map(|s| s.lines)
}

/// Like [`write_mixed_log`], with JSON lines only.
pub fn write_json_log(seed: u64, bytes: u64, pii_every: u32, out: &mut impl Write) -> io::Result<u64> {
    write_log(seed, bytes, pii_every, true, out).map(|s| s.lines)
}

/// Lines in each clean pool (plain and JSON).
const CLEAN_POOL: usize = 4096;
/// Lines in each personal-data pool.
const PII_POOL: usize = 1024;
/// Output is handed to the writer in chunks of about this size.
const CHUNK: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stats {
    pub(crate) lines: u64,
    pub(crate) bytes: u64,
    pub(crate) pii_lines: u64,
}

struct PoolLine {
    /// The line with its trailing newline.
    bytes: Box<[u8]>,
    ts_at: Option<usize>,
}

fn pool(rng: &mut ChaCha8Rng, kind: LineKind, with_pii: bool, n: usize) -> Vec<PoolLine> {
    (0..n)
        .map(|_| {
            let pii = if with_pii { rng.gen_range(1..=3) } else { 0 };
            let generated = generate_one(rng, kind, pii);
            let mut bytes = generated.sample.text.into_bytes();
            bytes.push(b'\n');
            PoolLine { bytes: bytes.into_boxed_slice(), ts_at: generated.ts_at }
        })
        .collect()
}

/// Rewrites ISO timestamps from a clock in milliseconds, reformatting the date and minute only when they change.
struct Clock {
    ms: u64,
    minute: u64,
    prefix: [u8; 17],
}

impl Clock {
    fn new(ms: u64) -> Clock {
        let mut clock = Clock { ms, minute: u64::MAX, prefix: [0; 17] };
        clock.refresh();
        clock
    }

    fn refresh(&mut self) {
        let minute = self.ms / 60_000;
        if minute != self.minute {
            self.minute = minute;
            self.prefix.copy_from_slice(&iso_ms(minute * 60_000).as_bytes()[..17]);
        }
    }

    fn advance(&mut self, ms: u64) {
        self.ms += ms;
        self.refresh();
    }

    /// Writes `YYYY-MM-DDTHH:MM:SS.mmmZ` into `dst` (24 bytes).
    fn write(&self, dst: &mut [u8]) {
        let (sec, milli) = ((self.ms / 1000) % 60, self.ms % 1000);
        dst[..17].copy_from_slice(&self.prefix);
        dst[17] = b'0' + (sec / 10) as u8;
        dst[18] = b'0' + (sec % 10) as u8;
        dst[19] = b'.';
        dst[20] = b'0' + (milli / 100) as u8;
        dst[21] = b'0' + ((milli / 10) % 10) as u8;
        dst[22] = b'0' + (milli % 10) as u8;
        dst[23] = b'Z';
    }
}

pub(crate) fn write_log(
    seed: u64,
    bytes: u64,
    pii_every: u32,
    json_only: bool,
    out: &mut impl Write,
) -> io::Result<Stats> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let clean_json = pool(&mut rng, LineKind::Json, false, CLEAN_POOL);
    let pii_json = pool(&mut rng, LineKind::Json, true, PII_POOL);
    let (clean_plain, pii_plain) = if json_only {
        (Vec::new(), Vec::new())
    } else {
        (pool(&mut rng, LineKind::Plain, false, CLEAN_POOL), pool(&mut rng, LineKind::Plain, true, PII_POOL))
    };
    let mut clock = Clock::new(1_764_412_800_000 + rng.gen_range(0..86_400_000));
    let mut stats = Stats { lines: 0, bytes: 0, pii_lines: 0 };
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 64 * 1024);
    while stats.bytes < bytes {
        let r = rng.next_u64();
        let json = json_only || r & 1 == 1;
        let pii = pii_every > 0 && ((r >> 1) as u32).is_multiple_of(pii_every);
        let pool = match (json, pii) {
            (true, false) => &clean_json,
            (true, true) => &pii_json,
            (false, false) => &clean_plain,
            (false, true) => &pii_plain,
        };
        let line = &pool[((r >> 33) as usize) % pool.len()];
        let at = buf.len();
        buf.extend_from_slice(&line.bytes);
        if let Some(ts) = line.ts_at {
            clock.write(&mut buf[at + ts..at + ts + ISO_TS_LEN]);
        }
        clock.advance((r >> 60) & 0x7);
        stats.lines += 1;
        stats.pii_lines += u64::from(pii);
        stats.bytes += line.bytes.len() as u64;
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: u64 = 7;

    #[test]
    fn mixed_log_has_the_requested_size_shape_and_pii_rate() {
        println!("seed {SEED}");
        let mut buf = Vec::new();
        let stats = write_log(SEED, 4_000_000, DEFAULT_PII_EVERY, false, &mut buf).unwrap();
        assert_eq!(stats.bytes, buf.len() as u64);
        assert!(stats.bytes >= 4_000_000 && stats.bytes < 4_010_000);
        assert_eq!(stats.lines, buf.iter().filter(|&&b| b == b'\n').count() as u64);
        let average = stats.bytes / stats.lines;
        assert!((120..=320).contains(&average), "average line {average} bytes");
        let rate = stats.pii_lines as f64 / stats.lines as f64;
        assert!((0.04..0.06).contains(&rate), "pii rate {rate}");
        let text = std::str::from_utf8(&buf).unwrap();
        let json_lines = text.lines().filter(|l| l.starts_with('{')).count() as f64;
        let share = json_lines / stats.lines as f64;
        assert!((0.45..0.55).contains(&share), "json share {share}");
        // Timestamps were rewritten: every leading ISO timestamp parses as a 2025 instant.
        for line in text.lines().take(1000) {
            if let Some(ts) = line.strip_prefix("{\"ts\":\"") {
                assert!(ts[..ISO_TS_LEN].ends_with('Z') && ts.starts_with("2025-11-"), "{line}");
            }
        }
    }

    #[test]
    fn json_log_lines_all_parse_and_output_is_deterministic() {
        println!("seed {SEED}");
        let mut a = Vec::new();
        let lines = write_json_log(SEED, 1_000_000, 10, &mut a).unwrap();
        for line in a.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let value: serde_json::Value = serde_json::from_slice(line).unwrap();
            assert!(value.is_object());
        }
        assert_eq!(lines, a.iter().filter(|&&b| b == b'\n').count() as u64);
        let mut b = Vec::new();
        write_json_log(SEED, 1_000_000, 10, &mut b).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        write_json_log(SEED + 1, 1_000_000, 10, &mut c).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn no_pii_when_pii_every_is_zero() {
        let mut buf = Vec::new();
        let stats = write_log(SEED, 200_000, 0, false, &mut buf).unwrap();
        assert_eq!(stats.pii_lines, 0);
        assert!(stats.lines > 0);
    }

    #[test]
    fn clock_formats_like_iso_ms() {
        let mut clock = Clock::new(1_764_412_937_123);
        let mut dst = [0u8; ISO_TS_LEN];
        for step in [0, 7, 999, 60_000, 86_400_000] {
            clock.advance(step);
            clock.write(&mut dst);
            assert_eq!(std::str::from_utf8(&dst).unwrap(), iso_ms(clock.ms));
        }
    }
}
