//! The evidence a ranking of causes weighs, read from the store's history of the profile (and
//! of the other profiles signed in as the same user to the same client), and the rule of when
//! a diagnosis ranks at all: a token or refresh request that worked before fails with an
//! answer that could mean several things.

use chrono::{DateTime, Utc};

use super::ranking::{self, Evidence, Ranked};
use super::Diagnosis;
use crate::desk::Desk;
use crate::error::Result;
use crate::model::{Check, Stage};
use crate::providers::lifetimes;
use crate::store::{grant_facts, history};

/// Answers that name no single cause: the provider says the grant is no good, not why.
const AMBIGUOUS: &[&str] = &["invalid_grant", "invalid_token", "expired_token"];

/// Whether a failed diagnosis is one the ranking is for: the token endpoint refused the
/// request with an ambiguous answer.
pub fn ranks(d: &Diagnosis) -> bool {
    !d.ok
        && matches!(d.stage.as_deref(), Some(s) if s == Check::TokenEndpoint.as_str() || s == Check::TokenResponse.as_str())
        && d.error.as_deref().is_some_and(|e| AMBIGUOUS.contains(&e))
}

/// The server's time from the `Date` header of the last answer the trace holds.
fn server_time(d: &Diagnosis) -> Option<DateTime<Utc>> {
    let t = d.trace.iter().rev().find(|t| matches!(t.stage, Stage::Token | Stage::Refresh))?;
    let (_, v) = t.response_headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("date"))?;
    DateTime::parse_from_rfc2822(v.trim()).ok().map(|t| t.with_timezone(&Utc))
}

impl Desk {
    /// The evidence for ranking the causes of `d`'s failure, from the history of `handle`.
    pub(crate) fn ranking_evidence(&self, handle: &str, d: &Diagnosis, provider: Option<&str>) -> Result<Evidence> {
        let (id, cfg) = self.flow_config(handle)?;
        let conn = self.conn();
        let facts = grant_facts::of_profile(&conn, id)?;
        // The diagnosis's own request, when it left its facts.
        let failed = facts.first().filter(|f| !f.ok && f.at >= d.at);
        let earlier: Vec<_> = facts.iter().skip(usize::from(failed.is_some())).collect();
        let presented = failed.and_then(|f| f.presented_fp.as_deref());
        let used_before = presented.and_then(|fp| {
            if earlier.iter().any(|f| f.ok && f.presented_fp.as_deref() == Some(fp)) {
                Some(true)
            } else if earlier.iter().any(|f| f.ok && f.received_fp.as_deref() == Some(fp)) {
                Some(false)
            } else {
                None
            }
        });
        // A refresh from here with the same token that failed: its answer may have been lost
        // after the provider rotated the token.
        let failed_before =
            presented.and_then(|fp| earlier.iter().find(|f| !f.ok && f.refresh && f.presented_fp.as_deref() == Some(fp)).map(|f| f.at));
        let obtained = presented.and_then(|fp| earlier.iter().find(|f| f.ok && f.received_fp.as_deref() == Some(fp)).map(|f| f.at));
        let sign_in = earlier.iter().find(|f| f.ok && f.sign_in);
        let last_ok = earlier.iter().find(|f| f.ok);
        let last_ok_attempt = history::recent(&conn, id, 200)?
            .into_iter()
            .find(|a| a.ok && matches!(a.stage, Stage::Token | Stage::Refresh) && a.at < d.at)
            .map(|a| a.at);
        let user = sign_in.and_then(|f| f.subject.clone()).or_else(|| earlier.iter().find_map(|f| f.subject.clone()));
        let later_sign_ins = match (&user, sign_in) {
            (Some(u), Some(s)) => Some(grant_facts::sign_ins_after(&conn, &cfg.client_id, u, s.at)?),
            _ => None,
        };
        let token_obtained_at = obtained.or_else(|| history::token(&conn, id).ok().flatten().map(|t| t.obtained_at));
        Ok(Evidence {
            provider: provider.map(str::to_string),
            refresh: failed.map_or_else(|| d.trace.iter().any(|t| t.stage == Stage::Refresh), |f| f.refresh),
            error: d.error.clone(),
            error_description: d.error_description.clone(),
            token_obtained_at,
            signed_in_at: sign_in.map(|f| f.at),
            last_success_at: last_ok.map(|f| f.at).or(last_ok_attempt),
            refresh_token_used_before: used_before,
            refresh_token_failed_at: failed_before,
            user,
            later_sign_ins,
            path_at_last_success: last_ok.map(|f| f.path.clone()),
            path_now: Some(failed.map_or_else(|| crate::desk::grant::path_of(&cfg.token_url), |f| f.path.clone())),
            clock_offset_secs: server_time(d).map(|s| d.at.signed_duration_since(s).num_seconds()),
        })
    }

    /// The evidence a ranking of `d`'s failure weighs, when it is one a ranking is for.
    pub(crate) fn evidence_for(&self, d: &Diagnosis, provider: Option<&str>) -> Result<Option<Evidence>> {
        if !ranks(d) {
            return Ok(None);
        }
        self.ranking_evidence(&d.handle, d, provider).map(Some)
    }

    /// The ranked causes of `d`'s failure, when it is one a ranking is for and the profile
    /// worked before; empty otherwise.
    pub(crate) fn rank_causes(&self, d: &Diagnosis, provider: Option<&str>) -> Result<Vec<Ranked>> {
        Ok(self.evidence_for(d, provider)?.map_or_else(Vec::new, |e| rank_with(d, &e, d.done_at)))
    }
}

/// The ranked causes of `d`'s failure from evidence `e`, as of `now`: the one rule for a
/// diagnosis made here and a case replayed elsewhere. Empty when the answer is not one a
/// ranking is for, or when the profile never worked (nothing stopped working).
pub(crate) fn rank_with(d: &Diagnosis, e: &Evidence, now: DateTime<Utc>) -> Vec<Ranked> {
    if !ranks(d) || e.last_success_at.is_none() {
        return Vec::new();
    }
    ranking::rank(d.knowledge.as_deref(), e, lifetimes::find(e.provider.as_deref()), now)
}
