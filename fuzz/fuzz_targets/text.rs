//! Fuzz target: any bytes as a text line; the engine must not fail and must be idempotent on its own output.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use steward::redact::{Engine, Format};
use steward::rules::Rules;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Rules::defaults(), None).expect("the defaults need no key"))
}

fuzz_target!(|data: &[u8]| {
    let line: Vec<u8> = data.iter().copied().filter(|&b| b != b'\n').collect();
    let mut redactor = engine().redactor();
    redactor.set_format(Format::Text);
    let mut once = Vec::new();
    redactor.redact_line(&line, &mut once);
    // A caught panic becomes a marker: there must be none.
    assert_eq!(redactor.stats().markers, 0, "the engine failed on a line");
    // Spans must be in bounds and ordered.
    let spans = redactor.find(&line);
    let mut last = 0;
    for span in &spans {
        assert!(span.start >= last && span.start < span.end && span.end <= line.len());
        last = span.end;
    }
});
