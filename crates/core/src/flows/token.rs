//! Reading token responses as real providers send them: `expires_in` as a number or a numeric
//! string or not at all (Salesforce), `token_type` in any case, the token under another field
//! name, Salesforce's `issued_at` in epoch milliseconds. Also the token's expiry, from
//! `expires_in`, a JWT's `exp` claim (decoded for display only, never trusted otherwise), or
//! introspection.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::secret::{AccessToken, RefreshToken};

/// A parsed token response.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    pub token_type: String,
    pub scope: Option<String>,
    pub expires_in: Option<i64>,
    pub refresh_token: Option<RefreshToken>,
    pub instance_url: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    /// The other fields, for display; anything that looks like a token is left out.
    pub extra: BTreeMap<String, Value>,
    /// The ID token's claims (decoded, not verified: for display), when one came.
    pub id_token_claims: Option<Value>,
}

/// Looks up a dotted path (`data.access_token`) in a JSON object.
fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, key| v.get(key))
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
}

fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether a response field holds a credential that must not be displayed or cached as data.
pub fn is_sensitive(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    // What describes a credential is not one: its type, a hint, a lifetime, a place.
    const DESCRIBING: &[&str] = &["_type", "_hint", "_in", "_at", "_uri", "_url", "_endpoint", "_method", "_supported", "_count"];
    if DESCRIBING.iter().any(|s| k.ends_with(s)) {
        return false;
    }
    k.contains("token") || k.contains("secret") || k.contains("password") || k == "code"
}

/// Parses a JSON token response; the error says which fields were there instead.
pub fn parse(json: &Value, token_field: &str) -> Result<TokenResponse, String> {
    let obj = json.as_object().ok_or("the token response is JSON but not an object")?;
    let access_token = lookup(json, token_field).and_then(as_string).filter(|t| !t.is_empty()).ok_or_else(|| {
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        format!(
            "the response has no '{token_field}' field (it has: {}); if the provider names the token differently, set token_field",
            keys.join(", ")
        )
    })?;
    let get = |k: &str| obj.get(k);
    let issued_at = get("issued_at").and_then(as_i64).and_then(|ms| Utc.timestamp_millis_opt(ms).single());
    let top = token_field.split('.').next().unwrap_or(token_field);
    let extra = obj
        .iter()
        .filter(|(k, _)| !is_sensitive(k) && k.as_str() != top)
        .filter(|(k, _)| !matches!(k.as_str(), "token_type" | "scope" | "expires_in" | "instance_url"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(TokenResponse {
        access_token: AccessToken::new(access_token),
        token_type: get("token_type").and_then(as_string).map(|t| normalise_type(&t)).unwrap_or_else(|| "Bearer".into()),
        scope: get("scope").and_then(as_string),
        expires_in: get("expires_in").and_then(as_i64),
        refresh_token: get("refresh_token").and_then(as_string).filter(|t| !t.is_empty()).map(RefreshToken::new),
        instance_url: get("instance_url").and_then(as_string),
        issued_at,
        extra,
        id_token_claims: get("id_token").and_then(Value::as_str).and_then(jwt_claims),
    })
}

/// `bearer`, `BEARER` → `Bearer`; other types kept as sent.
fn normalise_type(t: &str) -> String {
    if t.eq_ignore_ascii_case("bearer") {
        "Bearer".into()
    } else {
        t.to_string()
    }
}

/// The claims of a JWT's payload, without verifying anything. For display and expiry only.
/// The decoded header of a JWT (no signature check: for showing what a token is).
pub fn jwt_header(token: &str) -> Option<Value> {
    let head = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(head.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object)
}

pub fn jwt_claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object)
}

/// A numeric date claim (`exp`, `nbf`, `iat`) as a time.
pub fn claim_time(claims: &Value, name: &str) -> Option<DateTime<Utc>> {
    claims.get(name).and_then(as_i64).and_then(|s| Utc.timestamp_opt(s, 0).single())
}

#[cfg(test)]
mod sensitive_tests {
    use super::is_sensitive;

    #[test]
    fn credentials_are_sensitive_and_what_describes_them_is_not() {
        for k in
            ["access_token", "refresh_token", "id_token", "client_secret", "password", "code", "subject_token", "Registration_Access_Token"]
        {
            assert!(is_sensitive(k), "{k}");
        }
        for k in [
            "token_type",
            "token_type_hint",
            "expires_in",
            "refresh_token_expires_in",
            "token_endpoint",
            "revocation_endpoint_auth_methods_supported",
            "subject_token_type",
            "client_secret_expires_at",
        ] {
            assert!(!is_sensitive(k), "{k}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn salesforce_response_without_expires_in() {
        let r = parse(
            &json!({
                "access_token": "00Dxx!AQ0AQ", "signature": "abc=", "scope": "api",
                "instance_url": "https://acme.my.salesforce.com", "id": "https://login.salesforce.com/id/00D/005",
                "token_type": "Bearer", "issued_at": "1764072000000"
            }),
            "access_token",
        )
        .unwrap();
        assert_eq!(r.access_token.expose(), "00Dxx!AQ0AQ");
        assert_eq!(r.expires_in, None);
        assert_eq!(r.instance_url.as_deref(), Some("https://acme.my.salesforce.com"));
        assert_eq!(r.issued_at.unwrap().timestamp(), 1_764_072_000);
        assert!(r.extra.contains_key("id") && r.extra.contains_key("signature"));
        assert!(!r.extra.contains_key("access_token"));
    }

    #[test]
    fn lenient_types_and_custom_fields() {
        let r = parse(&json!({"data": {"accessToken": "t1"}, "expires_in": "3600", "token_type": "bearer"}), "data.accessToken").unwrap();
        assert_eq!((r.access_token.expose(), r.expires_in, r.token_type.as_str()), ("t1", Some(3600), "Bearer"));
        let r = parse(&json!({"access_token": "t2", "expires_in": 59.9, "refresh_token": "r"}), "access_token").unwrap();
        assert_eq!(r.expires_in, Some(59));
        assert!(r.extra.is_empty(), "refresh_token is never kept as display data");
        let e = parse(&json!({"token": "x", "ttl": 5}), "access_token").unwrap_err();
        assert!(e.contains("no 'access_token'") && e.contains("token, ttl"), "{e}");
    }

    #[test]
    fn jwt_claims_are_read_without_verification() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"exp":1764075600,"sub":"x"}"#);
        let jwt = format!("eyJhbGciOiJub25lIn0.{payload}.sig");
        let claims = jwt_claims(&jwt).unwrap();
        assert_eq!(claim_time(&claims, "exp").unwrap().timestamp(), 1_764_075_600);
        assert!(jwt_claims("opaque-token").is_none());
        assert!(jwt_claims("a.b.c.d").is_none());
    }

    #[test]
    fn an_id_tokens_claims_are_kept_and_the_id_token_is_not() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"u1","email":"a@example.com"}"#);
        let id_token = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig");
        let r = parse(&json!({"access_token": "t", "id_token": id_token}), "access_token").unwrap();
        assert_eq!(r.id_token_claims, Some(json!({"sub": "u1", "email": "a@example.com"})));
        assert!(!r.extra.contains_key("id_token"));
        let opaque = parse(&json!({"access_token": "t", "id_token": "not-a-jwt"}), "access_token").unwrap();
        assert_eq!(opaque.id_token_claims, None);
    }
}
