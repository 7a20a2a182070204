//! The throwaway profile a case is replayed with. Every endpoint the recorded profile used
//! must be the local player's, whichever field it came from:
//!
//! - a URL field (token, authorization, test, device, revocation, introspection URLs, a My
//!   Domain) is moved to the player's origin;
//! - an endpoint a provider derives from a field that holds no URL (Salesforce's login host,
//!   chosen by the environment when no My Domain is given) is overridden through the
//!   provider's base field ([`crate::providers::Rules::base_field`]), set to the player's
//!   origin: the provider then derives every endpoint under the player, the same paths as
//!   recorded;
//! - a provider recognised from the recorded host (a generic template left on "auto") is
//!   named on the replayed profile, since the player's host names no provider.
//!
//! Whatever is left pointing elsewhere is refused by [`elsewhere`] before anything is sent.

use url::Url;

use chrono::{DateTime, Utc};

use super::super::evidence;
use super::Case;
use crate::desk::Desk;
use crate::diagnose::ranking::{Evidence, Ranked};
use crate::diagnose::Diagnosis;
use crate::error::Result;
use crate::flows::config::FlowConfig;
use crate::model::Fields;
use crate::pki::Algorithm;
use crate::profile::NewProfile;
use crate::secret::ClientSecret;
use crate::template::{self, FieldKind, Flow, Template};

/// The client secret a replayed profile holds when its template needs one: the player
/// accepts anything, and this is no one's secret.
const STAND_IN_SECRET: &str = "replay-stand-in-secret";

impl Case {
    /// The throwaway profile a replay diagnoses: the recorded one with every endpoint moved
    /// to `player` (the local player's origin), allowed to send to that host alone, with a
    /// stand-in secret when its template needs one.
    pub fn replay_profile(&self, player: &Url) -> Result<NewProfile> {
        let template = template::find(&self.profile.template)?;
        let origin = player.origin().ascii_serialization();
        let mut fields = Fields::new();
        for (name, value) in &self.profile.fields {
            let url_kind = template.field(name).is_some_and(|f| matches!(f.kind, FieldKind::Url));
            let value = match Url::parse(value) {
                Ok(u) if url_kind && matches!(u.scheme(), "http" | "https") => self.moved(value, &origin),
                _ => value.clone(),
            };
            fields.insert(name.clone(), value);
        }
        if let Some(id) = recognised_provider(template, &self.profile.fields) {
            fields.insert("provider".into(), id);
        }
        // Endpoints derived from a field that is no URL: the base field, left blank, stands
        // for a host of the provider's choosing; set, it puts them all under the player.
        if let Some(base) = template.rules().base_field().filter(|b| template.field(b).is_some()) {
            if fields.get(base).is_none_or(|v| v.trim().is_empty()) {
                fields.insert(base.into(), origin.clone());
            }
        }
        if template.field("allowed_hosts").is_some() {
            fields.insert("allowed_hosts".into(), player.host_str().unwrap_or("127.0.0.1").into());
        }
        // The password grant's stored secret is the user's password: its request is never
        // sent without one, whatever the client authentication.
        let needed = crate::profile::secret_needed(template, &fields) || template.flow == Flow::Password;
        let secret = needed.then(|| ClientSecret::new(STAND_IN_SECRET.to_string()));
        Ok(NewProfile {
            template: self.profile.template.clone(),
            handle: self.profile.handle.clone(),
            label: Some(self.profile.label.clone()),
            fields,
            client_secret: secret,
        })
    }
}

/// The provider a generic profile left on "auto" was recognised as from its recorded
/// endpoints' hosts, which the replayed endpoints no longer show (`None`: the template names
/// its provider, the profile names one, or no host was recognised).
fn recognised_provider(template: &'static Template, fields: &Fields) -> Option<String> {
    template.field("provider")?;
    if template.provider.is_some() || fields.get("provider").is_some_and(|p| !p.trim().is_empty() && p.trim() != "auto") {
        return None;
    }
    let cfg = FlowConfig::new(template, fields).ok()?;
    super::super::stages::provider_of(&cfg, fields).map(|p| p.id.clone())
}

/// The first endpoint of a replayed profile that is not on `origin` (the player's): the
/// token, authorization, test, device authorization, revocation and introspection URLs.
pub(super) fn elsewhere(cfg: &FlowConfig, origin: &str) -> Option<Url> {
    let endpoints = [
        Some(&cfg.token_url),
        cfg.authorize_url.as_ref(),
        cfg.test_url.as_ref(),
        cfg.device_authorization_url.as_ref(),
        cfg.revoke_url.as_ref(),
        cfg.introspect_url.as_ref(),
    ];
    endpoints.into_iter().flatten().find(|u| u.origin().ascii_serialization() != origin).cloned()
}

impl Case {
    /// The ranking of a replayed diagnosis, from the recorded evidence as of the recorded
    /// diagnosis's time, when the replay fails as one a ranking is for (`None`: no evidence
    /// was recorded, or the replay ranks nothing).
    pub fn recorded_ranking(&self, d: &Diagnosis) -> Option<Vec<Ranked>> {
        let e = self.evidence.as_ref()?;
        let at = self.diagnosis.get("done_at").and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok());
        Some(evidence::rank_with(d, e, at.unwrap_or(self.written_at))).filter(|r| !r.is_empty())
    }
}

impl Desk {
    /// The evidence a diagnosis's ranking weighed, for its case file (`None` when it ranked
    /// nothing).
    pub(super) fn case_evidence(&self, d: &Diagnosis) -> Result<Option<Evidence>> {
        if d.ranking.is_empty() {
            return Ok(None);
        }
        self.evidence_for(d, d.ranking_provider().as_deref())
    }

    /// Gives a replayed profile that signs with a key a throwaway one, when the recorded
    /// profile had one (it sent a request: a profile without its key sends nothing). The
    /// player checks no signature; the algorithm is the one the profile signs with.
    pub(super) fn stand_in_key(&self, handle: &str, cfg: &FlowConfig, recorded_answers: bool) -> Result<()> {
        let signs = cfg.client_auth.uses_key() || cfg.template.flow.signs_grant();
        if !signs || !recorded_answers || cfg.key.is_some() {
            return Ok(());
        }
        self.key_generate(handle, cfg.algorithm.unwrap_or(Algorithm::Es256), None).map(drop)
    }
}
