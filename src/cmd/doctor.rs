//! `steward doctor`: checks the proxy's configuration, the rules, and the Intercom token, region and API version.

use std::path::PathBuf;

use crate::intercom::doctor::check_configured;
use crate::proxy::config::{ConfigFile, Overrides};
use crate::rules::Rules;
use crate::telemetry::{eprint_redacted, print_redacted};

/// Options of `steward doctor`.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    /// The Steward config file (proxy settings and an `[intercom]` section).
    pub config: Option<PathBuf>,
    /// Rules directories (over the config file's `rules`).
    pub rules: Vec<PathBuf>,
}

/// Runs every check, printing one block per check; returns the exit code (0 only when all pass).
/// Every block goes through the engine, failures to stderr and the rest to stdout: they quote paths, values and
/// Intercom's answers.
pub async fn run(options: &DoctorOptions) -> i32 {
    let mut failures = 0;
    let file = match &options.config {
        Some(path) => match ConfigFile::read(path) {
            Ok(file) => Some(file),
            Err(error) => {
                eprint_redacted(&format!("config: FAILED: {error}"));
                failures += 1;
                None
            }
        },
        None => None,
    };
    let intercom_section = file.as_ref().and_then(|file| file.intercom.clone());
    let mut rule_dirs = options.rules.clone();
    if let Some(file) = file {
        match file.resolve(Overrides::default()) {
            Ok(config) => {
                // The addresses are parsed socket addresses and shown as they are (the engine would read them as
                // IP addresses); the forward target is a path the user gave, so it goes through the engine.
                print!(
                    "proxy config: ok (listen {}, admin {}, ",
                    config.listeners.iter().map(|listener| listener.addr.to_string()).collect::<Vec<_>>().join(", "),
                    config.admin.map_or("off".to_string(), |addr| addr.to_string())
                );
                print_redacted(&format!("forward {:?})", config.forward));
                if rule_dirs.is_empty() {
                    rule_dirs = config.rule_dirs;
                }
            }
            Err(error) => {
                eprint_redacted(&format!("proxy config: FAILED: {error}"));
                failures += 1;
            }
        }
    }
    match Rules::load(&rule_dirs) {
        Ok(rules) => print_redacted(&format!(
            "rules: ok ({} field paths, {} detectors enabled, {} patterns, from {})",
            rules.fields.len(),
            rules.detectors.iter().filter(|detector| detector.enabled).count(),
            rules.patterns.len(),
            rules.sources.join(", ")
        )),
        Err(error) => {
            eprint_redacted(&format!("rules: FAILED: {error}"));
            failures += 1;
        }
    }
    match check_configured(intercom_section.as_ref(), |name| std::env::var(name).ok()).await {
        Ok(report) => print_redacted(report.to_string().trim_end()),
        Err(error) => {
            eprint_redacted(&format!("intercom: FAILED: {error}"));
            failures += 1;
        }
    }
    if failures > 0 {
        1
    } else {
        0
    }
}
