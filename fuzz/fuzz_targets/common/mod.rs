//! What the engine fuzz targets share: one engine on the shipped rules, and the input as one line.

use std::sync::OnceLock;

use steward::redact::{Engine, Format, Redactor};
use steward::rules::Rules;

/// A redactor of the engine built once from the shipped rules, reading lines as `format`.
pub fn redactor(format: Format) -> Redactor {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| Engine::new(Rules::defaults(), None).expect("the defaults need no key"));
    let mut redactor = engine.redactor();
    redactor.set_format(format);
    redactor
}

/// The fuzz input as one line: line feeds removed (the stream splits on them before the engine).
pub fn line(data: &[u8]) -> Vec<u8> {
    data.iter().copied().filter(|&b| b != b'\n').collect()
}
