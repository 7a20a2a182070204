//! The keyring daemon crashing in the middle of a call (GNOME Keyring has been seen to abort
//! under load): the call waits for the daemon to be started again and is answered, instead
//! of failing with the D-Bus error. This crashes the private test session's daemon, so it
//! runs only inside `scripts/with-keyring.sh` (whose supervisor starts a crashed daemon
//! again) and alone in its test binary.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

use std::process::Command;
use std::time::Duration;

use oauthdesk_core::{Keyring, Secret, SecretStore};

#[cfg(target_os = "linux")]
#[test]
fn a_call_the_daemon_crashes_during_is_answered_by_the_daemon_started_again() {
    let Ok(pidfile) = std::env::var("OAUTHDESK_TEST_KEYRING_PIDFILE") else {
        eprintln!("SKIPPED: only inside scripts/with-keyring.sh, whose keyring daemon this test crashes");
        return;
    };
    let key = format!("oauthdesk-test/{}/crash", std::process::id());
    Keyring::new("oauthdesk-tests").set(&key, &Secret::new("kept")).unwrap();
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();

    // The daemon is held still, a fresh process-like session starts a write and a read, and
    // the daemon then dies of SIGTRAP (as it does when it aborts) with both calls in flight.
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let write = std::thread::spawn({
        let key = key.clone();
        move || Keyring::new("oauthdesk-tests").with_timeout(Duration::from_secs(20)).set(&key, &Secret::new("written"))
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(Command::new("kill").args(["-TRAP", &pid]).status().unwrap().success());
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());

    let written = write.join().unwrap();
    assert!(written.is_ok(), "the write the daemon crashed during: {written:?}");
    // The new daemon serves the value written (it may take a moment to load its file).
    let keyring = Keyring::new("oauthdesk-tests");
    let mut got = None;
    for _ in 0..100 {
        got = keyring.get(&key).unwrap().map(|s| s.expose().to_string());
        if got.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(got.as_deref(), Some("written"));
    keyring.delete(&key).unwrap();
}
