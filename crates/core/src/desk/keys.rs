//! The store's data key: one 256-bit key per store, kept as the only OAuth Desk item in the
//! OS keyring and read once per process (a [`Desk`] keeps it, zeroized on drop). Every client
//! secret and token is sealed under it in the store itself, so a secret and its profile are
//! written in one SQLite transaction, and the keyring's size and speed no longer matter.
//!
//! Also here: creating the key on first use (under the store's write lock, so two processes
//! never make two keys), a store whose key is gone (copied elsewhere, keyring reset), re-keying,
//! and moving a schema-2 store's keyring items in, in an order that loses nothing if stopped.

use std::sync::Arc;

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use serde::Serialize;
use ts_rs::TS;

use super::Desk;
use crate::error::{Error, Result};
use crate::secret::seal::DataKey;
use crate::secret::Secret;
use crate::store::{self, sealed, sealed::Place};

/// The text sealed under the key as `meta.key_check`: opening it proves the key is the store's.
const CHECK: &[u8] = b"oauthdesk data key";

/// What `rekey` did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RekeyOutcome {
    /// Values sealed again under the new key.
    pub resealed: usize,
    /// Values that no longer opened (altered) and were dropped: their profiles need the
    /// secret again, or a new token.
    pub dropped: usize,
}

fn new_key_id() -> String {
    format!("{:016x}", OsRng.next_u64())
}

impl Desk {
    fn key_item(&self, key_id: &str) -> String {
        format!("{}/data-key/{key_id}", self.store_id)
    }

    fn cached_key(&self) -> Option<Arc<DataKey>> {
        self.key.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn keep_key(&self, key: Arc<DataKey>) -> Arc<DataKey> {
        *self.key.lock().unwrap_or_else(|p| p.into_inner()) = Some(key.clone());
        key
    }

    /// The associated data of a place in this store.
    pub(crate) fn aad(&self, place: Place) -> String {
        place.aad(&self.store_id)
    }

    /// The store's data key: from memory, else from the keyring (once), else a new one when
    /// the store has none yet. [`Error::KeyMissing`] when the store names a key the keyring
    /// does not hold (or one that does not open it).
    pub(crate) fn key(&self) -> Result<Arc<DataKey>> {
        if let Some(key) = self.cached_key() {
            return Ok(key);
        }
        let key = loop {
            let found = sealed::key(&self.conn())?;
            match found {
                Some((id, check)) => break self.load_key(&id, &check)?,
                None => {
                    if let Some(key) = self.create_key(None)? {
                        break key;
                    }
                    // Another process made the key meanwhile: read it.
                }
            }
        };
        let key = self.keep_key(Arc::new(key));
        self.move_in_legacy(&key)?;
        Ok(key)
    }

    fn load_key(&self, id: &str, check: &[u8]) -> Result<DataKey> {
        let missing = |why: &str| Error::KeyMissing { detail: why.to_string() };
        let item = self.key_item(id);
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
        let text = text.ok_or_else(|| missing("no key item for this store"))?;
        let key = DataKey::from_text(text.expose()).ok_or_else(|| missing("the key item holds no key"))?;
        match key.open(&self.aad(Place::KeyCheck), check) {
            Some(_) => Ok(key),
            None => Err(missing("the keyring's key is not this store's")),
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

    /// Makes a new key, under the store's write lock. `replacing` names the key that is gone
    /// (its sealed values are then dropped: they cannot be opened any more). `None` when
    /// another process made or replaced the key first.
    fn create_key(&self, replacing: Option<&str>) -> Result<Option<DataKey>> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let current = sealed::key(&tx)?.map(|(id, _)| id);
        if current.as_deref() != replacing {
            return Ok(None);
        }
        let (key, id) = (DataKey::generate(), new_key_id());
        // The one keyring write of a store's life (and of a reset): under the lock, so that
        // no second process makes a second key.
        self.secrets().set(&self.key_item(&id), &Secret::new(key.to_text().as_str()))?;
        if replacing.is_some() {
            sealed::drop_all(&tx)?;
        }
        sealed::set_key(&tx, &id, &key.seal(&self.aad(Place::KeyCheck), CHECK))?;
        if let Some(place) = self.secrets().locate(&self.key_item(&id))? {
            sealed::set_key_place(&tx, &id, &place)?;
        }
        tx.commit()?;
        tracing::info!(replacing = replacing.is_some(), "made the store's data key");
        Ok(Some(key))
    }

    /// The key for storing a new secret: when the store's key is gone, a new one (the values
    /// sealed under the old one cannot be read again and are dropped).
    pub(crate) fn key_for_write(&self) -> Result<Arc<DataKey>> {
        match self.key() {
            Err(Error::KeyMissing { .. }) => {
                let gone = sealed::key(&self.conn())?.map(|(id, _)| id);
                match self.create_key(gone.as_deref())? {
                    Some(key) => Ok(self.keep_key(Arc::new(key))),
                    None => self.key(),
                }
            }
            other => other,
        }
    }

    /// Whether the store names a key the keyring does not hold (its sealed values cannot be
    /// read). A keyring that cannot be reached says nothing either way.
    pub(crate) fn key_is_missing(&self) -> bool {
        matches!(self.key(), Err(Error::KeyMissing { .. }))
    }

    /// Makes a new data key and seals every value again under it, in one transaction; the old
    /// key's item is removed once the store uses the new one.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn rekey(&self) -> Result<RekeyOutcome> {
        let old = self.key()?;
        let Some((old_id, _)) = sealed::key(&self.conn())? else {
            return Ok(RekeyOutcome { resealed: 0, dropped: 0 });
        };
        let (new, new_id) = (DataKey::generate(), new_key_id());
        let new_item = self.key_item(&new_id);
        // The new item exists before the store names it, so a stop in between loses nothing.
        self.secrets().set(&new_item, &Secret::new(new.to_text().as_str()))?;
        let outcome = self.reseal(&old, &old_id, &new, &new_id);
        match &outcome {
            Ok(_) => {
                self.keep_key(Arc::new(new));
                if let Err(e) = self.secrets().delete(&self.key_item(&old_id)) {
                    tracing::warn!(error = %e, "the old data key's keyring item stays; it opens nothing the store still holds");
                }
            }
            Err(_) => {
                let _ = self.secrets().delete(&new_item);
            }
        }
        outcome
    }

    fn reseal(&self, old: &DataKey, old_id: &str, new: &DataKey, new_id: &str) -> Result<RekeyOutcome> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        if sealed::key(&tx)?.map(|(id, _)| id).as_deref() != Some(old_id) {
            return Err(Error::Internal("another process re-keyed the store meanwhile; run rekey again".into()));
        }
        let mut outcome = RekeyOutcome { resealed: 0, dropped: 0 };
        let mut unreadable = Vec::new();
        for (place, value) in sealed::all(&tx)? {
            let aad = self.aad(place);
            match old.open(&aad, &value) {
                Some(plain) => {
                    sealed::replace(&tx, place, &new.seal(&aad, &plain))?;
                    outcome.resealed += 1;
                }
                None => unreadable.push(place),
            }
        }
        for place in unreadable {
            sealed::drop_value(&tx, place)?;
            outcome.dropped += 1;
        }
        sealed::set_key(&tx, new_id, &new.seal(&self.aad(Place::KeyCheck), CHECK))?;
        if let Some(place) = self.secrets().locate(&self.key_item(new_id))? {
            sealed::set_key_place(&tx, new_id, &place)?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Moves a schema-2 store's keyring items in: each value is sealed here and committed,
    /// then its keyring item is removed, then the store stops referring to it. Stopped at
    /// any point, the next run finishes the job and nothing is lost.
    pub(crate) fn move_in_legacy(&self, key: &DataKey) -> Result<()> {
        let items = sealed::legacy(&self.conn())?;
        for item in items {
            if !item.sealed {
                if let Some(value) = self.secrets().get(&item.item)? {
                    let blob = key.seal(&self.aad(item.place), value.expose().as_bytes());
                    let mut conn = self.conn();
                    let tx = store::write(&mut conn)?;
                    sealed::move_in(&tx, &item, &blob)?;
                    tx.commit()?;
                }
            }
            self.secrets().delete(&item.item)?;
            let mut conn = self.conn();
            let tx = store::write(&mut conn)?;
            sealed::forget_item(&tx, &item)?;
            tx.commit()?;
        }
        Ok(())
    }
}
