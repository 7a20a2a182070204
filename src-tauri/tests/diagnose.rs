//! Diagnosis through the CLI: every knowledge-base entry against a local endpoint that
//! answers with it, the network findings made for real on 127.0.0.1 (refused, silent,
//! self-signed, unresolvable, a proxy that is down or wants credentials), 401/403 after a
//! good token, a clock that is off, a healthy profile, and a support report that holds no
//! secret.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{closed_port, json, oauthdesk, Run, Server, StandIn, Stub, TestProfile};
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
    // Salesforce's words for a wrong secret, from the stand-in's knowledge-base endpoint.
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = s.url("/kb/salesforce-bad-secret/token");
    let entry = oauthdesk_core::knowledge_entry("salesforce-bad-secret").unwrap();
    TestProfile::client_credentials("sf", &url, CLIENT).set("provider", "salesforce").secret("x").add(d);
    let (_, v) = diagnose(d, "sf");
    failed_at(&v, "token_endpoint");
    assert_eq!((v["knowledge"].as_str(), v["provider"].as_str()), (Some("salesforce-bad-secret"), Some("Salesforce")), "{v}");
    assert_eq!(v["cause"], entry.cause.as_str());
    assert_eq!(v["source"], entry.source.as_str(), "the entry's documentation is the Learn more link");
    // The same answer from a profile set to another provider gets the generic RFC 6749
    // entry, never Salesforce's steps: the profile's provider wins.
    TestProfile::client_credentials("kc", &url, CLIENT).set("provider", "keycloak").secret("x").add(d);
    let (_, v) = diagnose(d, "kc");
    failed_at(&v, "token_endpoint");
    assert!(v["knowledge"].as_str().unwrap_or_default().starts_with("rfc6749-invalid-client"), "{v}");
    assert!(!v["fix"].to_string().contains("Salesforce"), "{v}");
    // From a profile that names no provider, on a host no provider is known by (a custom
    // domain), the answer itself says it is Salesforce's.
    TestProfile::client_credentials("other", &url, CLIENT).set("provider", "auto").secret("x").add(d);
    let (_, v) = diagnose(d, "other");
    failed_at(&v, "token_endpoint");
    assert_eq!((v["knowledge"].as_str(), v["provider"].as_str()), (Some("salesforce-bad-secret"), Some("Salesforce")), "{v}");
}

#[test]
fn salesforce_text_output_names_provider_cause_fix_and_source() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    TestProfile::salesforce_client_credentials("sf", &s.url(""), "sf-no-flow").secret("x").add(dir.path());
    let run = oauthdesk(dir.path(), &["diagnose", "sf"], None);
    assert_eq!(run.code, 1);
    let entry = oauthdesk_core::knowledge_entry("salesforce-grant-type-not-supported").unwrap();
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

    let tls = StandIn::self_signed();
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
    let s = StandIn::start();
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
    // The answer is in Salesforce's shape (`[{"errorCode", "message"}]`): Salesforce's entry
    // explains it, though the profile names no provider and the host is 127.0.0.1.
    assert_eq!((v["knowledge"].as_str(), v["provider"].as_str()), (Some("salesforce-api-disabled-for-org"), Some("Salesforce")), "{v}");

    TestProfile::client_credentials("clock", &s.url("/future/token"), CLIENT).secret("x").add(d);
    let (_, v) = diagnose(d, "clock");
    assert!(failed_at(&v, "clock").contains("in the future"), "{v}");
    assert!(v["cause"].as_str().unwrap().contains("clock is behind"), "{v}");
}

#[test]
fn a_success_whose_body_says_the_call_failed_fails_the_test_call_and_names_the_scope() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("ok-false", &s.url("/json/token"), CLIENT)
        .set("token_body", "json")
        .set("client_auth", "post")
        .set("test_url", s.url("/ok-false"))
        .secret("json-secret")
        .add(d);
    let (_, v) = diagnose(d, "ok-false");
    assert!(failed_at(&v, "test_call").contains("HTTP 200, but its body says the call failed"), "{v}");
    assert!(v["cause"].as_str().unwrap().contains("users:read"), "the missing scope is named: {v}");
    assert_eq!(v["error"], "missing_scope", "{v}");
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
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
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
    let standin = StandIn::start();
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

/// The findings of a diagnosis's stages, by name.
fn stage<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["stages"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()
}

#[test]
fn a_healthy_profile_of_each_template_diagnoses_healthy() {
    let sf = StandIn::start();
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::salesforce_client_credentials("sf-cc", &sf.url(""), "sf-good").secret("sf-secret").add(d);
    TestProfile::new("salesforce-authorization-code", "sf-code").set("my_domain", sf.url("")).set("client_id", "sf-good").add(d);
    TestProfile::custom_oauth2("custom", &idp, "native-confidential").secret("conf-secret").add(d);
    TestProfile::custom_oauth2("public", &idp, "native-public").add(d);
    TestProfile::client_credentials("cc", &idp.url("/token"), "cc-basic").secret("basic-secret").add(d);
    for handle in ["sf-cc", "sf-code", "custom", "public", "cc"] {
        let (run, v) = diagnose(d, handle);
        assert_eq!((run.code, &v["ok"]), (0, &Value::Bool(true)), "{handle}: {v}");
        assert!(v["stages"].as_array().unwrap().iter().all(|s| s["ok"] == true), "{handle}: {v}");
    }
    // Not signed in: the authorization page and a refused made-up code are what can be checked.
    for handle in ["sf-code", "custom", "public"] {
        let (_, v) = diagnose(d, handle);
        assert!(stage(&v, "authorization")["finding"].as_str().unwrap().contains("sign-in"), "{handle}: {v}");
        assert!(stage(&v, "token_endpoint")["finding"].as_str().unwrap().contains("made-up code was refused"), "{handle}: {v}");
        assert_eq!(stage(&v, "token_response")["skipped"], true, "{handle}");
        // Healthy as far as it could look, and it says what it could not.
        let summary = v["summary"].as_str().unwrap();
        assert!(summary.contains("not checked: Token response (not signed in"), "{handle}: {summary}");
        assert!(!summary.contains("every stage passed"), "{summary}");
    }
    let (_, v) = diagnose(d, "cc");
    assert_eq!(stage(&v, "authorization")["skipped"], true, "client credentials have no sign-in page");
}

#[test]
fn the_authorization_page_is_read_before_anyone_signs_in() {
    let sf = StandIn::start();
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Salesforce sends its errors to its error page, in the URL.
    let sf_code = |handle: &str, client: &str| {
        TestProfile::new("salesforce-authorization-code", handle).set("my_domain", sf.url("")).set("client_id", client)
    };
    sf_code("sf-unknown", "sf-nobody").add(d);
    sf_code("sf-redirect", "sf-good").set("redirect_path", "/oauth/done").add(d);
    for (handle, entry) in [("sf-unknown", "salesforce-unknown-key"), ("sf-redirect", "salesforce-redirect-uri-mismatch")] {
        let (_, v) = diagnose(d, handle);
        failed_at(&v, "authorization");
        assert_eq!(v["knowledge"], entry, "{handle}: {v}");
        assert_eq!(stage(&v, "token_endpoint")["skipped"], true, "{handle}");
    }
    // A real OAuth server (oidc-provider) shows its error on a page: read from the page's text.
    TestProfile::custom_oauth2("wrong-path", &idp, "native-confidential").set("redirect_path", "/elsewhere").secret("conf-secret").add(d);
    TestProfile::custom_oauth2("unknown-client", &idp, "no-such-client").add(d);
    for (handle, error, entry) in [
        ("wrong-path", "invalid_redirect_uri", "rfc7591-invalid-redirect-uri"),
        ("unknown-client", "invalid_client", "rfc6749-authorize-unknown-client"),
    ] {
        let (_, v) = diagnose(d, handle);
        let finding = failed_at(&v, "authorization");
        assert!(finding.contains("HTTP 400"), "{finding}");
        assert_eq!((v["error"].as_str(), v["knowledge"].as_str()), (Some(error), Some(entry)), "{handle}: {v}");
    }
}

#[test]
fn explain_reads_a_pasted_error_in_any_shape() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let explain = |args: &[&str], stdin: Option<&str>| -> (Run, Value) {
        let mut all = vec!["explain", "--json"];
        all.extend_from_slice(args);
        let run = oauthdesk(d, &all, stdin);
        let v = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
        (run, v)
    };
    // curl -v of a token request to Okta: the provider by the host, the stage by the request.
    let curl = "> POST /oauth2/default/v1/token HTTP/2\n> Host: dev-4711.okta.com\n> content-type: application/x-www-form-urlencoded\n>\n< HTTP/2 400\n< content-type: application/json\n<\n{\"error\":\"invalid_scope\",\"error_description\":\"The authorization server resource does not have any configured default scopes, 'scope' must be provided.\"}\n* Connection #0 left intact\n";
    let (run, v) = explain(&[], Some(curl));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!((v["provider"].as_str(), v["stage"].as_str(), v["status"].as_u64()), (Some("Okta"), Some("token"), Some(400)), "{v}");
    assert_eq!(v["knowledge"], "okta-no-default-scopes", "{v}");
    // Keycloak's own words are recognised; the same code alone gets the generic entry.
    let (_, v) = explain(&[r#"{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}"#], None);
    assert_eq!((v["provider"].as_str(), v["knowledge"].as_str()), (Some("Keycloak"), Some("keycloak-bad-secret")), "{v}");
    let (_, v) = explain(&[r#"OAUTH ERROR {"error":"invalid_client"}"#], None);
    assert_eq!((v["provider"].as_str(), v["knowledge"].as_str()), (None, Some("rfc6749-invalid-client")), "{v}");
    // The provider can be named; its entry then explains a bare code.
    let salesforce = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
    let (_, v) = explain(&["--provider", "salesforce", salesforce], None);
    assert!(v["knowledge"].as_str().unwrap().starts_with("salesforce-"), "{v}");
    assert!(v["source"].as_str().unwrap().starts_with("https://developer.salesforce.com/"), "{v}");
    // Text output: the cause, numbered steps and where to learn more.
    let run = oauthdesk(d, &["explain", "-"], Some(salesforce));
    assert!(
        run.stdout.contains("Provider: Salesforce") && run.stdout.contains("  1. ") && run.stdout.contains("Learn more: https://"),
        "{}",
        run.stdout
    );
    // Nothing of the provider's answer in it: what that usually means, what to capture, and
    // the diagnosis to run next; a provider OAuth Desk does not know is said plainly.
    let (run, v) = explain(&["the sync failed"], None);
    assert_eq!(run.code, 1);
    assert_eq!((v["knowledge"].as_str(), v["diagnose_next"].as_bool()), (Some("paste-bare-error"), Some(true)), "{v}");
    assert!(v["fix"].to_string().contains("HTTP status and body"), "{v}");
    let run = oauthdesk(d, &["explain", "OAUTH ERROR"], None);
    assert!(run.code == 1 && run.stdout.contains("Next: diagnose the integration's profile"), "{}", run.stdout);
    let (run, _) = explain(&["--provider", "acme", "{\"error\":\"invalid_client\"}"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("provider: 'acme' is not a provider OAuth Desk knows"), "{}", run.stderr);
    let (run, _) = explain(&[], Some("  \n"));
    assert!(run.code == 2 && run.stderr.contains("text: is empty"), "{}", run.stderr);
}
