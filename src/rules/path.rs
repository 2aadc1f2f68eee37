//! Field paths: parsing `contact.email`, `**.email`, `custom_attributes.*ssn*`, and matching them against key paths fast.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Appends the normalized form of a key: ASCII lowercase, with `_`, `-`, spaces and `$` removed.
///
/// `email_address`, `emailAddress`, `Email-Address` and `Email Address` (a spreadsheet's column, a custom
/// attribute's name) all normalize to `emailaddress`, and Mixpanel's and Segment's reserved `$first_name` to
/// `firstname`.
pub fn normalize_key_into(key: &[u8], out: &mut Vec<u8>) {
    for &byte in key {
        match byte {
            b'_' | b'-' | b' ' | b'$' => {}
            _ => out.push(byte.to_ascii_lowercase()),
        }
    }
}

/// True when `key` normalizes (as `normalize_key_into` does) to `normalized`, without writing it out.
pub fn normalizes_to(key: &[u8], normalized: &[u8]) -> bool {
    let mut kept = key.iter().filter(|&&byte| !matches!(byte, b'_' | b'-' | b' ' | b'$')).map(u8::to_ascii_lowercase);
    normalized.iter().all(|&byte| kept.next() == Some(byte)) && kept.next().is_none()
}

/// A key path as the engine walks it: normalized segments stored back to back, root first, and the `type` of the
/// object that holds its last key (Intercom's `{"type":"tag","name":"vip"}`), when the walker knows it.
#[derive(Debug, Default, Clone)]
pub struct KeyPath {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    object_type: Vec<u8>,
}

impl KeyPath {
    /// Sets the `type` of the object that holds the path's last key, as written (types compare exactly).
    pub fn set_object_type(&mut self, raw: &[u8]) {
        self.object_type.clear();
        self.object_type.extend_from_slice(raw);
    }

    /// The `type` of the object that holds the path's last key; empty when none is known.
    pub fn object_type(&self) -> &[u8] {
        &self.object_type
    }

    /// Pushes a raw key (it is normalized here).
    pub fn push(&mut self, raw_key: &[u8]) {
        normalize_key_into(raw_key, &mut self.bytes);
        self.ends.push(self.bytes.len());
    }

    /// Pushes a key that is already normalized.
    pub fn push_normalized(&mut self, key: &[u8]) {
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len());
    }

    /// The normalized bytes and segment ends, which identify the path exactly.
    pub fn raw_parts(&self) -> (&[u8], &[usize]) {
        (&self.bytes, &self.ends)
    }

    /// Removes the innermost key.
    pub fn pop(&mut self) {
        self.ends.pop();
        let end = self.ends.last().copied().unwrap_or(0);
        self.bytes.truncate(end);
    }

    /// Forgets every key and the object type.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.object_type.clear();
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the path has no segment.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `index`-th segment, root first.
    pub fn segment(&self, index: usize) -> &[u8] {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.bytes[start..self.ends[index]]
    }

    /// The innermost segment.
    pub fn last(&self) -> Option<&[u8]> {
        match self.ends.len() {
            0 => None,
            n => Some(self.segment(n - 1)),
        }
    }
}

/// Why a field path is invalid.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error("the path is empty")]
    Empty,
    #[error("segment {0} of the path is empty (two dots in a row, or a dot at an end)")]
    EmptySegment(usize),
    #[error("a path cannot end with `**`; classify the parent key instead, its whole value is covered")]
    TrailingAnyDepth,
    #[error("`**` must be a whole segment (write `a.**.b`, not `a**`)")]
    PartialAnyDepth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(Vec<u8>),
    Glob(Vec<u8>),
    AnyDepth,
}

/// A compiled field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPattern {
    text: String,
    segments: Vec<Segment>,
    /// The object types it is limited to, compared exactly: it matches a path only when the object that holds the
    /// path's last key has a `type` that is one of them. Empty: any path.
    types: Vec<Vec<u8>>,
    /// The same, as written.
    type_names: Vec<String>,
}

impl FieldPattern {
    /// Parses a path. Every path matches at any depth (as a suffix of the key path) unless it starts with `$.`,
    /// which anchors it at the document root.
    pub fn parse(text: &str) -> Result<FieldPattern, PathError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed == "$" {
            return Err(PathError::Empty);
        }
        let (anchored, body) = match trimmed.strip_prefix("$.") {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut segments = Vec::new();
        if !anchored {
            segments.push(Segment::AnyDepth);
        }
        for (index, raw) in body.split('.').enumerate() {
            if raw.is_empty() {
                return Err(PathError::EmptySegment(index + 1));
            }
            let segment = if raw == "**" {
                Segment::AnyDepth
            } else if raw.contains("**") {
                return Err(PathError::PartialAnyDepth);
            } else {
                let mut normalized = Vec::new();
                normalize_key_into(raw.as_bytes(), &mut normalized);
                if raw.contains('*') {
                    Segment::Glob(normalized)
                } else {
                    Segment::Literal(normalized)
                }
            };
            if segment == Segment::AnyDepth && segments.last() == Some(&Segment::AnyDepth) {
                continue;
            }
            segments.push(segment);
        }
        if segments.last() == Some(&Segment::AnyDepth) {
            return Err(PathError::TrailingAnyDepth);
        }
        Ok(FieldPattern { text: trimmed.to_string(), segments, types: Vec::new(), type_names: Vec::new() })
    }

    /// The same path, limited to objects whose `type` is one of `types`.
    pub fn within_types(mut self, types: &[String]) -> FieldPattern {
        self.types = types.iter().map(|name| name.as_bytes().to_vec()).collect();
        self.type_names = types.to_vec();
        self
    }

    /// The object types it is limited to, as written.
    pub fn type_names(&self) -> &[String] {
        &self.type_names
    }

    /// The object types it is limited to; empty when it is not.
    pub fn types(&self) -> &[Vec<u8>] {
        &self.types
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the whole key path matches.
    pub fn matches(&self, path: &KeyPath) -> bool {
        self.matches_keys(path)
            && (self.types.is_empty() || self.types.iter().any(|name| name.as_slice() == path.object_type()))
    }

    /// True when the keys of `path` match, whatever its object type.
    pub fn matches_keys(&self, path: &KeyPath) -> bool {
        match self.segments.as_slice() {
            // A bare key (`email`): the index already compared the last segment.
            [Segment::AnyDepth, Segment::Literal(last)] => path.last() == Some(last.as_slice()),
            // A bare glob (`*password*`): only the last segment can match it, so the other depths are not tried.
            [Segment::AnyDepth, Segment::Glob(glob)] => path.last().is_some_and(|last| glob_match(glob, last)),
            segments => match_from(segments, path, 0),
        }
    }
}

fn match_from(segments: &[Segment], path: &KeyPath, at: usize) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return at == path.len();
    };
    match first {
        Segment::AnyDepth => (at..=path.len()).any(|skip| match_from(rest, path, skip)),
        Segment::Literal(literal) => {
            at < path.len() && path.segment(at) == literal.as_slice() && match_from(rest, path, at + 1)
        }
        Segment::Glob(glob) => at < path.len() && glob_match(glob, path.segment(at)) && match_from(rest, path, at + 1),
    }
}

/// Matches `*` wildcards (any run of bytes) in `glob` against `text`.
fn glob_match(glob: &[u8], text: &[u8]) -> bool {
    // The common shapes without backtracking: `*ssn*`, `*token`, `ssn*` (one literal part).
    if let Some(inner) = glob.strip_prefix(b"*").and_then(|rest| rest.strip_suffix(b"*")) {
        if !inner.contains(&b'*') {
            return memchr::memmem::find(text, inner).is_some();
        }
    }
    if let Some(tail) = glob.strip_prefix(b"*").filter(|tail| !tail.contains(&b'*')) {
        return text.ends_with(tail);
    }
    if let Some(head) = glob.strip_suffix(b"*").filter(|head| !head.contains(&b'*')) {
        return text.starts_with(head);
    }
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if g < glob.len() && glob[g] == b'*' {
            star = Some((g, t));
            g += 1;
        } else if g < glob.len() && glob[g] == text[t] {
            g += 1;
            t += 1;
        } else if let Some((star_g, star_t)) = star {
            g = star_g + 1;
            t = star_t + 1;
            star = Some((star_g, star_t + 1));
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|&b| b == b'*')
}

/// FNV-1a: keys are short and attacker-chosen keys cannot hurt much (the map is built from rules, not input).
#[derive(Default)]
pub struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type FnvBuild = BuildHasherDefault<FnvHasher>;

/// Finds the last matching pattern for a key path without trying every pattern.
///
/// Patterns are indexed by their last segment when it is literal (`email`), else by the segment before it when
/// that one is literal (`custom_attributes.*`); only the rest are tried one by one.
#[derive(Debug, Default, Clone)]
pub struct PatternIndex {
    patterns: Vec<FieldPattern>,
    by_last: HashMap<Vec<u8>, Vec<u32>, FnvBuild>,
    by_parent: HashMap<Vec<u8>, Vec<u32>, FnvBuild>,
    others: Vec<u32>,
    max_literal_len: usize,
    max_parent_len: usize,
}

impl PatternIndex {
    /// Adds a pattern; its index is the number of patterns added before it.
    pub fn push(&mut self, pattern: FieldPattern) {
        let index = u32::try_from(self.patterns.len()).unwrap_or(u32::MAX);
        let segments = &pattern.segments;
        match (segments.last(), segments.len().checked_sub(2).map(|i| &segments[i])) {
            (Some(Segment::Literal(last)), _) => {
                self.max_literal_len = self.max_literal_len.max(last.len());
                self.by_last.entry(last.clone()).or_default().push(index);
            }
            (_, Some(Segment::Literal(parent))) => {
                self.max_parent_len = self.max_parent_len.max(parent.len());
                self.by_parent.entry(parent.clone()).or_default().push(index);
            }
            _ => self.others.push(index),
        }
        self.patterns.push(pattern);
    }

    /// The patterns in the order they were added.
    pub fn patterns(&self) -> &[FieldPattern] {
        &self.patterns
    }

    /// The index of the last added pattern that matches `path`.
    pub fn last_match(&self, path: &KeyPath) -> Option<usize> {
        let last = path.last()?;
        let mut best: Option<u32> = None;
        let consider = |candidates: &[u32], best: &mut Option<u32>| {
            for &index in candidates.iter().rev() {
                if best.is_some_and(|b| b > index) {
                    break;
                }
                if self.patterns[index as usize].matches(path) {
                    *best = Some(index);
                    break;
                }
            }
        };
        if last.len() <= self.max_literal_len {
            if let Some(candidates) = self.by_last.get(last) {
                consider(candidates, &mut best);
            }
        }
        if path.len() >= 2 && !self.by_parent.is_empty() {
            let parent = path.segment(path.len() - 2);
            if parent.len() <= self.max_parent_len {
                if let Some(candidates) = self.by_parent.get(parent) {
                    consider(candidates, &mut best);
                }
            }
        }
        consider(&self.others, &mut best);
        best.map(|index| index as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(keys: &[&str]) -> KeyPath {
        let mut path = KeyPath::default();
        for key in keys {
            path.push(key.as_bytes());
        }
        path
    }

    #[test]
    fn keys_normalize_case_and_separators() {
        let mut out = Vec::new();
        normalize_key_into(b"Email-Address_2", &mut out);
        assert_eq!(out, b"emailaddress2");
        out.clear();
        normalize_key_into(b"$first_name", &mut out);
        assert_eq!(out, b"firstname");
        assert!(normalizes_to(b"$First-Name", b"firstname") && !normalizes_to(b"first_names", b"firstname"));
    }

    #[test]
    fn bare_keys_match_at_any_depth_and_anchors_pin_the_root() {
        let email = FieldPattern::parse("email").unwrap();
        assert!(email.matches(&path(&["email"])));
        assert!(email.matches(&path(&["data", "item", "Email"])));
        assert!(!email.matches(&path(&["email", "domain"])));

        let anchored = FieldPattern::parse("$.contact.email").unwrap();
        assert!(anchored.matches(&path(&["contact", "email"])));
        assert!(!anchored.matches(&path(&["data", "contact", "email"])));

        let floating = FieldPattern::parse("contact.email").unwrap();
        assert!(floating.matches(&path(&["data", "contact", "email"])));
        assert!(!floating.matches(&path(&["data", "email"])));
    }

    #[test]
    fn globs_and_any_depth_segments() {
        let ssn = FieldPattern::parse("custom_attributes.*ssn*").unwrap();
        assert!(ssn.matches(&path(&["custom_attributes", "customer_ssn_last"])));
        assert!(ssn.matches(&path(&["contact", "customAttributes", "SSN"])));
        assert!(!ssn.matches(&path(&["custom_attributes", "plan"])));

        let deep = FieldPattern::parse("$.a.**.b").unwrap();
        assert!(deep.matches(&path(&["a", "b"])));
        assert!(deep.matches(&path(&["a", "x", "y", "b"])));
        assert!(!deep.matches(&path(&["z", "a", "b"])));
    }

    #[test]
    fn invalid_paths_are_refused_with_a_reason() {
        assert_eq!(FieldPattern::parse(""), Err(PathError::Empty));
        assert_eq!(FieldPattern::parse("a..b"), Err(PathError::EmptySegment(2)));
        assert_eq!(FieldPattern::parse("a.**"), Err(PathError::TrailingAnyDepth));
        assert_eq!(FieldPattern::parse("a**.b"), Err(PathError::PartialAnyDepth));
    }

    #[test]
    fn the_index_returns_the_last_matching_pattern() {
        let mut index = PatternIndex::default();
        for text in ["custom_attributes.*", "custom_attributes.plan", "email", "**.*mail"] {
            index.push(FieldPattern::parse(text).unwrap());
        }
        assert_eq!(index.last_match(&path(&["custom_attributes", "plan"])), Some(1));
        assert_eq!(index.last_match(&path(&["custom_attributes", "shoe_size"])), Some(0));
        assert_eq!(index.last_match(&path(&["email"])), Some(3));
        assert_eq!(index.last_match(&path(&["user", "name"])), None);
        assert_eq!(index.last_match(&path(&[])), None);
    }

    #[test]
    fn glob_matching_backtracks() {
        assert!(glob_match(b"*ssn*", b"ssn"));
        assert!(glob_match(b"a*b*c", b"axxbyyc"));
        assert!(!glob_match(b"a*b*c", b"axxbyy"));
        assert!(glob_match(b"*", b""));
        // The shapes with one literal part, which skip the backtracking loop.
        assert!(glob_match(b"*password*", b"dbpassword") && glob_match(b"*password*", b"passwordconfirmation"));
        assert!(!glob_match(b"*password*", b"passwor"));
        assert!(glob_match(b"*token", b"csrftoken") && !glob_match(b"*token", b"tokencount"));
        assert!(glob_match(b"ssn*", b"ssnlast4") && !glob_match(b"ssn*", b"myssn"));
        assert!(glob_match(b"**", b"x") && glob_match(b"*a*", b"a"));
    }
}
