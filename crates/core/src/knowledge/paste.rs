//! A pasted error, as support staff have it: what an integration logged (an "OAUTH ERROR"
//! line with JSON in it), a JSON body, a raw HTTP response, `curl -i` or `curl -v` output, a
//! callback URL with `?error=`. Read into a status, headers, a body and a guess of the stage,
//! so the same lookup as a diagnosis can explain it. Pure: no request is made.

use serde_json::Value;

use super::answer::{self, Problem};
use crate::model::{text, Flow, Stage};

/// What a paste holds.
#[derive(Debug, Clone, Default)]
pub struct Pasted {
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The request, when the paste shows one (`curl -v`'s `>` lines, a raw request).
    pub request: String,
}

/// The most a paste is read to.
pub const MAX_PASTE: usize = 256 * 1024;

fn status_line(line: &str) -> Option<u16> {
    let rest = line.trim().strip_prefix("HTTP/")?;
    let mut parts = rest.split_whitespace();
    let _version = parts.next()?;
    parts.next()?.parse().ok().filter(|s| (100..600).contains(s))
}

/// Splits a paste into its response (status, headers, body) and the request it shows.
pub fn read(text: &str) -> Pasted {
    let text = text::cut_bytes_at_char_boundary(text, MAX_PASTE);
    let mut request = String::new();
    let mut response: Vec<&str> = Vec::new();
    for line in text.lines() {
        let l = line.trim_end_matches('\r');
        if let Some(r) = l.strip_prefix("> ").or_else(|| (l == ">").then_some("")) {
            request.push_str(r);
            request.push('\n');
        } else if let Some(r) = l.strip_prefix("< ").or_else(|| (l == "<").then_some("")) {
            response.push(r);
        } else if l.starts_with("* ") || l.starts_with("{ [") || l.starts_with("} [") {
            // curl -v's own remarks.
        } else {
            response.push(l);
        }
    }
    let mut p = Pasted { request, ..Pasted::default() };
    // The last response in the paste (curl -i -L shows each hop; 100 Continue comes first).
    let start = response.iter().rposition(|l| status_line(l).is_some_and(|s| s >= 200));
    match start {
        Some(i) => {
            let (shown, rest) = response.split_at_checked(i).unwrap_or((&response, &[]));
            let mut rest = rest.iter();
            p.status = rest.next().and_then(|l| status_line(l));
            let mut lines = rest;
            for line in lines.by_ref() {
                if line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    p.headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            p.body = lines.copied().collect::<Vec<_>>().join("\n").trim().to_string();
            // A request shown raw before the response (`POST /token HTTP/1.1` …).
            if p.request.is_empty() {
                p.request = shown.join("\n");
            }
        }
        None => {
            p.body = response.join("\n").trim().to_string();
            p.status = status_in_words(&p.body).or_else(|| embedded_json(&p.body).as_ref().and_then(status_in_json));
        }
    }
    p
}

/// "HTTP 401", "status 400", "status code: 403" in a log line.
fn status_in_words(text: &str) -> Option<u16> {
    let lower = text.to_ascii_lowercase();
    ["http ", "http/1.1 ", "http/2 ", "status ", "status: ", "status code ", "status code: ", "statuscode=", "status="].iter().find_map(
        |k| {
            lower.match_indices(k).find_map(|(i, _)| {
                let digits: String = text::after(&lower, i + k.len()).chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u16>().ok().filter(|s| digits.len() == 3 && (400..600).contains(s))
            })
        },
    )
}

/// The HTTP status an API repeats in its error body, when the paste has no status line:
/// `status`, `statusCode`, `status_code` (Twitch, Notion, Figma, Miro, Twilio, Auth0,
/// monday.com, problem details), Pipedrive's numeric `errorCode`, a nested `error`'s numeric
/// `code` or `status` (Google APIs, Spotify), or a message led by it (Discord's
/// "401: Unauthorized").
fn status_in_json(v: &Value) -> Option<u16> {
    let status = |v: Option<&Value>| -> Option<u16> {
        let n = match v? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }?;
        u16::try_from(n).ok().filter(|s| (400..600).contains(s))
    };
    let o = v.as_object()?;
    let nested = o.get("error").filter(|e| e.is_object());
    ["status", "statusCode", "status_code", "Status", "errorCode"]
        .iter()
        .find_map(|k| status(o.get(*k)))
        .or_else(|| ["code", "status"].iter().find_map(|k| status(nested.and_then(|e| e.get(*k)))))
        .or_else(|| {
            let message = o.get("message").and_then(Value::as_str)?;
            let (head, _) = message.split_once(':')?;
            status(Some(&Value::String(head.to_string())))
        })
}

/// The first JSON object or array inside a text (a log line around a response body).
fn embedded_json(text: &str) -> Option<Value> {
    for (i, _) in text.match_indices(['{', '[']).take(50) {
        let mut values = serde_json::Deserializer::from_str(text::after(text, i)).into_iter::<Value>();
        if let Some(Ok(v @ (Value::Object(_) | Value::Array(_)))) = values.next() {
            return Some(v);
        }
    }
    None
}

/// The `error` of a redirect back to the app (`…/callback?error=access_denied&…`).
fn callback_error(text: &str) -> Option<Problem> {
    super::recognise::urls_in(text).iter().find_map(|u| {
        let pairs: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        let error = pairs.iter().find(|(k, _)| k == "error")?;
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        Some(Problem::oauth(&error.1, answer::described(get("error_description"), get("error_hint")).as_deref()))
    })
}

impl Pasted {
    /// What the paste says went wrong.
    pub fn problem(&self) -> Option<Problem> {
        let parsed = answer::from_response(&self.headers, self.body.as_bytes());
        let structured = parsed.as_ref().is_some_and(|p| !matches!(p.format, answer::Format::Text | answer::Format::Html));
        if structured {
            return parsed;
        }
        // A redirect back to the app with an error; a log line: the JSON inside it, then a
        // callback URL's error, then the words.
        let inner = self
            .header("location")
            .and_then(callback_error)
            .or_else(|| embedded_json(&self.body).and_then(|v| answer::from_json(&v)))
            .or_else(|| callback_error(&self.body));
        match (inner, parsed) {
            (Some(inner), Some(text)) => Some(inner.merge(Problem { description: None, ..text })),
            (Some(p), None) | (None, Some(p)) => Some(p),
            (None, None) => None,
        }
    }

    /// The stage the paste shows, when it shows one.
    pub fn stage(&self, problem: Option<&Problem>) -> Option<Stage> {
        let all = format!("{}\n{}", self.request, self.body).to_ascii_lowercase();
        if all.contains("grant_type=refresh_token") || all.contains("\"grant_type\":\"refresh_token\"") {
            return Some(Stage::Refresh);
        }
        if all.contains("grant_type=") || all.contains("\"grant_type\"") || self.request.to_ascii_lowercase().contains("/token") {
            return Some(Stage::Token);
        }
        if self.headers.iter().any(|(k, v)| k == "www-authenticate" && v.to_ascii_lowercase().starts_with("bearer")) {
            return Some(Stage::Test);
        }
        let redirected = self.header("location").and_then(callback_error).is_some();
        if redirected || callback_error(&self.body).is_some() || self.request.to_ascii_lowercase().contains("/authorize") {
            return Some(Stage::Authorize);
        }
        let _ = problem;
        None
    }

    /// The grant the paste's request shows (its `grant_type`), when it shows one; a refresh
    /// is of whichever grant signed in, so it names none.
    pub fn grant(&self) -> Option<Flow> {
        let all = format!("{}\n{}", self.request, self.body).to_ascii_lowercase();
        let grants = [
            ("client_credentials", Flow::ClientCredentials),
            ("authorization_code", Flow::AuthorizationCode),
            ("urn:ietf:params:oauth:grant-type:jwt-bearer", Flow::JwtBearer),
            ("urn%3aietf%3aparams%3aoauth%3agrant-type%3ajwt-bearer", Flow::JwtBearer),
            ("urn:ietf:params:oauth:grant-type:device_code", Flow::DeviceCode),
            ("urn%3aietf%3aparams%3aoauth%3agrant-type%3adevice_code", Flow::DeviceCode),
            ("password", Flow::Password),
        ];
        grants
            .into_iter()
            .find(|(name, _)| all.contains(&format!("grant_type={name}")) || all.contains(&format!("\"grant_type\":\"{name}\"")))
            .map(|(_, g)| g)
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
#[path = "paste_tests.rs"]
mod tests;
