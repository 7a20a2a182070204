//! The store and its one key, against the real Secret Service (`make test` runs a private
//! GNOME Keyring) and the real binary: secrets and tokens sealed in the SQLite file and
//! nowhere in clear; a schema-2 store's keyring items moved in, with the move killed midway;
//! a store whose key is gone (nothing changes; its item put back opens everything); `rekey`; processes killed during add/edit/remove; parallel
//! writers that never see "database is locked".
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{data_dir_text, json, oauthdesk, ok, Server, TestProfile};
use oauthdesk_core::{Desk, Keyring, SecretState, SecretStore};
use rusqlite::{params, Connection};

/// A small deterministic generator, for kill delays that differ run to run within a test.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn spawn(dir: &Path, args: &[&str], stdin: Option<&str>) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if let Some(mut pipe) = child.stdin.take() {
        use std::io::Write;
        let _ = pipe.write_all(stdin.unwrap_or_default().as_bytes());
    }
    child
}

/// Runs a command and kills it after `ms` milliseconds (if it still runs).
fn run_killed(dir: &Path, args: &[&str], stdin: Option<&str>, ms: u64) {
    let mut child = spawn(dir, args, stdin);
    std::thread::sleep(Duration::from_millis(ms));
    let _ = child.kill();
    let _ = child.wait();
}

fn desk(dir: &Path) -> Desk {
    Desk::open(dir, Arc::new(Keyring::default())).unwrap()
}

/// Every profile that says its secret is set can use it; none is unreadable.
fn consistent(dir: &Path) -> usize {
    let d = desk(dir);
    let profiles = d.list().unwrap();
    for p in &profiles {
        assert_ne!(p.client_secret, SecretState::Unreadable, "{}", p.handle);
        let secret = d.client_secret(&p.handle).unwrap_or_else(|e| panic!("{}: {e}", p.handle));
        assert_eq!(secret.is_some(), p.client_secret == SecretState::Set, "{}", p.handle);
    }
    profiles.len()
}

#[test]
fn tokens_and_secrets_are_sealed_and_rekey_keeps_them_usable() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("api", &idp.url("/token"), "cc-basic").secret("basic-secret").set("scopes", "api").add(d);
    let token = json(oauthdesk(d, &["token", "api", "--json"], None));
    let access = token["access_token"].as_str().unwrap().to_string();
    let cached = json(oauthdesk(d, &["token", "api", "--json"], None));
    assert_eq!((cached["source"].as_str(), cached["access_token"].as_str()), (Some("cache"), Some(access.as_str())));
    let written = data_dir_text(d);
    assert!(!written.contains("basic-secret") && !written.contains(&access), "the store and its WAL hold no secret in clear");

    let r = json(oauthdesk(d, &["rekey", "--json"], None));
    assert_eq!((r["resealed"].as_u64(), r["dropped"].as_u64()), (Some(2), Some(0)), "{r}");
    let again = json(oauthdesk(d, &["token", "api", "--json"], None));
    assert_eq!(again["access_token"].as_str(), Some(access.as_str()), "the cached token opens under the new key");
    assert_eq!(json(oauthdesk(d, &["token", "api", "--force", "--json"], None))["source"], "network", "the secret too");
}

/// Every sealed column and the key's bookkeeping, as stored.
fn sealed_columns(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let conn = Connection::open(dir.join("oauthdesk.sqlite3")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT 'secret ' || handle || ' ' || secret_lost, client_secret FROM profiles
             UNION ALL SELECT 'token ' || profile_id, sealed FROM tokens
             UNION ALL SELECT 'meta ' || key || ' ' || value, NULL FROM meta WHERE key LIKE 'key_%' ORDER BY 1",
        )
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn a_store_whose_key_is_gone_changes_nothing_opens_again_with_its_item_and_starts_over_only_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("api", "https://auth.example.com/t", "c").secret("s1").add(d);
    TestProfile::client_credentials("other", "https://auth.example.com/t", "c").secret("s2").add(d);
    // The keyring is reset: its item for this store goes.
    let conn = Connection::open(d.join("oauthdesk.sqlite3")).unwrap();
    let (store_id, key_id): (String, String) = conn
        .query_row("SELECT (SELECT value FROM meta WHERE key = 'store_id'), (SELECT value FROM meta WHERE key = 'key_id')", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let item = format!("{store_id}/data-key/{key_id}");
    let original = Keyring::default().get(&item).unwrap().unwrap();
    Keyring::default().delete(&item).unwrap();
    let before = sealed_columns(d);

    let list = json(oauthdesk(d, &["list", "--json"], None));
    assert!(list.as_array().unwrap().iter().all(|p| p["client_secret"] == "unreadable"), "{list}");
    for (args, stdin) in [
        (vec!["token", "api"], None),
        (vec!["edit", "api", "--secret-stdin"], Some("s1-again")),
        (
            vec![
                "add",
                "client-credentials",
                "--handle",
                "new",
                "--set=token_url=https://a.example.com/t",
                "--set=client_id=c",
                "--secret-stdin",
            ],
            Some("s3"),
        ),
        (vec!["rekey"], None),
    ] {
        let run = oauthdesk(d, &args, stdin);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("lacks this store's data key") && run.stderr.contains(&item), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("put the keyring item back") && run.stderr.contains("rekey --discard-unreadable"), "{}", run.stderr);
        assert_eq!(sealed_columns(d), before, "{args:?} changed nothing");
    }
    let failed: serde_json::Value = serde_json::from_str(&oauthdesk(d, &["token", "api", "--json"], None).stdout).unwrap();
    assert_eq!((failed["code"].as_str(), failed["need"].as_str()), (Some("key_missing"), Some("data_key")), "{failed}");

    // The item put back: everything opens again.
    Keyring::default().set(&item, &original).unwrap();
    assert_eq!(desk(d).client_secret("api").unwrap().unwrap().expose(), "s1");
    assert_eq!(desk(d).client_secret("other").unwrap().unwrap().expose(), "s2");

    // Gone again, and the person chooses to start over.
    Keyring::default().delete(&item).unwrap();
    let r = json(oauthdesk(d, &["rekey", "--discard-unreadable", "--json"], None));
    assert_eq!((r["resealed"].as_u64(), r["dropped"].as_u64()), (Some(0), Some(2)), "{r}");
    ok(oauthdesk(d, &["edit", "api", "--secret-stdin"], Some("s1-again")));
    assert_eq!(desk(d).client_secret("api").unwrap().unwrap().expose(), "s1-again");
    assert_eq!(json(oauthdesk(d, &["show", "other", "--json"], None))["client_secret"], "unreadable");
}

/// A store as schema 2 wrote it: each secret a keyring item named in its row.
fn schema_two_store(dir: &Path, count: usize) -> Vec<(String, String)> {
    std::fs::create_dir_all(dir).unwrap();
    let conn = Connection::open(dir.join("oauthdesk.sqlite3")).unwrap();
    conn.execute_batch(include_str!("../../crates/core/migrations/0001_profiles.sql")).unwrap();
    conn.execute_batch(include_str!("../../crates/core/migrations/0002_tokens_and_history.sql")).unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    let store_id: String = conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0)).unwrap();
    let keyring = Keyring::default();
    let fields = r#"{"client_auth":"basic","client_id":"c","token_body":"form","token_url":"https://auth.example.com/token"}"#;
    let mut secrets = Vec::new();
    for i in 1..=count {
        let (handle, secret, item) = (format!("p{i}"), format!("legacy-secret-{i:04}"), format!("{store_id}/{i}/client_secret"));
        conn.execute(
            "INSERT INTO profiles (id, handle, label, template, fields, secret_ref, created_at, updated_at)
             VALUES (?1, ?2, ?2, 'client-credentials', ?3, ?4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            params![i as i64, handle, fields, item],
        )
        .unwrap();
        keyring.set(&item, &oauthdesk_core::Secret::new(secret.clone())).unwrap();
        secrets.push((handle, secret));
    }
    secrets
}

#[test]
fn a_schema_two_store_is_moved_in_even_when_killed_midway() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let secrets = schema_two_store(d, 40);
    let remaining = || -> i64 {
        let conn = Connection::open(d.join("oauthdesk.sqlite3")).unwrap();
        conn.query_row("SELECT count(*) FROM profiles WHERE secret_ref IS NOT NULL", [], |r| r.get(0)).unwrap_or(-1)
    };
    // Kills from early on, later each time, until one lands after the move began.
    let mut seen = Vec::new();
    for ms in (2..200).step_by(3) {
        run_killed(d, &["list"], None, ms);
        let left = remaining();
        seen.push(left);
        if (1..40).contains(&left) {
            break;
        }
    }
    assert!(seen.iter().any(|left| (1..40).contains(left)), "no kill landed during the move: items left {seen:?}");
    ok(oauthdesk(d, &["list"], None));
    let store = desk(d);
    for (handle, secret) in &secrets {
        assert_eq!(store.client_secret(handle).unwrap().unwrap().expose(), secret.as_str(), "{handle}");
    }
    let keyring = Keyring::default();
    let conn = Connection::open(d.join("oauthdesk.sqlite3")).unwrap();
    let store_id: String = conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0)).unwrap();
    for i in 1..=secrets.len() {
        assert!(keyring.get(&format!("{store_id}/{i}/client_secret")).unwrap().is_none(), "item {i} was removed from the keyring");
    }
    let refs: i64 = conn.query_row("SELECT count(*) FROM profiles WHERE secret_ref IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(refs, 0);
    assert!(!data_dir_text(d).contains("legacy-secret-0001"));
}

#[test]
fn processes_killed_during_add_edit_and_remove_leave_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("seed", "https://auth.example.com/t", "c").secret("seed-secret").add(d);
    let mut rng = Lcg(42);
    for i in 0..200 {
        let handle = format!("p{}", rng.below(12));
        let secret = format!("secret-{i}");
        let token_url = "--set=token_url=https://auth.example.com/t";
        let args: Vec<&str> = match rng.below(3) {
            0 => vec!["add", "client-credentials", "--handle", &handle, token_url, "--set=client_id=c", "--secret-stdin"],
            1 => vec!["edit", &handle, "--secret-stdin"],
            _ => vec!["remove", &handle],
        };
        run_killed(d, &args, Some(&secret), rng.below(25));
    }
    assert!(consistent(d) >= 1);
}

#[test]
fn eight_parallel_writers_never_see_a_locked_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    // The first writer makes the key; the others then only read it.
    TestProfile::client_credentials("seed", "https://auth.example.com/t", "c").secret("seed").add(&d);
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let d = d.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..12 {
                    let handle = format!("w{w}-{}", i % 3);
                    let run = match i % 3 {
                        0 => oauthdesk(
                            &d,
                            &[
                                "add",
                                "client-credentials",
                                "--handle",
                                &handle,
                                "--set=token_url=https://a.example.com/t",
                                "--set=client_id=c",
                                "--secret-stdin",
                            ],
                            Some("s"),
                        ),
                        1 => oauthdesk(&d, &["edit", &format!("w{w}-0"), "--secret-stdin", "--label", &format!("L{i}")], Some("s2")),
                        _ => oauthdesk(&d, &["remove", &format!("w{w}-0")], None),
                    };
                    if run.stderr.contains("locked") || run.stderr.contains("busy") {
                        failures.push(run.stderr);
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert!(failures.is_empty(), "{failures:?}");
    consistent(&d);
}

#[test]
fn concurrent_edits_of_different_fields_both_stay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    TestProfile::client_credentials("api", "https://auth.example.com/t", "c").secret("s").add(&d);
    for round in 0..10 {
        let (a, b) = (d.clone(), d.clone());
        let scopes = std::thread::spawn(move || oauthdesk(&a, &["edit", "api", "--set", &format!("scopes=s{round}")], None));
        let label = std::thread::spawn(move || oauthdesk(&b, &["edit", "api", "--label", &format!("L{round}")], None));
        ok(scopes.join().unwrap());
        ok(label.join().unwrap());
        let p = json(oauthdesk(&d, &["show", "api", "--json"], None));
        assert_eq!(
            (p["fields"]["scopes"].as_str(), p["label"].as_str()),
            (Some(format!("s{round}").as_str()), Some(format!("L{round}").as_str())),
            "round {round}: {p}"
        );
    }
}

#[test]
fn processes_opening_a_new_store_at_once_all_open_it() {
    for round in 0..12 {
        let dir = tempfile::tempdir().unwrap();
        let children: Vec<_> = (0..6).map(|_| spawn(dir.path(), &["list", "--json"], None)).collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}
