//! The secret store against the real OS keyring. `make test` runs this inside a private D-Bus
//! session with an unlocked GNOME Keyring; there is no in-memory stand-in here.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

use std::sync::Arc;

use oauthdesk_core::{ClientSecret, Desk, Fields, Keyring, NewProfile, ProfileChanges, Secret, SecretState, SecretStore};

fn unique(name: &str) -> String {
    format!("oauthdesk-test/{}/{name}", std::process::id())
}

#[test]
fn get_set_delete_against_the_secret_service() {
    let k = Keyring::new("oauthdesk-tests");
    let key = unique("roundtrip");
    assert!(k.get(&key).unwrap().is_none(), "a missing entry is None, not an error");
    k.set(&key, &Secret::new("s3cr3t-value")).unwrap();
    assert_eq!(k.get(&key).unwrap().unwrap().expose(), "s3cr3t-value");
    k.set(&key, &Secret::new("replaced")).unwrap();
    assert_eq!(k.get(&key).unwrap().unwrap().expose(), "replaced");
    k.delete(&key).unwrap();
    assert!(k.get(&key).unwrap().is_none());
    k.delete(&key).expect("deleting twice is not an error");
}

#[test]
fn a_profile_secret_is_sealed_in_the_store_under_the_keyrings_one_key_and_goes_with_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let keyring: Arc<dyn SecretStore> = Arc::new(Keyring::new("oauthdesk-tests"));
    let new = NewProfile {
        template: "client-credentials".into(),
        handle: "api".into(),
        label: Some("API".into()),
        fields: Fields::from([("token_url".into(), "https://auth.example.com/oauth/token".into()), ("client_id".into(), "machine".into())]),
        client_secret: Some(ClientSecret::new("cc-secret-1")),
    };
    Desk::open(dir.path(), keyring.clone()).unwrap().create(new).unwrap();

    let desk = Desk::open(dir.path(), keyring.clone()).unwrap();
    assert_eq!(desk.client_secret("api").unwrap().unwrap().expose(), "cc-secret-1");
    let p = desk.update("api", ProfileChanges { client_secret: Some(ClientSecret::new("")), ..Default::default() }).unwrap();
    assert_eq!(p.client_secret, SecretState::Set, "a blank secret keeps the stored one");
    assert_eq!(desk.client_secret("api").unwrap().unwrap().expose(), "cc-secret-1");

    let mut files = std::fs::read(desk.store_path()).unwrap();
    files.extend(std::fs::read(desk.store_path().with_extension("sqlite3-wal")).unwrap_or_default());
    assert!(!String::from_utf8_lossy(&files).contains("cc-secret-1"), "the store and its WAL hold the secret only sealed");
    let conn = rusqlite::Connection::open(desk.store_path()).unwrap();
    let store_id: String = conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0)).unwrap();
    assert!(keyring.get(&format!("{store_id}/1/client_secret")).unwrap().is_none(), "no item per secret any more");

    desk.remove("api").unwrap();
    let other = Desk::open(dir.path(), keyring).unwrap();
    assert!(other.list().unwrap().is_empty());
}

/// Entries written by the `keyring` crate (earlier versions of OAuth Desk, other tools) and
/// by OAuth Desk's own Secret Service session are the same items.
#[cfg(target_os = "linux")]
#[test]
fn entries_are_shared_with_the_keyring_crate() {
    let ours = Keyring::new("oauthdesk-tests");
    let key = unique("interop");
    let theirs = keyring::Entry::new("oauthdesk-tests", &key).unwrap();

    theirs.set_password("written-by-keyring").unwrap();
    assert_eq!(ours.get(&key).unwrap().unwrap().expose(), "written-by-keyring");
    ours.set(&key, &Secret::new("replaced-by-oauthdesk")).unwrap();
    assert_eq!(theirs.get_password().unwrap(), "replaced-by-oauthdesk", "the same item was updated, not a second one made");
    ours.delete(&key).unwrap();
    assert!(matches!(theirs.get_password(), Err(keyring::Error::NoEntry)));

    ours.set(&key, &Secret::new("written-by-oauthdesk")).unwrap();
    assert_eq!(theirs.get_password().unwrap(), "written-by-oauthdesk");
    theirs.delete_credential().unwrap();
    assert!(ours.get(&key).unwrap().is_none());
}

/// A prepared session is the one later calls use, from any thread.
#[test]
fn a_prepared_keyring_serves_calls_from_several_threads() {
    let k = Keyring::new("oauthdesk-tests");
    k.prepare();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let k = k.clone();
            std::thread::spawn(move || {
                let key = unique(&format!("thread-{i}"));
                k.set(&key, &Secret::new(format!("value-{i}"))).unwrap();
                let got = k.get(&key).unwrap().unwrap().expose().to_string();
                k.delete(&key).unwrap();
                got
            })
        })
        .collect();
    let got: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(got, ["value-0", "value-1", "value-2", "value-3"]);
}

/// A located item is read at its place without a search, and a place that no longer holds
/// the item under that key (gone, another item, nonsense) falls back to the search.
#[cfg(target_os = "linux")]
#[test]
fn an_item_read_at_its_place_is_the_item_under_its_key() {
    let k = Keyring::new("oauthdesk-tests");
    let (a, b) = (unique("place-a"), unique("place-b"));
    k.set(&a, &Secret::new("value-a")).unwrap();
    k.set(&b, &Secret::new("value-b")).unwrap();
    let place_a = k.locate(&a).unwrap().expect("the Secret Service gives an item path");
    assert_eq!(k.get_at(&a, &place_a).unwrap().unwrap().expose(), "value-a");
    assert_eq!(k.get_at(&b, &place_a).unwrap().unwrap().expose(), "value-b", "another key's place is not trusted");
    assert_eq!(k.get_at(&a, "/not/an/item").unwrap().unwrap().expose(), "value-a");
    assert_eq!(k.get_at(&a, "not a path").unwrap().unwrap().expose(), "value-a");
    k.delete(&a).unwrap();
    assert!(k.get_at(&a, &place_a).unwrap().is_none(), "a removed item is gone, at its place too");
    k.delete(&b).unwrap();
}

/// A keyring that stops the process (a panic) right after its first write.
struct StopAfterSet(Keyring);

impl SecretStore for StopAfterSet {
    fn get(&self, key: &str) -> oauthdesk_core::Result<Option<Secret>> {
        self.0.get(key)
    }
    fn set(&self, key: &str, value: &Secret) -> oauthdesk_core::Result<()> {
        self.0.set(key, value)?;
        panic!("stopped after setting {key}");
    }
    fn delete(&self, key: &str) -> oauthdesk_core::Result<()> {
        self.0.delete(key)
    }
}

/// A rekey stopped after it set the new key's item leaves that item for the next open to
/// remove, in the real keyring, found by the store's note alone (no listing).
#[test]
fn a_rekey_stopped_after_its_new_item_is_set_leaves_no_item_after_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Keyring::new("oauthdesk-tests");
    let new = NewProfile {
        template: "client-credentials".into(),
        handle: "api".into(),
        label: None,
        fields: Fields::from([("token_url".into(), "https://auth.example.com/oauth/token".into()), ("client_id".into(), "machine".into())]),
        client_secret: Some(ClientSecret::new("kept-across-the-stop")),
    };
    Desk::open(dir.path(), Arc::new(keyring.clone())).unwrap().create(new).unwrap();
    let stopping = Desk::open(dir.path(), Arc::new(StopAfterSet(keyring.clone()))).unwrap();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stopping.rekey()));
    let _ = std::panic::take_hook();
    assert!(outcome.is_err(), "stopped");
    drop(stopping);
    let meta = |key: &str| -> String {
        let conn = rusqlite::Connection::open(dir.path().join("oauthdesk.sqlite3")).unwrap();
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).unwrap_or_default()
    };
    let (store_id, pending) = (meta("store_id"), meta("key_pending"));
    let pending_item = format!("{store_id}/data-key/{pending}");
    assert!(!pending.is_empty() && keyring.get(&pending_item).unwrap().is_some(), "the new item was set and noted");

    let desk = Desk::open(dir.path(), Arc::new(keyring.clone())).unwrap();
    assert!(keyring.get(&pending_item).unwrap().is_none(), "the next open removed the item the store never adopted");
    assert!(meta("key_pending").is_empty());
    assert_eq!(desk.client_secret("api").unwrap().unwrap().expose(), "kept-across-the-stop");
    desk.remove("api").unwrap();
    keyring.delete(&format!("{store_id}/data-key/{}", meta("key_id"))).unwrap();
}
