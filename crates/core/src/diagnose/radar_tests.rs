//! The radar over generated profiles: for every rule, exactly the profiles that carry its
//! risk are listed, at and around each boundary, and no other.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::model::{ConnectionState, ConnectionStatus, SecretState};
use crate::template::{
    CLIENT_CREDENTIALS, CUSTOM_OAUTH2, DEVICE_CODE, JWT_BEARER, PASSWORD, SALESFORCE_AUTHORIZATION_CODE, SALESFORCE_CLIENT_CREDENTIALS,
    SALESFORCE_JWT_BEARER,
};

const TEMPLATES: [&str; 8] = [
    SALESFORCE_CLIENT_CREDENTIALS,
    SALESFORCE_AUTHORIZATION_CODE,
    SALESFORCE_JWT_BEARER,
    CUSTOM_OAUTH2,
    CLIENT_CREDENTIALS,
    JWT_BEARER,
    DEVICE_CODE,
    PASSWORD,
];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).single().unwrap()
}

fn profile(handle: &str, template: &str, fields: &[(&str, &str)]) -> Profile {
    Profile {
        handle: handle.into(),
        label: handle.into(),
        template: template.into(),
        fields: fields.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
        client_secret: SecretState::NotSet,
        secret_ref: None,
        connection: ConnectionState {
            state: ConnectionStatus::Never,
            expires_at: None,
            connected_at: None,
            last_attempt_at: None,
            last_error: None,
            certificate_expires_at: None,
            expiring_soon: false,
            expiring_soon_at: None,
            certificate_days_left: None,
            certificate_expiring: false,
        },
        unconfirmed: vec![],
        team: None,
        created_at: now(),
        updated_at: now(),
    }
}

fn attempt(at: DateTime<Utc>, stage: Stage, ok: bool, error: Option<&str>) -> Attempt {
    Attempt { at, stage, ok, status: None, elapsed_ms: 1, error: error.map(str::to_string), error_description: None }
}

fn of_kind(all: &[(Profile, Vec<Attempt>)], kind: &str) -> BTreeSet<String> {
    warnings(all, now()).into_iter().filter(|w| w.kind == kind).map(|w| w.handle).collect()
}

fn change(kind: &str) -> &'static Change {
    changes().iter().find(|c| c.kind == kind).unwrap()
}

#[test]
fn the_file_is_complete_and_every_change_cites_its_source() {
    assert!(!changes().is_empty(), "changes.json parses");
    assert_eq!(ids().len(), changes().len(), "ids are unique");
    for c in changes() {
        assert!(KINDS.contains(&c.kind.as_str()), "{}: kind {}", c.id, c.kind);
        assert!(c.source.starts_with("https://"), "{}: source", c.id);
        for text in [&c.why, &c.fix] {
            assert!(!text.is_empty() && !text.contains('`') && !text.contains(" --"), "{}: {text}", c.id);
        }
    }
    assert_eq!(change("flow_retired").date, Utc.with_ymd_and_hms(2027, 2, 20, 0, 0, 0).single());
    assert_eq!(change("pkce_required").date, Utc.with_ymd_and_hms(2026, 5, 11, 0, 0, 0).single());
    let tiers = &change("api_version_retired").versions;
    assert!(tiers.windows(2).all(|w| w[0].below < w[1].below), "tiers lowest first");
}

/// Every template, with token URLs at Salesforce and elsewhere: only password-grant
/// profiles whose token endpoint is Salesforce's are listed, dated 20 February 2027.
#[test]
fn the_username_password_flow_is_listed_for_salesforce_password_profiles_only() {
    let hosts =
        ["https://acme.my.salesforce.com", "https://login.salesforce.com", "https://auth.example.com", "https://oauth2.googleapis.com"];
    let mut all = Vec::new();
    let mut expected = BTreeSet::new();
    for t in TEMPLATES {
        for (i, h) in hosts.iter().enumerate() {
            let handle = format!("{t}-{i}");
            let token = format!("{h}/services/oauth2/token");
            all.push((profile(&handle, t, &[("token_url", &token), ("my_domain", "https://acme.my.salesforce.com")]), vec![]));
            if t == PASSWORD && i < 2 {
                expected.insert(handle);
            }
        }
    }
    assert_eq!(of_kind(&all, "flow_retired"), expected);
    for w in warnings(&all, now()).iter().filter(|w| w.kind == "flow_retired") {
        assert_eq!(w.date, change("flow_retired").date);
    }
}

/// API versions 1 to 70 in test URLs of Salesforce and other profiles: listed below 41.0
/// with the date of the tier each falls in, at Salesforce only.
#[test]
fn retired_api_versions_are_listed_with_their_tier_s_date() {
    let mut all = Vec::new();
    for v in 1..=70u32 {
        for (t, base) in [
            (SALESFORCE_JWT_BEARER, "https://acme.my.salesforce.com"),
            (CLIENT_CREDENTIALS, "https://acme.my.salesforce.com"),
            (CLIENT_CREDENTIALS, "https://api.example.com"),
        ] {
            let token = format!("{base}/services/oauth2/token");
            let test = format!("{base}/services/data/v{v}.0/limits");
            all.push((profile(&format!("{t}-{base}-{v}"), t, &[("token_url", &token), ("test_url", &test)]), vec![]));
        }
    }
    all.push((profile("no-version", SALESFORCE_JWT_BEARER, &[("test_url", "https://acme.my.salesforce.com/services/data/")]), vec![]));
    let found = warnings(&all, now());
    let listed: BTreeSet<String> = found.iter().filter(|w| w.kind == "api_version_retired").map(|w| w.handle.clone()).collect();
    let mut expected = BTreeSet::new();
    for v in 1..41u32 {
        for t in [SALESFORCE_JWT_BEARER, CLIENT_CREDENTIALS] {
            expected.insert(format!("{t}-https://acme.my.salesforce.com-{v}"));
        }
    }
    assert_eq!(listed, expected);
    let date_of =
        |v: u32| found.iter().find(|w| w.handle == format!("{SALESFORCE_JWT_BEARER}-https://acme.my.salesforce.com-{v}")).unwrap().date;
    let y = |y, m| Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single();
    assert_eq!((date_of(20), date_of(21), date_of(30), date_of(31), date_of(40)), (y(2022, 6), y(2025, 6), y(2025, 6), None, None));
    assert!(found.iter().any(|w| w.why.contains("Version 40.0") && w.why.contains("Summer ’28")));
}

/// Consumer Keys seen at one to four production orgs, with and without PKCE, sandboxes
/// among them: listed are the authorization-code profiles without PKCE whose key signs in
/// to at least two production orgs here.
#[test]
fn apps_in_several_orgs_without_pkce_are_listed() {
    let mut all = Vec::new();
    let mut expected = BTreeSet::new();
    for orgs in 1..=4usize {
        for sandboxes in 0..=2usize {
            let key = format!("key-{orgs}-{sandboxes}");
            for o in 0..orgs {
                for pkce in ["true", "false", ""] {
                    let handle = format!("{key}-org{o}-{pkce}");
                    let domain = format!("https://org{o}.my.salesforce.com");
                    all.push((
                        profile(&handle, SALESFORCE_AUTHORIZATION_CODE, &[("client_id", &key), ("my_domain", &domain), ("pkce", pkce)]),
                        vec![],
                    ));
                    if pkce == "false" && orgs >= 2 {
                        expected.insert(handle);
                    }
                }
                // The same key for client credentials: never a PKCE matter.
                let cc = format!("{key}-cc{o}");
                all.push((
                    profile(
                        &cc,
                        SALESFORCE_CLIENT_CREDENTIALS,
                        &[("client_id", &key), ("my_domain", &format!("https://cc{o}.my.salesforce.com"))],
                    ),
                    vec![],
                ));
            }
            for s in 0..sandboxes {
                let handle = format!("{key}-sandbox{s}");
                let domain = format!("https://org--uat{s}.sandbox.my.salesforce.com");
                all.push((
                    profile(&handle, SALESFORCE_AUTHORIZATION_CODE, &[("client_id", &key), ("my_domain", &domain), ("pkce", "false")]),
                    vec![],
                ));
                if orgs >= 2 {
                    expected.insert(handle);
                }
            }
        }
    }
    // Every Salesforce profile with the key counts its org, client credentials included.
    let listed = of_kind(&all, "pkce_required");
    let expected_with_cc: BTreeSet<String> = all
        .iter()
        .filter(|(p, _)| p.template == SALESFORCE_AUTHORIZATION_CODE && p.fields.get("pkce").map(String::as_str) == Some("false"))
        .map(|(p, _)| p.handle.clone())
        .collect();
    // Every key is at one org at least through its client-credentials twin, so each key
    // is seen at two orgs or more: every profile without PKCE is listed.
    assert_eq!(listed, expected_with_cc);
    assert!(expected.is_subset(&listed));
    // Without the twins, only keys at two production orgs or more count (sandboxes never).
    let alone: Vec<_> = all.iter().filter(|(p, _)| p.template == SALESFORCE_AUTHORIZATION_CODE).cloned().collect();
    assert_eq!(of_kind(&alone, "pkce_required"), expected);
}

/// A refresh token refused at hours around seven days after it was issued: listed within a
/// day of seven days, for Google profiles only, dated seven days after the last issue.
#[test]
fn google_refresh_tokens_that_lived_seven_days_are_listed() {
    let t0 = now() - Duration::days(30);
    let mut all = Vec::new();
    let mut expected = BTreeSet::new();
    for hours in [1, 24, 6 * 24 - 1, 6 * 24, 6 * 24 + 1, 7 * 24, 8 * 24 - 1, 8 * 24, 8 * 24 + 1, 14 * 24] {
        for (name, token, authorize) in [
            ("google", "https://oauth2.googleapis.com/token", "https://accounts.google.com/o/oauth2/v2/auth"),
            ("other", "https://auth.example.com/token", "https://auth.example.com/authorize"),
        ] {
            for (error, refused) in [("invalid_grant", true), ("invalid_client", false)] {
                let handle = format!("{name}-{hours}-{error}");
                let reissued = t0 + Duration::hours(hours) + Duration::minutes(5);
                let history = vec![
                    attempt(t0, Stage::Token, true, None),
                    attempt(t0 + Duration::hours(1), Stage::Refresh, true, None),
                    attempt(t0 + Duration::hours(hours), Stage::Refresh, false, Some(error)),
                    attempt(reissued, Stage::Token, true, None),
                ];
                all.push((profile(&handle, CUSTOM_OAUTH2, &[("token_url", token), ("authorize_url", authorize)]), history));
                if name == "google" && refused && (6 * 24..=8 * 24).contains(&hours) {
                    expected.insert(handle);
                }
            }
        }
    }
    assert_eq!(of_kind(&all, "refresh_token_lifetime"), expected);
    for w in warnings(&all, now()).iter().filter(|w| w.kind == "refresh_token_lifetime" && w.handle.starts_with("google")) {
        let hours: i64 = w.handle.split('-').nth(1).unwrap().parse().unwrap();
        assert_eq!(w.date, Some(t0 + Duration::hours(hours) + Duration::minutes(5) + Duration::days(7)), "{}", w.handle);
    }
}

/// A profile at a provider the knowledge base does not know, with the same short-lived
/// history: never listed.
#[test]
fn a_refresh_token_s_lifetime_is_read_only_at_google() {
    let t0 = now() - Duration::days(10);
    let history =
        vec![attempt(t0, Stage::Token, true, None), attempt(t0 + Duration::days(7), Stage::Refresh, false, Some("invalid_grant"))];
    let all = vec![(
        profile(
            "elsewhere",
            CUSTOM_OAUTH2,
            &[("token_url", "https://auth.example.com/token"), ("authorize_url", "https://auth.example.com/a")],
        ),
        history,
    )];
    assert!(of_kind(&all, "refresh_token_lifetime").is_empty());
}

/// Certificates ending seconds to days around the warning threshold: listed while fewer
/// than the threshold's whole days are left, dated at their end.
#[test]
fn certificates_are_listed_below_the_threshold_only() {
    let threshold = warnings::CERTIFICATE_WARNING_DAYS * 86_400;
    let mut all = Vec::new();
    let mut expected = BTreeSet::new();
    for secs in [-86_400 * 400, -1, 0, 1, 86_399, threshold - 86_400, threshold - 1, threshold, threshold + 1, threshold * 10] {
        for t in TEMPLATES {
            let handle = format!("{t}-{secs}");
            let mut p = profile(&handle, t, &[]);
            p.connection = p.connection.with_certificate(Some(now() + Duration::seconds(secs)), now());
            all.push((p, vec![]));
            if secs < threshold {
                expected.insert(handle);
            }
        }
    }
    all.push((profile("no-cert", JWT_BEARER, &[]), vec![]));
    assert_eq!(of_kind(&all, "certificate_expiring"), expected);
}

#[test]
fn warnings_come_soonest_first_and_undated_last() {
    let mut p = profile("cert", JWT_BEARER, &[]);
    p.connection = p.connection.with_certificate(Some(now() + Duration::days(2)), now());
    let all = vec![
        (profile("pw", PASSWORD, &[("token_url", "https://login.salesforce.com/services/oauth2/token")]), vec![]),
        (profile("v35", SALESFORCE_JWT_BEARER, &[("test_url", "https://acme.my.salesforce.com/services/data/v35.0/")]), vec![]),
        (p, vec![]),
    ];
    let order: Vec<String> = warnings(&all, now()).into_iter().map(|w| w.handle).collect();
    assert_eq!(order, ["cert", "pw", "v35"]);
}

#[path = "radar_dated_tests.rs"]
mod dated;
