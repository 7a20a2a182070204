//! Waits and growth with a bound: the exchange lock and the store's write lock held by
//! someone else end in an error that names the wait, and a profile's history never grows
//! past its retention, however many attempts are recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::Desk;
use crate::error::Error;
use crate::model::{Attempt, Fields, Stage};
use crate::profile::NewProfile;
use crate::secret::MemorySecrets;
use crate::store::{self, history};

fn desk() -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
    (dir, desk)
}

fn add(desk: &Desk, handle: &str) -> i64 {
    desk.create(NewProfile {
        template: "client-credentials".into(),
        handle: handle.into(),
        label: None,
        fields: Fields::from([("token_url".into(), "https://auth.example.com/token".into()), ("client_id".into(), "c".into())]),
        client_secret: Some(crate::secret::ClientSecret::new("s")),
    })
    .unwrap();
    store::get(&desk.conn(), handle).unwrap().id
}

#[tokio::test]
async fn an_exchange_lock_held_elsewhere_ends_in_an_error_naming_the_wait() {
    let (dir, desk) = desk();
    let id = add(&desk, "held");
    // Another holder: a second open file description of the same lock file (as another
    // process would have), held by another thread.
    let path = dir.path().join("locks").join(format!("profile-{id}.lock"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let holder = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).unwrap();
    holder.lock().unwrap();
    for ms in [200u64, 1000, 1500] {
        let wait = Duration::from_millis(ms);
        let started = Instant::now();
        let got = tokio::time::timeout(wait + Duration::from_secs(3), desk.profile_lock(id, "held", wait))
            .await
            .unwrap_or_else(|_| panic!("still waiting for the lock 3 s after its {ms} ms"));
        let waited = started.elapsed();
        assert!(waited >= wait && waited < wait + Duration::from_millis(500), "{waited:?}");
        let Err(e @ Error::LockTimeout { .. }) = got else { panic!("{got:?}") };
        let secs = wait.as_secs_f64().ceil();
        assert_eq!(e.to_string(), format!("the token exchange of 'held' (its lock) stayed busy for {secs} s (another OAuth Desk process held it all that time); try again once it is done"));
        assert_eq!(e.code(), crate::error::ErrorCode::Timeout);
    }
    // Released: taken at once.
    holder.unlock().unwrap();
    let started = Instant::now();
    assert!(desk.profile_lock(id, "held", Duration::from_secs(5)).await.is_ok());
    assert!(started.elapsed() < Duration::from_millis(200));
}

#[test]
fn a_store_write_lock_held_elsewhere_ends_in_an_error_naming_the_wait() {
    let (dir, desk) = desk();
    add(&desk, "a");
    let other = rusqlite::Connection::open(store::path_in(dir.path())).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let got = desk.remove("a");
    let waited = started.elapsed();
    let Err(e @ Error::LockTimeout { .. }) = got else { panic!("{got:?}") };
    assert!(waited >= store::BUSY_WAIT && waited < store::BUSY_WAIT + Duration::from_secs(2), "{waited:?}");
    assert_eq!(
        e.to_string(),
        "the store (its write lock) stayed busy for 5 s (another OAuth Desk process held it all that time); try again once it is done"
    );
    other.execute_batch("ROLLBACK").unwrap();
    assert!(desk.remove("a").is_ok());
}

fn attempt(at: chrono::DateTime<Utc>, ok: bool) -> Attempt {
    Attempt { at, stage: Stage::Token, ok, status: Some(200), elapsed_ms: 1, error: None, error_description: None }
}

fn count(desk: &Desk, id: i64) -> i64 {
    desk.conn().query_row("SELECT count(*) FROM attempts WHERE profile_id = ?1", [id], |r| r.get(0)).unwrap()
}

#[test]
fn a_profiles_history_never_grows_past_its_retention() {
    let (_dir, desk) = desk();
    let (a, b) = (add(&desk, "a"), add(&desk, "b"));
    let now = Utc::now();
    // Thousands of attempts, one to five per write, under the default and under others.
    let mut n = 0u64;
    for keep in [history::Retention::DEFAULT, history::Retention { attempts: 7, days: 90 }, history::Retention { attempts: 1, days: 1 }] {
        for _ in 0..1500 {
            n += 1;
            let batch: Vec<Attempt> = (0..1 + n % 5).map(|_| attempt(now, n.is_multiple_of(3))).collect();
            let mut conn = desk.conn();
            let tx = store::write(&mut conn).unwrap();
            history::record_within(&tx, a, &batch, keep).unwrap();
            tx.commit().unwrap();
            drop(conn);
            assert!(count(&desk, a) <= i64::from(keep.attempts), "{keep:?}: {}", count(&desk, a));
        }
        // The newest are the ones kept, and another profile's history is untouched.
        assert_eq!(count(&desk, a), i64::from(keep.attempts).min(count(&desk, a)));
        assert_eq!(desk.history("a", 1).unwrap().len(), 1);
    }
    history::record_within(&desk.conn(), b, &[attempt(now, true)], history::Retention { attempts: 1, days: 1 }).unwrap();
    assert_eq!(count(&desk, b), 1);
    // Older than its days: gone at the next write, except the very last attempt.
    let old = now - chrono::Duration::days(30);
    let keep = history::Retention { attempts: 1000, days: 10 };
    for _ in 0..50 {
        history::record_within(&desk.conn(), b, &[attempt(old, false)], keep).unwrap();
    }
    assert_eq!(count(&desk, b), 2, "the recent attempt and the last, old, one are left");
    history::record_within(&desk.conn(), b, &[attempt(now, true)], keep).unwrap();
    assert_eq!(count(&desk, b), 2, "the two recent ones are left");
}
