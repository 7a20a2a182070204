//! Case files: every knowledge-base entry's answer, diagnosed, written to a case file and
//! replayed offline against the local player, gives the same stages, cause and fix; a case
//! file holds no secret or token in any spelling; a replay sends nothing anywhere but the
//! player on 127.0.0.1.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{oauthdesk, StandIn, TestProfile};
use oauthdesk_core::test_support::knowledge::{self, Entry};
use oauthdesk_core::{Case, Desk, MemorySecrets, NewProfile, Stage};

/// The profile that reaches the entry's stage (as the knowledge suite builds it).
fn profile_for(e: &Entry, handle: &str, s: &StandIn) -> (Stage, TestProfile) {
    let any = if e.example.headers.contains_key("location") { Stage::Authorize } else { Stage::Token };
    let stage = e.stages.as_ref().and_then(|s| s.first().copied()).unwrap_or(any);
    let base = |p: TestProfile| {
        p.set("client_id", "kb-client")
            .set("provider", e.provider.as_deref().unwrap_or("auto"))
            .set("test_url", s.url(&format!("/kb/{}/me", e.id)))
            .secret("kb-secret")
    };
    let profile = match stage {
        Stage::Authorize | Stage::Refresh => base(
            TestProfile::new("custom-oauth2", handle)
                .set("authorize_url", s.url(&format!("/kb/{}/authorize", e.id)))
                .set("token_url", s.url(&format!("/kb/{}/token", e.id))),
        ),
        _ => base(TestProfile::client_credentials(handle, &s.url(&format!("/kb/{}/token", e.id)), "kb-client")),
    };
    (stage, profile)
}

fn browse_start(start: oauthdesk_core::SignInStart<'_>) {
    if let oauthdesk_core::test_support::desk::SignInStart::Browser(url) = start {
        common::http::browse(url.as_str());
    }
}

/// What a diagnosis says, compared between the recorded and the replayed one.
fn verdict(d: &serde_json::Value) -> serde_json::Value {
    let stages: Vec<serde_json::Value> =
        d["stages"].as_array().unwrap().iter().map(|s| serde_json::json!([s["name"], s["ok"], s["skipped"]])).collect();
    serde_json::json!({
        "ok": d["ok"], "stage": d["stage"], "stages": stages, "knowledge": d["knowledge"], "finding": d["finding"],
        "cause": d["cause"], "fix": d["fix"], "provider": d["provider"], "source": d["source"],
    })
}

/// Every entry the stand-in plays: the replay of its case gives the recorded verdict, and
/// asks nothing of the stand-in (the recorded host) while it replays.
#[test]
fn every_entry_replayed_from_its_case_gives_the_same_stage_cause_and_fix() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut wrong = Vec::new();
    let mut failing = 0;
    for (i, e) in knowledge::entries().iter().enumerate() {
        let handle = format!("kb-{i}");
        let (stage, profile) = profile_for(e, &handle, &s);
        let new: NewProfile = serde_json::from_value(profile.json()).unwrap();
        desk.create(new).unwrap();
        if stage == Stage::Refresh {
            rt.block_on(desk.sign_in(&handle, Duration::from_secs(20), browse_start)).unwrap();
        }
        let d = rt.block_on(desk.diagnose(&handle)).unwrap();
        failing += usize::from(!d.ok);
        let text = desk.case(&d).unwrap();
        let case = Case::parse(&text).unwrap();
        let before =
            s.hits(&format!("/kb/{}/token", e.id)) + s.hits(&format!("/kb/{}/authorize", e.id)) + s.hits(&format!("/kb/{}/me", e.id));
        let replayed = rt.block_on(oauthdesk_sandbox::replay::replay(&case, scratch.path()));
        let after =
            s.hits(&format!("/kb/{}/token", e.id)) + s.hits(&format!("/kb/{}/authorize", e.id)) + s.hits(&format!("/kb/{}/me", e.id));
        assert_eq!(before, after, "{}: the replay asked the recorded host", e.id);
        let replayed = match replayed {
            Ok(r) => r,
            Err(err) => {
                wrong.push(format!("{}: replay failed: {err}", e.id));
                continue;
            }
        };
        assert!(replayed.same_knowledge, "{}", e.id);
        let recorded = verdict(&serde_json::to_value(&d).unwrap());
        let now = verdict(&serde_json::to_value(&replayed.diagnosis).unwrap());
        if recorded != now {
            wrong.push(format!(
                "{}:\n  recorded {recorded}\n  replayed {now}\n  answers {}",
                e.id,
                serde_json::to_string(&case.answers).unwrap()
            ));
        }
    }
    assert!(knowledge::entries().len() >= 100 && failing >= 100, "{failing} entries failed their diagnosis");
    assert!(wrong.is_empty(), "{} of {} entries:\n{}", wrong.len(), knowledge::entries().len(), wrong.join("\n"));
}
