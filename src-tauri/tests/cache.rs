//! The token cache through the CLI and the window's renewal: tokens renewed before they
//! expire, a cached token the API refuses replaced once, and simultaneous callers sharing one
//! exchange; against npm's oidc-provider and the sandbox's test scenarios on 127.0.0.1.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use common::{json, oauthdesk, Server, StandIn, TestProfile};

#[test]
fn the_window_renews_tokens_before_they_expire() {
    use oauthdesk_core::{Desk, Keyring};
    use std::sync::Arc;

    let idp = Server::start("oidc.mjs", &[("CC_TTL", "70")]);
    let dir = tempfile::tempdir().unwrap();
    TestProfile::client_credentials("short", &idp.url("/token"), "cc-basic").secret("basic-secret").add(dir.path());
    TestProfile::client_credentials("idle", &idp.url("/token"), "cc-post").set("client_auth", "post").secret("post-secret").add(dir.path());
    let first = json(oauthdesk(dir.path(), &["token", "short", "--json"], None));
    assert!(first["expires_in"].as_i64().unwrap() <= 70);

    // 70 s left is inside the 60 s margin plus one 20 s round: due now. "idle" has no token.
    let desk = Desk::open(dir.path(), Arc::new(Keyring::default())).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let renewed = rt.block_on(oauthdesk_app::renewal::renew_due(&desk, std::time::Duration::from_secs(20)));
    assert_eq!(renewed, vec![("short".to_string(), Ok(()))]);

    let after = json(oauthdesk(dir.path(), &["token", "short", "--json", "--margin", "0"], None));
    assert_eq!(after["source"], "cache");
    assert_ne!(after["access_token"], first["access_token"], "the cache holds the renewed token");

    // The provider goes away: the renewal fails and says why (the window notifies with it).
    drop(idp);
    let failed = rt.block_on(oauthdesk_app::renewal::renew_due(&desk, std::time::Duration::from_secs(20)));
    assert_eq!(failed.len(), 1, "{failed:?}");
    let message = failed[0].1.clone().expect_err("the provider is gone");
    assert!(message.contains("127.0.0.1"), "names the host it could not reach: {message}");
}

#[test]
fn a_cached_token_the_api_refuses_is_replaced_once_and_said() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c")
        .secret("s")
        .set("test_url", standin.url("/session/me"))
        .add(d);
    let first = json(oauthdesk(d, &["test", "sess", "--json"], None));
    assert_eq!(first["status"], 200);
    // The provider ends every session: the cached token is refused (HTTP 401).
    standin.revoke_sessions();
    let again = oauthdesk(d, &["test", "sess"], None);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("refused the cached token") && again.stdout.contains("HTTP 200"), "{}", again.stdout);
    assert_eq!(standin.hits("/session/token"), 2, "one new exchange, not more");
    let cached = json(oauthdesk(d, &["token", "sess", "--json"], None));
    assert_eq!(cached["source"], "cache", "the new token is the cached one now");
}

#[test]
fn twenty_simultaneous_token_calls_make_one_exchange_and_share_its_token() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    TestProfile::client_credentials("one", &standin.url("/session/token"), "c").secret("s").add(&d);
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let d = d.clone();
            std::thread::spawn(move || oauthdesk(&d, &["token", "one"], None))
        })
        .collect();
    let tokens: std::collections::HashSet<String> = callers
        .into_iter()
        .map(|c| {
            let run = c.join().unwrap();
            assert_eq!(run.code, 0, "{}", run.stderr);
            run.stdout.trim().to_string()
        })
        .collect();
    assert_eq!(tokens.len(), 1, "every caller got the same token: {tokens:?}");
    assert_eq!(standin.hits("/session/token"), 1, "one exchange");
}
