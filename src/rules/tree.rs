//! A rules file as a TOML tree whose keys and list items keep their place in the text, read before any rule.
//!
//! Typed deserialization stops at the first wrong value, so one bad rule would hide every later one; the tree
//! takes any well-formed TOML and leaves the checking to `file.rs`, which reports every problem.
//! A syntax error still stops the file: no TOML parser can resume after one. A list, inline table or text that
//! is never closed is reported where it opens, since the parser only notices it where it runs out.

use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

/// A table: its keys in the order written, each with its place (the value's place is the key's line).
pub(crate) type Table = Vec<(Spanned<String>, Node)>;

/// One TOML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Text(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// A date or time; no rule takes one.
    Datetime,
    Array(Vec<Spanned<Node>>),
    Table(Table),
}

impl Node {
    /// What the value is, for "must be .., not .." messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Text(_) => "a text",
            Node::Integer(_) => "a whole number",
            Node::Float(_) => "a decimal number",
            Node::Boolean(_) => "true or false",
            Node::Datetime => "a date or time",
            Node::Array(_) => "a list",
            Node::Table(_) => "a table",
        }
    }
}

/// A TOML syntax error: where the parser stopped (when it says) and a plain one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// Parses a file into its tree; a syntax error stops it.
pub(crate) fn parse(text: &str) -> Result<Table, SyntaxError> {
    match toml::from_str::<Node>(text) {
        Ok(Node::Table(table)) => Ok(table),
        Ok(other) => Err(SyntaxError {
            span: None,
            message: format!("a rules file must be a TOML document, not {}", other.kind()),
        }),
        Err(error) => Err(syntax_error(text, error.span(), error.message())),
    }
}

/// What every syntax error ends with: a TOML parser cannot resume after one, so the rest of the file is checked
/// on the next run.
const STOPPED: &str = "the rest of this file is checked once this is fixed";

/// A syntax error placed where the user can fix it: at the `[`, `{` or quote that opened what the parser ran off
/// the end of, else where the parser stopped.
fn syntax_error(text: &str, stop: Option<Range<usize>>, raw: &str) -> SyntaxError {
    match stop.as_ref().and_then(|stop| unclosed(text, stop.start, raw)) {
        Some((opened, advice)) => {
            SyntaxError { span: Some(opened..opened + 1), message: format!("{advice}; {STOPPED}") }
        }
        None => SyntaxError { span: stop, message: syntax_message(raw) },
    }
}

/// When the parser stopped because a list, an inline table or a text was never closed, the offset of its opening
/// `[`, `{` or quote and what to do; `None` for every other error (a missing comma is fixed where the parser
/// stopped, not where the list opened).
///
/// A list is unclosed when the parser reached the end of the file or a line that starts a `key =` or a
/// `[table]`, which no list item can be; an inline table or a one-line text when the parser reached the end of
/// the line it opened on (neither may span lines); a text in triple quotes when the parser reached the end of
/// the file.
fn unclosed(text: &str, stop: usize, raw: &str) -> Option<(usize, String)> {
    let label = raw.lines().find_map(|line| line.trim().strip_prefix("invalid "))?;
    let stop = stop.min(text.len());
    let rest = text.get(stop..)?;
    let at_end = rest.trim().is_empty();
    let at_line_end = at_end || rest.starts_with('\n') || rest.starts_with("\r\n");
    let open = open_at(text, stop);
    match (label, open) {
        ("array", Open::Brackets(brackets)) => {
            let &(opened, b'[') = brackets.last()? else {
                return None;
            };
            let line_start = text[..stop].rfind('\n').map_or(0, |newline| newline + 1);
            let before = if at_end {
                "the end of the file".to_string()
            } else if text[line_start..stop].trim().is_empty() && starts_statement(rest) {
                format!("line {}", text[..stop].matches('\n').count() + 1)
            } else {
                return None;
            };
            Some((
                opened,
                format!("this list opened here is never closed before {before}: add `]` after its last item"),
            ))
        }
        ("inline table", Open::Brackets(brackets)) => {
            let &(opened, b'{') = brackets.last()? else {
                return None;
            };
            at_line_end.then(|| {
                let advice = "this inline table opened here is not closed on its line: add `}` (an inline table is \
                              written on one line), or use a [table]";
                (opened, advice.to_string())
            })
        }
        (label, Open::Text(opened)) if label.ends_with("string") => {
            let quote = &text[opened..opened + 1];
            let advice = if label.starts_with("multiline") {
                if !at_end {
                    return None;
                }
                let quotes = quote.repeat(3);
                format!("this text opened here with `{quotes}` is never closed: end it with `{quotes}`")
            } else {
                if !at_line_end {
                    return None;
                }
                format!("this text opened here is not closed on its line: end it with `{quote}`")
            };
            Some((opened, advice))
        }
        _ => None,
    }
}

/// What is open at an offset of a TOML text: a text (the offset of its first quote), or else the `[` and `{` not
/// yet closed (offset and bracket, innermost last).
#[derive(Debug, PartialEq, Eq)]
enum Open {
    Text(usize),
    Brackets(Vec<(usize, u8)>),
}

/// Reads `text` up to `stop` (which the parser accepted, so it is well-formed) through comments, texts and
/// brackets, and says what is still open there.
fn open_at(text: &str, stop: usize) -> Open {
    let bytes = text.as_bytes();
    let mut brackets = Vec::new();
    let mut at = 0;
    while at < stop {
        match bytes[at] {
            b'#' => {
                at = bytes[at..].iter().position(|&byte| byte == b'\n').map_or(bytes.len(), |newline| at + newline);
                continue;
            }
            bracket @ (b'[' | b'{') => brackets.push((at, bracket)),
            b']' | b'}' => {
                brackets.pop();
            }
            quote @ (b'"' | b'\'') => match text_end(bytes, at, quote) {
                Some(end) if end <= stop => {
                    at = end;
                    continue;
                }
                _ => return Open::Text(at),
            },
            _ => {}
        }
        at += 1;
    }
    Open::Brackets(brackets)
}

/// The offset after the text that opens with `quote` at `start` (one quote, or three for a text on several lines),
/// or `None` when it is not closed: a one-line text at the end of its line, a multi-line one at the end of the
/// file.
fn text_end(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let escapes = quote == b'"';
    let triple = bytes[start..].starts_with(&[quote; 3]);
    let mut at = start + if triple { 3 } else { 1 };
    while let Some(&byte) = bytes.get(at) {
        if escapes && byte == b'\\' {
            at += 2;
            continue;
        }
        if byte == quote {
            if !triple {
                return Some(at + 1);
            }
            // A run of three to five quotes closes it; the first one or two are part of the text.
            let run = bytes[at..].iter().take_while(|&&next| next == quote).count();
            if run >= 3 {
                return Some(at + run.min(5));
            }
            at += run;
            continue;
        }
        if byte == b'\n' && !triple {
            return None;
        }
        at += 1;
    }
    None
}

/// True when `line` starts a new statement, a `[table]` or `[[table]]` header or a `key =`, which no list item
/// can.
fn starts_statement(line: &str) -> bool {
    match line.trim_start().strip_prefix('[') {
        Some(header) => key_then(header.strip_prefix('[').unwrap_or(header), b']'),
        None => key_then(line.trim_start(), b'='),
    }
}

/// True when `text` starts with a key (bare or quoted parts joined by dots) followed by `end`.
fn key_then(text: &str, end: u8) -> bool {
    let bytes = text.as_bytes();
    let blanks = |mut at: usize| {
        while matches!(bytes.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        at
    };
    let mut at = 0;
    loop {
        at = blanks(at);
        match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => match text_end(bytes, at, quote) {
                Some(after) => at = after,
                None => return false,
            },
            Some(byte) if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-') => {
                while bytes.get(at).is_some_and(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-')) {
                    at += 1;
                }
            }
            _ => return false,
        }
        at = blanks(at);
        match bytes.get(at) {
            Some(b'.') => at += 1,
            Some(&byte) => return byte == end,
            None => return false,
        }
    }
}

/// Says what the TOML parser's terse message (`invalid array` / `expected `]``, over several lines) means and
/// what to do, on one line.
fn syntax_message(raw: &str) -> String {
    let mut label = None;
    let mut expected = None;
    let mut others = Vec::new();
    for line in raw.lines().map(str::trim).filter(|line| !line.is_empty()) {
        if let Some(rest) = line.strip_prefix("invalid ") {
            label = Some(rest);
        } else if let Some(rest) = line.strip_prefix("expected ") {
            expected = Some(rest);
        } else {
            others.push(line);
        }
    }
    let expects = |what: &str| expected.is_some_and(|list| list.split(", ").any(|item| item == what));
    let advice = match label {
        Some("array") => "expected `,` or `]` here: separate a list's items with commas and close it with `]`".to_string(),
        Some("inline table") => "expected `,` or `}` here: separate an inline table's keys with commas and close it \
                                 with `}` on the same line, e.g. `{ action = \"mask\" }`"
            .to_string(),
        Some("escape sequence") => {
            "unknown escape in a double-quoted text: write `\\\\` for a backslash, or use single quotes (regex = '\\d+')"
                .to_string()
        }
        Some("string") => "this value is not valid: write text in quotes, e.g. `action = \"label\"`".to_string(),
        Some(label) if label.contains("string") => {
            "this text is not valid here: write no control character in it, and end it with the quote it starts with"
                .to_string()
        }
        Some("key") => "this key is not valid: use letters, digits, `_` and `-`, or put it in quotes".to_string(),
        Some(label) => match expected {
            Some(list) => format!("invalid {label}: expected {}", list.replace(", ", " or ")),
            None => format!("invalid {label}"),
        },
        None if expects("`=`") => {
            "expected `=` after a key: write `key = value`, text in quotes (and a key with spaces in quotes too)"
                .to_string()
        }
        None if expects("newline") => {
            "expected the end of the line after a value: write one `key = value` per line".to_string()
        }
        None => match expected {
            Some(list) => format!("expected {}", list.replace(", ", " or ")),
            None => String::new(),
        },
    };
    let mut parts = Vec::new();
    if !advice.is_empty() {
        parts.push(advice);
    }
    for other in others {
        match other.strip_prefix("duplicate key ") {
            Some(rest) => parts.push(format!(
                "duplicate key {}: a key may appear once per table, remove one of them",
                rest.replace(" in document root", " at the top level")
            )),
            None => parts.push(other.to_string()),
        }
    }
    if parts.is_empty() {
        parts.push(
            "this is not valid TOML here: look for a control character, a stray quote or an unclosed bracket"
                .to_string(),
        );
    }
    parts.push(STOPPED.to_string());
    parts.join("; ")
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a TOML value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Node, E> {
        Ok(Node::Boolean(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Integer(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Node, E> {
        Ok(Node::Float(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Node, E> {
        Ok(Node::Text(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Node, E> {
        Ok(Node::Text(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Node, A::Error> {
        let mut array = Vec::new();
        while let Some(item) = items.next_element::<Spanned<Node>>()? {
            array.push(item);
        }
        Ok(Node::Array(array))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Node, A::Error> {
        let mut table = Vec::new();
        let mut datetime = false;
        while let Some(MaybeKey(key)) = entries.next_key()? {
            match key {
                Some(key) => table.push((key, entries.next_value()?)),
                None => {
                    entries.next_value::<IgnoredAny>()?;
                    datetime = true;
                }
            }
        }
        Ok(if datetime { Node::Datetime } else { Node::Table(table) })
    }
}

/// A key with its place; `None` for the one key of the map the TOML deserializer makes of a date or time, which
/// has no place.
struct MaybeKey(Option<Spanned<String>>);

impl<'de> Deserialize<'de> for MaybeKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<MaybeKey, D::Error> {
        Ok(MaybeKey(Spanned::<String>::deserialize(deserializer).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_list_items_keep_their_place() {
        let text = "[categories.x]\naction = \"mask\"\nwhen = 1979-05-27\n[[fields]]\npaths = [\"a\",\n  \"b\"]\n";
        let table = parse(text).unwrap();
        let place = |span: Range<usize>| &text[span];
        assert_eq!(place(table[0].0.span()), "categories");
        let Node::Table(categories) = &table[0].1 else { panic!("{table:?}") };
        let Node::Table(x) = &categories[0].1 else { panic!("{categories:?}") };
        assert_eq!(place(x[0].0.span()), "action");
        assert_eq!(x[0].1, Node::Text("mask".into()));
        assert_eq!(x[1].1, Node::Datetime);
        let Node::Array(fields) = &table[1].1 else { panic!("{table:?}") };
        assert_eq!(place(fields[0].span()), "[[fields]]\npaths = [\"a\",\n  \"b\"]");
        let Node::Table(entry) = fields[0].get_ref() else { panic!("{fields:?}") };
        let Node::Array(paths) = &entry[0].1 else { panic!("{entry:?}") };
        assert_eq!(place(paths[1].span()), "\"b\"");
    }

    #[test]
    fn syntax_messages_are_one_plain_line() {
        let cases = [
            ("this is = not toml [[\n", "expected `=` after a key: write `key = value`"),
            ("a = [\"x\"\n\n[b]\n", "this list opened here is never closed before line 3: add `]` after its last item"),
            (
                "a = [\"x\" \"y\"]\n",
                "expected `,` or `]` here: separate a list's items with commas and close it with `]`",
            ),
            ("d = 1\nd = 2\n", "duplicate key `d` at the top level: a key may appear once per table"),
            ("action = label\n", "this value is not valid: write text in quotes, e.g. `action = \"label\"`"),
            ("regex = \"\\d+\"\n", "unknown escape in a double-quoted text"),
            ("a = 1 b = 2\n", "expected the end of the line after a value"),
            ("a = { b = 1\n", "this inline table opened here is not closed on its line: add `}`"),
            ("a = { b = 1 c = 2 }\n", "expected `,` or `}` here: separate an inline table's keys with commas"),
            ("a = 'open\n", "this text opened here is not closed on its line: end it with `'`"),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.message.contains(expected), "{text:?}: {error:?}");
            assert!(!error.message.contains('\n'), "{text:?}: {error:?}");
            assert!(error.span.is_some(), "{text:?}: {error:?}");
        }
    }

    /// The line and column (1-based, in characters) and the message of the syntax error of `text`.
    fn placed(text: &str) -> String {
        let error = parse(text).unwrap_err();
        let start = error.span.expect("a syntax error has a place").start;
        let line_start = text[..start].rfind('\n').map_or(0, |newline| newline + 1);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        format!("{line}:{column}: {}", error.message)
    }

    #[test]
    fn an_unclosed_list_inline_table_or_text_is_placed_where_it_opens() {
        let list = "this list opened here is never closed before";
        let close = "add `]` after its last item";
        let table = "this inline table opened here is not closed on its line: add `}` (an inline table is written on \
                     one line), or use a [table]";
        let cases = [
            ("paths = [\"a\", \"b\"\nx = 1\n", format!("1:9: {list} line 2: {close}")),
            ("paths = [\"a\", \"b\"", format!("1:9: {list} the end of the file: {close}")),
            (
                "[[fields]]\npaths = [\n  \"a\",\n  \"b\",\n# more later\n",
                format!("2:9: {list} the end of the file: {close}"),
            ),
            ("[detectors.phone]\ncontext = [\"a\",\n  \"b\"\n\n[settings]\n", format!("2:11: {list} line 5: {close}")),
            ("[[fields]]\npaths = [\"a\"\n[[fields]]\n", format!("2:9: {list} line 3: {close}")),
            ("a = [\"x\",\n  \"y\"\n\"quoted.key\" . b = 1\n", format!("1:5: {list} line 3: {close}")),
            // The innermost unclosed list is the one to close first.
            ("a = [[\"x\"], [\"y\"\n", format!("1:13: {list} the end of the file: {close}")),
            // Brackets in texts and comments do not count.
            ("a = [\"]\", '[', \"{\\\"\"\n", format!("1:5: {list} the end of the file: {close}")),
            ("a = [ # [ ] }\n  \"x\"\nb = 1\n", format!("1:5: {list} line 3: {close}")),
            ("a = { b = [1,\n  2\nc = 3\n", format!("1:11: {list} line 3: {close}")),
            ("a = \"x\"\nb = { c = 1\nd = 2\n", format!("2:5: {table}")),
            ("a = { b = 'x'", format!("1:5: {table}")),
            (
                "[patterns.p]\nregex = 'abc\nentity = \"X\"\n",
                "2:9: this text opened here is not closed on its line: end it with `'`".to_string(),
            ),
            (
                "a = \"x\\\"y\r\nb = 1\r\n",
                "1:5: this text opened here is not closed on its line: end it with `\"`".to_string(),
            ),
            (
                "a = 'x'\nb = '''one\ntwo\n",
                "2:5: this text opened here with `'''` is never closed: end it with `'''`".to_string(),
            ),
            (
                "a = \"\"\"one\"\"\nb = 1\n",
                "1:5: this text opened here with `\"\"\"` is never closed: end it with `\"\"\"`".to_string(),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(placed(text), format!("{expected}; {STOPPED}"), "{text:?}");
        }
    }

    #[test]
    fn a_list_or_inline_table_that_is_closed_later_keeps_the_parsers_place() {
        let list = "expected `,` or `]` here: separate a list's items with commas and close it with `]`";
        let table = "expected `,` or `}` here: separate an inline table's keys with commas and close it with `}` on \
                     the same line, e.g. `{ action = \"mask\" }`";
        let cases = [
            ("a = [\"x\" \"y\"]\n", format!("1:10: {list}")),
            ("a = [1,\n2,,\n]\n", format!("2:3: {list}")),
            // An item on the next line starts no statement: a comma is missing, not a `]`.
            ("a = [\n  \"x\"\n  \"y\",\n]\n", format!("3:3: {list}")),
            // The `]` is missing where the parser stopped, before the table closes.
            ("a = { b = [1, 2 }\n", format!("1:17: {list}")),
            ("a = [ { b = 1 ]\n", format!("1:15: {table}")),
        ];
        for (text, expected) in cases {
            assert_eq!(placed(text), format!("{expected}; {STOPPED}"), "{text:?}");
        }
    }
}
