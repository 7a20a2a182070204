//! `OAUTHDESK_KEYRING_TIMEOUT` reaches every keyring call of a command: with the keyring
//! daemon stopped (SIGSTOP, as one hangs while it restarts), `token` ends after the time set
//! with an error that names it. This stops the private test session's daemon, so it runs
//! only inside `scripts/with-keyring.sh`, alone in its test binary.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{closed_port, oauthdesk_env, TestProfile};

#[cfg(target_os = "linux")]
#[test]
fn a_command_waits_for_the_keyring_as_long_as_its_setting_says() {
    let Ok(pidfile) = std::env::var("OAUTHDESK_TEST_KEYRING_PIDFILE") else {
        eprintln!("SKIPPED: only inside scripts/with-keyring.sh, whose keyring daemon this test stops");
        return;
    };
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/token", closed_port());
    TestProfile::client_credentials("k", &url, "app").secret("s3cr3t-keyring-setting").add(dir.path());

    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let outcome = std::panic::catch_unwind(|| {
        for secs in [1u64, 3] {
            let value = secs.to_string();
            let started = Instant::now();
            let run = oauthdesk_env(dir.path(), &["token", "k"], None, &[("OAUTHDESK_KEYRING_TIMEOUT", &value)]);
            let waited = started.elapsed();
            assert_eq!(run.code, 1, "{}", run.stderr);
            assert!(run.stderr.contains(&format!("did not answer within {secs} s")), "{secs} s: {}", run.stderr);
            // One call given up on ends the command (a second, at most, while a session opens).
            assert!(waited < Duration::from_secs(2 * secs + 2), "{secs} s: the command took {waited:?}");
        }
    });
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
