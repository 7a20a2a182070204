//! A failed attempt, explained the way a diagnosis explains it, whichever route met it:
//! Connect, a refresh, Test all, a renewal in the background. Each route turns its failure
//! into one [`Failure`] here, so the window, the notifications and Test all show the same
//! cause and fix that Diagnose and "Paste an error" give for the same answer, from the same
//! knowledge base; and the stored last failure of a profile is explained the same way when
//! the profile is opened ([`Desk::connection_view`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Diagnosis, Outcome};
use crate::desk::Desk;
use crate::error::{AnswerKind, Error, ErrorCode, Need, Result};
use crate::flows::test_call::TestResult;
use crate::knowledge::Problem;
use crate::model::{failure_step, newer_than, Attempt, ConnectionState, ConnectionStatus, Newer, Stage, TokenInfo};
use crate::store;

/// A failed attempt, explained as a diagnosis explains it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Failure {
    /// When it failed: what is shown is stamped with when it was true.
    pub at: DateTime<Utc>,
    pub stage: Option<Stage>,
    /// Where it failed, in plain words ("while asking for a token").
    pub step: String,
    /// The HTTP status of the answer, when one came.
    pub status: Option<u16>,
    pub cause: String,
    pub fix: Vec<String>,
    /// What the profile lacks, when that is the failure (each front end words what to do).
    pub need: Option<Need>,
    /// The provider's own words (its error code and description), apart from the cause.
    pub provider_words: Option<String>,
    /// What happened, in words, when no provider answered (a network error, a timeout).
    pub detail: Option<String>,
    /// The provider, as recognised.
    pub provider: Option<String>,
    /// The knowledge-base entry or finding that explains it ("Learn more"), and its page.
    pub knowledge: Option<String>,
    pub source: Option<String>,
}

/// A profile's connection as the window shows it on opening.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionView {
    pub connection: ConnectionState,
    /// The stored token's facts (never the token), whatever its expiry.
    pub token: Option<TokenInfo>,
    /// The last attempt's failure, explained, when the profile is failing.
    pub failure: Option<Failure>,
    /// When asked about a result from a given time: what has happened since that makes it old.
    pub newer: Option<Newer>,
}

/// What failed: an error, or a test call that answered with an error status.
pub(super) enum Failed<'a> {
    Error(&'a Error),
    Test(&'a TestResult, Option<&'a str>),
}

impl Desk {
    /// The failure `e` that `handle` met at `at`, explained.
    pub fn failure_of(&self, handle: &str, e: &Error, at: DateTime<Utc>) -> Failure {
        self.explain_failed(handle, Failed::Error(e), at)
    }

    /// A failed attempt as the history keeps it (its stage, status and the provider's error),
    /// explained as the error it recorded would be.
    pub fn failure_of_attempt(&self, handle: &str, a: &Attempt) -> Failure {
        match rebuilt(a) {
            Rebuilt::Error(e) => self.failure_of(handle, &e, a.at),
            Rebuilt::Test(t) => self.explain_failed(handle, Failed::Test(&t, None), a.at),
            Rebuilt::Other(message) => Failure { status: a.status, ..unexplained(a.stage.into(), message, None, a.at) },
        }
    }

    pub(super) fn explain_failed(&self, handle: &str, failed: Failed<'_>, at: DateTime<Utc>) -> Failure {
        let mut d = Diagnosis::new(handle);
        let (stage, status, outcome) = match failed {
            Failed::Test(t, granted) => (Some(Stage::Test), Some(t.status), d.explain_test(t, &self.context_of(handle), granted)),
            Failed::Error(e) if explained_by_answer(e) => (e.stage(), status_of(e), d.explain(e, &self.context_of(handle), None)),
            // A step the profile lacks, a store or keyring failure: its own words say what
            // it is, and its need (the front end words what to do) says the rest.
            Failed::Error(e) => return unexplained(e.stage(), e.to_string(), e.payload().need, at),
        };
        failure(d, stage, status, outcome, at)
    }

    /// A failure of `handle`'s secret source, explained by the source's own finding (its
    /// cause and fix), the source read afresh as diagnose's `secret_source` stage reads it:
    /// the error a route met says only that the reference cannot be read. `None` when the
    /// profile has no reference or its source now gives a value (the error's own words stand).
    pub(super) async fn source_failure(&self, handle: &str, stage: Option<Stage>, at: DateTime<Utc>) -> Option<Failure> {
        let Ok(Some((r, Err(e)))) = self.read_reference(handle).await else { return None };
        let outcome = super::checks::secret_source(&r, Some(&e));
        Some(Failure { need: Some(Need::SecretSource), ..failure(Diagnosis::new(handle), stage, None, outcome, at) })
    }

    /// The connection as the window shows it on opening: its state, its stored token's facts
    /// and its last failure explained; with `since`, what happened after a result from then.
    pub fn connection_view(&self, handle: &str, since: Option<DateTime<Utc>>) -> Result<ConnectionView> {
        let connection = self.get(handle)?.connection;
        let id = store::get(&self.conn(), handle)?.id;
        // The token's facts are a help, not the state: a token that cannot be read (its key is
        // gone) leaves the state to say what is wrong.
        let token = self.cached_any(id).ok().flatten().map(|(t, _)| t.info);
        let failure = match connection.state {
            ConnectionStatus::Failing => self.history(handle, 1)?.into_iter().find(|a| !a.ok).map(|a| self.failure_of_attempt(handle, &a)),
            _ => None,
        };
        let newer = since.and_then(|at| newer_than(at, &connection));
        Ok(ConnectionView { connection, token, failure, newer })
    }
}

/// A failure no answer explains: its own words, and what the profile lacks when it does.
fn unexplained(stage: Option<Stage>, cause: String, need: Option<Need>, at: DateTime<Utc>) -> Failure {
    Failure {
        at,
        stage,
        step: failure_step(stage).into(),
        status: None,
        cause,
        fix: Vec::new(),
        need,
        provider_words: None,
        detail: None,
        provider: None,
        knowledge: None,
        source: None,
    }
}

/// An error a provider's answer (or its absence) explains, as a diagnosis explains it.
fn explained_by_answer(e: &Error) -> bool {
    matches!(e, Error::OAuth { .. } | Error::Denied { .. } | Error::BadResponse { .. } | Error::Timeout { .. } | Error::Network { .. })
}

fn status_of(e: &Error) -> Option<u16> {
    match e {
        Error::OAuth { status, .. } => Some(*status),
        Error::BadResponse { status, .. } => *status,
        _ => None,
    }
}

fn failure(d: Diagnosis, stage: Option<Stage>, status: Option<u16>, o: Outcome, at: DateTime<Utc>) -> Failure {
    let provider_words = match (&d.error, &d.error_description) {
        (Some(e), Some(desc)) => Some(format!("{e}: {desc}")),
        (Some(e), None) => Some(e.clone()),
        (None, Some(desc)) => Some(desc.clone()),
        (None, None) => None,
    };
    let cause = o.cause.unwrap_or_else(|| o.finding.clone());
    let detail = (provider_words.is_none() && o.finding != cause).then_some(o.finding);
    Failure {
        at,
        stage,
        step: failure_step(stage).into(),
        status,
        cause,
        fix: o.fix,
        need: None,
        provider_words,
        detail,
        provider: d.provider,
        knowledge: d.knowledge.or(o.entry.map(str::to_string)),
        source: d.source.or(o.source.map(str::to_string)),
    }
}

/// What a stored attempt recorded, as the failure it was.
enum Rebuilt {
    Error(Error),
    Test(TestResult),
    Other(String),
}

/// The failure a stored attempt records: the history keeps a provider's error as its OAuth
/// `error` and description, and any other error as its code and message.
fn rebuilt(a: &Attempt) -> Rebuilt {
    let code = a.error.as_deref().and_then(|c| serde_json::from_value::<ErrorCode>(serde_json::Value::from(c)).ok());
    let message = a.error_description.clone().unwrap_or_default();
    match (code, &a.error) {
        // A provider's own error (access_denied is both a code of ours and OAuth's).
        (None | Some(ErrorCode::AccessDenied), Some(error)) => {
            if a.stage == Stage::Test {
                return Rebuilt::Test(test_answer(a, Some(Problem::oauth(error, a.error_description.as_deref()))));
            }
            Rebuilt::Error(Error::OAuth {
                stage: a.stage,
                status: a.status.unwrap_or(400),
                error: error.clone(),
                description: a.error_description.clone(),
            })
        }
        // A test call that answered with an error status.
        (_, None) => Rebuilt::Test(test_answer(a, None)),
        (Some(ErrorCode::BadResponse), _) => {
            Rebuilt::Error(Error::BadResponse { stage: a.stage, status: a.status, kind: AnswerKind::Unusable, message })
        }
        // No answer to read (the network, a timeout): its own words, for Diagnose to examine.
        (Some(_), _) => Rebuilt::Other(message),
    }
}

/// A test call's answer as far as the history keeps it.
fn test_answer(a: &Attempt, problem: Option<Problem>) -> TestResult {
    TestResult {
        ok: a.ok,
        url: String::new(),
        method: "GET".into(),
        status: a.status.unwrap_or(0),
        elapsed_ms: a.elapsed_ms,
        headers: Vec::new(),
        body: String::new(),
        truncated: false,
        problem,
    }
}
