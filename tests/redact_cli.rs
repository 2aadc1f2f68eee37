//! `steward redact` and `steward rules` as a user runs them: real binary, stdin/stdout, exit codes.

use std::io::Write;
use std::process::{Command, Stdio};

fn steward() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_steward"));
    command.env_remove("STEWARD_HASH_KEY").env("STEWARD_DATA_DIR", env!("CARGO_TARGET_TMPDIR"));
    command
}

fn run(args: &[&str], input: impl AsRef<[u8]>) -> (i32, String, String) {
    let mut child = steward()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the steward binary runs");
    // A run that fails at start (a missing key) may exit before reading: a broken pipe here is not the failure.
    if let Err(error) = child.stdin.take().expect("stdin is piped").write_all(input.as_ref()) {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "writing to steward's stdin: {error}");
    }
    let output = child.wait_with_output().expect("steward finishes");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn redacts_stdin_to_stdout_with_stats() {
    let input = "{\"email\":\"jane@example.com\",\"msg\":\"ok\"}\nplain 203.0.113.7 and a@b.co\nnothing here\n";
    let (code, stdout, stderr) = run(&["redact", "--stats"], input);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "{\"email\":\"[EMAIL]\",\"msg\":\"ok\"}\nplain [IP] and [EMAIL]\nnothing here\n");
    assert!(stderr.contains("lines 3  redacted 2"), "{stderr}");
    assert!(stderr.contains("EMAIL              2"), "{stderr}");
    assert!(stderr.contains("IP                 1"), "{stderr}");
}

#[test]
fn check_exits_one_only_when_something_was_found() {
    assert_eq!(run(&["redact", "--check"], "clean line\n").0, 0);
    assert_eq!(run(&["redact", "--check"], "mail a@b.co\n").0, 1);
}

#[test]
fn check_exits_one_when_a_line_was_withheld_as_overlong() {
    // Regression: a withheld line was not counted, so `--check` vouched for a line it never looked at.
    let input = format!("{}\n", "jane@example.com ".repeat(70_000));
    let (code, stdout, stderr) = run(&["redact", "--check"], &input);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.starts_with("[STEWARD: line withheld, reason=overlong"), "{stdout}");
    assert!(!stdout.contains("jane@example.com"), "{stdout}");
}

#[test]
fn check_counts_a_repaired_line_only_when_something_was_found_in_it() {
    assert_eq!(run(&["redact", "--check"], b"broken \xff byte\n").0, 0);
    assert_eq!(run(&["redact", "--check"], b"broken \xff mail a@b.co\n").0, 1);
}

#[test]
fn check_counts_a_dropped_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("10-drop.toml"),
        "[[fields]]\ncategory = \"secret\"\naction = \"drop-field\"\npaths = [\"session\"]\n",
    )
    .unwrap();
    let rules = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&["redact", "--check", "--rules", rules], "{\"ok\":1,\"session\":\"abc\"}\n");
    assert_eq!(stdout, "{\"ok\":1}\n", "{stderr}");
    assert_eq!(code, 1);
}

#[test]
fn format_and_action_options() {
    let (_, stdout, _) = run(&["redact", "--action", "redact"], "a@b.co\n");
    assert_eq!(stdout, "[REDACTED]\n");
    let (_, stdout, _) = run(&["redact", "--action", "mask"], "card 4111 1111 1111 1111\n");
    assert_eq!(stdout, "card **** **** **** 1111\n");
    // As text, a JSON line is still scanned but its keys are matched as `"key":` pairs.
    let (_, stdout, _) = run(&["redact", "--format", "text"], "{\"name\":\"Jane Doe\"}\n");
    assert_eq!(stdout, "{\"name\":\"[NAME]\"}\n");
}

#[test]
fn hash_needs_a_key_and_is_stable_with_one() {
    let (code, _, stderr) = run(&["redact", "--action", "hash"], "a@b.co\n");
    assert_eq!(code, 2);
    assert!(stderr.contains("STEWARD_HASH_KEY"), "{stderr}");
    let key = "ab".repeat(32);
    let mut first = steward();
    first.env("STEWARD_HASH_KEY", &key).args(["redact", "--action", "hash"]);
    let output = |command: &mut Command, input: &str| {
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    let a = output(&mut first, "mail Jane@Example.com\n");
    let mut second = steward();
    second.env("STEWARD_HASH_KEY", &key).args(["redact", "--action", "hash"]);
    let b = output(&mut second, "mail jane@example.com\n");
    assert_eq!(a, b);
    assert!(a.starts_with("mail [EMAIL:") && a.ends_with("]\n") && a.len() == "mail [EMAIL:xxxxxx]\n".len(), "{a}");
}

#[test]
fn files_are_read_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.log");
    let two = dir.path().join("two.log");
    std::fs::write(&one, "first a@b.co\n").unwrap();
    std::fs::write(&two, "second 203.0.113.7").unwrap();
    let (code, stdout, _) = run(&["redact", one.to_str().unwrap(), two.to_str().unwrap()], "");
    assert_eq!(code, 0);
    assert_eq!(stdout, "first [EMAIL]\nsecond [IP]");
    let (code, _, stderr) = run(&["redact", "/nonexistent/steward.log"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot open /nonexistent/steward.log"), "{stderr}");
}

#[test]
fn a_dash_reads_stdin_in_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.log");
    std::fs::write(&one, "file a@b.co\n").unwrap();
    let (code, stdout, stderr) = run(&["redact", "-"], "stdin 203.0.113.7\n");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "stdin [IP]\n");
    let (code, stdout, stderr) = run(&["redact", one.to_str().unwrap(), "-"], "stdin 203.0.113.7\n");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "file [EMAIL]\nstdin [IP]\n");
}

#[test]
fn error_messages_are_redacted() {
    // Regression: the path of a file that cannot be opened was printed raw, personal data included.
    let (code, _, stderr) = run(&["redact", "users-jane@example.com-4111111111111111.log"], "");
    assert_eq!(code, 2);
    assert!(stderr.starts_with("steward: cannot open "), "{stderr}");
    assert!(!stderr.contains("jane@example.com") && !stderr.contains("4111111111111111"), "{stderr}");
    // Argument errors quote the value the user gave.
    let (code, _, stderr) = run(&["redact", "--action", "jane@example.com"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value"), "{stderr}");
    assert!(!stderr.contains("jane@example.com"), "{stderr}");
    // Help is not an error: it goes to stdout, whole.
    let (code, stdout, _) = run(&["redact", "--help"], "");
    assert_eq!(code, 0);
    assert!(stdout.contains("--check"), "{stdout}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child =
        steward().args(["redact"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // Close the reading end before writing anything big: writes then fail with EPIPE.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let line = "mail jane@example.com and more text to fill the pipe quickly\n".repeat(20_000);
    for _ in 0..20 {
        if stdin.write_all(line.as_bytes()).is_err() {
            break;
        }
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Runs `steward redact --check` with its stdout closed before anything is read, feeding it copies of `line`.
fn check_into_a_closed_pipe(line: &str) -> std::process::Output {
    let mut child = steward()
        .args(["redact", "--check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let lines = line.repeat(20_000);
    for _ in 0..20 {
        if stdin.write_all(lines.as_bytes()).is_err() {
            break;
        }
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn check_into_a_closed_pipe_still_reports_what_was_found() {
    // Regression: `steward redact --check big.log | head -1` exited 0 although it had found personal data.
    let output = check_into_a_closed_pipe("mail jane@example.com and more text to fill the pipe quickly\n");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = check_into_a_closed_pipe("nothing personal here, only more text to fill the pipe quickly\n");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn rules_check_and_explain() {
    let (code, stdout, _) = run(&["rules", "check"], "");
    assert_eq!(code, 0);
    assert!(stdout.starts_with("ok: "), "{stdout}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("10-bad.toml"),
        "[[fields]]\ncategory = \"personal\"\naction = \"obliterate\"\npaths = [\"x\"]\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["rules", "check", dir.path().to_str().unwrap()], "");
    assert_eq!(code, 1);
    assert!(stderr.contains("10-bad.toml:3:10: unknown action `obliterate`"), "{stderr}");
    let (code, stdout, _) = run(&["rules", "explain", "--json"], "");
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json["fields"].as_array().unwrap().len() > 50);
    let detectors = json["detectors"].as_array().unwrap();
    assert_eq!(detectors.len(), 10);
    let names = detectors.iter().find(|detector| detector["name"] == "name").unwrap();
    assert!(names["context"].as_array().unwrap().contains(&serde_json::json!("kind regards,")), "{names}");
    assert!(names["not_names"].as_array().unwrap().contains(&serde_json::json!("team")), "{names}");
    assert_eq!(json["secret_entities"], serde_json::json!(["CREDENTIALS", "SECRET"]));
    let nothing = json["not_values"].as_array().unwrap().iter().find(|entry| entry["name"] == "nothing").unwrap();
    assert!(nothing["words"].as_array().unwrap().contains(&serde_json::json!("null")), "{nothing}");
    let (code, stdout, _) = run(&["rules", "explain"], "");
    assert_eq!(code, 0);
    assert!(stdout.contains("\n  small_numbers        entities EMAIL,PHONE,IP,"), "{stdout}");
    assert!(stdout.contains("audit_log          never"), "{stdout}");
    assert!(stdout.contains("\nsecret entities (mask shows none of them): CREDENTIALS, SECRET\n"), "{stdout}");
}

#[test]
fn rules_errors_are_redacted_and_keep_their_place() {
    // Regression: `rules check` printed the quoted rules line raw, so a value holding personal data reached stderr.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("10-bad.toml"),
        "[[fields]]\ncategory = \"jane@example.com\"\npaths = [\"x\"]\n\n\
         [[fields]]\ncategory = \"personal\"\naction = \"4111111111111111\"\npaths = [\"y\"]\n",
    )
    .unwrap();
    for command in ["check", "explain"] {
        let (code, _, stderr) = run(&["rules", command, dir.path().to_str().unwrap()], "");
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.starts_with("2 problems in the rules:\n"), "{stderr}");
        assert!(
            stderr.contains("10-bad.toml:2:12: unknown category `[EMAIL]`; define it under [categories]"),
            "{stderr}"
        );
        assert!(stderr.contains("— `category = \"[EMAIL]\"`"), "{stderr}");
        assert!(stderr.contains("— `action = \"[CARD]\"`"), "{stderr}");
        assert!(stderr.contains("10-bad.toml:7:10: unknown action `[CARD]`; use one of: label,"), "{stderr}");
        assert!(!stderr.contains("jane@example.com") && !stderr.contains("4111111111111111"), "{stderr}");
    }
}

#[test]
fn rules_summaries_are_redacted() {
    // Regression: `rules check` and `rules explain` named the rules paths given raw on stdout.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("jane@example.com");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("local.toml"), "# no changes to the shipped rules\n").unwrap();
    let (code, stdout, stderr) = run(&["rules", "check", rules.to_str().unwrap()], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("ok: ") && stdout.contains("/[EMAIL]/local.toml)\n"), "{stdout}");
    assert!(!stdout.contains("jane@example.com"), "{stdout}");
    let (code, stdout, stderr) = run(&["rules", "explain", rules.to_str().unwrap()], "");
    assert_eq!(code, 0, "{stderr}");
    let sources = stdout.lines().next().unwrap_or_default();
    assert!(sources.starts_with("sources: ") && sources.ends_with("/[EMAIL]/local.toml"), "{stdout}");
    assert!(!stdout.contains("jane@example.com"), "{stdout}");
}
