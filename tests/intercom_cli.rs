//! `steward sim` and `steward doctor` as a user runs them: the URL line, then doctor's exit codes.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sim_prints_its_url_first_and_doctor_checks_it() {
    let exe = env!("CARGO_BIN_EXE_steward");
    let mut child = Child(
        Command::new(exe)
            .args(["sim", "--port", "0", "--seed", "3", "--contacts", "10", "--token", "cli-token"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("steward sim starts"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("STEWARD_INTERCOM_URL=").expect("the first line names the url").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let ok = Command::new(exe)
        .arg("doctor")
        .env("STEWARD_INTERCOM_TOKEN", "cli-token")
        .env("STEWARD_INTERCOM_URL", &url)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{report}");
    assert!(report.contains("workspace:") && report.contains("stewardsim"), "{report}");
    assert!(report.contains("rules: ok"), "doctor checks the rules too: {report}");

    // One config file for the proxy and Intercom; a broken rules directory fails the whole check.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("steward.toml");
    std::fs::write(
        &config,
        format!("listen = [\"127.0.0.1:5170\"]\nforward = \"stdout\"\n[intercom]\nbase_url = \"{url}\"\n"),
    )
    .unwrap();
    let with_config = Command::new(exe)
        .args(["doctor", "--config", config.to_str().unwrap()])
        .env("STEWARD_INTERCOM_TOKEN", "cli-token")
        .env_remove("STEWARD_INTERCOM_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&with_config.stdout);
    assert!(with_config.status.success(), "{text}");
    // The listen address is a parsed socket address, shown as it is; the forward target goes through the engine.
    assert!(text.contains("proxy config: ok (listen 127.0.0.1:5170, admin "), "{text}");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("bad.toml"), "[patterns.x]\nregex = '('\n").unwrap();
    let bad_rules = Command::new(exe)
        .args(["doctor", "--config", config.to_str().unwrap(), "--rules", rules.to_str().unwrap()])
        .env("STEWARD_INTERCOM_TOKEN", "cli-token")
        .env_remove("STEWARD_INTERCOM_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&bad_rules.stderr);
    assert_eq!(bad_rules.status.code(), Some(1), "{text}");
    assert!(text.contains("rules: FAILED") && text.contains("bad.toml:2"), "{text}");
    assert!(!report.contains("cli-token"));

    let bad = Command::new(exe)
        .arg("doctor")
        .env("STEWARD_INTERCOM_TOKEN", "wrong-token")
        .env("STEWARD_INTERCOM_URL", &url)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(message.contains("unauthorized (401)"), "{message}");
    assert!(!message.contains("wrong-token"), "{message}");

    let region = Command::new(exe)
        .arg("doctor")
        .env("STEWARD_INTERCOM_TOKEN", "cli-token")
        .env("STEWARD_INTERCOM_REGION", "mars")
        .env_remove("STEWARD_INTERCOM_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!region.status.success());
    assert!(String::from_utf8_lossy(&region.stderr).contains("use us, eu or au"));
}

#[test]
fn doctor_failures_are_redacted() {
    // Regression: doctor printed its failures raw, so paths and values holding personal data reached stderr.
    let dir = tempfile::tempdir().unwrap();
    let person = dir.path().join("jane@example.com").join("4111111111111111");
    let out = Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("doctor")
        .arg("--config")
        .arg(person.join("steward.toml"))
        .arg("--rules")
        .arg(person.join("rules"))
        .env("STEWARD_INTERCOM_TOKEN", "cli-token")
        .env("STEWARD_INTERCOM_REGION", "jane@example.com")
        .env_remove("STEWARD_INTERCOM_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("jane@example.com") && !stderr.contains("4111111111111111"), "{stderr}");
    // One block per failed check, each with its context and what to do next.
    assert!(stderr.starts_with("config: FAILED: cannot read the config file "), "{stderr}");
    assert!(stderr.contains("/[EMAIL]/[CARD]/steward.toml: No such file"), "{stderr}");
    assert!(stderr.contains("\nrules: FAILED: 1 problem in the rules:"), "{stderr}");
    assert!(stderr.contains("/[EMAIL]/[CARD]/rules: cannot read it"), "{stderr}");
    assert!(stderr.contains("\nintercom: FAILED: unknown intercom region \"[EMAIL]\": use us, eu or au"), "{stderr}");
}

#[test]
fn doctor_report_is_redacted() {
    // Regression: doctor printed its report raw on stdout, so the paths the user gave and Intercom's answers
    // reached the terminal unredacted.
    let intercom = fake_intercom(
        r#"{"type":"admin","id":"7","app":{"id_code":"ws1","name":"jane@example.com","region":"jane@example.com"}}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let person = dir.path().join("jane@example.com");
    std::fs::create_dir_all(person.join("rules")).unwrap();
    std::fs::write(person.join("rules").join("local.toml"), "# no changes to the shipped rules\n").unwrap();
    let config = person.join("steward.toml");
    std::fs::write(
        &config,
        format!(
            "listen = [\"127.0.0.1:5170\"]\nforward = \"file:{}\"\n[intercom]\nbase_url = \"{intercom}\"\n",
            person.join("out.log").display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("doctor")
        .arg("--config")
        .arg(&config)
        .arg("--rules")
        .arg(person.join("rules"))
        .env("STEWARD_INTERCOM_TOKEN", "cli-token")
        .env_remove("STEWARD_INTERCOM_URL")
        .env_remove("STEWARD_INTERCOM_REGION")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(!stdout.contains("jane@example.com"), "{stdout}");
    assert!(stdout.contains("/[EMAIL]/out.log"), "the forward target: {stdout}");
    assert!(stdout.contains("/[EMAIL]/rules"), "the rules sources: {stdout}");
    assert!(stdout.contains("\n  region:       us (workspace reports [EMAIL])\n"), "{stdout}");
    assert!(stdout.contains("\n  workspace:    [EMAIL] (ws1)\n"), "{stdout}");
}

/// A fake Intercom on loopback that answers every request with `body`, one request per connection; returns its URL.
fn fake_intercom(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Ok(reading) = stream.try_clone() else { continue };
            let mut reader = BufReader::new(reading);
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}
