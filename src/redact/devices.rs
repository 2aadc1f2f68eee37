//! Devices named after their owners, read at the capitals the anchors mark: a phone's or a laptop's host name as
//! DHCP servers, Wi-Fi controllers and device managers log it (`Annas-iPhone`, `Jakubs-MacBook-Air`,
//! `MacBook-Pro-van-Daan`, `Galaxy-S23-Mehmet`, `iPhone-von-Anna`) and the names the devices give themselves
//! (`Anna's iPhone`, `iPhone de Marie`).
//!
//! A host name counts when one of its parts is a kind of device and another a capitalized word that names no
//! model, maker or role (`Galaxy-Tab-Active`, `iPhone-Support` and `LAPTOP-7F3K2L9` stay). Found spans are
//! classified as the field `device_hostname` is, so the rules decide what they become.

/// Kinds of device that a host name or a device's own name holds, as written.
const DEVICES: &[&[u8]] = &[
    b"iPhone",
    b"iPad",
    b"iPod",
    b"iMac",
    b"MacBook",
    b"Macbook",
    b"MBP",
    b"MBA",
    b"Mac",
    b"Galaxy",
    b"Pixel",
    b"Android",
    b"Laptop",
    b"PC",
    b"Surface",
    b"ThinkPad",
    b"Chromebook",
    b"Watch",
    b"AirPods",
    b"Kindle",
];

/// Capitalized parts of a host name that name no one: models, makers and roles.
const NOT_OWNERS: &[&[u8]] = &[
    b"Pro",
    b"Max",
    b"Air",
    b"Mini",
    b"Plus",
    b"Ultra",
    b"Tab",
    b"Note",
    b"Lite",
    b"Fold",
    b"Flip",
    b"Book",
    b"Studio",
    b"Active",
    b"Edge",
    b"Go",
    b"Series",
    b"Apple",
    b"Samsung",
    b"Google",
    b"Dell",
    b"Lenovo",
    b"Microsoft",
    b"Huawei",
    b"Xiaomi",
    b"Redmi",
    b"Nokia",
    b"Sony",
    b"Phone",
    b"Touch",
    b"Retina",
    b"Support",
    b"Test",
    b"Demo",
    b"Office",
    b"Lab",
    b"Kiosk",
    b"Shared",
    b"Guest",
    b"Admin",
    b"Work",
    b"Home",
    b"Dev",
    b"Prod",
    b"New",
    b"Old",
    b"Main",
    b"Spare",
    b"Loaner",
    b"Sales",
    b"Reception",
    b"Meeting",
    b"Room",
    b"Conference",
    b"Front",
    b"Desk",
];

/// Words that join a device to its owner's name (`MacBook-Pro-van-Daan`, `iPhone de Marie`).
const PARTICLES: &[&[u8]] = &[b"van", b"von", b"de", b"di", b"da", b"do", b"du", b"of", b"fra", b"od", b"der"];

/// The longest host name read.
const MAX_TOKEN: usize = 63;

/// The device named after its owner that the capital at `at` is part of, if one is; `word_end` is where the
/// capital's word ends (its letters, and bytes that are not ASCII). Called for each capital by `streets::find`.
#[inline(always)]
pub(crate) fn device_at(text: &[u8], at: usize, word_end: usize) -> Option<(usize, usize)> {
    // Most capitals are turned away here, in line, by the bytes around their word: a dash or an apostrophe after
    // it or a dash before it, a last `s` (of `’s`), or a particle's last letter and a space before it.
    let next = text.get(word_end).copied().unwrap_or(b' ');
    let before = if at > 0 { text[at - 1] } else { b' ' };
    let particle = before == b' ' && at >= 4 && matches!(text[at - 2], b'e' | b'n');
    if !(matches!(next, b'-' | b'\'') || before == b'-' || text[word_end - 1] == b's' || particle) {
        return None;
    }
    device_around(text, at, word_end)
}

/// `device_at` past its quick test.
#[inline(never)]
fn device_around(text: &[u8], at: usize, word_end: usize) -> Option<(usize, usize)> {
    let next = text.get(word_end).copied();
    if next == Some(b'-') || at > 0 && text[at - 1] == b'-' {
        return dashed_host(text, at);
    }
    if next == Some(b'\'') {
        return possessive_device(text, at, word_end, 3);
    }
    if text[word_end - 1] == b's' && text[..word_end].ends_with("\u{2019}s".as_bytes()) {
        return possessive_device(text, at, word_end - 4, 5);
    }
    // A particle ends in `e` (`de`) or `n` (`von`, `van`) right before the space before the name.
    if at < 4 || text[at - 1] != b' ' || !matches!(text[at - 2], b'e' | b'n') {
        return None;
    }
    let particle_before = text[..at - 1].ends_with(b" de")
        || at >= 5 && (text[..at - 1].ends_with(b" von") || text[..at - 1].ends_with(b" van"));
    particle_before.then(|| device_of(text, at, word_end)).flatten()
}

/// The host name around the capital at `at` (letters, digits and dashes), when it is a device named after
/// someone.
fn dashed_host(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let host_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let start = at - text[..at].iter().rev().take_while(|&&b| host_byte(b)).count();
    let end = at + text[at..].iter().take_while(|&&b| host_byte(b)).count();
    // Glued to a path, an address or a longer name (`/dev/Annas-iPhone`, `x_Annas-iPhone`).
    if end - start > MAX_TOKEN || start > 0 && matches!(text[start - 1], b'/' | b'_' | b'@') {
        return None;
    }
    let parts: Vec<&[u8]> = text[start..end].split(|&b| b == b'-').collect();
    let device = parts.iter().position(|part| DEVICES.contains(part))?;
    let owner = parts.iter().enumerate().any(|(index, part)| {
        let after_particle = index > 0 && PARTICLES.contains(&parts[index - 1]);
        index != device && capitalized(part) && (after_particle || !NOT_OWNERS.contains(part))
    });
    owner.then_some((start, end))
}

/// `Anna's iPhone`, `Anna’s MacBook Pro`: the owner's name at `at..end`, an apostrophe and `s` (`apostrophe`
/// bytes with them), a space, a device and the model words after it.
fn possessive_device(text: &[u8], at: usize, end: usize, apostrophe: usize) -> Option<(usize, usize)> {
    if text.get(end + apostrophe - 1) != Some(&b' ') || apostrophe == 3 && !text[end..].starts_with(b"'s") {
        return None;
    }
    let device_start = end + apostrophe;
    let device_end = letters_end(text, device_start);
    if !DEVICES.contains(&&text[device_start..device_end]) {
        return None;
    }
    let mut span_end = device_end;
    while text.get(span_end) == Some(&b' ') {
        let word_end = letters_end(text, span_end + 1);
        if !NOT_OWNERS[..5].contains(&&text[span_end + 1..word_end]) {
            break;
        }
        span_end = word_end;
    }
    Some((at, span_end))
}

/// `iPhone de Marie`, `MacBook von Anna`: the owner's name at `at..end` after a particle, after a device.
fn device_of(text: &[u8], at: usize, end: usize) -> Option<(usize, usize)> {
    let particle_start = at - 1 - text[..at - 1].iter().rev().take_while(|b| b.is_ascii_alphabetic()).count();
    let device_end = particle_start.checked_sub(1).filter(|&space| text[space] == b' ')?;
    let device_start = device_end - text[..device_end].iter().rev().take_while(|b| b.is_ascii_alphabetic()).count();
    let glued = device_start > 0 && text[device_start - 1].is_ascii_alphanumeric();
    (!glued && DEVICES.contains(&&text[device_start..device_end])).then_some((device_start, end))
}

/// A word of three letters or more, its first a capital and the rest small (`Daan`, `Mehmet`), or such a word
/// with the `s` of a possessive (`Annas`).
fn capitalized(part: &[u8]) -> bool {
    part.len() >= 3 && part[0].is_ascii_uppercase() && part[1..].iter().all(u8::is_ascii_lowercase)
}

/// The end of the run of ASCII letters at `start`.
fn letters_end(text: &[u8], start: usize) -> usize {
    start + text.get(start..).map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_alphabetic()).count())
}

#[cfg(test)]
mod tests {
    use super::super::anchors::Anchors;
    use super::super::streets;

    fn found(text: &str) -> Vec<&str> {
        let mut anchors = Anchors::default();
        anchors.compute(text.as_bytes(), None);
        let mut out = Vec::new();
        streets::find(text.as_bytes(), &anchors.view(0, text.len()), |field, start, end| {
            if field == b"device_hostname" {
                out.push(&text[start..end]);
            }
        });
        out
    }

    #[test]
    fn devices_named_after_their_owners() {
        assert_eq!(found("DHCPACK(br0) 192.168.1.23 a4:83:e7:12:34:56 Annas-iPhone"), ["Annas-iPhone"]);
        assert_eq!(
            found("DHCPACK on 10.0.0.9 to a4:83:e7:12:34:56 (MacBook-Pro-van-Daan) via eth1"),
            ["MacBook-Pro-van-Daan"]
        );
        assert_eq!(found("client-hostname \"Jakubs-MacBook-Air\";"), ["Jakubs-MacBook-Air"]);
        assert_eq!(found("DHCPACK(br0) 10.0.0.7 Galaxy-S23-Mehmet"), ["Galaxy-S23-Mehmet"]);
        assert_eq!(found("host iPhone-von-Anna joined"), ["iPhone-von-Anna"]);
        assert_eq!(
            found("device \"Anna's iPhone\" enrolled, Sofia’s MacBook Pro checked in"),
            ["Anna's iPhone", "Sofia’s MacBook Pro"]
        );
        assert_eq!(found("paired with iPhone de Marie today"), ["iPhone de Marie"]);
    }

    #[test]
    fn devices_of_no_one_stay() {
        for text in [
            "Galaxy-Tab-Active enrolled",
            "LAPTOP-7F3K2L9 joined the domain",
            "iPhone-Support-Demo kiosk",
            "MacBook-Pro-Conference-Room",
            "Anna's account was updated",
            "Mac-mini build agent",
            "see /dev/Annas-iPhone",
            "New-Item -Path C:\\Temp",
            "the story of Anna",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }
}
