//! Salesforce's rules. The endpoints hang from the org's My Domain, or, without one, from
//! the login host of its environment (production or sandbox). The client-credentials flow
//! works only on the org's My Domain host; the login, Lightning and Setup hosts that admins
//! copy from the browser's address bar answer "request not supported on this domain". We
//! catch those before any request and propose the My Domain URL they stand for.

use url::Url;

use super::{field, required, DefaultTest, Endpoints, Hints, Parties, Rules};
use crate::error::{Error, Result};
use crate::model::Fields;
use crate::pki::Algorithm;

/// Where production and Developer Edition orgs sign in, and where sandboxes do.
const LOGIN: &str = "https://login.salesforce.com";
const SANDBOX_LOGIN: &str = "https://test.salesforce.com";

/// The login host of the profile's environment.
fn login_host(fields: &Fields) -> &'static str {
    if field(fields, "environment") == Some("sandbox") {
        SANDBOX_LOGIN
    } else {
        LOGIN
    }
}

/// An endpoint under the org's base URL (validated when stored, checked again here since
/// the store is a file).
fn join(base: &str, path: &str) -> Result<Url> {
    Url::parse(&format!("{}{path}", base.trim_end_matches('/')))
        .map_err(|e| Error::invalid("my_domain", format!("'{base}' is not a URL ({e})")))
}

/// Salesforce's default test: the newest API version's `limits`, found through
/// `{instance_url}/services/data/` (a JSON array of versions, newest last).
fn newest_limits(instance: &Url, versions: &str) -> Option<Url> {
    let newest = serde_json::from_str::<serde_json::Value>(versions).ok().and_then(|v| {
        v.as_array().and_then(|a| a.last()).and_then(|l| l.get("url")).and_then(serde_json::Value::as_str).map(str::to_string)
    })?;
    instance.join(&format!("{}/limits", newest.trim_end_matches('/'))).ok()
}

pub struct Salesforce;

impl Rules for Salesforce {
    fn base_field(&self) -> Option<&'static str> {
        Some("my_domain")
    }

    /// A My Domain URL reduced to its origin; for client credentials, also the host rules.
    fn check_base(&self, url: &Url, client_credentials: bool) -> std::result::Result<String, String> {
        if client_credentials {
            check_my_domain(url)
        } else {
            Ok(origin(url))
        }
    }

    /// Under My Domain; without one, under the environment's login host, which client
    /// credentials never are.
    fn endpoints(&self, fields: &Fields, client_credentials: bool) -> Result<Option<Endpoints>> {
        let base = match field(fields, "my_domain") {
            Some(d) => d,
            None if client_credentials => return Err(Error::invalid("my_domain", "My Domain URL is required")),
            None => login_host(fields),
        };
        Ok(Some(Endpoints {
            token: join(base, "/services/oauth2/token")?,
            authorize: join(base, "/services/oauth2/authorize")?,
            revoke: join(base, "/services/oauth2/revoke")?,
            introspect: join(base, "/services/oauth2/introspect")?,
        }))
    }

    /// Salesforce documents the credentials in the body.
    fn client_auth(&self) -> Option<&'static str> {
        Some("post")
    }

    /// Salesforce verifies JWT bearer assertions with RS256 only.
    fn assertion_algorithm(&self) -> Option<Algorithm> {
        Some(Algorithm::Rs256)
    }

    /// The Consumer Key is the issuer, the username the subject, and the audience the login
    /// host of the environment (or what the profile names, e.g. an Experience Cloud site).
    fn jwt_bearer(&self, fields: &Fields) -> Result<Option<Parties>> {
        let audience = field(fields, "audience").unwrap_or(login_host(fields)).to_string();
        Ok(Some(Parties { issuer: required(fields, "client_id")?, subject: required(fields, "username")?, audience }))
    }

    /// The shared login hosts and the Lightning/Setup hosts issue no client-credentials
    /// tokens; the error proposes the My Domain token URL.
    fn check_client_credentials_host(&self, host: &str) -> std::result::Result<(), String> {
        if host == "login.salesforce.com" || host == "test.salesforce.com" {
            return Err(format!(
                "{host} does not issue client-credentials tokens (\"request not supported on this domain\"); use your My Domain: https://your-domain.my.salesforce.com/services/oauth2/token"
            ));
        }
        if let Some(domain) = my_domain_for(host) {
            return Err(format!("{host} is not the My Domain host; use {domain}/services/oauth2/token"));
        }
        Ok(())
    }

    fn own_domains(&self) -> &'static [&'static str] {
        OWN_DOMAINS
    }

    fn default_test(&self) -> Option<DefaultTest> {
        Some(DefaultTest { first: "/services/data/", next: newest_limits })
    }

    fn redirect_note(&self) -> Option<&'static str> {
        Some("Salesforce: use the org's My Domain")
    }

    /// Salesforce sends no `expires_in`: a token lasts as long as the session timeout of the
    /// app's policies, and only introspection (with the Consumer Secret) tells it.
    fn unsent_expiry(&self) -> Option<&'static str> {
        Some(
            "Salesforce does not send when its tokens expire: they last as long as the session timeout set in the app's policies (two hours unless changed), and asking needs the Consumer Secret, which a JWT bearer app does not use",
        )
    }

    fn hints(&self) -> Hints {
        Hints {
            token_url: Some("salesforce-token-url-not-token-endpoint"),
            redirect: Some("salesforce-token-url-redirects"),
            forbidden: Some("salesforce-test-user-not-allowed"),
        }
    }

    fn upload_steps(&self) -> &'static str {
        "Upload the certificate to Salesforce: Setup → External Client App Manager → your app → Edit Settings → OAuth Settings → Flow Enablement: Enable JWT Bearer Flow → upload the certificate, then Save."
    }
}

/// The My Domain URL for a host that is not one, when it can be worked out.
fn my_domain_for(host: &str) -> Option<String> {
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

/// Checks a URL given as an org's My Domain. Returns the origin (no path) or why it is wrong.
fn check_my_domain(u: &Url) -> Result<String, String> {
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
fn origin(u: &Url) -> String {
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
        let is_own_host = |h: &str| super::super::is_under(h, OWN_DOMAINS);
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
