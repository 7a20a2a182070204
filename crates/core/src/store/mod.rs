//! The SQLite store: one file per data directory, WAL mode, foreign keys on, a busy timeout,
//! and schema migrations embedded in the binary as numbered `.sql` files, applied in one
//! immediate transaction (so two processes opening a new store at once migrate it once, one
//! after the other). A store written by a newer OAuth Desk is refused before anything
//! touches it. Every write is an immediate transaction: a writer takes the lock when it
//! starts, waits for it (the busy timeout) rather than failing half-way, and never holds it
//! across a keyring call or a request.
//!
//! All SQL lives in this folder: [`profiles`] (the profile rows), [`history`] (token
//! metadata, attempts, and the connection state derived from them) and [`sealed`] (sealed
//! secrets, the data key's id, and values still to move in from the keyring). Callers above
//! see functions and rows, never a statement.

pub mod credentials;
pub mod grant_facts;
pub mod history;
pub mod profiles;
pub mod sealed;

pub use profiles::{delete, get, insert, list, update, Row};

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// The schema, in order. Append; never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_profiles.sql"),
    include_str!("../../migrations/0002_tokens_and_history.sql"),
    include_str!("../../migrations/0003_sealed_secrets.sql"),
    include_str!("../../migrations/0004_credentials.sql"),
    include_str!("../../migrations/0005_token_dropped.sql"),
    include_str!("../../migrations/0006_confirmed_origins.sql"),
    include_str!("../../migrations/0007_previous_key.sql"),
    include_str!("../../migrations/0008_grant_facts.sql"),
    include_str!("../../migrations/0009_team_origin.sql"),
];

/// How long a write waits for another process's write to finish (SQLite's busy timeout)
/// before it fails with [`Error::LockTimeout`]. Writes are short transactions that never
/// wait on the keyring or the network, so a lock held this long is held by a stuck process.
pub const BUSY_WAIT: Duration = crate::error::STORE_BUSY_WAIT;

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// A write transaction that holds the lock from its start.
pub fn write(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies the migrations the store lacks, all in one immediate transaction; the version is
/// read again under the lock, so a store another process migrated meanwhile is left alone.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = write(conn)?;
    let found = user_version(&tx)?;
    if found > schema_version() {
        return Err(Error::StoreTooNew { path: path.display().to_string(), found, supported: schema_version() });
    }
    let from = usize::try_from(found).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        tx.execute_batch(sql).map_err(|e| Error::Migration(format!("schema {}: {e}", i + 1)))?;
    }
    tx.pragma_update(None, "user_version", schema_version())?;
    tx.commit()?;
    Ok(())
}

/// The file name of the store inside a data directory.
pub const FILE_NAME: &str = "oauthdesk.sqlite3";

/// Opens (creating and migrating as needed) the store at `path`.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        // Only a folder made here is made private: a data directory the user named (their
        // own, or one they share) keeps its mode.
        if !dir.exists() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Io(std::io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display()))))?;
            private(dir, 0o700);
        }
    }
    let mut conn = Connection::open(path)?;
    private(path, 0o600);
    conn.busy_timeout(BUSY_WAIT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let found = user_version(&conn)?;
    if found > schema_version() {
        return Err(Error::StoreTooNew { path: path.display().to_string(), found, supported: schema_version() });
    }
    // WAL is a property of the file: set it once, not by every process that opens it. When
    // several processes open a new store at once, the switch needs the file to itself and
    // SQLite answers "busy" at once instead of waiting: it is tried again within the wait.
    until_not_busy(|| {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            let _mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        }
        Ok(())
    })?;
    // In WAL mode NORMAL keeps the store consistent across crashes and saves an fsync per write.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    if found < schema_version() {
        migrate(&mut conn, path)?;
    }
    Ok(conn)
}

/// Runs `f` again while SQLite answers "busy" or "locked", for at most [`BUSY_WAIT`].
fn until_not_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + BUSY_WAIT;
    loop {
        match f() {
            Err(e)
                if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Makes a file or directory readable by the user alone (on Unix; elsewhere the user's
/// profile folder already is). SQLite's WAL and shared-memory files take the store's mode.
fn private(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            tracing::warn!(path = %path.display(), error = %e, "cannot make it private");
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// The default data directory's store path.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// A random id that namespaces this store's keyring entries.
pub fn store_id(conn: &Connection) -> Result<String> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0))?)
}

/// SQLite's `data_version` of this connection: it changes when another connection (another
/// process: the command line, a second tool) commits to the store, and not for this one's own
/// commits, which its caller already knows of.
pub fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Fields;

    #[test]
    fn a_new_store_is_wal_with_foreign_keys_and_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&path_in(dir.path())).unwrap();
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, schema_version());
        assert_eq!(store_id(&conn).unwrap().len(), 32);
    }

    #[test]
    fn rows_round_trip_and_handles_are_unique_and_immutable() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&path_in(dir.path())).unwrap();
        let fields: Fields = [("client_id".to_string(), "abc".to_string())].into();
        let id = insert(&conn, "sf-prod", "Prod", "client-credentials", &fields).unwrap();
        let row = get(&conn, "sf-prod").unwrap();
        assert_eq!((row.id, row.label.as_str(), row.fields.clone()), (id, "Prod", fields.clone()));
        assert!(matches!(insert(&conn, "sf-prod", "Again", "client-credentials", &fields), Err(Error::Duplicate(_))));
        let err = conn.execute("UPDATE profiles SET handle = 'other' WHERE id = ?1", [id]).unwrap_err();
        assert!(err.to_string().contains("cannot change"), "{err}");
        update(&conn, id, "Production", &Fields::new()).unwrap();
        assert_eq!(get(&conn, "sf-prod").unwrap().label, "Production");
        delete(&conn, id).unwrap();
        assert!(matches!(get(&conn, "sf-prod"), Err(Error::NotFound(_))));
    }

    #[test]
    fn a_store_from_a_newer_version_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).unwrap_err();
        assert!(matches!(err, Error::StoreTooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("newer OAuth Desk"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn an_older_store_is_migrated_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        drop(Connection::open(&path).unwrap()); // schema 0: an empty file
        let conn = open(&path).unwrap();
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, schema_version());
        drop(conn);
        assert!(open(&path).is_ok(), "reopening a current store works");
    }
}
