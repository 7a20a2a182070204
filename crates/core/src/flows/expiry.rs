//! When a new token expires: from `expires_in`, else a JWT's `exp` claim (read for display
//! and expiry only, never trusted otherwise), else the introspection endpoint, else unknown,
//! said in words. Numbers from the server are bounded before any arithmetic.

use chrono::{DateTime, Duration, Utc};

use super::config::FlowConfig;
use super::exchange;
use super::record::Recorder;
use super::token::{self, TokenResponse};
use crate::model::{ClientAuth, ExpirySource, TokenInfo, TokenSource};
use crate::secret::ClientSecret;

const UNKNOWN_NOTE: &str =
    "the provider sent no expires_in, the token is not a JWT, and no introspection URL answered; OAuth Desk reuses it for 10 minutes";

/// What OAuth Desk does with a token whose expiry nobody said.
const UNKNOWN_REUSE: &str = "OAuth Desk uses it for 10 minutes, then asks for a new one";

/// Why a client without a secret does not ask the introspection endpoint.
const NO_SECRET_NOTE: &str =
    "the provider sent no expiry with the token, and asking its introspection endpoint needs a client secret, which this connection does not use";

/// The longest lifetime believed from `expires_in`: ten years. A larger (or negative) number
/// is no lifetime anyone meant, and would overflow the date arithmetic.
const MAX_LIFETIME_SECS: i64 = 10 * 365 * 24 * 3600;

/// `obtained_at + secs`, when `secs` is a believable lifetime.
pub fn from_expires_in(obtained_at: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
    if !(0..=MAX_LIFETIME_SECS).contains(&secs) {
        return None;
    }
    obtained_at.checked_add_signed(Duration::try_seconds(secs)?)
}

/// An expiry stated as a time (a JWT's `exp`, introspection's `exp`), when it is no later
/// than the longest lifetime believed from `expires_in`: a token said to last a thousand
/// years would be reused, unasked, for all of them.
fn believable(obtained_at: DateTime<Utc>, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let latest = obtained_at.checked_add_signed(Duration::try_seconds(MAX_LIFETIME_SECS)?)?;
    (at <= latest).then_some(at)
}

/// Whether the client can prove itself to the introspection endpoint (RFC 7662 §2.1): with
/// its key or its TLS certificate, or with a secret when it has one. A grant that carries its
/// own proof (a JWT bearer assertion) leaves the client nothing to prove itself with there; a
/// public client names itself, which some servers accept.
fn can_authenticate(cfg: &FlowConfig, secret: Option<&ClientSecret>) -> bool {
    match cfg.client_auth {
        ClientAuth::PrivateKeyJwt | ClientAuth::TlsClientAuth | ClientAuth::SelfSignedTlsClientAuth => true,
        ClientAuth::None => !cfg.template.flow.signs_grant(),
        ClientAuth::Basic | ClientAuth::Post | ClientAuth::ClientSecretJwt => secret.is_some(),
    }
}

/// What is known about a new token, with its expiry worked out.
pub async fn info(
    cfg: &FlowConfig,
    response: &TokenResponse,
    obtained_at: DateTime<Utc>,
    secret: Option<&ClientSecret>,
    log: &mut Recorder,
) -> TokenInfo {
    let mut note = None;
    let from_jwt = || {
        token::jwt_claims(response.access_token.expose())
            .and_then(|c| token::claim_time(&c, "exp"))
            .and_then(|at| believable(obtained_at, at))
    };
    let (expires_at, source) = if let Some(at) = response.expires_in.and_then(|s| from_expires_in(obtained_at, s)) {
        (Some(at), ExpirySource::ExpiresIn)
    } else if let Some(exp) = from_jwt() {
        (Some(exp), ExpirySource::Jwt)
    } else if cfg.introspect_url.is_some() && !can_authenticate(cfg, secret) {
        // Introspection is asked with the client's credentials (RFC 7662 §2.1): a client
        // that has no secret (a JWT bearer app) would only be refused, which is no failure
        // of its connection. How long its tokens last is said instead.
        let provider = cfg.rules().unsent_expiry();
        note = Some(provider.map_or_else(|| format!("{NO_SECRET_NOTE}; {UNKNOWN_REUSE}"), |p| format!("{p}; {UNKNOWN_REUSE}")));
        (None, ExpirySource::Unknown)
    } else if let Some(url) = &cfg.introspect_url {
        match exchange::introspect_exp(cfg, url, secret, &response.access_token, log).await {
            Ok(Some(exp)) if believable(obtained_at, exp).is_some() => (Some(exp), ExpirySource::Introspection),
            Ok(_) => {
                note = Some("the introspection endpoint did not say when the token expires".to_string());
                (None, ExpirySource::Unknown)
            }
            Err(e) => {
                note = Some(format!("introspection failed ({e})"));
                (None, ExpirySource::Unknown)
            }
        }
    } else {
        (None, ExpirySource::Unknown)
    };
    if source == ExpirySource::Unknown && !note.as_deref().is_some_and(|n| n.ends_with(UNKNOWN_REUSE)) {
        note = Some(match note {
            Some(n) => format!("{n}; {UNKNOWN_NOTE}"),
            None => UNKNOWN_NOTE.to_string(),
        });
    }
    TokenInfo {
        token_type: response.token_type.clone(),
        scope: response.scope.clone(),
        obtained_at,
        expires_at,
        expiry_source: source,
        expiry_note: note,
        instance_url: response.instance_url.clone(),
        issued_at: response.issued_at,
        refresh_token: response.refresh_token.is_some(),
        source: TokenSource::Network,
        extra: response.extra.clone(),
        id_token_claims: response.id_token_claims.clone(),
        previous_key: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every client authentication, with and without a secret, in a client-credentials and a
    /// JWT bearer profile: introspection is asked only when the client can prove itself there;
    /// otherwise the expiry is said to be unsent, and the provider's words say how long its
    /// tokens last (Salesforce's), with nothing refused behind it.
    #[tokio::test]
    async fn introspection_is_asked_only_by_a_client_that_can_prove_itself() {
        let now = Utc::now();
        let response = token::parse(&serde_json::json!({"access_token": "opaque"}), "access_token").unwrap_or_else(|e| panic!("{e}"));
        let (mut asked_any, mut unasked_sf) = (0, 0);
        for (template, base) in [(crate::template::CLIENT_CREDENTIALS, "token_url"), ("salesforce-jwt-bearer", "my_domain")] {
            for (name, auth) in ClientAuth::NAMES {
                for secret in [None, Some(ClientSecret::new("s"))] {
                    // Nothing listens on port 1: an introspection asked fails, and says so.
                    let mut fields: crate::model::Fields = [
                        (base, "http://127.0.0.1:1"),
                        ("client_id", "c"),
                        ("username", "u@example.com"),
                        ("introspect_url", "http://127.0.0.1:1/introspect"),
                        ("client_auth", name),
                    ]
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .into();
                    if template == crate::template::CLIENT_CREDENTIALS {
                        fields.insert("token_url".into(), "http://127.0.0.1:1/token".into());
                    }
                    let t = crate::template::find(template).unwrap_or_else(|e| panic!("{e}"));
                    let Ok(cfg) = FlowConfig::new(t, &fields) else { continue };
                    let info = info(&cfg, &response, now, secret.as_ref(), &mut Recorder::default()).await;
                    let note = info.expiry_note.unwrap_or_default();
                    let asked = note.contains("introspection failed");
                    let can = match auth {
                        ClientAuth::PrivateKeyJwt | ClientAuth::TlsClientAuth | ClientAuth::SelfSignedTlsClientAuth => true,
                        ClientAuth::None => t.flow != crate::template::Flow::JwtBearer,
                        _ => secret.is_some(),
                    };
                    let case = format!("{template}, {name}, secret: {}", secret.is_some());
                    asked_any += usize::from(asked);
                    unasked_sf += usize::from(!asked && template != crate::template::CLIENT_CREDENTIALS);
                    assert_eq!(asked, can && cfg.client_auth == auth, "{case}: {note}");
                    if !asked {
                        assert!(note.ends_with(UNKNOWN_REUSE) || note.contains("reuses it"), "{case}: {note}");
                    }
                    if template != crate::template::CLIENT_CREDENTIALS && !asked {
                        assert!(note.starts_with("Salesforce does not send"), "{case}: {note}");
                    }
                }
            }
        }
        assert!(asked_any >= 6 && unasked_sf >= 1, "{asked_any} asked, {unasked_sf} Salesforce unasked");
    }

    #[test]
    fn expires_in_is_bounded() {
        let now = Utc::now();
        assert_eq!(from_expires_in(now, 3600), Some(now + Duration::seconds(3600)));
        assert_eq!(from_expires_in(now, -5), None);
        assert_eq!(from_expires_in(now, i64::MAX), None);
        assert_eq!(from_expires_in(now, MAX_LIFETIME_SECS + 1), None);
    }

    /// Every spelling of a lifetime or an expiry time a server could send, as `expires_in`
    /// and as a JWT's `exp`: the expiry is unknown or within ten years, never a panic.
    #[tokio::test]
    async fn every_stated_expiry_is_bounded() {
        use base64::Engine as _;
        use serde_json::json;
        let fields: crate::model::Fields =
            [("token_url", "https://idp.example.com/token"), ("client_id", "c")].map(|(k, v)| (k.to_string(), v.to_string())).into();
        let cfg = FlowConfig::new(crate::template::find(crate::template::CLIENT_CREDENTIALS).unwrap_or_else(|e| panic!("{e}")), &fields)
            .unwrap_or_else(|e| panic!("{e}"));
        let now = Utc::now();
        let latest = now + Duration::seconds(MAX_LIFETIME_SECS);
        let spellings = [
            json!(i64::MAX),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(-1),
            json!(1e300),
            json!(-1e300),
            json!(1.5),
            json!(253_402_300_800i64),
            json!(4_102_444_800i64 * 1000),
            json!("1e300"),
            json!("NaN"),
            json!("inf"),
            json!("-inf"),
            json!("99999999999999999999999"),
            json!(""),
            json!(null),
            json!([1]),
            json!({"a": 1}),
        ];
        for value in spellings {
            let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({ "exp": value }).to_string());
            for body in [
                json!({"access_token": "opaque", "expires_in": value}),
                json!({"access_token": format!("eyJhbGciOiJub25lIn0.{claims}.c2ln")}),
            ] {
                let response = token::parse(&body, "access_token").unwrap_or_else(|e| panic!("{e}"));
                let info = info(&cfg, &response, now, None, &mut Recorder::default()).await;
                assert!(info.expires_at.is_none_or(|e| e <= latest), "{body}: {:?}", info.expires_at);
                let _ = info.expires_in();
            }
        }
    }
}
