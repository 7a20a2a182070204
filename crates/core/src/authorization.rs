//! The authorization-code flow for native apps (RFC 8252): the system browser, a loopback
//! redirect on 127.0.0.1, PKCE S256 and `state`; then refresh, revocation (RFC 7009) and
//! discovery for the profiles that use it.

use std::future::Future;
use std::time::Instant;

use chrono::Utc;
use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use serde::Serialize;
use ts_rs::TS;
use url::Url;

use crate::connect::{expiry, Token};
use crate::desk::Desk;
use crate::error::{Error, Result, Stage};
use crate::flows::config::FlowConfig;
use crate::flows::discovery::{self, Discovery};
use crate::flows::exchange::{self, Attempt, Recorder};
use crate::flows::listener::{Loopback, Redirect};
use crate::history;
use crate::profile::{Fields, ProfileChanges};
use crate::secret::Secret;
use crate::template::Flow;

/// How long a sign-in may take by default.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// What `revoke` did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RevokeOutcome {
    /// The token kinds the provider revoked (`refresh_token`, `access_token`).
    pub revoked: Vec<String>,
    /// Whether local tokens were forgotten.
    pub forgotten: bool,
    pub note: Option<String>,
}

/// The authorization URL with a fresh `state` and, when on, a PKCE verifier.
pub struct AuthorizationRequest {
    pub url: Url,
    pub state: CsrfToken,
    pub verifier: Option<Secret>,
}

/// Builds the authorization URL (oauth2 makes the state and the PKCE S256 pair).
pub fn authorization_request(cfg: &FlowConfig, redirect_uri: &str) -> Result<AuthorizationRequest> {
    let authorize_url =
        cfg.authorize_url.clone().ok_or_else(|| Error::invalid("authorize_url", "is required for the authorization-code flow"))?;
    let client = BasicClient::new(ClientId::new(cfg.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(authorize_url))
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string()).map_err(|e| Error::invalid("redirect_path", e.to_string()))?);
    let mut req = client.authorize_url(CsrfToken::new_random);
    for scope in cfg.scopes.iter().flat_map(|s| s.split_whitespace()) {
        req = req.add_scope(Scope::new(scope.to_string()));
    }
    let verifier = if cfg.pkce {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        req = req.set_pkce_challenge(challenge);
        Some(Secret::new(verifier.secret().clone()))
    } else {
        None
    };
    let (url, state) = req.url();
    Ok(AuthorizationRequest { url, state, verifier })
}

impl Desk {
    /// Runs the sign-in: listens on the loopback redirect, hands the authorization URL to
    /// `on_url` (to open a browser or print it), waits for the redirect (at most `timeout`,
    /// or until `cancel` completes), and exchanges the code for tokens.
    #[tracing::instrument(skip(self, on_url, cancel), err(level = "info"))]
    pub async fn authorize(
        &self,
        handle: &str,
        timeout: std::time::Duration,
        on_url: impl FnOnce(&Url),
        cancel: impl Future<Output = ()>,
    ) -> Result<Token> {
        let (id, cfg) = self.flow_config(handle)?;
        if cfg.template.flow != Flow::AuthorizationCode {
            return Err(Error::NotReady(format!(
                "'{handle}' uses client credentials: no sign-in is needed, use `oauthdesk token {handle}`"
            )));
        }
        let secret = self.client_secret(handle)?;
        let loopback = Loopback::bind(cfg.redirect_port).await?;
        let redirect_uri = loopback.redirect_uri(&cfg.redirect_path);
        let request = authorization_request(&cfg, &redirect_uri)?;
        on_url(&request.url);
        let started = Instant::now();
        let redirect = loopback.wait(&cfg.redirect_path, request.state.secret(), timeout, cancel).await;
        let redirect = redirect.and_then(|r| match r {
            Redirect::Code(code) => Ok(Secret::new(code)),
            Redirect::Denied { error, description } => Err(Error::Denied { error, description }),
        });
        let mut log = Recorder::default();
        log.push(Attempt {
            at: Utc::now(),
            stage: Stage::Authorize,
            ok: redirect.is_ok(),
            status: None,
            elapsed_ms: started.elapsed().as_millis() as u64,
            error: redirect.as_ref().err().map(|e| e.payload().error.unwrap_or_else(|| e.code().to_string())),
            error_description: redirect.as_ref().err().map(|e| e.to_string()),
        });
        let result = match redirect {
            Ok(code) => {
                let obtained_at = Utc::now();
                match exchange::authorization_code(&cfg, &code, &redirect_uri, request.verifier.as_ref(), secret.as_ref(), &mut log).await {
                    Ok(response) => Ok((expiry(&cfg, &response, obtained_at, secret.as_ref(), &mut log).await, response)),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        history::record(&self.conn(), id, &log.attempts)?;
        let (mut info, response) = result?;
        self.store_token(id, &response, &mut info, None)?;
        Ok(Token { access_token: response.access_token, info })
    }

    /// Renews an authorization-code profile's access token with its refresh token.
    pub(crate) async fn refresh_token(&self, id: i64, handle: &str, cfg: &FlowConfig, log: &mut Recorder) -> Result<Token> {
        let Some((_, refresh)) = self.cached_any(id)? else {
            return Err(Error::NotReady(format!("'{handle}' is not authorized yet: sign in with `oauthdesk authorize {handle}`")));
        };
        let refresh = refresh.ok_or_else(|| {
            Error::NotReady(format!(
                "the provider issued no refresh token, so a new authorization is needed: `oauthdesk authorize {handle}`"
            ))
        })?;
        let secret = self.client_secret(handle)?;
        let from = log.attempts.len();
        let obtained_at = Utc::now();
        let result = match exchange::refresh(cfg, &refresh, secret.as_ref(), log).await {
            Ok(response) => Ok((expiry(cfg, &response, obtained_at, secret.as_ref(), log).await, response)),
            Err(e) => Err(e),
        };
        history::record(&self.conn(), id, &log.attempts[from..])?;
        match result {
            Ok((mut info, response)) => {
                self.store_token(id, &response, &mut info, Some(&refresh))?;
                Ok(Token { access_token: response.access_token, info })
            }
            Err(Error::OAuth { error, description, .. }) if error == "invalid_grant" => {
                let conn = self.conn();
                self.forget_token(&conn, id)?;
                Err(Error::NotReady(format!(
                    "the refresh token was refused (invalid_grant{}): a new authorization is needed: `oauthdesk authorize {handle}`",
                    description.map(|d| format!(": {d}")).unwrap_or_default()
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// Revokes the refresh and access tokens at the revocation URL, then forgets them.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn revoke(&self, handle: &str) -> Result<RevokeOutcome> {
        let (id, cfg) = self.flow_config(handle)?;
        let Some((token, refresh)) = self.cached_any(id)? else {
            return Ok(RevokeOutcome { revoked: vec![], forgotten: false, note: Some(format!("'{handle}' holds no token")) });
        };
        let mut revoked = Vec::new();
        let note = match &cfg.revoke_url {
            Some(url) => {
                let secret = self.client_secret(handle)?;
                let mut log = Recorder::default();
                let mut result = Ok(());
                if let Some(r) = &refresh {
                    result = exchange::revoke(&cfg, url, r, "refresh_token", secret.as_ref(), &mut log).await;
                    if result.is_ok() {
                        revoked.push("refresh_token".to_string());
                    }
                }
                if result.is_ok() {
                    result = exchange::revoke(&cfg, url, &token.access_token, "access_token", secret.as_ref(), &mut log).await;
                    if result.is_ok() {
                        revoked.push("access_token".to_string());
                    }
                }
                history::record(&self.conn(), id, &log.attempts)?;
                result?;
                None
            }
            None => Some(
                "no revocation URL is set: the tokens were forgotten here but stay valid at the provider until they expire".to_string(),
            ),
        };
        let conn = self.conn();
        self.forget_token(&conn, id)?;
        Ok(RevokeOutcome { revoked, forgotten: true, note })
    }

    /// Reads an issuer's metadata; with a profile, warns where it asks for what the server
    /// lacks, and with `apply` fills the profile's endpoint fields from it.
    pub async fn discover(&self, issuer: &str, handle: Option<&str>, apply: bool) -> Result<Discovery> {
        let mut d = discovery::discover(issuer).await?;
        let Some(handle) = handle else { return Ok(d) };
        let profile = self.get(handle)?;
        let template = crate::template::find(&profile.template)?;
        let public = profile.client_secret == crate::SecretState::NotSet;
        d.compare(
            profile.fields.get("client_auth").map(String::as_str),
            profile.fields.get("pkce").map(String::as_str) != Some("false"),
            public,
        );
        if apply {
            let mut fields = Fields::new();
            let mut set = |name: &str, value: &Option<String>| {
                if let (Some(v), Some(_)) = (value, template.field(name)) {
                    fields.insert(name.to_string(), v.clone());
                }
            };
            set("authorize_url", &d.authorization_endpoint);
            set("token_url", &d.token_endpoint);
            set("revoke_url", &d.revocation_endpoint);
            set("introspect_url", &d.introspection_endpoint);
            if !profile.fields.contains_key("test_url") {
                set("test_url", &d.userinfo_endpoint);
            }
            self.update(handle, ProfileChanges { fields, ..Default::default() })?;
        }
        Ok(d)
    }
}
