//! Ranked causes against a provider that enforces the lifecycle of refresh tokens (the
//! stand-in's `/lifecycle/…`: Salesforce's rotation with the family ended on reuse, its five
//! families per user and app, its 30-day idle limit; Entra's password change), driven
//! through the real CLI with the clocks of both sides moved forward by whole days
//! (`faketime` on `oauthdesk`, the stand-in's own clock). For each cause: ranked first, and
//! alone as likely, when it is the cause, with its evidence; ruled out when the evidence
//! says so. The ranking reads only what the CLI's own token requests recorded.
//!
//! Needs the keyring (a copied data directory is another machine with the same store key):
//! `scripts/with-keyring.sh cargo test -p oauthdesk --test ranking`.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;
#[path = "ranking/support.rs"]
mod support;

use common::StandIn;
use support::{change_password, families, first, lose_next_answer, provider_day, ranking, require_faketime, verdict, Desk};

const SF: &str = "salesforce";
const CLIENT: &str = "lc-app";

#[test]
fn a_copy_elsewhere_that_refreshed_first_is_ranked_first() {
    require_faketime();
    // (refreshes here before the copy is made, refreshes by the copy, sign-ins of the same
    // user to the same app from other profiles, whether the copy is the one that fails)
    for (here, there, others, copy_fails) in [(0, 1, 0, false), (1, 1, 2, false), (2, 3, 4, false), (1, 1, 1, true), (0, 2, 3, true)] {
        let case = format!("{here} refreshes here, {there} by the copy, {others} other sign-ins, copy fails: {copy_fails}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, SF, "sf", CLIENT);
        desk.sign_in(0, "sf", "alice");
        for _ in 0..here {
            desk.refresh(0, "sf");
        }
        for i in 0..others {
            let h = format!("other-{i}");
            desk.add(&s, SF, &h, CLIENT);
            desk.sign_in(0, &h, "alice");
        }
        let copy = desk.copy();
        let (first_user, second) = if copy_fails { (&desk, &copy) } else { (&copy, &desk) };
        for _ in 0..there {
            first_user.refresh(0, "sf");
        }
        let ranked = ranking(&second.diagnose(0, "sf"));
        first(&ranked, "rotation", "refused on its first use here", &case);
        let (v, evidence) = verdict(&ranked, "token_limit");
        assert_eq!(v, "ruled_out", "{case}: {ranked:#?}");
        assert!(evidence[0].starts_with(&format!("{others} later sign-ins")), "{case}: {evidence:?}");
        assert_eq!(verdict(&ranked, "idle_expiry").0, "ruled_out", "{case}: {ranked:#?}");
        let ended: Vec<_> = families(&s).iter().map(|f| f["ended"].clone()).collect();
        assert_eq!(ended[0], "reused", "{case}: the provider ended the family on reuse: {ended:?}");
    }
}

#[test]
fn a_refresh_from_here_whose_answer_was_lost_is_ranked_first_not_a_copy() {
    require_faketime();
    // (refreshes before, the day the answer is lost, the day it is diagnosed)
    for (before, lost, fails) in [(0, 0, 0), (1, 2, 2), (2, 5, 9), (0, 10, 12)] {
        let case = format!("{before} refreshes, answer lost on day {lost}, diagnosed on day {fails}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, SF, "sf", CLIENT);
        desk.sign_in(0, "sf", "alice");
        for _ in 0..before {
            desk.refresh(0, "sf");
        }
        provider_day(&s, lost);
        lose_next_answer(&s);
        let out = desk.run(lost, &["token", "sf", "--force", "--json"]);
        assert_ne!(out.code, 0, "{case}: the answer was lost: {}", out.stdout);
        provider_day(&s, fails);
        let ranked = ranking(&desk.diagnose(fails, "sf"));
        first(&ranked, "rotation", "without its answer", &case);
        assert!(!ranked[0].2[0].contains("copy"), "{case}: no copy elsewhere is needed to explain it: {:?}", ranked[0].2);
        assert_eq!(verdict(&ranked, "idle_expiry").0, "ruled_out", "{case}: {ranked:#?}");
        assert_eq!(families(&s)[0]["ended"], "reused", "{case}");
    }
}

#[test]
fn the_sixth_sign_in_of_the_same_user_to_the_same_app_is_ranked_first_from_any_profile() {
    require_faketime();
    // How the five later sign-ins of alice to the app are spread over other profiles, and
    // sign-ins that do not count (another user, another app) made between them.
    for (spread, noise) in [(vec![5], false), (vec![1, 1, 1, 1, 1], true), (vec![2, 3], true), (vec![4, 1], false)] {
        let case = format!("sign-ins {spread:?}, others between: {noise}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, SF, "old", CLIENT);
        desk.sign_in(0, "old", "alice");
        if noise {
            desk.add(&s, SF, "bob", CLIENT);
            desk.add(&s, SF, "elsewhere", "lc-other-app");
        }
        let mut done = 0;
        for (i, n) in spread.iter().enumerate() {
            let h = format!("p{i}");
            desk.add(&s, SF, &h, CLIENT);
            for _ in 0..*n {
                if done == 4 {
                    // Four later sign-ins: five families, none ended; the old one still works.
                    desk.refresh(0, "old");
                }
                desk.sign_in(0, &h, "alice");
                done += 1;
                if noise {
                    desk.sign_in(0, "bob", "bob");
                    desk.sign_in(0, "elsewhere", "alice");
                }
            }
        }
        let ranked = ranking(&desk.diagnose(0, "old"));
        first(&ranked, "token_limit", "5 later sign-ins of", &case);
        assert_eq!(verdict(&ranked, "rotation").0, "possible", "{case}: a token ended by the limit is refused like a copy's: {ranked:#?}");
        assert_eq!(verdict(&ranked, "idle_expiry").0, "ruled_out", "{case}: {ranked:#?}");
        let ended: Vec<_> = families(&s).iter().filter(|f| f["ended"] == "limit").map(|f| f["user"].clone()).collect();
        assert_eq!(ended, ["alice"], "{case}: the provider ended exactly the oldest family");
    }
}

#[test]
fn a_family_unused_past_the_idle_limit_is_ranked_first_with_both_clocks_moved() {
    require_faketime();
    // (the provider, the app, the days of the refreshes after the sign-in on day 0, the day it
    // fails, how the rotation of the token it holds is ranked). At Salesforce an app with
    // rotation and one without; Entra says inactivity in its words; Google's idle limit is six
    // months, and a refresh past a week shows its week for Testing apps does not hold.
    for (provider, client, refreshes, fails, rotation) in [
        (SF, CLIENT, vec![], 31, "possible"),
        (SF, CLIENT, vec![10], 50, "possible"),
        (SF, CLIENT, vec![5, 30], 90, "possible"),
        (SF, CLIENT, vec![20], 200, "possible"),
        (SF, "lc-app-no-rotation", vec![10], 45, "ruled_out"),
        (SF, "lc-app-no-rotation", vec![3, 25], 56, "ruled_out"),
        ("entra", "lc-entra-app", vec![], 91, "possible"),
        ("entra", "lc-entra-app", vec![40], 150, "possible"),
        ("google", "lc-google-app", vec![10], 200, "ruled_out"),
        ("google", "lc-google-app", vec![8, 100], 300, "ruled_out"),
    ] {
        let case = format!("{provider} {client}: refreshed on days {refreshes:?}, fails on day {fails}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, provider, "h", client);
        desk.sign_in(0, "h", "alice@example.com");
        for day in &refreshes {
            provider_day(&s, *day);
            desk.refresh(*day, "h");
        }
        let last = refreshes.last().copied().unwrap_or(0);
        provider_day(&s, fails);
        let ranked = ranking(&desk.diagnose(fails, "h"));
        let says = if provider == "entra" { "AADSTS700082".to_string() } else { format!("unused for {} days", fails - last) };
        first(&ranked, "idle_expiry", &says, &case);
        for cause in ["token_limit", "absolute_expiry", "clock"] {
            assert_eq!(verdict(&ranked, cause).0, "ruled_out", "{case}: {cause} (both clocks moved together): {ranked:#?}");
        }
        assert_eq!(verdict(&ranked, "rotation").0, rotation, "{case}: {ranked:#?}");
        assert_eq!(families(&s)[0]["ended"], "idle", "{case}");
    }
}

#[test]
fn idle_expiry_is_ruled_out_when_the_last_refresh_was_recent() {
    require_faketime();
    // (days of the refreshes here, the day a copy elsewhere refreshes and this one fails)
    for (refreshes, fails) in [(vec![29], 30), (vec![15, 33], 45), (vec![], 1), (vec![25, 50, 61], 90)] {
        let case = format!("refreshed on days {refreshes:?}, fails on day {fails}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, SF, "sf", CLIENT);
        desk.sign_in(0, "sf", "alice");
        for day in &refreshes {
            provider_day(&s, *day);
            desk.refresh(*day, "sf");
        }
        provider_day(&s, fails);
        desk.copy().refresh(fails, "sf");
        let ranked = ranking(&desk.diagnose(fails, "sf"));
        first(&ranked, "rotation", "first use here", &case);
        let (v, evidence) = verdict(&ranked, "idle_expiry");
        let gap = fails - refreshes.last().copied().unwrap_or(0);
        assert_eq!(v, "ruled_out", "{case}: {ranked:#?}");
        let ago = if gap == 1 { "last worked 1 day ago".to_string() } else { format!("last worked {gap} days ago") };
        assert!(evidence[0].starts_with(&ago), "{case}: {evidence:?}");
    }
}

#[test]
fn a_changed_password_is_ranked_first_from_the_providers_words() {
    require_faketime();
    // (the user, refreshes before, the day the password changes)
    for (user, refreshes, day) in [("alice", 0, 0), ("bob.smith@contoso.example", 2, 10), ("carol", 1, 89)] {
        let case = format!("{user}: {refreshes} refreshes, password changed on day {day}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, "entra", "entra", "lc-entra-app");
        desk.add(&s, "entra", "colleague", "lc-entra-app");
        desk.sign_in(0, "entra", user);
        desk.sign_in(0, "colleague", "dave");
        for _ in 0..refreshes {
            desk.refresh(0, "entra");
        }
        provider_day(&s, day);
        assert_eq!(change_password(&s, user), 1, "{case}");
        let ranked = ranking(&desk.diagnose(day, "entra"));
        first(&ranked, "password_changed", "AADSTS50173", &case);
        assert_ne!(verdict(&ranked, "rotation").0, "likely", "{case}");
        assert_eq!(verdict(&ranked, "idle_expiry").0, "ruled_out", "{case}: {ranked:#?}");
        // Another user's connection to the same app is untouched.
        desk.refresh(day, "colleague");
    }
}

#[test]
fn each_token_request_of_the_cli_leaves_the_facts_the_ranking_reads() {
    require_faketime();
    let s = StandIn::start();
    let desk = Desk::new();
    desk.add(&s, SF, "sf", CLIENT);
    let start = chrono::Utc::now();
    desk.sign_in(0, "sf", "alice");
    for day in [3, 7] {
        provider_day(&s, day);
        desk.refresh(day, "sf");
    }
    provider_day(&s, 8);
    desk.copy().refresh(8, "sf");
    let d = desk.diagnose(8, "sf");
    assert_eq!(ranking(&d)[0].0, "rotation");
    let facts = desk.facts("sf");
    let days: Vec<i64> = facts.iter().map(|f| (f.at - start).num_hours().div_euclid(24)).collect();
    assert_eq!(days, [0, 3, 7, 8], "each request at the time its process saw (faketime moved it): {facts:#?}");
    let kinds: Vec<(bool, bool, bool)> = facts.iter().map(|f| (f.ok, f.sign_in, f.refresh)).collect();
    assert_eq!(kinds, [(true, true, false), (true, false, true), (true, false, true), (false, false, true)]);
    for pair in facts.windows(2) {
        assert!(pair[0].received.is_some(), "{facts:#?}");
        assert_eq!(pair[1].presented, pair[0].received, "each refresh presents the token the one before received");
    }
    assert_eq!(facts[3].received, None);
    for f in &facts {
        assert_eq!((f.client.as_str(), f.path.as_str()), (CLIENT, "direct"));
        if f.ok {
            assert!(f.subject.as_deref().is_some_and(|u| u.ends_with("/id/00Dlifecycle/005alice")), "the user the answer named: {f:?}");
        }
        for fp in [&f.presented, &f.received].into_iter().flatten() {
            assert!(fp.len() == 32 && fp.bytes().all(|b| b.is_ascii_hexdigit()), "a fingerprint, not a token: {fp}");
        }
    }
}

#[test]
fn at_google_a_testing_apps_week_is_ranked_first_and_a_changed_password_stays_possible() {
    require_faketime();
    // An app in Testing: its refresh tokens end 7 days after the sign-in, however they were
    // used. (days of the refreshes, the day it fails)
    for (refreshes, fails) in [(vec![], 7), (vec![3], 8), (vec![2, 6], 10), (vec![6], 7)] {
        let case = format!("Testing app refreshed on days {refreshes:?}, fails on day {fails}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, "google", "g", "lc-google-testing");
        desk.sign_in(0, "g", "alice@example.com");
        for day in &refreshes {
            provider_day(&s, *day);
            desk.refresh(*day, "g");
        }
        provider_day(&s, fails);
        let ranked = ranking(&desk.diagnose(fails, "g"));
        first(&ranked, "absolute_expiry", &format!("signed in {fails} days ago"), &case);
        assert_eq!(verdict(&ranked, "idle_expiry").0, "ruled_out", "{case}: counted from the sign-in, not the last use: {ranked:#?}");
        // Google hands back no new refresh token: one that worked here before was no copy's.
        let rotation = if refreshes.is_empty() { "possible" } else { "ruled_out" };
        assert_eq!(verdict(&ranked, "rotation").0, rotation, "{case}: {ranked:#?}");
        assert_eq!(families(&s)[0]["ended"], "expired", "{case}");
    }
    // A published app within its week: Google's answer to a changed password says only
    // "expired or revoked", so the password change is possible and nothing is likely.
    for (refreshes, day) in [(0, 0), (1, 3), (2, 6)] {
        let case = format!("{refreshes} refreshes, password changed on day {day}");
        let s = StandIn::start();
        let desk = Desk::new();
        desk.add(&s, "google", "g", "lc-google-app");
        desk.sign_in(0, "g", "bob@example.com");
        for _ in 0..refreshes {
            desk.refresh(0, "g");
        }
        provider_day(&s, day);
        assert_eq!(change_password(&s, "bob@example.com"), 1, "{case}");
        let ranked = ranking(&desk.diagnose(day, "g"));
        assert!(ranked.iter().all(|r| r.1 != "likely"), "{case}: {ranked:#?}");
        let (v, evidence) = verdict(&ranked, "password_changed");
        assert_eq!(v, "possible", "{case}: {ranked:#?}");
        assert!(evidence[0].contains("Google revokes refresh tokens when the password changes"), "{case}: {evidence:?}");
        for cause in ["absolute_expiry", "idle_expiry", "token_limit", "clock"] {
            assert_eq!(verdict(&ranked, cause).0, "ruled_out", "{case}: {cause}: {ranked:#?}");
        }
    }
}
