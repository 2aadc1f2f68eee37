//! Fuzz target: any bytes as a JSON line; the walker must never fail, and valid JSON must stay valid JSON.
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
    redactor.set_format(Format::Json);
    let mut out = Vec::new();
    redactor.redact_line(&line, &mut out);
    assert_eq!(redactor.stats().markers, 0, "the engine failed on a line");
    let was_json = serde_json::from_slice::<serde_json::Value>(&line).is_ok();
    if was_json && redactor.stats().json_fallbacks == 0 {
        assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok(), "redaction broke a JSON line");
    }
});
