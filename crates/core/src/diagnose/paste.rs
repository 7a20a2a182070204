//! "Paste an error": support staff often have only what an integration logged. The text is
//! read like an answer ([`knowledge::paste`]), its provider recognised, and the same
//! explanation a diagnosis gives is returned — without a profile and without a request.

use serde::Serialize;
use ts_rs::TS;

use super::advice::{Context, Seen};
use super::{Diagnosis, Outcome};
use crate::error::{Error, Result};
use crate::flows::redact::keyed;
use crate::flows::test_call::TestResult;
use crate::knowledge::{self, answer::Format, findings, paste, recognise};
use crate::model::Stage;
use crate::providers::{self, ProviderId};

/// What a pasted error means.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Explanation {
    /// The provider, as recognised or given.
    pub provider: Option<String>,
    /// Where the error came from, when the text shows it.
    pub stage: Option<Stage>,
    pub status: Option<u16>,
    /// The shape the error came in.
    pub format: Option<Format>,
    /// The main code, and every code found.
    pub error: Option<String>,
    pub codes: Vec<String>,
    pub error_description: Option<String>,
    /// Scopes the error says are needed.
    pub scopes: Vec<String>,
    /// The knowledge-base entry that explains it, if one does.
    pub knowledge: Option<String>,
    pub cause: String,
    pub fix: Vec<String>,
    /// "Learn more".
    pub source: Option<String>,
    /// The text holds no answer from the provider (a bare "OAUTH ERROR"): diagnosing a
    /// profile with the integration's settings is the next step each front end offers.
    pub diagnose_next: bool,
}

/// Explains a pasted error; `provider` (an id) overrides recognition.
pub fn explain(text: &str, provider: Option<&str>) -> Result<Explanation> {
    if text.trim().is_empty() {
        return Err(Error::invalid("text", "is empty: paste the error message, a JSON body or an HTTP response"));
    }
    let pasted = paste::read(text);
    // A paste may hold what the integration sent too (a client_secret in a form, a Bearer
    // header in curl -v): what is shown back passes the key-based redaction first.
    let problem = pasted.problem().map(|p| p.map_text(keyed));
    let provider = match provider.map(str::trim).filter(|p| !p.is_empty() && *p != "auto") {
        Some(id) => Some(knowledge::provider(id).ok_or_else(|| {
            let known: Vec<&str> = knowledge::providers().iter().map(|p| p.id.as_str()).collect();
            Error::invalid("provider", format!("'{id}' is not a provider OAuth Desk knows (it knows {})", known.join(", ")))
        })?),
        None => recognise::from_text(text, problem.as_ref()),
    };
    let stage = pasted.stage(problem.as_ref());
    let hints = providers::rules(provider.and_then(|p| ProviderId::find(&p.id))).hints();
    let ctx = Context { provider, proxy: None, hints, grant: pasted.grant() };
    let mut d = Diagnosis::new("");
    let seen = Seen {
        stage,
        status: pasted.status,
        problem: problem.as_ref(),
        retry_after: pasted.header("retry-after"),
        granted: None,
        answered_by: None,
    };
    let advice = d.advise("", &seen, &ctx).or_else(|| api_refusal(&mut d, &pasted, problem.as_ref(), &ctx));
    let mut diagnose_next = false;
    let (cause, fix) = match (advice, &problem) {
        (Some(o), _) => {
            // A finding (the API's refusal read as a test call's) names itself as the entry.
            d.knowledge = d.knowledge.take().or(o.entry.map(str::to_string));
            d.source = d.source.take().or(o.source.map(str::to_string));
            (o.cause.unwrap_or_default(), o.fix)
        }
        // The provider's answer is there (a code, or its words in its own shape): not a bare error.
        (None, Some(p)) if !p.codes.is_empty() || (p.description.is_some() && !matches!(p.format, Format::Text | Format::Html)) => {
            let mut fix = vec!["The provider's own words (the description above) name what it refused.".to_string()];
            fix.extend(provider.map(|p| format!("{}'s error reference explains its codes: {}", p.name, p.docs)));
            ("OAuth Desk does not know this error yet.".to_string(), fix)
        }
        // No answer from the provider in it (a bare "OAUTH ERROR"): what that usually
        // means with the provider named, what to capture next, and a diagnosis to offer.
        _ => {
            diagnose_next = true;
            let generic = findings::found("paste-bare-error", &[]);
            let bare = provider.and_then(|p| p.bare.as_ref());
            d.knowledge = Some(generic.id.to_string());
            d.source = Some(bare.map_or(generic.source.to_string(), |b| b.source.clone()));
            let mut fix = bare.map(|b| b.fix.clone()).unwrap_or_default();
            fix.extend(generic.fix);
            (bare.map_or(generic.cause, |b| b.cause.clone()), fix)
        }
    };
    Ok(Explanation {
        provider: provider.map(|p| p.name.clone()),
        stage,
        status: pasted.status,
        format: problem.as_ref().map(|p| p.format),
        error: d.error,
        codes: problem.as_ref().map(|p| p.codes.clone()).unwrap_or_default(),
        error_description: d.error_description,
        scopes: problem.map(|p| p.scopes).unwrap_or_default(),
        knowledge: d.knowledge,
        cause,
        fix,
        source: d.source,
        diagnose_next,
    })
}

/// An API's refusal of a call (401 or 403 in an API's own error shape, not a token
/// endpoint's RFC 6749 answer) whose words name nothing: what a test call with that answer
/// means (the token not accepted, a scope or permission missing).
fn api_refusal(d: &mut Diagnosis, pasted: &paste::Pasted, problem: Option<&knowledge::Problem>, ctx: &Context) -> Option<Outcome> {
    let status = pasted.status.filter(|s| matches!(s, 401 | 403))?;
    let p = problem.filter(|p| !matches!(p.format, Format::Oauth | Format::Entra | Format::Form | Format::Text | Format::Html))?;
    let t = TestResult {
        method: String::new(),
        url: String::new(),
        status,
        problem: Some(p.clone()),
        ok: (200..300).contains(&status),
        elapsed_ms: 0,
        headers: pasted.headers.clone(),
        body: pasted.body.clone(),
        truncated: false,
    };
    Some(d.explain_test(&t, ctx, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_oauth_error_says_what_it_usually_means_and_offers_a_diagnosis() {
        let e = explain("2026-12-07 09:14:03 ERROR OAUTH ERROR", None).unwrap_or_else(|e| panic!("{e}"));
        assert!(e.diagnose_next && e.knowledge.as_deref() == Some("paste-bare-error"), "{e:?}");
        assert!(e.fix.iter().any(|f| f.contains("HTTP status and body")), "{e:?}");
        // With the product named, its usual causes come first, in their order.
        let e = explain("Salesforce sync: OAUTH ERROR", None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.provider.as_deref(), Some("Salesforce"));
        assert!(e.fix.first().is_some_and(|f| f.contains("10 minutes")), "{e:?}");
        assert!(e.fix.iter().position(|f| f.contains("My Domain")) < e.fix.iter().position(|f| f.contains("Run As")), "{e:?}");
        assert!(e.diagnose_next);
    }

    /// Every provider that words what its bare error usually means: named in a log line, it
    /// gets those causes and steps first, complete and citing its documentation.
    #[test]
    fn each_providers_bare_error_guidance_comes_first_when_it_is_named() {
        let with: Vec<_> = knowledge::providers().iter().filter(|p| p.bare.is_some()).collect();
        assert!(with.len() >= 5, "{} providers word their bare error", with.len());
        for p in with {
            let Some(bare) = &p.bare else { continue };
            assert!(!bare.cause.trim().is_empty() && !bare.fix.is_empty() && bare.source.starts_with("https://"), "{}", p.id);
            assert!(
                bare.fix.iter().chain([&bare.cause]).all(|t| !t.contains('`') && !t.contains(" --")),
                "{}: no command-line syntax",
                p.id
            );
            let Some(name) = p.names.first() else { panic!("{} has no name to be found by", p.id) };
            let e = explain(&format!("2026-12-07T09:14:03Z {name} connector: OAUTH ERROR"), None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(e.provider.as_deref(), Some(p.name.as_str()), "{}", p.id);
            assert_eq!((e.cause.as_str(), e.fix.first()), (bare.cause.as_str(), bare.fix.first()), "{}", p.id);
            assert!(e.diagnose_next, "{}", p.id);
        }
    }

    #[test]
    fn a_product_named_in_words_gets_its_own_entry() {
        let e = explain("Salesforce connection failed: 400 invalid client credentials", None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((e.provider.as_deref(), e.knowledge.as_deref()), (Some("Salesforce"), Some("salesforce-bad-secret")), "{e:?}");
        assert!(!e.diagnose_next);
    }

    #[test]
    fn what_a_paste_shows_back_holds_no_credential() {
        let text = "sync failed: POST /token client_secret=hunter2-very-secret&grant_type=client_credentials -> invalid_client";
        let e = explain(text, None).unwrap_or_else(|e| panic!("{e}"));
        let shown = serde_json::to_string(&e).unwrap_or_default();
        assert!(!shown.contains("hunter2-very-secret"), "{shown}");
        assert_eq!(e.error.as_deref(), Some("invalid_client"));
    }
}
