//! The real binary: SIGHUP reloads the rules (the generation goes up), SIGTERM drains and exits 0,
//! and the admin server answers on its own port.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The ports the proxy bound, read from its ready file once it appears: (client listener, admin).
fn ready_ports(path: &Path) -> (u16, u16) {
    let mut text = String::new();
    wait_for("the ready file", || {
        text = std::fs::read_to_string(path).unwrap_or_default();
        !text.is_empty()
    });
    let port = |kind: &str| -> u16 {
        let line = text.lines().find(|l| l.starts_with(kind)).unwrap_or_else(|| panic!("no {kind} line in {text:?}"));
        let addr: SocketAddr = line[kind.len()..].trim().parse().expect("an address");
        addr.port()
    };
    (port("listen "), port("admin "))
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").args([name, &child.id().to_string()]).status().expect("run kill");
    assert!(status.success());
}

fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect admin");
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn sighup_reloads_and_sigterm_drains_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.log");
    let ready = dir.path().join("ready");
    // Port 0 everywhere: the proxy binds what the system gives and says so in its ready file (no race with
    // other processes for a port picked in advance).
    let child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        .args(["--forward", &format!("file:{}", out.display())])
        .arg("--ready-file")
        .arg(&ready)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start steward proxy");
    let child = Guard(child);
    let (port, admin) = ready_ports(&ready);
    assert!(get(admin, "/healthz").starts_with("HTTP/1.1 200"));
    assert!(get(admin, "/metrics").contains("steward_rules_generation 1"));

    signal(&child.0, "-HUP");
    wait_for("the reload", || get(admin, "/metrics").contains("steward_rules_generation 2"));

    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let lines: String = (0..10_000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
    client.write_all(lines.as_bytes()).unwrap();
    client.flush().unwrap();
    wait_for("the lines to be read", || get(admin, "/metrics").contains("steward_lines_in_total 10000"));
    signal(&child.0, "-TERM");
    let mut child = child;
    let status = child.0.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 10_000);
    drop(client);
}
