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
use crate::flows::record::Recorder;
use crate::secret::ClientSecret;
use crate::store::history;

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
