//! Providers with rules of their own. Most of a profile is plain OAuth 2.0, spelled out in
//! its fields; where a provider decides something itself (where its endpoints are, how its
//! client authenticates, which hosts may receive its tokens, what its default test call is,
//! where its certificate is uploaded), that rule lives in the provider's module here, as an
//! implementation of [`Rules`], and nowhere else. A template names its provider (its
//! `provider` field); the rest of the core asks the template's [`Rules`] for a fact instead
//! of testing names, and the window receives the facts it needs as [`ProviderFacts`] on the
//! template.
//!
//! A template without a provider follows [`Generic`]: every default of [`Rules`].

pub mod lifetimes;
pub mod salesforce;

use serde::Serialize;
use ts_rs::TS;
use url::Url;

use crate::error::{Error, Result};
use crate::model::Fields;
use crate::pki::{Algorithm, KeyType};

/// A provider with rules of its own; the word is also its id in the knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProviderId {
    Salesforce,
}

impl ProviderId {
    pub const ALL: [ProviderId; 1] = [ProviderId::Salesforce];

    /// Its id, as the contract and the knowledge base write it.
    pub fn id(self) -> &'static str {
        match self {
            ProviderId::Salesforce => "salesforce",
        }
    }

    /// The provider with this id, when it has rules of its own.
    pub fn find(id: &str) -> Option<ProviderId> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    pub fn rules(self) -> &'static dyn Rules {
        match self {
            ProviderId::Salesforce => &salesforce::Salesforce,
        }
    }
}

/// The rules of a template's provider; a template without one follows [`Generic`].
pub fn rules(provider: Option<ProviderId>) -> &'static dyn Rules {
    provider.map_or(&Generic, ProviderId::rules)
}

/// Plain OAuth 2.0: every endpoint, the client authentication and the test call come from
/// the profile's fields.
pub struct Generic;

impl Rules for Generic {}

/// A provider's endpoints, derived from the profile's fields.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub token: Url,
    pub authorize: Url,
    pub revoke: Url,
    pub introspect: Url,
}

/// Who a JWT bearer grant's JWT is from, whom it is about and whom it is for.
#[derive(Debug, Clone)]
pub struct Parties {
    pub issuer: String,
    pub subject: String,
    pub audience: String,
}

/// A test call a provider's token response makes possible when the profile names no test
/// URL: a first call under the response's `instance_url`, and maybe one more, found in the
/// first one's answer.
#[derive(Clone, Copy)]
pub struct DefaultTest {
    /// The first call's path under the instance URL.
    pub first: &'static str,
    /// The next call, from the instance URL and the first call's answer; `None`: the first
    /// answer is the result.
    pub next: fn(instance: &Url, first_answer: &str) -> Option<Url>,
}

/// What Diagnose adds for a provider where its fix differs from the generic one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints {
    /// The finding (an id in `knowledge/findings.json`) when the token URL answers with a
    /// web page or "not found".
    pub token_url: Option<&'static str>,
    /// The finding when the token URL redirects.
    pub redirect: Option<&'static str>,
    /// The finding when the test call is refused (HTTP 403) after a good token.
    pub forbidden: Option<&'static str>,
}

/// What the window shows of a template's provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProviderFacts {
    /// The kinds of key the provider verifies signatures with: what Keys offers to make.
    pub key_types: Vec<KeyType>,
    /// Where the profile's certificate is uploaded, in the provider's console.
    pub upload_steps: String,
}

/// Where the certificate goes for a provider without steps of its own: the common consoles.
const GENERIC_UPLOAD_STEPS: &str = "Microsoft Entra ID: App registrations → your app → Certificates & secrets → Certificates → Upload certificate. Okta and Auth0 take the public JWK instead (Copy public JWK).";

/// A provider's rules. Every method has the plain OAuth 2.0 answer as its default, so a
/// provider states only where it differs.
pub trait Rules: Sync {
    /// The field holding the base URL the provider's endpoints hang from (`None`: the
    /// profile names each endpoint itself).
    fn base_field(&self) -> Option<&'static str> {
        None
    }

    /// Checks the base URL a profile gives ([`Rules::base_field`]) and returns it as
    /// stored. `client_credentials`: the profile uses the client-credentials grant.
    fn check_base(&self, url: &Url, _client_credentials: bool) -> std::result::Result<String, String> {
        Ok(url.to_string())
    }

    /// The endpoints the profile's fields stand for; `None`: the fields name them.
    fn endpoints(&self, _fields: &Fields, _client_credentials: bool) -> Result<Option<Endpoints>> {
        Ok(None)
    }

    /// The client authentication used when the profile names none, as the `client_auth`
    /// field writes it (`None`: HTTP Basic, as RFC 6749 §2.3.1 prefers).
    fn client_auth(&self) -> Option<&'static str> {
        None
    }

    /// The one algorithm the provider verifies assertions with, whatever the profile says.
    fn assertion_algorithm(&self) -> Option<Algorithm> {
        None
    }

    /// Who a JWT bearer grant's JWT is from, about and for, when the provider's fields say
    /// it (`None`: the profile's issuer, subject and audience fields).
    fn jwt_bearer(&self, _fields: &Fields) -> Result<Option<Parties>> {
        Ok(None)
    }

    /// Refuses `host` as the token URL of any client-credentials profile when it is one of
    /// the provider's hosts that never issues such tokens; the error proposes the fix.
    fn check_client_credentials_host(&self, _host: &str) -> std::result::Result<(), String> {
        Ok(())
    }

    /// The domains of the provider's own hosts (their subdomains, not the domains alone).
    fn own_domains(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether a token response's `instance_url` may receive the token from the test call:
    /// only where the provider documents one, on its own hosts, over `https`.
    fn instance_widens(&self, instance: &Url) -> bool {
        instance.scheme() == "https" && instance.host_str().is_some_and(|h| is_under(h, self.own_domains()))
    }

    /// The test call made when the profile names no test URL (`None`: no test call).
    fn default_test(&self) -> Option<DefaultTest> {
        None
    }

    /// What a redirect from the token URL means for this provider, added to the error.
    fn redirect_note(&self) -> Option<&'static str> {
        None
    }

    /// How long the provider's tokens last when it sends no expiry with them and cannot be
    /// asked (a client without a secret cannot call its introspection endpoint), in words.
    fn unsent_expiry(&self) -> Option<&'static str> {
        None
    }

    /// Diagnose's provider-specific fixes.
    fn hints(&self) -> Hints {
        Hints::default()
    }

    /// Where the profile's certificate is uploaded.
    fn upload_steps(&self) -> &'static str {
        GENERIC_UPLOAD_STEPS
    }

    /// What the window shows: the kinds of key the provider takes (those of its one
    /// algorithm, or all) and where the certificate goes.
    fn facts(&self) -> ProviderFacts {
        let key_types = match self.assertion_algorithm() {
            Some(a) => vec![a.key_type()],
            None => vec![KeyType::Rsa, KeyType::P256],
        };
        ProviderFacts { key_types, upload_steps: self.upload_steps().to_string() }
    }
}

/// Refuses a client-credentials token URL on a host some provider says never issues such
/// tokens. Applies to every profile: a generic one pointed at such a host fails the same way.
pub fn check_client_credentials_token_url(url: &Url) -> std::result::Result<(), String> {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    ProviderId::ALL.iter().try_for_each(|p| p.rules().check_client_credentials_host(&host))
}

/// Whether `host` is a subdomain of one of `domains` (not a domain itself, nor a host that
/// merely ends with its letters).
pub fn is_under(host: &str, domains: &[&str]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    domains.iter().any(|d| host.strip_suffix(d).is_some_and(|rest| rest.ends_with('.') && rest.len() > 1))
}

/// A field's value, `None` when blank.
fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

/// A field the rule needs.
fn required(fields: &Fields, name: &str) -> Result<String> {
    field(fields, name).map(str::to_string).ok_or_else(|| Error::invalid(name, "is required"))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
