//! When a token is renewed in the background, with nobody asking: the one rule the window's
//! renewal and the agent both follow. Renewal runs in rounds `round` apart; a token is
//! renewed in the last round before it would have less than [`DEFAULT_MARGIN`] left, so a
//! program asking with the default margin always finds it fresh in the cache.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Desk, DEFAULT_MARGIN};
use crate::error::Result;
use crate::store::history;

/// One profile's next background renewal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renewal {
    pub handle: String,
    /// When the cached token expires.
    pub expires_at: DateTime<Utc>,
    /// When a round renews it (now, when it is due already).
    pub next_renewal: DateTime<Utc>,
}

/// How long before its expiry a token is renewed by rounds `round` apart: the margin, and
/// one round more (the next round may come just after the margin is crossed).
pub fn lead(round: std::time::Duration) -> Duration {
    Duration::from_std(round).ok().and_then(|r| DEFAULT_MARGIN.checked_add(&r)).unwrap_or(DEFAULT_MARGIN)
}

/// When a token expiring at `expires_at` is renewed by rounds `round` apart, seen at `now`:
/// never before `now`.
pub fn renewal_at(expires_at: DateTime<Utc>, round: std::time::Duration, now: DateTime<Utc>) -> DateTime<Utc> {
    expires_at.checked_sub_signed(lead(round)).map_or(now, |t| t.max(now))
}

impl Desk {
    /// Handles of the profiles whose token a round (rounds `round` apart) renews now.
    pub fn renewal_due(&self, round: std::time::Duration) -> Result<Vec<String>> {
        self.expiring(lead(round))
    }

    /// Every token that background rounds `round` apart keep fresh (one with a known expiry
    /// still ahead), with when the next renewal is.
    pub fn renewal_schedule(&self, round: std::time::Duration) -> Result<Vec<Renewal>> {
        let now = Utc::now();
        let mut all: Vec<Renewal> = history::expiries(&self.conn())?
            .into_iter()
            .filter(|(_, exp)| *exp > now)
            .map(|(handle, expires_at)| Renewal { next_renewal: renewal_at(expires_at, round, now), handle, expires_at })
            .collect();
        all.sort_by(|a, b| a.next_renewal.cmp(&b.next_renewal).then_with(|| a.handle.cmp(&b.handle)));
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token is renewed one round and the margin before it expires, never in the past,
    /// and any round (even one no clock can add) gives a date.
    #[test]
    fn a_token_is_renewed_a_round_and_the_margin_before_it_expires() {
        let now = Utc::now();
        let round = std::time::Duration::from_secs(20);
        for secs in [-30i64, 0, 1, 59, 60, 79, 80, 81, 3600, 86_400 * 365] {
            let exp = now + Duration::seconds(secs);
            let at = renewal_at(exp, round, now);
            assert!(at >= now, "{secs}");
            assert_eq!(at == now, secs <= 80, "{secs}: due within the margin and a round");
            if secs > 80 {
                assert_eq!(exp - at, Duration::seconds(80), "{secs}");
            }
        }
        assert_eq!(lead(std::time::Duration::MAX), DEFAULT_MARGIN, "a round past any date falls back to the margin");
        assert_eq!(renewal_at(DateTime::<Utc>::MIN_UTC, round, now), now);
    }
}
