//! A refusal no knowledge entry explains is read by its words: a provider's own code beside a
//! clear description gets the cause class the description names, at every route a refusal
//! takes (a diagnosis's token request, a test call, a pasted error), whether or not the
//! provider is known; "does not know this error yet" is left for an answer with no words.

use super::advice::Context;
use super::paste::explain;
use super::Diagnosis;
use crate::error::Error;
use crate::flows::test_call::TestResult;
use crate::knowledge::{self, phrases, Problem};
use crate::model::Stage;

fn ctx(provider: Option<&str>) -> Context {
    Context { provider: provider.and_then(knowledge::provider), proxy: None, hints: Default::default(), grant: None }
}

/// A provider-specific code no entry has, with the words of each class's documented examples.
fn refusals() -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for c in phrases::classes() {
        for (i, ex) in c.examples.iter().enumerate() {
            out.push((c.id.as_str(), format!("ACME_E{}", 4000 + i), ex.clone()));
        }
    }
    out
}

#[test]
fn a_refusal_with_a_providers_own_code_is_read_by_its_words_in_a_diagnosis() {
    let mut wrong = Vec::new();
    for (class, code, words) in refusals() {
        for provider in [None, Some("okta"), Some("github")] {
            let e = Error::OAuth { stage: Stage::Token, status: 400, error: code.clone(), description: Some(words.clone()) };
            let mut d = Diagnosis::new("");
            let o = d.explain(&e, &ctx(provider), None);
            let cause = o.cause.clone().unwrap_or_default();
            // A provider's own entry may explain it first; otherwise the words do.
            let by_entry = d.knowledge.as_deref().and_then(knowledge::entry).is_some_and(|e| e.provider.is_some());
            if !by_entry && (d.knowledge.as_deref() != Some(class) || !cause.contains(&phrases::quote(&words))) {
                wrong.push(format!("{class} {provider:?} {words:?}: {:?} {cause:?}", d.knowledge));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_test_call_refused_in_words_is_read_by_them() {
    for (class, code, words) in refusals() {
        let t = TestResult {
            method: "GET".into(),
            url: "https://api.example.com/v1/me".into(),
            status: 400,
            problem: Some(Problem::oauth(&code, Some(&words))),
            ok: false,
            elapsed_ms: 1,
            headers: Vec::new(),
            body: String::new(),
            truncated: false,
        };
        let mut d = Diagnosis::new("");
        let o = d.explain_test(&t, &ctx(None), None);
        assert_eq!(d.knowledge.as_deref(), Some(class), "{words:?}: {o:?}");
    }
}

#[test]
fn a_pasted_refusal_with_a_providers_own_code_is_read_by_its_words() {
    for (class, code, words) in refusals() {
        let text = format!("OAUTH ERROR: {{\"error\":\"{code}\",\"error_description\":{}}}", serde_json::json!(words));
        let x = explain(&text, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(!x.cause.contains("OAuth Desk does not know"), "{text}: {}", x.cause);
        // The words name the provider at times (an AADSTS code): its own entry comes first.
        if x.knowledge.as_deref().and_then(knowledge::entry).is_some_and(|e| e.provider.is_some()) {
            continue;
        }
        assert_eq!(x.knowledge.as_deref(), Some(class), "{text}: {x:?}");
        assert_eq!(x.source.as_deref(), phrases::class(class).map(|c| c.source.as_str()));
    }
}

#[test]
fn only_an_answer_without_words_is_unknown() {
    let e = Error::OAuth { stage: Stage::Token, status: 400, error: "ACME_E9999".into(), description: None };
    let mut d = Diagnosis::new("");
    let o = d.explain(&e, &ctx(None), None);
    assert_eq!(o.finding, e.to_string());
    assert!(d.knowledge.is_none(), "{:?}", d.knowledge);
    let named =
        Error::OAuth { stage: Stage::Token, status: 400, error: "ACME_E9999".into(), description: Some("Invalid client secret".into()) };
    let mut d = Diagnosis::new("");
    d.explain(&named, &ctx(None), None);
    assert_eq!(d.knowledge.as_deref(), Some("phrase-wrong-secret"));
}

/// RFC 6749 §5.2: a token endpoint answers a failed client authentication with 401,
/// whatever words it uses (Reddit's `{"message":"Unauthorized","error":401}`); a 401 from
/// an API, or a 400 from the token endpoint, is no such answer.
#[test]
fn a_token_endpoints_401_without_a_code_is_a_refused_client() {
    for stage in [Stage::Token, Stage::Refresh] {
        let e = Error::BadResponse { stage, status: Some(401), kind: crate::error::AnswerKind::Status, message: "HTTP 401".into() };
        let body = r#"{"message":"Unauthorized","error":401}"#;
        let t = crate::flows::trace::TraceEntry {
            stage,
            method: "POST".into(),
            url: "https://www.reddit.com/api/v1/access_token".into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(401),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some(body.into()),
            elapsed_ms: 1,
            error: None,
        };
        let mut d = Diagnosis::new("");
        let o = d.explain(&e, &ctx(None), Some(&t));
        let e400 = Error::BadResponse { stage, status: Some(400), kind: crate::error::AnswerKind::Status, message: "HTTP 400".into() };
        let mut d400 = Diagnosis::new("");
        d400.explain(&e400, &ctx(None), Some(&t));
        assert!(d.knowledge.as_deref().is_some_and(|k| k.starts_with("rfc6749-invalid-client")), "{stage:?}: {:?} {o:?}", d.knowledge);
        assert!(d400.knowledge.is_none(), "{:?}", d400.knowledge);
    }
}

/// An API's error body pasted alone: the status it repeats in its body and its shape say
/// it is a refused API call, read as a test call's answer when its words name nothing.
#[test]
fn a_pasted_api_refusal_is_read_by_the_status_in_its_body() {
    for (body, finding) in [
        (r#"{"message":"401: Unauthorized","code":0}"#, "test-token-not-accepted"),
        (
            r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#,
            "test-token-not-accepted",
        ),
        (
            r#"{"error_code":"UserUnauthorizedException","status_code":403,"error_message":"User unauthorized to perform action"}"#,
            "test-scope-or-permission-missing",
        ),
        (r#"{"error":{"status":401,"message":"Unauthorized"}}"#, "test-token-not-accepted"),
    ] {
        let x = explain(body, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(x.knowledge.as_deref(), Some(finding), "{body}: {x:?}");
        assert!(!x.cause.contains("does not know"), "{body}: {}", x.cause);
    }
    // A token endpoint's RFC 6749 answer is not an API's.
    let x = explain(r#"{"error":"acme_refused","status":401}"#, None).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(x.knowledge.as_deref(), Some("test-token-not-accepted"), "{x:?}");
}

/// A generic entry that names a code and a status (RFC 6749's `invalid_client` with 401)
/// says less than words that name another cause; words that say the same keep the entry.
#[test]
fn words_that_name_another_cause_beat_a_generic_entry_for_the_code_and_status() {
    let refuse = |words: &str| {
        let e = Error::OAuth { stage: Stage::Token, status: 401, error: "invalid_client".into(), description: Some(words.into()) };
        let mut d = Diagnosis::new("");
        d.explain(&e, &ctx(None), None);
        d.knowledge
    };
    assert_eq!(
        refuse("The client_assertion token has an expiration too far into the future.").as_deref(),
        Some("phrase-assertion-lifetime")
    );
    assert_eq!(refuse("Invalid signature algorithm").as_deref(), Some("phrase-unsupported-algorithm"));
    assert!(refuse("client authentication failed").is_some_and(|k| k.starts_with("rfc6749-invalid-client")));
}

/// An answer in a provider's own shape whose words name nothing is the provider's answer,
/// not a bare "OAUTH ERROR" with nothing of it (Sage's `{"message"}`, Asana's `errors`).
#[test]
fn a_pasted_answer_with_words_is_no_bare_error() {
    for body in [
        r#"{"message":"The pairing request has not been accepted."}"#,
        r#"{"errors":[{"message":"Not Authorized","help":"see the docs"}]}"#,
    ] {
        let x = explain(body, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(!x.diagnose_next && x.knowledge.as_deref() != Some("paste-bare-error"), "{body}: {x:?}");
    }
    assert!(explain("2026-12-07 09:14:03 ERROR OAUTH ERROR", None).unwrap_or_else(|e| panic!("{e}")).diagnose_next);
}
