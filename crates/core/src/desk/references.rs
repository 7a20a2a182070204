//! A profile whose secret comes by reference ([`crate::secret::source`]): the value is read
//! from its source when a token is needed and none is kept yet, then kept sealed in the
//! store like a typed secret (bound to the token URL's origin like every secret, since it is
//! the same sealed value the flows send through their gate). When the provider refuses the
//! client (`invalid_client`, `unauthorized_client`), the source is read again: a secret
//! rotated there heals the profile without anyone typing it. A source that fails changes
//! nothing stored.

use super::Desk;
use crate::error::{Error, Need, Result};
use crate::profile;
use crate::secret::source::{self, Reference, SourceError};
use crate::secret::ClientSecret;
use crate::store::{self, sealed::Place, Row};

/// The reference `row`'s secret comes from, if any. A stored reference was checked when it
/// was set; one that no longer parses is reported as the field's error.
pub(crate) fn reference_of(row: &Row) -> Result<Option<Reference>> {
    match row.fields.get(source::FIELD) {
        Some(text) => Reference::parse(text).map(Some).map_err(|m| Error::invalid(source::FIELD, m)),
        None => Ok(None),
    }
}

/// Whether the provider's answer says it refuses the client itself (its secret).
pub(crate) fn refuses_client(e: &Error) -> bool {
    matches!(e, Error::OAuth { error, .. } if error == "invalid_client" || error == "unauthorized_client")
}

/// A source's failure as the profile's error: what it lacks is its source put right.
fn not_ready(handle: &str, e: &SourceError) -> Error {
    Error::not_ready(handle, Need::SecretSource, e.to_string())
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
        let Some((_, read)) = self.read_reference(handle).await? else { return Ok(false) };
        let value = read.map_err(|e| not_ready(handle, &e))?;
        if used.is_some_and(|u| u.expose() == value.expose()) {
            return Ok(false);
        }
        let expected = store::get(&self.conn(), handle)?.fields.get(source::FIELD).cloned();
        self.write_sealed(|tx, key| {
            let row = store::get(tx, handle)?;
            // The reference changed while the source was read: this value is not its.
            if row.fields.get(source::FIELD) != expected.as_ref() {
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
