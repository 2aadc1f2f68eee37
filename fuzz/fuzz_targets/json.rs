//! Fuzz target: any bytes as a JSON line; the walker must never fail, and valid JSON must stay valid JSON.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use steward::redact::Format;

fuzz_target!(|data: &[u8]| {
    let line = common::line(data);
    let mut redactor = common::redactor(Format::Json);
    let mut out = Vec::new();
    redactor.redact_line(&line, &mut out);
    assert_eq!(redactor.stats().markers, 0, "the engine failed on a line");
    let was_json = serde_json::from_slice::<serde_json::Value>(&line).is_ok();
    if was_json && redactor.stats().json_fallbacks == 0 {
        assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok(), "redaction broke a JSON line");
    }
});
