//! `oauthdesk radar` and the radar in `test --all`, as a user runs them: the real binary and
//! real profiles in a real store. Exactly the profiles that carry a dated risk are listed.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::collections::BTreeSet;

use common::{oauthdesk, TestProfile};
use serde_json::Value;

/// Two authorization-code profiles of one Consumer Key at two production orgs, without PKCE.
fn several_orgs(d: &std::path::Path) {
    for (handle, org) in [("org-a", "https://org-a.my.salesforce.com"), ("org-b", "https://org-b.my.salesforce.com")] {
        TestProfile::new("salesforce-authorization-code", handle)
            .set("client_id", "3MVG9shared")
            .set("my_domain", org)
            .set("pkce", "false")
            .add(d);
    }
}

fn listed(v: &Value) -> BTreeSet<(String, String)> {
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["handle"].as_str().unwrap().to_string(), w["kind"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn the_radar_lists_exactly_the_profiles_at_risk_and_says_so_in_its_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Nothing stored: nothing on the radar, status 0.
    let empty = oauthdesk(d, &["radar", "--json"], None);
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    assert_eq!(serde_json::from_str::<Value>(&empty.stdout).unwrap(), serde_json::json!({ "warnings": [] }));

    TestProfile::new("password", "sf-password")
        .set("token_url", "https://login.salesforce.com/services/oauth2/token")
        .set("client_id", "3MVG9legacy")
        .set("username", "integration@acme.example")
        .secret("hunter2token")
        .add(d);
    TestProfile::new("salesforce-jwt-bearer", "sf-old-api")
        .set("my_domain", "https://acme.my.salesforce.com")
        .set("client_id", "3MVG9jwt")
        .set("username", "integration@acme.example")
        .set("test_url", "https://acme.my.salesforce.com/services/data/v35.0/limits")
        .add(d);
    TestProfile::new("salesforce-jwt-bearer", "sf-new-api")
        .set("my_domain", "https://acme.my.salesforce.com")
        .set("client_id", "3MVG9jwt")
        .set("username", "integration@acme.example")
        .set("test_url", "https://acme.my.salesforce.com/services/data/v62.0/limits")
        .add(d);
    TestProfile::new("password", "elsewhere-password")
        .set("token_url", "https://auth.example.com/token")
        .set("client_id", "legacy")
        .set("username", "someone")
        .secret("pw")
        .add(d);
    several_orgs(d);

    let run = oauthdesk(d, &["radar", "--json"], None);
    assert_eq!(run.code, 3, "warnings give status 3: {}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let expected: BTreeSet<(String, String)> =
        [("sf-password", "flow_retired"), ("sf-old-api", "api_version_retired"), ("org-a", "pkce_required"), ("org-b", "pkce_required")]
            .iter()
            .map(|(h, k)| ((*h).to_string(), (*k).to_string()))
            .collect();
    assert_eq!(listed(&v), expected);
    for w in v["warnings"].as_array().unwrap() {
        assert!(w["source"].as_str().unwrap().starts_with("https://"), "{w}");
        assert!(!w["why"].as_str().unwrap().is_empty() && !w["fix"].as_str().unwrap().is_empty(), "{w}");
        let date = &w["date"];
        assert!(date.is_null() || chrono::DateTime::parse_from_rfc3339(date.as_str().unwrap()).is_ok(), "{w}");
    }
    let password = v["warnings"].as_array().unwrap().iter().find(|w| w["handle"] == "sf-password").unwrap();
    assert_eq!(password["date"], "2027-02-20T00:00:00Z");

    // The text lists the same profiles, with the same status.
    let text = oauthdesk(d, &["radar"], None);
    assert_eq!(text.code, 3);
    for h in ["sf-password", "sf-old-api", "org-a", "org-b"] {
        assert!(text.stdout.contains(&format!("! {h} (")), "{h}: {}", text.stdout);
    }
    assert!(!text.stdout.contains("sf-new-api") && !text.stdout.contains("elsewhere-password"), "{}", text.stdout);
}

/// `test --all` carries the radar's warnings in its JSON and its text (the profiles here
/// fail before any request: they were never signed in).
#[test]
fn test_all_includes_the_radar() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    several_orgs(d);
    let run = oauthdesk(d, &["test", "--all", "--json"], None);
    assert_eq!(run.code, 1, "never signed in: {}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["failed"], 2);
    let expected: BTreeSet<(String, String)> =
        [("org-a", "pkce_required"), ("org-b", "pkce_required")].iter().map(|(h, k)| ((*h).to_string(), (*k).to_string())).collect();
    assert_eq!(listed(&v), expected);
    let text = oauthdesk(d, &["test", "--all"], None).stdout;
    assert!(text.contains("What will break next:") && text.contains("! org-a (") && text.contains("! org-b ("), "{text}");
}

/// A client secret's expiry recorded on the profile, and a retired API named in its fields,
/// put it on the radar as the command line adds it; a date that is not one is refused with
/// the field named, and the password grant has no such field.
#[test]
fn recorded_secret_expiry_and_retired_apis_are_on_the_radar() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let day = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
    let client = |handle: &str| {
        TestProfile::client_credentials(handle, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", "app")
            .secret("s3cret")
    };
    client("secret-soon").set("secret_expires", day(10)).add(d);
    client("secret-later").set("secret_expires", day(90)).add(d);
    client("aad-graph").set("scopes", "https://graph.windows.net/.default").add(d);
    client("ms-graph")
        .set("scopes", "https://graph.microsoft.com/.default")
        .set("test_url", "https://graph.microsoft.com/v1.0/organization")
        .add(d);
    for bad in ["30/06/2027", "2027-02-30", "1999-12-31"] {
        let run = client("bad-date").set("secret_expires", bad).try_add(d);
        assert!(run.code != 0 && run.stderr.contains("secret_expires") && run.stderr.contains(bad), "{bad}: {}", run.stderr);
    }
    let password = TestProfile::new("password", "pw")
        .set("token_url", "https://auth.example.com/token")
        .set("client_id", "c")
        .set("username", "u")
        .set("secret_expires", day(10))
        .secret("pw")
        .try_add(d);
    assert!(password.code != 0 && password.stderr.contains("secret_expires"), "{}", password.stderr);

    let run = oauthdesk(d, &["radar", "--json"], None);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let expected: BTreeSet<(String, String)> = [("secret-soon", "secret_expiring"), ("aad-graph", "azure_ad_graph_retired")]
        .iter()
        .map(|(h, k)| ((*h).to_string(), (*k).to_string()))
        .collect();
    assert_eq!(listed(&v), expected);
    let date = |handle: &str| v["warnings"].as_array().unwrap().iter().find(|w| w["handle"] == handle).unwrap()["date"].clone();
    assert_eq!(date("secret-soon"), format!("{}T00:00:00Z", day(10)));
    assert_eq!(date("aad-graph"), "2025-08-31T00:00:00Z");
}
