//! The data key and sealed values, against an in-memory keyring: one keyring item per store,
//! values that open only where they were sealed, a store whose key is gone, re-keying, and
//! moving a schema-2 store's keyring items in.

use std::sync::Arc;

use rusqlite::{params, Connection};

use super::Desk;
use crate::error::{Error, Need};
use crate::model::{Fields, SecretState};
use crate::profile::{NewProfile, ProfileChanges};
use crate::secret::{ClientSecret, MemorySecrets, Secret, SecretStore};
use crate::store;

fn cc(handle: &str, secret: &str) -> NewProfile {
    NewProfile {
        template: "client-credentials".into(),
        handle: handle.into(),
        label: None,
        fields: Fields::from([("token_url".into(), "https://auth.example.com/token".into()), ("client_id".into(), "c".into())]),
        client_secret: Some(ClientSecret::new(secret)),
    }
}

fn open(dir: &tempfile::TempDir, keyring: &Arc<MemorySecrets>) -> Desk {
    Desk::open(dir.path(), keyring.clone()).unwrap()
}

fn secret(desk: &Desk, handle: &str) -> Result<Option<String>, Error> {
    desk.client_secret(handle).map(|s| s.map(|s| s.expose().to_string()))
}

fn file_bytes(dir: &tempfile::TempDir) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["oauthdesk.sqlite3", "oauthdesk.sqlite3-wal"] {
        all.extend(std::fs::read(dir.path().join(name)).unwrap_or_default());
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn secrets_are_sealed_in_the_store_and_the_keyring_holds_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let desk = open(&dir, &keyring);
    desk.create(cc("a", "secret-of-a-0001")).unwrap();
    desk.create(cc("b", "secret-of-b-0002")).unwrap();
    assert_eq!(keyring.len(), 1, "one item: the data key");
    assert_eq!(secret(&desk, "a").unwrap().as_deref(), Some("secret-of-a-0001"));
    let bytes = file_bytes(&dir);
    assert!(!contains(&bytes, "secret-of-a-0001") && !contains(&bytes, "secret-of-b-0002"), "nothing in clear");
    // Another process reads the key once and opens the same values.
    let again = open(&dir, &keyring);
    assert_eq!(secret(&again, "b").unwrap().as_deref(), Some("secret-of-b-0002"));
}

#[test]
fn a_value_moved_to_another_profile_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let desk = open(&dir, &keyring);
    desk.create(cc("a", "secret-a")).unwrap();
    desk.create(cc("b", "secret-b")).unwrap();
    let conn = Connection::open(store::path_in(dir.path())).unwrap();
    conn.execute("UPDATE profiles SET client_secret = (SELECT client_secret FROM profiles WHERE handle = 'a') WHERE handle = 'b'", [])
        .unwrap();
    let err = secret(&desk, "b").unwrap_err();
    assert!(matches!(err, Error::NotReady { need: Need::ClientSecret, .. }), "{err}");
    assert!(err.to_string().contains("cannot be read"), "{err}");
    assert_eq!(secret(&desk, "a").unwrap().as_deref(), Some("secret-a"));
}

#[test]
fn a_store_whose_key_is_gone_keeps_its_profiles_and_changes_nothing_until_told_to_start_over() {
    let dir = tempfile::tempdir().unwrap();
    let first = Arc::new(MemorySecrets::default());
    open(&dir, &first).create(cc("a", "secret-a")).unwrap();
    open(&dir, &first).create(cc("b", "secret-b")).unwrap();
    // A fresh keyring, as on another machine: the profiles are there, their secrets unreadable.
    let keyring = Arc::new(MemorySecrets::default());
    let desk = open(&dir, &keyring);
    let list = desk.list().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|p| p.client_secret == SecretState::Unreadable), "{list:?}");
    let err = secret(&desk, "a").unwrap_err();
    assert!(matches!(err, Error::KeyMissing { .. }), "{err}");
    assert_eq!(err.payload().need, Some(Need::DataKey));
    // Entering a secret again does not replace the key (that would drop the others' secrets).
    let err = desk.update("a", ProfileChanges { client_secret: Some(ClientSecret::new("new-a")), ..Default::default() }).unwrap_err();
    assert!(matches!(err, Error::KeyMissing { .. }), "{err}");
    assert!(keyring.is_empty());
    // Starting over, explicitly, does: what the lost key sealed is dropped, the profiles stay.
    desk.start_over().unwrap();
    desk.update("a", ProfileChanges { client_secret: Some(ClientSecret::new("new-a")), ..Default::default() }).unwrap();
    assert_eq!(secret(&desk, "a").unwrap().as_deref(), Some("new-a"));
    assert_eq!(desk.get("b").unwrap().client_secret, SecretState::Unreadable);
    assert!(matches!(secret(&desk, "b").unwrap_err(), Error::NotReady { need: Need::ClientSecret, .. }));
    assert_eq!(keyring.len(), 1);
}

#[test]
fn rekey_seals_everything_again_under_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let desk = open(&dir, &keyring);
    desk.create(cc("a", "secret-a")).unwrap();
    desk.create(cc("b", "secret-b")).unwrap();
    let sealed_a = || -> Vec<u8> {
        let conn = Connection::open(store::path_in(dir.path())).unwrap();
        conn.query_row("SELECT client_secret FROM profiles WHERE handle = 'a'", [], |r| r.get(0)).unwrap()
    };
    let before = sealed_a();
    let out = desk.rekey().unwrap();
    assert_eq!((out.resealed, out.dropped), (2, 0));
    assert_eq!(keyring.len(), 1, "the old key's item is gone");
    assert_eq!(secret(&desk, "a").unwrap().as_deref(), Some("secret-a"));
    let other = open(&dir, &keyring);
    assert_eq!(secret(&other, "b").unwrap().as_deref(), Some("secret-b"));
    assert!(sealed_a() != before, "sealed again");
}

/// A store as schema 2 wrote it: secrets and tokens as keyring items named in the rows.
fn schema_two_store(dir: &tempfile::TempDir, keyring: &MemorySecrets) -> String {
    let conn = Connection::open(store::path_in(dir.path())).unwrap();
    conn.execute_batch(include_str!("../../migrations/0001_profiles.sql")).unwrap();
    conn.execute_batch(include_str!("../../migrations/0002_tokens_and_history.sql")).unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    let store_id: String = conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0)).unwrap();
    let fields = r#"{"client_auth":"basic","client_id":"c","token_body":"form","token_url":"https://auth.example.com/token"}"#;
    for (id, handle) in [(1, "moved"), (2, "half-moved"), (3, "item-gone")] {
        let item = format!("{store_id}/{id}/client_secret");
        conn.execute(
            "INSERT INTO profiles (id, handle, label, template, fields, secret_ref, created_at, updated_at)
             VALUES (?1, ?2, ?2, 'client-credentials', ?3, ?4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            params![id, handle, fields, item],
        )
        .unwrap();
        if handle != "item-gone" {
            keyring.set(&item, &Secret::new(format!("legacy-secret-{handle}"))).unwrap();
        }
    }
    let token_item = format!("{store_id}/1/token");
    let cached = r#"{"access_token":"legacy-token","refresh_token":null,"info":{"token_type":"Bearer","scope":null,"obtained_at":"2026-01-01T00:00:00Z","expires_at":"2099-01-01T00:00:00Z","expiry_source":"expires_in","expiry_note":null,"instance_url":null,"issued_at":null,"refresh_token":false,"source":"network","extra":{}}}"#;
    keyring.set(&token_item, &Secret::new(cached)).unwrap();
    conn.execute(
        "INSERT INTO tokens (profile_id, secret_ref, obtained_at, expires_at, expiry_source) VALUES (1, ?1, '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z', 'expires_in')",
        [&token_item],
    )
    .unwrap();
    store_id
}

#[test]
fn a_schema_two_store_moves_its_keyring_items_in_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    schema_two_store(&dir, &keyring);
    assert_eq!(keyring.len(), 3);
    let desk = open(&dir, &keyring);
    assert_eq!(secret(&desk, "moved").unwrap().as_deref(), Some("legacy-secret-moved"));
    assert_eq!(secret(&desk, "half-moved").unwrap().as_deref(), Some("legacy-secret-half-moved"));
    // The profile that claimed an item the keyring did not have says so.
    assert_eq!(desk.get("item-gone").unwrap().client_secret, SecretState::Unreadable);
    assert_eq!(keyring.len(), 1, "only the data key is left in the keyring");
    let token = futures_lite_block_on(desk.token("moved", false, chrono::Duration::seconds(60))).unwrap();
    assert_eq!(token.access_token.expose(), "legacy-token");
    let bytes = file_bytes(&dir);
    assert!(!contains(&bytes, "legacy-secret-moved") && !contains(&bytes, "legacy-token"));
}

#[test]
fn a_move_stopped_half_way_is_finished_by_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    schema_two_store(&dir, &keyring);
    // Stop after the first value was sealed and committed, before its item was removed:
    // simulated by a desk whose keyring fails every delete.
    struct NoDelete(Arc<MemorySecrets>);
    impl SecretStore for NoDelete {
        fn get(&self, key: &str) -> crate::error::Result<Option<Secret>> {
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &Secret) -> crate::error::Result<()> {
            self.0.set(key, value)
        }
        fn delete(&self, _: &str) -> crate::error::Result<()> {
            Err(Error::Keyring("stopped".into()))
        }
    }
    let stopped = Desk::open(dir.path(), Arc::new(NoDelete(keyring.clone()))).unwrap();
    drop(stopped);
    let desk = open(&dir, &keyring);
    assert_eq!(secret(&desk, "moved").unwrap().as_deref(), Some("legacy-secret-moved"));
    assert_eq!(secret(&desk, "half-moved").unwrap().as_deref(), Some("legacy-secret-half-moved"));
    assert_eq!(keyring.len(), 1);
}

fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}
