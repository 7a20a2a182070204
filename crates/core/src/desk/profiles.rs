//! Profiles: create, change, remove, read, list, export and import. A profile and its sealed
//! client secret are written in one transaction: a crash leaves both or neither.

use std::collections::HashSet;

use super::Desk;
use crate::error::Need;
use crate::error::{Error, Result};
use crate::flows::gate::Confirmed;
use crate::model::{ConnectionState, Profile, ProfileSummary, SecretState};
use crate::profile::{self, NewProfile, ProfileChanges};
use crate::secret::{source, ClientSecret};
use crate::store::{self, history, sealed::Place, Row};
use crate::template;
use crate::transfer::{ExportFile, ExportedProfile};

/// The profile as shown; `key_missing` says the store's key is gone, so a sealed secret
/// cannot be read.
fn shown(row: Row, connection: ConnectionState, key_missing: bool) -> Profile {
    let client_secret = if row.secret_lost || (key_missing && row.client_secret.is_some()) {
        SecretState::Unreadable
    } else if row.has_secret() {
        SecretState::Set
    } else {
        SecretState::NotSet
    };
    Profile {
        unconfirmed: super::origins::unconfirmed(&row),
        connection,
        client_secret,
        secret_ref: row.fields.get(source::FIELD).cloned(),
        team: row.team_dir.map(|dir| crate::model::TeamOrigin { dir, commit: row.team_commit }),
        handle: row.handle,
        label: row.label,
        template: row.template,
        fields: row.fields,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The record of a profile just made from `fields`: everything they name is confirmed (an
/// empty record when they make no configuration yet).
pub(crate) fn confirmed_as_made(handle: &str, template: &'static template::Template, fields: &crate::model::Fields) -> String {
    match crate::flows::config::FlowConfig::new(template, fields) {
        Ok(cfg) => Confirmed::all_of(handle, &cfg).to_json(),
        Err(_) => Confirmed::default().to_json(),
    }
}

impl Desk {
    /// The profile as shown, with its connection state (one query). Takes the store's lock
    /// only for the query: telling whether the key is missing may need the store again.
    fn view(&self, handle: &str) -> Result<Profile> {
        let found = history::profiles_with_state(&self.conn(), Some(handle))?;
        let (row, connection) = found.into_iter().next().ok_or_else(|| Error::NotFound(handle.to_string()))?;
        let key_missing = row.client_secret.is_some() && self.key_is_missing();
        Ok(shown(row, connection, key_missing))
    }

    /// Creates a profile. Nothing is stored unless everything is valid and the secret is kept.
    #[tracing::instrument(skip(self, new), fields(handle = %new.handle, template = %new.template), err(level = "info"))]
    pub fn create(&self, new: NewProfile) -> Result<Profile> {
        crate::validate::handle(&new.handle).map_err(|m| Error::invalid("handle", m))?;
        let template = template::find(&new.template)?;
        let label = profile::label(new.label.as_deref(), &new.handle)?;
        let secret = new.client_secret.filter(|s| !s.is_empty());
        secret.as_ref().map(profile::check_secret).transpose()?;
        profile::check_one_secret(secret.as_ref(), &new.fields)?;
        let fields = profile::check_fields(template, &new.fields, secret.is_some())?;
        self.write_with_key(secret.is_some(), |tx, key| {
            let id = store::insert(tx, &new.handle, &label, &template.id, &fields)?;
            if let (Some(secret), Some(key)) = (&secret, key) {
                store::profiles::set_client_secret(tx, id, &key.seal(&self.aad(Place::ClientSecret(id)), secret.expose().as_bytes()))?;
            }
            // The person who made the profile named its endpoints: they are confirmed as made.
            store::profiles::set_confirmed(tx, id, &confirmed_as_made(&new.handle, template, &fields))?;
            Ok(())
        })?;
        self.view(&new.handle)
    }

    /// Applies changes to a profile; its handle and template never change.
    #[tracing::instrument(skip(self, changes), err(level = "info"))]
    pub fn update(&self, handle: &str, changes: ProfileChanges) -> Result<Profile> {
        let mut changes = changes;
        let secret = changes.client_secret.take().filter(|s| !s.is_empty());
        secret.as_ref().map(profile::check_secret).transpose()?;
        self.write_with_key(secret.is_some(), |tx, key| self.apply_changes(tx, key, handle, changes, secret.as_ref()))?;
        self.view(handle)
    }

    /// [`Desk::update`]'s write, in its transaction; `key` seals `secret`.
    fn apply_changes(
        &self,
        tx: &rusqlite::Transaction<'_>,
        key: Option<&super::keys::HeldKey>,
        handle: &str,
        changes: ProfileChanges,
        secret: Option<&ClientSecret>,
    ) -> Result<()> {
        let row = store::get(tx, handle)?;
        let template = template::find(&row.template)?;
        let label = match changes.label.as_deref() {
            Some(l) => profile::label(Some(l), handle)?,
            None => row.label.clone(),
        };
        profile::check_one_secret(secret, &changes.fields)?;
        let mut merged = row.fields.clone();
        for (name, value) in changes.fields {
            merged.insert(name, value);
        }
        if secret.is_some() {
            // A secret typed in replaces the reference it came from before.
            merged.remove(source::FIELD);
        }
        let fields = profile::check_fields(template, &merged, secret.is_some() || row.has_secret() || row.secret_lost)?;
        store::update(tx, row.id, &label, &fields)?;
        if secret.is_none() && fields.contains_key(source::FIELD) && fields.get(source::FIELD) != row.fields.get(source::FIELD) {
            // The value kept is the old place's: the new reference is read when a token is needed.
            store::profiles::clear_client_secret(tx, row.id)?;
        }
        if fields != row.fields || secret.is_some() {
            // A token was issued for the old settings: it is stale now.
            self.forget_token(tx, row.id, Some(history::Dropped::SettingsChanged))?;
        }
        if let (Some(secret), Some(key)) = (secret, key) {
            store::profiles::set_client_secret(tx, row.id, &key.seal(&self.aad(Place::ClientSecret(row.id)), secret.expose().as_bytes()))?;
        }
        // A moved endpoint stays unconfirmed (see `origins`): neither an edit nor a secret
        // entered again confirms where credentials go.
        Ok(())
    }

    /// Removes a profile and its secret.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn remove(&self, handle: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let row = store::get(&tx, handle)?;
        self.forget_token(&tx, row.id, None)?;
        store::delete(&tx, row.id)?;
        tx.commit()?;
        if let Some(item) = &row.secret_ref {
            // A schema-2 store's item not moved in yet: it goes with its profile.
            self.secrets().delete(item)?;
        }
        Ok(())
    }

    pub fn get(&self, handle: &str) -> Result<Profile> {
        self.view(handle)
    }

    /// Every profile with its connection state, in one query whatever their number.
    pub fn list(&self) -> Result<Vec<Profile>> {
        let rows = history::profiles_with_state(&self.conn(), None)?;
        let key_missing = rows.iter().any(|(r, _)| r.client_secret.is_some()) && self.key_is_missing();
        Ok(rows.into_iter().map(|(row, state)| shown(row, state, key_missing)).collect())
    }

    /// Every profile as the list shows it, in the order of [`Desk::list`]. Needs no secret,
    /// so it never waits for the keyring.
    pub fn summaries(&self) -> Result<Vec<ProfileSummary>> {
        let rows = history::profiles_with_state(&self.conn(), None)?;
        Ok(rows
            .into_iter()
            .map(|(row, connection)| ProfileSummary { handle: row.handle, label: row.label, template: row.template, connection })
            .collect())
    }

    /// The stored client secret, for the flows that send it. A secret that cannot be read
    /// is an error, never a wrong value: [`Error::KeyMissing`] when the keyring lacks the
    /// store's key (every secret waits for it), else (the value was altered or moved) one
    /// that says to enter it again.
    pub fn client_secret(&self, handle: &str) -> Result<Option<ClientSecret>> {
        let row = store::get(&self.conn(), handle)?;
        let again = |why: String| Error::not_ready(handle, Need::ClientSecret, format!("{why}: enter it again"));
        if let Some(sealed) = &row.client_secret {
            let opened = self.open_sealed(Place::ClientSecret(row.id), sealed, || Ok(store::get(&self.conn(), handle)?.client_secret))?;
            return match opened {
                Some(text) => Ok(Some(ClientSecret::new(text.as_str()))),
                None => Err(again(format!(
                    "the stored client secret of '{handle}' cannot be read (it was altered, or moved from another profile)"
                ))),
            };
        }
        if row.secret_lost {
            return Err(again(format!("the client secret of '{handle}' was sealed with a key this store no longer has")));
        }
        match &row.secret_ref {
            // A schema-2 store whose items could not be moved in yet (no keyring then).
            Some(item) => Ok(self.secrets().get(item)?.map(|s| ClientSecret::new(s.expose()))),
            None => Ok(None),
        }
    }

    /// The named profiles (all when `handles` is empty) as an export, without secrets.
    pub fn export(&self, handles: &[String]) -> Result<ExportFile> {
        let rows = if handles.is_empty() {
            store::list(&self.conn())?
        } else {
            let conn = self.conn();
            handles.iter().map(|h| store::get(&conn, h)).collect::<Result<Vec<_>>>()?
        };
        Ok(ExportFile::new(
            rows.into_iter()
                .map(|r| ExportedProfile { handle: r.handle, label: r.label, template: r.template, fields: r.fields })
                .collect(),
        ))
    }

    /// Imports every profile of an export, or none: a bad or taken handle stops the import.
    /// Imported profiles have no secret until one is set.
    #[tracing::instrument(skip(self, file), err(level = "info"))]
    pub fn import(&self, file: ExportFile) -> Result<Vec<String>> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let mut seen = HashSet::new();
        for p in &file.profiles {
            let in_profile = |e: Error| Error::Import(format!("profile '{}': {e}", p.handle));
            crate::validate::handle(&p.handle).map_err(|m| in_profile(Error::invalid("handle", m)))?;
            if !seen.insert(p.handle.as_str()) {
                return Err(Error::Import(format!("the file lists handle '{}' twice", p.handle)));
            }
            let template = template::find(&p.template).map_err(in_profile)?;
            let label = profile::label(Some(&p.label), &p.handle).map_err(in_profile)?;
            let fields = profile::check_fields(template, &p.fields, true).map_err(in_profile)?;
            let id = store::insert(&tx, &p.handle, &label, &template.id, &fields).map_err(in_profile)?;
            // The person chose the file: its endpoints are confirmed as imported.
            store::profiles::set_confirmed(&tx, id, &confirmed_as_made(&p.handle, template, &fields))?;
        }
        tx.commit()?;
        Ok(file.profiles.into_iter().map(|p| p.handle).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Fields;
    use crate::secret::MemorySecrets;
    use std::sync::Arc;

    fn desk() -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
        (dir, desk)
    }

    fn sf(handle: &str, secret: Option<&str>) -> NewProfile {
        NewProfile {
            template: "salesforce-client-credentials".into(),
            handle: handle.into(),
            label: None,
            fields: Fields::from([("my_domain".into(), "https://acme.my.salesforce.com".into()), ("client_id".into(), "3MVG9key".into())]),
            client_secret: secret.map(ClientSecret::new),
        }
    }

    #[test]
    fn create_update_keep_and_replace_the_secret() {
        let (_d, desk) = desk();
        let p = desk.create(sf("sf-prod", Some("s3cret"))).unwrap();
        assert_eq!(p.client_secret, SecretState::Set);
        assert_eq!(p.label, "sf-prod");
        let p = desk.update("sf-prod", ProfileChanges { label: Some("Acme".into()), client_secret: None, ..Default::default() }).unwrap();
        assert_eq!(p.label, "Acme");
        assert_eq!(desk.client_secret("sf-prod").unwrap().unwrap().expose(), "s3cret");
        desk.update("sf-prod", ProfileChanges { client_secret: Some(ClientSecret::new("n3w")), ..Default::default() }).unwrap();
        assert_eq!(desk.client_secret("sf-prod").unwrap().unwrap().expose(), "n3w");
    }

    #[test]
    fn bad_input_changes_nothing() {
        let (_d, desk) = desk();
        desk.create(sf("sf-prod", Some("s"))).unwrap();
        assert!(matches!(desk.create(sf("sf-prod", Some("s"))), Err(Error::Duplicate(_))));
        assert_eq!(desk.create(sf("SF Prod", Some("s"))).unwrap_err().field(), Some("handle"));
        assert_eq!(desk.create(sf("no-secret", None)).unwrap_err().field(), Some("client_secret"));
        let changes =
            ProfileChanges { fields: Fields::from([("my_domain".into(), "https://login.salesforce.com".into())]), ..Default::default() };
        assert_eq!(desk.update("sf-prod", changes).unwrap_err().field(), Some("my_domain"));
        let list = desk.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].fields["my_domain"], "https://acme.my.salesforce.com");
    }

    #[test]
    fn export_has_no_secret_and_import_is_all_or_nothing() {
        let (_d, desk) = desk();
        desk.create(sf("sf-prod", Some("never-exported"))).unwrap();
        let file = desk.export(&[]).unwrap();
        let json = serde_json::to_string(&file).unwrap();
        assert!(!json.contains("never-exported"));

        let (_d2, other) = self::desk();
        other.create(sf("taken", Some("s"))).unwrap();
        let mut two = file.clone();
        two.profiles.push(ExportedProfile { handle: "taken".into(), ..file.profiles[0].clone() });
        assert!(other.import(two).unwrap_err().to_string().contains("'taken'"));
        assert_eq!(other.list().unwrap().len(), 1, "the failed import added nothing");
        assert_eq!(other.import(file).unwrap(), vec!["sf-prod".to_string()]);
        assert_eq!(other.get("sf-prod").unwrap().client_secret, SecretState::NotSet);
    }

    #[test]
    fn remove_deletes_row_and_secret() {
        let (_d, desk) = desk();
        desk.create(sf("gone", Some("s"))).unwrap();
        desk.remove("gone").unwrap();
        assert!(matches!(desk.get("gone"), Err(Error::NotFound(_))));
        assert!(matches!(desk.remove("gone"), Err(Error::NotFound(_))));
    }

    #[test]
    fn list_and_get_read_the_same_state_for_every_profile() {
        use crate::model::{Attempt, ConnectionStatus, ExpirySource, Stage};
        let (_d, desk) = desk();
        for h in ["a-never", "b-connected", "c-failing"] {
            desk.create(sf(h, Some("s"))).unwrap();
        }
        let now = chrono::Utc::now();
        let attempt = |ok: bool| Attempt {
            at: now,
            stage: Stage::Token,
            ok,
            status: Some(if ok { 200 } else { 401 }),
            elapsed_ms: 5,
            error: (!ok).then(|| "invalid_client".into()),
            error_description: None,
        };
        {
            let conn = desk.conn();
            let id = |h: &str| store::get(&conn, h).unwrap().id;
            let later = now + chrono::Duration::hours(1);
            history::save_token(&conn, id("b-connected"), b"k", now, Some(later), ExpirySource::ExpiresIn).unwrap();
            history::record(&conn, id("b-connected"), &[attempt(true)]).unwrap();
            history::record(&conn, id("c-failing"), &[attempt(true), attempt(false)]).unwrap();
        }
        let listed = desk.list().unwrap();
        let states: Vec<_> = listed.iter().map(|p| (p.handle.as_str(), p.connection.state)).collect();
        assert_eq!(
            states,
            [("a-never", ConnectionStatus::Never), ("b-connected", ConnectionStatus::Connected), ("c-failing", ConnectionStatus::Failing)]
        );
        assert_eq!(listed[2].connection.last_error.as_deref(), Some("invalid_client"));
        for p in &listed {
            let one = desk.get(&p.handle).unwrap();
            assert_eq!((one.connection.state, one.connection.expires_at), (p.connection.state, p.connection.expires_at));
        }
        // The window's list says the same of each, in the same order.
        let summaries = desk.summaries().unwrap();
        let summarised: Vec<_> = summaries.iter().map(|p| (p.handle.as_str(), p.connection.state)).collect();
        assert_eq!(summarised, states);
        assert_eq!(summaries[1].connection.expires_at, listed[1].connection.expires_at);
        assert_eq!(summaries[2].connection.last_error, listed[2].connection.last_error);
    }

    #[test]
    fn another_process_s_change_moves_the_store_version_and_this_desk_s_own_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let desk = Desk::open(dir.path(), secrets.clone()).unwrap();
        let before = desk.store_version().unwrap();
        desk.create(sf("mine", Some("s"))).unwrap();
        assert_eq!(desk.store_version().unwrap(), before, "this desk's own write");
        let other = Desk::open(dir.path(), secrets).unwrap();
        other.create(sf("theirs", Some("t"))).unwrap();
        let after = desk.store_version().unwrap();
        assert_ne!(after, before, "another connection's write");
        assert_eq!(desk.store_version().unwrap(), after, "unchanged until the next change");
        other.remove("theirs").unwrap();
        assert_ne!(desk.store_version().unwrap(), after);
    }
}
