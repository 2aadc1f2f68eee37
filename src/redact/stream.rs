//! Streaming: redacts a byte stream line by line with a fixed, rolling buffer and a hard cap on line length.
//!
//! Only complete lines reach the engine, so nothing is ever redacted (or leaked) across a read boundary. A line
//! longer than the cap is not buffered: its bytes are counted and discarded, and a marker takes its place. Memory
//! stays below the cap plus the buffer sizes, whatever the input.

use std::io::{self, Read, Write};

use super::Redactor;

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
    // `buffer[start..end]` holds bytes read but not yet redacted (one partial line, after each pass).
    let mut buffer = vec![0u8; read_size];
    let (mut start, mut end) = (0usize, 0usize);
    let mut out: Vec<u8> = Vec::with_capacity(config.write_size + 1024);
    let mut lines = 0u64;
    // While discarding an overlong line: its length so far and its first bytes (to pick the marker's shape).
    let mut discarding: Option<(usize, Vec<u8>)> = None;
    loop {
        // Make room for a read: move the partial line to the front, or grow while it is within the cap.
        if buffer.len() - end < read_size.min(buffer.len()) / 2 + 1 {
            if start > 0 {
                buffer.copy_within(start..end, 0);
                end -= start;
                start = 0;
            }
            if buffer.len() - end < read_size / 2 + 1 {
                let wanted = (buffer.len() * 2).min(max_line + read_size + 1).max(end + read_size);
                buffer.resize(wanted, 0);
            }
        }
        let read = loop {
            match input.read(&mut buffer[end..]) {
                Ok(read) => break read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        };
        let eof = read == 0;
        let fresh = end;
        end += read;

        let mut search = fresh;
        if let Some((seen, head)) = discarding.as_mut() {
            match memchr::memchr(b'\n', &buffer[fresh..end]) {
                Some(at) => {
                    let total = *seen + at;
                    redactor.withhold(head, total, &mut out);
                    out.push(b'\n');
                    lines += 1;
                    discarding = None;
                    start = fresh + at + 1;
                    search = start;
                }
                None => {
                    *seen += read;
                    start = end;
                    if eof {
                        let total = *seen;
                        redactor.withhold(head, total, &mut out);
                        lines += 1;
                        output.write_all(&out)?;
                        output.flush()?;
                        return Ok(lines);
                    }
                    continue;
                }
            }
        }
        while let Some(at) = memchr::memchr(b'\n', &buffer[search..end]) {
            let line_end = search + at;
            redactor.redact_line(&buffer[start..line_end], &mut out);
            out.push(b'\n');
            lines += 1;
            start = line_end + 1;
            search = start;
            if out.len() >= config.write_size {
                output.write_all(&out)?;
                out.clear();
            }
        }
        if eof {
            if start < end {
                redactor.redact_line(&buffer[start..end], &mut out);
                lines += 1;
            }
            output.write_all(&out)?;
            output.flush()?;
            return Ok(lines);
        }
        if end - start > max_line {
            let head = buffer[start..start + 64.min(end - start)].to_vec();
            discarding = Some((end - start, head));
            start = end;
        }
        if start == end {
            start = 0;
            end = 0;
            if !out.is_empty() {
                // Keep latency low for interactive use: write what is ready when no partial line is pending.
                output.write_all(&out)?;
                out.clear();
            }
        }
    }
}
