//! The profile rows: insert, read, list, update, delete. Handles are unique and immutable
//! (a trigger refuses a change).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::model::Fields;

/// A profile row as stored.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: i64,
    pub handle: String,
    pub label: String,
    pub template: String,
    pub fields: Fields,
    /// A keyring item still holding the client secret (stores from schema 2, until moved in).
    pub secret_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The client secret, sealed.
    pub client_secret: Option<Vec<u8>>,
    /// The profile had a secret that can no longer be read; it must be entered again.
    pub secret_lost: bool,
    /// Before schema 6: the origin the client secret was entrusted to (the token URL's).
    pub token_origin: Option<String>,
    /// Before schema 6: the origin the bearer token was entrusted to (the test URL's).
    pub test_origin: Option<String>,
    /// Where a person confirmed each kind of endpoint may receive credentials (JSON, see
    /// `flows::gate::Confirmed`); `None` for a profile from before schema 6 not yet upgraded.
    pub confirmed: Option<String>,
    /// The team folder the profile comes from (canonical path), when it was synced or exported.
    pub team_dir: Option<String>,
    /// The Git commit of that folder at the last sync or export (`None` outside Git).
    pub team_commit: Option<String>,
}

impl Row {
    /// Whether a client secret is stored (sealed here, or still in the keyring).
    pub fn has_secret(&self) -> bool {
        self.client_secret.is_some() || self.secret_ref.is_some()
    }
}

pub(crate) const COLUMNS: &str =
    "id, handle, label, template, fields, secret_ref, created_at, updated_at, client_secret, secret_lost, token_origin, test_origin, confirmed_origins, team_dir, team_commit";
/// How many columns [`COLUMNS`] names (a query that selects more reads them after these).
pub(crate) const COLUMN_COUNT: usize = 15;

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let fields: String = r.get(4)?;
    let fields = serde_json::from_str(&fields)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(Row {
        id: r.get(0)?,
        handle: r.get(1)?,
        label: r.get(2)?,
        template: r.get(3)?,
        fields,
        secret_ref: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        client_secret: r.get(8)?,
        secret_lost: r.get(9)?,
        token_origin: r.get(10)?,
        test_origin: r.get(11)?,
        confirmed: r.get(12)?,
        team_dir: r.get(13)?,
        team_commit: r.get(14)?,
    })
}

fn fields_json(fields: &Fields) -> Result<String> {
    serde_json::to_string(fields).map_err(|e| Error::Internal(format!("fields do not serialize: {e}")))
}

/// Inserts a new profile and returns its id; a taken handle is [`Error::Duplicate`].
pub fn insert(conn: &Connection, handle: &str, label: &str, template: &str, fields: &Fields) -> Result<i64> {
    let now = Utc::now();
    let res = conn.execute(
        "INSERT INTO profiles (handle, label, template, fields, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![handle, label, template, fields_json(fields)?, now],
    );
    match res {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(Error::Duplicate(handle.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// One profile by handle. Read several times per connection (Test all: a thousand of them), so
/// its statement is prepared once per connection and kept.
pub fn get(conn: &Connection, handle: &str) -> Result<Row> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM profiles WHERE handle = ?1"))?
        .query_row([handle], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(handle.to_string()))
}

pub fn list(conn: &Connection) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM profiles ORDER BY label COLLATE NOCASE, handle"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Replaces a profile's label and fields.
pub fn update(conn: &Connection, id: i64, label: &str, fields: &Fields) -> Result<()> {
    conn.execute(
        "UPDATE profiles SET label = ?2, fields = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, label, fields_json(fields)?, Utc::now()],
    )?;
    Ok(())
}

/// Stores a profile's sealed client secret (it is set again, so no longer lost).
pub fn set_client_secret(conn: &Connection, id: i64, sealed: &[u8]) -> Result<()> {
    conn.execute("UPDATE profiles SET client_secret = ?2, secret_lost = 0 WHERE id = ?1", params![id, sealed])?;
    Ok(())
}

/// Drops a profile's sealed client secret: a value read through a reference that now names
/// another place is no longer the profile's.
pub fn clear_client_secret(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("UPDATE profiles SET client_secret = NULL, secret_lost = 0 WHERE id = ?1", params![id])?;
    Ok(())
}

/// Records where the profile's credentials may go, by kind of endpoint (JSON).
pub fn set_confirmed(conn: &Connection, id: i64, confirmed: &str) -> Result<()> {
    conn.execute("UPDATE profiles SET confirmed_origins = ?2 WHERE id = ?1", params![id, confirmed])?;
    Ok(())
}

/// Records the team folder a profile comes from and the folder's commit (both `None`: a
/// profile of this desktop's own).
pub fn set_team(conn: &Connection, id: i64, dir: Option<&str>, commit: Option<&str>) -> Result<()> {
    conn.execute("UPDATE profiles SET team_dir = ?2, team_commit = ?3 WHERE id = ?1", params![id, dir, commit])?;
    Ok(())
}

/// The profiles that come from the team folder `dir` (canonical path), by handle.
pub fn in_team(conn: &Connection, dir: &str) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM profiles WHERE team_dir = ?1 ORDER BY handle"))?;
    let rows = stmt.query_map([dir], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Whether a profile from before schema 6 has its confirmations still to record.
pub fn has_unrecorded_confirmations(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM profiles WHERE confirmed_origins IS NULL)", [], |r| r.get(0))?)
}

/// The profiles from before schema 6 whose confirmations are not recorded yet.
pub fn unrecorded_confirmations(conn: &Connection) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM profiles WHERE confirmed_origins IS NULL"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM profiles WHERE id = ?1", [id])?;
    Ok(())
}
