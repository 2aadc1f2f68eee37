//! `steward corpus score`: measures the engine's span precision and recall per entity on labeled corpora.

use std::path::PathBuf;

use anyhow::Context;

use crate::quality::{self, LabeledSample, Report, SampleFormat};
use crate::redact::{Engine, Format, Redactor};
use crate::rules::Rules;

/// The goals of the engine: (entity, minimum precision, minimum recall).
pub const GOALS: &[(&str, f64, f64)] = &[
    ("EMAIL", 0.97, 0.99),
    ("CARD", 0.97, 0.99),
    ("IBAN", 0.97, 0.99),
    ("SSN", 0.97, 0.99),
    ("IP", 0.97, 0.99),
    ("PHONE", 0.97, 0.95),
    ("MAC", 0.97, 0.0),
    ("SECRET", 0.97, 0.0),
    ("CREDENTIALS", 0.97, 0.0),
    // Names are found only after a word that introduces one (a greeting, a sign-off, a title): no recall goal.
    ("NAME", 0.97, 0.0),
];

/// Scores a redactor on samples; the engine's spans are converted to the scorer's `Found`.
pub fn score_engine(redactor: &mut Redactor, samples: &[LabeledSample], entities: &[&str]) -> Report {
    quality::score(samples, entities, &mut |sample: &LabeledSample| {
        let format = match sample.format {
            SampleFormat::Json => Format::Auto,
            SampleFormat::Text | SampleFormat::Html => Format::Text,
        };
        redactor.set_format(format);
        redactor
            .find(sample.text.as_bytes())
            .into_iter()
            .map(|span| quality::Found { entity: span.entity, start: span.start, end: span.end })
            .collect()
    })
}

/// Options of `steward corpus score`.
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    pub presidio: Option<PathBuf>,
    pub generated: usize,
    pub seed: u64,
    pub json: bool,
    pub examples: bool,
}

/// Prints both reports; exit code 1 when a goal is missed.
pub fn run(options: &ScoreOptions) -> anyhow::Result<i32> {
    let engine = Engine::new(Rules::defaults(), None)?;
    let mut redactor = engine.redactor();
    let mut missed = Vec::new();
    let mut reports = Vec::new();
    match options.presidio.clone().or_else(quality::presidio_corpus_path) {
        Some(path) => {
            let samples = quality::load_presidio(&path)?;
            let report = score_engine(&mut redactor, &samples, quality::PRESIDIO_ENTITIES);
            reports.push(("presidio synth_dataset_v2.json", report));
        }
        None => eprintln!("SKIPPED: the Presidio corpus was not found (set STEWARD_PII_CORPUS or pass --presidio)"),
    }
    let samples = quality::generate(options.seed, options.generated);
    let report = score_engine(&mut redactor, &samples, quality::ENTITIES);
    reports.push(("generated log corpus", report));
    for (name, report) in &reports {
        let goals: Vec<_> = GOALS
            .iter()
            .filter(|(entity, _, _)| report.entity(entity).is_some_and(|score| score.gold > 0))
            .map(|&(entity, precision, recall)| (entity, precision, recall))
            .collect();
        if let Err(problems) = report.check_goals(&goals) {
            missed.extend(problems.into_iter().map(|problem| format!("{name}: {problem}")));
        }
        if options.json {
            println!(
                "{}",
                serde_json::to_string(&serde_json::json!({ "corpus": name, "report": report }))
                    .context("cannot render the report")?
            );
        } else {
            println!("== {name} ({} samples)\n{report}", report.samples);
            if options.examples {
                for (entity, _, _) in GOALS {
                    for example in report.examples(entity).iter().take(8) {
                        println!("  {entity} {example:?}");
                    }
                }
            }
        }
    }
    for problem in &missed {
        eprintln!("goal missed: {problem}");
    }
    Ok(if missed.is_empty() { 0 } else { 1 })
}
