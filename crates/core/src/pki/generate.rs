//! Making a key and a self-signed certificate for a profile: the certificate is what the
//! admin uploads to the Salesforce External Client App or the Entra app registration.

use rand_core::OsRng;

use super::{import, Algorithm, KeyMaterial};
use crate::error::{Error, Result};

/// How long a generated certificate is valid.
pub const CERT_DAYS: i64 = 2 * 365;

/// A new key for `alg` (`bits` for RSA: 2048 or 3072) and a self-signed certificate for it,
/// named `CN=<common_name>`.
pub fn generate(alg: Algorithm, bits: Option<usize>, common_name: &str) -> Result<KeyMaterial> {
    let (pem, sign_alg) = match alg {
        Algorithm::Rs256 | Algorithm::Ps256 => {
            let bits = bits.unwrap_or(2048);
            if !matches!(bits, 2048 | 3072) {
                return Err(Error::invalid("bits", format!("{bits}: an RSA key is made with 2048 or 3072 bits")));
            }
            let key = rsa::RsaPrivateKey::new(&mut OsRng, bits).map_err(|e| Error::Internal(format!("making an RSA key: {e}")))?;
            let pem = pkcs8::EncodePrivateKey::to_pkcs8_pem(&key, pkcs8::LineEnding::LF).map_err(|e| Error::Internal(e.to_string()))?;
            (pem, &rcgen::PKCS_RSA_SHA256)
        }
        Algorithm::Es256 => {
            if bits.is_some() {
                return Err(Error::invalid("bits", "applies to RSA keys only: es256 uses the P-256 curve"));
            }
            let key = p256::SecretKey::random(&mut OsRng);
            let pem = pkcs8::EncodePrivateKey::to_pkcs8_pem(&key, pkcs8::LineEnding::LF).map_err(|e| Error::Internal(e.to_string()))?;
            (pem, &rcgen::PKCS_ECDSA_P256_SHA256)
        }
    };
    let pair =
        rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, sign_alg).map_err(|e| Error::Internal(format!("reading the new key: {e}")))?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| Error::Internal(e.to_string()))?;
    let cn: String = common_name.chars().filter(|c| !c.is_control()).take(64).collect();
    params.distinguished_name.push(rcgen::DnType::CommonName, cn);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(CERT_DAYS);
    let cert = params.self_signed(&pair).map_err(|e| Error::Internal(format!("making the certificate: {e}")))?;
    import(pem.as_bytes(), Some(cert.pem().as_bytes()), None)
}
