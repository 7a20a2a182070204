//! A change of the data key across processes: two desks on one store keep every value across
//! a rekey, and a rekey (or the first key) stopped at any step leaves no key item the store
//! does not use after the next open, and never one another process is about to adopt.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::data_key_tests::{all_open, block_on, cc, open, seeded, sql, TokenServer};
use super::Desk;
use crate::model::SecretState;
use crate::profile::ProfileChanges;
use crate::secret::{ClientSecret, MemorySecrets, Secret, SecretStore};

#[test]
fn two_desks_on_one_store_across_a_rekey_keep_every_value() {
    let server = TokenServer::start();
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let a = open(&dir, &keyring);
    a.create(cc("api", &server.url, Some("first-secret"))).unwrap();
    a.create(cc("pub", &server.url, None)).unwrap();
    assert_eq!(a.client_secret("api").unwrap().unwrap().expose(), "first-secret");
    let b = open(&dir, &keyring);
    // A connects, stores a secret, stores a token, each with the key it read before B's
    // last rekey.
    b.rekey().unwrap();
    block_on(a.connect("api", false)).unwrap();
    b.rekey().unwrap();
    a.update("api", ProfileChanges { client_secret: Some(ClientSecret::new("second-secret")), ..Default::default() }).unwrap();
    b.rekey().unwrap();
    let token = block_on(a.token("pub", true, chrono::Duration::seconds(60))).unwrap();
    let api_token = block_on(a.token("api", false, chrono::Duration::seconds(60))).unwrap();
    let c = open(&dir, &keyring);
    assert_eq!(c.client_secret("api").unwrap().unwrap().expose(), "second-secret");
    let margin = chrono::Duration::seconds(60);
    assert_eq!(block_on(c.token("pub", false, margin)).unwrap().access_token.expose(), token.access_token.expose());
    assert_eq!(block_on(c.token("api", false, margin)).unwrap().access_token.expose(), api_token.access_token.expose());
    // And B reads what A sealed under the key B made, with no "altered" on the way.
    let b_secret = b.client_secret("api").unwrap().unwrap();
    assert_eq!(b_secret.expose(), "second-secret");
    assert_eq!(keyring.len(), 1);
}

#[test]
fn a_reader_holding_the_old_key_reads_values_sealed_again_under_the_new_one() {
    let server = TokenServer::start();
    let (dir, keyring) = seeded(&server);
    let a = open(&dir, &keyring);
    assert!(a.client_secret("a").unwrap().is_some());
    open(&dir, &keyring).rekey().unwrap();
    assert_eq!(a.client_secret("a").unwrap().unwrap().expose(), "secret-of-a");
    assert!(a.key_material("a").unwrap().is_some());
    assert!(a.token_view("b").unwrap().is_some(), "the token opens, and is not taken for none");
    assert!(a.list().unwrap().iter().all(|p| p.client_secret == SecretState::Set || p.handle == "pub"));
}

/// A keyring that stops the process (a panic) at a chosen step: after the `nth` set, or at
/// the first delete.
struct Stopping {
    inner: Arc<MemorySecrets>,
    stop_after_set: Option<usize>,
    stop_at_delete: bool,
    sets: AtomicUsize,
}

impl SecretStore for Stopping {
    fn get(&self, key: &str) -> crate::error::Result<Option<Secret>> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &Secret) -> crate::error::Result<()> {
        self.inner.set(key, value)?;
        if Some(self.sets.fetch_add(1, Ordering::SeqCst) + 1) == self.stop_after_set {
            panic!("stopped after setting {key}");
        }
        Ok(())
    }
    fn delete(&self, key: &str) -> crate::error::Result<()> {
        if self.stop_at_delete {
            panic!("stopped before deleting {key}");
        }
        self.inner.delete(key)
    }
}

fn stopped<T>(f: impl FnOnce() -> T) {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(quiet);
    assert!(outcome.is_err(), "the step was reached");
}

#[test]
fn a_rekey_stopped_at_any_step_leaves_no_extra_key_item_after_the_next_open() {
    // Stopped after the new item is set; stopped after the commit, before the old item goes.
    for (stop_after_set, stop_at_delete) in [(Some(1), false), (None, true)] {
        let server = TokenServer::start();
        let (dir, keyring) = seeded(&server);
        let token_b = block_on(open(&dir, &keyring).token("b", false, chrono::Duration::seconds(60))).unwrap().access_token;
        assert_eq!(keyring.len(), 1);
        let stopping = Arc::new(Stopping { inner: keyring.clone(), stop_after_set, stop_at_delete, sets: AtomicUsize::new(0) });
        let desk = Desk::open(dir.path(), stopping).unwrap();
        stopped(|| desk.rekey());
        drop(desk);
        assert_eq!(keyring.len(), 2, "the stop left the new and the old item");
        let desk = open(&dir, &keyring);
        assert_eq!(keyring.len(), 1, "the next open removed the item the store does not use");
        all_open(&desk, token_b.expose());
        all_open(&open(&dir, &keyring), token_b.expose());
    }
}

#[test]
fn a_first_key_stopped_after_its_item_is_set_leaves_no_extra_item() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let stopping = Arc::new(Stopping { inner: keyring.clone(), stop_after_set: Some(1), stop_at_delete: false, sets: AtomicUsize::new(0) });
    let desk = Desk::open(dir.path(), stopping).unwrap();
    stopped(|| desk.create(cc("a", "https://auth.example.com/token", Some("s"))));
    drop(desk);
    assert_eq!(keyring.len(), 1, "the item the store never adopted");
    let desk = open(&dir, &keyring);
    assert!(keyring.is_empty(), "the next open removed it");
    desk.create(cc("a", "https://auth.example.com/token", Some("s"))).unwrap();
    assert_eq!(keyring.len(), 1);
    assert_eq!(open(&dir, &keyring).client_secret("a").unwrap().unwrap().expose(), "s");
}

#[test]
fn a_pending_key_another_process_is_about_to_adopt_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let desk = open(&dir, &keyring);
    desk.create(cc("a", "https://auth.example.com/token", Some("s"))).unwrap();
    // Another process is between "set the new item" and "adopt it": it holds the key lock.
    let lock_path = dir.path().join("locks").join("data-key.lock");
    let other = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).unwrap();
    other.lock().unwrap();
    let store_id: String = sql(&dir).query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0)).unwrap();
    sql(&dir).execute("INSERT INTO meta (key, value) VALUES ('key_pending', 'feedfacefeedface')", []).unwrap();
    keyring.set(&format!("{store_id}/data-key/feedfacefeedface"), &Secret::new("in the making")).unwrap();
    drop(open(&dir, &keyring));
    assert_eq!(keyring.len(), 2, "not removed while the other process may adopt it");
    other.unlock().unwrap();
    drop(open(&dir, &keyring));
    assert_eq!(keyring.len(), 1, "removed once no process is changing the key");
    assert_eq!(open(&dir, &keyring).client_secret("a").unwrap().unwrap().expose(), "s");
}
