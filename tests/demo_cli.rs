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
