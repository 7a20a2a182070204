//! RFC 6750's `WWW-Authenticate: Bearer error="…", scope="…"`: the parameters of a
//! challenge (RFC 9110 §11.6.1) read into a [`Problem`].

use super::{Format, Problem};
use crate::model::text;

/// The parameters of a `WWW-Authenticate` challenge (RFC 9110 §11.6.1): `Bearer a="x", b=y`.
pub(super) fn auth_params(value: &str) -> Vec<(String, String)> {
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
