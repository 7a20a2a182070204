//! Every knowledge-base entry, end to end: a local endpoint answers with the entry's
//! documented example, in the provider's own format, at the stage the entry belongs to
//! (the authorization page, a new token, a refresh after a real sign-in, or the test call),
//! and a diagnosis of a profile set to that provider names exactly that entry, its cause and
//! its fix — and runs the same a second time (it changes nothing it examines).
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{StandIn, TestProfile};
use oauthdesk_core::test_support::knowledge::{self, Entry};
use oauthdesk_core::MemorySecrets;
use oauthdesk_core::{Desk, Flow, NewProfile, Stage};

/// The stage a diagnosis of the entry fails at, and the profile that gets there.
fn profile_for(e: &Entry, i: usize, s: &StandIn, provider: Option<&str>) -> (Stage, &'static str, TestProfile) {
    // An entry for any stage is tried where its example comes from (as the stand-in's
    // /kb/ endpoints do).
    let any = if e.example.headers.contains_key("location") { Stage::Authorize } else { Stage::Token };
    let stage = e.stages.as_ref().and_then(|s| s.first().copied()).unwrap_or(any);
    let base = |p: TestProfile| {
        p.set("client_id", "kb-client")
            .set("provider", provider.unwrap_or("auto"))
            .set("test_url", s.url(&format!("/kb/{}/me", e.id)))
            .secret("kb-secret")
    };
    let handle = format!("kb-{i}");
    match stage {
        Stage::Authorize | Stage::Refresh => (
            stage,
            if stage == Stage::Authorize { "authorization" } else { "token_endpoint" },
            base(
                TestProfile::new("custom-oauth2", &handle)
                    .set("authorize_url", s.url(&format!("/kb/{}/authorize", e.id)))
                    .set("token_url", s.url(&format!("/kb/{}/token", e.id))),
            ),
        ),
        Stage::Test => {
            (stage, "test_call", base(TestProfile::client_credentials(&handle, &s.url(&format!("/kb/{}/token", e.id)), "kb-client")))
        }
        _ => (stage, "token_endpoint", base(TestProfile::client_credentials(&handle, &s.url(&format!("/kb/{}/token", e.id)), "kb-client"))),
    }
}

/// Signs in as a browser would: follows the authorization URL to the loopback redirect.
/// Opens a sign-in's browser page; the profiles here all sign in through the browser.
fn browse_start(start: oauthdesk_core::SignInStart<'_>) {
    if let oauthdesk_core::test_support::desk::SignInStart::Browser(url) = start {
        browse(url);
    }
}

fn browse(url: &url::Url) {
    common::http::browse(url.as_str());
}

/// Whether what the status says (a limit, an outage) rightly comes before a generic entry
/// that names the code alone.
fn status_first(e: &Entry) -> bool {
    e.provider.is_none() && e.description.is_none() && e.status.is_none() && matches!(e.example.status, 429 | 500 | 502 | 503 | 504)
}

#[test]
fn every_entry_is_explained_at_its_stage_by_a_diagnosis() {
    every_entry_is_explained(Named::InProfile);
}

/// The same answers from a provider on its own domain (here 127.0.0.1, a path no provider
/// uses) and a profile that does not name its provider: the answer itself says who is
/// talking, and the same entry explains it. Answers that hold nothing of their provider
/// (a bare RFC code with generic words) are explained as any provider's would be.
#[test]
fn every_entry_is_explained_on_its_providers_own_domain() {
    every_entry_is_explained(Named::ByTheAnswer);
}

#[derive(Clone, Copy, PartialEq)]
enum Named {
    InProfile,
    ByTheAnswer,
}

fn every_entry_is_explained(named: Named) {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut wrong = Vec::new();
    let mut anonymous = 0;
    assert!(knowledge::entries().len() >= 100, "the knowledge base has its entries");
    for (i, e) in knowledge::entries().iter().enumerate() {
        let provider = match named {
            Named::InProfile => e.provider.as_deref(),
            Named::ByTheAnswer => None,
        };
        let (stage, check, profile) = profile_for(e, i, &s, provider);
        let handle = format!("kb-{i}");
        let new: NewProfile = serde_json::from_value(profile.json()).unwrap();
        desk.create(new).unwrap();
        if stage == Stage::Refresh {
            let signed_in = rt.block_on(desk.sign_in(&handle, Duration::from_secs(20), browse_start));
            assert!(signed_in.is_ok(), "{}: sign-in: {signed_in:?}", e.id);
        }
        // The profiles here are client credentials, or a code flow for the authorization page
        // and a refresh: an entry for another grant (a device flow's, a JWT bearer's, a code
        // exchange's) must not explain the same answer to them.
        let profile_grant =
            if matches!(stage, Stage::Authorize | Stage::Refresh) { Flow::AuthorizationCode } else { Flow::ClientCredentials };
        let other_grant = e.grants.as_ref().is_some_and(|g| !g.contains(&profile_grant));
        for run in 0..2 {
            let d = rt.block_on(desk.diagnose(&handle)).unwrap();
            if other_grant {
                assert!(!d.ok && d.stage.as_deref() == Some(check), "{}: {d:?}", e.id);
                assert_ne!(d.knowledge.as_deref(), Some(e.id.as_str()), "{}: explains a {profile_grant:?} answer", e.id);
                break;
            }
            let expected = if status_first(e) { None } else { Some(e.id.as_str()) };
            if named == Named::ByTheAnswer && knowledge::anonymous(e) {
                // Nothing of the provider in it: explained all the same, at its stage.
                assert!(!d.ok && d.stage.as_deref() == Some(check) && d.cause.is_some(), "{}: {d:?}", e.id);
                anonymous += 1;
                break;
            }
            if d.ok || d.stage.as_deref() != Some(check) || d.knowledge.as_deref() != expected {
                wrong.push(format!(
                    "{} (run {run}): expected {check}/{expected:?}, got {:?}/{:?}: {:?}",
                    e.id,
                    d.stage,
                    d.knowledge,
                    d.stages.iter().find(|st| !st.ok).map(|st| &st.finding)
                ));
                break;
            }
            if expected.is_some() {
                assert_eq!(d.cause.as_deref(), Some(e.cause.as_str()), "{}", e.id);
                assert!(d.fix.starts_with(&e.fix), "{}", e.id);
                assert_eq!(d.source.as_deref(), Some(e.source.as_str()), "{}", e.id);
            } else {
                assert!(d.cause.as_deref().unwrap_or_default().contains(&format!("HTTP {}", e.example.status)), "{}: {:?}", e.id, d.cause);
            }
            if let (Named::ByTheAnswer, Some(p)) = (named, e.provider.as_deref().and_then(knowledge::provider)) {
                assert_eq!(d.provider.as_deref(), Some(p.name.as_str()), "{}: the diagnosis names the provider", e.id);
            }
        }
    }
    assert!(anonymous <= 12, "{anonymous} answers hold nothing of their provider");
    assert!(wrong.is_empty(), "{} of {} entries:\n{}", wrong.len(), knowledge::entries().len(), wrong.join("\n"));
}
