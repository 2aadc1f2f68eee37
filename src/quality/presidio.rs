//! Loader for Presidio's labeled synthetic corpus (`synth_dataset_v2.json`): character offsets become byte offsets.
//!
//! Only the entities Steward finds in prose are kept, renamed to Steward's names (EMAIL_ADDRESS -> EMAIL,
//! PHONE_NUMBER -> PHONE, CREDIT_CARD -> CARD, IBAN_CODE -> IBAN, US_SSN -> SSN, IP_ADDRESS -> IP, PERSON -> NAME);
//! addresses, dates and the rest are dropped, so a pattern detector is not charged with missing them. Names are
//! found only after a word that introduces one, so their recall is low by design and their precision is scored.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::quality::{CorpusError, GoldSpan, LabeledSample, SampleFormat};

/// Loads the corpus file at `path`.
pub fn load_presidio(path: &Path) -> Result<Vec<LabeledSample>, CorpusError> {
    let bytes = std::fs::read(path).map_err(|source| CorpusError::Io { path: path.display().to_string(), source })?;
    parse_presidio(&bytes)
}

/// Where the corpus is: `$STEWARD_PII_CORPUS`, else `../shared/pii-corpus/synth_dataset_v2.json` next to the
/// repository. Returns `None` when no file exists there.
pub fn presidio_corpus_path() -> Option<PathBuf> {
    let path = match std::env::var_os("STEWARD_PII_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/pii-corpus/synth_dataset_v2.json")),
    };
    path.is_file().then_some(path)
}

/// Parses the corpus from its JSON text.
pub fn parse_presidio(bytes: &[u8]) -> Result<Vec<LabeledSample>, CorpusError> {
    let raw: Vec<RawSample> = serde_json::from_slice(bytes).map_err(|e| CorpusError::json(&e, 0))?;
    raw.into_iter().enumerate().map(|(index, sample)| convert(index, sample)).collect()
}

/// Steward's name for a Presidio entity type, or `None` if it is not scored.
pub fn map_entity(presidio: &str) -> Option<&'static str> {
    Some(match presidio {
        "EMAIL_ADDRESS" => "EMAIL",
        "PHONE_NUMBER" => "PHONE",
        "CREDIT_CARD" => "CARD",
        "IBAN_CODE" => "IBAN",
        "US_SSN" => "SSN",
        "IP_ADDRESS" => "IP",
        "PERSON" => "NAME",
        _ => return None,
    })
}

#[derive(Deserialize)]
struct RawSample {
    full_text: String,
    #[serde(default)]
    spans: Vec<RawSpan>,
    #[serde(default)]
    template_id: Option<u64>,
}

#[derive(Deserialize)]
struct RawSpan {
    entity_type: String,
    start_position: usize,
    end_position: usize,
}

fn convert(index: usize, raw: RawSample) -> Result<LabeledSample, CorpusError> {
    // byte_at[c] is the byte offset of code point c; byte_at[len] is the text length.
    let mut byte_at: Vec<usize> = raw.full_text.char_indices().map(|(b, _)| b).collect();
    byte_at.push(raw.full_text.len());
    let mut spans = Vec::new();
    for span in &raw.spans {
        let Some(entity) = map_entity(&span.entity_type) else {
            continue;
        };
        let bad = || CorpusError::BadSpan { sample: index, start: span.start_position, end: span.end_position };
        if span.start_position >= span.end_position {
            return Err(bad());
        }
        let start = *byte_at.get(span.start_position).ok_or_else(bad)?;
        let end = *byte_at.get(span.end_position).ok_or_else(bad)?;
        spans.push(GoldSpan { entity: entity.to_string(), start, end });
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let id = match raw.template_id {
        Some(t) => format!("presidio-{index}-t{t}"),
        None => format!("presidio-{index}"),
    };
    Ok(LabeledSample { id, text: raw.full_text, format: SampleFormat::Text, spans })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn converts_character_offsets_to_byte_offsets() {
        let json = r#"[{"full_text":"Zoë Ünal: zoe@example.com, tel 212-555-0187","masked":"",
            "spans":[{"entity_type":"GPE","entity_value":"Zoë Ünal","start_position":0,"end_position":8},
                     {"entity_type":"EMAIL_ADDRESS","entity_value":"zoe@example.com","start_position":10,"end_position":25},
                     {"entity_type":"PHONE_NUMBER","entity_value":"212-555-0187","start_position":31,"end_position":43}],
            "template_id":3,"metadata":null}]"#;
        let samples = parse_presidio(json.as_bytes()).unwrap();
        assert_eq!(samples.len(), 1);
        let s = &samples[0];
        assert_eq!(s.spans.len(), 2, "GPE is dropped");
        assert_eq!(s.spans[0].entity, "EMAIL");
        assert_eq!(&s.text[s.spans[0].start..s.spans[0].end], "zoe@example.com");
        assert_eq!(s.spans[1].entity, "PHONE");
        assert_eq!(&s.text[s.spans[1].start..s.spans[1].end], "212-555-0187");
    }

    #[test]
    fn rejects_out_of_range_spans_without_quoting_text() {
        let json = r#"[{"full_text":"secret@example.com","spans":[{"entity_type":"EMAIL_ADDRESS",
            "entity_value":"x","start_position":3,"end_position":99}]}]"#;
        let err = parse_presidio(json.as_bytes()).unwrap_err();
        assert!(matches!(err, CorpusError::BadSpan { sample: 0, .. }));
        assert!(!err.to_string().contains("secret"));
        let err = parse_presidio(b"[{\"full_text\": 12}]").unwrap_err();
        assert!(matches!(err, CorpusError::Json { .. }), "{err}");
    }

    #[test]
    fn real_corpus_has_the_documented_counts_and_values() {
        let Some(path) = presidio_corpus_path() else {
            eprintln!(
                "\n*** SKIPPED: Presidio corpus not found (set STEWARD_PII_CORPUS or put it at \
                 ../shared/pii-corpus/synth_dataset_v2.json) ***\n"
            );
            return;
        };
        let samples = load_presidio(&path).unwrap();
        assert_eq!(samples.len(), 1500);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for span in samples.iter().flat_map(|s| &s.spans) {
            *counts.entry(span.entity.as_str()).or_default() += 1;
        }
        let expected: BTreeMap<&str, usize> =
            [("CARD", 136), ("PHONE", 92), ("EMAIL", 49), ("IBAN", 21), ("SSN", 16), ("IP", 14), ("NAME", 857)]
                .into_iter()
                .collect();
        assert_eq!(counts, expected);

        // Every converted byte span holds exactly the labeled value.
        let raw: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let mut checked = 0;
        for (sample, raw) in samples.iter().zip(&raw) {
            let mut wanted: Vec<(String, String)> = raw["spans"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| {
                    let entity = map_entity(s["entity_type"].as_str()?)?;
                    Some((entity.to_string(), s["entity_value"].as_str()?.to_string()))
                })
                .collect();
            let mut got: Vec<(String, String)> =
                sample.spans.iter().map(|s| (s.entity.clone(), sample.text[s.start..s.end].to_string())).collect();
            wanted.sort();
            got.sort();
            assert_eq!(got, wanted, "{}", sample.id);
            checked += got.len();
        }
        assert_eq!(checked, 328 + 857);
    }
}
