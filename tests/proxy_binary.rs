//! The real binary: SIGHUP reloads the rules (the generation goes up), SIGTERM drains and exits 0,
//! and the admin server answers on its own port.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
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
    let (port, admin) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["proxy", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--admin", &format!("127.0.0.1:{admin}")])
        .args(["--forward", &format!("file:{}", out.display())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start steward proxy");
    let child = Guard(child);
    wait_for("the admin server", || TcpStream::connect(("127.0.0.1", admin)).is_ok());
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
