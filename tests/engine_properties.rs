//! Properties of the engine over generated corpora: chunking never changes output, redaction is idempotent, and
//! lines without personal data come out byte-identical.

use std::io::{self, Read};

use proptest::prelude::*;
use steward::pii::HashKey;
use steward::quality::{generate, write_mixed_log};
use steward::redact::stream::{filter, StreamConfig};
use steward::redact::{Engine, Format};
use steward::rules::{Action, Rules};

fn engine() -> Engine {
    Engine::new(Rules::defaults(), None).expect("the defaults need no key")
}

/// A reader that hands out its bytes in the given chunk sizes (cycling), to exercise every buffer boundary.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Ok(0);
        }
        let size = self.sizes[self.next % self.sizes.len()].max(1).min(buf.len()).min(self.data.len());
        self.next += 1;
        buf[..size].copy_from_slice(&self.data[..size]);
        self.data = &self.data[size..];
        Ok(size)
    }
}

fn corpus_text(seed: u64, count: usize) -> Vec<u8> {
    let mut text = Vec::new();
    for sample in generate(seed, count) {
        // Samples may hold newlines (HTML bodies, the Presidio style); lines are what the stream sees.
        text.extend(sample.text.bytes().map(|b| if b == b'\n' { b' ' } else { b }));
        text.push(b'\n');
    }
    text
}

fn redact_lines(engine: &Engine, text: &[u8]) -> Vec<u8> {
    let mut redactor = engine.redactor();
    let mut out = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        let (body, newline) = match line.split_last() {
            Some((b'\n', body)) => (body, true),
            _ => (line, false),
        };
        redactor.redact_line(body, &mut out);
        if newline {
            out.push(b'\n');
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn any_chunking_gives_the_same_output(seed in 0u64..1000, sizes in prop::collection::vec(1usize..700, 1..8), read_size in 1usize..4096) {
        let engine = engine();
        let text = corpus_text(seed, 60);
        let expected = redact_lines(&engine, &text);
        let mut redactor = engine.redactor();
        let mut reader = Chunked { data: &text, sizes, next: 0 };
        let mut out = Vec::new();
        filter(&mut redactor, &mut reader, &mut out, StreamConfig { read_size, write_size: 1 + read_size % 977 }).unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected), "seed {}", seed);
    }

    #[test]
    fn redacting_twice_changes_nothing_more(seed in 0u64..1000) {
        let engine = engine();
        let text = corpus_text(seed, 40);
        let once = redact_lines(&engine, &text);
        let twice = redact_lines(&engine, &once);
        prop_assert_eq!(String::from_utf8_lossy(&twice), String::from_utf8_lossy(&once), "seed {}", seed);
    }

    #[test]
    fn hashing_twice_changes_nothing_more(seed in 0u64..1000) {
        // A hash token (`[EMAIL:9f2c41]`) is kept as it is wherever it stands: under a classified key, after a
        // scheme, as URL credentials.
        let mut rules = Rules::defaults();
        rules.override_action(Action::Hash);
        let key = HashKey::from_hex(&"5a".repeat(32)).expect("64 hex digits");
        let engine = Engine::new(rules, Some(key)).expect("a key is given");
        let text = corpus_text(seed, 40);
        let once = redact_lines(&engine, &text);
        let twice = redact_lines(&engine, &once);
        prop_assert_eq!(String::from_utf8_lossy(&twice), String::from_utf8_lossy(&once), "seed {}", seed);
    }

    #[test]
    fn masking_twice_changes_nothing_more(seed in 0u64..1000) {
        // A masked value keeps its last four when masked again: its `*`s count as the letters and digits they hide.
        let mut rules = Rules::defaults();
        rules.override_action(Action::Mask);
        let engine = Engine::new(rules, None).expect("mask needs no key");
        let text = corpus_text(seed, 40);
        let once = redact_lines(&engine, &text);
        let twice = redact_lines(&engine, &once);
        prop_assert_eq!(String::from_utf8_lossy(&twice), String::from_utf8_lossy(&once), "seed {}", seed);
    }

    #[test]
    fn a_last_line_without_newline_is_kept_without_one(seed in 0u64..1000) {
        let engine = engine();
        let mut text = corpus_text(seed, 5);
        text.pop();
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        filter(&mut redactor, &mut &text[..], &mut out, StreamConfig::default()).unwrap();
        prop_assert!(!out.ends_with(b"\n"));
        prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 4);
    }
}

#[test]
fn lines_without_personal_data_are_byte_identical() {
    let engine = engine();
    for seed in [1u64, 2, 3] {
        let mut log = Vec::new();
        let lines = write_mixed_log(seed, 2_000_000, 0, &mut log).unwrap();
        let mut redactor = engine.redactor();
        let mut out = Vec::new();
        filter(&mut redactor, &mut &log[..], &mut out, StreamConfig::default()).unwrap();
        let stats = redactor.take_stats();
        if out != log {
            let first = out.split(|&b| b == b'\n').zip(log.split(|&b| b == b'\n')).find(|(a, b)| a != b);
            panic!("seed {seed}: {} of {lines} clean lines changed, first: {first:?}", stats.lines_redacted);
        }
        assert_eq!(stats.lines, lines, "seed {seed}");
    }
}

#[test]
fn overlong_lines_are_withheld_in_constant_memory_and_the_stream_goes_on() {
    let engine = Engine::new(
        steward::rules::compile_sources(&[steward::rules::RulesText::new(
            "t.toml",
            "[settings]\nmax_line_bytes = 1000\n",
        )])
        .unwrap(),
        None,
    )
    .unwrap();
    let mut input = b"before jane@x.com\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 50_000));
    input.extend_from_slice(b" tail jane@x.com\nafter 203.0.113.7\n");
    for read_size in [7, 64, 999, 1000, 1001, 65536] {
        let mut redactor = engine.redactor();
        redactor.set_format(Format::Auto);
        let mut out = Vec::new();
        filter(&mut redactor, &mut &input[..], &mut out, StreamConfig { read_size, write_size: 4096 }).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text, "before [EMAIL]\n[STEWARD: line withheld, reason=overlong, bytes=50016]\nafter [IP]\n",
            "read size {read_size}"
        );
        assert_eq!(redactor.stats().markers, 1);
        let newlines = text.bytes().filter(|&b| b == b'\n').count() as u64;
        assert_eq!(redactor.stats().bytes_out + newlines, text.len() as u64, "bytes out count the marker too");
        assert_eq!(redactor.stats().bytes_in + newlines, input.len() as u64);
    }
}
