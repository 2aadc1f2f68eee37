//! The line filter the proxy depends on: a per-worker redactor, a shared source of them, and hot reload.
//!
//! The pipeline, the admin server and the tests only know these traits; the one adapter to the real
//! engine lives in `engine.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Counts a filter accumulated since its last `take_stats`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FilterStats {
    pub lines: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Lines the filter could not process and replaced by a marker (fail closed).
    pub markers: u64,
    /// Redactions per entity, indexed like [`FilterSource::entity_names`].
    pub per_entity: Vec<u64>,
}

/// Redacts lines; one per worker thread, so it may own scratch buffers and need not be `Sync`.
pub trait LineFilter: Send {
    /// Redacts one line given without its terminator and appends the result (no terminator) to `out`.
    /// It never fails: a line it cannot process must be replaced by a marker.
    fn filter_line(&mut self, line: &[u8], out: &mut Vec<u8>);

    /// Counts since the last call.
    fn take_stats(&mut self) -> FilterStats;
}

/// Compiled, immutable rules from which worker filters are made.
pub trait FilterSource: Send + Sync + 'static {
    /// A new filter for one worker thread.
    fn make_filter(&self) -> Box<dyn LineFilter>;

    /// The entity names that index [`FilterStats::per_entity`].
    fn entity_names(&self) -> Vec<String>;

    /// The compiled rules as JSON, with no secrets in it (served by `GET /admin/v1/rules`).
    fn explain(&self) -> serde_json::Value;
}

/// Why new rules were refused; the old rules stay in force.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ReloadError {
    /// The loader's error, already safe to show (no secrets, no personal data).
    pub message: String,
}

/// Compiles rules from wherever they live (the rules directories for the real engine).
pub trait FilterLoader: Send + Sync + 'static {
    fn load(&self) -> Result<Arc<dyn FilterSource>, ReloadError>;
}

/// The rules in force, swapped atomically on reload; workers notice the new generation between batches.
pub struct FilterHandle {
    current: RwLock<Arc<dyn FilterSource>>,
    generation: AtomicU64,
    loader: Option<Box<dyn FilterLoader>>,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
}

impl FilterHandle {
    /// Loads the first rules with `loader`; the same loader is used on every reload.
    pub fn load(loader: Box<dyn FilterLoader>) -> Result<FilterHandle, ReloadError> {
        let first = loader.load()?;
        Ok(FilterHandle {
            current: RwLock::new(first),
            generation: AtomicU64::new(1),
            loader: Some(loader),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
        })
    }

    /// A handle with fixed rules and no loader (reload is refused).
    pub fn fixed(source: Arc<dyn FilterSource>) -> FilterHandle {
        FilterHandle {
            current: RwLock::new(source),
            generation: AtomicU64::new(1),
            loader: None,
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
        }
    }

    /// The rules in force.
    pub fn current(&self) -> Arc<dyn FilterSource> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Increases by one on every successful reload.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Compiles the rules again and swaps them in; on error the old rules stay and the error is returned.
    /// This blocks while compiling: call it from a blocking context.
    pub fn reload(&self) -> Result<u64, ReloadError> {
        let Some(loader) = &self.loader else {
            self.reloads_failed.fetch_add(1, Ordering::Relaxed);
            return Err(ReloadError { message: "these rules are fixed and cannot be reloaded".to_string() });
        };
        match loader.load() {
            Ok(source) => {
                self.replace(source);
                self.reloads_ok.fetch_add(1, Ordering::Relaxed);
                Ok(self.generation())
            }
            Err(error) => {
                self.reloads_failed.fetch_add(1, Ordering::Relaxed);
                Err(error)
            }
        }
    }

    /// Swaps in already compiled rules.
    pub fn replace(&self, source: Arc<dyn FilterSource>) {
        match self.current.write() {
            Ok(mut guard) => *guard = source,
            Err(poisoned) => *poisoned.into_inner() = source,
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Successful and refused reloads so far.
    pub fn reload_counts(&self) -> (u64, u64) {
        (self.reloads_ok.load(Ordering::Relaxed), self.reloads_failed.load(Ordering::Relaxed))
    }
}
