//! Keys and certificates: the private key a profile signs client assertions and JWT bearer
//! grants with (and proves itself with in mutual TLS), and the certificate that goes with it.
//!
//! Admins bring keys in many forms — PKCS#8, PKCS#1 RSA, SEC1 EC, encrypted PKCS#8,
//! PKCS#12 — or have one made. Every key is kept in one form, PKCS#8 PEM, so signing and TLS
//! read one format; what a file is, when it is not usable, is said in words ([`import`]).
//! The certificate is public: its facts (subject, issuer, thumbprints, validity) are shown
//! and stored in clear; the key is a [`PrivateKey`] and is sealed like a secret.

mod generate;
mod import;
pub mod jwt;
pub mod kdf;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha1::Digest as _;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::secret::PrivateKey;
pub use generate::generate;
pub use import::import;
#[cfg(any(test, feature = "test-support"))]
pub use import::read_certificate;

/// What a key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum KeyType {
    Rsa,
    P256,
}

/// A signing algorithm of client assertions and JWT bearer grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Algorithm {
    Rs256,
    Ps256,
    Es256,
}

impl Algorithm {
    pub const ALL: [Algorithm; 3] = [Algorithm::Rs256, Algorithm::Ps256, Algorithm::Es256];

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "rs256",
            Algorithm::Ps256 => "ps256",
            Algorithm::Es256 => "es256",
        }
    }

    /// `rs256`, `RS256`…; the error names the field and the choices.
    pub fn parse(field: &str, s: &str) -> Result<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::invalid(field, format!("'{s}' is not an algorithm OAuth Desk signs with (rs256, ps256, es256)")))
    }

    /// The key type the algorithm needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Algorithm::Rs256 | Algorithm::Ps256 => KeyType::Rsa,
            Algorithm::Es256 => KeyType::P256,
        }
    }
}

/// A certificate's public facts, as the provider's console shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    /// SHA-1 and SHA-256 of the certificate, in upper-case hex (Entra shows the SHA-1 as
    /// the certificate's thumbprint).
    pub sha1: String,
    pub sha256: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub self_signed: bool,
}

/// A private key, its type, and the certificate that goes with it (if any).
#[derive(Debug, Clone)]
pub struct KeyMaterial {
    pub key: PrivateKey,
    pub key_type: KeyType,
    /// The certificate, PEM.
    pub cert: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The DER of the first certificate in a PEM text.
pub fn cert_der(pem_text: &str) -> Result<Vec<u8>> {
    pem::parse_many(pem_text)
        .map_err(|e| Error::invalid("certificate", format!("is not PEM: {e}")))?
        .into_iter()
        .find(|p| p.tag() == "CERTIFICATE")
        .map(|p| p.into_contents())
        .ok_or_else(|| Error::invalid("certificate", "holds no CERTIFICATE"))
}

fn time(t: x509_parser::time::ASN1Time) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or_default()
}

/// The facts of a certificate (DER).
pub fn facts(der: &[u8]) -> Result<CertFacts> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| Error::invalid("certificate", format!("cannot be read: {e}")))?;
    let validity = cert.validity();
    Ok(CertFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sha1: hex(&sha1::Sha1::digest(der)),
        sha256: hex(&sha2::Sha256::digest(der)),
        not_before: time(validity.not_before),
        not_after: time(validity.not_after),
        self_signed: cert.subject() == cert.issuer(),
    })
}

impl KeyMaterial {
    /// The certificate's facts, if there is a certificate.
    pub fn facts(&self) -> Result<Option<CertFacts>> {
        self.cert.as_deref().map(|c| cert_der(c).and_then(|d| facts(&d))).transpose()
    }

    /// The thumbprints a JWS header names the certificate by: `x5t` (SHA-1) and `x5t#S256`.
    pub fn thumbprints(&self) -> Result<Option<(String, String)>> {
        Ok(self
            .cert
            .as_deref()
            .map(cert_der)
            .transpose()?
            .map(|der| (b64url(&sha1::Sha1::digest(&der)), b64url(&sha2::Sha256::digest(&der)))))
    }

    /// Whether the key can sign with `alg`.
    pub fn check_algorithm(&self, field: &str, alg: Algorithm) -> Result<()> {
        if alg.key_type() == self.key_type {
            return Ok(());
        }
        let have = match self.key_type {
            KeyType::Rsa => "an RSA key (rs256 or ps256)",
            KeyType::P256 => "a P-256 key (es256)",
        };
        Err(Error::invalid(field, format!("{} needs another kind of key: this profile has {have}", alg.as_str())))
    }

    /// The public key as a JWK (RFC 7517), for providers that take a JWK or a JWKS (Okta,
    /// Auth0): `kid` is the certificate's `x5t#S256` when there is one.
    pub fn public_jwk(&self) -> Result<serde_json::Value> {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        use pkcs8::DecodePrivateKey as _;
        use rsa::traits::PublicKeyParts as _;
        let kid = self.thumbprints()?.map(|(_, s256)| s256);
        let mut jwk = match self.key_type {
            KeyType::Rsa => {
                let key =
                    rsa::RsaPrivateKey::from_pkcs8_pem(self.key.expose()).map_err(|e| Error::Internal(format!("stored RSA key: {e}")))?;
                serde_json::json!({"kty": "RSA", "n": b64url(&key.n().to_bytes_be()), "e": b64url(&key.e().to_bytes_be())})
            }
            KeyType::P256 => {
                let key =
                    p256::SecretKey::from_pkcs8_pem(self.key.expose()).map_err(|e| Error::Internal(format!("stored P-256 key: {e}")))?;
                let point = key.public_key().to_encoded_point(false);
                let (x, y) = (point.x().map(|x| b64url(x)), point.y().map(|y| b64url(y)));
                serde_json::json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})
            }
        };
        if let Some(members) = jwk.as_object_mut() {
            members.insert("use".into(), "sig".into());
            if let Some(kid) = kid {
                members.insert("kid".into(), kid.into());
            }
        }
        Ok(jwk)
    }
}

#[cfg(test)]
mod tests;
