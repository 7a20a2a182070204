//! The lifecycle provider's answers, in each provider's own words and shape.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::super::{error, json, unsigned_jwt, Scenarios};
use super::{Ended, Family, Provider};
use crate::reply::Reply;

/// A token answer as the provider sends it, naming the signed-in user.
pub(super) fn issued(s: &Scenarios, provider: Provider, user: &str, refresh_token: Option<&str>, now: i64) -> Reply {
    let mut body = match provider {
        // No expires_in: Salesforce says how long a token lives only through introspection.
        Provider::Salesforce => serde_json::json!({
            "access_token": s.token("00Dlifecycle!AQ"),
            "refresh_token": refresh_token,
            "signature": "c2lnbmF0dXJl",
            "scope": "refresh_token api",
            "instance_url": s.url(""),
            "id": s.url(&format!("/id/00Dlifecycle/005{user}")),
            "token_type": "Bearer",
            "issued_at": now.saturating_mul(1000).to_string(),
        }),
        Provider::Entra => {
            let claims = serde_json::json!({
                "sub": format!("sub-{user}"), "oid": format!("oid-{user}"), "preferred_username": user,
                "iss": s.url("/lifecycle/entra/v2.0"), "iat": now, "nbf": now, "exp": now.saturating_add(3600),
            });
            serde_json::json!({
                "token_type": "Bearer", "scope": "openid offline_access User.Read", "expires_in": 3600, "ext_expires_in": 3600,
                "access_token": s.token("eyJlifecycle"), "refresh_token": refresh_token, "id_token": unsigned_jwt(&claims),
            })
        }
        Provider::Google => {
            let claims = serde_json::json!({
                "iss": "https://accounts.google.com", "sub": google_sub(user), "email": user, "email_verified": true,
                "iat": now, "exp": now.saturating_add(3599),
            });
            serde_json::json!({
                "access_token": s.token("ya29.lifecycle"), "expires_in": 3599, "refresh_token": refresh_token,
                "scope": "openid https://www.googleapis.com/auth/userinfo.email", "token_type": "Bearer",
                "id_token": unsigned_jwt(&claims),
            })
        }
    };
    if let Some(fields) = body.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
    }
    json(200, body)
}

/// The provider's refusal of a refresh token or code, in its own words.
pub(super) fn refused(provider: Provider, family: Option<&Family>, now: i64) -> Reply {
    match provider {
        // Salesforce and Google give the same words whatever ended the token.
        Provider::Salesforce => error(400, "invalid_grant", "expired access/refresh token"),
        Provider::Google => error(400, "invalid_grant", "Token has been expired or revoked."),
        Provider::Entra => {
            let time = |t: i64| DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S.0000000Z").to_string();
            let (code, text) = match family.and_then(|f| f.ended.map(|e| (e, f))) {
                Some((Ended::Password, f)) => (
                    50173,
                    format!(
                        "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
                        time(f.started),
                        time(now)
                    ),
                ),
                Some((Ended::Idle, f)) => (
                    700082,
                    format!(
                        "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on {} and was inactive for {}.00:00:00.",
                        time(f.started),
                        f.provider.rules(&f.client).idle_days
                    ),
                ),
                _ => (9002313, "AADSTS9002313: Invalid request. Request is malformed or invalid.".to_string()),
            };
            let stamp = DateTime::<Utc>::from_timestamp(now, 0).unwrap_or_default().format("%Y-%m-%d %H:%M:%SZ").to_string();
            let trace = "0000aaaa-11bb-cccc-dd22-eeeeee333333";
            json(
                400,
                serde_json::json!({
                    "error": "invalid_grant",
                    "error_description": format!("{text}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {stamp}"),
                    "error_codes": [code], "timestamp": stamp, "trace_id": trace, "correlation_id": trace,
                    "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
                }),
            )
        }
    }
}

/// A Google account's `sub`: a long decimal number, the same for the same user.
fn google_sub(user: &str) -> String {
    let digest = Sha256::digest(user.as_bytes());
    let n = digest.iter().take(8).fold(0u64, |n, b| n.wrapping_mul(256).wrapping_add(u64::from(*b)));
    format!("10{n:020}")
}
