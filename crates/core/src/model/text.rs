//! Shortening and cutting text without splitting a character. Text from outside (an error
//! page in Japanese, a localized sign-in page, random bytes read lossily) has multi-byte
//! characters anywhere, and slicing a `str` at a byte that is not a character boundary
//! panics. So no code slices text by a byte index (the workspace denies `string_slice` and
//! `indexing_slicing`): it shortens through these functions, which never panic, whatever
//! the text and whatever the number.

/// The largest character boundary of `s` at or below `at` (`s.len()` when `at` is beyond).
pub fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    // A character is at most 4 bytes, so a boundary is at most 3 steps back; 0 always is one.
    (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

/// The longest start of `s` that is at most `max` bytes long and ends between characters.
pub fn cut_bytes_at_char_boundary(s: &str, max: usize) -> &str {
    s.get(..floor_char_boundary(s, max)).unwrap_or_default()
}

/// The first `n` characters of `s` (all of it when it has fewer).
pub fn prefix_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => s.get(..end).unwrap_or(s),
        None => s,
    }
}

/// What follows the first `at` bytes of `s`; empty when `at` is beyond its end or inside a
/// character (callers pass positions that `find` and `char_indices` returned, which are
/// boundaries; anything else reads as "nothing left" rather than a panic).
pub fn after(s: &str, at: usize) -> &str {
    s.get(at..).unwrap_or_default()
}

/// The first `at` bytes of `s`: all of it when `at` is beyond its end, and up to the
/// character boundary before `at` when `at` is inside a character.
pub fn before(s: &str, at: usize) -> &str {
    cut_bytes_at_char_boundary(s, at)
}

/// At most `max` bytes of `s` for display, cut between characters, saying how long the
/// whole was when it was cut: `…… [N bytes in all]`.
pub fn preview(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    format!("{}… [{} bytes in all]", cut_bytes_at_char_boundary(s, max), s.len())
}

/// Shortens `s` in place to at most `max` bytes, between characters (`String::truncate`
/// panics inside a character).
#[cfg(any(test, feature = "test-support"))]
pub fn truncate_at_char_boundary(s: &mut String, max: usize) {
    let end = floor_char_boundary(s, max);
    #[expect(clippy::disallowed_methods, reason = "`end` is a character boundary, found just above")]
    s.truncate(end);
}

/// At most the first `max` bytes of `bytes`.
pub fn head_bytes(bytes: &[u8], max: usize) -> &[u8] {
    bytes.get(..max).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts whose characters are 1, 2, 3 and 4 bytes long, combining marks and
    /// right-to-left script, each placed so that a character straddles every offset.
    fn samples() -> Vec<String> {
        let mut out = Vec::new();
        for c in ["a", "é", "日", "😀", "e\u{301}", "\u{5e9}\u{5c1}", "\u{202e}"] {
            for pad in 0..4 {
                out.push(format!("{}{}", "x".repeat(pad), c.repeat(20)));
            }
        }
        out.push(String::new());
        out
    }

    #[test]
    fn every_cut_at_every_offset_is_a_prefix_that_ends_between_characters() {
        for s in samples() {
            for max in 0..=s.len() + 5 {
                let cut = cut_bytes_at_char_boundary(&s, max);
                assert!(s.starts_with(cut) && cut.len() <= max && cut.len() + 4 > max.min(s.len()), "{s:?} at {max}: {cut:?}");
                assert_eq!(before(&s, max), cut);
                let rest = after(&s, cut.len());
                assert_eq!(format!("{cut}{rest}"), s);
                let _ = after(&s, max);
                let mut owned = s.clone();
                truncate_at_char_boundary(&mut owned, max);
                assert_eq!(owned, cut);
                let p = preview(&s, max);
                assert!(p.starts_with(cut), "{p:?}");
                assert_eq!(p == s, s.len() <= max, "{p:?}");
                assert_eq!(head_bytes(s.as_bytes(), max).len(), max.min(s.len()));
            }
        }
    }

    #[test]
    fn prefixes_count_characters() {
        assert_eq!(prefix_chars("日本語のエラー", 3), "日本語");
        assert_eq!(prefix_chars("ab", 5), "ab");
        assert_eq!(prefix_chars("", 0), "");
        for s in samples() {
            for n in 0..30 {
                let p = prefix_chars(&s, n);
                assert_eq!(p.chars().count(), n.min(s.chars().count()));
            }
        }
    }
}
