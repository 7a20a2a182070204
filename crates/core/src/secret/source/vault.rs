//! `vault://MOUNT/PATH#FIELD`: a field of a KV version 2 secret, read over the HTTP API of a
//! Vault-compatible server (HashiCorp Vault, OpenBao), set up as their own command lines
//! are: `VAULT_ADDR`; a token from `VAULT_TOKEN`, else an AppRole login with `VAULT_ROLE_ID`
//! and `VAULT_SECRET_ID`, else the file `~/.vault-token`; `VAULT_NAMESPACE`; `VAULT_CACERT`
//! (a PEM bundle trusted besides the system's roots).
//!
//! The vault's token is the environment's credential for the environment's vault: it goes
//! only to `VAULT_ADDR` (plain http only on this machine), redirects are never followed, and
//! a profile's credentials never travel this way (they leave through the flows' gate only).

use std::net::IpAddr;

use url::Url;

use super::{Reason, Reference, SourceError, MAX_ANSWER, VAULT_TIMEOUT};
use crate::secret::Secret;

type Vars<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// What reaching one vault needs: its address, namespace and CA file, as the settings say.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Setting {
    addr: String,
    namespace: Option<String>,
    ca: Option<String>,
}

/// What the reads of one [`sharing`] scope share with one vault: the HTTP client (so its
/// connections are reused) and the token an AppRole login gave, by role id (so a thousand
/// references are not a thousand logins, each making a token the vault keeps).
#[derive(Clone)]
struct Shared {
    client: reqwest::Client,
    login: Option<(String, Secret)>,
}

tokio::task_local! {
    static SHARED: std::sync::Mutex<std::collections::HashMap<Setting, Shared>>;
}

/// Runs `f` with its vault reads sharing a client and an AppRole login per vault, as Test
/// all's many profiles do. Both end with the scope (a run of a few seconds), so a login's
/// token is never kept past it; outside a scope every read makes its own.
pub async fn sharing<F: std::future::Future>(f: F) -> F::Output {
    SHARED.scope(Default::default(), f).await
}

fn shared(setting: &Setting) -> Option<Shared> {
    SHARED.try_with(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(setting).cloned()).ok().flatten()
}

fn share(setting: &Setting, update: impl FnOnce(&mut Option<Shared>)) {
    let _ = SHARED.try_with(|m| {
        let mut map = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut entry = map.remove(setting);
        update(&mut entry);
        if let Some(e) = entry {
            map.insert(setting.clone(), e);
        }
    });
}

/// How the vault is reached: its address, namespace, trusted CAs and token.
struct Vault {
    addr: Url,
    /// The address as messages say it: scheme, host and port (never a name or password).
    shown: String,
    namespace: Option<String>,
    client: reqwest::Client,
    setting: Setting,
}

/// The setting `name` (a `VAULT_…` name), else OpenBao's own spelling of it (`BAO_…`), as
/// OpenBao's command line reads both; blank counts as unset.
fn var(vars: Vars<'_>, name: &str) -> Option<String> {
    let read = |n: &str| vars(n).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    read(name).or_else(|| name.strip_prefix("VAULT_").and_then(|rest| read(&format!("BAO_{rest}"))))
}

fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl Vault {
    fn from_env(r: &Reference, vars: Vars<'_>) -> Result<Vault, SourceError> {
        let unset = |what: String| SourceError::new(r, Reason::NotConfigured, what);
        let addr = var(vars, "VAULT_ADDR").ok_or_else(|| unset("VAULT_ADDR (the vault's address) is not set".into()))?;
        let addr = Url::parse(&addr).map_err(|e| unset(format!("VAULT_ADDR is not a URL ({e})")))?;
        match addr.scheme() {
            "https" => {}
            "http" if is_loopback(&addr) => {}
            "http" => {
                return Err(unset(
                    "VAULT_ADDR uses plain http to another machine: the vault's token would cross the network unencrypted; use https"
                        .into(),
                ))
            }
            other => return Err(unset(format!("VAULT_ADDR's scheme is {other}, not https"))),
        }
        let setting = Setting { addr: addr.to_string(), namespace: var(vars, "VAULT_NAMESPACE"), ca: var(vars, "VAULT_CACERT") };
        let shown = addr.origin().ascii_serialization();
        if let Some(s) = shared(&setting) {
            return Ok(Vault { addr, shown, namespace: setting.namespace.clone(), client: s.client, setting });
        }
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(VAULT_TIMEOUT)
            .connect_timeout(VAULT_TIMEOUT.min(std::time::Duration::from_secs(5)))
            .user_agent(concat!("OAuthDesk/", env!("CARGO_PKG_VERSION")))
            .tls_built_in_root_certs(addr.scheme() == "https");
        if let Some(path) = var(vars, "VAULT_CACERT") {
            let bytes = super::local::read_bounded(r, std::path::Path::new(&path))
                .map_err(|e| unset(format!("VAULT_CACERT ({path}) cannot be read: {}", e.detail)))?;
            let certs = reqwest::Certificate::from_pem_bundle(&bytes)
                .map_err(|e| unset(format!("VAULT_CACERT ({path}) is not a PEM bundle of certificates ({e})")))?;
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        let client = builder.build().map_err(|e| SourceError::new(r, Reason::Failed, format!("no HTTP client: {e}")))?;
        share(&setting, |e| *e = Some(Shared { client: client.clone(), login: None }));
        Ok(Vault { addr, shown, namespace: setting.namespace.clone(), client, setting })
    }

    /// `VAULT_ADDR/v1/` followed by `segments`, each escaped.
    fn url(&self, segments: &[&str]) -> Url {
        let mut u = self.addr.clone();
        u.set_query(None);
        u.set_fragment(None);
        if let Ok(mut path) = u.path_segments_mut() {
            path.pop_if_empty().push("v1").extend(segments);
        }
        u
    }

    /// Sends `req` with the vault's headers. The one place this module sends: to the
    /// vault `VAULT_ADDR` names, with the vault's own token (see the module's doc).
    #[allow(clippy::disallowed_methods)] // the vault's own token, to the environment's vault only
    async fn send(&self, r: &Reference, req: reqwest::RequestBuilder, token: Option<&Secret>) -> Result<Answer, SourceError> {
        let mut req = req.header("X-Vault-Request", "true");
        if let Some(ns) = &self.namespace {
            req = req.header("X-Vault-Namespace", ns);
        }
        if let Some(t) = token {
            // Marked sensitive: no trace of the request prints it.
            let mut value = reqwest::header::HeaderValue::from_str(t.expose())
                .map_err(|_| SourceError::new(r, Reason::NotConfigured, "the vault token holds characters an HTTP header cannot carry"))?;
            value.set_sensitive(true);
            req = req.header("X-Vault-Token", value);
        }
        let mut resp = req.send().await.map_err(|e| transport(r, &self.shown, &e))?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_ANSWER {
                        zeroize::Zeroize::zeroize(&mut body);
                        return Err(SourceError::new(
                            r,
                            Reason::TooLarge,
                            format!("the vault at {} answered more than {} KiB", self.shown, MAX_ANSWER / 1024),
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(transport(r, &self.shown, &e)),
            }
        }
        let json = serde_json::from_slice::<serde_json::Value>(&body).unwrap_or(serde_json::Value::Null);
        zeroize::Zeroize::zeroize(&mut body);
        Ok(Answer { status, json })
    }

    /// An AppRole login: the token it gives.
    async fn login(&self, r: &Reference, role_id: &str, secret_id: Secret) -> Result<Secret, SourceError> {
        let body = serde_json::json!({ "role_id": role_id, "secret_id": secret_id.expose() }).to_string();
        let req = self.client.post(self.url(&["auth", "approle", "login"])).header("content-type", "application/json").body(body);
        let answer = self.send(r, req, None).await?;
        if let Some(e) = answer.common_failure(r, &self.shown) {
            return Err(e);
        }
        match answer.json.pointer("/auth/client_token").and_then(|t| t.as_str()) {
            Some(t) if answer.status == 200 => Ok(Secret::new(t)),
            _ => Err(SourceError::new(
                r,
                Reason::TokenInvalid,
                format!("the vault at {} refused the AppRole login ({})", self.shown, answer.errors()),
            )),
        }
    }

    /// The token: `VAULT_TOKEN`, else an AppRole login, else `~/.vault-token`.
    async fn token(&self, r: &Reference, vars: Vars<'_>) -> Result<Secret, SourceError> {
        if let Some(t) = var(vars, "VAULT_TOKEN") {
            return Ok(Secret::new(t));
        }
        if let (Some(role_id), Some(secret_id)) = (var(vars, "VAULT_ROLE_ID"), var(vars, "VAULT_SECRET_ID")) {
            if let Some((_, token)) = shared(&self.setting).and_then(|s| s.login).filter(|(id, _)| *id == role_id) {
                return Ok(token);
            }
            let token = self.login(r, &role_id, Secret::new(secret_id)).await?;
            share(&self.setting, |e| {
                if let Some(e) = e {
                    e.login = Some((role_id, token.clone()));
                }
            });
            return Ok(token);
        }
        let home = var(vars, "HOME").or_else(|| var(vars, "USERPROFILE"));
        if let Some(home) = home {
            let path = std::path::Path::new(&home).join(".vault-token");
            if path.exists() {
                let bytes = super::local::read_bounded(r, &path)?;
                let token = String::from_utf8_lossy(&bytes).trim().to_string();
                if !token.is_empty() {
                    return Ok(Secret::new(token));
                }
            }
        }
        Err(SourceError::new(
            r,
            Reason::NotConfigured,
            "no vault token: set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID for an AppRole login, or sign in to the vault so that .vault-token is written in the home folder",
        ))
    }
}

/// A vault's answer: its status and its JSON (null when it sent none).
struct Answer {
    status: u16,
    json: serde_json::Value,
}

impl Answer {
    /// The vault's `errors`, joined (never a value: a vault's errors name none).
    fn errors(&self) -> String {
        let list: Vec<&str> =
            self.json.get("errors").and_then(|e| e.as_array()).map(|a| a.iter().filter_map(|e| e.as_str()).collect()).unwrap_or_default();
        let text = list.join("; ").split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            format!("HTTP {}: {}", self.status, crate::model::text::preview(&text, 300))
        }
    }

    /// The failures any request can meet: sealed, unavailable, redirected.
    fn common_failure(&self, r: &Reference, addr: &str) -> Option<SourceError> {
        let errors = self.errors();
        if self.status == 503 && errors.to_lowercase().contains("sealed") {
            return Some(SourceError::new(r, Reason::Sealed, format!("the vault at {addr} is sealed")));
        }
        match self.status {
            300..=399 => Some(SourceError::new(
                r,
                Reason::Failed,
                format!("the vault at {addr} answered with a redirect ({errors}): point VAULT_ADDR at the active node"),
            )),
            500..=599 => Some(SourceError::new(r, Reason::Unreachable, format!("the vault at {addr} is unavailable ({errors})"))),
            _ => None,
        }
    }
}

fn transport(r: &Reference, addr: &str, e: &reqwest::Error) -> SourceError {
    if e.is_timeout() {
        return SourceError::new(
            r,
            Reason::Unreachable,
            format!("the vault at {addr} did not answer within {} s", VAULT_TIMEOUT.as_secs()),
        );
    }
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    SourceError::new(r, Reason::Unreachable, format!("cannot reach the vault at {addr}: {detail}"))
}

/// Reads `field` of the latest version of the KV v2 secret at `path` under `mount`.
pub(super) async fn read(r: &Reference, vars: Vars<'_>, mount: &str, path: &[String], field: &str) -> Result<String, SourceError> {
    let vault = Vault::from_env(r, vars)?;
    let token = vault.token(r, vars).await?;
    let mut segments = vec![mount, "data"];
    segments.extend(path.iter().map(String::as_str));
    let where_ = format!("{mount}/{}", path.join("/"));
    let answer = vault.send(r, vault.client.get(vault.url(&segments)), Some(&token)).await?;
    if let Some(e) = answer.common_failure(r, &vault.shown) {
        return Err(e);
    }
    match answer.status {
        200 => {}
        404 if answer.errors().contains("no handler for route") => {
            return Err(SourceError::new(
                r,
                Reason::NotFound,
                format!("no secrets engine is mounted at {mount} in the vault at {}", vault.shown),
            ))
        }
        404 => {
            return Err(SourceError::new(
                r,
                Reason::NotFound,
                format!("no secret at {where_} in the vault at {} (no such path)", vault.shown),
            ))
        }
        401 | 403 => {
            // Whether the token itself is refused, or only this path: the vault says the
            // same for both, so the token is looked up.
            let lookup = vault.send(r, vault.client.get(vault.url(&["auth", "token", "lookup-self"])), Some(&token)).await?;
            return Err(if lookup.status == 200 {
                SourceError::new(
                    r,
                    Reason::Denied,
                    format!("the vault at {} denies its token access to {where_} (permission denied)", vault.shown),
                )
            } else {
                SourceError::new(
                    r,
                    Reason::TokenInvalid,
                    format!("the vault at {} refused its token (expired, revoked or invalid)", vault.shown),
                )
            });
        }
        _ => return Err(SourceError::new(r, Reason::Failed, format!("the vault at {} answered {}", vault.shown, answer.errors()))),
    }
    let data = answer.json.pointer("/data/data");
    let Some(data) = data.and_then(|d| d.as_object()) else {
        return Err(SourceError::new(
            r,
            Reason::NotFound,
            format!("the latest version of {where_} is deleted, or {mount} is not a KV version 2 engine"),
        ));
    };
    match data.get(field) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => Ok(v.to_string()),
        Some(_) => Err(SourceError::new(r, Reason::Unusable, format!("the field {field} of {where_} is not text"))),
        None => {
            let mut names: Vec<&str> = data.keys().map(String::as_str).take(20).collect();
            names.sort_unstable();
            Err(SourceError::new(
                r,
                Reason::FieldMissing,
                format!("the secret at {where_} has no field {field} (its fields: {})", names.join(", ")),
            ))
        }
    }
}
