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
    b"Team",
    b"Company",
    b"Family",
    b"Client",
    b"Customer",
    b"User",
    b"Kids",
    b"Buds",
    b"Paperwhite",
    b"Service",
    b"Runner",
    b"Emulator",
    b"Hub",
    b"Catalyst",
    b"Address",
    b"Windows",
    b"Finance",
    b"Gaming",
    b"Stop",
];

/// Words that join a device to its owner's name (`MacBook-Pro-van-Daan`, `iPhone de Marie`).
const PARTICLES: &[&[u8]] = &[b"van", b"von", b"de", b"di", b"da", b"do", b"du", b"of", b"fra", b"od", b"der"];

/// Words after a device that name its model (`Anna's MacBook Pro`).
const MODEL_WORDS: &[&[u8]] = &[b"Pro", b"Max", b"Air", b"Mini", b"Plus", b"Ultra", b"SE"];

/// The longest host name read: a longer run of letters, digits and dashes is no host name, and is not read past.
const MAX_TOKEN: usize = 63;

/// The device named after its owner that the capital at `at` is part of, if one is; `word_end` is where the
/// capital's word ends (its letters, and bytes that are not ASCII). Called for each capital by `streets::find`.
#[inline(always)]
pub(crate) fn device_at(text: &[u8], at: usize, word_end: usize) -> Option<(usize, usize)> {
    // Most capitals are turned away here, in line, by the bytes around their word: a dash or an apostrophe after
    // it or a dash before it, a last `s` (of `’s`), or the last letter of a particle and a space before it.
    let next = text.get(word_end).copied().unwrap_or(b' ');
    let before = if at > 0 { text[at - 1] } else { b' ' };
    let particle = before == b' ' && at >= 4 && matches!(text[at - 2], b'e' | b'n' | b'i' | b'a' | b'u' | b'r');
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
    device_of(text, at, word_end)
}

/// The host name around the capital at `at` (letters, digits, dashes and bytes that are not ASCII), when it is a
/// device named after someone: the owner's name with a possessive `s` right before the device (`Annas-iPhone`,
/// `Björns-MacBook-Air`), after a particle (`MacBook-Pro-van-Daan`, `iPhone-von-Anna`), or last, after a model
/// with a digit (`Galaxy-S23-Mehmet`). Compounds of device words (`Surface-Laptop-Studio`, `Client-Mac-Address`,
/// `Mac-Runner-03`) are none of these.
fn dashed_host(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let host_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b >= 0x80;
    // Read at most one byte past the longest host name either way: a longer run is turned away at once, so a
    // line of dashed capitals costs each capital a bounded look.
    let left = text[at.saturating_sub(MAX_TOKEN + 1)..at].iter().rev().take_while(|b| host_byte(b)).count();
    let right = text[at..].iter().take(MAX_TOKEN + 1).take_while(|b| host_byte(b)).count();
    let (start, end) = (at - left, at + right);
    // Glued to a path, an address or a longer name (`/dev/Annas-iPhone`, `x_Annas-iPhone`).
    if end - start > MAX_TOKEN || start > 0 && matches!(text[start - 1], b'/' | b'_' | b'@') {
        return None;
    }
    let parts: Vec<&[u8]> = text[start..end].split(|&b| b == b'-').collect();
    let device = parts.iter().position(|part| DEVICES.contains(part))?;
    let owner = |part: &[u8]| name_word(part) && !NOT_OWNERS.contains(&part) && !DEVICES.contains(&part);
    let possessive = device > 0 && {
        let part = parts[device - 1];
        part.len() >= 4 && part.ends_with(b"s") && owner(&part[..part.len() - 1]) && !NOT_OWNERS.contains(&part)
    };
    let after_particle =
        (device + 2..parts.len()).any(|index| PARTICLES.contains(&parts[index - 1]) && owner(parts[index]));
    let last = parts.len() - 1;
    let after_model = last > device + 1
        && owner(parts[last])
        && parts[device + 1..last].iter().any(|part| part.iter().any(u8::is_ascii_digit));
    (possessive || after_particle || after_model).then_some((start, end))
}

/// `Anna's iPhone`, `Anna’s MacBook Pro`: the owner's name at `at..end`, an apostrophe and `s` (`apostrophe`
/// bytes with them), a space, a device and the model words after it. Not a maker's or a team's (`Apple's iPhone`,
/// `Team's iPad`).
fn possessive_device(text: &[u8], at: usize, end: usize, apostrophe: usize) -> Option<(usize, usize)> {
    if text.get(end + apostrophe - 1) != Some(&b' ')
        || apostrophe == 3 && !text[end..].starts_with(b"'s")
        || NOT_OWNERS.contains(&&text[at..end])
    {
        return None;
    }
    let device_start = end + apostrophe;
    let device_end = ascii_letters_end(text, device_start);
    if !DEVICES.contains(&&text[device_start..device_end]) {
        return None;
    }
    let mut span_end = device_end;
    while text.get(span_end) == Some(&b' ') {
        let word_end = ascii_letters_end(text, span_end + 1);
        if !MODEL_WORDS.contains(&&text[span_end + 1..word_end]) {
            break;
        }
        span_end = word_end;
    }
    Some((at, span_end))
}

/// `iPhone de Marie`, `MacBook von Anna`, `iPhone di Marco`: the owner's name at `at..end` after a particle, after
/// a device. Not a role (`iPhone de Test`).
fn device_of(text: &[u8], at: usize, end: usize) -> Option<(usize, usize)> {
    if at < 2 || text[at - 1] != b' ' || NOT_OWNERS.contains(&&text[at..end]) {
        return None;
    }
    let particle_start = at - 1 - text[..at - 1].iter().rev().take(4).take_while(|b| b.is_ascii_lowercase()).count();
    if !PARTICLES.contains(&&text[particle_start..at - 1]) {
        return None;
    }
    let device_end = particle_start.checked_sub(1).filter(|&space| text[space] == b' ')?;
    let device_start =
        device_end - text[..device_end].iter().rev().take(12).take_while(|b| b.is_ascii_alphabetic()).count();
    let glued = device_start > 0 && text[device_start - 1].is_ascii_alphanumeric();
    (!glued && DEVICES.contains(&&text[device_start..device_end])).then_some((device_start, end))
}

/// A part of a host name that can be a person's name: three bytes or more, the first a capital or a letter that
/// is not ASCII, the rest small letters or letters that are not ASCII (`Daan`, `Mehmet`, `Björn`, `Łukasz`).
fn name_word(part: &[u8]) -> bool {
    part.len() >= 3
        && (part[0].is_ascii_uppercase() || part[0] >= 0x80)
        && part[1..].iter().all(|&b| b.is_ascii_lowercase() || b >= 0x80)
        && part.iter().any(u8::is_ascii_lowercase)
}

/// The end of the run of ASCII letters at `start` (a device's name, a model word).
fn ascii_letters_end(text: &[u8], start: usize) -> usize {
    start + text.get(start..).map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_alphabetic()).count())
}

#[cfg(test)]
mod tests {
    use super::super::anchors::spans_read;
    use super::super::streets;

    fn found(text: &str) -> Vec<&str> {
        spans_read(text, |text, anchors, push| {
            streets::find(text, anchors, |field, start, end| {
                if field == b"device_hostname" {
                    push(start, end);
                }
            })
        })
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
        assert_eq!(found("(Björns-iPhone) iPhone di Marco"), ["Björns-iPhone", "iPhone di Marco"]);
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
            "Installed Surface-Laptop-Studio driver package",
            "Client-Mac-Address: 00:11:22:33:44:55",
            "Build agent Mac-Runner-03 online",
            "Finance-PC Gaming-PC Windows-Laptop Android-Emulator Kindle-Paperwhite Galaxy-Buds",
            "Apple's iPhone 15 launch event, Team's iPad inventory",
            "The iPhone de Test build",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }
}
