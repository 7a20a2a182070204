//! A keyring daemon that stops answering (stopped with SIGSTOP, as one hangs while it
//! restarts): each call ends within its time limit with an error that says so, and the
//! keyring answers again once the daemon does. This stops the private test session's
//! daemon, so it runs only inside `scripts/with-keyring.sh`, alone in its test binary.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

use std::process::Command;
use std::time::{Duration, Instant};

use oauthdesk_core::{Error, Keyring, Secret, SecretStore};

#[cfg(target_os = "linux")]
#[test]
fn a_keyring_that_stops_answering_ends_each_call_within_its_limit() {
    let Ok(pidfile) = std::env::var("OAUTHDESK_TEST_KEYRING_PIDFILE") else {
        eprintln!("SKIPPED: only inside scripts/with-keyring.sh, whose keyring daemon this test stops");
        return;
    };
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    let key = format!("oauthdesk-test/{}/hang", std::process::id());
    Keyring::new("oauthdesk-tests").set(&key, &Secret::new("kept")).unwrap();

    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let outcome = std::panic::catch_unwind(|| {
        for (limit, call) in [(1u64, "get"), (1, "set"), (1, "delete"), (1, "get")] {
            let keyring = Keyring::new("oauthdesk-tests").with_timeout(Duration::from_secs(limit));
            let started = Instant::now();
            let got = match call {
                "get" => keyring.get(&key).map(|_| ()),
                "set" => keyring.set(&key, &Secret::new("other")),
                _ => keyring.delete(&key),
            };
            let waited = started.elapsed();
            let Err(e @ Error::KeyringUnavailable { .. }) = got else { panic!("{call}: {got:?}") };
            assert!(e.to_string().contains(&format!("did not answer within {limit} s")), "{call}: {e}");
            assert!(waited < Duration::from_millis(limit * 1000 + 500), "{call} took {waited:?}");
        }
    });
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    // Answering again (once the calls given up on have run their course: a write given up
    // on may still be done when the daemon wakes).
    std::thread::sleep(Duration::from_secs(3));
    let keyring = Keyring::new("oauthdesk-tests");
    keyring.set(&key, &Secret::new("again")).unwrap();
    assert_eq!(keyring.get(&key).unwrap().map(|s| s.expose().to_string()).as_deref(), Some("again"));
    keyring.delete(&key).unwrap();
}
