//! `steward redact`: filters files or stdin to stdout through the engine, with optional stats and a check mode.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;

use crate::redact::stream::{self, StreamConfig};
use crate::redact::{Engine, Format, Stats};
use crate::rules::{Action, Rules};

/// Options of `steward redact`, already parsed.
#[derive(Debug, Clone)]
pub struct RedactOptions {
    pub rules: Vec<PathBuf>,
    pub format: Format,
    pub action: Option<Action>,
    pub stats: bool,
    pub check: bool,
    pub files: Vec<PathBuf>,
}

/// Runs the filter. Returns the exit code: 0, or 1 with `--check` when something was found or a line was withheld
/// (see `found_something`), also when the reader went away early.
pub fn run(options: &RedactOptions) -> anyhow::Result<i32> {
    let mut rules = Rules::load(&options.rules)?;
    if let Some(action) = options.action {
        rules.override_action(action);
    }
    let key = super::hash_key_from_environment()?;
    let engine = Engine::new(rules, key)?;
    let mut redactor = engine.redactor();
    redactor.set_format(options.format);
    let stdout = io::stdout();
    let mut output = stdout.lock();
    let config = StreamConfig::default();
    // No file means stdin, and so does `-` in the list, as for other Unix filters.
    let stdin_only = [PathBuf::from("-")];
    let files = if options.files.is_empty() { &stdin_only[..] } else { &options.files[..] };
    let mut result = Ok(());
    for path in files {
        result = if path.as_os_str() == "-" {
            stream::filter(&mut redactor, &mut io::stdin().lock(), &mut output, config).map(|_| ())
        } else {
            let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            stream::filter(&mut redactor, &mut file, &mut output, config).map(|_| ())
        };
        if result.is_err() {
            break;
        }
    }
    match result {
        Ok(()) => {}
        // The reader went away (`steward redact | head`): stop quietly, as Unix filters do, but a check still
        // reports what it found in the lines read so far.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
            return Ok(check_code(options.check, redactor.stats()));
        }
        Err(error) => return Err(error).context("redaction stopped"),
    }
    let stats = redactor.take_stats();
    if options.stats {
        print_stats(&engine, &stats, &mut io::stderr().lock());
    }
    Ok(check_code(options.check, &stats))
}

/// Whether the input was not clean: something was redacted or dropped, or a line was withheld behind a marker
/// (overlong, or the engine failed on it), which Steward cannot vouch for. A line repaired from invalid UTF-8
/// counts only when something was found in it.
fn found_something(stats: &Stats) -> bool {
    stats.redactions() > 0 || stats.lines_redacted > 0 || stats.markers > 0
}

/// The exit code: 1 with `check` when something was found, else 0.
fn check_code(check: bool, stats: &Stats) -> i32 {
    i32::from(check && found_something(stats))
}

/// Writes the per-entity counts and line counters.
pub fn print_stats(engine: &Engine, stats: &Stats, out: &mut impl Write) {
    let _ = writeln!(
        out,
        "lines {}  redacted {}  markers {}  invalid-utf8 {}  json-fallbacks {}  bytes in {}  out {}",
        stats.lines,
        stats.lines_redacted,
        stats.markers,
        stats.invalid_utf8,
        stats.json_fallbacks,
        stats.bytes_in,
        stats.bytes_out
    );
    for (name, count) in engine.entity_names().iter().zip(&stats.per_entity) {
        if *count > 0 {
            let _ = writeln!(out, "  {name:<18} {count}");
        }
    }
}
