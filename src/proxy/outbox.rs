//! The forwarder: takes redacted batches in order, writes them downstream in large writes, reconnects
//! with backoff, spills to the spool when the memory buffer fills, and drains on shutdown.
//!
//! It runs on its own thread (with a single-threaded runtime) so spool and file I/O never stall ingest.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::proxy::config::{DownstreamConfig, FileRotation, ForwardTarget, Policy};
use crate::proxy::metrics::Metrics;
use crate::proxy::pipeline::OutBatch;
use crate::proxy::spool::Spool;

/// Most buffers gathered into one write.
const MAX_WRITE_BUFFERS: usize = 64;

/// The write in progress: redacted batches moved (not copied) out of the queue, written with `writev`.
#[derive(Default)]
struct WriteBuf {
    bufs: Vec<Vec<u8>>,
    len: usize,
}

impl WriteBuf {
    fn push(&mut self, buf: Vec<u8>) {
        self.len += buf.len();
        self.bufs.push(buf);
    }

    fn clear(&mut self) {
        self.bufs.clear();
        self.len = 0;
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// `write_all` over several buffers, with as few `writev` calls as the kernel allows.
async fn write_all_vectored(writer: &mut tokio::net::tcp::OwnedWriteHalf, bufs: &[Vec<u8>]) -> std::io::Result<()> {
    let mut index = 0;
    let mut offset = 0;
    while index < bufs.len() {
        if offset == bufs[index].len() {
            index += 1;
            offset = 0;
            continue;
        }
        let slices: Vec<std::io::IoSlice<'_>> = std::iter::once(&bufs[index][offset..])
            .chain(bufs[index + 1..].iter().map(|b| &b[..]))
            .take(MAX_WRITE_BUFFERS)
            .map(std::io::IoSlice::new)
            .collect();
        let mut written = writer.write_vectored(&slices).await?;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        while written > 0 {
            let rest = bufs[index].len() - offset;
            if written < rest {
                offset += written;
                written = 0;
            } else {
                written -= rest;
                index += 1;
                offset = 0;
            }
        }
    }
    Ok(())
}

/// How the forwarder ended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ForwardReport {
    /// True when everything received was delivered (or is safe in the spool).
    pub complete: bool,
    /// Lines neither delivered nor spooled at the drain deadline.
    pub lost_lines: u64,
    /// Bytes left in the spool for the next run.
    pub spooled_bytes: u64,
}

/// The forwarder's settings.
pub struct ForwarderConfig {
    pub target: ForwardTarget,
    pub policy: Policy,
    pub downstream: DownstreamConfig,
    pub rotation: FileRotation,
    /// Spill to the spool when this many bytes wait in memory.
    pub spill_threshold: usize,
    /// Largest single write.
    pub write_bytes: usize,
}

/// Starts the forwarder thread; it ends when `input` is closed and drained, or at `deadline`.
pub fn spawn(
    config: ForwarderConfig,
    input: mpsc::UnboundedReceiver<OutBatch>,
    spool: Option<Spool>,
    metrics: Arc<Metrics>,
    deadline: CancellationToken,
) -> std::io::Result<std::thread::JoinHandle<ForwardReport>> {
    std::thread::Builder::new().name("steward-forward".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(r) => r,
            Err(error) => {
                tracing::error!(message = "Cannot start the forwarder runtime.", %error);
                return ForwardReport::default();
            }
        };
        let forwarder = Forwarder::new(config, input, spool, metrics);
        runtime.block_on(forwarder.run(deadline))
    })
}

enum Sink {
    Tcp { target: String, stream: Option<TcpConnection>, connected_once: bool },
    File { path: PathBuf, file: Option<File>, size: u64, rotation: FileRotation },
    Stdout,
}

/// A downstream connection whose read side is watched by a task, so a close (FIN or RST) is noticed
/// before the next write instead of writing into a dead connection.
struct TcpConnection {
    writer: tokio::net::tcp::OwnedWriteHalf,
    closed: Arc<std::sync::atomic::AtomicBool>,
    watcher: tokio::task::JoinHandle<()>,
}

impl TcpConnection {
    fn new(stream: TcpStream) -> TcpConnection {
        let (mut reader, writer) = stream.into_split();
        let closed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = closed.clone();
        let watcher = tokio::spawn(async move {
            let mut scratch = [0u8; 512];
            loop {
                match tokio::io::AsyncReadExt::read(&mut reader, &mut scratch).await {
                    Ok(0) | Err(_) => break,
                    // Whatever the downstream sends is ignored.
                    Ok(_) => continue,
                }
            }
            flag.store(true, Ordering::Release);
        });
        TcpConnection { writer, closed, watcher }
    }
}

impl Drop for TcpConnection {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

#[derive(Debug, thiserror::Error)]
enum SinkError {
    #[error("the downstream closed the connection")]
    Closed,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

struct Forwarder {
    config: ForwarderConfig,
    input: mpsc::UnboundedReceiver<OutBatch>,
    input_closed: bool,
    pending: VecDeque<OutBatch>,
    pending_bytes: usize,
    spool: Option<Spool>,
    spool_failed: bool,
    metrics: Arc<Metrics>,
    sink: Sink,
    /// The write in progress, kept until it succeeds.
    wbuf: WriteBuf,
    wbuf_lines: u64,
    wbuf_permits: Vec<OwnedSemaphorePermit>,
    /// Bytes of `wbuf` that came from the spool (to advance it on success).
    wbuf_from_spool: Option<usize>,
    next_attempt: Instant,
    backoff: Duration,
}

impl Forwarder {
    fn new(
        config: ForwarderConfig,
        input: mpsc::UnboundedReceiver<OutBatch>,
        spool: Option<Spool>,
        metrics: Arc<Metrics>,
    ) -> Forwarder {
        let sink = match &config.target {
            ForwardTarget::Tcp(t) => Sink::Tcp { target: t.clone(), stream: None, connected_once: false },
            ForwardTarget::File(p) => Sink::File { path: p.clone(), file: None, size: 0, rotation: config.rotation },
            ForwardTarget::Stdout => Sink::Stdout,
        };
        let backoff = config.downstream.backoff_initial;
        Forwarder {
            config,
            input,
            input_closed: false,
            pending: VecDeque::new(),
            pending_bytes: 0,
            spool,
            spool_failed: false,
            metrics,
            sink,
            wbuf: WriteBuf::default(),
            wbuf_lines: 0,
            wbuf_permits: Vec::new(),
            wbuf_from_spool: None,
            next_attempt: Instant::now(),
            backoff,
        }
    }

    async fn run(mut self, deadline: CancellationToken) -> ForwardReport {
        self.update_spool_gauges();
        loop {
            if deadline.is_cancelled() {
                return self.give_up();
            }
            self.pull_available();
            self.maybe_spill();
            if self.wbuf.is_empty() {
                self.fill_wbuf();
            }
            if self.wbuf.is_empty() {
                if self.input_closed {
                    return self.finish();
                }
                tokio::select! {
                    batch = self.input.recv() => self.accept(batch),
                    _ = deadline.cancelled() => {}
                }
                continue;
            }
            if !self.sink.is_ready() {
                if Instant::now() >= self.next_attempt {
                    self.connect().await;
                    continue;
                }
                let wake = self.next_attempt;
                let input_open = !self.input_closed;
                tokio::select! {
                    _ = tokio::time::sleep_until(wake) => {}
                    batch = self.input.recv(), if input_open => self.accept(batch),
                    _ = deadline.cancelled() => {}
                }
                continue;
            }
            let result = tokio::select! {
                r = self.sink.write(&self.wbuf.bufs) => Some(r),
                _ = deadline.cancelled() => None,
            };
            match result {
                None => {}
                Some(Ok(())) => self.delivered(),
                Some(Err(error)) => {
                    self.metrics.downstream_write_errors.fetch_add(1, Ordering::Relaxed);
                    self.metrics.downstream_connected.store(0, Ordering::Relaxed);
                    tracing::warn!(message = "Downstream write failed; the batch will be resent.", %error);
                    self.sink.disconnect();
                    self.schedule_retry();
                }
            }
        }
    }

    fn accept(&mut self, batch: Option<OutBatch>) {
        match batch {
            Some(b) => self.push(b),
            None => self.input_closed = true,
        }
    }

    fn push(&mut self, batch: OutBatch) {
        if batch.lines == 0 {
            return;
        }
        self.pending_bytes += batch.data.len();
        self.pending.push_back(batch);
    }

    fn pull_available(&mut self) {
        for _ in 0..4096 {
            match self.input.try_recv() {
                Ok(b) => self.push(b),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    self.input_closed = true;
                    break;
                }
            }
        }
    }

    /// With the `spool` policy, moves waiting batches to disk when memory fills (oldest first, so the
    /// spool always holds older lines than memory).
    fn maybe_spill(&mut self) {
        if self.config.policy != Policy::Spool || self.pending_bytes < self.config.spill_threshold {
            return;
        }
        self.spill_pending();
    }

    fn spill_pending(&mut self) {
        let Some(spool) = &mut self.spool else { return };
        if self.spool_failed {
            return;
        }
        // The write in progress holds the oldest lines: it goes first.
        if self.wbuf_from_spool.is_none() && !self.wbuf.is_empty() {
            if self.wbuf.len as u64 > spool.room() {
                return;
            }
            for buf in &self.wbuf.bufs {
                match spool.append(buf) {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(error) => {
                        tracing::error!(message = "Spool write failed; lines stay in memory.", %error);
                        self.spool_failed = true;
                        return;
                    }
                }
            }
            self.wbuf.clear();
            self.wbuf_lines = 0;
            self.wbuf_permits.clear();
        }
        while let Some(batch) = self.pending.front() {
            match spool.append(&batch.data) {
                Ok(true) => {
                    self.pending_bytes -= batch.data.len();
                    self.pending.pop_front();
                }
                Ok(false) => break,
                Err(error) => {
                    tracing::error!(message = "Spool write failed; lines stay in memory.", %error);
                    self.spool_failed = true;
                    break;
                }
            }
        }
        self.update_spool_gauges();
    }

    fn fill_wbuf(&mut self) {
        if let Some(spool) = &mut self.spool {
            if !spool.is_empty() {
                let mut chunk = Vec::new();
                match spool.read_chunk(self.config.write_bytes, &mut chunk) {
                    Ok(n) if n > 0 => {
                        self.wbuf_lines = memchr::memchr_iter(b'\n', &chunk).count() as u64;
                        self.wbuf.push(chunk);
                        self.wbuf_from_spool = Some(n);
                        return;
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::error!(message = "Spool read failed; the spool is skipped.", %error);
                        self.spool_failed = true;
                    }
                }
                if !self.spool_failed {
                    return;
                }
            }
        }
        while let Some(batch) = self.pending.front() {
            if !self.wbuf.is_empty()
                && (self.wbuf.len + batch.data.len() > self.config.write_bytes
                    || self.wbuf.bufs.len() >= MAX_WRITE_BUFFERS)
            {
                break;
            }
            let Some(mut batch) = self.pending.pop_front() else {
                break;
            };
            self.pending_bytes -= batch.data.len();
            self.wbuf.push(std::mem::take(&mut batch.data));
            self.wbuf_lines += batch.lines;
            if let Some(p) = batch.permit.take() {
                self.wbuf_permits.push(p);
            }
        }
    }

    fn delivered(&mut self) {
        self.metrics.lines_out.fetch_add(self.wbuf_lines, Ordering::Relaxed);
        self.metrics.bytes_out.fetch_add(self.wbuf.len as u64, Ordering::Relaxed);
        if let (Some(n), Some(spool)) = (self.wbuf_from_spool.take(), &mut self.spool) {
            if let Err(error) = spool.advance(n) {
                tracing::error!(message = "Cannot record spool progress; lines may be sent again after a restart.", %error);
            }
            self.update_spool_gauges();
        }
        self.wbuf.clear();
        self.wbuf_lines = 0;
        self.wbuf_permits.clear();
        self.backoff = self.config.downstream.backoff_initial;
    }

    async fn connect(&mut self) {
        let timeout = self.config.downstream.connect_timeout;
        match self.sink.connect(timeout).await {
            Ok(reconnect) => {
                self.metrics.downstream_connected.store(1, Ordering::Relaxed);
                if reconnect {
                    self.metrics.downstream_reconnects.fetch_add(1, Ordering::Relaxed);
                }
                tracing::info!(message = "Downstream connected.", target = %self.config.target);
            }
            Err(error) => {
                tracing::warn!(message = "Downstream unavailable; retrying with backoff.", target = %self.config.target, %error, backoff_ms = self.backoff.as_millis() as u64);
                self.schedule_retry();
            }
        }
    }

    fn schedule_retry(&mut self) {
        self.next_attempt = Instant::now() + self.backoff;
        self.backoff = (self.backoff * 2).min(self.config.downstream.backoff_max);
    }

    fn finish(mut self) -> ForwardReport {
        if let Some(spool) = &mut self.spool {
            let _ = spool.sync();
        }
        self.sink.flush();
        ForwardReport { complete: true, lost_lines: 0, spooled_bytes: self.spool.as_ref().map_or(0, |s| s.bytes()) }
    }

    /// The drain deadline passed: keep what we can in the spool, count the rest as lost.
    fn give_up(mut self) -> ForwardReport {
        self.pull_available();
        self.spill_pending();
        let mut lost = self.pending.iter().map(|b| b.lines).sum::<u64>();
        if self.wbuf_from_spool.is_none() {
            lost += self.wbuf_lines;
        }
        if let Some(spool) = &mut self.spool {
            let _ = spool.sync();
        }
        self.sink.flush();
        if lost > 0 {
            tracing::error!(message = "Drain deadline passed; lines were not delivered.", lost_lines = lost);
        }
        ForwardReport {
            complete: lost == 0 && self.input_closed,
            lost_lines: lost,
            spooled_bytes: self.spool.as_ref().map_or(0, |s| s.bytes()),
        }
    }

    fn update_spool_gauges(&self) {
        if let Some(spool) = &self.spool {
            self.metrics.spool_bytes.store(spool.bytes(), Ordering::Relaxed);
            self.metrics.spool_segments.store(spool.segment_count() as u64, Ordering::Relaxed);
        }
    }
}

impl Sink {
    fn is_ready(&self) -> bool {
        match self {
            Sink::Tcp { stream, .. } => stream.is_some(),
            Sink::File { file, .. } => file.is_some(),
            Sink::Stdout => true,
        }
    }

    /// Connects or opens; returns true when this is a reconnect.
    async fn connect(&mut self, timeout: Duration) -> Result<bool, SinkError> {
        match self {
            Sink::Tcp { target, stream, connected_once } => {
                let s = tokio::time::timeout(timeout, TcpStream::connect(target.as_str()))
                    .await
                    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))??;
                let _ = s.set_nodelay(true);
                *stream = Some(TcpConnection::new(s));
                let reconnect = *connected_once;
                *connected_once = true;
                Ok(reconnect)
            }
            Sink::File { path, file, size, .. } => {
                let f = OpenOptions::new().create(true).append(true).open(&*path)?;
                *size = f.metadata()?.len();
                *file = Some(f);
                Ok(false)
            }
            Sink::Stdout => Ok(false),
        }
    }

    fn disconnect(&mut self) {
        match self {
            Sink::Tcp { stream, .. } => *stream = None,
            Sink::File { file, .. } => *file = None,
            Sink::Stdout => {}
        }
    }

    /// Writes the buffers in order: one `writev` per call for TCP where the kernel takes them all.
    async fn write(&mut self, bufs: &[Vec<u8>]) -> Result<(), SinkError> {
        match self {
            Sink::Tcp { stream, .. } => {
                let Some(s) = stream else {
                    return Err(SinkError::Closed);
                };
                // A downstream that closed must be noticed before writing into the dead connection.
                if s.closed.load(Ordering::Acquire) {
                    return Err(SinkError::Closed);
                }
                tokio::task::yield_now().await;
                if s.closed.load(Ordering::Acquire) {
                    return Err(SinkError::Closed);
                }
                write_all_vectored(&mut s.writer, bufs).await?;
                Ok(())
            }
            Sink::File { path, file, size, rotation } => {
                // Rotation happens between batches, so a file only exceeds `max_bytes` when a single
                // batch is larger than it.
                for data in bufs {
                    if *size > 0 && *size + data.len() as u64 > rotation.max_bytes {
                        *file = None;
                        rotate(path, rotation.keep)?;
                        *file = Some(OpenOptions::new().create(true).append(true).open(&*path)?);
                        *size = 0;
                    }
                    let Some(f) = file else {
                        return Err(SinkError::Closed);
                    };
                    f.write_all(data)?;
                    *size += data.len() as u64;
                }
                Ok(())
            }
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                for data in bufs {
                    out.write_all(data)?;
                }
                out.flush()?;
                Ok(())
            }
        }
    }

    fn flush(&mut self) {
        match self {
            Sink::File { file: Some(f), .. } => {
                let _ = f.flush();
            }
            Sink::Stdout => {
                let _ = std::io::stdout().lock().flush();
            }
            _ => {}
        }
    }
}

/// `PATH` becomes `PATH.1`, `PATH.1` becomes `PATH.2`, ...; the oldest beyond `keep` is removed.
fn rotate(path: &std::path::Path, keep: usize) -> std::io::Result<()> {
    let numbered = |i: usize| {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{i}"));
        PathBuf::from(name)
    };
    if keep == 0 {
        return std::fs::remove_file(path);
    }
    let _ = std::fs::remove_file(numbered(keep));
    for i in (1..keep).rev() {
        let from = numbered(i);
        if from.exists() {
            std::fs::rename(&from, numbered(i + 1))?;
        }
    }
    std::fs::rename(path, numbered(1))
}
