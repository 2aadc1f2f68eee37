//! Measures how close the Intercom client gets to a simulator rate limit with many concurrent tasks.
//!
//! `cargo run --release --example rate_bench -- [SECONDS] [TASKS] [PER_MINUTE]` (defaults 60, 32, 10000).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use steward::intercom::{AccessToken, BaseUrl, Client, ClientConfig};
use steward::sim::{self, SimConfig};
use tokio::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: u64 = args.first().map(|s| s.parse()).transpose()?.unwrap_or(60);
    let tasks: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(32);
    let per_minute: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(10_000);

    let config = SimConfig { seed: 42, contacts: 50, rate_limit_per_min: per_minute, ..SimConfig::default() };
    let (_, handle) = sim::spawn(config).await?;
    let client_config =
        ClientConfig::new(AccessToken::parse("sim-token")?).with_base_url(BaseUrl::parse(&handle.url())?);
    let client = Client::new(client_config)?;

    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..tasks)
        .map(|_| {
            let (client, ok, failed) = (client.clone(), ok.clone(), failed.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    match client.me().await {
                        Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    // Sample the simulator's handled count at the same phase of two windows k windows apart: the rate over
    // whole windows, free of the partial windows at the start and the end.
    let state = handle.state.clone();
    let window = 10.0;
    let now = state.now_secs();
    let first_mid =
        (now / window).floor() * window + window / 2.0 + if now % window > window / 2.0 - 1.0 { window } else { 0.0 };
    let whole = ((seconds as f64 - (first_mid - now) - 1.0) / window).floor().max(1.0) as u64;
    tokio::time::sleep(Duration::from_secs_f64(first_mid - now)).await;
    let at_first = state.counters().handled;
    tokio::time::sleep(Duration::from_secs_f64(whole as f64 * window)).await;
    let at_last = state.counters().handled;
    for worker in workers {
        worker.await?;
    }
    let whole_rps = (at_last - at_first) as f64 / (whole as f64 * window);
    let elapsed = start.elapsed().as_secs_f64();
    let done = ok.load(Ordering::Relaxed);
    let rps = done as f64 / elapsed;
    let limit_rps = per_minute as f64 / 60.0;
    let counters = handle.state.counters();
    println!("tasks={tasks} seconds={elapsed:.1} limit={per_minute}/min ({limit_rps:.1}/s)");
    println!(
        "successful={done} failed={} overall requests/s={rps:.1} ({:.1}% of the limit; the partial first and last windows each get a full budget, so this overstates)",
        failed.load(Ordering::Relaxed),
        100.0 * rps / limit_rps
    );
    println!(
        "over {whole} whole 10 s windows: requests/s={whole_rps:.1} ({:.1}% of the limit; the best possible is {:.1}/s)",
        100.0 * whole_rps / limit_rps,
        (per_minute / 6) as f64 / window
    );
    println!(
        "429s received by the client={} (simulator window 429s={})",
        client.limiter().snapshot().rate_limited,
        counters.rate_limited
    );
    Ok(())
}
