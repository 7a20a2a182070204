//! Diagnosis of "OAUTH ERROR": walks a profile through every stage of a connection, stops
//! at the first that fails, and says what is wrong and what to change, with a redacted HTTP
//! trace that can be sent to support as it is.

mod advice;
pub mod case;
mod checks;
mod evidence;
#[cfg(test)]
mod evidence_tests;
pub mod failure;
#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod findings_tests;
pub mod health;
pub mod paste;
pub mod radar;
pub mod ranking;
#[cfg(test)]
mod ranking_tests;
#[cfg(test)]
mod reading_tests;
#[cfg(any(test, feature = "test-support"))]
pub mod replay;
mod report;
#[cfg(test)]
mod sources_tests;
mod stages;
pub mod test_all;
#[cfg(test)]
mod test_all_tests;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::Result;
use crate::flows::record::Recorder;
use crate::flows::test_call::TestResult;
use crate::flows::trace::TraceEntry;
use crate::knowledge::findings;
use crate::model::{Check, Labelled, TokenInfo};
use crate::secret::source::{Reason, Reference, SourceError};
use crate::template;

/// One stage's result.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StageResult {
    pub name: Check,
    pub title: String,
    pub ok: bool,
    /// The stage did not run (an earlier one failed, or it does not apply).
    pub skipped: bool,
    pub finding: String,
    pub notes: Vec<String>,
}

impl StageResult {
    /// The stage's mark as text shows it: ✓ passed, ✗ failed, – not run.
    pub fn mark(&self) -> &'static str {
        if self.skipped {
            "–"
        } else if self.ok {
            "✓"
        } else {
            "✗"
        }
    }
}

/// A stage's verdict before it is named.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    pub finding: String,
    pub cause: Option<String>,
    pub fix: Vec<String>,
    pub notes: Vec<String>,
    /// The finding entry ([`findings`]) it states, if one does.
    pub entry: Option<&'static str>,
    /// The documentation that entry comes from ("Learn more").
    pub source: Option<&'static str>,
}

impl Outcome {
    pub fn ok(finding: &str) -> Self {
        Outcome { ok: true, finding: finding.to_string(), cause: None, fix: vec![], notes: vec![], entry: None, source: None }
    }
    /// A failure in the words of a knowledge-base entry (its cause and fix).
    pub fn fail(finding: String, cause: &str, fix: Vec<String>) -> Self {
        Outcome { ok: false, finding, cause: Some(cause.to_string()), fix, notes: vec![], entry: None, source: None }
    }
    /// A failure in the words of the finding entry `id`, filled with the situation's facts.
    pub fn found(id: &'static str, facts: findings::Facts<'_>) -> Self {
        Self::from(findings::found(id, facts))
    }
    pub fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes.extend(notes);
        self
    }
}

impl From<findings::Found> for Outcome {
    fn from(f: findings::Found) -> Self {
        Outcome {
            ok: false,
            finding: f.finding,
            cause: Some(f.cause),
            fix: f.fix,
            notes: vec![],
            entry: Some(f.id),
            source: Some(f.source).filter(|s| !s.is_empty()),
        }
    }
}

/// The whole diagnosis.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Diagnosis {
    pub ok: bool,
    pub handle: String,
    pub at: DateTime<Utc>,
    /// When it ended: it stands for the connection until something newer happens (see
    /// [`Desk::connection_view`]'s `since`).
    pub done_at: DateTime<Utc>,
    pub stages: Vec<StageResult>,
    /// The first failing stage, its OAuth error, the cause and the steps to fix it.
    pub stage: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub cause: Option<String>,
    pub fix: Vec<String>,
    /// The knowledge-base entry that explained the error, if one did.
    pub knowledge: Option<String>,
    /// The finding (`knowledge/findings.json`) the failing stage states, if one does.
    pub finding: Option<String>,
    /// The provider the profile talks to, as recognised (or set on the profile).
    pub provider: Option<String>,
    /// "Learn more": the documentation the explaining entry comes from.
    pub source: Option<String>,
    pub token: Option<TokenInfo>,
    pub test: Option<TestResult>,
    pub trace: Vec<TraceEntry>,
    /// The verdict in words, as the window and the command line say it: a healthy profile
    /// with stages that could not run names them instead of saying every stage passed.
    pub summary: String,
    /// The answers as the servers sent them, unredacted, for a case file only (which
    /// redacts them as it is written); never shown or serialised.
    #[serde(skip)]
    #[ts(skip)]
    pub answers: Vec<crate::flows::record::RecordedAnswer>,
    /// When a token or refresh request that worked before failed with an answer that could
    /// mean several things: the candidate causes weighed against this desktop's history,
    /// most likely first.
    pub ranking: Vec<ranking::Ranked>,
}

impl Diagnosis {
    /// The knowledge base's id of the provider recognised (the ranking's rules are kept by id).
    pub(crate) fn ranking_provider(&self) -> Option<String> {
        let name = self.provider.as_deref()?;
        crate::knowledge::providers().iter().find(|p| p.name == name).map(|p| p.id.clone())
    }

    fn new(handle: &str) -> Self {
        let now = Utc::now();
        Diagnosis {
            ok: true,
            handle: handle.to_string(),
            at: now,
            done_at: now,
            stages: Vec::new(),
            stage: None,
            error: None,
            error_description: None,
            cause: None,
            fix: Vec::new(),
            knowledge: None,
            finding: None,
            provider: None,
            source: None,
            token: None,
            test: None,
            trace: Vec::new(),
            summary: String::new(),
            answers: Vec::new(),
            ranking: Vec::new(),
        }
    }

    /// The verdict in words.
    fn summarise(&self) -> String {
        if !self.ok {
            let at = self.stages.iter().find(|s| !s.ok).map(|s| s.title.as_str()).unwrap_or("a stage");
            return format!("Failed at {at}.");
        }
        let skipped: Vec<String> = self
            .stages
            .iter()
            .filter(|s| s.skipped && s.name != Check::Authorization)
            .map(|s| format!("{} ({})", s.title, s.finding))
            .collect();
        if skipped.is_empty() {
            "Healthy: every stage passed.".into()
        } else {
            let passed = self.stages.iter().filter(|s| !s.skipped).count();
            format!("No problem found in the {passed} stages that ran; not checked: {}.", skipped.join("; "))
        }
    }

    /// Records a stage; returns whether the diagnosis goes on.
    fn stage(&mut self, name: Check, o: Outcome) -> bool {
        if !o.ok && self.ok {
            self.ok = false;
            self.stage = Some(name.as_str().to_string());
            self.cause = o.cause.clone();
            self.fix = o.fix.clone();
            if self.source.is_none() {
                self.source = o.source.map(str::to_string);
                self.finding = o.entry.map(str::to_string);
            }
        }
        self.stages.push(StageResult { name, title: name.label().into(), ok: o.ok, skipped: false, finding: o.finding, notes: o.notes });
        o.ok
    }

    fn skip(&mut self, name: Check, why: &str) {
        self.stages.push(StageResult { name, title: name.label().into(), ok: true, skipped: true, finding: why.into(), notes: vec![] });
    }

    fn skip_rest(&mut self) {
        let done: Vec<Check> = self.stages.iter().map(|s| s.name).collect();
        // The secret source's check is only ever made for a profile with a reference, first.
        for check in Check::ALL.into_iter().filter(|c| !done.contains(c) && *c != Check::SecretSource) {
            self.skip(check, "not checked: an earlier stage failed");
        }
    }
}

impl Desk {
    /// Diagnoses a profile; a failing connection is a result, not an error.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn diagnose(&self, handle: &str) -> Result<Diagnosis> {
        let profile = self.get(handle)?;
        let template = template::find(&profile.template)?;
        // A secret by reference is read afresh from its source: the source is examined too.
        let source = self.read_reference(handle).await?;
        let secret = match &source {
            Some((_, Ok(value))) => Some(value.clone()),
            Some((_, Err(_))) => None,
            None => self.client_secret(handle)?,
        };
        // A key by reference too; one that differs from the kept key is kept, as a token
        // request would, so the stages examine the key the source holds now.
        let key_source = self.read_key_reference(handle).await?;
        let key_failure = match &key_source {
            Some((r, Ok(m), expected)) => {
                self.keep_key_if_new(handle, m, expected).err().map(|e| SourceError::new(r, Reason::Failed, e.to_string()))
            }
            Some((_, Err(e), _)) => Some(e.clone()),
            None => None,
        };
        let mut d = Diagnosis::new(handle);
        let mut rec = Recorder::examining();
        let mut examined: Vec<(&Reference, Option<&SourceError>)> = Vec::new();
        examined.extend(source.as_ref().map(|(r, read)| (r, read.as_ref().err())));
        examined.extend(key_source.as_ref().map(|(r, _, _)| (r, key_failure.as_ref())));
        self.run_stages(&mut d, template, &profile.fields, secret.as_ref(), &examined, &mut rec).await;
        d.trace = rec.trace.unwrap_or_default();
        d.answers = rec.answers.unwrap_or_default();
        if !d.ok {
            d.skip_rest();
        }
        d.summary = d.summarise();
        d.done_at = Utc::now();
        d.ranking = self.rank_causes(&d, d.ranking_provider().as_deref())?;
        Ok(d)
    }

    /// The Markdown support report for a diagnosis: the profile without secrets, each stage,
    /// the cause and fix, and the redacted trace. The profile's secret and tokens (current
    /// and earlier ones) are read first, so the redactor knows them, and the whole report
    /// passes it once more.
    pub fn report(&self, d: &Diagnosis) -> Result<String> {
        let profile = self.get(&d.handle)?;
        let text = report::markdown(&profile, d);
        let (id, _) = self.flow_config(&d.handle)?;
        // Read for the redactor: each secret type makes its value known as it is made.
        let _secret = self.client_secret(&d.handle)?;
        let _tokens = self.cached_any(id)?;
        Ok(crate::secret::redact::text(&text))
    }
}
