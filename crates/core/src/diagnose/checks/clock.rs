//! Stage 6: the token's JWT times and the server's `Date` header against this machine's clock.

use chrono::{DateTime, Utc};

use super::super::Outcome;
use crate::flows::token;
use crate::secret::AccessToken;

/// Stage 6: the token's JWT times and the server's Date header against this machine's clock.
pub fn clock(access_token: &AccessToken, obtained_at: DateTime<Utc>, server_date: Option<DateTime<Utc>>) -> Outcome {
    const SKEW: i64 = 300;
    let now = obtained_at;
    if let Some(claims) = token::jwt_claims(access_token.expose()) {
        for name in ["iat", "nbf"] {
            if let Some(t) = token::claim_time(&claims, name) {
                let ahead = (t - now).num_seconds();
                if ahead > SKEW {
                    return Outcome::found("clock-behind", &[("claim", name), ("secs", &ahead.to_string())]);
                }
            }
        }
        if let Some(exp) = token::claim_time(&claims, "exp") {
            if exp < now {
                return Outcome::found("clock-ahead", &[("secs", &(now - exp).num_seconds().to_string())]);
            }
        }
    }
    if let Some(date) = server_date {
        let skew = (date - now).num_seconds();
        if skew.abs() > SKEW {
            return Outcome::found("clock-off-from-server", &[("secs", &skew.to_string())]);
        }
        return Outcome::ok(&format!("this machine's clock is within {} s of the server's", skew.abs().max(1)));
    }
    Outcome::ok("no time information to compare")
}

/// The Date header of the newest trace entry that has one.
pub fn server_date(trace: &[crate::flows::trace::TraceEntry]) -> Option<DateTime<Utc>> {
    trace.iter().rev().find_map(|t| {
        t.response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("date"))
            .and_then(|(_, v)| DateTime::parse_from_rfc2822(v).ok())
            .map(|d| d.with_timezone(&Utc))
    })
}
