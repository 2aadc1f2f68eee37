//! HTML awareness: split a conversation body into text and attribute values, decode entities, and leave markup alone.

use super::offsets::OffsetMap;

/// What `markup_to_spaces` found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Markup {
    /// The text has markup.
    pub found: bool,
    /// An element is named as XML names its fields: with a namespace prefix (`<sf:Email>`, `<o:p>`), or a
    /// Windows event's `<Data Name="TargetUserName">`.
    pub namespaced: bool,
}

/// Writes `html` to `out` with the markup blanked: `<`, `>`, tag names and comment delimiters become spaces, so
/// offsets stay the same and nothing can match across a tag, while text, attribute names and attribute values stay
/// in place for the detectors (and context such as "call me at <b>" still reaches the number after it).
/// A `<` that opens no complete tag is left as text. `lts` are the positions of the `<` bytes of `html`, in order.
///
/// Returns whether `html` has markup: a `<` followed by `!`, or by the name of an element (see `names_an_element`),
/// after a `/` for a closing tag (when it has none, `out` is a copy); and whether an element's name is namespaced.
pub fn markup_to_spaces(html: &[u8], lts: impl IntoIterator<Item = usize>, out: &mut Vec<u8>) -> Markup {
    out.clear();
    out.extend_from_slice(html);
    let n = html.len();
    let mut markup = Markup::default();
    let mut i = 0;
    for at in lts {
        // The anchors give exactly the `<` bytes; a position that is not one is passed over all the same.
        if at < i || html.get(at) != Some(&b'<') {
            continue;
        }
        i = at + 1;
        let opens = match html.get(at + 1) {
            Some(b'!') => true,
            Some(b'/') => names_an_element(&html[at + 2..]),
            Some(_) => names_an_element(&html[at + 1..]),
            None => false,
        };
        if !opens {
            continue;
        }
        markup.found = true;
        if html[at + 1..].starts_with(b"!--") {
            let end = find(html, at + 4, b"-->").unwrap_or(n);
            out[at..at + 4].fill(b' ');
            let close = (end + 3).min(n);
            out[end..close].fill(b' ');
            i = close;
            continue;
        }
        // Tags are short: a few bytes are looked at one by one before handing over to memchr.
        let head = &html[at..n.min(at + 32)];
        let far = || memchr::memchr(b'>', &html[at + head.len()..]).map(|p| head.len() + p);
        let Some(close) = head.iter().position(|&b| b == b'>').or_else(far).map(|p| at + p) else {
            return markup;
        };
        let mut j = at + 1;
        if html[j] == b'/' || html[j] == b'!' {
            j += 1;
        }
        while j < close && !matches!(html[j], b' ' | b'\t' | b'\n' | b'\r' | b'/') {
            markup.namespaced |= html[j] == b':';
            j += 1;
        }
        markup.namespaced |= &html[at + 1..j] == b"Data" && html[j..close].starts_with(b" Name=\"");
        out[at..j].fill(b' ');
        out[close] = b' ';
        if close > at && html[close - 1] == b'/' {
            out[close - 1] = b' ';
        }
        i = close + 1;
    }
    markup
}

/// True when `rest` (what follows `<` or `</`) starts with the name of an element, ended by whitespace, `/`, `>`
/// or the end of the text: a known HTML, SVG or MathML element, or a custom (`my-widget`) or namespaced (`o:p`)
/// one. Anything else (`<jane@example.com>`, `<AKIAIOSFODNN7EXAMPLE>`, `<https://...>`) is text to scan: in logs,
/// angle brackets hold addresses, keys and links far more often than unknown elements do.
fn names_an_element(rest: &[u8]) -> bool {
    let len = rest.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b':').count();
    let name = &rest[..len];
    let ended = rest.get(len).is_none_or(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>'));
    if len == 0 || !ended || !name[0].is_ascii_alphabetic() || matches!(name[len - 1], b'-' | b':') {
        return false;
    }
    if name.contains(&b'-') || name.contains(&b':') {
        return true;
    }
    let mut lower = [0u8; 16];
    let Some(lower) = lower.get_mut(..len) else { return false };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"a" | b"abbr"
            | b"acronym"
            | b"address"
            | b"area"
            | b"article"
            | b"aside"
            | b"audio"
            | b"b"
            | b"base"
            | b"bdi"
            | b"bdo"
            | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"button"
            | b"canvas"
            | b"caption"
            | b"center"
            | b"circle"
            | b"cite"
            | b"clippath"
            | b"code"
            | b"col"
            | b"colgroup"
            | b"data"
            | b"datalist"
            | b"dd"
            | b"defs"
            | b"del"
            | b"details"
            | b"dfn"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"dt"
            | b"ellipse"
            | b"em"
            | b"embed"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"font"
            | b"footer"
            | b"form"
            | b"frame"
            | b"frameset"
            | b"g"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"html"
            | b"i"
            | b"iframe"
            | b"image"
            | b"img"
            | b"input"
            | b"ins"
            | b"kbd"
            | b"label"
            | b"legend"
            | b"li"
            | b"line"
            | b"lineargradient"
            | b"link"
            | b"main"
            | b"map"
            | b"mark"
            | b"marquee"
            | b"math"
            | b"menu"
            | b"meta"
            | b"meter"
            | b"nav"
            | b"nobr"
            | b"noscript"
            | b"object"
            | b"ol"
            | b"optgroup"
            | b"option"
            | b"output"
            | b"p"
            | b"param"
            | b"path"
            | b"picture"
            | b"polygon"
            | b"polyline"
            | b"pre"
            | b"progress"
            | b"q"
            | b"radialgradient"
            | b"rect"
            | b"rp"
            | b"rt"
            | b"ruby"
            | b"s"
            | b"samp"
            | b"script"
            | b"search"
            | b"section"
            | b"select"
            | b"slot"
            | b"small"
            | b"source"
            | b"span"
            | b"stop"
            | b"strike"
            | b"strong"
            | b"style"
            | b"sub"
            | b"summary"
            | b"sup"
            | b"svg"
            | b"symbol"
            | b"table"
            | b"tbody"
            | b"td"
            | b"template"
            | b"text"
            | b"textarea"
            | b"tfoot"
            | b"th"
            | b"thead"
            | b"time"
            | b"title"
            | b"tr"
            | b"track"
            | b"tspan"
            | b"tt"
            | b"u"
            | b"ul"
            | b"use"
            | b"var"
            | b"video"
            | b"wbr"
    )
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

/// Decodes HTML character references in `text` into `out`, recording in `map` where each output byte came from in
/// `text`. Returns false, leaving `out` and `map` empty, when `text` has no `&` (a `&` that begins no reference is
/// copied like any other byte).
pub fn decode_entities(text: &[u8], out: &mut Vec<u8>, map: &mut OffsetMap) -> bool {
    if memchr::memchr(b'&', text).is_none() {
        out.clear();
        map.clear();
        return false;
    }
    map.decode_references(text, memchr::memchr_iter(b'&', text), entity_at, out);
    true
}

fn entity_at(text: &[u8]) -> Option<(char, usize)> {
    let end = text.iter().take(12).position(|&b| b == b';')?;
    let name = &text[1..end];
    let ch = if let Some(number) = name.strip_prefix(b"#") {
        let value = if let Some(hex) = number.strip_prefix(b"x").or_else(|| number.strip_prefix(b"X")) {
            u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?
        } else {
            std::str::from_utf8(number).ok()?.parse().ok()?
        };
        // The wide spaces and dashes numbers are written with read as ASCII ones, as `&nbsp;` does.
        let ch = char::from_u32(value).filter(|&c| c != '\0')?;
        super::ascii_for_wide(ch).map_or(ch, char::from)
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
            b"hyphen" | b"dash" | b"ndash" => '-',
            b"thinsp" | b"ensp" | b"emsp" | b"numsp" => ' ',
            b"colon" => ':',
            _ => return None,
        }
    };
    Some((ch, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(html: &str) -> String {
        let mut out = Vec::new();
        markup_to_spaces(html.as_bytes(), memchr::memchr_iter(b'<', html.as_bytes()), &mut out);
        assert_eq!(out.len(), html.len());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markup_is_blanked_text_and_attributes_stay() {
        assert_eq!(
            blanked("<p>Hi <a href=\"mailto:jane@x.com\">Jane</a></p><!-- n --><br/>"),
            "   Hi    href=\"mailto:jane@x.com\" Jane             n         "
        );
        assert_eq!(blanked("a < b and c<d e@x.co"), "a < b and c<d e@x.co");
        assert_eq!(blanked("call me at <b>+1 415</b>"), "call me at    +1 415    ");
        let long_tag = format!("<a title=\"{}\">x</a>", "t".repeat(100));
        assert_eq!(blanked(&long_tag), format!("   title=\"{}\" x    ", "t".repeat(100)));
    }

    #[test]
    fn markup_detection() {
        let has_markup = |html: &[u8]| markup_to_spaces(html, memchr::memchr_iter(b'<', html), &mut Vec::new()).found;
        assert!(has_markup(b"<p>x</p>"));
        assert!(has_markup(b"a<br/>b"));
        assert!(has_markup(b"a <b no close"));
        assert!(!has_markup(b"a < b, 3<4"));
        assert!(has_markup(b"<my-widget x=1>"));
        assert!(has_markup(b"<o:p></o:p>"));
        assert!(has_markup(b"<DIV>x</DIV>"));
    }

    #[test]
    fn angle_brackets_around_addresses_keys_and_links_are_text() {
        let text = "From: Jane <jane@example.com> key <AKIAIOSFODNN7EXAMPLE> <https://a:b@x.io> </jane@x.io>";
        assert_eq!(blanked(text), text);
        let has_markup = |html: &[u8]| markup_to_spaces(html, memchr::memchr_iter(b'<', html), &mut Vec::new()).found;
        assert!(!has_markup(text.as_bytes()));
        assert_eq!(blanked("<p>Jane <jane@x.io></p>"), "   Jane <jane@x.io>    ");
    }

    #[test]
    fn entities_decode_with_a_map_back() {
        let mut out = Vec::new();
        let mut map = OffsetMap::default();
        assert!(decode_entities(b"jane&#64;x.com &amp; A&lt;", &mut out, &mut map));
        assert_eq!(out, b"jane@x.com & A<");
        assert_eq!(map.source(4), 4);
        assert_eq!(map.source(5), 9);
        assert_eq!(map.source(11), 15);
        assert_eq!(map.source(12), 20);
        assert_eq!(map.source(14), 22);
        assert_eq!(map.source(out.len()), 26);
        assert!(!decode_entities(b"plain", &mut out, &mut map));
    }
}
