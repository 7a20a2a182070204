//! The test ("me") call: the configured API URL called with the token, to prove the token
//! works. The token goes only to allowed hosts; redirects are followed only within them.

use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use url::Url;

use super::config::{origin_allowed, Allowed, FlowConfig};
use super::gate::{self, Endpoint, Outbound};
use super::http;
use super::record::Recorder;
use super::redact::Redactor;
use super::trace::{self as tr, TraceEntry};
use crate::error::{AnswerKind, Error, Result};
use crate::knowledge::answer::{self, Problem};
use crate::model::Stage;
use crate::providers::DefaultTest;
use crate::secret::AccessToken;

/// What the test call answered.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TestResult {
    /// A 2xx status whose body does not say the call failed (Slack's `{"ok": false}`, an
    /// `error` object, a SOAP fault: see [`answer::failed_in_body`]).
    pub ok: bool,
    pub url: String,
    pub method: String,
    pub status: u16,
    pub elapsed_ms: u64,
    pub headers: Vec<(String, String)>,
    /// Pretty-printed when it is JSON; cut at 256 KiB.
    pub body: String,
    pub truncated: bool,
    /// What an error answer says (its Bearer challenge and body, in whatever shape), read
    /// before the body was redacted: an error's `code` is no secret, though a `code` in a
    /// body is hidden as one.
    pub problem: Option<Problem>,
}

const MAX_REDIRECTS: usize = 5;

/// Whether the token may go to `url`: its host and port are allowed, and, after a
/// redirect from `https`, it is `https` still (a token never travels in clear).
pub(crate) fn check_host(url: &Url, allowed: &[String], came_from: Option<&Url>) -> Result<()> {
    if came_from.is_some_and(|from| from.scheme() == "https") && url.scheme() != "https" {
        return Err(Error::BadResponse {
            stage: Stage::Test,
            status: None,
            kind: AnswerKind::Redirect,
            message: format!("the test URL redirects from https to plain http ({url}); the token was not sent"),
        });
    }
    let host = url.host_str().unwrap_or_default();
    let named = match origin_allowed(url, allowed) {
        Allowed::Yes => return Ok(()),
        Allowed::NotTheHost => host.to_string(),
        Allowed::NotThePort => format!("{host}:{}", url.port_or_known_default().unwrap_or(0)),
    };
    Err(Error::HostNotAllowed { stage: Stage::Test, host: named, allowed: allowed.join(", ") })
}

/// Calls `url` with the token, through the gate: the token goes only to the profile's
/// confirmed resource hosts (and, where the provider's rules allow, the `instance` its token
/// response named), and a redirect is followed only within them.
#[tracing::instrument(skip_all, fields(host = url.host_str()), err(level = "info"))]
pub async fn call(cfg: &FlowConfig, token: &AccessToken, mut url: Url, instance: Option<&Url>, log: &mut Recorder) -> Result<TestResult> {
    let allowed = gate::resource_hosts(cfg, instance);
    if !cfg.default_params.is_empty() {
        url.query_pairs_mut().extend_pairs(&cfg.default_params);
    }
    let method = reqwest::Method::from_bytes(cfg.test_method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let started = Instant::now();
    let mut hops = 0;
    // An API may echo the request: the token never reaches a screen, a log or the history.
    let mut red = Redactor::default();
    red.value(token.expose());
    let mut came_from: Option<Url> = None;
    let result = loop {
        check_host(&url, &allowed, came_from.as_ref())?;
        let headers =
            [("authorization".to_string(), format!("Bearer {}", token.expose())), ("accept".to_string(), "application/json".to_string())];
        let sent = gate::send(
            cfg,
            Outbound {
                endpoint: Endpoint::Resource,
                stage: Stage::Test,
                method: method.clone(),
                url: &url,
                headers: &headers,
                body: None,
                instance,
            },
        )
        .await;
        let mut entry = TraceEntry {
            stage: Stage::Test,
            method: method.to_string(),
            url: url.to_string(),
            request_headers: tr::redact_headers(
                [("authorization", format!("Bearer {}", token.expose()).as_str()), ("accept", "application/json")].into_iter(),
            ),
            request_body: None,
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            elapsed_ms: started.elapsed().as_millis() as u64,
            error: None,
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let err = red.error(e);
                entry.error = Some(err.to_string());
                log.trace(|| entry);
                break Err(err);
            }
        };
        entry.status = Some(resp.status().as_u16());
        entry.response_headers = tr::response_headers(resp.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("?"))), &red);
        let location = resp.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok());
        if let Some(next) = redirect_target(resp.status().as_u16(), location, &url).filter(|_| hops < MAX_REDIRECTS) {
            log.answer(|| {
                let raw = resp.headers().iter().map(|(k, v)| (k.as_str(), v.as_bytes()));
                super::record::RecordedAnswer::new(Stage::Test, method.as_str(), &url, resp.status().as_u16(), raw, &[])
            });
            log.trace(|| entry);
            hops += 1;
            came_from = Some(std::mem::replace(&mut url, next));
            continue;
        }
        let got = read(resp, &url, method.as_str(), started, cfg).await;
        if let Ok(r) = &got {
            log.answer(|| {
                let raw = r.headers.iter().map(|(k, v)| (k.as_str(), v.as_bytes()));
                super::record::RecordedAnswer::new(Stage::Test, method.as_str(), &url, r.status, raw, r.body.as_bytes())
            });
        }
        let result = got.map(|mut r| {
            r.body = red.text(&r.body);
            r.headers = tr::response_headers(r.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())), &red);
            r.problem = r.problem.map(|p| p.map_text(|t| red.text(t)));
            r
        });
        let result = result.map_err(|e| red.error(e));
        if let Ok(r) = &result {
            entry.response_body = tr::body(r.body.as_bytes(), &red);
        }
        entry.elapsed_ms = started.elapsed().as_millis() as u64;
        log.trace(|| entry);
        break result;
    };
    let (status, outcome) = match &result {
        Ok(r) => (Some(r.status), Ok(r.ok)),
        Err(e) => (None, Err(e)),
    };
    log.attempt(Stage::Test, started, status, outcome);
    result
}

async fn read(resp: reqwest::Response, url: &Url, method: &str, started: Instant, cfg: &FlowConfig) -> Result<TestResult> {
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter(|(k, _)| *k != reqwest::header::SET_COOKIE)
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let (body, truncated) =
        http::read_capped(resp, http::TEST_BODY_CAP).await.map_err(|e| http::transport_error(e, Stage::Test, url, cfg.timeout))?;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(test_result(url, method, status, headers, &body, truncated, elapsed_ms))
}

/// Where a redirect of the test call leads, if it is one (relative locations resolved).
/// Whether the token may follow it is decided by the caller, against the allowed hosts.
pub fn redirect_target(status: u16, location: Option<&str>, from: &Url) -> Option<Url> {
    if !(300..400).contains(&status) {
        return None;
    }
    from.join(location?).ok()
}

/// The test call's answer as shown: JSON pretty-printed, anything else as text.
pub fn test_result(
    url: &Url,
    method: &str,
    status: u16,
    headers: Vec<(String, String)>,
    body: &[u8],
    truncated: bool,
    elapsed_ms: u64,
) -> TestResult {
    let content_type = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.as_str());
    let ok = (200..300).contains(&status) && !answer::failed_in_body(content_type, body);
    let problem = if ok { None } else { answer::from_response(&headers, body) };
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(json) if !truncated => serde_json::to_string_pretty(&json).unwrap_or_default(),
        _ => String::from_utf8_lossy(body).into_owned(),
    };
    TestResult { ok, url: url.to_string(), method: method.to_string(), status, elapsed_ms, headers, body, truncated, problem }
}

/// A provider's default test ([`crate::providers::Rules::default_test`]): its first call
/// under the token response's `instance_url`, then the call that answer leads to, if any.
pub async fn default_call(
    cfg: &FlowConfig,
    test: &DefaultTest,
    token: &AccessToken,
    instance: &Url,
    log: &mut Recorder,
) -> Result<TestResult> {
    let first_url = instance.join(test.first).map_err(|e| Error::invalid("instance_url", e.to_string()))?;
    let first = call(cfg, token, first_url, Some(instance), log).await?;
    if !first.ok {
        return Ok(first);
    }
    match (test.next)(instance, &first.body) {
        Some(next) => call(cfg, token, next, Some(instance), log).await,
        None => Ok(first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn redirects_resolve_relative_locations_and_only_for_3xx() {
        let from = url("https://api.example.com/v1/me");
        assert_eq!(redirect_target(302, Some("/v2/me"), &from), Some(url("https://api.example.com/v2/me")));
        assert_eq!(redirect_target(307, Some("https://other.example.net/x"), &from), Some(url("https://other.example.net/x")));
        assert_eq!(redirect_target(200, Some("/v2/me"), &from), None);
        assert_eq!(redirect_target(301, None, &from), None);
    }

    #[test]
    fn the_token_follows_no_redirect_to_plain_http_or_another_port() {
        let allowed = vec!["api.example.com:443".to_string(), "api.example.com:80".to_string()];
        let https = url("https://api.example.com/me");
        assert!(check_host(&https, &allowed, None).is_ok());
        let downgrade = check_host(&url("http://api.example.com/me"), &allowed, Some(&https)).unwrap_err();
        assert!(downgrade.to_string().contains("plain http"), "{downgrade}");
        assert!(check_host(&url("http://api.example.com/me"), &allowed, None).is_ok(), "a plain http test URL the user chose is theirs");
        let port = check_host(&url("https://api.example.com:8443/me"), &allowed, Some(&https)).unwrap_err();
        assert!(port.to_string().contains("api.example.com:8443 is not on"), "{port}");
    }

    #[test]
    fn a_success_whose_body_says_it_failed_is_a_failure_with_its_problem() {
        let u = url("https://slack.com/api/auth.test");
        let json = vec![("content-type".to_string(), "application/json; charset=utf-8".to_string())];
        let body = br#"{"ok":false,"error":"missing_scope","needed":"users:read","provided":"chat:write"}"#;
        let r = test_result(&u, "GET", 200, json.clone(), body, false, 5);
        assert!(!r.ok, "{r:?}");
        let p = r.problem.unwrap_or_else(|| unreachable!());
        assert_eq!((p.code(), p.scopes.clone()), (Some("missing_scope"), vec!["users:read".to_string()]));
        let graph = br#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}"#;
        assert!(!test_result(&u, "GET", 200, json.clone(), graph, false, 5).ok);
        let soap = b"<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
        assert!(!test_result(&u, "POST", 200, vec![("content-type".into(), "text/xml".into())], soap, false, 5).ok);
        assert!(test_result(&u, "GET", 200, json, br#"{"ok":true,"user":"u"}"#, false, 5).ok);
    }

    #[test]
    fn json_is_pretty_printed_and_anything_else_kept_as_text() {
        let u = url("https://api.example.com/me");
        let r = test_result(&u, "GET", 200, vec![], br#"{"a":1}"#, false, 5);
        assert!(r.ok && r.body.contains("\"a\": 1"));
        let r = test_result(&u, "GET", 403, vec![], b"<html>no</html>", false, 5);
        assert!(!r.ok && r.body == "<html>no</html>");
        let r = test_result(&u, "GET", 200, vec![], br#"{"a":"#, true, 5);
        assert_eq!(r.body, "{\"a\":");
    }
}
