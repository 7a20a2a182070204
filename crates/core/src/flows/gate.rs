//! The one way a credential leaves the process. Every request that carries one (a client
//! secret or assertion, the TLS client certificate, an access, refresh or device code, an
//! authorization code, a password) is sent by [`send`], which checks the destination against
//! the origins a person confirmed for that profile and that kind of endpoint, and refuses
//! with nothing sent otherwise. The HTTP client that presents the profile's TLS identity is
//! built here and nowhere else; the rest of the crate reaches the network only through
//! [`super::http::Public`], which can attach nothing (clippy's `disallowed-methods` in
//! `clippy.toml` keeps `reqwest`'s request methods inside these two modules).
//!
//! What is confirmed is a [`Confirmed`] record the desk keeps with the profile: for each
//! [`Endpoint`], the origins (`scheme://host:port`) or, for the resource the test call
//! reaches, the allowed host entries (`host`, `host:port`, `*.domain`). A profile's creation
//! confirms the endpoints it was created with; after that, a new or changed endpoint of any
//! kind is unconfirmed until a person confirms it (the command line's flag or prompt, the
//! window's native dialog). A flow configuration made from fields alone confirms nothing, so
//! a request made without the desk's record is refused too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::config::{origin_allowed, Allowed, FlowConfig};
use super::http;
use crate::error::{Error, Need, Result};
use crate::model::Stage;

/// A kind of endpoint a credential is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Endpoint {
    /// The token endpoint: every grant, the client's authentication, refresh tokens.
    Token,
    /// RFC 8628 §3.1: the client's authentication.
    DeviceAuthorization,
    /// RFC 7009: the client's authentication and the token revoked.
    Revocation,
    /// RFC 7662: the client's authentication and the token asked about.
    Introspection,
    /// The API the test call reaches with the access token (its allowed hosts).
    Resource,
}

impl Endpoint {
    pub const ALL: [Endpoint; 5] =
        [Endpoint::Token, Endpoint::DeviceAuthorization, Endpoint::Revocation, Endpoint::Introspection, Endpoint::Resource];

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Token => "token URL",
            Endpoint::DeviceAuthorization => "device authorization URL",
            Endpoint::Revocation => "revocation URL",
            Endpoint::Introspection => "introspection URL",
            Endpoint::Resource => "test call's hosts",
        }
    }

    /// The credentials that go there, in words.
    pub fn carries(self) -> &'static str {
        match self {
            Endpoint::Token => "the client's credentials, refresh tokens and codes",
            Endpoint::DeviceAuthorization => "the client's credentials",
            Endpoint::Revocation => "the client's credentials and the tokens to revoke",
            Endpoint::Introspection => "the client's credentials and the access token",
            Endpoint::Resource => "the access token",
        }
    }

    fn stage(self) -> Stage {
        match self {
            Endpoint::Token => Stage::Token,
            Endpoint::DeviceAuthorization => Stage::Authorize,
            Endpoint::Revocation => Stage::Revoke,
            Endpoint::Introspection => Stage::Introspect,
            Endpoint::Resource => Stage::Test,
        }
    }
}

/// The destinations a person confirmed for one profile, by kind of endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    /// The profile they belong to (named in refusals).
    #[serde(skip)]
    pub handle: String,
    #[serde(flatten)]
    pub origins: BTreeMap<Endpoint, Vec<String>>,
}

/// One destination that is not confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Change {
    pub endpoint: Endpoint,
    /// The origin (or, for the resource, the host entry) the fields name now.
    pub destination: String,
    /// What was confirmed for that kind before (empty: nothing).
    pub confirmed: Vec<String>,
}

impl Change {
    /// The change in words.
    pub fn describe(&self) -> String {
        let before = if self.confirmed.is_empty() {
            "nothing was confirmed there before".to_string()
        } else {
            format!("confirmed: {}", self.confirmed.join(", "))
        };
        format!("the {} now names {} ({before}); it would receive {}", self.endpoint.label(), self.destination, self.endpoint.carries())
    }
}

/// `scheme://host:port` of a URL.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The destinations a flow configuration names, by kind (what a confirmation confirms).
pub fn current(cfg: &FlowConfig) -> BTreeMap<Endpoint, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut one = |e: Endpoint, url: Option<&Url>| {
        if let Some(u) = url {
            out.insert(e, vec![origin(u)]);
        }
    };
    one(Endpoint::Token, Some(&cfg.token_url));
    one(Endpoint::DeviceAuthorization, cfg.device_authorization_url.as_ref());
    one(Endpoint::Revocation, cfg.revoke_url.as_ref());
    one(Endpoint::Introspection, cfg.introspect_url.as_ref());
    let resource = cfg.allowed();
    if !resource.is_empty() {
        out.insert(Endpoint::Resource, resource);
    }
    out
}

impl Confirmed {
    /// Everything `cfg` names, confirmed (a profile's creation, a person's confirmation).
    pub fn all_of(handle: &str, cfg: &FlowConfig) -> Self {
        Confirmed { handle: handle.to_string(), origins: current(cfg) }
    }

    /// What `cfg` names that is not confirmed, in a stable order.
    pub fn unconfirmed(&self, cfg: &FlowConfig) -> Vec<Change> {
        let mut out = Vec::new();
        for (endpoint, destinations) in current(cfg) {
            let confirmed = self.origins.get(&endpoint).cloned().unwrap_or_default();
            for d in destinations {
                if !confirmed.contains(&d) {
                    out.push(Change { endpoint, destination: d, confirmed: confirmed.clone() });
                }
            }
        }
        out
    }

    /// Adds the destinations of `changes` (a person confirmed exactly these).
    pub fn confirm(&mut self, changes: &[Change]) {
        for c in changes {
            let list = self.origins.entry(c.endpoint).or_default();
            if !list.contains(&c.destination) {
                list.push(c.destination.clone());
            }
        }
    }

    /// The record as stored (JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.origins).unwrap_or_else(|_| "{}".into())
    }

    /// The record from its stored JSON; a record that does not read confirms nothing.
    pub fn from_json(handle: &str, text: &str) -> Self {
        let origins = serde_json::from_str(text).unwrap_or_default();
        Confirmed { handle: handle.to_string(), origins }
    }
}

/// The hosts the access token may reach from the test call: the configuration's allowed
/// hosts that are confirmed, and, where the provider documents it, the `instance_url` of
/// its token response when its rules let it widen them (one of the provider's own hosts
/// over `https`). Nothing a token response says widens any other profile's hosts.
pub fn resource_hosts(cfg: &FlowConfig, instance: Option<&Url>) -> Vec<String> {
    let confirmed = cfg.confirmed.origins.get(&Endpoint::Resource).cloned().unwrap_or_default();
    let instance = instance.filter(|u| cfg.rules().instance_widens(u));
    let mut hosts: Vec<String> = cfg.allowed().into_iter().filter(|h| confirmed.contains(h)).collect();
    if let Some(host) = instance.and_then(|u| u.host_str()) {
        let entry = format!("{}:443", host.to_ascii_lowercase());
        if !hosts.contains(&entry) {
            hosts.push(entry);
        }
    }
    hosts
}

/// Whether a credential for `endpoint` may go to `url`; the refusal says what and where.
pub fn check(cfg: &FlowConfig, endpoint: Endpoint, url: &Url, instance: Option<&Url>) -> Result<()> {
    let web = matches!(url.scheme(), "https" | "http");
    let permitted = web
        && match endpoint {
            Endpoint::Resource => origin_allowed(url, &resource_hosts(cfg, instance)) == Allowed::Yes,
            other => cfg.confirmed.origins.get(&other).is_some_and(|list| list.contains(&origin(url))),
        };
    if permitted {
        return Ok(());
    }
    let handle = &cfg.confirmed.handle;
    let destination = match endpoint {
        Endpoint::Resource => match (url.host_str(), url.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{}:{p}", h.to_ascii_lowercase()),
            _ => origin(url),
        },
        _ => origin(url),
    };
    Err(Error::not_ready(
        handle,
        Need::ConfirmOrigin,
        format!(
            "{}: {destination} is not confirmed as the {} of '{handle}': nothing was sent there ({} stay here)",
            endpoint.stage(),
            endpoint.label(),
            endpoint.carries()
        ),
    ))
}

/// A request that carries a credential.
pub struct Outbound<'a> {
    pub endpoint: Endpoint,
    /// The stage a transport failure is reported as.
    pub stage: Stage,
    pub method: reqwest::Method,
    pub url: &'a Url,
    pub headers: &'a [(String, String)],
    pub body: Option<String>,
    /// For the resource: the `instance_url` of the token response, when there is one.
    pub instance: Option<&'a Url>,
}

/// Sends `out` once its destination is confirmed for its kind of endpoint; presents the
/// profile's TLS identity when it authenticates with mutual TLS. Redirects are never
/// followed here: a caller that follows one (the test call) sends the next hop through this
/// function again.
#[allow(clippy::disallowed_methods)] // the one place credentials are sent
pub async fn send(cfg: &FlowConfig, out: Outbound<'_>) -> Result<reqwest::Response> {
    check(cfg, out.endpoint, out.url, out.instance)?;
    let client = client(cfg, out.url)?;
    let mut req = client.request(out.method, out.url.clone());
    for (k, v) in out.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    if let Some(body) = out.body {
        req = req.body(body);
    }
    req.send().await.map_err(|e| http::transport_error(e, out.stage, out.url, cfg.timeout))
}

/// The client for a credential's request: the profile's TLS identity for mutual TLS over
/// `https`, else the shared client for the profile's settings.
#[allow(clippy::disallowed_methods)]
fn client(cfg: &FlowConfig, url: &Url) -> Result<reqwest::Client> {
    if !(url.scheme() == "https" && cfg.client_auth.uses_tls() && cfg.key.is_some()) {
        return http::client_for(cfg, url);
    }
    let setup = |e: String| Error::Network { stage: Stage::Token, host: url.host_str().unwrap_or_default().to_string(), detail: e };
    let key = cfg.key.as_ref().ok_or_else(|| setup("mutual TLS needs the profile's key".into()))?;
    let cert = key.cert.as_deref().ok_or_else(|| setup("mutual TLS needs the profile's certificate, and it has only a key".into()))?;
    let pem = zeroize::Zeroizing::new(format!("{}\n{cert}", key.key.expose()));
    let identity = reqwest::Identity::from_pem(pem.as_bytes())
        .map_err(|e| setup(format!("the profile's key and certificate cannot be used for TLS: {e}")))?;
    http::builder(cfg, url)?.identity(identity).build().map_err(|e| setup(format!("cannot set up HTTP: {e}")))
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
