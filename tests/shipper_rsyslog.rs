//! A real log shipper in front of the real binary: rsyslog tails a file of JSON lines and forwards it
//! over TCP (`omfwd`) to `steward proxy`, which writes to a file. Every line must arrive, in order,
//! redacted exactly as the engine redacts it. Skipped loudly when rsyslogd is not installed.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use steward::proxy::engine::EngineLoader;
use steward::proxy::filter::FilterSource;

/// The rsyslog configuration verified byte-exact in `shared/shippers.md`.
const RSYSLOG_CONF: &str = r#"global(workDirectory="WORKDIR" maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off")
main_queue(queue.workerThreads="1")
module(load="imfile")
template(name="RawLine" type="string" string="%rawmsg%")
input(type="imfile" File="INPUT" Tag="app" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="PORT" protocol="tcp" TCP_Framing="FRAMING"
         template="RawLine" queue.type="LinkedList" queue.size="100000" action.resumeRetryCount="-1")
}
"#;

fn find_rsyslogd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join("rsyslogd"))
        .find(|p| p.is_file())
}

/// The client port the proxy bound, read from its ready file once it appears.
fn ready_port(path: &Path) -> u16 {
    let mut text = String::new();
    wait_for("the proxy's ready file", Duration::from_secs(20), || {
        text = std::fs::read_to_string(path).unwrap_or_default();
        !text.is_empty()
    });
    let line = text.lines().find(|l| l.starts_with("listen ")).expect("a listen line in the ready file");
    let addr: std::net::SocketAddr = line["listen ".len()..].trim().parse().expect("an address");
    addr.port()
}

/// Kills a child on drop so a failing test leaves no process behind.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sigterm(child: &Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
}

fn count_lines(path: &Path) -> usize {
    std::fs::File::open(path).map(|f| std::io::BufReader::new(f).lines().count()).unwrap_or(0)
}

fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn input_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 4 {
            0 => format!("{{\"ts\":\"2026-01-01T00:00:{:02}Z\",\"level\":\"info\",\"msg\":\"login\",\"user\":\"person{i}@example.com\"}}", i % 60),
            1 => format!("{{\"level\":\"warn\",\"msg\":\"payment failed for order {i}\",\"tags\":[\"billing\",\"retry\"]}}"),
            2 => format!("{{\"msg\":\"contact\",\"email\":\"Some.One+{i}@mail.example.org\",\"note\":\"call back\"}}"),
            _ => format!("{{\"msg\":\"plain line {i} with no personal data\",\"size\":{}}}", i * 7),
        })
        .collect()
}

#[test]
fn rsyslog_newline_framing_every_line_arrives_in_order_and_redacted() {
    run_rsyslog("traditional");
}

#[test]
fn rsyslog_octet_counted_framing_every_line_arrives_in_order_and_redacted() {
    run_rsyslog("octet-counted");
}

fn run_rsyslog(framing: &str) {
    let Some(rsyslogd) = find_rsyslogd() else {
        eprintln!("\n==========\nSKIPPED: rsyslogd not installed (apt-get install rsyslog; .ci/run installs it)\n==========\n");
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but rsyslogd is missing: the CI step must install rsyslog"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.jsonl");
    let output = dir.path().join("out.jsonl");
    let workdir = dir.path().join("rsyslog-work");
    std::fs::create_dir_all(&workdir).unwrap();
    let lines = input_lines(20_000);
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();

    let ready = dir.path().join("ready");
    let proxy = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["proxy", "--admin", "off", "--listen", "127.0.0.1:0"])
        .arg("--forward")
        .arg(format!("file:{}", output.display()))
        .arg("--ready-file")
        .arg(&ready)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start steward proxy");
    let proxy = Guard(proxy);
    let port = ready_port(&ready);

    let conf = dir.path().join("rsyslog.conf");
    let text = RSYSLOG_CONF
        .replace("WORKDIR", &workdir.display().to_string())
        .replace("INPUT", &input.display().to_string())
        .replace("PORT", &port.to_string())
        .replace("FRAMING", framing);
    std::fs::write(&conf, text).unwrap();
    let rsyslog = Command::new(&rsyslogd)
        .arg("-n")
        .arg("-f")
        .arg(&conf)
        .arg("-i")
        .arg(dir.path().join("rsyslog.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start rsyslogd");
    let rsyslog = Guard(rsyslog);

    wait_for("every line to arrive", Duration::from_secs(120), || count_lines(&output) >= lines.len());
    drop(rsyslog);
    sigterm(&proxy.0);
    let mut proxy = proxy;
    let status = proxy.0.wait().expect("wait for the proxy");
    assert!(status.success(), "the proxy exited with {status}");

    let source = EngineLoader::default().compile().expect("the shipped rules compile");
    let mut filter = source.make_filter();
    let got = std::fs::read_to_string(&output).unwrap();
    let got: Vec<&str> = got.lines().collect();
    assert_eq!(got.len(), lines.len(), "lines lost or duplicated");
    let mut redacted_any = false;
    for (i, (line, out)) in lines.iter().zip(got).enumerate() {
        let mut expected = Vec::new();
        filter.filter_line(line.as_bytes(), &mut expected);
        let expected = String::from_utf8_lossy(&expected);
        assert_eq!(out, expected, "line {i} differs from what the engine makes of it");
        redacted_any |= out != line;
    }
    assert!(redacted_any, "the engine redacted nothing: the test data must contain personal data");
}
