//! The store's record of connections: token metadata (when obtained, when it expires; the
//! token itself is in the keyring) and every attempt, from which each profile's connection
//! state (connected, expired, failing, never tried) is derived by one pure function,
//! [`derive_state`], whether one profile is read or all of them are listed in one query.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::profiles::{from_row, Row, COLUMNS, COLUMN_COUNT};
use crate::error::Result;
use crate::model::{warnings, Attempt, ConnectionState, ConnectionStatus, ExpirySource, Stage};

/// A token whose expiry is unknown is reused for this long after it was obtained.
pub const UNKNOWN_EXPIRY_REUSE: Duration = Duration::minutes(10);

/// What the store keeps about a cached token.
#[derive(Debug, Clone)]
pub struct TokenMeta {
    /// The token (and refresh token), sealed.
    pub sealed: Option<Vec<u8>>,
    /// A keyring item still holding the token (stores from schema 2, until moved in).
    pub secret_ref: Option<String>,
    pub obtained_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// How much of each profile's history is kept: its newest `attempts`, none older than
/// `days` (its very last attempt, which its state is read from, is kept whatever its age).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub attempts: u32,
    pub days: u32,
}

impl Retention {
    /// A thousand attempts (years of daily use) for at most 90 days.
    pub const DEFAULT: Retention = Retention { attempts: 1000, days: 90 };
}

static RETENTION: std::sync::RwLock<Retention> = std::sync::RwLock::new(Retention::DEFAULT);

/// Sets how much history this process keeps (the front ends read it from their settings).
pub fn set_retention(r: Retention) {
    *RETENTION.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Retention { attempts: r.attempts.max(1), days: r.days.max(1) };
}

/// How much history this process keeps.
pub fn retention() -> Retention {
    *RETENTION.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The most old attempts one write removes: the work of a write stays bounded even on a
/// store whose history grew before it was trimmed (what is left goes with later writes).
const TRIM_BATCH: i64 = 1000;

/// Records `attempts` and trims the profile's history to the process's [`retention`], in
/// the caller's transaction.
pub fn record(conn: &Connection, profile_id: i64, attempts: &[Attempt]) -> Result<()> {
    record_within(conn, profile_id, attempts, retention())
}

/// [`record`] with the retention given.
pub fn record_within(conn: &Connection, profile_id: i64, attempts: &[Attempt], keep: Retention) -> Result<()> {
    if attempts.is_empty() {
        return Ok(());
    }
    insert(conn, profile_id, attempts)?;
    let oldest = Utc::now().checked_sub_signed(Duration::days(i64::from(keep.days))).unwrap_or(DateTime::<Utc>::MIN_UTC);
    // Through the (profile_id, id) index: the newest `attempts` are skipped, and at most a
    // batch of the older ones (or of those past their days) is read and removed.
    conn.prepare_cached(
        "DELETE FROM attempts WHERE id IN (
           SELECT id FROM attempts WHERE profile_id = ?1
             AND id < (SELECT max(id) FROM attempts WHERE profile_id = ?1)
             AND (at < ?2 OR id <= coalesce((SELECT id FROM attempts WHERE profile_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?3), -1))
           ORDER BY id LIMIT ?4)",
    )?
    .execute(params![profile_id, oldest, i64::from(keep.attempts), TRIM_BATCH])?;
    Ok(())
}

fn insert(conn: &Connection, profile_id: i64, attempts: &[Attempt]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO attempts (profile_id, at, stage, ok, status, elapsed_ms, error, error_description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for a in attempts {
        let elapsed = i64::try_from(a.elapsed_ms).unwrap_or(i64::MAX);
        stmt.execute(params![profile_id, a.at, a.stage.as_str(), a.ok, a.status, elapsed, a.error, a.error_description])?;
    }
    Ok(())
}

/// Stores a profile's sealed token and what is known of it (replacing any it had).
pub fn save_token(
    conn: &Connection,
    profile_id: i64,
    sealed: &[u8],
    obtained_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    source: ExpirySource,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO tokens (profile_id, sealed, secret_ref, obtained_at, expires_at, expiry_source) VALUES (?1, ?2, NULL, ?3, ?4, ?5)
         ON CONFLICT (profile_id) DO UPDATE SET sealed = ?2, secret_ref = NULL, obtained_at = ?3, expires_at = ?4, expiry_source = ?5",
    )?
    .execute(params![profile_id, sealed, obtained_at, expires_at, source.as_str()])?;
    conn.prepare_cached("UPDATE profiles SET token_dropped = NULL WHERE id = ?1 AND token_dropped IS NOT NULL")?.execute([profile_id])?;
    Ok(())
}

/// Why a token was forgotten, when the badge should say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    SignedOut,
    SettingsChanged,
}

pub fn token(conn: &Connection, profile_id: i64) -> Result<Option<TokenMeta>> {
    Ok(conn
        .prepare_cached("SELECT sealed, secret_ref, obtained_at, expires_at FROM tokens WHERE profile_id = ?1")?
        .query_row([profile_id], |r| {
            Ok(TokenMeta { sealed: r.get(0)?, secret_ref: r.get(1)?, obtained_at: r.get(2)?, expires_at: r.get(3)? })
        })
        .optional()?)
}

/// Marks the profile's cached access token as expired at `at` (a program reported it
/// refused), keeping its refresh token: the next request for a token makes a new exchange.
pub fn expire_token(conn: &Connection, profile_id: i64, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE tokens SET expires_at = ?2 WHERE profile_id = ?1")?.execute(params![profile_id, at])?;
    Ok(())
}

/// Forgets the profile's token; `why`, when it had one, is what the badge says then.
pub fn forget_token(conn: &Connection, profile_id: i64, why: Option<Dropped>) -> Result<()> {
    let n = conn.execute("DELETE FROM tokens WHERE profile_id = ?1", [profile_id])?;
    if let (true, Some(why)) = (n > 0, why) {
        let why = match why {
            Dropped::SignedOut => "signed_out",
            Dropped::SettingsChanged => "settings_changed",
        };
        conn.execute("UPDATE profiles SET token_dropped = ?2 WHERE id = ?1", params![profile_id, why])?;
    }
    Ok(())
}

/// The most recent attempts, newest first.
pub fn recent(conn: &Connection, profile_id: i64, limit: usize) -> Result<Vec<Attempt>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, stage, ok, status, elapsed_ms, error, error_description FROM attempts WHERE profile_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![profile_id, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        let stage: String = r.get(1)?;
        Ok(Attempt {
            at: r.get(0)?,
            stage: Stage::parse(&stage).unwrap_or(Stage::Token),
            ok: r.get(2)?,
            status: r.get(3)?,
            elapsed_ms: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            error: r.get(5)?,
            error_description: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Whether a cached token can still be used `margin` from now.
pub fn usable(meta: &TokenMeta, now: DateTime<Utc>, margin: Duration) -> bool {
    usable_at(meta.obtained_at, meta.expires_at, now, margin)
}

/// The last attempt, as far as the state needs it.
#[derive(Debug, Clone)]
pub struct LastAttempt {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A profile's connection state from its token record and its last attempt: failing when the
/// last attempt failed after the token was obtained; else connected while the token is
/// usable, expired after; never tried without either.
pub fn derive_state(
    token: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    last: Option<&LastAttempt>,
    dropped: Option<&str>,
    now: DateTime<Utc>,
) -> ConnectionState {
    let failing = last.filter(|a| !a.ok && token.is_none_or(|(obtained_at, _)| a.at >= obtained_at));
    let state = match (token, failing) {
        (_, Some(_)) => ConnectionStatus::Failing,
        (Some((obtained_at, expires_at)), None) if usable_at(obtained_at, expires_at, now, Duration::zero()) => ConnectionStatus::Connected,
        (Some(_), None) => ConnectionStatus::Expired,
        (None, None) => match dropped {
            Some("signed_out") => ConnectionStatus::SignedOut,
            Some("settings_changed") => ConnectionStatus::SettingsChanged,
            _ => ConnectionStatus::Never,
        },
    };
    let expires_at = token.and_then(|(_, e)| e);
    let expiring_soon_at = token
        .and_then(|(obtained_at, e)| e.and_then(|e| warnings::expiring_soon_at(obtained_at, e)))
        .filter(|_| state == ConnectionStatus::Connected);
    ConnectionState {
        state,
        expires_at,
        connected_at: token.map(|(obtained_at, _)| obtained_at),
        last_attempt_at: last.map(|a| a.at),
        last_error: failing.map(|a| a.error_description.clone().or_else(|| a.error.clone()).unwrap_or_default()),
        certificate_expires_at: None,
        expiring_soon: expiring_soon_at.is_some_and(|t| t < now),
        expiring_soon_at,
        certificate_days_left: None,
        certificate_expiring: false,
    }
}

fn usable_at(obtained_at: DateTime<Utc>, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>, margin: Duration) -> bool {
    // Checked: the times may come from a server's numbers.
    match expires_at {
        Some(exp) => exp.checked_sub_signed(margin).is_some_and(|t| t > now),
        None => obtained_at.checked_add_signed(UNKNOWN_EXPIRY_REUSE).is_none_or(|t| t > now),
    }
}

/// Profiles with their connection states, in one query whatever their number: all of them
/// (in label order), or the one named by `handle`.
pub fn profiles_with_state(conn: &Connection, handle: Option<&str>) -> Result<Vec<(Row, ConnectionState)>> {
    let cols = COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ");
    let filter = if handle.is_some() { "WHERE p.handle = ?1" } else { "" };
    let sql = format!(
        "SELECT {cols}, t.obtained_at, t.expires_at, a.at, a.ok, a.error, a.error_description, c.cert_not_after, p.token_dropped
         FROM profiles p
         LEFT JOIN tokens t ON t.profile_id = p.id
         LEFT JOIN credentials c ON c.profile_id = p.id
         LEFT JOIN attempts a ON a.id = (SELECT id FROM attempts WHERE profile_id = p.id ORDER BY id DESC LIMIT 1)
         {filter}
         ORDER BY p.label COLLATE NOCASE, p.handle"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let now = Utc::now();
    let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(Row, ConnectionState)> {
        let row = from_row(r)?;
        let c = COLUMN_COUNT;
        let token =
            r.get::<_, Option<DateTime<Utc>>>(c)?.map(|obtained| Ok::<_, rusqlite::Error>((obtained, r.get(c + 1)?))).transpose()?;
        let last = match r.get::<_, Option<DateTime<Utc>>>(c + 2)? {
            Some(at) => Some(LastAttempt { at, ok: r.get(c + 3)?, error: r.get(c + 4)?, error_description: r.get(c + 5)? }),
            None => None,
        };
        let dropped: Option<String> = r.get(c + 7)?;
        let state = derive_state(token, last.as_ref(), dropped.as_deref(), now).with_certificate(r.get(c + 6)?, now);
        Ok((row, state))
    };
    let rows = match handle {
        Some(h) => stmt.query_map([h], read)?.collect::<rusqlite::Result<Vec<_>>>()?,
        None => stmt.query_map([], read)?.collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(rows)
}

/// Handles of profiles whose cached token expires within `within` from `now` (for renewal).
pub fn expiring(conn: &Connection, now: DateTime<Utc>, within: Duration) -> Result<Vec<String>> {
    Ok(expiries(conn)?
        .into_iter()
        .filter(|(_, exp)| exp.checked_sub_signed(within).is_none_or(|t| t <= now) && *exp > now)
        .map(|(h, _)| h)
        .collect())
}

/// Every profile's cached token that has a known expiry: its handle and when it expires.
pub fn expiries(conn: &Connection) -> Result<Vec<(String, DateTime<Utc>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.handle, t.expires_at FROM tokens t JOIN profiles p ON p.id = t.profile_id WHERE t.expires_at IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, DateTime<Utc>>(1)?)))?;
    Ok(rows.filter_map(|r| r.ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(at: DateTime<Utc>, ok: bool) -> LastAttempt {
        LastAttempt { at, ok, error: (!ok).then(|| "invalid_client".into()), error_description: None }
    }

    #[test]
    fn the_state_follows_the_token_and_the_last_attempt() {
        let now = Utc::now();
        let hour = Duration::hours(1);
        assert_eq!(derive_state(None, None, None, now).state, ConnectionStatus::Never);
        assert_eq!(derive_state(None, None, Some("signed_out"), now).state, ConnectionStatus::SignedOut);
        assert_eq!(derive_state(None, None, Some("settings_changed"), now).state, ConnectionStatus::SettingsChanged);
        assert_eq!(derive_state(Some((now - hour, Some(now + hour))), None, None, now).state, ConnectionStatus::Connected);
        assert_eq!(derive_state(Some((now - hour, Some(now - Duration::seconds(1)))), None, None, now).state, ConnectionStatus::Expired);
        assert_eq!(derive_state(Some((now - Duration::minutes(5), None)), None, None, now).state, ConnectionStatus::Connected);
        assert_eq!(derive_state(Some((now - hour, None)), None, None, now).state, ConnectionStatus::Expired);
        let failed = attempt(now, false);
        let s = derive_state(Some((now - hour, Some(now + hour))), Some(&failed), None, now);
        assert_eq!((s.state, s.last_error.as_deref()), (ConnectionStatus::Failing, Some("invalid_client")));
        // A failure before the current token was obtained is history, not the state.
        let old = attempt(now - Duration::hours(2), false);
        assert_eq!(derive_state(Some((now - hour, Some(now + hour))), Some(&old), None, now).state, ConnectionStatus::Connected);
    }

    /// "Expiring soon" and the certificate's days are decided once, here, for every reader:
    /// soon is connected with under five minutes left (at the read, and from `expiring_soon_at`
    /// on a clock that runs after it); a certificate is warned of with under 30 whole days.
    #[test]
    fn the_state_says_when_a_token_is_expiring_soon_and_how_long_a_certificate_has() {
        let now = Utc::now();
        let failed = attempt(now, false);
        for left in [-3600, -1, 0, 1, 60, 299, 300, 301, 600, 3600, 86_400] {
            for last in [None, Some(&failed)] {
                let s = derive_state(Some((now - Duration::hours(1), Some(now + Duration::seconds(left)))), last, None, now);
                let soon = s.state == ConnectionStatus::Connected && left < 300;
                assert_eq!(s.expiring_soon, soon, "{left} s left, failing: {}", last.is_some());
                for later in [0, 1, 200, 400] {
                    let at = now + Duration::seconds(later);
                    let from_clock = s.expiring_soon_at.is_some_and(|t| t < at);
                    let window = s.state == ConnectionStatus::Connected && left - later < 300;
                    assert_eq!(from_clock, window, "{left} s left, {later} s after the read");
                }
            }
        }
        assert!(!derive_state(Some((now, None)), None, None, now).expiring_soon, "no expiry: never soon");
        // A fresh token of every short lifetime is not soon at its first second; it is in its
        // last fifth.
        for life in [10, 60, 120, 300, 600, 1200] {
            let s = derive_state(Some((now, Some(now + Duration::seconds(life)))), None, None, now);
            assert!(!s.expiring_soon, "a fresh {life} s token");
            assert_eq!(s.expiring_soon_at, Some(now + Duration::seconds(life - life / 5)), "{life} s");
            assert_eq!(s.connected_at, Some(now));
        }
        for secs in [-86_401, -1, 0, 86_399, 29 * 86_400, 30 * 86_400 - 1, 30 * 86_400, 400 * 86_400] {
            let s = derive_state(None, None, None, now).with_certificate(Some(now + Duration::seconds(secs)), now);
            let days = (secs as f64 / 86_400.0).floor() as i64;
            assert_eq!(s.certificate_days_left, Some(days), "{secs} s");
            assert_eq!(s.certificate_expiring, days < 30, "{secs} s");
        }
        let none = derive_state(None, None, None, now).with_certificate(None, now);
        assert_eq!((none.certificate_days_left, none.certificate_expiring), (None, false));
    }
}
