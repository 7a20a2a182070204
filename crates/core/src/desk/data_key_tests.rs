//! The data key is never replaced by accident, and a key another process replaced is never
//! used to seal: every command that writes, against a key item that is deleted, holds
//! another valid key, holds garbage, or is rotated by another process mid-way; two processes
//! (Two processes across a rekey, and a key change stopped at every step: rekey_tests.rs.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::Desk;
use crate::error::{Error, Need};
use crate::model::{Fields, SecretState};
use crate::pki::Algorithm;
use crate::profile::{NewProfile, ProfileChanges};
use crate::secret::seal::DataKey;
use crate::secret::{ClientSecret, MemorySecrets, Secret, SecretStore};
use crate::store;
use crate::transfer::{ExportFile, ExportedProfile};

type Hook = Box<dyn FnOnce() + Send>;

/// A token endpoint on 127.0.0.1: every request gets a new access token; `hook` (once set)
/// runs when a request has arrived and before it is answered.
pub(super) struct TokenServer {
    pub(super) url: String,
    requests: Arc<AtomicUsize>,
    hook: Arc<Mutex<Option<Hook>>>,
}

impl TokenServer {
    pub(super) fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let hook: Arc<Mutex<Option<Hook>>> = Arc::new(Mutex::new(None));
        let (count, on_request) = (requests.clone(), hook.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                // The head, then as much body as it announces.
                loop {
                    let n = stream.read(&mut buf).unwrap_or(0);
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                            .unwrap_or(0usize);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                    if n == 0 {
                        break;
                    }
                }
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(hook) = on_request.lock().unwrap().take() {
                    hook();
                }
                let body = format!(r#"{{"access_token":"access-token-{n:04}","token_type":"Bearer","expires_in":3600}}"#);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        TokenServer { url, requests, hook }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn on_next_request(&self, hook: impl FnOnce() + Send + 'static) {
        *self.hook.lock().unwrap() = Some(Box::new(hook));
    }
}

pub(super) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// A client-credentials profile against `token_url`: with a secret, or a public client.
pub(super) fn cc(handle: &str, token_url: &str, secret: Option<&str>) -> NewProfile {
    let mut fields = Fields::from([("token_url".into(), token_url.into()), ("client_id".into(), format!("client-{handle}"))]);
    if secret.is_none() {
        fields.insert("client_auth".into(), "none".into());
    }
    super::test_support::client_credentials(handle, fields, secret)
}

pub(super) fn open(dir: &tempfile::TempDir, keyring: &Arc<MemorySecrets>) -> Desk {
    Desk::open(dir.path(), keyring.clone()).unwrap()
}

pub(super) fn sql(dir: &tempfile::TempDir) -> Connection {
    Connection::open(store::path_in(dir.path())).unwrap()
}

/// Every sealed value and every "lost" mark in the store, with the key's id and check: what
/// must stay byte for byte when a command fails for want of the key.
fn sealed_columns(dir: &tempfile::TempDir) -> Vec<(String, Option<Vec<u8>>)> {
    let conn = sql(dir);
    let mut out = Vec::new();
    for query in [
        "SELECT 'secret ' || handle, client_secret FROM profiles WHERE client_secret IS NOT NULL OR secret_lost",
        "SELECT 'lost ' || handle || ' ' || secret_lost, NULL FROM profiles WHERE client_secret IS NOT NULL OR secret_lost",
        "SELECT 'token ' || profile_id, sealed FROM tokens",
        "SELECT 'key ' || profile_id || ' ' || key_lost, key_sealed FROM credentials WHERE key_sealed IS NOT NULL OR key_lost",
        "SELECT 'meta ' || key || ' ' || value, NULL FROM meta WHERE key LIKE 'key_%'",
    ] {
        let mut stmt = conn.prepare(query).unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))).unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out.sort();
    out
}

fn key_item(dir: &tempfile::TempDir) -> String {
    let conn = sql(dir);
    let (store_id, key_id): (String, String) = conn
        .query_row("SELECT (SELECT value FROM meta WHERE key = 'store_id'), (SELECT value FROM meta WHERE key = 'key_id')", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    format!("{store_id}/data-key/{key_id}")
}

/// How the key item is broken.
#[derive(Debug, Clone, Copy)]
enum Broken {
    Deleted,
    AnotherKey,
    Garbage,
}

impl Broken {
    fn apply(self, keyring: &MemorySecrets, item: &str) {
        match self {
            Broken::Deleted => keyring.delete(item).unwrap(),
            Broken::AnotherKey => keyring.set(item, &Secret::new(DataKey::generate().to_text().as_str())).unwrap(),
            Broken::Garbage => keyring.set(item, &Secret::new("\u{1F511} not a key at all")).unwrap(),
        }
    }
}

/// A store with a secret ("a"), a secret and a token ("b"), a private key on "a", and a
/// public client with no token yet ("pub").
pub(super) fn seeded(server: &TokenServer) -> (tempfile::TempDir, Arc<MemorySecrets>) {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let desk = open(&dir, &keyring);
    desk.create(cc("a", &server.url, Some("secret-of-a"))).unwrap();
    desk.create(cc("b", &server.url, Some("secret-of-b"))).unwrap();
    desk.create(cc("pub", &server.url, None)).unwrap();
    block_on(desk.token("b", false, chrono::Duration::seconds(60))).unwrap();
    desk.key_generate("a", Algorithm::Es256, None).unwrap();
    (dir, keyring)
}

/// Everything sealed in the seeded store opens, as it was.
pub(super) fn all_open(desk: &Desk, token_b: &str) {
    assert_eq!(desk.client_secret("a").unwrap().unwrap().expose(), "secret-of-a");
    assert_eq!(desk.client_secret("b").unwrap().unwrap().expose(), "secret-of-b");
    assert!(desk.key_material("a").unwrap().is_some());
    let token = block_on(desk.token("b", false, chrono::Duration::seconds(60))).unwrap();
    assert_eq!(token.access_token.expose(), token_b, "the cached token opens");
    assert!(desk.list().unwrap().iter().all(|p| p.client_secret != SecretState::Unreadable));
}

fn key_file() -> Vec<u8> {
    crate::pki::generate(Algorithm::Es256, None, "imported").unwrap().key.expose().as_bytes().to_vec()
}

fn export_of(handle: &str, url: &str) -> ExportFile {
    ExportFile::new(vec![ExportedProfile {
        handle: handle.into(),
        label: handle.into(),
        template: "client-credentials".into(),
        fields: cc(handle, url, None).fields,
    }])
}

/// Every command that writes (or may write) a sealed value, by name.
fn every_writing_command(desk: &Desk, server: &TokenServer, round: usize) -> Vec<(&'static str, Result<(), Error>)> {
    let margin = chrono::Duration::seconds(60);
    let secret =
        |s: &str| ProfileChanges { client_secret: Some(ClientSecret::new(s)), label: Some("changed".into()), ..Default::default() };
    vec![
        ("create with a secret", desk.create(cc(&format!("new-{round}"), &server.url, Some("new-secret"))).map(drop)),
        ("update with a secret", desk.update("a", secret("new-secret-of-a")).map(drop)),
        ("token of a public client", block_on(desk.token("pub", false, margin)).map(drop)),
        ("token, forced", block_on(desk.token("b", true, margin)).map(drop)),
        ("token, cached", block_on(desk.token("b", false, margin)).map(drop)),
        ("connect", block_on(desk.connect("pub", true)).map(drop)),
        ("key generate", desk.key_generate("b", Algorithm::Es256, None).map(drop)),
        ("key import", desk.key_import("pub", &key_file(), None, None).map(drop)),
        ("rekey", desk.rekey().map(drop)),
        ("import", desk.import(export_of(&format!("imported-{round}"), &server.url)).map(drop)),
        (
            "test --all",
            block_on(desk.test_all(&[], 4, |_, _| {})).and_then(|all| match all.results.iter().find(|r| !r.ok) {
                Some(failed) => Err(Error::Internal(failed.cause.clone().unwrap_or_default())),
                None => Ok(()),
            }),
        ),
    ]
}

#[test]
fn a_missing_or_wrong_key_is_an_error_for_every_write_and_putting_the_item_back_opens_everything() {
    for broken in [Broken::Deleted, Broken::AnotherKey, Broken::Garbage] {
        let server = TokenServer::start();
        let (dir, keyring) = seeded(&server);
        let token_b = block_on(open(&dir, &keyring).token("b", false, chrono::Duration::seconds(60))).unwrap().access_token;
        let item = key_item(&dir);
        let original = keyring.get(&item).unwrap().unwrap();
        let before = sealed_columns(&dir);
        broken.apply(&keyring, &item);
        let (items, requests) = (keyring.len(), server.requests());

        // Each command in a process of its own, as the command line runs them.
        for round in 0..2 {
            let desk = open(&dir, &keyring);
            for (command, result) in every_writing_command(&desk, &server, round) {
                match (command, result) {
                    ("import", Ok(())) => {}
                    (_, Ok(())) => panic!("{broken:?}: {command} succeeded without the store's key"),
                    ("test --all", Err(e)) => assert!(e.to_string().contains("data key"), "{broken:?}: {command}: {e}"),
                    (_, Err(e)) => {
                        assert!(matches!(e, Error::KeyMissing { .. }), "{broken:?}: {command}: {e}");
                        assert_eq!(e.payload().need, Some(Need::DataKey), "{broken:?}: {command}");
                        let message = e.to_string();
                        assert!(message.contains(&item) && message.contains("nothing was changed"), "{broken:?}: {command}: {message}");
                    }
                }
                assert_eq!(sealed_columns(&dir), before, "{broken:?}: {command} changed a sealed value");
            }
            assert!(desk.get(&format!("new-{round}")).is_err(), "{broken:?}: the profile with a secret was not created");
            assert_eq!(desk.get("a").unwrap().label, "a", "{broken:?}: the update changed nothing");
            assert_eq!(desk.get("a").unwrap().client_secret, SecretState::Unreadable);
        }
        assert_eq!(server.requests(), requests, "{broken:?}: nothing was sent for a token that could not be kept");
        assert_eq!(keyring.len(), items, "{broken:?}: no key item was made");

        keyring.set(&item, &original).unwrap();
        all_open(&open(&dir, &keyring), token_b.expose());
    }
}

#[test]
fn a_key_rotated_by_another_process_before_each_write_is_read_again_and_every_value_opens() {
    let server = TokenServer::start();
    let (dir, keyring) = seeded(&server);
    let token_b = block_on(open(&dir, &keyring).token("b", false, chrono::Duration::seconds(60))).unwrap().access_token;
    let a = open(&dir, &keyring);
    assert_eq!(a.client_secret("a").unwrap().unwrap().expose(), "secret-of-a", "A holds the key");
    let b = open(&dir, &keyring);
    for i in 0..COMMANDS {
        b.rekey().unwrap();
        // The i-th command, after a rekey A did not see.
        let (command, result) = every_writing_command_nth(&a, &server, i);
        result.unwrap_or_else(|e| panic!("{command} after another process's rekey: {e}"));
        assert_eq!(keyring.len(), 1, "{command}: one key item");
    }
    let c = open(&dir, &keyring);
    assert_eq!(c.client_secret("a").unwrap().unwrap().expose(), "new-secret-of-a");
    assert_eq!(c.client_secret("b").unwrap().unwrap().expose(), "secret-of-b");
    assert_eq!(c.client_secret("new-0").unwrap().unwrap().expose(), "new-secret");
    for handle in ["a", "b", "pub"] {
        assert!(c.key_material(handle).unwrap().is_some(), "{handle}'s key opens");
    }
    let cached = block_on(c.token("b", false, chrono::Duration::seconds(60))).unwrap();
    assert_ne!(cached.access_token.expose(), token_b.expose(), "the forced token replaced it");
    assert!(c.list().unwrap().iter().all(|p| p.client_secret != SecretState::Unreadable));
}

/// How many commands [`every_writing_command`] runs.
const COMMANDS: usize = 11;

/// Only the `i`-th of [`every_writing_command`], so each one meets a fresh rekey.
fn every_writing_command_nth(desk: &Desk, server: &TokenServer, i: usize) -> (&'static str, Result<(), Error>) {
    let margin = chrono::Duration::seconds(60);
    let secret = |s: &str| ProfileChanges { client_secret: Some(ClientSecret::new(s)), ..Default::default() };
    match i {
        0 => ("create with a secret", desk.create(cc("new-0", &server.url, Some("new-secret"))).map(drop)),
        1 => ("update with a secret", desk.update("a", secret("new-secret-of-a")).map(drop)),
        2 => ("token of a public client", block_on(desk.token("pub", false, margin)).map(drop)),
        3 => ("token, forced", block_on(desk.token("b", true, margin)).map(drop)),
        4 => ("token, cached", block_on(desk.token("b", false, margin)).map(drop)),
        5 => ("connect", block_on(desk.connect("pub", true)).map(drop)),
        6 => ("key generate", desk.key_generate("b", Algorithm::Es256, None).map(drop)),
        7 => ("key import", desk.key_import("pub", &key_file(), None, None).map(drop)),
        8 => ("rekey", desk.rekey().map(drop)),
        9 => ("import", desk.import(export_of("imported-0", &server.url)).map(drop)),
        _ => (
            "test --all",
            block_on(desk.test_all(&[], 4, |_, _| {})).and_then(|all| match all.results.iter().find(|r| !r.ok) {
                Some(failed) => Err(Error::Internal(format!("{}: {}", failed.handle, failed.cause.clone().unwrap_or_default()))),
                None => Ok(()),
            }),
        ),
    }
}

#[test]
fn a_token_whose_exchange_spans_another_process_rekey_is_kept_under_the_new_key() {
    let server = TokenServer::start();
    let (dir, keyring) = seeded(&server);
    let a = open(&dir, &keyring);
    assert!(a.client_secret("b").unwrap().is_some(), "A holds the key");
    // The rekey lands while A waits for the token endpoint's answer.
    let b = open(&dir, &keyring);
    server.on_next_request(move || {
        b.rekey().unwrap();
    });
    let got = block_on(a.token("b", true, chrono::Duration::seconds(60))).unwrap();
    let fresh = open(&dir, &keyring);
    let cached = block_on(fresh.token("b", false, chrono::Duration::seconds(60))).unwrap();
    assert_eq!(cached.access_token.expose(), got.access_token.expose(), "the token stored across the rekey opens");
    assert_eq!(keyring.len(), 1);
}

#[test]
fn a_store_with_no_sealed_value_gets_a_new_key_in_place_of_a_lost_one() {
    for broken in [Broken::Deleted, Broken::AnotherKey, Broken::Garbage] {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemorySecrets::default());
        let desk = open(&dir, &keyring);
        desk.create(cc("a", "https://auth.example.com/token", Some("s"))).unwrap();
        desk.remove("a").unwrap();
        let item = key_item(&dir);
        broken.apply(&keyring, &item);
        drop(desk);
        // Nothing is sealed under the lost key, so nothing is lost by a new one.
        let desk = open(&dir, &keyring);
        desk.create(cc("b", "https://auth.example.com/token", Some("s-b"))).unwrap();
        assert_eq!(open(&dir, &keyring).client_secret("b").unwrap().unwrap().expose(), "s-b", "{broken:?}");
        assert_ne!(key_item(&dir), item);
        assert_eq!(keyring.len(), 1, "{broken:?}: the lost key's item is removed");
    }
}

#[test]
fn starting_over_is_explicit_drops_what_the_lost_key_sealed_and_keeps_the_profiles() {
    for broken in [Broken::Deleted, Broken::AnotherKey, Broken::Garbage] {
        let server = TokenServer::start();
        let (dir, keyring) = seeded(&server);
        let item = key_item(&dir);
        broken.apply(&keyring, &item);
        let desk = open(&dir, &keyring);
        assert!(desk.data_key_missing());
        assert!(matches!(desk.rekey(), Err(Error::KeyMissing { .. })), "{broken:?}: a plain rekey changes nothing");
        let out = desk.start_over().unwrap();
        assert_eq!((out.resealed, out.dropped), (0, 4), "{broken:?}: two secrets, a token, a key");
        assert_eq!(keyring.len(), 1, "{broken:?}: only the new key's item");
        assert!(!desk.data_key_missing());
        let list = desk.list().unwrap();
        assert_eq!(list.len(), 3);
        let err = desk.client_secret("a").unwrap_err();
        assert!(matches!(err, Error::NotReady { need: Need::ClientSecret, .. }), "{broken:?}: {err}");
        desk.update("a", ProfileChanges { client_secret: Some(ClientSecret::new("again")), ..Default::default() }).unwrap();
        assert_eq!(open(&dir, &keyring).client_secret("a").unwrap().unwrap().expose(), "again");
    }
}
