//! The grant pipeline: the one way OAuth Desk obtains a token, whatever the grant. It runs
//! the exchange, works out the expiry, writes the attempts to the history, and stores the
//! token. Client credentials, the authorization code, the refresh (and every grant to come)
//! go through [`Desk::obtain`]; nothing else writes a token. The token and the attempts that
//! obtained it are written in one transaction.

use chrono::Utc;

use super::tokens::Token;
use super::Desk;
use crate::error::Result;
use crate::flows::config::FlowConfig;
use crate::flows::exchange::Grant;
use crate::flows::expiry;
use crate::flows::proxy::Proxies;
use crate::flows::record::Recorder;
use crate::flows::token::TokenResponse;
use crate::secret::ClientSecret;
use crate::store::grant_facts::{self, GrantFact};
use crate::store::history;

/// The network path a request to `url` takes: "direct", or the proxy's scheme, host and port
/// (never a name or password in its URL).
pub(crate) fn path_of(url: &url::Url) -> String {
    match Proxies::current().for_url(url) {
        None => "direct".into(),
        Some(p) => {
            let full = if p.contains("://") { p } else { format!("http://{p}") };
            match url::Url::parse(&full) {
                Ok(u) => format!("proxy {}://{}:{}", u.scheme(), u.host_str().unwrap_or("?"), u.port_or_known_default().unwrap_or(0)),
                Err(_) => "proxy (unreadable setting)".into(),
            }
        }
    }
}

/// The signed-in user as the answer names it: the ID token's `sub` (or its user name), else
/// the token answer's own user fields (Salesforce's `id` URL ends with the user's id).
fn subject_of(r: &TokenResponse) -> Option<String> {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string).filter(|s| !s.is_empty());
    let claims = r.id_token_claims.as_ref();
    claims
        .and_then(|c| c.get("sub").and_then(text))
        .or_else(|| claims.and_then(|c| c.get("preferred_username").and_then(text)))
        .or_else(|| ["id", "sub", "user_id", "username", "user"].iter().find_map(|k| r.extra.get(*k).and_then(text)))
}

impl Desk {
    /// Obtains a token for profile `id` with `grant`, records every attempt into the history
    /// (and `log`), and stores the token. A refresh that brings no new refresh token keeps
    /// the one it used.
    pub(crate) async fn obtain(
        &self,
        id: i64,
        cfg: &FlowConfig,
        secret: Option<&ClientSecret>,
        grant: Grant,
        log: &mut Recorder,
    ) -> Result<Token> {
        // A token that could not be kept is not asked for: a store whose key is gone says so
        // before anything is sent.
        if let Err(e) = self.key_for_write() {
            self.save_attempts(id, log)?;
            return Err(e);
        }
        let obtained_at = Utc::now();
        let result = match self.request_token_with_keys(id, cfg, &grant, secret, log).await {
            Ok((response, previous_key)) => {
                let mut info = expiry::info(cfg, &response, obtained_at, secret, log).await;
                info.previous_key = previous_key;
                Ok((info, response))
            }
            Err(e) => Err(e),
        };
        let presented = match &grant {
            Grant::Refresh { refresh_token } => Some(grant_facts::fingerprint(&cfg.client_id, refresh_token.expose())),
            _ => None,
        };
        let mut fact = GrantFact {
            at: obtained_at,
            ok: result.is_ok(),
            refresh: matches!(grant, Grant::Refresh { .. }),
            sign_in: matches!(grant, Grant::AuthorizationCode { .. } | Grant::DeviceCode { .. } | Grant::Password { .. }),
            presented_fp: presented,
            received_fp: None,
            client_id: cfg.client_id.clone(),
            subject: match &grant {
                Grant::Password { username, .. } => Some(username.clone()),
                _ => None,
            },
            path: path_of(&cfg.token_url),
        };
        if let Ok((_, response)) = &result {
            fact.received_fp = response.refresh_token.as_ref().map(|r| grant_facts::fingerprint(&cfg.client_id, r.expose()));
            fact.subject = subject_of(response).or(fact.subject);
        }
        if !(result.is_err() && result.as_ref().err().is_some_and(|e| grant.pending(e))) {
            self.save_fact(id, &fact);
        }
        let (mut info, response) = match result {
            Ok(got) => got,
            Err(e) => {
                // A device sign-in still waiting for the user is no attempt of the profile's.
                if grant.pending(&e) {
                    log.forget_last();
                } else {
                    self.save_attempts(id, log)?;
                }
                return Err(e);
            }
        };
        // Nothing new came when the provider sent back the access token already held.
        if self.cached_any(id).ok().flatten().is_some_and(|(held, _)| held.access_token == response.access_token) {
            info.source = crate::model::TokenSource::Unchanged;
        }
        let keep_refresh = match &grant {
            Grant::Refresh { refresh_token } => Some(refresh_token),
            _ => None,
        };
        self.store_token(id, &response, &mut info, keep_refresh, log)?;
        Ok(Token { access_token: response.access_token, info })
    }

    /// Keeps what a later ranking of causes needs; a store that cannot take it loses only
    /// that, never the token.
    fn save_fact(&self, id: i64, fact: &GrantFact) {
        let conn = self.conn();
        if let Err(e) = grant_facts::record(&conn, id, fact) {
            tracing::warn!("the facts of a token request were not kept: {e}");
        }
    }

    /// Writes the attempts `log` holds that are not in the history yet.
    pub(crate) fn save_attempts(&self, id: i64, log: &mut Recorder) -> Result<()> {
        let attempts = log.take_unsaved();
        if attempts.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = crate::store::write(&mut conn)?;
        history::record(&tx, id, attempts)?;
        tx.commit()?;
        Ok(())
    }
}
