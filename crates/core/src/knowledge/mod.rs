//! The knowledge base of error answers: what a provider's answer means and how to fix it, one
//! file per provider in `knowledge/`, each entry written from (and citing) the provider's own
//! documentation. Data, so support staff can add what they learn without touching the engine.
//!
//! An entry names its provider (or none, for the RFC entries that hold for every provider).
//! A lookup knows which provider answered — from the URL, the profile, or the answer itself
//! ([`recognise`]) — and never lets another provider's entry explain it: a Keycloak refusal
//! must not get Salesforce's steps. A provider's entry beats a generic one.
//!
//! Answers come in many shapes (RFC 6749 JSON, Entra's `error_codes`, Okta's `errorCode`,
//! Salesforce's arrays and SOAP faults, HubSpot's `category`, form-encoded, HTML pages, plain
//! text); [`answer`] turns each into one [`answer::Problem`] so one lookup serves them all.
//!
//! What a diagnosis finds outside a provider's answer (a profile value, the network, TLS, a
//! proxy, the clock) is data of the same kind, in [`findings`].

pub mod answer;
mod files;
pub mod findings;
pub mod paste;
pub mod phrases;
pub mod recognise;
mod status;
pub mod version;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Flow, Stage};
pub use answer::Problem;
pub use status::by_status;

/// A provider the knowledge base knows, and how to recognise it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Host names (`*.` for any subdomain) of its OAuth endpoints and APIs.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Path fragments that identify it on any host (Keycloak's `/realms/`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Text only this provider's answers hold (`AADSTS`).
    #[serde(default)]
    pub markers: Vec<String>,
    /// Response headers only this provider's servers send (`x-okta-request-id`), so an
    /// answer names its provider on a custom domain too.
    #[serde(default)]
    pub headers: Vec<String>,
    /// The words that name it in a log line ("Salesforce", "Azure AD", "QuickBooks"),
    /// matched as whole words in a pasted error.
    #[serde(default)]
    pub names: Vec<String>,
    /// What an integration's bare "OAUTH ERROR" usually means with this provider, the
    /// likeliest causes first.
    #[serde(default)]
    pub bare: Option<Bare>,
    /// Its error reference.
    #[serde(default)]
    pub docs: String,
}

/// The usual causes of a failure an integration logs without the provider's answer.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct Bare {
    pub cause: String,
    pub fix: Vec<String>,
    pub source: String,
}

/// One text or several, any of which matches.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Texts {
    One(String),
    Many(Vec<String>),
}

impl Texts {
    fn all(&self) -> &[String] {
        match self {
            Texts::One(s) => std::slice::from_ref(s),
            Texts::Many(v) => v,
        }
    }
}

/// The provider's answer an entry is written from, as its documentation shows it; the tests
/// serve it from a local endpoint and check the entry explains it.
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
}

/// What an answer means and how to fix it.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub id: String,
    /// The provider's id; `None` for an entry that holds for every provider.
    #[serde(skip)]
    pub provider: Option<String>,
    /// The stages it appears at (`None`: any).
    #[serde(default)]
    pub stages: Option<Vec<Stage>>,
    /// The grants it applies to (`None`: any): a device-flow answer never explains a client
    /// credentials refusal, a JWT bearer entry never a code exchange.
    #[serde(default)]
    pub grants: Option<Vec<Flow>>,
    /// A code the answer carries (see [`answer::Problem::codes`]).
    #[serde(default)]
    pub error: Option<String>,
    /// Text found in the answer's description, any case.
    #[serde(default)]
    pub description: Option<Texts>,
    #[serde(default)]
    pub status: Option<u16>,
    /// The answer means "this authorization code is not valid": what a healthy provider
    /// answers to a made-up code.
    #[serde(default)]
    pub refuses_code: bool,
    pub cause: String,
    pub fix: Vec<String>,
    /// The documentation the entry comes from.
    pub source: String,
    pub example: Example,
}

/// An entry as the window and `--json` show it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Advice {
    pub id: String,
    /// The provider's name, for a provider's entry.
    pub provider: Option<String>,
    pub cause: String,
    pub fix: Vec<String>,
    /// "Learn more": the documentation the entry comes from.
    pub source: String,
}

impl Entry {
    pub fn advice(&self) -> Advice {
        Advice {
            id: self.id.clone(),
            provider: self.provider.as_deref().and_then(provider).map(|p| p.name.clone()),
            cause: self.cause.clone(),
            fix: self.fix.clone(),
            source: self.source.clone(),
        }
    }
}

#[derive(Deserialize)]
struct File {
    provider: Option<Provider>,
    entries: Vec<Entry>,
    /// The specifications' own descriptions of their codes (in `rfc.json`): every server
    /// may answer with them, so they name no provider.
    #[serde(default)]
    generic_words: Vec<String>,
}

struct Base {
    providers: Vec<Provider>,
    entries: Vec<Entry>,
    generic_words: Vec<String>,
    /// Every file that did not parse, with why (a test asserts there is none).
    broken: Vec<String>,
}

fn base() -> &'static Base {
    static KB: OnceLock<Base> = OnceLock::new();
    KB.get_or_init(|| {
        let mut kb = Base { providers: Vec::new(), entries: Vec::new(), generic_words: Vec::new(), broken: Vec::new() };
        for (name, text) in files::FILES {
            match serde_json::from_str::<File>(text) {
                Ok(file) => {
                    let id = file.provider.as_ref().map(|p| p.id.clone());
                    kb.entries.extend(file.entries.into_iter().map(|mut e| {
                        e.provider = id.clone();
                        e
                    }));
                    kb.providers.extend(file.provider);
                    kb.generic_words.extend(file.generic_words.into_iter().map(|w| w.to_lowercase()));
                }
                Err(e) => kb.broken.push(format!("{name}: {e}")),
            }
        }
        kb
    })
}

/// Every entry.
pub fn entries() -> &'static [Entry] {
    &base().entries
}

/// Every provider the knowledge base knows.
pub fn providers() -> &'static [Provider] {
    &base().providers
}

/// A provider by id.
pub fn provider(id: &str) -> Option<&'static Provider> {
    providers().iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// An entry by id.
pub fn entry(id: &str) -> Option<&'static Entry> {
    entries().iter().find(|e| e.id == id)
}

/// "Learn more": the documentation a knowledge-base entry or a diagnosis finding cites, by
/// its id. The window names an id, never a URL, so only these links can be opened.
pub fn learn_more(id: &str) -> Option<&'static str> {
    entry(id)
        .map(|e| e.source.as_str())
        .or_else(|| findings::finding(id).map(|f| f.source.as_str()))
        .or_else(|| phrases::class(id).map(|c| c.source.as_str()))
}

/// Documented answers that hold nothing only their provider writes: a bare RFC 6749 code
/// with generic words ("Unauthorized", "Bad Request", "Session expired"), or words two
/// providers share ("PKCE verification failed" is Okta's and Keycloak's, "Invalid refresh
/// token" Keycloak's and Box's). On a custom domain they are explained as any
/// provider's answer would be.
#[cfg(any(test, feature = "test-support"))]
pub fn anonymous(e: &Entry) -> bool {
    const ANONYMOUS: &[&str] = &[
        "google-wrong-secret",
        "google-unauthorized-client",
        "google-unsupported-grant-type",
        "google-access-denied",
        "google-redirect-mismatch-token",
        "google-code-rejected",
        "google-api-auth-error",
        "keycloak-pkce-verification-failed",
        "keycloak-invalid-refresh-token",
        "keycloak-userinfo-session-expired",
    ];
    ANONYMOUS.contains(&e.id.as_str())
}

/// Files that did not parse.
#[cfg(any(test, feature = "test-support"))]
pub fn broken() -> &'static [String] {
    &base().broken
}

/// What a lookup knows about an answer.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The provider that answered, if known; without one only generic entries apply.
    pub provider: Option<&'a str>,
    /// Where the answer came from, if known.
    pub stage: Option<Stage>,
    /// The grant the request was for, if known (a refresh is of its profile's grant).
    pub grant: Option<Flow>,
    pub status: Option<u16>,
    pub problem: &'a Problem,
}

/// How well `e` explains the answer, if it does at all: an entry must match everything it
/// names. A provider's entry outranks every generic one; a description match (the
/// provider's own words) outranks a code match.
fn score(e: &Entry, q: &Query<'_>) -> Option<u32> {
    let mut score = 0;
    match (&e.provider, q.provider) {
        (None, _) => {}
        (Some(p), Some(asked)) if p.eq_ignore_ascii_case(asked) => score += 100,
        _ => return None,
    }
    match (&e.stages, q.stage) {
        (Some(stages), Some(stage)) if !stages.contains(&stage) => return None,
        (Some(_), Some(_)) => score += 1,
        // An answer of unknown origin is most often the token endpoint's.
        (Some(stages), None) if stages.contains(&Stage::Token) => score += 1,
        _ => {}
    }
    if let (Some(grants), Some(grant)) = (&e.grants, q.grant) {
        if !grants.contains(&grant) {
            return None;
        }
        score += 1;
    }
    let mut matched = false;
    // A log line often keeps the provider's words and drops its code: with no code at all, an
    // entry of the provider named is matched by its words alone.
    let words_only = q.problem.codes.is_empty() && e.provider.is_some() && e.description.is_some();
    if let Some(code) = e.error.as_ref().filter(|_| !words_only) {
        // An answer's later codes are its more specific ones (an AADSTS number after the
        // RFC error, a Google reason after its status, a HubSpot subcategory).
        let at = q.problem.codes.iter().position(|c| c.eq_ignore_ascii_case(code))?;
        score += 10 + at.min(5) as u32;
        matched = true;
    }
    if let Some(texts) = &e.description {
        let desc = q.problem.description.as_deref().unwrap_or_default().to_lowercase();
        if !texts.all().iter().any(|t| !t.is_empty() && desc.contains(&t.to_lowercase())) {
            return None;
        }
        score += 20;
        matched = true;
    }
    // The status an entry names is a preference, not a condition: providers change the status
    // of one answer between versions (Keycloak's 400 and 401), and a paste often lacks it. An
    // entry of the same status ranks above one without, which ranks above one of another.
    match (e.status, q.status) {
        (Some(status), Some(seen)) if status == seen => score += 2,
        (Some(_), Some(_)) => score = score.saturating_sub(1),
        _ => {}
    }
    matched.then_some(score)
}

/// The provider whose own words an answer holds: one of its entries matches the answer by
/// a description of four words or more that provider writes. Shorter ones are every
/// provider's ("Unauthorized", "client authentication failed"); a short description only
/// one provider writes, such as Keycloak's "Code not valid", is its marker, quoted as the
/// whole JSON string it is. A code alone names no provider here (`too_many_requests` is
/// many providers' code, whoever wrote an entry for it): the codes only one provider uses
/// are its `markers`. `None` when no provider, or more than one, does.
/// The fewest words of an entry's description that name its provider wherever they stand in
/// an answer; fewer name it only as most of the answer's words (Keycloak's whole "Token is not
/// active"), since short messages ("Authentication credentials not found" inside Typeform's
/// longer one) are written by more than one API.
const MIN_OWN_WORDS: usize = 5;

/// Whether an entry's words, found in an answer's description, name the entry's provider.
fn own_words(words: &str, said: &str) -> bool {
    let n = words.split_whitespace().count();
    n >= MIN_OWN_WORDS || (n >= 4 && 2 * n > said.split_whitespace().count())
}

pub fn provider_by_words(problem: &Problem) -> Option<&'static Provider> {
    // Words a generic entry writes too (RFC 7523's "Audience validation failed") are no
    // provider's own.
    let generic = |e: &Entry| e.provider.is_none() && e.description.is_some();
    if entries()
        .iter()
        .filter(|e| generic(e))
        .any(|e| score(e, &Query { provider: None, stage: None, grant: None, status: None, problem }).is_some())
    {
        return None;
    }
    let said = problem.description.as_deref().unwrap_or_default().to_lowercase();
    let mut found: Option<&str> = None;
    for e in entries() {
        let Some(id) = e.provider.as_deref() else { continue };
        if found.is_some_and(|f| f.eq_ignore_ascii_case(id)) {
            continue;
        }
        let own_words = e.description.as_ref().is_some_and(|d| {
            d.all()
                .iter()
                .map(|t| t.to_lowercase())
                .any(|t| own_words(&t, &said) && said.contains(&t) && !base().generic_words.iter().any(|g| g.contains(&t)))
        });
        if own_words && score(e, &Query { provider: Some(id), stage: None, grant: None, status: None, problem }).is_some() {
            if found.is_some() {
                return None;
            }
            found = Some(id);
        }
    }
    found.and_then(provider)
}

/// The entry that best explains an answer; of equals, the first in the files.
pub fn lookup(q: &Query<'_>) -> Option<&'static Entry> {
    entries().iter().rev().filter_map(|e| score(e, q).map(|s| (s, e))).max_by_key(|(s, _)| *s).map(|(_, e)| e)
}

/// Every code some entry matches on, lower-cased: the words [`answer`] looks for in an HTML
/// page or a plain text.
pub fn known_codes() -> &'static [String] {
    static CODES: OnceLock<Vec<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes: Vec<String> = entries().iter().filter_map(|e| e.error.as_ref()).map(|c| c.to_lowercase()).collect();
        codes.sort();
        codes.dedup();
        codes
    })
}

#[cfg(test)]
mod tests;
