//! The store's data key: one 256-bit key per store, kept as the only OAuth Desk item in the
//! OS keyring and read once per process (a [`Desk`] keeps it, with its id, zeroized on
//! drop). Every client secret and token is sealed under it in the store itself, so a secret
//! and its profile are written in one SQLite transaction, and the keyring's size and speed
//! no longer matter.
//!
//! What this file promises:
//!
//! - A key is made only for a store that holds no sealed value (its first secret), or by an
//!   explicit [`Desk::rekey`] / [`Desk::start_over`]. A key item that is gone or holds
//!   something else is [`Error::KeyMissing`] for every command, reads and writes alike, and
//!   changes nothing: putting the item back opens everything again.
//! - Every write that seals checks, inside its write transaction, that the key it holds is
//!   the store's (`meta.key_id`); a process whose key another process replaced (a `rekey`
//!   while the window is open, or a sign-in waits) reads the new key and tries again. A read
//!   whose value does not open reads the store's key id, and the value, once more before it
//!   calls the value altered.
//! - A change of key notes the key items it makes and retires in the store (a journal)
//!   before touching the keyring, and the items are removed once no longer used: by the
//!   change itself, or, when it was stopped, by the next process that opens the store. This
//!   needs no listing of the keyring (which not every platform's keyring can do).
//! - Changes of key are made one at a time, across processes (a file lock in the data
//!   directory), and never hold the store's write lock across a keyring call.
//!
//! Changing the key, and moving a schema-2 store's keyring items in, are in [`rekey`].

use std::fs::{File, TryLockError};
use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use rusqlite::Transaction;
use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroizing;

use super::Desk;
use crate::error::{Error, Result};
use crate::secret::seal::DataKey;
use crate::secret::Secret;
use crate::store::{self, sealed, sealed::Journal, sealed::Place};

#[path = "rekey.rs"]
mod rekey;
pub use rekey::RekeyOutcome;

/// The text sealed under the key as `meta.key_check`: opening it proves the key is the store's.
const CHECK: &[u8] = b"oauthdesk data key";

/// How many times a write reads a key another process made meanwhile before it gives up
/// (each try means another whole re-key happened during this one write).
const STALE_TRIES: usize = 4;

/// How long a change of key waits for another process's change to finish.
const KEY_LOCK_WAIT: Duration = Duration::from_secs(30);

/// The data key as a process holds it, with its id (its keyring item's name), so that a
/// write can tell whether the store still uses it.
pub(crate) struct HeldKey {
    pub(crate) id: String,
    key: DataKey,
}

impl Deref for HeldKey {
    type Target = DataKey;
    fn deref(&self) -> &DataKey {
        &self.key
    }
}

fn new_key_id() -> String {
    format!("{:016x}", OsRng.next_u64())
}

impl Desk {
    fn key_item(&self, key_id: &str) -> String {
        format!("{}/data-key/{key_id}", self.store_id)
    }

    fn cached_key(&self) -> Option<Arc<HeldKey>> {
        self.key.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn keep_key(&self, key: Arc<HeldKey>) -> Arc<HeldKey> {
        *self.key.lock().unwrap_or_else(|p| p.into_inner()) = Some(key.clone());
        key
    }

    /// Forgets the key `id` (the store uses another now), so the next use reads the store's.
    fn forget_key(&self, id: &str) {
        let mut held = self.key.lock().unwrap_or_else(|p| p.into_inner());
        if held.as_ref().is_some_and(|k| k.id == id) {
            *held = None;
        }
    }

    /// The associated data of a place in this store.
    pub(crate) fn aad(&self, place: Place) -> String {
        place.aad(&self.store_id)
    }

    /// The store's data key: from memory, else from the keyring (once), else a new one when
    /// the store has none yet and holds no sealed value. [`Error::KeyMissing`] when the
    /// store names a key the keyring does not hold (or one that does not open it).
    pub(crate) fn key(&self) -> Result<Arc<HeldKey>> {
        if let Some(key) = self.cached_key() {
            return Ok(key);
        }
        let named = sealed::key(&self.conn())?;
        let key = match named {
            Some((id, check)) => self.load_key(&id, &check)?,
            None => match self.create_key(None)? {
                Some(key) => key,
                // Another process made the key meanwhile (or the store names none and yet
                // holds sealed values, which the read below reports).
                None => {
                    let named = sealed::key(&self.conn())?;
                    let (id, check) =
                        named.ok_or_else(|| Error::KeyMissing { detail: "the store names no key, yet holds sealed values".into() })?;
                    self.load_key(&id, &check)?
                }
            },
        };
        let key = self.keep_key(Arc::new(key));
        self.move_in_legacy(&key)?;
        Ok(key)
    }

    fn load_key(&self, id: &str, check: &[u8]) -> Result<HeldKey> {
        let item = self.key_item(id);
        let missing = |why: &str| Error::KeyMissing { detail: format!("{why}: {item}") };
        let place = sealed::key_place(&self.conn())?;
        let text = match &place {
            Some(place) => self.secrets().get_at(&item, place)?,
            None => {
                let text = self.secrets().get(&item)?;
                if text.is_some() {
                    self.remember_place(id)?;
                }
                text
            }
        };
        let text = text.ok_or_else(|| missing("the keyring has no item"))?;
        let key = DataKey::from_text(text.expose()).ok_or_else(|| missing("the keyring's item holds no key"))?;
        match key.open(&self.aad(Place::KeyCheck), check) {
            Some(_) => Ok(HeldKey { id: id.to_string(), key }),
            None => Err(missing("the keyring's item holds another key than this store's")),
        }
    }

    /// Notes where the keyring keeps the key's item, so later processes read it without a
    /// search (a keyring's search takes longer the more items it holds).
    fn remember_place(&self, id: &str) -> Result<()> {
        if let Some(place) = self.secrets().locate(&self.key_item(id))? {
            let mut conn = self.conn();
            let tx = store::write(&mut conn)?;
            sealed::set_key_place(&tx, id, &place)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Holds the lock under which the store's key changes (a file lock in the data
    /// directory, released when dropped or when the process ends, however it ends): one
    /// change at a time across processes, and no removal of a key item another process is
    /// about to adopt. With `wait`, waits for it (a bounded time); else `None` when taken.
    fn key_lock(&self, wait: bool) -> Result<Option<File>> {
        let dir = self.store_path().parent().map(|d| d.join("locks")).unwrap_or_else(|| std::path::PathBuf::from("locks"));
        std::fs::create_dir_all(&dir)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("data-key.lock"))?;
        let deadline = Instant::now() + KEY_LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(TryLockError::WouldBlock) if !wait => return Ok(None),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Internal(format!(
                        "another process has been changing the store's data key for {} s; try again when it is done",
                        KEY_LOCK_WAIT.as_secs()
                    )))
                }
                Err(TryLockError::Error(e)) => return Err(e.into()),
            }
        }
    }

    /// Makes a key for a store that holds no sealed value: its first, or one in place of
    /// `replacing`, a key that is gone (nothing is lost: nothing was sealed under it). `None`
    /// when the store's key is no longer `replacing` (another process made one), or when it
    /// holds sealed values (then a key is never made here: see [`Desk::start_over`]).
    fn create_key(&self, replacing: Option<&str>) -> Result<Option<HeldKey>> {
        let _lock = self.key_lock(true)?;
        let free = |tx: &Transaction<'_>| -> Result<bool> { Ok(sealed::key_id(tx)?.as_deref() == replacing && !sealed::any_sealed(tx)?) };
        let (key, id) = (DataKey::generate(), new_key_id());
        {
            let mut conn = self.conn();
            let tx = store::write(&mut conn)?;
            if !free(&tx)? {
                return Ok(None);
            }
            sealed::journal_add(&tx, Journal::Pending, &id)?;
            tx.commit()?;
        }
        let adopted = self.set_item(&id, &key).and_then(|()| {
            let place = self.secrets().locate(&self.key_item(&id))?;
            let mut conn = self.conn();
            let tx = store::write(&mut conn)?;
            // A process that held the old key may have sealed a value meanwhile.
            if !free(&tx)? {
                return Ok(false);
            }
            sealed::set_key(&tx, &id, &key.seal(&self.aad(Place::KeyCheck), CHECK))?;
            if let Some(place) = place {
                sealed::set_key_place(&tx, &id, &place)?;
            }
            sealed::journal_remove(&tx, Journal::Pending, &id)?;
            if let Some(old) = replacing {
                sealed::journal_add(&tx, Journal::Retired, old)?;
            }
            tx.commit()?;
            Ok(true)
        });
        self.tidy_locked();
        match adopted? {
            true => {
                tracing::info!(replacing = replacing.is_some(), "made the store's data key");
                Ok(Some(HeldKey { id, key }))
            }
            false => Ok(None),
        }
    }

    fn set_item(&self, id: &str, key: &DataKey) -> Result<()> {
        self.secrets().set(&self.key_item(id), &Secret::new(key.to_text().as_str()))
    }

    /// The key for sealing a new value. A store that holds no sealed value gets one (a
    /// first key, or a new one in place of a lost key, which opened nothing); a store whose
    /// sealed values need a key the keyring does not hold gets [`Error::KeyMissing`], and
    /// nothing changes: the key is never replaced here.
    pub(crate) fn key_for_write(&self) -> Result<Arc<HeldKey>> {
        match self.key() {
            Err(missing @ Error::KeyMissing { .. }) => {
                let Some(gone) = sealed::key_id(&self.conn())? else { return Err(missing) };
                match self.create_key(Some(&gone))? {
                    Some(key) => Ok(self.keep_key(Arc::new(key))),
                    None => self.key(),
                }
            }
            other => other,
        }
    }

    /// Runs `write` in one write transaction with the store's current key. The key is
    /// checked against the store's inside the transaction, so nothing is sealed under a key
    /// another process has replaced: a stale key is let go, the new one read (between tries,
    /// never under the store's lock), and the write tried again.
    pub(crate) fn write_sealed<T>(&self, write: impl FnOnce(&Transaction<'_>, &HeldKey) -> Result<T>) -> Result<T> {
        for _ in 0..STALE_TRIES {
            let key = self.key_for_write()?;
            let mut conn = self.conn();
            let tx = store::write(&mut conn)?;
            if sealed::key_id(&tx)?.as_deref() == Some(key.id.as_str()) {
                let out = write(&tx, &key)?;
                tx.commit()?;
                return Ok(out);
            }
            drop(tx);
            drop(conn);
            tracing::info!("the store's data key changed since this process read it; reading the new one");
            self.forget_key(&key.id);
        }
        Err(Error::Internal("the store's data key kept changing during this write; try again".into()))
    }

    /// [`Desk::write_sealed`] when `seals`, else the same write with no key (and no need
    /// for one).
    pub(crate) fn write_with_key<T>(&self, seals: bool, write: impl FnOnce(&Transaction<'_>, Option<&HeldKey>) -> Result<T>) -> Result<T> {
        if seals {
            return self.write_sealed(|tx, key| write(tx, Some(key)));
        }
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let out = write(&tx, None)?;
        tx.commit()?;
        Ok(out)
    }

    /// Opens the text sealed at `place`. A value that does not open under the key this
    /// process holds may be one another process sealed again under a new key (a re-key):
    /// then the store's key is read again when it changed, the value is read again with
    /// `again`, and only a value that still does not open is `None` (altered, or moved).
    pub(crate) fn open_sealed(
        &self,
        place: Place,
        sealed: &[u8],
        again: impl FnOnce() -> Result<Option<Vec<u8>>>,
    ) -> Result<Option<Zeroizing<String>>> {
        let aad = self.aad(place);
        let key = self.key()?;
        if let Some(text) = key.open_text(&aad, sealed) {
            return Ok(Some(text));
        }
        if sealed::key_id(&self.conn())?.as_deref() != Some(key.id.as_str()) {
            self.forget_key(&key.id);
        }
        let key = self.key()?;
        Ok(again()?.and_then(|value| key.open_text(&aad, &value)))
    }

    /// Whether the store names a key the keyring does not hold (its sealed values cannot be
    /// read). A keyring that cannot be reached says nothing either way.
    pub(crate) fn key_is_missing(&self) -> bool {
        matches!(self.key(), Err(Error::KeyMissing { .. }))
    }

    /// Whether the keyring lacks the key this store's sealed values need (see
    /// [`Error::KeyMissing`]); `false` when the keyring cannot be reached.
    pub fn data_key_missing(&self) -> bool {
        self.key_is_missing()
    }
}
