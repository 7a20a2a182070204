//! Sealed values and their key's bookkeeping: which data key the store uses (`meta.key_id`,
//! and a value sealed under it to tell the right key from another), the key items a change
//! of key leaves to remove (`meta.key_pending`, `meta.key_retired`), the values a re-key
//! re-seals, and the keyring items of stores from schema 2 still to be moved in.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

/// Where a sealed value lives: its table's row (the profile's id) and its column. Named in
/// the associated data, so a value opens only where it was sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    ClientSecret(i64),
    Token(i64),
    /// A profile's private key.
    Key(i64),
    /// The key a profile signed with before its current one (kept until the new one works).
    PreviousKey(i64),
    /// The value that tells the store's key from another.
    KeyCheck,
}

impl Place {
    /// The associated data for this place in the store `store_id`.
    pub fn aad(self, store_id: &str) -> String {
        match self {
            Place::ClientSecret(id) => format!("oauthdesk/{store_id}/profiles/{id}/client_secret"),
            Place::Token(id) => format!("oauthdesk/{store_id}/tokens/{id}/sealed"),
            Place::Key(id) => format!("oauthdesk/{store_id}/credentials/{id}/key"),
            Place::PreviousKey(id) => format!("oauthdesk/{store_id}/credentials/{id}/prev_key"),
            Place::KeyCheck => format!("oauthdesk/{store_id}/meta/key_check"),
        }
    }
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2", params![key, value])?;
    Ok(())
}

/// The id of the store's data key (its keyring item's name), and the check value sealed
/// under it (hex); `None` before the first secret is stored.
pub fn key(conn: &Connection) -> Result<Option<(String, Vec<u8>)>> {
    let (Some(id), Some(check)) = (meta(conn, "key_id")?, meta(conn, "key_check")?) else { return Ok(None) };
    Ok(Some((id, from_hex(&check))))
}

pub fn set_key(conn: &Connection, id: &str, check: &[u8]) -> Result<()> {
    conn.execute("DELETE FROM meta WHERE key = 'key_place'", [])?;
    set_meta(conn, "key_id", id)?;
    set_meta(conn, "key_check", &to_hex(check))
}

/// The id of the store's data key, alone: what a write compares with the key it holds.
pub fn key_id(conn: &Connection) -> Result<Option<String>> {
    meta(conn, "key_id")
}

/// The keyring items a change of key leaves to remove: a key made and not (yet) adopted by
/// the store (`Pending`), and keys the store no longer uses (`Retired`). Written before the
/// keyring is touched, so a change stopped anywhere leaves a note of what to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal {
    Pending,
    Retired,
}

impl Journal {
    fn meta_key(self) -> &'static str {
        match self {
            Journal::Pending => "key_pending",
            Journal::Retired => "key_retired",
        }
    }
}

/// The key ids noted under `kind`.
pub fn journal(conn: &Connection, kind: Journal) -> Result<Vec<String>> {
    Ok(meta(conn, kind.meta_key())?.unwrap_or_default().split_whitespace().map(str::to_string).collect())
}

/// Whether any key item is noted for removal.
pub fn journal_is_empty(conn: &Connection) -> Result<bool> {
    Ok(journal(conn, Journal::Pending)?.is_empty() && journal(conn, Journal::Retired)?.is_empty())
}

/// Notes the key `id` under `kind`.
pub fn journal_add(conn: &Connection, kind: Journal, id: &str) -> Result<()> {
    let mut ids = journal(conn, kind)?;
    if !ids.iter().any(|i| i == id) {
        ids.push(id.to_string());
    }
    set_meta(conn, kind.meta_key(), &ids.join(" "))
}

/// Clears the note of the key `id` under `kind`.
pub fn journal_remove(conn: &Connection, kind: Journal, id: &str) -> Result<()> {
    let ids: Vec<String> = journal(conn, kind)?.into_iter().filter(|i| i != id).collect();
    if ids.is_empty() {
        conn.execute("DELETE FROM meta WHERE key = ?1", [kind.meta_key()])?;
        return Ok(());
    }
    set_meta(conn, kind.meta_key(), &ids.join(" "))
}

/// Where the keyring keeps the key's item (see `SecretStore::locate`), if known.
pub fn key_place(conn: &Connection) -> Result<Option<String>> {
    meta(conn, "key_place")
}

/// Remembers where the keyring keeps the item of the key `id` (unless the key changed).
pub fn set_key_place(conn: &Connection, id: &str, place: &str) -> Result<()> {
    if meta(conn, "key_id")?.as_deref() == Some(id) {
        set_meta(conn, "key_place", place)?;
    }
    Ok(())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| s.get(2 * i..2 * i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// Whether any value is sealed in the store.
pub fn any_sealed(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM profiles WHERE client_secret IS NOT NULL) OR EXISTS (SELECT 1 FROM tokens WHERE sealed IS NOT NULL)
            OR EXISTS (SELECT 1 FROM credentials WHERE key_sealed IS NOT NULL OR prev_key_sealed IS NOT NULL)",
        [],
        |r| r.get(0),
    )?)
}

/// Every sealed value, with its place.
pub fn all(conn: &Connection) -> Result<Vec<(Place, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare("SELECT id, client_secret FROM profiles WHERE client_secret IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok((Place::ClientSecret(r.get(0)?), r.get(1)?)))? {
        out.push(row?);
    }
    let mut stmt = conn.prepare("SELECT profile_id, sealed FROM tokens WHERE sealed IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok((Place::Token(r.get(0)?), r.get(1)?)))? {
        out.push(row?);
    }
    let mut stmt = conn.prepare("SELECT profile_id, key_sealed FROM credentials WHERE key_sealed IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok((Place::Key(r.get(0)?), r.get(1)?)))? {
        out.push(row?);
    }
    let mut stmt = conn.prepare("SELECT profile_id, prev_key_sealed FROM credentials WHERE prev_key_sealed IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok((Place::PreviousKey(r.get(0)?), r.get(1)?)))? {
        out.push(row?);
    }
    Ok(out)
}

/// Replaces a sealed value (re-keying).
pub fn replace(conn: &Connection, place: Place, sealed: &[u8]) -> Result<()> {
    match place {
        Place::ClientSecret(id) => conn.execute("UPDATE profiles SET client_secret = ?2 WHERE id = ?1", params![id, sealed])?,
        Place::Token(id) => conn.execute("UPDATE tokens SET sealed = ?2 WHERE profile_id = ?1", params![id, sealed])?,
        Place::Key(id) => conn.execute("UPDATE credentials SET key_sealed = ?2 WHERE profile_id = ?1", params![id, sealed])?,
        Place::PreviousKey(id) => conn.execute("UPDATE credentials SET prev_key_sealed = ?2 WHERE profile_id = ?1", params![id, sealed])?,
        Place::KeyCheck => 0,
    };
    Ok(())
}

/// Drops every sealed value, for a store whose key is gone: client secrets are marked lost
/// (to be entered again), tokens are forgotten.
#[cfg(any(test, feature = "test-support"))]
pub fn drop_all(conn: &Connection) -> Result<()> {
    conn.execute("UPDATE profiles SET client_secret = NULL, secret_lost = 1 WHERE client_secret IS NOT NULL", [])?;
    conn.execute("DELETE FROM tokens WHERE sealed IS NOT NULL", [])?;
    conn.execute("UPDATE credentials SET key_sealed = NULL, key_lost = 1 WHERE key_sealed IS NOT NULL", [])?;
    conn.execute("UPDATE credentials SET prev_key_sealed = NULL, prev_key_type = NULL, prev_cert_pem = NULL", [])?;
    Ok(())
}

/// Drops one value that no longer opens: a client secret is marked to be entered again, a
/// token is forgotten.
pub fn drop_value(conn: &Connection, place: Place) -> Result<()> {
    match place {
        Place::ClientSecret(id) => conn.execute("UPDATE profiles SET client_secret = NULL, secret_lost = 1 WHERE id = ?1", [id])?,
        Place::Token(id) => conn.execute("DELETE FROM tokens WHERE profile_id = ?1", [id])?,
        Place::Key(id) => conn.execute("UPDATE credentials SET key_sealed = NULL, key_lost = 1 WHERE profile_id = ?1", [id])?,
        // A previous key that does not open is only a fallback lost: the current key stays.
        Place::PreviousKey(id) => usize::from(super::credentials::drop_previous(conn, id)?),
        Place::KeyCheck => 0,
    };
    Ok(())
}

/// A keyring item a schema-2 store still refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legacy {
    pub place: Place,
    pub item: String,
    /// Already sealed here (a move interrupted after sealing).
    pub sealed: bool,
}

/// Every keyring item still referred to.
pub fn legacy(conn: &Connection) -> Result<Vec<Legacy>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare("SELECT id, secret_ref, client_secret IS NOT NULL FROM profiles WHERE secret_ref IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok(Legacy { place: Place::ClientSecret(r.get(0)?), item: r.get(1)?, sealed: r.get(2)? }))? {
        out.push(row?);
    }
    let mut stmt = conn.prepare("SELECT profile_id, secret_ref, sealed IS NOT NULL FROM tokens WHERE secret_ref IS NOT NULL")?;
    for row in stmt.query_map([], |r| Ok(Legacy { place: Place::Token(r.get(0)?), item: r.get(1)?, sealed: r.get(2)? }))? {
        out.push(row?);
    }
    Ok(out)
}

/// Whether the store still refers to keyring items.
pub fn has_legacy(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM profiles WHERE secret_ref IS NOT NULL) OR EXISTS (SELECT 1 FROM tokens WHERE secret_ref IS NOT NULL)",
        [],
        |r| r.get(0),
    )?)
}

/// Seals a moved-in value in place, unless it is sealed already (another process moved it).
pub fn move_in(conn: &Connection, l: &Legacy, sealed: &[u8]) -> Result<()> {
    match l.place {
        Place::ClientSecret(id) => conn.execute(
            "UPDATE profiles SET client_secret = ?3 WHERE id = ?1 AND secret_ref = ?2 AND client_secret IS NULL",
            params![id, l.item, sealed],
        )?,
        Place::Token(id) => conn.execute(
            "UPDATE tokens SET sealed = ?3 WHERE profile_id = ?1 AND secret_ref = ?2 AND sealed IS NULL",
            params![id, l.item, sealed],
        )?,
        // Keys came after the keyring move: never a legacy item.
        Place::Key(_) | Place::PreviousKey(_) | Place::KeyCheck => 0,
    };
    Ok(())
}

/// The keyring item is gone (moved in, or lost): the store stops referring to it. A value
/// that was never sealed here is lost: a client secret is marked to be entered again, a
/// token is forgotten.
pub fn forget_item(conn: &Connection, l: &Legacy) -> Result<()> {
    match l.place {
        Place::ClientSecret(id) => conn.execute(
            "UPDATE profiles SET secret_ref = NULL, secret_lost = (client_secret IS NULL) WHERE id = ?1 AND secret_ref = ?2",
            params![id, l.item],
        )?,
        Place::Token(id) => {
            conn.execute("DELETE FROM tokens WHERE profile_id = ?1 AND secret_ref = ?2 AND sealed IS NULL", params![id, l.item])?;
            conn.execute("UPDATE tokens SET secret_ref = NULL WHERE profile_id = ?1 AND secret_ref = ?2", params![id, l.item])?
        }
        Place::Key(_) | Place::PreviousKey(_) | Place::KeyCheck => 0,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_name_store_row_and_column() {
        assert_eq!(Place::ClientSecret(7).aad("s1"), "oauthdesk/s1/profiles/7/client_secret");
        assert_ne!(Place::ClientSecret(7).aad("s1"), Place::Token(7).aad("s1"));
        assert_ne!(Place::ClientSecret(7).aad("s1"), Place::ClientSecret(8).aad("s1"));
        assert_ne!(Place::ClientSecret(7).aad("s1"), Place::ClientSecret(7).aad("s2"));
        assert_eq!(from_hex(&to_hex(&[0, 1, 254, 255])), [0, 1, 254, 255]);
    }

    #[test]
    fn the_journal_notes_and_clears_key_ids_by_kind() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)").unwrap();
        assert!(journal_is_empty(&conn).unwrap());
        journal_add(&conn, Journal::Pending, "a1").unwrap();
        journal_add(&conn, Journal::Retired, "b1").unwrap();
        journal_add(&conn, Journal::Retired, "b2").unwrap();
        journal_add(&conn, Journal::Retired, "b1").unwrap();
        assert_eq!(journal(&conn, Journal::Pending).unwrap(), ["a1"]);
        assert_eq!(journal(&conn, Journal::Retired).unwrap(), ["b1", "b2"]);
        journal_remove(&conn, Journal::Retired, "b1").unwrap();
        journal_remove(&conn, Journal::Pending, "a1").unwrap();
        assert_eq!(journal(&conn, Journal::Retired).unwrap(), ["b2"]);
        journal_remove(&conn, Journal::Retired, "b2").unwrap();
        assert!(journal_is_empty(&conn).unwrap());
    }
}
