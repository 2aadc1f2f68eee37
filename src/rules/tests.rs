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
fn an_unclosed_list_is_placed_where_it_opens() {
    let close = "add `]` after its last item";
    check(
        "[detectors.phone]\ncontext = [\"a\",\n  \"b\"\n\n[settings]\n",
        &[&format!(
            "bad.toml:2:11: this list opened here is never closed before line 5: {close}; {STOPPED} — `context = [\"a\",`"
        )],
    );
    check(
        "[[fields]]\ncategory = \"personal\"\npaths = [\"a\", \"b\"\nentity = \"NAME\"\n",
        &[&format!(
            "bad.toml:3:9: this list opened here is never closed before line 4: {close}; {STOPPED} — `paths = [\"a\", \"b\"`"
        )],
    );
    check(
        "[detectors.ssn]\ncontext = [\n  \"ssn\",\n  \"social security\",\n",
        &[&format!(
            "bad.toml:2:11: this list opened here is never closed before the end of the file: {close}; {STOPPED} — `context = [`"
        )],
    );
}

#[test]
fn a_missing_comma_in_a_closed_list_keeps_the_parsers_place() {
    check(
        "[detectors.ssn]\ncontext = [\n  \"ssn\"\n  \"social security\",\n]\n",
        &[&format!(
            "bad.toml:4:3: expected `,` or `]` here: separate a list's items with commas and close it with `]`; {STOPPED} — `\"social security\",`"
        )],
    );
}

#[test]
fn an_unclosed_inline_table_or_text_is_placed_where_it_opens() {
    check(
        "[categories]\npersonal = { action = \"label\"\n",
        &[&format!(
            "bad.toml:2:12: this inline table opened here is not closed on its line: add `}}` (an inline table is written on one line), or use a [table]; {STOPPED} — `personal = <not shown>`"
        )],
    );
    check(
        "[patterns.p]\nregex = '[A-Z]{2}\nentity = \"X\"\n",
        &[&format!(
            "bad.toml:2:9: this text opened here is not closed on its line: end it with `'`; {STOPPED} — `regex = '[A-Z]{{2}}`"
        )],
    );
    check(
        "[categories.personal]\ndescription = \"\"\"Personal data.\naction = \"label\"\n",
        &[&format!(
            "bad.toml:2:15: this text opened here with `\"\"\"` is never closed: end it with `\"\"\"`; {STOPPED} — `description = \"\"\"Personal data.`"
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
fn an_unknown_text_value_names_those_it_can_be() {
    check(
        "[[fields]]\ncategory = \"secret\"\ntext_value = \"rest\"\npaths = [\"x\"]\n",
        &["bad.toml:3:14: unknown text_value `rest`; use one of: token, address, line (how far a value reaches in a text line) — `text_value = \"rest\"`"],
    );
}

#[test]
fn an_object_type_is_one_word() {
    check(
        "[[fields]]\ncategory = \"system\"\ntypes = [\"a b\"]\npaths = [\"name\"]\n",
        &["bad.toml:3:10: invalid object type `a b`; write the value of an object's `type` member, e.g. `\"tag\"` — `types = [\"a b\"]`"],
    );
}

#[test]
fn an_unknown_shape_names_those_it_can_be_and_a_shape_needs_a_replacing_action() {
    check(
        "[[fields]]\ncategory = \"personal\"\nshape = \"name\"\npaths = [\"x\"]\n",
        &["bad.toml:3:9: unknown shape `name`; use one of: any, full_name, dotted_login, basic_credentials (the shape a value must have for the rule to apply) — `shape = \"name\"`"],
    );
    check(
        "[[fields]]\ncategory = \"system\"\nshape = \"full_name\"\npaths = [\"x\"]\n",
        &["bad.toml:3:9: a shape applies to a rule that replaces values; remove it, or give the entry an action such as label — `shape = \"full_name\"`"],
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
        // `secret` is a rules key, but it takes true or false: a credential pasted under it stays hidden.
        format!("[patterns.p]\nregex = 'x'\nsecret = \"{secret}\"\n"),
        format!("[categories.personal]\nsecret = '{secret}' # pasted\n"),
    ] {
        let error = compile_sources(&[RulesText::new("bad.toml", text.as_str())]).unwrap_err();
        let rendered = error.to_string();
        assert!(!rendered.contains("9f86d0"), "{rendered}");
    }
}

#[test]
fn the_secret_flag_is_true_or_false_and_stays_on_for_the_detectors_of_secrets() {
    check(
        "[patterns.p]\nregex = 'x[0-9]+'\nsecret = \"yes\"\n[categories.personal]\nsecret = 1\n[detectors.card]\nsecret = true\n",
        &[
            "bad.toml:3:10: `secret` must be true or false without quotes, not a text — `secret = <not shown>`",
            "bad.toml:5:10: `secret` must be true or false without quotes, not a whole number — `secret = <not shown>`",
        ],
    );
    check(
        "[detectors.secret]\nsecret = false\n[detectors.credentials]\nsecret = false # I want the last four\n",
        &[
            "bad.toml:2:10: the `secret` detector finds passwords and tokens, which are never partly shown; remove `secret = false` — `secret = false`",
            "bad.toml:4:10: the `credentials` detector finds passwords and tokens, which are never partly shown; remove `secret = false` — `secret = false # I want the last four`",
        ],
    );
}

/// A file with one problem of each kind that the compiler finds, every one on its own line.
const MANY_PROBLEMS: &str = "\
[settings]
default_action = \"keep\"
[categories.x]
description = \"no action\"
[detectors.phone]
regions = [\"usa\"]
[[fields]]
category = \"nosuch\"
paths = [\"a..b\"]
[patterns.p]
entity = \"lower\"
regex = 'x'
[retention]
audit_log = \"1y\"
spool = \"forever\"
";

/// The lines `MANY_PROBLEMS` gives, without the line it also has in the test that adds a type error at line 6.
fn many_problems_expected() -> Vec<String> {
    vec![
        "bad.toml:2:18: `default_action` must be label, redact, mask or hash — `default_action = \"keep\"`".into(),
        "bad.toml:3:13: category `x` has no `action`; add one, e.g. `action = \"redact\"` — `[categories.x]`".into(),
        "bad.toml:6:12: unknown phone region `usa`; use ISO 3166 codes such as US, GB, DE — `regions = [\"usa\"]`".into(),
        "bad.toml:8:12: unknown category `nosuch`; define it under [categories] or use one of: conversation, custom_attribute, identifier, personal, secret, system, x — `category = \"nosuch\"`".into(),
        "bad.toml:11:10: entity `lower` must be 1 to 40 uppercase letters, digits or `_`, starting with a letter (it becomes the label `[lower]`) — `entity = \"lower\"`".into(),
        "bad.toml:14:13: the audit log is never deleted; remove this retention entry — `audit_log = \"1y\"`".into(),
        "bad.toml:15:9: `forever` does not start with a whole number; write e.g. `30d`, `24mo` or `6y` — `spool = \"forever\"`".into(),
    ]
}

#[test]
fn every_problem_of_a_file_is_reported_in_line_order() {
    let expected = many_problems_expected();
    check(MANY_PROBLEMS, &expected.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn a_type_error_in_one_rule_does_not_hide_the_others() {
    let text = MANY_PROBLEMS.replace("regions = [\"usa\"]\n", "regions = [\"usa\"]\ncontext = 5\n");
    let mut expected = many_problems_expected();
    for line in &mut expected[3..] {
        // Every problem after the added line moves one line down.
        let (place, rest) = line.split_once(": ").unwrap();
        let mut parts: Vec<String> = place.split(':').map(str::to_string).collect();
        parts[1] = (parts[1].parse::<usize>().unwrap() + 1).to_string();
        *line = format!("{}: {rest}", parts.join(":"));
    }
    expected.insert(
        3,
        "bad.toml:7:11: `context` must be a list of texts in quotes, e.g. `context = [\"...\", \"...\"]`, not a whole number — `context = 5`"
            .into(),
    );
    check(&text, &expected.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn wrong_types_and_unknown_keys_are_each_reported_where_they_are() {
    check(
        "version = \"1\"\nreplace_defaults = 1\n[settings]\nhash_hex_len = \"8\"\nmax_lines = 10\n[categories.personal]\naction = 5\n[detectors.email]\nenabled = \"yes\"\nkey_words = [\"mail\", 3]\n[patterns.p]\nregex = 7\n[retention]\nspool = 30\n",
        &[
            "bad.toml:1:11: `version` must be a whole number without quotes, not a text — `version = \"1\"`",
            "bad.toml:2:20: `replace_defaults` must be true or false without quotes, not a whole number — `replace_defaults = 1`",
            "bad.toml:4:16: `hash_hex_len` must be a whole number without quotes, not a text — `hash_hex_len = \"8\"`",
            "bad.toml:5:1: unknown key `max_lines` in [settings]; use one of: default_action, hash_hex_len, max_line_bytes, max_json_depth — `max_lines = <not shown>`",
            "bad.toml:7:10: `action` must be a text in quotes, e.g. `action = \"...\"`, not a whole number — `action = 5`",
            "bad.toml:9:11: `enabled` must be true or false without quotes, not a text — `enabled = \"yes\"`",
            "bad.toml:10:22: every item of `key_words` must be a text in quotes; this one is a whole number — `key_words = [\"mail\", 3]`",
            "bad.toml:12:9: `regex` must be a text in quotes, e.g. `regex = \"...\"`, not a whole number — `regex = 7`",
            "bad.toml:14:9: `spool` must be a text in quotes, e.g. `spool = \"...\"`, not a whole number — `spool = 30`",
        ],
    );
}

#[test]
fn misshapen_tables_and_field_entries_are_reported() {
    check(
        "settings = 5\ncategories = []\npatterns.p = 'x'\nfields = [\"email\"]\n",
        &[
            "bad.toml:1:12: `settings` must be a table (a [settings] header with keys under it), not a whole number — `settings = 5`",
            "bad.toml:2:14: `categories` must be a table (a [categories.NAME] header with keys under it), not a list — `categories = []`",
            "bad.toml:3:14: `p` must be a table (a [patterns.p] header with keys under it), not a text — `patterns.p = <not shown>`",
            "bad.toml:4:11: each [[fields]] entry must be a table with `category` and `paths`, not a text — `fields = [\"email\"]`",
        ],
    );
    check(
        "[[fields]]\nentity = \"X\"\n[[fields]]\ncategory = \"personal\"\npaths = \"email\"\nwhen = 1979-05-27\n",
        &[
            "bad.toml:1:1: this [[fields]] entry has no `category`; add one, e.g. `category = \"personal\"` — `[[fields]]`",
            "bad.toml:1:1: this [[fields]] entry has no `paths`; add them, e.g. `paths = [\"email\"]` — `[[fields]]`",
            "bad.toml:5:9: `paths` must be a list of texts in quotes, e.g. `paths = [\"...\", \"...\"]`, not a text — `paths = \"email\"`",
            "bad.toml:6:1: unknown key `when` in [[fields]]; use one of: category, entity, action, paths, text_value, shape, labels, types — `when = <not shown>`",
        ],
    );
}

#[test]
fn a_syntax_error_in_one_file_does_not_hide_the_problems_of_another() {
    let files = [
        RulesText::new("10-broken.toml", "[settings\n"),
        RulesText::new("20-typed.toml", "[detectors.phone]\ncontext = 5\n"),
    ];
    let error = compile_sources(&files).unwrap_err();
    let rendered: Vec<String> = error.errors.iter().map(ToString::to_string).collect();
    assert_eq!(rendered.len(), 2, "{rendered:#?}");
    assert!(rendered[0].starts_with("10-broken.toml:1:"), "{rendered:#?}");
    assert!(rendered[1].starts_with("20-typed.toml:2:11: `context` must be a list"), "{rendered:#?}");
}

#[test]
fn not_values_name_known_entities_and_say_what_they_match() {
    let entities = "EMAIL, PHONE, CARD, IBAN, SSN, IP, MAC, CREDENTIALS, SECRET, NAME, SYSTEM, IDENTIFIER, USERNAME, \
                    LOCATION, PERSONAL, NATIONAL_ID, CONVERSATION, CUSTOM_ATTRIBUTE";
    check(
        "[not_values.mine]\nentities = [\"EMAIL\", \"EMAILS\"]\nwords = [\"n/a\"]\n",
        &[&format!(
            "bad.toml:2:22: not_values `mine` names entity `EMAILS`, which no field, detector or pattern reports; use one of: {entities} — `entities = [\"EMAIL\", \"EMAILS\"]`"
        )],
    );
    check(
        "[not_values.empty]\nkeys = [\"location\"]\n",
        &["bad.toml:1:13: not_values `empty` has none of `words`, `last_words` and `pattern`; add one, e.g. `words = [\"null\"]` — `[not_values.empty]`"],
    );
    check(
        "[not_values.bad]\npattern = '(unclosed'\n",
        &["bad.toml:2:11: not_values `bad` has an invalid regex: unclosed group — `pattern = '(unclosed'`"],
    );
    // A pattern that would close the anchors around it is refused as it stands.
    check(
        "[not_values.bad]\npattern = 'a)|(b'\n",
        &["bad.toml:2:11: not_values `bad` has an invalid regex: unopened group — `pattern = 'a)|(b'`"],
    );
    check(
        "[not_values.bad]\nwords = [\"\"]\nkeys = [\"_\"]\nlimit = 3\n",
        &[
            "bad.toml:1:13: not_values `bad` has none of `words`, `last_words` and `pattern`; add one, e.g. `words = [\"null\"]` — `[not_values.bad]`",
            "bad.toml:2:10: a word is empty; remove it or write the word — `words = [\"\"]`",
            "bad.toml:3:9: a key is empty; remove it or write the key — `keys = [\"_\"]`",
            "bad.toml:4:1: unknown key `limit` in [not_values.bad]; use one of: enabled, description, entities, keys, words, last_words, pattern — `limit = <not shown>`",
        ],
    );
    check(
        "[detectors.email]\nflag_name_endings = [\"file\"]\n",
        &["bad.toml:2:22: `flag_name_endings` belongs to [detectors.secret], which reads command-line flags — `flag_name_endings = [\"file\"]`"],
    );
    check("[not_values.mine]\nentities = [\"NAME\"]\nkeys = [\"full_name\"]\nwords = [\"n/a\"]\n", &[]);
    // A last word is one word.
    check(
        "[not_values.orgs]\nlast_words = [\"Pty Ltd\", \"GmbH\"]\n",
        &["bad.toml:2:15: a last word holds a space or a comma; write the one word a value ends with — `last_words = [\"Pty Ltd\", \"GmbH\"]`"],
    );
    check(
        "[detectors.phone]\nnot_names = [\"Team\"]\n[detectors.name]\nnot_names = [\" \"]\n",
        &[
            "bad.toml:2:14: `not_names` belongs to [detectors.name], which reads names in prose — `not_names = [\"Team\"]`",
            "bad.toml:4:14: a word of `not_names` is empty; remove it or write the word — `not_names = [\" \"]`",
        ],
    );
    check(
        "[detectors.name]\nphone_labels = [\"tel.\"]\n",
        &["bad.toml:2:17: a phone label is one word of up to twelve bytes, without its `.` or `:` (`tel`, not `tel.`); write the word alone — `phone_labels = [\"tel.\"]`"],
    );
    check(
        "[detectors.ssn]\ne164_keys = [\"to\"]\n[detectors.phone]\ne164_keys = [\"\"]\n",
        &[
            "bad.toml:2:14: `e164_keys` belongs to [detectors.phone], which reads phone numbers — `e164_keys = [\"to\"]`",
            "bad.toml:4:14: a key of `e164_keys` is empty; remove it or write the key — `e164_keys = [\"\"]`",
        ],
    );
    check(
        "[detectors.email]\nfull_name_context = [\"tenant\"]\n",
        &["bad.toml:2:22: `full_name_context` belongs to [detectors.name], which reads names in prose — `full_name_context = [\"tenant\"]`"],
    );
}

#[test]
fn an_organization_is_known_by_its_last_word() {
    let rules = super::Rules::defaults();
    let name = rules.entity_id("NAME").expect("the shipped rules report names");
    for organization in ["Acme Logistics BV", "Northwind Traders, Inc.", "Contoso Pty Ltd", "Fabrikam GmbH"] {
        assert!(rules.names_no_value(name, b"name", organization.as_bytes()), "{organization}");
    }
    // A person's name, a last word that is only part of a word, and the word alone.
    // A last word compares as written: `Sa` and `Ag` are names' (`Joao de Sa`, `Maria Ag`).
    for person in ["Jan Nowak", "Anna Gmbhova", "GmbH", "Inc", "Joao de Sa", "Maria Ag"] {
        assert!(!rules.names_no_value(name, b"name", person.as_bytes()), "{person}");
    }
    let email = rules.entity_id("EMAIL").expect("the shipped rules report emails");
    assert!(!rules.names_no_value(email, b"email", b"Acme Logistics BV"), "only under names");
}

#[test]
fn field_labels_are_kept_as_written_and_an_empty_one_is_refused() {
    let text = "[[fields]]\ncategory = \"personal\"\nentity = \"STAFF_ID\"\npaths = [\"staff_no\"]\nlabels = [\"staff number\", \"EMP\"]\n";
    let rules = compile_sources(&[RulesText::new("own.toml", text)]).expect("compiles");
    let labels = rules.field_labels.iter().find(|labels| rules.entity_name(labels.entity) == "STAFF_ID");
    assert_eq!(labels.map(|labels| labels.words.clone()), Some(vec!["staff number".to_string(), "EMP".to_string()]));
    check(
        "[[fields]]\ncategory = \"personal\"\npaths = [\"x\"]\nlabels = [\" \"]\n",
        &["bad.toml:4:11: a label is empty or longer than 32 bytes; write the word that names the field — `labels = [\" \"]`"],
    );
}

#[test]
fn a_word_list_is_its_words_in_lowercase_from_texts_or_items() {
    let list = super::WordList::new(["Ana  BEA\nÉva", "ΟΔΥΣΣΕΑΣ", "", "  "]);
    assert_eq!(list.iter().collect::<Vec<_>>(), ["ana", "bea", "éva", "οδυσσεας"]);
    assert_eq!(list.len(), 4);
    assert!(super::WordList::new(["", " "]).is_empty());
}

#[test]
fn a_not_value_pattern_is_passed_over_only_for_a_value_it_cannot_start() {
    let text = "[not_values.own]\npattern = '(?i)kelvin|x*'\n\n[not_values.case]\npattern = '(?i)kb[0-9]+|é+'\n";
    let rules = compile_sources(&[RulesText::new("own.toml", text)]).expect("compiles");
    let by_name = |name: &str| rules.not_values.iter().find(|not_value| not_value.name == name);
    // What the set matches is never turned away by its first byte.
    let values = [
        "",
        "****",
        "xxxx",
        "XXX-XX-4471",
        "4111 11•• •••• 1111",
        "24 bytes",
        "pk_live_abc123",
        "pk.eyJ1Ijoi",
        "$password",
        "${NPM_TOKEN}",
        "{{ password }}",
        "$1",
        ":email",
        "%(name)s",
        "7",
        "42",
        "otlp/tempo",
        "POST /v1/charges",
        "Visa 0119",
        "w3wp.exe",
        "svc-backup",
        "enable_15",
        "app.service",
        "jenkins.agent",
        "CN=Domain Admins",
        "Globex Holdings",
        "/home/deploy",
        "/",
        "expired",
        "https://example.com/a",
        "0.0.0.0:8201",
        "[::]:8080",
        "us-central1",
        "europe-west4-a",
        "Kelvin",
        "\u{212a}elvin",
        "KB123",
        "kb9",
        "\u{212a}b7",
        "éé",
        "ÉÉ",
        "deploy",
        "Jan Nowak",
        "eyJhbGciOi",
        "203.0.113.7",
    ];
    for not_value in rules.not_values.iter().filter(|not_value| not_value.pattern.is_some()) {
        for value in values {
            let matches = rules.not_value_patterns.matches(value.as_bytes());
            if not_value.pattern.is_some_and(|index| matches.matched(index)) {
                assert!(not_value.pattern_may_match(value.as_bytes()), "{} {value:?}", not_value.name);
            }
        }
    }
    // The filter is there where the first bytes are few, and not where any value may match.
    let public = by_name("public_keys").and_then(|not_value| not_value.first_bytes.as_ref()).expect("known");
    assert_eq!((0..=255u8).filter(|&b| public[usize::from(b)]).collect::<Vec<_>>(), b"p");
    assert!(by_name("groups_and_things").is_some_and(|not_value| not_value.first_bytes.is_none()));
    assert!(by_name("own").is_some_and(|not_value| not_value.first_bytes.is_none()), "matches the empty value");
    let case = by_name("case").and_then(|not_value| not_value.first_bytes.as_ref()).expect("known");
    assert!(case[usize::from(b'k')] && case[usize::from(b'K')] && case[0xE2] && case[0xC3]);
    assert!(!case[usize::from(b'e')]);
}
