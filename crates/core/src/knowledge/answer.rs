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

/// `a=1&b=2` with an `error`.
fn from_form(body: &str) -> Option<Problem> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.trim().as_bytes()).into_owned().collect();
    // OAuth 1 (RFC 5849 extension) names its problem `oauth_problem`.
    let error = pairs.iter().find(|(k, _)| k == "error" || k == "oauth_problem")?.1.clone();
    let mut p = Problem::new(Format::Form);
    p.add_code(&error);
    for key in ["error_description", "oauth_problem_advice"] {
        p.describe(pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()));
    }
    Some(p)
}

/// The text of the first element whose local name (without a namespace prefix) is `name`.
fn xml_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        rest = text::after(rest, i + 1);
        let tag: &str = rest.split(|c: char| c.is_whitespace() || c == '>' || c == '/').next().unwrap_or_default();
        let local = tag.rsplit(':').next().unwrap_or(tag);
        if local.eq_ignore_ascii_case(name) {
            let start = rest.find('>')? + 1;
            let body = text::after(rest, start);
            return Some(body.split('<').next().unwrap_or_default().trim());
        }
    }
    None
}

/// A SOAP fault, or an XML error with a code or a message.
fn from_xml(xml: &str) -> Option<Problem> {
    let mut p = Problem::new(Format::SoapFault);
    for name in ["exceptionCode", "faultcode", "errorCode", "code"] {
        if let Some(code) = xml_text(xml, name) {
            // `sf:INVALID_SESSION_ID`, `soapenv:Client`: the code without its prefix.
            p.add_code(code.rsplit(':').next().unwrap_or(code));
        }
    }
    for name in ["exceptionMessage", "faultstring", "message"] {
        p.describe(xml_text(xml, name).map(decode_entities).as_deref());
    }
    shapes::xml_extra(xml, &mut p);
    (!p.codes.is_empty() || p.description.is_some()).then_some(p)
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The text a person sees on an HTML page: no scripts, styles or tags.
pub fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        // `lower` has `html`'s bytes at the same places (ASCII lowercasing keeps lengths),
        // and every position below is found at an ASCII character: a character boundary.
        let Some(lt) = text::after(&lower, i).find('<').map(|p| p + i) else {
            out.push_str(text::after(html, i));
            break;
        };
        out.push_str(html.get(i..lt).unwrap_or_default());
        let from = match ["script", "style", "noscript", "template"].iter().find(|t| text::after(&lower, lt + 1).starts_with(*t)) {
            // Up to its closing tag; without one, the rest of the page is inside it (and is
            // not searched again for every later tag).
            Some(t) => match text::after(&lower, lt).find(&format!("</{t}")) {
                Some(p) => p + lt,
                None => break,
            },
            None => lt,
        };
        match text::after(&lower, from).find('>') {
            Some(gt) => {
                out.push(' ');
                i = from + gt + 1;
            }
            None => break,
        }
    }
    decode_entities(&out).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Codes written as words in a text: AADSTS codes, and the knowledge base's codes that look
/// like codes (`redirect_uri_mismatch`, `INVALID_SESSION_ID`, `E0000011`).
pub fn codes_in_text(text: &str) -> Vec<String> {
    let mut out = aadsts_codes(text);
    let known = super::known_codes();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).map(|w| w.trim_matches('.')) {
        let code_like = word.contains('_') || word.chars().any(|c| c.is_ascii_digit());
        if code_like && word.len() >= 4 {
            let lower = word.to_ascii_lowercase();
            if known.binary_search(&lower).is_ok() && !out.iter().any(|c| c.eq_ignore_ascii_case(word)) {
                out.push(word.to_string());
            }
        }
    }
    out
}

/// At most this many characters of a page or text are kept as its description.
const TEXT_CAP: usize = 4000;

fn from_text(text: &str, format: Format) -> Option<Problem> {
    let cut: String = text.chars().take(TEXT_CAP).collect();
    // A redaction marker the cap went through is left out whole.
    let text = if cut.len() < text.len() { crate::secret::redact::whole_marks(&cut) } else { cut.as_str() }.trim();
    if text.is_empty() {
        return None;
    }
    let mut p = Problem::new(format);
    for c in codes_in_text(text) {
        p.add_code(&c);
    }
    p.description = Some(text.to_string());
    Some(p)
}

fn looks_like_form(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("error=") || t.contains("&error=") || t.starts_with("oauth_problem=") || t.contains("&oauth_problem="))
        && !t.contains(char::is_whitespace)
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

/// Whether a text is an HTML page.
pub fn is_html(text: &str) -> bool {
    let head = text::cut_bytes_at_char_boundary(text, 1024).to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body") || head.contains("<head")
}

/// The parameters of a `WWW-Authenticate` challenge (RFC 9110 §11.6.1): `Bearer a="x", b=y`.
fn auth_params(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let rest = value.trim();
    // The scheme is the first token unless the value starts with a parameter.
    let mut rest = match rest.split_once(char::is_whitespace) {
        Some((scheme, tail)) if !scheme.contains('=') => tail,
        _ => rest,
    };
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(eq) = rest.find('=') else { break };
        let key = text::before(rest, eq).trim().to_ascii_lowercase();
        rest = text::after(rest, eq + 1).trim_start();
        let value;
        if let Some(q) = rest.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            v.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => v.push(c),
                }
            }
            value = v;
            rest = text::after(q, end);
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = text::before(rest, end).trim().to_string();
            rest = text::after(rest, end);
        }
        if key.contains(char::is_whitespace) {
            // A second challenge (`…, Basic realm="x"`): its first parameter follows the scheme.
            let key = key.rsplit(char::is_whitespace).next().unwrap_or_default().to_string();
            out.push((key, value));
        } else {
            out.push((key, value));
        }
        if out.len() > 50 {
            break;
        }
    }
    out
}

/// RFC 6750 §3: the error, description and scope of a Bearer challenge, when it has any.
pub fn www_authenticate(value: &str) -> Option<Problem> {
    let params = auth_params(value);
    let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let mut p = Problem::new(Format::WwwAuthenticate);
    if let Some(e) = get("error") {
        p.add_code(e);
    }
    p.describe(get("error_description"));
    p.scopes = get("scope").map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
    (!p.codes.is_empty() || p.description.is_some() || !p.scopes.is_empty()).then_some(p)
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
