//! Discovery: an issuer's metadata from `/.well-known/openid-configuration` or, per RFC 8414,
//! `/.well-known/oauth-authorization-server`, checked against the issuer asked for, and
//! compared with what a profile asks for (client authentication, PKCE).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use url::Url;

use super::http;
use crate::error::{AnswerKind, Error, Result};
use crate::model::{ClientAuth, Fields, Stage};
use crate::template::Template;
use crate::validate;

/// What an issuer publishes about itself, and where it disagrees with a profile.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Discovery {
    pub issuer: String,
    /// The document that answered.
    pub source: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    /// RFC 8705 §5: the endpoints a client that authenticates with mutual TLS must use.
    pub mtls_endpoint_aliases: Option<MtlsAliases>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub scopes_supported: Vec<String>,
    pub warnings: Vec<String>,
}

/// The mutual-TLS aliases of the endpoints (RFC 8705 §5).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MtlsAliases {
    pub token_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// The two well-known locations for `issuer`, OpenID Connect's first.
fn locations(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut oidc = issuer.clone();
    oidc.set_path(&format!("{path}/.well-known/openid-configuration"));
    let mut oauth = issuer.clone();
    oauth.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    vec![oidc, oauth]
}

/// Fetches and checks an issuer's metadata.
#[tracing::instrument(err(level = "info"))]
pub async fn discover(issuer: &str) -> Result<Discovery> {
    let issuer_url = validate::url(issuer.trim()).map_err(|m| Error::invalid("issuer", m))?;
    let mut tried = Vec::new();
    for url in locations(&issuer_url) {
        let resp = http::fetch(None, std::time::Duration::from_secs(30), &url, Some("application/json"), Stage::Discovery).await?;
        let status = resp.status().as_u16();
        if status != 200 {
            tried.push(format!("{url} (HTTP {status})"));
            continue;
        }
        let (body, _) = http::read_capped(resp, http::TOKEN_BODY_CAP)
            .await
            .map_err(|e| http::transport_error(e, Stage::Discovery, &url, std::time::Duration::from_secs(30)))?;
        let json: Value = serde_json::from_slice(&body).map_err(|_| Error::BadResponse {
            stage: Stage::Discovery,
            status: Some(status),
            kind: AnswerKind::NotJson,
            message: format!("{url} is not a JSON metadata document"),
        })?;
        let published = json.get("issuer").and_then(Value::as_str).unwrap_or_default().to_string();
        if published.trim_end_matches('/') != issuer.trim().trim_end_matches('/') {
            return Err(Error::BadResponse {
                stage: Stage::Discovery,
                status: Some(status),
                kind: AnswerKind::Unusable,
                message: format!("{url} names the issuer '{published}', not '{issuer}'; use the issuer it names, or check the URL"),
            });
        }
        let s = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_string);
        return Ok(Discovery {
            issuer: published,
            source: url.to_string(),
            authorization_endpoint: s("authorization_endpoint"),
            token_endpoint: s("token_endpoint"),
            revocation_endpoint: s("revocation_endpoint"),
            introspection_endpoint: s("introspection_endpoint"),
            userinfo_endpoint: s("userinfo_endpoint"),
            device_authorization_endpoint: s("device_authorization_endpoint"),
            mtls_endpoint_aliases: json.get("mtls_endpoint_aliases").filter(|v| v.is_object()).map(|a| {
                let s = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
                MtlsAliases {
                    token_endpoint: s("token_endpoint"),
                    revocation_endpoint: s("revocation_endpoint"),
                    introspection_endpoint: s("introspection_endpoint"),
                    device_authorization_endpoint: s("device_authorization_endpoint"),
                }
            }),
            token_endpoint_auth_methods_supported: strings(&json, "token_endpoint_auth_methods_supported"),
            code_challenge_methods_supported: strings(&json, "code_challenge_methods_supported"),
            grant_types_supported: strings(&json, "grant_types_supported"),
            scopes_supported: strings(&json, "scopes_supported"),
            warnings: Vec::new(),
        });
    }
    Err(Error::BadResponse {
        stage: Stage::Discovery,
        status: None,
        kind: AnswerKind::Status,
        message: format!("no metadata found at {}", tried.join(" or ")),
    })
}

/// What the metadata suggests for a profile's form, and the metadata itself.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Suggestion {
    pub discovery: Discovery,
    /// Field name → value: the fields of the profile's template the metadata fills.
    pub fields: Fields,
}

impl Discovery {
    /// The fields this metadata fills for a profile of `template` whose fields are now
    /// `fields`: the endpoint URLs the template has (their mutual-TLS aliases for a client
    /// that authenticates with mutual TLS, RFC 8705 §5), and the userinfo endpoint as the
    /// test URL when there is none. What the window's form fills and what `discover --apply`
    /// saves are both this. A `public` client (one with no secret) that would prove itself
    /// with a secret is set to authenticate with none when the server lists that method.
    pub fn suggested_fields(&self, template: &Template, fields: &Fields, public: bool) -> Fields {
        // A field's value, or its template's default when blank.
        let value = |name: &str| {
            fields.get(name).filter(|v| !v.trim().is_empty()).cloned().or_else(|| template.field(name).and_then(|f| f.default.clone()))
        };
        let mtls = value("client_auth").and_then(|v| ClientAuth::NAMES.iter().find(|(n, _)| *n == v).map(|(_, a)| a.uses_tls()));
        let aliases = self.mtls_endpoint_aliases.clone().filter(|_| mtls == Some(true)).unwrap_or_default();
        let test_url = self.userinfo_endpoint.clone().filter(|_| value("test_url").is_none());
        let by_secret = value("client_auth").and_then(|v| ClientAuth::NAMES.iter().find(|(n, _)| *n == v).map(|(_, a)| a.uses_secret()));
        let lists_none = self.token_endpoint_auth_methods_supported.iter().any(|m| m == "none");
        let client_auth = (public && by_secret == Some(true) && lists_none).then(|| "none".to_string());
        [
            ("authorize_url", self.authorization_endpoint.clone()),
            ("token_url", aliases.token_endpoint.or_else(|| self.token_endpoint.clone())),
            ("revoke_url", aliases.revocation_endpoint.or_else(|| self.revocation_endpoint.clone())),
            ("introspect_url", aliases.introspection_endpoint.or_else(|| self.introspection_endpoint.clone())),
            ("device_authorization_url", aliases.device_authorization_endpoint.or_else(|| self.device_authorization_endpoint.clone())),
            ("test_url", test_url),
            ("client_auth", client_auth),
        ]
        .into_iter()
        .filter_map(|(name, v)| Some((name.to_string(), v.filter(|_| template.field(name).is_some())?)))
        .collect()
    }

    /// Adds warnings where a profile asks for what the server does not offer.
    pub fn compare(&mut self, client_auth: Option<&str>, pkce: bool, public: bool) {
        let method = match (public, client_auth) {
            (_, Some(m @ ("private_key_jwt" | "client_secret_jwt" | "tls_client_auth" | "self_signed_tls_client_auth" | "none"))) => m,
            (true, _) => "none",
            (false, Some("post")) => "client_secret_post",
            (false, _) => "client_secret_basic",
        };
        if !self.token_endpoint_auth_methods_supported.is_empty() && !self.token_endpoint_auth_methods_supported.iter().any(|m| m == method)
        {
            self.warnings.push(format!(
                "the profile authenticates with {method}, which the server does not list (it supports: {})",
                self.token_endpoint_auth_methods_supported.join(", ")
            ));
        }
        if pkce && !self.code_challenge_methods_supported.is_empty() && !self.code_challenge_methods_supported.iter().any(|m| m == "S256") {
            self.warnings.push(format!(
                "the profile uses PKCE S256, which the server does not list (it supports: {})",
                self.code_challenge_methods_supported.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_locations_follow_rfc_8414() {
        let l = locations(&Url::parse("https://auth.example.com/tenant1").unwrap());
        assert_eq!(l[0].as_str(), "https://auth.example.com/tenant1/.well-known/openid-configuration");
        assert_eq!(l[1].as_str(), "https://auth.example.com/.well-known/oauth-authorization-server/tenant1");
    }

    #[test]
    fn warnings_name_what_the_server_lacks() {
        let mut d = Discovery {
            issuer: "i".into(),
            source: "s".into(),
            authorization_endpoint: None,
            token_endpoint: None,
            revocation_endpoint: None,
            introspection_endpoint: None,
            userinfo_endpoint: None,
            device_authorization_endpoint: None,
            mtls_endpoint_aliases: None,
            token_endpoint_auth_methods_supported: vec!["client_secret_basic".into()],
            code_challenge_methods_supported: vec!["plain".into()],
            grant_types_supported: vec![],
            scopes_supported: vec![],
            warnings: vec![],
        };
        d.compare(Some("post"), true, false);
        assert_eq!(d.warnings.len(), 2, "{:?}", d.warnings);
        assert!(d.warnings[0].contains("client_secret_post"));
    }

    /// Every template with a client authentication, every method, listed or not, public or
    /// not: only a public client that would prove itself with a secret is switched, and only
    /// to "none", and only when the server lists it.
    #[test]
    fn a_public_client_is_set_to_authenticate_with_none_where_the_server_allows_it() {
        let lists: [&[&str]; 3] = [&[], &["client_secret_basic"], &["client_secret_basic", "none", "private_key_jwt"]];
        for t in crate::template::all().iter().filter(|t| t.field("client_auth").is_some()) {
            for list in lists {
                for (name, auth) in ClientAuth::NAMES {
                    for public in [false, true] {
                        let d = Discovery {
                            issuer: "i".into(),
                            source: "s".into(),
                            authorization_endpoint: None,
                            token_endpoint: None,
                            revocation_endpoint: None,
                            introspection_endpoint: None,
                            userinfo_endpoint: None,
                            device_authorization_endpoint: None,
                            mtls_endpoint_aliases: None,
                            token_endpoint_auth_methods_supported: list.iter().map(|m| m.to_string()).collect(),
                            code_challenge_methods_supported: vec![],
                            grant_types_supported: vec![],
                            scopes_supported: vec![],
                            warnings: vec![],
                        };
                        let fields: Fields = [("client_auth".to_string(), name.to_string())].into();
                        let got = d.suggested_fields(t, &fields, public);
                        let want = (public && auth.uses_secret() && list.contains(&"none")).then_some("none");
                        assert_eq!(got.get("client_auth").map(String::as_str), want, "{} {name} {list:?} public={public}", t.id);
                    }
                }
            }
        }
    }
}
