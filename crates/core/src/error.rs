//! The one error type of the core. Every failure a user can cause or meet names its cause
//! (and, for bad input, the field), so the CLI prints it on one line and the UI shows it
//! next to the right input. It crosses the IPC boundary as an [`ErrorPayload`] whose `code`
//! is an [`ErrorCode`]: the CLI's exit status, `--json` and the window's TypeScript all
//! read that one enum, never a string.
//!
//! Messages say what is wrong and what is missing, never how a particular front end
//! provides it: a missing secret or sign-in is an [`Error::NotReady`] with a typed
//! [`Need`], and the CLI (a flag) and the window (a button) each add their own advice.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Stage;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value the user typed is not acceptable; `field` names the input.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },

    #[error("no profile with handle '{0}'")]
    NotFound(String),

    #[error("handle: a profile with handle '{0}' already exists")]
    Duplicate(String),

    #[error("template: unknown template '{0}' (known: {1})")]
    UnknownTemplate(String, String),

    /// No usable OS keyring (Secret Service, Keychain, Credential Manager).
    #[error("the OS keyring is not available ({detail}). {hint}")]
    KeyringUnavailable { detail: String, hint: &'static str },

    #[error("keyring: {0}")]
    Keyring(String),

    /// The store holds sealed values, but the keyring has no key that opens them. Nothing
    /// was changed: the key is never replaced by accident ([`Need::DataKey`] says how it is
    /// put right).
    #[error("the OS keyring lacks this store's data key ({detail}), so its secrets, tokens and private keys cannot be read or added, and nothing was changed: the keyring was reset or its item removed or replaced, or the store was copied from another machine")]
    KeyMissing { detail: String },

    #[error("the store at {path} was written by a newer OAuth Desk (schema version {found}, this build knows up to {supported}); it was left untouched, update OAuth Desk to open it")]
    StoreTooNew { path: String, found: i64, supported: i64 },

    #[error("store: {0}")]
    Store(#[source] rusqlite::Error),

    /// A lock another process held for longer than OAuth Desk waits for it: `what` names
    /// the lock, `secs` how long was waited.
    #[error("{what} stayed busy for {secs} s (another OAuth Desk process held it all that time); try again once it is done")]
    LockTimeout { what: String, secs: u64 },

    #[error("store migration: {0}")]
    Migration(String),

    #[error("import: {0}")]
    Import(String),

    #[error("{0}")]
    Io(#[from] std::io::Error),

    /// The profile cannot do this yet: `need` says what it lacks (typed, so each front end
    /// can say how to give it); `message` says it in words, without front-end syntax.
    #[error("{message}")]
    /// `field` names the input that holds what is lacking, when the need alone does not.
    NotReady { handle: String, need: Need, message: String, field: Option<&'static str> },

    /// Something that should not happen did (a listener that stopped, a broken setup).
    #[error("{0}")]
    Internal(String),

    /// The provider answered with an OAuth error (RFC 6749 §5.2 or a provider's own).
    #[error("{stage}: the provider answered {error}{} (HTTP {status})", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth { stage: Stage, status: u16, error: String, description: Option<String> },

    /// The user cancelled a waiting authorization.
    #[error("authorize: cancelled")]
    Cancelled,

    /// The provider sent the browser back with an error (e.g. the user said no).
    #[error("authorize: the provider answered {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Denied { error: String, description: Option<String> },

    /// The server did not answer in time.
    #[error("{stage}: {host} did not answer within {secs} s (timeout)")]
    Timeout { stage: Stage, host: String, secs: u64 },

    /// The server could not be reached (DNS, connection, TLS).
    #[error("{stage}: cannot reach {host}: {detail}")]
    Network { stage: Stage, host: String, detail: String },

    /// The server answered, but not with what the stage needs; `kind` says how, as data.
    #[error("{stage}: {message}")]
    BadResponse { stage: Stage, status: Option<u16>, kind: AnswerKind, message: String },

    /// The token would go to a host the profile does not allow; nothing was sent.
    #[error("{stage}: {host} is not on the profile's allowed hosts ({allowed}); the token was not sent")]
    HostNotAllowed { stage: Stage, host: String, allowed: String },
}

impl Error {
    /// Shorthand for a field-level input error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid { field: field.into(), message: message.into() }
    }

    /// The stable, machine-readable code for scripts, exit statuses and the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } => ErrorCode::InvalidInput,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Duplicate(_) => ErrorCode::DuplicateHandle,
            Error::UnknownTemplate(..) => ErrorCode::UnknownTemplate,
            Error::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Error::Keyring(_) => ErrorCode::Keyring,
            Error::KeyMissing { .. } => ErrorCode::KeyMissing,
            Error::StoreTooNew { .. } => ErrorCode::StoreTooNew,
            Error::Store(_) | Error::Migration(_) => ErrorCode::Store,
            Error::Import(_) => ErrorCode::Import,
            Error::Io(_) => ErrorCode::Io,
            Error::NotReady { need: Need::ClientSecret, .. } => ErrorCode::InvalidInput,
            Error::NotReady { .. } => ErrorCode::NotReady,
            Error::Internal(_) => ErrorCode::Internal,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Denied { .. } => ErrorCode::AccessDenied,
            Error::OAuth { .. } => ErrorCode::OauthError,
            Error::Timeout { .. } | Error::LockTimeout { .. } => ErrorCode::Timeout,
            Error::Network { .. } => ErrorCode::Network,
            Error::BadResponse { .. } => ErrorCode::BadResponse,
            Error::HostNotAllowed { .. } => ErrorCode::HostNotAllowed,
        }
    }

    /// A profile that lacks something; `message` says what, in words.
    pub fn not_ready(handle: &str, need: Need, message: impl Into<String>) -> Self {
        Error::NotReady { handle: handle.to_string(), need, message: message.into(), field: None }
    }

    /// [`Error::not_ready`] about the input `field` (one of several that meet the same need).
    pub fn not_ready_in(handle: &str, need: Need, field: &'static str, message: impl Into<String>) -> Self {
        Error::NotReady { handle: handle.to_string(), need, message: message.into(), field: Some(field) }
    }

    /// The input field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            Error::Duplicate(_) => Some("handle"),
            Error::UnknownTemplate(..) => Some("template"),
            Error::NotReady { field: Some(field), .. } => Some(field),
            Error::NotReady { need: Need::ClientSecret, .. } => Some("client_secret"),
            Error::NotReady { need: Need::SecretSource, .. } => Some("secret_ref"),
            _ => None,
        }
    }

    /// The connection stage the error happened in, if any.
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Error::OAuth { stage, .. }
            | Error::Timeout { stage, .. }
            | Error::Network { stage, .. }
            | Error::BadResponse { stage, .. }
            | Error::HostNotAllowed { stage, .. } => Some(*stage),
            Error::Denied { .. } | Error::Cancelled => Some(Stage::Authorize),
            _ => None,
        }
    }

    /// The serializable form used by the CLI's `--json` output and the UI.
    pub fn payload(&self) -> ErrorPayload {
        let (status, error, error_description) = match self {
            Error::OAuth { status, error, description, .. } => (Some(*status), Some(error.clone()), description.clone()),
            Error::Denied { error, description } => (None, Some(error.clone()), description.clone()),
            Error::BadResponse { status, .. } => (*status, None, None),
            _ => (None, None, None),
        };
        let (handle, need) = match self {
            Error::NotReady { handle, need, .. } => (Some(handle.clone()), Some(*need)),
            Error::KeyMissing { .. } => (None, Some(Need::DataKey)),
            _ => (None, None),
        };
        ErrorPayload {
            code: self.code(),
            handle,
            need,
            answer: match self {
                Error::BadResponse { kind, .. } => Some(*kind),
                _ => None,
            },
            message: self.to_string(),
            field: self.field().map(str::to_string),
            stage: self.stage(),
            status,
            error,
            error_description,
        }
    }
}

/// What the UI and `--json` consumers receive for an error.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    /// What the profile (or, with no `handle`, the store) lacks, for a `not_ready`,
    /// missing-secret or `key_missing` error, and which profile.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need: Option<Need>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// How a server's answer was unusable, for a `bad_response`.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<AnswerKind>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For connection failures: the stage, the HTTP status, and the provider's OAuth
    /// `error` and `error_description`.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl ErrorPayload {
    /// A payload for errors that are not the core's (the adapters' own).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorPayload {
            code,
            message: message.into(),
            need: None,
            handle: None,
            answer: None,
            field: None,
            stage: None,
            status: None,
            error: None,
            error_description: None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How long a write waits for the store's lock (the store sets SQLite's busy timeout to it;
/// here so that the error below can say it without the store).
pub const STORE_BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A store that stayed locked through SQLite's whole busy wait says so, with the wait;
/// every other SQLite failure is the store's.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::LockTimeout { what: "the store (its write lock)".into(), secs: STORE_BUSY_WAIT.as_secs() }
            }
            _ => Error::Store(e),
        }
    }
}

/// Every error code, as scripts (`--json`), the exit status and the window see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    DuplicateHandle,
    UnknownTemplate,
    KeyringUnavailable,
    Keyring,
    KeyMissing,
    StoreTooNew,
    Store,
    Import,
    Io,
    NotReady,
    Internal,
    Cancelled,
    AccessDenied,
    OauthError,
    Timeout,
    Network,
    BadResponse,
    HostNotAllowed,
}

impl ErrorCode {
    /// The serialized name (`invalid_input`, `oauth_error`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotFound => "not_found",
            ErrorCode::DuplicateHandle => "duplicate_handle",
            ErrorCode::UnknownTemplate => "unknown_template",
            ErrorCode::KeyringUnavailable => "keyring_unavailable",
            ErrorCode::Keyring => "keyring",
            ErrorCode::KeyMissing => "key_missing",
            ErrorCode::StoreTooNew => "store_too_new",
            ErrorCode::Store => "store",
            ErrorCode::Import => "import",
            ErrorCode::Io => "io",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::Internal => "internal",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::OauthError => "oauth_error",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Network => "network",
            ErrorCode::BadResponse => "bad_response",
            ErrorCode::HostNotAllowed => "host_not_allowed",
        }
    }

    /// The CLI's exit status: 2 for what the user can correct in the command (bad input, an
    /// unknown profile, a step to take first), 1 for everything else.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorCode::InvalidInput
            | ErrorCode::NotFound
            | ErrorCode::DuplicateHandle
            | ErrorCode::UnknownTemplate
            | ErrorCode::Import
            | ErrorCode::NotReady => 2,
            _ => 1,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a profile lacks before it can do what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Need {
    /// A client secret must be stored first.
    ClientSecret,
    /// A (new) sign-in is needed: no tokens, or the refresh token is gone or refused.
    SignIn,
    /// The profile signs in with no user: get a token instead.
    NoSignIn,
    /// An endpoint (token, device authorization, revocation, introspection, the test call's
    /// hosts) names a destination no person confirmed for this profile's credentials: a person
    /// must confirm it (an edit, discovery or a secret entered again does not).
    ConfirmOrigin,
    /// The profile signs with a key (or presents it in TLS) and has none: generate or import one.
    Key,
    /// The store's data key is not in the keyring (the whole store, not one profile): put
    /// its keyring item back, and everything opens again; or start over with a new key,
    /// which drops every value sealed under the lost one.
    DataKey,
    /// The profile's secret comes by reference and its source could not give it (the
    /// message names the reference and the reason): the source must be put right, or the
    /// reference changed.
    SecretSource,
}

/// How a server's answer was not what the stage needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AnswerKind {
    /// A 3xx: OAuth endpoints never redirect.
    Redirect,
    /// An HTML page: usually not the endpoint at all.
    Html,
    /// A body that is neither JSON nor form-encoded.
    NotJson,
    /// More than the stage ever reads.
    TooLarge,
    /// A non-2xx status with a JSON body that is no OAuth error.
    Status,
    /// A 2xx answer that lacks what the stage needs (no token, not active, not an object).
    Unusable,
}

#[cfg(test)]
mod tests;
