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

/// A generated secret: printable ASCII with the characters encodings treat specially, and
/// non-ASCII letters.
fn generated_secret(seed: &mut u64) -> String {
    const ABC: &[&str] =
        &["a", "Z", "7", "+", "/", "=", "&", "%", " ", "'", "\"", "<", ">", ":", "?", "#", "é", "€", "😀", "q", "K", "0", "_", "."];
    let mut s = String::from("S");
    for _ in 0..28 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        s.push_str(ABC[(*seed % ABC.len() as u64) as usize]);
    }
    s.push('x');
    s
}

/// Case files written from profiles whose provider echoes every secret it has seen or
/// issued, in every spelling (its bodies, headers, redirects, error descriptions): a client
/// secret sent both ways, a user's password, access and refresh tokens, an earlier token. No
/// spelling of any of them is in any case file, healthy or refused; and each still replays.
#[test]
fn no_case_file_holds_a_secret_or_a_token_in_any_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut needles = Vec::new();
    let mut issued = 0;
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let first_seed = seed;
    let mut written = String::new();
    let mut answers = 0;
    let profiles = [("basic", "client-credentials"), ("post", "client-credentials"), ("none", "password")];
    for (auth, template) in profiles {
        // One provider each: it echoes all it knows in its headers, which must stay readable.
        let echo = common::echo::Echo::start();
        let secret = generated_secret(&mut seed);
        let handle = format!("echo-{template}-{auth}");
        let client_id = "echo client";
        echo.state.lock().unwrap().secrets.push((client_id.to_string(), secret.clone()));
        echo.state.lock().unwrap().refuse = false;
        let mut p = TestProfile::new(template, &handle)
            .set("token_url", echo.url("/token"))
            .set("client_id", client_id)
            .set("client_auth", auth)
            .set("test_url", echo.url("/me"))
            .secret(secret.as_str());
        if template == "password" {
            p = p.set("username", "echo.user@example.com");
        }
        let add = p.add(d);
        assert_eq!(add.code, 0, "{}", add.stderr);
        // Two tokens: the first is an earlier one when the second is stored.
        for force in [false, true] {
            let args = if force { vec!["token", &handle, "--force", "--json"] } else { vec!["token", &handle, "--json"] };
            let run = oauthdesk(d, &args, None);
            assert_eq!(run.code, 0, "{}", run.stderr);
        }
        for refuse in [false, true] {
            echo.state.lock().unwrap().refuse = refuse;
            let file = d.join(format!("{handle}-{refuse}.case.json"));
            let run = oauthdesk(d, &["diagnose", &handle, "--case", file.to_str().unwrap()], None);
            assert!(run.code <= 1, "{handle}: {}", run.stderr);
            let text = std::fs::read_to_string(&file).unwrap();
            let case: serde_json::Value = serde_json::from_str(&text).unwrap();
            answers += case["answers"].as_array().unwrap().len();
            let replayed = oauthdesk(d, &["replay", file.to_str().unwrap(), "--json"], None);
            assert!(replayed.code <= 1, "{handle}: {}", replayed.stderr);
            written.push_str(&text);
        }
        needles.extend(echo.state.lock().unwrap().needles());
        issued += echo.state.lock().unwrap().issued.len();
    }
    assert!(issued >= 6, "tokens were issued");
    assert!(answers >= 6, "the answers are in the cases ({answers})");
    assert!(written.contains("[redacted"), "the echoes were there, redacted");
    let left = common::spellings::survivors(&written, &needles);
    assert!(left.is_empty(), "seed {first_seed}: case files hold {left:?}");
}

/// `diagnose --case` then `replay`: the same JSON verdict from the command line, and a
/// replay refuses a file that is not a case, or a newer format.
#[test]
fn the_command_line_writes_a_case_and_replays_it() {
    let s = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let e = knowledge::entries().iter().find(|e| e.id == "salesforce-invalid-client-credentials").or(knowledge::entries().first()).unwrap();
    let (_, profile) = profile_for(e, "sf", &s);
    assert_eq!(profile.add(d).code, 0);
    let file = d.join("sf.case.json");
    let diagnosed = oauthdesk(d, &["diagnose", "sf", "--json", "--case", file.to_str().unwrap()], None);
    assert_eq!(diagnosed.code, 1, "{}", diagnosed.stderr);
    let replayed = oauthdesk(d, &["replay", file.to_str().unwrap(), "--json"], None);
    assert_eq!(replayed.code, 1, "{}", replayed.stderr);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&diagnosed.stdout).unwrap(), serde_json::from_str(&replayed.stdout).unwrap());
    assert_eq!(verdict(&a), verdict(&b));
    let text = oauthdesk(d, &["replay", file.to_str().unwrap()], None);
    assert!(text.stdout.contains("Replayed offline") && text.stdout.contains("Cause:"), "{}", text.stdout);
    let mut case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    case["format"] = serde_json::json!(99);
    std::fs::write(&file, case.to_string()).unwrap();
    let newer = oauthdesk(d, &["replay", file.to_str().unwrap()], None);
    assert!(newer.code >= 2 && newer.stderr.contains("case format 99"), "{}", newer.stderr);
    std::fs::write(&file, "{\"profiles\": []}").unwrap();
    let other = oauthdesk(d, &["replay", file.to_str().unwrap()], None);
    assert!(other.code >= 2 && other.stderr.contains("not a case file"), "{}", other.stderr);
}

/// What a ranking says: each cause with its verdict and its evidence, in order.
fn ranking(d: &serde_json::Value) -> serde_json::Value {
    let r: Vec<serde_json::Value> =
        d["ranking"].as_array().unwrap().iter().map(|r| serde_json::json!([r["cause"], r["verdict"], r["evidence"]])).collect();
    serde_json::json!(r)
}

/// Every failure the ranking is for (each sandbox mode whose answer names no single cause,
/// on a profile that worked before): its case replays offline to the same ranking, each
/// cause with the same verdict and evidence, though the player's store has no history; a
/// case without the recorded evidence (as older files are) replays with no ranking.
#[test]
fn a_ranked_failure_replays_to_the_same_ranking() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let sandbox = rt.block_on(oauthdesk_sandbox::Sandbox::start(oauthdesk_sandbox::Options::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
    oauthdesk_sandbox::install(&desk, &sandbox).unwrap();
    let ambiguous = ["invalid_grant", "invalid_token", "expired_token"];
    let modes: Vec<(String, String)> = oauthdesk_sandbox::modes()
        .into_iter()
        .filter(|m| {
            let e = knowledge::entries().iter().find(|e| e.id == m.id).unwrap();
            e.error.as_deref().is_some_and(|code| ambiguous.contains(&code)) && matches!(m.stage.as_str(), "token" | "refresh")
        })
        .map(|m| (m.id, m.profile))
        .collect();
    assert!(!modes.is_empty(), "the sandbox plays answers the ranking is for");
    let mut unranked_modes = Vec::new();
    for (mode, handle) in &modes {
        // Worked before: a fresh token (for a sign-in profile, a fresh sign-in).
        sandbox.set_mode(None).unwrap();
        oauthdesk_sandbox::install_for_mode(&desk, &sandbox, Some(mode)).unwrap();
        let worked = if handle.ends_with("sign-in") {
            rt.block_on(desk.sign_in(handle, Duration::from_secs(20), browse_start)).map(|_| ())
        } else {
            rt.block_on(desk.connect(handle, true)).map(|_| ())
        };
        assert!(worked.is_ok(), "{handle}: {worked:?}");
        sandbox.set_mode(Some(mode)).unwrap();
        let d = rt.block_on(desk.diagnose(handle)).unwrap();
        let recorded = serde_json::to_value(&d).unwrap();
        let case = Case::parse(&desk.case(&d).unwrap()).unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let replayed = rt.block_on(oauthdesk_sandbox::replay::replay(&case, scratch.path())).unwrap();
        let again = serde_json::to_value(&replayed.diagnosis).unwrap();
        assert_eq!(ranking(&again), ranking(&recorded), "{mode} on {handle}: the replay ranks as the diagnosis did");
        if d.ranking.is_empty() {
            unranked_modes.push(format!("{mode} on {handle} ({:?} at {:?})", d.error, d.stage));
            continue;
        }
        let mut older = case.clone();
        older.evidence = None;
        let scratch = tempfile::tempdir().unwrap();
        let unranked = rt.block_on(oauthdesk_sandbox::replay::replay(&older, scratch.path())).unwrap();
        assert!(unranked.diagnosis.ranking.is_empty(), "{mode} on {handle}: without its evidence a case ranks nothing");
    }
    sandbox.set_mode(None).unwrap();
    assert!(unranked_modes.is_empty(), "each mode is ranked on its profile; not: {unranked_modes:#?}");
}
