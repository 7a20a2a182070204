//! The answers that are not JSON: form-encoded (`error=…&error_description=…`, as GitHub
//! answers), SOAP faults and other XML errors, HTML error pages (their visible text) and
//! plain text, where codes are found as words.

use super::{aadsts_codes, Format, Problem};
use crate::model::text;

/// `a=1&b=2` with an `error`.
pub(super) fn from_form(body: &str) -> Option<Problem> {
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
pub(super) fn xml_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
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
pub(super) fn from_xml(xml: &str) -> Option<Problem> {
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
    super::shapes::xml_extra(xml, &mut p);
    (!p.codes.is_empty() || p.description.is_some()).then_some(p)
}

pub(super) fn decode_entities(s: &str) -> String {
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
    let known = crate::knowledge::known_codes();
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
pub(super) const TEXT_CAP: usize = 4000;

pub(super) fn from_text(text: &str, format: Format) -> Option<Problem> {
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

pub(super) fn looks_like_form(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("error=") || t.contains("&error=") || t.starts_with("oauth_problem=") || t.contains("&oauth_problem="))
        && !t.contains(char::is_whitespace)
}

/// Whether a text is an HTML page.
pub fn is_html(text: &str) -> bool {
    let head = text::cut_bytes_at_char_boundary(text, 1024).to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body") || head.contains("<head")
}
