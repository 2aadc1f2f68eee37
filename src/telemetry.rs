//! Steward's own logs, error messages and reports: they pass through the redaction engine before stderr or stdout.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::redact::Engine;
use crate::rules::Rules;

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

/// Prints a message (an error, a warning or a summary; with a newline) to stderr through the engine with the
/// shipped rules, as log lines are: such messages quote paths and values the user gave, which may hold personal
/// data or secrets. Fails closed: when the engine cannot be built, the message is withheld.
pub fn eprint_redacted(message: &str) {
    write_redacted(shipped_engine(), message, io::stderr());
}

/// Prints a message (a status line, a warning or a report; with a newline) to stdout through the engine, as
/// `eprint_redacted` does for stderr: for output that quotes paths or values the user gave, or a remote's answers.
pub fn print_redacted(message: &str) {
    write_redacted(shipped_engine(), message, io::stdout());
}

/// The engine with the shipped rules, or `None` when it cannot be built (the message is then withheld). Built
/// once: a command may print many lines (`rules check` one per error), and each build compiles the rules.
fn shipped_engine() -> Option<Engine> {
    static SHIPPED: std::sync::OnceLock<Option<Engine>> = std::sync::OnceLock::new();
    SHIPPED.get_or_init(|| Engine::new(Rules::defaults(), None).ok()).clone()
}

/// Writes `message` and a newline to `out` through `engine`, or a notice that it was withheld without one.
fn write_redacted(engine: Option<Engine>, message: &str, mut out: impl Write) {
    match engine {
        Some(engine) => {
            let mut writer = RedactingWriter::new(engine, out);
            let _ = writeln!(writer, "{message}");
        }
        None => {
            let _ = writeln!(
                out,
                "steward: a message was withheld because the redaction engine could not start (run `steward rules \
                 check` to see why)"
            );
        }
    }
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

    #[test]
    fn error_messages_are_redacted_or_withheld() {
        let message = "steward: cannot open mail-jane@example.com.log: No such file or directory (os error 2)";
        let mut sink = Vec::new();
        write_redacted(Engine::new(Rules::defaults(), None).ok(), message, &mut sink);
        assert_eq!(
            String::from_utf8(sink).unwrap(),
            "steward: cannot open [EMAIL]: No such file or directory (os error 2)\n"
        );
        let mut sink = Vec::new();
        write_redacted(None, message, &mut sink);
        let text = String::from_utf8(sink).unwrap();
        assert!(text.starts_with("steward: a message was withheld because the redaction engine"), "{text}");
    }
}
