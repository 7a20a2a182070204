//! [`Desk`] is the one entry point the CLI and the window share: every operation on profiles
//! and their connections goes through here, so both front ends validate, store, keep
//! secrets and obtain tokens the same way. One file per concern:
//!
//! - [`profiles`]: create, change, remove, list, export and import profiles;
//! - [`grant`]: the one pipeline that turns any grant into a stored token;
//! - [`tokens`]: the token cache, Connect, the test call, the history;
//! - [`sign_in`]: the one sign-in, and the cancel registry of waits;
//! - [`authorization`]: the sign-in of authorization-code profiles, refresh, revoke, discovery;
//! - [`keys`]: the store's data key, under which every secret and token is sealed;
//! - [`references`]: a secret read through a reference (a vault, a file, …), kept sealed;
//! - [`handover`]: tokens handed to other programs, only for where the profile's token may go;
//! - [`renewal`]: when a token is renewed in the background.

pub mod authorization;
pub mod credentials;
#[cfg(test)]
mod data_key_tests;
mod device;
#[cfg(test)]
mod discovery_tests;
pub(crate) mod grant;
pub mod handover;
pub mod keys;
#[cfg(test)]
mod keys_tests;
#[cfg(test)]
mod limits_tests;
pub mod origins;
pub mod profiles;
pub(crate) mod references;
#[cfg(test)]
mod references_tests;
#[cfg(test)]
mod rekey_tests;
pub mod renewal;
pub mod rollover;
#[cfg(test)]
mod rollover_tests;
mod sign_in;
#[cfg(test)]
mod sign_in_tests;
#[cfg(test)]
pub(crate) mod test_support;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

use crate::error::Result;
use crate::secret::SecretStore;
use crate::store;

pub use keys::RekeyOutcome;
pub use sign_in::SignInStart;
pub use tokens::{ConnectResult, Token, DEFAULT_MARGIN};

/// Profiles, their store and their secrets.
pub struct Desk {
    conn: Mutex<Connection>,
    secrets: Arc<dyn SecretStore>,
    store_id: String,
    path: PathBuf,
    /// The data key, once read (see [`keys`]).
    key: Mutex<Option<Arc<keys::HeldKey>>>,
    /// Sign-ins and Connects that may be cancelled (see [`sign_in`]).
    waits: sign_in::Waits,
    /// Another process that answers for this store's tokens, asked first (see [`handover`]).
    broker: std::sync::OnceLock<Arc<dyn handover::TokenBroker>>,
}

impl Desk {
    /// Opens the store in `data_dir` (creating it), keeping secrets in `secrets`.
    pub fn open(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Result<Self> {
        let path = store::path_in(data_dir);
        let conn = store::open(&path)?;
        let store_id = store::store_id(&conn)?;
        let legacy = store::sealed::has_legacy(&conn)?;
        let desk = Desk {
            conn: Mutex::new(conn),
            secrets,
            store_id,
            path,
            key: Mutex::new(None),
            waits: Default::default(),
            broker: Default::default(),
        };
        // A change of key stopped half-way (or another process's) left key items to remove.
        desk.tidy_keys();
        if store::profiles::has_unrecorded_confirmations(&desk.conn())? {
            desk.record_legacy_confirmations()?;
        }
        if legacy {
            // A store from schema 2 keeps secrets in the keyring: move them in now. Without a
            // keyring it still opens (what needs no secret works) and moves them in later.
            if let Err(e) = desk.key() {
                tracing::warn!(error = %e, "the keyring's items could not be moved into the store yet");
            }
        }
        Ok(desk)
    }

    /// A number that changes whenever another process has changed the store since it was
    /// last read (see [`store::data_version`]): the window polls it so that what the command
    /// line does shows there too.
    pub fn store_version(&self) -> Result<i64> {
        store::data_version(&self.conn())
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
}
