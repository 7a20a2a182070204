//! [`Desk`] is the one entry point the CLI and the window share: every operation on profiles
//! and their connections goes through here, so both front ends validate, store, keep
//! secrets and obtain tokens the same way. One file per concern:
//!
//! - [`profiles`]: create, change, remove, list, export and import profiles;
//! - [`grant`]: the one pipeline that turns any grant into a stored token;
//! - [`tokens`]: the token cache, Connect, the test call, the history;
//! - [`authorization`]: the sign-in of authorization-code profiles, refresh, revoke, discovery.

pub mod authorization;
mod grant;
pub mod profiles;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

use crate::error::Result;
use crate::secret::SecretStore;
use crate::store;

pub use tokens::{ConnectResult, Token, DEFAULT_MARGIN, NO_TEST_URL};

/// Profiles, their store and their secrets.
pub struct Desk {
    conn: Mutex<Connection>,
    secrets: Arc<dyn SecretStore>,
    store_id: String,
    path: PathBuf,
}

impl Desk {
    /// Opens the store in `data_dir` (creating it), keeping secrets in `secrets`.
    pub fn open(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Result<Self> {
        let path = store::path_in(data_dir);
        let conn = store::open(&path)?;
        let store_id = store::store_id(&conn)?;
        Ok(Desk { conn: Mutex::new(conn), secrets, store_id, path })
    }

    /// The SQLite file behind this desk.
    pub fn store_path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back on drop), so a poisoned lock is safe to take over.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The keyring entry of one of a profile's secrets.
    fn secret_key(&self, id: i64, what: &str) -> String {
        format!("{}/{id}/{what}", self.store_id)
    }
}
