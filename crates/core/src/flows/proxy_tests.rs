//! The environment's proxy rules, each on its own (the agreement of a diagnosis with the
//! clients, over generated settings, is tested where the diagnosis names the proxy).

use super::*;

fn with(vars: &[(&str, &str)]) -> Proxies {
    Proxies::from_vars(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
}

fn at(p: &Proxies, url: &str) -> Option<String> {
    p.for_url(&Url::parse(url).unwrap())
}

#[test]
fn each_scheme_has_its_variable_and_all_proxy_serves_both() {
    let p = with(&[("HTTPS_PROXY", "http://s:1"), ("HTTP_PROXY", "http://h:1"), ("ALL_PROXY", "http://a:1")]);
    assert_eq!(at(&p, "https://x.example/"), Some("http://s:1".into()));
    assert_eq!(at(&p, "http://x.example/"), Some("http://h:1".into()));
    assert_eq!(at(&with(&[("ALL_PROXY", "http://a:1")]), "https://x.example/"), Some("http://a:1".into()));
    assert_eq!(at(&with(&[("all_proxy", "a:1")]), "http://x.example/"), Some("http://a:1".into()), "no scheme means http");
    assert_eq!(at(&p, "ftp://x.example/"), None);
}

#[test]
fn the_upper_case_name_comes_first_and_a_set_value_counts_even_empty() {
    assert_eq!(at(&with(&[("HTTPS_PROXY", "http://u:1"), ("https_proxy", "http://l:1")]), "https://x/"), Some("http://u:1".into()));
    // Set but empty: the lower-case one is not read; ALL_PROXY still serves.
    assert_eq!(at(&with(&[("HTTPS_PROXY", ""), ("https_proxy", "http://l:1")]), "https://x/"), None);
    assert_eq!(at(&with(&[("HTTPS_PROXY", ""), ("ALL_PROXY", "http://a:1")]), "https://x/"), Some("http://a:1".into()));
    assert_eq!(at(&with(&[("HTTPS_PROXY", "not a proxy"), ("ALL_PROXY", "http://a:1")]), "https://x/"), Some("http://a:1".into()));
}

#[test]
fn no_proxy_covers_domains_addresses_networks_and_everything() {
    let p = |no: &str| with(&[("ALL_PROXY", "http://a:1"), ("NO_PROXY", no)]);
    for (no, url, direct) in [
        ("corp.example", "https://api.corp.example/", true),
        (".corp.example", "https://corp.example/", true),
        ("corp.example", "https://notcorp.example/", false),
        ("10.0.0.0/8", "http://10.1.2.3/", true),
        ("10.0.0.0/8", "http://11.1.2.3/", false),
        ("0.0.1", "http://127.0.0.1/", false),
        ("127.0.0.1", "http://127.0.0.1:8080/", true),
        ("*", "https://anything.example/", true),
        ("a.example, *", "https://anything.example/", true),
        ("", "https://anything.example/", false),
    ] {
        assert_eq!(at(&p(no), url).is_none(), direct, "NO_PROXY={no:?} {url}");
    }
}

#[test]
fn under_cgi_no_proxy_is_used() {
    assert_eq!(at(&with(&[("HTTP_PROXY", "http://h:1"), ("REQUEST_METHOD", "GET")]), "http://x/"), None);
}
