//! Tokens handed to other programs: only for the places the profile's token may go (every
//! other host, port and scheme refused before anything is obtained), and a token a program
//! reports refused is not handed out again, while one renewed meanwhile is kept.

use chrono::Duration;
use url::Url;

use crate::desk::test_support::{client_credentials, desk, serve};
use crate::error::Error;
use crate::model::{Fields, TokenSource};

thread_local! {
    /// One runtime per test thread: the local token server runs on it between calls.
    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    RT.with(|rt| rt.block_on(f))
}

/// A desk with a client-credentials profile "h" whose token URL is a local server; its base.
fn setup(extra: &[(&str, &str)]) -> (tempfile::TempDir, crate::desk::Desk, String) {
    let (dir, desk) = desk();
    let base = block(serve(|_| r#"{"access_token":"handed-token-0123456789","token_type":"Bearer","expires_in":3600}"#.into()));
    let mut fields = Fields::from([("token_url".into(), format!("{base}/token")), ("client_id".into(), "c".into())]);
    fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    desk.create(client_credentials("h", fields, Some("s"))).unwrap();
    (dir, desk, base)
}

#[test]
fn a_token_is_handed_over_only_for_a_place_the_profile_may_send_it() {
    let (_dir, desk, base) = setup(&[]);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    // Every other host, port or scheme (generated): refused, and nothing obtained for it.
    let other_port = if port == 65535 { 1 } else { port + 1 };
    let mut refused = vec![
        format!("http://127.0.0.1:{other_port}/x"),
        format!("ftp://127.0.0.1:{port}/x"),
        format!("http://localhost:{port}/x"),
        format!("http://127.0.0.2:{port}/x"),
        format!("http://[::1]:{port}/x"),
        "https://example.com/".to_string(),
    ];
    for seed in 0..20u16 {
        refused.push(format!("http://h{seed}.127.0.0.1.example:{port}/"));
        let p = port.wrapping_add(1 + seed * 977);
        if p != port && p != 0 {
            refused.push(format!("http://127.0.0.1:{p}/"));
        }
    }
    for u in &refused {
        let url = Url::parse(u).unwrap();
        let e = block(desk.token_for("h", Some(&url), false, Duration::seconds(60))).expect_err(u);
        assert!(matches!(e, Error::HostNotAllowed { .. } | Error::NotReady { .. }), "{u}: {e}");
        assert!(desk.token_view("h").unwrap().is_none(), "{u}: no token was obtained for a refused place");
    }
    // The profile's own host and port, whatever the path: handed over.
    for path in ["/", "/api/v1", "/repo.git/info/refs?service=git-upload-pack"] {
        let url = Url::parse(&format!("{base}{path}")).unwrap();
        let t = block(desk.token_for("h", Some(&url), false, Duration::seconds(60))).unwrap();
        assert_eq!(t.access_token.expose(), "handed-token-0123456789");
    }
    // No place named: the token, as `token` gives it.
    let t = block(desk.token_for("h", None, false, Duration::seconds(60))).unwrap();
    assert_eq!(t.info.source, TokenSource::Cache);
}

#[test]
fn an_allowed_hosts_list_rules_where_the_token_may_go() {
    let (_dir, desk, _base) = setup(&[("allowed_hosts", "git.example.org, *.corp.example:8443")]);
    let ok = ["https://git.example.org/a.git", "http://git.example.org/b", "https://eu.corp.example:8443/x"];
    let no = ["https://evil.example.org/", "https://corp.example:8443/", "https://eu.corp.example/", "ssh://git.example.org/"];
    for u in no {
        let e = block(desk.token_for("h", Some(&Url::parse(u).unwrap()), false, Duration::seconds(60))).expect_err(u);
        assert!(e.to_string().contains("the token was not sent") || e.to_string().contains("nothing was sent"), "{u}: {e}");
    }
    for u in ok {
        block(desk.token_for("h", Some(&Url::parse(u).unwrap()), false, Duration::seconds(60))).unwrap_or_else(|e| panic!("{u}: {e}"));
    }
}

#[test]
fn a_refused_token_is_not_handed_out_again_but_a_renewed_one_is_kept() {
    let (_dir, desk, _base) = setup(&[]);
    let first = block(desk.token_for("h", None, false, Duration::seconds(60))).unwrap();
    assert_eq!(first.info.source, TokenSource::Network);
    // Another token than the cached one was refused: the cached one was renewed since.
    assert!(!desk.token_refused("h", Some("some-older-token-0123")).unwrap());
    assert_eq!(block(desk.token_for("h", None, false, Duration::seconds(60))).unwrap().info.source, TokenSource::Cache);
    // The cached one was refused: the next one is a new exchange (the stand-in provider
    // answers with the same token, so it says nothing new came).
    assert!(desk.token_refused("h", Some(first.access_token.expose())).unwrap());
    assert_ne!(block(desk.token_for("h", None, false, Duration::seconds(60))).unwrap().info.source, TokenSource::Cache);
    // Refused without saying which: the cached one.
    assert!(desk.token_refused("h", None).unwrap());
    assert_ne!(block(desk.token_for("h", None, false, Duration::seconds(60))).unwrap().info.source, TokenSource::Cache);
    assert!(matches!(desk.token_refused("nobody", None), Err(Error::NotFound(_))));
}
