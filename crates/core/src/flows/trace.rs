//! The HTTP trace a diagnosis shows and a support report carries. Entries are redacted as
//! they are recorded: every secret, token, code, verifier and Authorization header becomes
//! a marker that keeps only its length and last four characters, so a trace can be pasted
//! into a ticket as it is.

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::redact::Redactor;
use super::token::is_sensitive;
use crate::model::{text, Stage};

/// One request and its answer, redacted.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TraceEntry {
    pub stage: Stage,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub elapsed_ms: u64,
    pub error: Option<String>,
}

/// The most of a body kept in a trace.
pub const BODY_CAP: usize = 4096;

pub use crate::secret::redact::mark;

/// Whether a request parameter or response field carries a credential.
pub fn sensitive_param(key: &str) -> bool {
    is_sensitive(key) || matches!(key.to_ascii_lowercase().as_str(), "code_verifier" | "assertion" | "client_assertion" | "device_code")
}

pub fn redact_params(params: &[(String, String)]) -> Vec<(String, String)> {
    params.iter().map(|(k, v)| (k.clone(), if sensitive_param(k) { mark(v) } else { v.clone() })).collect()
}

pub fn redact_headers<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    headers
        .map(|(k, v)| {
            let v = match k.to_ascii_lowercase().as_str() {
                "authorization" | "proxy-authorization" => match v.split_once(' ') {
                    Some((scheme, cred)) => format!("{scheme} {}", mark(cred)),
                    None => mark(v),
                },
                "cookie" | "set-cookie" => mark(v),
                _ => v.to_string(),
            };
            (k.to_string(), v)
        })
        .collect()
}

/// Response headers shown with their value (each still passes the redactor): what a person
/// needs to read an answer, and ids that correlate it with the provider's logs. Any other
/// header shows its name and a marker instead of its value, so a secret a server echoes in
/// a header of its own is never shown, whatever the header is called.
const SHOWN_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "date",
    "cache-control",
    "pragma",
    "expires",
    "age",
    "vary",
    "server",
    "connection",
    "transfer-encoding",
    "strict-transport-security",
    "www-authenticate",
    "proxy-authenticate",
    "retry-after",
    "location",
    "allow",
    "via",
];

/// Whether a header is a correlation id or a rate limit (`x-request-id`, `request-id`,
/// `x-ms-request-id`, `x-correlation-id`, `x-amzn-trace-id`, `x-ratelimit-remaining`, …).
fn is_correlation(name: &str) -> bool {
    let n = name.trim_start_matches("x-");
    ["request-id", "requestid", "correlation-id", "correlationid", "trace-id", "traceid", "traceparent"].iter().any(|s| n.ends_with(s))
        || n.starts_with("ratelimit")
        || n.starts_with("rate-limit")
}

/// Response headers as a trace, a diagnosis or a test result shows them: allow-listed
/// ([`SHOWN_HEADERS`], correlation ids), `Location` without the values of its query and
/// fragment (where tokens and codes travel), and every value through `red`.
pub fn response_headers<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>, red: &Redactor) -> Vec<(String, String)> {
    headers
        .map(|(k, v)| {
            let name = k.to_ascii_lowercase();
            let shown = if name == "location" {
                red.text(&without_parameters(v))
            } else if SHOWN_HEADERS.contains(&name.as_str()) || is_correlation(&name) {
                red.text(v)
            } else {
                mark(v)
            };
            (k.to_string(), shown)
        })
        .collect()
}

/// A URL with the value of each query and fragment parameter replaced by its marker.
pub fn without_parameters(url: &str) -> String {
    let Some((base, rest)) = url.find(['?', '#']).and_then(|at| url.split_at_checked(at)) else { return url.to_string() };
    let mut out = base.to_string();
    let flush = |out: &mut String, pair: &str| match pair.split_once('=') {
        Some((key, value)) if !value.is_empty() => {
            out.push_str(key);
            out.push('=');
            out.push_str(&mark(value));
        }
        _ => out.push_str(pair),
    };
    let mut pair = String::new();
    for c in rest.chars() {
        if matches!(c, '?' | '#' | '&' | ';') {
            flush(&mut out, &pair);
            pair.clear();
            out.push(c);
        } else {
            pair.push(c);
        }
    }
    flush(&mut out, &pair);
    out
}

/// Redacts credential fields of a JSON document, at any depth.
pub fn redact_json(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if sensitive_param(k) {
                    if let Some(s) = val.as_str() {
                        *val = Value::String(mark(s));
                        continue;
                    }
                    if val.is_number() {
                        *val = Value::String(mark(&val.to_string()));
                        continue;
                    }
                }
                redact_json(val);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A body for the trace: JSON redacted field by field, then any text through `red` (the
/// request's own secrets, credential-like keys in forms and headers); cut to [`BODY_CAP`].
pub fn body(bytes: &[u8], red: &Redactor) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let text = match serde_json::from_slice::<Value>(bytes) {
        Ok(mut json) => {
            redact_json(&mut json);
            serde_json::to_string_pretty(&json).unwrap_or_default()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    Some(cut(&red.text(&text)))
}

fn cut(s: &str) -> String {
    if s.len() <= BODY_CAP {
        return s.to_string();
    }
    // Cut before a redaction marker the cap would halve.
    let keep = crate::secret::redact::whole_marks(text::cut_bytes_at_char_boundary(s, BODY_CAP)).len();
    text::preview(s, keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_headers_are_shown_only_when_allowed_and_locations_lose_their_parameters() {
        let red = Redactor::default();
        let h = response_headers(
            [
                ("Content-Type", "application/json"),
                ("X-Request-Id", "req-42"),
                ("X-Echo", "anything-at-all-here"),
                ("Location", "https://app.example.com/cb?code=abc123&state=xyz#access_token=tok-0123456789"),
                ("WWW-Authenticate", "Bearer error=\"invalid_token\""),
            ]
            .into_iter(),
            &red,
        );
        assert_eq!(h[0].1, "application/json");
        assert_eq!(h[1].1, "req-42");
        assert_eq!(h[2].1, "[redacted: 20 chars, ends …here]");
        assert_eq!(
            h[3].1,
            "https://app.example.com/cb?code=[redacted: 6 chars]&state=[redacted: 3 chars]#access_token=[redacted: 14 chars, ends …6789]"
        );
        assert_eq!(h[4].1, "Bearer error=\"invalid_token\"");
        assert_eq!(without_parameters("https://a.example/p"), "https://a.example/p");
        assert_eq!(without_parameters("/p?x&y=é"), "/p?x&y=[redacted: 1 chars]");
    }

    #[test]
    fn markers_keep_only_length_and_last_four() {
        assert_eq!(mark("abcdefghijklmnop"), "[redacted: 16 chars, ends …mnop]");
        assert_eq!(mark("short"), "[redacted: 5 chars]");
        let p = redact_params(&[("client_secret".into(), "s3cr3t-value-123".into()), ("grant_type".into(), "client_credentials".into())]);
        assert_eq!(p[0].1, "[redacted: 16 chars, ends …-123]");
        assert_eq!(p[1].1, "client_credentials");
        let h = redact_headers([("Authorization", "Basic Y2xpZW50OnNlY3JldA=="), ("Accept", "application/json")].into_iter());
        assert_eq!(h[0].1, "Basic [redacted: 20 chars, ends …dA==]");
        let mut j = serde_json::json!({"access_token": "tok-0123456789abcdef", "nested": {"refresh_token": "r"}, "scope": "api"});
        redact_json(&mut j);
        assert_eq!(j["access_token"], "[redacted: 20 chars, ends …cdef]");
        assert_eq!(j["nested"]["refresh_token"], "[redacted: 1 chars]");
        assert_eq!(j["scope"], "api");
    }
}
