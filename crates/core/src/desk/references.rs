//! A profile whose secrets come by reference ([`crate::secret::source`]): each value is read
//! from its source when a token is needed and none is kept yet, then kept sealed in the
//! store like a typed secret or an imported key (bound to the token URL's origin like every
//! secret, since it is the same sealed value the flows send through their gate). When the
//! provider refuses a value ([`refuses`]), its source is read again: a secret or key rotated
//! there heals the profile without anyone typing it. A source that fails changes nothing
//! stored. The roles and their fields are [`Role`]'s; the profile's secret (the client
//! secret, or the password grant's password in its place) is one slot, its key another.

use super::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::config::FlowConfig;
use crate::profile;
use crate::secret::source::{self, Reason, Reference, Role, SourceError};
use crate::secret::ClientSecret;
use crate::store::{self, sealed::Place, Row};

#[path = "reference_keys.rs"]
mod keys;

/// The reference `row`'s `role` comes from, if any. A stored reference was checked when it
/// was set; one that no longer parses is reported as the field's error.
pub(crate) fn reference_for(row: &Row, role: Role) -> Result<Option<Reference>> {
    match row.fields.get(role.field()) {
        Some(text) => Reference::parse(text).map(Some).map_err(|m| Error::invalid(role.field(), m)),
        None => Ok(None),
    }
}

/// The reference `row`'s secret comes from (the client secret's, or the password's), if any.
pub(crate) fn reference_of(row: &Row) -> Result<Option<Reference>> {
    for role in Role::ALL.into_iter().filter(|r| r.is_secret()) {
        if let Some(r) = reference_for(row, role)? {
            return Ok(Some(r));
        }
    }
    Ok(None)
}

/// Whether the provider's answer says it refuses `role`'s value in a request made with
/// `cfg`: the client (`invalid_client`, `unauthorized_client`) for the client secret and for
/// a key the client proves itself with; the grant (`invalid_grant`) for the password and for
/// a key that signs the grant.
pub(crate) fn refuses(e: &Error, role: Role, cfg: &FlowConfig) -> bool {
    let Error::OAuth { error, .. } = e else { return false };
    let client = error == "invalid_client" || error == "unauthorized_client";
    let grant = error == "invalid_grant";
    match role {
        Role::ClientSecret => client,
        Role::Password => grant && cfg.template.flow == crate::template::Flow::Password,
        Role::PrivateKey | Role::KeyPassword => (grant && cfg.template.flow.signs_grant()) || (client && cfg.client_auth.uses_key()),
    }
}

/// A source's failure as the profile's error: what it lacks is its source put right.
pub(crate) fn not_ready(handle: &str, role: Role, e: &SourceError) -> Error {
    Error::not_ready_in(handle, Need::SecretSource, role.field(), e.to_string())
}

impl Desk {
    /// Reads the profile's reference from its source, keeping nothing: `None` when its
    /// secret is typed (or it has none). A diagnosis states the source's answer as a stage.
    pub(crate) async fn read_reference(&self, handle: &str) -> Result<Option<(Reference, Result<ClientSecret, SourceError>)>> {
        let row = store::get(&self.conn(), handle)?;
        let Some(r) = reference_of(&row)? else { return Ok(None) };
        let read = source::read(&r, &source::process_vars).await.and_then(|v| {
            let value = ClientSecret::new(v.expose());
            profile::check_secret(&value).map(|_| value).map_err(|e| {
                let why = match e {
                    Error::Invalid { message, .. } => message,
                    other => other.to_string(),
                };
                SourceError::new(&r, source::Reason::Unusable, format!("the value cannot be a secret: it {why}"))
            })
        });
        Ok(Some((r, read)))
    }

    /// Before a token request: every secret of the profile that comes by reference and has
    /// no readable value kept is read from its source and kept (the secret, the key).
    pub(crate) async fn ensure_references(&self, handle: &str) -> Result<()> {
        self.ensure_referenced_secret(handle).await?;
        self.ensure_referenced_key(handle).await
    }

    /// After the provider refused a request made with `cfg` and the secret `used`: the
    /// sources of the values it refuses are read again, and new values kept. Says whether
    /// anything new is kept (then the request is worth making once more).
    pub(crate) async fn reread_refused(&self, handle: &str, e: &Error, cfg: &FlowConfig, used: Option<&ClientSecret>) -> Result<bool> {
        let row = store::get(&self.conn(), handle)?;
        let mut renewed = false;
        if let Some(role) = Role::ALL.into_iter().find(|r| r.is_secret() && row.fields.contains_key(r.field())) {
            if refuses(e, role, cfg) {
                renewed |= self.reread_reference(handle, used).await?;
            }
        }
        if row.fields.contains_key(Role::PrivateKey.field()) && refuses(e, Role::PrivateKey, cfg) {
            renewed |= self.reread_key(handle).await?;
        }
        Ok(renewed)
    }

    /// Before a secret is needed: a profile whose secret comes by reference and that keeps
    /// no readable value yet reads its source and keeps the value sealed. A source that
    /// fails is the profile's error ([`Need::SecretSource`]) and changes nothing.
    pub(crate) async fn ensure_referenced_secret(&self, handle: &str) -> Result<()> {
        let row = store::get(&self.conn(), handle)?;
        if reference_of(&row)?.is_none() {
            return Ok(());
        }
        match self.client_secret(handle) {
            Ok(Some(_)) => return Ok(()),
            // The store's key is gone: every secret waits for it, read or not.
            Err(e @ Error::KeyMissing { .. }) => return Err(e),
            _ => {}
        }
        self.reread_reference(handle, None).await.map(|_| ())
    }

    /// Reads the profile's source again and keeps its value when it differs from `used` (the
    /// value the provider just refused). Says whether a new value is kept; `false` when the
    /// profile has no reference or the source still holds the refused value.
    pub(crate) async fn reread_reference(&self, handle: &str, used: Option<&ClientSecret>) -> Result<bool> {
        let Some((r, read)) = self.read_reference(handle).await? else { return Ok(false) };
        let row = store::get(&self.conn(), handle)?;
        let role = Role::ALL.into_iter().find(|role| row.fields.get(role.field()).map(String::as_str) == Some(r.as_str()));
        let value = read.map_err(|e| not_ready(handle, role.unwrap_or(Role::ClientSecret), &e))?;
        if used.is_some_and(|u| u.expose() == value.expose()) {
            return Ok(false);
        }
        let row = store::get(&self.conn(), handle)?;
        let expected = reference_of(&row)?;
        self.write_sealed(|tx, key| {
            let row = store::get(tx, handle)?;
            // The reference changed while the source was read: this value is not its.
            if reference_of(&row)? != expected {
                return Err(Error::not_ready(
                    handle,
                    Need::SecretSource,
                    format!("the secret reference of '{handle}' changed while it was read: nothing was kept; try again"),
                ));
            }
            store::profiles::set_client_secret(tx, row.id, &key.seal(&self.aad(Place::ClientSecret(row.id)), value.expose().as_bytes()))
        })?;
        Ok(true)
    }
}
