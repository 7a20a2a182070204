//! Commands for connecting: Connect (token + test call) and the history.

use oauthdesk_core::Attempt;
use oauthdesk_core::ConnectResult;
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::AppState;

/// Gets a token (a new one with `force`) and calls the test URL.
#[tauri::command]
pub async fn profile_connect(state: State<'_, AppState>, handle: String, force: bool) -> AppResult<ConnectResult> {
    state.desk.connect(&handle, force).await.map_err(AppError::from)
}

#[tauri::command]
pub async fn profile_history(state: State<'_, AppState>, handle: String) -> AppResult<Vec<Attempt>> {
    super::on_desk(&state, move |d| d.history(&handle, 20)).await
}
