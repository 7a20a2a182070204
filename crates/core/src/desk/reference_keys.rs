//! A profile's key by reference: `key_ref` names where the key file is kept (PEM text; or a
//! PKCS#12 or DER file, as a file's bytes or, from a source that holds text, as base64), and
//! `p12_password_ref` where the password that opens it is. The key read is imported as a
//! key file would be, and kept sealed like one; a new key read after a refusal replaces the
//! kept one outright (the source is where keys roll over, so no previous key is kept).

use base64::Engine as _;
use zeroize::Zeroizing;

use super::super::Desk;
use super::{not_ready, reference_for, Reason, Reference, Role, SourceError};
use crate::error::{Error, Result};
use crate::pki::{self, KeyMaterial};
use crate::secret::source;
use crate::store::{self, credentials, sealed::Place, Row};

/// The bytes of a key file as a source gives them: PEM or binary as they are; text that is
/// all base64 (a binary file kept in a vault's field or a variable) decoded.
fn key_bytes(value: Zeroizing<Vec<u8>>) -> Zeroizing<Vec<u8>> {
    let Ok(text) = std::str::from_utf8(&value) else { return value };
    if text.contains("-----BEGIN") {
        return value;
    }
    let compact: Zeroizing<String> = Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
        Ok(decoded) if !decoded.is_empty() => Zeroizing::new(decoded),
        _ => value,
    }
}

/// The references the key comes from, as written: a kept key is theirs only while both
/// stay the same.
fn key_references(row: &Row) -> (Option<String>, Option<String>) {
    let get = |role: Role| row.fields.get(role.field()).cloned();
    (get(Role::PrivateKey), get(Role::KeyPassword))
}

impl Desk {
    /// Reads the profile's key from its reference (and the password that opens it from its
    /// own), keeping nothing; with the references as they were when read. `None` when the
    /// key does not come by reference. A value that is no key this password opens is
    /// [`Reason::Unusable`], named with the key's reference.
    #[allow(clippy::type_complexity, reason = "a reference, what it gave, and the references read")]
    pub(crate) async fn read_key_reference(
        &self,
        handle: &str,
    ) -> Result<Option<(Reference, std::result::Result<KeyMaterial, SourceError>, (Option<String>, Option<String>))>> {
        let row = store::get(&self.conn(), handle)?;
        let expected = key_references(&row);
        let Some(r) = reference_for(&row, Role::PrivateKey)? else { return Ok(None) };
        let password = match reference_for(&row, Role::KeyPassword)? {
            Some(pr) => match source::read(&pr, &source::process_vars).await {
                Ok(p) => Some((pr, p)),
                Err(e) => return Ok(Some((r, Err(e), expected))),
            },
            None => None,
        };
        let read = source::read_bytes(&r, &source::process_vars).await.and_then(|bytes| {
            let bytes = key_bytes(bytes);
            pki::import(&bytes, None, password.as_ref().map(|(_, p)| p.expose())).map_err(|e| {
                let why = match e {
                    Error::Invalid { message, .. } => message,
                    other => other.to_string(),
                };
                let opened = password.as_ref().map(|(pr, _)| format!(" (opened with the password from {pr})")).unwrap_or_default();
                SourceError::new(&r, Reason::Unusable, format!("the value is not a usable key{opened}: it {why}"))
            })
        });
        Ok(Some((r, read, expected)))
    }

    /// The password of the profile's key file, read from its reference (`p12_password_ref`);
    /// `None` when it has none. A source that fails is the profile's error.
    pub(crate) async fn read_key_password(&self, handle: &str) -> Result<Option<crate::secret::Secret>> {
        let row = store::get(&self.conn(), handle)?;
        let Some(r) = reference_for(&row, Role::KeyPassword)? else { return Ok(None) };
        source::read(&r, &source::process_vars).await.map(Some).map_err(|e| not_ready(handle, Role::KeyPassword, &e))
    }

    /// Before a key is needed: a profile whose key comes by reference and that keeps none
    /// that opens reads it and keeps it. A source that fails is the profile's error and
    /// changes nothing.
    pub(crate) async fn ensure_referenced_key(&self, handle: &str) -> Result<()> {
        let row = store::get(&self.conn(), handle)?;
        if reference_for(&row, Role::PrivateKey)?.is_none() {
            return Ok(());
        }
        match self.key_material(handle) {
            Ok(Some(_)) => return Ok(()),
            Err(e @ Error::KeyMissing { .. }) => return Err(e),
            _ => {}
        }
        self.reread_key(handle).await.map(|_| ())
    }

    /// Reads the key's source again and keeps the key when it is not the one kept. Says
    /// whether a new key is kept.
    pub(crate) async fn reread_key(&self, handle: &str) -> Result<bool> {
        let Some((_, read, expected)) = self.read_key_reference(handle).await? else { return Ok(false) };
        // The failure is the password's when its reference is the one named.
        let m = read.map_err(|e| {
            let role = if expected.1.as_deref() == Some(e.reference.as_str()) { Role::KeyPassword } else { Role::PrivateKey };
            not_ready(handle, role, &e)
        })?;
        self.keep_key_if_new(handle, &m, &expected)
    }

    /// Keeps `m`, read from the references `expected`, unless it is the key kept already.
    /// Says whether it was new.
    pub(crate) fn keep_key_if_new(&self, handle: &str, m: &KeyMaterial, expected: &(Option<String>, Option<String>)) -> Result<bool> {
        if self.key_material(handle).ok().flatten().is_some_and(|kept| kept.key.expose() == m.key.expose() && kept.cert == m.cert) {
            return Ok(false);
        }
        self.keep_referenced_key(handle, m, expected)?;
        Ok(true)
    }

    /// Keeps `m` as the profile's key, in place of any key and previous key, unless the
    /// references changed while it was read.
    fn keep_referenced_key(&self, handle: &str, m: &KeyMaterial, expected: &(Option<String>, Option<String>)) -> Result<()> {
        let facts = m.facts()?;
        let not_after = facts.as_ref().map(|f| f.not_after.to_rfc3339());
        self.write_sealed(|tx, key| {
            let row = store::get(tx, handle)?;
            if &key_references(&row) != expected {
                return Err(Error::not_ready(
                    handle,
                    crate::error::Need::SecretSource,
                    format!("the key reference of '{handle}' changed while it was read: nothing was kept; try again"),
                ));
            }
            let sealed = key.seal(&self.aad(Place::Key(row.id)), m.key.expose().as_bytes());
            credentials::set_key(
                tx,
                row.id,
                &sealed,
                super::super::credentials::key_type_name(m.key_type),
                m.cert.as_deref(),
                not_after.as_deref(),
            )?;
            credentials::drop_previous(tx, row.id)?;
            Ok(())
        })
    }
}
