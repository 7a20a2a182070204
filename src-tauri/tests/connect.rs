//! Client-credentials exchanges and test calls through the CLI, against a real OAuth server
//! (npm's oidc-provider) and the sandbox's test scenarios for Salesforce's exact answers and
//! for misbehaving endpoints. Both run on 127.0.0.1 and stop when the test ends. The token
//! cache's life (renewal, a refused token, simultaneous callers) is in cache.rs.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use common::{json, oauthdesk, ok, Run, Server, StandIn, TestProfile};
use serde_json::Value;

fn fails(run: Run) -> (Run, Value) {
    assert_ne!(run.code, 0, "expected a failure, got: {}", run.stdout);
    let v = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, v)
}

#[test]
fn oidc_provider_basic_and_body_auth_cache_and_expiry() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token_url = idp.url("/token");
    TestProfile::client_credentials("basic", &token_url, "cc-basic")
        .set("scopes", "api")
        .set("client_auth", "basic")
        .secret("basic-secret")
        .add(d);
    TestProfile::client_credentials("post", &token_url, "cc-post")
        .set("scopes", "read")
        .set("client_auth", "post")
        .secret("post-secret")
        .add(d);

    let first = json(oauthdesk(d, &["token", "basic", "--json"], None));
    assert_eq!(first["source"], "network");
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["scope"], "api");
    assert_eq!(first["expiry_source"], "expires_in");
    let left = first["expires_in"].as_i64().unwrap();
    assert!((590..=600).contains(&left), "expires_in {left}");
    assert!(first["expires_at"].as_str().unwrap().contains('T'), "RFC 3339: {}", first["expires_at"]);

    let token_requests = idp.hits("/token");
    let second = json(oauthdesk(d, &["token", "basic", "--json"], None));
    assert_eq!(second["source"], "cache");
    assert_eq!(second["access_token"], first["access_token"]);
    assert_eq!(idp.hits("/token"), token_requests, "a cached token makes no request");
    let plain = ok(oauthdesk(d, &["token", "basic"], None)).stdout;
    assert_eq!(plain.trim(), first["access_token"].as_str().unwrap(), "without --json only the token is printed");

    let forced = json(oauthdesk(d, &["token", "basic", "--force", "--json"], None));
    assert_eq!(forced["source"], "network");
    assert_ne!(forced["access_token"], first["access_token"]);

    let post = json(oauthdesk(d, &["token", "post", "--json"], None));
    assert_eq!((post["source"].as_str(), post["scope"].as_str()), (Some("network"), Some("read")));

    // The token lives in the keyring only.
    let db = std::fs::read(d.join("oauthdesk.sqlite3")).unwrap();
    let wal = std::fs::read(d.join("oauthdesk.sqlite3-wal")).unwrap_or_default();
    for t in [&first, &forced, &post] {
        let t = t["access_token"].as_str().unwrap();
        assert!(!String::from_utf8_lossy(&db).contains(t) && !String::from_utf8_lossy(&wal).contains(t));
    }
}

#[test]
fn oidc_provider_wrong_secret_is_reported_as_invalid_client() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::client_credentials("wrong", &idp.url("/token"), "cc-basic").secret("not-the-secret").add(dir.path());
    let (run, v) = fails(oauthdesk(dir.path(), &["token", "wrong", "--json"], None));
    assert_eq!(run.code, 1);
    assert_eq!(v["ok"], false);
    assert_eq!(v["stage"], "token");
    assert_eq!(v["status"], 401);
    assert_eq!(v["error"], "invalid_client");
    assert!(v["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
    let text = oauthdesk(dir.path(), &["token", "wrong"], None);
    assert!(text.stderr.contains("invalid_client"), "{}", text.stderr);
    let history = json(oauthdesk(dir.path(), &["history", "wrong", "--json"], None));
    assert_eq!(history[0]["error"], "invalid_client");
    assert_eq!(history[0]["status"], 401);
    let list = json(oauthdesk(dir.path(), &["list", "--json"], None));
    assert_eq!(list[0]["connection"]["state"], "failing");
}

#[test]
fn oidc_provider_expiry_from_introspection_when_expires_in_is_missing() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::client_credentials("noexp", &idp.url("/token"), "cc-noexp")
        .set("introspect_url", idp.url("/token/introspection"))
        .secret("noexp-secret")
        .add(dir.path());
    let t = json(oauthdesk(dir.path(), &["token", "noexp", "--json"], None));
    assert_eq!(t["expiry_source"], "introspection");
    let left = t["expires_in"].as_i64().unwrap();
    assert!((590..=600).contains(&left), "expires_in {left}");
    assert_eq!(idp.hits("/token/introspection"), 1);
    let list = json(oauthdesk(dir.path(), &["list", "--json"], None));
    assert_eq!(list[0]["connection"]["state"], "connected");
}

#[test]
fn salesforce_shaped_success_without_expires_in_and_the_default_test_call() {
    let sf = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    TestProfile::salesforce_client_credentials("sf", &sf.url(""), "sf-good").secret("sf-secret").add(dir.path());
    let t = json(oauthdesk(dir.path(), &["token", "sf", "--json"], None));
    assert_eq!(t["instance_url"], sf.url(""));
    assert!(t["issued_at"].as_str().is_some(), "issued_at is read from epoch milliseconds: {t}");
    assert_eq!(t["expiry_source"], "introspection", "Salesforce sends no expires_in; its introspection answers exp");
    assert!(t["expires_in"].as_i64().unwrap() > 7000);
    assert_eq!(t["extra"]["signature"], "c2lnbmF0dXJl");

    let test = json(oauthdesk(dir.path(), &["test", "sf", "--json"], None));
    assert_eq!(test["ok"], true);
    assert_eq!(test["status"], 200);
    assert_eq!(test["url"], sf.url("/services/data/v62.0/limits"), "the newest API version's limits");
    assert!(test["body"].as_str().unwrap().contains("DailyApiRequests"));
    assert!(test["elapsed_ms"].as_u64().is_some());
    assert_eq!(test["token"]["source"], "cache");
}

#[test]
fn salesforce_error_bodies_are_reported_verbatim() {
    let sf = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("sf-wrong-domain", "sf-secret", "invalid_grant", "request not supported on this domain"),
        ("sf-no-user", "sf-secret", "invalid_grant", "no client credentials user enabled"),
        ("sf-bad-key", "sf-secret", "invalid_client_id", "client identifier invalid"),
        ("sf-good", "wrong-secret", "invalid_client", "invalid client credentials"),
        ("sf-no-flow", "sf-secret", "unsupported_grant_type", "grant type not supported"),
    ];
    for (i, (key, secret, error, description)) in cases.iter().enumerate() {
        let handle = format!("sf-{i}");
        TestProfile::salesforce_client_credentials(&handle, &sf.url(""), key).secret(*secret).add(dir.path());
        let (run, v) = fails(oauthdesk(dir.path(), &["token", &handle, "--json"], None));
        assert_eq!((v["error"].as_str(), v["error_description"].as_str()), (Some(*error), Some(*description)), "{key}");
        assert_eq!(v["status"], 400);
        assert!(run.stderr.contains(&format!("{error}: {description}")), "{}", run.stderr);
    }
}

#[test]
fn a_success_whose_body_says_the_call_failed_is_no_success() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    TestProfile::client_credentials("ok-false", &s.url("/json/token"), "c")
        .set("token_body", "json")
        .set("client_auth", "post")
        .set("test_url", s.url("/ok-false"))
        .secret("json-secret")
        .add(dir.path());
    let run = oauthdesk(dir.path(), &["test", "ok-false", "--json"], None);
    assert_ne!(run.code, 0, "a failed call is no success: {}", run.stdout);
    assert!(run.stderr.contains("its body says the call failed"), "{}", run.stderr);
    let v: Value = serde_json::Deserializer::from_str(&run.stdout).into_iter().next().unwrap().unwrap();
    assert_eq!((v["ok"].as_bool(), v["status"].as_u64()), (Some(false), Some(200)), "{v}");
    assert_eq!(v["problem"]["codes"][0], "missing_scope", "{v}");
    assert_eq!(v["problem"]["scopes"][0], "users:read", "{v}");
}

#[test]
fn the_token_goes_only_to_allowed_hosts() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token = s.url("/json/token");
    let json_cc = |handle: &str| {
        TestProfile::client_credentials(handle, &token, "c").set("token_body", "json").set("client_auth", "post").secret("json-secret")
    };
    json_cc("good").set("test_url", s.url("/me")).set("default_params", "version=2").add(d);
    let good = json(oauthdesk(d, &["test", "good", "--json"], None));
    assert_eq!(good["status"], 200);
    assert!(good["body"].as_str().unwrap().contains(r#""version": "2""#), "default parameters are sent: {}", good["body"]);

    json_cc("other-host").set("test_url", format!("http://localhost:{}/me", s.port)).set("allowed_hosts", "127.0.0.1").add(d);
    json_cc("redirected").set("test_url", s.url("/me/elsewhere")).add(d);
    let before = s.hits("/me");
    for handle in ["other-host", "redirected"] {
        let (run, v) = fails(oauthdesk(d, &["test", handle, "--json"], None));
        assert_eq!(v["code"], "host_not_allowed", "{handle}: {}", run.stderr);
        assert!(run.stderr.contains("localhost is not on the profile's allowed hosts"), "{}", run.stderr);
    }
    assert_eq!(s.hits("/me"), before, "nothing reached the other host");

    // Another port of the same host is another place: the token does not follow.
    json_cc("other-port").set("test_url", s.url("/me/other-port")).add(d);
    let (run, v) = fails(oauthdesk(d, &["test", "other-port", "--json"], None));
    assert_eq!(v["code"], "host_not_allowed", "{}", run.stderr);
    assert!(run.stderr.contains(&format!("127.0.0.1:{} is not on", s.port + 1)), "{}", run.stderr);
    // Unless the profile allows that port by name.
    json_cc("port-allowed")
        .set("test_url", s.url("/me/other-port"))
        .set("allowed_hosts", format!("127.0.0.1:{}, 127.0.0.1:{}", s.port, s.port + 1))
        .add(d);
    let (run, v) = fails(oauthdesk(d, &["test", "port-allowed", "--json"], None));
    assert_ne!(v["code"], "host_not_allowed", "allowed by name, so the call was made: {}", run.stderr);
}

#[test]
fn json_bodies_custom_fields_string_expiry_and_jwt_expiry() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("json", &s.url("/json/token"), "c")
        .set("token_body", "json")
        .set("client_auth", "post")
        .secret("json-secret")
        .add(d);
    let t = json(oauthdesk(d, &["token", "json", "--json"], None));
    assert_eq!((t["token_type"].as_str(), t["expiry_source"].as_str()), (Some("Bearer"), Some("expires_in")));
    assert!(t["expires_in"].as_i64().unwrap() > 890);

    TestProfile::client_credentials("custom", &s.url("/custom/token"), "c").set("token_field", "accessToken").secret("x").add(d);
    let t = json(oauthdesk(d, &["token", "custom", "--json"], None));
    assert!(t["access_token"].as_str().unwrap().starts_with("custom-"));
    assert!((1790..=1800).contains(&t["expires_in"].as_i64().unwrap()), "expires_in as a string: {t}");

    TestProfile::client_credentials("no-field", &s.url("/custom/token"), "c").secret("x").add(d);
    let (run, _) = fails(oauthdesk(d, &["token", "no-field"], None));
    assert!(run.stderr.contains("no 'access_token' field") && run.stderr.contains("accessToken"), "{}", run.stderr);

    TestProfile::client_credentials("jwt", &s.url("/jwt/token"), "c").secret("x").add(d);
    let t = json(oauthdesk(d, &["token", "jwt", "--json"], None));
    assert_eq!(t["expiry_source"], "jwt");
    assert!((5390..=5400).contains(&t["expires_in"].as_i64().unwrap()));
}

#[test]
fn html_pages_timeouts_huge_bodies_and_redirects_are_named() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("html", &s.url("/html/token"), "c").secret("x").add(d);
    TestProfile::client_credentials("slow", &s.url("/slow/token"), "c").set("timeout", "2").secret("x").add(d);
    TestProfile::client_credentials("huge", &s.url("/huge/token"), "c").secret("x").add(d);
    TestProfile::client_credentials("moved", &s.url("/redirect/token"), "c").secret("x").add(d);
    let expect = [
        ("html", "bad_response", "HTML page (HTTP 404)"),
        ("slow", "timeout", "token: 127.0.0.1 did not answer within 2 s (timeout)"),
        ("huge", "bad_response", "more than 1024 KiB"),
        ("moved", "bad_response", "redirect (HTTP 302) to https://login.example.com"),
    ];
    for (handle, code, words) in expect {
        let (run, v) = fails(oauthdesk(d, &["token", handle, "--json"], None));
        assert_eq!(v["code"], code, "{handle}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{handle}: {}", run.stderr);
    }
}

#[test]
fn a_changed_token_or_test_origin_gets_no_credential_until_confirmed() {
    let first = StandIn::start();
    let other = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("moved", &first.url("/session/token"), "c")
        .secret("entrusted-secret")
        .set("test_url", first.url("/session/me"))
        .add(d);
    ok(oauthdesk(d, &["test", "moved"], None));
    // The token URL moves to another origin (as an edit or discover --apply would do it).
    ok(oauthdesk(d, &["edit", "moved", "--set", &format!("token_url={}", other.url("/session/token"))], None));
    let show = json(oauthdesk(d, &["show", "moved", "--json"], None));
    // The token URL, and the test call's hosts (the token URL's host is one by default).
    assert_eq!(show["unconfirmed"].as_array().map(Vec::len), Some(2), "{show}");
    let refused = oauthdesk(d, &["token", "moved", "--force"], None);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--confirm-origins"), "{}", refused.stderr);
    assert_eq!(other.hits("/session/token"), 0, "the secret went nowhere new");
    ok(oauthdesk(d, &["edit", "moved", "--confirm-origins"], None));
    ok(oauthdesk(d, &["token", "moved", "--force"], None));
    assert_eq!(other.hits("/session/token"), 1);
    // The same for the test URL and the bearer token (on a third host: the token URL's host
    // is one of the test call's hosts already).
    let third = StandIn::start();
    ok(oauthdesk(d, &["edit", "moved", "--set", &format!("test_url={}", third.url("/session/me"))], None));
    let refused = oauthdesk(d, &["test", "moved"], None);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(third.hits("/session/me"), 0, "the token went nowhere new");
    // Each move needs its own confirmation.
    ok(oauthdesk(d, &["edit", "moved", "--confirm-origins"], None));
    oauthdesk(d, &["test", "moved"], None);
    assert!(third.hits("/session/me") >= 1, "confirmed, the token goes to the new test URL");
}

#[test]
fn the_legacy_password_grant_sends_the_password_and_no_client_secret() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let password = |handle: &str, url: &str, pw: &str| {
        TestProfile::new("password", handle).set("token_url", url).set("client_id", "pw-client").set("username", "alice").secret(pw)
    };
    password("pw", &s.url("/password/token"), "alice-password-1").add(d);
    let t = json(oauthdesk(d, &["token", "pw", "--json"], None));
    assert_eq!(t["source"], "network", "{t}");
    let v: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "pw", "--json"], None).stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let body = v["trace"][0]["request_body"].as_str().unwrap();
    assert!(body.contains("grant_type=password") && body.contains("password=[redacted:") && !body.contains("alice-password-1"), "{body}");
    // A wrong password, and Salesforce, which blocks the flow in new orgs: each named.
    password("pw-wrong", &s.url("/password/token"), "nope").add(d);
    let v: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "pw-wrong", "--json"], None).stdout).unwrap();
    assert_eq!((v["stage"].as_str(), v["error"].as_str()), (Some("token_endpoint"), Some("invalid_grant")), "{v}");
    password("pw-sf", &s.url("/services/oauth2/token"), "x").add(d);
    let v: Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "pw-sf", "--json"], None).stdout).unwrap();
    assert_eq!((v["provider"].as_str(), v["knowledge"].as_str()), (Some("Salesforce"), Some("salesforce-authentication-failure")), "{v}");
    assert!(v["cause"].as_str().unwrap().contains("blocked"), "{v}");
}

#[test]
fn test_all_checks_every_profile_and_explains_each_failure() {
    let idp = Server::start("oidc.mjs", &[]);
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..5 {
        TestProfile::client_credentials(&format!("ok-{i}"), &idp.url("/token"), "cc-basic")
            .set("scopes", "api")
            .set("test_url", idp.url("/.well-known/openid-configuration"))
            .secret("basic-secret")
            .add(d);
    }
    TestProfile::client_credentials("bad", &s.url("/kb/salesforce-no-run-as-user/token"), "c")
        .set("provider", "salesforce")
        .secret("x")
        .add(d);
    let run = oauthdesk(d, &["test", "--all", "--json", "--parallel", "3"], None);
    assert_eq!(run.code, 1, "one failing profile: {}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["ok"].as_u64(), v["failed"].as_u64()), (Some(5), Some(1)), "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let bad = results.iter().find(|r| r["handle"] == "bad").unwrap();
    assert_eq!(
        (bad["ok"].as_bool(), bad["status"].as_u64(), bad["knowledge"].as_str()),
        (Some(false), Some(400), Some("salesforce-no-run-as-user")),
        "{bad}"
    );
    assert!(bad["cause"].as_str().unwrap().contains("Run As"), "{bad}");
    let good = results.iter().find(|r| r["handle"] == "ok-0").unwrap();
    assert_eq!((good["ok"].as_bool(), good["status"].as_u64()), (Some(true), Some(200)));
    assert!(good["elapsed_ms"].is_u64() && good.get("cause").is_some_and(Value::is_null));
    // Text: a line each and the summary; all passing exits 0.
    let text = oauthdesk(d, &["test", "--all"], None).stdout;
    assert!(text.contains("✗ bad") && text.contains("5 ok, 1 failing"), "{text}");
    ok(oauthdesk(d, &["remove", "bad"], None));
    assert_eq!(oauthdesk(d, &["test", "--all"], None).code, 0);
    let run = oauthdesk(d, &["test"], None);
    assert!(run.code == 2 && run.stderr.contains("handle: give a profile's handle, or --all"), "{}", run.stderr);
}
