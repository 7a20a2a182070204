//! The radar's client-secret expiry and retired APIs over every template: a profile is listed
//! exactly when it records a secret ending within the threshold, or names a retired API in
//! the fields the change reads, at and around each boundary.

use super::*;
use crate::template::FieldKind;

/// Every template that records a secret's expiry: those with a client secret, but not the
/// password grant (whose secret is a user's password).
#[test]
fn the_templates_with_a_client_secret_record_its_expiry() {
    for t in template::all() {
        let has = t.field("secret_expires").map(|f| f.kind.clone());
        let expected = t.secret_field().is_some() && t.flow != Flow::Password;
        assert_eq!(has.is_some(), expected, "{}", t.id);
        if expected {
            assert_eq!(has, Some(FieldKind::Date), "{}", t.id);
        }
    }
}

/// Secrets ending from 400 days ago to 300 days ahead, at noon and at midnight: listed when
/// fewer than the threshold's whole days are left (an ended one too), dated the start of the
/// recorded day; a profile recording no date never is.
#[test]
fn secrets_are_listed_below_the_threshold_only() {
    let threshold = Duration::days(warnings::SECRET_WARNING_DAYS);
    for now in [now(), now() - Duration::hours(12)] {
        let mut all = Vec::new();
        let mut expected = BTreeSet::new();
        for t in template::all().iter().filter(|t| t.field("secret_expires").is_some()) {
            all.push((profile(&format!("{}-none", t.id), &t.id, &[("client_id", "c")]), vec![]));
            for days in (-400..=300i64).step_by(7).chain(28..=32) {
                let day = (now + Duration::days(days)).date_naive();
                let handle = format!("{}-{days}", t.id);
                let date = day.format("%Y-%m-%d").to_string();
                all.push((profile(&handle, &t.id, &[("client_id", "c"), ("secret_expires", &date)]), vec![]));
                let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
                if start - now < threshold {
                    expected.insert(handle.clone());
                }
            }
        }
        let listed = warnings(&all, now).into_iter().filter(|w| w.kind == "secret_expiring").collect::<Vec<_>>();
        let handles: BTreeSet<String> = listed.iter().map(|w| w.handle.clone()).collect();
        assert_eq!(handles, expected, "at {now}");
        for w in listed {
            let recorded = all.iter().find(|(p, _)| p.handle == w.handle).and_then(|(p, _)| p.fields.get("secret_expires").cloned());
            assert_eq!(w.date.map(|d| d.format("%Y-%m-%d").to_string()), recorded, "{}", w.handle);
            assert_eq!(w.date.map(|d| d.format("%H:%M:%S").to_string()).as_deref(), Some("00:00:00"), "{}", w.handle);
        }
    }
    // Exactly the threshold left (midnight to midnight) is not listed; a second less is.
    let midnight = now() - Duration::hours(12);
    let at = |t: DateTime<Utc>| {
        let date = (midnight + threshold).date_naive().format("%Y-%m-%d").to_string();
        let p = profile("edge", CLIENT_CREDENTIALS, &[("secret_expires", &date)]);
        warnings(&[(p, vec![])], t).iter().any(|w| w.kind == "secret_expiring")
    };
    assert!(!at(midnight) && at(midnight + Duration::seconds(1)));
}

/// URLs a profile may name, and the retired API each is on (`None`: on none).
const URLS: [(&str, Option<&str>); 13] = [
    ("https://graph.windows.net/contoso.onmicrosoft.com/users?api-version=1.6", Some("azure_ad_graph_retired")),
    ("https://GRAPH.windows.net/me", Some("azure_ad_graph_retired")),
    ("https://graph.windows.net", Some("azure_ad_graph_retired")),
    ("https://graph.windows.net/.default", Some("azure_ad_graph_retired")),
    ("https://graph.microsoft.com/v1.0/me", None),
    ("https://eu.graph.windows.net/x", None),
    ("https://graph.windows.net.example.com/x", None),
    ("https://outlook.office.com/api/v2.0/me/messages", Some("outlook_rest_retired")),
    ("https://outlook.office.com/API/beta/me", Some("outlook_rest_retired")),
    ("https://outlook.office.com/apix/v2.0/me", None),
    ("https://outlook.office.com/owa/", None),
    ("https://outlook.office365.com/EWS/Exchange.asmx", None),
    ("https://graph.microsoft.com/v1.0/me/messages", None),
];

/// Every template, every URL in each field a change reads (the scopes among other scopes):
/// listed for exactly the API the URL is on and the fields that change reads, dated as the
/// provider announced.
#[test]
fn retired_apis_are_listed_for_the_fields_that_name_them_only() {
    let reads = |kind: &str, field: &str| match kind {
        "azure_ad_graph_retired" => ["test_url", "resource", "scopes"].contains(&field),
        _ => field == "test_url",
    };
    let mut all = Vec::new();
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for t in template::all() {
        for field in ["test_url", "resource", "scopes", "audience", "revoke_url"].into_iter().filter(|f| t.field(f).is_some()) {
            for (i, (url, on)) in URLS.iter().enumerate() {
                let handle = format!("{}-{field}-{i}", t.id);
                let value = if field == "scopes" { format!("openid {url} offline_access") } else { (*url).to_string() };
                all.push((profile(&handle, &t.id, &[("client_id", "c"), (field, &value)]), vec![]));
                if let Some(kind) = on.filter(|k| reads(k, field)) {
                    expected.insert((handle, kind.to_string()));
                }
            }
        }
    }
    let kinds = ["azure_ad_graph_retired", "outlook_rest_retired"];
    let listed: Vec<RadarWarning> = warnings(&all, now()).into_iter().filter(|w| kinds.contains(&w.kind.as_str())).collect();
    let got: BTreeSet<(String, String)> = listed.iter().map(|w| (w.handle.clone(), w.kind.clone())).collect();
    assert_eq!(got, expected);
    assert!(expected.len() >= 30, "{} listed", expected.len());
    for w in &listed {
        assert_eq!(w.date, change(&w.kind).date, "{}", w.handle);
        assert!(w.why.starts_with(&change(&w.kind).why), "{}", w.handle);
    }
    assert_eq!(change("azure_ad_graph_retired").date, Utc.with_ymd_and_hms(2025, 8, 31, 0, 0, 0).single());
    assert_eq!(change("outlook_rest_retired").date, Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).single());
}

/// A front end opens a change's source by its kind: no two changes share one.
#[test]
fn each_change_has_a_kind_of_its_own() {
    let kinds: BTreeSet<&str> = changes().iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds.len(), changes().len());
    for c in changes() {
        assert_eq!(source(&c.kind), Some(c.source.as_str()), "{}", c.id);
    }
}
