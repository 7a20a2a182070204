//! What a holder of a token can do with it: call the test (me) endpoint, and what a client
//! can do with its tokens: revoke them (RFC 7009) and introspect them (RFC 7662).

use crate::grants::now;
use crate::provider::Provider;
use crate::reply::{Reply, Req};

/// RFC 7009: the client's token is revoked; an unknown token is no error (200 either way).
pub fn revoke(p: &Provider, req: &Req) -> Reply {
    let client = match p.authenticate(req) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let Some(token) = req.form("token") else { return Reply::error(400, "invalid_request", "token is missing") };
    if let Ok(mut g) = p.grants.lock() {
        g.revoke(token, &client.client_id);
    }
    Reply { status: 200, headers: Vec::new(), body: String::new() }
}

/// RFC 7662: whether a token is active, and what it grants.
pub fn introspect(p: &Provider, req: &Req) -> Reply {
    if let Err(reply) = p.authenticate(req) {
        return reply;
    }
    let Some(token) = req.form("token") else { return Reply::error(400, "invalid_request", "token is missing") };
    let Ok(g) = p.grants.lock() else { return Reply::error(500, "server_error", "the sandbox failed") };
    let found = g.access(token).map(|a| (a, "access_token")).or_else(|| g.refresh(token).map(|r| (r, "refresh_token")));
    match found {
        Some((grant, kind)) => Reply::json(
            200,
            serde_json::json!({
                "active": true, "scope": grant.scope, "client_id": grant.client_id,
                "sub": grant.user.as_deref().unwrap_or(&grant.client_id), "iat": grant.issued,
                "exp": (grant.expires != u64::MAX).then_some(grant.expires), "token_type": kind, "iss": p.issuer,
            }),
        ),
        None => Reply::json(200, serde_json::json!({ "active": false })),
    }
}

/// The test call: who the token speaks for. RFC 6750 §3 answers a missing or bad token.
pub fn userinfo(p: &Provider, req: &Req) -> Reply {
    let Some(token) = req.bearer() else {
        return Reply::json(401, serde_json::json!({ "error": "invalid_request", "error_description": "no bearer token" }))
            .header("www-authenticate", "Bearer realm=\"sandbox\"".into());
    };
    let Ok(g) = p.grants.lock() else { return Reply::error(500, "server_error", "the sandbox failed") };
    let Some(grant) = g.access(token) else {
        return Reply::json(
            401,
            serde_json::json!({ "error": "invalid_token", "error_description": "the access token is invalid, expired or revoked" }),
        )
        .header("www-authenticate", "Bearer realm=\"sandbox\", error=\"invalid_token\"".into());
    };
    let mut me = serde_json::json!({
        "sub": grant.user.as_deref().unwrap_or(&grant.client_id), "client_id": grant.client_id, "scope": grant.scope,
        "expires_in": grant.expires.saturating_sub(now()),
    });
    if let Some(me) = me.as_object_mut().filter(|_| grant.user.is_some()) {
        me.insert("name".into(), "Demo User".into());
        me.insert("email".into(), "demo.user@example.com".into());
    }
    Reply::json(200, me)
}
