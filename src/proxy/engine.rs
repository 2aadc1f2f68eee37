//! The one adapter from the proxy's filter traits to the redaction engine (`crate::redact`, `crate::rules`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::proxy::filter::{FilterLoader, FilterSource, FilterStats, LineFilter, ReloadError};
use crate::redact::{Engine, Redactor};
use crate::rules::Rules;

/// Loads the engine's rules from directories (none = the shipped defaults).
#[derive(Debug, Clone, Default)]
pub struct EngineLoader {
    pub rule_dirs: Vec<PathBuf>,
}

/// Compiled engine rules as a [`FilterSource`].
pub struct EngineSource {
    engine: Engine,
    explain: serde_json::Value,
}

struct EngineFilter {
    redactor: Redactor,
}

impl EngineLoader {
    /// Compiles the rules once, for callers that need a source without a handle.
    pub fn compile(&self) -> Result<EngineSource, ReloadError> {
        let rules = Rules::load(&self.rule_dirs).map_err(|error| ReloadError { message: error.to_string() })?;
        let explain = rules.explain_json();
        let key = crate::keys::log_hash_key(&crate::keys::default_data_dir())
            .map_err(|error| ReloadError { message: error.to_string() })?;
        let engine = Engine::new(rules, key).map_err(|error| ReloadError { message: error.to_string() })?;
        Ok(EngineSource { engine, explain })
    }
}

impl FilterLoader for EngineLoader {
    fn load(&self) -> Result<Arc<dyn FilterSource>, ReloadError> {
        Ok(Arc::new(self.compile()?))
    }
}

impl FilterSource for EngineSource {
    fn make_filter(&self) -> Box<dyn LineFilter> {
        Box::new(EngineFilter { redactor: self.engine.redactor() })
    }

    fn entity_names(&self) -> Vec<String> {
        self.engine.entity_names().to_vec()
    }

    fn explain(&self) -> serde_json::Value {
        self.explain.clone()
    }
}

impl LineFilter for EngineFilter {
    fn filter_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        self.redactor.redact_line(line, out);
    }

    fn take_stats(&mut self) -> FilterStats {
        let stats = self.redactor.take_stats();
        FilterStats {
            lines: stats.lines,
            bytes_in: stats.bytes_in,
            bytes_out: stats.bytes_out,
            markers: stats.markers,
            per_entity: stats.per_entity,
        }
    }
}
