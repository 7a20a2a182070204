//! The provider record as a class: every provider's host rules, ids and facts, checked over
//! generated hosts rather than one example each.

use super::*;
use crate::knowledge;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The rules of every provider, and of a template without one.
fn every() -> Vec<(&'static str, &'static dyn Rules)> {
    let mut all: Vec<(&'static str, &'static dyn Rules)> = ProviderId::ALL.iter().map(|p| (p.id(), p.rules())).collect();
    all.push(("generic", rules(None)));
    all
}

/// Hosts that look like `domain`'s own but are not: the domain alone, its letters run into
/// another name, and the domain (or a subdomain) as the start of someone else's host.
fn lookalikes(domain: &str) -> Vec<String> {
    vec![
        domain.to_string(),
        format!("{domain}."),
        format!("evil{domain}"),
        format!("evil-{domain}"),
        format!("{domain}.evil.example"),
        format!("acme.{domain}.evil.example"),
        format!("acme.{domain}evil.example"),
        format!("acme{}", domain.replacen('.', "-", 1)),
    ]
}

#[test]
fn an_instance_url_widens_only_to_the_provider_s_own_hosts_over_https() {
    for (id, rules) in every() {
        for domain in rules.own_domains() {
            for sub in ["acme", "na1", "acme--uat.sandbox.my", "ACME"] {
                assert!(rules.instance_widens(&url(&format!("https://{sub}.{domain}"))), "{id}: {sub}.{domain}");
                assert!(!rules.instance_widens(&url(&format!("http://{sub}.{domain}"))), "{id}: plain http to {sub}.{domain}");
            }
            for host in lookalikes(domain) {
                assert!(!rules.instance_widens(&url(&format!("https://{host}/"))), "{id}: lookalike {host}");
                assert!(!is_under(&host, &[domain]), "{id}: lookalike {host}");
            }
        }
        // Another provider's hosts, and anyone's, never widen a profile's.
        for (other, other_rules) in every() {
            if other != id {
                for domain in other_rules.own_domains().iter().filter(|d| !rules.own_domains().contains(d)) {
                    assert!(!rules.instance_widens(&url(&format!("https://acme.{domain}"))), "{id} widened to {other}'s {domain}");
                }
            }
        }
        assert!(!rules.instance_widens(&url("https://api.example.com")), "{id}");
    }
}

#[test]
fn a_provider_without_hosts_of_its_own_widens_nothing() {
    assert!(rules(None).own_domains().is_empty());
    assert!(!rules(None).instance_widens(&url("https://acme.my.salesforce.com")));
}

#[test]
fn client_credentials_host_refusals_name_the_fix_and_spare_lookalikes() {
    for p in ProviderId::ALL {
        let rules = p.rules();
        for domain in rules.own_domains() {
            for host in lookalikes(domain) {
                let Ok(u) = Url::parse(&format!("https://{host}/oauth2/token")) else { continue };
                assert_eq!(check_client_credentials_token_url(&u), Ok(()), "{}: {host} is not {}'s", p.id(), p.id());
            }
        }
    }
    // Every refusal says what to use instead.
    for host in ["login.salesforce.com", "test.salesforce.com", "acme.lightning.force.com", "acme.my.salesforce-setup.com"] {
        let e = check_client_credentials_token_url(&url(&format!("https://{host}/services/oauth2/token"))).unwrap_err();
        assert!(e.contains("use "), "{host}: {e}");
    }
}

#[test]
fn every_provider_is_known_to_the_knowledge_base_by_its_id() {
    for p in ProviderId::ALL {
        assert!(knowledge::provider(p.id()).is_some(), "{} has no knowledge-base file", p.id());
        assert_eq!(ProviderId::find(p.id()), Some(p));
        assert_eq!(serde_json::to_value(p).ok(), Some(serde_json::Value::String(p.id().into())), "the contract's word is the id");
    }
    assert_eq!(ProviderId::find("keycloak"), None, "a provider with no rules of its own follows the generic ones");
}

#[test]
fn facts_offer_the_keys_the_provider_verifies() {
    for (id, rules) in every() {
        let facts = rules.facts();
        match rules.assertion_algorithm() {
            Some(a) => assert_eq!(facts.key_types, [a.key_type()], "{id}"),
            None => assert_eq!(facts.key_types, [KeyType::Rsa, KeyType::P256], "{id}"),
        }
        assert!(!facts.upload_steps.is_empty(), "{id}");
    }
}
