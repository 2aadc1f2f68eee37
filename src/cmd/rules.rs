//! `steward rules check|explain`: validate rules directories and print what they compile to.

use std::path::PathBuf;

use crate::rules::{Rules, TextValue, ValueShape};
use crate::telemetry::{eprint_redacted, print_redacted};

/// Validates the rules; prints a summary or every error. Returns the process exit code.
pub fn check(paths: &[PathBuf]) -> i32 {
    match Rules::load(paths) {
        Ok(rules) => {
            let enabled = rules.detectors.iter().filter(|detector| detector.enabled).count();
            // The sources are paths the user gave: the summary goes through the engine.
            print_redacted(&format!(
                "ok: {} field paths in {} categories, {} of {} detectors enabled, {} custom patterns, {} retention periods (from {})",
                rules.fields.len(),
                rules.categories.len(),
                enabled,
                rules.detectors.len(),
                rules.patterns.len(),
                rules.retention.len(),
                rules.sources.join(", ")
            ));
            0
        }
        Err(error) => {
            // A rules error quotes the offending line, which may hold personal data or a secret: redact it.
            eprint_redacted(&error.to_string());
            1
        }
    }
}

/// Prints the compiled rules, as JSON or as a readable summary. Returns the process exit code.
pub fn explain(paths: &[PathBuf], json: bool) -> i32 {
    let rules = match Rules::load(paths) {
        Ok(rules) => rules,
        Err(error) => {
            eprint_redacted(&error.to_string());
            return 1;
        }
    };
    if json {
        match serde_json::to_string_pretty(&rules.explain_json()) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprint_redacted(&format!("cannot render the rules as JSON: {error}"));
                return 1;
            }
        }
        return 0;
    }
    print_redacted(&format!("sources: {}", rules.sources.join(", ")));
    println!(
        "settings: default action {}, hash tokens of {} hex digits, lines up to {} bytes, JSON depth up to {}",
        rules.settings.default_action,
        rules.settings.hash_hex_len,
        rules.settings.max_line_bytes,
        rules.settings.max_json_depth
    );
    println!("\ncategories:");
    for category in &rules.categories {
        println!(
            "  {:<17} {:<10} at rest: {:?}{}  {}",
            category.name,
            category.action.name(),
            category.at_rest,
            if category.secret { ", secret" } else { "" },
            category.description
        );
    }
    println!("\nfields (the last matching rule wins):");
    for field in &rules.fields {
        // The reach of a value in text lines, when it is not the usual one token.
        let reach = match field.text_value {
            TextValue::Token => String::new(),
            other => format!("  (text value: {})", other.name()),
        };
        let shape = match field.shape {
            ValueShape::Any => String::new(),
            other => format!("  (only a {})", other.name()),
        };
        let types = match field.pattern.type_names() {
            [] => String::new(),
            names => format!("  (inside objects of type {})", names.join(", ")),
        };
        println!(
            "  {:<34} {:<17} {:<18} {:<10} {}:{}{reach}{shape}{types}",
            field.pattern.as_str(),
            rules.categories[field.category].name,
            rules.entity_name(field.entity),
            field.action.name(),
            field.source.name,
            field.source.line.unwrap_or(0)
        );
    }
    if !rules.field_labels.is_empty() {
        println!("\nlabels (a number after one in prose is the field's value):");
        for labels in &rules.field_labels {
            println!(
                "  {:<17} {:<10} {}",
                rules.entity_name(labels.entity),
                labels.action.name(),
                labels.words.join(", ")
            );
        }
    }
    println!("\ndetectors:");
    for detector in &rules.detectors {
        let state = if detector.enabled { "on " } else { "off" };
        let mut extra = String::new();
        if !detector.regions.is_empty() {
            extra.push_str(&format!(" regions {}", detector.regions.join(",")));
        }
        if !detector.context.is_empty() {
            extra.push_str(&format!(" context words {}", detector.context.len()));
        }
        if !detector.key_words.is_empty() {
            extra.push_str(&format!(" key words {}", detector.key_words.join(",")));
        }
        if !detector.e164_keys.is_empty() {
            extra.push_str(&format!(" e164 keys {}", detector.e164_keys.len()));
        }
        if !detector.not_names.is_empty() {
            extra.push_str(&format!(" not names {}", detector.not_names.len()));
        }
        if detector.secret {
            extra.push_str(" secret");
        }
        println!(
            "  {:<12} {state} {:<12} {:<8}{extra}",
            detector.kind.key(),
            detector.kind.entity_name(),
            detector.action.name()
        );
    }
    println!("\ncustom patterns (enabled):");
    if rules.patterns.is_empty() {
        println!("  none (country ids ship disabled: enable them with [patterns.NAME] enabled = true)");
    }
    for pattern in &rules.patterns {
        let validator = pattern.validator.as_ref().map_or("none", |(name, _)| name.as_str());
        println!(
            "  {:<20} {:<14} {:<8} validator {validator}{}  /{}/",
            pattern.name,
            rules.entity_name(pattern.entity),
            pattern.action.name(),
            if pattern.secret { " secret" } else { "" },
            pattern.regex.as_str()
        );
    }
    println!("\nvalues of no value (a classified key's action skips them; the detectors still scan them):");
    for not_value in &rules.not_values {
        let mut scope = Vec::new();
        if !not_value.entities.is_empty() {
            let names: Vec<_> = not_value.entities.iter().map(|&entity| rules.entity_name(entity)).collect();
            scope.push(format!("entities {}", names.join(",")));
        }
        if !not_value.keys.is_empty() {
            let keys: Vec<_> = not_value.keys.iter().map(|key| String::from_utf8_lossy(key)).collect();
            scope.push(format!("keys {}", keys.join(",")));
        }
        let mut what = Vec::new();
        if !not_value.words.is_empty() {
            what.push(format!("{} words", not_value.words.len()));
        }
        if !not_value.last_words.is_empty() {
            what.push(format!("{} last words", not_value.last_words.len()));
        }
        if let Some(pattern) = &not_value.pattern_text {
            what.push(format!("/{pattern}/"));
        }
        let scope = if scope.is_empty() { "any field".to_string() } else { scope.join("; ") };
        print_redacted(&format!("  {:<20} {:<40} {}", not_value.name, scope, what.join(" ")));
    }
    println!("\nsecret entities (mask shows none of them): {}", rules.secret_entity_names().join(", "));
    println!("\nvalidators for patterns: {}", crate::pii::validate::VALIDATORS.join(", "));
    println!("\nretention:");
    for (key, period) in &rules.retention {
        println!("  {key:<18} {period}");
    }
    println!("  {:<18} never (by design)", "audit_log");
    0
}
