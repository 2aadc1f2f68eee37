//! Client framing: cuts the bytes of one connection into chunks of whole records (newline or RFC 6587).
//!
//! A chunk shares the read buffer (no copy). Newline chunks hold whole LF-terminated lines; the worker
//! splits them. Octet-counted chunks carry the ranges of their frames. A line longer than the limit is
//! discarded as it streams (memory stays bounded) and becomes a marker.

use std::ops::Range;

use bytes::{Buf, Bytes, BytesMut};

use crate::proxy::config::Framing;

/// A run of complete records from one connection.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub raw: Bytes,
    pub layout: Layout,
}

/// How the records lie in [`Chunk::raw`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// LF-terminated lines.
    Newline,
    /// Explicit frames.
    Frames(Vec<Frame>),
}

/// One record of a [`Layout::Frames`] chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Line(Range<usize>),
    /// A record longer than the limit was dropped; it becomes a marker line with its length.
    Overlong(u64),
}

/// Why a connection is closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("octet-counted frame does not start with a length; the client must send `MSG-LEN SP MSG`")]
    Garbage,
    #[error("octet-counted frame of {0} bytes exceeds max_line_bytes; raise the limit or fix the client")]
    TooLong(u64),
    #[error("the connection ended inside an octet-counted frame")]
    Truncated,
}

/// Decodes one connection.
#[derive(Debug)]
pub struct Decoder {
    mode: Mode,
    max_line: usize,
    /// Bytes of an overlong newline record discarded so far.
    discarding: Option<u64>,
    partial_dropped: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Undecided,
    Newline,
    Octet,
}

/// The most digits a MSG-LEN may have.
const MAX_LEN_DIGITS: usize = 9;

impl Decoder {
    pub fn new(framing: Framing, max_line: usize) -> Decoder {
        let mode = match framing {
            Framing::Auto => Mode::Undecided,
            Framing::Newline => Mode::Newline,
            Framing::OctetCounting => Mode::Octet,
        };
        Decoder { mode, max_line, discarding: None, partial_dropped: 0 }
    }

    /// True once the connection is known to be octet-counted.
    pub fn is_octet_counted(&self) -> bool {
        self.mode == Mode::Octet
    }

    /// Takes the next chunk of complete records out of `buf`; `None` when more bytes are needed.
    /// Call it again until it returns `None`.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Chunk>, FrameError> {
        if self.mode == Mode::Undecided {
            // RFC 6587 octet counting starts with `MSG-LEN SP` (a non-zero first digit); a plain line that merely
            // starts with a digit (`2026-11-29T10:13:43Z ...`, `203.0.113.7 - - [...]`) is newline-delimited.
            let digits = buf.iter().take(MAX_LEN_DIGITS + 1).take_while(|b| b.is_ascii_digit()).count();
            match buf.get(digits) {
                None if buf.is_empty() => return Ok(None),
                None if digits <= MAX_LEN_DIGITS => return Ok(None),
                Some(b' ') if digits > 0 && buf[0] != b'0' => self.mode = Mode::Octet,
                _ => self.mode = Mode::Newline,
            }
        }
        match self.mode {
            Mode::Octet => self.decode_octet(buf),
            _ => Ok(self.decode_newline(buf)),
        }
    }

    /// Unterminated last records dropped at end of stream (0 or 1).
    pub fn partial_dropped(&self) -> u64 {
        self.partial_dropped
    }

    /// Takes what is left at end of stream. An unterminated last record is dropped and counted, never
    /// forwarded: a record cut short may hold a fragment of personal data that the engine cannot
    /// recognize any more (fail closed).
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Chunk>, FrameError> {
        if let Some(chunk) = self.decode(buf)? {
            return Ok(Some(chunk));
        }
        if let Some(n) = self.discarding.take() {
            let n = n + buf.len() as u64;
            buf.clear();
            return Ok(Some(marker_chunk(n)));
        }
        if buf.is_empty() {
            return Ok(None);
        }
        match self.mode {
            Mode::Octet => {
                let only_blank = buf.iter().all(|b| matches!(b, b'\n' | b'\r' | b' '));
                buf.clear();
                match only_blank {
                    true => Ok(None),
                    false => Err(FrameError::Truncated),
                }
            }
            _ => {
                buf.clear();
                self.partial_dropped += 1;
                Ok(None)
            }
        }
    }

    fn decode_newline(&mut self, buf: &mut BytesMut) -> Option<Chunk> {
        if let Some(n) = self.discarding {
            return match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    buf.advance(i + 1);
                    self.discarding = None;
                    Some(marker_chunk(n + i as u64))
                }
                None => {
                    self.discarding = Some(n + buf.len() as u64);
                    buf.clear();
                    None
                }
            };
        }
        match memchr::memrchr(b'\n', buf) {
            Some(i) => Some(Chunk { raw: buf.split_to(i + 1).freeze(), layout: Layout::Newline }),
            None => {
                if buf.len() > self.max_line {
                    self.discarding = Some(buf.len() as u64);
                    buf.clear();
                }
                None
            }
        }
    }

    fn decode_octet(&mut self, buf: &mut BytesMut) -> Result<Option<Chunk>, FrameError> {
        let mut frames = Vec::new();
        let mut pos = 0;
        let data = &buf[..];
        loop {
            while pos < data.len() && matches!(data[pos], b'\n' | b'\r') {
                pos += 1;
            }
            if pos == data.len() {
                break;
            }
            let digits = data[pos..].iter().take(MAX_LEN_DIGITS + 1).take_while(|b| b.is_ascii_digit()).count();
            let after = pos + digits;
            let error = match digits {
                0 => Some(FrameError::Garbage),
                d if d > MAX_LEN_DIGITS => Some(FrameError::TooLong(u64::MAX)),
                _ if after == data.len() => break,
                _ if data[after] != b' ' => Some(FrameError::Garbage),
                _ => None,
            };
            let len: u64 = match error {
                Some(_) => 0,
                None => std::str::from_utf8(&data[pos..after]).ok().and_then(|s| s.parse().ok()).unwrap_or(0),
            };
            let error = match error {
                None if len > self.max_line as u64 => Some(FrameError::TooLong(len)),
                other => other,
            };
            if let Some(error) = error {
                // The frames before the bad one are delivered first; the next call reports the error.
                match frames.is_empty() {
                    true => return Err(error),
                    false => break,
                }
            }
            let start = after + 1;
            let end = start + len as usize;
            if end > data.len() {
                break;
            }
            let mut line_end = end;
            if line_end > start && data[line_end - 1] == b'\n' {
                line_end -= 1;
            }
            frames.push(Frame::Line(start..line_end));
            pos = end;
        }
        if frames.is_empty() {
            buf.advance(pos.min(leading_blank(buf)));
            return Ok(None);
        }
        Ok(Some(Chunk { raw: buf.split_to(pos).freeze(), layout: Layout::Frames(frames) }))
    }
}

fn leading_blank(buf: &[u8]) -> usize {
    buf.iter().take_while(|b| matches!(b, b'\n' | b'\r')).count()
}

fn marker_chunk(n: u64) -> Chunk {
    Chunk { raw: Bytes::new(), layout: Layout::Frames(vec![Frame::Overlong(n)]) }
}

/// The marker line written instead of a record longer than `max_line_bytes`: the engine's own JSON marker.
pub fn overlong_marker(bytes: u64, out: &mut Vec<u8>) {
    let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
    crate::redact::write_marker(crate::redact::MarkerReason::Overlong, b"{", bytes, out);
}

/// Calls `f` for each record of a chunk: `Ok(line)` or `Err(length)` for an overlong one.
pub fn for_each_record(chunk: &Chunk, max_line: usize, mut f: impl FnMut(Result<&[u8], u64>)) {
    match &chunk.layout {
        Layout::Newline => {
            let raw = &chunk.raw[..];
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', raw) {
                emit(&raw[start..end], max_line, &mut f);
                start = end + 1;
            }
            if start < raw.len() {
                emit(&raw[start..], max_line, &mut f);
            }
        }
        Layout::Frames(frames) => {
            for frame in frames {
                match frame {
                    Frame::Line(r) => emit(&chunk.raw[r.clone()], max_line, &mut f),
                    Frame::Overlong(n) => f(Err(*n)),
                }
            }
        }
    }
}

fn emit(line: &[u8], max_line: usize, f: &mut impl FnMut(Result<&[u8], u64>)) {
    match line.len() > max_line {
        true => f(Err(line.len() as u64)),
        false => f(Ok(line)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in pieces of every size from 1 to 17 and returns the records seen.
    fn records(framing: Framing, max: usize, input: &[u8]) -> Vec<Result<Vec<u8>, String>> {
        let mut all: Option<Vec<Result<Vec<u8>, String>>> = None;
        for step in 1..=17 {
            let mut out = Vec::new();
            let mut dec = Decoder::new(framing, max);
            let mut buf = BytesMut::new();
            let mut failed = None;
            for piece in input.chunks(step) {
                buf.extend_from_slice(piece);
                loop {
                    match dec.decode(&mut buf) {
                        Ok(Some(c)) => {
                            for_each_record(&c, max, |r| out.push(r.map(|l| l.to_vec()).map_err(|n| n.to_string())))
                        }
                        Ok(None) => break,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                if failed.is_some() {
                    break;
                }
            }
            match failed {
                Some(e) => out.push(Err(format!("error: {e:?}"))),
                None => loop {
                    match dec.decode_eof(&mut buf) {
                        Ok(Some(c)) => {
                            for_each_record(&c, max, |r| out.push(r.map(|l| l.to_vec()).map_err(|n| n.to_string())))
                        }
                        Ok(None) => break,
                        Err(e) => {
                            out.push(Err(format!("error: {e:?}")));
                            break;
                        }
                    }
                },
            }
            match &all {
                None => all = Some(out),
                Some(prev) => assert_eq!(prev, &out, "piece size {step} differs"),
            }
        }
        all.unwrap_or_default()
    }

    fn ok(s: &str) -> Result<Vec<u8>, String> {
        Ok(s.as_bytes().to_vec())
    }

    #[test]
    fn newline_lines_overlong_and_dropped_tail() {
        // The unterminated tail is dropped (and counted), never forwarded.
        let mut dec = Decoder::new(Framing::Auto, 8);
        let got = records(Framing::Auto, 8, b"{a}\n{bb}\n{0123456789}\n{c}\n{tail");
        assert_eq!(got, vec![ok("{a}"), ok("{bb}"), Err("12".into()), ok("{c}")]);
        let mut buf = BytesMut::from(&b"{x}\n{tail"[..]);
        assert!(dec.decode(&mut buf).unwrap().is_some());
        assert!(dec.decode_eof(&mut buf).unwrap().is_none());
        assert_eq!(dec.partial_dropped(), 1);
    }

    #[test]
    fn octet_counting_auto_detected() {
        let got = records(Framing::Auto, 64, b"3 abc5 {\"x\"}\n2 hi");
        assert_eq!(got, vec![ok("abc"), ok("{\"x\"}"), ok("hi")]);
    }

    #[test]
    fn octet_garbage_and_too_long_close() {
        let got = records(Framing::OctetCounting, 64, b"3 abcxyz");
        assert_eq!(got.last(), Some(&Err("error: Garbage".to_string())));
        let got = records(Framing::Auto, 8, b"2 ab100 ");
        assert_eq!(got, vec![ok("ab"), Err("error: TooLong(100)".into())]);
        let got = records(Framing::Auto, 8, b"5 abc");
        let timestamps = records(Framing::Auto, 64, b"2026-11-29T10:13:43Z x\n203.0.113.7 - - y\n");
        assert_eq!(timestamps.len(), 2, "lines that start with a digit but no `LEN SP` are newline-delimited");
        assert_eq!(got, vec![Err("error: Truncated".into())]);
    }
}
