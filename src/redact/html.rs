//! HTML awareness: split a conversation body into text and attribute values, decode entities, and leave markup alone.

/// True when `text` contains markup: a `<` followed by a letter, `/` or `!`.
pub fn looks_like_html(text: &[u8]) -> bool {
    let mut from = 0;
    while let Some(found) = memchr::memchr(b'<', &text[from..]) {
        let at = from + found;
        if text
            .get(at + 1)
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'/' || b == b'!')
        {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Calls `segment(start, end)` for every part of `html` that holds text people wrote: text between tags,
/// attribute values, and comments. Tag names, attribute names and the markup itself are never reported.
pub fn for_each_segment(html: &[u8], mut segment: impl FnMut(usize, usize)) {
    let n = html.len();
    let mut i = 0;
    let mut text_start = 0;
    while i < n {
        if html[i] != b'<'
            || !html
                .get(i + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'/' || b == b'!')
        {
            i += 1;
            continue;
        }
        if text_start < i {
            segment(text_start, i);
        }
        if html[i + 1..].starts_with(b"!--") {
            let body = i + 4;
            let end = find(html, body, b"-->").unwrap_or(n);
            if body < end {
                segment(body, end);
            }
            i = (end + 3).min(n);
            text_start = i;
            continue;
        }
        // Inside a tag: skip the name; the rest up to `>` (attributes and their values) is one segment, so that
        // nothing between `<` and `>` escapes the detectors even when the `<` was not really markup.
        let Some(close) = memchr::memchr(b'>', &html[i..]).map(|p| i + p) else {
            segment(i, n);
            return;
        };
        let mut j = i + 1;
        if html[j] == b'/' {
            j += 1;
        }
        while j < close && !matches!(html[j], b' ' | b'\t' | b'\n' | b'\r' | b'/') {
            j += 1;
        }
        if html[j..close].iter().any(u8::is_ascii_alphanumeric) {
            segment(j, close);
        }
        j = close;
        i = (j + 1).min(n);
        text_start = i;
    }
    if text_start < n {
        segment(text_start, n);
    }
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Decodes HTML character references in `text` into `out`, recording in `map` the offset in `text` where each
/// output byte came from (plus one final entry for the end). Returns false when there was nothing to decode.
pub fn decode_entities(text: &[u8], out: &mut Vec<u8>, map: &mut Vec<u32>) -> bool {
    out.clear();
    map.clear();
    if memchr::memchr(b'&', text).is_none() {
        return false;
    }
    let mut i = 0;
    let offset = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    while i < text.len() {
        if text[i] == b'&' {
            if let Some((ch, len)) = entity_at(&text[i..]) {
                let mut buf = [0u8; 4];
                for &byte in ch.encode_utf8(&mut buf).as_bytes() {
                    out.push(byte);
                    map.push(offset(i));
                }
                i += len;
                continue;
            }
        }
        out.push(text[i]);
        map.push(offset(i));
        i += 1;
    }
    map.push(offset(text.len()));
    true
}

fn entity_at(text: &[u8]) -> Option<(char, usize)> {
    let end = text.iter().take(12).position(|&b| b == b';')?;
    let name = &text[1..end];
    let ch = if let Some(number) = name.strip_prefix(b"#") {
        let value = if let Some(hex) = number
            .strip_prefix(b"x")
            .or_else(|| number.strip_prefix(b"X"))
        {
            u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?
        } else {
            std::str::from_utf8(number).ok()?.parse().ok()?
        };
        char::from_u32(value).filter(|&c| c != '\0')?
    } else {
        match name {
            b"amp" => '&',
            b"lt" => '<',
            b"gt" => '>',
            b"quot" => '"',
            b"apos" => '\'',
            b"nbsp" => ' ',
            b"commat" => '@',
            b"period" => '.',
            b"plus" => '+',
            b"lpar" => '(',
            b"rpar" => ')',
            b"hyphen" | b"dash" => '-',
            b"colon" => ':',
            _ => return None,
        }
    };
    Some((ch, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(html: &str) -> Vec<&str> {
        let mut found = Vec::new();
        for_each_segment(html.as_bytes(), |a, b| found.push(&html[a..b]));
        found
    }

    #[test]
    fn text_and_attribute_values_are_segments_markup_is_not() {
        assert_eq!(
            segments(
                "<p>Hi <a href=\"mailto:jane@x.com\" class=link>Jane</a></p><!-- note -->tail"
            ),
            vec![
                "Hi ",
                " href=\"mailto:jane@x.com\" class=link",
                "Jane",
                " note ",
                "tail"
            ]
        );
        assert_eq!(
            segments("a < b and c<d e@x.co"),
            vec!["a < b and c", "<d e@x.co"]
        );
        assert_eq!(segments("x<b; y@x.co -> z"), vec!["x", " y@x.co -", " z"]);
    }

    #[test]
    fn markup_detection() {
        assert!(looks_like_html(b"<p>x</p>"));
        assert!(looks_like_html(b"a<br/>b"));
        assert!(!looks_like_html(b"a < b, 3<4"));
    }

    #[test]
    fn entities_decode_with_a_map_back() {
        let mut out = Vec::new();
        let mut map = Vec::new();
        assert!(decode_entities(
            b"jane&#64;x.com &amp; A&lt;",
            &mut out,
            &mut map
        ));
        assert_eq!(out, b"jane@x.com & A<");
        assert_eq!(map[4], 4);
        assert_eq!(map[5], 9);
        assert_eq!(*map.last().unwrap(), 26);
        assert!(!decode_entities(b"plain", &mut out, &mut map));
    }
}
