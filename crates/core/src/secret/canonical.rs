//! The canonical reading of a text the redactor searches: percent-encoding (either case),
//! `+` for a space, JSON escapes (`\"`, `\/`, `\uXXXX` with surrogate pairs) and HTML
//! entities decoded, with a map from each canonical byte back to where it was written, so a
//! value is found however it was escaped and its marker replaces the text as written.

/// A form-encoded value as read: `+` is a space.
pub(super) fn plus_as_space(v: &[u8]) -> Vec<u8> {
    v.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect()
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// Named HTML entities that spell the characters secrets and URLs are made of.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("sol", '/'),
    ("bsol", '\\'),
    ("equals", '='),
    ("plus", '+'),
    ("colon", ':'),
    ("percnt", '%'),
    ("num", '#'),
    ("excl", '!'),
    ("quest", '?'),
    ("lpar", '('),
    ("rpar", ')'),
    ("ast", '*'),
    ("comma", ','),
    ("period", '.'),
    ("lowbar", '_'),
    ("hyphen", '-'),
    ("dollar", '$'),
    ("commat", '@'),
    ("semi", ';'),
    ("grave", '`'),
    ("tilde", '~'),
    ("verbar", '|'),
    ("lbrace", '{'),
    ("rbrace", '}'),
    ("lsqb", '['),
    ("rsqb", ']'),
    ("Hat", '^'),
    ("nbsp", ' '),
];

/// The text with percent-encoding, JSON escapes and HTML entities decoded and `+` read as a
/// space; for each canonical byte, the span of the text it came from.
pub(super) fn canonical(text: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
    canonical_with(text, ALL)
}

pub(super) const PERCENT: u8 = 1;
pub(super) const JSON: u8 = 2;
pub(super) const HTML: u8 = 4;
pub(super) const ALL: u8 = PERCENT | JSON | HTML;

/// [`canonical`], decoding only the `kinds` of escapes named.
pub(super) fn canonical_with(text: &[u8], kinds: u8) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut out = Vec::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let mut i = 0;
    let at = |j: usize| text.get(j).copied();
    while let Some(b) = at(i) {
        let (decoded, used): (Option<char>, usize) = match b {
            b'%' if kinds & PERCENT != 0 => match (at(i + 1).and_then(hex), at(i + 2).and_then(hex)) {
                (Some(h), Some(l)) => {
                    let byte = (h * 16 + l) as u8;
                    out.push(if byte == b'+' { b' ' } else { byte });
                    origin.push((i, i + 3));
                    i += 3;
                    continue;
                }
                _ => (None, 1),
            },
            b'\\' if kinds & JSON != 0 => json_escape(text, i),
            b'&' if kinds & HTML != 0 => entity(text, i),
            _ => (None, 1),
        };
        match decoded {
            Some(c) => {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push(if byte == b'+' { b' ' } else { byte });
                    origin.push((i, i + used));
                }
                i += used;
            }
            None => {
                out.push(if b == b'+' { b' ' } else { b });
                origin.push((i, i + 1));
                i += 1;
            }
        }
    }
    (out, origin)
}

/// A JSON (or JavaScript) escape at `i`: the character and how many bytes spell it.
fn json_escape(text: &[u8], i: usize) -> (Option<char>, usize) {
    let at = |j: usize| text.get(j).copied();
    let unit = |j: usize| -> Option<u32> { (0..4).try_fold(0u32, |acc, k| Some(acc * 16 + at(j + k).and_then(hex)?)) };
    match at(i + 1) {
        Some(b'u') => match unit(i + 2) {
            Some(hi @ 0xD800..=0xDBFF) if at(i + 6) == Some(b'\\') && at(i + 7) == Some(b'u') => match unit(i + 8) {
                Some(lo @ 0xDC00..=0xDFFF) => (char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)), 12),
                _ => (None, 1),
            },
            Some(u) => (char::from_u32(u), 6),
            None => (None, 1),
        },
        Some(b'x') => match (at(i + 2).and_then(hex), at(i + 3).and_then(hex)) {
            (Some(h), Some(l)) if h < 8 => (char::from_u32(h * 16 + l), 4),
            _ => (None, 1),
        },
        Some(c @ (b'/' | b'"' | b'\\' | b'\'')) => (Some(c as char), 2),
        Some(b'n') => (Some('\n'), 2),
        Some(b't') => (Some('\t'), 2),
        Some(b'r') => (Some('\r'), 2),
        _ => (None, 1),
    }
}

/// An HTML entity at `i` (`&amp;`, `&#47;`, `&#x2F;`): the character and its length.
fn entity(text: &[u8], i: usize) -> (Option<char>, usize) {
    let at = |j: usize| text.get(j).copied();
    if at(i + 1) == Some(b'#') {
        let (radix, start) = if matches!(at(i + 2), Some(b'x' | b'X')) { (16, i + 3) } else { (10, i + 2) };
        let mut j = start;
        let mut n: u32 = 0;
        while let Some(d) = at(j).and_then(|b| (b as char).to_digit(radix)) {
            n = n.saturating_mul(radix).saturating_add(d);
            j += 1;
            if j - start > 8 {
                return (None, 1);
            }
        }
        if j == start {
            return (None, 1);
        }
        let end = if at(j) == Some(b';') { j + 1 } else { j };
        return (char::from_u32(n), end - i);
    }
    let name_end = (i + 1..text.len().min(i + 10)).find(|&j| at(j) == Some(b';'));
    let Some(end) = name_end else { return (None, 1) };
    let Some(name) = text.get(i + 1..end).and_then(|n| std::str::from_utf8(n).ok()) else { return (None, 1) };
    match ENTITIES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some((_, c)) => (Some(*c), end + 1 - i),
        None => (None, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_reading_decodes_every_escape() {
        let (c, _) = canonical(b"a%2fb%2Fc+d%20e\\/f\\u0041&amp;&#47;&#x2F;&quot;\\ud83d\\ude00");
        assert_eq!(String::from_utf8_lossy(&c), "a/b/c d e/fA&//\"\u{1F600}");
    }
}
