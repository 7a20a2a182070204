//! Failure modes: the sandbox can answer as a misconfigured provider does, so support staff
//! can practise on a failure they can switch on and off. A mode is a knowledge-base entry,
//! and the sandbox answers with that entry's example — the provider's documented answer —
//! at the stage the entry belongs to. So the sandbox's failures are exactly the ones the
//! knowledge base was written from, and never a second, hand-made copy of them.
//!
//! The sandbox wears three faces, told apart by path, as the providers' real endpoints are:
//! a generic OAuth 2.0 provider (`/oauth2/…`), Salesforce (`/services/oauth2/…`) and Keycloak
//! (`/realms/sandbox/protocol/openid-connect/…`). A provider's mode breaks only its own face;
//! a generic (RFC) mode breaks all three.

use oauthdesk_core::{knowledge_entries, knowledge_entry, knowledge_providers, Entry};
use oauthdesk_core::{Flow, Labelled, Stage};
use serde::Serialize;
use ts_rs::TS;

/// Which provider a path of the sandbox plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Generic,
    Salesforce,
    Keycloak,
}

impl Face {
    /// The knowledge base's id of the provider this face plays (`None`: generic).
    pub fn provider(self) -> Option<&'static str> {
        match self {
            Face::Generic => None,
            Face::Salesforce => Some("salesforce"),
            Face::Keycloak => Some("keycloak"),
        }
    }

    /// The handle of the sandbox profile that talks to this face with client credentials.
    pub fn handle(self) -> &'static str {
        match self {
            Face::Generic => "sandbox-api",
            Face::Salesforce => "sandbox-salesforce",
            Face::Keycloak => "sandbox-keycloak",
        }
    }

    /// The handle of the sandbox profile that signs in (authorization code + PKCE) on this
    /// face: the stages only a sign-in reaches (the authorization page, a refresh) show there.
    pub fn sign_in_handle(self) -> &'static str {
        match self {
            Face::Generic => SIGN_IN,
            Face::Salesforce => "sandbox-salesforce-sign-in",
            Face::Keycloak => "sandbox-keycloak-sign-in",
        }
    }

    /// The path prefix of this face's endpoints.
    pub fn prefix(self) -> &'static str {
        match self {
            Face::Generic => "/oauth2",
            Face::Salesforce => "/services/oauth2",
            Face::Keycloak => "/realms/sandbox/protocol/openid-connect",
        }
    }
}

/// A failure mode as the window and `--json` list it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ModeInfo {
    /// The knowledge-base entry it plays.
    pub id: String,
    /// The provider whose answer it is (`None`: any provider, per the RFCs).
    pub provider: Option<String>,
    /// Where it shows: `authorize`, `token`, `refresh`, `test`, `revoke` or `introspect`.
    pub stage: String,
    /// What is wrong, in a line (the entry's cause, first sentence).
    pub summary: String,
    /// The heading it is listed under, in words: the provider's name and the stage
    /// ("Salesforce · token stage"); modes come sorted by it.
    pub group: String,
    /// What the list shows for it: the summary, with the provider's error code when two
    /// modes of one group would read alike.
    pub title: String,
    /// The sandbox profile on which it shows: its provider's face's, else the sign-in for
    /// the stages only a sign-in reaches, else the generic API's.
    pub profile: String,
}

/// The handle of the sandbox profile that signs in (authorization code + PKCE).
pub const SIGN_IN: &str = "sandbox-sign-in";

/// The profile a mode of `provider` at `stage` shows on.
fn practice(provider: Option<&str>, stage: Stage) -> &'static str {
    let face = FACES.into_iter().find(|f| f.provider().is_some() && f.provider() == provider).unwrap_or(Face::Generic);
    if matches!(stage, Stage::Authorize | Stage::Refresh) {
        face.sign_in_handle()
    } else {
        face.handle()
    }
}

/// The providers whose answers the sandbox can play.
const FACES: [Face; 3] = [Face::Generic, Face::Salesforce, Face::Keycloak];

/// The stages the sandbox serves.
const SERVED: [Stage; 6] = [Stage::Authorize, Stage::Token, Stage::Refresh, Stage::Test, Stage::Revoke, Stage::Introspect];

/// The stages an entry's example is served at: its own, or where its example comes from.
pub fn stages(entry: &Entry) -> Vec<Stage> {
    match &entry.stages {
        Some(stages) => stages.iter().copied().filter(|s| SERVED.contains(s)).collect(),
        None if entry.example.headers.keys().any(|k| k.eq_ignore_ascii_case("location")) => vec![Stage::Authorize],
        None => vec![Stage::Token],
    }
}

/// The grant of the sandbox profiles a mode at `stage` shows on: the sign-in's for the
/// stages only a sign-in reaches, else client credentials.
fn grant_at(stage: Stage) -> Flow {
    match stage {
        Stage::Authorize | Stage::Refresh => Flow::AuthorizationCode,
        _ => Flow::ClientCredentials,
    }
}

fn playable(entry: &Entry) -> bool {
    let provider_ok = FACES.iter().any(|f| f.provider() == entry.provider.as_deref());
    // An answer of a grant the sandbox's profiles do not run there (the device flow's
    // polling, a JWT bearer grant's, a code exchange's) would be explained as another's.
    let stage = stages(entry).first().copied();
    let grant_ok = stage.is_some_and(|s| entry.grants.as_ref().is_none_or(|g| g.contains(&grant_at(s))));
    provider_ok && grant_ok
}

/// Every mode the sandbox can play, generic ones first.
pub fn modes() -> Vec<ModeInfo> {
    let mut out: Vec<ModeInfo> = knowledge_entries()
        .iter()
        .filter(|e| playable(e))
        .map(|e| {
            let stage = stages(e).first().copied().unwrap_or(Stage::Token);
            let summary = first_sentence(&e.cause);
            ModeInfo {
                id: e.id.clone(),
                provider: e.provider.clone(),
                stage: stage.as_str().to_string(),
                group: format!("{} · {} stage", provider_name(e.provider.as_deref()), stage.label()),
                title: summary.clone(),
                summary,
                profile: practice(e.provider.as_deref(), stage).to_string(),
            }
        })
        .collect();
    let order = |m: &ModeInfo| (m.provider.is_some(), m.provider.clone(), SERVED.iter().position(|s| s.as_str() == m.stage), m.id.clone());
    out.sort_by_key(order);
    // Two modes of one group that read alike are told apart by the provider's own code.
    let titles: Vec<(String, String)> = out.iter().map(|m| (m.group.clone(), m.title.clone())).collect();
    for (i, m) in out.iter_mut().enumerate() {
        let alike = titles.iter().enumerate().any(|(j, t)| j != i && t.0 == m.group && t.1 == m.title);
        if alike {
            let code = find(&m.id).ok().and_then(|e| e.error.clone()).unwrap_or_else(|| m.id.clone());
            m.title = format!("{} ({code})", m.title.trim_end_matches('.'));
        }
    }
    out
}

/// The provider's name as its knowledge file gives it; generic modes hold for any provider.
fn provider_name(id: Option<&str>) -> String {
    match id {
        None => "Any provider (RFC)".to_string(),
        Some(id) => knowledge_providers().iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_else(|| id.to_string()),
    }
}

fn first_sentence(text: &str) -> String {
    match text.split_once(". ") {
        Some((first, _)) => format!("{first}."),
        None => text.to_string(),
    }
}

/// The entry for a mode the sandbox can play; the error names the field and what is allowed.
pub fn find(id: &str) -> Result<&'static Entry, String> {
    match knowledge_entry(id) {
        Some(e) if playable(e) => Ok(e),
        Some(e) => Err(format!(
            "mode {id:?} is {}'s answer at a stage or in a flow the sandbox does not play; it plays generic, Salesforce and Keycloak answers",
            e.provider.as_deref().unwrap_or("a generic")
        )),
        None => Err(format!("mode {id:?} is not a knowledge-base entry; see the list of failure modes")),
    }
}

/// Whether `mode` changes the answer at `stage` of `face`.
pub fn applies(mode: &Entry, face: Face, stage: Stage) -> bool {
    (mode.provider.is_none() || mode.provider.as_deref() == face.provider()) && stages(mode).contains(&stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_is_a_playable_entry_with_a_summary() {
        let modes = modes();
        assert!(modes.len() > 60, "generic, Salesforce and Keycloak modes: {}", modes.len());
        for m in &modes {
            assert!(find(&m.id).is_ok(), "{}", m.id);
            assert!(!m.summary.is_empty(), "{}", m.id);
        }
        assert!(modes.iter().any(|m| m.id == "salesforce-no-run-as-user" && m.stage == "token"));
        assert!(modes.iter().any(|m| m.id == "rfc6749-access-denied" && m.stage == "authorize"));
        assert!(modes.first().is_some_and(|m| m.provider.is_none()), "generic modes first");
    }

    #[test]
    fn modes_are_grouped_by_provider_and_stage_in_words_and_each_reads_apart_from_its_group() {
        let modes = modes();
        let mut groups: Vec<&str> = Vec::new();
        for m in &modes {
            // Sorted by group: a group's modes are together.
            if groups.last() != Some(&m.group.as_str()) {
                assert!(!groups.contains(&m.group.as_str()), "{} comes in two places", m.group);
                groups.push(&m.group);
            }
            let stage = Stage::ALL.iter().find(|s| s.as_str() == m.stage).unwrap();
            assert!(m.group.ends_with(&format!("· {} stage", stage.label())), "{}: {}", m.id, m.group);
            assert!(!m.group.contains(&m.id) && !m.title.contains(&m.id), "{}: words, not the id", m.id);
            assert!(!m.group.starts_with(|c: char| c.is_lowercase()), "{}: the provider's name: {}", m.id, m.group);
            let alike = modes.iter().filter(|o| o.group == m.group && o.title == m.title).count();
            assert_eq!(alike, 1, "{}: {:?} reads like another mode of {}", m.id, m.title, m.group);
        }
        assert!(groups.contains(&"Salesforce · token stage") && groups.contains(&"Any provider (RFC) · sign-in stage"), "{groups:?}");
        assert!(groups.len() > 5 && groups.len() < modes.len() / 2, "{} groups of {} modes", groups.len(), modes.len());
    }

    #[test]
    fn every_mode_shows_on_a_profile_whose_face_it_breaks() {
        for m in modes() {
            let entry = find(&m.id).unwrap();
            let stage = stages(entry).first().copied().unwrap_or(Stage::Token);
            let face = FACES.into_iter().find(|f| f.handle() == m.profile || f.sign_in_handle() == m.profile);
            let face = face.unwrap_or_else(|| panic!("{}: {} is no sandbox profile", m.id, m.profile));
            assert!(applies(entry, face, stage), "{} does not show on {}", m.id, m.profile);
            let signs_in = matches!(stage, Stage::Authorize | Stage::Refresh);
            assert_eq!(m.profile == face.sign_in_handle(), signs_in, "{}: a sign-in's stage shows on a sign-in", m.id);
        }
    }

    #[test]
    fn a_provider_mode_breaks_only_its_own_face() {
        let sf = find("salesforce-no-run-as-user").unwrap();
        assert!(applies(sf, Face::Salesforce, Stage::Token));
        assert!(!applies(sf, Face::Generic, Stage::Token));
        assert!(!applies(sf, Face::Keycloak, Stage::Token));
        assert!(!applies(sf, Face::Salesforce, Stage::Test), "only at its stage");
        let rfc = find("rfc6749-invalid-client").unwrap();
        assert!(FACES.iter().all(|f| applies(rfc, *f, Stage::Token) && applies(rfc, *f, Stage::Refresh)));
    }

    #[test]
    fn unknown_and_unplayable_modes_are_refused_in_words() {
        assert!(find("no-such-entry").unwrap_err().contains("not a knowledge-base entry"));
        let entra = knowledge_entries().iter().find(|e| e.provider.as_deref() == Some("entra")).unwrap();
        assert!(find(&entra.id).unwrap_err().contains("does not play"));
    }
}
