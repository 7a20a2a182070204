//! Which provider answered: from an endpoint's URL (its host, or a path only one product
//! uses); from the answer itself (the markers only one provider's answers hold, the
//! headers only its servers send, the answer's shape), which names the provider on a custom
//! domain or behind a gateway too; or, for a pasted error, from the URLs and host names in
//! it as well.

use url::Url;

use super::answer::Problem;
use super::{providers, Provider};
use crate::model::text;

/// Whether `host` matches a pattern (`*.okta.com` matches any subdomain, not the bare host).
fn host_matches(host: &str, pattern: &str) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(domain) => host.len() > domain.len() + 1 && host.ends_with(&format!(".{domain}")),
        None => host == pattern,
    }
}

/// The provider whose own hosts `url` is on (its paths alone do not decide: a dated change
/// of a provider applies to its servers, not to a server that copies its paths).
pub fn from_host(url: &Url) -> Option<&'static Provider> {
    let host = url.host_str()?.to_ascii_lowercase();
    providers().iter().find(|p| p.hosts.iter().any(|h| host_matches(&host, h)))
}

/// The provider an endpoint belongs to.
pub fn from_url(url: &Url) -> Option<&'static Provider> {
    let host = url.host_str()?.to_ascii_lowercase();
    let path = url.path().to_ascii_lowercase();
    providers()
        .iter()
        .find(|p| p.hosts.iter().any(|h| host_matches(&host, h)))
        .or_else(|| providers().iter().find(|p| p.paths.iter().any(|frag| !frag.is_empty() && path.contains(&frag.to_ascii_lowercase()))))
}

/// Every `http(s)://…` URL in a text, and the hosts of `Host:` lines (a raw request).
pub fn urls_in(text: &str) -> Vec<Url> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("http").take(200) {
        let rest = text::after(text, i);
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            continue;
        }
        let end =
            rest.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ']' | '}' | ',')).unwrap_or(rest.len());
        if let Ok(u) = Url::parse(text::before(rest, end)) {
            out.push(u);
        }
    }
    for line in text.lines().take(500) {
        let line = line.trim_start_matches(['>', '<', ' ']);
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("host") {
                if let Ok(u) = Url::parse(&format!("https://{}/", value.trim())) {
                    out.push(u);
                }
            }
        }
    }
    out
}

/// The provider whose markers `text` holds.
fn by_markers(text: &str) -> Option<&'static Provider> {
    providers().iter().find(|p| p.markers.iter().any(|m| !m.is_empty() && text.contains(m.as_str())))
}

/// The provider only whose servers send one of these header names.
fn by_headers<'a>(mut names: impl Iterator<Item = &'a str>) -> Option<&'static Provider> {
    names.find_map(|name| providers().iter().find(|p| p.headers.iter().any(|h| h.eq_ignore_ascii_case(name.trim()))))
}

/// The provider an answer says it comes from: the markers in its body (an AADSTS code, an
/// Okta `errorSummary`), the shape only one provider answers in, a header only its servers
/// send, or the words or code only that provider's entries hold (Keycloak's "Session not
/// active"). The body's markers come first: behind a gateway, the headers may be the
/// gateway's.
pub fn from_answer(headers: &[(String, String)], body: &str, problem: Option<&Problem>) -> Option<&'static Provider> {
    by_signs(headers, body, problem).or_else(|| problem.and_then(super::provider_by_words))
}

/// What only one provider's answers hold: markers, shape, headers.
fn by_signs(headers: &[(String, String)], body: &str, problem: Option<&Problem>) -> Option<&'static Provider> {
    let described = problem.map(|p| format!("{} {}", p.codes.join(" "), p.description.as_deref().unwrap_or_default()));
    // A redirect's `Location` carries the error (and the issuer) in its query.
    let mut locations = headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("location")).map(|(_, v)| v.as_str());
    by_markers(text::prefix_chars(body, MAX_READ))
        .or_else(|| locations.find_map(by_markers))
        .or_else(|| described.as_deref().and_then(by_markers))
        .or_else(|| problem.and_then(|p| p.format.provider()).and_then(super::provider))
        .or_else(|| by_headers(headers.iter().map(|(k, _)| k.as_str())))
}

/// The provider a text names in words ("Salesforce connection failed", "Azure AD sign-in
/// error"): one of its `names` as whole words, any case. Of several, the one named first.
pub fn named_in(text: &str) -> Option<&'static Provider> {
    let text = text::prefix_chars(text, MAX_READ);
    let lower = text.to_lowercase();
    let whole = |at: usize, len: usize| {
        let before = lower.get(..at).and_then(|b| b.chars().next_back());
        let after = lower.get(at + len..).and_then(|a| a.chars().next());
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    };
    providers()
        .iter()
        .filter_map(|p| {
            let first = p
                .names
                .iter()
                .filter(|n| !n.trim().is_empty())
                .filter_map(|n| {
                    let n = n.to_lowercase();
                    lower.match_indices(n.as_str()).map(|(at, _)| at).find(|&at| whole(at, n.len()))
                })
                .min()?;
            Some((first, p))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, p)| p)
}

/// The most characters of an answer's body searched for markers.
const MAX_READ: usize = 64 * 1024;

/// The provider a pasted error comes from, if anything in it says so: a URL or `Host:`
/// line, its markers, its shape, a header line only that provider's servers send, the
/// product named in words, or words only that provider writes.
pub fn from_text(text: &str, problem: Option<&Problem>) -> Option<&'static Provider> {
    if let Some(p) = urls_in(text).iter().find_map(from_url) {
        return Some(p);
    }
    let header_names = text.lines().take(500).filter_map(|l| l.trim_start_matches(['>', '<', ' ']).split_once(':').map(|(name, _)| name));
    by_signs(&[], text, problem)
        .or_else(|| by_headers(header_names))
        .or_else(|| named_in(text))
        .or_else(|| problem.and_then(super::provider_by_words))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomain_patterns_need_a_subdomain() {
        assert!(host_matches("acme.my.salesforce.com", "*.my.salesforce.com"));
        assert!(!host_matches("my.salesforce.com", "*.my.salesforce.com"));
        assert!(!host_matches("evilsalesforce.com", "*.salesforce.com"));
        assert!(host_matches("login.microsoftonline.com", "login.microsoftonline.com"));
    }

    #[test]
    fn products_are_named_in_whole_words() {
        let named = |t: &str| named_in(t).map(|p| p.id.as_str());
        assert_eq!(named("Salesforce connection failed: invalid client credentials"), Some("salesforce"));
        assert_eq!(named("sync to QUICKBOOKS online failed"), Some("intuit"));
        assert_eq!(named("Azure AD: OAUTH ERROR"), Some("entra"));
        // The first named wins; a name inside another word is none.
        assert_eq!(named("Okta → Salesforce sync: OAUTH ERROR"), Some("okta"));
        assert_eq!(named("toolbox failed; slackware; zoomed"), None);
    }

    #[test]
    fn urls_and_host_lines_are_found() {
        let text = "POST /token HTTP/1.1\r\nHost: dev-1.okta.com\r\n\r\nsee https://login.microsoftonline.com/x/oauth2/v2.0/token.";
        let hosts: Vec<String> = urls_in(text).iter().filter_map(|u| u.host_str().map(str::to_string)).collect();
        assert!(hosts.contains(&"dev-1.okta.com".to_string()));
        assert!(hosts.contains(&"login.microsoftonline.com".to_string()));
    }
}
