//! Percent-encoded text (a URL in a query parameter, a form body), and JSON's `\u0040` escapes in a text line (a
//! JSON document a program logged after a prefix): decoded with an offset map, so that the detectors read what it
//! spells (`redirect=%2Fcb%3Fphone%3D%2B14155552671` holds a phone, `jane\u0040example.com` an address) and the
//! edits land on the encoded bytes.

use super::offsets::OffsetMap;

/// The byte that the escape at the start of `text` (`%40`) spells, and its length, when it spells a printable
/// ASCII byte or a space. An escaped `%` followed by two hex digits is an escape encoded again (`%2540` is `%40`
/// encoded twice): it is decoded again, so one escape may be 5 or 7 bytes long.
fn escape_at(text: &[u8]) -> Option<(u8, usize)> {
    if text[0] == b'\\' {
        return unicode_escape_at(text);
    }
    let mut byte = hex_pair(text.get(1..3)?)?;
    let mut len = 3;
    while byte == b'%' {
        match text.get(len..len + 2).and_then(hex_pair) {
            Some(again) => {
                byte = again;
                len += 2;
            }
            None => break,
        }
    }
    (b' '..=b'~').contains(&byte).then_some((byte, len))
}

/// The byte that the JSON escape at the start of `text` (`\u0040`, six bytes) spells, when it spells a printable
/// ASCII byte or a space; the escapes of a line break or a tab read as a space (`\nmaria\u0040…` starts an
/// address at `maria`), and those of a quote, a backslash and a slash as the byte.
fn unicode_escape_at(text: &[u8]) -> Option<(u8, usize)> {
    match text.get(1) {
        Some(b'n' | b'r' | b't') => return Some((b' ', 2)),
        Some(&byte @ (b'"' | b'\\' | b'/')) => return Some((byte, 2)),
        _ => {}
    }
    let escape = text.get(..6)?;
    if escape[1] != b'u' || escape[2] != b'0' || escape[3] != b'0' {
        return None;
    }
    let byte = hex_pair(&escape[4..6])?;
    (b' '..=b'~').contains(&byte).then_some((byte, 6))
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
}

/// True when `text` holds a percent escape that `decode` would decode.
pub(crate) fn holds_escape(text: &[u8]) -> bool {
    memchr::memchr_iter(b'%', text).any(|at| escape_at(&text[at..]).is_some())
}

/// True when `text` holds a JSON escape of printable ASCII (`\u0040`), which `decode` decodes.
pub(crate) fn holds_unicode_escape(text: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', text)
        .any(|at| text.get(at + 1) == Some(&b'u') && unicode_escape_at(&text[at..]).is_some())
}

/// Writes `text` to `out` with its percent and JSON escapes of printable ASCII decoded (`+` stays `+`: in a
/// query it may be a space, in a phone number it is a plus; `\n` reads as a space), recording in `map` where
/// each byte came from.
pub(crate) fn decode(text: &[u8], out: &mut Vec<u8>, map: &mut OffsetMap) {
    let escape = |bytes: &[u8]| escape_at(bytes).map(|(byte, len)| (char::from(byte), len));
    map.decode_references(text, memchr::memchr2_iter(b'%', b'\\', text), escape, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> (String, Vec<usize>) {
        let (mut out, mut map) = (Vec::new(), OffsetMap::default());
        decode(text.as_bytes(), &mut out, &mut map);
        let sources = (0..=out.len()).map(|at| map.source(at)).collect();
        (String::from_utf8(out).expect("escapes of ASCII keep UTF-8 valid"), sources)
    }

    #[test]
    fn escapes_of_printable_ascii_decode_once_or_as_often_as_they_were_encoded() {
        assert_eq!(decoded("a%40b").0, "a@b");
        assert_eq!(decoded("a%2540b").0, "a@b");
        assert_eq!(decoded("a%252540b%3D%2b1").0, "a@b=+1");
        // A literal percent sign, an escaped one alone, escapes of control or non-ASCII bytes and broken ones
        // stay as they are.
        for kept in ["50% off", "100%25", "%0A%C3%A9", "%4", "%zz", "%", "%%41"] {
            let expected = kept.replace("%25", "%").replace("%%41", "%A");
            assert_eq!(decoded(kept).0, expected, "{kept}");
        }
        assert!(!holds_escape(b"92.1% of traffic, 100%"));
        assert!(holds_escape(b"q=a%20b"));
    }

    #[test]
    fn json_escapes_of_printable_ascii_decode_and_others_stay() {
        assert_eq!(decoded(r"jane\u0040example.com and a%40b").0, "jane@example.com and a@b");
        assert_eq!(decoded(r"x\u0040y").1, [0, 1, 7, 8]);
        assert_eq!(decoded(r#"\nmaria\u0040x \"q\" \\u0040 \/"#).0, r#" maria@x "q" \u0040 /"#);
        for kept in [r"\u00e9\u000a", r"C:\Users\u", r"\u004", r"\u0G40", r"\x", r"\"] {
            assert_eq!(decoded(kept).0, kept, "{kept}");
        }
        assert!(holds_unicode_escape(br#"{"a":"b\u0040c"} \n"#));
        assert!(!holds_unicode_escape(br"\n \u00e9 \u004"));
    }

    #[test]
    fn every_decoded_byte_maps_to_the_start_of_its_escape() {
        let (text, sources) = decoded("x%2540y%3Dz");
        assert_eq!(text, "x@y=z");
        assert_eq!(sources, [0, 1, 6, 7, 10, 11]);
    }
}
