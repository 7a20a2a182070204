//! Templates and their providers as a class: every template that names a provider gets its
//! endpoints, client authentication, algorithm and widened hosts from that provider's rules,
//! over every environment and generated base URLs; every other template from its fields.

use url::Url;

use super::config::{ClientAuth, FlowConfig};
use super::gate;
use crate::model::Fields;
use crate::providers::ProviderId;
use crate::template::{self, FieldKind, Flow, Template};

/// The template's required fields, made up, and `extra`.
fn fields_for(t: &Template, extra: &[(&str, &str)]) -> Fields {
    let mut f = Fields::new();
    for spec in t.fields.iter().filter(|s| s.required && s.kind != FieldKind::Secret) {
        let value = match spec.kind {
            FieldKind::Url => "https://auth.example.com/oauth/token".to_string(),
            _ => format!("{}-value", spec.name),
        };
        f.insert(spec.name.clone(), value);
    }
    f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    f
}

/// The values of a template's `environment` choice, and none.
fn environments(t: &Template) -> Vec<Option<String>> {
    let mut out = vec![None];
    if let Some(FieldKind::Choice { options }) = t.field("environment").map(|f| &f.kind) {
        out.extend(options.iter().map(|o| Some(o.value.clone())));
    }
    out
}

fn with_provider() -> impl Iterator<Item = (&'static Template, ProviderId)> {
    template::all().iter().filter_map(|t| t.provider.map(|p| (t, p)))
}

#[test]
fn every_template_with_a_provider_derives_its_endpoints_through_it() {
    assert!(with_provider().count() >= 3, "the Salesforce templates name their provider");
    for (t, p) in with_provider() {
        let rules = p.rules();
        let base_field = rules.base_field().unwrap_or_else(|| panic!("{}: a provider that derives endpoints names its base field", p.id()));
        let client_credentials = t.flow == Flow::ClientCredentials;
        let mut bases: Vec<Option<String>> = vec![None];
        for (i, domain) in rules.own_domains().iter().enumerate() {
            bases.push(Some(format!("https://org{i}.my.{domain}")));
            bases.push(Some(format!("https://org{i}--uat.sandbox.my.{domain}")));
        }
        for env in environments(t) {
            for base in &bases {
                let mut extra: Vec<(&str, &str)> = env.iter().map(|e| ("environment", e.as_str())).collect();
                extra.extend(base.iter().map(|b| (base_field, b.as_str())));
                let mut fields = fields_for(t, &extra);
                if base.is_none() {
                    fields.remove(base_field);
                }
                let what = format!("{} with {fields:?}", t.id);
                let derived = match rules.endpoints(&fields, client_credentials) {
                    Ok(Some(e)) => e,
                    Ok(None) => panic!("{what}: no endpoints derived"),
                    Err(e) => {
                        assert!(base.is_none() && client_credentials, "{what}: {e}");
                        assert_eq!(e.field(), Some(base_field), "{what}");
                        assert!(FlowConfig::new(t, &fields).is_err(), "{what}");
                        continue;
                    }
                };
                let cfg = FlowConfig::new(t, &fields).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(cfg.token_url, derived.token, "{what}");
                assert_eq!(cfg.authorize_url.as_ref(), Some(&derived.authorize), "{what}");
                assert_eq!(cfg.revoke_url.as_ref(), Some(&derived.revoke), "{what}");
                assert_eq!(cfg.introspect_url.as_ref(), Some(&derived.introspect), "{what}");
                for u in [&derived.token, &derived.authorize, &derived.revoke, &derived.introspect] {
                    assert!(rules.instance_widens(u), "{what}: {u} is not on {}'s own hosts over https", p.id());
                    if let Some(b) = base {
                        assert!(u.as_str().starts_with(b.as_str()), "{what}: {u} is not under {b}");
                    }
                }
                let auth = rules.client_auth().map(|name| ClientAuth::NAMES.iter().find(|(n, _)| *n == name).map(|(_, a)| *a));
                match (t.flow, auth) {
                    (Flow::JwtBearer, _) => assert_eq!(cfg.client_auth, ClientAuth::None, "{what}"),
                    (_, Some(a)) => assert_eq!(Some(cfg.client_auth), a, "{what}: the provider's default names a method"),
                    (_, None) => assert_eq!(cfg.client_auth, ClientAuth::Basic, "{what}"),
                }
                if let Some(a) = rules.assertion_algorithm() {
                    assert_eq!(cfg.algorithm, Some(a), "{what}");
                }
            }
        }
    }
}

#[test]
fn a_template_without_a_provider_takes_its_endpoints_from_its_fields() {
    for t in template::all().iter().filter(|t| t.provider.is_none()) {
        for i in 0..4 {
            let token = format!("https://auth{i}.example.com/oauth/token");
            let fields = fields_for(t, &[("token_url", &token)]);
            let cfg = FlowConfig::new(t, &fields).unwrap_or_else(|e| panic!("{}: {e}", t.id));
            assert_eq!(cfg.token_url.as_str(), token, "{}", t.id);
            assert_eq!((cfg.revoke_url, cfg.introspect_url), (None, None), "{}", t.id);
            let expected = if t.flow == Flow::JwtBearer { ClientAuth::None } else { ClientAuth::Basic };
            assert_eq!(cfg.client_auth, expected, "{}", t.id);
        }
    }
}

#[test]
fn a_template_with_a_provider_s_base_field_names_that_provider() {
    for t in template::all() {
        for p in ProviderId::ALL {
            if p.rules().base_field().is_some_and(|f| t.field(f).is_some()) {
                assert_eq!(t.provider, Some(p), "{} has {}'s base field", t.id, p.id());
                assert_eq!(t.facts, p.rules().facts(), "{}", t.id);
            }
        }
        if t.provider.is_none() {
            assert_eq!(t.facts, crate::providers::rules(None).facts(), "{}", t.id);
        }
    }
}

#[test]
fn an_instance_url_widens_the_test_call_only_to_the_template_s_provider_s_hosts() {
    let url = |s: &str| Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    for t in template::all() {
        let fields = fields_for(t, &[("my_domain", "https://acme.my.salesforce.com")]);
        let mut fields = fields;
        if t.field("my_domain").is_none() {
            fields.remove("my_domain");
        }
        let cfg = FlowConfig::new(t, &fields).unwrap_or_else(|e| panic!("{}: {e}", t.id));
        for p in ProviderId::ALL {
            for domain in p.rules().own_domains() {
                let instance = url(&format!("https://org1.{domain}"));
                let widened = gate::resource_hosts(&cfg, Some(&instance)).contains(&format!("org1.{domain}:443"));
                assert_eq!(widened, t.provider == Some(p), "{}: {instance}", t.id);
                for lookalike in
                    [format!("https://org1.{domain}.evil.example"), format!("https://evil{domain}"), format!("http://org1.{domain}")]
                {
                    let hosts = gate::resource_hosts(&cfg, Some(&url(&lookalike)));
                    assert!(!hosts.iter().any(|h| h.contains("evil") || h.starts_with("org1.")), "{}: {lookalike} widened {hosts:?}", t.id);
                }
            }
        }
    }
}
