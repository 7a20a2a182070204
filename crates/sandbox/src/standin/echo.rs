//! Endpoints that echo the request back, as some gateways and debug servers do: the form
//! body in a 400, the headers as JSON in a 500, the credentials in an error description, the
//! bearer token in a test call's 401; or that answer with a form-encoded or numeric token.
//! What they echo must never reach a file, a log, an output or a report of OAuth Desk's.

use super::{json, raw, Route};
use crate::reply::Req;

pub(super) const ROUTES: &[(&str, &str, Route)] = &[
    ("POST", "/echo/form/token", |_, req| Some(raw(400, "text/plain", format!("cannot parse request: {}", req.body)))),
    ("POST", "/echo/headers/token", |_, req| {
        Some(json(500, serde_json::json!({ "error": "server_error", "request": { "headers": headers(req) } })))
    }),
    ("POST", "/echo/description/token", |_, req| {
        let auth = req.header("authorization").unwrap_or("no header");
        let description = format!("client authentication failed for {auth} and {}", req.body);
        Some(json(401, serde_json::json!({ "error": "invalid_client", "error_description": description })))
    }),
    ("POST", "/echo/form-token/token", |s, _| {
        let body = format!("access_token={}&token_type=bearer&expires_in=600&scope=api", s.token("formtok"));
        Some(raw(200, "application/x-www-form-urlencoded", body))
    }),
    ("POST", "/echo/numeric/token", |_, _| {
        let n = 1_000_000_000_000u64 + u64::from(rand_core::RngCore::next_u32(&mut rand_core::OsRng) % 1_000_000_000);
        Some(raw(200, "application/json", format!("{{\"access_token\": {n}, \"token_type\": \"Bearer\", \"expires_in\": 600}}")))
    }),
    ("GET", "/echo/me", |_, req| {
        let auth = req.header("authorization").unwrap_or("undefined");
        Some(json(
            401,
            serde_json::json!({ "error": "invalid_token", "error_description": format!("not accepted: {auth}"), "seen": headers(req) }),
        ))
    }),
];

/// The request's headers as a JSON object (names in lower case).
fn headers(req: &Req) -> serde_json::Value {
    req.headers.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str()))).collect::<serde_json::Map<_, _>>().into()
}
