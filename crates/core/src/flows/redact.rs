//! Redaction of text built from what a server sent back: error messages and previews,
//! provider descriptions, trace bodies and headers, test-call bodies. A server may echo the
//! request (the form body in a 400, the headers as JSON in a 500), answer in a form
//! encoding, or put a token in a number; whatever it does, three passes remove the secrets:
//!
//! 1. every value this request sent or received that is secret (the client secret, its
//!    Basic credentials as sent, tokens, codes, verifiers), wherever it appears, also
//!    form-encoded or JSON-escaped, down to four characters;
//! 2. every secret the process knows, in every spelling ([`crate::secret::redact`], the one
//!    redactor every boundary of the process applies);
//! 3. any value under a credential-like key (`access_token`, `client_secret`, `code`,
//!    `Authorization`, …) in JSON, form-encoded or header-shaped text, strings and numbers.
//!
//! Each removed value becomes a marker that keeps only its length (and, when long, its last
//! four characters), as [`mark`] writes it.

use base64::Engine as _;

use crate::error::Error;
use crate::secret::redact::mark;

/// Keys whose values are credentials in any answer. `code` is one only when its value is
/// a string (an HTTP-like `"code": 404` stays).
const KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "assertion",
    "client_secret",
    "client_assertion",
    "code_verifier",
    "authorization",
    "proxy-authorization",
    "password",
    "device_code",
    "code",
];

/// What to remove from texts about one request.
#[derive(Default, Clone)]
pub struct Redactor {
    values: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} values)", self.values.len())
    }
}

fn form_encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Redactor {
    /// Adds a secret value (and its form-encoded spelling). Values under four characters
    /// are left to the key-based pass: replacing them everywhere would mangle the text.
    pub fn value(&mut self, v: &str) -> &mut Self {
        crate::secret::redact::register(v);
        if v.chars().count() >= 4 {
            for s in [v.to_string(), form_encoded(v), serde_json::Value::String(v.to_string()).to_string().trim_matches('"').to_string()] {
                if !self.values.contains(&s) {
                    self.values.push(s);
                }
            }
            self.values.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
        self
    }

    /// Adds the Basic credentials of `client_id` and `secret` in the encodings a client
    /// sends them (RFC 6749 §2.3.1 form-encodes both before base64; some send them raw).
    pub fn basic(&mut self, client_id: &str, secret: &str) -> &mut Self {
        let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
        let encoded = b64(format!("{}:{}", form_encoded(client_id), form_encoded(secret)));
        let raw = b64(format!("{client_id}:{secret}"));
        crate::secret::redact::register_basic(client_id, secret);
        self.value(secret).value(&encoded).value(&raw)
    }

    /// The text with every secret removed.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), &mark(v));
            }
        }
        scrub(&out)
    }

    /// The error with every text in it redacted.
    pub fn error(&self, e: Error) -> Error {
        match e {
            Error::OAuth { stage, status, error, description } => {
                Error::OAuth { stage, status, error: self.text(&error), description: description.map(|d| self.text(&d)) }
            }
            Error::BadResponse { stage, status, kind, message } => Error::BadResponse { stage, status, kind, message: self.text(&message) },
            Error::Network { stage, host, detail } => Error::Network { stage, host, detail: self.text(&detail) },
            Error::Denied { error, description } => {
                Error::Denied { error: self.text(&error), description: description.map(|d| self.text(&d)) }
            }
            other => other,
        }
    }
}

/// Text from outside with every known secret (in any spelling) and every value under a
/// credential-like key removed: passes 2 and 3, for text about no particular request.
pub fn scrub(text: &str) -> String {
    keyed(&crate::secret::redact::text(text))
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Removes values under credential-like keys: `"key": "v"`, `"key": 123`, `key=v`,
/// `Key: v` (to the end of the line), in any case, however the text was cut.
pub fn keyed(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for key in KEYS {
        let mut from = 0;
        while let Some(found) = lower.get(from..).and_then(|rest| rest.find(key)) {
            let start = from + found;
            let end = start + key.len();
            from = end;
            let before_ok = !lower.get(..start).and_then(|b| b.chars().next_back()).is_some_and(is_word);
            let after_ok = !lower.get(end..).and_then(|a| a.chars().next()).is_some_and(is_word);
            if !(before_ok && after_ok) {
                continue;
            }
            // A value already redacted (a text that passes twice) stays as it is.
            if let Some(span) = value_after(text, end, key).filter(|&(s, _)| !text.get(s..).is_some_and(|t| t.starts_with("[redacted"))) {
                cuts.push(span);
            }
        }
    }
    if cuts.is_empty() {
        return text.to_string();
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in cuts {
        if s < at {
            continue; // inside a value already cut
        }
        // Spans come from `value_after`, which keeps only character boundaries.
        out.push_str(text.get(at..s).unwrap_or_default());
        out.push_str(&mark(text.get(s..e).unwrap_or_default()));
        at = e;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// Whether a value under `code` reads as a provider's error code rather than an
/// authorization code: digits only (at most 12), letters then digits (`E0000011`,
/// `AADSTS50011`), or words without digits (`invalid_grant`, `INVALID_SESSION_ID`,
/// `InvalidAuthenticationToken`: each word at least three letters, or capitals between
/// separators). An authorization code is
/// random, and so nearly always mixes digits in or breaks into short words; the codes this
/// process sent are known whole anyway (passes 1 and 2).
fn is_provider_code(v: &str) -> bool {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
        return false;
    }
    if digits == v.len() {
        return v.len() <= 12;
    }
    let letters = v.bytes().take_while(u8::is_ascii_uppercase).count();
    if digits > 0 {
        return (1..=8).contains(&letters) && letters + digits == v.len();
    }
    // Words: split at separators and where a lowercase letter meets an uppercase one.
    let mut words: Vec<String> = Vec::new();
    let mut prev_lower = false;
    for c in v.chars() {
        if !c.is_ascii_alphabetic() {
            words.push(String::new());
            prev_lower = false;
            continue;
        }
        if words.is_empty() || (prev_lower && c.is_ascii_uppercase()) {
            words.push(String::new());
        }
        if let Some(w) = words.last_mut() {
            w.push(c);
        }
        prev_lower = c.is_ascii_lowercase();
    }
    // `ID` in `INVALID_SESSION_ID`: a short word is one only between separators, in capitals.
    let separated = v.contains(['_', '-', '.']);
    words.iter().filter(|w| !w.is_empty()).all(|w| w.len() >= 3 || (separated && w.bytes().all(|b| b.is_ascii_uppercase())))
}

/// The span of the value after a key ending at `end`: past a closing quote, spaces, and
/// one `:` or `=`; a quoted string, or else a run up to a delimiter (a header's value runs
/// to the end of its line).
fn value_after(text: &str, end: usize, key: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = end;
    if matches!(bytes.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let sep = *bytes.get(i)?;
    if sep != b':' && sep != b'=' {
        return None;
    }
    i += 1;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match bytes.get(i)? {
        q @ (b'"' | b'\'') => {
            let start = i + 1;
            let mut j = start;
            while let Some(&b) = bytes.get(j).filter(|&b| b != q) {
                j += if b == b'\\' { 2 } else { 1 };
            }
            let j = j.min(bytes.len());
            // A provider's error code (`"code": "InvalidAuthenticationToken"`, `"124"`,
            // `"E0000011"`) is no grant: only a value that could be one is removed.
            let provider_code = key == "code" && sep == b':' && text.get(start..j).is_some_and(is_provider_code);
            (j > start && !provider_code).then_some((start, j))
        }
        _ if key == "code" && sep == b':' => None, // `"code": 404` is a status, not a grant
        _ => {
            let header = sep == b':' && (key == "authorization" || key == "proxy-authorization");
            let stop: &[u8] = if header { b"\r\n" } else { b"&,;}] \t\r\n\"'<" };
            let j = bytes.get(i..).and_then(|rest| rest.iter().position(|b| stop.contains(b))).map_or(bytes.len(), |p| i + p);
            (j > i && text.is_char_boundary(i) && text.is_char_boundary(j)).then_some((i, j))
        }
    }
    .filter(|&(s, e)| text.is_char_boundary(s) && text.is_char_boundary(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(r: &Redactor, text: &str, secrets: &[&str]) {
        let out = r.text(text);
        for s in secrets {
            assert!(!out.contains(s), "{s} left in {out}");
        }
    }

    #[test]
    fn echoed_requests_lose_every_secret() {
        let mut r = Redactor::default();
        r.basic("my client", "s3cr3t/value+1");
        let basic = base64::engine::general_purpose::STANDARD.encode("my+client:s3cr3t%2Fvalue%2B1");
        clean(&r, "grant_type=client_credentials&client_id=c&client_secret=s3cr3t%2Fvalue%2B1", &["s3cr3t"]);
        clean(&r, &format!(r#"{{"headers":{{"authorization":"Basic {basic}","accept":"application/json"}}}}"#), &[&basic]);
        clean(&r, &format!("Authorization: Basic {basic}\r\nAccept: */*"), &[&basic]);
        clean(&r, "you sent s3cr3t/value+1 which is wrong", &["s3cr3t"]);
    }

    #[test]
    fn values_under_credential_keys_go_in_json_forms_and_headers() {
        let r = Redactor::default();
        for (text, secret) in [
            (r#"{"access_token": "tok-123456789", "scope": "api"}"#, "tok-123456789"),
            (r#"{"access_token": 98765432109876, "expires_in": 60}"#, "98765432109876"),
            (r#"{"data": {"refresh_token":"rt-abcdefgh"}}"#, "rt-abcdefgh"),
            ("access_token=gho_16charsxxxxxxx&scope=repo", "gho_16charsxxxxxxx"),
            ("code=SplxlOBeZQQYbYS6WxSbIA&state=xyz", "SplxlOBeZQQYbYS6WxSbIA"),
            ("PASSWORD='hunter22'", "hunter22"),
            (r#"{"id_token":"eyJhbGciOi.eyJzdWIi.c2ln"#, "eyJhbGciOi.eyJzdWIi.c2ln"),
        ] {
            clean(&r, text, &[secret]);
        }
        let kept = r.text(r#"{"code": 404, "error_code": "E1", "scope": "api", "token_type": "Bearer"}"#);
        assert_eq!(kept, r#"{"code": 404, "error_code": "E1", "scope": "api", "token_type": "Bearer"}"#);
    }

    #[test]
    fn a_providers_code_and_ids_survive_while_grants_go() {
        let r = Redactor::default();
        for kept in [
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}"#,
            r#"{"code":"124","message":"Invalid access token."}"#,
            r#"{"code": "E0000011", "errorId": "oae8iYMZ0ZAR9mD4nTxRQ3i0A"}"#,
            r#"{"code":"AADSTS7000215","trace_id":"0a1b2c3d-4e5f-6789-abcd-ef0123456789","correlation_id":"a1b2c3d4-0000-1111-2222-333344445555"}"#,
            r#"{"errors":[{"code":"invalid_grant"},{"code":"INVALID_SESSION_ID"},{"code":"OAuthException"}]}"#,
            r#"{"error":{"code":190,"error_subcode":463,"fbtrace_id":"EJplcsCHuLu"}}"#,
            r#"{"Instance":"d04e9f32-44cf-46fc-a4b7-a9b90f64f77d","Detail":"AuthenticationUnsuccessful"}"#,
        ] {
            assert_eq!(r.text(kept), kept);
        }
        for (text, grant) in [
            (r#"{"code":"SplxlOBeZQQYbYS6WxSbIA"}"#, "SplxlOBeZQQYbYS6WxSbIA"),
            (r#"{"code": "4/0AX4XfWh-example-grant"}"#, "4/0AX4XfWh-example-grant"),
            (r#"{"code":"ac8f0e1b2c3d4e5f"}"#, "ac8f0e1b2c3d4e5f"),
            (r#"{"code":"1234567890123456"}"#, "1234567890123456"),
            ("code=InvalidAuthenticationToken&state=x", "InvalidAuthenticationToken"),
        ] {
            clean(&r, text, &[grant]);
        }
    }

    #[test]
    fn errors_are_redacted_in_every_text() {
        let mut r = Redactor::default();
        r.value("the-client-secret");
        let e = r.error(Error::OAuth {
            stage: crate::model::Stage::Token,
            status: 400,
            error: "invalid_client".into(),
            description: Some("bad secret the-client-secret".into()),
        });
        assert!(!e.to_string().contains("the-client-secret"), "{e}");
    }

    #[test]
    fn odd_text_never_panics() {
        let r = Redactor::default();
        for t in ["code", "code=", "\"code\":\"", "authorization:", "é=code=é", "access_token=\u{1F600}", "password:'unterminated"] {
            let _ = r.text(t);
        }
    }
}
