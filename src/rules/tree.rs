//! A rules file as a TOML tree whose keys and list items keep their place in the text, read before any rule.
//!
//! Typed deserialization stops at the first wrong value, so one bad rule would hide every later one; the tree
//! takes any well-formed TOML and leaves the checking to `file.rs`, which reports every problem.
//! A syntax error still stops the file: no TOML parser can resume after one.

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
        Err(error) => Err(SyntaxError { span: error.span(), message: syntax_message(error.message()) }),
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
        Some("array") => "a list is not closed before this point: separate its items with commas and close it with `]`".to_string(),
        Some("inline table") => {
            "an inline table is not closed: write it on one line, e.g. `{ action = \"mask\" }`, or use a [table]"
                .to_string()
        }
        Some("escape sequence") => {
            "unknown escape in a double-quoted text: write `\\\\` for a backslash, or use single quotes (regex = '\\d+')"
                .to_string()
        }
        Some("string") => "this value is not valid: write text in quotes, e.g. `action = \"label\"`".to_string(),
        Some(label) if label.contains("string") => format!("{label} is not closed: end it with the quote it starts with"),
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
    // A parser cannot resume after a syntax error, so the rest of the file is checked on the next run.
    parts.push("the rest of this file is checked once this is fixed".to_string());
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
            (
                "a = [\"x\"\n\n[b]\n",
                "a list is not closed before this point: separate its items with commas and close it with `]`",
            ),
            ("d = 1\nd = 2\n", "duplicate key `d` at the top level: a key may appear once per table"),
            ("action = label\n", "this value is not valid: write text in quotes, e.g. `action = \"label\"`"),
            ("regex = \"\\d+\"\n", "unknown escape in a double-quoted text"),
            ("a = 1 b = 2\n", "expected the end of the line after a value"),
            ("a = { b = 1\n", "an inline table is not closed"),
            ("a = 'open\n", "is not closed: end it with the quote it starts with"),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.message.contains(expected), "{text:?}: {error:?}");
            assert!(!error.message.contains('\n'), "{text:?}: {error:?}");
            assert!(error.span.is_some(), "{text:?}: {error:?}");
        }
    }
}
