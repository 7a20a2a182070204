//! Stage 1: the profile's own values, before any request — its settings, values pasted with
//! extra characters, a missing secret, a taken redirect port, the key's certificate, and
//! endpoints no one confirmed.

use chrono::Utc;

use super::super::Outcome;
use super::pairs;
use crate::flows::config::FlowConfig;
use crate::model::{warnings, Fields};
use crate::secret::ClientSecret;
use crate::template::Template;

pub(super) fn pasted_junk(v: &str) -> Option<&'static str> {
    if v != v.trim() {
        Some("starts or ends with a space or line break")
    } else if v.contains(['\n', '\r', '\t']) {
        Some("contains a line break or tab")
    } else if (v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')) {
        Some("is wrapped in quotes")
    } else {
        None
    }
}

/// Stage 1: the profile itself, before any request.
pub fn profile(template: &'static Template, fields: &Fields, secret: Option<&ClientSecret>) -> (Outcome, Option<FlowConfig>) {
    let cfg = match FlowConfig::new(template, fields) {
        Ok(cfg) => cfg,
        Err(e) => {
            let field = e.field().unwrap_or("profile").to_string();
            return (Outcome::found("profile-invalid", &[("error", &e.to_string()), ("field", &field)]), None);
        }
    };
    let mut notes = Vec::new();
    let label = |name: &str| template.field(name).map(|f| f.label.clone()).unwrap_or_else(|| name.to_string());
    if let Some(why) = pasted_junk(&cfg.client_id) {
        let l = label("client_id");
        return (Outcome::found("profile-client-id-pasted", &[("label", &l), ("why", why)]), Some(cfg));
    }
    let secret_required = crate::profile::secret_needed(template, fields);
    match secret {
        // Its source is the next check's.
        None if fields.contains_key(crate::secret::source::FIELD) => {}
        None if secret_required => {
            let l = label("client_secret");
            return (Outcome::found("profile-secret-missing", &[("label", &l)]), Some(cfg));
        }
        Some(s) => {
            if let Some(why) = pasted_junk(s.expose()) {
                let l = label("client_secret");
                return (Outcome::found("profile-secret-pasted", &[("label", &l), ("why", why)]), Some(cfg));
            }
        }
        None => notes.push("no client secret: a public client".to_string()),
    }
    if let Some(scopes) = &cfg.scopes {
        if scopes.contains(',') {
            notes.push(format!("the scopes '{scopes}' contain commas; OAuth separates scopes with spaces"));
        }
    }
    if template.flow.redirects() && cfg.redirect_port != 0 {
        if let Err(e) = std::net::TcpListener::bind(("127.0.0.1", cfg.redirect_port)) {
            let facts = [("port", cfg.redirect_port.to_string()), ("error", e.to_string())];
            return (Outcome::found("profile-redirect-port-taken", &pairs(&facts)), Some(cfg));
        }
    }
    for (name, url) in [("token_url", Some(&cfg.token_url)), ("test_url", cfg.test_url.as_ref())] {
        if let Some(u) = url.filter(|u| u.scheme() == "http") {
            notes.push(format!("{name} uses plain http to {} (allowed only on this machine)", u.host_str().unwrap_or_default()));
        }
    }
    let mut ok = Outcome::ok("the settings are complete and well-formed");
    ok.notes = notes;
    (ok, Some(cfg))
}

/// The profile's certificate, when its key is used: expired fails, close to its end (as the
/// connection state's warning says) is noted.
pub fn certificate(cfg: &FlowConfig, ok: Outcome) -> Outcome {
    let used = cfg.client_auth.uses_key() || cfg.template.flow.signs_grant();
    let Some(facts) = cfg.key.as_ref().filter(|_| used).and_then(|k| k.facts().ok().flatten()) else { return ok };
    let days = warnings::days_left(facts.not_after, Utc::now());
    let when = facts.not_after.format("%Y-%m-%d");
    if facts.not_after < Utc::now() {
        return Outcome::found("profile-certificate-expired", &[("subject", &facts.subject), ("date", &when.to_string())]);
    }
    if warnings::certificate_expiring(days) {
        return ok.with_notes(vec![format!(
            "the profile's certificate ({}) expires in {days} days, on {when}: make or import a new one and upload it before then",
            facts.subject
        )]);
    }
    ok
}

/// Whether every endpoint the profile names is confirmed to receive its credentials: a
/// diagnosis sends nothing where no one confirmed, and says so first.
pub fn confirmed(cfg: &FlowConfig, before: Outcome) -> Outcome {
    let changes = cfg.confirmed.unconfirmed(cfg);
    let Some(first) = changes.first() else { return before };
    let change = first.describe();
    let o = if changes.len() > 1 {
        let destinations = changes.iter().map(|c| c.destination.as_str()).collect::<Vec<_>>().join(", ");
        let count = changes.len().to_string();
        Outcome::found("profile-endpoints-changed", &[("change", &change), ("count", &count), ("destinations", &destinations)])
    } else {
        Outcome::found("profile-endpoint-changed", &[("change", &change)])
    };
    o.with_notes(before.notes)
}
