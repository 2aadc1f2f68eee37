//! `steward proxy`: TCP in, redacted lines out, nothing lost, nothing leaked.
//!
//! Map: `config` (settings) → `ingest` (listeners, framing via `framing`, memory budget) → `pipeline`
//! (worker threads running the `filter` trait; `engine` adapts the redaction engine) → `outbox`
//! (forwarder, downstream sinks, `spool`). `metrics` is shared by all and served by `crate::admin`.

pub mod config;
pub mod engine;
pub mod filter;
pub mod framing;
pub mod ingest;
pub mod metrics;
pub mod outbox;
pub mod pipeline;
pub mod spool;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::admin::{self, AdminState, Route};
use crate::proxy::config::{ConfigFile, Overrides, Policy, ProxyConfig};
use crate::proxy::filter::FilterHandle;
use crate::proxy::ingest::Shared;
use crate::proxy::metrics::Metrics;
use crate::proxy::outbox::{ForwardReport, ForwarderConfig};
use crate::proxy::pipeline::WorkerPool;
use crate::proxy::spool::{Spool, SpoolError};

/// `steward proxy` arguments (all also settable in the config file; flags win).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ProxyArgs {
    /// TOML config file.
    #[arg(long, env = "STEWARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Rules directory (repeatable); none = the shipped rules.
    #[arg(long = "rules")]
    pub rules: Vec<PathBuf>,
    /// Client listener, HOST:PORT or HOST:PORT/FRAMING (auto, newline, octet-counting); repeatable.
    /// Default 127.0.0.1:5170.
    #[arg(long = "listen")]
    pub listen: Vec<String>,
    /// Where redacted lines go: tcp://HOST:PORT, file:PATH or stdout.
    #[arg(long)]
    pub forward: Option<String>,
    /// Admin listener HOST:PORT, or `off`. Default 127.0.0.1:5171.
    #[arg(long)]
    pub admin: Option<String>,
    /// What to do when the memory buffer is full: block, drop-newest or spool.
    #[arg(long, value_parser = parse_policy)]
    pub policy: Option<Policy>,
    /// Spool directory (enables replay of undelivered lines; needed by --policy spool).
    #[arg(long)]
    pub spool_dir: Option<PathBuf>,
    /// PEM certificate chain for listeners marked /tls.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for listeners marked /tls.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Once every listener is bound, write their addresses to this file (`listen ADDR` and `admin ADDR` lines,
    /// replaced atomically): how a supervisor or a test learns the ports the system chose for port 0.
    #[arg(long)]
    pub ready_file: Option<PathBuf>,
}

fn parse_policy(s: &str) -> Result<Policy, String> {
    match s {
        "block" => Ok(Policy::Block),
        "drop-newest" => Ok(Policy::DropNewest),
        "spool" => Ok(Policy::Spool),
        _ => Err("use block, drop-newest or spool".into()),
    }
}

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("cannot listen on {addr}: {source}; pick a free port or stop the other process")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Spool(#[from] SpoolError),
    #[error("cannot start a thread: {0}")]
    Thread(std::io::Error),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// A started proxy.
pub struct RunningProxy {
    /// The bound client listeners (useful with port 0).
    pub listen_addrs: Vec<SocketAddr>,
    pub admin_addr: Option<SocketAddr>,
    pub metrics: Arc<Metrics>,
    pub filter: Arc<FilterHandle>,
    shutdown: CancellationToken,
    deadline: CancellationToken,
    forwarder: Option<std::thread::JoinHandle<ForwardReport>>,
    pool: Arc<WorkerPool>,
    drain_timeout: Duration,
}

/// Starts listeners, workers, forwarder and (if configured) the admin server.
pub async fn start(
    config: ProxyConfig,
    filter: Arc<FilterHandle>,
    extra_routes: Vec<Route>,
) -> Result<RunningProxy, ProxyError> {
    let metrics = Arc::new(Metrics::default());
    let limits = config.limits;
    metrics.buffer_capacity.store(limits.buffer_bytes as u64, Ordering::Relaxed);
    let acceptor = match (&config.tls, config.listeners.iter().any(|l| l.tls)) {
        (Some(files), true) => Some(tls::acceptor(files)?),
        _ => None,
    };
    let mut listeners = Vec::new();
    for l in &config.listeners {
        let listener = TcpListener::bind(l.addr).await.map_err(|source| ProxyError::Bind { addr: l.addr, source })?;
        let local = listener.local_addr().map_err(|source| ProxyError::Bind { addr: l.addr, source })?;
        let tls = match l.tls {
            true => acceptor.clone(),
            false => None,
        };
        listeners.push((listener, local, l.framing, tls));
    }
    let admin_listener = match config.admin {
        Some(addr) => {
            let l = admin::bind(addr).await.map_err(|source| ProxyError::Bind { addr, source })?;
            let local = l.local_addr().map_err(|source| ProxyError::Bind { addr, source })?;
            Some((l, local))
        }
        None => None,
    };
    let spool = match &config.spool {
        Some(s) => {
            metrics.spool_capacity.store(s.max_bytes, Ordering::Relaxed);
            Some(Spool::open(s.clone())?)
        }
        None => None,
    };
    let pool = Arc::new(
        WorkerPool::start(config.workers, limits.max_line_bytes, filter.clone(), metrics.clone())
            .map_err(ProxyError::Thread)?,
    );
    let budget = Arc::new(Semaphore::new(limits.buffer_bytes));
    let (outbox_tx, outbox_rx) = mpsc::unbounded_channel();
    let shutdown = CancellationToken::new();
    let deadline = CancellationToken::new();
    let forwarder = outbox::spawn(
        ForwarderConfig {
            target: config.forward.clone(),
            policy: config.policy,
            downstream: config.downstream,
            rotation: config.file_rotation,
            spill_threshold: limits.buffer_bytes / 2,
            write_bytes: 256 * 1024,
        },
        outbox_rx,
        spool,
        metrics.clone(),
        deadline.clone(),
    )
    .map_err(ProxyError::Thread)?;
    let shared = Arc::new(Shared {
        limits,
        policy: config.policy,
        metrics: metrics.clone(),
        pool: pool.clone(),
        budget: budget.clone(),
        outbox: outbox_tx,
        shutdown: shutdown.clone(),
    });
    let mut listen_addrs = Vec::new();
    for (listener, local, framing, tls) in listeners {
        listen_addrs.push(local);
        tokio::spawn(ingest::listen(listener, framing, tls, shared.clone()));
    }
    drop(shared);
    let admin_addr = match admin_listener {
        Some((listener, local)) => {
            let gauge_metrics = metrics.clone();
            let gauge_budget = budget.clone();
            let capacity = limits.buffer_bytes;
            let state = Arc::new(AdminState {
                metrics: metrics.clone(),
                filter: filter.clone(),
                tokens: config.admin_tokens.clone(),
                public_metrics: config.public_metrics,
                refresh: Some(Arc::new(move || {
                    let used = capacity.saturating_sub(gauge_budget.available_permits());
                    gauge_metrics.buffer_bytes.store(used as u64, Ordering::Relaxed);
                })),
            });
            let router = admin::router(state, extra_routes);
            tokio::spawn(admin::serve(listener, router, deadline.clone()));
            Some(local)
        }
        None => None,
    };
    tracing::info!(
        message = "Proxy started.",
        listen = ?listen_addrs,
        forward = %config.forward,
        admin = ?admin_addr,
        policy = ?config.policy,
        workers = config.workers
    );
    Ok(RunningProxy {
        listen_addrs,
        admin_addr,
        metrics,
        filter,
        shutdown,
        deadline,
        forwarder: Some(forwarder),
        pool,
        drain_timeout: config.drain_timeout,
    })
}

impl RunningProxy {
    /// Stops accepting, reads what clients already sent, delivers everything within the drain timeout,
    /// then stops. Lines still undelivered at the deadline go to the spool if there is one.
    pub async fn shutdown(mut self) -> ForwardReport {
        self.shutdown.cancel();
        let Some(forwarder) = self.forwarder.take() else {
            return ForwardReport::default();
        };
        let deadline = self.deadline.clone();
        let timeout = self.drain_timeout;
        let timer = tokio::spawn(async move {
            tokio::time::sleep(timeout).await;
            deadline.cancel();
        });
        let report =
            tokio::task::spawn_blocking(move || forwarder.join()).await.ok().and_then(|r| r.ok()).unwrap_or_default();
        timer.abort();
        self.deadline.cancel();
        let pool = self.pool.clone();
        let _ = tokio::task::spawn_blocking(move || pool.join()).await;
        tracing::info!(
            message = "Proxy stopped.",
            complete = report.complete,
            lost_lines = report.lost_lines,
            spooled_bytes = report.spooled_bytes
        );
        report
    }
}

impl Drop for RunningProxy {
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.deadline.cancel();
        self.pool.close();
    }
}

/// Resolves the settings from the config file and flags.
pub fn resolve_config(args: &ProxyArgs) -> anyhow::Result<ProxyConfig> {
    let file = match &args.config {
        Some(path) => ConfigFile::read(path)?,
        None => ConfigFile::default(),
    };
    let flags = Overrides {
        listen: args.listen.clone(),
        forward: args.forward.clone(),
        admin: args.admin.clone(),
        rules: args.rules.clone(),
        policy: args.policy,
        spool_dir: args.spool_dir.clone(),
        tls_cert: args.tls_cert.clone(),
        tls_key: args.tls_key.clone(),
    };
    Ok(file.resolve(flags)?)
}

/// The `steward proxy` command: runs until SIGTERM or Ctrl-C; SIGHUP reloads the rules.
pub async fn run(args: ProxyArgs) -> anyhow::Result<()> {
    let config = resolve_config(&args)?;
    let loader = engine::EngineLoader { rule_dirs: config.rule_dirs.clone() };
    let filter =
        Arc::new(FilterHandle::load(Box::new(loader)).map_err(|e| anyhow::anyhow!("cannot load the rules: {e}"))?);
    let mut routes = vec![crate::admin::compliance::doctor_route(filter.clone())];
    let expiry_stop = CancellationToken::new();
    match crate::admin::compliance::open_ledger(&crate::keys::default_data_dir()) {
        Ok(ctx) => {
            routes.extend(crate::admin::compliance::ledger_routes(ctx.clone()));
            let day = Duration::from_secs(24 * 60 * 60);
            tokio::spawn(crate::admin::compliance::expire_records_periodically(ctx, day, expiry_stop.clone()));
        }
        Err(reason) => tracing::warn!(message = "Compliance endpoints are not mounted.", %reason),
    }
    let proxy = start(config, filter.clone(), routes).await?;
    if let Some(path) = &args.ready_file {
        write_ready_file(path, &proxy).map_err(|error| {
            anyhow::anyhow!(
                "cannot write the ready file {}: {error}; check the directory exists and is writable",
                path.display()
            )
        })?;
    }
    wait_for_signals(&filter).await?;
    expiry_stop.cancel();
    tracing::info!(message = "Shutting down: draining buffers.");
    let report = proxy.shutdown().await;
    match report.complete {
        true => Ok(()),
        false => anyhow::bail!(
            "drain timeout passed with {} lines undelivered ({} bytes kept in the spool); raise drain_timeout_secs or configure a spool",
            report.lost_lines,
            report.spooled_bytes
        ),
    }
}

/// Writes the bound addresses to `path` through a temporary file and a rename, so a reader never sees half of it.
fn write_ready_file(path: &std::path::Path, proxy: &RunningProxy) -> std::io::Result<()> {
    let mut text = String::new();
    for addr in &proxy.listen_addrs {
        text.push_str(&format!("listen {addr}\n"));
    }
    if let Some(addr) = proxy.admin_addr {
        text.push_str(&format!("admin {addr}\n"));
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

#[cfg(unix)]
async fn wait_for_signals(filter: &Arc<FilterHandle>) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    loop {
        tokio::select! {
            _ = term.recv() => return Ok(()),
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = hup.recv() => {
                let f = filter.clone();
                match tokio::task::spawn_blocking(move || f.reload()).await {
                    Ok(Ok(generation)) => tracing::info!(message = "Rules reloaded (SIGHUP).", generation),
                    Ok(Err(error)) => tracing::warn!(message = "Rule reload refused; the old rules stay.", %error),
                    Err(_) => tracing::error!(message = "Rule reload task failed."),
                }
            }
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signals(_filter: &Arc<FilterHandle>) -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// For `steward demo`: starts a proxy on loopback (ephemeral ports) with the shipped rules, forwarding
/// to `forward`. Call [`RunningProxy::shutdown`] when done.
pub async fn run_demo_proxy(forward: config::ForwardTarget) -> anyhow::Result<RunningProxy> {
    let loader = engine::EngineLoader::default();
    let filter = Arc::new(
        FilterHandle::load(Box::new(loader)).map_err(|e| anyhow::anyhow!("cannot load the shipped rules: {e}"))?,
    );
    let mut config = ProxyConfig::default();
    config.listeners[0].addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.admin = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
    config.forward = forward;
    config.drain_timeout = Duration::from_secs(10);
    Ok(start(config, filter, Vec::new()).await?)
}
