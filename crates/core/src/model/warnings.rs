//! When a connection is warned of before it fails: a token close to its expiry, a
//! certificate close to its end. Each threshold is here once; the connection state carries
//! what it means for each profile, and the window and the diagnosis read that.

use chrono::{DateTime, Duration, Utc};

/// A token with less than this left is "expiring soon".
pub const EXPIRING_SOON: Duration = Duration::minutes(5);

/// A token's countdown is shown in red for its last stretch (the window's panel).
pub const ALMOST_EXPIRED: Duration = Duration::minutes(1);

/// A certificate with fewer whole days than this left is warned of (it must be renewed and
/// uploaded to the provider, which takes time).
pub const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// From when a token that expires at `expires_at` is expiring soon.
pub fn expiring_soon_at(expires_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // Checked: the time may come from a server's numbers.
    expires_at.checked_sub_signed(EXPIRING_SOON)
}

/// Whole days from `now` until `not_after`, rounded down (negative once it has passed).
pub fn days_left(not_after: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    not_after.signed_duration_since(now).num_seconds().div_euclid(86_400)
}

/// Whether a certificate with `days_left` whole days left is warned of (an expired one is).
pub fn certificate_expiring(days_left: i64) -> bool {
    days_left < CERTIFICATE_WARNING_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_left_round_down_on_both_sides_of_the_end() {
        let now = Utc::now();
        for (secs, days) in [(0, 0), (1, 0), (86_399, 0), (86_400, 1), (-1, -1), (-86_400, -1), (-86_401, -2), (30 * 86_400 - 1, 29)] {
            assert_eq!(days_left(now + Duration::seconds(secs), now), days, "{secs} s");
        }
        assert!(certificate_expiring(29) && certificate_expiring(-1) && !certificate_expiring(30));
    }
}
