//! A team's health in CI warns of certificates about to expire: profiles whose key (with its
//! certificate) comes by reference get the radar's warning when the certificate ends within
//! 30 days, and no other; the run needs no keyring or D-Bus, and prints no key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

/// A key and a self-signed certificate that ends in `days` days, as one PEM file.
fn key_file(dir: &Path, name: &str, days: i64) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec![format!("{name}.example.com")]).unwrap();
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    let cert = params.self_signed(&key).unwrap();
    let path = dir.join(format!("{name}.pem"));
    let key_pem = key.serialize_pem();
    std::fs::write(&path, format!("{key_pem}{}", cert.pem())).unwrap();
    (path.display().to_string(), key_pem)
}

#[test]
fn certificates_ending_within_30_days_are_warned_of_and_no_others() {
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team");
    std::fs::create_dir_all(team.join("profiles")).unwrap();
    std::fs::write(team.join("oauthdesk-team.json"), "{\n  \"format\": \"oauthdesk-team\",\n  \"version\": 1\n}\n").unwrap();
    // Nothing listens there: each profile fails to get a token, and is still warned of.
    let token_url = format!("http://127.0.0.1:{}/token", common::closed_port());
    let days = [2_i64, 12, 29, 31, 45, 200];
    let mut keys = Vec::new();
    for d in days {
        let handle = format!("signed-{d}");
        let (path, key_pem) = key_file(dir.path(), &handle, d);
        keys.push(key_pem);
        let file = json!({
            "fields": { "algorithm": "ES256", "issuer": "ci", "subject": "robot", "token_url": token_url, "key_ref": format!("file:{path}") },
            "handle": handle,
            "template": "jwt-bearer",
            "version": 1
        });
        std::fs::write(team.join("profiles").join(format!("{handle}.json")), serde_json::to_string_pretty(&file).unwrap()).unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .args(["test", "--all", "--team", team.to_str().unwrap(), "--json"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "every profile fails to reach its server: {stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    for (d, result) in days.iter().map(|d| (d, report["results"].as_array().unwrap().iter().find(|r| r["handle"] == format!("signed-{d}"))))
    {
        let result = result.unwrap_or_else(|| panic!("signed-{d} was tested: {stdout}"));
        let warned = result["warnings"].as_array().unwrap().iter().any(|w| w["kind"] == "certificate_expiring");
        assert_eq!(warned, *d < 30, "signed-{d}: a certificate ending in {d} days is warned of only within 30 days");
        assert_eq!(result["failure"]["knowledge"], "request-unreachable", "signed-{d}: {result}");
    }
    for key in &keys {
        let body = key.lines().filter(|l| !l.starts_with("-----")).collect::<String>();
        assert!(!stdout.contains(&body[..40]) && !stderr.contains(&body[..40]), "a private key appeared in the output");
    }
}
