//! The findings as a diagnosis states them: every finding is what the diagnosis says in its
//! situation (a profile value, a server on 127.0.0.1 that refuses, holds or closes, a proxy
//! that is down, wants credentials or will not tunnel, a clock far off, an answer of each
//! kind), with the entry's cause, fix and Learn more; and a diagnosis of a stored profile
//! states it whole. That no diagnosis module words a finding itself is `sources_tests.rs`.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine as _;
use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::advice::Context;
use super::{checks, Diagnosis, Outcome};
use crate::error::{AnswerKind, Error};
use crate::flows::config::FlowConfig;
use crate::flows::gate::Confirmed;
use crate::flows::proxy::Proxies;
use crate::flows::test_call::TestResult;
use crate::knowledge::{self, findings};
use crate::model::{Fields, Stage};
use crate::secret::{source, AccessToken, ClientSecret};
use crate::template;

/// Findings no test here can bring about on 127.0.0.1 alone, and why; each is still checked
/// for completeness and filling by the knowledge base's own tests.
const NOT_MADE_HERE: &[(&str, &str)] = &[
    ("dns-no-such-name", "needs a name server"),
    ("dns-timeout", "needs a name server that does not answer"),
    ("dns-no-address", "needs a name with no address"),
    ("tcp-failed", "needs a network path that fails"),
    ("tcp-timeout", "needs a firewall that drops connections"),
    ("tls-client-certificate-required", "needs a TLS server asking for a client certificate"),
    ("tls-client-certificate-refused", "needs a TLS server refusing one"),
    ("tls-unknown-authority", "needs a TLS server"),
    ("tls-certificate-expired", "needs a TLS server"),
    ("tls-certificate-for-another-name", "needs a TLS server"),
    ("profile-credentials-unreadable", "needs a stored key that cannot be read"),
    ("profile-unreadable", "needs a store that fails"),
    ("test-host-not-allowed", "needs a stored token (see the app's diagnosis tests)"),
    ("paste-bare-error", "a pasted error's, not a diagnosis's (see diagnose::paste's tests)"),
    ("secret-source-denied", "needs a vault with a policy (see the app's secret_ref tests)"),
    ("secret-source-sealed", "needs a sealed vault (see the app's secret_ref tests)"),
    ("secret-source-token-invalid", "needs a vault that revoked a token (see the app's secret_ref tests)"),
    ("secret-source-field-missing", "needs a vault holding the secret (see the app's secret_ref tests)"),
    ("secret-source-not-installed", "needs a machine without the 1Password CLI on its PATH (see secret::source's tests)"),
    ("secret-source-failed", "needs the 1Password CLI failing (see secret::source's tests)"),
];

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn cfg(template_id: &str, pairs: &[(&str, &str)]) -> FlowConfig {
    FlowConfig::new(template::find(template_id).unwrap(), &fields(pairs)).unwrap()
}

/// How a server on 127.0.0.1 treats each connection.
#[derive(Clone, Copy)]
enum Server {
    /// Reads the request and never answers.
    Silent,
    /// Closes at once.
    Closes,
    /// Answers the request (a proxy's CONNECT too) with this status line.
    Answers(&'static str),
}

/// Starts `kind` on 127.0.0.1; its task ends when the returned handle is aborted.
async fn serve(kind: Server) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                match kind {
                    Server::Closes => {}
                    Server::Silent => {
                        let _ = conn.read(&mut buf).await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Server::Answers(status) => {
                        let _ = conn.read(&mut buf).await;
                        let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                        let _ = conn.write_all(answer.as_bytes()).await;
                    }
                }
            });
        }
    });
    (port, task)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn jwt(claims: serde_json::Value) -> AccessToken {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    AccessToken::new(format!("{}.{}.sig", b64(br#"{"alg":"none"}"#), b64(claims.to_string().as_bytes())))
}

fn test_result(status: u16) -> TestResult {
    TestResult {
        ok: false,
        url: "http://127.0.0.1:1/me".into(),
        method: "GET".into(),
        status,
        elapsed_ms: 1,
        headers: vec![],
        body: String::new(),
        truncated: false,
        problem: None,
    }
}

/// A context on a Salesforce template (whose provider names its own findings) or another.
fn ctx(salesforce: bool, provider: Option<&str>) -> Context {
    let hints = if salesforce { crate::providers::ProviderId::Salesforce.rules().hints() } else { Default::default() };
    Context { provider: provider.and_then(knowledge::provider), proxy: None, hints, grant: None }
}

/// What a diagnosis says in each situation, by the finding it should be.
async fn situations() -> Vec<(&'static str, Outcome)> {
    let cc = template::CLIENT_CREDENTIALS;
    let base = [("token_url", "https://auth.example.com/token"), ("client_id", "c")];
    let secret = ClientSecret::new("s3cret");
    let mut out = Vec::new();
    let mut profile = |id, t: &str, pairs: &[(&str, &str)], secret: Option<&ClientSecret>| {
        out.push((id, checks::profile(template::find(t).unwrap(), &fields(pairs), secret).0));
    };
    profile("profile-invalid", cc, &[("client_id", "c")], Some(&secret));
    profile("profile-client-id-pasted", cc, &[base[0], ("client_id", "\"c\"")], Some(&secret));
    profile("profile-secret-missing", cc, &base, None);
    profile("profile-secret-pasted", cc, &base, Some(&ClientSecret::new(" s3cret ")));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let code = [
        ("authorize_url", "https://auth.example.com/authorize"),
        ("token_url", "https://auth.example.com/token"),
        ("client_id", "c"),
        ("redirect_port", port.as_str()),
    ];
    profile("profile-redirect-port-taken", template::CUSTOM_OAUTH2, &code, Some(&secret));
    drop(taken);

    let mut keyed = cfg(cc, &[base[0], base[1], ("client_auth", "private_key_jwt")]);
    keyed.key = Some(expired_key());
    out.push(("profile-certificate-expired", checks::certificate(&keyed, Outcome::ok("before"))));
    let mut one = cfg(cc, &[base[0], base[1], ("test_url", "https://api.example.com/me")]);
    one.confirmed = Confirmed::all_of("p", &cfg(cc, &base));
    out.push(("profile-endpoint-changed", checks::confirmed(&one, Outcome::ok("before"))));
    let two = cfg(cc, &[base[0], base[1], ("test_url", "https://api.example.com/me")]);
    out.push(("profile-endpoints-changed", checks::confirmed(&two, Outcome::ok("before"))));

    // The network, against servers on 127.0.0.1 (each stopped when done).
    let refused = format!("http://127.0.0.1:{}/token", closed_port());
    out.push(("tcp-refused", checks::network(&cfg(cc, &[("token_url", &refused), base[1]])).await));
    let (silent, silent_task) = serve(Server::Silent).await;
    let url = format!("http://127.0.0.1:{silent}/token");
    out.push(("http-timeout", checks::network(&cfg(cc, &[("token_url", &url), base[1], ("timeout", "1")])).await));
    silent_task.abort();
    let (closes, closes_task) = serve(Server::Closes).await;
    let url = format!("http://127.0.0.1:{closes}/token");
    out.push(("host-unreachable", checks::network(&cfg(cc, &[("token_url", &url), base[1]])).await));
    let url = format!("https://127.0.0.1:{closes}/token");
    out.push(("tls-handshake-failed", checks::network(&cfg(cc, &[("token_url", &url), base[1]])).await));
    closes_task.abort();

    // Through a proxy on 127.0.0.1 to an https token URL (the proxy is asked for a tunnel).
    let target = [("token_url", "https://auth.example.com/token"), base[1], ("timeout", "5")];
    let through = |proxy: String| Proxies::from_vars(move |name| (name == "HTTPS_PROXY").then(|| proxy.clone()));
    let down = through(format!("http://127.0.0.1:{}", closed_port()));
    out.push(("proxy-unreachable", down.scope(checks::network(&cfg(cc, &target))).await));
    for (id, status) in [("proxy-authentication-required", "407 Proxy Authentication Required"), ("proxy-tunnel-refused", "403 Forbidden")]
    {
        let (p, task) = serve(Server::Answers(status)).await;
        out.push((id, through(format!("http://127.0.0.1:{p}")).scope(checks::network(&cfg(cc, &target))).await));
        task.abort();
    }

    // The secret source, read on this machine (a vault's own answers are the app's tests').
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big"), vec![b'x'; source::MAX_VALUE + 1]).unwrap();
    std::fs::write(dir.path().join("empty"), "").unwrap();
    let at = |name: &str| format!("file:{}", dir.path().join(name).display());
    let closed = format!("http://127.0.0.1:{}", closed_port());
    // (the finding, the reference, its environment)
    type Source<'a> = (&'static str, String, Vec<(&'a str, String)>);
    let sources: Vec<Source<'_>> = vec![
        ("secret-source-not-configured", "env:OAUTHDESK_NO_SUCH_VARIABLE".into(), vec![]),
        ("secret-source-not-found", at("missing"), vec![]),
        ("secret-source-too-large", at("big"), vec![]),
        ("secret-source-unusable", at("empty"), vec![]),
        (
            "secret-source-unreachable",
            "vault://secret/app#f".into(),
            vec![("VAULT_ADDR", closed), ("VAULT_TOKEN", "vault-token-value".into())],
        ),
    ];
    for (id, text, vars) in sources {
        let r = source::Reference::parse(&text).unwrap();
        let failure = source::read(&r, &move |n: &str| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())).await.unwrap_err();
        out.push((id, checks::secret_source(&r, Some(&failure))));
    }

    // The clock.
    let now = Utc::now();
    let at = |secs: i64| serde_json::json!(now.timestamp() + secs);
    out.push(("clock-behind", checks::clock(&jwt(serde_json::json!({ "iat": at(3600) })), now, None)));
    out.push(("clock-ahead", checks::clock(&jwt(serde_json::json!({ "exp": at(-3600) })), now, None)));
    out.push(("clock-off-from-server", checks::clock(&AccessToken::new("opaque"), now, Some(now - chrono::Duration::hours(1)))));

    // Answers no knowledge entry explains, by their kind.
    let unknown = || Error::OAuth { stage: Stage::Token, status: 400, error: "no_such_error_anywhere".into(), description: None };
    let bad = |stage, status, kind| Error::BadResponse { stage, status, kind, message: "answered oddly".into() };
    let kinds: [(&'static str, Error, Context); 10] = [
        ("refused-unknown-error", unknown(), ctx(false, None)),
        ("refused-unknown-error-of-provider", unknown(), ctx(false, Some("okta"))),
        ("authorize-url-not-found", bad(Stage::Authorize, Some(404), AnswerKind::Status), ctx(false, None)),
        ("token-url-not-token-endpoint", bad(Stage::Token, Some(200), AnswerKind::Html), ctx(false, None)),
        ("salesforce-token-url-not-token-endpoint", bad(Stage::Token, Some(404), AnswerKind::Status), ctx(true, None)),
        ("token-url-redirects", bad(Stage::Token, Some(302), AnswerKind::Redirect), ctx(false, None)),
        ("salesforce-token-url-redirects", bad(Stage::Token, Some(302), AnswerKind::Redirect), ctx(true, None)),
        ("request-timeout", Error::Timeout { stage: Stage::Token, host: "127.0.0.1".into(), secs: 5 }, ctx(false, None)),
        ("request-unreachable", Error::Network { stage: Stage::Token, host: "127.0.0.1".into(), detail: "reset".into() }, ctx(false, None)),
        ("request-failed", bad(Stage::Token, Some(200), AnswerKind::TooLarge), ctx(false, None)),
    ];
    for (id, e, c) in kinds {
        out.push((id, Diagnosis::new("h").explain(&e, &c, None)));
    }
    for (id, status, salesforce) in [
        ("test-token-not-accepted", 401, false),
        ("salesforce-test-user-not-allowed", 403, true),
        ("test-scope-or-permission-missing", 403, false),
        ("test-url-not-found", 404, false),
        ("test-unexpected-answer", 405, false),
        ("test-failed-in-body", 200, false),
    ] {
        out.push((id, Diagnosis::new("h").explain_test(&test_result(status), &ctx(salesforce, None), None)));
    }
    out
}

/// A key whose certificate expired yesterday.
fn expired_key() -> crate::pki::KeyMaterial {
    let mut key = crate::pki::generate(crate::pki::Algorithm::Es256, None, "expired").unwrap();
    let pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(key.key.expose(), &rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "expired");
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(30);
    params.not_after = now - time::Duration::days(1);
    key.cert = Some(params.self_signed(&pair).unwrap().pem());
    key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_finding_is_what_a_diagnosis_says_in_its_situation() {
    let mut wrong = Vec::new();
    let mut made = BTreeSet::new();
    for (id, o) in situations().await {
        made.insert(id);
        let Some(f) = findings::finding(id) else {
            wrong.push(format!("{id}: not in the findings"));
            continue;
        };
        if o.ok || o.entry != Some(id) {
            wrong.push(format!("{id}: the diagnosis found {:?} ({})", o.entry, o.finding));
            continue;
        }
        if o.source != Some(f.source.as_str()) {
            wrong.push(format!("{id}: Learn more is {:?}", o.source));
        }
        // The entry's words, each place filled: its cause, and its fix after any step put first.
        let unfilled = |text: &str| text.contains('{');
        let cause = o.cause.clone().unwrap_or_default();
        if unfilled(&cause) || unfilled(&o.finding) || o.fix.iter().any(|s| unfilled(s)) {
            wrong.push(format!("{id}: a place is left unfilled"));
        }
        if !f.cause.contains('{') && cause != f.cause {
            wrong.push(format!("{id}: the cause is not the entry's: {cause}"));
        }
        let fixed: Vec<&String> = f.fix.iter().filter(|s| !s.contains('{')).collect();
        if !fixed.iter().all(|s| o.fix.contains(s)) || o.fix.len() < f.fix.len() {
            wrong.push(format!("{id}: the fix is not the entry's: {:?}", o.fix));
        }
    }
    for f in findings::all() {
        let exempt = NOT_MADE_HERE.iter().any(|(id, _)| *id == f.id);
        if made.contains(f.id.as_str()) == exempt {
            wrong.push(format!("{}: {}", f.id, if exempt { "made here, and listed as not" } else { "no situation here makes it" }));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A whole diagnosis of a stored profile, twice, for the findings servers on 127.0.0.1 make:
/// it fails at the finding's stage with the finding's cause, fix and Learn more, and names no
/// knowledge-base entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diagnosis_of_a_profile_states_the_finding_and_its_learn_more() {
    let dir = tempfile::tempdir().unwrap();
    let desk = crate::Desk::open(dir.path(), std::sync::Arc::new(crate::secret::MemorySecrets::default())).unwrap();
    let (silent, silent_task) = serve(Server::Silent).await;
    let (closes, closes_task) = serve(Server::Closes).await;
    let (refuses, refuses_task) = serve(Server::Answers("403 Forbidden")).await;
    let down = closed_port();
    let none = Proxies::default();
    let through = |port: u16| Proxies::from_vars(move |name| (name == "HTTPS_PROXY").then(|| format!("http://127.0.0.1:{port}")));
    let cases: [(&str, String, Proxies); 6] = [
        ("tcp-refused", format!("http://127.0.0.1:{}/token", closed_port()), none.clone()),
        ("http-timeout", format!("http://127.0.0.1:{silent}/token"), none.clone()),
        ("host-unreachable", format!("http://127.0.0.1:{closes}/token"), none.clone()),
        ("tls-handshake-failed", format!("https://127.0.0.1:{closes}/token"), none),
        ("proxy-unreachable", "https://auth.example.com/token".into(), through(down)),
        ("proxy-tunnel-refused", "https://auth.example.com/token".into(), through(refuses)),
    ];
    let mut wrong = Vec::new();
    for (i, (id, token_url, proxies)) in cases.into_iter().enumerate() {
        let handle = format!("finding-{i}");
        let fields = fields(&[("token_url", &token_url), ("client_id", "c"), ("timeout", "1")]);
        let new = crate::profile::NewProfile {
            template: template::CLIENT_CREDENTIALS.into(),
            handle: handle.clone(),
            label: None,
            fields,
            client_secret: Some(ClientSecret::new("s3cret")),
        };
        desk.create(new).unwrap();
        let f = findings::finding(id).unwrap();
        for run in 0..2 {
            let d = proxies.clone().scope(desk.diagnose(&handle)).await.unwrap();
            let stage = f.stages.first().map(|s| s.as_str());
            let cause = d.cause.clone().unwrap_or_default();
            let expected_cause = f.cause.contains('{') || cause == f.cause;
            if d.ok
                || d.stage.as_deref() != stage
                || !expected_cause
                || d.source.as_deref() != Some(f.source.as_str())
                || d.knowledge.is_some()
            {
                wrong.push(format!("{id} (run {run}): {:?} {cause:?} {:?} {:?}", d.stage, d.source, d.knowledge));
            }
        }
    }
    for task in [silent_task, closes_task, refuses_task] {
        task.abort();
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
