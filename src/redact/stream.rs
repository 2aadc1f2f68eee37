//! Streaming: redacts a byte stream line by line with a fixed, rolling buffer and a hard cap on line length.
//!
//! Only complete lines reach the engine, so nothing is ever redacted (or leaked) across a read boundary. A line
//! longer than the cap is not buffered: its bytes are counted and discarded, and a marker takes its place. Memory
//! stays below the cap plus the buffer sizes, whatever the input.

use std::io::{self, Read, Write};

use super::{write_marker, MarkerReason, Redactor};

/// Sizes of the streaming buffers.
#[derive(Debug, Clone, Copy)]
pub struct StreamConfig {
    /// Bytes read at a time.
    pub read_size: usize,
    /// Output bytes collected before one `write`.
    pub write_size: usize,
}

impl Default for StreamConfig {
    fn default() -> StreamConfig {
        StreamConfig { read_size: 256 * 1024, write_size: 256 * 1024 }
    }
}

/// Redacts `input` into `output`, line by line. Lines end with `\n`; a last line without one is redacted and
/// written without one. Returns the number of lines.
pub fn filter(
    redactor: &mut Redactor,
    input: &mut impl Read,
    output: &mut impl Write,
    config: StreamConfig,
) -> io::Result<u64> {
    let max_line = redactor.engine().rules().settings.max_line_bytes;
    let read_size = config.read_size.max(1);
    let mut buffer: Vec<u8> = Vec::with_capacity(read_size);
    let mut out: Vec<u8> = Vec::with_capacity(config.write_size + 1024);
    let mut lines = 0u64;
    // While discarding an overlong line: its length so far and its first bytes (to pick the marker's shape).
    let mut discarding: Option<(usize, Vec<u8>)> = None;
    loop {
        let filled = buffer.len();
        buffer.resize(filled + read_size, 0);
        let read = loop {
            match input.read(&mut buffer[filled..]) {
                Ok(read) => break read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        };
        buffer.truncate(filled + read);
        let eof = read == 0;

        let mut start = 0;
        let mut search = filled;
        if let Some((seen, head)) = discarding.as_mut() {
            match memchr::memchr(b'\n', &buffer[filled..]) {
                Some(at) => {
                    let total = *seen + at;
                    redactor.stats.lines += 1;
                    redactor.stats.bytes_in += total as u64;
                    redactor.stats.markers += 1;
                    write_marker(MarkerReason::Overlong, head, total, &mut out);
                    out.push(b'\n');
                    lines += 1;
                    discarding = None;
                    start = filled + at + 1;
                    search = start;
                }
                None => {
                    *seen += read;
                    buffer.clear();
                    if eof {
                        let total = *seen;
                        redactor.stats.lines += 1;
                        redactor.stats.bytes_in += total as u64;
                        redactor.stats.markers += 1;
                        write_marker(MarkerReason::Overlong, head, total, &mut out);
                        lines += 1;
                        output.write_all(&out)?;
                        output.flush()?;
                        return Ok(lines);
                    }
                    continue;
                }
            }
        }
        while let Some(at) = memchr::memchr(b'\n', &buffer[search..]) {
            let end = search + at;
            redactor.redact_line(&buffer[start..end], &mut out);
            out.push(b'\n');
            lines += 1;
            start = end + 1;
            search = start;
            if out.len() >= config.write_size {
                output.write_all(&out)?;
                out.clear();
            }
        }
        buffer.drain(..start);
        if eof {
            if !buffer.is_empty() {
                redactor.redact_line(&buffer, &mut out);
                lines += 1;
            }
            output.write_all(&out)?;
            output.flush()?;
            return Ok(lines);
        }
        if buffer.len() > max_line {
            let head = buffer[..buffer.len().min(64)].to_vec();
            discarding = Some((buffer.len(), head));
            buffer.clear();
        }
        if !out.is_empty() && discarding.is_none() && buffer.is_empty() {
            // Keep latency low for interactive use: flush what is ready when the input has no partial line.
            output.write_all(&out)?;
            out.clear();
        }
    }
}
