//! What will break next: the profiles a dated provider change or a known limit will break,
//! with the date, why and the fix. The changes themselves are data, each written from the
//! provider's announcement with its source (`knowledge/radar/changes.json`); this module
//! holds only how a profile and its history are matched against them. The thresholds for
//! certificates are [`crate::model::warnings`]'s, as everywhere else.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::desk::Desk;
use crate::error::Result;
use crate::knowledge::recognise;
use crate::model::{warnings, Attempt, Profile, Stage};
use crate::providers::ProviderId;
use crate::template::{self, Flow};

/// The dated changes and known limits, as their providers announced them.
const CHANGES: &str = include_str!("../../knowledge/radar/changes.json");

/// How many recent attempts of each profile the radar reads (a refresh token's lifetime
/// is read from them).
pub const HISTORY_READ: usize = 200;

/// One profile that a dated change or a known limit will break (or has broken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RadarWarning {
    pub handle: String,
    /// When it breaks (or broke), when the provider gave a date.
    #[ts(type = "string | null")]
    pub date: Option<DateTime<Utc>>,
    /// The change's kind, e.g. `flow_retired`.
    pub kind: String,
    pub why: String,
    pub fix: String,
    /// The provider's page the change is written from.
    pub source: String,
}

/// Every warning, soonest first (undated ones last).
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Radar {
    pub warnings: Vec<RadarWarning>,
}

/// One change of `changes.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Its name in the file, unique (the tests check it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub id: String,
    pub provider: Option<String>,
    pub kind: String,
    pub date: Option<DateTime<Utc>>,
    pub why: String,
    pub fix: String,
    pub source: String,
    /// `api_version_retired`: the tiers, lowest first.
    #[serde(default)]
    pub versions: Vec<VersionTier>,
    /// `pkce_required`: from how many orgs seen here an app counts as used in several.
    #[serde(default)]
    pub min_orgs: Option<usize>,
    /// `refresh_token_lifetime`: the documented lifetime and the slack around it.
    #[serde(default)]
    pub lifetime_days: Option<i64>,
    #[serde(default)]
    pub slack_hours: Option<i64>,
    /// A retired API (`azure_ad_graph_retired`, `outlook_rest_retired`): its hosts, the path prefixes on them (none: every path),
    /// and the profile fields that name the API (URLs, or space-separated URLs such as scopes).
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// API versions below `below` are retired from `date` (the release `release`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionTier {
    pub below: u32,
    pub date: Option<DateTime<Utc>>,
    pub release: String,
}

#[derive(Deserialize)]
struct ChangesFile {
    changes: Vec<Change>,
}

/// The changes, parsed once. The file is compiled in and checked by the tests, so a broken
/// file gives an empty radar rather than a crash.
pub fn changes() -> &'static [Change] {
    static PARSED: OnceLock<Vec<Change>> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str::<ChangesFile>(CHANGES).map(|f| f.changes).unwrap_or_default())
}

/// The page the changes of `kind` are written from (for a front end's "Source" link, which
/// names the kind rather than carrying a URL).
pub fn source(kind: &str) -> Option<&'static str> {
    changes().iter().find(|c| c.kind == kind).map(|c| c.source.as_str())
}

/// The warnings for `profiles`, each with its recent history, as of `now`.
pub fn warnings(profiles: &[(Profile, Vec<Attempt>)], now: DateTime<Utc>) -> Vec<RadarWarning> {
    let mut out = Vec::new();
    for change in changes() {
        for (p, history) in profiles {
            if let Some(w) = check(change, p, history, profiles, now) {
                out.push(w);
            }
        }
    }
    out.sort_by(|a, b| (a.date.is_none(), a.date, &a.handle, &a.kind).cmp(&(b.date.is_none(), b.date, &b.handle, &b.kind)));
    out
}

fn check(c: &Change, p: &Profile, history: &[Attempt], all: &[(Profile, Vec<Attempt>)], now: DateTime<Utc>) -> Option<RadarWarning> {
    if let Some(provider) = &c.provider {
        if provider_of(p).as_deref() != Some(provider.as_str()) {
            return None;
        }
    }
    let warn = |date: Option<DateTime<Utc>>, why: String| RadarWarning {
        handle: p.handle.clone(),
        date,
        kind: c.kind.clone(),
        why,
        fix: c.fix.clone(),
        source: c.source.clone(),
    };
    match c.kind.as_str() {
        "flow_retired" => (flow_of(p) == Some(Flow::Password)).then(|| warn(c.date, c.why.clone())),
        "api_version_retired" => {
            let version = api_version(field(p, "test_url")?)?;
            let tier = c.versions.iter().find(|t| version < t.below)?;
            Some(warn(tier.date, format!("{} Version {version}.0 is retired from the {} release.", c.why, tier.release)))
        }
        "pkce_required" => {
            let min = c.min_orgs?;
            let orgs = orgs_of(field(p, "client_id")?, all);
            (flow_of(p) == Some(Flow::AuthorizationCode) && field(p, "pkce") == Some("false") && orgs >= min)
                .then(|| warn(c.date, format!("{} ({orgs} production orgs seen here.)", c.why)))
        }
        "refresh_token_lifetime" => {
            let lifetime = Duration::days(c.lifetime_days?);
            let slack = Duration::hours(c.slack_hours?);
            let issued = short_lived_refresh(history, lifetime, slack)?;
            Some(warn(issued.checked_add_signed(lifetime), c.why.clone()))
        }
        "secret_expiring" => {
            let expires = secret_expires_at(p)?;
            warnings::secret_expiring(warnings::days_left(expires, now)).then(|| warn(Some(expires), c.why.clone()))
        }
        "certificate_expiring" => {
            let not_after = p.connection.certificate_expires_at?;
            warnings::certificate_expiring(warnings::days_left(not_after, now)).then(|| warn(Some(not_after), c.why.clone()))
        }
        // A retired API, each with a kind of its own (a front end opens a change's source
        // by its kind): the profiles whose fields name it.
        _ if !c.hosts.is_empty() => retired_api(c, p).map(|url| warn(c.date, format!("{} ({url})", c.why))),
        _ => None,
    }
}

/// The start (00:00 UTC) of the day the profile records as its client secret's last: from
/// then on the provider may refuse it.
fn secret_expires_at(p: &Profile) -> Option<DateTime<Utc>> {
    let day = crate::validate::date(field(p, "secret_expires")?).ok()?;
    Some(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// The first URL among the change's fields of the profile that is on a retired API: one of
/// its hosts, under one of its path prefixes (any path when it names none).
fn retired_api(c: &Change, p: &Profile) -> Option<String> {
    let on_api = |u: &Url| {
        let host = u.host_str().map(str::to_ascii_lowercase);
        host.is_some_and(|h| c.hosts.iter().any(|api| api.eq_ignore_ascii_case(&h)))
            && (c.paths.is_empty() || c.paths.iter().any(|prefix| u.path().to_ascii_lowercase().starts_with(&prefix.to_ascii_lowercase())))
    };
    c.fields
        .iter()
        .filter_map(|f| field(p, f))
        .flat_map(str::split_whitespace)
        .filter_map(|v| Url::parse(v).ok())
        .find(|u| matches!(u.scheme(), "http" | "https") && on_api(u))
        .map(|u| u.to_string())
}

/// A field's value, `None` when blank.
fn field<'a>(p: &'a Profile, name: &str) -> Option<&'a str> {
    p.fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn flow_of(p: &Profile) -> Option<Flow> {
    template::find(&p.template).ok().map(|t| t.flow)
}

/// The provider whose changes apply to a profile: its template's, or the one its endpoints'
/// hosts name in the knowledge base.
fn provider_of(p: &Profile) -> Option<String> {
    if let Some(id) = template::find(&p.template).ok().and_then(|t| t.provider) {
        return Some(id.id().to_string());
    }
    ["token_url", "authorize_url", "device_authorization_url"]
        .iter()
        .filter_map(|f| field(p, f).and_then(|u| Url::parse(u).ok()))
        .find_map(|u| recognise::from_host(&u).map(|pr| pr.id.clone()))
}

/// `NN` of a test URL's `/services/data/vNN.M/`.
fn api_version(test_url: &str) -> Option<u32> {
    let url = Url::parse(test_url).ok()?;
    let mut segments = url.path_segments()?;
    while let Some(s) = segments.next() {
        if s == "services" && segments.next() == Some("data") {
            let v = segments.next()?.strip_prefix('v')?;
            return v.split('.').next()?.parse().ok();
        }
    }
    None
}

/// The number of production orgs (My Domain hosts, sandboxes left out) that the
/// Salesforce profiles with this Consumer Key sign in to.
fn orgs_of(client_id: &str, all: &[(Profile, Vec<Attempt>)]) -> usize {
    let orgs: BTreeSet<String> = all
        .iter()
        .map(|(p, _)| p)
        .filter(|p| field(p, "client_id") == Some(client_id) && provider_of(p).as_deref() == Some(ProviderId::Salesforce.id()))
        .filter(|p| field(p, "environment") != Some("sandbox"))
        .filter_map(|p| Url::parse(field(p, "my_domain")?).ok()?.host_str().map(str::to_ascii_lowercase))
        .filter(|h| !h.contains(".sandbox.") && !h.contains(".develop."))
        .collect();
    orgs.len()
}

/// When the refresh token held now was issued, if history shows an earlier one refused
/// (`invalid_grant`) within `slack` of `lifetime` after it was issued.
fn short_lived_refresh(history: &[Attempt], lifetime: Duration, slack: Duration) -> Option<DateTime<Utc>> {
    let mut attempts: Vec<&Attempt> = history.iter().collect();
    attempts.sort_by_key(|a| a.at);
    let mut issued: Option<DateTime<Utc>> = None;
    let mut seen = false;
    for a in attempts {
        match (a.stage, a.ok) {
            (Stage::Token, true) => issued = Some(a.at),
            (Stage::Refresh, false) if a.error.as_deref() == Some("invalid_grant") => {
                if let Some(t) = issued.take() {
                    let lived = a.at.signed_duration_since(t);
                    seen |= (lived - lifetime).abs() <= slack;
                }
            }
            _ => {}
        }
    }
    // The token held now is the last one issued; without a new one, the refused one's.
    let last = history.iter().filter(|a| a.stage == Stage::Token && a.ok).map(|a| a.at).max();
    seen.then_some(last).flatten()
}

impl Desk {
    /// The radar over every profile, as of `now`.
    pub fn radar(&self, now: DateTime<Utc>) -> Result<Radar> {
        let mut profiles = Vec::new();
        for p in self.list()? {
            let history = self.history(&p.handle, HISTORY_READ)?;
            profiles.push((p, history));
        }
        Ok(Radar { warnings: warnings(&profiles, now) })
    }
}

/// The kinds a change may have, for the tests that check the file.
#[cfg(test)]
pub const KINDS: [&str; 8] = [
    "flow_retired",
    "api_version_retired",
    "pkce_required",
    "refresh_token_lifetime",
    "certificate_expiring",
    "secret_expiring",
    "azure_ad_graph_retired",
    "outlook_rest_retired",
];

/// Ids of the changes, for the tests.
#[cfg(test)]
pub fn ids() -> std::collections::BTreeMap<&'static str, &'static Change> {
    changes().iter().map(|c| (c.id.as_str(), c)).collect()
}

#[cfg(test)]
#[path = "radar_tests.rs"]
mod tests;
