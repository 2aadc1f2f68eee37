//! `steward demo`: the proxy on loopback with the shipped rules, a generated stream through it, the metrics, and the
//! Intercom checks against the bundled simulator when no token is set.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::AsyncWriteExt;

use crate::intercom::doctor::check_configured;
use crate::proxy::config::ForwardTarget;
use crate::proxy::run_demo_proxy;
use crate::quality;
use crate::sim::{spawn, SimConfig};
use crate::telemetry::print_redacted;

/// Options of `steward demo`.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// How many generated lines to send through the proxy.
    pub lines: usize,
    /// Seed of the generated lines.
    pub seed: u64,
    /// Keep the proxy running after the showcase (default: when stdin is a terminal).
    pub serve: Option<bool>,
}

/// Runs the demo.
pub async fn run(options: &DemoOptions) -> anyhow::Result<()> {
    let output = std::env::temp_dir().join(format!("steward-demo-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&output);
    let proxy = run_demo_proxy(ForwardTarget::File(output.clone())).await.context("cannot start the demo proxy")?;
    let listen = proxy.listen_addrs.first().copied().context("the demo proxy has no listener")?;
    println!("Steward demo: proxy listening on {listen} (newline-delimited JSON or text; octet-counted syslog too)");
    if let Some(admin) = proxy.admin_addr {
        println!("             admin API on http://{admin} (GET /healthz, /metrics)");
    }
    // The output path lies under the temporary directory, which the environment names: print it through the engine.
    print_redacted(&format!("             forwarding redacted lines to {}", output.display()));

    // A realistic stream: plain and JSON log lines and HTML bodies, about half carrying personal data.
    let lines: Vec<String> = quality::generate(options.seed, options.lines)
        .into_iter()
        .map(|sample| sample.text.replace(['\n', '\r'], " "))
        .collect();
    let mut stream = tokio::net::TcpStream::connect(listen).await.context("cannot connect to the demo proxy")?;
    let mut payload = Vec::new();
    for line in &lines {
        payload.extend_from_slice(line.as_bytes());
        payload.push(b'\n');
    }
    stream.write_all(&payload).await.context("cannot send to the demo proxy")?;
    stream.shutdown().await.context("cannot close the demo connection")?;
    drop(stream);

    let started = Instant::now();
    let expected = lines.len() as u64;
    while proxy.metrics.lines_out.load(Ordering::Relaxed) < expected {
        if started.elapsed() > Duration::from_secs(20) {
            let metrics = proxy.metrics.render();
            anyhow::bail!(
                "the demo proxy delivered only {} of {expected} lines in 20 s\n{metrics}",
                proxy.metrics.lines_out.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let redacted = std::fs::read_to_string(&output).with_context(|| format!("cannot read {}", output.display()))?;
    println!(
        "\nSent {} lines through the proxy; the first ones that carried personal data, before and after:\n",
        lines.len()
    );
    let mut shown = 0;
    for (before, after) in lines.iter().zip(redacted.lines()) {
        if before != after && shown < 10 {
            let (before, after) = clip_pair(before, after);
            println!("  in : {before}");
            println!("  out: {after}\n");
            shown += 1;
        }
    }
    let metrics = proxy.metrics.render();
    println!("Metrics (GET /metrics), the main counters:");
    for line in metrics.lines().filter(|line| !line.starts_with('#')) {
        let interesting = [
            "steward_lines_in_total",
            "steward_lines_out_total",
            "steward_bytes_in_total",
            "steward_bytes_out_total",
            "steward_redactions_total",
            "steward_lines_dropped_total",
            "steward_marker_lines_total",
        ];
        if interesting.iter().any(|name| line.starts_with(name)) && !line.ends_with(" 0") {
            println!("  {line}");
        }
    }

    intercom_part().await;

    println!("\nPoint a log shipper at {listen}:");
    println!("  Vector:     [sinks.steward] type = \"socket\", mode = \"tcp\", address = \"{listen}\", encoding.codec = \"json\", framing.method = \"newline_delimited\"");
    println!(
        "  Fluent Bit: [OUTPUT] Name tcp, Host {}, Port {}, Format json_lines, json_date_key false",
        listen.ip(),
        listen.port()
    );
    println!(
        "  rsyslog:    action(type=\"omfwd\" target=\"{}\" port=\"{}\" protocol=\"tcp\" TCP_Framing=\"octet-counted\")",
        listen.ip(),
        listen.port()
    );

    let serve = options.serve.unwrap_or_else(|| std::io::stdin().is_terminal());
    if serve {
        print_redacted(&format!(
            "\nThe proxy keeps running; press Ctrl-C to stop (redacted lines go to {}).",
            output.display()
        ));
        tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    }
    let report = proxy.shutdown().await;
    println!("\nStopped: {report:?}");
    let _ = std::fs::remove_file(&output);
    Ok(())
}

/// The Intercom checks: against `STEWARD_INTERCOM_TOKEN` when set, else against the bundled simulator.
async fn intercom_part() {
    if std::env::var("STEWARD_INTERCOM_TOKEN").is_ok() {
        println!("\nCompliance side: checking Intercom:");
        print_check(check_configured(None, |name| std::env::var(name).ok()).await);
        return;
    }
    println!("\nCompliance side: checking the bundled Intercom simulator (no STEWARD_INTERCOM_TOKEN set):");
    let config = SimConfig::default();
    let token = config.token.clone();
    match spawn(config).await {
        Ok((_, simulator)) => {
            let url = simulator.url();
            let env = |name: &str| match name {
                "STEWARD_INTERCOM_TOKEN" => Some(token.clone()),
                "STEWARD_INTERCOM_URL" => Some(url.clone()),
                _ => None,
            };
            print_check(check_configured(None, env).await);
        }
        Err(error) => print_redacted(&format!("  cannot start the bundled simulator: {error}")),
    }
}

/// Prints the report or the error through the engine: both quote the values given and Intercom's answers.
fn print_check(result: Result<crate::intercom::DoctorReport, String>) {
    let text = match result {
        Ok(report) => report.to_string().lines().map(|line| format!("  {line}")).collect::<Vec<_>>().join("\n"),
        Err(error) => format!("  the check failed: {error}"),
    };
    print_redacted(&text);
}

/// Both lines cut to the same window of at most 160 characters, starting a little before their first difference
/// when it lies further in, so that what changed is always in view.
fn clip_pair(before: &str, after: &str) -> (String, String) {
    const WIDTH: usize = 160;
    let first_difference = before.chars().zip(after.chars()).take_while(|(a, b)| a == b).count();
    let start = if first_difference + 40 > WIDTH { first_difference - 40 } else { 0 };
    let clip = |line: &str| {
        let cut: String = line.chars().skip(start).take(WIDTH).collect();
        let head = if start > 0 { "…" } else { "" };
        let tail = if line.chars().count() > start + WIDTH { "…" } else { "" };
        format!("{head}{cut}{tail}")
    };
    (clip(before), clip(after))
}
