//! The one error type of the core. Every failure a user can cause or meet names its cause
//! (and, for bad input, the field), so the CLI prints it on one line and the UI shows it
//! next to the right input. It crosses the IPC boundary as `{code, message, field}`.

use serde::Serialize;
use ts_rs::TS;

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

    #[error("the store at {path} was written by a newer OAuth Desk (schema version {found}, this build knows up to {supported}); it was left untouched, update OAuth Desk to open it")]
    StoreTooNew { path: String, found: i64, supported: i64 },

    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),

    #[error("store migration: {0}")]
    Migration(String),

    #[error("import: {0}")]
    Import(String),

    #[error("{0}")]
    Io(#[from] std::io::Error),

    /// The profile cannot do this yet (no secret, wrong flow); says what to do.
    #[error("{0}")]
    NotReady(String),

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

    /// The server answered, but not with what the stage needs.
    #[error("{stage}: {message}")]
    BadResponse { stage: Stage, status: Option<u16>, message: String },

    /// The token would go to a host the profile does not allow; nothing was sent.
    #[error("{stage}: {host} is not on the profile's allowed hosts ({allowed}); the token was not sent")]
    HostNotAllowed { stage: Stage, host: String, allowed: String },
}

/// The steps of a connection, as reported in errors and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
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
        [Stage::Authorize, Stage::Token, Stage::Refresh, Stage::Introspect, Stage::Test, Stage::Revoke, Stage::Discovery]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Error {
    /// Shorthand for a field-level input error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid { field: field.into(), message: message.into() }
    }

    /// A stable, machine-readable code for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_input",
            Error::NotFound(_) => "not_found",
            Error::Duplicate(_) => "duplicate_handle",
            Error::UnknownTemplate(..) => "unknown_template",
            Error::KeyringUnavailable { .. } => "keyring_unavailable",
            Error::Keyring(_) => "keyring",
            Error::StoreTooNew { .. } => "store_too_new",
            Error::Store(_) | Error::Migration(_) => "store",
            Error::Import(_) => "import",
            Error::Io(_) => "io",
            Error::NotReady(_) => "not_ready",
            Error::Cancelled => "cancelled",
            Error::Denied { .. } => "access_denied",
            Error::OAuth { .. } => "oauth_error",
            Error::Timeout { .. } => "timeout",
            Error::Network { .. } => "network",
            Error::BadResponse { .. } => "bad_response",
            Error::HostNotAllowed { .. } => "host_not_allowed",
        }
    }

    /// The input field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            Error::Duplicate(_) => Some("handle"),
            Error::UnknownTemplate(..) => Some("template"),
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
        ErrorPayload {
            code: self.code().to_string(),
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
    pub code: String,
    pub message: String,
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
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorPayload {
            code: code.into(),
            message: message.into(),
            field: None,
            stage: None,
            status: None,
            error: None,
            error_description: None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
