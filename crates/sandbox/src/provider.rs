//! The sandbox's provider: its demo clients, its signing key, what it handed out and the
//! failure mode it plays; and the routing of a request to an endpoint of one of its faces.

use std::sync::Mutex;

use oauthdesk_core::Entry;
use oauthdesk_core::Stage;
use sha2::{Digest as _, Sha256};

use crate::grants::{self, Grants};
use crate::mode::{self, Face};
use crate::reply::{Reply, Req};

/// A demo client, as `oauthdesk sandbox` prints it and the window's Try it uses it.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DemoClient {
    pub client_id: String,
    /// Made anew each time the sandbox starts; good only against it.
    pub client_secret: String,
    /// The grants it may use.
    pub grants: Vec<String>,
    pub scopes: String,
}

pub const SERVICE_CLIENT: &str = "sandbox-service";
pub const WEB_CLIENT: &str = "sandbox-web";
/// The user every sign-in signs in as (the sandbox asks nobody).
pub const DEMO_USER: &str = "demo.user";

/// Which endpoint a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Authorize,
    Token,
    Revoke,
    Introspect,
    UserInfo,
}

const ENDPOINTS: [(Endpoint, &str, &str); 5] = [
    // (endpoint, its path under a face's prefix, Keycloak's where it differs)
    (Endpoint::Authorize, "/authorize", "/auth"),
    (Endpoint::Token, "/token", "/token"),
    (Endpoint::Revoke, "/revoke", "/revoke"),
    (Endpoint::Introspect, "/introspect", "/token/introspect"),
    (Endpoint::UserInfo, "/userinfo", "/userinfo"),
];

/// The face and endpoint of a path, if it names one (`/me` is the generic test URL).
pub fn route(path: &str) -> Option<(Face, Endpoint)> {
    if path == "/me" {
        return Some((Face::Generic, Endpoint::UserInfo));
    }
    [Face::Generic, Face::Salesforce, Face::Keycloak].into_iter().find_map(|face| {
        let rest = path.strip_prefix(face.prefix())?;
        ENDPOINTS.iter().find(|(_, p, kc)| rest == if face == Face::Keycloak { *kc } else { *p }).map(|(e, _, _)| (face, *e))
    })
}

pub fn endpoint_path(face: Face, endpoint: Endpoint) -> String {
    let (_, p, kc) = ENDPOINTS.iter().find(|(e, _, _)| *e == endpoint).copied().unwrap_or((endpoint, "", ""));
    format!("{}{}", face.prefix(), if face == Face::Keycloak { kc } else { p })
}

pub struct Provider {
    pub issuer: String,
    pub clients: Vec<DemoClient>,
    /// Signs access tokens (HS256); made anew at each start.
    pub key: Vec<u8>,
    pub token_lifetime: u64,
    pub grants: Mutex<Grants>,
    pub mode: Mutex<Option<&'static Entry>>,
}

impl Provider {
    pub fn new(issuer: String, token_lifetime: u64) -> Provider {
        let client = |id: &str, grants: &[&str], scopes: &str| DemoClient {
            client_id: id.into(),
            client_secret: grants::random(24),
            grants: grants.iter().map(|g| g.to_string()).collect(),
            scopes: scopes.into(),
        };
        Provider {
            issuer,
            clients: vec![
                client(SERVICE_CLIENT, &["client_credentials"], "api read write"),
                client(WEB_CLIENT, &["authorization_code", "refresh_token"], "openid profile email api offline_access"),
            ],
            key: grants::random(32).into_bytes(),
            token_lifetime,
            grants: Mutex::new(Grants::default()),
            mode: Mutex::new(None),
        }
    }

    pub fn client(&self, id: &str) -> Option<&DemoClient> {
        self.clients.iter().find(|c| c.client_id == id)
    }

    /// The client the request authenticates as (Basic or the form, not both), or the error
    /// RFC 6749 §5.2 prescribes.
    pub fn authenticate(&self, req: &Req) -> Result<&DemoClient, Reply> {
        let (id, secret, basic) = match (req.basic(), req.form("client_secret")) {
            (Some(_), Some(_)) => return Err(Reply::error(400, "invalid_request", "client authentication used more than one method")),
            (Some(Err(())), _) => {
                return Err(Reply::error(400, "invalid_request", "the Authorization header is not valid Basic credentials"))
            }
            (Some(Ok((id, secret))), None) => (id, secret, true),
            (None, secret) => (req.form("client_id").unwrap_or_default().to_string(), secret.unwrap_or_default().to_string(), false),
        };
        // Compared as digests, so the comparison takes as long whatever the secret.
        let digest = |s: &str| Sha256::digest(s.as_bytes());
        match self.client(&id) {
            Some(c) if !secret.is_empty() && digest(&c.client_secret) == digest(&secret) => Ok(c),
            _ => {
                let reply = Reply::error(401, "invalid_client", "client authentication failed");
                Err(if basic { reply.header("www-authenticate", "Basic realm=\"sandbox\"".into()) } else { reply })
            }
        }
    }

    /// Answers a request: the failure mode's documented answer where it applies, else the
    /// healthy provider's.
    pub fn handle(&self, req: &Req) -> Reply {
        match req.path.as_str() {
            "/.well-known/oauth-authorization-server" | "/.well-known/openid-configuration" => return self.metadata(),
            "/sandbox/modes" => return Reply::json(200, serde_json::json!(mode::modes())),
            "/sandbox/mode" => return self.switch(req),
            _ => {}
        }
        let Some((face, endpoint)) = route(&req.path) else {
            return Reply::error(404, "not_found", "the sandbox has no endpoint here");
        };
        let stage = match endpoint {
            Endpoint::Authorize => Stage::Authorize,
            Endpoint::Token if req.form("grant_type") == Some("refresh_token") => Stage::Refresh,
            Endpoint::Token => Stage::Token,
            Endpoint::Revoke => Stage::Revoke,
            Endpoint::Introspect => Stage::Introspect,
            Endpoint::UserInfo => Stage::Test,
        };
        if let Some(failure) = self.failure(req, face, stage) {
            return failure;
        }
        match endpoint {
            Endpoint::Authorize => crate::oauth::authorize(self, req),
            Endpoint::Token => crate::oauth::token(self, req),
            Endpoint::Revoke => crate::resource::revoke(self, req),
            Endpoint::Introspect => crate::resource::introspect(self, req),
            Endpoint::UserInfo => crate::resource::userinfo(self, req),
        }
    }

    fn failure(&self, req: &Req, face: Face, stage: Stage) -> Option<Reply> {
        let entry = (*self.mode.lock().ok()?)?;
        if !mode::applies(entry, face, stage) {
            return None;
        }
        let redirect_uri = req.query("redirect_uri").or(req.form("redirect_uri")).unwrap_or_default();
        // An answer that sends the browser somewhere goes only to a loopback address.
        if !redirect_uri.is_empty() && !crate::oauth::loopback(redirect_uri) {
            return Some(Reply::page(400, "The redirect URI must be a loopback address (http://127.0.0.1:PORT/…)."));
        }
        Some(Reply::example(&entry.example, redirect_uri, req.query("state").unwrap_or_default()))
    }

    /// Sets the mode (`mode=<entry id>`, empty for healthy) or, on GET, tells it.
    pub fn set_mode(&self, id: Option<&str>) -> Result<(), String> {
        let entry = id.filter(|i| !i.is_empty()).map(mode::find).transpose()?;
        if let Ok(mut m) = self.mode.lock() {
            *m = entry;
        }
        Ok(())
    }

    pub fn current_mode(&self) -> Option<String> {
        self.mode.lock().ok().and_then(|m| m.map(|e| e.id.clone()))
    }

    fn switch(&self, req: &Req) -> Reply {
        if req.method == "POST" {
            if let Err(e) = self.set_mode(req.form("mode")) {
                return Reply::error(400, "invalid_request", &e);
            }
        }
        Reply::json(200, serde_json::json!({ "mode": self.current_mode() }))
    }

    fn metadata(&self) -> Reply {
        let url = |e| format!("{}{}", self.issuer, endpoint_path(Face::Generic, e));
        Reply::json(
            200,
            serde_json::json!({
                "issuer": self.issuer,
                "authorization_endpoint": url(Endpoint::Authorize),
                "token_endpoint": url(Endpoint::Token),
                "revocation_endpoint": url(Endpoint::Revoke),
                "introspection_endpoint": url(Endpoint::Introspect),
                "userinfo_endpoint": url(Endpoint::UserInfo),
                "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": ["openid", "profile", "email", "api", "read", "write", "offline_access"],
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_face_and_endpoint() {
        assert_eq!(route("/oauth2/token"), Some((Face::Generic, Endpoint::Token)));
        assert_eq!(route("/services/oauth2/authorize"), Some((Face::Salesforce, Endpoint::Authorize)));
        assert_eq!(route("/realms/sandbox/protocol/openid-connect/auth"), Some((Face::Keycloak, Endpoint::Authorize)));
        assert_eq!(route("/realms/sandbox/protocol/openid-connect/token/introspect"), Some((Face::Keycloak, Endpoint::Introspect)));
        assert_eq!(route("/me"), Some((Face::Generic, Endpoint::UserInfo)));
        assert_eq!(route("/oauth2/tokenx"), None);
        for face in [Face::Generic, Face::Salesforce, Face::Keycloak] {
            for (e, _, _) in ENDPOINTS {
                assert_eq!(route(&endpoint_path(face, e)), Some((face, e)));
            }
        }
    }

    #[test]
    fn a_mode_is_switched_by_entry_id_and_off_with_nothing() {
        let p = Provider::new("http://127.0.0.1:1".into(), 3600);
        assert!(p.set_mode(Some("salesforce-no-run-as-user")).is_ok());
        assert_eq!(p.current_mode().as_deref(), Some("salesforce-no-run-as-user"));
        assert!(p.set_mode(Some("nonsense")).is_err());
        assert_eq!(p.current_mode().as_deref(), Some("salesforce-no-run-as-user"), "a refused switch changes nothing");
        assert!(p.set_mode(None).is_ok());
        assert_eq!(p.current_mode(), None);
    }
}
