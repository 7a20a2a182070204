//! The app's error type. It wraps the core's errors and adds the few the adapters can meet;
//! across the IPC boundary it is always `{code, message, field}` (the core's `ErrorPayload`).

use oauthdesk_core::ErrorPayload;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Core(#[from] oauthdesk_core::Error),

    #[error("{0}")]
    Io(#[from] std::io::Error),

    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn payload(&self) -> ErrorPayload {
        match self {
            AppError::Core(e) => e.payload(),
            AppError::Io(e) => ErrorPayload::new("io", e.to_string()),
            AppError::Internal(m) => ErrorPayload::new("internal", m.clone()),
        }
    }

    /// Bad input exits 2, like a usage error; anything else 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Core(e) => match e.code() {
                "invalid_input" | "not_found" | "duplicate_handle" | "unknown_template" | "import" | "not_ready" => 2,
                _ => 1,
            },
            _ => 1,
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}

pub type AppResult<T> = Result<T, AppError>;
