//! The one redactor: every secret and token value this process has held, in every spelling a
//! server, a log line or a person may write it in, is replaced by a marker wherever it
//! appears in text that leaves the process (history, log, terminal, `--json`, reports, the
//! window's command results, exports).
//!
//! Values come in by construction: every secret type ([`super::Secret`] and the role types)
//! registers its value when it is made, so a value read from the store, received from a
//! provider or typed by the user is known before any text about it can be written. What it
//! knows is kept for the life of the process.
//!
//! How a value is recognised in a text:
//!
//! - the text is first read in a *canonical* spelling: `%XX` (either case), `+` and `%20`
//!   for spaces, JSON escapes (`\"`, `\/`, `\uXXXX`), HTML entities (`&amp;`, `&#47;`,
//!   `&#x2F;`, `&quot;`, …) are decoded, and `+` counts as a space; each canonical byte
//!   remembers where it came from, so what is replaced is the text as written;
//! - each value is known canonically, as it is, and in base64 and base64url (with and
//!   without padding, at each of the three alignments it can have inside a longer base64
//!   text), and a client's HTTP Basic pair in the ways clients send it;
//! - a value of [`MIN_RUN`] or more canonical bytes is found by any run of [`MIN_RUN`] bytes
//!   of one of its spellings (a truncated echo, a JWT's signature segment alone); a shorter
//!   value only whole, and one under 12 bytes only where it is not part of a longer word;
//! - values under [`MIN_VALUE`] characters are not known here (replacing them everywhere
//!   would mangle ordinary text): credential-shaped keys catch those (`flows::redact::keyed`).
//!
//! Each match becomes a marker written by [`mark`]: `[redacted: N chars, ends …abcd]`.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock, RwLock};

use aho_corasick::AhoCorasick;

use super::canonical::{canonical, canonical_with, plus_as_space, ALL, HTML, JSON, PERCENT};
use base64::Engine as _;

#[path = "registry.rs"]
mod registry;
use registry::{pem_body, Registry};

/// Values shorter than this (in characters) are left to the key-based pass.
pub const MIN_VALUE: usize = 6;
/// Bytes hashed at once when looking for runs of a value's spelling.
const WINDOW: usize = 12;
/// Every STEP-th window of a spelling is remembered: any run of `WINDOW + STEP - 1` bytes
/// holds one of them.
const STEP: usize = 4;
/// Base64 spellings are remembered more sparsely (they are longer, and there are six).
const STEP_B64: usize = 8;
/// The shortest run of a spelling that is redacted on its own.
pub const MIN_RUN: usize = WINDOW + STEP - 1;
/// The most spellings remembered under one window.
const MAX_CHAIN: usize = 64;
/// Spellings shorter than this are matched only at word boundaries.
const BOUNDED_BELOW: usize = 12;

/// `[redacted: 40 chars, ends …ab12]`; short values keep no characters at all.
pub fn mark(value: &str) -> String {
    let n = value.chars().count();
    if n < 12 {
        format!("[redacted: {n} chars]")
    } else {
        let tail: String = value.chars().skip(n - 4).collect();
        format!("[redacted: {n} chars, ends …{tail}]")
    }
}

/// How every marker [`mark`] writes begins.
const MARK_OPEN: &str = "[redacted: ";

/// `cut` (the start of a longer text) without a marker cut in half at its end: a marker
/// the cut went through is left out whole, so a shortened text never shows `[redacted: 4`.
pub fn whole_marks(cut: &str) -> &str {
    let Some(open) = cut.rfind('[') else { return cut };
    let tail = cut.get(open..).unwrap_or_default();
    let partial = !tail.contains(']') && (MARK_OPEN.starts_with(tail) || tail.starts_with(MARK_OPEN));
    if partial {
        cut.get(..open).unwrap_or_default()
    } else {
        cut
    }
}

/// Registers a secret value: from now on it is redacted in every spelling wherever text
/// leaves the process. A PEM is known by its body (its armor lines are no secret).
///
/// A JSON document (a keyring item holding a cached token) is not known whole: its runs
/// would match any JSON with the same keys. The values in it become known when they are
/// read into their own secret types.
pub fn register(value: &str) {
    let trimmed = value.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('[')) && serde_json::from_str::<serde_json::Value>(value).is_ok() {
        return;
    }
    if trimmed.starts_with("-----BEGIN") {
        // A key's PEM holds its public half too, which its certificate repeats: it is known
        // whole (its body, in any spelling), never by its runs, so a certificate stays shown.
        let body = pem_body(value);
        return with_registry(|r| {
            for kinds in [ALL, 0, ALL & !PERCENT, ALL & !JSON, ALL & !HTML] {
                r.add_whole(&plus_as_space(&canonical_with(body.as_bytes(), kinds).0));
            }
        });
    }
    if value.trim().chars().count() < MIN_VALUE || is_vocabulary(value.trim()) {
        return;
    }
    with_registry(|r| r.add_value(value.as_bytes()));
}

/// Words of the protocol itself, never a credential whatever field they were found in (a
/// grant type, a token type or hint, an assertion type): known as secrets, they would hide
/// every answer that names them.
fn is_vocabulary(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "access_token",
        "refresh_token",
        "id_token",
        "client_credentials",
        "authorization_code",
        "Bearer",
        "bearer",
        "DPoP",
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ];
    WORDS.contains(&value) || value.starts_with("urn:ietf:params:oauth:")
}

/// Registers the HTTP Basic credentials of `client_id` and `secret` as clients send them:
/// both form-encoded first (RFC 6749 §2.3.1) or raw, padded or not.
pub fn register_basic(client_id: &str, secret: &str) {
    register(secret);
    if secret.chars().count() < MIN_VALUE {
        return;
    }
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    with_registry(|r| {
        for pair in [format!("{}:{}", form(client_id), form(secret)), format!("{client_id}:{secret}")] {
            for engine in [&base64::engine::general_purpose::STANDARD, &base64::engine::general_purpose::URL_SAFE] {
                r.add_spelling(engine.encode(pair.as_bytes()).as_bytes(), STEP_B64);
            }
        }
    });
}

/// The text with every known value, in every spelling, replaced by its marker.
pub fn text(text: &str) -> String {
    if text.len() < MIN_VALUE {
        return text.to_string();
    }
    let spans = {
        let r = registry();
        if r.is_empty() {
            return text.to_string();
        }
        let short = r.short_matcher();
        r.spans(text, short.as_deref())
    };
    replace(text, spans)
}

/// Every string in a JSON document (keys too) redacted, so the document stays well-formed.
pub fn json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let red = text(s);
            if red != *s {
                *s = red;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                json(&mut v);
                map.insert(text(&k), v);
            }
        }
        _ => {}
    }
}

/// How many values are known (for tests).
#[cfg(any(test, feature = "test-support"))]
pub fn known() -> usize {
    registry().values.len()
}

fn registry() -> std::sync::RwLockReadGuard<'static, Registry> {
    REGISTRY.read().unwrap_or_else(|p| p.into_inner())
}

fn with_registry(f: impl FnOnce(&mut Registry)) {
    let mut r = REGISTRY.write().unwrap_or_else(|p| p.into_inner());
    f(&mut r);
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(|| RwLock::new(Registry::default()));

/// Replaces each span (byte offsets on char boundaries, sorted, merged) with its marker.
fn replace(text: &str, spans: Vec<(usize, usize)>) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        out.push_str(text.get(at..s).unwrap_or_default());
        out.push_str(&mark(text.get(s..e).unwrap_or_default()));
        at = e;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_keep_only_length_and_last_four() {
        assert_eq!(mark("abcdefghijklmnop"), "[redacted: 16 chars, ends …mnop]");
        assert_eq!(mark("short"), "[redacted: 5 chars]");
    }

    #[test]
    fn short_values_only_where_they_are_words() {
        register("Zq7xW2");
        assert_eq!(text("secret Zq7xW2."), "secret [redacted: 6 chars].");
        assert_eq!(text("aZq7xW2b"), "aZq7xW2b");
        register("ab");
        assert_eq!(text("ab cd"), "ab cd");
    }
}
