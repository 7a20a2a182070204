//! Every shape an error answer comes in, read into one [`Problem`]: its codes, its
//! description and the scopes it names. Pure functions of the bytes, each format tested with
//! the providers' documented examples.
//!
//! - RFC 6749 §5.2 JSON `{"error","error_description"}`, and Entra's `error_codes` / AADSTS;
//! - nested `{"error":{"code","message","status","errors","details"}}` (Google APIs, Microsoft Graph);
//! - Okta's `{"errorCode","errorSummary","errorCauses"}`;
//! - Salesforce's `[{"errorCode","message"}]` and SOAP faults (`<faultcode>sf:…`);
//! - HubSpot's `{"status","message","category"}`;
//! - an API gateway's `{"fault":{"faultstring"}}` and a plain `{"message"}`;
//! - form-encoded (`error=…&error_description=…`, as GitHub answers);
//! - an HTML error page (its visible text) and plain text (codes found as words);
//! - RFC 6750's `WWW-Authenticate: Bearer error="…", scope="…"`;
//! - the long tail ([`shapes`]): `ok: false`, problem details, `errors` lists, numeric codes,
//!   SOAP 1.2 and other XML errors, OAuth 1's `oauth_problem`.

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::model::text;

#[path = "shapes.rs"]
mod shapes;
pub use shapes::{described, failed_in_body};
#[path = "markup.rs"]
mod markup;
#[cfg(any(test, feature = "test-support"))]
pub use markup::codes_in_text;
use markup::{from_form, from_text, from_xml, looks_like_form};
pub use markup::{is_html, visible_text};
#[path = "challenge.rs"]
mod challenge;
pub use challenge::www_authenticate;

/// The shape an answer came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Format {
    /// RFC 6749 §5.2 JSON.
    Oauth,
    /// RFC 6749 JSON with Microsoft Entra's `error_codes` or AADSTS codes.
    Entra,
    /// `{"error":{…}}` with a `status` (Google APIs).
    GoogleApi,
    /// `{"error":{"code","message"}}` (Microsoft Graph and others).
    NestedError,
    Okta,
    SalesforceArray,
    SoapFault,
    Hubspot,
    /// An API gateway's `{"fault":{…}}`.
    GatewayFault,
    /// Some other JSON with a message or a code.
    Message,
    Form,
    Html,
    Text,
    WwwAuthenticate,
    /// `{"ok": false, "error": …}`, as Slack answers (often with HTTP 200).
    OkFalse,
    /// RFC 9457 problem details (`type`, `title`, `status`, `detail`).
    ProblemDetails,
    /// An `errors` list (or Atlassian's `errorMessages`) of codes and messages.
    ErrorList,
    /// An XML error document that is no SOAP fault.
    Xml,
}

impl Format {
    /// The provider whose shape this is, when only one provider answers so.
    pub fn provider(self) -> Option<&'static str> {
        match self {
            Format::Entra => Some("entra"),
            Format::GoogleApi => Some("google"),
            Format::Okta => Some("okta"),
            Format::SalesforceArray => Some("salesforce"),
            Format::Hubspot => Some("hubspot"),
            _ => None,
        }
    }
}

/// An error answer, whatever its shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Problem {
    pub format: Format,
    /// Every code the answer carries, the main one first (an RFC `error`, an AADSTS code,
    /// an Okta `errorCode`, a Salesforce `errorCode`, a HubSpot `status` or `category`, a
    /// Google `reason`…).
    pub codes: Vec<String>,
    /// The provider's words: `error_description`, `message`, `errorSummary`, a page's text.
    pub description: Option<String>,
    /// Scopes the answer says are needed.
    pub scopes: Vec<String>,
}

impl Problem {
    fn new(format: Format) -> Self {
        Problem { format, codes: Vec::new(), description: None, scopes: Vec::new() }
    }

    /// An RFC 6749 error as the token request reported it.
    pub fn oauth(error: &str, description: Option<&str>) -> Self {
        let mut p = Problem::new(Format::Oauth);
        p.add_code(error);
        p.describe(description);
        p
    }

    /// Whether the answer carries `code` (any case).
    pub fn has_code(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c.eq_ignore_ascii_case(code))
    }

    /// The main code, if any.
    pub fn code(&self) -> Option<&str> {
        self.codes.first().map(String::as_str)
    }

    fn add_code(&mut self, code: &str) {
        let code = code.trim();
        // A redaction marker (a body read after redaction) is never the provider's code.
        if !code.is_empty() && code.len() <= 200 && !code.starts_with("[redacted") && !self.has_code(code) {
            self.codes.push(code.to_string());
        }
    }

    fn describe(&mut self, text: Option<&str>) {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return };
        for code in aadsts_codes(text) {
            self.add_code(&code);
            self.format = if self.format == Format::Oauth { Format::Entra } else { self.format };
        }
        self.description = Some(match self.description.take() {
            Some(d) if !d.contains(text) => format!("{d}; {text}"),
            Some(d) => d,
            None => text.to_string(),
        });
    }

    /// The problem with every text passed through `f` (a redaction).
    pub fn map_text(self, f: impl Fn(&str) -> String) -> Problem {
        Problem {
            format: self.format,
            codes: self.codes.iter().map(|c| f(c)).collect(),
            description: self.description.as_deref().map(&f),
            scopes: self.scopes.iter().map(|s| f(s)).collect(),
        }
    }

    /// Adds what `other` says: its codes, words and scopes.
    pub fn merge(mut self, other: Problem) -> Problem {
        for c in &other.codes {
            self.add_code(c);
        }
        self.describe(other.description.as_deref());
        for s in other.scopes {
            if !self.scopes.contains(&s) {
                self.scopes.push(s);
            }
        }
        self
    }
}

/// `AADSTS` followed by digits, wherever they are in a text.
pub fn aadsts_codes(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in text.match_indices("AADSTS") {
        let digits: String = text::after(text, i + 6).chars().take_while(char::is_ascii_digit).take(10).collect();
        let code = format!("AADSTS{digits}");
        if !digits.is_empty() && !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn first_str<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| str_at(v, k))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => s.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// A JSON answer, in whichever shape it has.
pub fn from_json(v: &Value) -> Option<Problem> {
    if let Value::Array(items) = v {
        let objects: Vec<&Value> = items.iter().filter(|i| i.is_object()).take(20).collect();
        let mut p =
            Problem::new(if objects.iter().any(|o| str_at(o, "errorCode").is_some()) { Format::SalesforceArray } else { Format::Message });
        for o in &objects {
            if let Some(c) = first_str(o, &["errorCode", "error", "code"]) {
                p.add_code(c);
            }
            p.describe(first_str(o, &["message", "error_description", "detail"]));
        }
        return (!p.codes.is_empty() || p.description.is_some()).then_some(p);
    }
    let o = v.as_object()?;
    if let Some(p) = shapes::from_object(o) {
        return Some(p);
    }
    let mut p;
    if let Some(error) = str_at(v, "error") {
        p = Problem::new(Format::Oauth);
        p.add_code(error);
        if let Some(Value::Array(codes)) = o.get("error_codes") {
            p.format = Format::Entra;
            for c in codes.iter().filter_map(Value::as_u64) {
                p.add_code(&format!("AADSTS{c}"));
            }
        }
        // Zoom words its refusals in a `reason` beside the `error`.
        p.describe(first_str(v, &["error_description", "message", "error_message", "reason"]));
        // Ory's servers put what is wrong in a hint beside the RFC's generic description.
        p.describe(str_at(v, "error_hint"));
        if let Some(scope) = str_at(v, "scope") {
            p.scopes = strings(Some(&Value::String(scope.to_string())));
        }
    } else if let Some(e) = o.get("error").filter(|e| e.is_object()) {
        p = Problem::new(if str_at(e, "status").is_some() { Format::GoogleApi } else { Format::NestedError });
        for key in ["code", "status"] {
            if let Some(c) = str_at(e, key) {
                p.add_code(c);
            }
        }
        for list in ["errors", "details"] {
            for item in e.get(list).and_then(Value::as_array).into_iter().flatten().take(20) {
                if let Some(r) = str_at(item, "reason") {
                    p.add_code(r);
                }
            }
        }
        if let Some(c) = e.get("innerError").or_else(|| e.get("innererror")).and_then(|i| str_at(i, "code")) {
            p.add_code(c);
        }
        if let Some(e) = e.as_object() {
            shapes::nested_extra(e, &mut p);
        }
    } else if let Some(code) = str_at(v, "errorCode").filter(|_| o.contains_key("errorSummary")) {
        p = Problem::new(Format::Okta);
        p.add_code(code);
        p.describe(str_at(v, "errorSummary"));
        for cause in o.get("errorCauses").and_then(Value::as_array).into_iter().flatten().take(20) {
            p.describe(str_at(cause, "errorSummary"));
        }
    } else if let (Some(status), true) = (str_at(v, "status"), o.contains_key("correlationId") || o.contains_key("category")) {
        p = Problem::new(Format::Hubspot);
        if !status.eq_ignore_ascii_case("error") {
            p.add_code(status);
        }
        for key in ["category", "subCategory"] {
            if let Some(c) = str_at(v, key) {
                p.add_code(c);
            }
        }
        p.describe(str_at(v, "message"));
        let mut scopes = Vec::new();
        for ctx in std::iter::once(o.get("context"))
            .chain(o.get("errors").and_then(Value::as_array).into_iter().flatten().map(|e| e.get("context")))
        {
            for key in ["requiredGranularScopes", "requiredScopes", "requiredScope"] {
                scopes.extend(strings(ctx.and_then(|c| c.get(key))));
            }
        }
        scopes.dedup();
        p.scopes = scopes;
    } else if let Some(fault) = o.get("fault").filter(|f| f.is_object()) {
        p = Problem::new(Format::GatewayFault);
        if let Some(c) = fault.get("detail").and_then(|d| first_str(d, &["errorcode", "errorCode"])) {
            p.add_code(c);
        }
        p.describe(str_at(fault, "faultstring"));
    } else {
        p = Problem::new(Format::Message);
        // Apigee's `ErrorCode`/`Error`, ClickUp's `ECODE` and `err`, Figma's `err`.
        if let Some(c) = first_str(v, &["error_code", "errorCode", "code", "ErrorCode", "ECODE"]) {
            p.add_code(c);
        }
        shapes::message_extra(o, &mut p);
        p.describe(first_str(v, &["message", "error_message", "errorMessage", "detail", "title", "error_description", "err", "Error"]));
        // WSO2's gateway says what failed in a `description` beside its `message`.
        p.describe(str_at(v, "description"));
    }
    (!p.codes.is_empty() || p.description.is_some()).then_some(p)
}

/// Any error answer's body, by its content type and its bytes.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Option<Problem> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        // JSON without an error in it holds none to find in its text either.
        return from_json(&v);
    }
    let mime = content_type.and_then(|c| c.split(';').next()).map(|m| m.trim().to_ascii_lowercase()).unwrap_or_default();
    if mime == "application/x-www-form-urlencoded" || looks_like_form(trimmed) {
        if let Some(p) = from_form(trimmed) {
            return Some(p);
        }
    }
    if is_html(trimmed) || mime == "text/html" {
        let raw_codes = aadsts_codes(trimmed);
        let mut p = from_text(&visible_text(trimmed), Format::Html).unwrap_or_else(|| Problem::new(Format::Html));
        // Entra's error page carries its AADSTS code in a script, not in the visible text.
        for c in raw_codes {
            p.add_code(&c);
        }
        return (!p.codes.is_empty() || p.description.is_some()).then_some(p);
    }
    if trimmed.starts_with('<') {
        if let Some(p) = from_xml(trimmed) {
            return Some(p);
        }
    }
    from_text(trimmed, Format::Text)
}

/// What an API's answer says, from its headers and body together: the Bearer challenge,
/// the scopes an API names in headers (GitHub's `X-Accepted-OAuth-Scopes`), and the body.
pub fn from_response(headers: &[(String, String)], body: &[u8]) -> Option<Problem> {
    let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let content_type = header("content-type");
    let from_body = parse(content_type, body);
    let from_header = header("www-authenticate").and_then(www_authenticate);
    let mut p = match (from_body, from_header) {
        (Some(b), Some(h)) => h.merge(b),
        (Some(p), None) | (None, Some(p)) => p,
        (None, None) => Problem::new(Format::Text),
    };
    if let Some(accepted) = header("x-accepted-oauth-scopes").filter(|s| !s.trim().is_empty()) {
        for s in accepted.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !p.scopes.iter().any(|x| x == s) {
                p.scopes.push(s.to_string());
            }
        }
    }
    (!p.codes.is_empty() || p.description.is_some() || !p.scopes.is_empty()).then_some(p)
}

#[cfg(test)]
#[path = "answer_tests.rs"]
mod tests;
