//! A request as the sandbox's endpoints read it, and the answer they give: plain data, so
//! every endpoint is a pure function with unit tests, and the HTTP glue (`http.rs`) is the
//! only place that touches sockets.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use oauthdesk_core::Example;

#[derive(Debug, Clone, Default)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    /// The form-encoded body's fields.
    pub form: Vec<(String, String)>,
    /// The body as text (the test scenarios echo it and read JSON bodies).
    #[cfg_attr(not(feature = "standin"), allow(dead_code))]
    pub body: String,
    /// The certificate the client presented over TLS (only the test scenarios serve TLS).
    #[cfg_attr(not(feature = "standin"), allow(dead_code))]
    pub client_cert: Option<ClientCert>,
}

/// A client's TLS certificate as a mutual-TLS token endpoint judges it (RFC 8705 §2.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(not(feature = "standin"), allow(dead_code))]
pub struct ClientCert {
    /// The subject's common name (`tls_client_auth` compares it with the client_id).
    pub common_name: Option<String>,
    /// Whether it chains to a certificate authority the server trusts.
    pub trusted: bool,
}

fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

impl Req {
    pub fn query(&self, name: &str) -> Option<&str> {
        first(&self.query, name)
    }

    pub fn form(&self, name: &str) -> Option<&str> {
        first(&self.form, name).filter(|v| !v.is_empty())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        first(&self.headers, name)
    }

    /// The client's id and secret from HTTP Basic (RFC 6749 §2.3.1: both form-urlencoded
    /// inside), `None` when the header is not Basic, `Some(Err)` when it is unreadable.
    pub fn basic(&self) -> Option<Result<(String, String), ()>> {
        let value = self.header("authorization")?;
        let (scheme, rest) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = STANDARD.decode(rest.trim()).ok().and_then(|b| String::from_utf8(b).ok());
        let pair = decoded.as_deref().and_then(|d| d.split_once(':')).map(|(id, secret)| (form_decode(id), form_decode(secret)));
        Some(pair.ok_or(()))
    }

    /// The bearer token of `Authorization: Bearer …`.
    pub fn bearer(&self) -> Option<&str> {
        let (scheme, token) = self.header("authorization")?.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }
}

fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, value: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![
                ("content-type".into(), "application/json;charset=UTF-8".into()),
                // RFC 6749 §5.1: token answers are not cached.
                ("cache-control".into(), "no-store".into()),
                ("pragma".into(), "no-cache".into()),
            ],
            body: value.to_string(),
        }
    }

    /// An RFC 6749 §5.2 error.
    pub fn error(status: u16, error: &str, description: &str) -> Reply {
        Reply::json(status, serde_json::json!({ "error": error, "error_description": description }))
    }

    pub fn header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }

    pub fn redirect(location: String) -> Reply {
        Reply { status: 302, headers: vec![("location".into(), location)], body: String::new() }
    }

    /// A page for a person (an authorization error that cannot go back to the client).
    pub fn page(status: u16, text: &str) -> Reply {
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        Reply {
            status,
            headers: vec![("content-type".into(), "text/html;charset=UTF-8".into())],
            body: format!("<!doctype html><title>OAuth Desk sandbox</title><h1>OAuth Desk sandbox</h1><p>{escaped}</p>"),
        }
    }

    /// A knowledge-base entry's documented answer, with `{redirect_uri}` and `{state}` taken
    /// from the request (the redirect URI already checked to be a loopback address).
    pub fn example(ex: &Example, redirect_uri: &str, state: &str) -> Reply {
        let fill = |t: &str| t.replace("{redirect_uri}", redirect_uri).replace("{state}", state);
        Reply {
            status: ex.status,
            headers: ex.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), fill(v))).collect(),
            body: fill(&ex.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> Req {
        Req { headers: vec![("authorization".into(), value.into())], ..Req::default() }
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let r = with_auth(&format!("Basic {}", STANDARD.encode("my%3Aclient:s%2Bcret")));
        assert_eq!(r.basic(), Some(Ok(("my:client".into(), "s+cret".into()))));
        assert_eq!(with_auth("Basic !!!").basic(), Some(Err(())));
        assert_eq!(with_auth("Bearer abc").basic(), None);
        assert_eq!(with_auth("bearer  abc").bearer(), Some("abc"));
    }

    #[test]
    fn a_page_escapes_what_it_shows() {
        assert!(Reply::page(400, "<script>").body.contains("&lt;script&gt;"));
    }
}
