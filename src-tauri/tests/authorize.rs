//! The authorization-code flow against npm's oidc-provider on 127.0.0.1, with a helper that
//! plays the user in place of a browser (tests/servers/user.mjs): sign-in through the CLI,
//! the token cache, refresh near expiry, revocation, discovery, and PKCE enforced by the
//! server.
// A test crate: a panic is a failed test, as it should be; it may index what it built.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{json, oauthdesk, ok, Server, TestProfile};
use serde_json::Value;

fn user(args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/servers/user.mjs");
    let out = Command::new("node").arg(script).args(args).output().expect("node runs");
    assert!(out.status.success(), "the user helper failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the helper prints JSON")
}

/// Runs `oauthdesk authorize` with `args`, reads its first line (what the user needs), lets
/// `act` play the user with it, and returns that line, the exit code, the rest of stdout
/// and stderr.
fn run_authorize(dir: &Path, handle: &str, args: &[&str], act: impl FnOnce(&str)) -> (String, i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .args(["--data-dir", dir.to_str().unwrap(), "authorize", handle, "--json"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    act(first.trim());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    (first.trim().to_string(), out.status.code().unwrap_or(-1), rest, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Runs `oauthdesk authorize --no-browser --json`, signs in as the user, and returns the
/// command's exit code, stdout after the URL line, and stderr.
fn authorize(dir: &Path, handle: &str, deny: bool) -> (i32, String, String) {
    let (_, code, rest, err) = run_authorize(dir, handle, &["--no-browser", "--timeout", "30"], |url| {
        assert!(url.starts_with("http://127.0.0.1:"), "the first line is the authorization URL: {url}");
        assert!(url.contains("code_challenge_method=S256") && url.contains("state="), "{url}");
        let args: Vec<&str> = if deny { vec![url, "--deny"] } else { vec![url] };
        user(&args);
    });
    (code, rest, err)
}

/// Asks the server's introspection endpoint about a token, as the confidential client.
fn introspect(idp: &Server, token: &str) -> Value {
    let (_, body) = common::http::post_form(&idp.url("/token/introspection"), Some(CONFIDENTIAL), &[("token", token)]);
    serde_json::from_str(&body).unwrap()
}

/// The confidential client of oidc.mjs: its id and secret.
const CONFIDENTIAL: (&str, &str) = ("native-confidential", "conf-secret");

#[test]
fn a_public_client_signs_in_and_the_token_is_served_from_the_cache() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::custom_oauth2("public", &idp, "native-public").set("test_url", idp.url("/me")).add(dir.path());
    let (code, out, err) = authorize(dir.path(), "public", false);
    assert_eq!(code, 0, "{err}");
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((t["source"].as_str(), t["refresh_token"].as_bool()), (Some("network"), Some(true)));
    assert!(t["scope"].as_str().unwrap().contains("api"));
    let hits = idp.hits("/token");
    let cached = json(oauthdesk(dir.path(), &["token", "public", "--json"], None));
    assert_eq!((cached["source"].as_str(), &cached["access_token"]), (Some("cache"), &t["access_token"]));
    assert_eq!(idp.hits("/token"), hits, "no request for a cached token");
    let history = json(oauthdesk(dir.path(), &["history", "public", "--json"], None));
    let stages: Vec<&str> = history.as_array().unwrap().iter().map(|a| a["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["token", "authorize"]);

    // Signed in: every stage of the diagnosis runs and passes, the token endpoint by
    // renewing the token with the refresh token.
    let d: Value = serde_json::from_str(&oauthdesk(dir.path(), &["diagnose", "public", "--json"], None).stdout).unwrap();
    assert_eq!(d["ok"], true, "{d}");
    assert!(d["stages"].as_array().unwrap().iter().all(|s| s["ok"] == true && s["skipped"] == false), "{d}");
    assert!(d["stages"][3]["finding"].as_str().unwrap().contains("refresh token"), "{d}");

    // New scopes make the stored tokens stale: a new authorization is asked for.
    ok(oauthdesk(dir.path(), &["edit", "public", "--set", "scopes=openid"], None));
    assert_eq!(json(oauthdesk(dir.path(), &["show", "public", "--json"], None))["connection"]["state"], "settings_changed");
    let stale = oauthdesk(dir.path(), &["token", "public"], None);
    assert_eq!(stale.code, 2);
    assert!(stale.stderr.contains("not authorized yet: sign in with `oauthdesk authorize public`"), "{}", stale.stderr);
}

#[test]
fn a_token_near_its_expiry_is_refreshed_and_a_refused_refresh_asks_for_a_new_sign_in() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::custom_oauth2("short", &idp, "native-confidential").secret("conf-secret").add(dir.path());
    let (code, out, err) = authorize(dir.path(), "short", false);
    assert_eq!(code, 0, "{err}");
    let first: Value = serde_json::from_str(&out).unwrap();
    let lifetime = first["expires_in"].as_i64().unwrap();
    // A renewal margin beyond the token's lifetime: the cached token is as good as expired.
    let margin = (lifetime + 60).to_string();
    let cached = json(oauthdesk(dir.path(), &["token", "short", "--json"], None));
    assert_eq!(cached["source"], "cache", "within the default margin it is still good");
    let renewed = json(oauthdesk(dir.path(), &["token", "short", "--json", "--margin", &margin], None));
    assert_eq!(renewed["source"], "network");
    assert_ne!(renewed["access_token"], first["access_token"]);
    assert_eq!(renewed["refresh_token"], true, "the refresh token is kept (rotated or not)");
    let again = json(oauthdesk(dir.path(), &["token", "short", "--json", "--margin", &margin], None));
    assert_eq!(again["source"], "network", "the kept refresh token works again");

    // The provider revokes the grant: the next refresh is refused with invalid_grant.
    let token = again["access_token"].as_str().unwrap();
    assert_eq!(introspect(&idp, token)["active"], true);
    common::http::post_form(&idp.url("/token/revocation"), Some(CONFIDENTIAL), &[("token", token)]);
    // Diagnose looks and changes nothing: run twice, it finds the same refused refresh.
    let diagnose = || -> Value { serde_json::from_str(&oauthdesk(dir.path(), &["diagnose", "short", "--json"], None).stdout).unwrap() };
    let (one, two) = (diagnose(), diagnose());
    assert_eq!(one["ok"], false, "{one}");
    // The refused refresh is explained like any answer: at the token endpoint, by the entry
    // for invalid_grant (oidc-provider is no provider with entries of its own).
    assert_eq!((one["stage"].as_str(), one["knowledge"].as_str()), (Some("token_endpoint"), Some("rfc6749-invalid-grant")), "{one}");
    assert_eq!(
        (two["ok"].clone(), two["stage"].clone()),
        (one["ok"].clone(), one["stage"].clone()),
        "the second diagnosis sees the same: {two}"
    );
    assert_eq!(json(oauthdesk(dir.path(), &["show", "short", "--json"], None))["connection"]["state"], "failing");
    let refused = oauthdesk(dir.path(), &["token", "short", "--force"], None);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("a new authorization is needed"), "{}", refused.stderr);
}

#[test]
fn revoke_revokes_at_the_provider_and_forgets_locally() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::custom_oauth2("conf", &idp, "native-confidential").secret("conf-secret").add(dir.path());
    let (code, out, err) = authorize(dir.path(), "conf", false);
    assert_eq!(code, 0, "{err}");
    let t: Value = serde_json::from_str(&out).unwrap();
    let token = t["access_token"].as_str().unwrap();
    assert_eq!(introspect(&idp, token)["active"], true);
    let r = json(oauthdesk(dir.path(), &["revoke", "conf", "--json"], None));
    assert_eq!(r["revoked"], serde_json::json!(["refresh_token", "access_token"]));
    assert_eq!(introspect(&idp, token)["active"], false, "the server no longer accepts the token");
    // The badge says what happened, not "never tried" beside a history of attempts.
    assert_eq!(json(oauthdesk(dir.path(), &["show", "conf", "--json"], None))["connection"]["state"], "signed_out");
    let after = oauthdesk(dir.path(), &["token", "conf"], None);
    assert!(after.stderr.contains("not authorized yet"), "{}", after.stderr);
}

#[test]
fn access_denied_is_reported_and_nothing_is_stored() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::custom_oauth2("denied", &idp, "native-public").add(dir.path());
    let (code, out, err) = authorize(dir.path(), "denied", true);
    assert_ne!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["code"].as_str(), v["error"].as_str()), (Some("access_denied"), Some("access_denied")));
    assert!(err.contains("access_denied"), "{err}");
    let list = json(oauthdesk(dir.path(), &["list", "--json"], None));
    assert_eq!(list[0]["connection"]["state"], "failing");
}

#[test]
fn discovery_fills_the_profile_and_checks_the_issuer() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::new("custom-oauth2", "found")
        .set("authorize_url", "https://placeholder.example.com/a")
        .set("token_url", "https://placeholder.example.com/t")
        .set("client_id", "native-public")
        .add(d);
    let issuer = idp.url("");
    let found = json(oauthdesk(d, &["discover", &issuer, "--profile", "found", "--apply", "--json"], None));
    assert_eq!(found["issuer"], issuer);
    assert!(found["code_challenge_methods_supported"].as_array().unwrap().contains(&Value::from("S256")));
    assert_eq!(found["warnings"], serde_json::json!([]));
    let p = json(oauthdesk(d, &["show", "found", "--json"], None));
    assert_eq!(p["fields"]["authorize_url"], idp.url("/auth"));
    assert_eq!(p["fields"]["token_url"], idp.url("/token"));
    assert_eq!(p["fields"]["revoke_url"], idp.url("/token/revocation"));
    assert_eq!(p["fields"]["introspect_url"], idp.url("/token/introspection"));
    assert_eq!(p["fields"]["test_url"], idp.url("/me"));

    let wrong = oauthdesk(d, &["discover", &format!("http://localhost:{}", idp.port)], None);
    assert_ne!(wrong.code, 0);
    assert!(wrong.stderr.contains("names the issuer"), "{}", wrong.stderr);
}

#[test]
fn the_server_enforces_pkce_a_wrong_verifier_is_refused() {
    use oauthdesk_core::test_support::flows::authorize;
    use oauthdesk_core::test_support::flows::config::FlowConfig;
    use oauthdesk_core::test_support::flows::exchange::{self, Grant};
    use oauthdesk_core::test_support::flows::listener::{Loopback, Redirect};
    use oauthdesk_core::test_support::flows::record::Recorder;
    use oauthdesk_core::test_support::secret::PkceVerifier;
    use oauthdesk_core::{test_support::template, Error, Fields};

    let idp = Server::start("oidc.mjs", &[]);
    let fields: Fields = [
        ("authorize_url", idp.url("/auth")),
        ("token_url", idp.url("/token")),
        ("client_id", "native-public".to_string()),
        ("scopes", "openid api".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut cfg = FlowConfig::new(template::find("custom-oauth2").unwrap(), &fields).unwrap();
    // Straight to the flows, without a desk: the test confirms where the code may go.
    cfg.confirmed = oauthdesk_core::test_support::flows::gate::Confirmed::all_of("pkce", &cfg);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let exchange_with = |verifier: Option<PkceVerifier>| async {
            let lb = Loopback::bind(0).await.unwrap();
            let redirect_uri = lb.redirect_uri("/callback");
            let req = authorize::request(&cfg, &redirect_uri).unwrap();
            let url = req.url.to_string();
            let helper = tokio::task::spawn_blocking(move || user(&[&url]));
            let got = lb.wait("/callback", req.state.secret(), Duration::from_secs(30), std::future::pending()).await.unwrap();
            helper.await.unwrap();
            let Redirect::Code(code) = got else { panic!("no code: {got:?}") };
            let verifier = verifier.or(req.verifier);
            let grant = Grant::AuthorizationCode { code, redirect_uri, verifier };
            exchange::request_token(&cfg, &grant, None, &mut Recorder::default()).await
        };
        let wrong = exchange_with(Some(PkceVerifier::new("a".repeat(64)))).await.unwrap_err();
        assert!(matches!(&wrong, Error::OAuth { error, .. } if error == "invalid_grant"), "{wrong}");
        let right = exchange_with(None).await.expect("the right verifier is accepted");
        assert!(!right.access_token.expose().is_empty());
    });
}

/// Runs `oauthdesk authorize` on a device-code profile: reads the first line (the codes, as
/// JSON), approves (or denies) on "another device", and returns the codes, the exit code and
/// the rest of stdout and stderr.
fn authorize_device(dir: &Path, handle: &str, deny: bool) -> (Value, i32, String, String) {
    let (first, code, rest, err) = run_authorize(dir, handle, &["--timeout", "60"], |first| {
        let codes: Value = serde_json::from_str(first).unwrap_or_else(|_| panic!("the first line is the codes: {first}"));
        let url = codes["verification_uri_complete"].as_str().unwrap();
        let args: Vec<&str> = if deny { vec![url, "--device", "--deny"] } else { vec![url, "--device"] };
        user(&args);
    });
    (serde_json::from_str(&first).unwrap(), code, rest, err)
}

#[test]
fn the_device_flow_shows_the_codes_polls_and_stores_the_token() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::new("device-code", "tv")
        .set("device_authorization_url", idp.url("/device/auth"))
        .set("token_url", idp.url("/token"))
        .set("client_id", "device-public")
        .set("scopes", "openid offline_access api")
        .add(d);
    let (codes, code, out, err) = authorize_device(d, "tv", false);
    assert_eq!(code, 0, "{err}");
    assert!(codes["user_code"].as_str().is_some_and(|c| !c.is_empty()), "{codes}");
    assert!(codes["verification_uri"].as_str().unwrap().starts_with(&idp.url("/device")), "{codes}");
    assert!(codes["expires_in"].as_u64().unwrap() > 0);
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((t["source"].as_str(), t["refresh_token"].as_bool()), (Some("network"), Some(true)), "{t}");
    // Only the sign-in and its token are in the history: the pending polls are not attempts.
    let history = json(oauthdesk(d, &["history", "tv", "--json"], None));
    let stages: Vec<&str> = history.as_array().unwrap().iter().map(|a| a["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["token", "authorize"], "{history}");
    assert!(history.as_array().unwrap().iter().all(|a| a["ok"] == true), "{history}");
    // Refreshed like any signed-in profile.
    let renewed = json(oauthdesk(d, &["token", "tv", "--json", "--force"], None));
    assert_eq!(renewed["source"], "network");

    // Declined on the other device: access_denied, said so, nothing stored.
    TestProfile::new("device-code", "tv2")
        .set("device_authorization_url", idp.url("/device/auth"))
        .set("token_url", idp.url("/token"))
        .set("client_id", "device-public")
        .add(d);
    let (_, code, _, err) = authorize_device(d, "tv2", true);
    assert_ne!(code, 0);
    assert!(err.contains("access_denied"), "{err}");
    assert_eq!(json(oauthdesk(d, &["show", "tv2", "--json"], None))["connection"]["state"], "failing");
}

#[test]
fn the_code_flow_with_private_key_jwt_signs_the_exchange_and_the_refresh() {
    // The key is made first: the server is told its public JWK when it starts.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = common::closed_port();
    let base = format!("http://127.0.0.1:{port}");
    TestProfile::new("custom-oauth2", "pk")
        .set("authorize_url", format!("{base}/auth"))
        .set("token_url", format!("{base}/token"))
        .set("client_id", "native-pkjwt")
        .set("scopes", "openid offline_access api")
        .set("client_auth", "private_key_jwt")
        .add(d);
    let made = json(oauthdesk(d, &["key", "generate", "pk", "--algorithm", "ps256", "--json"], None));
    let jwks = serde_json::json!({ "keys": [made["jwk"]] }).to_string();
    let port_text = port.to_string();
    let _idp = Server::start("oidc.mjs", &[("PORT", port_text.as_str()), ("PKJWT_JWKS", jwks.as_str())]);
    ok(oauthdesk(d, &["edit", "pk", "--set", "algorithm=ps256"], None));
    let (code, out, err) = authorize(d, "pk", false);
    assert_eq!(code, 0, "{err}");
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["refresh_token"], true, "{t}");
    // The refresh authenticates the client with a new assertion too.
    let renewed = json(oauthdesk(d, &["token", "pk", "--json", "--force"], None));
    assert_eq!(renewed["source"], "network", "{renewed}");
    let history = json(oauthdesk(d, &["history", "pk", "--json"], None));
    assert!(history.as_array().unwrap().iter().all(|a| a["ok"] == true), "{history}");
}

#[test]
fn a_browser_command_from_the_environment_is_run_with_the_url() {
    // The "browser" is the helper that plays the user: the sign-in completes by itself.
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::custom_oauth2("b", &idp, "native-public").add(dir.path());
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/servers/user.mjs");
    let browser = format!("node {}", helper.display());
    let run = common::oauthdesk_env(
        dir.path(),
        &["authorize", "b", "--json", "--timeout", "30"],
        None,
        &[("OAUTHDESK_BROWSER", browser.as_str())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let t: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(t["source"], "network");
    // BROWSER, as other tools read it, when OAUTHDESK_BROWSER is not set.
    let run = common::oauthdesk_env(dir.path(), &["authorize", "b", "--json", "--timeout", "30"], None, &[("BROWSER", browser.as_str())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A device-code profile is diagnosed by its device authorization request, before anyone
/// signs in: a client the provider does not know fails there, with the provider's words;
/// a known one passes it (its codes are never shown, and nothing enters the history).
#[test]
fn a_device_profile_is_diagnosed_by_its_device_authorization_request() {
    let idp = Server::start("oidc.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (handle, client) in [("tv-ok", "device-public"), ("tv-unknown", "no-such-device-client")] {
        TestProfile::new("device-code", handle)
            .set("device_authorization_url", idp.url("/device/auth"))
            .set("token_url", idp.url("/token"))
            .set("client_id", client)
            .add(d);
    }
    let v = json(oauthdesk(d, &["diagnose", "tv-ok", "--json"], None));
    let stage = |v: &Value, name: &str| v["stages"].as_array().unwrap().iter().find(|s| s["name"] == name).cloned().unwrap();
    let auth = stage(&v, "authorization");
    assert!(auth["ok"] == true && auth["skipped"] == false, "{v}");
    assert!(auth["finding"].as_str().unwrap().contains("issued a user code"), "{v}");
    assert_eq!(stage(&v, "token_endpoint")["skipped"], true, "{v}");

    let run = oauthdesk(d, &["diagnose", "tv-unknown", "--json"], None);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["ok"].as_bool(), v["stage"].as_str()), (Some(false), Some("authorization")), "{v}");
    assert_eq!(v["error"], "invalid_client", "{v}");
    assert!(v["cause"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
    // Neither request is an attempt of the profile's.
    for handle in ["tv-ok", "tv-unknown"] {
        let history = json(oauthdesk(d, &["history", handle, "--json"], None));
        assert!(history.as_array().unwrap().is_empty(), "{handle}: {history}");
    }
}
