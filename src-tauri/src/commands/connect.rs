//! Commands for connecting: Connect (token + test call) and the history.

use oauthdesk_core::Attempt;
use oauthdesk_core::ConnectResult;
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::AppState;

/// Gets a token (a new one with `force`) and calls the test URL.
#[tauri::command]
pub async fn profile_connect(state: State<'_, AppState>, handle: String, force: bool) -> AppResult<ConnectResult> {
    // Cancel (profile_authorize_cancel) stops the wait: the request is dropped, nothing of it
    // is stored, and the profile's exchange lock is released with it.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    if let Ok(mut pending) = state.pending.lock() {
        pending.insert(handle.clone(), tx);
    }
    let result = tokio::select! {
        r = state.desk.connect(&handle, force) => r,
        _ = rx => Err(oauthdesk_core::Error::Cancelled),
    };
    if let Ok(mut pending) = state.pending.lock() {
        pending.remove(&handle);
    }
    result.map_err(AppError::from)
}

#[tauri::command]
pub async fn profile_history(state: State<'_, AppState>, handle: String) -> AppResult<Vec<Attempt>> {
    super::on_desk(&state, move |d| d.history(&handle, 20)).await
}
