//! Span scorer: exact-match precision, recall and F1 per entity, with miss and false-positive examples for debugging.
//!
//! A found span is a true positive when a gold span with the same entity and the same `[start, end)` exists and
//! has not been matched already; otherwise it is a false positive (counted only for scored entities). Gold spans
//! of scored entities left unmatched are false negatives. An off-by-one boundary is therefore one false positive
//! plus one false negative: the engine must follow the span conventions exactly.
//!
//! Ratios with an empty denominator are 1.0 (no finds: precision 1.0; nothing to find: recall 1.0); F1 is 0 when
//! both ratios are 0.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::quality::{Found, LabeledSample, SampleFormat};

/// How many examples of each kind are kept per entity.
pub const MAX_EXAMPLES: usize = 20;

/// Scores `detect` on `samples` for the given entities (others, found or gold, are ignored).
pub fn score(
    samples: &[LabeledSample],
    entities: &[&str],
    detect: &mut dyn FnMut(&LabeledSample) -> Vec<Found>,
) -> Report {
    let mut report = Report {
        samples: samples.len(),
        bytes: samples.iter().map(|s| s.text.len()).sum(),
        entities: entities.iter().map(|e| EntityScore::empty(e.to_string())).collect(),
        overall: EntityScore::empty("ALL".to_string()),
        formats: ["text", "json", "html"].iter().map(|f| EntityScore::empty(f.to_string())).collect(),
        examples: BTreeMap::new(),
    };
    let index_of = |entity: &str| entities.iter().position(|e| *e == entity);
    for sample in samples {
        let found = detect(sample);
        let mut matched = vec![false; sample.spans.len()];
        // This sample's gold, found, tp, fp, fn over the scored entities.
        let mut counts = [0usize; 5];
        for gold in &sample.spans {
            if let Some(i) = index_of(&gold.entity) {
                report.entities[i].gold += 1;
                counts[0] += 1;
            }
        }
        for f in &found {
            let Some(i) = index_of(&f.entity) else {
                continue;
            };
            report.entities[i].found += 1;
            counts[1] += 1;
            let hit = sample.spans.iter().enumerate().position(|(g, gold)| {
                !matched[g] && gold.entity == f.entity && gold.start == f.start && gold.end == f.end
            });
            match hit {
                Some(g) => {
                    matched[g] = true;
                    report.entities[i].tp += 1;
                    counts[2] += 1;
                }
                None => {
                    report.entities[i].fp += 1;
                    counts[3] += 1;
                    report.push_example(ExampleKind::FalsePositive, &f.entity, sample, f.start, f.end);
                }
            }
        }
        for (g, gold) in sample.spans.iter().enumerate() {
            if matched[g] {
                continue;
            }
            if let Some(i) = index_of(&gold.entity) {
                report.entities[i].fn_ += 1;
                counts[4] += 1;
                report.push_example(ExampleKind::Miss, &gold.entity, sample, gold.start, gold.end);
            }
        }
        let row = &mut report.formats[match sample.format {
            SampleFormat::Text => 0,
            SampleFormat::Json => 1,
            SampleFormat::Html => 2,
        }];
        row.gold += counts[0];
        row.found += counts[1];
        row.tp += counts[2];
        row.fp += counts[3];
        row.fn_ += counts[4];
    }
    for row in &mut report.formats {
        row.finish();
    }
    for e in &mut report.entities {
        report.overall.gold += e.gold;
        report.overall.found += e.found;
        report.overall.tp += e.tp;
        report.overall.fp += e.fp;
        report.overall.fn_ += e.fn_;
        e.finish();
    }
    report.overall.finish();
    report
}

/// The result of [`score`].
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub samples: usize,
    pub bytes: usize,
    /// One row per scored entity, in the order they were given.
    pub entities: Vec<EntityScore>,
    /// Micro-averages over all scored entities.
    pub overall: EntityScore,
    /// Micro-averages over all scored entities, per sample format (rows `text`, `json`, `html`).
    pub formats: Vec<EntityScore>,
    /// Up to [`MAX_EXAMPLES`] misses and as many false positives per entity.
    pub examples: BTreeMap<String, Vec<Example>>,
}

/// Counts and ratios for one entity (or all of them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityScore {
    pub entity: String,
    pub gold: usize,
    pub found: usize,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Whether an example is a missed gold span or a false positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExampleKind {
    Miss,
    FalsePositive,
}

/// A span with the text around it, the span itself marked `[[like this]]`.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub kind: ExampleKind,
    pub sample: String,
    pub start: usize,
    pub end: usize,
    pub window: String,
}

/// A goal a report is checked against: entity, minimum precision, minimum recall.
pub type Goal<'a> = (&'a str, f64, f64);

impl Report {
    /// The row of one entity, if it was scored.
    pub fn entity(&self, entity: &str) -> Option<&EntityScore> {
        self.entities.iter().find(|e| e.entity == entity)
    }

    /// The kept misses and false positives of one entity.
    pub fn examples(&self, entity: &str) -> &[Example] {
        self.examples.get(entity).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Checks minimum precision and recall per entity; lists every goal that is not met.
    pub fn check_goals(&self, goals: &[Goal<'_>]) -> Result<(), Vec<String>> {
        let mut failures = Vec::new();
        for &(entity, min_precision, min_recall) in goals {
            let Some(row) = self.entity(entity) else {
                failures.push(format!("{entity}: not scored; add it to the scored entities"));
                continue;
            };
            if row.precision < min_precision {
                failures.push(format!(
                    "{entity}: precision {:.3} is below the goal {min_precision:.3} ({} false positives of {} found)",
                    row.precision, row.fp, row.found
                ));
            }
            if row.recall < min_recall {
                failures.push(format!(
                    "{entity}: recall {:.3} is below the goal {min_recall:.3} ({} missed of {} gold)",
                    row.recall, row.fn_, row.gold
                ));
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures)
        }
    }

    fn push_example(&mut self, kind: ExampleKind, entity: &str, sample: &LabeledSample, start: usize, end: usize) {
        let list = self.examples.entry(entity.to_string()).or_default();
        if list.iter().filter(|e| e.kind == kind).count() >= MAX_EXAMPLES {
            return;
        }
        list.push(Example { kind, sample: sample.id.clone(), start, end, window: window(&sample.text, start, end) });
    }
}

impl EntityScore {
    fn empty(entity: String) -> EntityScore {
        EntityScore { entity, gold: 0, found: 0, tp: 0, fp: 0, fn_: 0, precision: 1.0, recall: 1.0, f1: 1.0 }
    }

    fn finish(&mut self) {
        self.precision = ratio(self.tp, self.tp + self.fp);
        self.recall = ratio(self.tp, self.tp + self.fn_);
        let sum = self.precision + self.recall;
        self.f1 = if sum == 0.0 { 0.0 } else { 2.0 * self.precision * self.recall / sum };
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

/// Bytes of context shown on each side of an example span.
const WINDOW: usize = 40;

/// The text around `[start, end)`, the span marked with `[[ ]]`, cut on char boundaries, newlines shown as `⏎`.
fn window(text: &str, start: usize, end: usize) -> String {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let (start, end) = (floor(start), ceil(end.max(start)));
    let from = floor(start.saturating_sub(WINDOW));
    let to = ceil(end + WINDOW);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&text[from..start]);
    out.push_str("[[");
    out.push_str(&text[start..end]);
    out.push_str("]]");
    out.push_str(&text[end..to]);
    if to < text.len() {
        out.push('…');
    }
    out.replace('\n', "⏎")
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} samples, {} bytes; exact span match", self.samples, self.bytes)?;
        writeln!(
            f,
            "{:<12} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7}",
            "entity", "gold", "found", "tp", "fp", "fn", "precision", "recall", "f1"
        )?;
        // Per-format rows only when more than one format has anything to score.
        let formats: Vec<&EntityScore> = self.formats.iter().filter(|r| r.gold + r.found > 0).collect();
        let formats = if formats.len() > 1 { formats } else { Vec::new() };
        let rows = self
            .entities
            .iter()
            .map(|r| (r, ""))
            .chain(std::iter::once((&self.overall, "")))
            .chain(formats.into_iter().map(|r| (r, "ALL:")));
        for (row, prefix) in rows {
            writeln!(
                f,
                "{:<12} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9.3} {:>7.3} {:>7.3}",
                format!("{prefix}{}", row.entity),
                row.gold,
                row.found,
                row.tp,
                row.fp,
                row.fn_,
                row.precision,
                row.recall,
                row.f1
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::GoldSpan;

    fn sample(id: &str, text: &str, spans: &[(&str, usize, usize)]) -> LabeledSample {
        LabeledSample {
            id: id.to_string(),
            text: text.to_string(),
            format: SampleFormat::Text,
            spans: spans
                .iter()
                .map(|&(entity, start, end)| GoldSpan { entity: entity.to_string(), start, end })
                .collect(),
        }
    }

    fn found(entity: &str, start: usize, end: usize) -> Found {
        Found { entity: entity.to_string(), start, end }
    }

    fn corpus() -> Vec<LabeledSample> {
        vec![
            // "mail a@b.io call 415-555-2671"
            sample("s1", "mail a@b.io call 415-555-2671", &[("EMAIL", 5, 11), ("PHONE", 17, 29)]),
            sample("s2", "nothing here 2026-11-29", &[]),
            sample("s3", "card 4111111111111111 ok", &[("CARD", 5, 21)]),
        ]
    }

    #[test]
    fn exact_matches_are_true_positives() {
        let samples = corpus();
        let report = score(&samples, &["EMAIL", "PHONE", "CARD"], &mut |s| {
            s.spans.iter().map(|g| found(&g.entity, g.start, g.end)).collect()
        });
        for row in &report.entities {
            assert_eq!((row.gold, row.tp, row.fp, row.fn_), (1, 1, 0, 0), "{row:?}");
            assert_eq!((row.precision, row.recall, row.f1), (1.0, 1.0, 1.0));
        }
        assert_eq!(report.overall.tp, 3);
        assert_eq!(report.formats[0].tp, 3, "all samples are text");
        assert_eq!(report.formats[1].gold + report.formats[2].gold, 0);
        assert!(report.check_goals(&[("EMAIL", 1.0, 1.0)]).is_ok());
        assert!(report.examples("EMAIL").is_empty());
    }

    #[test]
    fn off_by_one_boundary_is_one_fp_and_one_fn() {
        let samples = corpus();
        let report = score(&samples, &["PHONE"], &mut |s| {
            if s.id == "s1" {
                vec![found("PHONE", 16, 29)]
            } else {
                vec![]
            }
        });
        let row = report.entity("PHONE").unwrap();
        assert_eq!((row.gold, row.found, row.tp, row.fp, row.fn_), (1, 1, 0, 1, 1));
        assert_eq!((row.precision, row.recall, row.f1), (0.0, 0.0, 0.0));
        let examples = report.examples("PHONE");
        assert_eq!(examples.len(), 2);
        assert!(examples.iter().any(|e| e.kind == ExampleKind::Miss && e.window.contains("[[415-555-2671]]")));
        assert!(examples
            .iter()
            .any(|e| e.kind == ExampleKind::FalsePositive && e.window.contains("[[ 415-555-2671]]")));
    }

    #[test]
    fn duplicate_finds_count_once_and_others_are_fps() {
        let samples = corpus();
        let report = score(&samples, &["CARD", "EMAIL"], &mut |s| match s.id.as_str() {
            "s3" => vec![found("CARD", 5, 21), found("CARD", 5, 21)],
            "s2" => vec![found("CARD", 13, 23), found("PHONE", 0, 4)],
            _ => vec![],
        });
        let card = report.entity("CARD").unwrap();
        assert_eq!((card.gold, card.found, card.tp, card.fp, card.fn_), (1, 3, 1, 2, 0));
        assert!((card.precision - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(card.recall, 1.0);
        assert!((card.f1 - 0.5).abs() < 1e-9);
        let email = report.entity("EMAIL").unwrap();
        assert_eq!((email.gold, email.found, email.fn_), (1, 0, 1));
        assert_eq!((email.precision, email.recall), (1.0, 0.0));
        // PHONE was not scored: neither its find nor its gold count.
        assert!(report.entity("PHONE").is_none());
        assert_eq!(report.overall.gold, 2);
        assert_eq!(report.overall.found, 3);
        assert_eq!((report.overall.tp, report.overall.fp, report.overall.fn_), (1, 2, 1));
        let failures = report.check_goals(&[("CARD", 0.9, 0.9), ("EMAIL", 0.5, 0.5), ("IBAN", 0.1, 0.1)]).unwrap_err();
        assert_eq!(failures.len(), 3, "{failures:?}");
        assert!(failures[0].starts_with("CARD: precision 0.333"));
        assert!(failures[1].starts_with("EMAIL: recall 0.000"));
        assert!(failures[2].contains("not scored"));
    }

    #[test]
    fn wrong_entity_on_the_right_span_is_fp_and_fn() {
        let samples = corpus();
        let report = score(&samples, &["PHONE", "CARD"], &mut |s| {
            if s.id == "s3" {
                vec![found("PHONE", 5, 21)]
            } else {
                vec![]
            }
        });
        assert_eq!(report.entity("PHONE").unwrap().fp, 1);
        assert_eq!(report.entity("PHONE").unwrap().fn_, 1);
        assert_eq!(report.entity("CARD").unwrap().fn_, 1);
    }

    #[test]
    fn examples_are_capped_and_windows_respect_char_boundaries() {
        let text = format!("{}é a@b.io é{}", "ü".repeat(40), "ß".repeat(40));
        let start = text.find("a@b").unwrap();
        let samples: Vec<LabeledSample> =
            (0..30).map(|i| sample(&format!("m{i}"), &text, &[("EMAIL", start, start + 6)])).collect();
        let report = score(&samples, &["EMAIL"], &mut |_| vec![found("EMAIL", 1, 3)]);
        let examples = report.examples("EMAIL");
        assert_eq!(examples.len(), 2 * MAX_EXAMPLES);
        assert!(examples[0].window.contains("[[a@b.io]]") || examples[0].window.contains("[["));
        let miss = examples.iter().find(|e| e.kind == ExampleKind::Miss).unwrap();
        assert!(miss.window.contains("é [[a@b.io]] é"), "{}", miss.window);
        assert!(miss.window.starts_with('…') && miss.window.ends_with('…'));
        let table = report.to_string();
        assert!(table.contains("EMAIL"));
        assert!(table.lines().count() == 4, "{table}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["entities"][0]["fn"], 30);
    }
}
