//! The evidence read from the store's history: each recorded situation (a refresh token
//! refused on its first use here, one that worked before, idle time, later sign-ins of the
//! same user to the same client in other profiles, a changed network path) makes its cause
//! first, or rules it out.

use std::sync::Arc;

use chrono::{Duration, Utc};

use super::ranking::{Cause, Verdict};
use super::Diagnosis;
use crate::desk::Desk;
use crate::model::Check;
use crate::profile::NewProfile;
use crate::secret::{ClientSecret, MemorySecrets};
use crate::store::grant_facts::{self, GrantFact};

fn desk(handles: &[&str]) -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
    for h in handles {
        let fields = [("token_url", "https://idp.example.com/token"), ("client_id", "c")];
        desk.create(NewProfile {
            template: crate::template::CLIENT_CREDENTIALS.into(),
            handle: h.to_string(),
            label: None,
            fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            client_secret: Some(ClientSecret::new("s")),
        })
        .unwrap();
    }
    (dir, desk)
}

fn fact(days_ago: i64, ok: bool, sign_in: bool, presented: Option<&str>, received: Option<&str>, path: &str) -> GrantFact {
    GrantFact {
        at: Utc::now() - Duration::days(days_ago) - Duration::minutes(1),
        ok,
        refresh: presented.is_some(),
        sign_in,
        presented_fp: presented.map(|t| grant_facts::fingerprint("c", t)),
        received_fp: received.map(|t| grant_facts::fingerprint("c", t)),
        client_id: "c".into(),
        subject: sign_in.then(|| "005xx0000012345".into()),
        path: path.into(),
    }
}

fn record(desk: &Desk, handle: &str, facts: &[GrantFact]) {
    let (id, _) = desk.flow_config(handle).unwrap();
    let conn = desk.conn();
    for f in facts {
        grant_facts::record(&conn, id, f).unwrap();
    }
}

/// The refusal the diagnosis met now, recorded as the request left it.
fn refused(desk: &Desk, handle: &str, presented: &str, path: &str) -> Diagnosis {
    let mut d = Diagnosis::new(handle);
    d.at = Utc::now() - Duration::seconds(5);
    let mut f = fact(0, false, false, Some(presented), None, path);
    f.at = Utc::now();
    record(desk, handle, &[f]);
    d.ok = false;
    d.stage = Some(Check::TokenEndpoint.as_str().into());
    d.error = Some("invalid_grant".into());
    d.error_description = Some("expired access/refresh token".into());
    d.done_at = Utc::now();
    d
}

fn ranked(desk: &Desk, d: &Diagnosis) -> Vec<(Cause, Verdict)> {
    desk.rank_causes(d, Some("salesforce")).unwrap().into_iter().map(|r| (r.cause, r.verdict)).collect()
}

fn verdict(r: &[(Cause, Verdict)], c: Cause) -> Verdict {
    r.iter().find(|x| x.0 == c).unwrap().1
}

#[test]
fn a_refresh_token_refused_on_its_first_use_here_ranks_a_copy_elsewhere_first() {
    let (_dir, desk) = desk(&["a"]);
    record(&desk, "a", &[fact(1, true, true, None, Some("rt1"), "direct")]);
    let r = ranked(&desk, &refused(&desk, "a", "rt1", "direct"));
    assert_eq!(r[0], (Cause::Rotation, Verdict::Likely), "{r:?}");
    assert_eq!(verdict(&r, Cause::NetworkPath), Verdict::RuledOut);
    assert_eq!(verdict(&r, Cause::IdleExpiry), Verdict::RuledOut);
    assert_eq!(verdict(&r, Cause::TokenLimit), Verdict::RuledOut);
}

#[test]
fn a_refresh_token_that_worked_here_before_rules_a_copy_out() {
    let (_dir, desk) = desk(&["a"]);
    record(&desk, "a", &[fact(2, true, true, None, Some("rt1"), "direct"), fact(1, true, false, Some("rt1"), None, "direct")]);
    let r = ranked(&desk, &refused(&desk, "a", "rt1", "direct"));
    assert_eq!(verdict(&r, Cause::Rotation), Verdict::RuledOut, "{r:?}");
}

#[test]
fn idle_time_since_the_last_success_past_thirty_days_comes_first() {
    for idle in [30, 31, 45, 89] {
        let (_dir, desk) = desk(&["a"]);
        record(
            &desk,
            "a",
            &[fact(idle + 5, true, true, None, Some("rt1"), "direct"), fact(idle, true, false, Some("rt1"), Some("rt2"), "direct")],
        );
        let r = ranked(&desk, &refused(&desk, "a", "rt2", "direct"));
        assert_eq!(r[0], (Cause::IdleExpiry, Verdict::Likely), "{idle} days: {r:?}");
    }
    let (_dir, desk) = desk(&["a"]);
    record(&desk, "a", &[fact(35, true, true, None, Some("rt1"), "direct"), fact(29, true, false, Some("rt1"), Some("rt2"), "direct")]);
    let r = ranked(&desk, &refused(&desk, "a", "rt2", "direct"));
    assert_eq!(verdict(&r, Cause::IdleExpiry), Verdict::RuledOut, "{r:?}");
}

#[test]
fn later_sign_ins_of_the_same_user_in_other_profiles_count_against_five() {
    for later in 0..8usize {
        let handles: Vec<String> = (0..=later).map(|i| format!("p{i}")).collect();
        let refs: Vec<&str> = handles.iter().map(String::as_str).collect();
        let (_dir, desk) = desk(&refs);
        record(&desk, "p0", &[fact(10, true, true, None, Some("rt0"), "direct")]);
        for (i, h) in refs.iter().enumerate().skip(1) {
            record(&desk, h, &[fact(9 - i as i64 / 2, true, true, None, Some(&format!("other{i}")), "direct")]);
        }
        let r = ranked(&desk, &refused(&desk, "p0", "rt0", "direct"));
        if later >= 5 {
            assert_eq!(r[0], (Cause::TokenLimit, Verdict::Likely), "{later} later sign-ins: {r:?}");
        } else {
            assert_eq!(verdict(&r, Cause::TokenLimit), Verdict::RuledOut, "{later} later sign-ins: {r:?}");
        }
    }
}

#[test]
fn a_network_path_changed_since_the_last_success_comes_first_at_salesforce() {
    let (_dir, desk) = desk(&["a"]);
    record(&desk, "a", &[fact(2, true, true, None, Some("rt1"), "direct"), fact(1, true, false, Some("rt1"), None, "direct")]);
    let r = ranked(&desk, &refused(&desk, "a", "rt1", "proxy http://vpn.example:3128"));
    assert_eq!(r[0], (Cause::NetworkPath, Verdict::Likely), "{r:?}");
}

#[test]
fn a_profile_that_never_worked_or_a_clear_answer_is_not_ranked() {
    let (_dir, desk) = desk(&["a"]);
    let d = refused(&desk, "a", "rt1", "direct");
    assert!(desk.rank_causes(&d, Some("salesforce")).unwrap().is_empty(), "never worked");
    record(&desk, "a", &[fact(1, true, true, None, Some("rt1"), "direct")]);
    let mut d = refused(&desk, "a", "rt1", "direct");
    d.error = Some("invalid_client".into());
    assert!(desk.rank_causes(&d, Some("salesforce")).unwrap().is_empty(), "not ambiguous");
}
