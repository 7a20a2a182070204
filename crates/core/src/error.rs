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

    /// The serializable form used by the CLI's `--json` output and the UI.
    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
            field: self.field().map(str::to_string),
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
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
