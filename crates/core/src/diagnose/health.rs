//! The health of every profile, as a run without anyone at it checks it (a nightly CI job):
//! each profile tested by Test all (its failure explained by the knowledge base), and beside
//! each result what will break next, as the radar names it (a certificate within its warning
//! days, a client secret near its end, a dated provider change). A failure makes the run
//! fail; a warning is told and does not.

use chrono::Utc;
use serde::Serialize;

use super::radar::RadarWarning;
use super::test_all::TestOutcome;
use crate::desk::Desk;
use crate::error::Result;

/// One profile's result and its warnings.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    #[serde(flatten)]
    pub outcome: TestOutcome,
    /// What will break next for this profile, soonest first.
    pub warnings: Vec<RadarWarning>,
}

/// Every profile's result, in the order of the store's list.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Whether no profile failed (warnings do not count).
    pub ok: bool,
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    /// How many profiles have at least one warning.
    pub warned: usize,
    pub results: Vec<Checked>,
}

impl Desk {
    /// Tests every profile, `parallel` at a time, and reads the radar once after the tests
    /// (so that what the tests learnt, a token's lifetime, counts).
    pub async fn health(&self, parallel: usize) -> Result<Health> {
        let all = self.test_all(&[], parallel, |_, _| {}).await?;
        let radar = self.radar(Utc::now())?;
        let results: Vec<Checked> = all
            .results
            .into_iter()
            .map(|outcome| {
                let warnings = radar.warnings.iter().filter(|w| w.handle == outcome.handle).cloned().collect();
                Checked { outcome, warnings }
            })
            .collect();
        let warned = results.iter().filter(|r| !r.warnings.is_empty()).count();
        Ok(Health { ok: all.failed == 0, tests: results.len(), passed: all.ok, failed: all.failed, warned, results })
    }
}
