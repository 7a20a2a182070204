//! When a new token expires: from `expires_in`, else a JWT's `exp` claim (read for display
//! and expiry only, never trusted otherwise), else the introspection endpoint, else unknown,
//! said in words. Numbers from the server are bounded before any arithmetic.

use chrono::{DateTime, Duration, Utc};

use super::config::FlowConfig;
use super::exchange;
use super::record::Recorder;
use super::token::{self, TokenResponse};
use crate::model::{ExpirySource, TokenInfo, TokenSource};
use crate::secret::ClientSecret;

const UNKNOWN_NOTE: &str =
    "the provider sent no expires_in, the token is not a JWT, and no introspection URL answered; OAuth Desk reuses it for 10 minutes";

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
    if source == ExpirySource::Unknown {
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
