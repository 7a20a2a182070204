//! The ranking over generated evidence: for every provider with documented rules (and none),
//! each cause comes first when the evidence makes it the cause, and is ruled out when the
//! evidence says so.

use chrono::{DateTime, Duration, Utc};

use super::ranking::{rank, Cause, Evidence, Ranked, Verdict};
use crate::providers::lifetimes::{self, RefreshRules};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z").map(|t| t.with_timezone(&Utc)).unwrap()
}

/// Every provider's rules, and no rules at all.
fn providers() -> Vec<Option<&'static RefreshRules>> {
    let mut all: Vec<_> = lifetimes::ALL.iter().map(Some).collect();
    all.push(None);
    all
}

/// A refresh that worked yesterday, refused today with the ambiguous answer, and nothing else
/// remarkable: same path, the clock right, no other sign-ins.
fn baseline(rules: Option<&RefreshRules>) -> Evidence {
    let n = now();
    Evidence {
        provider: rules.map(|r| r.provider.to_string()),
        refresh: true,
        error: Some("invalid_grant".into()),
        error_description: Some("expired access/refresh token".into()),
        token_obtained_at: Some(n - Duration::days(1)),
        signed_in_at: Some(n - Duration::days(2)),
        last_success_at: Some(n - Duration::days(1)),
        refresh_token_used_before: Some(true),
        refresh_token_failed_at: None,
        user: Some("ada@example.com".into()),
        later_sign_ins: Some(0),
        path_at_last_success: Some("direct".into()),
        path_now: Some("direct".into()),
        clock_offset_secs: Some(2),
    }
}

fn verdict(r: &[Ranked], c: Cause) -> Verdict {
    r.iter().find(|x| x.cause == c).map(|x| x.verdict).unwrap()
}

fn check_shape(r: &[Ranked], what: &str) {
    assert_eq!(r.len(), 10, "{what}: every cause once");
    assert!(r.windows(2).all(|w| w[0].verdict <= w[1].verdict), "{what}: likely, then possible, then ruled out: {r:#?}");
    assert!(r.iter().all(|x| !x.evidence.is_empty() && x.evidence.iter().all(|l| !l.is_empty())), "{what}: evidence for each: {r:#?}");
    assert!(r.iter().all(|x| x.entry.as_deref() == Some("entry-id")), "{what}: the entry");
}

fn first(r: &[Ranked], c: Cause, what: &str) {
    assert_eq!((r[0].cause, r[0].verdict), (c, Verdict::Likely), "{what}: {r:#?}");
}

#[test]
fn with_nothing_remarkable_no_cause_is_likely_and_the_history_rules_causes_out() {
    for rules in providers() {
        let r = rank(Some("entry-id"), &baseline(rules), rules, now());
        let what = format!("{:?}", rules.map(|r| r.provider));
        check_shape(&r, &what);
        assert!(r.iter().all(|x| x.verdict != Verdict::Likely), "{what}: {r:#?}");
        for c in [
            Cause::Rotation,
            Cause::TokenLimit,
            Cause::AbsoluteExpiry,
            Cause::NetworkPath,
            Cause::Clock,
            Cause::UserFrozen,
            Cause::AdminRevoked,
            Cause::ConsentWithdrawn,
        ] {
            assert_eq!(verdict(&r, c), Verdict::RuledOut, "{what}: {c:?}");
        }
        let idle = if rules.is_some_and(|r| r.idle_days.is_some()) { Verdict::RuledOut } else { Verdict::Possible };
        assert_eq!(verdict(&r, Cause::IdleExpiry), idle, "{what}");
    }
}

#[test]
fn idle_time_past_the_providers_limit_comes_first_and_within_it_is_ruled_out() {
    for rules in lifetimes::ALL.iter().filter(|r| r.idle_days.is_some()) {
        let limit = rules.idle_days.unwrap();
        for over in [0, 1, 3, 40, 400] {
            let mut e = baseline(Some(rules));
            let t = now() - Duration::days(limit + over);
            (e.last_success_at, e.token_obtained_at, e.signed_in_at) = (Some(t), Some(t), Some(t));
            let r = rank(Some("entry-id"), &e, Some(rules), now());
            check_shape(&r, rules.provider);
            first(&r, Cause::IdleExpiry, &format!("{} {over} days over", rules.provider));
            assert!(r[0].evidence[0].contains(rules.idle_source), "the rule's source: {r:#?}");
            // The refusal is explained by the idle time, not by a copy elsewhere.
            e.refresh_token_used_before = Some(false);
            let r = rank(Some("entry-id"), &e, Some(rules), now());
            first(&r, Cause::IdleExpiry, rules.provider);
            assert_eq!(verdict(&r, Cause::Rotation), Verdict::Possible);
        }
        for under in [1, 2, limit / 2, limit - 1] {
            let mut e = baseline(Some(rules));
            e.last_success_at = Some(now() - Duration::days(limit - under));
            let r = rank(Some("entry-id"), &e, Some(rules), now());
            assert_eq!(verdict(&r, Cause::IdleExpiry), Verdict::RuledOut, "{} {under} days under", rules.provider);
        }
    }
}

#[test]
fn an_absolute_lifetime_counts_from_the_sign_in_not_the_last_refresh() {
    for rules in lifetimes::ALL.iter().filter(|r| r.absolute_days.is_some()) {
        let limit = rules.absolute_days.unwrap();
        for age in [limit, limit + 1, limit * 3] {
            let mut e = baseline(Some(rules));
            e.signed_in_at = Some(now() - Duration::days(age));
            // The last refresh within the lifetime (one past it would show it does not hold).
            e.last_success_at = e.signed_in_at.map(|t| t + Duration::days(limit - 1));
            let r = rank(Some("entry-id"), &e, Some(rules), now());
            first(&r, Cause::AbsoluteExpiry, rules.provider);
        }
        let mut e = baseline(Some(rules));
        e.signed_in_at = Some(now() - Duration::days(limit) + Duration::hours(1));
        assert_eq!(verdict(&rank(None, &e, Some(rules), now()), Cause::AbsoluteExpiry), Verdict::RuledOut);
    }
}

#[test]
fn a_refresh_that_worked_past_the_absolute_lifetime_rules_it_out_for_the_app() {
    for rules in lifetimes::ALL.iter().filter(|r| r.absolute_days.is_some()) {
        let limit = rules.absolute_days.unwrap();
        for (lived, ruled_out) in [(limit, true), (limit + 1, true), (limit * 20, true), (limit - 1, false), (0, false)] {
            let mut e = baseline(Some(rules));
            e.signed_in_at = Some(now() - Duration::days(limit * 30));
            e.last_success_at = Some(now() - Duration::days(limit * 30 - lived));
            let r = rank(None, &e, Some(rules), now());
            let expected = if ruled_out { Verdict::RuledOut } else { Verdict::Likely };
            assert_eq!(verdict(&r, Cause::AbsoluteExpiry), expected, "{} lived {lived} days: {r:#?}", rules.provider);
        }
    }
}

#[test]
fn a_refresh_from_here_whose_answer_was_lost_spent_the_token() {
    for rules in providers() {
        for hours in [1, 30, 24 * 20] {
            let mut e = baseline(rules);
            e.refresh_token_used_before = Some(false);
            e.refresh_token_failed_at = Some(now() - Duration::hours(hours));
            let r = rank(None, &e, rules, now());
            let rotation = r.iter().find(|x| x.cause == Cause::Rotation).unwrap();
            if rules.is_none_or(|r| r.rotation) {
                first(&r, Cause::Rotation, &format!("{:?} {hours}", rules.map(|r| r.provider)));
                assert!(rotation.evidence[0].contains("failed on") && rotation.evidence[0].contains("without its answer"), "{r:#?}");
            } else {
                assert_eq!(rotation.verdict, Verdict::Possible, "{r:#?}");
            }
        }
    }
}

#[test]
fn a_refresh_token_refused_on_its_first_use_here_means_a_copy_elsewhere() {
    for rules in providers().into_iter().filter(|r| r.is_none_or(|r| r.rotation)) {
        let mut e = baseline(rules);
        e.refresh_token_used_before = Some(false);
        e.token_obtained_at = Some(now() - Duration::hours(2));
        let r = rank(Some("entry-id"), &e, rules, now());
        check_shape(&r, "rotation");
        first(&r, Cause::Rotation, &format!("{:?}", rules.map(|r| r.provider)));
        // Not a refresh: no refresh token was spent.
        e.refresh = false;
        assert_eq!(verdict(&rank(None, &e, rules, now()), Cause::Rotation), Verdict::RuledOut);
    }
    // The provider's words saying reuse decide it whatever history says.
    for rules in providers() {
        for words in ["refresh token reuse detected", "token was already used", "The token family was revoked after a replay"] {
            let mut e = baseline(rules);
            e.error_description = Some(words.into());
            let r = rank(Some("entry-id"), &e, rules, now());
            first(&r, Cause::Rotation, words);
        }
    }
}

#[test]
fn sign_ins_past_the_per_user_limit_come_first_and_under_it_are_ruled_out() {
    for rules in lifetimes::ALL.iter().filter(|r| r.per_user_app.is_some()) {
        let n = rules.per_user_app.unwrap();
        for later in [n, n + 1, n + 7] {
            let mut e = baseline(Some(rules));
            e.later_sign_ins = Some(later);
            e.refresh_token_used_before = Some(false);
            let r = rank(Some("entry-id"), &e, Some(rules), now());
            check_shape(&r, "limit");
            first(&r, Cause::TokenLimit, &format!("{} {later}", rules.provider));
        }
        for later in [0, 1, n - 1] {
            let mut e = baseline(Some(rules));
            e.later_sign_ins = Some(later);
            assert_eq!(verdict(&rank(None, &e, Some(rules), now()), Cause::TokenLimit), Verdict::RuledOut);
        }
        let mut e = baseline(Some(rules));
        (e.user, e.later_sign_ins) = (None, None);
        assert_eq!(verdict(&rank(None, &e, Some(rules), now()), Cause::TokenLimit), Verdict::Possible, "an unknown user");
    }
}

#[test]
fn a_changed_network_path_is_likely_where_the_provider_acts_on_it() {
    for rules in providers() {
        let mut e = baseline(rules);
        e.path_now = Some("proxy http://proxy.corp.example:3128".into());
        let r = rank(Some("entry-id"), &e, rules, now());
        if rules.is_some_and(|r| r.network_sensitive) {
            first(&r, Cause::NetworkPath, "network");
        } else {
            assert_eq!(verdict(&r, Cause::NetworkPath), Verdict::Possible);
        }
        e.path_at_last_success = None;
        assert_eq!(verdict(&rank(None, &e, rules, now()), Cause::NetworkPath), Verdict::Possible, "not recorded");
    }
}

#[test]
fn the_providers_own_words_decide_and_put_history_second() {
    let cases = [
        (Cause::PasswordChanged, "AADSTS50173: The provided grant has expired due to it being revoked, the user changed their password"),
        (Cause::PasswordChanged, "user password changed"),
        (Cause::UserFrozen, "user is frozen"),
        (Cause::UserFrozen, "inactive user"),
        (Cause::AdminRevoked, "token revoked by administrator"),
        (Cause::ConsentWithdrawn, "AADSTS65001: The user or administrator has not consented to use the application"),
    ];
    for rules in providers() {
        for (cause, words) in cases {
            let mut e = baseline(rules);
            e.error_description = Some(words.into());
            // History that would otherwise point elsewhere.
            e.last_success_at = Some(now() - Duration::days(400));
            e.path_now = Some("another path".into());
            let r = rank(Some("entry-id"), &e, rules, now());
            check_shape(&r, words);
            first(&r, cause, words);
            // Idle time past the limit stays possible, below the words.
            assert_eq!(verdict(&r, Cause::IdleExpiry), Verdict::Possible, "{words}");
            assert!(
                r.iter()
                    .filter(|x| x.verdict == Verdict::Likely)
                    .all(|x| x.cause == cause || x.cause == Cause::PasswordChanged || x.cause == Cause::AdminRevoked),
                "{words}: {r:#?}"
            );
        }
    }
    // The ambiguous answer itself names nothing.
    for rules in providers() {
        let mut e = baseline(rules);
        e.error_description = Some("Token has been expired or revoked.".into());
        let r = rank(None, &e, rules, now());
        assert!(r.iter().all(|x| x.verdict != Verdict::Likely), "{r:#?}");
    }
}

#[test]
fn a_clock_off_by_more_than_the_tolerance_comes_first() {
    for rules in providers() {
        for off in [301, -301, 3600, -86_400 * 3, i64::MIN, i64::MAX] {
            let mut e = baseline(rules);
            e.clock_offset_secs = Some(off);
            let r = rank(Some("entry-id"), &e, rules, now());
            first(&r, Cause::Clock, &off.to_string());
        }
        for off in [0, 1, -300, 300] {
            let mut e = baseline(rules);
            e.clock_offset_secs = Some(off);
            assert_eq!(verdict(&rank(None, &e, rules, now()), Cause::Clock), Verdict::RuledOut);
        }
    }
}

#[test]
fn evidence_serializes_with_the_contract_names() {
    let r = rank(Some("entry-id"), &baseline(None), None, now());
    let j = serde_json::to_value(&r).unwrap();
    assert!(j[0].get("cause").is_some() && j[0].get("entry").is_some() && j[0].get("evidence").is_some());
    assert!(["likely", "possible", "ruled_out"].contains(&j[0]["verdict"].as_str().unwrap()));
    let e: Evidence = serde_json::from_value(serde_json::to_value(baseline(None)).unwrap()).unwrap();
    assert_eq!(e, baseline(None));
}

/// A first token request (client credentials, a JWT bearer grant, a code exchange) presents no
/// refresh token: however long idle, however old the sign-in and however many later sign-ins,
/// the refresh token's limits and a copy's rotation are ruled out, for every provider.
#[test]
fn a_request_that_was_no_refresh_rules_out_every_refresh_token_cause() {
    for rules in providers() {
        for days in [0, 31, 91, 200, 400] {
            let mut e = baseline(rules);
            e.refresh = false;
            e.refresh_token_used_before = None;
            e.last_success_at = Some(now() - Duration::days(days));
            e.token_obtained_at = e.last_success_at;
            e.signed_in_at = Some(now() - Duration::days(days + 10));
            e.later_sign_ins = Some(u32::try_from(days).unwrap_or(0));
            let r = rank(Some("entry-id"), &e, rules, now());
            let what = format!("{:?}, idle {days} days", rules.map(|r| r.provider));
            check_shape(&r, &what);
            for c in [Cause::Rotation, Cause::IdleExpiry, Cause::AbsoluteExpiry, Cause::TokenLimit] {
                assert_eq!(verdict(&r, c), Verdict::RuledOut, "{what}: {c:?} {r:#?}");
            }
        }
    }
}
