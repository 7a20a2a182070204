//! The command-line contract, run as a user runs it: the real binary, a real SQLite file in a
//! temporary data directory, and the real OS keyring (`make test` provides a private GNOME
//! Keyring on a private D-Bus session).
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;

use common::{json, oauthdesk, ok, Run, TestProfile};
use serde_json::Value;

const SF_SECRET: &str = "SF-consumer-secret-9d1e77";
const CC_SECRET: &str = "cc-client-secret-41aa02";

/// The Salesforce profile most tests start from; its secret ends in a newline, as `echo` sends it.
fn sf_prod() -> TestProfile {
    TestProfile::salesforce_client_credentials("sf-prod", "https://acme.my.salesforce.com", "3MVG9consumerKey")
        .label("Acme production")
        .secret(format!("{SF_SECRET}\n"))
}

#[test]
fn templates_are_listed_with_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let t = json(oauthdesk(dir.path(), &["templates", "--json"], None));
    let ids: Vec<&str> = t.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    // Every template but the legacy one.
    let expected = &common::TEMPLATE_IDS[..7];
    assert_eq!(ids, expected);
    let text = ok(oauthdesk(dir.path(), &["templates"], None)).stdout;
    assert!(text.contains("my_domain") && text.contains("Consumer Key"), "{text}");
    // The legacy password grant is listed only when asked for, and says it is legacy.
    let all = json(oauthdesk(dir.path(), &["templates", "--all", "--json"], None));
    let password = all.as_array().unwrap().iter().find(|t| t["id"] == "password").unwrap();
    assert_eq!(password["legacy"], true);
    assert!(password["name"].as_str().unwrap().contains("legacy"));
}

#[test]
fn each_template_creates_shows_edits_exports_and_imports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sf_prod().add(d);
    TestProfile::new("salesforce-authorization-code", "sf-user").set("client_id", "3MVG9user").set("environment", "sandbox").add(d);
    TestProfile::new("custom-oauth2", "idp")
        .set("authorize_url", "https://idp.example.com/authorize")
        .set("token_url", "https://idp.example.com/token")
        .set("client_id", "desk")
        .set("redirect_port", "8765")
        .add(d);
    TestProfile::client_credentials("api", "https://auth.example.com/oauth/token", "machine")
        .set("token_body", "json")
        .set("token_field", "accessToken")
        .set("audience", "https://api.example.com")
        .set("extra_params", "tenant=acme")
        .secret(CC_SECRET)
        .add(d);

    let list = json(oauthdesk(d, &["list", "--json"], None));
    let handles: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["handle"].as_str().unwrap()).collect();
    assert_eq!(handles.len(), 4, "{list}");

    let sf = json(oauthdesk(d, &["show", "sf-prod", "--json"], None));
    assert_eq!(sf["client_secret"], "set");
    assert_eq!(sf["fields"]["scopes"], "api");
    assert_eq!(sf["label"], "Acme production");
    let user = json(oauthdesk(d, &["show", "sf-user", "--json"], None));
    assert_eq!(user["client_secret"], "not set");
    assert_eq!(user["fields"]["environment"], "sandbox");

    // Editing without a secret keeps it; --set FIELD= clears back to the default.
    let edited = json(oauthdesk(d, &["edit", "sf-prod", "--set", "scopes=api refresh_token", "--label", "Acme", "--json"], None));
    assert_eq!(edited["fields"]["scopes"], "api refresh_token");
    assert_eq!(edited["client_secret"], "set");
    let cleared = json(oauthdesk(d, &["edit", "sf-prod", "--set", "scopes=", "--json"], None));
    assert_eq!(cleared["fields"]["scopes"], "api");
    ok(oauthdesk(d, &["edit", "sf-user", "--secret-stdin"], Some("user-flow-secret")));
    assert_eq!(json(oauthdesk(d, &["show", "sf-user", "--json"], None))["client_secret"], "set");

    let export = ok(oauthdesk(d, &["export"], None)).stdout;
    let file: Value = serde_json::from_str(&export).unwrap();
    assert_eq!(file["profiles"].as_array().unwrap().len(), 4);
    let path = d.join("shared.json");
    std::fs::write(&path, &export).unwrap();

    let other = tempfile::tempdir().unwrap();
    let imported = json(oauthdesk(other.path(), &["import", path.to_str().unwrap(), "--json"], None));
    assert_eq!(imported["imported"].as_array().unwrap().len(), 4);
    let api = json(oauthdesk(other.path(), &["show", "api", "--json"], None));
    assert_eq!(api["fields"]["token_field"], "accessToken");
    assert_eq!(api["client_secret"], "not set", "secrets do not travel in exports");

    let again = oauthdesk(other.path(), &["import", path.to_str().unwrap()], None);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    ok(oauthdesk(d, &["remove", "idp"], None));
    let gone = oauthdesk(d, &["show", "idp"], None);
    assert_eq!(gone.code, 2);
    assert!(gone.stderr.contains("no profile with handle 'idp'"), "{}", gone.stderr);
}

#[test]
fn bad_input_names_the_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sf_prod().add(d);
    let before = ok(oauthdesk(d, &["list", "--json"], None)).stdout;

    let cc = |handle: &str, token_url: &str| TestProfile::client_credentials(handle, token_url, "c").secret("s").try_add(d);
    let cases: Vec<(Run, &str)> = vec![
        (cc("Bad Handle", "https://a.example.com/t"), "handle: "),
        (sf_prod().try_add(d), "handle: a profile with handle 'sf-prod' already exists"),
        (cc("api", "not a url"), "token_url: "),
        (cc("api", "http://auth.example.com/token"), "token_url: "),
        (TestProfile::new("client-credentials", "api").set("client_id", "c").secret("s").try_add(d), "token_url: "),
        (TestProfile::new("github", "gh").try_add(d), "template: unknown template 'github'"),
        (TestProfile::client_credentials("api", "https://a.example.com/t", "c").try_add(d), "client_secret: "),
        (oauthdesk(d, &["edit", "sf-prod", "--set", "client_secret=oops"], None), "client_secret: "),
        (oauthdesk(d, &["edit", "sf-prod", "--set", "my_domain=https://acme.lightning.force.com"], None), "my_domain: "),
        (oauthdesk(d, &["edit", "sf-prod", "--set", "redirect_port=80"], None), "redirect_port: "),
    ];
    for (run, expected) in cases {
        assert_eq!(run.code, 2, "{expected}: {}", run.stderr);
        let line = run.stderr.lines().last().unwrap_or_default();
        assert!(line.starts_with(&format!("oauthdesk: {expected}")), "expected '{expected}', got: {}", run.stderr);
    }
    let lightning = oauthdesk(d, &["edit", "sf-prod", "--set", "my_domain=https://acme.lightning.force.com"], None);
    assert!(lightning.stderr.contains("use https://acme.my.salesforce.com"), "{}", lightning.stderr);
    let as_json = oauthdesk(d, &["show", "nope", "--json"], None);
    let err: Value = serde_json::from_str(&as_json.stdout).unwrap();
    assert_eq!((err["ok"].clone(), err["code"].clone()), (Value::Bool(false), Value::from("not_found")));
    assert_eq!(ok(oauthdesk(d, &["list", "--json"], None)).stdout, before, "nothing changed");
}

#[test]
fn secrets_never_reach_the_store_the_logs_or_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut output = String::new();
    for run in [
        sf_prod().try_add(d),
        TestProfile::client_credentials("api", "https://auth.example.com/t", "m").secret(CC_SECRET).try_add(d),
        oauthdesk(d, &["edit", "api", "--secret-stdin"], Some("rotated-secret-5521")),
        oauthdesk(d, &["show", "api", "--json"], None),
        oauthdesk(d, &["list"], None),
        oauthdesk(d, &["export"], None),
    ] {
        let run = ok(run);
        output.push_str(&run.stdout);
        output.push_str(&run.stderr);
    }
    let mut files = String::new();
    for entry in walk(d) {
        files.push_str(&String::from_utf8_lossy(&std::fs::read(&entry).unwrap()));
    }
    assert!(files.contains("sf-prod"), "the scan read the store and logs");
    for secret in [SF_SECRET, CC_SECRET, "rotated-secret-5521"] {
        assert!(!files.contains(secret), "a file in the data directory holds {secret}");
        assert!(!output.contains(secret), "the output holds {secret}");
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn without_a_keyring_the_cli_says_so_and_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = TestProfile::client_credentials("api", "https://a.example.com/t", "c")
        .secret("s")
        .try_add_env(dir.path(), &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/oauthdesk-test-bus")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("the OS keyring is not available"), "{}", run.stderr);
    assert!(run.stderr.contains("gnome-keyring-daemon"), "{}", run.stderr);
    let list = json(oauthdesk(dir.path(), &["list", "--json"], None));
    assert_eq!(list, Value::Array(vec![]), "the failed add stored nothing");
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oauthdesk.sqlite3");
    rusqlite::Connection::open(&path).unwrap().execute_batch("CREATE TABLE later (x); PRAGMA user_version = 42;").unwrap();
    let before = std::fs::read(&path).unwrap();
    let run = oauthdesk(dir.path(), &["list"], None);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("newer OAuth Desk"), "{}", run.stderr);
    assert_eq!(std::fs::read(&path).unwrap(), before, "the newer store is left untouched");
}
