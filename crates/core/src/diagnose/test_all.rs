//! Test all: every profile (or the chosen ones) gets a token and its test call, many at a
//! time but at most `parallel` at once, and each failure is explained in one line by the
//! same explanation a diagnosis gives (the knowledge base first).

use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt as _};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::advice::Context;
use super::failure::{Failed, Failure};
use super::Diagnosis;
use crate::desk::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::http;
use crate::knowledge::recognise;
use crate::model::{newer_than, ConnectionState, Newer};
use crate::secret::source;

/// One profile's result.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TestOutcome {
    pub handle: String,
    pub ok: bool,
    /// The test call's HTTP status, or the failing request's.
    pub status: Option<u16>,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    /// On failure: the cause, in one line.
    pub cause: Option<String>,
    /// The knowledge-base entry that explains the failure, if one does.
    pub knowledge: Option<String>,
    /// On failure: the cause, the fix and the provider's words, as every route shows them.
    pub failure: Option<Failure>,
    /// When the result was true: it stands until a newer attempt (see [`Desk::newer_of`]).
    pub at: DateTime<Utc>,
}

/// A result shown earlier, by its profile and when it was true.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct Stamped {
    pub handle: String,
    pub at: DateTime<Utc>,
}

/// All the results.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TestAll {
    /// How many passed and failed.
    pub ok: usize,
    pub failed: usize,
    pub results: Vec<TestOutcome>,
}

/// At most this many profiles are checked at once.
pub const MAX_PARALLEL: usize = 64;

impl Desk {
    /// Tests `handles` (every profile when empty), `parallel` at a time; `on_done` hears of
    /// each result as it comes (for a progress bar). Results keep the order of `handles`.
    pub async fn test_all(&self, handles: &[String], parallel: usize, mut on_done: impl FnMut(usize, usize)) -> Result<TestAll> {
        let handles: Vec<String> = if handles.is_empty() { self.list()?.into_iter().map(|p| p.handle).collect() } else { handles.to_vec() };
        let total = handles.len();
        let parallel = parallel.clamp(1, MAX_PARALLEL);
        let mut done = 0;
        let mut results: Vec<(usize, TestOutcome)> = Vec::with_capacity(total);
        // The futures are made first (a closure over them would not be Send for every lifetime).
        let futures: Vec<_> = handles.iter().enumerate().map(|(i, h)| async move { (i, self.test_one(h).await) }).collect();
        // Profiles of one provider share their connections to it (see `http::sharing`), and
        // references to one vault its client and login (see `source::sharing`).
        http::sharing(source::sharing(async {
            let mut runs = stream::iter(futures).buffer_unordered(parallel);
            while let Some(r) = runs.next().await {
                done += 1;
                on_done(done, total);
                results.push(r);
            }
        }))
        .await;
        results.sort_by_key(|(i, _)| *i);
        let results: Vec<TestOutcome> = results.into_iter().map(|(_, r)| r).collect();
        let ok = results.iter().filter(|r| r.ok).count();
        Ok(TestAll { ok, failed: results.len() - ok, results })
    }

    async fn test_one(&self, handle: &str) -> TestOutcome {
        let started = Instant::now();
        let result = self.connect(handle, false).await;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut d = Diagnosis::new(handle);
        let at = chrono::Utc::now();
        let mut failure = None;
        // What explaining needs is read only for a failure to explain.
        let (ok, status, cause) = match result {
            Ok(r) => match r.test {
                Some(t) if t.ok => (true, Some(t.status), None),
                Some(t) => {
                    failure = Some(self.explain_failed(handle, Failed::Test(&t, r.token.scope.as_deref()), at));
                    (false, Some(t.status), d.explain_test(&t, &self.context_of(handle), r.token.scope.as_deref()).cause)
                }
                None => (true, None, None),
            },
            Err(e) => {
                let status = match &e {
                    Error::OAuth { status, .. } => Some(*status),
                    Error::BadResponse { status, .. } => *status,
                    _ => None,
                };
                failure = Some(self.failure_of(handle, &e, at));
                let mut cause = match &e {
                    Error::OAuth { .. } | Error::BadResponse { .. } => d.explain(&e, &self.context_of(handle), None).cause,
                    other => Some(other.to_string()),
                };
                // A source that cannot be read is explained by its own finding, as diagnose does.
                if e.payload().need == Some(Need::SecretSource) {
                    if let Some(f) = self.source_failure(handle, e.stage(), at).await {
                        cause = Some(f.cause.clone());
                        d.knowledge = f.knowledge.clone();
                        failure = Some(f);
                    }
                }
                (false, status, cause)
            }
        };
        TestOutcome { handle: handle.to_string(), ok, status, elapsed_ms, cause, knowledge: d.knowledge, failure, at }
    }

    /// For each result shown earlier, what has made it old since (a token obtained, or another
    /// attempt), read from every profile's state in one query; a profile removed since is
    /// `None` (its result is left as it was).
    pub fn newer_of(&self, shown: &[Stamped]) -> Result<Vec<Option<Newer>>> {
        let states: std::collections::HashMap<String, ConnectionState> =
            self.list()?.into_iter().map(|p| (p.handle, p.connection)).collect();
        Ok(shown.iter().map(|s| states.get(&s.handle).and_then(|c| newer_than(s.at, c))).collect())
    }

    /// What explaining needs of a profile, as a diagnosis finds it.
    pub(super) fn context_of(&self, handle: &str) -> Context {
        let cfg = self.flow_config(handle).ok().map(|(_, c)| c);
        let fields = self.get(handle).ok().map(|p| p.fields);
        let provider = match (&cfg, &fields) {
            (Some(c), Some(f)) => super::stages::provider_of(c, f),
            (Some(c), None) => recognise::from_url(&c.token_url),
            _ => None,
        };
        Context {
            provider,
            proxy: cfg.as_ref().and_then(|c| super::checks::proxy_for(&c.token_url)),
            grant: cfg.as_ref().map(|c| c.template.flow),
            hints: cfg.map(|c| c.rules().hints()).unwrap_or_default(),
        }
    }
}
