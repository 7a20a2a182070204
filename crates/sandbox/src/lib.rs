//! OAuth Desk's sandbox: a local OAuth 2.0 provider on 127.0.0.1, to try OAuth Desk without
//! an account anywhere and to practise diagnosing what goes wrong with real providers.
//!
//! It serves client credentials, the authorization code with PKCE (the demo user is signed
//! in at once), refresh, revocation, introspection and a test (me) endpoint, under three
//! faces: generic, Salesforce and Keycloak (see [`mode`]). A failure mode makes it answer
//! exactly as a knowledge-base entry's provider documents for that misconfiguration.
//!
//! Its clients' secrets are made anew at every start and are good only against it. It binds
//! 127.0.0.1 alone and stops when its [`Sandbox`] is dropped (the window closes, or
//! `oauthdesk sandbox` ends).
//!
//! With the `standin` feature, its `standin` module also serves the test scenarios OAuth Desk's own
//! tests need in front of the same provider (Salesforce's exact answers, misbehaving
//! endpoints, TLS); the app is built without it and never starts them.

mod grants;
mod http;
mod install;
pub mod mode;
mod oauth;
mod provider;
pub mod replay;
mod reply;
mod resource;
#[cfg(feature = "standin")]
pub mod standin;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

pub use install::{install, install_for_mode};
pub use mode::{Face, ModeInfo};
use oauthdesk_core::{ClientSecret, NewProfile};
use provider::{endpoint_path, Endpoint, Provider};
pub use provider::{DemoClient, SERVICE_CLIENT, WEB_CLIENT};
use tokio::net::TcpListener;
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("port {0} on 127.0.0.1 is already in use by another program; pick another port (0 = any free port)")]
    PortInUse(u16),
    #[error("the sandbox cannot listen on 127.0.0.1: {0}")]
    Listen(std::io::Error),
    #[error("{0}")]
    Mode(String),
    /// The test scenarios' certificate or key cannot be used.
    #[cfg(feature = "standin")]
    #[error("TLS: {0}")]
    Tls(String),
}

/// How to start the sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// 0 picks a free port.
    pub port: u16,
    /// A failure mode from the start (a knowledge-base entry id).
    pub mode: Option<String>,
    /// Access tokens' lifetime in seconds.
    pub token_lifetime: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { port: 0, mode: None, token_lifetime: 3600 }
    }
}

/// A running sandbox; dropping it stops it.
pub struct Sandbox {
    provider: Arc<Provider>,
    stop: watch::Sender<bool>,
}

impl Sandbox {
    /// Starts listening (on the current tokio runtime) and returns once it does.
    pub async fn start(options: Options) -> Result<Sandbox, Error> {
        let (listener, port) = bind(options.port).await?;
        let provider = Arc::new(Provider::new(format!("http://127.0.0.1:{port}"), options.token_lifetime.clamp(1, 86_400)));
        provider.set_mode(options.mode.as_deref()).map_err(Error::Mode)?;
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(http::serve(listener, provider.clone(), stopped));
        tracing::info!(issuer = %provider.issuer, "sandbox: listening");
        Ok(Sandbox { provider, stop })
    }

    /// `http://127.0.0.1:PORT`: the generic face's metadata is at
    /// `/.well-known/oauth-authorization-server`.
    pub fn issuer(&self) -> &str {
        &self.provider.issuer
    }

    pub fn clients(&self) -> &[DemoClient] {
        &self.provider.clients
    }

    /// Switches the failure mode (`None` or "" for a healthy provider).
    pub fn set_mode(&self, id: Option<&str>) -> Result<(), Error> {
        self.provider.set_mode(id).map_err(Error::Mode)
    }

    pub fn mode(&self) -> Option<String> {
        self.provider.current_mode()
    }

    /// An endpoint's URL on one face.
    pub fn url(&self, face: Face, endpoint: &str) -> String {
        let e = match endpoint {
            "authorize" => Endpoint::Authorize,
            "revoke" => Endpoint::Revoke,
            "introspect" => Endpoint::Introspect,
            "userinfo" => Endpoint::UserInfo,
            _ => Endpoint::Token,
        };
        format!("{}{}", self.provider.issuer, endpoint_path(face, e))
    }

    fn secret(&self, client_id: &str) -> Option<ClientSecret> {
        self.provider.client(client_id).map(|c| ClientSecret::new(c.client_secret.clone()))
    }

    /// The profiles that try the sandbox: client credentials on each face, and a sign-in on
    /// each (the ones [`tried`] leaves out are for practising a provider's sign-in).
    pub fn profiles(&self) -> Vec<NewProfile> {
        let common = |face: Face, client: &str, scopes: &str| {
            let test = if face == Face::Generic { format!("{}/me", self.issuer()) } else { self.url(face, "userinfo") };
            [
                ("token_url", self.url(face, "token")),
                ("client_id", client.to_string()),
                ("scopes", scopes.to_string()),
                ("test_url", test),
                ("revoke_url", self.url(face, "revoke")),
                ("introspect_url", self.url(face, "introspect")),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<oauthdesk_core::Fields>()
        };
        let profile = |template: &str, handle: &str, label: &str, fields, client: &str| NewProfile {
            template: template.into(),
            handle: handle.into(),
            label: Some(label.into()),
            fields,
            client_secret: self.secret(client),
        };
        let sign_in = |face: Face| {
            let mut fields = common(face, WEB_CLIENT, "openid profile api offline_access");
            fields.insert("authorize_url".into(), self.url(face, "authorize"));
            fields
        };
        vec![
            profile(
                "client-credentials",
                Face::Generic.handle(),
                "Sandbox API (client credentials)",
                common(Face::Generic, SERVICE_CLIENT, "api"),
                SERVICE_CLIENT,
            ),
            profile(
                "client-credentials",
                Face::Salesforce.handle(),
                "Sandbox as Salesforce",
                common(Face::Salesforce, SERVICE_CLIENT, "api"),
                SERVICE_CLIENT,
            ),
            profile(
                "client-credentials",
                Face::Keycloak.handle(),
                "Sandbox as Keycloak",
                common(Face::Keycloak, SERVICE_CLIENT, "api"),
                SERVICE_CLIENT,
            ),
            profile("custom-oauth2", mode::SIGN_IN, "Sandbox sign-in (code + PKCE)", sign_in(Face::Generic), WEB_CLIENT),
            // Signed in only to practise a Salesforce or Keycloak sign-in's failures.
            profile(
                "custom-oauth2",
                Face::Salesforce.sign_in_handle(),
                "Sandbox sign-in as Salesforce",
                sign_in(Face::Salesforce),
                WEB_CLIENT,
            ),
            profile("custom-oauth2", Face::Keycloak.sign_in_handle(), "Sandbox sign-in as Keycloak", sign_in(Face::Keycloak), WEB_CLIENT),
        ]
    }
}

/// Whether Try it connects (or signs in) the sandbox profile `handle` at once: every one but
/// the providers' own sign-ins, which are signed in when a person practises their failures.
pub fn tried(handle: &str) -> bool {
    ![Face::Salesforce, Face::Keycloak].iter().any(|f| f.sign_in_handle() == handle)
}

/// Listens on 127.0.0.1:`port` (0: any free port); returns the port it got.
async fn bind(port: u16) -> Result<(TcpListener, u16), Error> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::PortInUse(port)
        } else {
            Error::Listen(e)
        }
    })?;
    let port = listener.local_addr().map_err(Error::Listen)?.port();
    Ok((listener, port))
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Every failure mode the sandbox can play.
pub fn modes() -> Vec<ModeInfo> {
    mode::modes()
}
