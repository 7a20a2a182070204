//! Changing the data key: a new key and every value sealed again under it ([`Desk::rekey`]),
//! starting over when the key is lost ([`Desk::start_over`]), the retired key items tidied
//! away (by the change, or by the next process when it was stopped), and a schema-2 store's
//! keyring items moved in. Each in an order that loses nothing if stopped.

use super::*;

/// What `rekey` did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RekeyOutcome {
    /// Values sealed again under the new key.
    pub resealed: usize,
    /// Values that no longer opened (altered, or sealed under a lost key when starting
    /// over) and were dropped: their profiles need the secret again, or a new token.
    pub dropped: usize,
}

impl Desk {
    /// Makes a new data key and seals every value again under it, in one transaction; the
    /// old key's item is removed once the store uses the new one. A store whose key is gone
    /// is [`Error::KeyMissing`] and is left as it is (see [`Desk::start_over`]).
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn rekey(&self) -> Result<RekeyOutcome> {
        self.change_key(false)
    }

    /// [`Desk::rekey`], and, for a store whose key is gone, the explicit new start: a new
    /// key, and every value sealed under the lost one dropped (client secrets and private
    /// keys are marked to be entered again, tokens forgotten). For a person who chose it:
    /// the values cannot come back, even if the old key's item is found again.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn start_over(&self) -> Result<RekeyOutcome> {
        self.change_key(true)
    }

    fn change_key(&self, start_over: bool) -> Result<RekeyOutcome> {
        let _lock = self.key_lock(true)?;
        let Some((old_id, check)) = sealed::key(&self.conn())? else {
            return Ok(RekeyOutcome { resealed: 0, dropped: 0 });
        };
        // The key this process holds only if it is still the store's: another process may
        // have changed it since.
        let held = match self.cached_key().filter(|k| k.id == old_id) {
            Some(key) => Ok(key),
            None => self.load_key(&old_id, &check).map(Arc::new),
        };
        let old = match held {
            Ok(key) => Some(key),
            Err(Error::KeyMissing { .. }) if start_over => None,
            Err(e) => return Err(e),
        };
        if let Some(key) = &old {
            self.move_in_legacy(key)?;
        }
        let (new, new_id) = (DataKey::generate(), new_key_id());
        {
            let mut conn = self.conn();
            let tx = store::write(&mut conn)?;
            if sealed::key_id(&tx)?.as_deref() != Some(old_id.as_str()) {
                return Err(Error::Internal("another process changed the store's key meanwhile; run rekey again".into()));
            }
            sealed::journal_add(&tx, Journal::Pending, &new_id)?;
            tx.commit()?;
        }
        // The new item exists before the store names it, and the journal names the item
        // before it exists: a stop anywhere loses nothing and leaves nothing behind.
        let outcome = self.set_item(&new_id, &new).and_then(|()| self.reseal(old.as_deref().map(|k| &k.key), &old_id, &new, &new_id));
        if outcome.is_ok() {
            self.keep_key(Arc::new(HeldKey { id: new_id, key: new }));
        }
        self.tidy_locked();
        outcome
    }

    fn reseal(&self, old: Option<&DataKey>, old_id: &str, new: &DataKey, new_id: &str) -> Result<RekeyOutcome> {
        let place = self.secrets().locate(&self.key_item(new_id))?;
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        if sealed::key_id(&tx)?.as_deref() != Some(old_id) {
            return Err(Error::Internal("another process changed the store's key meanwhile; run rekey again".into()));
        }
        let mut outcome = RekeyOutcome { resealed: 0, dropped: 0 };
        let mut unreadable = Vec::new();
        for (place, value) in sealed::all(&tx)? {
            let aad = self.aad(place);
            match old.and_then(|old| old.open(&aad, &value)) {
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
        if let Some(place) = place {
            sealed::set_key_place(&tx, new_id, &place)?;
        }
        sealed::journal_remove(&tx, Journal::Pending, new_id)?;
        sealed::journal_add(&tx, Journal::Retired, old_id)?;
        tx.commit()?;
        tracing::info!(resealed = outcome.resealed, dropped = outcome.dropped, "made a new data key");
        Ok(outcome)
    }

    /// Removes the key items a change of key left behind (stopped, or by another process):
    /// a key made and never adopted, and keys the store no longer uses. Skipped while
    /// another process changes the key (it tidies after itself). Errors are logged: an item
    /// that stays is removed by a later run.
    pub(crate) fn tidy_keys(&self) {
        let empty = sealed::journal_is_empty(&self.conn());
        match empty {
            Ok(true) => return,
            Ok(false) => {}
            Err(e) => return tracing::warn!(error = %e, "cannot read which key items to remove"),
        }
        match self.key_lock(false) {
            Ok(Some(_lock)) => self.tidy_locked(),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot remove the key items left behind yet"),
        }
    }

    /// [`Desk::tidy_keys`], for a caller that holds the key lock.
    pub(super) fn tidy_locked(&self) {
        if let Err(e) = self.tidy() {
            tracing::warn!(error = %e, "the key items left behind stay for now; the next run removes them");
        }
    }

    fn tidy(&self) -> Result<()> {
        for kind in [Journal::Pending, Journal::Retired] {
            let (current, ids) = {
                let conn = self.conn();
                (sealed::key_id(&conn)?, sealed::journal(&conn, kind)?)
            };
            for id in ids {
                // The store's own key is never removed (a pending key it adopted is its key).
                if current.as_deref() != Some(id.as_str()) {
                    self.secrets().delete(&self.key_item(&id))?;
                }
                let mut conn = self.conn();
                let tx = store::write(&mut conn)?;
                sealed::journal_remove(&tx, kind, &id)?;
                tx.commit()?;
            }
        }
        Ok(())
    }

    /// Moves a schema-2 store's keyring items in: each value is sealed here and committed,
    /// then its keyring item is removed, then the store stops referring to it. Stopped at
    /// any point, the next run finishes the job and nothing is lost. A key the store no
    /// longer uses stops the move (the next read of the new key goes on with it).
    pub(crate) fn move_in_legacy(&self, key: &HeldKey) -> Result<()> {
        let items = sealed::legacy(&self.conn())?;
        for item in items {
            if !item.sealed {
                if let Some(value) = self.secrets().get(&item.item)? {
                    let blob = key.seal(&self.aad(item.place), value.expose().as_bytes());
                    let mut conn = self.conn();
                    let tx = store::write(&mut conn)?;
                    if sealed::key_id(&tx)?.as_deref() != Some(key.id.as_str()) {
                        return Ok(());
                    }
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
