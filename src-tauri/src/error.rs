//! The app's error type. It wraps the core's errors and adds the few the adapters can meet;
//! across the IPC boundary it is always the core's `ErrorPayload`, whose code is the core's
//! `ErrorCode` (so the exit status, `--json` and the window agree).

use oauthdesk_core::{ErrorCode, ErrorPayload};
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
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Core(e) => e.code(),
            AppError::Io(_) => ErrorCode::Io,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        match self {
            AppError::Core(e) => e.payload(),
            other => ErrorPayload::new(other.code(), other.to_string()),
        }
    }

    /// Bad input exits 2, like a usage error; anything else 1.
    pub fn exit_code(&self) -> i32 {
        self.code().exit_code()
    }
}

/// What the window receives of an error: its payload, every known secret redacted.
impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::shown::Shown(self.payload()).serialize(s)
    }
}

pub type AppResult<T> = Result<T, AppError>;
