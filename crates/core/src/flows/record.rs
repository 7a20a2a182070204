//! What a flow records as it goes: the attempts (kept in the profile's history) and, when a
//! diagnosis asks for it, the redacted HTTP trace. Every attempt of every stage is made by
//! [`Recorder::attempt`], so they all say the same things the same way.

use std::time::Instant;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::trace::TraceEntry;
use crate::error::Error;
use crate::model::{Attempt, Stage};

/// The attempts and trace of one operation; `saved` counts the attempts already written to
/// the history, so each is written once whoever writes it.
#[derive(Debug, Default)]
pub struct Recorder {
    pub attempts: Vec<Attempt>,
    pub trace: Option<Vec<TraceEntry>>,
    /// The answers as the servers sent them, for a diagnosis's case file. Not redacted
    /// here: the case file passes every string through the redactor when it is written,
    /// once the profile's secret and tokens are known to it.
    pub answers: Option<Vec<RecordedAnswer>>,
    saved: usize,
    /// A diagnosis: it looks and records, and never deletes what it examines.
    examine: bool,
}

impl Recorder {
    /// A recorder that also keeps the HTTP trace.
    pub fn tracing() -> Self {
        Recorder { attempts: Vec::new(), trace: Some(Vec::new()), answers: None, saved: 0, examine: false }
    }

    /// A diagnosis's recorder: keeps the trace, and tells the flows to change nothing they
    /// find wrong (a refused refresh token stays stored, to be seen again).
    pub fn examining() -> Self {
        Recorder { examine: true, answers: Some(Vec::new()), ..Recorder::tracing() }
    }

    /// A recorder for a probe whose attempts are not the profile's (a made-up code, a device
    /// code no one enters): it keeps the trace, and the answers when this one keeps them,
    /// for [`Recorder::absorb`].
    pub fn probe(&self) -> Recorder {
        Recorder { answers: self.answers.as_ref().map(|_| Vec::new()), ..Recorder::tracing() }
    }

    /// Takes a probe's trace and answers (not its attempts) after this one's.
    pub fn absorb(&mut self, probe: Recorder) {
        if let (Some(t), Some(p)) = (self.trace.as_mut(), probe.trace) {
            t.extend(p);
        }
        if let (Some(a), Some(p)) = (self.answers.as_mut(), probe.answers) {
            a.extend(p);
        }
    }

    pub fn is_examining(&self) -> bool {
        self.examine
    }

    /// Forgets the newest attempt when it is not saved yet (a device sign-in's poll that is
    /// still pending is no attempt of the profile's).
    pub fn forget_last(&mut self) {
        if self.attempts.len() > self.saved {
            self.attempts.pop();
        }
    }

    /// Records one attempt of `stage` that started at `started`: `Ok(true)` it did what it
    /// should, `Ok(false)` it answered but not with success (a test call's 4xx), or the
    /// error, kept as its OAuth `error` and description (else its code and message).
    pub fn attempt(&mut self, stage: Stage, started: Instant, status: Option<u16>, outcome: Result<bool, &Error>) -> &Attempt {
        let (error, error_description) = match outcome {
            Ok(_) => (None, None),
            Err(Error::OAuth { error, description, .. }) | Err(Error::Denied { error, description }) => {
                (Some(error.clone()), description.clone())
            }
            Err(e) => (Some(e.code().as_str().to_string()), Some(e.to_string())),
        };
        // What is kept in the history holds no secret, whatever the error repeats.
        let (error, error_description) = (error.map(|e| super::redact::scrub(&e)), error_description.map(|d| super::redact::scrub(&d)));
        self.attempts.push(Attempt {
            at: Utc::now(),
            stage,
            ok: outcome.unwrap_or(false),
            status,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error,
            error_description,
        });
        let last = self.attempts.len().saturating_sub(1);
        #[expect(clippy::indexing_slicing, reason = "the attempt pushed on the line before is there")]
        let pushed = &self.attempts[last];
        pushed
    }

    pub fn trace(&mut self, entry: impl FnOnce() -> TraceEntry) {
        if let Some(t) = &mut self.trace {
            t.push(entry());
        }
    }

    /// Keeps an answer as received, when a diagnosis records them.
    pub fn answer(&mut self, entry: impl FnOnce() -> RecordedAnswer) {
        if let Some(a) = &mut self.answers {
            a.push(entry());
        }
    }

    /// The attempts not yet written to the history; marks them written.
    pub fn take_unsaved(&mut self) -> &[Attempt] {
        let from = self.saved.min(self.attempts.len());
        self.saved = self.attempts.len();
        self.attempts.get(from..).unwrap_or_default()
    }
}

/// A server's answer as received: what a case file replays.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordedAnswer {
    pub stage: Stage,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RecordedAnswer {
    /// An answer with headers as a response lists them and the body read of it.
    pub fn new<'a>(
        stage: Stage,
        method: &str,
        url: &url::Url,
        status: u16,
        headers: impl Iterator<Item = (&'a str, &'a [u8])>,
        body: &[u8],
    ) -> Self {
        RecordedAnswer {
            stage,
            method: method.to_string(),
            url: url.to_string(),
            status,
            headers: headers.map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v).into_owned())).collect(),
            body: String::from_utf8_lossy(body).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_written_once_and_errors_keep_the_providers_words() {
        let mut r = Recorder::default();
        let refused = Error::OAuth { stage: Stage::Token, status: 401, error: "invalid_client".into(), description: Some("bad".into()) };
        r.attempt(Stage::Token, Instant::now(), Some(401), Err(&refused));
        assert!(!r.attempt(Stage::Test, Instant::now(), Some(403), Ok(false)).ok);
        assert_eq!(r.take_unsaved().len(), 2);
        assert!(r.take_unsaved().is_empty());
        let a = r.attempt(Stage::Test, Instant::now(), Some(200), Ok(true));
        assert!(a.ok && a.error.is_none());
        let a = r.attempts[0].clone();
        assert_eq!((a.error.as_deref(), a.error_description.as_deref(), a.ok), (Some("invalid_client"), Some("bad"), false));
        assert_eq!(r.take_unsaved().len(), 1);
    }
}
