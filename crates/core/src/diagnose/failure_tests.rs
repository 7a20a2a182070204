//! Every route a failure takes to the window gives the same explanation: the error as met
//! (Connect, Test all, a renewal), and the attempt as the history keeps it (a profile opened
//! later), for every code the knowledge base knows, at every stage a token is asked for.

use std::sync::Arc;

use chrono::Utc;

use super::Diagnosis;
use crate::desk::Desk;
use crate::error::{Error, Need};
use crate::knowledge;
use crate::model::{Attempt, ConnectionStatus, Stage};
use crate::profile::NewProfile;
use crate::secret::{ClientSecret, MemorySecrets};

fn desk_with(handle: &str, template: &str, fields: &[(&str, &str)], secret: Option<&str>) -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
    desk.create(NewProfile {
        template: template.into(),
        handle: handle.into(),
        label: None,
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        client_secret: secret.map(ClientSecret::new),
    })
    .unwrap();
    (dir, desk)
}

fn attempt(stage: Stage, status: Option<u16>, error: Option<&str>, description: Option<&str>) -> Attempt {
    Attempt {
        at: Utc::now(),
        stage,
        ok: false,
        status,
        elapsed_ms: 12,
        error: error.map(str::to_string),
        error_description: description.map(str::to_string),
    }
}

#[test]
fn a_stored_attempt_is_explained_as_the_error_it_records_for_every_known_code() {
    let fields = [("token_url", "https://idp.example.com/token"), ("client_id", "c")];
    let (_dir, desk) = desk_with("api", crate::template::CLIENT_CREDENTIALS, &fields, Some("s"));
    let mut codes: Vec<&str> = knowledge::entries().iter().filter_map(|e| e.error.as_deref()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert!(codes.len() > 20, "the knowledge base's codes: {}", codes.len());
    for code in codes {
        for stage in [Stage::Token, Stage::Refresh] {
            for (status, description) in [(400, None), (401, Some("Client authentication failed")), (503, Some("try later"))] {
                let a = attempt(stage, Some(status), Some(code), description);
                let e = Error::OAuth { stage, status, error: code.into(), description: description.map(str::to_string) };
                let stored = desk.failure_of_attempt("api", &a);
                let met = desk.failure_of("api", &e, a.at);
                // What Test all shows for the same error.
                let mut d = Diagnosis::new("api");
                let direct = d.explain(&e, &desk.context_of("api"), None);
                let case = format!("{code} at {stage}, HTTP {status}");
                assert_eq!((&stored.cause, &stored.fix, &stored.knowledge), (&met.cause, &met.fix, &met.knowledge), "{case}");
                assert_eq!(Some(&stored.cause), direct.cause.as_ref(), "{case}");
                assert!(!stored.fix.is_empty(), "{case}: no fix");
                // The provider's words are kept apart from the cause, never in its place.
                let words = description.map_or(code.to_string(), |d| format!("{code}: {d}"));
                assert_eq!(stored.provider_words.as_deref(), Some(words.as_str()), "{case}");
                assert_ne!(stored.cause, words, "{case}");
                assert_eq!(stored.step, crate::model::failure_step(Some(stage)), "{case}");
                assert_eq!((stored.at, stored.stage, stored.status), (a.at, Some(stage), Some(status)), "{case}");
            }
        }
    }
}

/// A refused secret: the knowledge base's cause and fix, not the provider's words twice.
#[test]
fn a_refused_secret_gets_its_cause_and_fix() {
    let fields = [("token_url", "https://idp.example.com/token"), ("client_id", "c")];
    let (_dir, desk) = desk_with("api", crate::template::CLIENT_CREDENTIALS, &fields, Some("s"));
    let f = desk.failure_of_attempt("api", &attempt(Stage::Token, Some(401), Some("invalid_client"), Some("client authentication failed")));
    assert!(f.knowledge.is_some() && f.source.is_some(), "{f:?}");
    assert!(!f.cause.contains("invalid_client") && f.cause.len() > 20, "{f:?}");
    assert_eq!(f.step, "while asking the provider for a token");
}

/// A test call that answered with an error status: explained by its status, as Diagnose
/// explains it, with the provider's error when the history kept one.
#[test]
fn a_stored_test_call_failure_is_explained_by_its_status() {
    let fields = [("token_url", "https://idp.example.com/token"), ("client_id", "c")];
    let (_dir, desk) = desk_with("api", crate::template::CLIENT_CREDENTIALS, &fields, Some("s"));
    for status in [400, 401, 403, 404, 405, 429, 500, 502, 503] {
        let f = desk.failure_of_attempt("api", &attempt(Stage::Test, Some(status), None, None));
        assert!(!f.cause.is_empty() && !f.fix.is_empty(), "{status}: {f:?}");
        assert_eq!((f.stage, f.status), (Some(Stage::Test), Some(status)));
        assert_eq!(f.step, "when the API was called with the token");
        assert_eq!(f.provider_words, None);
    }
    let f = desk.failure_of_attempt("api", &attempt(Stage::Test, Some(401), Some("invalid_token"), Some("The access token expired")));
    assert_eq!(f.provider_words.as_deref(), Some("invalid_token: The access token expired"));
}

/// A failure no answer explains: its own words and what the profile lacks.
#[test]
fn a_failure_without_an_answer_keeps_its_words_and_its_need() {
    let fields = [("token_url", "https://idp.example.com/token"), ("client_id", "c")];
    let (_dir, desk) = desk_with("api", crate::template::CLIENT_CREDENTIALS, &fields, Some("s"));
    let e = Error::not_ready("api", Need::ClientSecret, "no client secret is stored for 'api'");
    let f = desk.failure_of("api", &e, Utc::now());
    assert_eq!((f.cause.as_str(), f.need), ("no client secret is stored for 'api'", Some(Need::ClientSecret)));
    let stored = attempt(Stage::Token, None, Some("network"), Some("token: cannot reach idp.example.com: connection refused"));
    let f = desk.failure_of_attempt("api", &stored);
    assert!(f.cause.contains("connection refused"), "{f:?}");
}

/// Opening a profile: its stored state, with the last failure explained only while it is
/// the state, and a result made old by what came after it.
#[test]
fn the_connection_view_explains_the_stored_failure() {
    let fields = [("token_url", "http://127.0.0.1:1/token"), ("client_id", "c")];
    let (_dir, desk) = desk_with("api", crate::template::CLIENT_CREDENTIALS, &fields, Some("s"));
    let before = Utc::now() - chrono::Duration::seconds(1);
    let v = desk.connection_view("api", Some(before)).unwrap();
    assert_eq!((v.connection.state, v.failure.is_none(), v.token.is_none(), v.newer), (ConnectionStatus::Never, true, true, None));
    let id = crate::store::get(&desk.conn(), "api").unwrap().id;
    crate::store::history::record(
        &desk.conn(),
        id,
        &[attempt(Stage::Token, Some(401), Some("invalid_client"), Some("client authentication failed"))],
    )
    .unwrap();
    let v = desk.connection_view("api", Some(before)).unwrap();
    assert_eq!(v.connection.state, ConnectionStatus::Failing);
    let f = v.failure.unwrap();
    assert_eq!(f.provider_words.as_deref(), Some("invalid_client: client authentication failed"));
    assert_eq!(v.newer, Some(crate::model::Newer::Attempt), "an attempt after the result");
}
