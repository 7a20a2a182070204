//! The settings and the bounds they set, through the real binary and the real logging
//! setup: a bad value of any setting is an error naming it and its range that changes
//! nothing; the log never passes its size, however much is written; a profile's history
//! keeps what its setting says. The history test needs the keyring (`make test` runs a
//! private GNOME Keyring; by hand: `scripts/with-keyring.sh cargo test -p oauthdesk --test
//! settings`).
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;

use chrono::{Duration, Utc};
use common::{closed_port, oauthdesk_env, TestProfile};
use oauthdesk_app::rotating::Rotation;
use oauthdesk_app::settings::ALL;
use oauthdesk_core::test_support::model::{Attempt, Stage};
use oauthdesk_core::test_support::store::history::{self, Retention};
use rusqlite::Connection;

/// Values no setting accepts: below and above every range, not numbers, numbers in other
/// spellings.
fn bad_values(min: u64, max: u64) -> Vec<String> {
    vec![
        (min - 1).to_string(),
        (max + 1).to_string(),
        (max * 1000 + 7).to_string(),
        "99999999999999999999999999".into(),
        format!("-{min}"),
        format!("{max}.0"),
        format!("{min}k"),
        "1e3".into(),
        "ten".into(),
        "\u{1b}]0;title\u{7}12".into(),
    ]
}

#[test]
fn a_bad_setting_is_an_error_that_names_it_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    for s in ALL {
        for (i, value) in bad_values(s.min, s.max).into_iter().enumerate() {
            let json = i % 3 == 0;
            let args: &[&str] = if json { &["--json", "list"] } else { &["list"] };
            let run = oauthdesk_env(&store, args, None, &[(s.name, &value)]);
            let context = format!("{}={value:?}: code {}, stdout {}, stderr {}", s.name, run.code, run.stdout, run.stderr);
            assert_eq!(run.code, 2, "{context}");
            assert!(run.stderr.starts_with(&format!("oauthdesk: {}: ", s.name)), "{context}");
            assert!(run.stderr.contains(&format!("from {} to {}", s.min, s.max)), "{context}");
            assert!(!run.stderr.contains('\u{1b}'), "{context}");
            if json {
                let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
                assert_eq!(v["code"], "invalid_input", "{context}");
                assert_eq!(v["field"], s.name, "{context}");
            }
            assert!(!store.exists(), "{context}: nothing is written, not even the log");
        }
    }
    // Every setting at its edges is taken.
    for edge in [0, 1] {
        let values: Vec<(&str, String)> = ALL.iter().map(|s| (s.name, if edge == 0 { s.min } else { s.max }.to_string())).collect();
        let env: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let run = oauthdesk_env(&store, &["list"], None, &env);
        assert_eq!(run.code, 0, "{env:?}: {}", run.stderr);
    }
}

/// Every file in the log folder: name and size, each the user's alone.
fn log_files(dir: &Path) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{:?}", e.path());
            }
            (e.file_name().to_string_lossy().into_owned(), meta.len())
        })
        .collect();
    out.sort();
    out
}

fn within(dir: &Path, limit: Rotation, context: &str) {
    let files = log_files(dir);
    assert!(files.len() <= limit.files as usize + 1, "{context}: {files:?}");
    for (name, len) in &files {
        assert!(*len <= limit.max_bytes, "{context}: {name} holds {len} bytes, above {}: {files:?}", limit.max_bytes);
    }
}

/// Megabytes of lines of every length (multi-byte text, escape sequences, lines longer than
/// the bound) through the real logging setup: no file passes the bound, no more files than
/// kept remain, every one of them 0600.
#[test]
fn the_log_never_passes_its_bound_however_much_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let limit = Rotation { max_bytes: 64 * 1024, files: 3 };
    let guard = oauthdesk_app::logging::init(dir.path(), oauthdesk_app::logging::Mode::Cli, limit);
    let mut seed = 11u64;
    let mut written = 0usize;
    let mut i = 0u64;
    while written < 4 * 1024 * 1024 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let len = match (seed >> 33) % 20 {
            0 => 70 * 1024,
            1 => 64 * 1024 - 90,
            n => usize::try_from((seed >> 40) % (n * 300)).unwrap(),
        };
        let text: String = (0..len).map(|k| ['a', 'é', '日', '\u{1b}', '\n'][k % 5]).collect();
        tracing::info!(i, %text, "line");
        written += text.len();
        i += 1;
    }
    drop(guard);
    let logs = dir.path().join("logs");
    within(&logs, limit, &format!("after {i} lines, {written} bytes"));
    assert_eq!(log_files(&logs).len(), 4, "every kept file is used");
}

/// The binary: a log left far past the bound (and more older files than kept) is brought
/// within it, and commands running at once keep it there.
#[test]
fn the_binary_keeps_the_log_within_its_setting() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let big: String = (0..100_000).map(|i| format!("an old line {i}\n")).collect();
    for name in ["oauthdesk.log", "oauthdesk.log.1", "oauthdesk.log.2", "oauthdesk.log.5"] {
        std::fs::write(logs.join(name), &big).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(logs.join(name), std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    let env = [("OAUTHDESK_LOG_MAX_BYTES", "65536"), ("OAUTHDESK_LOG_FILES", "2")];
    let limit = Rotation { max_bytes: 65536, files: 2 };
    let d = dir.path().to_path_buf();
    // First the files left too large; then a log 2 KiB short of its bound, which the
    // commands' lines, written at once by four processes, take past it.
    for phase in ["too large", "nearly full"] {
        if phase == "nearly full" {
            std::fs::write(logs.join("oauthdesk.log"), big.get(..65536 - 2048).unwrap()).unwrap();
        }
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let d = d.clone();
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        // A command that logs a line (and fails: there is no such profile).
                        let run = oauthdesk_env(&d, &["token", "nope"], None, &env);
                        assert!(run.stderr.contains("no profile"), "{}", run.stderr);
                    }
                })
            })
            .collect();
        for run in runs {
            run.join().unwrap();
        }
        within(&logs, limit, &format!("{phase}: after 100 commands"));
        let current = std::fs::read_to_string(logs.join("oauthdesk.log")).unwrap();
        assert!(current.contains("no profile"), "{phase}: the commands logged");
    }
    let older = std::fs::read_to_string(logs.join("oauthdesk.log.1")).unwrap();
    assert!(older.contains("an old line") && older.contains("no profile"), "the full log rotated during the commands");
}

fn attempt(at: chrono::DateTime<Utc>) -> Attempt {
    Attempt { at, stage: Stage::Token, ok: false, status: Some(400), elapsed_ms: 1, error: None, error_description: None }
}

/// A store with one profile, `h`, whose token URL refuses connections (each `token`
/// records one failed attempt), holding `n` attempts made `age` ago.
fn store_with_history(dir: &Path, n: usize, age: Duration) -> (Connection, i64) {
    let url = format!("http://127.0.0.1:{}/token", closed_port());
    TestProfile::client_credentials("h", &url, "app").secret("s3cr3t-history").add(dir);
    let conn = Connection::open(dir.join(oauthdesk_core::test_support::store::FILE_NAME)).unwrap();
    let id: i64 = conn.query_row("SELECT id FROM profiles WHERE handle = 'h'", [], |r| r.get(0)).unwrap();
    let at = Utc::now() - age;
    let all: Vec<Attempt> = (0..n).map(|_| attempt(at)).collect();
    history::record_within(&conn, id, &all, Retention { attempts: u32::MAX, days: 36_500 }).unwrap();
    (conn, id)
}

fn count(conn: &Connection, id: i64, older_than: Option<chrono::DateTime<Utc>>) -> u64 {
    let oldest = older_than.unwrap_or_else(Utc::now);
    conn.query_row("SELECT count(*) FROM attempts WHERE profile_id = ?1 AND at < ?2", rusqlite::params![id, oldest], |r| r.get::<_, i64>(0))
        .unwrap()
        .unsigned_abs()
}

/// A profile with thousands of attempts keeps at most what the setting says once commands
/// record more (a write removes at most a thousand old ones, so a few commands are needed),
/// under generated counts, the default, and a number of days.
#[test]
fn the_history_keeps_what_its_setting_says() {
    for keep in [None, Some(10u64), Some(37), Some(999)] {
        let dir = tempfile::tempdir().unwrap();
        let (conn, id) = store_with_history(dir.path(), 3000, Duration::hours(1));
        let value = keep.map(|k| k.to_string()).unwrap_or_default();
        let env: Vec<(&str, &str)> = keep.iter().map(|_| ("OAUTHDESK_HISTORY_KEEP", value.as_str())).collect();
        let mut before = count(&conn, id, None);
        for run in 0..4 {
            oauthdesk_env(dir.path(), &["token", "h"], None, &env);
            let now = count(&conn, id, None);
            assert!(now < before || now <= keep.unwrap_or(1000), "{keep:?}, run {run}: {before} then {now}");
            before = now;
        }
        let most = keep.unwrap_or(u64::from(Retention::DEFAULT.attempts));
        assert!(before <= most, "{keep:?}: {before} attempts kept");
        assert!(before >= most.min(4), "{keep:?}: the newest are kept ({before})");
    }
    // Days: attempts older than the setting go, whatever their number.
    let dir = tempfile::tempdir().unwrap();
    let (conn, id) = store_with_history(dir.path(), 2500, Duration::days(20));
    let env = [("OAUTHDESK_HISTORY_DAYS", "5"), ("OAUTHDESK_HISTORY_KEEP", "1000000")];
    for _ in 0..4 {
        oauthdesk_env(dir.path(), &["token", "h"], None, &env);
    }
    assert_eq!(count(&conn, id, Some(Utc::now() - Duration::days(5))), 0, "nothing older than 5 days is left");
    assert!(count(&conn, id, None) >= 4, "the new attempts are kept");
}
