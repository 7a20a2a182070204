//! The keyring daemon restarting under a long-lived process (the window): the shared Secret
//! Service session goes stale and is reopened, with nothing lost. This stops the private
//! test session's daemon and starts another, so it runs only inside `scripts/with-keyring.sh`
//! (which `make test` uses) and alone in its test binary.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use oauthdesk_core::{Keyring, Secret, SecretStore};

#[cfg(target_os = "linux")]
#[test]
fn a_restarted_keyring_daemon_is_reconnected_to() {
    let (Ok(pidfile), Ok(password)) = (std::env::var("OAUTHDESK_TEST_KEYRING_PIDFILE"), std::env::var("OAUTHDESK_TEST_KEYRING_PASSWORD"))
    else {
        eprintln!("SKIPPED: only inside scripts/with-keyring.sh, whose keyring daemon this test restarts");
        return;
    };
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    let keyring = Keyring::new("oauthdesk-tests");
    let key = format!("oauthdesk-test/{}/restart", std::process::id());
    keyring.set(&key, &Secret::new("kept-across-restarts")).unwrap();

    // Stop the daemon, wait (at most 5 s) until it is gone, and start a new one, unlocked.
    assert!(Command::new("kill").arg(&pid).status().unwrap().success());
    for _ in 0..50 {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets", "--daemonize"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    daemon.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
    assert!(daemon.wait().unwrap().success(), "a new keyring daemon started");
    // The new daemon loads its keyring file after it answers on the bus: a fresh session
    // waits (at most 30 s: a loaded machine is slow to start it) until it serves items, so
    // what follows tests the stale one only.
    let fresh = Keyring::new("oauthdesk-tests");
    let mut served = false;
    for _ in 0..300 {
        served = matches!(fresh.get(&key), Ok(Some(_)));
        if served {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(served, "the new keyring daemon serves the item within 30 s");

    // The session opened before the restart is stale; the store reopens it by itself.
    let got = keyring.get(&key).unwrap().map(|s| s.expose().to_string());
    assert_eq!(got.as_deref(), Some("kept-across-restarts"));
    keyring.delete(&key).unwrap();
    assert!(keyring.get(&key).unwrap().is_none());
}
