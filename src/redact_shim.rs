//! SHIM (do not merge): a stand-in for the engine of issue [1/7] so the proxy builds before the merge.
//!
//! It mirrors the agreed API of `crate::rules::Rules` and `crate::redact::{Engine, Redactor, Stats}`.
//! The filter replaces every token containing `@` (delimited by whitespace, quotes, commas, brackets)
//! with `[EMAIL]`, and every word listed as `mask = ["..."]` in a `*.toml` file of the rules directories
//! with `[MASKED]`. A rules file that is not valid TOML is refused.

use std::path::PathBuf;
use std::sync::Arc;

/// The shim's stand-in for `crate::rules`.
pub mod rules {
    use super::*;

    /// Compiled rules (shim): the words to mask.
    #[derive(Debug, Clone, Default)]
    pub struct Rules {
        pub(crate) masks: Vec<String>,
    }

    /// Why rules could not be loaded (shim).
    #[derive(Debug, thiserror::Error)]
    pub enum RulesError {
        #[error("cannot read the rules directory {path}: {source}; check the path")]
        Io {
            path: PathBuf,
            source: std::io::Error,
        },
        #[error("invalid rules file {path}: {message}; fix the file and reload")]
        Invalid { path: PathBuf, message: String },
    }

    #[derive(serde::Deserialize)]
    struct RulesFile {
        #[serde(default)]
        mask: Vec<String>,
    }

    impl Rules {
        /// Loads the rules from the directories; an empty slice gives the shipped defaults.
        pub fn load(dirs: &[PathBuf]) -> Result<Rules, RulesError> {
            let mut masks = Vec::new();
            for dir in dirs {
                let entries = std::fs::read_dir(dir).map_err(|source| RulesError::Io {
                    path: dir.clone(),
                    source,
                })?;
                let mut paths: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect();
                paths.sort();
                for path in paths {
                    let text = std::fs::read_to_string(&path).map_err(|source| RulesError::Io {
                        path: path.clone(),
                        source,
                    })?;
                    let file: RulesFile =
                        toml::from_str(&text).map_err(|e| RulesError::Invalid {
                            path: path.clone(),
                            message: e.message().to_string(),
                        })?;
                    masks.extend(file.mask.into_iter().filter(|m| !m.is_empty()));
                }
            }
            Ok(Rules { masks })
        }

        /// The compiled rules as JSON, without secrets.
        pub fn explain_json(&self) -> serde_json::Value {
            serde_json::json!({
                "engine": "shim",
                "rules": [{"entity": "email", "action": "mask"}],
                "masked_words": self.masks.len(),
            })
        }
    }
}

/// The shim's stand-in for `crate::redact::{Engine, Redactor, Stats}`.
pub mod engine {
    use super::*;
    use crate::rules::Rules;

    /// Counts since the last `take_stats`.
    #[derive(Debug, Default, Clone)]
    pub struct Stats {
        pub lines: u64,
        pub bytes_in: u64,
        pub bytes_out: u64,
        pub markers: u64,
        pub per_entity: Vec<u64>,
    }

    /// A compiled engine (shim), cheap to clone.
    #[derive(Clone)]
    pub struct Engine {
        inner: Arc<(Rules, Vec<String>)>,
    }

    impl Engine {
        pub fn new(rules: Rules) -> Engine {
            let names = vec!["email".to_string(), "masked_word".to_string()];
            Engine {
                inner: Arc::new((rules, names)),
            }
        }

        pub fn redactor(&self) -> Redactor {
            Redactor {
                engine: self.clone(),
                stats: Stats {
                    per_entity: vec![0; 2],
                    ..Stats::default()
                },
            }
        }

        pub fn entity_names(&self) -> &[String] {
            &self.inner.1
        }
    }

    /// One per worker thread (shim).
    pub struct Redactor {
        engine: Engine,
        stats: Stats,
    }

    fn is_delim(b: u8) -> bool {
        matches!(
            b,
            b' ' | b'\t'
                | b'"'
                | b'\''
                | b','
                | b'<'
                | b'>'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b';'
                | b'='
        )
    }

    impl Redactor {
        /// Redacts one line given without its terminator; appends the result to `out`.
        pub fn redact_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
            let start_len = out.len();
            self.stats.lines += 1;
            self.stats.bytes_in += line.len() as u64;
            let masks = &self.engine.inner.0.masks;
            if memchr::memchr(b'@', line).is_none() && masks.is_empty() {
                out.extend_from_slice(line);
                self.stats.bytes_out += line.len() as u64;
                return;
            }
            let mut i = 0;
            while i < line.len() {
                if is_delim(line[i]) {
                    out.push(line[i]);
                    i += 1;
                    continue;
                }
                let start = i;
                while i < line.len() && !is_delim(line[i]) {
                    i += 1;
                }
                let token = &line[start..i];
                if memchr::memchr(b'@', token).is_some() {
                    out.extend_from_slice(b"[EMAIL]");
                    self.stats.per_entity[0] += 1;
                } else if masks.iter().any(|m| m.as_bytes() == token) {
                    out.extend_from_slice(b"[MASKED]");
                    self.stats.per_entity[1] += 1;
                } else {
                    out.extend_from_slice(token);
                }
            }
            self.stats.bytes_out += (out.len() - start_len) as u64;
        }

        /// Counts since the last take.
        pub fn take_stats(&mut self) -> Stats {
            let fresh = Stats {
                per_entity: vec![0; self.stats.per_entity.len()],
                ..Stats::default()
            };
            std::mem::replace(&mut self.stats, fresh)
        }
    }
}
