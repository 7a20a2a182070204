//! Salesforce as its documentation shows it answering, with the scenario chosen by the
//! Consumer Key (client_id): `sf-good` with the secret `sf-secret` is a working External
//! Client App; the other keys answer with the error bodies Salesforce sends for each
//! misconfiguration, word for word.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{crypto, Algorithm, DecodingKey};

use super::{error, fields, json, Route, Scenarios};
use crate::grants::now;
use crate::reply::{Reply, Req};
use crate::Error;

const GOOD_KEY: &str = "sf-good";
const SECRET: &str = "sf-secret";
/// The user pre-authorized for the JWT bearer flow.
const JWT_USER: &str = "integration@acme.example";

/// The keys that answer with an error whatever else the request holds, and that error.
const ERRORS: [(&str, &str, &str); 4] = [
    ("sf-wrong-domain", "invalid_grant", "request not supported on this domain"),
    ("sf-no-user", "invalid_grant", "no client credentials user enabled"),
    ("sf-bad-key", "invalid_client_id", "client identifier invalid"),
    ("sf-no-flow", "unsupported_grant_type", "grant type not supported"),
];

pub(super) const ROUTES: &[(&str, &str, Route)] = &[
    ("GET", "/services/oauth2/authorize", authorize),
    ("POST", "/services/oauth2/token", token),
    ("POST", "/services/oauth2/introspect", introspect),
    ("GET", "/services/data/", versions),
    ("GET", "/services/data/v62.0/limits", limits),
];

/// The public keys (PKCS#1 DER) of the RSA certificates in `pem`.
pub(super) fn public_keys(pem: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut keys = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes()) {
        let block = block.map_err(|e| Error::Tls(format!("the Salesforce certificates: {e}")))?;
        let cert = block.parse_x509().map_err(|e| Error::Tls(format!("the Salesforce certificates: {e}")))?;
        keys.push(cert.public_key().subject_public_key.data.to_vec());
    }
    Ok(keys)
}

/// The authorization page, as Salesforce shows it before anyone signs in: its sign-in page
/// for a known app and its Callback URL, its error page (the error in the URL) otherwise.
fn authorize(s: &Scenarios, req: &Req) -> Option<Reply> {
    let fail = |error: &str, description: &str| {
        let mut page = url::Url::parse(&format!("http://127.0.0.1:{}/setup/secur/RemoteAccessErrorPage.apexp", s.port)).ok()?;
        page.query_pairs_mut().append_pair("error", error).append_pair("error_description", description);
        Some(Reply::redirect(page.to_string()))
    };
    if req.query("client_id") != Some(GOOD_KEY) {
        return fail("invalid_client_id", "client identifier invalid");
    }
    if !callback(req.query("redirect_uri").unwrap_or_default()) {
        return fail("redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    let mut asked = url::form_urlencoded::Serializer::new(String::new());
    asked.extend_pairs(&req.query);
    let start = format!("{}?{}", req.path, asked.finish());
    let back: String = url::form_urlencoded::byte_serialize(start.as_bytes()).collect();
    Some(Reply::redirect(format!("/?startURL={back}")))
}

/// The app's Callback URL: `http://127.0.0.1:<port>/callback`.
fn callback(uri: &str) -> bool {
    uri.strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/callback"))
        .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
}

fn token(s: &Scenarios, req: &Req) -> Option<Reply> {
    let body = fields(req);
    let field = |name: &str| body.get(name).map(String::as_str).unwrap_or_default();
    let grant = field("grant_type");
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer" {
        return Some(jwt_bearer(s, field("assertion")));
    }
    // A new org blocks the username-password flow: Salesforce answers as for a wrong password.
    if grant == "password" {
        return Some(error(400, "invalid_grant", "authentication failure"));
    }
    let id = field("client_id");
    if grant == "authorization_code" {
        if id != GOOD_KEY {
            return Some(error(400, "invalid_client_id", "client identifier invalid"));
        }
        return Some(error(400, "invalid_grant", "invalid authorization code"));
    }
    if let Some((_, code, description)) = ERRORS.iter().find(|(key, _, _)| *key == id) {
        return Some(error(400, code, description));
    }
    if id != GOOD_KEY {
        return Some(error(400, "invalid_client_id", "client identifier invalid"));
    }
    if field("client_secret") != SECRET {
        return Some(error(400, "invalid_client", "invalid client credentials"));
    }
    if grant != "client_credentials" {
        return Some(error(400, "unsupported_grant_type", "grant type not supported"));
    }
    // No expires_in: Salesforce says how long a token lives only through introspection.
    let issued_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    Some(json(
        200,
        serde_json::json!({
            "access_token": s.token("00Dstandin!AQ"),
            "signature": "c2lnbmF0dXJl",
            "scope": "api",
            "instance_url": s.url(""),
            "id": s.url("/id/00Dstandin/005standin"),
            "token_type": "Bearer",
            "issued_at": issued_ms.to_string(),
        }),
    ))
}

fn introspect(s: &Scenarios, req: &Req) -> Option<Reply> {
    let body = fields(req);
    let field = |name: &str| body.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != GOOD_KEY || field("client_secret") != SECRET {
        return Some(json(401, serde_json::json!({ "error": "invalid_client" })));
    }
    if !s.state.lock().is_ok_and(|st| st.issued.contains(field("token"))) {
        return Some(json(200, serde_json::json!({ "active": false })));
    }
    Some(json(
        200,
        serde_json::json!({
            "active": true, "scope": "api", "client_id": GOOD_KEY, "token_type": "access_token", "exp": now() + 7200,
        }),
    ))
}

/// Salesforce's answer to a missing, expired or revoked session.
pub(super) fn invalid_session() -> Reply {
    json(401, serde_json::json!([{ "errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid" }]))
}

fn versions(s: &Scenarios, req: &Req) -> Option<Reply> {
    if !s.bearer_ok(req) {
        return Some(invalid_session());
    }
    Some(json(
        200,
        serde_json::json!([
            { "label": "Summer '24", "url": "/services/data/v61.0", "version": "61.0" },
            { "label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0" },
        ]),
    ))
}

fn limits(s: &Scenarios, req: &Req) -> Option<Reply> {
    if !s.bearer_ok(req) {
        return Some(invalid_session());
    }
    Some(json(200, serde_json::json!({ "DailyApiRequests": { "Max": 15000, "Remaining": 14990 } })))
}

/// The JWT bearer flow as Salesforce documents it: an RS256 JWT signed with the key of a
/// certificate uploaded to the app, iss the Consumer Key, aud the login host, sub a
/// pre-authorized user, exp at most 3 minutes ahead.
fn jwt_bearer(s: &Scenarios, assertion: &str) -> Reply {
    let invalid = || error(400, "invalid_grant", "invalid assertion");
    let parts: Vec<&str> = assertion.split('.').collect();
    let [head_part, claims_part, signature] = parts.as_slice() else { return invalid() };
    let decode = |p: &str| -> Option<serde_json::Value> {
        URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok().and_then(|b| serde_json::from_slice(&b).ok())
    };
    let (Some(head), Some(claims)) = (decode(head_part), decode(claims_part)) else { return invalid() };
    if head.get("alg").and_then(serde_json::Value::as_str) != Some("RS256") {
        return invalid();
    }
    let signed = format!("{head_part}.{claims_part}");
    let verified = s
        .salesforce_certs
        .iter()
        .any(|key| crypto::verify(signature, signed.as_bytes(), &DecodingKey::from_rsa_der(key), Algorithm::RS256).unwrap_or(false));
    if !verified {
        return invalid();
    }
    let claim = |name: &str| claims.get(name).cloned().unwrap_or_default();
    if claim("iss") != GOOD_KEY {
        return error(400, "invalid_client_id", "client identifier invalid");
    }
    if !matches!(claim("aud").as_str(), Some("https://login.salesforce.com" | "https://test.salesforce.com")) {
        return error(400, "invalid_grant", "audience is invalid");
    }
    let t = now() as f64;
    match claim("exp").as_f64() {
        Some(exp) if exp >= t && exp <= t + 300.0 => {}
        _ => return invalid(),
    }
    if claim("sub") != JWT_USER {
        return error(400, "invalid_grant", "user hasn't approved this consumer");
    }
    json(
        200,
        serde_json::json!({
            "access_token": s.token("00Dstandin!JWT"),
            "scope": "api",
            "instance_url": s.url(""),
            "id": s.url("/id/00Dstandin/005jwt"),
            "token_type": "Bearer",
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_url_is_a_loopback_callback_on_a_port() {
        assert!(callback("http://127.0.0.1:8765/callback"));
        for wrong in
            ["http://127.0.0.1:/callback", "http://127.0.0.1:87a/callback", "http://127.0.0.1:1/oauth/done", "https://127.0.0.1:1/callback"]
        {
            assert!(!callback(wrong), "{wrong}");
        }
    }
}
