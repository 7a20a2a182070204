//! Reading the key files admins bring, and saying plainly what a file is when it is not
//! usable: a certificate where a key is expected, a public key, an encrypted key without its
//! password, a key of a curve OAuth Desk does not sign with, a key that does not match its
//! certificate.

use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};

use super::{KeyMaterial, KeyType};
use crate::error::{Error, Result};
use crate::secret::PrivateKey;

fn bad(what: impl Into<String>) -> Error {
    Error::invalid("key", what)
}

fn pem_of(key: &dyn EncodeKey) -> Result<PrivateKey> {
    key.pkcs8().map(|pem| PrivateKey::new(pem.as_str())).map_err(|e| Error::Internal(format!("writing the key as PKCS#8: {e}")))
}

/// A key that can be written as PKCS#8 PEM.
trait EncodeKey {
    fn pkcs8(&self) -> std::result::Result<zeroize::Zeroizing<String>, pkcs8::Error>;
}

impl EncodeKey for rsa::RsaPrivateKey {
    fn pkcs8(&self) -> std::result::Result<zeroize::Zeroizing<String>, pkcs8::Error> {
        self.to_pkcs8_pem(pkcs8::LineEnding::LF)
    }
}

impl EncodeKey for p256::SecretKey {
    fn pkcs8(&self) -> std::result::Result<zeroize::Zeroizing<String>, pkcs8::Error> {
        self.to_pkcs8_pem(pkcs8::LineEnding::LF)
    }
}

/// A PKCS#8 key (DER), as RSA or P-256, with its public key (SPKI DER) to match a certificate.
fn from_pkcs8(der: &[u8]) -> Result<(PrivateKey, KeyType, Vec<u8>)> {
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        let spki = k.to_public_key().to_public_key_der().map_err(|e| Error::Internal(e.to_string()))?;
        return Ok((pem_of(&k)?, KeyType::Rsa, spki.into_vec()));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        let spki = k.public_key().to_public_key_der().map_err(|e| Error::Internal(e.to_string()))?;
        return Ok((pem_of(&k)?, KeyType::P256, spki.into_vec()));
    }
    Err(bad("is a private key of a kind OAuth Desk does not sign with: use an RSA key (2048 bits or more) or an EC key on the P-256 curve"))
}

fn from_pkcs1(der: &[u8]) -> Result<(PrivateKey, KeyType, Vec<u8>)> {
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    let k = rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|e| bad(format!("is an RSA PRIVATE KEY (PKCS#1) that cannot be read: {e}")))?;
    let spki = k.to_public_key().to_public_key_der().map_err(|e| Error::Internal(e.to_string()))?;
    Ok((pem_of(&k)?, KeyType::Rsa, spki.into_vec()))
}

fn from_sec1(der: &[u8]) -> Result<(PrivateKey, KeyType, Vec<u8>)> {
    let k = p256::SecretKey::from_sec1_der(der)
        .map_err(|_| bad("is an EC PRIVATE KEY that is not on the P-256 curve (or cannot be read): OAuth Desk signs with P-256 (es256)"))?;
    let spki = k.public_key().to_public_key_der().map_err(|e| Error::Internal(e.to_string()))?;
    Ok((pem_of(&k)?, KeyType::P256, spki.into_vec()))
}

fn encrypted(der: &[u8], password: Option<&str>) -> Result<(PrivateKey, KeyType, Vec<u8>)> {
    let info =
        pkcs8::EncryptedPrivateKeyInfo::try_from(der).map_err(|e| bad(format!("is an ENCRYPTED PRIVATE KEY that cannot be read: {e}")))?;
    super::kdf::check_scheme(&info.encryption_algorithm)?;
    let Some(password) = password else {
        return Err(bad("is an encrypted private key: give its password"));
    };
    let plain =
        info.decrypt(password).map_err(|_| bad("did not open with this password (or uses an encryption OAuth Desk does not read)"))?;
    from_pkcs8(plain.as_bytes())
}

/// The subject public key (SPKI DER) of a certificate.
fn cert_spki(der: &[u8]) -> Result<Vec<u8>> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| Error::invalid("certificate", format!("cannot be read: {e}")))?;
    Ok(cert.public_key().raw.to_vec())
}

/// A certificate file (PEM or DER) as PEM, for `--cert FILE`.
pub fn read_certificate(bytes: &[u8]) -> Result<String> {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("-----BEGIN") {
        let der = super::cert_der(&text).map_err(|_| {
            Error::invalid(
                "certificate",
                "holds no CERTIFICATE block (is it the key? give the key as the file and the certificate with the certificate option)",
            )
        })?;
        super::facts(&der)?;
        return Ok(pem::encode(&pem::Pem::new("CERTIFICATE", der)));
    }
    super::facts(bytes).map_err(|_| Error::invalid("certificate", "is neither a PEM nor a DER certificate"))?;
    Ok(pem::encode(&pem::Pem::new("CERTIFICATE", bytes.to_vec())))
}

/// What a key file holds: a key (PEM or DER, PKCS#8, PKCS#1, SEC1, encrypted PKCS#8) with
/// or without its certificate, or a PKCS#12 bundle; `cert` is a certificate given apart.
pub fn import(bytes: &[u8], cert: Option<&[u8]>, password: Option<&str>) -> Result<KeyMaterial> {
    if bytes.len() > 1024 * 1024 {
        return Err(bad("is larger than 1 MiB: that is no key file"));
    }
    let text = String::from_utf8_lossy(bytes);
    let (key, certs) = if text.contains("-----BEGIN") { from_pem(&text, password)? } else { from_der(bytes, password)? };
    let Some((key, key_type, spki)) = key else {
        return Err(if certs.is_empty() {
            bad("holds no private key")
        } else {
            bad("holds a certificate, not a private key: import the key file (with the certificate, or give the certificate apart)")
        });
    };
    let cert_der = match cert {
        Some(c) => Some(super::cert_der(&read_certificate(c)?)?),
        None => certs.into_iter().next(),
    };
    if let Some(der) = &cert_der {
        if cert_spki(der)? != spki {
            return Err(Error::invalid("certificate", "does not match the key: it belongs to another key pair"));
        }
    }
    Ok(KeyMaterial { key, key_type, cert: cert_der.map(|d| pem::encode(&pem::Pem::new("CERTIFICATE", d))) })
}

type Parsed = (Option<(PrivateKey, KeyType, Vec<u8>)>, Vec<Vec<u8>>);

fn from_pem(text: &str, password: Option<&str>) -> Result<Parsed> {
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(bad(
            "is a key encrypted in the legacy OpenSSL format: convert it to PKCS#8 first (openssl pkcs8 -topk8 -in key.pem -out key-pkcs8.pem)",
        ));
    }
    let blocks = pem::parse_many(text).map_err(|e| bad(format!("is not valid PEM: {e}")))?;
    let mut key = None;
    let mut certs = Vec::new();
    for block in blocks {
        let got = match block.tag() {
            "PRIVATE KEY" => Some(from_pkcs8(block.contents())?),
            "RSA PRIVATE KEY" => Some(from_pkcs1(block.contents())?),
            "EC PRIVATE KEY" => Some(from_sec1(block.contents())?),
            "ENCRYPTED PRIVATE KEY" => Some(encrypted(block.contents(), password)?),
            "CERTIFICATE" => {
                certs.push(block.into_contents());
                None
            }
            "EC PARAMETERS" => None,
            "PUBLIC KEY" | "RSA PUBLIC KEY" => {
                return Err(bad("is a public key: the profile needs the private key (the public key or certificate goes to the provider)"))
            }
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => return Err(bad("is a certificate signing request, not a key")),
            other => return Err(bad(format!("holds a '{other}' block, which is not a key or certificate"))),
        };
        if got.is_some() {
            if key.is_some() {
                return Err(bad("holds more than one private key: give one"));
            }
            key = got;
        }
    }
    Ok((key, certs))
}

fn from_der(bytes: &[u8], password: Option<&str>) -> Result<Parsed> {
    if let Ok(k) = from_pkcs8(bytes) {
        return Ok((Some(k), Vec::new()));
    }
    if x509_parser::parse_x509_certificate(bytes).is_ok() {
        return Ok((None, vec![bytes.to_vec()]));
    }
    if pkcs8::EncryptedPrivateKeyInfo::try_from(bytes).is_ok() {
        return Ok((Some(encrypted(bytes, password)?), Vec::new()));
    }
    // PKCS#12: a key and its certificate chain under one password.
    super::kdf::check_pkcs12(bytes, password.unwrap_or_default())?;
    let store = p12_keystore::KeyStore::from_pkcs12(bytes, password.unwrap_or_default()).map_err(|_| match password {
        None => bad("is not a PEM or DER key; if it is a PKCS#12 (.p12/.pfx) file, give its password"),
        Some(_) => bad("is not a key OAuth Desk reads, or a PKCS#12 file this password does not open"),
    })?;
    let Some((_, chain)) = store.private_key_chain() else {
        return Err(bad("is a PKCS#12 file without a private key"));
    };
    let key = from_pkcs8(chain.key())?;
    Ok((Some(key), chain.chain().iter().map(|c| c.as_der().to_vec()).collect()))
}
