//! The vocabulary of OAuth Desk: plain data that every layer speaks and that crosses to the
//! window (through the generated TypeScript bindings) and to `--json` output. This module is
//! the bottom layer: it uses nothing else of the crate, so any module may use it.
//!
//! Each enum that people read has exactly one label ([`Labelled::label`]); the CLI, the
//! diagnosis and the window (through the generated `contract.ts`) all show that label.

mod client_auth;
mod connection;
mod labels;
pub mod scopes;
pub mod text;
pub mod warnings;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use client_auth::ClientAuth;
pub use connection::{newer_than, step as failure_step, Newer};
pub use labels::{label_tables, LabelTable, Labelled};

/// Field name → value. Only fields of the profile's template; never a secret.
pub type Fields = BTreeMap<String, String>;

/// Whether a secret is stored; the secret itself never leaves the store through here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum SecretState {
    #[serde(rename = "set")]
    Set,
    #[serde(rename = "not set")]
    NotSet,
    /// Stored, but it cannot be read here (its key is gone, or it was altered): it must be
    /// entered again.
    #[serde(rename = "unreadable")]
    Unreadable,
}

/// Which OAuth 2.0 grant a template uses (what it can do is `template`'s: see `Flow::stages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Flow {
    ClientCredentials,
    AuthorizationCode,
    /// RFC 7523 §2.1: a JWT signed with the profile's key is the grant.
    JwtBearer,
    /// RFC 8628: the user approves on another device, with a code; the client polls.
    DeviceCode,
    /// RFC 6749 §4.3, legacy: the user's password goes to the token endpoint.
    Password,
}

/// The steps of a connection, as reported in errors and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Stage {
    Authorize,
    Token,
    Refresh,
    Introspect,
    Test,
    Revoke,
    Discovery,
}

impl Stage {
    pub const ALL: [Stage; 7] =
        [Stage::Authorize, Stage::Token, Stage::Refresh, Stage::Introspect, Stage::Test, Stage::Revoke, Stage::Discovery];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Authorize => "authorize",
            Stage::Token => "token",
            Stage::Refresh => "refresh",
            Stage::Introspect => "introspect",
            Stage::Test => "test",
            Stage::Revoke => "revoke",
            Stage::Discovery => "discovery",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where a token's expiry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExpirySource {
    ExpiresIn,
    Jwt,
    Introspection,
    Unknown,
}

impl ExpirySource {
    pub const ALL: [ExpirySource; 4] = [ExpirySource::ExpiresIn, ExpirySource::Jwt, ExpirySource::Introspection, ExpirySource::Unknown];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpirySource::ExpiresIn => "expires_in",
            ExpirySource::Jwt => "jwt",
            ExpirySource::Introspection => "introspection",
            ExpirySource::Unknown => "unknown",
        }
    }
}

/// Where a token came from this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TokenSource {
    Cache,
    Network,
    /// Asked of the provider, which sent back the access token already held: nothing new
    /// came (a provider that keeps a token until it expires).
    Unchanged,
    /// Handed over by the background agent, which keeps the profile's tokens fresh (it
    /// answered from its cache or made the exchange itself).
    Agent,
}

impl TokenSource {
    pub const ALL: [TokenSource; 4] = [TokenSource::Cache, TokenSource::Network, TokenSource::Unchanged, TokenSource::Agent];

    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::Cache => "cache",
            TokenSource::Network => "network",
            TokenSource::Unchanged => "unchanged",
            TokenSource::Agent => "agent",
        }
    }
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
    /// The claims of the ID token that came with it (OpenID Connect), decoded for display:
    /// who signed in. The ID token itself is a credential and is not kept.
    #[serde(default)]
    #[ts(type = "Record<string, unknown> | null")]
    pub id_token_claims: Option<serde_json::Value>,
    /// Obtained with the previous key: the provider refused the profile's new key (its
    /// certificate is not uploaded yet), see the desk's key rollover.
    #[serde(default)]
    pub previous_key: bool,
}

impl TokenInfo {
    /// Seconds left, or `None` when the expiry is unknown.
    pub fn expires_in(&self) -> Option<i64> {
        self.expires_at.map(|e| (e - Utc::now()).num_seconds().max(0))
    }
}

/// One request made for a profile, as kept in its history. Never holds a secret or a token.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub stage: Stage,
    pub ok: bool,
    pub status: Option<u16>,
    pub elapsed_ms: u64,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A profile's connection status, for the list's badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionStatus {
    Connected,
    Expired,
    Failing,
    Never,
    /// Its tokens were revoked or forgotten on purpose.
    SignedOut,
    /// Its settings changed, so the token issued for the old ones was dropped.
    SettingsChanged,
}

impl ConnectionStatus {
    pub const ALL: [ConnectionStatus; 6] = [
        ConnectionStatus::Connected,
        ConnectionStatus::Expired,
        ConnectionStatus::Failing,
        ConnectionStatus::Never,
        ConnectionStatus::SignedOut,
        ConnectionStatus::SettingsChanged,
    ];

    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Expired => "expired",
            ConnectionStatus::Failing => "failing",
            ConnectionStatus::Never => "never",
            ConnectionStatus::SignedOut => "signed_out",
            ConnectionStatus::SettingsChanged => "settings_changed",
        }
    }
}

/// A profile's connection state: what the badge, the panel and `show` all read.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionState {
    pub state: ConnectionStatus,
    pub expires_at: Option<DateTime<Utc>>,
    /// When the stored token was obtained: the last time the connection worked.
    pub connected_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// When the certificate of the profile's key expires, if it has one.
    pub certificate_expires_at: Option<DateTime<Utc>>,
    /// Connected and in the last stretch of its lifetime ([`warnings::expiring_soon_at`]),
    /// as of the read.
    pub expiring_soon: bool,
    /// From when the token is expiring soon: a clock that runs between reads (the window's)
    /// compares this.
    pub expiring_soon_at: Option<DateTime<Utc>>,
    /// Whole days the certificate has left, as of the read (negative once expired).
    #[ts(type = "number | null")]
    pub certificate_days_left: Option<i64>,
    /// The certificate is expired or has fewer than [`warnings::CERTIFICATE_WARNING_DAYS`] left.
    pub certificate_expiring: bool,
}

impl ConnectionState {
    /// Adds the certificate of the profile's key, as of `now`.
    pub fn with_certificate(mut self, not_after: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        self.certificate_expires_at = not_after;
        self.certificate_days_left = not_after.map(|t| warnings::days_left(t, now));
        self.certificate_expiring = self.certificate_days_left.is_some_and(warnings::certificate_expiring);
        self
    }
}

/// A stored profile as shown to users: never contains a secret.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Profile {
    pub handle: String,
    pub label: String,
    pub template: String,
    pub fields: Fields,
    pub client_secret: SecretState,
    /// Where the secret is read from, when it comes by reference (`vault://…`, `env:…`,
    /// `file:…`, `op://…`); the value read is never shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub secret_ref: Option<String>,
    /// The connection's status, for the list's badge.
    pub connection: ConnectionState,
    /// Endpoints that changed origin since their credential was entrusted to them, in
    /// words; nothing is sent there until the user confirms (empty: nothing to confirm).
    pub unconfirmed: Vec<String>,
    /// The team folder the profile comes from, when it was synced or exported to one: a
    /// sync of that folder changes or removes it, and an edit writes its file back.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub team: Option<TeamOrigin>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a profile from a team folder comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TeamOrigin {
    /// The folder, as an absolute path with no link in it.
    pub dir: String,
    /// The Git commit the folder was at when the profile was last synced or exported (none
    /// when the folder is not in a Git work tree).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub commit: Option<String>,
}

/// A profile as the list shows it: what a list item, its search and its badge need, and
/// nothing the list does not (a thousand profiles' fields are most of their bytes, and the
/// window's list is asked for as it starts). The connection state is the one `Profile` has:
/// both come from the same query.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProfileSummary {
    pub handle: String,
    pub label: String,
    pub template: String,
    /// The connection's status, for the list's badge.
    pub connection: ConnectionState,
}

/// The checks of a diagnosis, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Check {
    Profile,
    /// Where a secret given by reference is read from (a vault, a file, …); only for a
    /// profile whose secret comes by reference.
    SecretSource,
    Network,
    Authorization,
    TokenEndpoint,
    TokenResponse,
    TestCall,
    Clock,
}

impl Check {
    pub const ALL: [Check; 8] = [
        Check::Profile,
        Check::SecretSource,
        Check::Network,
        Check::Authorization,
        Check::TokenEndpoint,
        Check::TokenResponse,
        Check::TestCall,
        Check::Clock,
    ];

    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Profile => "profile",
            Check::SecretSource => "secret_source",
            Check::Network => "network",
            Check::Authorization => "authorization",
            Check::TokenEndpoint => "token_endpoint",
            Check::TokenResponse => "token_response",
            Check::TestCall => "test_call",
            Check::Clock => "clock",
        }
    }
}
