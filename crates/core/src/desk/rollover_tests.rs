//! The key rollover (see [`super::rollover`]) against a real store and a stand-in provider
//! that verifies each assertion against the certificates "uploaded" to it: for every way a
//! key arrives (made, imported) and every request that signs with it (a JWT bearer grant,
//! `private_key_jwt`), a key whose certificate the provider does not know yet never fails a
//! token request, and the previous key goes once the new one has worked or a person says so.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::test_support::{desk, profile};
use super::Desk;
use crate::error::Error;
use crate::model::Fields;
use crate::pki::Algorithm;
use crate::template;

/// The certificates (PEM) the provider knows, and how many token requests it received.
#[derive(Default)]
struct Provider {
    uploaded: Mutex<Vec<String>>,
    requests: Mutex<u32>,
}

impl Provider {
    fn upload(&self, cert: &str) {
        self.uploaded.lock().unwrap().push(cert.to_string());
    }
    fn forget_all_but(&self, cert: &str) {
        self.uploaded.lock().unwrap().retain(|c| c == cert);
    }
    fn requests(&self) -> u32 {
        *self.requests.lock().unwrap()
    }

    /// Whether one of the uploaded certificates' keys signed `jwt`.
    fn verifies(&self, jwt: &str) -> bool {
        let Some((signed, signature)) = jwt.rsplit_once('.') else { return false };
        let Ok(header) = jsonwebtoken::decode_header(jwt) else { return false };
        self.uploaded.lock().unwrap().iter().any(|pem| {
            let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
            let cert = block.parse_x509().unwrap();
            let public = cert.public_key().subject_public_key.data.to_vec();
            let key = match header.alg {
                jsonwebtoken::Algorithm::ES256 => jsonwebtoken::DecodingKey::from_ec_der(&public),
                _ => jsonwebtoken::DecodingKey::from_rsa_der(&public),
            };
            jsonwebtoken::crypto::verify(signature, signed.as_bytes(), &key, header.alg).unwrap_or(false)
        })
    }

    /// The token endpoint's answer to a form body: a token when the assertion (a JWT bearer
    /// grant's or a client assertion) verifies, else the refusal providers send.
    fn answer(&self, form: &str) -> (u16, String) {
        *self.requests.lock().unwrap() += 1;
        let jwt = url::form_urlencoded::parse(form.as_bytes())
            .find(|(k, _)| k == "assertion" || k == "client_assertion")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if self.verifies(&jwt) {
            let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand_token());
            return (200, serde_json::json!({ "access_token": token, "token_type": "Bearer", "expires_in": 3600 }).to_string());
        }
        (400, serde_json::json!({ "error": "invalid_grant", "error_description": "invalid assertion" }).to_string())
    }
}

fn rand_token() -> [u8; 16] {
    use rand_core::RngCore as _;
    let mut b = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut b);
    b
}

/// Serves `provider`'s token endpoint on 127.0.0.1; returns the base URL.
async fn serve(provider: Arc<Provider>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let provider = provider.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                let body = loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                        .unwrap_or(0usize);
                    if seen.len() >= end + 4 + length {
                        break String::from_utf8_lossy(&seen[end + 4..end + 4 + length]).into_owned();
                    }
                };
                let (status, json) = provider.answer(&body);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                    json.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    base
}

/// The requests that sign with the profile's key: a JWT bearer grant, and client credentials
/// with `private_key_jwt`; each with the algorithm it signs with.
fn signing_profiles(base: &str) -> Vec<(crate::profile::NewProfile, Algorithm)> {
    let token_url = format!("{base}/token");
    let bearer = template::find("jwt-bearer").unwrap();
    let mut bearer_fields = Fields::from([("token_url".into(), token_url.clone())]);
    bearer_fields.insert("algorithm".into(), "es256".into());
    let cc = template::find("client-credentials").unwrap();
    let cc_fields = Fields::from([("token_url".into(), token_url), ("client_auth".into(), "private_key_jwt".into())]);
    vec![
        (profile(bearer, "bearer-rs", base, &Fields::from([("token_url".into(), format!("{base}/token"))])), Algorithm::Rs256),
        (profile(bearer, "bearer-es", base, &bearer_fields), Algorithm::Es256),
        (profile(cc, "client-jwt", base, &cc_fields), Algorithm::Rs256),
    ]
}

/// A new key for `handle` by `route`: made here, or imported from a file made elsewhere.
fn new_key(desk: &Desk, handle: &str, alg: Algorithm, route: &str) -> String {
    if route == "generate" {
        desk.key_generate(handle, alg, None).unwrap();
    } else {
        let m = crate::pki::generate(alg, None, "made elsewhere").unwrap();
        desk.key_import(handle, m.key.expose().as_bytes(), m.cert.as_deref().map(str::as_bytes), None).unwrap();
    }
    desk.key_certificate(handle).unwrap()
}

fn previous_sha(desk: &Desk, handle: &str) -> Option<String> {
    desk.key_show(handle).unwrap().previous.map(|p| p.certificate.unwrap().sha256)
}

fn sha(desk: &Desk, handle: &str) -> String {
    desk.key_show(handle).unwrap().certificate.unwrap().sha256
}

#[tokio::test]
async fn a_new_key_not_yet_uploaded_never_fails_a_token_request_and_the_previous_goes_once_the_new_one_works() {
    let margin = chrono::Duration::seconds(60);
    for route in ["generate", "import"] {
        let provider = Arc::new(Provider::default());
        let base = serve(provider.clone()).await;
        let (_dir, desk) = desk();
        for (p, alg) in signing_profiles(&base) {
            let handle = p.handle.clone();
            desk.create(p).unwrap();
            desk.confirm_origins(&handle, None).unwrap();
            let first = new_key(&desk, &handle, alg, route);
            provider.upload(&first);
            desk.token(&handle, true, margin).await.unwrap_or_else(|e| panic!("{handle}/{route}: the first key works: {e}"));
            assert_eq!(previous_sha(&desk, &handle), None, "{handle}/{route}: no previous key before a second key");
            let first_sha = sha(&desk, &handle);

            // A new key the provider does not know yet: the token still comes, with the
            // previous key, and the previous key is kept.
            new_key(&desk, &handle, alg, route);
            assert_eq!(previous_sha(&desk, &handle).as_deref(), Some(first_sha.as_str()), "{handle}/{route}: kept");
            let before = provider.requests();
            let t =
                desk.token(&handle, true, margin).await.unwrap_or_else(|e| panic!("{handle}/{route}: a fresh key failed a request: {e}"));
            assert!(t.info.previous_key, "{handle}/{route}: the token says it came with the previous key");
            assert_eq!(provider.requests() - before, 2, "{handle}/{route}: the new key first, then the previous");
            assert_eq!(previous_sha(&desk, &handle).as_deref(), Some(first_sha.as_str()), "{handle}/{route}: still kept");
            // A diagnosis examines the new key alone: it says the provider refuses it.
            let d = desk.diagnose(&handle).await.unwrap();
            assert!(!d.ok, "{handle}/{route}: the diagnosis tells the new key is not uploaded");
            assert_eq!(previous_sha(&desk, &handle).as_deref(), Some(first_sha.as_str()), "{handle}/{route}: kept after it");

            // Another new key meanwhile replaces the unconfirmed one; the known one stays.
            let third = new_key(&desk, &handle, alg, route);
            assert_eq!(previous_sha(&desk, &handle).as_deref(), Some(first_sha.as_str()), "{handle}/{route}: the known key stays");
            desk.token(&handle, true, margin).await.unwrap();

            // Uploaded: the new key works once, and the previous key goes.
            provider.upload(&third);
            let before = provider.requests();
            assert!(!desk.token(&handle, true, margin).await.unwrap().info.previous_key, "{handle}/{route}: the new key's own");
            assert_eq!(provider.requests() - before, 1, "{handle}/{route}: the new key alone");
            assert_eq!(previous_sha(&desk, &handle), None, "{handle}/{route}: dropped once the new key worked");
            assert!(desk.diagnose(&handle).await.unwrap().ok, "{handle}/{route}: the new key is accepted");
            provider.forget_all_but(&third);
            desk.token(&handle, true, margin).await.unwrap();
        }
    }
}

#[tokio::test]
async fn the_admins_word_drops_the_previous_key_and_a_refusal_of_both_keys_names_the_new_keys() {
    let provider = Arc::new(Provider::default());
    let base = serve(provider.clone()).await;
    let (_dir, desk) = desk();
    for (p, alg) in signing_profiles(&base) {
        let handle = p.handle.clone();
        desk.create(p).unwrap();
        desk.confirm_origins(&handle, None).unwrap();
        provider.upload(&new_key(&desk, &handle, alg, "generate"));
        new_key(&desk, &handle, alg, "generate");
        assert!(desk.key_confirm(&handle).unwrap(), "{handle}: there was a previous key");
        assert!(!desk.key_confirm(&handle).unwrap(), "{handle}: once");
        assert_eq!(previous_sha(&desk, &handle), None);
        // Said uploaded but not: the request fails as the provider refuses the new key.
        let e = desk.token(&handle, true, chrono::Duration::seconds(60)).await.unwrap_err();
        assert!(matches!(&e, Error::OAuth { error, .. } if error == "invalid_grant"), "{handle}: {e}");
    }
}

#[tokio::test]
async fn the_previous_key_is_sealed_again_by_a_rekey_and_removed_with_the_key() {
    let provider = Arc::new(Provider::default());
    let base = serve(provider.clone()).await;
    let (_dir, desk) = desk();
    let (p, alg) = signing_profiles(&base).remove(0);
    let handle = p.handle.clone();
    desk.create(p).unwrap();
    desk.confirm_origins(&handle, None).unwrap();
    provider.upload(&new_key(&desk, &handle, alg, "generate"));
    new_key(&desk, &handle, alg, "generate");
    desk.rekey().unwrap();
    desk.token(&handle, true, chrono::Duration::seconds(60)).await.expect("the previous key opens after a rekey");
    assert!(previous_sha(&desk, &handle).is_some());
    assert!(desk.key_remove(&handle).unwrap());
    assert!(desk.key_show(&handle).is_err());
    // A key made after the removal has nothing before it.
    new_key(&desk, &handle, alg, "generate");
    assert_eq!(previous_sha(&desk, &handle), None, "removing the key removed the previous one too");
}
