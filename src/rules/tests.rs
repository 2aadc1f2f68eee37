//! Data-driven tests of rules errors: each bad rules file and the exact lines `steward rules check` prints for it.

use super::{compile_sources, RulesText};

/// Compiles `text` as `bad.toml` over the defaults and compares every error line with `expected`.
fn check(text: &str, expected: &[&str]) {
    let rendered: Vec<String> = match compile_sources(&[RulesText::new("bad.toml", text)]) {
        Ok(_) => Vec::new(),
        Err(error) => error.errors.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(rendered, expected, "for the rules file:\n{text}");
}

/// What every syntax error ends with: the parser cannot go on past it.
const STOPPED: &str = "the rest of this file is checked once this is fixed";

#[test]
fn a_syntax_error_gives_line_column_a_plain_message_and_the_line() {
    check(
        "this is = not toml [[\n",
        &[&format!(
            "bad.toml:1:6: expected `=` after a key: write `key = value`, text in quotes (and a key with spaces in quotes too); {STOPPED} — `this is = <not shown>`"
        )],
    );
}

#[test]
fn a_duplicate_key_names_the_key_and_shows_the_second_line() {
    check(
        "[settings]\nhash_hex_len = 8\nhash_hex_len = 10\n",
        &[&format!(
            "bad.toml:3:1: duplicate key `hash_hex_len` in table `settings`: a key may appear once per table, remove one of them; {STOPPED} — `hash_hex_len = 10`"
        )],
    );
    check(
        "d = 1\nd = 2\n",
        &[&format!(
            "bad.toml:2:1: duplicate key `d` at the top level: a key may appear once per table, remove one of them; {STOPPED} — `d = <not shown>`"
        )],
    );
}

#[test]
fn an_unclosed_list_is_one_line() {
    check(
        "[detectors.phone]\ncontext = [\"a\",\n  \"b\"\n\n[settings]\n",
        &[&format!(
            "bad.toml:5:1: a list is not closed before this point: separate its items with commas and close it with `]`; {STOPPED} — `[settings]`"
        )],
    );
}

#[test]
fn an_unquoted_value_says_to_quote_it() {
    check(
        "[categories.personal]\naction = label\n",
        &[&format!(
            "bad.toml:2:10: this value is not valid: write text in quotes, e.g. `action = \"label\"`; {STOPPED} — `action = label`"
        )],
    );
}

#[test]
fn a_backslash_in_double_quotes_suggests_single_quotes() {
    check(
        "[patterns.p]\nregex = \"\\d+\"\n",
        &[&format!(
            "bad.toml:2:12: unknown escape in a double-quoted text: write `\\\\` for a backslash, or use single quotes (regex = '\\d+'); {STOPPED} — `regex = \"\\d+\"`"
        )],
    );
}

#[test]
fn a_rule_error_shows_the_whole_line() {
    check(
        "[[fields]]\ncategory = \"personal\"\naction = \"obliterate\"\npaths = [\"x\"]\n",
        &["bad.toml:3:10: unknown action `obliterate`; use one of: label, redact, mask, hash, drop-field, keep, scan — `action = \"obliterate\"`"],
    );
}

#[test]
fn a_long_line_is_cut_after_80_characters() {
    let text = format!("[patterns.p]\nregex = '({}'\n", "é".repeat(100));
    let shown = format!("regex = '({}", "é".repeat(70));
    check(&text, &[&format!("bad.toml:2:9: pattern `p` has an invalid regex: unclosed group — `{shown}...`")]);
}

#[test]
fn values_of_keys_that_are_not_rules_keys_are_never_shown() {
    let secret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    for text in [
        format!("[settings]\nhash_key = \"{secret}\"\n"),
        format!("STEWARD_HASH_KEY={secret}\n"),
        format!("[admin_api]\ntoken = \"{secret}\"\n"),
        format!("[retention]\n\"spool.token\" = \"{secret}\"\n"),
    ] {
        let error = compile_sources(&[RulesText::new("bad.toml", text.as_str())]).unwrap_err();
        let rendered = error.to_string();
        assert!(!rendered.contains("9f86d0"), "{rendered}");
    }
}
