//! Ranked causes: when a token or refresh request that worked before fails with an answer
//! that could mean several things (`invalid_grant`, "expired access/refresh token"), the
//! causes the provider documents are weighed against what this desktop recorded (when the
//! refresh token last worked, whether it ever worked here, who signed in to the same client,
//! which network path the requests took) and the provider's documented rules
//! ([`crate::providers::lifetimes`]). The function is pure: the same evidence, rules and
//! time give the same ranking, so a saved case ranks the same when read again.

use chrono::{DateTime, Duration, Utc};

use crate::providers::lifetimes::RefreshRules;

mod types;

pub use types::{Cause, Evidence, Ranked, Verdict};

/// How far this computer's clock may be off before it counts (tokens are usually checked
/// with a few minutes' leeway).
pub const CLOCK_TOLERANCE_SECS: i64 = 300;

/// Words in a provider's answer that decide the cause, checked in order, lower-cased.
const WORDS: &[(Cause, &[&str])] = &[
    (Cause::Rotation, &["reuse", "reused", "already used", "already been used", "replay", "token family"]),
    (
        Cause::PasswordChanged,
        &[
            "password changed",
            "password was changed",
            "password has changed",
            "password reset",
            "changed password",
            "changed their password",
            "password expired",
            "aadsts50173",
        ],
    ),
    (
        Cause::UserFrozen,
        &["frozen", "inactive user", "user is inactive", "user inactive", "account is disabled", "user account is disabled", "locked"],
    ),
    (Cause::ConsentWithdrawn, &["consent", "not granted", "aadsts65001"]),
    (Cause::AdminRevoked, &["revoked", "revocation", "aadsts50173"]),
    (Cause::IdleExpiry, &["inactivity", "inactive for", "aadsts700082", "aadsts70008"]),
];

/// The causes the words of the answer name (of the [`WORDS`] list), in order.
fn named_by_words(e: &Evidence) -> Vec<Cause> {
    let text = format!("{} {}", e.error.as_deref().unwrap_or(""), e.error_description.as_deref().unwrap_or("")).to_lowercase();
    let mut named = Vec::new();
    for (cause, words) in WORDS {
        // "expired or revoked" is the ambiguous answer itself, not the provider deciding.
        let hit = words.iter().any(|w| text.contains(w)) && !(*cause == Cause::AdminRevoked && text.contains("expired or revoked"));
        if hit && !named.contains(cause) {
            named.push(*cause);
        }
    }
    named
}

fn days(d: Duration) -> String {
    let n = d.num_days();
    if n == 1 {
        "1 day".into()
    } else if n < 1 {
        format!("{} hours", d.num_hours().max(0))
    } else {
        format!("{n} days")
    }
}

fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The ranking in lines, as text and the support report show it: "Most likely", "Also
/// possible" and "Ruled out", each cause with its first line of evidence.
pub fn lines(ranking: &[Ranked]) -> Vec<String> {
    let mut out = Vec::new();
    for (verdict, heading) in [(Verdict::Likely, "Most likely"), (Verdict::Possible, "Also possible"), (Verdict::RuledOut, "Ruled out")] {
        let of: Vec<_> = ranking.iter().filter(|r| r.verdict == verdict).collect();
        if of.is_empty() {
            continue;
        }
        out.push(format!("{heading}:"));
        for r in of {
            out.push(format!("  - {}: {}", r.cause.title(), r.evidence.first().map(String::as_str).unwrap_or("")));
        }
    }
    out
}

/// Ranks the candidate causes of a failed token or refresh request, most likely first:
/// likely, then possible, then ruled out, and within each the order of [`Cause`] (the
/// provider's own words before what history suggests).
/// The verdict on a refresh token's limits (idle, lifetime, tokens per user) when the failed
/// request presented none: a first token request (client credentials, a JWT bearer grant, a
/// code exchange) is not refused for them.
fn no_refresh() -> (Verdict, String) {
    (Verdict::RuledOut, "the failed request was no refresh: no refresh token was presented".into())
}

pub fn rank(entry: Option<&str>, e: &Evidence, rules: Option<&RefreshRules>, now: DateTime<Utc>) -> Vec<Ranked> {
    let named = named_by_words(e);
    let mut out = Vec::new();
    let mut push = |cause: Cause, verdict: Verdict, evidence: Vec<String>| {
        out.push(Ranked { cause, title: cause.title().to_string(), entry: entry.map(str::to_string), verdict, evidence });
    };
    let said = e.error_description.as_deref().map(|d| format!("the provider's answer says: \"{d}\"")).unwrap_or_default();
    let decided =
        named.iter().any(|c| matches!(c, Cause::PasswordChanged | Cause::UserFrozen | Cause::ConsentWithdrawn | Cause::AdminRevoked));

    // An answer that says why the grant was revoked (the password changed, the user is
    // frozen, the consent withdrawn) makes "revoked" the effect, not another cause.
    let why_revoked = named.iter().any(|c| matches!(c, Cause::PasswordChanged | Cause::UserFrozen | Cause::ConsentWithdrawn));

    // The provider's own words.
    for cause in [Cause::PasswordChanged, Cause::UserFrozen, Cause::AdminRevoked, Cause::ConsentWithdrawn] {
        if named.contains(&cause) && cause == Cause::AdminRevoked && why_revoked {
            push(cause, Verdict::Possible, vec![format!("{said}; it gives a more specific reason, which revokes the grant by itself")]);
        } else if named.contains(&cause) {
            push(cause, Verdict::Likely, vec![said.clone()]);
        } else if cause == Cause::PasswordChanged && rules.is_some_and(|r| r.password_change_revokes) {
            let r = rules.map(|r| (r.name, r.password_source)).unwrap_or_default();
            push(
                cause,
                Verdict::Possible,
                vec![format!("{} revokes refresh tokens when the password changes ({}); the answer does not say so", r.0, r.1)],
            );
        } else {
            push(
                cause,
                Verdict::RuledOut,
                vec![if e.error_description.is_some() {
                    "the provider's answer does not say so".into()
                } else {
                    "the provider's answer gives no words that say so".into()
                }],
            );
        }
    }

    // Rotation: a refresh token refused on its first use here.
    {
        let rotates = rules.map(|r| r.rotation);
        let src = rules
            .filter(|r| r.rotation)
            .map(|r| format!(" ({} rotates refresh tokens: {})", r.name, r.rotation_source))
            .unwrap_or_default();
        let (verdict, line) = if named.contains(&Cause::Rotation) {
            (Verdict::Likely, format!("{said}{src}"))
        } else if !e.refresh {
            (Verdict::RuledOut, "the failed request was no refresh".to_string())
        } else {
            match (e.refresh_token_used_before, e.refresh_token_failed_at) {
                (Some(false), Some(t)) if rotates != Some(false) => (
                    Verdict::Likely,
                    format!("a refresh from here with this same refresh token failed on {} without its answer: the provider may have spent it then and now refuses it as reused{src}", date(t)),
                ),
                (Some(false), _) if rotates != Some(false) => (
                    Verdict::Likely,
                    format!("the refresh token was refused on its first use here: another program or machine used a copy of it first{src}"),
                ),
                (Some(false), _) => (
                    Verdict::Possible,
                    "the refresh token was refused on its first use here, but the provider does not refuse a refresh token that was used elsewhere, so a copy would not spend it".into(),
                ),
                (Some(true), _) => (
                    Verdict::RuledOut,
                    "this same refresh token worked here before (it was not rotated), so no copy elsewhere spent it first".into(),
                ),
                (None, _) => (Verdict::Possible, "whether this refresh token worked here before is not recorded".into()),
            }
        };
        push(Cause::Rotation, verdict, vec![line]);
    }

    // Sign-ins of the same user to the same app against the provider's limit.
    {
        let limit = rules.and_then(|r| r.per_user_app.map(|n| (n, r.name, r.per_user_app_source)));
        let (verdict, line) = match (limit, e.later_sign_ins) {
            (Some((n, name, src)), Some(later)) if later >= n => (
                Verdict::Likely,
                format!("{later} later sign-ins of {} to the same app recorded here; {name} keeps {n} refresh tokens per user per app and revokes the oldest ({src})", e.user.as_deref().unwrap_or("the same user")),
            ),
            (Some((n, name, src)), Some(later)) => (
                Verdict::RuledOut,
                format!("{later} later sign-ins of the same user to the same app recorded here, under {name}'s limit of {n} ({src})"),
            ),
            (Some((n, name, _)), None) => (Verdict::Possible, format!("the signed-in user is not recorded, so sign-ins against {name}'s limit of {n} cannot be counted")),
            (None, Some(later)) if later > 0 => (Verdict::Possible, format!("{later} later sign-ins of the same user to the same app recorded here; the provider documents no limit")),
            (None, _) => (Verdict::RuledOut, "the provider documents no limit on refresh tokens per user".into()),
        };
        let (verdict, line) = if e.refresh { (verdict, line) } else { no_refresh() };
        push(Cause::TokenLimit, verdict, vec![line]);
    }

    // Idle time since the last success against the provider's idle limit.
    {
        let since = e.last_success_at.or(e.token_obtained_at);
        let (verdict, line) = match (rules.and_then(|r| r.idle().map(|d| (d, r))), since) {
            _ if named.contains(&Cause::IdleExpiry) => (Verdict::Likely, said.clone()),
            (Some((limit, r)), Some(t)) => {
                let idle = now.signed_duration_since(t);
                let scope = r.idle_applies_to.map(|a| format!(" for {a}")).unwrap_or_default();
                if idle >= limit {
                    (
                        Verdict::Likely,
                        format!(
                            "unused for {} since {}; {} expires refresh tokens unused for {}{scope} ({})",
                            days(idle),
                            date(t),
                            r.name,
                            days(limit),
                            r.idle_source
                        ),
                    )
                } else {
                    (
                        Verdict::RuledOut,
                        format!(
                            "last worked {} ago ({}), within {}'s idle limit of {}{scope} ({})",
                            days(idle),
                            date(t),
                            r.name,
                            days(limit),
                            r.idle_source
                        ),
                    )
                }
            }
            (None, Some(t)) => (
                Verdict::Possible,
                format!("last worked {} ago ({}); the provider documents no idle limit here", days(now.signed_duration_since(t)), date(t)),
            ),
            (_, None) => (Verdict::Possible, "when the refresh token last worked is not recorded".into()),
        };
        let (verdict, line) = if e.refresh || named.contains(&Cause::IdleExpiry) { (verdict, line) } else { no_refresh() };
        push(
            Cause::IdleExpiry,
            if decided && verdict == Verdict::Likely && !named.contains(&Cause::IdleExpiry) { Verdict::Possible } else { verdict },
            vec![line],
        );
    }

    // Age of the token family against the provider's absolute lifetime.
    {
        let since = e.signed_in_at.or(e.token_obtained_at);
        let (verdict, line) = match (rules.and_then(|r| r.absolute().map(|d| (d, r))), since) {
            (Some((limit, r)), Some(t)) => {
                let age = now.signed_duration_since(t);
                let scope = r.absolute_applies_to.map(|a| format!(" for {a}")).unwrap_or_default();
                // A token that worked past the lifetime shows the lifetime does not hold for
                // this app (Google's week is for apps in Testing only).
                let lived = e.last_success_at.map(|last| last.signed_duration_since(t)).filter(|lived| *lived >= limit);
                if let Some(lived) = lived {
                    (
                        Verdict::RuledOut,
                        format!(
                            "a refresh worked {} after the sign-in ({}), past {}'s lifetime of {}{scope}, so it does not hold for this app ({})",
                            days(lived),
                            date(t),
                            r.name,
                            days(limit),
                            r.absolute_source
                        ),
                    )
                } else if age >= limit {
                    (
                        Verdict::Likely,
                        format!(
                            "signed in {} ago ({}); {} ends refresh tokens after {}{scope} ({})",
                            days(age),
                            date(t),
                            r.name,
                            days(limit),
                            r.absolute_source
                        ),
                    )
                } else {
                    (
                        Verdict::RuledOut,
                        format!(
                            "signed in {} ago ({}), within {}'s lifetime of {}{scope} ({})",
                            days(age),
                            date(t),
                            r.name,
                            days(limit),
                            r.absolute_source
                        ),
                    )
                }
            }
            (Some(_), None) => (Verdict::Possible, "when this connection was signed in is not recorded".into()),
            (None, _) => (Verdict::RuledOut, "the provider documents no maximum lifetime for refresh tokens".into()),
        };
        let (verdict, line) = if e.refresh { (verdict, line) } else { no_refresh() };
        push(Cause::AbsoluteExpiry, if decided && verdict == Verdict::Likely { Verdict::Possible } else { verdict }, vec![line]);
    }

    // The network path of the last success against now.
    {
        let sensitive = rules
            .filter(|r| r.network_sensitive)
            .map(|r| format!(" ({} acts on traffic from VPNs and proxies it flags: {})", r.name, r.network_source))
            .unwrap_or_default();
        let (verdict, line) = match (&e.path_at_last_success, &e.path_now) {
            (Some(then), Some(now_path)) if then != now_path => (
                if sensitive.is_empty() { Verdict::Possible } else { Verdict::Likely },
                format!("the last success went {then}; now {now_path}{sensitive}"),
            ),
            (Some(then), Some(_)) => (Verdict::RuledOut, format!("the same path as the last success: {then}")),
            _ => (Verdict::Possible, "the network path of the last success is not recorded".into()),
        };
        push(Cause::NetworkPath, if decided && verdict == Verdict::Likely { Verdict::Possible } else { verdict }, vec![line]);
    }

    // The clock.
    {
        let (verdict, line) = match e.clock_offset_secs {
            Some(off) if off.checked_abs().is_none_or(|a| a > CLOCK_TOLERANCE_SECS) => (
                Verdict::Likely,
                format!("this computer's clock is {} {} the server's", days_or_secs(off), if off > 0 { "ahead of" } else { "behind" }),
            ),
            Some(off) => (Verdict::RuledOut, format!("this computer's clock agrees with the server's (within {} s)", off.saturating_abs())),
            None => (Verdict::Possible, "the server's time was not seen".into()),
        };
        push(Cause::Clock, verdict, vec![line]);
    }

    // A first use refused is also what an expired or limit-revoked token looks like: when
    // history already explains the refusal, a copy elsewhere is only possible.
    let explained = out
        .iter()
        .any(|r| matches!(r.cause, Cause::IdleExpiry | Cause::AbsoluteExpiry | Cause::TokenLimit) && r.verdict == Verdict::Likely);
    // So is what the provider's own words name (a password change ends every refresh token
    // of the user, unused ones included).
    let also = if decided {
        Some("the provider's answer names another cause, which refuses a refresh token the same way")
    } else if explained {
        Some("a refresh token that had expired or was revoked by the limit is refused the same way")
    } else {
        None
    };
    if let Some(line) = also.filter(|_| !named.contains(&Cause::Rotation)) {
        if let Some(r) = out.iter_mut().find(|r| r.cause == Cause::Rotation && r.verdict == Verdict::Likely) {
            r.verdict = Verdict::Possible;
            r.evidence.push(line.into());
        }
    }
    out.sort_by_key(|r| (r.verdict, order(r.cause, &named)));
    out
}

fn days_or_secs(off: i64) -> String {
    let a = off.saturating_abs();
    if a >= 86_400 {
        format!("{} days", a / 86_400)
    } else if a >= 60 {
        format!("{} minutes", a / 60)
    } else {
        format!("{a} seconds")
    }
}

/// The order within a verdict: what the answer names first, then the fixed order of [`Cause`].
fn order(c: Cause, named: &[Cause]) -> (usize, Cause) {
    (named.iter().position(|n| *n == c).unwrap_or(usize::MAX), c)
}
