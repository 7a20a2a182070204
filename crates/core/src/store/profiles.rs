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
    /// The origin the client secret is entrusted to (the token URL's), once bound.
    pub token_origin: Option<String>,
    /// The origin the bearer token is entrusted to (the test URL's), once bound.
    pub test_origin: Option<String>,
}

impl Row {
    /// Whether a client secret is stored (sealed here, or still in the keyring).
    pub fn has_secret(&self) -> bool {
        self.client_secret.is_some() || self.secret_ref.is_some()
    }
}

pub(crate) const COLUMNS: &str =
    "id, handle, label, template, fields, secret_ref, created_at, updated_at, client_secret, secret_lost, token_origin, test_origin";
/// How many columns [`COLUMNS`] names (a query that selects more reads them after these).
pub(crate) const COLUMN_COUNT: usize = 12;

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

/// Entrusts the client secret to the token URL's origin (`Some`), the bearer token to the
/// test URL's (`Some`); `None` leaves that binding as it is.
pub fn bind_origins(conn: &Connection, id: i64, token: Option<&str>, test: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE profiles SET token_origin = coalesce(?2, token_origin), test_origin = coalesce(?3, test_origin) WHERE id = ?1",
        params![id, token, test],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM profiles WHERE id = ?1", [id])?;
    Ok(())
}
