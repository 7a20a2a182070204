//! What each token or refresh request leaves for ranking the causes of a later failure
//! ([`crate::diagnose::ranking`]): whether it was a refresh or a sign-in, fingerprints of the
//! refresh tokens it presented and received, the client, the signed-in user and the network
//! path. A fingerprint is a one-way hash (SHA-256 over a fixed label, the client id and the
//! token, cut to 128 bits): it tells whether the same refresh token comes back, and nothing
//! about the token. Refresh tokens are long random strings, so the hash cannot be reversed
//! by guessing.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::Result;

/// The newest facts kept per profile (older ones go with each write).
pub const KEEP: i64 = 1000;

/// The one-way fingerprint of a refresh token of client `client_id`.
pub fn fingerprint(client_id: &str, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"oauthdesk refresh token fingerprint\0");
    h.update(client_id.as_bytes());
    h.update(b"\0");
    h.update(token.as_bytes());
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The facts of one token or refresh request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantFact {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub refresh: bool,
    /// A grant that starts a new family of refresh tokens (a sign-in).
    pub sign_in: bool,
    pub presented_fp: Option<String>,
    pub received_fp: Option<String>,
    pub client_id: String,
    pub subject: Option<String>,
    pub path: String,
}

/// Records `f` for profile `profile_id` and keeps the newest [`KEEP`].
pub fn record(conn: &Connection, profile_id: i64, f: &GrantFact) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO grant_facts (profile_id, at, ok, refresh, sign_in, presented_fp, received_fp, client_id, subject, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![profile_id, f.at, f.ok, f.refresh, f.sign_in, f.presented_fp, f.received_fp, f.client_id, f.subject, f.path])?;
    conn.prepare_cached(
        "DELETE FROM grant_facts WHERE profile_id = ?1
           AND id <= coalesce((SELECT id FROM grant_facts WHERE profile_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2), -1)",
    )?
    .execute(params![profile_id, KEEP])?;
    Ok(())
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<GrantFact> {
    Ok(GrantFact {
        at: r.get(0)?,
        ok: r.get(1)?,
        refresh: r.get(2)?,
        sign_in: r.get(3)?,
        presented_fp: r.get(4)?,
        received_fp: r.get(5)?,
        client_id: r.get(6)?,
        subject: r.get(7)?,
        path: r.get(8)?,
    })
}

const COLS: &str = "at, ok, refresh, sign_in, presented_fp, received_fp, client_id, subject, path";

/// A profile's facts, newest first.
pub fn of_profile(conn: &Connection, profile_id: i64) -> Result<Vec<GrantFact>> {
    let sql = format!("SELECT {COLS} FROM grant_facts WHERE profile_id = ?1 ORDER BY id DESC LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![profile_id, KEEP], read)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Successful sign-ins of `subject` to client `client_id` after `after`, in any profile.
pub fn sign_ins_after(conn: &Connection, client_id: &str, subject: &str, after: DateTime<Utc>) -> Result<u32> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM grant_facts WHERE client_id = ?1 AND subject = ?2 AND sign_in = 1 AND ok = 1 AND at > ?3")?
        .query_row(params![client_id, subject, after], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_stable_per_client_and_holds_nothing_of_the_token() {
        for token in ["r", "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJo7Xr34", "rt-0123456789abcdef"] {
            let fp = fingerprint("client", token);
            assert_eq!(fp, fingerprint("client", token));
            assert_ne!(fp, fingerprint("other", token), "keyed by the client");
            assert_eq!(fp.len(), 32);
            assert!(!fp.contains(token) || token.len() < 2);
        }
        assert_ne!(fingerprint("c", "a"), fingerprint("c", "b"));
    }
}
