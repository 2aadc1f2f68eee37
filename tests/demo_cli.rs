//! `steward demo` as the README runs it: the proxy on loopback, a stream through it, metrics, the simulator checks.

use std::process::Command;

#[test]
fn the_demo_redacts_a_stream_through_the_proxy_and_checks_the_simulator() {
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["demo", "--once", "--lines", "300"])
        .env_remove("STEWARD_INTERCOM_TOKEN")
        .env("STEWARD_DATA_DIR", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("the steward binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("steward_lines_in_total 300"), "{stdout}");
    assert!(stdout.contains("steward_lines_out_total 300"), "{stdout}");
    assert!(stdout.contains("steward_redactions_total{entity=\"EMAIL\"}"), "{stdout}");
    assert!(stdout.contains("  out: ") && stdout.contains("[EMAIL]"), "{stdout}");
    assert!(stdout.contains("the bundled Intercom simulator"), "{stdout}");
    assert!(stdout.contains("intercom: ok"), "{stdout}");
    // What went out never holds what the generator put in: every `out:` line shown differs from its `in:` line.
    let pairs: Vec<_> =
        stdout.lines().filter(|line| line.starts_with("  in : ") || line.starts_with("  out: ")).collect();
    assert!(pairs.len() >= 4, "{stdout}");
    for pair in pairs.chunks(2) {
        assert_ne!(&pair[0][7..], &pair[1][7..]);
    }
}

#[test]
fn the_demo_redacts_its_status_and_check_lines() {
    // Regression: the demo printed the Intercom check's error and its output path raw on stdout, so a value given
    // (here the region) or a path holding personal data reached the terminal unredacted.
    let dir = tempfile::tempdir().unwrap();
    let temp = dir.path().join("jane@example.com");
    std::fs::create_dir(&temp).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["demo", "--once", "--lines", "20"])
        .env("TMPDIR", &temp)
        .env("STEWARD_INTERCOM_TOKEN", "demo-token")
        .env("STEWARD_INTERCOM_REGION", "jane@example.com")
        .env_remove("STEWARD_INTERCOM_URL")
        .env("STEWARD_DATA_DIR", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("the steward binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let check = stdout.lines().find(|line| line.starts_with("  the check failed: ")).expect(&stdout);
    assert_eq!(check, "  the check failed: unknown intercom region \"[EMAIL]\": use us, eu or au (STEWARD_INTERCOM_REGION or `region`)");
    let forwarding = stdout.lines().find(|line| line.contains("forwarding redacted lines to ")).expect(&stdout);
    assert!(forwarding.contains("/[EMAIL]/steward-demo-"), "{forwarding}");
    assert!(!forwarding.contains("jane@example.com") && !check.contains("jane@example.com"), "{stdout}");
}
