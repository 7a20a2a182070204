//! The store's record of connections: token metadata (when obtained, when it expires; the
//! token itself is in the keyring) and every attempt, from which each profile's status badge
//! (connected, expired, failing, never tried) is derived.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Result, Stage};
use crate::flows::exchange::Attempt;
use crate::flows::token::ExpirySource;

/// A token whose expiry is unknown is reused for this long after it was obtained.
pub const UNKNOWN_EXPIRY_REUSE: Duration = Duration::minutes(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionStatus {
    Connected,
    Expired,
    Failing,
    Never,
}

/// A profile's connection status, for the list's badge.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionState {
    pub state: ConnectionStatus,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What the store keeps about a cached token.
#[derive(Debug, Clone)]
pub struct TokenMeta {
    pub secret_ref: String,
    pub obtained_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

fn source_str(s: ExpirySource) -> &'static str {
    match s {
        ExpirySource::ExpiresIn => "expires_in",
        ExpirySource::Jwt => "jwt",
        ExpirySource::Introspection => "introspection",
        ExpirySource::Unknown => "unknown",
    }
}

pub fn record(conn: &Connection, profile_id: i64, attempts: &[Attempt]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO attempts (profile_id, at, stage, ok, status, elapsed_ms, error, error_description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for a in attempts {
        stmt.execute(params![profile_id, a.at, a.stage.as_str(), a.ok, a.status, a.elapsed_ms as i64, a.error, a.error_description])?;
    }
    Ok(())
}

pub fn save_token(
    conn: &Connection,
    profile_id: i64,
    secret_ref: &str,
    obtained_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    source: ExpirySource,
) -> Result<()> {
    conn.execute(
        "INSERT INTO tokens (profile_id, secret_ref, obtained_at, expires_at, expiry_source) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (profile_id) DO UPDATE SET secret_ref = ?2, obtained_at = ?3, expires_at = ?4, expiry_source = ?5",
        params![profile_id, secret_ref, obtained_at, expires_at, source_str(source)],
    )?;
    Ok(())
}

pub fn token(conn: &Connection, profile_id: i64) -> Result<Option<TokenMeta>> {
    Ok(conn
        .query_row("SELECT secret_ref, obtained_at, expires_at FROM tokens WHERE profile_id = ?1", [profile_id], |r| {
            Ok(TokenMeta { secret_ref: r.get(0)?, obtained_at: r.get(1)?, expires_at: r.get(2)? })
        })
        .optional()?)
}

pub fn forget_token(conn: &Connection, profile_id: i64) -> Result<()> {
    conn.execute("DELETE FROM tokens WHERE profile_id = ?1", [profile_id])?;
    Ok(())
}

/// The most recent attempts, newest first.
pub fn recent(conn: &Connection, profile_id: i64, limit: usize) -> Result<Vec<Attempt>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, stage, ok, status, elapsed_ms, error, error_description FROM attempts WHERE profile_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![profile_id, limit as i64], |r| {
        let stage: String = r.get(1)?;
        Ok(Attempt {
            at: r.get(0)?,
            stage: Stage::parse(&stage).unwrap_or(Stage::Token),
            ok: r.get(2)?,
            status: r.get(3)?,
            elapsed_ms: r.get::<_, i64>(4)? as u64,
            error: r.get(5)?,
            error_description: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Whether a cached token can still be used `margin` from now.
pub fn usable(meta: &TokenMeta, now: DateTime<Utc>, margin: Duration) -> bool {
    match meta.expires_at {
        Some(exp) => exp - margin > now,
        None => meta.obtained_at + UNKNOWN_EXPIRY_REUSE > now,
    }
}

pub fn state(conn: &Connection, profile_id: i64) -> Result<ConnectionState> {
    let last = recent(conn, profile_id, 1)?.into_iter().next();
    let token = token(conn, profile_id)?;
    let now = Utc::now();
    let failing = last.as_ref().filter(|a| !a.ok && token.as_ref().is_none_or(|t| a.at >= t.obtained_at));
    let state = match (&token, failing) {
        (_, Some(_)) => ConnectionStatus::Failing,
        (Some(t), None) if usable(t, now, Duration::zero()) => ConnectionStatus::Connected,
        (Some(_), None) => ConnectionStatus::Expired,
        (None, None) => ConnectionStatus::Never,
    };
    Ok(ConnectionState {
        state,
        expires_at: token.and_then(|t| t.expires_at),
        last_attempt_at: last.as_ref().map(|a| a.at),
        last_error: failing.map(|a| a.error_description.clone().or_else(|| a.error.clone()).unwrap_or_default()),
    })
}
