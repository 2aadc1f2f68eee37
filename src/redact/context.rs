//! Context words: the words that make a number a phone number, an SSN or a user pattern's match, looked up in the
//! few bytes before it, whole and in any ASCII case.

/// One list of context words (`[detectors.phone] context`, a pattern's `context`), compiled for two questions:
/// does a word stand whole in a window of text, and does a label (`mobile_number=`) mention one.
#[derive(Debug)]
pub(crate) struct ContextWords {
    /// The words, lowercased.
    words: Vec<Vec<u8>>,
    /// For each letter `a`..=`z`: the words that start with it.
    by_letter: [Vec<u16>; 26],
    /// Words that start with anything else (a digit, `#`, a byte that is not ASCII): tried wherever the byte
    /// before is not a letter.
    others: Vec<u16>,
    /// The first two bytes of every word, lowercased, as a bit set over (first, second) of their low seven bits:
    /// a position whose two bytes are not in it starts no word. None when a word has a single byte.
    pairs: Option<Box<[u64; 256]>>,
}

impl ContextWords {
    /// Compiles `words` (the rules reject empty ones); None when there are none, or too many to index (no rules
    /// file comes near 65,535).
    pub(crate) fn new(words: &[String]) -> Option<ContextWords> {
        let words: Vec<Vec<u8>> =
            words.iter().filter(|word| !word.is_empty()).map(|word| word.as_bytes().to_ascii_lowercase()).collect();
        if words.is_empty() || words.len() > usize::from(u16::MAX) {
            return None;
        }
        let mut by_letter: [Vec<u16>; 26] = Default::default();
        let mut others = Vec::new();
        let mut pairs = Some(Box::new([0u64; 256]));
        for (index, word) in words.iter().enumerate() {
            let index = index as u16;
            match word[0] {
                first @ b'a'..=b'z' => by_letter[usize::from(first - b'a')].push(index),
                _ => others.push(index),
            }
            match (word.get(1), pairs.as_mut()) {
                (Some(&second), Some(set)) => {
                    let pair = pair_index(word[0], second);
                    set[pair / 64] |= 1 << (pair % 64);
                }
                _ => pairs = None,
            }
        }
        Some(ContextWords { words, by_letter, others, pairs })
    }

    /// True when one of the words stands whole in `window`: no ASCII letter right before it or right after it
    /// (`desk` is not in `desktop`, `tel` not in `hotel`; `telephone` is itself a word).
    pub(crate) fn in_window(&self, window: &[u8]) -> bool {
        let mut i = 0;
        while i < window.len() {
            let byte = window[i];
            if self.may_start(window, i) {
                // A letter here starts a run of letters: the byte before it is not a letter.
                if byte.is_ascii_alphabetic() {
                    let letter = usize::from(byte.to_ascii_lowercase() - b'a');
                    if self.by_letter[letter].iter().any(|&word| self.stands_at(window, i, word)) {
                        return true;
                    }
                }
                let boundary = i == 0 || !window[i - 1].is_ascii_alphabetic();
                if boundary && self.others.iter().any(|&word| self.stands_at(window, i, word)) {
                    return true;
                }
            }
            // On to the next word start: past this run of letters, or one byte.
            i += 1;
            if byte.is_ascii_alphabetic() {
                while i < window.len() && window[i].is_ascii_alphabetic() {
                    i += 1;
                }
            }
        }
        false
    }

    /// True when one of the words appears anywhere in `label` (`customerPhone`, `mobile_number`), in any ASCII
    /// case.
    pub(crate) fn in_label(&self, label: &[u8]) -> bool {
        (0..label.len()).any(|i| {
            self.may_start(label, i) && {
                let first = label[i].to_ascii_lowercase();
                let starting = match first {
                    b'a'..=b'z' => &self.by_letter[usize::from(first - b'a')],
                    _ => &self.others,
                };
                starting.iter().any(|&word| {
                    let word = &self.words[usize::from(word)];
                    label.get(i..i + word.len()).is_some_and(|found| found.eq_ignore_ascii_case(word))
                })
            }
        })
    }

    /// False when no word can start at `text[at..]`, by its first two bytes.
    #[inline]
    fn may_start(&self, text: &[u8], at: usize) -> bool {
        match (&self.pairs, text.get(at + 1)) {
            (Some(set), Some(&second)) => {
                let pair = pair_index(text[at], second);
                set[pair / 64] & (1 << (pair % 64)) != 0
            }
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// True when word `word` is at `window[at..]` and no letter follows it.
    #[inline]
    fn stands_at(&self, window: &[u8], at: usize, word: u16) -> bool {
        let word = &self.words[usize::from(word)];
        window.get(at..at + word.len()).is_some_and(|found| found.eq_ignore_ascii_case(word))
            && window.get(at + word.len()).is_none_or(|b| !b.is_ascii_alphabetic())
    }
}

/// The index of two bytes in the pair set: their low seven bits, lowercased.
#[inline]
fn pair_index(first: u8, second: u8) -> usize {
    usize::from(first.to_ascii_lowercase() & 0x7F) << 7 | usize::from(second.to_ascii_lowercase() & 0x7F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> ContextWords {
        ContextWords::new(&list.iter().map(|word| word.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn words_count_only_whole() {
        let phone = words(&["tel", "telephone", "mob", "mobile", "desk", "text me", "call"]);
        for window in ["telephone ", "Tel: ", "my MOBILE", "mob", "at my desk, ", "text me on", "(call)"] {
            assert!(phone.in_window(window.as_bytes()), "{window}");
        }
        for window in ["hotel ", "desktop", "textme", "recall", "mobiles", "", "12 34"] {
            assert!(!phone.in_window(window.as_bytes()), "{window}");
        }
    }

    #[test]
    fn words_that_do_not_start_with_a_letter() {
        let ssn = words(&["ss#", "#id", "ß-nr"]);
        assert!(ssn.in_window(b"ss# "));
        assert!(ssn.in_window(b"the #id"));
        assert!(ssn.in_window(b"x #id"));
        assert!(!ssn.in_window(b"the #idea"));
        assert!(!ssn.in_window(b"x#id"));
        assert!(ssn.in_window("ß-nr".as_bytes()));
    }

    #[test]
    fn one_byte_words_are_tried_everywhere() {
        // A word of one byte turns the pair filter off; it still has to stand whole.
        let short = words(&["m", "tel"]);
        assert!(short.in_window(b"m: "));
        assert!(short.in_window(b"(m)"));
        assert!(!short.in_window(b"mm"));
        assert!(short.in_label(b"office_m"));
        assert!(short.in_label(b"x_TEL"));
        assert!(!short.in_label(b"order_id"));
    }

    #[test]
    fn labels_mention_words_anywhere() {
        let phone = words(&["phone", "tel"]);
        assert!(phone.in_label(b"customerPhone"));
        assert!(phone.in_label(b"office_TEL"));
        assert!(!phone.in_label(b"order_id"));
        assert!(!phone.in_label(b"te"));
        assert!(phone.in_label(b"TEL"));
        assert!(ContextWords::new(&[]).is_none());
    }
}
