//! Bad input and odd answers at the edges: no panic, a clear error that names the field,
//! nothing lost. Secrets with line breaks or control characters, direction controls in a
//! label, an import with a byte-order mark, lifetimes beyond any date, an absurd margin, a
//! reader that goes away, and files only the user can read.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{json, oauthdesk, ok, StandIn, TestProfile};

fn no_panic(run: &common::Run) {
    assert_ne!(run.code, 101, "panicked: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn secrets_with_line_breaks_or_control_characters_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for secret in ["two\nlines", "carriage\rreturn", "nul\0byte", "tab\tinside"] {
        let run = TestProfile::client_credentials("api", "https://a.example.com/t", "c").secret(secret).try_add(d);
        assert_eq!(run.code, 2, "{secret:?}: {}", run.stderr);
        assert!(run.stderr.contains("client_secret: "), "{}", run.stderr);
    }
    assert!(json(oauthdesk(d, &["list", "--json"], None)).as_array().unwrap().is_empty(), "nothing was stored");
    // One trailing newline, as `echo` adds, is no part of the secret.
    TestProfile::client_credentials("api", "https://a.example.com/t", "c").secret("fine\n").add(d);
    let huge = "x".repeat(9000);
    let run = oauthdesk(d, &["edit", "api", "--secret-stdin"], Some(&huge));
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn direction_controls_in_a_label_are_refused_and_an_import_may_start_with_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = TestProfile::client_credentials("api", "https://a.example.com/t", "c").secret("s").label("evil\u{202E}gnp.exe").try_add(d);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("label: "), "{}", run.stderr);
    TestProfile::client_credentials("api", "https://a.example.com/t", "c").secret("s").add(d);
    let export = ok(oauthdesk(d, &["export"], None)).stdout;
    let other = tempfile::tempdir().unwrap();
    let run = oauthdesk(other.path(), &["import", "-"], Some(&format!("\u{feff}{export}")));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn lifetimes_beyond_any_date_and_an_absurd_margin_do_not_panic() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["big", "big-string", "negative", "huge"] {
        TestProfile::client_credentials(name, &standin.url(&format!("/lifetime/{name}/token")), "c").secret("s").add(d);
        let token = oauthdesk(d, &["token", name, "--json"], None);
        no_panic(&token);
        assert_eq!(token.code, 0, "{name}: {}", token.stderr);
        let v: serde_json::Value = serde_json::from_str(&token.stdout).unwrap();
        assert_ne!(v["expiry_source"], "expires_in", "{name}: an unbelievable expires_in is not believed");
        for args in [vec!["test", name], vec!["diagnose", name, "--json"], vec!["token", name, "--margin", "9223372036854775807"]] {
            no_panic(&oauthdesk(d, &args, None));
        }
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let profiles: Vec<serde_json::Value> = (0..600)
        .map(|i| {
            serde_json::json!({"handle": format!("p{i}"), "label": format!("P {i}"), "template": "client-credentials",
            "fields": {"token_url": "https://a.example.com/t", "client_id": "c"}})
        })
        .collect();
    let file =
        serde_json::json!({"format": "oauthdesk-profiles", "version": 1, "exported_at": "2026-01-01T00:00:00Z", "profiles": profiles});
    ok(oauthdesk(d, &["import", "-"], Some(&file.to_string())));
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .args(["--data-dir", d.to_str().unwrap(), "list", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take()); // `| head -c 100`
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn the_store_and_the_logs_are_the_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let d = parent.path().join("fresh");
    TestProfile::client_credentials("api", "https://a.example.com/t", "c").secret("s").add(&d);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&d), 0o700, "the data directory");
    assert_eq!(mode(&d.join("oauthdesk.sqlite3")), 0o600, "the store");
    assert_eq!(mode(&d.join("logs").join("oauthdesk.log")), 0o600, "the log");
    assert_eq!(mode(&d.join("logs")), 0o700, "the log folder");
    let export = parent.path().join("export.json");
    ok(oauthdesk(&d, &["export", "-o", export.to_str().unwrap()], None));
    assert_eq!(mode(&export), 0o600, "an export");
    let report = parent.path().join("report.md");
    let _ = oauthdesk(&d, &["diagnose", "api", "--report", report.to_str().unwrap()], None);
    assert_eq!(mode(&report), 0o600, "a report");
    let nowhere = oauthdesk(&d, &["export", "-o", "/nonexistent-dir/x.json"], None);
    assert!(nowhere.stderr.contains("/nonexistent-dir/x.json"), "an I/O error names the path: {}", nowhere.stderr);
}

#[test]
fn an_oversized_field_value_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("https://a.example.com/{}", "x".repeat(5000));
    let run = TestProfile::client_credentials("api", &long, "c").secret("s").try_add(dir.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("token_url: ") && run.stderr.contains("KiB"), "{}", run.stderr);
}
