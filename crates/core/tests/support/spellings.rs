//! Every way a secret may be written where OAuth Desk could show it, made independently of
//! the redactor: the tests that check it shares nothing with it but the values.
#![allow(dead_code)]

use base64::Engine as _;

const UNRESERVED: &[u8] = b"-._~";

fn percent(v: &str, lower: bool, space: &str, keep: &[u8]) -> String {
    let mut out = String::new();
    for &b in v.as_bytes() {
        if b.is_ascii_alphanumeric() || UNRESERVED.contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push_str(space);
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn html(v: &str, style: u8) -> String {
    let mut out = String::new();
    for c in v.chars() {
        match (c, style) {
            ('&', 0) => out.push_str("&amp;"),
            ('"', 0) => out.push_str("&quot;"),
            ('<', 0) => out.push_str("&lt;"),
            ('>', 0) => out.push_str("&gt;"),
            ('\'', 0) => out.push_str("&#39;"),
            (c, 1) if !c.is_ascii_alphanumeric() => out.push_str(&format!("&#{};", c as u32)),
            (c, 2) if !c.is_ascii_alphanumeric() => out.push_str(&format!("&#x{:X};", c as u32)),
            (c, 3) if !c.is_ascii_alphanumeric() => out.push_str(&format!("&#x{:x};", c as u32)),
            (c, _) => out.push(c),
        }
    }
    out
}

fn json_ascii(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out
}

/// The spellings of a value: raw, form, percent (both cases, `%20` and `+`, JavaScript's
/// set), JSON (as serde writes it, `\/`-escaped, ASCII-only), HTML entities (named, decimal,
/// hex in both cases), base64 and base64url with and without padding.
pub fn of(v: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
    let json = serde_json::to_string(v).unwrap_or_default().trim_matches('"').to_string();
    let b64 = |e: &base64::engine::GeneralPurpose| e.encode(v.as_bytes());
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut all = vec![
        v.to_string(),
        form.clone(),
        form.to_lowercase_percent(),
        percent(v, false, "%20", b""),
        percent(v, true, "%20", b""),
        percent(v, false, "+", b""),
        percent(v, true, "%20", b"!'()*"),
        json.clone(),
        json.replace('/', "\\/"),
        json_ascii(v),
        html(v, 0),
        html(v, 1),
        html(v, 2),
        html(v, 3),
        b64(&STANDARD),
        b64(&STANDARD_NO_PAD),
        b64(&URL_SAFE),
        b64(&URL_SAFE_NO_PAD),
    ];
    all.sort();
    all.dedup();
    all
}

/// The HTTP Basic pairs of a client: form-encoded and raw, padded and not, both alphabets.
pub fn basic(client_id: &str, secret: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut all = Vec::new();
    for pair in [format!("{}:{}", form(client_id), form(secret)), format!("{client_id}:{secret}")] {
        for e in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            all.push(e.encode(pair.as_bytes()));
        }
    }
    all
}

/// Parts long enough to name a value: its first and last 24 characters (a truncated echo),
/// and for a JWT its signature segment alone.
pub fn parts(v: &str) -> Vec<String> {
    let chars: Vec<char> = v.chars().collect();
    let mut all = Vec::new();
    if chars.len() >= 28 {
        all.push(chars[..24].iter().collect());
        all.push(chars[chars.len() - 24..].iter().collect());
    }
    if let Some(sig) = v.rsplit('.').next().filter(|s| s.len() >= 16 && v.matches('.').count() == 2) {
        all.push(sig.to_string());
    }
    all
}

trait LowerPercent {
    fn to_lowercase_percent(&self) -> String;
}

impl LowerPercent for String {
    /// `%2F` → `%2f`, the rest as it is.
    fn to_lowercase_percent(&self) -> String {
        let mut out = String::new();
        let mut left = 0;
        for c in self.chars() {
            if c == '%' {
                left = 2;
                out.push(c);
            } else if left > 0 {
                left -= 1;
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// The text with every redaction marker taken out (a marker may end with a value's last
/// four characters).
pub fn without_markers(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("[redacted:") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find(']').map(|j| &rest[i + j + 1..]).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// What of `needles` `text` (markers taken out) still shows, for an assertion message.
pub fn survivors<'a>(text: &str, needles: &'a [String]) -> Vec<&'a String> {
    let clean = without_markers(text);
    needles.iter().filter(|n| n.chars().count() >= 6 && clean.contains(n.as_str())).collect()
}
