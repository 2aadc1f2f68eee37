//! Offset maps: where each byte of a decoded text (a JSON string without its escapes, HTML text without its
//! character references) came from in its source, kept as a few segments rather than one entry per byte.

/// The decoded text is a sequence of segments: runs of bytes copied from the source, which map one to one, and
/// decoded references (an escape, an entity), whose bytes all map to the reference's first source byte. The end
/// of the decoded text maps to the end of the source.
#[derive(Debug, Default)]
pub(crate) struct OffsetMap {
    segments: Vec<Segment>,
    decoded_len: usize,
    source_len: usize,
}

impl OffsetMap {
    /// Forgets every segment.
    pub(crate) fn clear(&mut self) {
        self.segments.clear();
        self.decoded_len = 0;
        self.source_len = 0;
    }

    /// Appends `run`, the source's bytes from `source` on, to the decoded text `out`, and records it.
    #[inline]
    pub(crate) fn copy_run(&mut self, out: &mut Vec<u8>, run: &[u8], source: usize) {
        self.copied(out.len(), source, run.len());
        out.extend_from_slice(run);
    }

    /// Appends `ch`, decoded from the reference (an escape, an entity) that starts at `source`, to the decoded
    /// text `out` as UTF-8, and records it.
    #[inline]
    pub(crate) fn decode_char(&mut self, out: &mut Vec<u8>, ch: char, source: usize) {
        self.reference(out.len(), source);
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }

    /// Appends `bytes`, written in place of the source's bytes that start at `source`, to the decoded text `out`,
    /// and records them as one reference.
    #[inline]
    pub(crate) fn reference_bytes(&mut self, out: &mut Vec<u8>, bytes: &[u8], source: usize) {
        self.reference(out.len(), source);
        out.extend_from_slice(bytes);
    }

    /// Writes `text` to `out` with each reference that `reference_at` reads at one of the `candidates` (positions in
    /// `text`, in order) replaced by the character it spells, recording where each byte came from: the decoders of
    /// HTML entities, percent escapes and wide separators. `reference_at` gets the text from the candidate on and
    /// gives the character and the reference's length.
    pub(crate) fn decode_references(
        &mut self,
        text: &[u8],
        candidates: impl Iterator<Item = usize>,
        reference_at: impl Fn(&[u8]) -> Option<(char, usize)>,
        out: &mut Vec<u8>,
    ) {
        out.clear();
        self.clear();
        let mut copied = 0;
        for at in candidates {
            if at < copied {
                continue;
            }
            if let Some((ch, len)) = reference_at(&text[at..]) {
                self.copy_run(out, &text[copied..at], copied);
                self.decode_char(out, ch, at);
                copied = at + len;
            }
        }
        self.copy_run(out, &text[copied..], copied);
        self.finish(out.len(), text.len());
    }

    /// Records that `len` bytes were copied from `source` to the end of the decoded text (`decoded`).
    #[inline]
    fn copied(&mut self, decoded: usize, source: usize, len: usize) {
        if len > 0 {
            self.segments.push(Segment { decoded, source, copied: true });
        }
    }

    /// Records that a reference starting at `source` was decoded into bytes starting at `decoded`.
    #[inline]
    fn reference(&mut self, decoded: usize, source: usize) {
        self.segments.push(Segment { decoded, source, copied: false });
    }

    /// Closes the map: the decoded text is `decoded_len` bytes long, its source `source_len`.
    pub(crate) fn finish(&mut self, decoded_len: usize, source_len: usize) {
        self.decoded_len = decoded_len;
        self.source_len = source_len;
    }

    /// The source offset of decoded offset `at` (the end of the source for the end of the decoded text).
    pub(crate) fn source(&self, at: usize) -> usize {
        if at >= self.decoded_len {
            return self.source_len;
        }
        let index = self.segments.partition_point(|segment| segment.decoded <= at);
        match index.checked_sub(1).map(|k| self.segments[k]) {
            Some(segment) if segment.copied => segment.source + (at - segment.decoded),
            Some(segment) => segment.source,
            // Unreachable for a map filled by a decoder (its first segment starts at 0): the start is the start.
            None => at,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    /// Where the segment starts in the decoded text and in the source.
    decoded: usize,
    source: usize,
    /// A copied run (offsets advance together), or a decoded reference (every byte maps to `source`).
    copied: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_map_one_to_one_and_references_to_their_start() {
        // Source `ab&amp;cd` decoded to `ab&cd`.
        let mut map = OffsetMap::default();
        map.copied(0, 0, 2);
        map.reference(2, 2);
        map.copied(3, 7, 2);
        map.finish(5, 9);
        let got: Vec<usize> = (0..=5).map(|at| map.source(at)).collect();
        assert_eq!(got, [0, 1, 2, 7, 8, 9]);
        // A reference decoded to several bytes: each maps to its start; an empty run is not a segment.
        map.clear();
        map.copied(0, 0, 0);
        map.reference(0, 0);
        map.finish(4, 12);
        assert_eq!((0..=4).map(|at| map.source(at)).collect::<Vec<_>>(), [0, 0, 0, 0, 12]);
    }
}
