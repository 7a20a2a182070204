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
