//! What a diagnosis finds wrong before or around a provider's answer — a profile value, the
//! network, a proxy, TLS, the clock — as data beside the provider entries
//! (`knowledge/findings.json`): each finding's words, cause, fix and the documentation it
//! comes from (*Learn more*). The diagnosis only decides which finding applies and supplies
//! its facts (a host, a port, an error's words), which fill the `{name}` places in the texts.
//!
//! Some findings are recognised from an error's words, as a provider's entry is from its
//! answer: in a `group` (`tls`, `proxy`), the first entry whose `detail` words the error
//! holds applies, and an entry without `detail` takes what no other does.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::Texts;
use crate::model::Check;

/// The facts of a situation an entry is written for; the tests fill the entry with them.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(any(test, feature = "test-support")), allow(dead_code, reason = "read by the tests"))]
pub struct FindingExample {
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
}

/// One finding: its words, cause and fix, with `{name}` places for the facts.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(any(test, feature = "test-support")), allow(dead_code, reason = "read by the tests"))]
pub struct Finding {
    pub id: String,
    /// The checks it is found at.
    pub stages: Vec<Check>,
    /// The family it is recognised in from an error's words (`tls`, `proxy`).
    #[serde(default)]
    pub group: Option<String>,
    /// Words in the error, any case, that make this the group's finding.
    #[serde(default)]
    pub detail: Option<Texts>,
    pub finding: String,
    pub cause: String,
    pub fix: Vec<String>,
    /// The documentation it is written from ("Learn more").
    pub source: String,
    pub example: FindingExample,
}

/// A step added to another finding's fix when a fact holds (requests go through a proxy).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(any(test, feature = "test-support")), allow(dead_code, reason = "read by the tests"))]
pub struct Step {
    pub id: String,
    pub text: String,
    pub example: FindingExample,
}

#[derive(Deserialize)]
struct File {
    findings: Vec<Finding>,
    steps: Vec<Step>,
}

/// The findings' file, built into the program.
const FILE: (&str, &str) = ("findings.json", include_str!("../../knowledge/findings.json"));

fn file() -> &'static Result<File, String> {
    static FINDINGS: OnceLock<Result<File, String>> = OnceLock::new();
    FINDINGS.get_or_init(|| serde_json::from_str::<File>(FILE.1).map_err(|e| format!("{}: {e}", FILE.0)))
}

/// Every finding (none when the file does not parse: a test asserts it does).
pub fn all() -> &'static [Finding] {
    file().as_ref().map(|f| f.findings.as_slice()).unwrap_or_default()
}

/// Every step.
pub fn steps() -> &'static [Step] {
    file().as_ref().map(|f| f.steps.as_slice()).unwrap_or_default()
}

/// Why the file does not parse, if it does not.
#[cfg(any(test, feature = "test-support"))]
pub fn broken() -> Option<&'static str> {
    file().as_ref().err().map(String::as_str)
}

/// A finding by id.
pub fn finding(id: &str) -> Option<&'static Finding> {
    all().iter().find(|f| f.id == id)
}

/// The finding of `group` that the error's words `detail` name, if any does.
pub fn recognise(group: &str, detail: &str) -> Option<&'static Finding> {
    let d = detail.to_lowercase();
    all().iter().filter(|f| f.group.as_deref() == Some(group)).find(|f| match &f.detail {
        Some(texts) => texts.all().iter().any(|t| !t.is_empty() && d.contains(&t.to_lowercase())),
        None => true,
    })
}

/// The facts of one situation, by name.
pub type Facts<'a> = &'a [(&'a str, &'a str)];

/// `text` with each `{name}` replaced by its fact, in one pass (a fact's own braces stay as
/// they are); a place without a fact is left as written, which a test catches.
pub fn fill(text: &str, facts: Facts<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let (before, from) = rest.split_at_checked(open).unwrap_or((rest, ""));
        out.push_str(before);
        let after = from.get(1..).unwrap_or_default();
        let value = after.find('}').and_then(|close| {
            let name = after.get(..close)?;
            facts.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v, after.get(close + 1..).unwrap_or_default()))
        });
        match value {
            Some((v, next)) => {
                out.push_str(v);
                rest = next;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A finding with its facts filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: &'static str,
    pub finding: String,
    pub cause: String,
    pub fix: Vec<String>,
    pub source: &'static str,
}

impl Finding {
    /// This finding for one situation.
    pub fn with(&'static self, facts: Facts<'_>) -> Found {
        Found {
            id: &self.id,
            finding: fill(&self.finding, facts),
            cause: fill(&self.cause, facts),
            fix: self.fix.iter().map(|f| fill(f, facts)).collect(),
            source: &self.source,
        }
    }
}

/// The finding `id` for one situation. An id the file lacks (a test asserts every id the
/// diagnosis names is there) still gives its facts and says so.
pub fn found(id: &'static str, facts: Facts<'_>) -> Found {
    match finding(id) {
        Some(f) => f.with(facts),
        None => Found {
            id,
            finding: facts.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; "),
            cause: format!("({id})"),
            fix: Vec::new(),
            source: "",
        },
    }
}

/// The step `id` for one situation (empty for an id the file lacks: a test asserts none is).
pub fn step(id: &str, facts: Facts<'_>) -> String {
    steps().iter().find(|s| s.id == id).map(|s| fill(&s.text, facts)).unwrap_or_default()
}

#[cfg(test)]
#[path = "findings_tests.rs"]
mod tests;
