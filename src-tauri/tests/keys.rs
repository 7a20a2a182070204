//! Keys and certificates through the CLI: made and imported in every format admins bring,
//! wrong files named, never stored or shown in clear; client assertions (`private_key_jwt`,
//! `client_secret_jwt`) accepted by a real server (npm's oidc-provider); the assertion shown
//! before it is sent.
// A test crate: a panic is a failed test, as it should be; it may index what it built.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;

use common::{closed_port, data_dir_text, json, oauthdesk, ok, Server, StandIn, TestProfile};
use serde_json::Value;

/// A new key file of `kind` (`rsa`, `ec`) in the given encoding (`pkcs1`, `sec1`, `pkcs8`,
/// encrypted with `passphrase` as OpenSSL does by default: PBES2, PBKDF2-SHA256 with 2048
/// iterations, AES-256-CBC), as other tools write them.
fn key_file(kind: &str, encoding: &str, passphrase: Option<&str>) -> String {
    use p256::pkcs8::{EncodePrivateKey as _, LineEnding};
    use rand_core::{OsRng, RngCore as _};
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    let pkcs8 = match kind {
        "rsa" => {
            let key = rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
            if encoding == "pkcs1" {
                return key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string();
            }
            key.to_pkcs8_der().unwrap()
        }
        _ => {
            let key = p256::SecretKey::random(&mut OsRng);
            if encoding == "sec1" {
                return key.to_sec1_pem(LineEnding::LF).unwrap().to_string();
            }
            key.to_pkcs8_der().unwrap()
        }
    };
    let Some(passphrase) = passphrase else { return pkcs8.to_pem("PRIVATE KEY", LineEnding::LF).unwrap().to_string() };
    let (mut salt, mut iv) = ([0u8; 16], [0u8; 16]);
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut iv);
    let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &salt, &iv).unwrap();
    let info = pkcs8::PrivateKeyInfo::try_from(pkcs8.as_bytes()).unwrap();
    info.encrypt_with_params(params, passphrase).unwrap().to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF).unwrap().to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn keys_are_made_imported_and_never_kept_or_shown_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("k", "https://auth.example.com/token", "c").set("client_auth", "private_key_jwt").add(d);

    // Made: a P-256 key and its self-signed certificate, written to upload.
    let cert_out = files.path().join("k.crt");
    let made =
        json(oauthdesk(d, &["key", "generate", "k", "--algorithm", "es256", "--cert-out", cert_out.to_str().unwrap(), "--json"], None));
    assert_eq!((made["key_type"].as_str(), made["certificate"]["subject"].as_str()), (Some("p256"), Some("CN=OAuth Desk k")));
    let cert = std::fs::read_to_string(&cert_out).unwrap();
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"), "{cert}");
    assert_eq!(ok(oauthdesk(d, &["key", "export-cert", "k"], None)).stdout, cert);
    let shown = json(oauthdesk(d, &["key", "show", "k", "--json"], None));
    assert_eq!(shown["certificate"]["sha256"], made["certificate"]["sha256"]);
    for fact in ["subject", "issuer", "sha1", "sha256", "not_before", "not_after"] {
        assert_eq!(shown[fact], shown["certificate"][fact], "{fact} at the top level too");
    }
    assert_eq!(shown["jwk"]["kty"], "EC");
    assert!(shown["jwk"].get("d").is_none(), "the JWK is the public key only: {shown}");
    let text = ok(oauthdesk(d, &["key", "show", "k"], None)).stdout;
    assert!(text.contains("SHA-1:") && text.contains("Not after:") && !text.contains("PRIVATE"), "{text}");

    // Imported: the formats other tools write.
    let mut keys = Vec::new();
    for (name, kind, encoding, pass) in
        [("rsa-pkcs1", "rsa", "pkcs1", None), ("ec-sec1", "ec", "sec1", None), ("ec-enc", "ec", "pkcs8", Some("p4ss"))]
    {
        let pem = key_file(kind, encoding, pass);
        let path = write(files.path(), &format!("{name}.pem"), &pem);
        let run = oauthdesk(
            d,
            &["key", "import", "k", &path, "--json"].iter().copied().chain(pass.map(|_| "--password-stdin")).collect::<Vec<_>>(),
            pass,
        );
        let v: Value = serde_json::from_str(&ok(run).stdout).unwrap();
        assert_eq!(v["key_type"], if kind == "rsa" { "rsa" } else { "p256" }, "{name}");
        keys.push(pem);
    }
    // Wrong kinds of file, in words, and nothing replaced.
    let enc = write(files.path(), "enc.pem", &key_file("ec", "pkcs8", Some("p4ss")));
    let public =
        write(files.path(), "pub.pem", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n");
    let cert_path = cert_out.to_str().unwrap().to_string();
    for (file, message) in [
        (&cert_path, "holds a certificate, not a private key"),
        (&public, "is a public key"),
        (&enc, "encrypted private key: give its password"),
    ] {
        let run = oauthdesk(d, &["key", "import", "k", file], None);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(message), "{}", run.stderr);
    }
    let mismatched = write(files.path(), "other.pem", &keys[1]);
    let run = oauthdesk(d, &["key", "import", "k", &mismatched, "--cert", &cert_path], None);
    assert!(run.code == 2 && run.stderr.contains("does not match the key"), "{}", run.stderr);

    // The key is sealed: no key of this test is in the data directory in clear.
    let stored = data_dir_text(d);
    for pem in &keys {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(!stored.contains(&body[..40]), "a key is stored in clear");
    }
    assert!(!stored.contains("PRIVATE KEY"));
    let removed = json(oauthdesk(d, &["key", "remove", "k", "--json"], None));
    assert_eq!(removed["removed"], true);
    let run = oauthdesk(d, &["token", "k"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("signs with a key and has none") && run.stderr.contains("oauthdesk key generate k"), "{}", run.stderr);
}

#[test]
fn client_assertions_are_accepted_by_a_real_server() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The key is made first: the server is told its public JWK when it starts.
    let port = closed_port();
    let token_url = format!("http://127.0.0.1:{port}/token");
    TestProfile::client_credentials("pk", &token_url, "cc-pkjwt").set("client_auth", "private_key_jwt").set("scopes", "api").add(d);
    let made = json(oauthdesk(d, &["key", "generate", "pk", "--algorithm", "es256", "--json"], None));
    let jwks = serde_json::json!({ "keys": [made["jwk"]] }).to_string();
    let port_text = port.to_string();
    let idp = Server::start("oidc.mjs", &[("PORT", port_text.as_str()), ("PKJWT_JWKS", jwks.as_str())]);
    TestProfile::client_credentials("cs", &idp.url("/token"), "cc-csjwt")
        .set("client_auth", "client_secret_jwt")
        .set("scopes", "api")
        .secret("csjwt-secret-0123456789abcdef0123456789")
        .add(d);

    // What would be sent, without its signature.
    let a = json(oauthdesk(d, &["assertion", "pk", "--json"], None));
    assert_eq!((a["header"]["alg"].as_str(), a["header"]["x5t#S256"].as_str()), (Some("ES256"), made["jwk"]["kid"].as_str()));
    assert_eq!(
        (a["claims"]["iss"].as_str(), a["claims"]["sub"].as_str(), a["claims"]["aud"].as_str()),
        (Some("cc-pkjwt"), Some("cc-pkjwt"), Some(token_url.as_str()))
    );
    assert!(a["claims"]["exp"].as_i64().unwrap() > a["claims"]["iat"].as_i64().unwrap());

    for handle in ["pk", "cs"] {
        let t = json(oauthdesk(d, &["token", handle, "--json", "--force"], None));
        assert_eq!(t["source"], "network", "{handle}: {t}");
        // A second token: a new assertion (a new jti), which the server does not refuse as a replay.
        let again = json(oauthdesk(d, &["token", handle, "--json", "--force"], None));
        assert_ne!(again["access_token"], t["access_token"], "{handle}");
    }
    // The trace shows that an assertion was sent, never the assertion itself.
    let diag: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "pk", "--json"], None).stdout).unwrap();
    assert_eq!(diag["ok"], true, "{diag}");
    let body = diag["trace"][0]["request_body"].as_str().unwrap();
    assert!(body.contains("client_assertion=[redacted:") && body.contains("client_assertion_type="), "{body}");

    // A key the server does not know: refused, and said so.
    ok(oauthdesk(d, &["key", "generate", "pk", "--algorithm", "es256"], None));
    let (_, v) = (0, serde_json::from_str::<Value>(&oauthdesk(d, &["diagnose", "pk", "--json"], None).stdout).unwrap());
    assert_eq!((v["stage"].as_str(), v["error"].as_str()), (Some("token_endpoint"), Some("invalid_client")), "{v}");
}

#[test]
fn salesforce_jwt_bearer_with_a_certificate_made_here() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sf_jwt = |handle: &str, user: &str, my_domain: &str| {
        TestProfile::new("salesforce-jwt-bearer", handle).set("my_domain", my_domain).set("client_id", "sf-good").set("username", user)
    };
    // The keys and certificates are made first; the certificates are "uploaded" to the
    // stand-in. One Salesforce profile, and one of the generic JWT bearer template signing
    // issuer, subject, audience and extra claims as set.
    sf_jwt("sf-jwt", "integration@acme.example", "http://127.0.0.1:1").add(d);
    // The template's own fields only: the client is the issuer.
    TestProfile::new("jwt-bearer", "generic")
        .set("token_url", "http://127.0.0.1:1/services/oauth2/token")
        .set("issuer", "sf-good")
        .set("subject", "integration@acme.example")
        .set("audience", "https://login.salesforce.com")
        .set("claims", r#"{"tenant": "acme"}"#)
        .set("algorithm", "rs256")
        .add(d);
    let mut bundle = String::new();
    for h in ["sf-jwt", "generic"] {
        ok(oauthdesk(d, &["key", "generate", h], None));
        bundle.push_str(&ok(oauthdesk(d, &["key", "export-cert", h], None)).stdout);
    }
    let sf = StandIn::with_salesforce_certs(&bundle);
    ok(oauthdesk(d, &["edit", "sf-jwt", "--set", &format!("my_domain={}", sf.url("")), "--confirm-origins"], None));
    ok(oauthdesk(d, &["edit", "generic", "--set", &format!("token_url={}", sf.url("/services/oauth2/token")), "--confirm-origins"], None));
    let g = json(oauthdesk(d, &["assertion", "generic", "--json"], None));
    assert_eq!((g["claims"]["tenant"].as_str(), g["claims"]["iss"].as_str()), (Some("acme"), Some("sf-good")), "{g}");
    assert_eq!(json(oauthdesk(d, &["token", "generic", "--json"], None))["source"], "network");

    let a = json(oauthdesk(d, &["assertion", "sf-jwt", "--json"], None));
    assert_eq!(a["header"]["alg"], "RS256");
    assert_eq!((a["claims"]["iss"].as_str(), a["claims"]["sub"].as_str()), (Some("sf-good"), Some("integration@acme.example")));
    assert_eq!(a["claims"]["aud"], "https://login.salesforce.com", "the audience is the environment's login host");
    assert!(a["claims"]["exp"].as_i64().unwrap() - a["claims"]["iat"].as_i64().unwrap() <= 180, "Salesforce takes at most 3 minutes");

    let d1: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "sf-jwt", "--json"], None).stdout).unwrap();
    assert_eq!(d1["ok"], true, "{d1}");
    assert_eq!(d1["test"]["status"], 200, "the token reads the org's limits");
    assert!(d1["trace"][0]["request_body"].as_str().unwrap().contains("assertion=[redacted:"), "{d1}");
    // Salesforce sends no expiry, and its introspection needs the Consumer Secret a JWT bearer
    // app does not use: the expiry is said to be unsent, with no refused request behind it.
    let t = json(oauthdesk(d, &["token", "sf-jwt", "--force", "--json"], None));
    let note = t["expiry_note"].as_str().unwrap_or_default();
    assert!(note.contains("Salesforce does not send") && !note.contains("invalid_client"), "{t}");
    assert_eq!(sf.hits("/services/oauth2/introspect"), 0, "no introspection without a secret");

    // A user who is not pre-authorized for the app; then a key whose certificate was never
    // uploaded. Each is explained by Salesforce's own entry.
    ok(oauthdesk(d, &["edit", "sf-jwt", "--set", "username=someone@acme.example"], None));
    let v: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "sf-jwt", "--json"], None).stdout).unwrap();
    assert_eq!((v["stage"].as_str(), v["knowledge"].as_str()), (Some("token_endpoint"), Some("salesforce-not-approved")), "{v}");
    ok(oauthdesk(d, &["edit", "sf-jwt", "--set", "username=integration@acme.example"], None));
    ok(oauthdesk(d, &["key", "generate", "sf-jwt"], None));
    let v: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "sf-jwt", "--json"], None).stdout).unwrap();
    assert_eq!((v["stage"].as_str(), v["knowledge"].as_str()), (Some("token_endpoint"), Some("salesforce-jwt-invalid-assertion")), "{v}");
}

/// A test certificate authority, a server certificate for 127.0.0.1 and a client certificate
/// for `client_id`, all issued by it; written as PEM files.
struct Pki {
    ca: String,
    server_cert: String,
    server_key: String,
    client: String,
}

fn test_pki(dir: &Path, client_id: &str) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "OAuth Desk test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let mut server = CertificateParams::new(Vec::<String>::new()).unwrap();
    server.subject_alt_names = vec![SanType::IpAddress("127.0.0.1".parse().unwrap())];
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client.distinguished_name.push(DnType::CommonName, client_id);
    let client_cert = client.signed_by(&client_key, &ca_cert, &ca_key).unwrap();
    Pki {
        ca: write(dir, "ca.crt", &ca_cert.pem()),
        server_cert: write(dir, "server.crt", &server_cert.pem()),
        server_key: write(dir, "server.key", &server_key.serialize_pem()),
        client: write(dir, "client.pem", &format!("{}{}", client_key.serialize_pem(), client_cert.pem())),
    }
}

#[test]
fn mutual_tls_and_a_private_ca_per_profile() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = test_pki(files.path(), "mtls-client");
    let s = StandIn::mutual_tls(&pki.server_cert, &pki.server_key, &pki.ca, false);
    let url = |p: &str| format!("https://127.0.0.1:{}{p}", s.port);
    TestProfile::client_credentials("mtls", &url("/mtls/token"), "mtls-client")
        .set("client_auth", "tls_client_auth")
        .set("test_url", url("/mtls/me"))
        .add(d);
    let diagnose = || -> Value { serde_json::from_str(&oauthdesk(d, &["diagnose", "mtls", "--json"], None).stdout).unwrap() };

    // The server's certificate comes from a private CA: untrusted until the profile trusts it.
    let v = diagnose();
    assert_eq!(v["stage"], "network", "{v}");
    assert!(v["stages"][1]["finding"].as_str().unwrap().contains("unknown authority"), "{v}");
    let ca = json(oauthdesk(d, &["ca", "import", "mtls", &pki.ca, "--json"], None));
    assert_eq!(ca["certificates"][0]["subject"], "CN=OAuth Desk test CA");

    // Trusted, but no key yet: said so.
    let run = oauthdesk(d, &["token", "mtls"], None);
    assert!(run.code == 2 && run.stderr.contains("signs with a key and has none"), "{}", run.stderr);
    // The client certificate from the CA: a token.
    ok(oauthdesk(d, &["key", "import", "mtls", &pki.client], None));
    let t = json(oauthdesk(d, &["token", "mtls", "--json", "--force"], None));
    assert_eq!(t["source"], "network", "{t}");
    assert_eq!(diagnose()["ok"], true);
    // A self-signed certificate the server does not accept: refused at the token endpoint.
    ok(oauthdesk(d, &["key", "generate", "mtls", "--algorithm", "es256"], None));
    let v = diagnose();
    assert_eq!((v["stage"].as_str(), v["error"].as_str()), (Some("token_endpoint"), Some("invalid_client")), "{v}");
    // Without the CA again, the system's roots alone do not trust the server.
    assert_eq!(json(oauthdesk(d, &["ca", "remove", "mtls", "--json"], None))["removed"], true);
    assert_eq!(diagnose()["stage"], "network");

    // A server that requires a client certificate in the handshake, and a profile that
    // presents none: named at the network stage.
    let strict = StandIn::mutual_tls(&pki.server_cert, &pki.server_key, &pki.ca, true);
    TestProfile::client_credentials("plain", &format!("https://127.0.0.1:{}/mtls/token", strict.port), "mtls-client").secret("s").add(d);
    ok(oauthdesk(d, &["ca", "import", "plain", &pki.ca], None));
    let v: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "plain", "--json"], None).stdout).unwrap();
    assert_eq!(v["stage"], "network", "{v}");
    assert!(v["stages"][1]["finding"].as_str().unwrap().contains("client certificate"), "{v}");
}

#[test]
fn salesforce_signs_with_rs256_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::new("salesforce-jwt-bearer", "sf").set("client_id", "k").set("username", "u@acme.example").add(d);
    ok(oauthdesk(d, &["key", "generate", "sf", "--algorithm", "es256"], None));
    let run = oauthdesk(d, &["assertion", "sf"], None);
    assert!(run.code == 2 && run.stderr.contains("signs with RS256 and its key cannot: make or import an RSA key"), "{}", run.stderr);
}

/// A P-256 key and a self-signed certificate valid until `days` from now (negative: expired).
fn key_expiring_in(dir: &Path, name: &str, days: i64) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    params.not_before = until - time::Duration::days(365);
    params.not_after = until;
    let cert = params.self_signed(&key).unwrap();
    write(dir, &format!("{name}.pem"), &format!("{}{}", key.serialize_pem(), cert.pem()))
}

#[test]
fn a_certificate_near_or_past_its_expiry_is_shown_and_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let d = dir.path();
    let idp = Server::start("oidc.mjs", &[]);
    for handle in ["soon", "expired"] {
        TestProfile::client_credentials(handle, &idp.url("/token"), "cc-csjwt").set("client_auth", "private_key_jwt").add(d);
    }
    ok(oauthdesk(d, &["key", "import", "soon", &key_expiring_in(files.path(), "soon", 10)], None));
    ok(oauthdesk(d, &["key", "import", "expired", &key_expiring_in(files.path(), "expired", -2)], None));
    // The list carries the expiry with the connection's state, for the badge.
    let list = json(oauthdesk(d, &["list", "--json"], None));
    let soon = list.as_array().unwrap().iter().find(|p| p["handle"] == "soon").unwrap();
    assert!(soon["connection"]["certificate_expires_at"].as_str().is_some(), "{soon}");
    let diagnose = |h: &str| -> Value { serde_json::from_str(&oauthdesk(d, &["diagnose", h, "--json"], None).stdout).unwrap() };
    let v = diagnose("soon");
    let notes = v["stages"][0]["notes"].to_string();
    assert!(notes.contains("expires in 9 days") || notes.contains("expires in 10 days"), "{v}");
    let v = diagnose("expired");
    assert_eq!(v["stage"], "profile", "{v}");
    assert!(v["cause"].as_str().unwrap().contains("has expired"), "{v}");
}

#[test]
fn discovery_gives_a_mutual_tls_client_the_endpoints_mtls_aliases() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("tls", &s.url("/x"), "c").set("client_auth", "tls_client_auth").add(d);
    TestProfile::client_credentials("plain", &s.url("/x"), "c").secret("s").add(d);
    for (handle, expected) in [("tls", "/mtls/token"), ("plain", "/json/token")] {
        let v = json(oauthdesk(d, &["discover", &s.url(""), "--profile", handle, "--apply", "--json"], None));
        assert!(v["mtls_endpoint_aliases"]["token_endpoint"].as_str().unwrap().ends_with("/mtls/token"), "{v}");
        let shown = json(oauthdesk(d, &["show", handle, "--json"], None));
        assert_eq!(shown["fields"]["token_url"], s.url(expected), "{handle}: {shown}");
    }
    // The profile's method is compared with what the server lists.
    let v = json(oauthdesk(d, &["discover", &s.url(""), "--profile", "tls", "--json"], None));
    assert_eq!(v["warnings"], serde_json::json!([]), "tls_client_auth is listed: {v}");
}

/// A new key never breaks the connection: the stand-in Salesforce knows only the first key's
/// certificate; after `key generate` the token still comes (signed with the previous key),
/// `key show` says the previous key is kept until the new one works, and `key uploaded`
/// drops it, after which the token request signs with the new key alone.
#[test]
fn a_new_key_keeps_the_previous_one_until_it_is_uploaded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::new("salesforce-jwt-bearer", "sf")
        .set("my_domain", "http://127.0.0.1:1")
        .set("client_id", "sf-good")
        .set("username", "integration@acme.example")
        .add(d);
    ok(oauthdesk(d, &["key", "generate", "sf"], None));
    let first = ok(oauthdesk(d, &["key", "export-cert", "sf"], None)).stdout;
    let sf = StandIn::with_salesforce_certs(&first);
    ok(oauthdesk(d, &["edit", "sf", "--set", &format!("my_domain={}", sf.url("")), "--confirm-origins"], None));
    assert_eq!(json(oauthdesk(d, &["token", "sf", "--force", "--json"], None))["source"], "network");
    assert!(json(oauthdesk(d, &["key", "show", "sf", "--json"], None))["previous"].is_null());

    // A new key, not uploaded: every token request still succeeds.
    let made = ok(oauthdesk(d, &["key", "generate", "sf"], None)).stdout;
    assert!(made.contains("Previous key kept until the new one works"), "{made}");
    for _ in 0..2 {
        let t = json(oauthdesk(d, &["token", "sf", "--force", "--json"], None));
        assert_eq!((&t["source"], &t["previous_key"]), (&Value::from("network"), &Value::from(true)), "{t}");
    }
    let connected = ok(oauthdesk(d, &["test", "sf"], None)).stdout;
    assert!(connected.contains("obtained with the previous key"), "{connected}");
    let shown = json(oauthdesk(d, &["key", "show", "sf", "--json"], None));
    assert!(shown["previous"]["certificate"]["sha256"].is_string(), "{shown}");
    assert!(ok(oauthdesk(d, &["key", "show", "sf"], None)).stdout.contains("oauthdesk key uploaded sf"));

    // The admin's word drops it; the provider still lacks the new certificate, so now the
    // request fails, as the provider says.
    assert_eq!(json(oauthdesk(d, &["key", "uploaded", "sf", "--json"], None))["dropped_previous"], true);
    assert!(ok(oauthdesk(d, &["key", "uploaded", "sf"], None)).stdout.contains("kept no previous key"));
    let run = oauthdesk(d, &["token", "sf", "--force"], None);
    assert_ne!(run.code, 0, "the new key alone is refused: {}", run.stdout);
    assert!(run.stderr.contains("invalid assertion"), "{}", run.stderr);
}
