//! The gate's rules: each kind of endpoint confirmed on its own, a configuration alone
//! confirming nothing, URL spellings, and what a token response may widen.

use super::*;
use crate::model::Fields;
use crate::template;

fn cfg(template_id: &str, pairs: &[(&str, &str)]) -> FlowConfig {
    let fields: Fields = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    FlowConfig::new(template::find(template_id).unwrap(), &fields).unwrap()
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

const BASE: &[(&str, &str)] = &[
    ("token_url", "https://auth.example.com/token"),
    ("client_id", "c"),
    ("revoke_url", "https://auth.example.com/revoke"),
    ("introspect_url", "https://auth.example.com/introspect"),
    ("test_url", "https://api.example.com/me"),
];

#[test]
fn a_configuration_alone_confirms_nothing() {
    let c = cfg(template::CLIENT_CREDENTIALS, BASE);
    for e in Endpoint::ALL {
        let target = if e == Endpoint::Resource { url("https://api.example.com/me") } else { url("https://auth.example.com/token") };
        let err = check(&c, e, &target, None).unwrap_err();
        assert!(matches!(err, Error::NotReady { need: Need::ConfirmOrigin, .. }), "{e:?}: {err}");
    }
}

#[test]
fn each_kind_of_endpoint_is_confirmed_on_its_own() {
    let mut c = cfg(template::CLIENT_CREDENTIALS, BASE);
    c.confirmed = Confirmed::all_of("p", &c);
    assert!(check(&c, Endpoint::Token, &url("https://auth.example.com/other"), None).is_ok(), "the origin, not the path");
    assert!(check(&c, Endpoint::Resource, &url("https://api.example.com/x"), None).is_ok());
    // Confirmed for one kind is not confirmed for another.
    assert!(check(&c, Endpoint::Token, &url("https://api.example.com/token"), None).is_err());
    for (e, moved) in [
        (Endpoint::Token, "https://auth.example.com:8443/t"),
        (Endpoint::Revocation, "http://auth.example.com/revoke"),
        (Endpoint::Introspection, "https://evil.example.net/i"),
        (Endpoint::DeviceAuthorization, "https://auth.example.com/device"),
        (Endpoint::Resource, "https://evil.example.net/me"),
    ] {
        assert!(check(&c, e, &url(moved), None).is_err(), "{e:?} to {moved}");
    }
}

#[test]
fn a_changed_or_added_endpoint_is_listed_until_confirmed() {
    let before = cfg(template::CLIENT_CREDENTIALS, &BASE[..2]);
    let mut confirmed = Confirmed::all_of("p", &before);
    let after = cfg(template::CLIENT_CREDENTIALS, BASE);
    let changes = confirmed.unconfirmed(&after);
    let kinds: Vec<Endpoint> = changes.iter().map(|c| c.endpoint).collect();
    assert_eq!(kinds, [Endpoint::Revocation, Endpoint::Introspection, Endpoint::Resource], "{changes:?}");
    assert!(changes.iter().all(|c| !c.describe().is_empty()));
    confirmed.confirm(&changes);
    assert!(confirmed.unconfirmed(&after).is_empty());
    let back = Confirmed::from_json("p", &confirmed.to_json());
    assert_eq!(back.origins, confirmed.origins);
    assert!(Confirmed::from_json("p", "not json").origins.is_empty());
}

#[test]
fn only_the_confirmed_origin_passes_however_a_url_is_spelled() {
    let mut c = cfg(template::CLIENT_CREDENTIALS, BASE);
    c.confirmed = Confirmed::all_of("p", &c);
    let same = [
        "https://auth.example.com/token",
        "HTTPS://AUTH.EXAMPLE.COM/token",
        "https://Auth.Example.Com:443/other/path?x=1#f",
        "https://auth.example.com:443",
        "https://auth.example.com/%74oken",
        "https://user@auth.example.com/token",
    ];
    let other = [
        "https://auth.example.com:8443/token",
        "http://auth.example.com/token",
        "https://auth.example.com./token",
        "https://evil.auth.example.com/token",
        "https://auth.example.com.evil.example/token",
        "https://auth.example.com@evil.example/token",
        "https://evil.example/auth.example.com/token",
        "https://auth%2eexample.com.evil.example/token",
        "https://xn--uth-1na.example.com/token",
        "https://127.0.0.1/token",
        "https://[::1]/token",
        "https://auth.example.co/token",
        "wss://auth.example.com/token",
        "https://auth-example.com/token",
    ];
    for kind in [Endpoint::Token, Endpoint::Revocation, Endpoint::Introspection] {
        for u in same {
            let parsed = url(u);
            assert!(check(&c, kind, &parsed, None).is_ok(), "{kind:?} {u}");
        }
        for u in other {
            let Ok(parsed) = Url::parse(u) else { continue };
            assert!(check(&c, kind, &parsed, None).is_err(), "{kind:?} {u} ({})", origin(&parsed));
        }
    }
    for u in other {
        let Ok(parsed) = Url::parse(u) else { continue };
        if parsed.host_str() != Some("api.example.com") {
            assert!(check(&c, Endpoint::Resource, &parsed, None).is_err(), "resource {u}");
        }
    }
}

#[test]
fn an_instance_url_widens_only_salesforce_and_only_to_its_hosts() {
    let mut generic = cfg(template::CLIENT_CREDENTIALS, &BASE[..2]);
    generic.confirmed = Confirmed::all_of("g", &generic);
    let sf_instance = url("https://acme.my.salesforce.com");
    assert!(check(&generic, Endpoint::Resource, &url("https://acme.my.salesforce.com/services/data/"), Some(&sf_instance)).is_err());
    let evil = url("https://evil.example.net");
    assert!(check(&generic, Endpoint::Resource, &url("https://evil.example.net/x"), Some(&evil)).is_err());

    let mut sf = cfg("salesforce-client-credentials", &[("my_domain", "https://acme.my.salesforce.com"), ("client_id", "k")]);
    sf.confirmed = Confirmed::all_of("s", &sf);
    let other = url("https://acme2.my.salesforce.com");
    assert!(check(&sf, Endpoint::Resource, &url("https://acme2.my.salesforce.com/services/data/"), Some(&other)).is_ok());
    assert!(check(&sf, Endpoint::Resource, &url("https://evil.example.net/x"), Some(&evil)).is_err(), "not a Salesforce host");
    let plain = url("http://acme2.my.salesforce.com");
    assert!(check(&sf, Endpoint::Resource, &url("http://acme2.my.salesforce.com/x"), Some(&plain)).is_err(), "not https");
    let lookalike = url("https://salesforce.com.evil.example.net");
    assert!(check(&sf, Endpoint::Resource, &url("https://salesforce.com.evil.example.net/x"), Some(&lookalike)).is_err());
}
