//! Salesforce's host rules. The client-credentials flow works only on the org's My Domain
//! host; the login, Lightning and Setup hosts that admins copy from the browser's address bar
//! answer "request not supported on this domain". We catch those before any request and
//! propose the My Domain URL they stand for.

use url::Url;

/// The My Domain URL for a host that is not one, when it can be worked out.
pub fn my_domain_for(host: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    for (suffix, replacement) in [
        (".sandbox.lightning.force.com", ".sandbox.my.salesforce.com"),
        (".develop.lightning.force.com", ".develop.my.salesforce.com"),
        (".lightning.force.com", ".my.salesforce.com"),
        (".my.salesforce-setup.com", ".my.salesforce.com"),
        (".salesforce-setup.com", ".my.salesforce.com"),
    ] {
        if let Some(name) = host.strip_suffix(suffix) {
            if !name.is_empty() {
                return Some(format!("https://{name}{replacement}"));
            }
        }
    }
    None
}

/// The domains of Salesforce's own hosts. A token response's `instance_url` ("a URL
/// indicating the instance of the user's org, for example https://yourInstance.salesforce.com/"
/// or the org's My Domain, `https://MyDomainName.my.salesforce.com`: Salesforce Help, "OAuth 2.0
/// Client Credentials Flow for Server-to-Server Integration" and "My Domain URL Formats") is
/// trusted to receive the access token only on these, and only over `https`. Government
/// Cloud orgs use `salesforce.mil`; Experience Cloud and legacy instances `force.com`.
const OWN_DOMAINS: &[&str] = &["salesforce.com", "force.com", "salesforce.mil", "cloudforce.com"];

/// Whether `host` is one of Salesforce's own (a subdomain of [`OWN_DOMAINS`]).
pub fn is_own_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    OWN_DOMAINS.iter().any(|d| host.strip_suffix(d).is_some_and(|rest| rest.ends_with('.') && rest.len() > 1))
}

/// Checks a URL given as an org's My Domain. Returns the origin (no path) or why it is wrong.
pub fn check_my_domain(u: &Url) -> Result<String, String> {
    let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
    if host == "login.salesforce.com" || host == "test.salesforce.com" {
        return Err(format!(
            "{host} is the shared login host, not your org's My Domain; client credentials need the My Domain URL from Setup → My Domain, e.g. https://your-domain.my.salesforce.com"
        ));
    }
    if let Some(fixed) = my_domain_for(&host) {
        return Err(format!("{host} is not the My Domain host; use {fixed}"));
    }
    if u.path() != "/" || u.query().is_some() {
        return Err(format!("give the My Domain URL alone ({}), without a path; OAuth Desk adds /services/oauth2/token itself", origin(u)));
    }
    Ok(origin(u))
}

/// `scheme://host[:port]` of a URL.
pub fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) -> Result<String, String> {
        check_my_domain(&Url::parse(s).unwrap())
    }

    #[test]
    fn own_hosts_are_subdomains_of_salesforce_s_domains_only() {
        for h in ["acme.my.salesforce.com", "na1.salesforce.com", "ACME.lightning.force.com", "acme.my.salesforce.mil"] {
            assert!(is_own_host(h), "{h}");
        }
        for h in [
            "salesforce.com",
            "evilsalesforce.com",
            "salesforce.com.evil.example",
            "acme.my.salesforce.com.evil.example",
            ".salesforce.com",
            "example.net",
        ] {
            assert!(!is_own_host(h), "{h}");
        }
    }

    #[test]
    fn my_domain_is_accepted_and_reduced_to_its_origin() {
        assert_eq!(check("https://acme.my.salesforce.com/").unwrap(), "https://acme.my.salesforce.com");
        assert_eq!(check("https://acme--uat.sandbox.my.salesforce.com").unwrap(), "https://acme--uat.sandbox.my.salesforce.com");
    }

    #[test]
    fn login_lightning_and_setup_hosts_are_refused_with_the_fix() {
        assert!(check("https://login.salesforce.com").unwrap_err().contains("My Domain"));
        assert!(check("https://test.salesforce.com").unwrap_err().contains("shared login host"));
        assert!(check("https://acme.lightning.force.com").unwrap_err().contains("use https://acme.my.salesforce.com"));
        assert!(check("https://acme--uat.sandbox.lightning.force.com")
            .unwrap_err()
            .contains("use https://acme--uat.sandbox.my.salesforce.com"));
        assert!(check("https://acme.my.salesforce-setup.com").unwrap_err().contains("use https://acme.my.salesforce.com"));
        assert!(check("https://acme.my.salesforce.com/services/oauth2/token").unwrap_err().contains("without a path"));
    }
}
