//! Diagnosis through the CLI: every knowledge-base entry against a local endpoint that
//! answers with it, the network findings made for real on 127.0.0.1 (refused, silent,
//! self-signed, unresolvable, a proxy that is down or wants credentials), 401/403 after a
//! good token, a clock that is off, a healthy profile, and a support report that holds no
//! secret.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{closed_port, json, oauthdesk, Run, Server, Stub, TestProfile};
use serde_json::Value;

/// The client ID of the profiles made here, unless a test names another.
const CLIENT: &str = "diag-client";

fn diagnose(dir: &Path, handle: &str) -> (Run, Value) {
    let run = oauthdesk(dir, &["diagnose", handle, "--json"], None);
    let v = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, v)
}

fn failed_at(v: &Value, stage: &str) -> String {
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["stage"], stage, "{v}");
    let st = v["stages"].as_array().unwrap().iter().find(|s| s["name"] == stage).unwrap();
    assert_eq!(st["ok"], false);
    st["finding"].as_str().unwrap().to_string()
}

#[test]
fn the_providers_entry_explains_and_another_providers_never_does() {
    // Salesforce's words for a wrong secret, from the stand-in.
    let s = Server::start("standin.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = s.url("/kb/salesforce-bad-secret/token");
    let entry = oauthdesk_core::knowledge::entry("salesforce-bad-secret").unwrap();
    TestProfile::client_credentials("sf", &url, CLIENT).set("provider", "salesforce").secret("x").add(d);
    let (_, v) = diagnose(d, "sf");
    failed_at(&v, "token_endpoint");
    assert_eq!((v["knowledge"].as_str(), v["provider"].as_str()), (Some("salesforce-bad-secret"), Some("Salesforce")), "{v}");
    assert_eq!(v["cause"], entry.cause.as_str());
    assert_eq!(v["source"], entry.source.as_str(), "the entry's documentation is the Learn more link");
    // The same answer from a provider set to another one, or from one not recognised on
    // 127.0.0.1, gets the generic RFC 6749 entry, never Salesforce's steps.
    for (handle, provider) in [("kc", "keycloak"), ("other", "auto")] {
        TestProfile::client_credentials(handle, &url, CLIENT).set("provider", provider).secret("x").add(d);
        let (_, v) = diagnose(d, handle);
        failed_at(&v, "token_endpoint");
        let id = v["knowledge"].as_str().unwrap_or_default();
        assert!(id.starts_with("rfc6749-invalid-client"), "{handle}: {v}");
        assert!(!v["fix"].to_string().contains("Salesforce"), "{handle}: {v}");
    }
}

#[test]
fn salesforce_text_output_names_provider_cause_fix_and_source() {
    let s = Server::start("standin.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::salesforce_client_credentials("sf", &s.url(""), "sf-no-flow").secret("x").add(dir.path());
    let run = oauthdesk(dir.path(), &["diagnose", "sf"], None);
    assert_eq!(run.code, 1);
    let entry = oauthdesk_core::knowledge::entry("salesforce-grant-type-not-supported").unwrap();
    assert!(run.stdout.contains("✗ Token endpoint"), "{}", run.stdout);
    assert!(run.stdout.contains("Provider: Salesforce"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("Cause: {}", entry.cause)), "{}", run.stdout);
    assert!(run.stdout.contains("Enable Client Credentials Flow"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("Learn more: {}", entry.source)), "{}", run.stdout);
}

#[test]
fn network_findings_refused_silent_and_self_signed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let unused = closed_port();
    TestProfile::client_credentials("refused", &format!("http://127.0.0.1:{unused}/token"), CLIENT).secret("s").add(d);
    let (_, v) = diagnose(d, "refused");
    assert!(failed_at(&v, "network").contains("refused"), "{v}");

    // A server that accepts connections and never answers.
    let silent = Stub::silent();
    TestProfile::client_credentials("silent", &format!("http://127.0.0.1:{}/token", silent.port), CLIENT)
        .set("timeout", "2")
        .secret("s")
        .add(d);
    let (_, v) = diagnose(d, "silent");
    drop(silent);
    assert!(failed_at(&v, "network").contains("does not answer within 2 s (timeout)"), "{v}");

    let tls = Server::start("standin.mjs", &[("TLS", "1")]);
    TestProfile::client_credentials("self-signed", &format!("https://127.0.0.1:{}/json/token", tls.port), CLIENT).secret("s").add(d);
    let (_, v) = diagnose(d, "self-signed");
    let finding = failed_at(&v, "network");
    assert!(finding.contains("unknown authority"), "{finding}");
    assert!(v["cause"].as_str().unwrap().contains("corporate proxy"), "{v}");
}

#[test]
fn a_name_that_does_not_resolve() {
    // In a network namespace of its own the resolver cannot reach any name server, so the
    // lookup fails on this machine without a packet leaving it.
    if !Command::new("unshare").args(["-n", "true"]).status().is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: `unshare -n` is not permitted here (needs root or user namespaces)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    TestProfile::client_credentials("nxdomain", "https://oauthdesk-test.invalid/token", CLIENT).secret("s").add(dir.path());
    let out = Command::new("unshare")
        .args(["-n", env!("CARGO_BIN_EXE_oauthdesk"), "--data-dir", dir.path().to_str().unwrap(), "diagnose", "nxdomain", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = failed_at(&v, "network");
    assert!(finding.contains("DNS: the name oauthdesk-test.invalid does not resolve"), "{finding}");
}

#[test]
fn forbidden_after_a_good_token_and_a_clock_that_is_off() {
    let s = Server::start("standin.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("forbidden", &s.url("/json/token"), CLIENT)
        .set("token_body", "json")
        .set("client_auth", "post")
        .set("test_url", s.url("/forbidden"))
        .secret("json-secret")
        .add(d);
    let (_, v) = diagnose(d, "forbidden");
    assert!(failed_at(&v, "test_call").contains("HTTP 403 after a good token"), "{v}");
    assert!(v["cause"].as_str().unwrap().contains("lacks a scope or permission"), "{v}");

    TestProfile::client_credentials("clock", &s.url("/future/token"), CLIENT).secret("x").add(d);
    let (_, v) = diagnose(d, "clock");
    assert!(failed_at(&v, "clock").contains("in the future"), "{v}");
    assert!(v["cause"].as_str().unwrap().contains("clock is behind"), "{v}");
}

#[test]
fn a_healthy_profile_says_so_and_the_report_keeps_no_secret() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let secret = "basic-secret";
    TestProfile::client_credentials("healthy", &idp.url("/token"), "cc-basic")
        .set("scopes", "api")
        .set("test_url", idp.url("/.well-known/openid-configuration"))
        .secret(secret)
        .add(d);
    let run = oauthdesk(d, &["diagnose", "healthy", "--report", d.join("healthy.md").to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("Healthy: every stage passed."), "{}", run.stdout);
    let (_, v) = diagnose(d, "healthy");
    assert_eq!(v["ok"], true);
    assert!(v["token"]["expires_at"].is_string());
    assert_eq!(v["test"]["status"], 200);
    let token = json(oauthdesk(d, &["token", "healthy", "--json"], None))["access_token"].as_str().unwrap().to_string();

    // A failing run with a known secret.
    let wrong = "wrong-secret-7d2e91ac";
    TestProfile::client_credentials("wrong", &idp.url("/token"), "cc-basic").secret(wrong).add(d);
    let report_path = d.join("wrong.md");
    let run = oauthdesk(d, &["diagnose", "wrong", "--report", report_path.to_str().unwrap()], None);
    assert_eq!(run.code, 1);
    let report = std::fs::read_to_string(&report_path).unwrap();
    assert!(report.contains("invalid_client") && report.contains("## HTTP trace (redacted)"), "{report}");
    assert!(report.contains("Basic [redacted:"), "the Authorization header is redacted: {report}");
    let healthy = std::fs::read_to_string(d.join("healthy.md")).unwrap();
    assert!(healthy.contains("\"access_token\": \"[redacted:"), "{healthy}");
    for (name, text) in [("wrong.md", &report), ("healthy.md", &healthy)] {
        for s in [wrong, secret, token.as_str()] {
            assert!(!text.contains(s), "{name} holds a secret or token");
        }
        let basic = base64_of(&format!("cc-basic:{wrong}"));
        assert!(!text.contains(&basic), "{name} holds the Basic credentials");
    }
}

fn base64_of(s: &str) -> String {
    let out = Command::new("node").args(["-e", &format!("process.stdout.write(Buffer.from({s:?}).toString('base64'))")]).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn proxy_findings_unreachable_and_wanting_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The token URL's host is never looked up: with a proxy, the proxy does that.
    TestProfile::client_credentials("via-proxy", "https://auth.oauthdesk-test.example/oauth/token", CLIENT)
        .set("timeout", "5")
        .secret("s")
        .add(d);
    let run_with = |proxy: &str| {
        let run = common::oauthdesk_env(
            d,
            &["diagnose", "via-proxy", "--json"],
            None,
            &[("HTTPS_PROXY", proxy), ("NO_PROXY", ""), ("no_proxy", "")],
        );
        let v: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
        (run, v)
    };

    let unused = closed_port();
    let (_, v) = run_with(&format!("http://127.0.0.1:{unused}"));
    let finding = failed_at(&v, "network");
    assert!(finding.contains(&format!("cannot connect through the proxy http://127.0.0.1:{unused}")), "{finding}");
    assert!(v["fix"].to_string().contains("NO_PROXY"), "{v}");

    let proxy = Stub::proxy_wanting_credentials();
    let (run, v) = run_with(&format!("http://ops:hunter22@127.0.0.1:{}", proxy.port));
    drop(proxy);
    let finding = failed_at(&v, "network");
    assert!(finding.contains("requires authentication (HTTP 407)"), "{finding}");
    assert!(!run.stdout.contains("hunter22") && !run.stderr.contains("hunter22"), "the proxy password is never shown: {}", run.stdout);
}

#[test]
fn a_failing_gateway_and_a_rate_limit_are_not_called_a_wrong_url() {
    let standin = Server::start("standin.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (handle, path, words) in [
        ("gw502", "/gateway/502/token", "gateway"),
        ("gw503", "/gateway/503/token", "unavailable"),
        ("limited", "/limited/token", "limiting requests"),
    ] {
        TestProfile::client_credentials(handle, &standin.url(path), "c").secret("s").add(d);
        let (_, v) = diagnose(d, handle);
        let cause = v["cause"].as_str().unwrap_or_default();
        assert_eq!(v["stage"], "token_endpoint", "{handle}: {v}");
        assert!(cause.contains(words), "{handle}: {cause}");
        assert!(!cause.contains("not the provider's token endpoint"), "{handle}: {cause}");
    }
}
