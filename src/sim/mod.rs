//! A faithful Intercom API simulator on loopback: seeded workspace, search, pagination, deletes, redaction,
//! export jobs, Intercom-style rate limiting, fault injection and test hooks (`/_sim/ledger`, `/_sim/reset`).

pub mod data;
pub mod export;
pub mod query;
pub mod server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use server::SimState;

/// Simulator settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of the synthetic workspace and of the fault RNG.
    pub seed: u64,
    /// How many contacts to generate.
    pub contacts: usize,
    /// The bearer token the simulator accepts.
    pub token: String,
    /// Requests per minute, spread over windows of `rate_window_secs`.
    pub rate_limit_per_min: u64,
    /// Window length in seconds (Intercom: 10).
    pub rate_window_secs: u64,
    /// Injected faults.
    pub faults: FaultSpec,
    /// How long export jobs take to finish.
    pub export_delay: Duration,
    /// How long finished export jobs stay downloadable (Intercom: 2 days).
    pub export_expiry: Duration,
    /// How long a `slow` fault delays the response.
    pub slow_delay: Duration,
    /// The simulated clock's Unix time at start; `None` uses the real time.
    pub epoch: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            contacts: 200,
            token: "sim-token".to_owned(),
            rate_limit_per_min: 10_000,
            rate_window_secs: 10,
            faults: FaultSpec::default(),
            export_delay: Duration::from_secs(3),
            export_expiry: Duration::from_secs(2 * 86_400),
            slow_delay: Duration::from_secs(30),
            epoch: None,
        }
    }
}

/// Per-request fault probabilities.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultSpec {
    /// A 429 with `X-RateLimit-Remaining: 0`.
    pub rate_limited: f64,
    /// A 500 with an error body (nothing applied).
    pub server_error: f64,
    /// The response is delayed by `slow_delay`.
    pub slow: f64,
    /// The connection is closed before the request is applied.
    pub drop: f64,
    /// The request is applied, then the connection is closed with no response.
    pub drop_after_apply: f64,
}

impl FaultSpec {
    /// Parses `kind=probability` pairs separated by commas; kinds are `429`, `500`, `slow`, `drop`,
    /// `drop-after-apply`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut faults = Self::default();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, p) = pair
                .split_once('=')
                .ok_or_else(|| format!("fault {pair:?} is not kind=probability: write e.g. 500=0.02"))?;
            let p: f64 = p
                .trim()
                .parse()
                .map_err(|_| format!("fault probability {p:?} is not a number: use a value from 0 to 1"))?;
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("fault probability {p} is out of range: use a value from 0 to 1"));
            }
            match kind.trim() {
                "429" => faults.rate_limited = p,
                "500" => faults.server_error = p,
                "slow" => faults.slow = p,
                "drop" => faults.drop = p,
                "drop-after-apply" => faults.drop_after_apply = p,
                other => {
                    return Err(format!("unknown fault kind {other:?}: use 429, 500, slow, drop or drop-after-apply"))
                }
            }
        }
        if faults.total() > 1.0 {
            return Err("fault probabilities add up to more than 1: lower them".to_owned());
        }
        Ok(faults)
    }

    fn total(&self) -> f64 {
        self.rate_limited + self.server_error + self.slow + self.drop + self.drop_after_apply
    }
}

/// A running simulator.
#[derive(Debug)]
pub struct SimHandle {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state (workspace, ledger, counters).
    pub state: Arc<SimState>,
    task: JoinHandle<()>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections.
    pub fn shutdown(self) {
        self.task.abort();
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the simulator on `127.0.0.1:port` (0 picks a free port).
pub async fn spawn_on(config: SimConfig, port: u16) -> std::io::Result<(SocketAddr, SimHandle)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(SimState::new(config, addr));
    let task = tokio::spawn(server::accept_loop(listener, state.clone()));
    Ok((addr, SimHandle { addr, state, task }))
}

/// Starts the simulator on a free loopback port.
pub async fn spawn(config: SimConfig) -> std::io::Result<(SocketAddr, SimHandle)> {
    spawn_on(config, 0).await
}

/// Starts a simulator and returns a client configuration pointing at it (for `steward demo` when no token
/// is configured).
pub async fn spawn_with_client_config(
    config: SimConfig,
) -> std::io::Result<(SimHandle, crate::intercom::ClientConfig)> {
    let token = crate::intercom::AccessToken::parse(&config.token)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    let (_, handle) = spawn(config).await?;
    let url = crate::intercom::BaseUrl::parse(&handle.url())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    let client_config = crate::intercom::ClientConfig::new(token).with_base_url(url);
    Ok((handle, client_config))
}

/// Arguments of `steward sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8089)]
    pub port: u16,
    /// Seed of the synthetic workspace.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of contacts.
    #[arg(long, default_value_t = 200)]
    pub contacts: usize,
    /// Requests per minute (spread over 10-second windows).
    #[arg(long = "rate-limit", default_value_t = 10_000)]
    pub rate_limit: u64,
    /// Faults, e.g. `429=0.02,500=0.02,drop-after-apply=0.01`.
    #[arg(long, default_value = "")]
    pub faults: String,
    /// The bearer token to accept.
    #[arg(long, env = "STEWARD_SIM_TOKEN", default_value = "sim-token", hide_env_values = true)]
    pub token: String,
    /// Seconds an export job takes to finish.
    #[arg(long = "export-delay", default_value_t = 3.0)]
    pub export_delay: f64,
}

/// Runs `steward sim` in the foreground; the first stdout line is `STEWARD_INTERCOM_URL=http://127.0.0.1:PORT`.
pub async fn run_cli(args: SimArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let faults = FaultSpec::parse(&args.faults).map_err(anyhow::Error::msg)?;
    if !(0.0..=86_400.0).contains(&args.export_delay) {
        anyhow::bail!("--export-delay must be between 0 and 86400 seconds");
    }
    if args.rate_limit == 0 {
        anyhow::bail!("--rate-limit must be at least 1 request per minute");
    }
    let config = SimConfig {
        seed: args.seed,
        contacts: args.contacts,
        token: args.token,
        rate_limit_per_min: args.rate_limit,
        faults,
        export_delay: Duration::from_secs_f64(args.export_delay),
        ..SimConfig::default()
    };
    let (addr, handle) = spawn_on(config, args.port)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{}: {e}: pick another --port", args.port))?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "STEWARD_INTERCOM_URL=http://{addr}")?;
    stdout.flush()?;
    eprintln!("intercom simulator: {} contacts, seed {}, ctrl-c to stop", args.contacts, args.seed);
    tokio::signal::ctrl_c().await?;
    handle.shutdown();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_spec_parsing() {
        let f = FaultSpec::parse("429=0.02,500=0.02,drop-after-apply=0.01").unwrap();
        assert_eq!(f.rate_limited, 0.02);
        assert_eq!(f.drop_after_apply, 0.01);
        assert!(FaultSpec::parse("boom=0.1").unwrap_err().contains("unknown fault kind"));
        assert!(FaultSpec::parse("500=2").is_err());
        assert_eq!(FaultSpec::parse("").unwrap(), FaultSpec::default());
    }
}
