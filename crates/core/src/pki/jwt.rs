//! Signed JWTs a client sends: a client assertion (RFC 7523 §2.2, OpenID Connect Core §9:
//! `private_key_jwt` with the profile's key, `client_secret_jwt` with its secret) and a JWT
//! bearer grant (RFC 7523 §2.1). jsonwebtoken signs; the header names the certificate by its
//! thumbprints (`x5t`, `x5t#S256`: Entra ID finds certificate credentials by them) and its
//! `kid`. What would be sent can be shown without the signature ([`Unsigned`]).

use chrono::{DateTime, Utc};
use jsonwebtoken::{EncodingKey, Header};
use rand_core::RngCore as _;
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use super::{Algorithm, KeyMaterial, KeyType};
use crate::error::{Error, Result};
use crate::secret::{Assertion, ClientSecret};

/// How long an assertion is valid: Salesforce takes at most 3 minutes, others 5 to 60.
pub const LIFETIME_SECS: i64 = 180;

/// What signs.
#[derive(Debug, Clone, Copy)]
pub enum Signer<'a> {
    /// `private_key_jwt`, a JWT bearer grant: the profile's key.
    Key { key: &'a KeyMaterial, alg: Algorithm },
    /// `client_secret_jwt`: HMAC SHA-256 with the client secret.
    Secret(&'a ClientSecret),
}

/// A JWT before signing: what the window and `oauthdesk assertion` show.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Unsigned {
    #[ts(type = "Record<string, unknown>")]
    pub header: Value,
    #[ts(type = "Record<string, unknown>")]
    pub claims: Value,
}

fn header(signer: &Signer<'_>) -> Result<Header> {
    Ok(match signer {
        Signer::Secret(_) => Header::new(jsonwebtoken::Algorithm::HS256),
        Signer::Key { key, alg } => {
            key.check_algorithm("algorithm", *alg)?;
            let mut h = Header::new(match alg {
                Algorithm::Rs256 => jsonwebtoken::Algorithm::RS256,
                Algorithm::Ps256 => jsonwebtoken::Algorithm::PS256,
                Algorithm::Es256 => jsonwebtoken::Algorithm::ES256,
            });
            if let Some((x5t, x5t_s256)) = key.thumbprints()? {
                h.kid = Some(x5t_s256.clone());
                h.x5t = Some(x5t);
                h.x5t_s256 = Some(x5t_s256);
            }
            h
        }
    })
}

/// A random `jti`, so no two assertions are the same (a provider may refuse a replay).
fn jti() -> String {
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The claims of a client assertion (RFC 7523 §3): the client is issuer and subject, the
/// audience is the endpoint the assertion is sent to.
pub fn client_claims(client_id: &str, audience: &str, now: DateTime<Utc>) -> Value {
    serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": jti(),
        "iat": now.timestamp(),
        "nbf": now.timestamp(),
        "exp": now.timestamp() + LIFETIME_SECS,
    })
}

/// The claims of a JWT bearer grant: `iss`, `sub`, `aud`, times, and the profile's extra
/// claims (which cannot replace the four that identify and time it).
pub fn bearer_claims(issuer: &str, subject: &str, audience: &str, extra: &Map<String, Value>, now: DateTime<Utc>) -> Value {
    let mut claims = extra.clone();
    for (k, v) in [
        ("iss", Value::from(issuer)),
        ("sub", Value::from(subject)),
        ("aud", Value::from(audience)),
        ("iat", Value::from(now.timestamp())),
        ("exp", Value::from(now.timestamp() + LIFETIME_SECS)),
        ("jti", Value::from(jti())),
    ] {
        claims.insert(k.to_string(), v);
    }
    Value::Object(claims)
}

/// The header and claims that would be sent.
pub fn unsigned(signer: &Signer<'_>, claims: &Value) -> Result<Unsigned> {
    let header = serde_json::to_value(header(signer)?).map_err(|e| Error::Internal(e.to_string()))?;
    let header = match header {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    };
    Ok(Unsigned { header, claims: claims.clone() })
}

/// The signed JWT.
pub fn sign(signer: &Signer<'_>, claims: &Value) -> Result<Assertion> {
    let header = header(signer)?;
    let key = match signer {
        Signer::Secret(s) => EncodingKey::from_secret(s.expose().as_bytes()),
        Signer::Key { key, .. } => match key.key_type {
            KeyType::Rsa => EncodingKey::from_rsa_pem(key.key.expose().as_bytes()),
            KeyType::P256 => EncodingKey::from_ec_pem(key.key.expose().as_bytes()),
        }
        .map_err(|e| Error::Internal(format!("the stored key cannot sign: {e}")))?,
    };
    jsonwebtoken::encode(&header, claims, &key).map(Assertion::new).map_err(|e| Error::Internal(format!("signing the assertion: {e}")))
}
