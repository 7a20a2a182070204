//! What leaves the process for a person passes here: the terminal (the command line's
//! standard output and error, the log's lines on stderr), the log file, and every command
//! result the window receives. Two rules, applied at these boundaries and nowhere else:
//!
//! - every secret the process knows, in every spelling, is replaced by its marker
//!   ([`oauthdesk_core::secret::redact`]);
//! - text for a terminal carries no control sequence: escape sequences (CSI, OSC, DCS, …)
//!   are removed, and other C0/C1 controls (but newline and tab), DEL and the bidirectional
//!   overrides and isolates become `�`, so no certificate subject, server message or pasted
//!   text can move the cursor, retitle the window, hide a line or reorder what is read.

use oauthdesk_core::{redact_json, redact_text};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A command result for the window: serialized with every known secret redacted in every
/// string, so no command result carries one.
#[derive(Debug)]
pub struct Shown<T>(pub T);

impl<T: Serialize> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        redact_json(&mut value);
        value.serialize(s)
    }
}

/// A secret the person asked to see, after confirming it in a native dialog (see
/// `commands::Revealing`): the one value the window receives unredacted.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Revealed(pub String);

/// Text for a terminal or a log: secrets redacted, control sequences removed.
pub fn for_terminal(text: &str) -> String {
    strip_controls(&redact_text(text))
}

/// A value as `--json` prints it: every string redacted and without control characters.
pub fn json_for_terminal<T: Serialize>(value: &T) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(value)?;
    redact_json(&mut v);
    strip_json(&mut v);
    Ok(v)
}

/// A value printed because it is the secret asked for (`token`): control sequences removed,
/// nothing redacted.
pub fn secret_json_for_terminal<T: Serialize>(value: &T) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(value)?;
    strip_json(&mut v);
    Ok(v)
}

fn strip_json(v: &mut Value) {
    match v {
        Value::String(s) if s.chars().any(is_unsafe) => *s = strip_controls(s),
        Value::Array(items) => items.iter_mut().for_each(strip_json),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                strip_json(&mut v);
                map.insert(strip_controls(&k), v);
            }
        }
        _ => {}
    }
}

/// Whether `c` must not reach a terminal as it is.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The text without escape sequences; other controls (but `\n` and `\t`), DEL and bidi
/// controls replaced by `�`.
pub fn strip_controls(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1B}' => match chars.peek().copied() {
                // CSI: parameters and intermediates, then one final byte.
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                // OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \).
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_string(&mut chars);
                }
                // Any other escape: ESC and the one character after it.
                Some(n) if (' '..='~').contains(&n) => {
                    chars.next();
                }
                _ => {}
            },
            // A line's end written CR LF (PEM, Windows text) is a line's end: it hides nothing.
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            '\u{9B}' => skip_csi(&mut chars),
            '\u{9D}' | '\u{90}' | '\u{98}' | '\u{9E}' | '\u{9F}' => skip_string(&mut chars),
            c if is_unsafe(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&n) = chars.peek() {
        if ('0'..='?').contains(&n) || (' '..='/').contains(&n) {
            chars.next();
        } else {
            if ('@'..='~').contains(&n) {
                chars.next();
            }
            return;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(n) = chars.next() {
        match n {
            '\u{7}' | '\u{9C}' => return,
            '\u{1B}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_control_sequence_survives() {
        let text = "a\u{1b}[31mred\u{1b}[0m b\u{1b}]0;title\u{7} c\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\ d\u{9b}2J e\r\u{8}\u{7f}\u{202e}f\u{2066}g\nh\ti";
        let out = strip_controls(text);
        assert_eq!(out, "ared b clink d e\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}f\u{FFFD}g\nh\ti");
        assert!(!out.chars().any(is_unsafe));
    }

    #[test]
    fn a_line_end_written_cr_lf_stays_and_a_lone_cr_does_not() {
        assert_eq!(strip_controls("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n"), "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n");
        assert_eq!(strip_controls("shown\rhidden\r\n\r"), "shown\u{FFFD}hidden\r\n\u{FFFD}");
    }
}
