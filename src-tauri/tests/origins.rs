//! No credential reaches a destination no one confirmed: every kind of endpoint (token,
//! device authorization, revocation, introspection, the test call's hosts), moved to a new
//! origin by every route (an edit, `discover --apply`, a token response's `instance_url`, a
//! redirect), with every command that sends credentials run afterwards. A catcher server on
//! 127.0.0.1 records whatever arrives; it must see nothing until the move is confirmed, and
//! then it does (so the test would see a leak).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use common::{oauthdesk, oauthdesk_env, ok, HttpStub, Received, TestProfile};

/// A provider that answers every endpoint OAuth Desk calls; its metadata and its token
/// responses' `instance_url` name `elsewhere`.
fn provider(elsewhere: String) -> HttpStub {
    HttpStub::start(move |req: &Received, port| {
        let base = format!("http://127.0.0.1:{port}");
        let path = req.path.split('?').next().unwrap_or("");
        let json = |v: serde_json::Value| (200, v.to_string(), Vec::new());
        match (req.method.as_str(), path) {
            ("GET", "/.well-known/openid-configuration") => json(serde_json::json!({
                "issuer": base,
                "authorization_endpoint": format!("{elsewhere}/authorize"),
                "token_endpoint": format!("{elsewhere}/token"),
                "revocation_endpoint": format!("{elsewhere}/revoke"),
                "introspection_endpoint": format!("{elsewhere}/introspect"),
                "device_authorization_endpoint": format!("{elsewhere}/device"),
                "userinfo_endpoint": format!("{elsewhere}/me"),
            })),
            ("POST", "/device") => json(serde_json::json!({
                "device_code": "device-code-0123456789", "user_code": "WDJB-MJHT",
                "verification_uri": format!("{base}/activate"), "interval": 1, "expires_in": 5,
            })),
            ("POST", "/revoke") => json(serde_json::json!({})),
            ("POST", "/introspect") => json(serde_json::json!({"active": true, "exp": chrono::Utc::now().timestamp() + 3600})),
            ("POST", p) if p.ends_with("/noexp/token") => {
                json(serde_json::json!({"access_token": "access-token-without-expiry-0123", "token_type": "Bearer"}))
            }
            ("POST", p) if p.ends_with("/token") => json(serde_json::json!({
                "access_token": "access-token-0123456789abcdef", "refresh_token": "refresh-token-0123456789abcdef",
                "token_type": "Bearer", "expires_in": 3600, "instance_url": elsewhere,
            })),
            ("GET", "/redirect-me") => (302, String::new(), vec![("location".into(), format!("{elsewhere}/me"))]),
            _ => json(serde_json::json!({"ok": true})),
        }
    })
}

/// Where credentials must not go: it answers like a provider would, and records everything.
fn catcher() -> HttpStub {
    HttpStub::start(|req: &Received, _| {
        let body = if req.path.starts_with("/device") {
            r#"{"device_code":"d-0123456789","user_code":"U","verification_uri":"http://127.0.0.1/x","interval":1,"expires_in":5}"#
        } else {
            r#"{"access_token":"caught-0123456789","token_type":"Bearer","expires_in":60,"active":true}"#
        };
        (200, body.to_string(), Vec::new())
    })
}

/// Runs `args` and returns its exit code (the refusal is a `not_ready`, 2).
fn run(d: &std::path::Path, args: &[&str]) -> i32 {
    oauthdesk_env(d, args, None, &[("OAUTHDESK_BROWSER", "none")]).code
}

fn nothing_arrived(catcher: &HttpStub, what: &str) {
    let got = catcher.requests();
    assert!(
        got.is_empty(),
        "{what}: {} request(s) reached an unconfirmed origin: {:?}",
        got.len(),
        got.iter().map(Received::text).collect::<Vec<_>>()
    );
}

/// A profile of `template` on `home` for the kind of endpoint `field` names.
fn profile(template: &str, handle: &str, home: &HttpStub, client_auth: &str) -> TestProfile {
    let p = TestProfile::new(template, handle).set("client_id", "c").secret("client-secret-0123456789");
    match template {
        "device-code" => p
            .set("token_url", home.url("/token"))
            .set("device_authorization_url", home.url("/device"))
            .set("revoke_url", home.url("/revoke"))
            .set("test_url", home.url("/me")),
        _ => p
            .set("token_url", home.url("/token"))
            .set("revoke_url", home.url("/revoke"))
            .set("introspect_url", home.url("/introspect"))
            .set("test_url", home.url("/me"))
            .set("client_auth", client_auth),
    }
}

/// What sends each kind of endpoint's credentials.
fn commands(field: &str) -> Vec<Vec<&'static str>> {
    match field {
        "token_url" => vec![vec!["token", "h", "--force"], vec!["test", "h"], vec!["diagnose", "h"], vec!["test", "--all"]],
        "introspect_url" => vec![vec!["token", "h", "--force"], vec!["diagnose", "h"]],
        "revoke_url" => vec![vec!["revoke", "h"]],
        "device_authorization_url" => vec![vec!["authorize", "h", "--timeout", "3"], vec!["diagnose", "h"]],
        "test_url" => vec![vec!["test", "h"], vec!["diagnose", "h"], vec!["test", "--all"]],
        other => panic!("no commands for {other}"),
    }
}

#[test]
fn an_endpoint_moved_by_an_edit_gets_no_credential_until_confirmed() {
    let caught = catcher();
    let home = provider(caught.url(""));
    let cases = [
        ("client-credentials", "token_url", "basic"),
        ("client-credentials", "token_url", "post"),
        ("client-credentials", "token_url", "private_key_jwt"),
        ("client-credentials", "introspect_url", "basic"),
        ("client-credentials", "revoke_url", "post"),
        ("client-credentials", "test_url", "basic"),
        ("device-code", "device_authorization_url", "none"),
        ("device-code", "revoke_url", "none"),
    ];
    for (template, field, auth) in cases {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut p = profile(template, "h", &home, auth);
        if field == "introspect_url" {
            p = p.set("token_url", home.url("/noexp/token"));
        }
        p.add(d);
        if auth == "private_key_jwt" {
            ok(oauthdesk(d, &["key", "generate", "h", "--algorithm", "es256"], None));
        }
        if field == "revoke_url" {
            // Something to revoke: a token from home (a device sign-in approves at once here).
            let args: &[&str] = if template == "device-code" { &["authorize", "h", "--timeout", "5"] } else { &["token", "h"] };
            assert_eq!(run(d, args), 0, "{template}: a token from home first");
        }
        let moved = match field {
            "test_url" => caught.url("/me"),
            "device_authorization_url" => caught.url("/device"),
            "introspect_url" => caught.url("/introspect"),
            "revoke_url" => caught.url("/revoke"),
            _ => caught.url("/token"),
        };
        ok(oauthdesk(d, &["edit", "h", "--set", &format!("{field}={moved}")], None));
        let case = format!("{template} {field} ({auth})");
        if field == "revoke_url" && template != "device-code" {
            // An edit of the fields forgets the token (it was issued for the old settings):
            // obtain one again from home, which is still confirmed for the token URL.
            assert_eq!(run(d, &["token", "h"]), 0, "{case}");
        }
        if field == "revoke_url" && template == "device-code" {
            assert_eq!(run(d, &["authorize", "h", "--timeout", "5"]), 0, "{case}");
        }
        for args in commands(field) {
            run(d, &args);
        }
        nothing_arrived(&caught, &case);
        let shown = common::json(oauthdesk(d, &["show", "h", "--json"], None));
        assert!(!shown["unconfirmed"].as_array().unwrap().is_empty(), "{case}: show lists the change: {shown}");
        // Confirmed, the same command reaches the new place: the catcher would see a leak.
        ok(oauthdesk(d, &["edit", "h", "--confirm-origins"], None));
        run(d, &commands(field)[0]);
        assert!(!caught.requests().is_empty(), "{case}: after confirming, the request goes to the new origin");
        caught.received.lock().unwrap().clear();
    }
}

#[test]
fn endpoints_from_discovery_get_no_credential_until_confirmed() {
    let caught = catcher();
    let home = provider(caught.url(""));
    for template in ["client-credentials", "device-code", "custom-oauth2"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut p = profile(template, "h", &home, "basic");
        if template == "custom-oauth2" {
            p = p.set("authorize_url", home.url("/authorize"));
        }
        p.add(d);
        let discovered = oauthdesk(d, &["discover", &home.url(""), "--profile", "h", "--apply"], None);
        assert_eq!(discovered.code, 0, "{}", discovered.stderr);
        assert!(discovered.stdout.contains("Not confirmed"), "{}", discovered.stdout);
        for field in ["token_url", "introspect_url", "revoke_url", "test_url"] {
            for args in commands(field) {
                run(d, &args);
            }
        }
        if template == "device-code" {
            run(d, &["authorize", "h", "--timeout", "3"]);
        }
        nothing_arrived(&caught, &format!("{template} after discover --apply"));
        if template == "custom-oauth2" {
            continue; // it needs a sign-in in a browser before it sends anything
        }
        ok(oauthdesk(d, &["edit", "h", "--confirm-origins"], None));
        run(d, &["token", "h", "--force"]);
        if template == "device-code" {
            run(d, &["authorize", "h", "--timeout", "3"]);
        }
        assert!(!caught.requests().is_empty(), "{template}: once confirmed, the discovered endpoints are used");
        caught.received.lock().unwrap().clear();
    }
}

#[test]
fn a_token_response_or_a_redirect_widens_no_destination() {
    let caught = catcher();
    let home = provider(caught.url(""));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A generic provider's instance_url names the catcher; its test URL redirects there.
    TestProfile::client_credentials("generic", &home.url("/token"), "c")
        .secret("client-secret-0123456789")
        .set("test_url", home.url("/redirect-me"))
        .add(d);
    run(d, &["test", "generic"]);
    run(d, &["diagnose", "generic"]);
    // A Salesforce profile whose token response names a host that is not Salesforce's.
    TestProfile::salesforce_client_credentials("sf", &home.url(""), "k").secret("client-secret-0123456789").add(d);
    run(d, &["test", "sf"]);
    run(d, &["diagnose", "sf"]);
    run(d, &["test", "--all"]);
    nothing_arrived(&caught, "instance_url and redirects");
    assert!(home.requests().iter().any(|r| r.path.ends_with("/token")), "the tokens did come from home");
}

#[test]
fn entering_the_secret_again_confirms_no_moved_endpoint() {
    let caught = catcher();
    let home = provider(caught.url(""));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    profile("client-credentials", "h", &home, "basic").add(d);
    ok(oauthdesk(
        d,
        &["edit", "h", "--set", &format!("token_url={}", caught.url("/token")), "--secret-stdin"],
        Some("another-secret-0123"),
    ));
    assert_eq!(run(d, &["token", "h", "--force"]), 2);
    nothing_arrived(&caught, "a secret entered again");
}
