//! Tauri commands: each parses its arguments, calls one core function off the UI thread, and
//! returns its result or an `{code, message, field}` error. No logic lives here.

pub mod authorize;
pub mod connect;
pub mod diagnose;
pub mod profiles;

use oauthdesk_core::Desk;

use crate::error::{AppError, AppResult};
use crate::AppState;

/// Runs `f` on the desk in a blocking-friendly thread (SQLite and the keyring block).
pub(crate) async fn on_desk<T, F>(state: &AppState, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Desk) -> oauthdesk_core::Result<T> + Send + 'static,
{
    let desk = state.desk.clone();
    tauri::async_runtime::spawn_blocking(move || f(&desk)).await.map_err(|e| AppError::Internal(e.to_string()))?.map_err(AppError::from)
}
