//! Shared helpers for the proxy tests: a tagging filter, a controllable TCP sink, clients and the judge.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steward::proxy::config::{ForwardTarget, Framing, ListenAddr, ProxyConfig};
use steward::proxy::filter::{FilterHandle, FilterLoader, FilterSource, FilterStats, LineFilter, ReloadError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// A filter that prefixes each line with a tag and replaces `@` with `#` (one "redaction" per `@`).
pub struct TagSource {
    pub tag: String,
}

struct TagFilter {
    tag: String,
    stats: FilterStats,
}

impl FilterSource for TagSource {
    fn make_filter(&self) -> Box<dyn LineFilter> {
        Box::new(TagFilter {
            tag: self.tag.clone(),
            stats: FilterStats { per_entity: vec![0], ..FilterStats::default() },
        })
    }
    fn entity_names(&self) -> Vec<String> {
        vec!["at_sign".to_string()]
    }
    fn explain(&self) -> serde_json::Value {
        serde_json::json!({"tag": self.tag})
    }
}

impl LineFilter for TagFilter {
    fn filter_line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(self.tag.as_bytes());
        for &b in line {
            match b {
                b'@' => {
                    out.push(b'#');
                    self.stats.per_entity[0] += 1;
                }
                _ => out.push(b),
            }
        }
        self.stats.lines += 1;
    }
    fn take_stats(&mut self) -> FilterStats {
        std::mem::replace(&mut self.stats, FilterStats { per_entity: vec![0], ..FilterStats::default() })
    }
}

/// What the tag filter makes of a line.
pub fn tagged(tag: &str, line: &str) -> String {
    format!("{tag}{}", line.replace('@', "#"))
}

/// Loads the tag from a file; the content `INVALID` is refused like a bad rules file.
pub struct FileTagLoader {
    pub path: PathBuf,
}

impl FilterLoader for FileTagLoader {
    fn load(&self) -> Result<Arc<dyn FilterSource>, ReloadError> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| ReloadError { message: format!("cannot read tag: {e}") })?;
        match text.trim() {
            "INVALID" => Err(ReloadError { message: "invalid rules: INVALID is not a tag".into() }),
            tag => Ok(Arc::new(TagSource { tag: tag.to_string() })),
        }
    }
}

pub fn tag_handle(tag: &str) -> Arc<FilterHandle> {
    Arc::new(FilterHandle::fixed(Arc::new(TagSource { tag: tag.to_string() })))
}

/// A loopback proxy config forwarding to `target`, no admin server.
pub fn config(target: ForwardTarget) -> ProxyConfig {
    let mut c = ProxyConfig {
        listeners: vec![ListenAddr { addr: SocketAddr::from(([127, 0, 0, 1], 0)), framing: Framing::Auto, tls: false }],
        admin: None,
        forward: target,
        workers: 2,
        drain_timeout: Duration::from_secs(20),
        ..ProxyConfig::default()
    };
    c.downstream.backoff_initial = Duration::from_millis(10);
    c.downstream.backoff_max = Duration::from_millis(100);
    c
}

/// The seed for this test run: `STEWARD_TEST_SEED` or a fixed default; printed so a failure can be replayed.
pub fn rng(name: &str) -> ChaCha8Rng {
    let seed = std::env::var("STEWARD_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_u64);
    eprintln!("{name}: seed {seed} (set STEWARD_TEST_SEED to replay)");
    ChaCha8Rng::seed_from_u64(seed)
}

/// A test line: JSON with the connection and sequence number and an email.
pub fn line(conn: usize, seq: usize) -> String {
    format!(
        "{{\"c\":{conn},\"s\":{seq},\"email\":\"user{seq}@example.com\",\"msg\":\"payment accepted for order {seq}\"}}"
    )
}

/// Frames lines for the wire.
pub fn frame(lines: &[String], octet: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        match octet {
            true => out.extend_from_slice(format!("{} {l}", l.len()).as_bytes()),
            false => {
                out.extend_from_slice(l.as_bytes());
                out.push(b'\n');
            }
        }
    }
    out
}

/// Writes `bytes` in random pieces; returns how many bytes were written before an error.
pub async fn write_in_pieces(stream: &mut TcpStream, bytes: &[u8], rng: &mut ChaCha8Rng) -> usize {
    let mut pos = 0;
    while pos < bytes.len() {
        let n = rng.gen_range(1..=8192).min(bytes.len() - pos);
        if stream.write_all(&bytes[pos..pos + n]).await.is_err() {
            return pos;
        }
        pos += n;
    }
    pos
}

/// A TCP sink that records everything it receives; it can pause, close gracefully, and restart.
pub struct Sink {
    pub addr: SocketAddr,
    pub data: Arc<Mutex<Vec<u8>>>,
    pub paused: Arc<AtomicBool>,
    pub received: Arc<AtomicU64>,
    /// The sink pauses itself once it has received this many bytes.
    pub pause_at: Arc<AtomicU64>,
    /// Connections accepted, and connections the proxy closed (EOF read).
    pub closed: Arc<AtomicU64>,
    pub accepted: Arc<AtomicU64>,
    stop: tokio_util::sync::CancellationToken,
    task: JoinHandle<()>,
}

impl Sink {
    pub async fn start(addr: SocketAddr, data: Arc<Mutex<Vec<u8>>>) -> Sink {
        Sink::start_pausing_at(addr, data, u64::MAX).await
    }

    /// A sink that pauses itself after receiving `pause_at` bytes.
    ///
    /// A sink that pauses gets a fixed 64 KiB receive buffer: with the kernel's autotuning (up to 32 MiB on some
    /// machines) a paused or killed sink could swallow a whole test stream, and what it holds would depend on timing.
    pub async fn start_pausing_at(addr: SocketAddr, data: Arc<Mutex<Vec<u8>>>, pause_at: u64) -> Sink {
        let socket = if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }.expect("sink socket");
        socket.set_reuseaddr(true).expect("SO_REUSEADDR");
        if pause_at != u64::MAX {
            socket.set_recv_buffer_size(64 * 1024).expect("SO_RCVBUF");
        }
        socket.bind(addr).expect("bind sink");
        let listener = socket.listen(128).expect("listen sink");
        let addr = listener.local_addr().expect("sink addr");
        let paused = Arc::new(AtomicBool::new(false));
        let received = Arc::new(AtomicU64::new(0));
        let pause_at = Arc::new(AtomicU64::new(pause_at));
        let closed = Arc::new(AtomicU64::new(0));
        let accepted = Arc::new(AtomicU64::new(0));
        let (cl, ac) = (closed.clone(), accepted.clone());
        let stop = tokio_util::sync::CancellationToken::new();
        let (d, p, r, s) = (data.clone(), paused.clone(), received.clone(), stop.clone());
        let pa = pause_at.clone();
        let task = tokio::spawn(async move {
            loop {
                let (mut stream, _) = tokio::select! {
                    _ = s.cancelled() => return,
                    a = listener.accept() => match a { Ok(a) => a, Err(_) => return },
                };
                ac.fetch_add(1, Ordering::Relaxed);
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    if p.load(Ordering::Relaxed) {
                        tokio::select! {
                            _ = s.cancelled() => break,
                            _ = tokio::time::sleep(Duration::from_millis(5)) => continue,
                        }
                    }
                    let n = tokio::select! {
                        _ = s.cancelled() => break,
                        n = stream.read(&mut buf) => n.unwrap_or(0),
                    };
                    if n == 0 {
                        cl.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                    d.lock().unwrap().extend_from_slice(&buf[..n]);
                    if r.fetch_add(n as u64, Ordering::Relaxed) + n as u64 >= pa.load(Ordering::Relaxed) {
                        p.store(true, Ordering::Relaxed);
                    }
                }
                if s.is_cancelled() {
                    // The process is going away: no new connections are queued from here on.
                    drop(listener);
                    // Graceful close: tell the proxy (FIN), then keep what is already on the way.
                    let _ = stream.shutdown().await;
                    loop {
                        let read = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await;
                        match read {
                            Ok(Ok(n)) if n > 0 => {
                                d.lock().unwrap().extend_from_slice(&buf[..n]);
                                r.fetch_add(n as u64, Ordering::Relaxed);
                            }
                            _ => break,
                        }
                    }
                    return;
                }
            }
        });
        Sink { addr, data, paused, received, pause_at, closed, accepted, stop, task }
    }

    /// Dies like a killed process: the task is aborted, the connection dropped with unread data
    /// (the kernel answers with a reset) and the listener closed.
    pub async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }

    /// Closes gracefully (the listener goes away too) and waits until it is gone.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }

    /// Waits until the proxy has closed every connection it opened (all its bytes are read).
    pub async fn settled(&self) {
        let ok = eventually(|| {
            let a = self.accepted.load(Ordering::Relaxed);
            a > 0 && self.closed.load(Ordering::Relaxed) == a
        })
        .await;
        assert!(ok, "the proxy did not close its downstream connection");
    }

    pub fn lines(&self) -> Vec<String> {
        lines_of(&self.data.lock().unwrap())
    }
}

pub fn lines_of(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data).split_terminator('\n').map(str::to_string).collect()
}

/// Waits (bounded) until `cond` holds; returns whether it did.
pub async fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..1000 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cond()
}

/// How strict the judge is.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Delivery {
    /// Every sent line exactly once, in order per connection.
    ExactlyOnce,
    /// Per connection a gap-free prefix of what was sent, each line once, in order.
    PrefixExactlyOnce,
    /// Every line at least once; per connection the first occurrences are in order.
    AtLeastOnce,
}

/// The judge: checks what arrived against what each connection sent (through the tag filter), returns
/// the number of lines seen per connection.
pub fn judge(
    output: &[String],
    tag: &str,
    sent: &BTreeMap<usize, usize>,
    delivery: Delivery,
) -> BTreeMap<usize, usize> {
    let mut next: BTreeMap<usize, usize> = sent.keys().map(|&c| (c, 0)).collect();
    for (i, out) in output.iter().enumerate() {
        let body =
            out.strip_prefix(tag).unwrap_or_else(|| panic!("line {i} did not go through the filter: {out:.120}"));
        let value: serde_json::Value = serde_json::from_str(&body.replace('#', "@"))
            .unwrap_or_else(|e| panic!("line {i} is not intact ({e}): {out:.120}"));
        let c = value["c"].as_u64().expect("c") as usize;
        let s = value["s"].as_u64().expect("s") as usize;
        assert_eq!(out, &tagged(tag, &line(c, s)), "line {i} differs");
        let expected = next.get_mut(&c).unwrap_or_else(|| panic!("unknown connection {c}"));
        match delivery {
            Delivery::AtLeastOnce => {
                assert!(s <= *expected, "connection {c}: line {s} arrived before line {expected}");
                if s == *expected {
                    *expected += 1;
                }
            }
            _ => {
                assert_eq!(
                    s, *expected,
                    "connection {c}: expected line {expected}, got {s} (lost, duplicated or reordered)"
                );
                *expected += 1;
            }
        }
    }
    if delivery != Delivery::PrefixExactlyOnce {
        for (c, n) in sent {
            assert_eq!(next[c], *n, "connection {c}: {} of {n} lines arrived", next[c]);
        }
    }
    next
}
