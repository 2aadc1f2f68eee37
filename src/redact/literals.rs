//! Python and Ruby literals read as JSON: a dict or a hash that a program logged with Python's `repr()` (`{'email':
//! 'a@b.c', 'custom_attributes': {'plan': 'pro'}}`) or Ruby's `inspect` (`{"email"=>"a@b.c"}`, Rails' `Parameters:
//! {…}`, Ruby 3.4's `{email: "a@b.c"}`) is written out as JSON, with a map from each byte back to the line, so the
//! JSON walker can classify its values by their key paths.
//!
//! Dicts, hashes, lists, strings (quoted with `'` or `"`, with Python's and Ruby's escapes, or bytes), numbers,
//! `True`, `False`, `None`, `true`, `false` and `nil` are written as their JSON counterparts; `=>` is a `:`, and a
//! symbol or a label (`:email=>`, `email:`) is a string. A call or a tuple (`datetime.datetime(2024, 1, 1)`,
//! `Decimal('9.50')`, `(1, 2)`) is written as a JSON string of its text, so the walker scans it like any string
//! and replaces it whole under a personal key. Anything else (`<User 17>`, `inf`) ends the translation, and the
//! caller reads the line as text. The translation checks the tokens, not the grammar: a set (`{1, 2}`) comes out
//! as no JSON, and the walker refuses it.

use super::offsets::OffsetMap;

/// How deep dicts and lists may nest before the translation gives up (the walker has its own, lower limit).
const MAX_DEPTH: usize = 128;

/// Writes the Python or Ruby literal `text` (a dict, a hash or a list, then only whitespace) as JSON to `out`, recording in `map`
/// where each byte came from in `text`. Returns false, with `out` and `map` in no useful state, when `text` is not
/// such a literal.
pub(crate) fn to_json(text: &[u8], out: &mut Vec<u8>, map: &mut OffsetMap) -> bool {
    out.clear();
    map.clear();
    let mut writer = Writer { text, out, map, copied: 0 };
    let mut depth = 0usize;
    let mut i = 0;
    let n = text.len();
    while i < n {
        let byte = text[i];
        match byte {
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return false;
                }
                i += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
                i += 1;
                if depth == 0 {
                    if !text[i..].iter().all(u8::is_ascii_whitespace) {
                        return false;
                    }
                    writer.copy_to(n);
                    map.finish(out.len(), n);
                    return true;
                }
            }
            b':' if text.get(i + 1).is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
                && constant_at(text, i + 1).is_none() =>
            {
                // A Ruby symbol (`:email=>`, `:active`).
                let name = identifier_len(&text[i + 1..]);
                writer.rewrite(i, 1, b"\"");
                writer.rewrite(i + 1 + name, 0, b"\"");
                i += 1 + name;
            }
            b'=' if text.get(i + 1) == Some(&b'>') => {
                writer.rewrite(i, 2, b":");
                i += 2;
            }
            b',' | b':' | b' ' | b'\t' => i += 1,
            b'-' | b'0'..=b'9' => {
                i += 1;
                while matches!(text.get(i), Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')) {
                    i += 1;
                }
            }
            b'\'' | b'"' => match writer.string(i) {
                Some(end) => i = end,
                None => return false,
            },
            b'b' if matches!(text.get(i + 1), Some(b'\'' | b'"')) => {
                // A bytes literal reads as its text: the `b` goes.
                writer.copy_to(i);
                writer.copied = i + 1;
                i += 1;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'(' => match constant_at(text, i) {
                Some((word, json)) => i = writer.word(i, word.len(), json),
                None => {
                    let name = text[i..]
                        .iter()
                        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
                        .count();
                    if text.get(i + name) == Some(&b':') && text.get(i + name + 1) != Some(&b':') {
                        // A Ruby label (`email: "a@b.c"`).
                        writer.rewrite(i, 0, b"\"");
                        writer.rewrite(i + name, 0, b"\"");
                        i += name;
                        continue;
                    }
                    if text.get(i + name) != Some(&b'(') {
                        return false;
                    }
                    match writer.call(i, i + name) {
                        Some(end) => i = end,
                        None => return false,
                    }
                }
            },
            _ => return false,
        }
        if depth == 0 {
            // Only a dict or a list is a document here.
            return false;
        }
    }
    false
}

/// The length of the identifier at the start of `text` (letters, digits, `_`, and a Ruby symbol's `?` or `!`).
fn identifier_len(text: &[u8]) -> usize {
    let name = text.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count();
    name + usize::from(matches!(text.get(name), Some(b'?' | b'!')))
}

/// Python's and Ruby's constants, and how JSON writes them.
const CONSTANTS: [(&[u8], &[u8]); 6] = [
    (b"True", b"true"),
    (b"False", b"false"),
    (b"None", b"null"),
    (b"true", b"true"),
    (b"false", b"false"),
    (b"nil", b"null"),
];

/// The constant that stands at `at` as a whole word (`True`, `nil`, not `nil_count`), and its JSON spelling.
fn constant_at(text: &[u8], at: usize) -> Option<(&'static [u8], &'static [u8])> {
    let rest = &text[at..];
    CONSTANTS.iter().copied().find(|(word, _)| {
        rest.starts_with(word) && !rest.get(word.len()).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// Writes the translation: bytes of `text` are copied in runs, up to where something is rewritten.
struct Writer<'a> {
    text: &'a [u8],
    out: &'a mut Vec<u8>,
    map: &'a mut OffsetMap,
    /// Everything of `text` before this has been written.
    copied: usize,
}

impl Writer<'_> {
    /// Copies `text[copied..to]`.
    fn copy_to(&mut self, to: usize) {
        if to > self.copied {
            self.map.copy_run(self.out, &self.text[self.copied..to], self.copied);
            self.copied = to;
        }
    }

    /// Writes `json` in place of the `len` bytes of `text` at `at`.
    fn rewrite(&mut self, at: usize, len: usize, json: &[u8]) {
        self.copy_to(at);
        self.map.reference_bytes(self.out, json, at);
        self.copied = at + len;
    }

    /// A constant at `at`, `len` bytes, written as `json`; returns where it ends.
    fn word(&mut self, at: usize, len: usize, json: &[u8]) -> usize {
        self.rewrite(at, len, json);
        at + len
    }

    /// The call or tuple that starts at `start`, its `(` at `open`, written as a JSON string of its text; returns
    /// where it ends, or None when its parentheses or strings are not closed.
    fn call(&mut self, start: usize, open: usize) -> Option<usize> {
        let text = self.text;
        // Where the matching `)` is, past the strings inside.
        let mut depth = 0usize;
        let mut quote = None;
        let mut i = open;
        let close = loop {
            let byte = *text.get(i)?;
            match (quote, byte) {
                (Some(_), b'\\') => i += 1,
                (Some(q), _) if byte == q => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(byte),
                (None, b'(') => depth += 1,
                (None, b')') => {
                    depth -= 1;
                    if depth == 0 {
                        break i;
                    }
                }
                _ => {}
            }
            i += 1;
        };
        self.rewrite(start, 0, b"\"");
        for (at, &byte) in text.iter().enumerate().take(close + 1).skip(start) {
            match byte {
                b'"' => self.rewrite(at, 1, b"\\\""),
                b'\\' => self.rewrite(at, 1, b"\\\\"),
                0..=0x1f => return None,
                _ => {}
            }
        }
        self.rewrite(close + 1, 0, b"\"");
        Some(close + 1)
    }

    /// The string whose quote is at `open`, written as a JSON string; returns where it ends, or None when it is
    /// not closed or holds an escape JSON cannot say.
    fn string(&mut self, open: usize) -> Option<usize> {
        let text = self.text;
        let quote = text[open];
        self.rewrite(open, 1, b"\"");
        let mut i = open + 1;
        loop {
            let byte = *text.get(i)?;
            match byte {
                _ if byte == quote => {
                    self.rewrite(i, 1, b"\"");
                    return Some(i + 1);
                }
                // A `"` inside a `'…'` string.
                b'"' => self.rewrite(i, 1, b"\\\""),
                b'\\' => {
                    let escape = *text.get(i + 1)?;
                    match escape {
                        // The same in JSON.
                        b'\\' | b'"' | b'n' | b'r' | b't' | b'b' | b'f' => {}
                        b'\'' => self.rewrite(i, 2, b"'"),
                        // Ruby's `\#` (a `#` that would start an interpolation) and `\e`.
                        b'#' => self.rewrite(i, 2, b"#"),
                        b'e' => self.rewrite(i, 2, b"\\u001b"),
                        b'x' => {
                            let hex = text.get(i + 2..i + 4)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            let json = [b'\\', b'u', b'0', b'0', hex[0], hex[1]];
                            self.rewrite(i, 4, &json);
                            i += 4;
                            continue;
                        }
                        b'u' => {
                            let hex = text.get(i + 2..i + 6)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            i += 6;
                            continue;
                        }
                        _ => return None,
                    }
                    i += 2;
                    continue;
                }
                // A control byte is no part of a repr; JSON would need it escaped.
                0..=0x1f => return None,
                _ => {}
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate(text: &str) -> Option<(String, OffsetMap)> {
        let mut out = Vec::new();
        let mut map = OffsetMap::default();
        to_json(text.as_bytes(), &mut out, &mut map).then(|| (String::from_utf8(out).unwrap(), map))
    }

    #[test]
    fn reprs_translate_to_json_that_parses() {
        let cases = [
            (
                r#"{'a': 1, 'b': [True, False, None], 'c': {'d': -2.5e-05}}"#,
                serde_json::json!({"a": 1, "b": [true, false, null], "c": {"d": -2.5e-05}}),
            ),
            (
                r#"{'q': 'say "hi"', "it's": 'x\'y', 'n': 'a\nb\\c', 'x': '\x00\xe9', 'u': '\u20ac'}"#,
                serde_json::json!({"q": "say \"hi\"", "it's": "x'y", "n": "a\nb\\c", "x": "\u{0}\u{e9}", "u": "€"}),
            ),
            (r#"[{'b': b'raw'}, 'Zoë']  "#, serde_json::json!([{"b": "raw"}, "Zoë"])),
            (
                r#"{"type"=>"contact", :email=>"a@b.c", "n"=>nil, "ok"=>true, "no"=>false, "s"=>:active?, "q"=>"\#{x}\e"}"#,
                serde_json::json!({"type": "contact", "email": "a@b.c", "n": null, "ok": true, "no": false, "s": "active?", "q": "#{x}\u{1b}"}),
            ),
            (
                r#"{email: "a@b.c", "plan" => "pro", nil_count: 0}"#,
                serde_json::json!({"email": "a@b.c", "plan": "pro", "nil_count": 0}),
            ),
            (
                r#"{'at': datetime.datetime(2024, 1, 1, 0, 0), 'd': Decimal('9.50'), 't': (1, "a\"b"), 'e': 1e-05}"#,
                serde_json::json!({"at": "datetime.datetime(2024, 1, 1, 0, 0)", "d": "Decimal('9.50')", "t": "(1, \"a\\\"b\")", "e": 1e-05}),
            ),
        ];
        for (repr, expected) in cases {
            let (json, _) = translate(repr).unwrap_or_else(|| panic!("{repr} translates"));
            let parsed: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(parsed, expected, "{repr}");
        }
    }

    #[test]
    fn what_json_cannot_say_is_refused() {
        for repr in [
            "{'at': datetime.datetime(2024, 1, 1}",
            "{'at': <User 17>}",
            "{'a': 1} trailing",
            "{'a': 'unclosed}",
            "{'a': '\\N{DASH}'}",
            "{'a': 1",
            "'just a string'",
            "{'a': inf}",
        ] {
            assert!(translate(repr).is_none(), "{repr}");
        }
    }

    #[test]
    fn every_byte_maps_back_to_where_it_came_from() {
        let repr = r#"{'email': 'bo"b@example.com', 'ok': True}"#;
        let (json, map) = translate(repr).unwrap();
        assert_eq!(json, r#"{"email": "bo\"b@example.com", "ok": true}"#);
        // The value's first and last bytes, and the end of the string, land on the same bytes of the repr.
        let start = json.find("bo").unwrap();
        let end = json.find(".com").unwrap() + 4;
        assert_eq!(map.source(start), repr.find("bo").unwrap());
        assert_eq!(map.source(end), repr.find(".com").unwrap() + 4);
        assert_eq!(&repr[map.source(start)..map.source(end)], r#"bo"b@example.com"#);
        assert_eq!(map.source(json.len()), repr.len());
    }
}
