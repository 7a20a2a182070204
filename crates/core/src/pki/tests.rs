//! Keys in every form admins bring them, and every wrong kind of file, said plainly.

use super::*;
use pkcs8::EncodePrivateKey as _;

fn message(r: Result<KeyMaterial>) -> String {
    match r {
        Ok(_) => "imported".into(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn generated_keys_come_with_a_matching_certificate() {
    for alg in [Algorithm::Es256, Algorithm::Rs256] {
        let k = generate(alg, None, "OAuth Desk sf-jwt").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.key_type, alg.key_type());
        let f = k.facts().unwrap_or_default().unwrap_or_else(|| panic!("no certificate"));
        assert_eq!(f.subject, "CN=OAuth Desk sf-jwt");
        assert!(f.self_signed && f.sha1.len() == 40 && f.sha256.len() == 64);
        assert!((f.not_after - f.not_before).num_days() >= 700);
        // The key and its certificate read back as one: the certificate matches the key.
        let again = import(k.key.expose().as_bytes(), k.cert.as_deref().map(str::as_bytes), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.key.expose(), k.key.expose());
        let jwk = k.public_jwk().unwrap_or_default();
        assert_eq!(jwk["kid"], Value::from(k.thumbprints().unwrap_or_default().map(|t| t.1).unwrap_or_default()));
    }
    assert!(message(generate(Algorithm::Rs256, Some(1024), "x").map(|_| unreachable!())).contains("2048 or 3072"));
}

use serde_json::Value;

#[test]
fn every_key_format_is_read_into_pkcs8() {
    let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap_or_else(|e| panic!("{e}"));
    let pkcs1 = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_pem(&rsa, pkcs8::LineEnding::LF).unwrap_or_else(|e| panic!("{e}"));
    let pkcs8_pem = rsa.to_pkcs8_pem(pkcs8::LineEnding::LF).unwrap_or_else(|e| panic!("{e}"));
    let der = rsa.to_pkcs8_der().unwrap_or_else(|e| panic!("{e}"));
    for (name, bytes) in
        [("PKCS#1", pkcs1.as_bytes().to_vec()), ("PKCS#8", pkcs8_pem.as_bytes().to_vec()), ("DER", der.as_bytes().to_vec())]
    {
        let k = import(&bytes, None, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((k.key_type, k.key.expose()), (KeyType::Rsa, pkcs8_pem.as_str()), "{name}");
    }
    let ec = p256::SecretKey::random(&mut rand_core::OsRng);
    let sec1 = ec.to_sec1_pem(pkcs8::LineEnding::LF).unwrap_or_else(|e| panic!("{e}"));
    let k = import(sec1.as_bytes(), None, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.key_type, KeyType::P256);
    // Encrypted PKCS#8, with and without its password.
    let enc = ec.to_pkcs8_encrypted_pem(&mut rand_core::OsRng, "pw-1234", pkcs8::LineEnding::LF).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(import(enc.as_bytes(), None, Some("pw-1234")).map(|k| k.key_type).ok(), Some(KeyType::P256));
    assert!(message(import(enc.as_bytes(), None, None)).contains("encrypted private key: give its password"));
    assert!(message(import(enc.as_bytes(), None, Some("wrong"))).contains("did not open with this password"));
}

#[test]
fn pkcs12_bundles_open_with_their_password() {
    let k = generate(Algorithm::Es256, None, "p12").unwrap_or_else(|e| panic!("{e}"));
    let der = cert_der(k.cert.as_deref().unwrap_or_default()).unwrap_or_default();
    let key_der = pem::parse(k.key.expose()).map(|p| p.into_contents()).unwrap_or_default();
    let cert = p12_keystore::Certificate::from_der(&der).unwrap_or_else(|e| panic!("{e}"));
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry("k", p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(key_der, [1u8; 4], vec![cert])));
    let p12 = store.writer("p12-pass").write().unwrap_or_else(|e| panic!("{e}"));
    let opened = import(&p12, None, Some("p12-pass")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((opened.key.expose(), opened.cert.is_some()), (k.key.expose(), true));
    assert!(message(import(&p12, None, Some("nope"))).contains("this password does not open"));
    assert!(message(import(&p12, None, None)).contains("give its password"));
}

#[test]
fn wrong_kinds_of_file_are_named() {
    let a = generate(Algorithm::Es256, None, "a").unwrap_or_else(|e| panic!("{e}"));
    let b = generate(Algorithm::Es256, None, "b").unwrap_or_else(|e| panic!("{e}"));
    let cert_a = a.cert.clone().unwrap_or_default();
    assert!(message(import(cert_a.as_bytes(), None, None)).contains("holds a certificate, not a private key"));
    assert!(message(import(b.key.expose().as_bytes(), Some(cert_a.as_bytes()), None)).contains("does not match the key"));
    let public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
    assert!(message(import(public.as_bytes(), None, None)).contains("is a public key"));
    let legacy =
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    assert!(message(import(legacy.as_bytes(), None, None)).contains("legacy OpenSSL format"));
    assert!(message(import(b"just some text", None, None)).contains("give its password"));
    assert!(message(import(b"-----BEGIN NOTHING-----\n", None, None)).contains("holds no private key"));
    // A P-384 key: read, but not one OAuth Desk signs with.
    let p384 =
        "-----BEGIN EC PRIVATE KEY-----\nMIGkAgEBBDBqdcYMoBfDPrqJHiIqoMAQ5vRbsVIpr5T5GDRy1j8DvKfDd3cPAfbU\n-----END EC PRIVATE KEY-----\n";
    assert!(message(import(p384.as_bytes(), None, None)).contains("P-256"));
}

#[test]
fn assertions_name_the_certificate_and_verify() {
    let k = generate(Algorithm::Es256, None, "jwt").unwrap_or_else(|e| panic!("{e}"));
    let claims = jwt::client_claims("client-1", "https://idp.example/token", chrono::Utc::now());
    let signer = jwt::Signer::Key { key: &k, alg: Algorithm::Es256 };
    let shown = jwt::unsigned(&signer, &claims).unwrap_or_else(|e| panic!("{e}"));
    let (x5t, s256) = k.thumbprints().unwrap_or_default().unwrap_or_default();
    assert_eq!((shown.header["alg"].as_str(), shown.header["x5t"].as_str()), (Some("ES256"), Some(x5t.as_str())));
    assert_eq!(shown.header["x5t#S256"].as_str(), Some(s256.as_str()));
    let token = jwt::sign(&signer, &claims).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token.expose().split('.').count(), 3);
    assert!(!format!("{token:?}").contains('.'), "an assertion prints redacted");
    // The wrong algorithm for the key is refused in words.
    let rs = jwt::Signer::Key { key: &k, alg: Algorithm::Rs256 };
    assert!(jwt::sign(&rs, &claims).map(|_| ()).unwrap_err().to_string().contains("this profile has a P-256 key"));
    let secret = crate::secret::ClientSecret::new("s3cret-s3cret-s3cret-s3cret-s3cret!");
    let hs = jwt::unsigned(&jwt::Signer::Secret(&secret), &claims).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(hs.header["alg"], "HS256");
}
