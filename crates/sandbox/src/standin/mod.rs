//! The test scenarios: what no real server on this machine can show, served in front of the
//! practice provider for OAuth Desk's own tests (the `standin` feature; the app never starts
//! them). Salesforce's exact token answers and error bodies, chosen by the Consumer Key
//! ([`salesforce`]); misbehaving endpoints: HTML pages, a server that never answers, a body
//! of many megabytes, redirects, odd lifetimes, failing gateways, a session revoked at once
//! ([`misbehaving`]); endpoints that echo the request back ([`echo`]); every knowledge-base
//! entry's documented answer at its own stage ([`knowledge`]); a provider that enforces the
//! lifecycle of refresh tokens (rotation, a per-user limit, idle expiry, a password change),
//! with a clock a test can move ([`lifecycle`]); and https, self-signed or with mutual TLS
//! ([`tls`]).
//!
//! Every path it does not serve itself goes to the practice provider on the same port. It
//! counts the requests each path receives ([`StandIn::hits`], `GET /__stats`), so a test can
//! prove that a cached token made no request.

mod echo;
mod knowledge;
mod lifecycle;
mod misbehaving;
mod salesforce;
mod tls;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tokio::sync::watch;

use crate::http::{self, Serve};
use crate::provider::Provider;
use crate::reply::{Reply, Req};
use crate::Error;

/// How the scenarios are served.
#[derive(Debug, Clone, Default)]
pub enum Tls {
    /// Plain http.
    #[default]
    None,
    /// https with this certificate (PEM) and key (PEM): a certificate no system trusts shows
    /// the "unknown authority" finding.
    Server { cert: String, key: String },
    /// https that asks for a client certificate and trusts those `ca` (PEM) issued (RFC 8705
    /// `tls_client_auth`: the certificate's common name is the client_id). `strict` refuses a
    /// handshake without a trusted client certificate; otherwise the token endpoint refuses.
    Mutual { cert: String, key: String, ca: String, strict: bool },
}

/// How to start the scenarios.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// 0 picks a free port.
    pub port: u16,
    pub tls: Tls,
    /// The certificates (PEM, any number) "uploaded" to the Salesforce app: a JWT bearer
    /// assertion is accepted when one of their keys signed it.
    pub salesforce_certs: String,
}

/// What the scenarios remember while they run.
#[derive(Default)]
struct State {
    /// Requests received, by path.
    stats: BTreeMap<String, u64>,
    /// Every token handed out (the APIs accept these).
    issued: HashSet<String>,
    /// The tokens of the session scenario, until they are all revoked.
    sessions: HashSet<String>,
}

/// The scenarios' side of a request: the port and scheme they serve and what they handed out.
pub(crate) struct Scenarios {
    port: u16,
    secure: bool,
    salesforce_certs: Vec<Vec<u8>>,
    state: Mutex<State>,
    lifecycle: Mutex<lifecycle::Books>,
    provider: Arc<Provider>,
}

/// Running scenarios; dropping it stops them.
pub struct StandIn {
    scenarios: Arc<Scenarios>,
    stop: watch::Sender<bool>,
}

impl StandIn {
    /// Starts listening (on the current tokio runtime) and returns once it does.
    pub async fn start(options: Options) -> Result<StandIn, Error> {
        let (listener, port) = crate::bind(options.port).await?;
        let secure = !matches!(options.tls, Tls::None);
        let scheme = if secure { "https" } else { "http" };
        let provider = Arc::new(Provider::new(format!("{scheme}://127.0.0.1:{port}"), 3600));
        let salesforce_certs = salesforce::public_keys(&options.salesforce_certs)?;
        let scenarios = Arc::new(Scenarios {
            port,
            secure,
            salesforce_certs,
            state: Mutex::new(State::default()),
            lifecycle: Mutex::default(),
            provider,
        });
        let (stop, stopped) = watch::channel(false);
        match tls::acceptor(&options.tls)? {
            None => drop(tokio::spawn(http::serve(listener, scenarios.clone(), stopped))),
            Some(tls) => drop(tokio::spawn(tls::serve(listener, tls, scenarios.clone(), stopped))),
        }
        Ok(StandIn { scenarios, stop })
    }

    pub fn port(&self) -> u16 {
        self.scenarios.port
    }

    /// How many requests `path` has received.
    pub fn hits(&self, path: &str) -> u64 {
        self.scenarios.state.lock().map(|s| s.stats.get(path).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// Ends every session of the session scenario, as an admin revoking them all would
    /// (`POST /session/revoke-all` does the same over HTTP).
    pub fn revoke_sessions(&self) {
        if let Ok(mut s) = self.scenarios.state.lock() {
            s.sessions.clear();
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

type Route = fn(&Scenarios, &Req) -> Option<Reply>;

/// The requests only the scenarios answer (methods and paths): the practice provider, and so
/// the app's sandbox, has none of them.
pub fn own_routes() -> Vec<(&'static str, String)> {
    let fixed = routes().filter(|(_, path, _)| crate::provider::route(path).is_none() && !path.starts_with("/.well-known/"));
    let mut all: Vec<(&'static str, String)> = fixed.map(|(method, path, _)| (method, path.to_string())).collect();
    all.push(("GET", "/__stats".into()));
    all.extend(lifecycle::ROUTES.iter().map(|(method, path)| (*method, path.to_string())));
    for entry in oauthdesk_core::knowledge_entries().iter().take(3) {
        all.extend(["authorize", "token", "me"].map(|e| ("GET", format!("/kb/{}/{e}", entry.id))));
    }
    all
}

/// Every fixed route: (method, path, answer).
fn routes() -> impl Iterator<Item = (&'static str, &'static str, Route)> {
    salesforce::ROUTES.iter().chain(misbehaving::ROUTES).chain(echo::ROUTES).copied()
}

impl Serve for Scenarios {
    fn answer(&self, req: &Req) -> Option<Reply> {
        if req.path == "/__stats" {
            let stats = self.state.lock().map(|s| s.stats.clone()).unwrap_or_default();
            return Some(Reply::json(200, serde_json::json!(stats)));
        }
        if let Ok(mut s) = self.state.lock() {
            *s.stats.entry(req.path.clone()).or_insert(0) += 1;
        }
        if let Some(reply) = knowledge::answer(self, req) {
            return Some(reply);
        }
        if let Some(reply) = lifecycle::answer(self, req) {
            return Some(reply);
        }
        match routes().find(|(method, path, _)| *method == req.method && *path == req.path) {
            Some((_, _, route)) => route(self, req),
            None => Some(self.provider.handle(req)),
        }
    }
}

impl Scenarios {
    /// `http://127.0.0.1:PORT` (https when served over TLS) followed by `path`.
    fn url(&self, path: &str) -> String {
        format!("{}://127.0.0.1:{}{path}", if self.secure { "https" } else { "http" }, self.port)
    }

    /// A new token starting with `prefix`, remembered as issued.
    fn token(&self, prefix: &str) -> String {
        let t = format!("{prefix}-{}", crate::grants::random(8));
        self.remember(&t);
        t
    }

    fn remember(&self, token: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.issued.insert(token.to_string());
        }
    }

    /// Whether the request carries `Bearer <a token handed out here>`.
    fn bearer_ok(&self, req: &Req) -> bool {
        req.header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|t| self.state.lock().is_ok_and(|s| s.issued.contains(t)))
    }
}

/// A JSON answer without the token endpoint's cache headers, as most servers send.
fn json(status: u16, body: serde_json::Value) -> Reply {
    raw(status, "application/json", body.to_string())
}

/// An RFC 6749 §5.2 error.
fn error(status: u16, error: &str, description: &str) -> Reply {
    json(status, serde_json::json!({ "error": error, "error_description": description }))
}

fn raw(status: u16, content_type: &str, body: String) -> Reply {
    Reply { status, headers: vec![("content-type".into(), content_type.into())], body }
}

/// The body's fields: JSON when it says so, else form-encoded; JSON values that are not
/// strings as their JSON text.
fn fields(req: &Req) -> BTreeMap<String, String> {
    if req.header("content-type").unwrap_or_default().contains("application/json") {
        let value: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
        let object = value.as_object().cloned().unwrap_or_default();
        return object.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect();
    }
    req.form.iter().cloned().collect()
}

/// An unsigned JWT (`alg: none`) with these claims.
fn unsigned_jwt(claims: &serde_json::Value) -> String {
    let part = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.sig", part(&serde_json::json!({ "alg": "none", "typ": "JWT" })), part(claims))
}
