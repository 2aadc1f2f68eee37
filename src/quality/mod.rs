//! Quality measurement: labeled corpora (generated and Presidio's), the span scorer, and the speed-benchmark log writer.
//!
//! Everything here is independent of the redaction engine: the scorer takes the detector as a closure, so the same
//! code scores any detector (the engine, a baseline regex set, another tool's output read from a file).
//!
//! Spans are BYTE offsets into the UTF-8 text, half-open `[start, end)`. The corpora hold synthetic personal data
//! only (generated values, or the Fake Name Generator identities of the Presidio set), never real people's data.

pub mod cli;
pub mod gen;
pub mod mixed;
pub mod presidio;
pub mod score;

pub use gen::{generate, read_jsonl, write_jsonl};
pub use mixed::{write_json_log, write_mixed_log, DEFAULT_PII_EVERY};
pub use presidio::{load_presidio, presidio_corpus_path};
pub use score::{score, EntityScore, Example, ExampleKind, Report};

use serde::{Deserialize, Serialize};

/// Every entity the corpora label, in the order reports print them.
pub const ENTITIES: &[&str] = &["EMAIL", "PHONE", "CARD", "IBAN", "SSN", "IP", "MAC", "SECRET", "CREDENTIALS", "NAME"];

/// The entities the Presidio corpus labels (a subset of [`ENTITIES`]).
pub const PRESIDIO_ENTITIES: &[&str] = &["EMAIL", "PHONE", "CARD", "IBAN", "SSN", "IP", "NAME"];

/// How a sample's text is structured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleFormat {
    /// A plain log line (free text, logfmt, access log, syslog) or an English sentence.
    Text,
    /// One JSON log line (a single JSON object).
    Json,
    /// An HTML conversation body, as Intercom stores them.
    Html,
}

/// One labeled occurrence of personal data: `text[start..end]` is the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GoldSpan {
    pub entity: String,
    pub start: usize,
    pub end: usize,
}

/// A text with its gold spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabeledSample {
    pub id: String,
    pub text: String,
    pub format: SampleFormat,
    pub spans: Vec<GoldSpan>,
}

/// One span a detector reported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Found {
    pub entity: String,
    pub start: usize,
    pub end: usize,
}

/// Why a corpus could not be read. Messages never quote corpus text.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read the corpus file {path}: {source}; check the path or set STEWARD_PII_CORPUS")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the corpus: {0}; check that the input is readable")]
    Read(#[source] std::io::Error),
    #[error(
        "the corpus is not valid JSON ({category} error at line {line}, column {column}); \
         regenerate it or restore the original file"
    )]
    Json { category: &'static str, line: usize, column: usize },
    #[error(
        "sample {sample} has a span [{start}, {end}) outside its text or not on a character boundary; \
         fix the corpus file"
    )]
    BadSpan { sample: usize, start: usize, end: usize },
}

impl CorpusError {
    /// Builds a [`CorpusError::Json`] without keeping serde's message, which can quote the offending text.
    pub(crate) fn json(err: &serde_json::Error, line_offset: usize) -> CorpusError {
        let category = match err.classify() {
            serde_json::error::Category::Io => "i/o",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "unexpected end of input",
        };
        CorpusError::Json { category, line: err.line() + line_offset, column: err.column() }
    }
}

impl LabeledSample {
    /// The text of a gold span (empty if the span does not fit the text).
    pub fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }
}
