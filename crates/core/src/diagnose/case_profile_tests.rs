//! The replayed profile of every template, with its fields as a case file carries them
//! (endpoints on the providers' own hosts, or derived from a field that holds no URL):
//! every endpoint it uses is the player's, its provider is the recorded one, and the store
//! takes it. A replay refuses any player but 127.0.0.1 over http, and any endpoint left
//! elsewhere.

use chrono::Utc;
use url::Url;

use super::profile::elsewhere;
use super::*;
use crate::diagnose::stages::provider_of;
use crate::flows::config::FlowConfig;
use crate::profile::NewProfile;
use crate::secret::ClientSecret;
use crate::template::{FieldKind, Template};

const PLAYER: &str = "http://127.0.0.1:47123/";

/// Real hosts, as a case recorded at them carries them: Entra (recognised by its host and
/// paths) and Google (by its host alone).
const HOSTS: [[(&str, &str); 4]; 2] = [
    [
        ("token_url", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"),
        ("authorize_url", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"),
        ("device_authorization_url", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"),
        ("test_url", "https://graph.microsoft.com/v1.0/me"),
    ],
    [
        ("token_url", "https://oauth2.googleapis.com/token"),
        ("authorize_url", "https://accounts.google.com/o/oauth2/v2/auth"),
        ("device_authorization_url", "https://oauth2.googleapis.com/device/code"),
        ("test_url", "https://www.googleapis.com/oauth2/v3/userinfo"),
    ],
];

/// Every way a case may carry `t`'s fields: each host set; for a template with a base field
/// (Salesforce's My Domain) with and without it where it is optional, in each environment.
pub(super) fn case_fields(t: &Template) -> Vec<Fields> {
    let mut all = Vec::new();
    for hosts in HOSTS {
        let mut f = Fields::new();
        for spec in t.fields.iter().filter(|s| s.required && s.kind != FieldKind::Secret) {
            let value = match hosts.iter().find(|(n, _)| *n == spec.name) {
                Some((_, url)) => (*url).to_string(),
                None if spec.kind == FieldKind::Url => "https://acme.my.salesforce.com".to_string(),
                None => format!("case-{}", spec.name),
            };
            f.insert(spec.name.clone(), value);
        }
        for (name, url) in hosts {
            if t.field(name).is_some_and(|s| s.place != crate::template::Place::Unused) {
                f.insert(name.to_string(), url.to_string());
            }
        }
        if let Some(base) = t.rules().base_field().and_then(|b| t.field(b)) {
            f.remove("test_url"); // the provider's own test call, under the token's instance
            let bases: &[Option<&str>] =
                if base.required { &[Some("https://acme.my.salesforce.com")] } else { &[None, Some("https://acme.my.salesforce.com")] };
            let environments: Vec<Option<String>> = match t.field("environment").map(|e| &e.kind) {
                Some(FieldKind::Choice { options }) => options.iter().map(|o| Some(o.value.clone())).collect(),
                _ => vec![None],
            };
            for b in bases {
                for env in &environments {
                    let mut g = f.clone();
                    g.remove(&base.name);
                    if let Some(b) = b {
                        g.insert(base.name.clone(), (*b).to_string());
                    }
                    if let Some(env) = env {
                        g.insert("environment".into(), env.clone());
                    }
                    all.push(g);
                }
            }
            return all;
        }
        all.push(f);
    }
    all
}

pub(super) fn case_of(t: &Template, fields: &Fields) -> Case {
    Case {
        kind: CASE_KIND.into(),
        format: CASE_FORMAT,
        written_at: Utc::now(),
        program: "test".into(),
        knowledge: version::version().into(),
        profile: CaseProfile { handle: "case".into(), label: "Case".into(), template: t.id.clone(), fields: fields.clone() },
        signed_in: false,
        answers: Vec::new(),
        history: serde_json::json!([]),
        diagnosis: serde_json::json!({}),
        evidence: None,
    }
}

#[test]
fn every_templates_replayed_profile_uses_the_player_alone_and_names_the_recorded_provider() {
    let player = Url::parse(PLAYER).unwrap();
    let origin = player.origin().ascii_serialization();
    let mut seen = 0;
    let mut derived = 0;
    for t in template::all() {
        for fields in case_fields(t) {
            let what = format!("{} {fields:?}", t.id);
            let recorded = FlowConfig::new(t, &fields).unwrap_or_else(|e| panic!("{what}: {e}"));
            derived += usize::from(
                recorded.token_url.host_str() == Some("login.salesforce.com")
                    || recorded.token_url.host_str() == Some("test.salesforce.com"),
            );
            let new = case_of(t, &fields).replay_profile(&player).unwrap();
            let replayed = FlowConfig::new(t, &new.fields).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(elsewhere(&replayed, &origin), None, "{what}: {:?}", new.fields);
            assert_eq!(replayed.token_url.path(), recorded.token_url.path(), "{what}");
            assert_eq!(replayed.authorize_url.as_ref().map(Url::path), recorded.authorize_url.as_ref().map(Url::path), "{what}");
            assert_eq!(replayed.test_url.as_ref().map(Url::path), recorded.test_url.as_ref().map(Url::path), "{what}");
            let named = |cfg: &FlowConfig, f: &Fields| provider_of(cfg, f).map(|p| p.id.clone());
            assert_eq!(named(&replayed, &new.fields), named(&recorded, &fields), "{what}");
            assert_eq!(new.fields.get("allowed_hosts").map(String::as_str), Some("127.0.0.1"), "{what}");
            let (_dir, desk) = crate::desk::test_support::desk();
            desk.create(new).unwrap_or_else(|e| panic!("{what}: {e}"));
            seen += 1;
        }
    }
    assert!(seen >= 20 && derived >= 4, "{seen} cases, {derived} with endpoints derived from the environment");
}

/// Each endpoint of a configuration, moved off the player alone, is the one refused.
#[test]
fn an_endpoint_off_the_player_is_refused_whichever_it_is() {
    let origin = "http://127.0.0.1:47123";
    let t = template::find(template::CUSTOM_OAUTH2).unwrap();
    let at = |p: &str| Url::parse(&format!("{origin}{p}")).unwrap();
    let base = || {
        let fields = Fields::from([
            ("token_url".into(), at("/token").to_string()),
            ("authorize_url".into(), at("/auth").to_string()),
            ("client_id".into(), "c".into()),
        ]);
        FlowConfig::new(t, &fields).unwrap()
    };
    assert_eq!(elsewhere(&base(), origin), None);
    let off = Url::parse("https://login.example.com/x").unwrap();
    let moves: [fn(&mut FlowConfig, Url); 6] = [
        |c, u| c.token_url = u,
        |c, u| c.authorize_url = Some(u),
        |c, u| c.test_url = Some(u),
        |c, u| c.device_authorization_url = Some(u),
        |c, u| c.revoke_url = Some(u),
        |c, u| c.introspect_url = Some(u),
    ];
    for (i, m) in moves.iter().enumerate() {
        let mut c = base();
        m(&mut c, off.clone());
        assert_eq!(elsewhere(&c, origin), Some(off.clone()), "endpoint {i}");
    }
}

/// A player that is not http on 127.0.0.1 is refused before any store or request is made.
#[tokio::test]
async fn a_replay_against_anything_but_the_local_player_is_refused() {
    let t = template::find(template::SALESFORCE_AUTHORIZATION_CODE).unwrap();
    let case = case_of(t, &case_fields(t)[0]);
    let dir = tempfile::tempdir().unwrap();
    for player in [
        "http://localhost:47123/",
        "https://127.0.0.1:47123/",
        "http://10.0.0.1:47123/",
        "https://login.salesforce.com/",
        "http://[::1]:47123/",
    ] {
        let store = dir.path().join(player.replace(['/', ':', '[', ']'], "_"));
        let err = case.rediagnose(&Url::parse(player).unwrap(), &store).await.unwrap_err().to_string();
        assert!(err.contains("127.0.0.1 only"), "{player}: {err}");
        assert!(!store.exists(), "{player}: a store was made");
    }
}

/// A diagnosis that ranked causes from this desktop's history: its case carries the evidence
/// (no token in it), and the replay's ranking from it is the recorded one, at the recorded
/// time, whatever the replaying desktop's history.
#[test]
fn a_ranked_diagnosis_replays_its_ranking_from_the_recorded_evidence() {
    use crate::store::grant_facts::{self, GrantFact};
    let (_dir, desk) = crate::desk::test_support::desk();
    let fields = Fields::from([
        ("token_url".into(), "https://acme.my.salesforce.com/services/oauth2/token".into()),
        ("client_id".into(), "c".into()),
    ]);
    desk.create(NewProfile {
        template: template::CLIENT_CREDENTIALS.into(),
        handle: "a".into(),
        label: None,
        fields,
        client_secret: Some(ClientSecret::new("s")),
    })
    .unwrap();
    let (id, _) = desk.flow_config("a").unwrap();
    let fact = |ago: chrono::Duration, ok: bool, presented: Option<&str>, received: Option<&str>| GrantFact {
        at: Utc::now() - ago,
        ok,
        refresh: presented.is_some(),
        sign_in: presented.is_none(),
        presented_fp: presented.map(|t| grant_facts::fingerprint("c", t)),
        received_fp: received.map(|t| grant_facts::fingerprint("c", t)),
        client_id: "c".into(),
        subject: presented.is_none().then(|| "005xx0000012345".into()),
        path: "direct".into(),
    };
    for f in [fact(chrono::Duration::days(40), true, None, Some("rt1")), fact(chrono::Duration::zero(), false, Some("rt1"), None)] {
        grant_facts::record(&desk.conn(), id, &f).unwrap();
    }
    let mut d = Diagnosis::new("a");
    d.at = Utc::now() - chrono::Duration::seconds(5);
    d.ok = false;
    d.stage = Some(crate::model::Check::TokenEndpoint.as_str().into());
    d.error = Some("invalid_grant".into());
    d.error_description = Some("expired access/refresh token".into());
    d.provider = Some("Salesforce".into());
    d.done_at = Utc::now();
    d.ranking = desk.rank_causes(&d, Some("salesforce")).unwrap();
    assert!(!d.ranking.is_empty(), "the history ranks causes");
    let text = desk.case(&d).unwrap();
    assert!(!text.contains(&grant_facts::fingerprint("c", "rt1")), "no fingerprint of a token");
    let case = Case::parse(&text).unwrap();
    assert!(case.evidence.is_some(), "the case carries the evidence");
    let replayed = Diagnosis { ranking: Vec::new(), ..d.clone() };
    let again = case.recorded_ranking(&replayed).unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), serde_json::to_value(&d.ranking).unwrap());
    // A replay that fails otherwise ranks nothing from it; a case without evidence neither.
    let clear = Diagnosis { error: Some("invalid_client".into()), ..replayed.clone() };
    assert_eq!(case.recorded_ranking(&clear), None);
    assert_eq!(Case { evidence: None, ..case }.recorded_ranking(&replayed), None);
}
