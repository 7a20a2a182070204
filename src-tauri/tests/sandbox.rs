//! The sandbox: `oauthdesk sandbox` prints `ready <issuer>` and its clients, its profiles
//! connect (client credentials on three faces, a sign-in with PKCE, refresh, revocation),
//! and each failure mode it plays is named by a diagnosis as exactly its knowledge-base
//! entry — so what support staff practise on is what the app will tell them in the field.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{json, oauthdesk, oauthdesk_env, ok};
use oauthdesk_core::Desk;
use oauthdesk_core::MemorySecrets;
use oauthdesk_sandbox::{Options, Sandbox};

/// Signs in as a browser would: the sandbox redirects at once to the loopback address.
const BROWSER: &str = "curl -s -L -o /dev/null --max-time 10 %s";

#[test]
fn the_command_prints_ready_and_its_clients_and_its_profiles_connect() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "--json", "sandbox", "--profiles"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let issuer = first.strip_prefix("ready ").expect("the first line is `ready <issuer>`").to_string();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let ready: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let clients = ready["clients"].as_array().unwrap();
    assert!(clients.iter().any(|c| c["client_id"] == "sandbox-service" && c["client_secret"].as_str().unwrap().len() >= 24));
    assert_eq!(ready["profiles"].as_array().unwrap().len(), 4);

    let d = dir.path();
    let all = oauthdesk(d, &["test", "--all", "--json"], None);
    assert_eq!(all.code, 1, "the sign-in profile is not signed in yet: {}", all.stdout);
    let r: serde_json::Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(r["ok"], 3, "the three client-credentials profiles connect: {}", all.stdout);
    ok(oauthdesk_env(d, &["authorize", "sandbox-sign-in"], None, &[("OAUTHDESK_BROWSER", BROWSER)]));
    let r = json(oauthdesk(d, &["test", "--all", "--json"], None));
    assert_eq!((r["ok"].as_u64(), r["failed"].as_u64()), (Some(4), Some(0)), "{r}");
    let view = json(oauthdesk(d, &["token", "sandbox-sign-in", "--json"], None));
    assert!(view["access_token"].as_str().unwrap().starts_with("eyJ"));

    // A failure mode switched on while it runs, the way the command's output says.
    let set =
        Command::new("curl").args(["-s", "-d", "mode=salesforce-no-run-as-user", &format!("{issuer}/sandbox/mode")]).output().unwrap();
    assert!(String::from_utf8_lossy(&set.stdout).contains("salesforce-no-run-as-user"));
    let diag: serde_json::Value = serde_json::from_str(&oauthdesk(d, &["diagnose", "sandbox-salesforce", "--json"], None).stdout).unwrap();
    assert_eq!(diag["knowledge"], "salesforce-no-run-as-user", "{diag}");
    assert_eq!(json(oauthdesk(d, &["diagnose", "sandbox-api", "--json"], None))["ok"], true, "the generic face stays healthy");

    // The test scenarios are the tests' alone: the app's sandbox answers none of their
    // requests.
    for (method, path) in oauthdesk_sandbox::standin::own_routes() {
        let url = format!("{issuer}{path}");
        let (status, body) = if method == "GET" { common::http::get(&url) } else { common::http::post_form(&url, None, &[]) };
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert!(body.contains("the sandbox has no endpoint here"), "{method} {path}: {body}");
    }

    // It stops on SIGTERM, and its port closes.
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let mut waited = 0;
    while child.try_wait().unwrap().is_none() && waited < 100 {
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    assert_eq!(child.try_wait().unwrap().and_then(|s| s.code()), Some(0), "stopped within 5 s");
    let port: u16 = issuer.rsplit(':').next().unwrap().parse().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is closed");
}

#[test]
fn a_bad_mode_or_a_taken_port_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let r = oauthdesk(dir.path(), &["sandbox", "--mode", "no-such-entry"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such-entry") && r.stderr.contains("not a knowledge-base entry"), "{}", r.stderr);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let r = oauthdesk(dir.path(), &["sandbox", "--port", &port], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&format!("port {port}")) && r.stderr.contains("in use"), "{}", r.stderr);
}

/// Signs in as a browser would: the sandbox redirects at once to the loopback address.
/// Opens a sign-in's browser page; the profiles here all sign in through the browser.
fn browse_start(start: oauthdesk_core::SignInStart<'_>) {
    if let oauthdesk_core::test_support::desk::SignInStart::Browser(url) = start {
        browse(url);
    }
}

fn browse(url: &url::Url) {
    let _ = Command::new("curl")
        .args(["-s", "-L", "-o", "/dev/null", "--max-time", "10", url.as_str()])
        .spawn()
        .map(|mut c| std::thread::spawn(move || c.wait()));
}

/// Every mode the sandbox plays — at the authorization page, the token endpoint, a refresh
/// or the test call, on its own provider's face — is named by a diagnosis as exactly that
/// mode's entry; with no mode, every profile is healthy again.
#[test]
fn every_mode_is_diagnosed_as_itself() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let sandbox = rt.block_on(Sandbox::start(Options::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
    oauthdesk_sandbox::install(&desk, &sandbox).unwrap();
    // A provider's sign-in is made when one of its modes is played.
    for id in ["salesforce-expired-token", "keycloak-refresh-token-expired"] {
        let made = oauthdesk_sandbox::install_for_mode(&desk, &sandbox, Some(id)).unwrap();
        assert!(made.as_deref().is_some_and(|h| h.ends_with("-sign-in") && desk.get(h).is_ok()), "{id}: {made:?}");
    }
    // Every sign-in profile of the sandbox (one on each face), signed in while it is healthy.
    let sign_ins: Vec<String> = sandbox.profiles().into_iter().filter(|p| p.template == "custom-oauth2").map(|p| p.handle).collect();
    assert_eq!(sign_ins.len(), 3, "a sign-in on each face: {sign_ins:?}");
    for handle in &sign_ins {
        let signed_in = rt.block_on(desk.sign_in(handle, Duration::from_secs(20), browse_start));
        assert!(signed_in.is_ok(), "{handle}: {signed_in:?}");
    }
    let mut wrong = Vec::new();
    let modes = oauthdesk_sandbox::modes();
    for mode in &modes {
        // The profile the mode says it shows on, as the window and `--modes` tell a person.
        let handle = mode.profile.as_str();
        sandbox.set_mode(Some(&mode.id)).unwrap();
        let d = rt.block_on(desk.diagnose(handle)).unwrap();
        if d.ok || d.knowledge.as_deref() != Some(mode.id.as_str()) {
            wrong.push(format!("{} ({}) on {handle}: ok={} stage={:?} knowledge={:?}", mode.id, mode.stage, d.ok, d.stage, d.knowledge));
        }
    }
    assert!(modes.len() >= 90, "modes: {}", modes.len());
    assert!(wrong.is_empty(), "{} of {} modes were not named as themselves:\n{}", wrong.len(), modes.len(), wrong.join("\n"));
    sandbox.set_mode(None).unwrap();
    for handle in sandbox.profiles().into_iter().map(|p| p.handle) {
        let d = rt.block_on(desk.diagnose(&handle)).unwrap();
        assert!(d.ok, "{handle} is healthy again with no mode: {:?} {:?}", d.stage, d.knowledge);
    }
}

/// `sandbox --modes` lists the failure modes under a heading per provider and stage, each by
/// its id (what --mode takes) and what is wrong in words; --json has the same groups.
#[test]
fn the_modes_are_listed_by_provider_and_stage_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let text = common::ok(common::oauthdesk(dir.path(), &["sandbox", "--modes"], None)).stdout;
    let modes = oauthdesk_sandbox::modes();
    for m in &modes {
        let heading = text.find(&format!("\n{}\n", m.group)).or_else(|| text.starts_with(&format!("{}\n", m.group)).then_some(0));
        let line = text.find(&format!("  {:<46} {}", m.id, m.title));
        assert!(heading.is_some_and(|h| line.is_some_and(|l| l > h)), "{} is not under {}:\n{text}", m.id, m.group);
    }
    assert!(text.contains("\nSalesforce · token stage\n"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&common::ok(common::oauthdesk(dir.path(), &["sandbox", "--modes", "--json"], None)).stdout).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(modes.len()));
    assert!(json.as_array().unwrap().iter().all(|m| m["group"].is_string() && m["title"].is_string()));
}
