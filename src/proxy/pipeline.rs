//! The worker pool: redacts chunks of lines on one thread per core, in batches, through the line filter.
//!
//! Each job carries a oneshot for its result, so a connection receives its batches back in the order it
//! submitted them whatever worker finished first.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use tokio::sync::{oneshot, OwnedSemaphorePermit};

use crate::proxy::filter::{FilterHandle, FilterSource, LineFilter};
use crate::proxy::framing::{for_each_record, overlong_marker, Chunk};
use crate::proxy::metrics::Metrics;

/// Redacted lines, each LF-terminated, holding their share of the memory buffer until delivered.
#[derive(Debug)]
pub struct OutBatch {
    pub data: Vec<u8>,
    pub lines: u64,
    pub permit: Option<OwnedSemaphorePermit>,
}

/// The pool; dropping every clone of its sender (via [`WorkerPool::close`]) stops the threads.
pub struct WorkerPool {
    sender: Mutex<Option<mpsc::Sender<Job>>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

struct Job {
    chunk: Chunk,
    permit: Option<OwnedSemaphorePermit>,
    submitted: Instant,
    reply: oneshot::Sender<OutBatch>,
}

/// The marker written for every line of a batch during which the filter panicked (fail closed).
pub const FILTER_FAILED_MARKER: &[u8] = b"{\"steward\":\"line withheld\",\"reason\":\"engine_error\"}";

impl WorkerPool {
    /// Starts `workers` threads that take filters from `filter`.
    pub fn start(
        workers: usize,
        max_line: usize,
        filter: Arc<FilterHandle>,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<WorkerPool> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut threads = Vec::with_capacity(workers);
        for i in 0..workers.max(1) {
            let receiver = receiver.clone();
            let filter = filter.clone();
            let metrics = metrics.clone();
            let thread = std::thread::Builder::new()
                .name(format!("steward-redact-{i}"))
                .spawn(move || worker_loop(&receiver, &filter, &metrics, max_line))?;
            threads.push(thread);
        }
        Ok(WorkerPool { sender: Mutex::new(Some(sender)), threads: Mutex::new(threads) })
    }

    /// Queues a chunk; the receiver yields its redacted lines (or an error if the pool is closed).
    pub fn submit(&self, chunk: Chunk, permit: Option<OwnedSemaphorePermit>) -> oneshot::Receiver<OutBatch> {
        let (reply, receiver) = oneshot::channel();
        let job = Job { chunk, permit, submitted: Instant::now(), reply };
        let sender = match self.sender.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if let Some(sender) = sender {
            let _ = sender.send(job);
        }
        receiver
    }

    /// Stops accepting jobs and lets the threads finish the queued ones.
    pub fn close(&self) {
        match self.sender.lock() {
            Ok(mut s) => *s = None,
            Err(poisoned) => *poisoned.into_inner() = None,
        }
    }

    /// Closes the pool and waits for the threads.
    pub fn join(&self) {
        self.close();
        let threads = match self.threads.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for thread in threads {
            let _ = thread.join();
        }
    }
}

struct WorkerFilter {
    generation: u64,
    names: Vec<String>,
    filter: Box<dyn LineFilter>,
}

impl WorkerFilter {
    fn new(handle: &FilterHandle) -> WorkerFilter {
        let generation = handle.generation();
        let source: Arc<dyn FilterSource> = handle.current();
        WorkerFilter { generation, names: source.entity_names(), filter: source.make_filter() }
    }

    fn flush_stats(&mut self, metrics: &Metrics) {
        let stats = self.filter.take_stats();
        metrics.markers.fetch_add(stats.markers, Ordering::Relaxed);
        metrics.add_entities(&self.names, &stats.per_entity);
    }
}

fn worker_loop(receiver: &Mutex<mpsc::Receiver<Job>>, handle: &FilterHandle, metrics: &Metrics, max_line: usize) {
    let mut current = WorkerFilter::new(handle);
    loop {
        let job = match receiver.lock() {
            Ok(r) => r.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { break };
        if handle.generation() != current.generation {
            current.flush_stats(metrics);
            current = WorkerFilter::new(handle);
        }
        let (data, lines, overlong) = redact_chunk(&mut current, &job.chunk, max_line, handle);
        current.flush_stats(metrics);
        metrics.lines_in.fetch_add(lines, Ordering::Relaxed);
        metrics.overlong_lines.fetch_add(overlong, Ordering::Relaxed);
        metrics.observe_batch(job.submitted.elapsed());
        let _ = job.reply.send(OutBatch { data, lines, permit: job.permit });
    }
    current.flush_stats(metrics);
}

/// Redacts every record of a chunk; a panic inside the filter turns the whole batch into markers.
fn redact_chunk(
    current: &mut WorkerFilter,
    chunk: &Chunk,
    max_line: usize,
    handle: &FilterHandle,
) -> (Vec<u8>, u64, u64) {
    let mut out = Vec::with_capacity(chunk.raw.len() + chunk.raw.len() / 16 + 256);
    let mut lines = 0u64;
    let mut overlong = 0u64;
    let filter = &mut current.filter;
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        for_each_record(chunk, max_line, |record| {
            match record {
                Ok(line) => filter.filter_line(line, &mut out),
                Err(bytes) => {
                    overlong_marker(bytes, &mut out);
                    overlong += 1;
                }
            }
            out.push(b'\n');
            lines += 1;
        });
    }));
    if result.is_ok() {
        return (out, lines, overlong);
    }
    tracing::error!(message = "The line filter panicked; the batch is replaced by markers.", lines);
    *current = WorkerFilter::new(handle);
    let mut out = Vec::new();
    let mut lines = 0u64;
    for_each_record(chunk, max_line, |_| {
        out.extend_from_slice(FILTER_FAILED_MARKER);
        out.push(b'\n');
        lines += 1;
    });
    (out, lines, 0)
}
