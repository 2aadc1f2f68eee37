//! Streaming: redacts a byte stream line by line with a fixed, rolling buffer and a hard cap on line length.
//!
//! Only complete lines reach the engine, so nothing is ever redacted (or leaked) across a read boundary. A line
//! longer than the cap is not buffered: its bytes are counted and discarded, and a marker takes its place. Memory
//! stays below the cap plus the buffer sizes, whatever the input. Lines that come out unchanged (most of them) are
//! written from the input buffer itself, in runs, beside the redacted ones (one vectored write), not copied.

use std::io::{self, IoSlice, Read, Write};

use super::Redactor;

/// Sizes of the streaming buffers.
#[derive(Debug, Clone, Copy)]
pub struct StreamConfig {
    /// Bytes read at a time.
    pub read_size: usize,
    /// Redacted output bytes collected before one `write` (everything pending is also written after each read).
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
    let mut pending = Pending { pieces: Vec::new(), out: Vec::with_capacity(config.write_size + 1024) };
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
                    pending.withheld(redactor, head, *seen + at, true);
                    lines += 1;
                    discarding = None;
                    start = fresh + at + 1;
                    search = start;
                }
                None => {
                    *seen += read;
                    start = end;
                    if eof {
                        pending.withheld(redactor, head, *seen, false);
                        lines += 1;
                        pending.write(&buffer, output)?;
                        output.flush()?;
                        return Ok(lines);
                    }
                    continue;
                }
            }
        }
        while let Some(at) = memchr::memchr(b'\n', &buffer[search..end]) {
            let line_end = search + at;
            pending.line(redactor, &buffer, start, line_end, true);
            lines += 1;
            start = line_end + 1;
            search = start;
            if pending.out.len() >= config.write_size {
                pending.write(&buffer, output)?;
            }
        }
        if eof {
            if start < end {
                pending.line(redactor, &buffer, start, end, false);
                lines += 1;
            }
            pending.write(&buffer, output)?;
            output.flush()?;
            return Ok(lines);
        }
        // The buffer is about to move or be read into: what refers to it goes out first.
        pending.write(&buffer, output)?;
        if end - start > max_line {
            let head = buffer[start..start + 64.min(end - start)].to_vec();
            discarding = Some((end - start, head));
            start = end;
        }
        if start == end {
            start = 0;
            end = 0;
        }
    }
}

/// What is ready to be written, in order: runs of input lines that pass unchanged (ranges of the input buffer)
/// and redacted lines (ranges of `out`).
#[derive(Debug)]
struct Pending {
    pieces: Vec<Piece>,
    out: Vec<u8>,
}

/// A range of the input buffer (`input`) or of the redacted output.
#[derive(Debug, Clone, Copy)]
struct Piece {
    input: bool,
    start: usize,
    end: usize,
}

impl Pending {
    /// Redacts the line `buffer[start..end]` and adds it (with its `\n` when `terminated`): its replacement when it
    /// changed, else the line itself, from the buffer.
    fn line(&mut self, redactor: &mut Redactor, buffer: &[u8], start: usize, end: usize, terminated: bool) {
        let from = self.out.len();
        if redactor.redact_changed(&buffer[start..end], &mut self.out) {
            if terminated {
                self.out.push(b'\n');
            }
            self.output_from(from);
        } else {
            self.input(start, end + usize::from(terminated));
        }
    }

    /// Adds the marker of an overlong line of `bytes` bytes whose first bytes are `head`.
    fn withheld(&mut self, redactor: &mut Redactor, head: &[u8], bytes: usize, terminated: bool) {
        let from = self.out.len();
        redactor.withhold(head, bytes, &mut self.out);
        if terminated {
            self.out.push(b'\n');
        }
        self.output_from(from);
    }

    /// Adds `buffer[start..end]`.
    fn input(&mut self, start: usize, end: usize) {
        self.push(Piece { input: true, start, end });
    }

    /// Adds what was appended to `out` from `from` on.
    fn output_from(&mut self, from: usize) {
        self.push(Piece { input: false, start: from, end: self.out.len() });
    }

    /// Adds `piece`, joined to the previous one when it continues it in the same place.
    fn push(&mut self, piece: Piece) {
        match self.pieces.last_mut() {
            Some(last) if last.input == piece.input && last.end == piece.start => last.end = piece.end,
            _ => self.pieces.push(piece),
        }
    }

    /// Writes everything pending (the input ranges read from `buffer`) and empties it.
    fn write(&mut self, buffer: &[u8], output: &mut impl Write) -> io::Result<()> {
        if self.pieces.is_empty() {
            return Ok(());
        }
        let mut slices: Vec<IoSlice<'_>> = self
            .pieces
            .iter()
            .map(|piece| IoSlice::new(&if piece.input { buffer } else { &self.out[..] }[piece.start..piece.end]))
            .collect();
        let mut slices = &mut slices[..];
        while !slices.is_empty() {
            match output.write_vectored(slices) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "the output accepts no more bytes")),
                Ok(written) => IoSlice::advance_slices(&mut slices, written),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        self.pieces.clear();
        self.out.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Engine;
    use crate::rules::Rules;

    /// An output that takes at most seven bytes per call, across slices, and is interrupted every third call.
    struct Trickle {
        bytes: Vec<u8>,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[IoSlice::new(buf)])
        }

        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(3) {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let mut taken = 0;
            for buf in bufs {
                let take = buf.len().min(7 - taken);
                self.bytes.extend_from_slice(&buf[..take]);
                taken += take;
                if taken == 7 {
                    break;
                }
            }
            Ok(taken)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn unchanged_runs_and_redacted_lines_come_out_in_order_through_partial_writes() {
        let engine = Engine::new(Rules::defaults(), None).unwrap();
        let overlong = "x".repeat(engine.rules().settings.max_line_bytes + 10);
        let input = format!(
            "clean one\nmail jane@example.com\nclean two\nclean three\n{overlong}\n{{\"email\":\"a@b.co\"}}\nbad \u{FFFD} \
             ok\nlast without newline"
        );
        let mut input = input.into_bytes();
        // Invalid UTF-8 comes out repaired, so it is a changed line even with nothing to redact.
        input.extend_from_slice(b"\nbroken \xff byte\ntail");
        let mut expected = Vec::new();
        let mut reference = engine.redactor();
        let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
        for (i, line) in lines.iter().enumerate() {
            reference.redact_line(line, &mut expected);
            if i + 1 < lines.len() {
                expected.push(b'\n');
            }
        }
        for read_size in [1, 5, 64, 4096] {
            let mut redactor = engine.redactor();
            let mut output = Trickle { bytes: Vec::new(), calls: 0 };
            let config = StreamConfig { read_size, write_size: 16 };
            let count = filter(&mut redactor, &mut &input[..], &mut output, config).unwrap();
            assert_eq!(count, lines.len() as u64);
            assert_eq!(String::from_utf8_lossy(&output.bytes), String::from_utf8_lossy(&expected), "{read_size}");
            assert!(output.bytes.windows(7).all(|w| w != b"example"), "the address never passes");
            assert_eq!(redactor.stats().bytes_out, reference.stats().bytes_out);
        }
    }
}
