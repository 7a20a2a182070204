//! Reading an OAuth endpoint's answer, as a pure function of the answer: its status, its
//! `Location` and `Content-Type`, its body (already capped) and whether the cap cut it. No
//! I/O happens here, so every branch is a unit test: a redirect, an HTML page, an oversized
//! body, an `error` in a 200, an empty 200, a form-encoded answer, a status with JSON.
//! A bad answer is an [`Error::BadResponse`] whose [`AnswerKind`] says how it was bad, so no
//! caller ever decides by reading the message's words.

use serde_json::{Map, Value};
use url::Url;

use crate::error::{AnswerKind, Error, Result};
use crate::knowledge::answer;
use crate::model::{text, Stage};

/// An answer as received (the body capped at what the stage reads).
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    pub location: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
    /// More than `body` was sent; reading stopped at the cap.
    pub truncated: bool,
}

/// What reading an answer needs to know besides the answer.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    pub stage: Stage,
    pub url: &'a Url,
    /// The dotted path of the token in a token response: an `error` beside a token in a 200
    /// is not a failure.
    pub token_field: &'a str,
    /// The cap the body was read with, to say it in the message.
    pub cap: usize,
    /// What a redirect means for the profile's provider, added to the error.
    pub redirect_note: Option<&'a str>,
}

fn bad(e: &Expect<'_>, status: u16, kind: AnswerKind, message: String) -> Error {
    Error::BadResponse { stage: e.stage, status: Some(status), kind, message }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Whether a body looks like an HTML page rather than JSON.
pub fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(text::head_bytes(body, 512)).to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body")
}

/// A form-encoded body (`a=1&b=2`, as GitHub answers without `Accept: application/json`) as
/// a JSON object of strings. Only when the server says it is form-encoded.
fn form_object(content_type: Option<&str>, body: &[u8]) -> Option<Value> {
    let mime = content_type?.split(';').next()?.trim();
    if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return None;
    }
    let map: Map<String, Value> = url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

/// At most 200 characters of a text, for a message.
pub fn preview(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 200 {
        let head: String = s.chars().take(200).collect();
        // A redaction marker is left out whole rather than cut in half.
        format!("{}…", crate::secret::redact::whole_marks(&head))
    } else {
        s.to_string()
    }
}

fn has_path(v: &Value, path: &str) -> bool {
    path.split('.').try_fold(v, |v, key| v.get(key)).is_some()
}

/// Reads an OAuth endpoint's answer: the JSON it sent (`Null` for an empty 2xx, as a
/// revocation answers), an [`Error::OAuth`] for an OAuth error, or a typed
/// [`Error::BadResponse`].
pub fn read(a: Answer<'_>, e: &Expect<'_>) -> Result<Value> {
    let (status, url) = (a.status, e.url);
    if (300..400).contains(&status) {
        let to = a.location.unwrap_or("?");
        let hint = e.redirect_note.map(|n| format!(" ({n})")).unwrap_or_default();
        return Err(bad(
            e,
            status,
            AnswerKind::Redirect,
            format!("{url} answered with a redirect (HTTP {status}) to {to}; an OAuth endpoint never redirects, so the URL or host is wrong{hint}"),
        ));
    }
    if a.truncated {
        return Err(bad(
            e,
            status,
            AnswerKind::TooLarge,
            format!("{url} sent more than {} KiB (HTTP {status}); that is no OAuth response, reading stopped", e.cap / 1024),
        ));
    }
    if is_success(status) && a.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let parsed = serde_json::from_slice::<Value>(a.body).ok().or_else(|| form_object(a.content_type, a.body));
    if let Some(json) = &parsed {
        if let Some(err) = json.get("error").and_then(Value::as_str) {
            if !is_success(status) || !has_path(json, e.token_field) {
                // The provider's words: `error_description`, or a `message` beside the error.
                let description = answer::from_json(json).and_then(|p| p.description);
                return Err(Error::OAuth { stage: e.stage, status, error: err.to_string(), description });
            }
        }
    }
    if let Some(problem) = parsed.as_ref().filter(|_| !is_success(status)).and_then(answer::from_json) {
        // A provider's own error shape (Okta's `errorCode`, HubSpot's `status`, Salesforce's
        // array, a nested `error` object) is as much an OAuth error as RFC 6749's.
        if let Some(code) = problem.code() {
            return Err(Error::OAuth { stage: e.stage, status, error: code.to_string(), description: problem.description.clone() });
        }
    }
    match parsed {
        Some(json) if is_success(status) => Ok(json),
        Some(json) => Err(bad(e, status, AnswerKind::Status, format!("{url} answered HTTP {status}: {}", preview(&json.to_string())))),
        None if looks_like_html(a.body) => Err(bad(
            e,
            status,
            AnswerKind::Html,
            format!(
                "{url} answered with an HTML page (HTTP {status}), not JSON: this is probably not the {} endpoint; check the URL",
                e.stage
            ),
        )),
        None => Err(bad(
            e,
            status,
            AnswerKind::NotJson,
            format!("{url} answered HTTP {status} with a body that is not JSON: {}", preview(&String::from_utf8_lossy(a.body))),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url() -> Url {
        Url::parse("https://auth.example.com/token").unwrap_or_else(|_| unreachable!())
    }

    fn answer(status: u16, content_type: Option<&'static str>, body: &'static [u8]) -> Answer<'static> {
        Answer { status, location: None, content_type, body, truncated: false }
    }

    fn read_as(a: Answer<'_>) -> Result<Value> {
        let u = url();
        read(a, &Expect { stage: Stage::Token, url: &u, token_field: "access_token", cap: 1024 * 1024, redirect_note: None })
    }

    fn kind(r: Result<Value>) -> Option<AnswerKind> {
        match r {
            Err(Error::BadResponse { kind, .. }) => Some(kind),
            _ => None,
        }
    }

    #[test]
    fn a_redirect_is_named_with_its_target() {
        let a = Answer { location: Some("https://login.example.com/"), ..answer(302, None, b"") };
        let r = read_as(a);
        assert!(matches!(&r, Err(e) if e.to_string().contains("to https://login.example.com/")));
        assert_eq!(kind(r), Some(AnswerKind::Redirect));
    }

    #[test]
    fn html_pages_and_plain_text_are_told_apart() {
        assert_eq!(
            kind(read_as(answer(200, Some("text/html"), b"<!DOCTYPE html><html><body>Sign in</body></html>"))),
            Some(AnswerKind::Html)
        );
        assert_eq!(kind(read_as(answer(404, None, b"\n <html><body>Not Found</body></html>"))), Some(AnswerKind::Html));
        assert_eq!(kind(read_as(answer(500, Some("text/plain"), b"upstream broke"))), Some(AnswerKind::NotJson));
    }

    #[test]
    fn an_oversized_body_is_refused() {
        let a = Answer { truncated: true, ..answer(200, Some("application/json"), b"{\"access_token\": \"") };
        assert_eq!(kind(read_as(a)), Some(AnswerKind::TooLarge));
    }

    #[test]
    fn an_error_in_a_200_is_an_oauth_error_unless_a_token_is_beside_it() {
        let r = read_as(answer(200, Some("application/json"), br#"{"error":"invalid_client","error_description":"nope"}"#));
        assert!(
            matches!(r, Err(Error::OAuth { status: 200, ref error, ref description, .. }) if error == "invalid_client" && description.as_deref() == Some("nope"))
        );
        let ok = read_as(answer(200, Some("application/json"), br#"{"access_token":"t","error":"warning only"}"#));
        assert!(ok.is_ok());
    }

    #[test]
    fn an_empty_200_is_null_and_an_empty_error_is_not_json() {
        assert_eq!(read_as(answer(200, None, b"  \n")).ok(), Some(Value::Null));
        assert_eq!(kind(read_as(answer(503, None, b""))), Some(AnswerKind::NotJson));
    }

    #[test]
    fn form_encoded_answers_are_read_when_the_server_says_so() {
        let ct = Some("application/x-www-form-urlencoded; charset=utf-8");
        let ok = read_as(answer(200, ct, b"access_token=gho_abc&scope=repo&token_type=bearer")).ok();
        assert_eq!(ok, Some(json!({"access_token": "gho_abc", "scope": "repo", "token_type": "bearer"})));
        let err = read_as(answer(200, ct, b"error=bad_verification_code&error_description=The+code+is+wrong"));
        assert!(
            matches!(err, Err(Error::OAuth { ref error, ref description, .. }) if error == "bad_verification_code" && description.as_deref() == Some("The code is wrong"))
        );
        assert_eq!(kind(read_as(answer(200, Some("text/plain"), b"access_token=x"))), Some(AnswerKind::NotJson));
    }

    #[test]
    fn a_numeric_token_is_json_like_any_other() {
        let v = read_as(answer(200, Some("application/json"), br#"{"access_token": 12345678901234, "expires_in": 60}"#));
        assert_eq!(v.ok().and_then(|v| v.get("access_token").cloned()), Some(json!(12345678901234_u64)));
    }

    #[test]
    fn a_providers_own_error_shape_is_an_oauth_error() {
        let hubspot = read_as(answer(
            400,
            Some("application/json"),
            br#"{"status":"BAD_CLIENT_ID","message":"missing or unknown client id","correlationId":"x"}"#,
        ));
        assert!(matches!(hubspot, Err(Error::OAuth { ref error, .. }) if error == "BAD_CLIENT_ID"));
        let okta = read_as(answer(
            429,
            Some("application/json"),
            br#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#,
        ));
        assert!(matches!(okta, Err(Error::OAuth { status: 429, ref error, .. }) if error == "E0000047"));
    }

    #[test]
    fn a_json_error_status_without_an_oauth_error_keeps_a_preview() {
        let r = read_as(answer(502, Some("application/json"), br#"{"message":"bad gateway"}"#));
        assert!(matches!(&r, Err(e) if e.to_string().contains("HTTP 502") && e.to_string().contains("bad gateway")));
        assert_eq!(kind(r), Some(AnswerKind::Status));
    }
}
