//! `steward corpus` as a user runs it: the summary on stderr names the output file through the engine.

use std::process::Command;

#[test]
fn the_summary_is_redacted() {
    // Regression: the summary line printed the --out path raw, so a path holding personal data reached stderr.
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("jane@example.com");
    std::fs::create_dir(&folder).unwrap();
    let out_file = folder.join("4111111111111111.jsonl");
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["corpus", "generate", "--count", "3", "--seed", "5", "--out"])
        .arg(&out_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("wrote 3 labeled samples (seed 5) to "), "{stderr}");
    assert!(stderr.ends_with("/[EMAIL]/[CARD].jsonl\n"), "{stderr}");
    assert!(!stderr.contains("jane@example.com") && !stderr.contains("4111111111111111"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap().lines().count(),
        3,
        "the file is written under its real name"
    );
}
