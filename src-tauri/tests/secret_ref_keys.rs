//! The other secrets by reference, through the real command line: a JWT bearer profile's
//! private key read from OpenBao (`bao server -dev`) gets a token from the Salesforce
//! stand-in, and a key rotated in the vault (and its certificate at the provider) heals the
//! profile once the provider refuses the old assertion; a PKCS#12 file's password read from
//! the environment or a file opens it (as the key's reference and at `key import`); the
//! legacy password grant's password read by reference, healed when the provider refuses it;
//! and every way a key's source fails is named with the reference and the reason, at
//! `token` and at diagnose's `secret_source` stage, changes nothing stored and sends
//! nothing. No value read ever appears in an output or the data directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;

use common::bao::{Bao, Seen};
use common::{closed_port, json, oauthdesk_env, ok, StandIn, TestProfile};
use oauthdesk_core::test_support::pki::{cert_der, generate};
use oauthdesk_core::Algorithm;
use oauthdesk_sandbox::standin;
use serde_json::Value;

/// A new RSA key and its self-signed certificate (`CN=<cn>`), as PEM.
fn rsa_key(cn: &str) -> (String, String) {
    let m = generate(Algorithm::Rs256, None, cn).unwrap();
    (m.key.expose().to_string(), m.cert.unwrap())
}

/// Lines of a PEM's body long enough that finding one means the value leaked.
fn body_lines(pem: &str) -> Vec<String> {
    pem.lines().filter(|l| !l.starts_with("-----") && l.len() >= 40).map(str::to_string).collect()
}

/// The Salesforce stand-in on `port` (0: a free one) with `cert` uploaded to the app.
fn salesforce(port: u16, cert: &str) -> StandIn {
    StandIn::with(standin::Options { port, salesforce_certs: cert.into(), ..standin::Options::default() })
}

fn sf_profile(handle: &str, sf: &StandIn) -> TestProfile {
    TestProfile::new("salesforce-jwt-bearer", handle)
        .set("my_domain", sf.url(""))
        .set("client_id", "sf-good")
        .set("username", "integration@acme.example")
}

fn add(seen: &mut Seen, d: &Path, p: &TestProfile, env: &[(&str, &str)]) {
    let args = p.add_args();
    ok(seen.run(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), env));
}

/// The errors of the profile's attempts, newest first.
fn errors(seen: &mut Seen, d: &Path, handle: &str) -> Vec<String> {
    let history: Value = serde_json::from_str(&ok(seen.run(d, &["history", handle, "--json"], &[])).stdout).unwrap();
    history.as_array().unwrap().iter().map(|a| a["error"].as_str().unwrap_or("").to_string()).collect()
}

/// `text` written to a file of its own in `dir`, as `bao kv put FIELD=@FILE` reads it.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn a_key_from_the_vault_gets_a_token_and_a_key_rotated_there_heals_the_profile() {
    let bao = Bao::start();
    let token = bao.app_token();
    let files = tempfile::tempdir().unwrap();
    let ((k1, c1), (k2, c2)) = (rsa_key("first"), rsa_key("second"));
    let v1 = file(files.path(), "v1.pem", format!("{k1}{c1}").as_bytes());
    bao.cli(&["kv", "put", "-mount=secret", "app/jwt", &format!("key=@{v1}")]);
    let port = closed_port();
    let sf = salesforce(port, &c1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", token.as_str())];
    let mut seen = Seen::default();
    let reference = "vault://secret/app/jwt#key";
    add(&mut seen, d, &sf_profile("sf-vault", &sf).set("key_ref", reference), &[]);
    let shown = json(seen.run(d, &["show", "sf-vault", "--json"], &[]));
    assert_eq!(shown["fields"]["key_ref"], reference, "{shown}");
    assert!(ok(seen.run(d, &["show", "sf-vault"], &[])).stdout.contains(reference));

    let got = json(seen.run(d, &["token", "sf-vault", "--json"], &env));
    assert!(got["access_token"].as_str().is_some_and(|t| !t.is_empty()), "{got}");
    let key = json(seen.run(d, &["key", "show", "sf-vault", "--json"], &env));
    assert_eq!((key["reference"].as_str(), key["subject"].as_str()), (Some(reference), Some("CN=first")), "{key}");
    assert!(ok(seen.run(d, &["key", "show", "sf-vault"], &env)).stdout.contains(&format!("Read from:  {reference}")));

    // Rotated in the vault and at the provider: the kept key's assertion is refused once, the
    // vault read again, and the new key works, without anyone importing it.
    let v2 = file(files.path(), "v2.pem", format!("{k2}{c2}").as_bytes());
    bao.cli(&["kv", "put", "-mount=secret", "app/jwt", &format!("key=@{v2}")]);
    drop(sf);
    let sf = salesforce(port, &c2);
    ok(seen.run(d, &["token", "sf-vault", "--force", "--json"], &env));
    assert_eq!(&errors(&mut seen, d, "sf-vault")[..2], ["", "invalid_grant"], "refused, then healed");
    let key = json(seen.run(d, &["key", "show", "sf-vault", "--json"], &env));
    assert_eq!((key["subject"].as_str(), key["previous"].is_null()), (Some("CN=second"), true), "{key}");
    // Kept from now on: the vault is not asked while the kept key works.
    ok(seen.run(d, &["token", "sf-vault", "--force"], &[("VAULT_ADDR", "http://127.0.0.1:9")]));
    let diag = json(seen.run(d, &["diagnose", "sf-vault", "--json"], &env));
    let stage = diag["stages"].as_array().unwrap().iter().find(|s| s["name"] == "secret_source").cloned().unwrap_or(Value::Null);
    assert_eq!((stage["ok"].as_bool(), diag["ok"].as_bool()), (Some(true), Some(true)), "{diag}");
    // A key made here replaces the reference.
    ok(seen.run(d, &["key", "generate", "sf-vault"], &[]));
    assert!(json(seen.run(d, &["show", "sf-vault", "--json"], &[]))["fields"].get("key_ref").is_none());
    drop(sf);
    let leaks: Vec<String> = body_lines(&k1).into_iter().chain(body_lines(&k2)).chain([token.clone()]).collect();
    seen.assert_never(d, &leaks.iter().map(String::as_str).collect::<Vec<_>>());
}

/// A PKCS#12 file holding `key` and `cert` under `password`.
fn pkcs12(key: &str, cert: &str, password: &str) -> Vec<u8> {
    let der = cert_der(cert).unwrap();
    let key_der = pem::parse(key).unwrap().into_contents();
    let cert = p12_keystore::Certificate::from_der(&der).unwrap();
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry("k", p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(key_der, [1u8; 4], vec![cert])));
    store.writer(password).write().unwrap()
}

#[test]
fn a_pkcs12_password_by_reference_opens_the_file() {
    use base64::Engine as _;
    let (key, cert) = rsa_key("p12");
    let password = format!("p12-password-{:x}-{:x}", std::process::id(), rand_core::RngCore::next_u64(&mut rand_core::OsRng));
    let files = tempfile::tempdir().unwrap();
    let p12 = pkcs12(&key, &cert, &password);
    let p12_path = file(files.path(), "key.p12", &p12);
    let password_file = file(files.path(), "p12-password", format!("{password}\n").as_bytes());
    let p12_b64 = base64::engine::general_purpose::STANDARD.encode(&p12);
    let sf = salesforce(0, &cert);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seen = Seen::default();
    let env = [("P12_PASSWORD", password.as_str()), ("P12_BASE64", p12_b64.as_str()), ("P12_WRONG", "not-the-password-0123456789")];
    // (handle, key_ref, p12_password_ref): a binary file, its base64 in a variable; the
    // password from a variable and from a file.
    let cases = [
        ("by-env", format!("file:{p12_path}"), "env:P12_PASSWORD".to_string()),
        ("by-file", format!("file:{p12_path}"), format!("file:{password_file}")),
        ("base64", "env:P12_BASE64".to_string(), "env:P12_PASSWORD".to_string()),
    ];
    for (handle, key_ref, password_ref) in &cases {
        add(&mut seen, d, &sf_profile(handle, &sf).set("key_ref", key_ref).set("p12_password_ref", password_ref), &[]);
        let got = json(seen.run(d, &["token", handle, "--json"], &env));
        assert_eq!(got["source"], "network", "{handle}: {got}");
    }
    // At key import: the password from the profile's reference, none typed.
    add(&mut seen, d, &sf_profile("imported", &sf).set("p12_password_ref", "env:P12_PASSWORD"), &[]);
    let imported = json(seen.run(d, &["key", "import", "imported", &p12_path, "--json"], &env));
    assert_eq!(imported["subject"], "CN=p12", "{imported}");
    assert_eq!(json(seen.run(d, &["token", "imported", "--json"], &[]))["source"], "network");
    // A password that does not open it: named with both references, nothing kept or sent.
    let hits = sf.hits("/services/oauth2/token");
    let key_ref = format!("file:{p12_path}");
    add(&mut seen, d, &sf_profile("wrong", &sf).set("key_ref", &key_ref).set("p12_password_ref", "env:P12_WRONG"), &[]);
    let run = seen.run(d, &["token", "wrong", "--json"], &env);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let e: Value = serde_json::from_str(&run.stdout).unwrap();
    let message = e["message"].as_str().unwrap();
    assert_eq!(e["need"], "secret_source", "{e}");
    assert!(message.contains(&key_ref) && message.contains("env:P12_WRONG") && message.contains("password"), "{message}");
    let missing = seen.run(d, &["token", "wrong", "--json"], &[]);
    assert!(missing.stdout.contains("env:P12_WRONG") && missing.stdout.contains("P12_WRONG is not set"), "{}", missing.stdout);
    assert_eq!(json_of(&missing.stdout)["field"], "p12_password_ref", "{}", missing.stdout);
    assert_eq!(sf.hits("/services/oauth2/token"), hits, "nothing was sent");
    assert!(seen.run(d, &["key", "show", "wrong"], &[]).code != 0, "no key was kept");
    let leaks: Vec<String> = body_lines(&key).into_iter().chain([password.clone(), "not-the-password-0123456789".into()]).collect();
    seen.assert_never(d, &leaks.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn the_password_grant_reads_its_password_by_reference_and_heals_when_refused() {
    let bao = Bao::start();
    let token = bao.app_token();
    let wrong = format!("an-old-password-{:x}", std::process::id());
    bao.cli(&["kv", "put", "-mount=secret", "app/alice", &format!("password={wrong}")]);
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seen = Seen::default();
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", token.as_str())];
    let password = |handle: &str, reference: &str| {
        TestProfile::new("password", handle)
            .set("token_url", s.url("/password/token"))
            .set("client_id", "pw-client")
            .set("username", "alice")
            .set("password_ref", reference)
    };
    let reference = "vault://secret/app/alice#password";
    add(&mut seen, d, &password("pw-vault", reference), &[]);
    assert_eq!(json(seen.run(d, &["show", "pw-vault", "--json"], &[]))["fields"]["password_ref"], reference);
    // The vault holds an old password: refused, read again, the same: the provider's answer.
    let run = seen.run(d, &["token", "pw-vault", "--json"], &env);
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("invalid_grant"), "{}", run.stdout);
    // Changed in the vault: the kept password is refused once, and the new one works.
    bao.cli(&["kv", "put", "-mount=secret", "app/alice", "password=alice-password-1"]);
    assert_eq!(json(seen.run(d, &["token", "pw-vault", "--json"], &env))["source"], "network");
    assert_eq!(&errors(&mut seen, d, "pw-vault")[..2], ["", "invalid_grant"], "refused, then healed");
    // From the environment too.
    add(&mut seen, d, &password("pw-env", "env:ALICE_PASSWORD"), &[]);
    assert_eq!(json(seen.run(d, &["token", "pw-env", "--json"], &[("ALICE_PASSWORD", "alice-password-1")]))["source"], "network");
    // One reference for the one secret; a password only where the grant is the password grant.
    let both = seen.run(d, &["edit", "pw-env", "--set", "secret_ref=env:OTHER", "--json"], &[]);
    assert_eq!((both.code, json_of(&both.stdout)["field"].as_str()), (2, Some("password_ref")), "{}", both.stdout);
    let cc = TestProfile::client_credentials("cc", "https://auth.example.com/token", "c").set("password_ref", "env:X");
    let mut args = cc.add_args();
    args.push("--json".into());
    let run = seen.run(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!((run.code, json_of(&run.stdout)["field"].as_str()), (2, Some("password_ref")), "{}", run.stdout);
    seen.assert_never(d, &[&wrong, "alice-password-1", &token]);
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// What a failure must leave as it was: the profile, its history and its key.
fn stored(d: &Path) -> (Value, Value, String) {
    let show = json(oauthdesk_env(d, &["show", "sf", "--json"], None, &[]));
    let history = json(oauthdesk_env(d, &["history", "sf", "--json"], None, &[]));
    let key = oauthdesk_env(d, &["key", "show", "sf", "--json"], None, &[]).stdout;
    (show, history, key)
}

#[test]
fn each_way_a_key_source_fails_is_named_and_changes_nothing_stored() {
    let bao = Bao::start();
    let token = bao.app_token();
    let files = tempfile::tempdir().unwrap();
    let (key, cert) = rsa_key("kept");
    let (other_key, _) = rsa_key("other");
    let pem = file(files.path(), "key.pem", format!("{key}{cert}").as_bytes());
    let other = file(files.path(), "other.pem", other_key.as_bytes());
    let cert_only = file(files.path(), "cert.pem", cert.as_bytes());
    bao.cli(&["kv", "put", "-mount=secret", "app/jwt", &format!("key=@{pem}")]);
    bao.cli(&["kv", "put", "-mount=secret", "other/jwt", &format!("key=@{other}")]);
    bao.cli(&["kv", "put", "-mount=secret", "app/cert", &format!("key=@{cert_only}")]);
    bao.cli(&[
        "kv",
        "put",
        "-mount=secret",
        "app/public",
        "key=-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
    ]);
    bao.cli(&["kv", "put", "-mount=secret", "app/text", "key=not a key at all"]);
    let sf = salesforce(0, &cert);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seen = Seen::default();
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", token.as_str())];
    // A key is read and kept from a working reference first.
    add(&mut seen, d, &sf_profile("sf", &sf).set("key_ref", "vault://secret/app/jwt#key"), &[]);
    ok(seen.run(d, &["key", "show", "sf"], &env));
    let root = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", bao.root.as_str())];
    // (reference, environment, what the vault does first, the finding, words the error says)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str, &'a str);
    let cases: [Case<'_>; 7] = [
        ("vault://secret/app/missing#key", &env, "", "secret-source-not-found", "no such path"),
        ("vault://secret/other/jwt#key", &env, "", "secret-source-denied", "permission denied"),
        ("vault://secret/app/jwt#nope", &env, "", "secret-source-field-missing", "has no field nope"),
        ("vault://secret/app/cert#key", &env, "", "secret-source-unusable", "holds a certificate, not a private key"),
        ("vault://secret/app/public#key", &env, "", "secret-source-unusable", "is a public key"),
        ("vault://secret/app/text#key", &env, "", "secret-source-unusable", "not a usable key"),
        ("vault://secret/app/jwt#key", &root, "seal", "secret-source-sealed", "is sealed"),
    ];
    for (reference, env, first, finding, words) in cases {
        // A reference moved to another place drops the kept key: the new one is read when needed.
        ok(seen.run(d, &["edit", "sf", "--set", &format!("key_ref={reference}")], env));
        if first == "seal" {
            bao.cli(&["operator", "seal"]);
        }
        let before = stored(d);
        let run = seen.run(d, &["token", "sf", "--json"], env);
        assert_eq!(run.code, 2, "{reference}: {}", run.stderr);
        let e: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            (e["code"].as_str(), e["need"].as_str(), e["field"].as_str()),
            (Some("not_ready"), Some("secret_source"), Some("key_ref")),
            "{e}"
        );
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(reference) && message.contains(words), "{reference}: {message}");
        assert!(run.stderr.contains("--set key_ref="), "the command line says how to point it elsewhere: {}", run.stderr);
        assert_eq!(stored(d), before, "{reference}: nothing stored changed");
        let diag = json_of(&seen.run(d, &["diagnose", "sf", "--json"], env).stdout);
        assert_eq!((diag["stage"].as_str(), diag["finding"].as_str()), (Some("secret_source"), Some(finding)), "{diag}");
        let said = diag.to_string();
        assert!(said.contains(reference) && said.contains(words), "the cause names the reference and the reason: {diag}");
        assert_eq!(stored(d), before, "{reference}: a diagnosis kept nothing");
    }
    assert_eq!(sf.hits("/services/oauth2/token"), 0, "no request reached the provider");
    let leaks: Vec<String> = body_lines(&key).into_iter().chain(body_lines(&other_key)).chain([token.clone()]).collect();
    seen.assert_never(d, &leaks.iter().map(String::as_str).collect::<Vec<_>>());
}
