//! Ingest: TCP listeners and client connections, framing, limits, and submission to the worker pool.
//!
//! A connection reads into one buffer, cuts it into chunks of whole records, takes their size from the
//! memory budget (waiting when it is exhausted: that is the TCP backpressure), and hands them to the pool.
//! A second task per connection forwards the results in submission order.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::proxy::config::{Framing, Limits, Policy};
use crate::proxy::framing::{for_each_record, Chunk, Decoder};
use crate::proxy::metrics::Metrics;
use crate::proxy::pipeline::{OutBatch, WorkerPool};

/// What every connection shares.
pub struct Shared {
    pub limits: Limits,
    pub policy: Policy,
    pub metrics: Arc<Metrics>,
    pub pool: Arc<WorkerPool>,
    pub budget: Arc<Semaphore>,
    pub outbox: mpsc::UnboundedSender<OutBatch>,
    pub shutdown: CancellationToken,
}

/// Batches submitted but not yet handed to the forwarder, per connection.
const IN_FLIGHT_PER_CONNECTION: usize = 4;

/// On shutdown, a connection reads at most this much more: about what the kernel can have accepted
/// (Linux's largest default receive buffer is 6 MiB), so a client that keeps sending cannot hold the
/// drain open.
const DRAIN_READ_LIMIT: usize = 8 * 1024 * 1024;

/// How long a TLS client has to finish its handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a draining connection waits for bytes already on their way (TLS records in pieces).
const DRAIN_READ_WAIT: Duration = Duration::from_millis(20);

/// Accepts connections until shutdown; with `tls`, each connection starts with a TLS handshake.
pub async fn listen(listener: TcpListener, framing: Framing, tls: Option<TlsAcceptor>, shared: Arc<Shared>) {
    loop {
        let accepted = tokio::select! {
            _ = shared.shutdown.cancelled() => break,
            r = listener.accept() => r,
        };
        match accepted {
            Ok((stream, peer)) => {
                let open = shared.metrics.connections_open.load(Ordering::Relaxed);
                if open as usize >= shared.limits.max_connections {
                    shared.metrics.connections_refused.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(message = "Connection refused: max_connections reached.", %peer);
                    drop(stream);
                    continue;
                }
                shared.metrics.connections_open.fetch_add(1, Ordering::Relaxed);
                shared.metrics.connections_total.fetch_add(1, Ordering::Relaxed);
                let shared = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => connection(stream, peer, framing, &shared).await,
                        Some(acceptor) => {
                            let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
                            match handshake {
                                Ok(Ok(tls_stream)) => connection(tls_stream, peer, framing, &shared).await,
                                Ok(Err(error)) => {
                                    shared.metrics.connections_closed_garbage.fetch_add(1, Ordering::Relaxed);
                                    tracing::warn!(message = "TLS handshake failed.", %peer, %error);
                                }
                                Err(_) => {
                                    shared.metrics.connections_idle_closed.fetch_add(1, Ordering::Relaxed);
                                    tracing::warn!(message = "TLS handshake timed out.", %peer);
                                }
                            }
                        }
                    }
                    shared.metrics.connections_open.fetch_sub(1, Ordering::Relaxed);
                });
            }
            Err(error) => {
                // Usually out of file descriptors: pause instead of spinning.
                tracing::warn!(message = "Accept failed.", %error);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

enum ReadOutcome {
    Data,
    Eof,
}

async fn connection<S>(mut stream: S, peer: SocketAddr, framing: Framing, shared: &Shared)
where
    S: AsyncRead + Unpin,
{
    let (order_tx, mut order_rx) = mpsc::channel::<oneshot::Receiver<OutBatch>>(IN_FLIGHT_PER_CONNECTION);
    let outbox = shared.outbox.clone();
    let collector = tokio::spawn(async move {
        while let Some(result) = order_rx.recv().await {
            let Ok(batch) = result.await else { break };
            if outbox.send(batch).is_err() {
                break;
            }
        }
    });
    let limits = shared.limits;
    let mut decoder = Decoder::new(framing, limits.max_line_bytes);
    let mut buf = BytesMut::with_capacity(read_size(shared));
    let mut draining = false;
    let mut drained = 0usize;
    loop {
        let want = read_size(shared);
        if buf.capacity() - buf.len() < want / 4 {
            buf.reserve(want);
        }
        let outcome = match draining {
            // Shutting down: take what the kernel already accepted, without waiting for more.
            true if drained >= DRAIN_READ_LIMIT => ReadOutcome::Eof,
            true => match tokio::time::timeout(DRAIN_READ_WAIT, stream.read_buf(&mut buf)).await.unwrap_or(Ok(0)) {
                Ok(0) => ReadOutcome::Eof,
                Ok(n) => {
                    drained += n;
                    shared.metrics.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    ReadOutcome::Data
                }
                Err(_) => ReadOutcome::Eof,
            },
            false => {
                let read = tokio::select! {
                    biased;
                    _ = shared.shutdown.cancelled() => {
                        draining = true;
                        continue;
                    }
                    r = tokio::time::timeout(limits.idle_timeout, stream.read_buf(&mut buf)) => r,
                };
                match read {
                    Err(_) => {
                        shared.metrics.connections_idle_closed.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(message = "Closing idle connection.", %peer);
                        ReadOutcome::Eof
                    }
                    Ok(Ok(0)) => ReadOutcome::Eof,
                    Ok(Ok(n)) => {
                        shared.metrics.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                        ReadOutcome::Data
                    }
                    Ok(Err(error)) => {
                        tracing::debug!(message = "Connection read failed.", %peer, %error);
                        ReadOutcome::Eof
                    }
                }
            }
        };
        let at_eof = matches!(outcome, ReadOutcome::Eof);
        let mut failed = false;
        loop {
            let decoded = match at_eof {
                false => decoder.decode(&mut buf),
                true => decoder.decode_eof(&mut buf),
            };
            match decoded {
                Ok(Some(chunk)) => {
                    if !submit(chunk, shared, &order_tx).await {
                        failed = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    shared.metrics.connections_closed_garbage.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(message = "Closing connection with bad framing.", %peer, %error);
                    failed = true;
                    break;
                }
            }
        }
        if at_eof || failed {
            break;
        }
    }
    shared.metrics.partial_lines.fetch_add(decoder.partial_dropped(), Ordering::Relaxed);
    drop(order_tx);
    let _ = collector.await;
}

/// How much to read at a time: `read_chunk_bytes`, smaller when many connections are open, so that
/// all read buffers together stay near half the memory buffer (but at least 16 KiB each).
fn read_size(shared: &Shared) -> usize {
    let open = shared.metrics.connections_open.load(Ordering::Relaxed).max(1) as usize;
    let most = shared.limits.read_chunk_bytes.max(MIN_READ_BYTES);
    (shared.limits.buffer_bytes / 2 / open).clamp(MIN_READ_BYTES, most)
}

/// The smallest read size, whatever the number of connections.
const MIN_READ_BYTES: usize = 16 * 1024;

/// Takes the chunk's share of the memory budget (or drops it under `drop-newest`) and queues it.
async fn submit(chunk: Chunk, shared: &Shared, order: &mpsc::Sender<oneshot::Receiver<OutBatch>>) -> bool {
    let cost = (chunk.raw.len() + 64).min(shared.limits.buffer_bytes) as u32;
    let permit = match shared.policy {
        Policy::DropNewest => match shared.budget.clone().try_acquire_many_owned(cost) {
            Ok(p) => p,
            Err(_) => {
                let mut lines = 0;
                for_each_record(&chunk, usize::MAX, |_| lines += 1);
                shared.metrics.lines_dropped.fetch_add(lines, Ordering::Relaxed);
                return true;
            }
        },
        _ => match shared.budget.clone().acquire_many_owned(cost).await {
            Ok(p) => p,
            Err(_) => return false,
        },
    };
    let result = shared.pool.submit(chunk, Some(permit));
    order.send(result).await.is_ok()
}
