//! Tokens handed to other programs: a command run with a token in its environment, Git's
//! credential helper, kubectl's credential plugin. They get the token a script gets (the
//! cached one while it has time left, else one exchange under the profile's lock), through
//! [`Desk::token_for`] alone, so whatever answers for the desk later answers them all. When
//! the program says where it will send the token, it is handed over only for a place the
//! profile's token may go: the test call's rule (the confirmed allowed hosts, and the
//! `instance_url` a provider's token response may add), checked by the same functions.
//!
//! A front end may set a [`TokenBroker`]: another process of the same user that owns the
//! store's renewals (the background agent). [`Desk::token_for`] asks it first and obtains
//! the token itself only when it does not answer, so one process refreshes (and a rotating
//! refresh token is used once) while every program still gets a token when it is not there.

use chrono::{Duration, Utc};
use url::Url;

use super::Desk;
use super::Token;
use crate::error::Result;
use crate::flows::config::FlowConfig;
use crate::flows::gate::{self, Endpoint};
use crate::flows::test_call;
use crate::model::{TokenInfo, TokenSource};
use crate::secret::AccessToken;
use crate::store::{self, history};

/// Whether the profile's token may go to `url`: a web URL on the confirmed allowed hosts (or
/// the provider's `instance` from the token response, where its rules let it widen them).
fn may_receive(cfg: &FlowConfig, url: &Url, instance: Option<&Url>) -> Result<()> {
    test_call::check_host(url, &gate::resource_hosts(cfg, instance), None)?;
    gate::check(cfg, Endpoint::Resource, url, instance)
}

/// Another process that answers for this store's tokens (see the module's doc). It makes
/// the same checks the desk would (the origins, with `to`), in that process.
pub trait TokenBroker: Send + Sync {
    /// `handle`'s token as [`Desk::token_for`] gives it, or `None` when the broker does not
    /// answer (it is not running, or failed): the desk then obtains it itself, and says why
    /// it failed in its own words.
    fn token(&self, handle: &str, to: Option<&Url>, force: bool, margin: Duration) -> Option<Token>;
}

impl Token {
    /// A token another process handed over (a [`TokenBroker`]'s answer): the value is known
    /// to the redactor from now on, and its source says where it came from.
    pub fn from_broker(access_token: String, mut info: TokenInfo) -> Token {
        info.source = TokenSource::Agent;
        Token { access_token: AccessToken::new(access_token), info }
    }
}

impl Desk {
    /// Asks `broker` first for every token handed out through [`Desk::token_for`]; set once
    /// (a second broker is ignored).
    pub fn use_broker(&self, broker: std::sync::Arc<dyn TokenBroker>) {
        let _ = self.broker.set(broker);
    }

    /// A token of `handle` for another program (or a script: `token` asks here too), usable
    /// `margin` from now, a new one with `force`; when `to` says where the program sends it,
    /// only if the profile's token may go there (else nothing is obtained and nothing is
    /// handed over).
    #[tracing::instrument(skip(self, to), fields(to = to.and_then(Url::host_str)), err(level = "info"))]
    pub async fn token_for(&self, handle: &str, to: Option<&Url>, force: bool, margin: Duration) -> Result<Token> {
        if let Some(token) = self.broker.get().and_then(|b| b.token(handle, to, force, margin)) {
            return Ok(token);
        }
        let Some(url) = to else { return self.token(handle, force, margin).await };
        let (_, cfg) = self.flow_config(handle)?;
        // Refused before any exchange, unless the token response may name this place.
        if let Err(e) = may_receive(&cfg, url, None) {
            if !cfg.rules().instance_widens(url) {
                return Err(e);
            }
        }
        let token = self.token(handle, force, margin).await?;
        let instance = token.info.instance_url.as_deref().and_then(|u| Url::parse(u).ok());
        may_receive(&cfg, url, instance.as_ref())?;
        Ok(token)
    }

    /// A program reports that the server refused `rejected` (or, when it does not say which,
    /// the cached token): the cached access token is not handed out again and the next
    /// [`Desk::token_for`] makes a new exchange. The refresh token stays, and a token renewed
    /// since the program got its copy is kept. Returns whether a token was set aside.
    #[tracing::instrument(skip(self, rejected), err(level = "info"))]
    pub fn token_refused(&self, handle: &str, rejected: Option<&str>) -> Result<bool> {
        let id = store::get(&self.conn(), handle)?.id;
        let Some((token, _)) = self.cached_any(id)? else { return Ok(false) };
        if rejected.is_some_and(|r| r != token.access_token.expose()) {
            return Ok(false);
        }
        history::expire_token(&self.conn(), id, Utc::now())?;
        Ok(true)
    }
}

#[cfg(test)]
#[path = "handover_tests.rs"]
mod tests;
