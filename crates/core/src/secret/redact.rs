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

/// A PEM's base64 body (its `-----BEGIN …-----` and header lines left out).
fn pem_body(value: &str) -> String {
    value.lines().map(str::trim).filter(|l| !l.starts_with("-----") && !l.contains(':')).collect::<Vec<_>>().join("\n")
}

/// One remembered window of a spelling: which spelling, where, and the next window with
/// the same hash (`u32::MAX` for none).
#[derive(Clone, Copy)]
struct Link {
    pattern: u32,
    pos: u32,
    next: u32,
}

/// Hashes that are already well mixed go straight into the map.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[derive(Default)]
struct Registry {
    hasher: RandomState,
    /// Hashes of the values and spellings already known, so each is added once.
    values: HashSet<u64>,
    spellings: HashSet<u64>,
    /// Spellings of [`MIN_RUN`] bytes or more, and their remembered windows.
    long: Vec<Box<[u8]>>,
    windows: HashMap<u64, u32, BuildHasherDefault<Identity>>,
    links: Vec<Link>,
    /// Shorter spellings (and keys' PEM bodies), matched whole; the matcher is made again
    /// when they change.
    short: Vec<Box<[u8]>>,
    matcher: RwLock<Option<Arc<AhoCorasick>>>,
}

impl Registry {
    fn is_empty(&self) -> bool {
        self.long.is_empty() && self.short.is_empty()
    }

    fn add_value(&mut self, value: &[u8]) {
        if !self.values.insert(self.hasher.hash_one(value)) {
            return;
        }
        // As the canonical text shows the value written raw (all its escape-like sequences
        // decoded), and written in one encoding: that encoding's own sequences kept as they
        // are (the encoding escaped them), the other kinds decoded.
        for kinds in [ALL, 0, ALL & !PERCENT, ALL & !JSON, ALL & !HTML] {
            self.add_spelling(&canonical_with(value, kinds).0, STEP);
        }
        // Base64 and base64url, at each alignment inside a longer base64 text: the characters
        // that depend only on the value's own bytes.
        for engine in [&base64::engine::general_purpose::STANDARD_NO_PAD, &base64::engine::general_purpose::URL_SAFE_NO_PAD] {
            for shift in 0..3usize {
                let mut bytes = vec![0u8; shift];
                bytes.extend_from_slice(value);
                let encoded = engine.encode(&bytes);
                let skip = [0, 2, 3].get(shift).copied().unwrap_or(0);
                let end = if bytes.len() % 3 == 0 { encoded.len() } else { encoded.len().saturating_sub(1) };
                if shift == 0 {
                    self.add_spelling(encoded.as_bytes(), STEP_B64); // whole, for short values
                }
                if let Some(core) = encoded.as_bytes().get(skip..end) {
                    if core.len() >= MIN_RUN {
                        self.add_spelling(core, STEP_B64);
                    }
                }
            }
        }
    }

    /// Adds one spelling as the canonical text shows it (with `+` read as a space).
    fn add_spelling(&mut self, spelling: &[u8], step: usize) {
        let canon = plus_as_space(spelling);
        let trimmed = canon.as_slice();
        if trimmed.len() < MIN_VALUE || !self.spellings.insert(self.hasher.hash_one(trimmed)) {
            return;
        }
        if trimmed.len() < MIN_RUN {
            self.short.push(trimmed.into());
            *self.matcher.write().unwrap_or_else(|p| p.into_inner()) = None;
            return;
        }
        let Ok(pattern) = u32::try_from(self.long.len()) else { return };
        let last = trimmed.len() - WINDOW;
        let mut positions: Vec<usize> = (0..=last).step_by(step).collect();
        if positions.last() != Some(&last) {
            positions.push(last);
        }
        for pos in positions {
            let (Some(w), Ok(pos32), Ok(index)) = (trimmed.get(pos..pos + WINDOW), u32::try_from(pos), u32::try_from(self.links.len()))
            else {
                continue;
            };
            let hash = window_hash(w);
            let head = self.windows.get(&hash).copied();
            // A window many spellings share (a run of one repeated character) is kept for a
            // few of them only, so no text can make a scan walk a long chain.
            if self.chain_len(head) >= MAX_CHAIN {
                continue;
            }
            self.windows.insert(hash, index);
            self.links.push(Link { pattern, pos: pos32, next: head.unwrap_or(u32::MAX) });
        }
        self.long.push(trimmed.into());
    }

    fn chain_len(&self, mut link: Option<u32>) -> usize {
        let mut n = 0;
        while let Some(l) = link.and_then(|i| self.links.get(i as usize)) {
            n += 1;
            if n >= MAX_CHAIN {
                break;
            }
            link = Some(l.next);
        }
        n
    }

    /// Adds a spelling matched only whole, whatever its length.
    fn add_whole(&mut self, spelling: &[u8]) {
        if spelling.len() >= MIN_RUN && self.spellings.insert(self.hasher.hash_one(spelling)) {
            self.short.push(spelling.into());
            *self.matcher.write().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }

    /// The matcher of the short spellings, made when first needed after a change.
    fn short_matcher(&self) -> Option<Arc<AhoCorasick>> {
        if self.short.is_empty() {
            return None;
        }
        if let Some(m) = self.matcher.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
            return Some(m.clone());
        }
        let built = Arc::new(AhoCorasick::new(&self.short).ok()?);
        *self.matcher.write().unwrap_or_else(|p| p.into_inner()) = Some(built.clone());
        Some(built)
    }

    /// The spans of `text` (byte offsets, on char boundaries, sorted and merged) that spell
    /// a known value or a long enough run of one.
    fn spans(&self, text: &str, short: Option<&AhoCorasick>) -> Vec<(usize, usize)> {
        let (canon, origin) = canonical(text.as_bytes());
        let mut found: Vec<(usize, usize)> = Vec::new();
        if let Some(ac) = short {
            for m in ac.find_overlapping_iter(canon.as_slice()) {
                let (s, e) = (m.start(), m.end());
                if e - s >= BOUNDED_BELOW || (!joins(&canon, s, true) && !joins(&canon, e, false)) {
                    found.push((s, e));
                }
            }
        }
        if !self.long.is_empty() && canon.len() >= WINDOW {
            let mut covered = 0; // canonical bytes up to here are already in a found run
            for t in 0..=canon.len() - WINDOW {
                let Some(w) = canon.get(t..t + WINDOW) else { break };
                let Some(&head) = self.windows.get(&window_hash(w)) else { continue };
                if t + WINDOW <= covered {
                    continue;
                }
                let mut link = head;
                while let Some(l) = self.links.get(link as usize) {
                    link = l.next;
                    let Some(p) = self.long.get(l.pattern as usize) else { continue };
                    let pos = l.pos as usize;
                    if p.get(pos..pos + WINDOW) != Some(w) {
                        continue;
                    }
                    // Grow the run both ways while text and spelling agree.
                    let mut back = 0;
                    while back < pos && back < t && canon.get(t - back - 1) == p.get(pos - back - 1) {
                        back += 1;
                    }
                    let mut fwd = WINDOW;
                    while pos + fwd < p.len() && canon.get(t + fwd).is_some() && canon.get(t + fwd) == p.get(pos + fwd) {
                        fwd += 1;
                    }
                    if back + fwd >= MIN_RUN || back + fwd == p.len() {
                        found.push((t - back, t + fwd));
                        covered = covered.max(t + fwd);
                    }
                }
            }
        }
        // Back to the text as written, whole characters, merged.
        let mut spans: Vec<(usize, usize)> = found
            .into_iter()
            .filter_map(|(s, e)| {
                let start = origin.get(s)?.0;
                let end = origin.get(e.checked_sub(1)?)?.1;
                Some((floor_char(text, start), ceil_char(text, end)))
            })
            .collect();
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
        for (s, e) in spans {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }
}

/// Whether the match edge at `at` continues a word: the byte outside the match and the one
/// inside are both letters or digits.
fn joins(canon: &[u8], at: usize, start: bool) -> bool {
    let (outside, inside) = if start { (at.checked_sub(1), Some(at)) } else { (Some(at), at.checked_sub(1)) };
    let word = |i: Option<usize>| i.and_then(|i| canon.get(i)).is_some_and(|b| b.is_ascii_alphanumeric());
    word(outside) && word(inside)
}

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A hash of one window, mixed enough to index the map directly.
fn window_hash(w: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    let mut b = [0u8; 8];
    for (i, byte) in w.iter().enumerate() {
        match a.get_mut(i) {
            Some(slot) => *slot = *byte,
            None => {
                if let Some(slot) = b.get_mut(i - 8) {
                    *slot = *byte;
                }
            }
        }
    }
    let (a, b) = (u64::from_le_bytes(a), u64::from_le_bytes(b));
    let mut h = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F).rotate_left(31);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 32)
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
