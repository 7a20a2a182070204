//! The authorization and token endpoints of a healthy provider, as RFC 6749, RFC 7636 (PKCE,
//! S256 required) and RFC 8252 (loopback redirects on any port) describe them. The sign-in
//! asks nobody: it signs in the demo user at once, so a first connection takes seconds.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{encode, EncodingKey, Header};
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::grants::{self, now, Code, Grant, CODE_LIFETIME};
use crate::provider::{DemoClient, Provider, DEMO_USER};
use crate::reply::{Reply, Req};

/// Whether a redirect URI is a loopback address over http (RFC 8252 §7.3): the only kind
/// the sandbox sends a browser to.
pub fn loopback(uri: &str) -> bool {
    Url::parse(uri)
        .is_ok_and(|u| u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost")) && u.username().is_empty())
}

fn allows(client: &DemoClient, grant: &str) -> bool {
    client.grants.iter().any(|g| g == grant)
}

/// The scope asked for, if every part of it is the client's; none asked gives `default`.
fn scope_within(asked: Option<&str>, client: &DemoClient, default: &str) -> Option<String> {
    let Some(asked) = asked.map(str::trim).filter(|s| !s.is_empty()) else { return Some(default.to_string()) };
    let allowed: Vec<&str> = client.scopes.split_whitespace().collect();
    asked.split_whitespace().all(|s| allowed.contains(&s)).then(|| asked.split_whitespace().collect::<Vec<_>>().join(" "))
}

pub fn authorize(p: &Provider, req: &Req) -> Reply {
    let client = req.query("client_id").and_then(|id| p.client(id));
    let Some(client) = client.filter(|c| allows(c, "authorization_code")) else {
        return Reply::page(400, "Unknown client: this client ID is not one of the sandbox's clients for signing in.");
    };
    let redirect_uri = req.query("redirect_uri").unwrap_or_default();
    let Some(target) = Url::parse(redirect_uri).ok().filter(|_| loopback(redirect_uri)) else {
        return Reply::page(400, "The redirect URI must be a loopback address (http://127.0.0.1:PORT/…).");
    };
    let state = req.query("state").unwrap_or_default();
    let back = |params: &[(&str, &str)]| {
        let mut url = target.clone();
        url.query_pairs_mut().extend_pairs(params).append_pair("state", state).append_pair("iss", &p.issuer);
        Reply::redirect(url.to_string())
    };
    if req.query("response_type") != Some("code") {
        return back(&[("error", "unsupported_response_type"), ("error_description", "the sandbox answers response_type=code only")]);
    }
    let challenge = req.query("code_challenge").unwrap_or_default();
    if challenge.is_empty() {
        return back(&[("error", "invalid_request"), ("error_description", "code challenge required")]);
    }
    if req.query("code_challenge_method") != Some("S256") {
        return back(&[("error", "invalid_request"), ("error_description", "transform algorithm not supported")]);
    }
    let Some(scope) = scope_within(req.query("scope"), client, "openid") else {
        return back(&[("error", "invalid_scope"), ("error_description", "a requested scope is not allowed for this client")]);
    };
    let code = p.grants.lock().map(|mut g| {
        g.add_code(Code {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            challenge: challenge.to_string(),
            scope,
            nonce: req.query("nonce").map(str::to_string),
            expires: now() + CODE_LIFETIME.as_secs(),
        })
    });
    match code {
        Ok(code) => back(&[("code", &code)]),
        Err(_) => back(&[("error", "server_error"), ("error_description", "the sandbox failed")]),
    }
}

pub fn token(p: &Provider, req: &Req) -> Reply {
    let client = match p.authenticate(req) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let Some(grant_type) = req.form("grant_type") else {
        return Reply::error(400, "invalid_request", "grant_type is missing");
    };
    if !["client_credentials", "authorization_code", "refresh_token"].contains(&grant_type) {
        return Reply::error(
            400,
            "unsupported_grant_type",
            "the sandbox supports client_credentials, authorization_code and refresh_token",
        );
    }
    if !allows(client, grant_type) {
        return Reply::error(400, "unauthorized_client", &format!("{} may not use {grant_type}", client.client_id));
    }
    let Ok(mut grants) = p.grants.lock() else { return Reply::error(500, "server_error", "the sandbox failed") };
    let (user, scope, nonce) = match grant_type {
        "client_credentials" => match scope_within(req.form("scope"), client, "api") {
            Some(scope) => (None, scope, None),
            None => return Reply::error(400, "invalid_scope", "a requested scope is not allowed for this client"),
        },
        "authorization_code" => {
            let code = req.form("code").and_then(|c| grants.take_code(c));
            let Some(code) = code.filter(|c| c.client_id == client.client_id) else {
                return Reply::error(400, "invalid_grant", "the authorization code is invalid, expired or already used");
            };
            if req.form("redirect_uri") != Some(code.redirect_uri.as_str()) {
                return Reply::error(400, "invalid_grant", "redirect_uri does not match the one of the authorization request");
            }
            let verifier = req.form("code_verifier").unwrap_or_default();
            if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != code.challenge {
                return Reply::error(400, "invalid_grant", "the code verifier does not match the code challenge");
            }
            (Some(DEMO_USER.to_string()), code.scope, code.nonce)
        }
        _ => {
            let held = req.form("refresh_token").and_then(|t| grants.refresh(t).cloned());
            let Some(held) = held.filter(|g| g.client_id == client.client_id) else {
                return Reply::error(400, "invalid_grant", "the refresh token is invalid or was revoked");
            };
            let narrower = req.form("scope").map(|s| s.split_whitespace().all(|x| held.scope.split_whitespace().any(|h| h == x)));
            if narrower == Some(false) {
                return Reply::error(400, "invalid_scope", "a refresh may not widen the granted scope");
            }
            if let Some(t) = req.form("refresh_token") {
                grants.take_refresh(t);
            }
            (held.user, req.form("scope").map(str::to_string).unwrap_or(held.scope), None)
        }
    };
    let issued = now();
    let expires = issued.saturating_add(p.token_lifetime);
    let grant = Grant { client_id: client.client_id.clone(), user: user.clone(), scope: scope.clone(), issued, expires };
    let access = access_token(p, &grant);
    grants.add_access(access.clone(), grant.clone());
    let mut body = serde_json::json!({
        "access_token": access, "token_type": "Bearer", "expires_in": p.token_lifetime, "scope": scope,
    });
    if let Some(body) = body.as_object_mut().filter(|_| grant_type != "client_credentials") {
        body.insert("refresh_token".into(), grants.add_refresh(Grant { expires: u64::MAX, ..grant.clone() }).into());
        if scope.split_whitespace().any(|s| s == "openid") {
            body.insert("id_token".into(), id_token(p, client, &grant, nonce).into());
        }
    }
    Reply::json(200, body)
}

fn sign(claims: &serde_json::Value, key: &[u8]) -> String {
    encode(&Header::default(), claims, &EncodingKey::from_secret(key)).unwrap_or_default()
}

/// An access token: a JWT (HS256) the sandbox signs, with the claims RFC 9068 names.
fn access_token(p: &Provider, g: &Grant) -> String {
    let claims = serde_json::json!({
        "iss": p.issuer, "sub": g.user.as_deref().unwrap_or(&g.client_id), "aud": "sandbox-api",
        "client_id": g.client_id, "scope": g.scope, "iat": g.issued, "exp": g.expires, "jti": grants::random(12),
    });
    sign(&claims, &p.key)
}

/// An ID token (OpenID Connect Core §2), signed with the client's secret (§10.1, HS256).
fn id_token(p: &Provider, client: &DemoClient, g: &Grant, nonce: Option<String>) -> String {
    let mut claims = serde_json::json!({
        "iss": p.issuer, "sub": DEMO_USER, "aud": client.client_id, "iat": g.issued, "exp": g.expires,
        "auth_time": g.issued, "name": "Demo User", "email": "demo.user@example.com",
    });
    if let Some((claims, n)) = claims.as_object_mut().zip(nonce) {
        claims.insert("nonce".into(), n.into());
    }
    sign(&claims, client.client_secret.as_bytes())
}

#[cfg(test)]
#[path = "oauth_tests.rs"]
mod tests;
