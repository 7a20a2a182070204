//! The authorization-code flow for native apps (RFC 8252): the system browser, a loopback
//! redirect on 127.0.0.1, PKCE S256 and `state`; then refresh, revocation (RFC 7009) and
//! discovery for the profiles that use it. Tokens come from the grant pipeline.

use std::time::Instant;

use serde::Serialize;
use ts_rs::TS;
use url::Url;

use super::tokens::Token;
use super::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::authorize;
use crate::flows::config::FlowConfig;
use crate::flows::discovery::{self, Discovery, Suggestion};
use crate::flows::exchange::{self, Grant, Revocable};
use crate::flows::gate::Endpoint;
use crate::flows::listener::{Loopback, Redirect};
use crate::flows::record::Recorder;
use crate::model::{Fields, SecretState, Stage};
use crate::profile::ProfileChanges;

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

impl Desk {
    /// The sign-in through the browser (see [`Desk::sign_in`]): listens on the loopback
    /// redirect, hands the authorization URL to `on_url`, waits for the redirect (at most
    /// `timeout`), and exchanges the code for tokens.
    pub(super) async fn authorize(&self, handle: &str, timeout: std::time::Duration, on_url: impl FnOnce(&Url)) -> Result<Token> {
        self.check_origins(handle, &[Endpoint::Token])?;
        self.ensure_references(handle).await?;
        let (id, cfg) = self.flow_config(handle)?;
        let secret = self.client_secret(handle)?;
        // The tokens must be kept: a store whose key is gone says so before the browser opens.
        self.key_for_write()?;
        let loopback = Loopback::bind(cfg.redirect_port).await?;
        let redirect_uri = loopback.redirect_uri(&cfg.redirect_path);
        let request = authorize::request(&cfg, &redirect_uri)?;
        on_url(&request.url);
        let started = Instant::now();
        // Cancelling drops this wait (see [`Desk::cancellable`]), so it needs no signal of its own.
        let redirect = loopback.wait(&cfg.redirect_path, request.state.secret(), timeout, std::future::pending()).await;
        let code = redirect.and_then(|r| match r {
            Redirect::Code(code) => Ok(code),
            Redirect::Denied { error, description } => Err(Error::Denied { error, description }),
        });
        let mut log = Recorder::default();
        log.attempt(Stage::Authorize, started, None, code.as_ref().map(|_| true));
        let code = match code {
            Ok(code) => code,
            // A sign-in the user cancelled is no failure of the profile's: nothing is recorded.
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                self.save_attempts(id, &mut log)?;
                return Err(e);
            }
        };
        let grant = Grant::AuthorizationCode { code, redirect_uri, verifier: request.verifier };
        self.obtain(id, &cfg, secret.as_ref(), grant, &mut log).await
    }

    /// Renews an authorization-code profile's access token with its refresh token.
    pub(crate) async fn refresh_token(&self, id: i64, handle: &str, cfg: &FlowConfig, log: &mut Recorder) -> Result<Token> {
        let Some((_, refresh)) = self.cached_any(id)? else {
            return Err(Error::not_ready(handle, Need::SignIn, format!("'{handle}' is not authorized yet")));
        };
        let refresh_token = refresh.ok_or_else(|| {
            Error::not_ready(handle, Need::SignIn, "the provider issued no refresh token, so a new authorization is needed")
        })?;
        self.ensure_referenced_secret(handle).await?;
        let secret = self.client_secret(handle)?;
        let result = match self.obtain(id, cfg, secret.as_ref(), Grant::Refresh { refresh_token: refresh_token.clone() }, log).await {
            // A value by reference the provider refuses is read again; a new one is tried once.
            Err(e) if self.reread_refused(handle, &e, cfg, secret.as_ref()).await? => {
                let (_, cfg) = self.flow_config(handle)?;
                self.obtain(id, &cfg, self.client_secret(handle)?.as_ref(), Grant::Refresh { refresh_token }, log).await
            }
            other => other,
        };
        match result {
            // A diagnosis explains the provider's own answer and keeps what it examines.
            Err(e @ Error::OAuth { .. }) if log.is_examining() => Err(e),
            Err(Error::OAuth { error, description, .. }) if error == "invalid_grant" => {
                {
                    let conn = self.conn();
                    self.forget_token(&conn, id, None)?;
                }
                let why = description.map(|d| format!(": {d}")).unwrap_or_default();
                Err(Error::not_ready(
                    handle,
                    Need::SignIn,
                    format!("the refresh token was refused (invalid_grant{why}): a new authorization is needed"),
                ))
            }
            other => other,
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
                self.check_origins(handle, &[Endpoint::Revocation])?;
                let secret = self.client_secret(handle)?;
                let mut log = Recorder::default();
                let mut tokens = Vec::new();
                if let Some(r) = &refresh {
                    tokens.push(Revocable::Refresh(r));
                }
                tokens.push(Revocable::Access(&token.access_token));
                let mut result = Ok(());
                for t in tokens {
                    result = exchange::revoke(&cfg, url, t, secret.as_ref(), &mut log).await;
                    if result.is_err() {
                        break;
                    }
                    revoked.push(t.hint().to_string());
                }
                self.save_attempts(id, &mut log)?;
                result?;
                None
            }
            None => Some(
                "no revocation URL is set: the tokens were forgotten here but stay valid at the provider until they expire".to_string(),
            ),
        };
        let conn = self.conn();
        self.forget_token(&conn, id, Some(crate::store::history::Dropped::SignedOut))?;
        Ok(RevokeOutcome { revoked, forgotten: true, note })
    }

    /// Reads an issuer's metadata; with a profile, warns where it asks for what the server
    /// lacks, and with `apply` saves the fields it suggests ([`Discovery::suggested_fields`]).
    pub async fn discover(&self, issuer: &str, handle: Option<&str>, apply: bool) -> Result<Discovery> {
        let mut d = discovery::discover(issuer).await?;
        let Some(handle) = handle else { return Ok(d) };
        let profile = self.get(handle)?;
        let template = crate::template::find(&profile.template)?;
        let public = profile.client_secret == SecretState::NotSet;
        d.compare(
            profile.fields.get("client_auth").map(String::as_str),
            profile.fields.get("pkce").map(String::as_str) != Some("false"),
            public,
        );
        if apply {
            let fields = d.suggested_fields(template, &profile.fields, public);
            self.update(handle, ProfileChanges { fields, ..Default::default() })?;
        }
        Ok(d)
    }

    /// Reads an issuer's metadata for a form: compared with the stored profile `handle` (if
    /// any), with the fields it suggests for a profile of `template` whose fields are now
    /// `fields` (the same fields `discover` with `apply` saves); `public` when the form has
    /// no client secret, typed or stored.
    pub async fn discover_suggestion(
        &self,
        issuer: &str,
        handle: Option<&str>,
        template: &str,
        fields: &Fields,
        public: bool,
    ) -> Result<Suggestion> {
        let template = crate::template::find(template)?;
        let discovery = self.discover(issuer, handle, false).await?;
        Ok(Suggestion { fields: discovery.suggested_fields(template, fields, public), discovery })
    }
}
