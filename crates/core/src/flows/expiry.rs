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

/// What is known about a new token, with its expiry worked out.
pub async fn info(
    cfg: &FlowConfig,
    response: &TokenResponse,
    obtained_at: DateTime<Utc>,
    secret: Option<&ClientSecret>,
    log: &mut Recorder,
) -> TokenInfo {
    let mut note = None;
    let from_jwt = || token::jwt_claims(response.access_token.expose()).and_then(|c| token::claim_time(&c, "exp"));
    let (expires_at, source) = if let Some(at) = response.expires_in.and_then(|s| from_expires_in(obtained_at, s)) {
        (Some(at), ExpirySource::ExpiresIn)
    } else if let Some(exp) = from_jwt() {
        (Some(exp), ExpirySource::Jwt)
    } else if let Some(url) = &cfg.introspect_url {
        match exchange::introspect_exp(cfg, url, secret, &response.access_token, log).await {
            Ok(Some(exp)) => (Some(exp), ExpirySource::Introspection),
            Ok(None) => {
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
}
