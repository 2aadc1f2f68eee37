//! Fuzz target: any text as a rules file; compiling must give rules or errors with a line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward::rules::{compile_sources, RulesText};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(error) = compile_sources(&[RulesText::new("fuzz.toml", text)]) {
        assert!(!error.errors.is_empty());
        for problem in &error.errors {
            assert!(!problem.message.is_empty());
        }
    }
});
