//! Case files of every template, with the fields as a profile at the providers' own hosts
//! has them (Salesforce signing in on the environment's login host or on a My Domain, Entra
//! and Google endpoints, a provider left on "auto" and recognised from its host), replay to
//! the recorded stages, cause, fix, provider and ranking.
//!
//! The recording cannot reach those hosts from a test, so a local recorder answers for them:
//! the recorded profile is the same profile with each of its hosts standing at the recorder
//! (as a network would route them), and the case it writes is then given back the fields
//! and answer URLs the real hosts would have put in it. The replay sees only that case.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

use std::sync::Arc;

use oauthdesk_core::test_support::flows::config::FlowConfig;
use oauthdesk_core::test_support::knowledge::recognise;
use oauthdesk_core::{Case, ClientSecret, Desk, FieldKind, Fields, MemorySecrets, NewProfile, Template};
use oauthdesk_sandbox::replay::CasePlayer;
use serde_json::{json, Value};
use url::Url;

const MY_DOMAIN: &str = "https://acme.my.salesforce.com";

/// Entra (recognised by its hosts and paths) and Google (by its hosts alone).
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

/// Every way a case carries `t`'s fields: each host set for a template that names its
/// endpoints; for one whose provider derives them (Salesforce), each environment with no My
/// Domain where it is optional, and with one.
fn case_fields(t: &Template) -> Vec<Fields> {
    let mut all = Vec::new();
    for hosts in HOSTS {
        let mut f = Fields::new();
        for spec in t.fields.iter().filter(|s| s.required && s.kind != FieldKind::Secret) {
            let value = match (hosts.iter().find(|(n, _)| *n == spec.name), &spec.kind) {
                (Some((_, url)), _) => (*url).to_string(),
                (None, FieldKind::Url) => MY_DOMAIN.to_string(),
                _ => format!("case-{}", spec.name),
            };
            f.insert(spec.name.clone(), value);
        }
        let Some(base) = t.field("my_domain") else {
            f.extend(hosts.iter().filter(|(n, _)| t.field(n).is_some()).map(|(n, u)| (n.to_string(), u.to_string())));
            all.push(f);
            continue;
        };
        let bases: &[Option<&str>] = if base.required { &[Some(MY_DOMAIN)] } else { &[None, Some(MY_DOMAIN)] };
        for b in bases {
            for env in ["production", "sandbox"] {
                let mut g = f.clone();
                g.remove("my_domain");
                g.extend(b.map(|b| ("my_domain".to_string(), b.to_string())));
                g.insert("environment".into(), env.into());
                all.push(g);
            }
        }
        break; // one host set: Salesforce's own
    }
    all
}

/// What the provider at the real hosts answers: the token request refused, or a token and
/// then the test call refused; the sign-in page; a device code.
fn answers(t: &Template, cfg: &FlowConfig, refuse_token: bool) -> Vec<Value> {
    let salesforce = t.field("my_domain").is_some();
    let answer = |method: &str, url: &str, status: u16, ct: &str, body: String| json!({ "stage": "token", "method": method, "url": url, "status": status, "headers": [["content-type", ct]], "body": body });
    let mut out = Vec::new();
    if let Some(a) = &cfg.authorize_url {
        out.push(answer("GET", a.as_str(), 200, "text/html", "<html><body><form>Sign in</form></body></html>".into()));
    }
    if let Some(d) = &cfg.device_authorization_url {
        let body = json!({"device_code": "dc", "user_code": "ABCD-EFGH", "verification_uri": "https://example.org/device", "expires_in": 900, "interval": 5});
        out.push(answer("POST", d.as_str(), 200, "application/json", body.to_string()));
    }
    let token = cfg.token_url.as_str();
    if refuse_token {
        let description = if salesforce { "invalid client credentials" } else { "AADSTS7000215: Invalid client secret provided." };
        out.push(answer(
            "POST",
            token,
            400,
            "application/json",
            json!({"error": "invalid_client", "error_description": description}).to_string(),
        ));
        return out;
    }
    let mut ok = json!({"access_token": "case-access-token", "token_type": "Bearer", "expires_in": 3600});
    if salesforce {
        ok = json!({"access_token": "case-access-token", "token_type": "Bearer", "instance_url": MY_DOMAIN, "issued_at": "1700000000000"});
    }
    out.push(answer("POST", token, 200, "application/json", ok.to_string()));
    if salesforce {
        let versions = json!([{"version": "59.0", "url": "/services/data/v59.0"}]).to_string();
        out.push(answer("GET", &format!("{MY_DOMAIN}/services/data/"), 200, "application/json", versions));
        let refused = json!([{"message": "The REST API is not enabled for this Organization.", "errorCode": "API_DISABLED_FOR_ORG"}]);
        out.push(answer("GET", &format!("{MY_DOMAIN}/services/data/v59.0/limits"), 403, "application/json", refused.to_string()));
    } else if let Some(test) = &cfg.test_url {
        let refused = json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}});
        out.push(answer("GET", test.as_str(), 401, "application/json", refused.to_string()));
    }
    out
}

fn origin(u: &str) -> String {
    Url::parse(u).unwrap().origin().ascii_serialization()
}

/// The stages, cause, fix, provider and ranking of a diagnosis (`recorder` and `player`, the
/// local origins that stood for the hosts, read as one).
fn verdict(d: &Value, local: &[&str]) -> Value {
    let stages: Vec<Value> = d["stages"].as_array().unwrap().iter().map(|s| json!([s["name"], s["ok"], s["skipped"]])).collect();
    let v = json!({
        "ok": d["ok"], "stage": d["stage"], "stages": stages, "knowledge": d["knowledge"], "finding": d["finding"],
        "cause": d["cause"], "fix": d["fix"], "provider": d["provider"], "source": d["source"], "ranking": d["ranking"],
    });
    let text = local.iter().fold(v.to_string(), |t, o| t.replace(o, "LOCAL"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_template_at_its_providers_hosts_replays_to_the_recorded_verdict() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap());
    let (mut cases, mut derived, mut wrong) = (0, 0, Vec::new());
    for t in oauthdesk_core::templates() {
        for (n, fields) in case_fields(t).into_iter().enumerate() {
            for refuse_token in [true, false] {
                let handle = format!("{}-{n}-{refuse_token}", t.id);
                let cfg = FlowConfig::new(t, &fields).unwrap();
                derived += usize::from(
                    cfg.token_url.host_str().is_some_and(|h| h.ends_with("login.salesforce.com") || h == "test.salesforce.com"),
                );
                // The provider at its hosts, played locally.
                let real = answers(t, &cfg, refuse_token);
                let synthetic = json!({"kind": "oauthdesk-case", "format": 1, "written_at": "2026-01-01T00:00:00Z", "program": "t",
                    "knowledge": "kb", "profile": {"handle": handle, "label": handle, "template": t.id, "fields": fields},
                    "signed_in": false, "answers": real, "history": [], "diagnosis": {}});
                let recorder = rt.block_on(CasePlayer::start(&Case::parse(&synthetic.to_string()).unwrap())).unwrap();
                let local = recorder.origin().as_str().trim_end_matches('/').to_string();
                // The recorded profile: its hosts at the recorder; the provider its hosts name.
                let mut hosts: Vec<String> = real.iter().map(|a| origin(a["url"].as_str().unwrap())).collect();
                hosts.extend(fields.values().filter(|v| v.starts_with("https://")).map(|v| origin(v)));
                let mut at_recorder: Fields =
                    fields.iter().map(|(k, v)| (k.clone(), hosts.iter().fold(v.clone(), |v, h| v.replace(h, &local)))).collect();
                if t.field("my_domain").is_some() && !at_recorder.contains_key("my_domain") {
                    at_recorder.insert("my_domain".into(), local.clone());
                }
                if t.field("provider").is_some() {
                    let named = recognise::from_url(&cfg.token_url).or_else(|| cfg.authorize_url.as_ref().and_then(recognise::from_url));
                    at_recorder.insert("provider".into(), named.map_or("auto".into(), |p| p.id.clone()));
                }
                let secret = t.secret_field().map(|_| ClientSecret::new("case-secret".to_string()));
                let new = NewProfile {
                    template: t.id.clone(),
                    handle: handle.clone(),
                    label: None,
                    fields: at_recorder.clone(),
                    client_secret: secret,
                };
                desk.create(new).unwrap();
                let recorded_cfg = FlowConfig::new(t, &at_recorder).unwrap();
                if recorded_cfg.client_auth.uses_key() || t.flow.signs_grant() {
                    desk.key_generate(&handle, recorded_cfg.algorithm.unwrap_or(oauthdesk_core::Algorithm::Es256), None).unwrap();
                }
                let d = rt.block_on(desk.diagnose(&handle)).unwrap();
                drop(recorder);
                // The case as the real hosts would have written it.
                let mut case: Value = serde_json::from_str(&desk.case(&d).unwrap()).unwrap();
                let stored = case["profile"]["fields"].as_object().unwrap().clone();
                let mut back = serde_json::Map::new();
                for (k, v) in stored {
                    match (at_recorder.get(&k), fields.get(&k)) {
                        (Some(_), Some(real)) => drop(back.insert(k, json!(real))),
                        (Some(_), None) => {}
                        (None, _) => drop(back.insert(k, v)),
                    }
                }
                case["profile"]["fields"] = Value::Object(back);
                for a in case["answers"].as_array_mut().unwrap() {
                    let path = Url::parse(a["url"].as_str().unwrap()).unwrap().path().to_string();
                    let to = real
                        .iter()
                        .find(|r| Url::parse(r["url"].as_str().unwrap()).unwrap().path() == path)
                        .map(|r| origin(r["url"].as_str().unwrap()));
                    let to = to.unwrap_or_else(|| origin(cfg.token_url.as_str()));
                    let text = a.to_string().replace(&format!("{local}{path}"), &format!("{to}{path}")).replace(&local, MY_DOMAIN);
                    *a = serde_json::from_str(&text).unwrap();
                }
                // What the replay reads names the real hosts alone (the recorded diagnosis is
                // kept as written: the replay only compares with it).
                let read = json!([case["profile"], case["answers"]]).to_string();
                assert!(!read.contains(&local), "{handle}: the case still names the recorder: {read}");
                let text = case.to_string();
                let case = Case::parse(&text).unwrap();
                cases += 1;
                let replayed = match rt.block_on(oauthdesk_sandbox::replay::replay(&case, scratch.path())) {
                    Ok(r) => r,
                    Err(e) => {
                        wrong.push(format!("{handle}: {e}"));
                        continue;
                    }
                };
                let recorded = verdict(&serde_json::to_value(&d).unwrap(), &[&local]);
                let now = serde_json::to_value(&replayed.diagnosis).unwrap();
                let player: Vec<String> = now["trace"].as_array().unwrap().iter().map(|e| origin(e["url"].as_str().unwrap())).collect();
                let now = verdict(&now, &player.iter().map(String::as_str).collect::<Vec<_>>());
                if recorded != now {
                    wrong.push(format!(
                        "{handle}:\n  recorded {recorded}\n  replayed {now}\n  answers {}\n  trace {}",
                        serde_json::to_string(&case.answers).unwrap(),
                        serde_json::to_string(&replayed.diagnosis.trace).unwrap()
                    ));
                }
            }
        }
    }
    assert!(cases >= 30 && derived >= 8, "{cases} cases, {derived} on a login host the environment chose");
    assert!(wrong.is_empty(), "{} of {cases} cases:\n{}", wrong.len(), wrong.join("\n"));
}
