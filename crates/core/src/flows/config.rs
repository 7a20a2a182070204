//! Turns a profile's fields into what a flow needs: the endpoints (derived by the provider),
//! how the client authenticates, how the token request is shaped, where the token may go.
//! Everything a request needs is decided here, before any request is made.

use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};
use crate::model::Fields;
use crate::pki::{Algorithm, KeyMaterial};
use crate::providers::{self, Rules};
use crate::template::{Flow, Template};
use crate::validate;

pub use crate::model::ClientAuth;

/// The JWT a JWT bearer grant sends (RFC 7523 §2.1): who it is from, whom it is about, whom
/// it is for, and any more claims.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub issuer: String,
    pub subject: String,
    pub audience: String,
    pub claims: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Form,
    Json,
}

/// Everything a profile's flows need, resolved.
#[derive(Debug, Clone)]
pub struct FlowConfig {
    pub template: &'static Template,
    pub client_id: String,
    pub token_url: Url,
    pub authorize_url: Option<Url>,
    pub revoke_url: Option<Url>,
    pub introspect_url: Option<Url>,
    /// The explicit test URL; a provider may derive one from the token's `instance_url` when
    /// blank ([`Rules::default_test`]).
    pub test_url: Option<Url>,
    pub test_method: String,
    pub default_params: Vec<(String, String)>,
    pub scopes: Option<String>,
    /// Extra token-request parameters: audience, resource and `extra_params`.
    pub token_params: Vec<(String, String)>,
    pub client_auth: ClientAuth,
    pub body: BodyFormat,
    /// Dotted path of the access token in the token response.
    pub token_field: String,
    /// The explicit whitelist; empty means the token and test URLs' own hosts.
    pub allowed_hosts: Vec<String>,
    pub timeout: Duration,
    pub pkce: bool,
    /// 0 picks a free port for each authorization.
    pub redirect_port: u16,
    pub redirect_path: String,
    /// The signing algorithm of assertions; `None`: by the key (RS256 for RSA, ES256 for P-256).
    pub algorithm: Option<Algorithm>,
    /// For the JWT bearer grant.
    pub bearer: Option<Bearer>,
    /// The device authorization endpoint (RFC 8628 §3.1).
    pub device_authorization_url: Option<Url>,
    /// The user of the (legacy) password grant.
    pub username: Option<String>,
    /// The profile's key and certificate (attached by the desk when it has one).
    pub key: Option<KeyMaterial>,
    /// The key the profile signed with before `key`, kept until `key` has worked (the
    /// desk's key rollover, `desk::rollover`).
    pub previous_key: Option<KeyMaterial>,
    /// Certificate authorities trusted for this profile's requests besides the system's (PEM).
    pub ca: Option<String>,
    /// Where a person confirmed this profile's credentials may go (filled by the desk from the
    /// store; empty, as [`FlowConfig::new`] leaves it, nothing may be sent anywhere).
    pub confirmed: super::gate::Confirmed,
}

fn get<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn url_field(fields: &Fields, name: &str) -> Result<Option<Url>> {
    get(fields, name).map(|v| validate::url(v).map_err(|m| Error::invalid(name, m))).transpose()
}

/// The JWT of a JWT bearer grant: as the provider's fields say, or the profile's issuer,
/// subject, audience and claims.
fn bearer(template: &Template, fields: &Fields, token_url: &Url) -> Result<Bearer> {
    let required = |name: &str| get(fields, name).map(str::to_string).ok_or_else(|| Error::invalid(name, "is required"));
    if let Some(p) = template.rules().jwt_bearer(fields)? {
        return Ok(Bearer { issuer: p.issuer, subject: p.subject, audience: p.audience, claims: Default::default() });
    }
    let claims = match get(fields, "claims") {
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => return Err(Error::invalid("claims", "must be a JSON object, e.g. {\"scope\": \"api\"}")),
        },
        None => Default::default(),
    };
    Ok(Bearer {
        issuer: required("issuer")?,
        subject: required("subject")?,
        audience: get(fields, "audience").map(str::to_string).unwrap_or_else(|| token_url.to_string()),
        claims,
    })
}

impl FlowConfig {
    pub fn new(template: &'static Template, fields: &Fields) -> Result<Self> {
        let rules = template.rules();
        let (token_url, authorize_url, revoke_default, introspect_default) =
            match rules.endpoints(fields, template.flow == Flow::ClientCredentials)? {
                Some(e) => (e.token, Some(e.authorize), Some(e.revoke), Some(e.introspect)),
                None => {
                    let token = url_field(fields, "token_url")?.ok_or_else(|| Error::invalid("token_url", "Token URL is required"))?;
                    (token, url_field(fields, "authorize_url")?, None, None)
                }
            };
        if template.flow == Flow::ClientCredentials {
            providers::check_client_credentials_token_url(&token_url).map_err(|m| Error::invalid("token_url", m))?;
        }
        let params = |name: &str| -> Result<Vec<(String, String)>> {
            get(fields, name).map(|v| validate::params(v).map_err(|m| Error::invalid(name, m))).transpose().map(Option::unwrap_or_default)
        };
        let mut token_params = Vec::new();
        // For a JWT bearer grant the audience is the JWT's, not a request parameter.
        let param_names: &[&str] = if template.flow == Flow::JwtBearer { &["resource"] } else { &["audience", "resource"] };
        for name in param_names.iter().copied() {
            if let Some(v) = get(fields, name) {
                token_params.push((name.to_string(), v.to_string()));
            }
        }
        token_params.extend(params("extra_params")?);
        let named = |v: &str| {
            ClientAuth::NAMES
                .iter()
                .find(|(name, _)| *name == v)
                .map(|(_, a)| *a)
                .ok_or_else(|| Error::invalid("client_auth", format!("'{v}' is not a client authentication method")))
        };
        let client_auth = match get(fields, "client_auth") {
            Some(v) => named(v)?,
            // The JWT bearer grant carries its own proof.
            None if template.flow == Flow::JwtBearer => ClientAuth::None,
            None => rules.client_auth().map(named).transpose()?.unwrap_or(ClientAuth::Basic),
        };
        let algorithm = match rules.assertion_algorithm() {
            Some(a) => Some(a),
            None => get(fields, "algorithm").map(|a| Algorithm::parse("algorithm", a)).transpose()?,
        };
        let bearer = match template.flow {
            Flow::JwtBearer => Some(bearer(template, fields, &token_url)?),
            _ => None,
        };
        let timeout = match get(fields, "timeout") {
            Some(v) => v.parse::<u64>().map_err(|_| Error::invalid("timeout", format!("'{v}' is not a number of seconds")))?,
            None => 30,
        };
        Ok(FlowConfig {
            template,
            // A JWT bearer profile's client is its issuer unless it names another.
            client_id: get(fields, "client_id")
                .or_else(|| get(fields, "issuer").filter(|_| template.flow == Flow::JwtBearer))
                .ok_or_else(|| Error::invalid("client_id", "is required"))?
                .to_string(),
            token_url,
            authorize_url,
            revoke_url: url_field(fields, "revoke_url")?.or(revoke_default),
            introspect_url: url_field(fields, "introspect_url")?.or(introspect_default),
            test_url: url_field(fields, "test_url")?,
            test_method: get(fields, "test_method").unwrap_or("GET").to_string(),
            default_params: params("default_params")?,
            scopes: get(fields, "scopes").map(str::to_string),
            token_params,
            client_auth,
            body: if get(fields, "token_body") == Some("json") { BodyFormat::Json } else { BodyFormat::Form },
            token_field: get(fields, "token_field").unwrap_or("access_token").to_string(),
            allowed_hosts: get(fields, "allowed_hosts").map(|v| validate::hosts(v).unwrap_or_default()).unwrap_or_default(),
            timeout: Duration::from_secs(timeout.clamp(1, 600)),
            pkce: get(fields, "pkce") != Some("false"),
            redirect_port: get(fields, "redirect_port").and_then(|p| p.parse().ok()).unwrap_or(0),
            redirect_path: get(fields, "redirect_path").unwrap_or("/callback").to_string(),
            algorithm,
            bearer,
            device_authorization_url: url_field(fields, "device_authorization_url")?,
            username: get(fields, "username").map(str::to_string),
            key: None,
            previous_key: None,
            ca: None,
            confirmed: Default::default(),
        })
    }

    /// The rules of the profile's provider.
    pub fn rules(&self) -> &'static dyn Rules {
        self.template.rules()
    }

    /// The places the fields say may receive the token: the explicit list, or else the token
    /// URL's and the test URL's hosts with their ports. Which of them may really receive it
    /// is the gate's to say (`gate::resource_hosts`): only those a person confirmed.
    pub fn allowed(&self) -> Vec<String> {
        if !self.allowed_hosts.is_empty() {
            return self.allowed_hosts.clone();
        }
        let mut out: Vec<String> = [Some(&self.token_url), self.test_url.as_ref()].into_iter().flatten().filter_map(host_port).collect();
        out.dedup();
        out
    }
}

/// `host:port` of a URL (the scheme's port when none is written), host in lowercase.
fn host_port(u: &Url) -> Option<String> {
    let host = u.host_str()?.to_ascii_lowercase();
    Some(format!("{host}:{}", u.port_or_known_default()?))
}

/// Whether a URL may receive the token, by the allowed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    Yes,
    /// No entry names the host.
    NotTheHost,
    /// An entry names the host, but on another port.
    NotThePort,
}

/// Checks `url` against `allowed`: `host` (any port), `host:port`, `*.domain` (its
/// subdomains, any port) or `*.domain:port`.
pub fn origin_allowed(url: &Url, allowed: &[String]) -> Allowed {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = url.port_or_known_default();
    let mut host_seen = false;
    for entry in allowed {
        let (pattern, entry_port) = split_port(entry);
        let host_matches = match pattern.strip_prefix("*.") {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => pattern == host,
        };
        if host_matches {
            host_seen = true;
            if entry_port.is_none() || entry_port == port {
                return Allowed::Yes;
            }
        }
    }
    if host_seen {
        Allowed::NotThePort
    } else {
        Allowed::NotTheHost
    }
}

/// `host:443` → (`host`, 443); `[::1]:9` → (`[::1]`, 9), as URLs write IPv6 hosts;
/// `host`, `[::1]` → no port.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if entry.starts_with('[') {
        if let Some((host, after)) = entry.find(']').and_then(|end| entry.split_at_checked(end + 1)) {
            return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template;

    fn cfg(template: &str, pairs: &[(&str, &str)]) -> Result<FlowConfig> {
        let fields: Fields = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        FlowConfig::new(template::find(template).unwrap(), &fields)
    }

    #[test]
    fn salesforce_urls_are_derived_from_my_domain() {
        let c = cfg("salesforce-client-credentials", &[("my_domain", "https://acme.my.salesforce.com"), ("client_id", "k")]).unwrap();
        assert_eq!(c.token_url.as_str(), "https://acme.my.salesforce.com/services/oauth2/token");
        assert_eq!(c.introspect_url.unwrap().as_str(), "https://acme.my.salesforce.com/services/oauth2/introspect");
        assert_eq!(c.client_auth, ClientAuth::Post);
        let sandbox = cfg("salesforce-authorization-code", &[("environment", "sandbox"), ("client_id", "k")]).unwrap();
        assert_eq!(sandbox.authorize_url.unwrap().as_str(), "https://test.salesforce.com/services/oauth2/authorize");
    }

    #[test]
    fn a_salesforce_login_host_as_token_url_is_flagged_with_the_fix() {
        let e = cfg("client-credentials", &[("token_url", "https://login.salesforce.com/services/oauth2/token"), ("client_id", "k")])
            .unwrap_err();
        assert_eq!(e.field(), Some("token_url"));
        assert!(e.to_string().contains("My Domain"), "{e}");
        let e = cfg("client-credentials", &[("token_url", "https://acme.lightning.force.com/services/oauth2/token"), ("client_id", "k")])
            .unwrap_err();
        assert!(e.to_string().contains("use https://acme.my.salesforce.com/services/oauth2/token"), "{e}");
    }

    #[test]
    fn allowed_hosts_default_to_the_token_and_test_hosts() {
        let c = cfg(
            "client-credentials",
            &[("token_url", "https://auth.example.com/t"), ("client_id", "k"), ("test_url", "https://api.example.com/me")],
        )
        .unwrap();
        assert_eq!(c.allowed(), ["auth.example.com:443", "api.example.com:443"]);
        let url = |s: &str| Url::parse(s).unwrap();
        let allowed = c.allowed();
        assert_eq!(origin_allowed(&url("https://API.example.com/x"), &allowed), Allowed::Yes);
        assert_eq!(origin_allowed(&url("https://api.example.com:8443/x"), &allowed), Allowed::NotThePort);
        assert_eq!(origin_allowed(&url("http://api.example.com/x"), &allowed), Allowed::NotThePort, "port 80 is another place");
        assert_eq!(origin_allowed(&url("https://evil.example.net/"), &allowed), Allowed::NotTheHost);
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(origin_allowed(&url("https://eu.api.example.org/"), &list(&["*.example.org"])), Allowed::Yes);
        assert_eq!(origin_allowed(&url("https://example.org/"), &list(&["*.example.org"])), Allowed::NotTheHost);
        assert_eq!(origin_allowed(&url("https://badexample.org/"), &list(&["*.example.org"])), Allowed::NotTheHost);
        assert_eq!(origin_allowed(&url("http://127.0.0.1:9/"), &list(&["127.0.0.1:9"])), Allowed::Yes);
        assert_eq!(origin_allowed(&url("http://127.0.0.1:10/"), &list(&["127.0.0.1:9"])), Allowed::NotThePort);
        assert_eq!(origin_allowed(&url("http://[::1]:9/"), &list(&["[::1]:9"])), Allowed::Yes);
        assert_eq!(origin_allowed(&url("https://a.example.org:444/"), &list(&["*.example.org:444"])), Allowed::Yes);
    }
}
