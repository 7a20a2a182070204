//! Endpoints that misbehave as real ones do, each on a path of its own: token answers in
//! another shape (JSON bodies, custom field names, lifetimes as strings, in a JWT, from a
//! clock ahead, beyond any date), pages instead of answers (HTML, redirects, a failing
//! gateway, a rate limit), a server that never answers or sends many megabytes, a test call
//! that is forbidden or moves elsewhere, a provider that ends every session at once, a
//! mutual-TLS token endpoint, metadata with mTLS aliases, and the (legacy) password grant.

use super::salesforce::invalid_session;
use super::{error, fields, json, raw, unsigned_jwt, Route, Scenarios};
use crate::grants::now;
use crate::reply::{Reply, Req};

pub(super) const ROUTES: &[(&str, &str, Route)] = &[
    ("POST", "/json/token", json_token),
    ("POST", "/custom/token", custom_token),
    ("POST", "/jwt/token", jwt_token),
    ("POST", "/html/token", html_token),
    ("POST", "/redirect/token", redirect_token),
    ("POST", "/slow/token", |_, _| None),
    ("POST", "/huge/token", huge_token),
    ("POST", "/future/token", future_token),
    ("GET", "/forbidden", forbidden),
    ("GET", "/me", me),
    // Slack's answer to a token without the scope a method needs: HTTP 200, `ok: false`.
    ("GET", "/ok-false", |_, _| {
        Some(json(200, serde_json::json!({ "ok": false, "error": "missing_scope", "needed": "users:read", "provided": "chat:write" })))
    }),
    ("GET", "/me/other-port", |s, _| Some(Reply::redirect(format!("http://127.0.0.1:{}/me", s.port.saturating_add(1))))),
    ("GET", "/me/elsewhere", |s, _| Some(Reply::redirect(format!("http://localhost:{}/me", s.port)))),
    // Lifetimes no one meant: far beyond any date (as numbers and as strings), and negative.
    ("POST", "/lifetime/big/token", |s, _| Some(lifetime(s, "1e+300"))),
    ("POST", "/lifetime/big-string/token", |s, _| Some(lifetime(s, "\"99999999999999999999\""))),
    ("POST", "/lifetime/negative/token", |s, _| Some(lifetime(s, "-1000000000000000000"))),
    ("POST", "/lifetime/huge/token", |s, _| Some(lifetime(s, "10000000000000000"))),
    // A gateway that fails (an HTML page with a 502 or 503, as proxies send) and a provider
    // that limits requests (429, RFC 6585 §4): none of these is a wrong token URL.
    ("POST", "/gateway/502/token", |_, _| Some(gateway(502))),
    ("POST", "/gateway/503/token", |_, _| Some(gateway(503))),
    ("POST", "/limited/token", |_, _| Some(error(429, "too_many_requests", "rate limit exceeded").header("retry-after", "60".into()))),
    ("POST", "/session/token", session_token),
    ("GET", "/session/me", session_me),
    ("POST", "/session/revoke-all", |s, _| {
        if let Ok(mut st) = s.state.lock() {
            st.sessions.clear();
        }
        Some(json(200, serde_json::json!({ "revoked": true })))
    }),
    ("POST", "/mtls/token", mtls_token),
    ("GET", "/mtls/me", |_, _| Some(json(200, serde_json::json!({ "ok": true })))),
    ("GET", "/.well-known/openid-configuration", metadata),
    ("POST", "/password/token", password_token),
];

fn json_token(s: &Scenarios, req: &Req) -> Option<Reply> {
    if !req.header("content-type").unwrap_or_default().contains("application/json") {
        return Some(error(415, "invalid_request", "send JSON"));
    }
    let body = fields(req);
    if body.get("grant_type").map(String::as_str) != Some("client_credentials")
        || body.get("client_secret").map(String::as_str) != Some("json-secret")
    {
        return Some(json(401, serde_json::json!({ "error": "invalid_client" })));
    }
    Some(json(200, serde_json::json!({ "access_token": s.token("json"), "token_type": "bearer", "expires_in": 900 })))
}

/// The token under another name, and its lifetime as a string.
fn custom_token(s: &Scenarios, _: &Req) -> Option<Reply> {
    Some(json(200, serde_json::json!({ "accessToken": s.token("custom"), "tokenType": "Bearer", "expires_in": "1800" })))
}

/// A JWT whose exp is the only word on its lifetime.
fn jwt_token(s: &Scenarios, _: &Req) -> Option<Reply> {
    let t = unsigned_jwt(&serde_json::json!({ "sub": "machine", "exp": now() + 5400 }));
    s.remember(&t);
    Some(json(200, serde_json::json!({ "access_token": t, "token_type": "Bearer" })))
}

fn html_token(_: &Scenarios, _: &Req) -> Option<Reply> {
    let page = "<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>";
    Some(raw(404, "text/html", page.into()))
}

fn redirect_token(_: &Scenarios, _: &Req) -> Option<Reply> {
    Some(Reply::redirect("https://login.example.com/services/oauth2/token".into()))
}

/// A token answer of 20 MiB.
fn huge_token(_: &Scenarios, _: &Req) -> Option<Reply> {
    Some(raw(200, "application/json", format!("{{\"access_token\":\"{}\"}}", "a".repeat(20 * 1024 * 1024))))
}

/// A token issued two hours "ahead": what a machine whose clock is behind sees.
fn future_token(s: &Scenarios, _: &Req) -> Option<Reply> {
    let t = now();
    let token = unsigned_jwt(&serde_json::json!({ "sub": "machine", "iat": t + 7200, "nbf": t + 7200, "exp": t + 10800 }));
    s.remember(&token);
    Some(json(200, serde_json::json!({ "access_token": token, "token_type": "Bearer" })))
}

fn forbidden(_: &Scenarios, _: &Req) -> Option<Reply> {
    Some(json(403, serde_json::json!([{ "errorCode": "API_DISABLED_FOR_ORG", "message": "The REST API is not enabled for this user" }])))
}

/// The test call: who the token speaks for, and the query it was sent with.
fn me(s: &Scenarios, req: &Req) -> Option<Reply> {
    if !s.bearer_ok(req) {
        return Some(json(401, serde_json::json!({ "error": "invalid_token" })));
    }
    let query: serde_json::Map<String, serde_json::Value> = req.query.iter().map(|(k, v)| (k.clone(), v.as_str().into())).collect();
    Some(json(200, serde_json::json!({ "sub": "machine", "query": query })))
}

/// A token whose expires_in is `lifetime`, written as it stands.
fn lifetime(s: &Scenarios, lifetime: &str) -> Reply {
    let token = serde_json::Value::from(s.token("odd"));
    raw(200, "application/json", format!("{{\"access_token\":{token},\"token_type\":\"Bearer\",\"expires_in\":{lifetime}}}"))
}

fn gateway(status: u16) -> Reply {
    raw(status, "text/html", format!("<html><body><h1>{status} Bad Gateway</h1><p>nginx</p></body></html>"))
        .header("retry-after", "30".into())
}

/// A provider that can end every session at once (as an admin revoking them would): a
/// cached token is then refused with Salesforce's INVALID_SESSION_ID.
fn session_token(s: &Scenarios, _: &Req) -> Option<Reply> {
    let t = s.token("sess");
    if let Ok(mut st) = s.state.lock() {
        st.sessions.insert(t.clone());
    }
    Some(json(200, serde_json::json!({ "access_token": t, "token_type": "Bearer", "expires_in": 3600 })))
}

fn session_me(s: &Scenarios, req: &Req) -> Option<Reply> {
    let token = req.header("authorization").and_then(|h| h.get(7..)).unwrap_or_default();
    if s.state.lock().is_ok_and(|st| st.sessions.contains(token)) {
        return Some(json(200, serde_json::json!({ "ok": true })));
    }
    Some(invalid_session())
}

/// RFC 8705 tls_client_auth: a certificate from the trusted CA whose common name is the
/// client_id.
fn mtls_token(s: &Scenarios, req: &Req) -> Option<Reply> {
    let body = fields(req);
    let cert = req.client_cert.as_ref().filter(|c| c.trusted);
    let Some(cert) = cert else { return Some(error(401, "invalid_client", "client certificate required")) };
    if cert.common_name.as_deref() != body.get("client_id").map(String::as_str) {
        return Some(error(401, "invalid_client", "client certificate does not match client_id"));
    }
    Some(json(200, serde_json::json!({ "access_token": s.token("mtls"), "token_type": "Bearer", "expires_in": 3600 })))
}

/// Metadata with the mTLS aliases of RFC 8705 §5.
fn metadata(s: &Scenarios, _: &Req) -> Option<Reply> {
    Some(json(
        200,
        serde_json::json!({
            "issuer": s.url(""),
            "token_endpoint": s.url("/json/token"),
            "device_authorization_endpoint": s.url("/device/auth"),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "tls_client_auth", "private_key_jwt"],
            "mtls_endpoint_aliases": { "token_endpoint": s.url("/mtls/token"), "device_authorization_endpoint": s.url("/mtls/device") },
        }),
    ))
}

/// The (legacy) password grant: alice with her password gets a token. The client is public:
/// a client secret must never arrive here.
fn password_token(s: &Scenarios, req: &Req) -> Option<Reply> {
    let body = fields(req);
    let field = |name: &str| body.get(name).map(String::as_str).unwrap_or_default();
    if !field("client_secret").is_empty() || req.header("authorization").is_some() {
        return Some(error(400, "invalid_request", "unexpected client credentials"));
    }
    if field("grant_type") != "password" || field("client_id") != "pw-client" {
        return Some(json(400, serde_json::json!({ "error": "unauthorized_client" })));
    }
    if field("username") != "alice" || field("password") != "alice-password-1" {
        return Some(error(400, "invalid_grant", "The user name or password is incorrect."));
    }
    let scope = field("scope");
    Some(json(200, serde_json::json!({ "access_token": s.token("pw"), "token_type": "Bearer", "expires_in": 3600, "scope": scope })))
}
