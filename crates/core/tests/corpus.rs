//! How right the diagnosis is on answers it has never seen: documented error answers of
//! about forty providers (`tests/corpus/cases.json`, each with the documentation page it is
//! written from), replayed through the reading a diagnosis gives them and pasted into
//! `explain`. Each case names its stage, the cause (the knowledge entries or phrase classes
//! that say it) and words a specific fix holds. Scored per group against the targets:
//! 9 in 10 on a provider's known host, 8 in 10 for the same answers on a customer's own
//! domain, 3 in 4 for providers with no knowledge file.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

use std::collections::BTreeMap;

use oauthdesk_core::test_support::diagnose::replay::{self, Replayed};
use oauthdesk_core::test_support::knowledge;
use oauthdesk_core::{explain_error, Flow, Stage};
use serde::Deserialize;
use url::Url;

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    provider: String,
    /// The provider's knowledge file, when it has one.
    file: Option<String>,
    /// The endpoint on the provider's own host.
    url: String,
    stage: Stage,
    grant: Flow,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: String,
    /// The entries or classes that name the cause (a finding id, or `status` for what the
    /// status alone says).
    cause: Vec<String>,
    /// A specific fix holds one of these (any case).
    fix: Vec<String>,
    source: String,
    /// Written after the general layers were tuned on the rest, and never tuned against:
    /// scored apart, as the fairest measure of answers never seen.
    #[serde(default)]
    held_out: bool,
}

fn cases() -> Vec<Case> {
    serde_json::from_str(include_str!("corpus/cases.json")).expect("cases.json parses")
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Route {
    /// The provider's own host, as its token or API URL.
    KnownHost,
    /// The same answer from a host no provider uses (a custom domain, a gateway).
    CustomDomain,
    /// The body pasted into explain.
    Explain,
}

/// What one reading said.
struct Said {
    stage_ok: bool,
    cause: String,
    cause_text: String,
    fix: String,
}

fn check_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Authorize => "authorization",
        Stage::Test => "test_call",
        _ => "token_endpoint",
    }
}

/// The same URL on a customer's own host: the path stays (a Keycloak realm keeps `/realms/`).
fn custom(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_host(Some("id.customer-example.net")).unwrap();
    u
}

/// What support staff paste: the body, or for an answer carried in its headers (a redirect
/// back to the app, a Bearer challenge) that header.
fn pasted(c: &Case) -> String {
    if !c.body.trim().is_empty() {
        return c.body.clone();
    }
    match c.headers.get("location") {
        Some(to) => to.clone(),
        None => c.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n"),
    }
}

fn read(c: &Case, route: Route) -> Said {
    let headers: Vec<(String, String)> = c.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let url = Url::parse(&c.url).unwrap_or_else(|e| panic!("{}: {e}", c.id));
    match route {
        Route::KnownHost | Route::CustomDomain => {
            let url = if route == Route::CustomDomain { custom(&url) } else { url };
            let a = Replayed { url: &url, stage: c.stage, grant: c.grant, status: c.status, headers: &headers, body: c.body.as_bytes() };
            let d = replay::diagnose(&a);
            let cause = d.knowledge.clone().or(d.finding.clone()).unwrap_or_else(|| "status".into());
            Said {
                stage_ok: !d.ok && d.stage.as_deref() == Some(check_name(c.stage)),
                cause: if d.ok { "healthy".into() } else { cause },
                cause_text: d.cause.unwrap_or_default(),
                fix: d.fix.join(" "),
            }
        }
        Route::Explain => match explain_error(&pasted(c), None) {
            Ok(x) => Said {
                // A body alone seldom shows its stage: one it names must be right.
                stage_ok: x.stage.is_none_or(|s| s == c.stage || (s == Stage::Token && c.stage == Stage::Refresh)),
                cause: x.knowledge.unwrap_or_else(|| "status".into()),
                cause_text: x.cause,
                fix: x.fix.join(" "),
            },
            Err(e) => Said { stage_ok: false, cause: format!("error: {e}"), cause_text: String::new(), fix: String::new() },
        },
    }
}

#[derive(Default)]
struct Tally {
    n: usize,
    stage: usize,
    cause: usize,
    fix: usize,
    right: usize,
}

impl Tally {
    fn share(&self, k: usize) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        k as f64 / self.n as f64
    }
}

#[test]
fn the_corpus_is_complete() {
    let all = cases();
    assert!(all.len() >= 100, "{} cases", all.len());
    let mut ids = std::collections::HashSet::new();
    for c in &all {
        assert!(ids.insert(c.id.as_str()), "{} twice", c.id);
        assert!(c.source.starts_with("https://"), "{}: source", c.id);
        assert!(!c.cause.is_empty() && !c.fix.is_empty(), "{}", c.id);
        if let Some(f) = &c.file {
            assert!(knowledge::provider(f).is_some(), "{}: no file {f}", c.id);
        } else {
            let named = knowledge::providers().iter().any(|p| p.name.eq_ignore_ascii_case(&c.provider));
            assert!(!named, "{}: {} has a file", c.id, c.provider);
        }
        for id in &c.cause {
            assert!(
                id == "status" || id.starts_with("test-") || knowledge::entry(id).is_some() || knowledge::phrases::class(id).is_some(),
                "{}: {id} is no entry, class or finding",
                c.id
            );
        }
    }
    let providers: std::collections::HashSet<&str> = all.iter().map(|c| c.provider.as_str()).collect();
    assert!(providers.len() >= 40, "{} providers", providers.len());
}

#[test]
fn the_diagnosis_is_right_on_answers_it_has_never_seen() {
    let mut groups: BTreeMap<(&str, Route), Tally> = BTreeMap::new();
    let mut wrong = Vec::new();
    for c in &cases() {
        let group = match (c.held_out, c.file.is_some()) {
            (false, true) => "with a file",
            (false, false) => "no file",
            (true, true) => "held out, file",
            (true, false) => "held out, none",
        };
        let routes: &[Route] =
            if c.file.is_some() { &[Route::KnownHost, Route::CustomDomain, Route::Explain] } else { &[Route::KnownHost, Route::Explain] };
        for &route in routes {
            let said = read(c, route);
            let cause_ok = c.cause.contains(&said.cause);
            let fix = said.fix.to_lowercase();
            let fix_ok = c.fix.iter().any(|w| fix.contains(&w.to_lowercase()));
            let t = groups.entry((group, route)).or_default();
            t.n += 1;
            t.stage += usize::from(said.stage_ok);
            t.cause += usize::from(cause_ok);
            t.fix += usize::from(fix_ok);
            if said.stage_ok && cause_ok && fix_ok {
                t.right += 1;
            } else {
                wrong.push(format!(
                    "{:<44} {:<13} stage {} cause {} fix {}: got {} | {}",
                    c.id,
                    format!("{route:?}"),
                    u8::from(said.stage_ok),
                    u8::from(cause_ok),
                    u8::from(fix_ok),
                    said.cause,
                    said.cause_text.chars().take(110).collect::<String>()
                ));
            }
        }
    }
    println!("\n{:<14} {:<13} {:>5} {:>7} {:>7} {:>7} {:>7}", "providers", "route", "cases", "stage", "cause", "fix", "right");
    for ((group, route), t) in &groups {
        println!(
            "{group:<14} {:<13} {:>5} {:>6.0}% {:>6.0}% {:>6.0}% {:>6.0}%",
            format!("{route:?}"),
            t.n,
            100.0 * t.share(t.stage),
            100.0 * t.share(t.cause),
            100.0 * t.share(t.fix),
            100.0 * t.share(t.right)
        );
    }
    println!("\nnot right:\n{}", wrong.join("\n"));
    let right = |g: &str, r: Route| groups.get(&(g, r)).map_or(0.0, |t| t.share(t.right));
    let targets = [
        ("with a file", Route::KnownHost, 0.90),
        ("with a file", Route::CustomDomain, 0.80),
        ("no file", Route::KnownHost, 0.75),
        ("with a file", Route::Explain, 0.90),
        // Raised as the reading of a paste improves.
        ("no file", Route::Explain, 0.80),
    ];
    let missed: Vec<String> = targets
        .iter()
        .filter(|(g, r, min)| right(g, *r) < *min)
        .map(|(g, r, min)| format!("{g} {r:?}: {:.0}% < {:.0}%", 100.0 * right(g, *r), 100.0 * min))
        .collect();
    assert!(missed.is_empty(), "{}", missed.join("; "));
}
