//! When a connection is warned of before it fails: a token close to its expiry, a
//! certificate close to its end. Each threshold is here once; the connection state carries
//! what it means for each profile, and the window and the diagnosis read that.

use chrono::{DateTime, Duration, Utc};

/// A token with less than this left is "expiring soon", when its lifetime is long enough
/// (see [`expiring_soon_at`]).
pub const EXPIRING_SOON: Duration = Duration::minutes(5);

/// A token is expiring soon only in the last 1/`SOON_SHARE` of its lifetime: a token that
/// lives five minutes spends its whole life within five minutes of its end, and it is
/// renewed a minute before that end (the renewal margin), so only its last minute is soon.
pub const SOON_SHARE: i32 = 5;

/// A token's countdown is shown in red for its last stretch (the window's panel).
pub const ALMOST_EXPIRED: Duration = Duration::minutes(1);

/// A certificate with fewer whole days than this left is warned of (it must be renewed and
/// uploaded to the provider, which takes time).
pub const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// A client secret with fewer whole days than this left (by the date its profile records
/// for it) is warned of: a new secret must be made in the provider's console and stored in
/// every integration that uses the old one.
pub const SECRET_WARNING_DAYS: i64 = 30;

/// From when a token obtained at `obtained_at` that expires at `expires_at` is expiring
/// soon: [`EXPIRING_SOON`] before its end, or its last 1/[`SOON_SHARE`] when it lives less
/// than `SOON_SHARE` times that (a fresh short-lived token is not soon at its first second).
pub fn expiring_soon_at(obtained_at: DateTime<Utc>, expires_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // Checked: the times may come from a server's numbers.
    let lifetime = expires_at.signed_duration_since(obtained_at).max(Duration::zero());
    expires_at.checked_sub_signed(EXPIRING_SOON.min(lifetime / SOON_SHARE))
}

/// Whole days from `now` until `not_after`, rounded down (negative once it has passed).
pub fn days_left(not_after: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    not_after.signed_duration_since(now).num_seconds().div_euclid(86_400)
}

/// Whether a certificate with `days_left` whole days left is warned of (an expired one is).
pub fn certificate_expiring(days_left: i64) -> bool {
    days_left < CERTIFICATE_WARNING_DAYS
}

/// Whether a client secret with `days_left` whole days left is warned of (an expired one is).
pub fn secret_expiring(days_left: i64) -> bool {
    days_left < SECRET_WARNING_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lifetime from a second to a day: soon starts in the token's last fifth, never
    /// more than five minutes before its end, never at its first second, always before its end.
    #[test]
    fn expiring_soon_is_relative_to_the_token_s_lifetime() {
        let obtained = Utc::now();
        for secs in (1..=86_400).step_by(7).chain([60, 120, 299, 300, 301, 1500, 1501, 3600]) {
            let expires = obtained + Duration::seconds(secs);
            let at = expiring_soon_at(obtained, expires).unwrap_or_else(|| panic!("{secs}"));
            let window = expires - at;
            assert!(window <= EXPIRING_SOON, "{secs} s: soon {window} before the end");
            assert!(window * SOON_SHARE <= expires - obtained, "{secs} s: soon before its last fifth");
            assert!(at > obtained, "{secs} s: soon from its first second");
            assert!(window > Duration::zero() || secs < SOON_SHARE.into(), "{secs} s: never soon");
            if secs >= 1500 {
                assert_eq!(window, EXPIRING_SOON, "{secs} s: a long-lived token is soon in its last five minutes");
            }
        }
        // A fresh five-minute token: soon only in its last minute.
        let five = obtained + Duration::minutes(5);
        assert_eq!(expiring_soon_at(obtained, five), Some(five - Duration::minutes(1)));
        // An expiry before the time it was obtained (a server's clock): soon from its end.
        assert_eq!(expiring_soon_at(obtained, obtained - Duration::seconds(10)), Some(obtained - Duration::seconds(10)));
    }

    #[test]
    fn days_left_round_down_on_both_sides_of_the_end() {
        let now = Utc::now();
        for (secs, days) in [(0, 0), (1, 0), (86_399, 0), (86_400, 1), (-1, -1), (-86_400, -1), (-86_401, -2), (30 * 86_400 - 1, 29)] {
            assert_eq!(days_left(now + Duration::seconds(secs), now), days, "{secs} s");
        }
        assert!(certificate_expiring(29) && certificate_expiring(-1) && !certificate_expiring(30));
        assert!(secret_expiring(29) && secret_expiring(-1) && !secret_expiring(30));
    }
}
