//! Turning a failed request into a cause and a fix: the answer is read in whatever shape it
//! came ([`knowledge::answer`]), looked up in the knowledge base for the provider that
//! answered, and only then explained by its status (a rate limit, an outage) or its kind (a
//! web page, a redirect). A provider's entry comes first because it says most; a generic
//! RFC entry comes after the status, because a 503's `server_error` says less than the 503.

use super::{Diagnosis, Outcome};
use crate::error::{AnswerKind, Error};
use crate::flows::test_call::TestResult;
use crate::flows::trace::TraceEntry;
use crate::knowledge::{self, answer, findings, phrases, recognise, Entry, Problem, Provider, Query};
use crate::model::{Flow, Stage};
use crate::providers::Hints;

/// What was seen of an answer.
#[derive(Clone, Copy, Default)]
pub struct Seen<'a> {
    pub stage: Option<Stage>,
    pub status: Option<u16>,
    pub problem: Option<&'a Problem>,
    /// Its `Retry-After` header.
    pub retry_after: Option<&'a str>,
    /// The scopes the token has (for a test call).
    pub granted: Option<&'a str>,
    /// The provider the answer itself says it comes from ([`recognise::from_answer`]): what
    /// explains it when the profile does not say which provider it talks to.
    pub answered_by: Option<&'static Provider>,
}

/// What explaining needs to know about the profile.
pub struct Context {
    pub provider: Option<&'static Provider>,
    /// The proxy requests to the token URL go through, if any.
    pub proxy: Option<String>,
    /// The findings the profile's provider puts in place of the generic ones.
    pub hints: Hints,
    /// The profile's grant, when known: only the entries for it explain its answers.
    pub grant: Option<Flow>,
}

impl Context {
    pub fn query_for<'a>(&'a self, stage: Option<Stage>, status: Option<u16>, problem: &'a Problem) -> Query<'a> {
        Query { provider: self.provider.map(|p| p.id.as_str()), stage, grant: self.grant, status, problem }
    }

    /// The provider that explains an answer: the profile's (named in it, its template's, or
    /// its endpoints' host), else the one the answer says it comes from.
    fn provider_for(&self, answered_by: Option<&'static Provider>) -> Option<&'static Provider> {
        self.provider.or(answered_by)
    }
}

/// The provider an answer in a trace entry says it comes from.
fn answered_by(t: Option<&TraceEntry>, problem: Option<&Problem>) -> Option<&'static Provider> {
    let (headers, body) = t.map(|t| (t.response_headers.as_slice(), t.response_body.as_deref().unwrap_or_default())).unwrap_or_default();
    recognise::from_answer(headers, body, problem)
}

fn header<'a>(t: Option<&'a TraceEntry>, name: &str) -> Option<&'a str> {
    t?.response_headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The problem a failed request's answer states, in whatever shape it came.
fn problem_of(e: &Error, last: Option<&TraceEntry>) -> Option<Problem> {
    let from_body =
        last.and_then(|t| answer::from_response(&t.response_headers, t.response_body.as_deref().unwrap_or_default().as_bytes()));
    match e {
        Error::OAuth { error, description, .. } | Error::Denied { error, description } => {
            let p = Problem::oauth(error, description.as_deref());
            Some(match from_body {
                Some(b) => p.merge(Problem { description: None, ..b }),
                None => p,
            })
        }
        Error::BadResponse { .. } => from_body,
        _ => None,
    }
}

/// The step that names the scopes an answer says are needed.
fn scope_step(problem: &Problem, granted: Option<&str>) -> Option<String> {
    if problem.scopes.is_empty() {
        return None;
    }
    let needed = problem.scopes.join(" ");
    Some(match granted {
        Some(has) => findings::step("scope-needed-token-has", &[("scopes", &needed), ("granted", has)]),
        None => findings::step("scope-needed", &[("scopes", &needed)]),
    })
}

impl Diagnosis {
    /// Records the provider's answer and the entry explaining it, if one does.
    fn note_problem(&mut self, problem: &Problem) {
        self.error = problem.code().map(str::to_string);
        self.error_description = problem.description.as_deref().map(crate::flows::response::preview);
    }

    fn by_entry(&mut self, finding: String, entry: &Entry, problem: &Problem, granted: Option<&str>) -> Outcome {
        self.knowledge = Some(entry.id.clone());
        self.source = Some(entry.source.clone());
        let mut fix = entry.fix.clone();
        fix.extend(scope_step(problem, granted));
        Outcome::fail(finding, &entry.cause, fix)
    }

    /// Explains an answer by the cause class its words name ([`phrases`]).
    fn by_reading(&mut self, finding: String, reading: phrases::Reading, problem: &Problem, granted: Option<&str>) -> Outcome {
        self.knowledge = Some(reading.class.id.clone());
        self.source = Some(reading.class.source.clone());
        let mut fix = reading.class.fix.clone();
        fix.extend(scope_step(problem, granted));
        // A reading is not an entry's fixed words: it names the scopes the answer lists too.
        name_scopes(Outcome::fail(finding, &reading.cause, fix), Some(problem))
    }

    /// The advice for an answer: a provider's entry, else a generic entry that names its
    /// words, else what the status says (a limit, an outage), else the cause class the
    /// provider's words name, else a generic entry for its code. `None` when nothing
    /// explains it.
    pub(super) fn advise(&mut self, finding: &str, seen: &Seen<'_>, ctx: &Context) -> Option<Outcome> {
        let Seen { stage, status, problem, retry_after, granted, answered_by } = *seen;
        if let Some(p) = problem {
            self.note_problem(p);
        }
        let provider = ctx.provider_for(answered_by);
        if ctx.provider.is_none() {
            self.provider = self.provider.take().or(provider.map(|p| p.name.clone()));
        }
        let query = |p| Query { provider: provider.map(|p| p.id.as_str()), stage, grant: ctx.grant, status, problem: p };
        let entry = problem.and_then(|p| knowledge::lookup(&query(p)));
        if let (Some(entry @ Entry { provider: Some(_), .. }), Some(p)) = (entry, problem) {
            return Some(self.by_entry(finding.to_string(), entry, p, granted));
        }
        // A generic entry that names more than the code (the words, the status) says more than
        // the status alone; one that names only the code says less. One that names the code
        // and the status says less than the provider's words when they name another cause
        // ("invalid_client" with a 401 whose words say the assertion expires too late).
        let read = problem.and_then(|p| phrases::read(p).map(|r| (r, p)));
        let same = |reading: &phrases::Reading| {
            entry.and_then(|e| e.error.as_deref()).is_some_and(|code| reading.class.same_as.iter().any(|c| c.eq_ignore_ascii_case(code)))
        };
        if let (Some(entry), Some(p)) = (entry.filter(|e| e.description.is_some()), problem) {
            return Some(self.by_entry(finding.to_string(), entry, p, granted));
        }
        if let (Some(entry), Some(p)) = (entry.filter(|e| e.status.is_some()), problem) {
            return Some(match read.filter(|(r, _)| !same(r)) {
                Some((reading, p)) => self.by_reading(finding.to_string(), reading, p, granted),
                None => self.by_entry(finding.to_string(), entry, p, granted),
            });
        }
        if let Some(advice) = status.and_then(|s| knowledge::by_status(s, retry_after, ctx.proxy.as_deref())) {
            return Some(Outcome::fail(finding.to_string(), &advice.cause, advice.fix));
        }
        // The provider's words say more than a generic entry for its code alone, unless they
        // say the same as that entry does.
        if let Some((reading, p)) = read.filter(|(r, _)| !same(r)) {
            return Some(self.by_reading(finding.to_string(), reading, p, granted));
        }
        match (entry, problem) {
            (Some(entry), Some(p)) => Some(self.by_entry(finding.to_string(), entry, p, granted)),
            (None, Some(p)) => self.client_refused(seen, ctx).map(|e| self.by_entry(finding.to_string(), e, p, granted)),
            _ => None,
        }
    }

    /// A token endpoint's 401 whose answer names nothing: RFC 6749 §5.2 answers a failed
    /// client authentication so, whatever the provider's words for it.
    fn client_refused(&self, seen: &Seen<'_>, ctx: &Context) -> Option<&'static Entry> {
        if seen.status != Some(401) || !matches!(seen.stage, Some(Stage::Token | Stage::Refresh)) {
            return None;
        }
        let refused = Problem::oauth("invalid_client", None);
        knowledge::lookup(&Query { provider: None, stage: seen.stage, grant: ctx.grant, status: seen.status, problem: &refused })
    }

    /// Explains a failed request (its error, and the trace entry of its answer).
    pub(super) fn explain(&mut self, e: &Error, ctx: &Context, last: Option<&TraceEntry>) -> Outcome {
        let stage = e.stage().unwrap_or(Stage::Token);
        let status = match e {
            Error::OAuth { status, .. } => Some(*status),
            Error::BadResponse { status, .. } => *status,
            _ => None,
        };
        let problem = problem_of(e, last);
        let answered_by = answered_by(last, problem.as_ref());
        let seen = Seen {
            stage: Some(stage),
            status,
            problem: problem.as_ref(),
            retry_after: header(last, "retry-after"),
            granted: None,
            answered_by,
        };
        self.advise(&e.to_string(), &seen, ctx).unwrap_or_else(|| self.by_kind(e, ctx.provider_for(answered_by), ctx))
    }

    /// What the kind of a failure says when no answer explains it.
    fn by_kind(&mut self, e: &Error, provider: Option<&'static Provider>, ctx: &Context) -> Outcome {
        let error = e.to_string();
        let facts = [("error", error.as_str())];
        match e {
            Error::OAuth { .. } | Error::Denied { .. } => match provider {
                Some(p) => {
                    Outcome::found("refused-unknown-error-of-provider", &[("error", &error), ("provider", &p.name), ("docs", &p.docs)])
                }
                None => Outcome::found("refused-unknown-error", &facts),
            },
            Error::BadResponse { stage: Stage::Authorize, status: Some(404), .. } => Outcome::found("authorize-url-not-found", &facts),
            Error::BadResponse { kind: AnswerKind::Html, .. } | Error::BadResponse { status: Some(404), .. } => {
                Outcome::found(ctx.hints.token_url.unwrap_or("token-url-not-token-endpoint"), &facts)
            }
            Error::BadResponse { kind: AnswerKind::Redirect, .. } => {
                Outcome::found(ctx.hints.redirect.unwrap_or("token-url-redirects"), &facts)
            }
            Error::Timeout { host, secs, .. } => {
                Outcome::found("request-timeout", &[("error", &error), ("host", host), ("secs", &secs.to_string())])
            }
            Error::Network { host, .. } => Outcome::found("request-unreachable", &[("error", &error), ("host", host)]),
            _ => Outcome::found("request-failed", &facts),
        }
    }

    /// Explains a test call that answered with an error status after a good token: the
    /// Bearer challenge and the body say whether the token is expired, for another API, or
    /// lacks a scope or permission — and which.
    pub(super) fn explain_test(&mut self, t: &TestResult, ctx: &Context, granted: Option<&str>) -> Outcome {
        let id = match t.status {
            401 => "test-token-not-accepted",
            403 => ctx.hints.forbidden.unwrap_or("test-scope-or-permission-missing"),
            404 => "test-url-not-found",
            // A 2xx here is one whose body says the call failed.
            200..=299 => "test-failed-in-body",
            _ => "test-unexpected-answer",
        };
        let facts = [("method", t.method.clone()), ("url", t.url.clone()), ("status", t.status.to_string())];
        // Every test finding words what was seen alike; a knowledge entry explains it first.
        let by_status = findings::found(id, &super::checks::pairs(&facts));
        let problem = t.problem.clone();
        let retry_after = t.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after")).map(|(_, v)| v.as_str());
        let answered_by = recognise::from_answer(&t.headers, &t.body, problem.as_ref());
        let seen = Seen { stage: Some(Stage::Test), status: Some(t.status), problem: problem.as_ref(), retry_after, granted, answered_by };
        if let Some(o) = self.advise(&by_status.finding, &seen, ctx) {
            // An entry's cause is its own words; its fix already names the scopes.
            return if self.knowledge.is_some() { o } else { name_scopes(o, problem.as_ref()) };
        }
        let mut o = Outcome::from(by_status);
        if let Some(step) = problem.as_ref().and_then(|p| scope_step(p, granted)) {
            o.fix.insert(0, step);
        }
        name_scopes(o, problem.as_ref())
    }
}

/// The cause, naming the scopes or permissions the answer says are missing (a Bearer
/// challenge's `scope`, `X-Accepted-OAuth-Scopes`, Slack's `needed`, HubSpot's required
/// scopes), when it does not name them already: for a finding and for a reading of the
/// provider's words, never for a knowledge entry (whose cause is its documented words).
fn name_scopes(mut o: Outcome, problem: Option<&Problem>) -> Outcome {
    let Some(p) = problem.filter(|p| !p.scopes.is_empty()) else { return o };
    let cause = o.cause.take().unwrap_or_default();
    if p.scopes.iter().all(|s| cause.contains(s.as_str())) {
        o.cause = Some(cause);
        return o;
    }
    let named = findings::step("scope-missing-named", &[("scopes", &p.scopes.join(" "))]);
    o.cause = Some(if cause.is_empty() { named } else { format!("{cause} {named}") });
    o
}
