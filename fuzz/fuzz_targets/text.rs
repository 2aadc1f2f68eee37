//! Fuzz target: any bytes as a text line; the engine must not fail, and the spans it finds are in bounds and ordered.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use steward::redact::Format;

fuzz_target!(|data: &[u8]| {
    let line = common::line(data);
    let mut redactor = common::redactor(Format::Text);
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
