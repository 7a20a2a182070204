//! A profile's key and certificates: the sealed private key, its type, the certificate and
//! an extra CA bundle (both public).

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

/// What a profile holds besides its secret.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub key_sealed: Option<Vec<u8>>,
    pub key_type: Option<String>,
    pub key_lost: bool,
    pub cert_pem: Option<String>,
    pub ca_pem: Option<String>,
    /// The key signed with before the current one, kept until the current one has worked
    /// (see `desk::rollover`).
    pub prev_key_sealed: Option<Vec<u8>>,
    pub prev_key_type: Option<String>,
    pub prev_cert_pem: Option<String>,
}

pub fn get(conn: &Connection, profile_id: i64) -> Result<Credentials> {
    Ok(conn
        .prepare_cached(
            "SELECT key_sealed, key_type, key_lost, cert_pem, ca_pem, prev_key_sealed, prev_key_type, prev_cert_pem
             FROM credentials WHERE profile_id = ?1",
        )?
        .query_row([profile_id], |r| {
            Ok(Credentials {
                key_sealed: r.get(0)?,
                key_type: r.get(1)?,
                key_lost: r.get(2)?,
                cert_pem: r.get(3)?,
                ca_pem: r.get(4)?,
                prev_key_sealed: r.get(5)?,
                prev_key_type: r.get(6)?,
                prev_cert_pem: r.get(7)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Stores a key (sealed) and its certificate, replacing any before.
pub fn set_key(
    conn: &Connection,
    profile_id: i64,
    sealed: &[u8],
    key_type: &str,
    cert_pem: Option<&str>,
    not_after: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO credentials (profile_id, key_sealed, key_type, key_lost, cert_pem, cert_not_after) VALUES (?1, ?2, ?3, 0, ?4, ?5)
         ON CONFLICT (profile_id) DO UPDATE SET key_sealed = ?2, key_type = ?3, key_lost = 0, cert_pem = ?4, cert_not_after = ?5",
        params![profile_id, sealed, key_type, cert_pem, not_after],
    )?;
    Ok(())
}

/// Keeps `sealed` (the key signed with until now, sealed for its own place) as the previous
/// key, with its type and certificate.
pub fn set_previous(conn: &Connection, profile_id: i64, sealed: &[u8], key_type: &str, cert_pem: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE credentials SET prev_key_sealed = ?2, prev_key_type = ?3, prev_cert_pem = ?4 WHERE profile_id = ?1",
        params![profile_id, sealed, key_type, cert_pem],
    )?;
    Ok(())
}

/// Drops the previous key; says whether there was one.
pub fn drop_previous(conn: &Connection, profile_id: i64) -> Result<bool> {
    let n = conn.execute(
        "UPDATE credentials SET prev_key_sealed = NULL, prev_key_type = NULL, prev_cert_pem = NULL
         WHERE profile_id = ?1 AND prev_key_sealed IS NOT NULL",
        [profile_id],
    )?;
    Ok(n > 0)
}

/// Forgets the key, the previous key and their certificates; says whether there was one.
pub fn remove_key(conn: &Connection, profile_id: i64) -> Result<bool> {
    let n = conn.execute(
        "UPDATE credentials SET key_sealed = NULL, key_type = NULL, key_lost = 0, cert_pem = NULL, cert_not_after = NULL,
                prev_key_sealed = NULL, prev_key_type = NULL, prev_cert_pem = NULL
         WHERE profile_id = ?1 AND (key_sealed IS NOT NULL OR key_lost = 1 OR prev_key_sealed IS NOT NULL)",
        [profile_id],
    )?;
    Ok(n > 0)
}

/// Sets (or, with `None`, removes) the extra CA bundle; says whether anything changed.
pub fn set_ca(conn: &Connection, profile_id: i64, ca_pem: Option<&str>) -> Result<bool> {
    let n = match ca_pem {
        Some(pem) => conn.execute(
            "INSERT INTO credentials (profile_id, ca_pem) VALUES (?1, ?2) ON CONFLICT (profile_id) DO UPDATE SET ca_pem = ?2",
            params![profile_id, pem],
        )?,
        None => conn.execute("UPDATE credentials SET ca_pem = NULL WHERE profile_id = ?1 AND ca_pem IS NOT NULL", [profile_id])?,
    };
    Ok(n > 0)
}
