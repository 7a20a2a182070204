//! A profile's key, certificate and extra CA bundle: made, imported, shown, exported and
//! removed. The key is sealed like the client secret (never shown, never exported); the
//! certificate and the CA bundle are public.

use serde::Serialize;
use ts_rs::TS;

use super::rollover::PreviousKey;
use super::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::config::FlowConfig;
use crate::model::warnings;
use crate::pki::{self, Algorithm, CertFacts, KeyMaterial, KeyType};
use crate::secret::source::Role as ReferenceRole;
use crate::secret::PrivateKey;
use crate::store::{self, credentials, sealed::Place};

/// What a profile's key is, for people: never the key itself.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeyInfo {
    pub handle: String,
    pub key_type: KeyType,
    /// The certificate's facts, also at the top level (`subject`, `issuer`, `sha1`,
    /// `sha256`, `not_before`, `not_after`) for scripts.
    pub certificate: Option<CertFacts>,
    #[serde(flatten)]
    #[ts(skip)]
    pub facts: Option<CertFacts>,
    /// The public key as a JWK, for providers that register one (Okta, Auth0).
    #[ts(type = "Record<string, unknown>")]
    pub jwk: serde_json::Value,
    /// Whole days the certificate has left (negative once expired), as the connection state
    /// counts them.
    #[ts(type = "number | null")]
    pub certificate_days_left: Option<i64>,
    /// The certificate is expired or close to it (see [`crate::model::warnings`]).
    pub certificate_expiring: bool,
    /// The key signed with before this one, kept until this one has worked once or a person
    /// says its certificate is uploaded (see [`super::rollover`]).
    pub previous: Option<PreviousKey>,
    /// Where the key is read from, when it comes by reference (`key_ref`): a key rotated
    /// there replaces this one when the provider refuses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reference: Option<String>,
}

impl KeyInfo {
    fn new(handle: &str, m: &KeyMaterial, facts: Option<CertFacts>) -> Result<Self> {
        let days = facts.as_ref().map(|f| warnings::days_left(f.not_after, chrono::Utc::now()));
        Ok(KeyInfo {
            handle: handle.to_string(),
            key_type: m.key_type,
            certificate: facts.clone(),
            facts,
            jwk: m.public_jwk()?,
            certificate_days_left: days,
            certificate_expiring: days.is_some_and(warnings::certificate_expiring),
            previous: None,
            reference: None,
        })
    }
}

/// The extra certificate authorities a profile trusts.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CaInfo {
    pub handle: String,
    pub certificates: Vec<CertFacts>,
}

pub(super) fn key_type_name(t: KeyType) -> &'static str {
    match t {
        KeyType::Rsa => "rsa",
        KeyType::P256 => "p256",
    }
}

impl Desk {
    /// Makes a key and a self-signed certificate for `handle` (replacing any key before).
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn key_generate(&self, handle: &str, alg: Algorithm, bits: Option<usize>) -> Result<KeyInfo> {
        store::get(&self.conn(), handle)?;
        let material = pki::generate(alg, bits, &format!("OAuth Desk {handle}"))?;
        self.store_key(handle, &material)
    }

    /// Imports a key file (and its certificate) for `handle`.
    #[tracing::instrument(skip(self, bytes, cert, password), err(level = "info"))]
    pub fn key_import(&self, handle: &str, bytes: &[u8], cert: Option<&[u8]>, password: Option<&str>) -> Result<KeyInfo> {
        store::get(&self.conn(), handle)?;
        let material = pki::import(bytes, cert, password)?;
        self.store_key(handle, &material)
    }

    /// [`Desk::key_import`] where no password is given and the profile names where the
    /// password of its key file is kept (`p12_password_ref`): the password is read from there.
    #[tracing::instrument(skip(self, bytes, cert, password), err(level = "info"))]
    pub async fn key_import_with_references(
        &self,
        handle: &str,
        bytes: &[u8],
        cert: Option<&[u8]>,
        password: Option<&str>,
    ) -> Result<KeyInfo> {
        if password.is_some() {
            return self.key_import(handle, bytes, cert, password);
        }
        match self.read_key_password(handle).await? {
            Some(p) => self.key_import(handle, bytes, cert, Some(p.expose())),
            None => self.key_import(handle, bytes, cert, None),
        }
    }

    /// Shows the profile's key after reading it from its reference when none is kept yet.
    pub async fn key_show_with_references(&self, handle: &str) -> Result<KeyInfo> {
        self.ensure_referenced_key(handle).await?;
        self.key_show(handle)
    }

    /// Keeps `m` as the profile's key. The key it replaces becomes the previous key, unless
    /// one is kept already (then the replaced key never worked, and the kept one is the one
    /// the provider knows): see [`super::rollover`].
    fn store_key(&self, handle: &str, m: &KeyMaterial) -> Result<KeyInfo> {
        let facts = m.facts()?;
        let not_after = facts.as_ref().map(|f| f.not_after.to_rfc3339());
        let replaced = {
            let conn = self.conn();
            let id = store::get(&conn, handle)?.id;
            let creds = credentials::get(&conn, id)?;
            drop(conn);
            if creds.prev_key_sealed.is_none() {
                self.key_material(handle).ok().flatten()
            } else {
                None
            }
        };
        self.write_sealed(|tx, key| {
            let row = store::get(tx, handle)?;
            let id = row.id;
            // A key made or imported here replaces the reference it came from before.
            if row.fields.contains_key(ReferenceRole::PrivateKey.field()) {
                let mut fields = row.fields.clone();
                fields.remove(ReferenceRole::PrivateKey.field());
                store::update(tx, id, &row.label, &fields)?;
            }
            if let Some(old) = &replaced {
                let sealed = key.seal(&self.aad(Place::PreviousKey(id)), old.key.expose().as_bytes());
                credentials::set_previous(tx, id, &sealed, key_type_name(old.key_type), old.cert.as_deref())?;
            }
            let sealed = key.seal(&self.aad(Place::Key(id)), m.key.expose().as_bytes());
            credentials::set_key(tx, id, &sealed, key_type_name(m.key_type), m.cert.as_deref(), not_after.as_deref())
        })?;
        let mut info = KeyInfo::new(handle, m, facts)?;
        info.previous = self.previous_key_info(handle)?;
        Ok(info)
    }

    /// The profile's key and certificate, opened; `None` when it has none.
    pub fn key_material(&self, handle: &str) -> Result<Option<KeyMaterial>> {
        let (id, creds) = {
            let conn = self.conn();
            let id = store::get(&conn, handle)?.id;
            (id, credentials::get(&conn, id)?)
        };
        let again = |why: &str| Error::not_ready(handle, Need::Key, format!("the key of '{handle}' {why}: generate or import it again"));
        if creds.key_lost {
            return Err(again("was sealed with a key this store no longer has"));
        }
        let Some(sealed) = creds.key_sealed else { return Ok(None) };
        let pem = self
            .open_sealed(Place::Key(id), &sealed, || Ok(credentials::get(&self.conn(), id)?.key_sealed))?
            .ok_or_else(|| again("cannot be read (it was altered or moved)"))?;
        let key_type = if creds.key_type.as_deref() == Some("p256") { KeyType::P256 } else { KeyType::Rsa };
        Ok(Some(KeyMaterial { key: PrivateKey::new(pem.as_str()), key_type, cert: creds.cert_pem }))
    }

    /// What the profile's key is (never the key).
    pub fn key_show(&self, handle: &str) -> Result<KeyInfo> {
        let m = self.key_material(handle)?.ok_or_else(|| no_key(handle))?;
        let facts = m.facts()?;
        let mut info = KeyInfo::new(handle, &m, facts)?;
        info.previous = self.previous_key_info(handle)?;
        info.reference = store::get(&self.conn(), handle)?.fields.get(ReferenceRole::PrivateKey.field()).cloned();
        Ok(info)
    }

    /// The certificate (PEM) to upload to the provider.
    pub fn key_certificate(&self, handle: &str) -> Result<String> {
        let conn = self.conn();
        let id = store::get(&conn, handle)?.id;
        credentials::get(&conn, id)?.cert_pem.ok_or_else(|| no_key(handle))
    }

    /// Forgets the key and its certificate; says whether there was one.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn key_remove(&self, handle: &str) -> Result<bool> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let id = store::get(&tx, handle)?.id;
        let removed = credentials::remove_key(&tx, id)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Trusts a PEM bundle of certificate authorities for `handle`'s requests (besides the
    /// system's), replacing any bundle before.
    #[tracing::instrument(skip(self, bytes), err(level = "info"))]
    pub fn ca_import(&self, handle: &str, bytes: &[u8]) -> Result<CaInfo> {
        let text = String::from_utf8_lossy(bytes);
        let certificates = ca_facts(&text)?;
        if text.contains("PRIVATE KEY") {
            return Err(Error::invalid("ca", "holds a private key: a CA bundle holds certificates only"));
        }
        let bundle: String = pem::parse_many(text.as_bytes())
            .map_err(|e| Error::invalid("ca", format!("is not PEM: {e}")))?
            .into_iter()
            .filter(|p| p.tag() == "CERTIFICATE")
            .map(|p| pem::encode(&p))
            .collect();
        reqwest::Certificate::from_pem_bundle(bundle.as_bytes())
            .map_err(|e| Error::invalid("ca", format!("cannot be used for TLS: {e}")))?;
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let id = store::get(&tx, handle)?.id;
        credentials::set_ca(&tx, id, Some(&bundle))?;
        tx.commit()?;
        Ok(CaInfo { handle: handle.to_string(), certificates })
    }

    /// The profile's CA bundle, if any.
    pub fn ca_show(&self, handle: &str) -> Result<CaInfo> {
        let conn = self.conn();
        let id = store::get(&conn, handle)?.id;
        let pem = credentials::get(&conn, id)?.ca_pem.unwrap_or_default();
        Ok(CaInfo { handle: handle.to_string(), certificates: if pem.is_empty() { Vec::new() } else { ca_facts(&pem)? } })
    }

    /// Stops trusting the profile's extra CAs; says whether it had any.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn ca_remove(&self, handle: &str) -> Result<bool> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let id = store::get(&tx, handle)?.id;
        let removed = credentials::set_ca(&tx, id, None)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Gives a flow configuration the profile's key and CA bundle, for the requests that
    /// sign with the key, present it in TLS, or trust the bundle.
    pub(crate) fn attach_credentials(&self, handle: &str, cfg: &mut FlowConfig) -> Result<()> {
        let id = store::get(&self.conn(), handle)?.id;
        self.attach_credentials_of(id, handle, cfg)
    }

    /// [`Desk::attach_credentials`] for the profile whose row id is known already.
    pub(crate) fn attach_credentials_of(&self, id: i64, handle: &str, cfg: &mut FlowConfig) -> Result<()> {
        let creds = credentials::get(&self.conn(), id)?;
        cfg.ca = creds.ca_pem.clone();
        // A key that cannot be opened is reported where it is needed (`require_key`), so
        // the cache and everything else still work.
        if creds.key_sealed.is_some() {
            cfg.key = self.key_material(handle).ok().flatten();
            cfg.previous_key = self.previous_key_material(id, &creds);
        }
        Ok(())
    }

    /// Says what is missing when the profile signs with a key, or shows it in TLS, and has
    /// none that opens.
    pub(crate) fn require_key(&self, handle: &str, cfg: &FlowConfig) -> Result<()> {
        let needs = cfg.client_auth.uses_key() || cfg.template.flow.signs_grant();
        if let (Some(alg), Some(key)) = (cfg.algorithm.filter(|_| needs), &cfg.key) {
            key.check_algorithm("key", alg).map_err(|_| {
                Error::not_ready(
                    handle,
                    Need::Key,
                    format!("'{handle}' signs with {} and its key cannot: make or import an RSA key", alg.as_str().to_uppercase()),
                )
            })?;
        }
        if !needs || cfg.key.is_some() {
            if cfg.client_auth.uses_tls() && cfg.key.as_ref().is_some_and(|k| k.cert.is_none()) {
                return Err(Error::not_ready(handle, Need::Key, format!("'{handle}' uses mutual TLS and its key has no certificate")));
            }
            return Ok(());
        }
        self.key_material(handle)?;
        Err(Error::not_ready(handle, Need::Key, format!("'{handle}' signs with a key and has none")))
    }
}

fn no_key(handle: &str) -> Error {
    Error::not_ready(handle, Need::Key, format!("'{handle}' has no key"))
}

fn ca_facts(text: &str) -> Result<Vec<CertFacts>> {
    let blocks = pem::parse_many(text.as_bytes()).map_err(|e| Error::invalid("ca", format!("is not PEM: {e}")))?;
    let certs: Vec<CertFacts> =
        blocks.iter().filter(|p| p.tag() == "CERTIFICATE").map(|p| pki::facts(p.contents())).collect::<Result<_>>()?;
    if certs.is_empty() {
        return Err(Error::invalid("ca", "holds no certificate (a CA bundle is one or more PEM CERTIFICATE blocks)"));
    }
    Ok(certs)
}

impl Desk {
    /// The assertion the profile would send next, decoded and unsigned: the JWT bearer grant,
    /// or the client assertion to the token URL.
    pub fn assertion(&self, handle: &str) -> Result<crate::pki::jwt::Unsigned> {
        use crate::flows::exchange;
        let (_, cfg) = self.flow_config(handle)?;
        self.require_key(handle, &cfg)?;
        if cfg.template.flow.signs_grant() {
            let (signer, claims) = exchange::bearer_assertion(&cfg)?;
            return crate::pki::jwt::unsigned(&signer, &claims);
        }
        let secret = self.client_secret(handle)?;
        match exchange::client_assertion(&cfg, secret.as_ref(), &cfg.token_url)? {
            Some((signer, claims)) => crate::pki::jwt::unsigned(&signer, &claims),
            None => Err(Error::invalid(
                "client_auth",
                format!("'{handle}' sends no assertion: its client authentication is neither private_key_jwt nor client_secret_jwt"),
            )),
        }
    }
}
