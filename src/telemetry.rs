//! Steward's own logs: a tracing subscriber whose output passes through the redaction engine before stderr.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::redact::Engine;

/// Installs the global subscriber (level from `STEWARD_LOG`, default `info`); every line is redacted first.
/// Does nothing when a subscriber is already installed.
pub fn init(engine: &Engine) {
    let filter = EnvFilter::try_from_env("STEWARD_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingMakeWriter { engine: engine.clone() })
        .with_ansi(false)
        .try_init();
}

/// Hands out writers that redact what they were given when they are dropped (once per event).
#[derive(Debug, Clone)]
pub struct RedactingMakeWriter {
    engine: Engine,
}

impl RedactingMakeWriter {
    /// Wraps an engine.
    pub fn new(engine: Engine) -> RedactingMakeWriter {
        RedactingMakeWriter { engine }
    }
}

impl<'a> MakeWriter<'a> for RedactingMakeWriter {
    type Writer = RedactingWriter<io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { engine: self.engine.clone(), buffer: Vec::new(), inner: io::stderr() }
    }
}

/// Collects one event's text and writes it redacted, line by line, when dropped.
pub struct RedactingWriter<W: Write> {
    engine: Engine,
    buffer: Vec<u8>,
    inner: W,
}

impl<W: Write> RedactingWriter<W> {
    /// A writer into `inner`.
    pub fn new(engine: Engine, inner: W) -> RedactingWriter<W> {
        RedactingWriter { engine, buffer: Vec::new(), inner }
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut redactor = self.engine.redactor();
        let mut out = Vec::with_capacity(self.buffer.len() + 32);
        for line in self.buffer.split_inclusive(|&b| b == b'\n') {
            let (body, newline) = match line.split_last() {
                Some((b'\n', body)) => (body, true),
                _ => (line, false),
            };
            redactor.redact_line(body, &mut out);
            if newline {
                out.push(b'\n');
            }
        }
        self.buffer.clear();
        self.inner.write_all(&out)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    #[test]
    fn log_lines_are_redacted_before_they_are_written() {
        let engine = Engine::new(Rules::defaults(), None).unwrap();
        let mut sink = Vec::new();
        {
            let mut writer = RedactingWriter::new(engine, &mut sink);
            write!(writer, "WARN login failed user=jane@example.com ip=203.0.113.9\nsecond line\n").unwrap();
        }
        let text = String::from_utf8(sink).unwrap();
        assert_eq!(text, "WARN login failed user=[EMAIL] ip=[IP]\nsecond line\n");
    }
}
