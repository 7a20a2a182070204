//! What the redactor knows and how it finds it: each value's spellings, the long ones
//! remembered as hashed windows of their bytes (so any run of [`MIN_RUN`] bytes of one is
//! found), the short ones matched whole by one Aho-Corasick automaton.

use super::*;

/// A PEM's base64 body (its `-----BEGIN …-----` and header lines left out).
pub(super) fn pem_body(value: &str) -> String {
    value.lines().map(str::trim).filter(|l| !l.starts_with("-----") && !l.contains(':')).collect::<Vec<_>>().join("\n")
}

/// One remembered window of a spelling: which spelling, where, and the next window with
/// the same hash (`u32::MAX` for none).
#[derive(Clone, Copy)]
pub(super) struct Link {
    pattern: u32,
    pos: u32,
    next: u32,
}

/// Hashes that are already well mixed go straight into the map.
#[derive(Default)]
pub(super) struct Identity(u64);

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
pub(super) struct Registry {
    hasher: RandomState,
    /// Hashes of the values and spellings already known, so each is added once.
    pub(super) values: HashSet<u64>,
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
    pub(super) fn is_empty(&self) -> bool {
        self.long.is_empty() && self.short.is_empty()
    }

    pub(super) fn add_value(&mut self, value: &[u8]) {
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
    pub(super) fn add_spelling(&mut self, spelling: &[u8], step: usize) {
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

    pub(super) fn chain_len(&self, mut link: Option<u32>) -> usize {
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
    pub(super) fn add_whole(&mut self, spelling: &[u8]) {
        if spelling.len() >= MIN_RUN && self.spellings.insert(self.hasher.hash_one(spelling)) {
            self.short.push(spelling.into());
            *self.matcher.write().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }

    /// The matcher of the short spellings, made when first needed after a change.
    pub(super) fn short_matcher(&self) -> Option<Arc<AhoCorasick>> {
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
    pub(super) fn spans(&self, text: &str, short: Option<&AhoCorasick>) -> Vec<(usize, usize)> {
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
pub(super) fn joins(canon: &[u8], at: usize, start: bool) -> bool {
    let (outside, inside) = if start { (at.checked_sub(1), Some(at)) } else { (Some(at), at.checked_sub(1)) };
    let word = |i: Option<usize>| i.and_then(|i| canon.get(i)).is_some_and(|b| b.is_ascii_alphanumeric());
    word(outside) && word(inside)
}

pub(super) fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub(super) fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A hash of one window, mixed enough to index the map directly.
pub(super) fn window_hash(w: &[u8]) -> u64 {
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
