//! The machine-readable zone of a passport or an identity card written into a text: `P<GBRCARTER<<OLIVIA<<<…`
//! and `5348219761GBR9003152F3107221<<<<<<<<<<<<<<04`, read at the `<<` that fills it.
//!
//! ICAO 9303 writes a zone in two or three lines of 44, 36 or 30 bytes, each of capitals, digits and `<` only,
//! with `<<` between the holder's names and as filler. A run of those bytes of at least 30, with at least eight
//! letters or digits, a letter among them and a `<<`, is such a line wherever it stands: no log token has that
//! shape (a conflict marker's `<<<<<<<` is short, a ruler of `<` has no letters). The line next to one found,
//! past one separator (a space, a tab, a line break or its JSON escape `\n`), is the zone's other line when it has
//! the same length, though it has no `<<` (a personal number that fills the second line).
//!
//! Found spans are classified as the field `mrz` is, so the rules decide what they become.

use super::anchors::{Anchor, View};

/// The shortest line of a zone (an identity card's, TD1).
const SHORTEST: usize = 30;
/// The longest run read as one zone: three lines of a passport's length written without separators.
const LONGEST: usize = 3 * 44;

fn is_zone_byte(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'<'
}

/// Calls `found(start, end)` for each line of a machine-readable zone in `text`, whose anchors are `anchors`.
#[inline(never)]
pub(crate) fn find(text: &[u8], anchors: &View<'_>, mut found: impl FnMut(usize, usize)) {
    let mut after = 0;
    for at in anchors.positions(Anchor::Lt) {
        if at < after || text.get(at + 1) != Some(&b'<') {
            continue;
        }
        let Some((start, end)) = line_around(text, at) else {
            after = at + 2;
            continue;
        };
        if let Some((before_start, before_end)) = partner_before(text, start, end - start) {
            if before_start >= after {
                found(before_start, before_end);
            }
        }
        found(start, end);
        after = end;
        if let Some((next_start, next_end)) = partner_after(text, end, end - start) {
            found(next_start, next_end);
            after = next_end;
        }
    }
}

/// The zone line around the `<<` at `at`, if the run of zone bytes there has a zone line's shape.
fn line_around(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let start = at - text[..at].iter().rev().take_while(|&&b| is_zone_byte(b)).count();
    let end = at + text[at..].iter().take_while(|&&b| is_zone_byte(b)).count();
    let run = &text[start..end];
    let letters = run.iter().filter(|b| b.is_ascii_uppercase()).count();
    let digits = run.iter().filter(|b| b.is_ascii_digit()).count();
    ((SHORTEST..=LONGEST).contains(&run.len()) && letters > 0 && letters + digits >= 8).then_some((start, end))
}

/// What parts two lines of a zone: a line break as written or as its JSON escape, a space or a tab (the longer
/// of two that start alike first).
const SEPARATORS: [&[u8]; 6] = [b"\\r\\n", b"\\n", b"\r\n", b"\n", b" ", b"\t"];

/// The bytes that part two lines of a zone, at the start of `rest`: their length.
fn separator_len(rest: &[u8]) -> Option<usize> {
    SEPARATORS.iter().find(|separator| rest.starts_with(separator)).map(|separator| separator.len())
}

/// Whether `run` can be a line of the zone whose other line is `len` bytes long: as long, of zone bytes, with a
/// digit (the second line of a passport and the first two of a card hold the numbers and dates).
fn partner(run: &[u8], len: usize) -> bool {
    run.len() == len && run.iter().all(|&b| is_zone_byte(b)) && run.iter().any(u8::is_ascii_digit)
}

/// The line right after the one that ends at `end`, if it is the zone's next line.
fn partner_after(text: &[u8], end: usize, len: usize) -> Option<(usize, usize)> {
    let start = end + separator_len(&text[end..])?;
    let next_end = start.checked_add(len).filter(|&e| e <= text.len())?;
    let bounded = text.get(next_end).is_none_or(|&b| !is_zone_byte(b));
    (bounded && partner(&text[start..next_end], len)).then_some((start, next_end))
}

/// The line right before the one that starts at `start`, if it is the zone's line before it.
fn partner_before(text: &[u8], start: usize, len: usize) -> Option<(usize, usize)> {
    let head = &text[..start];
    let separator = SEPARATORS.into_iter().find(|separator| head.ends_with(separator))?;
    let end = start - separator.len();
    let begin = end.checked_sub(len)?;
    let bounded = begin == 0 || !is_zone_byte(text[begin - 1]);
    (bounded && partner(&text[begin..end], len)).then_some((begin, end))
}

#[cfg(test)]
mod tests {
    use super::super::anchors::spans_read;
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        spans_read(text, |text, anchors, push| find(text, anchors, push))
    }

    #[test]
    fn both_lines_of_a_passport_are_found_across_an_escaped_line_break() {
        let text =
            r"scan ok\nP<GBRCARTER<<OLIVIA<GRACE<<<<<<<<<<<<<<<<<<<\n5348219761GBR9003152F3107221<<<<<<<<<<<<<<04 done";
        assert_eq!(
            lines(text),
            ["P<GBRCARTER<<OLIVIA<GRACE<<<<<<<<<<<<<<<<<<<", "5348219761GBR9003152F3107221<<<<<<<<<<<<<<04"]
        );
    }

    #[test]
    fn a_second_line_without_filler_is_found_beside_the_first() {
        let text = "MRZ P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<< L898902C36UTO7408122F1204159ZE184226B1234561.";
        assert_eq!(
            lines(text),
            ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B1234561"]
        );
        // The line before the one found, when the second holds the `<<`.
        let text = "L898902C36UTO7408122F1204159ZE184226B1234561 X<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        assert_eq!(lines(text).len(), 2);
    }

    #[test]
    fn an_identity_card_written_as_one_run_is_one_line() {
        let text = "id I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
        assert_eq!(lines(text), [&text[3..]]);
    }

    #[test]
    fn markers_rulers_and_code_are_no_zone() {
        for text in [
            "<<<<<<< HEAD",
            "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
            "std::cout << value << std::endl; x = 1<<20;",
            "cat <<EOF > /etc/app.conf",
            "<p>Hello</p><<br>>",
            "ABC<<DEF",
            "SELECT 1 WHERE a<<2 AND B<<3",
        ] {
            assert!(lines(text).is_empty(), "{text}");
        }
    }
}
