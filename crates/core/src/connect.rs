//! Connecting a profile: getting a token (from the keyring cache while it has time left, else
//! by a new exchange), learning when it expires, and calling the test URL with it. Every
//! request is recorded in the profile's history.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;
use url::Url;

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::flows::config::FlowConfig;
use crate::flows::exchange::{self, Attempt, Recorder};
use crate::flows::test_call::{self, TestResult};
use crate::flows::token::{self, ExpirySource, TokenResponse};
use crate::history;
use crate::secret::Secret;
use crate::template::{self, Flow};

/// Where a token came from this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TokenSource {
    Cache,
    Network,
}

/// Everything about a token but the token itself: safe to show, log or send to the window.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TokenInfo {
    pub token_type: String,
    pub scope: Option<String>,
    pub obtained_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub expiry_source: ExpirySource,
    /// Why the expiry is unknown, in words, when it is.
    pub expiry_note: Option<String>,
    pub instance_url: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub refresh_token: bool,
    pub source: TokenSource,
    /// The response's other fields (never anything that looks like a credential).
    #[ts(type = "Record<string, unknown>")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl TokenInfo {
    /// Seconds left, or `None` when the expiry is unknown.
    pub fn expires_in(&self) -> Option<i64> {
        self.expires_at.map(|e| (e - Utc::now()).num_seconds().max(0))
    }
}

/// The cached form in the keyring.
#[derive(Serialize, Deserialize)]
struct Cached {
    access_token: String,
    refresh_token: Option<String>,
    info: TokenInfo,
}

/// A usable token.
#[derive(Debug, Clone)]
pub struct Token {
    pub access_token: Secret,
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
}

pub const DEFAULT_MARGIN: Duration = Duration::seconds(60);

const UNKNOWN_NOTE: &str =
    "the provider sent no expires_in, the token is not a JWT, and no introspection URL answered; OAuth Desk reuses it for 10 minutes";

/// What is known about a new token: its expiry from `expires_in`, else a JWT's `exp`, else
/// the introspection endpoint, else unknown (said in words).
pub(crate) async fn expiry(
    cfg: &FlowConfig,
    response: &TokenResponse,
    obtained_at: DateTime<Utc>,
    secret: Option<&Secret>,
    log: &mut Recorder,
) -> TokenInfo {
    let mut note = None;
    let (expires_at, source) = if let Some(secs) = response.expires_in {
        (Some(obtained_at + Duration::seconds(secs)), ExpirySource::ExpiresIn)
    } else if let Some(exp) = token::jwt_claims(response.access_token.expose()).and_then(|c| token::claim_time(&c, "exp")) {
        (Some(exp), ExpirySource::Jwt)
    } else if let Some(url) = &cfg.introspect_url {
        match exchange::introspect_exp(cfg, url, secret, &response.access_token, log).await {
            Ok(Some(exp)) => (Some(exp), ExpirySource::Introspection),
            Ok(None) => {
                note = Some("the introspection endpoint did not say when the token expires".to_string());
                (None, ExpirySource::Unknown)
            }
            Err(e) => {
                note = Some(format!("introspection failed ({e})"));
                (None, ExpirySource::Unknown)
            }
        }
    } else {
        (None, ExpirySource::Unknown)
    };
    if source == ExpirySource::Unknown {
        note = Some(match note {
            Some(n) => format!("{n}; {UNKNOWN_NOTE}"),
            None => UNKNOWN_NOTE.to_string(),
        });
    }
    TokenInfo {
        token_type: response.token_type.clone(),
        scope: response.scope.clone(),
        obtained_at,
        expires_at,
        expiry_source: source,
        expiry_note: note,
        instance_url: response.instance_url.clone(),
        issued_at: response.issued_at,
        refresh_token: response.refresh_token.is_some(),
        source: TokenSource::Network,
        extra: response.extra.clone(),
    }
}

/// Said in place of a test call's result when there is no test URL to call.
pub const NO_TEST_URL: &str =
    "no test URL is set: add one (Edit, or test_url on the command line) to see what the API answers with this token";

impl Desk {
    pub(crate) fn flow_config(&self, handle: &str) -> Result<(i64, FlowConfig)> {
        let row = crate::store::get(&self.conn(), handle)?;
        let t = template::find(&row.template)?;
        Ok((row.id, FlowConfig::new(t, &row.fields)?))
    }

    fn token_key(&self, id: i64) -> String {
        format!("{}/{id}/token", self.store_id())
    }

    /// The cached token, if it can still be used `margin` from now.
    fn cached(&self, id: i64, margin: Duration) -> Result<Option<Token>> {
        let meta = history::token(&self.conn(), id)?;
        let Some(meta) = meta.filter(|m| history::usable(m, Utc::now(), margin)) else { return Ok(None) };
        let Some(raw) = self.secrets().get(&meta.secret_ref)? else { return Ok(None) };
        let Ok(cached) = serde_json::from_str::<Cached>(raw.expose()) else { return Ok(None) };
        let mut info = cached.info;
        info.source = TokenSource::Cache;
        Ok(Some(Token { access_token: Secret::new(cached.access_token), info }))
    }

    /// The cached token whatever its expiry, with its refresh token.
    pub(crate) fn cached_any(&self, id: i64) -> Result<Option<(Token, Option<Secret>)>> {
        let Some(meta) = history::token(&self.conn(), id)? else { return Ok(None) };
        let Some(raw) = self.secrets().get(&meta.secret_ref)? else { return Ok(None) };
        let Ok(cached) = serde_json::from_str::<Cached>(raw.expose()) else { return Ok(None) };
        let token = Token { access_token: Secret::new(cached.access_token), info: cached.info };
        Ok(Some((token, cached.refresh_token.map(Secret::new))))
    }

    /// Keeps a new token in the keyring (and its expiry in the store). A provider that sends
    /// no new refresh token keeps the old one valid, so `keep_refresh` is kept then.
    pub(crate) fn store_token(&self, id: i64, response: &TokenResponse, info: &mut TokenInfo, keep_refresh: Option<&Secret>) -> Result<()> {
        let key = self.token_key(id);
        let refresh = response.refresh_token.as_ref().or(keep_refresh);
        info.refresh_token = refresh.is_some();
        let cached = Cached {
            access_token: response.access_token.expose().to_string(),
            refresh_token: refresh.map(|r| r.expose().to_string()),
            info: info.clone(),
        };
        self.secrets().set(&key, &Secret::new(serde_json::to_string(&cached).expect("a token always serialises")))?;
        history::save_token(&self.conn(), id, &key, info.obtained_at, info.expires_at, info.expiry_source)
    }

    /// A token for `handle`: the cached one while it has more than `margin` left, else a new
    /// exchange (client credentials) or a refresh (authorization code); `force` skips the cache.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn token(&self, handle: &str, force: bool, margin: Duration) -> Result<Token> {
        self.token_with(handle, force, margin, &mut Recorder::default()).await
    }

    /// [`Desk::token`], recording into `log` (a diagnosis keeps the trace).
    pub async fn token_with(&self, handle: &str, force: bool, margin: Duration, log: &mut Recorder) -> Result<Token> {
        let (id, cfg) = self.flow_config(handle)?;
        if !force {
            if let Some(t) = self.cached(id, margin)? {
                return Ok(t);
            }
        }
        if cfg.template.flow == Flow::AuthorizationCode {
            return self.refresh_token(id, handle, &cfg, log).await;
        }
        let secret = self.client_secret(handle)?.ok_or_else(|| {
            Error::invalid(
                "client_secret",
                format!("no client secret is stored for '{handle}'; set it with: oauthdesk edit {handle} --secret-stdin"),
            )
        })?;
        let from = log.attempts.len();
        let obtained_at = Utc::now();
        let result = match exchange::client_credentials(&cfg, &secret, log).await {
            Ok(response) => Ok((expiry(&cfg, &response, obtained_at, Some(&secret), log).await, response)),
            Err(e) => Err(e),
        };
        history::record(&self.conn(), id, &log.attempts[from..])?;
        let (mut info, response) = result?;
        self.store_token(id, &response, &mut info, None)?;
        Ok(Token { access_token: response.access_token, info })
    }

    /// Calls the profile's test URL with a token (cached if usable). `None` when there is
    /// no test URL (and, for Salesforce, no instance URL to derive one from).
    #[tracing::instrument(skip(self, token), err(level = "info"))]
    pub async fn test_with(&self, handle: &str, token: &Token) -> Result<Option<TestResult>> {
        self.test_recorded(handle, token, &mut Recorder::default()).await
    }

    /// [`Desk::test_with`], recording into `log`.
    pub async fn test_recorded(&self, handle: &str, token: &Token, log: &mut Recorder) -> Result<Option<TestResult>> {
        let (id, cfg) = self.flow_config(handle)?;
        let instance = token.info.instance_url.as_deref().and_then(|u| Url::parse(u).ok());
        let allowed = cfg.allowed(instance.as_ref());
        let from = log.attempts.len();
        let result = match (&cfg.test_url, &instance) {
            (Some(url), _) => test_call::call(&cfg, &token.access_token, url.clone(), &allowed, log).await.map(Some),
            (None, Some(instance)) if cfg.is_salesforce() => {
                test_call::salesforce_default(&cfg, &token.access_token, instance, &allowed, log).await.map(Some)
            }
            _ => Ok(None),
        };
        history::record(&self.conn(), id, &log.attempts[from..])?;
        result
    }

    /// Connect: a token, then the test call.
    pub async fn connect(&self, handle: &str, force: bool) -> Result<ConnectResult> {
        let token = self.token(handle, force, DEFAULT_MARGIN).await?;
        let test = self.test_with(handle, &token).await?;
        let test_note = test.is_none().then(|| NO_TEST_URL.to_string());
        Ok(ConnectResult { token: token.info, test, test_note })
    }

    /// The profile's recent attempts, newest first.
    pub fn history(&self, handle: &str, limit: usize) -> Result<Vec<Attempt>> {
        let conn = self.conn();
        let row = crate::store::get(&conn, handle)?;
        history::recent(&conn, row.id, limit)
    }

    /// Forgets a profile's cached token (the keyring entry and the store's record).
    pub(crate) fn forget_token(&self, conn: &rusqlite::Connection, id: i64) -> Result<()> {
        if let Some(meta) = history::token(conn, id)? {
            self.secrets().delete(&meta.secret_ref)?;
        }
        history::forget_token(conn, id)
    }

    /// Handles of profiles whose cached token expires within `within` (for renewal).
    pub fn expiring(&self, within: Duration) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT p.handle, t.expires_at FROM tokens t JOIN profiles p ON p.id = t.profile_id WHERE t.expires_at IS NOT NULL")?;
        let now = Utc::now();
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, DateTime<Utc>>(1)?)))?;
        Ok(rows.filter_map(|r| r.ok()).filter(|(_, exp)| *exp - within <= now && *exp > now).map(|(h, _)| h).collect())
    }
}
