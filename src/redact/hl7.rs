//! HL7 version 2 segments in a line (`PID|1||483920^^^HOSP^MR||Whitfield^Sarah^J||19840312|F|||42 Harbour
//! Road^^Brighton…`): the fields of a patient, a next of kin, a guarantor and an insured person, read by their
//! position in the segment and pushed as the fields those positions hold (a name, a birth date, an address, a
//! phone, an SSN, a driver's licence), so the rules decide what they become.
//!
//! Integration engines log a message with its segments on lines of their own, or on one line with the carriage
//! returns that end them written as spaces: a segment starts at the start of the text or after a space, a tab, a
//! carriage return or a line feed, with its three-letter id and a `|`, and ends at a carriage return, a line feed,
//! or a space before the id of a segment that HL7 defines and a `|` (` PV1|`). Names written with carets
//! (`Whitfield^Sarah^J`) and the other values of these positions are found nowhere else.

/// The positions of a segment's fields that are read, each with the key whose rule its value gets.
type Positions = &'static [(usize, &'static [u8])];

/// The key whose rule a field's value gets, by position, for each segment read: the patient (`PID`), a next of
/// kin (`NK1`), a guarantor (`GT1`), an insured person (`IN1`) and a merged record's prior name (`MRG`).
const SEGMENTS: &[(&[u8; 3], Positions)] = &[
    (
        b"PID",
        &[
            (5, b"name"),
            (6, b"maiden_name"),
            (7, b"date_of_birth"),
            (9, b"name"),
            (11, b"address"),
            (13, b"phone"),
            (14, b"phone"),
            (19, b"ssn"),
            (20, b"drivers_license"),
        ],
    ),
    (
        b"NK1",
        &[(2, b"name"), (4, b"address"), (5, b"phone"), (6, b"phone"), (30, b"name"), (31, b"phone"), (32, b"address")],
    ),
    (
        b"GT1",
        &[
            (3, b"name"),
            (4, b"name"),
            (5, b"address"),
            (6, b"phone"),
            (7, b"phone"),
            (8, b"date_of_birth"),
            (12, b"ssn"),
        ],
    ),
    (b"IN1", &[(16, b"name"), (18, b"date_of_birth"), (19, b"address")]),
    (b"MRG", &[(7, b"name")]),
];

/// Segment ids that HL7 version 2 defines, which end the segment before them when a line joins segments with
/// spaces (a value such as `100 PARK AVE|` does not end one).
const KNOWN_IDS: &[&[u8; 3]] = &[
    b"MSH", b"EVN", b"PID", b"PD1", b"PV1", b"PV2", b"NK1", b"GT1", b"IN1", b"IN2", b"IN3", b"MRG", b"OBR", b"OBX",
    b"ORC", b"AL1", b"DG1", b"PR1", b"NTE", b"ROL", b"SCH", b"TXA", b"SPM", b"FT1", b"RXA", b"RXE", b"RXO", b"RXR",
    b"ACC", b"UB1", b"UB2", b"DB1", b"MSA", b"ERR", b"QRD", b"QRF", b"QPD", b"RCP", b"TQ1", b"SFT", b"ARV", b"PRT",
];

/// Calls `push(key, start, end)` for each value of `text` that a segment's position names; `text` is passed over
/// quickly when it holds no `|`. A segment counts in a message (the text holds its `MSH|` header) or when it
/// holds a component separator `^` (names, identifiers and addresses have them): a table of processes
/// (`PID|USER|PR|…`) is no segment.
pub(crate) fn find(text: &[u8], mut push: impl FnMut(&'static [u8], usize, usize)) {
    let Some(first) = memchr::memchr(b'|', text) else { return };
    let message = memchr::memmem::find(text, b"MSH|").is_some();
    // A segment's first `|` is three bytes after its start.
    let mut bar = first;
    loop {
        if let Some(fields) = segment_at(text, bar) {
            let end = segment_end(text, bar);
            if message || text[bar..end].contains(&b'^') {
                read_segment(text, bar, fields, &mut push);
            }
            bar = end;
        }
        match text.get(bar + 1..).and_then(|rest| memchr::memchr(b'|', rest)) {
            Some(next) => bar += 1 + next,
            None => return,
        }
    }
}

/// The positions of the segment whose id ends right before the `|` at `bar`, when one starts there.
fn segment_at(text: &[u8], bar: usize) -> Option<Positions> {
    let start = bar.checked_sub(3)?;
    // After a space, a line break or markup (`<td>PID|…`), or a line break as a log writes it out (`\r`).
    let escaped_break = start >= 2 && text[start - 2] == b'\\' && matches!(text[start - 1], b'r' | b'n');
    if start > 0 && !matches!(text[start - 1], b' ' | b'\t' | b'\r' | b'\n' | b'>') && !escaped_break {
        return None;
    }
    let id = &text[start..bar];
    SEGMENTS.iter().find(|(segment, _)| id == segment.as_slice()).map(|(_, fields)| *fields)
}

/// Where the segment whose first `|` is at `bar` ends.
fn segment_end(text: &[u8], bar: usize) -> usize {
    let mut end = bar;
    while text.get(end) == Some(&b'|') {
        end = field_end(text, end + 1);
    }
    end
}

/// Reads the fields of the segment whose first `|` is at `bar` and pushes those `fields` name.
fn read_segment(text: &[u8], bar: usize, fields: Positions, push: &mut impl FnMut(&'static [u8], usize, usize)) {
    let mut field = 1;
    let mut start = bar + 1;
    loop {
        let next = field_end(text, start);
        if let Some((_, key)) = fields.iter().find(|(position, _)| *position == field) {
            // A phone, a date or a number ends at a space before a word: the log's own text after a segment
            // that ends the line (`…||555-0100 received OK`). Names and addresses hold words.
            let end = if matches!(*key, b"name" | b"maiden_name" | b"address") {
                next
            } else {
                text[start..next]
                    .windows(2)
                    .position(|pair| pair[0] == b' ' && pair[1].is_ascii_alphabetic())
                    .map_or(next, |at| start + at)
            };
            let value = &text[start..end];
            // HL7's explicit null is `""`.
            if !value.is_empty() && value != b"\"\"" && value.iter().any(u8::is_ascii_alphanumeric) {
                push(key, start, end);
            }
        }
        if text.get(next) != Some(&b'|') {
            return;
        }
        field += 1;
        start = next + 1;
    }
}

/// The end of the field that starts at `start`: its `|`, or the end of the segment (a line break, markup, or a
/// space or a written-out `\r` before the next segment).
fn field_end(text: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < text.len() {
        match text[i] {
            b'|' | b'\r' | b'\n' | b'<' => return i,
            b' ' | b'\t' if next_segment_at(text, i + 1) => return i,
            b'\\' if matches!(text.get(i + 1), Some(b'r' | b'n')) && next_segment_at(text, i + 2) => return i,
            _ => i += 1,
        }
    }
    i
}

/// True when a segment that HL7 defines, or a site's own (`Z` and two letters or digits), starts at `at`: its
/// id and a `|`.
fn next_segment_at(text: &[u8], at: usize) -> bool {
    let Some(id) = text.get(at..at + 3) else { return false };
    let custom = id[0] == b'Z' && id[1..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    text.get(at + 3) == Some(&b'|') && (custom || KNOWN_IDS.iter().any(|known| id == &known[..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        find(text.as_bytes(), |key, start, end| {
            out.push((std::str::from_utf8(key).unwrap_or("?"), &text[start..end]));
        });
        out
    }

    #[test]
    fn reads_a_patient_by_position() {
        let pid = "PID|1||483920^^^HOSP^MR||Whitfield^Sarah^J||19840312|F|||42 Harbour Road^^Brighton^^BN1 4QQ^GB||\
                   +44 1273 555019||||||451-23-8876";
        assert_eq!(
            found(pid),
            [
                ("name", "Whitfield^Sarah^J"),
                ("date_of_birth", "19840312"),
                ("address", "42 Harbour Road^^Brighton^^BN1 4QQ^GB"),
                ("phone", "+44 1273 555019"),
                ("ssn", "451-23-8876")
            ]
        );
    }

    #[test]
    fn segments_joined_with_spaces_end_at_the_next_id() {
        let message =
            "MSH|^~\\&|EPIC|HOSP|LAB|HOSP|202511290830||ADT^A01|MSG1|P|2.5 PID|1||7781||GARCIA^LUIS||19720905|M|||\
                       100 PARK AVE^^NEW YORK^NY||(212)555-0147 PV1|1|I|W^389^1 NK1|1|GARCIA^MARIA|SPO";
        assert_eq!(
            found(message),
            [
                ("name", "GARCIA^LUIS"),
                ("date_of_birth", "19720905"),
                ("address", "100 PARK AVE^^NEW YORK^NY"),
                ("phone", "(212)555-0147"),
                ("name", "GARCIA^MARIA")
            ]
        );
        // Segments on lines of their own, carriage returns as JSON decodes them.
        assert_eq!(found("MSH|^~\\&|A|B\rPID|1||9||Doe^Jane\rPV1|1"), [("name", "Doe^Jane")]);
    }

    #[test]
    fn other_pipes_and_empty_values_are_passed() {
        assert!(found("status|ok|PID|5|6|7|8").is_empty(), "PID glued to a word or in a table is no segment");
        assert!(found("a | b | c").is_empty());
        assert!(found("PID|1||\"\"||\"\"||||").is_empty(), "HL7's explicit null");
        assert!(found("GUID|1|2|3|4|5|6").is_empty());
        assert!(found("PID|USER|PR|NI|VIRT|RES|SHR|S|%CPU").is_empty(), "a process table is no segment");
        // The log's text after a segment that ends the line, markup, a site's own segment, a written-out `\r`.
        assert_eq!(
            found("PID|1||2||Doe^Jane||19840312|F|||1 Main St||555-0100 received OK"),
            [("name", "Doe^Jane"), ("date_of_birth", "19840312"), ("address", "1 Main St"), ("phone", "555-0100")]
        );
        assert_eq!(found("<td>PID|1||2||Doe^Jane</td>"), [("name", "Doe^Jane")]);
        assert_eq!(found("PID|1||2||Doe^Jane ZPI|a|b|c|d|e|f|g"), [("name", "Doe^Jane")]);
        assert_eq!(
            found("MSH|^~\\&|A|B|2.5\\rPID|1||123||DOE^JOHN||19800101|M"),
            [("name", "DOE^JOHN"), ("date_of_birth", "19800101")]
        );
        assert_eq!(found("x PID|1||2||Roe^Ann"), [("name", "Roe^Ann")]);
    }
}
