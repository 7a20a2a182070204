//! A new key never breaks a working connection. Making or importing a key for a profile that
//! has one keeps the key it had as the *previous* key, sealed like the key. The rule, the
//! only place it is written:
//!
//! - a token request that uses the key (a JWT bearer grant, `private_key_jwt`, mutual TLS)
//!   goes out with the new key; when the provider refuses it (an OAuth error answer) and a
//!   previous key is kept, the same request goes out once more with the previous key;
//! - the first token the new key obtains drops the previous key (the provider knows the new
//!   one now), and so does a person saying the new certificate is uploaded
//!   ([`Desk::key_confirm`]);
//! - a key made while a previous one is kept replaces the unconfirmed new key and keeps the
//!   previous (the one the provider is known to accept); removing the key removes both;
//! - a diagnosis sends the new key only, so it says whether the new certificate is uploaded.
//!
//! So from the moment a key is made until its certificate reaches the provider, every token
//! request still succeeds with the old key, and nobody has to remember to go back.

use serde::Serialize;
use ts_rs::TS;

use super::Desk;
use crate::error::{Error, Result};
use crate::flows::config::FlowConfig;
use crate::flows::exchange::{self, Grant};
use crate::flows::record::Recorder;
use crate::flows::token::TokenResponse;
use crate::pki::{CertFacts, KeyMaterial, KeyType};
use crate::secret::{ClientSecret, PrivateKey};
use crate::store::{self, credentials, sealed::Place};

/// The previous key a profile keeps, for people: never the key itself.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviousKey {
    pub key_type: KeyType,
    /// Its certificate's facts (the one the provider holds now), when it had one.
    pub certificate: Option<CertFacts>,
}

/// Whether a request with this configuration proves the client with its key.
fn uses_key(cfg: &FlowConfig) -> bool {
    cfg.client_auth.uses_key() || cfg.template.flow.signs_grant()
}

impl Desk {
    /// The token request of [`Desk::obtain`], with the rule above: the new key first, the
    /// previous key when the provider refuses the new one, the previous key dropped once the
    /// new one has worked. Says whether the token came with the previous key.
    pub(crate) async fn request_token_with_keys(
        &self,
        id: i64,
        cfg: &FlowConfig,
        grant: &Grant,
        secret: Option<&ClientSecret>,
        log: &mut Recorder,
    ) -> Result<(TokenResponse, bool)> {
        let first = exchange::request_token(cfg, grant, secret, log).await;
        let Some(previous) = cfg.previous_key.as_ref().filter(|_| uses_key(cfg) && cfg.key.is_some()) else {
            return first.map(|r| (r, false));
        };
        match first {
            Ok(response) => {
                self.drop_previous_key(id)?;
                Ok((response, false))
            }
            // A diagnosis examines the new key: it tells whether its certificate is uploaded.
            Err(refused @ Error::OAuth { .. }) if log.is_examining() => Err(refused),
            Err(refused @ Error::OAuth { .. }) => {
                tracing::info!(profile_id = id, "the provider refused the new key; the previous key is tried");
                let mut with_previous = cfg.clone();
                with_previous.key = Some(previous.clone());
                with_previous.previous_key = None;
                // The new key's refusal is what needs fixing when the previous key fails too.
                exchange::request_token(&with_previous, grant, secret, log).await.map(|r| (r, true)).map_err(|_| refused)
            }
            Err(e) => Err(e),
        }
    }

    /// The previous key, opened; `None` when there is none or it no longer opens (it is only
    /// a fallback, so a lost one is dropped rather than reported).
    pub(crate) fn previous_key_material(&self, id: i64, creds: &credentials::Credentials) -> Option<KeyMaterial> {
        let sealed = creds.prev_key_sealed.as_ref()?;
        let pem =
            self.open_sealed(Place::PreviousKey(id), sealed, || Ok(credentials::get(&self.conn(), id)?.prev_key_sealed)).ok().flatten()?;
        let key_type = if creds.prev_key_type.as_deref() == Some("p256") { KeyType::P256 } else { KeyType::Rsa };
        Some(KeyMaterial { key: PrivateKey::new(pem.as_str()), key_type, cert: creds.prev_cert_pem.clone() })
    }

    /// What the previous key is, when the profile keeps one.
    pub(crate) fn previous_key_info(&self, handle: &str) -> Result<Option<PreviousKey>> {
        let conn = self.conn();
        let id = store::get(&conn, handle)?.id;
        let creds = credentials::get(&conn, id)?;
        drop(conn);
        let Some(m) = self.previous_key_material(id, &creds) else { return Ok(None) };
        Ok(Some(PreviousKey { key_type: m.key_type, certificate: m.facts()? }))
    }

    /// A person says the new key's certificate is at the provider: the previous key is
    /// dropped. Says whether there was one.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn key_confirm(&self, handle: &str) -> Result<bool> {
        let id = store::get(&self.conn(), handle)?.id;
        self.drop_previous_key(id)
    }

    fn drop_previous_key(&self, id: i64) -> Result<bool> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let dropped = credentials::drop_previous(&tx, id)?;
        tx.commit()?;
        Ok(dropped)
    }
}
