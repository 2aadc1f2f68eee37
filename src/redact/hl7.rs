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
/// quickly when it holds no `|`.
pub(crate) fn find(text: &[u8], mut push: impl FnMut(&'static [u8], usize, usize)) {
    let Some(first) = memchr::memchr(b'|', text) else { return };
    // A segment's first `|` is three bytes after its start.
    let mut bar = first;
    loop {
        if let Some(fields) = segment_at(text, bar) {
            bar = read_segment(text, bar, fields, &mut push);
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
    if start > 0 && !matches!(text[start - 1], b' ' | b'\t' | b'\r' | b'\n') {
        return None;
    }
    let id = &text[start..bar];
    SEGMENTS.iter().find(|(segment, _)| id == segment.as_slice()).map(|(_, fields)| *fields)
}

/// Reads the fields of the segment whose first `|` is at `bar` and pushes those `fields` name; returns where
/// the segment ends.
fn read_segment(
    text: &[u8],
    bar: usize,
    fields: Positions,
    push: &mut impl FnMut(&'static [u8], usize, usize),
) -> usize {
    let mut field = 1;
    let mut start = bar + 1;
    loop {
        let end = field_end(text, start);
        if let Some((_, key)) = fields.iter().find(|(position, _)| *position == field) {
            let value = &text[start..end];
            // HL7's explicit null is `""`.
            if !value.is_empty() && value != b"\"\"" && value.iter().any(u8::is_ascii_alphanumeric) {
                push(key, start, end);
            }
        }
        if text.get(end) != Some(&b'|') {
            return end;
        }
        field += 1;
        start = end + 1;
    }
}

/// The end of the field that starts at `start`: its `|`, or the end of the segment.
fn field_end(text: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < text.len() {
        match text[i] {
            b'|' | b'\r' | b'\n' => return i,
            b' ' | b'\t' if next_segment_at(text, i + 1) => return i,
            _ => i += 1,
        }
    }
    i
}

/// True when a segment that HL7 defines starts at `at` (its id and a `|`).
fn next_segment_at(text: &[u8], at: usize) -> bool {
    text.get(at + 3) == Some(&b'|') && KNOWN_IDS.iter().any(|id| text[at..at + 3] == id[..])
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
        assert_eq!(found("x PID|1||2||Roe^Ann"), [("name", "Roe^Ann")]);
    }
}
