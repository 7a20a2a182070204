//! Tokens of a profile: the cache (sealed in the store, used while it has time left),
//! Connect (a token, then the test call), the history of attempts, and which tokens are about
//! to expire. New tokens come only from the grant pipeline ([`super::grant`]).

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::config::FlowConfig;
use crate::flows::exchange::Grant;
use crate::flows::gate::Endpoint;
use crate::flows::record::Recorder;
use crate::flows::test_call::{self, TestResult};
use crate::flows::token::TokenResponse;
use crate::model::{Attempt, TokenInfo, TokenSource};
use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::store::{self, history, sealed::Place};
use crate::template::{self, Flow};

/// The cached form, sealed in the store (and, in schema-2 stores, the keyring item's text).
#[derive(Serialize, Deserialize)]
struct Cached {
    access_token: String,
    refresh_token: Option<String>,
    info: TokenInfo,
    /// The profile's earlier access and refresh tokens, newest last (at most
    /// [`PREVIOUS_TOKENS`]): never used again, only known to the redactor, so an answer
    /// that names a rotated or replaced token does not show it.
    #[serde(default)]
    previous: Vec<String>,
}

/// How many earlier token values a profile keeps for the redactor.
const PREVIOUS_TOKENS: usize = 16;

/// A usable token.
#[derive(Debug, Clone)]
pub struct Token {
    pub access_token: AccessToken,
    pub info: TokenInfo,
}

/// What Connect shows: the token's facts and the test call's answer.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectResult {
    pub token: TokenInfo,
    /// The test call's answer; `None` when there is no test URL.
    pub test: Option<TestResult>,
    pub test_note: Option<String>,
    /// What Connect did beyond the obvious (a cached token the API refused was replaced).
    pub note: Option<String>,
}

pub const DEFAULT_MARGIN: Duration = Duration::seconds(60);

/// Said when the token came with the previous key (see [`super::rollover`]).
pub const PREVIOUS_KEY_NOTE: &str =
    "the provider refused the new key (its certificate is not uploaded yet), so the token was obtained with the previous key, which stays until the new one works";

/// Said in place of a test call's result when there is no test URL to call.
pub const NO_TEST_URL: &str = "no test URL is set: add one to the profile to see what the API answers with this token";

impl Desk {
    pub(crate) fn flow_config(&self, handle: &str) -> Result<(i64, FlowConfig)> {
        let row = store::get(&self.conn(), handle)?;
        let t = template::find(&row.template)?;
        let mut cfg = FlowConfig::new(t, &row.fields)?;
        cfg.confirmed = super::origins::confirmed_of(&row);
        self.attach_credentials_of(row.id, handle, &mut cfg)?;
        Ok((row.id, cfg))
    }

    /// The cached token and refresh token, whatever the token's expiry. A token that was
    /// altered counts as none; one whose key the keyring lacks is [`Error::KeyMissing`] (a
    /// new token could not be kept either).
    fn read_cached(&self, id: i64) -> Result<Option<(history::TokenMeta, Token, Option<RefreshToken>)>> {
        let Some(meta) = history::token(&self.conn(), id)? else { return Ok(None) };
        let Some(sealed) = &meta.sealed else { return Ok(None) };
        let opened = self.open_sealed(Place::Token(id), sealed, || Ok(history::token(&self.conn(), id)?.and_then(|m| m.sealed)))?;
        let Some(raw) = opened else {
            tracing::warn!(profile_id = id, "a cached token does not open; it is ignored");
            return Ok(None);
        };
        let Ok(cached) = serde_json::from_str::<Cached>(raw.as_str()) else { return Ok(None) };
        cached.previous.iter().for_each(|p| crate::secret::redact::register(p));
        let token = Token { access_token: AccessToken::new(cached.access_token), info: cached.info };
        Ok(Some((meta, token, cached.refresh_token.map(RefreshToken::new))))
    }

    /// The cached token, if it can still be used `margin` from now.
    fn cached(&self, id: i64, margin: Duration) -> Result<Option<Token>> {
        Ok(self.read_cached(id)?.filter(|(meta, _, _)| history::usable(meta, Utc::now(), margin)).map(|(_, mut token, _)| {
            token.info.source = TokenSource::Cache;
            token
        }))
    }

    /// The cached token whatever its expiry, with its refresh token.
    pub(crate) fn cached_any(&self, id: i64) -> Result<Option<(Token, Option<RefreshToken>)>> {
        Ok(self.read_cached(id)?.map(|(_, token, refresh)| (token, refresh)))
    }

    /// Keeps a new token, sealed, with the attempts that obtained it, in one transaction. A
    /// provider that sends no new refresh token keeps the old one valid, so `keep_refresh` is
    /// kept then.
    pub(crate) fn store_token(
        &self,
        id: i64,
        response: &TokenResponse,
        info: &mut TokenInfo,
        keep_refresh: Option<&RefreshToken>,
        log: &mut Recorder,
    ) -> Result<()> {
        let refresh = response.refresh_token.as_ref().or(keep_refresh);
        info.refresh_token = refresh.is_some();
        let cached = Cached {
            access_token: response.access_token.expose().to_string(),
            refresh_token: refresh.map(|r| r.expose().to_string()),
            info: info.clone(),
            previous: self.previous_tokens(id, &response.access_token, refresh),
        };
        let text = zeroize::Zeroizing::new(
            serde_json::to_string(&cached).map_err(|e| Error::Internal(format!("the token does not serialize: {e}")))?,
        );
        // Sealed inside the write, under the key the store uses then.
        let stored = self.write_sealed(|tx, key| {
            let sealed = key.seal(&self.aad(Place::Token(id)), text.as_bytes());
            history::record(tx, id, log.take_unsaved())?;
            history::save_token(tx, id, &sealed, info.obtained_at, info.expires_at, info.expiry_source)
        });
        if stored.is_err() {
            self.save_attempts(id, log)?;
        }
        stored
    }

    /// The earlier tokens a new cache entry keeps: the old entry's, and its access and
    /// refresh tokens when they are not the new ones; the newest [`PREVIOUS_TOKENS`].
    fn previous_tokens(&self, id: i64, access: &AccessToken, refresh: Option<&RefreshToken>) -> Vec<String> {
        let Ok(Some(meta)) = history::token(&self.conn(), id) else { return Vec::new() };
        let old = meta.sealed.as_ref().and_then(|sealed| {
            let raw = self.key().ok()?.open_text(&self.aad(Place::Token(id)), sealed)?;
            serde_json::from_str::<Cached>(raw.as_str()).ok()
        });
        let Some(old) = old else { return Vec::new() };
        let mut all = old.previous;
        all.push(old.access_token);
        all.extend(old.refresh_token);
        let current = [Some(access.expose()), refresh.map(RefreshToken::expose)];
        let mut kept: Vec<String> = Vec::new();
        for v in all.into_iter().rev() {
            if !current.contains(&Some(v.as_str())) && !kept.contains(&v) && kept.len() < PREVIOUS_TOKENS {
                kept.push(v);
            }
        }
        kept.reverse();
        kept
    }

    /// Forgets a profile's cached token.
    pub(crate) fn forget_token(&self, conn: &rusqlite::Connection, id: i64, why: Option<history::Dropped>) -> Result<()> {
        if let Some(item) = history::token(conn, id)?.and_then(|m| m.secret_ref) {
            // A schema-2 store's item not moved in yet.
            self.secrets().delete(&item)?;
        }
        history::forget_token(conn, id, why)
    }

    /// A token for `handle`: the cached one while it has more than `margin` left, else a new
    /// one (client credentials, or a refresh for authorization code); `force` skips the cache.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn token(&self, handle: &str, force: bool, margin: Duration) -> Result<Token> {
        self.token_with(handle, force, margin, &mut Recorder::default()).await
    }

    /// [`Desk::token`], recording into `log` (a diagnosis keeps the trace).
    ///
    /// One exchange at a time per profile, across processes (the CLI, the window, its
    /// renewal): a caller that needs a new token takes the profile's lock, and one that
    /// waited for it reuses the token obtained meanwhile instead of making another exchange
    /// (which also keeps a rotating refresh token alive).
    pub async fn token_with(&self, handle: &str, force: bool, margin: Duration, log: &mut Recorder) -> Result<Token> {
        let (id, cfg) = self.flow_config(handle)?;
        if !force {
            if let Some(t) = self.cached(id, margin)? {
                return Ok(t);
            }
        }
        self.check_origins(handle, &[Endpoint::Token])?;
        let asked_at = Utc::now();
        let _lock = self.profile_lock(id, handle, exchange_wait(&cfg)).await?;
        // Obtained while this call waited: usable (or, with `force`, obtained after it asked).
        if let Some(t) = self.cached(id, margin)?.filter(|t| !force || t.info.obtained_at >= asked_at) {
            return Ok(t);
        }
        // Secrets by reference (the key among them) are read now if none is kept.
        self.ensure_references(handle).await?;
        let (_, cfg) = self.flow_config(handle)?;
        self.require_key(handle, &cfg)?;
        // After a sign-in, tokens come from the refresh token whatever the sign-in was.
        if cfg.template.flow.signs_in() {
            return self.refresh_token(id, handle, &cfg, log).await;
        }
        // A value by reference the provider refuses is read again, and a new one (rotated at
        // its source) tried once.
        let used = self.client_secret(handle)?;
        match self.client_grant(id, handle, &cfg, used.clone(), log).await {
            Err(e) if self.reread_refused(handle, &e, &cfg, used.as_ref()).await? => {
                let (_, cfg) = self.flow_config(handle)?;
                self.client_grant(id, handle, &cfg, self.client_secret(handle)?, log).await
            }
            other => other,
        }
    }

    /// A token by a grant without a sign-in, with `secret` (the profile's stored one).
    async fn client_grant(
        &self,
        id: i64,
        handle: &str,
        cfg: &FlowConfig,
        secret: Option<ClientSecret>,
        log: &mut Recorder,
    ) -> Result<Token> {
        let flow = cfg.template.flow;
        // A client that proves itself with its key (or its TLS certificate) needs no secret.
        if secret.is_none() && flow.needs_client_secret(cfg.client_auth) {
            return Err(Error::not_ready(handle, Need::ClientSecret, format!("no client secret is stored for '{handle}'")));
        }
        let (secret, grant) = match flow {
            Flow::Password => {
                // The profile's secret is the user's password here, never a client secret.
                let password =
                    secret.ok_or_else(|| Error::not_ready(handle, Need::ClientSecret, format!("no password is stored for '{handle}'")))?;
                let username = cfg.username.clone().ok_or_else(|| Error::invalid("username", "is required"))?;
                (None, Grant::Password { username, password })
            }
            Flow::JwtBearer => (secret, Grant::JwtBearer),
            Flow::ClientCredentials => (secret, Grant::ClientCredentials),
            // Answered above: `signs_in`.
            Flow::AuthorizationCode | Flow::DeviceCode => return self.refresh_token(id, handle, cfg, log).await,
        };
        self.obtain(id, cfg, secret.as_ref(), grant, log).await
    }

    /// Holds the profile's exchange lock (a file lock in the data directory, released when
    /// dropped or when the process ends, however it ends), waiting for it at most `wait`:
    /// a holder that is stopped or stuck ends in [`Error::LockTimeout`], not in a wait
    /// without end. The lock is polled, so a wait given up leaves no thread behind.
    pub(crate) async fn profile_lock(&self, id: i64, handle: &str, wait: std::time::Duration) -> Result<std::fs::File> {
        let dir = self.store_path().parent().map(|d| d.join("locks")).unwrap_or_else(|| std::path::PathBuf::from("locks"));
        std::fs::create_dir_all(&dir)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(format!("profile-{id}.lock")))?;
        let deadline = std::time::Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(Error::LockTimeout {
                    what: format!("the token exchange of '{handle}' (its lock)"),
                    secs: wait.as_secs_f64().ceil() as u64,
                });
            }
            tokio::time::sleep(LOCK_POLL.min(left)).await;
        }
    }

    /// Calls the profile's test URL with a token (cached if usable). `None` when there is
    /// no test URL (and no default test of the provider's for the token's instance URL).
    #[tracing::instrument(skip(self, token), err(level = "info"))]
    pub async fn test_with(&self, handle: &str, token: &Token) -> Result<Option<TestResult>> {
        self.test_recorded(handle, token, &mut Recorder::default()).await
    }

    /// [`Desk::test_with`], recording into `log`.
    pub async fn test_recorded(&self, handle: &str, token: &Token, log: &mut Recorder) -> Result<Option<TestResult>> {
        let (id, cfg) = self.flow_config(handle)?;
        self.check_origins(handle, &[Endpoint::Resource])?;
        let instance = token.info.instance_url.as_deref().and_then(|u| Url::parse(u).ok());
        let result = match (&cfg.test_url, &instance) {
            (Some(url), _) => test_call::call(&cfg, &token.access_token, url.clone(), instance.as_ref(), log).await.map(Some),
            (None, Some(instance)) => match cfg.rules().default_test() {
                Some(test) => test_call::default_call(&cfg, &test, &token.access_token, instance, log).await.map(Some),
                None => Ok(None),
            },
            (None, None) => Ok(None),
        };
        self.save_attempts(id, log)?;
        result
    }

    /// Connect: a token, then the test call. A cached token the API refuses (HTTP 401) may
    /// have been revoked at the provider: a new one is obtained once and the call repeated,
    /// and the result says so; only a second 401 is the profile's failure.
    pub async fn connect(&self, handle: &str, force: bool) -> Result<ConnectResult> {
        let token = self.token(handle, force, DEFAULT_MARGIN).await?;
        let from_cache = token.info.source == TokenSource::Cache;
        let result = self.connect_result(handle, token).await?;
        if !(from_cache && result.test.as_ref().is_some_and(|t| t.status == 401)) {
            return Ok(result);
        }
        let fresh = self.token(handle, true, DEFAULT_MARGIN).await?;
        let mut again = self.connect_result(handle, fresh).await?;
        again.note = Some("the API refused the cached token (HTTP 401), so a new token was obtained and the test call repeated".into());
        Ok(again)
    }

    /// What Connect shows for a token just obtained: its facts and the test call's answer.
    pub async fn connect_result(&self, handle: &str, token: Token) -> Result<ConnectResult> {
        let test = self.test_with(handle, &token).await?;
        let test_note = test.is_none().then(|| NO_TEST_URL.to_string());
        let note = token.info.previous_key.then(|| PREVIOUS_KEY_NOTE.to_string());
        Ok(ConnectResult { token: token.info, test, test_note, note })
    }

    /// The profile's recent attempts, newest first.
    pub fn history(&self, handle: &str, limit: usize) -> Result<Vec<Attempt>> {
        let conn = self.conn();
        let row = store::get(&conn, handle)?;
        history::recent(&conn, row.id, limit)
    }

    /// Handles of profiles whose cached token expires within `within` (for renewal).
    pub fn expiring(&self, within: Duration) -> Result<Vec<String>> {
        history::expiring(&self.conn(), Utc::now(), within)
    }
}

/// How often a waiter tries the exchange lock again.
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// How long a caller waits for another process's exchange of the same profile: the longest
/// that exchange can take (a token request and an introspection, each within the profile's
/// timeout, of at most 600 s) and half a minute for the keyring and the store.
pub fn exchange_wait(cfg: &FlowConfig) -> std::time::Duration {
    cfg.timeout.saturating_mul(2).saturating_add(std::time::Duration::from_secs(30))
}

/// A renewal margin of `secs` seconds, as a user gives it: bounded to ten years, so it never
/// overflows the date arithmetic.
pub fn margin_secs(secs: i64) -> Duration {
    Duration::try_seconds(secs.clamp(0, 10 * 365 * 24 * 3600)).unwrap_or(DEFAULT_MARGIN)
}

/// What the token view shows of a profile's stored token: never the token itself (that is
/// [`Desk::token_reveal`], behind a click), but its decoded header and claims when it is a
/// JWT, and the scopes granted against those asked for.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TokenView {
    pub info: TokenInfo,
    pub scope_requested: Option<String>,
    /// Scopes asked for and not granted (a refresh-token scope is granted by the refresh
    /// token: [`crate::model::scopes`]).
    pub scope_missing: Vec<String>,
    #[ts(type = "Record<string, unknown> | null")]
    pub jwt_header: Option<serde_json::Value>,
    #[ts(type = "Record<string, unknown> | null")]
    pub jwt_claims: Option<serde_json::Value>,
    /// The token's length, so the view can say what it would show.
    pub length: usize,
}

impl Desk {
    /// The stored token of `handle`, described; `None` when it has none.
    pub fn token_view(&self, handle: &str) -> Result<Option<TokenView>> {
        let (id, cfg) = self.flow_config(handle)?;
        let Some((token, _)) = self.cached_any(id)? else { return Ok(None) };
        let missing = crate::model::scopes::not_granted(cfg.scopes.as_deref(), token.info.scope.as_deref(), token.info.refresh_token);
        let raw = token.access_token.expose();
        Ok(Some(TokenView {
            scope_requested: cfg.scopes.clone(),
            scope_missing: missing,
            jwt_header: crate::flows::token::jwt_claims(raw).and(crate::flows::token::jwt_header(raw)),
            jwt_claims: crate::flows::token::jwt_claims(raw),
            length: raw.chars().count(),
            info: token.info,
        }))
    }

    /// The stored access token itself, for the one click that asks to see or copy it.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn token_reveal(&self, handle: &str) -> Result<AccessToken> {
        let (id, cfg) = self.flow_config(handle)?;
        // What gets one: a sign-in for the user flows, a Connect for the others.
        let need = if cfg.template.flow.signs_in() { Need::SignIn } else { Need::NoSignIn };
        self.cached_any(id)?
            .map(|(t, _)| t.access_token)
            .ok_or_else(|| Error::not_ready(handle, need, format!("'{handle}' holds no token")))
    }
}
